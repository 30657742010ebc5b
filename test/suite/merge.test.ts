import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeDirectories } from '../../src/reports/merge';
import { scenarioResults } from '../../src/reports/results';
import { runInto, statusById, tempDir } from '../support/suite';

test('three shards merged give the same results and counts as the unsharded run', async () => {
  const whole = await runInto(tempDir('whole'), { target: 'emulator' });
  const shards = ['1/3', '2/3', '3/3'].map((s) => ({ s, dir: tempDir(`shard${s[0]}`) }));
  for (const { s, dir } of shards) await runInto(dir, { target: 'emulator' }, { shard: s });
  const out = tempDir('merged');
  const { envelopes, analysis } = await mergeDirectories(shards.map((x) => x.dir), out);
  const merged = scenarioResults(envelopes);
  // A shard alone does not observe every requirement; merged, the verdict is the unsharded run's.
  const shardVerdict = JSON.parse(readFileSync(join(shards[0].dir, 'compliance.json'), 'utf8')).verdict;
  assert.notEqual(shardVerdict.kind, 'conforms');
  const wholeVerdict = (dir: string) => JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8')).verdict.line;
  assert.deepEqual(statusById(merged), statusById(whole));
  const totals = (dir: string) => JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8')).totals;
  const wholeDir = tempDir('whole2');
  await runInto(wholeDir, { target: 'emulator' });
  assert.deepEqual(totals(out), totals(wholeDir));
  assert.equal(analysis.verdict.line, wholeVerdict(wholeDir));
  assert.equal(JSON.parse(readFileSync(join(out, 'environment.json'), 'utf8')).verdict.line, analysis.verdict.line);
  for (const f of ['junit.xml', 'cucumber-report.html', 'compliance.md', 'environment.json']) assert.ok(existsSync(join(out, f)), f);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.match(junit, new RegExp(`tests="${whole.length}"`));
});
