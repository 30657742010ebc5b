#!/usr/bin/env node
'use strict';
// npm run bench: measures the suite on this machine (several runs each, medians reported) and
// writes reports/bench.json and a table. Not a test: the numbers are for the README and for
// spotting regressions by eye.
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
// Runs write their reports to memory when the machine has a tmpfs: the suite and the floor write
// the same reports, and a virtual disk's stalls would otherwise swamp the difference between them.
const scratch = (() => {
  try {
    return require('node:fs').statSync('/dev/shm').isDirectory() ? '/dev/shm' : tmpdir();
  } catch {
    return tmpdir();
  }
})();
const node = process.execPath;
const runs = Number(process.env.BENCH_RUNS || 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' };

function measure(kind) {
  const r = spawnSync(node, ['--require', 'ts-node/register/transpile-only', path.join(__dirname, 'measure.ts'), kind],
    { cwd: root, encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench ${kind} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function timed(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, args, { cwd: root, encoding: 'utf8', env, maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { s, r };
}

/** Wall seconds of one process writing into a fresh directory (removed afterwards, untimed). */
function timedInto(prefix, args) {
  const out = mkdtempSync(path.join(scratch, prefix));
  const { s, r } = timed(args(out));
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${args(out).join(' ')} exited ${r.status}: ${r.stderr}`);
  return s;
}

/** The suite as users run it: every emulator profile, all report formats, from process start. */
const suiteRun = () => timedInto('bench-suite-', (out) => [path.join(root, 'bin/tdx-conformance.js'), 'run', '--profile', 'all', '--out', out, '--no-allure-report']);

/** The floor: the same features and step patterns with empty bodies, same formatters, same count. */
const floorRun = (config) => timedInto('bench-floor-', (out) => ['--require', 'ts-node/register/transpile-only', path.join(__dirname, 'floor-run.ts'), config, out]);

/** Seconds from the process's start to its first scenario, from the run's own messages. */
function firstScenario(messagesFile, startedMs) {
  for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
    if (!line.includes('"testCaseStarted"')) continue;
    const t = JSON.parse(line).testCaseStarted.timestamp;
    return (t.seconds * 1000 + t.nanos / 1e6 - startedMs) / 1000;
  }
  throw new Error(`${messagesFile}: no scenario started`);
}

/** Start-up of the suite (default profile) and of the floor suite on the same profile. */
function startup(floorConfig, profile) {
  const measureOne = (prefix, args, messages) => {
    const out = mkdtempSync(path.join(scratch, prefix));
    try {
      const started = Date.now();
      const { r } = timed(args(out));
      if (r.status !== 0) throw new Error(`${args(out).join(' ')} exited ${r.status}: ${r.stderr}`);
      return firstScenario(messages(out), started);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  return {
    suite: measureOne('bench-start-', (out) => [path.join(root, 'bin/tdx-conformance.js'), 'run', '--out', out, '--no-allure-report'], (out) => path.join(out, 'messages.ndjson')),
    floor: measureOne('bench-start-floor-', (out) => ['--require', 'ts-node/register/transpile-only', path.join(__dirname, 'floor-run.ts'), floorConfig, out, profile], (out) => path.join(out, profile, 'messages.ndjson')),
  };
}

function bigLog(file, lines) {
  const sample = readFileSync(path.join(root, 'test/fixtures/real/host/h-spr-8480-module-1.5.698-ok-with-kvm-noise.dmesg'), 'utf8').split('\n').filter(Boolean);
  const out = [];
  for (let i = 0; out.length < lines; i++) {
    const l = sample[i % sample.length].replace(/^\[\s*[\d.]+\]/, () => `[${(i / 1000).toFixed(6).padStart(12)}]`);
    out.push(i % 7 === 0 ? `[${(i / 1000).toFixed(6).padStart(12)}] pci 0000:${(i % 255).toString(16)}:00.0: noise line ${i}` : l);
  }
  writeFileSync(file, out.join('\n') + '\n');
}

function main() {
  const results = {};
  const suite = [], floor = [], start = [], scaling = [], inspect = [];
  const { config: floorConfig, defaultProfile } = measure('floor-generate');
  for (let i = 0; i < runs; i++) {
    suite.push(suiteRun());
    floor.push(floorRun(floorConfig));
    start.push(startup(floorConfig, defaultProfile));
    scaling.push(measure('scaling'));
  }
  results.suiteSeconds = median(suite);
  results.floorSeconds = median(floor);
  results.suiteVsFloor = results.suiteSeconds / results.floorSeconds;
  results.startupSeconds = median(start.map((x) => x.suite));
  results.floorStartupSeconds = median(start.map((x) => x.floor));
  const small = median(scaling.map((s) => s.small));
  const large = median(scaling.map((s) => s.large));
  results.initSmallSeconds = small;
  results.initLargeSeconds = large;
  results.scalingRatio = large / small;

  // The fault campaign against one clean run of the suite on the default profile.
  const cleanRuns = [];
  for (let i = 0; i < runs; i++) cleanRuns.push(timedInto('bench-clean-', (out) => [path.join(root, 'bin/tdx-conformance.js'), 'run', '--out', out, '--no-allure-report']));
  results.cleanRunSeconds = median(cleanRuns);
  const matrix = path.join(mkdtempSync(path.join(scratch, 'bench-mutate-')), 'kill-matrix.json');
  const campaign = timed([path.join(root, 'bin/tdx-conformance.js'), 'mutate', '--out', matrix]);
  const report = JSON.parse(readFileSync(matrix, 'utf8'));
  results.faults = report.faults.length;
  results.campaignSeconds = campaign.s;
  results.secondsPerFault = campaign.s / report.faults.length;
  results.campaignVsFaultsTimesClean = campaign.s / (report.faults.length * results.cleanRunSeconds);
  rmSync(path.dirname(matrix), { recursive: true, force: true });

  const log = path.join(mkdtempSync(path.join(scratch, 'bench-inspect-')), 'kernel.log');
  bigLog(log, 100000);
  const inspectable = spawnSync(node, [path.join(root, 'bin/tdx-conformance.js'), 'inspect', '--help'], { cwd: root, env }).status === 0;
  if (inspectable) {
    for (let i = 0; i < runs; i++) inspect.push(timed([path.join(root, 'bin/tdx-conformance.js'), 'inspect', log, '--json']).s);
    results.inspect100kSeconds = median(inspect);
  } else {
    results.inspect100kSeconds = null;
  }
  rmSync(path.dirname(log), { recursive: true, force: true });
  results.raw = { suite, floor, startup: start, scaling, cleanRuns, inspect };
  results.machine = { node: process.version, cpus: require('node:os').cpus().length, runs, reportsWrittenTo: scratch };

  mkdirSync(path.join(root, 'reports'), { recursive: true });
  writeFileSync(path.join(root, 'reports/bench.json'), JSON.stringify(results, null, 2) + '\n');
  const row = (name, value, target) => `| ${name} | ${value} | ${target} |`;
  const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
  const table = [
    '| Measure | Median | Target |', '|---|---|---|',
    row('Full emulator suite, all profiles vs the floor suite', `${f(results.suiteSeconds)} s vs ${f(results.floorSeconds)} s = ${f(results.suiteVsFloor)}x`, '<= 1.5x'),
    row('Start-up to the first scenario (the floor suite: same cucumber, ts-node, steps and reports)', `${f(results.startupSeconds)} s (floor ${f(results.floorStartupSeconds)} s)`, '< 1.0 s'),
    row('Fault campaign vs faults x one clean run', `${f(results.campaignSeconds, 1)} s for ${results.faults} faults (${f(results.secondsPerFault, 3)} s each; clean run ${f(results.cleanRunSeconds)} s) = ${f(results.campaignVsFaultsTimesClean, 3)}x`, '<= 0.5x'),
    row('TDX init: 16-socket 64 TiB vs 2-socket 512 GiB', `${f(results.initLargeSeconds * 1000)} ms vs ${f(results.initSmallSeconds * 1000)} ms = ${f(results.scalingRatio)}x`, '<= 3x'),
    row('inspect on a 100,000-line kernel log', `${f(results.inspect100kSeconds)} s`, '< 1 s'),
  ].join('\n');
  process.stdout.write(table + '\n\nwritten: reports/bench.json\n');
}

main();
