#!/usr/bin/env node
'use strict';
// npm run mutate:stryker -- <dir> [options]: StrykerJS on one directory (stryker.config.mjs), the
// second instrument beside the fault catalogue. Not part of npm test.
//
// The emulator's directories are tested by the conformance scenarios (Stryker's cucumber runner,
// in process, per-scenario coverage). A scenario runs on one platform profile at a time, so the
// run goes profile by profile: the first profile mutates the whole directory, each next one only
// the mutants that all the profiles before it left alive (their exact source ranges). A mutant
// counts as killed when some profile kills it, as in the conformance run on all profiles.
// Everything else (the linux backend, the shared log parser) is tested by the project's own
// tests (Stryker's tap runner: each node:test file a child process, per-file coverage).
//
// Reports: reports/stryker/<dir>/ (one sub-directory per profile for the cucumber runner, each
// with Stryker's incremental file, so an interrupted or repeated run only redoes what changed),
// and summary.json / summary.md with the merged score and every surviving mutant.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { Command, InvalidArgumentError } = require('commander');

const root = path.join(__dirname, '..');

function listProfiles() {
  return readdirSync(path.join(root, 'profiles')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
}

/** The default profile first (the suite's own order: most mutants die there), then the others. */
function defaultProfile() {
  const r = spawnSync(process.execPath, ['--require', 'ts-node/register/transpile-only', '-e',
    "process.stdout.write(require('./backends/emulator/profile').defaultProfileName())"], { cwd: root, encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
  if (r.status !== 0) throw new Error(`cannot read the default emulator profile: ${r.stderr}`);
  return r.stdout.trim();
}

function testFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return testFiles(p);
    return n.endsWith('.test.ts') ? [path.relative(root, p)] : [];
  });
}

const int = (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const program = new Command('mutate:stryker')
  .description('StrykerJS mutation testing of one directory (see README, "Suite strength")')
  .argument('<dir>', 'directory (or .ts file) to mutate, e.g. backends/emulator/module')
  .option('--runner <runner>', 'cucumber (conformance scenarios) or tap (project tests); default: cucumber for backends/emulator/**, tap otherwise')
  .option('--target <target>', 'cucumber runner: the conformance target, emulator or emulated-linux', 'emulator')
  .option('--role <role>', 'cucumber runner, target emulated-linux: host or guest')
  .option('--profiles <names>', 'cucumber runner: platform profiles in order, comma separated, or "all" (default profile first)', 'all')
  .option('--tests <files>', 'tap runner: test files, comma separated (default: every test/**/*.test.ts)')
  .option('--files <patterns>', 'mutate only these files or globs (comma separated) instead of the whole directory: a documented subset')
  .option('--concurrency <n>', 'Stryker workers (the machine is shared: keep 1)', int, 1)
  .showHelpAfterError();

program.parse();
const [dirArg] = program.args;
const opts = program.opts();

const dir = path.relative(root, path.resolve(root, dirArg)).replace(/\\/g, '/');
if (dir.startsWith('..') || !existsSync(path.join(root, dir))) {
  program.error(`error: ${dirArg}: no such directory in the project`);
}
const runner = opts.runner ?? (dir.startsWith('backends/emulator') ? 'cucumber' : 'tap');
if (runner !== 'cucumber' && runner !== 'tap') program.error(`error: --runner ${runner}: valid runners are cucumber, tap`);
if (!['emulator', 'emulated-linux'].includes(opts.target)) program.error(`error: --target ${opts.target}: valid targets are emulator, emulated-linux`);
if (opts.role && !['host', 'guest'].includes(opts.role)) program.error(`error: --role ${opts.role}: valid roles are host, guest`);

const slug = dir.replace(/\//g, '_') + (runner === 'cucumber' && opts.target !== 'emulator' ? `.${opts.target}${opts.role ? '-' + opts.role : ''}` : '');
const reportsRoot = path.join('reports', 'stryker', slug);
mkdirSync(path.join(root, reportsRoot), { recursive: true });

const strykerBin = path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js');
const files = opts.files ? opts.files.split(',').filter(Boolean) : null;

/** One Stryker run; returns its mutation-testing report. */
function runStryker(env, reports) {
  mkdirSync(path.join(root, reports), { recursive: true });
  const started = Date.now();
  const r = spawnSync(process.execPath, [strykerBin, 'run', 'stryker.config.mjs'], {
    cwd: root, stdio: 'inherit',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', STRYKER_DIR: dir, STRYKER_RUNNER: runner, STRYKER_REPORTS: reports, STRYKER_CONCURRENCY: String(opts.concurrency), ...env },
  });
  if (r.status !== 0) {
    process.stderr.write(`mutate:stryker: Stryker failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
  return { report: JSON.parse(readFileSync(path.join(root, reports, 'mutation.json'), 'utf8')), seconds: (Date.now() - started) / 1000 };
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const key = (file, m) => `${file}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}|${m.mutatorName}|${m.replacement}`;
/** Stryker's range syntax: line 1-based, column 0-based, both ends included. */
const range = (file, m) => `${file}:${m.location.start.line}:${m.location.start.column - 1}-${m.location.end.line}:${m.location.end.column - 1}`;

const merged = new Map();
const runs = [];
function absorb(report, label) {
  for (const [file, f] of Object.entries(report.files)) {
    for (const m of f.mutants) {
      const k = key(file, m);
      const prev = merged.get(k);
      if (prev && DETECTED.has(prev.status)) continue;
      merged.set(k, {
        file, location: m.location, line: m.location.start.line, column: m.location.start.column, mutator: m.mutatorName, replacement: m.replacement,
        status: m.status, by: DETECTED.has(m.status) ? label : null,
        killedBy: m.killedBy ?? [], coveredBy: (m.coveredBy ?? []).length, statusReason: m.statusReason,
      });
    }
  }
}

const started = Date.now();
if (runner === 'tap') {
  const tests = opts.tests ? opts.tests.split(',').filter(Boolean) : testFiles(path.join(root, 'test'));
  const env = { STRYKER_TESTS: tests.join(',') };
  if (files) env.STRYKER_MUTATE_ONLY = files.join(',');
  const { report, seconds } = runStryker(env, reportsRoot);
  absorb(report, 'project tests');
  runs.push({ label: `project tests (${tests.length} files)`, seconds });
} else {
  const all = listProfiles();
  const def = defaultProfile();
  const profiles = opts.profiles === 'all' ? [def, ...all.filter((p) => p !== def)] : opts.profiles.split(',').filter(Boolean);
  for (const p of profiles) if (!all.includes(p)) program.error(`error: --profiles: unknown profile "${p}"; valid: all, ${all.join(', ')}`);
  let only = files;
  for (const p of profiles) {
    const alive = [...merged.values()].filter((m) => UNDETECTED.has(m.status));
    if (runs.length > 0) {
      if (alive.length === 0) break;
      only = alive.map((m) => range(m.file, m));
    }
    process.stdout.write(`\n== mutate:stryker ${dir} on platform profile ${p}${runs.length ? ` (${alive.length} mutants left alive by the profiles before)` : ''}\n`);
    const env = { TDX_TARGET: opts.target, TDX_PROFILE: p, ...(opts.role ? { TDX_ROLE: opts.role } : {}) };
    if (only) env.STRYKER_MUTATE_ONLY = only.join(',');
    const { report, seconds } = runStryker(env, path.join(reportsRoot, p));
    absorb(report, p);
    runs.push({ label: p, seconds });
  }
}

const all = [...merged.values()];
const count = (set) => all.filter((m) => set.has(m.status)).length;
const detected = count(DETECTED);
const undetected = count(UNDETECTED);
const invalid = all.filter((m) => m.status === 'CompileError' || m.status === 'RuntimeError').length;
const ignored = all.filter((m) => m.status === 'Ignored').length;
const score = detected + undetected ? (100 * detected) / (detected + undetected) : 100;
const survivors = all.filter((m) => UNDETECTED.has(m.status)).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
const summary = {
  dir, runner, target: runner === 'cucumber' ? opts.target : null, role: opts.role ?? null,
  date: new Date().toISOString().slice(0, 10), files: files ?? null, runs,
  minutes: Math.round((Date.now() - started) / 600) / 100,
  mutants: all.length, killed: count(new Set(['Killed'])), timeout: count(new Set(['Timeout'])), survived: count(new Set(['Survived'])),
  noCoverage: count(new Set(['NoCoverage'])), invalid, ignored, score: Math.round(score * 100) / 100,
  survivors: survivors.map(({ file, line, column, mutator, replacement, status, coveredBy }) => ({ file, line, column, mutator, replacement, status, coveredBy })),
};
writeFileSync(path.join(root, reportsRoot, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
const md = [
  `# StrykerJS: ${dir} (${summary.date})`, '',
  `Runner: ${runner}${runner === 'cucumber' ? ` (target ${opts.target}${opts.role ? `, role ${opts.role}` : ''}; profiles in order: ${runs.map((r) => r.label).join(', ')})` : ` (${runs[0].label})`}.`,
  files ? `Files: ${files.join(', ')} (a subset of ${dir}).` : '',
  `Mutants: ${all.length}; killed ${summary.killed}, timeout ${summary.timeout}, survived ${summary.survived}, no coverage ${summary.noCoverage}, invalid ${invalid}, ignored ${ignored}.`,
  `Score (killed + timeout) / (killed + timeout + survived + no coverage): ${summary.score.toFixed(2)} %; ${summary.minutes} minutes.`, '',
  '## Survivors', '',
  ...survivors.map((m) => `- ${m.file}:${m.line}:${m.column} ${m.mutator} → \`${m.replacement.replace(/\s+/g, ' ').slice(0, 120)}\` (${m.status})`),
].filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n') + '\n';
writeFileSync(path.join(root, reportsRoot, 'summary.md'), md);
process.stdout.write(`\nmutate:stryker ${dir}: ${summary.score.toFixed(2)} % (${detected} of ${detected + undetected} detected; ${invalid} invalid) in ${summary.minutes} min; ${path.join(reportsRoot, 'summary.md')}\n`);
