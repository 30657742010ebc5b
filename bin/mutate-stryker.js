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
const { faultGatedMutants } = require('./stryker-fault-gated');

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
  .option('--profiles <names>', 'cucumber runner: platform profiles in order, comma separated, or "all" (default profile first); '
    + 'a profile may name another target and role than --target/--role, as emulated-linux/<profile> or emulated-linux:guest/<profile>', 'all')
  .option('--tests <files>', 'tap runner: test files, comma separated (default: every test/**/*.test.ts)')
  .option('--files <patterns>', 'mutate only these files or globs (comma separated) instead of the whole directory: a documented subset')
  .option('--concurrency <n>', 'Stryker workers (the machine is shared: keep 1)', int, 1)
  .option('--reports <name>', 'name of the reports directory under reports/stryker/ (default: from the directory, target and role)')
  .option('--max-minutes <n>', 'cucumber runner: start no further profile once this many minutes have passed (the summary names those not run)', int)
  .option('--resume', 'cucumber runner: take the report of a profile an earlier run finished instead of running it again')
  .option('--summary-only', 'run nothing: write the summary again from the reports of an earlier run')
  .showHelpAfterError('(mutate:stryker --help for the options)');

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
if (opts.reports && !/^[A-Za-z0-9._-]+$/.test(opts.reports)) program.error(`error: --reports ${opts.reports}: letters, digits, '.', '_' and '-' only`);
const reportsRoot = path.join('reports', 'stryker', opts.reports ?? slug);
mkdirSync(path.join(root, reportsRoot), { recursive: true });

const strykerBin = path.join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js');
const files = opts.files ? opts.files.split(',').filter(Boolean) : null;

/**
 * --resume takes an earlier report only if it was made from the sources as they are now: a report
 * of other code would merge mutants at shifted positions (counted twice or not at all). A stale
 * one is run again (Stryker's incremental file keeps that cheap).
 */
function sameSources(report) {
  const { files: reported } = JSON.parse(readFileSync(report, 'utf8'));
  const stale = Object.entries(reported).filter(([file, f]) => !existsSync(path.join(root, file)) || readFileSync(path.join(root, file), 'utf8') !== f.source);
  if (stale.length) process.stdout.write(`mutate:stryker: --resume: ${path.relative(root, report)} was made from other sources (${stale.map(([f]) => f).slice(0, 3).join(', ')}${stale.length > 3 ? ', ...' : ''}): running it again\n`);
  return stale.length === 0;
}

/** One Stryker run; returns its mutation-testing report. */
function runStryker(env, reports, label) {
  const report = path.join(root, reports, 'mutation.json');
  if (opts.summaryOnly || (opts.resume && existsSync(report) && sameSources(report))) {
    if (!existsSync(report)) program.error(`error: --summary-only: ${path.relative(root, report)} does not exist; run without --summary-only first`);
    const run = path.join(root, reports, 'run.json');
    const recorded = existsSync(run) ? JSON.parse(readFileSync(run, 'utf8')) : {};
    return { report: JSON.parse(readFileSync(report, 'utf8')), seconds: recorded.seconds ?? null, label: recorded.label ?? label };
  }
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
  const seconds = (Date.now() - started) / 1000;
  writeFileSync(path.join(root, reports, 'run.json'), JSON.stringify({ seconds, date: new Date().toISOString(), label }) + '\n');
  return { report: JSON.parse(readFileSync(report, 'utf8')), seconds, label };
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const key = (file, m) => `${file}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}|${m.mutatorName}|${m.replacement}`;
/** Stryker's range syntax: line 1-based, column 0-based, both ends included. */
const range = (file, m) => `${file}:${m.location.start.line}:${m.location.start.column - 1}-${m.location.end.line}:${m.location.end.column - 1}`;

const merged = new Map();
const runs = [];
const sources = new Map();
function absorb(report, label) {
  for (const [file, f] of Object.entries(report.files)) {
    sources.set(file, f.source);
    for (const m of f.mutants) {
      const k = key(file, m);
      const prev = merged.get(k);
      // Only a mutant no run has detected yet can change: a later profile may kill it. (One that
      // made the suite crash, a runtime error, stays what Stryker calls it: invalid.)
      if (prev && !UNDETECTED.has(prev.status)) continue;
      merged.set(k, {
        file, location: m.location, line: m.location.start.line, column: m.location.start.column, mutator: m.mutatorName, replacement: m.replacement,
        status: m.status, by: DETECTED.has(m.status) ? label : null,
        killedBy: m.killedBy ?? [], coveredBy: (m.coveredBy ?? []).length, statusReason: m.statusReason,
      });
    }
  }
}

const started = Date.now();
const notRun = [];
if (runner === 'tap') {
  const tests = opts.tests ? opts.tests.split(',').filter(Boolean) : testFiles(path.join(root, 'test'));
  const env = { STRYKER_TESTS: tests.join(',') };
  if (files) env.STRYKER_MUTATE_ONLY = files.join(',');
  const { report, seconds, label } = runStryker(env, reportsRoot, `project tests: ${tests.join(', ')}`);
  absorb(report, 'project tests');
  runs.push({ label, seconds });
} else {
  const all = listProfiles();
  const def = defaultProfile();
  const everything = [def, ...all.filter((p) => p !== def)];
  const profiles = opts.profiles.split(',').filter(Boolean).flatMap((p) => (p === 'all' ? everything : [p]));
  /** A profile entry: "<profile>" on --target/--role, or "<target>[:<role>]/<profile>". */
  const entry = (p) => {
    const m = /^(?:(emulator|emulated-linux)(?::(host|guest))?\/)?([^/]+)$/.exec(p);
    if (!m || !all.includes(m[3])) program.error(`error: --profiles: unknown profile "${p}"; valid: all, ${all.join(', ')}, each optionally as emulated-linux[:guest]/<profile>`);
    return { target: m[1] ?? opts.target, role: m[1] ? m[2] : opts.role, profile: m[3], label: p, dir: p.replace(/[/:]/g, '.') };
  };
  const entries = profiles.map(entry);
  let only = files;
  for (const { target, role, profile, label: p, dir: sub } of entries) {
    const done = existsSync(path.join(root, reportsRoot, sub, 'mutation.json'));
    if (opts.summaryOnly && !done) {
      notRun.push(p);
      continue;
    }
    if (opts.maxMinutes !== undefined && !(done && (opts.resume || opts.summaryOnly)) && (Date.now() - started) / 60000 >= opts.maxMinutes) {
      notRun.push(p);
      continue;
    }
    const alive = [...merged.values()].filter((m) => UNDETECTED.has(m.status));
    if (runs.length > 0) {
      if (alive.length === 0) break;
      only = alive.map((m) => range(m.file, m));
    }
    process.stdout.write(`\n== mutate:stryker ${dir} on platform profile ${p}${runs.length ? ` (${alive.length} mutants left alive by the profiles before)` : ''}\n`);
    const env = { TDX_TARGET: target, TDX_PROFILE: profile, ...(role ? { TDX_ROLE: role } : {}) };
    if (only) env.STRYKER_MUTATE_ONLY = only.join(',');
    const { report, seconds } = runStryker(env, path.join(reportsRoot, sub), p);
    absorb(report, p);
    runs.push({ label: p, seconds });
  }
}

const all = [...merged.values()];
// No mutant, no score: never print 100 % of nothing.
if (all.length === 0) {
  process.stderr.write(`mutate:stryker ${dir}: nothing measured (no mutant in ${opts.summaryOnly ? `the reports under ${reportsRoot}` : 'the run'}${notRun.length ? `; profiles not run: ${notRun.join(', ')}` : ''})\n`);
  process.exit(1);
}
// Mutants that only touch the emulator's fault switches change nothing in a run without faults.
for (const [file, text] of sources) {
  const mine = all.filter((m) => m.file === file && UNDETECTED.has(m.status));
  for (const i of faultGatedMutants(text, file, mine)) mine[i].equivalent = 'fault switch';
}
const count = (set) => all.filter((m) => set.has(m.status)).length;
const detected = count(DETECTED);
const undetected = count(UNDETECTED);
const equivalent = all.filter((m) => m.equivalent).length;
const invalid = all.filter((m) => m.status === 'CompileError' || m.status === 'RuntimeError').length;
const ignored = all.filter((m) => m.status === 'Ignored').length;
const pct = (a, b) => Math.round((b ? (100 * a) / b : 100) * 100) / 100;
const byLocation = (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
const survivors = all.filter((m) => UNDETECTED.has(m.status) && !m.equivalent).sort(byLocation);
const switches = all.filter((m) => m.equivalent).sort(byLocation);
// Set aside in the source with a `// Stryker disable` comment, whose text is the reason: listed, never silent.
const ignoredMutants = all.filter((m) => m.status === 'Ignored').sort(byLocation);
const perFile = {};
for (const m of all) {
  const f = (perFile[m.file] ??= { detected: 0, undetected: 0, equivalent: 0 });
  if (DETECTED.has(m.status)) f.detected++;
  else if (m.equivalent) f.equivalent++;
  else if (UNDETECTED.has(m.status)) f.undetected++;
}
const summary = {
  dir, runner, target: runner === 'cucumber' ? opts.target : null, role: opts.role ?? null,
  date: new Date().toISOString().slice(0, 10), files: files ?? null, runs, notRun,
  // Stryker's own time, run by run (an earlier run's, with --summary-only, where it was recorded).
  minutes: runs.every((r) => r.seconds !== null) ? Math.round(runs.reduce((t, r) => t + r.seconds, 0) / 0.6) / 100 : null,
  mutants: all.length, killed: count(new Set(['Killed'])), timeout: count(new Set(['Timeout'])), survived: count(new Set(['Survived'])),
  noCoverage: count(new Set(['NoCoverage'])), invalid, ignored, equivalent,
  // Stryker's own score (every undetected mutant counts), and the score over non-equivalent mutants.
  strykerScore: pct(detected, detected + undetected),
  score: pct(detected, detected + undetected - equivalent),
  perFile: Object.fromEntries(Object.entries(perFile).map(([f, c]) => [f, { ...c, score: pct(c.detected, c.detected + c.undetected) }])),
  survivors: survivors.map(({ file, line, column, mutator, replacement, status, coveredBy }) => ({ file, line, column, mutator, replacement, status, coveredBy })),
  equivalentMutants: switches.map(({ file, line, column, mutator, replacement, status }) => ({ file, line, column, mutator, replacement, status })),
  ignoredMutants: ignoredMutants.map(({ file, line, column, mutator, replacement, statusReason }) => ({ file, line, column, mutator, replacement, reason: statusReason ?? null })),
};
writeFileSync(path.join(root, reportsRoot, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
const md = [
  `# StrykerJS: ${dir} (${summary.date})`, '',
  `Runner: ${runner}${runner === 'cucumber' ? ` (target ${opts.target}${opts.role ? `, role ${opts.role}` : ''}; profiles in order: ${runs.map((r) => r.label).join(', ')})` : ` (${runs[0].label})`}.`,
  files ? `Files: ${files.join(', ')} (a subset of ${dir}).` : '',
  notRun.length ? `Profiles not run${opts.maxMinutes !== undefined ? ` (time limit, --max-minutes ${opts.maxMinutes})` : ''}: ${notRun.join(', ')}.` : '',
  `Mutants: ${all.length}; killed ${summary.killed}, timeout ${summary.timeout}, survived ${summary.survived}, no coverage ${summary.noCoverage}, invalid (runtime or compile errors, not scored) ${invalid}, ignored ${ignored}.`,
  `Equivalent in a run without faults (they only touch a fault switch, bin/stryker-fault-gated.js): ${equivalent}.`,
  `Score over non-equivalent mutants, (killed + timeout) / (killed + timeout + survived + no coverage - equivalent): ${summary.score.toFixed(2)} %.`,
  `Stryker's score (every undetected mutant counted): ${summary.strykerScore.toFixed(2)} %. Time: ${summary.minutes ?? 'not recorded'} minutes.`, '',
  '| file | detected | undetected | equivalent | score |', '|---|---|---|---|---|',
  ...Object.entries(summary.perFile).map(([f, c]) => `| ${f} | ${c.detected} | ${c.undetected} | ${c.equivalent} | ${c.score.toFixed(1)} % |`), '',
  '## Survivors (not equivalent)', '',
  ...survivors.map((m) => `- ${m.file}:${m.line}:${m.column} ${m.mutator} → \`${m.replacement.replace(/\s+/g, ' ').slice(0, 120)}\` (${m.status})`), '',
  '## Equivalent: fault switches', '',
  ...switches.map((m) => `- ${m.file}:${m.line}:${m.column} ${m.mutator} → \`${m.replacement.replace(/\s+/g, ' ').slice(0, 120)}\` (${m.status})`), '',
  '## Ignored: set aside in the source by a `// Stryker disable` comment (not scored), with its reason', '',
  ...(ignoredMutants.length ? ignoredMutants.map((m) => `- ${m.file}:${m.line}:${m.column} ${m.mutator} → \`${m.replacement.replace(/\s+/g, ' ').slice(0, 120)}\`: ${m.statusReason ?? 'no reason given'}`) : ['none']),
].filter((l, i, a) => l !== '' || a[i - 1] !== '').join('\n') + '\n';
writeFileSync(path.join(root, reportsRoot, 'summary.md'), md);
process.stdout.write(`\nmutate:stryker ${dir}: ${summary.score.toFixed(2)} % of non-equivalent mutants (${detected} of ${detected + undetected - equivalent}; Stryker's score ${summary.strykerScore.toFixed(2)} %; ${equivalent} equivalent, ${invalid} invalid) in ${summary.minutes ?? '?'} min; ${path.join(reportsRoot, 'summary.md')}\n`);
