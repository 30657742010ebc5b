/**
 * run --fleet: every capture under a directory in one process gives, machine by machine, exactly
 * what running that capture alone gives; the fleet summary counts them; one Allure results
 * directory holds what each machine executed; a fleet baseline gates the fleet (and a machine gone
 * missing blocks it); bad fleet directories are refused in one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { capture } from '../../src/cli/capture';
import { findCaptures } from '../../src/fleet/discover';
import { readMessages, scenarioResults } from '../../src/reports/results';
import { tempDir } from '../support/suite';

const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: PROJECT_ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Each scenario's status and skip reason, by its key. */
const outcomes = (dir: string): Record<string, string> =>
  Object.fromEntries(scenarioResults(readMessages(join(dir, 'messages.ndjson'))).map((r) => [r.key, `${r.status}${r.skip ? ` (${r.skip.kind}: ${r.skip.reason})` : ''}`]));

const verdictOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8')).verdict;

test('a fleet evaluated in one process equals each capture run alone; summary, Allure results and the fleet gate', async () => {
  const fleet = tempDir('fleet');
  const machines: Record<string, string> = {
    'rack-a/host1': join(fleet, 'rack-a', 'host1'),
    'rack-a/host2': join(fleet, 'rack-a', 'host2'),
    'rack-b/td1': join(fleet, 'rack-b', 'td1'),
  };
  mkdirSync(join(fleet, 'rack-a'), { recursive: true });
  mkdirSync(join(fleet, 'rack-b'), { recursive: true });
  await capture({ out: machines['rack-a/host1'], target: 'emulated-linux', profile: 'spr-2s-ubuntu-6.8' });
  await capture({ out: machines['rack-a/host2'], target: 'emulated-linux', profile: 'spr-2s-ubuntu-6.8', faults: 'host.module-info-after-cmrs' });
  await capture({ out: machines['rack-b/td1'], target: 'emulated-linux', profile: 'gnr-2s-mainline-7.1', role: 'guest' });
  mkdirSync(join(fleet, 'logs'));
  copyFileSync(join(PROJECT_ROOT, 'test/fixtures/real/host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg'), join(fleet, 'logs', 'emr.log'));
  machines['logs/emr'] = join(fleet, 'logs', 'emr.log');
  writeFileSync(join(fleet, 'notes.txt'), 'not a capture\n');
  assert.deepEqual(findCaptures(fleet).machines.map((m) => m.key), ['logs/emr', 'rack-a/host1', 'rack-a/host2', 'rack-b/td1']);

  const out = join(tempDir('fleet-out'), 'reports');
  const r = cli(['run', '--fleet', fleet, '--out', out, '--no-allure-report']);
  assert.equal(r.code, 1, `the faulty machine fails the fleet: ${r.out}${r.err}`);
  // Progress lines come in completion order (worker threads): every machine once, numbered 1..4.
  const progress = [...r.out.matchAll(/^\[(\d)\/4\] (\S+): /gm)];
  assert.deepEqual(progress.map((m) => m[1]), ['1', '2', '3', '4'], r.out);
  assert.deepEqual(progress.map((m) => m[2]).sort(), ['logs/emr', 'rack-a/host1', 'rack-a/host2', 'rack-b/td1'], r.out);
  assert.match(r.out, /FLEET of 4 machines: \d+ conform, 1 do not conform/);

  for (const [key, path] of Object.entries(machines)) {
    const alone = join(tempDir('fleet-alone'), 'reports');
    const a = cli(['run', '--snapshot', path, '--out', alone, '--no-allure-report']);
    assert.ok(a.code === 0 || a.code === 1, a.err);
    assert.deepEqual(outcomes(join(out, ...key.split('/'))), outcomes(alone), `${key}: the fleet's results differ from the capture run alone`);
    assert.deepEqual(verdictOf(join(out, ...key.split('/'))), verdictOf(alone), `${key}: verdict`);
  }

  const summary = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8'));
  assert.equal(summary.totals.machines, 4);
  assert.equal(summary.totals.fails, 1);
  assert.deepEqual(summary.machines.map((m: { key: string }) => m.key), ['logs/emr', 'rack-a/host1', 'rack-a/host2', 'rack-b/td1']);
  assert.deepEqual(summary.ignored, ['notes.txt']);
  for (const q of summary.requirements) {
    assert.equal(q.passed + q.failed + q.notObserved + q.notApplicable, 4, q.id);
    assert.equal(Object.keys(summary.matrix[q.id]).length, 4, q.id);
  }
  const failing = summary.requirements.filter((q: { failed: number }) => q.failed > 0).map((q: { id: string }) => q.id);
  assert.ok(failing.length > 0);
  for (const id of failing) assert.equal(summary.matrix[id]['rack-a/host2'], 'failed');
  assert.match(readFileSync(join(out, 'fleet.md'), 'utf8'), /## Requirements that failed on some machine/);
  assert.match(readFileSync(join(out, 'fleet.html'), 'utf8'), /<script type="application\/json" id="fleet-data">/);

  // One Allure results directory: what each machine executed, the machine as parent suite.
  const results = readdirSync(join(out, 'allure-results')).filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(out, 'allure-results', f), 'utf8')) as { status: string; labels: { name: string; value: string }[] });
  const executed = Object.keys(machines).reduce((n, key) => n + verdictOf(join(out, ...key.split('/'))).scenarios.passed + verdictOf(join(out, ...key.split('/'))).scenarios.failed, 0);
  assert.equal(results.length, executed);
  assert.deepEqual(new Set(results.map((x) => x.labels.find((l) => l.name === 'parentSuite')?.value)), new Set(Object.keys(machines).filter((k) => verdictOf(join(out, ...k.split('/'))).scenarios.passed > 0)));

  // The fleet gate: a baseline written from this fleet passes it; a machine gone missing blocks it.
  const base = join(tempDir('fleet-baseline'), 'fleet');
  assert.equal(cli(['gate', '--results', out, '--baseline', base, '--update']).code, 0);
  const g = cli(['gate', '--results', out, '--baseline', base]);
  assert.equal(g.code, 0, g.out + g.err);
  renameSync(machines['rack-b/td1'], join(tempDir('fleet-moved'), 'td1'));
  const again = cli(['run', '--fleet', fleet, '--out', out, '--baseline', base, '--no-allure-report']);
  assert.equal(again.code, 1);
  assert.match(again.out, /machines of the baseline missing from the fleet \(1\), blocking:\n {2}rack-b\/td1/);
  assert.match(again.out, /rack-a\/host2: DOES NOT CONFORM.*; gate passed/);
});

test('bad fleet directories are refused in one line (exit 2)', () => {
  const empty = tempDir('fleet-empty');
  const capture1 = tempDir('fleet-one');
  writeFileSync(join(capture1, 'manifest.json'), '{}');
  const clash = tempDir('fleet-clash');
  mkdirSync(join(clash, 'a'));
  writeFileSync(join(clash, 'a.log'), 'x\n');
  mkdirSync(join(clash, 'a', 'b'));
  writeFileSync(join(clash, 'a', 'b', 'manifest.json'), '{}');
  const cases: [string[], RegExp][] = [
    [['run', '--fleet', empty], /holds no captures/],
    [['run', '--fleet', capture1], /is itself a capture: evaluate it with --snapshot/],
    [['run', '--fleet', clash], /machine a\/b would be inside machine a's reports/],
    [['run', '--fleet', empty, '--profile', 'all'], /cannot be combined with --profile/],
    [['run', '--fleet', join(empty, 'nope')], /no such directory/],
  ];
  for (const [args, says] of cases) {
    const r = cli([...args, '--out', join(tempDir('fleet-bad-out'), 'r')]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], says);
  }
});
