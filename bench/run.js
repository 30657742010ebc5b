#!/usr/bin/env node
'use strict';
// npm run bench: measures the suite on this machine (several runs each, medians reported) and
// writes reports/bench.json and a table. Not a test: the numbers are for the README and for
// spotting regressions by eye.
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
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

/** Seconds from process start to the first scenario starting, from the run's own messages. */
function startup() {
  const out = mkdtempSync(path.join(tmpdir(), 'bench-start-'));
  const started = Date.now();
  const { r } = timed([path.join(root, 'bin/tdx-conformance.js'), 'run', '--out', out, '--no-allure-report']);
  if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`);
  for (const line of readFileSync(path.join(out, 'messages.ndjson'), 'utf8').split('\n')) {
    if (!line.includes('"testCaseStarted"')) continue;
    const t = JSON.parse(line).testCaseStarted.timestamp;
    return (t.seconds * 1000 + t.nanos / 1e6 - started) / 1000;
  }
  throw new Error('no scenario started');
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
  for (let i = 0; i < runs; i++) {
    suite.push(measure('suite'));
    floor.push(measure('floor'));
    start.push(startup());
    scaling.push(measure('scaling'));
  }
  results.suiteSeconds = median(suite);
  results.floorSeconds = median(floor);
  results.suiteVsFloor = results.suiteSeconds / results.floorSeconds;
  results.startupSeconds = median(start);
  const small = median(scaling.map((s) => s.small));
  const large = median(scaling.map((s) => s.large));
  results.initSmallSeconds = small;
  results.initLargeSeconds = large;
  results.scalingRatio = large / small;

  // The fault campaign against one clean run of the suite on the default profile.
  const cleanRuns = [];
  for (let i = 0; i < runs; i++) cleanRuns.push(timed([path.join(root, 'bin/tdx-conformance.js'), 'run', '--out', mkdtempSync(path.join(tmpdir(), 'bench-clean-')), '--no-allure-report']).s);
  results.cleanRunSeconds = median(cleanRuns);
  const matrix = path.join(mkdtempSync(path.join(tmpdir(), 'bench-mutate-')), 'kill-matrix.json');
  const campaign = timed([path.join(root, 'bin/tdx-conformance.js'), 'mutate', '--out', matrix]);
  const report = JSON.parse(readFileSync(matrix, 'utf8'));
  results.faults = report.faults.length;
  results.campaignSeconds = campaign.s;
  results.secondsPerFault = campaign.s / report.faults.length;
  results.campaignVsFaultsTimesClean = campaign.s / (report.faults.length * results.cleanRunSeconds);

  const log = path.join(mkdtempSync(path.join(tmpdir(), 'bench-inspect-')), 'kernel.log');
  bigLog(log, 100000);
  const inspectable = spawnSync(node, [path.join(root, 'bin/tdx-conformance.js'), 'inspect', '--help'], { cwd: root, env }).status === 0;
  if (inspectable) {
    for (let i = 0; i < runs; i++) inspect.push(timed([path.join(root, 'bin/tdx-conformance.js'), 'inspect', log, '--json']).s);
    results.inspect100kSeconds = median(inspect);
  } else {
    results.inspect100kSeconds = null;
  }
  results.raw = { suite, floor, startup: start, scaling, cleanRuns, inspect };
  results.machine = { node: process.version, cpus: require('node:os').cpus().length, runs };

  mkdirSync(path.join(root, 'reports'), { recursive: true });
  writeFileSync(path.join(root, 'reports/bench.json'), JSON.stringify(results, null, 2) + '\n');
  const row = (name, value, target) => `| ${name} | ${value} | ${target} |`;
  const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
  const table = [
    '| Measure | Median | Target |', '|---|---|---|',
    row('Full emulator suite, all profiles vs the floor suite', `${f(results.suiteSeconds)} s vs ${f(results.floorSeconds)} s = ${f(results.suiteVsFloor)}x`, '<= 1.5x'),
    row('Start-up to the first scenario', `${f(results.startupSeconds)} s`, '< 1.0 s'),
    row('Fault campaign vs faults x one clean run', `${f(results.campaignSeconds, 1)} s for ${results.faults} faults (${f(results.secondsPerFault, 3)} s each; clean run ${f(results.cleanRunSeconds)} s) = ${f(results.campaignVsFaultsTimesClean, 3)}x`, '<= 0.5x'),
    row('TDX init: 16-socket 64 TiB vs 2-socket 512 GiB', `${f(results.initLargeSeconds * 1000)} ms vs ${f(results.initSmallSeconds * 1000)} ms = ${f(results.scalingRatio)}x`, '<= 3x'),
    row('inspect on a 100,000-line kernel log', `${f(results.inspect100kSeconds)} s`, '< 1 s'),
  ].join('\n');
  process.stdout.write(table + '\n\nwritten: reports/bench.json\n');
}

main();
