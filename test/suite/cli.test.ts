import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { writeBaseline } from '../../src/reports/gate';
import { runInto, tempDir } from '../support/suite';

const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectUsageError(args: string[], message: RegExp): void {
  const r = cli(...args);
  assert.equal(r.code, 2, `exit code of ${args.join(' ')}: ${r.err}`);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.err}`);
  assert.match(lines[0], message);
}

test('help works for every command', () => {
  for (const c of ['', 'run', 'profiles', 'faults', 'gate', 'merge', 'report', 'compliance', 'mutate', 'lint-spec']) {
    const r = cli(...(c ? [c, '--help'] : ['--help']));
    assert.equal(r.code, 0, c);
    assert.match(r.out, /Usage: tdx-conformance/);
  }
});

test('bad usage of run is one line and exit code 2', () => {
  expectUsageError(['run', '--target', 'mainframe'], /unknown target "mainframe"; valid targets: emulator/);
  expectUsageError(['run', '--profile', 'nope'], /unknown emulator profile "nope"; valid profiles: all, /);
  expectUsageError(['run', '--shard', '3/2'], /--shard must be i\/n with 1 <= i <= n/);
  expectUsageError(['run', '--order', 'sideways'], /--order must be defined, reverse, random/);
  expectUsageError(['run', '--faults', 'no.such.fault'], /unknown fault\(s\): no\.such\.fault/);
  expectUsageError(['run', '--parallel', 'two'], /--parallel must be a whole number/);
});

test('bad input to gate, merge, report and compliance is one line and exit code 2', async () => {
  const missing = join(tempDir('none'), 'nothing-here');
  expectUsageError(['gate', '--results', missing, '--baseline', 'x.yaml'], /results directory .* does not exist/);
  expectUsageError(['merge', missing, '--out', tempDir('m')], /does not exist/);
  expectUsageError(['report', '--results', missing], /does not exist/);
  expectUsageError(['compliance', '--results', missing], /does not exist/);

  const corrupt = tempDir('corrupt');
  writeFileSync(join(corrupt, 'messages.ndjson'), '{"meta":{}}\n{"testCase": {broken\n');
  expectUsageError(['gate', '--results', corrupt, '--baseline', 'x.yaml'], /messages\.ndjson: line 2 is not JSON/);
  expectUsageError(['compliance', '--results', corrupt], /line 2 is not JSON/);

  const good = tempDir('good');
  const results = await runInto(good, { target: 'emulator' }, { paths: ['features/host/erratum.feature'] });
  const other = join(good, 'other-target.yaml');
  writeBaseline(other, { schema: 'tdx-conformance/baseline/1', target: { kind: 'emulator', name: 'another', kernel: null, module: null }, scenarios: {} });
  expectUsageError(['gate', '--results', good, '--baseline', other], /baseline .* is for .*another.* but the results are from/);
  expectUsageError(['gate', '--results', good, '--baseline', join(good, 'absent.yaml')], /does not exist \(create it with --update\)/);
  const newer = join(good, 'newer.yaml');
  writeFileSync(newer, 'schema: tdx-conformance/baseline/9\ntarget: {kind: emulator, name: x, kernel: null, module: null}\nscenarios: {}\n');
  expectUsageError(['gate', '--results', good, '--baseline', newer], /this suite reads tdx-conformance\/baseline\/1/);
  assert.ok(results.length > 0);

  // A results directory whose run did not finish.
  const cut = tempDir('cut');
  mkdirSync(cut, { recursive: true });
  copyFileSync(join(good, 'environment.json'), join(cut, 'environment.json'));
  writeFileSync(join(cut, 'messages.ndjson'), '{"meta":{"protocolVersion":"1"}}\n');
  expectUsageError(['compliance', '--results', cut], /no testRunFinished message/);
});
