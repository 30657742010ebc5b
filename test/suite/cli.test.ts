import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
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
  for (const c of ['', 'run', 'profiles', 'faults', 'gate', 'merge', 'report', 'compliance', 'mutate', 'lint-spec', 'check-adapter']) {
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

/** Files of a directory and their contents (one level), to compare before and after. */
const contents = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile()).map((n) => [n, readFileSync(join(dir, n), 'utf8')]));

test('the command line takes TDX_PROFILE, TDX_TARGET/TDX_SNAPSHOT and a profile file, and ends with the verdict', () => {
  const quick = ['--tags', '@req:host.erratum.flag', '--no-allure-report'];
  const a = tempDir('env-profile');
  const env = spawnSync(process.execPath, [BIN, 'run', ...quick, '--out', a], { encoding: 'utf8', cwd: PROJECT_ROOT, env: { ...process.env, TDX_PROFILE: 'spr-2s-ubuntu-6.8' } });
  assert.equal(env.status, 0, env.stderr);
  assert.match(env.stdout, /^tdx-conformance run: target emulator spr-2s-ubuntu-6.8 /m);
  const verdictLine = JSON.parse(readFileSync(join(a, 'compliance.json'), 'utf8')).verdict.line;
  assert.match(env.stdout, new RegExp(`\\nVerdict: ${verdictLine.replace(/[()]/g, '\\$&')}\\n$`), 'the verdict ends the output');
  assert.match(verdictLine, /^NO FAILURES, PARTIAL: .* not observed: not-selected \d+/, 'a selection of one requirement is not conformance');

  // A profile file from outside profiles/, and --min-executed.
  const dir = tempDir('profile-file');
  copyFileSync(join(PROJECT_ROOT, 'profiles/gnr-2s-mainline-7.1.yaml'), join(dir, 'gnr-2s-mainline-7.1.yaml'));
  const file = spawnSync(process.execPath, [BIN, 'run', ...quick, '--profile', join(dir, 'gnr-2s-mainline-7.1.yaml'), '--min-executed', '50', '--out', tempDir('pf')], { encoding: 'utf8', cwd: PROJECT_ROOT });
  assert.equal(file.status, 1, file.stderr);
  assert.match(file.stdout, /target emulator gnr-2s-mainline-7.1 /);
  assert.match(file.stdout, /\nExit 1: [\d.]+% of applicable requirements executed, below --min-executed 50%\n/);

  const snap = spawnSync(process.execPath, [BIN, 'run', ...quick, '--out', tempDir('env-snap')], {
    encoding: 'utf8', cwd: PROJECT_ROOT,
    env: { ...process.env, TDX_TARGET: 'snapshot', TDX_SNAPSHOT: join(PROJECT_ROOT, 'test/fixtures/real/host/f-6.8.0-1028-intel-bios-detection-only.dmesg') },
  });
  assert.match(snap.stdout, /target snapshot .*bios-detection-only.dmesg \(role host\)/);
});

test('profiles lists a broken profile as broken, without a stack trace', () => {
  const dir = tempDir('profiles');
  copyFileSync(join(PROJECT_ROOT, 'profiles/spr-2s-mainline-6.18.yaml'), join(dir, 'spr-2s-mainline-6.18.yaml'));
  writeFileSync(join(dir, 'broken.yaml'), 'name: broken\n');
  const r = spawnSync(process.execPath, [BIN, 'profiles'], { encoding: 'utf8', cwd: PROJECT_ROOT, env: { ...process.env, TDX_PROFILES_DIR: dir } });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^spr-2s-mainline-6.18 \(default\)$/m);
  assert.match(r.stdout, /^broken \(BROKEN: only runs that select it fail\)\n {2}.*broken.yaml: field description: is missing$/m);
});

test('a reader that goes away ends the output quietly', () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" faults | head -1`], { encoding: 'utf8', cwd: PROJECT_ROOT });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
});

test('gate --update accepts a kernel or module upgrade of the same machine', async () => {
  const good = tempDir('upgrade');
  await runInto(good, { target: 'emulator' }, { paths: ['features/host/erratum.feature'] });
  const target = JSON.parse(readFileSync(join(good, 'environment.json'), 'utf8')).target;
  const baseline = join(good, 'b.yaml');
  writeBaseline(baseline, { schema: 'tdx-conformance/baseline/1', target: { kind: 'emulator', name: target.name, kernel: '6.8.0 (mainline-6.8)', module: '1.5 build 595' }, scenarios: {} });
  const r = cli('gate', '--results', good, '--baseline', baseline, '--update');
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(readFileSync(baseline, 'utf8'), /mainline-6.8\)/);
});

test('an interrupted run leaves the previous reports as they were', async () => {
  const out = tempDir('interrupted');
  writeFileSync(join(out, 'compliance.md'), 'previous report\n');
  writeFileSync(join(out, 'junit.xml'), '<testsuite/>\n');
  const before = contents(out);
  const child = spawn(process.execPath, [BIN, 'run', '--out', out, '--no-allure-report'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      // Interrupt once scenarios are running (the progress dots follow the banner).
      if (/reports: .*\n[.\-F]/.test(stdout)) child.kill('SIGINT');
    });
    child.on('close', resolve);
  });
  assert.equal(code, 130, stdout.slice(-300) + stderr);
  assert.match(stderr, /interrupted \(SIGINT\); the previous reports are unchanged/);
  assert.deepEqual(contents(out), before);
  assert.deepEqual(readdirSync(join(out, '..')).filter((n) => n.startsWith(`.${basename(out)}.`)), [], 'no staging directory left');
});
