/**
 * The table of bad inputs (commands x inputs): binary, empty, larger than the limit, truncated,
 * special files, hostile paths, paths under /proc and /sys, bad options and environment. Every
 * case must end in one line on stderr and exit code 2, without a stack trace and without hanging
 * (each process is killed after 5 s), and the previous reports in --out must be unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_LIMITS } from '../../backends/common/read-input';
import { PROJECT_ROOT } from '../../src/project-root';
import { runInto, tempDir } from '../support/suite';

const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');
const TIMEOUT_MS = 5000;
const OK_LOG = join(PROJECT_ROOT, 'test/fixtures/real/host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg');

interface Case {
  args: string[];
  env?: Record<string, string>;
  /** What the one line must say. */
  says: RegExp;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run the CLI with a hard time limit (a hang is killed and shows as signal SIGKILL). */
function cli(c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TDX_')));
    const child = spawn(process.execPath, [BIN, ...c.args], { cwd: PROJECT_ROOT, env: { ...env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every file under a directory with its size and modification time. */
function state(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = statSync(p);
      out.push(`${p} ${st.size} ${st.mtimeMs}${st.isFile() ? ` ${readFileSync(p).subarray(0, 64).toString('hex')}` : ''}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

test('every bad input: one line on stderr, exit 2, no hang, previous reports unchanged', async (t) => {
  const root = tempDir('bad-input');
  const p = (n: string) => join(root, n);
  // A real results directory (also used as the previous reports of --out).
  const good = p('good');
  await runInto(good, { target: 'emulator' }, { paths: ['features/host/erratum.feature'] });
  const prev = p('prev');
  mkdirSync(prev);
  for (const f of ['messages.ndjson', 'compliance.json', 'compliance.md', 'junit.xml', 'environment.json']) copyFileSync(join(good, f), join(prev, f));
  writeFileSync(join(prev, 'notes-of-the-user.txt'), 'not ours');

  // Inputs.
  writeFileSync(p('empty'), '');
  writeFileSync(p('binary'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
  const big = (name: string, size: number) => {
    writeFileSync(p(name), '');
    truncateSync(p(name), size + 1);
    return p(name);
  };
  big('big-capture', INPUT_LIMITS.capture);
  big('big-profile.yaml', INPUT_LIMITS.profile);
  big('big-baseline.yaml', INPUT_LIMITS.baseline);
  execFileSync('mkfifo', [p('fifo')]);
  execFileSync('mkfifo', [p('fifo.yaml')]);
  writeFileSync(p('afile'), 'x');
  mkdirSync(p('read-only'));
  chmodSync(p('read-only'), 0o555);
  symlinkSync(p('loop'), p('loop'));
  symlinkSync(p('nowhere'), p('dangling'));
  const newline = p('line\nbreak.log');
  writeFileSync(newline, '');
  const long = p('x'.repeat(300));
  writeFileSync(p('truncated.yaml'), 'schema: tdx-conformance/baseline/1\ntarget: {kind: emulator, name: x\n');
  writeFileSync(p('truncated-profile.yaml'), 'name: truncated-profile\ndescription: cut\ncpu: {model: sapphire-rapids, pack');
  // Result directories that are not quite results.
  const results = (name: string, messages: string | null) => {
    mkdirSync(p(name));
    if (messages !== null) writeFileSync(join(p(name), 'messages.ndjson'), messages);
    return p(name);
  };
  const text = readFileSync(join(good, 'messages.ndjson'), 'utf8');
  results('cut-results', text.slice(0, Math.floor(text.length / 2)));
  results('binary-results', '\u0000\u0001\u0002garbage\u0000\n');
  results('empty-results', '');
  results('no-results', null);
  mkdirSync(p('fifo-results'));
  execFileSync('mkfifo', [join(p('fifo-results'), 'messages.ndjson')]);
  // Snapshot bundles that are not quite bundles.
  mkdirSync(p('cut-bundle'));
  writeFileSync(join(p('cut-bundle'), 'manifest.json'), '{"format": "tdx-conformance-snapshot", "formatVersion": 1, "entr');
  mkdirSync(p('fifo-bundle'));
  execFileSync('mkfifo', [join(p('fifo-bundle'), 'manifest.json')]);
  // A baseline of another target.
  writeFileSync(p('other-target.yaml'), 'schema: tdx-conformance/baseline/1\ntarget: {kind: snapshot, name: /some/capture.log, kernel: null, module: null}\nscenarios: {}\n');
  // Profiles: two defaults, one broken.
  mkdirSync(p('profiles'));
  for (const f of ['spr-2s-mainline-6.18.yaml', 'spr-2s-ubuntu-6.8.yaml']) copyFileSync(join(PROJECT_ROOT, 'profiles', f), join(p('profiles'), f));
  writeFileSync(join(p('profiles'), 'spr-2s-ubuntu-6.8.yaml'), readFileSync(join(p('profiles'), 'spr-2s-ubuntu-6.8.yaml'), 'utf8') + 'default: true\n');
  writeFileSync(join(p('profiles'), 'broken.yaml'), 'name: broken\ndescription: x\ncpu: {model: pentium-4, packages: 1, cpusPerPackage: 1}\n');

  const out = ['--out', prev];
  const fileInputs: [string, RegExp][] = [
    [p('empty'), /empty file/],
    [p('binary'), /binary file/],
    [p('big-capture'), /more than the 64 MiB this tool reads/],
    [p('fifo'), /is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', /is a character device, not a regular file/],
    ['/dev/null', /is a character device, not a regular file/],
    [p('loop'), /no such file or directory|too many levels of symbolic links/],
    [p('dangling'), /no such file or directory/],
    [newline, /line\\nbreak.log: empty file/],
    [long, /no such file or directory|too long/],
    ['/proc/kmsg', /reading would block|permission denied/],
    ['/proc/self/status', /not a kernel log/],
    ['/sys/kernel', /no snapshot here/],
    [p('cut-bundle'), /manifest.json: not valid JSON/],
    [p('fifo-bundle'), /manifest.json: is a FIFO/],
  ];
  const cases: Case[] = [
    ...fileInputs.map(([x, says]) => ({ args: ['run', '--snapshot', x, ...out], says })),
    // inspect and emulate read inputs through the same reader: a few of each.
    ...fileInputs.filter((_, i) => i % 4 === 0).map(([x, says]) => ({ args: ['inspect', x], says })),
    ...fileInputs.filter((_, i) => i % 5 === 1).map(([x, says]) => ({ args: ['emulate', '--from', x], says })),
    // Profile files.
    ...([
      [p('binary'), /binary file/],
      [p('big-profile.yaml'), /more than the 1 MiB this tool reads/],
      [p('fifo.yaml'), /is a FIFO/],
      [p('truncated-profile.yaml'), /truncated-profile.yaml: (not valid YAML|field)/],
      ['/proc/self/status', /status: (field|must be a YAML mapping|not valid YAML)/],
    ] as [string, RegExp][]).map(([x, says]) => ({ args: ['run', '--profile', x, ...out], says })),
    // Baselines, before and after a run.
    ...([
      [p('empty'), /must be|is not|YAML|required/],
      [p('binary'), /YAML|must be|binary/],
      [p('big-baseline.yaml'), /more than the 32 MiB this tool reads/],
      [p('fifo.yaml'), /is a FIFO/],
      [p('truncated.yaml'), /not valid YAML/],
      ['/dev/zero', /is a character device/],
    ] as [string, RegExp][]).flatMap(([x, says], i) => [
      { args: ['gate', '--results', good, '--baseline', x], says },
      ...(i % 2 ? [{ args: ['run', '--baseline', x, '--tags', '@req:host.erratum.kexec', ...out], says }] : []),
    ]),
    { args: ['gate', '--results', good, '--baseline', p('other-target.yaml'), '--update'], says: /is for snapshot \/some\/capture.log.*not rewritten/ },
    { args: ['run', '--baseline', p('other-target.yaml'), '--update-baseline', ...out], says: /would replace another target's baseline/ },
    // Results directories.
    ...([
      [p('cut-results'), /not JSON|no testRunFinished/],
      [p('binary-results'), /line 1 is not JSON/],
      [p('empty-results'), /no meta message/],
      [p('no-results'), /has no messages.ndjson/],
      [p('fifo-results'), /messages.ndjson: is a FIFO/],
      [p('afile'), /is not a directory/],
      ['/proc/self', /has no messages.ndjson/],
    ] as [string, RegExp][]).map(([x, says], i) => ({ args: i % 3 === 0 ? ['merge', x, '--out', prev] : i % 3 === 1 ? ['compliance', '--results', x] : ['report', '--results', x], says })),
    { args: ['gate', '--results', p('cut-results'), '--baseline', p('other-target.yaml')], says: /not JSON|no testRunFinished/ },
    { args: ['merge', good, '--out', good], says: /is one of the directories being merged/ },
    { args: ['merge', good, '--out', '/proc/merged'], says: /special filesystem proc/ },
    // Output directories.
    ...([
      [p('afile'), /is a file, not a directory/],
      [join(p('afile'), 'below'), /afile is a file, not a directory/],
      [p('read-only'), /read-only \(mode 555\)/],
      ['/proc/tdx-reports', /special filesystem proc/],
      ['/sys/tdx-reports', /special filesystem sysfs/],
      ['/dev/null', /is a file, not a directory/],
      ['', /--out is empty/],
    ] as [string, RegExp][]).map(([x, says]) => ({ args: ['run', '--tags', '@req:host.erratum.kexec', '--out', x], says })),
    { args: ['capture', '--out', '/proc/x'], says: /special filesystem proc/ },
    { args: ['capture', '--out', p('afile')], says: /is a file, not a directory/ },
    { args: ['capture', '--out', prev], says: /is not empty/ },
    // Options and environment.
    { args: ['run', '--tags', '@a and (', ...out], says: /--tags "@a and \(" is not a valid tag expression/ },
    { args: ['run', '--min-executed', '101', ...out], says: /--min-executed must be a percentage/ },
    { args: ['run', '--shard', '0/0', ...out], says: /--shard must be i\/n/ },
    { args: ['run', '--parallel', '-1', ...out], says: /--parallel must be a whole number/ },
    { args: ['run', '--snapshot', OK_LOG, '--target', 'emulator', ...out], says: /cannot be combined with --target emulator/ },
    { args: ['run', '--target', 'linux', '--profile', 'spr-2s-ubuntu-6.8', ...out], says: /does not apply to target linux/ },
    { args: ['run', '--update-baseline', ...out], says: /--update-baseline needs --baseline/ },
    { args: ['run', '--no-such-option'], says: /unknown option '--no-such-option'/ },
    { args: ['frobnicate'], says: /unknown command 'frobnicate'/ },
    { args: ['run', ...out], env: { TDX_TARGET: 'mainframe' }, says: /unknown target "mainframe" \(from TDX_TARGET\)/ },
    { args: ['run', ...out], env: { TDX_PROFILE: 'nope' }, says: /unknown emulator profile "nope"/ },
    { args: ['run', ...out], env: { TDX_SNAPSHOT: p('fifo') }, says: /is a FIFO/ },
    { args: ['run', ...out], env: { TDX_FAULTS: 'no.such.fault' }, says: /unknown fault/ },
    { args: ['run', ...out], env: { TDX_PROFILES_DIR: p('profiles') }, says: /default: .*already says "default: true"; exactly one profile may/ },
    { args: ['run', '--profile', 'broken', ...out], env: { TDX_PROFILES_DIR: p('profiles') }, says: /broken.yaml: field cpu.model: must be one of/ },
    { args: ['run', '--profile', 'all', ...out], env: { TDX_PROFILES_DIR: p('profiles') }, says: /--profile all includes a broken profile: .*broken.yaml/ },
  ];

  const before = state(prev);
  const outcomes: Outcome[] = new Array(cases.length);
  let next = 0;
  // Three processes at a time: the cases are independent and each mostly waits on start-up.
  await Promise.all(Array.from({ length: 3 }, async () => {
    while (next < cases.length) {
      const i = next++;
      outcomes[i] = await cli(cases[i]);
    }
  }));
  const problems: string[] = [];
  cases.forEach((c, i) => {
    const o = outcomes[i];
    const name = `${Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v} `).join('')}${c.args.map((a) => JSON.stringify(a)).join(' ')}`;
    const lines = o.stderr.split('\n').filter((l) => l !== '');
    if (o.signal) problems.push(`${name}: killed after ${TIMEOUT_MS / 1000} s (a hang)`);
    else if (o.code !== 2) problems.push(`${name}: exit ${o.code} (expected 2): ${o.stderr.slice(0, 300)}`);
    else if (lines.length !== 1 || !o.stderr.endsWith('\n')) problems.push(`${name}: ${lines.length} lines on stderr: ${o.stderr.slice(0, 300)}`);
    else if (!lines[0].startsWith('tdx-conformance: ')) problems.push(`${name}: not our line: ${lines[0]}`);
    else if (!c.says.test(lines[0])) problems.push(`${name}: says "${lines[0]}", expected ${c.says}`);
    if (/\n\s+at /.test(o.stdout + o.stderr)) problems.push(`${name}: a stack trace`);
  });
  t.diagnostic(`${cases.length} cases; slowest ${Math.max(...outcomes.map((o) => o.ms))} ms`);
  assert.deepEqual(problems, []);
  assert.deepEqual(state(prev), before, 'the previous reports in --out are unchanged');
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), [], 'no staging directory left behind');
});
