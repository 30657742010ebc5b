import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import TdxAllureReporter from '../../src/reports/allure-reporter';
import { readMessages } from '../../src/reports/results';
import { supportLibrary } from '../../src/runner/run-suite';
import { runInto, tempDir } from '../support/suite';

/** Replays a run's messages through the Allure formatter into a fresh results directory. */
async function replay(messages: readonly Envelope[]): Promise<{ files: string[]; dir: string }> {
  const dir = join(tempDir('allure-replay'), 'allure-results');
  const events = new EventEmitter();
  const options = { eventBroadcaster: events, supportCodeLibrary: await supportLibrary(), parsedArgvOptions: { resultsDir: dir, tdxTarget: 'emulator:test' } };
  new TdxAllureReporter(options as ConstructorParameters<typeof TdxAllureReporter>[0]);
  for (const e of messages) events.emit('envelope', e);
  return { files: readdirSync(dir), dir };
}

test('passing hooks leave no Allure fixture; a failing hook is a fixture with its error', async () => {
  const out = tempDir('allure-hooks');
  await runInto(out, { target: 'emulator' }, { paths: ['features/host/erratum.feature', 'features/host/kexec.feature'] });
  const messages = readMessages(join(out, 'messages.ndjson'));
  const clean = await replay(messages);
  assert.ok(clean.files.some((f) => f.endsWith('-result.json')));
  assert.equal(clean.files.filter((f) => f.endsWith('-container.json')).length, 0);
  // A skip's reason is the result's status message, not a separate attachment file.
  const results = clean.files.filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(join(clean.dir, f), 'utf8')));
  const skipped = results.filter((r) => r.status === 'skipped');
  assert.ok(skipped.length > 0, 'the sample run has skips');
  for (const r of skipped) assert.match(r.statusDetails?.message ?? '', /^[a-z-]+: \S/, r.name);
  const attachments = clean.files.filter((f) => f.includes('-attachment'));
  for (const f of attachments) assert.doesNotMatch(readFileSync(join(clean.dir, f), 'utf8'), /^(\{"kind":|skipped \()/, f);

  // The same run, with the first hook failing.
  const hookSteps = new Set(messages.flatMap((e) => e.testCase?.testSteps.filter((s) => s.hookId).map((s) => s.id) ?? []));
  let broken = false;
  const failing = messages.map((e) => {
    if (broken || !e.testStepFinished || !hookSteps.has(e.testStepFinished.testStepId)) return e;
    broken = true;
    return { testStepFinished: { ...e.testStepFinished, testStepResult: { ...e.testStepFinished.testStepResult, status: 'FAILED', message: 'restore failed: cpu 3 stayed offline', exception: { type: 'Error', message: 'restore failed: cpu 3 stayed offline' } } } } as Envelope;
  });
  const failed = await replay(failing);
  const containers = failed.files.filter((f) => f.endsWith('-container.json'));
  assert.equal(containers.length, 1);
  const text = readFileSync(join(failed.dir, containers[0]), 'utf8');
  assert.match(text, /cpu 3 stayed offline/);
});
