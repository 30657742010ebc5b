#!/usr/bin/env node
'use strict';
// Measures fleets and the shared Allure report on this machine (not a test; numbers for the
// README). Usage: node bench/fleet.js [CAPTURES_DIR] [COUNT]
//   1. makes COUNT distinct captures in CAPTURES_DIR (default: a temporary directory, 200) with
//      bench/fleet-captures.ts, unless they are there already (untimed);
//   2. times `run --fleet` on them, with --no-allure-report and with the Allure HTML report;
//   3. times `run --profile all` with --no-allure-report and with the Allure HTML report.
// Writes reports/bench-fleet.json.
const { spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const node = process.execPath;
const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' };
const scratch = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const captures = process.argv[2] || mkdtempSync(path.join(tmpdir(), 'bench-fleet-captures-'));
const count = Number(process.argv[3] || 200);

function timed(args) {
  const out = mkdtempSync(path.join(scratch, 'bench-fleet-out-'));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(node, [path.join(root, 'bin/tdx-conformance.js'), ...args, '--out', path.join(out, 'r')], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const allure = existsSync(path.join(out, 'r', 'allure-report', 'index.html'));
  rmSync(out, { recursive: true, force: true });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { seconds: Math.round(s * 10) / 10, allureReport: allure, last: r.stdout.trim().split('\n').slice(-2).join(' | ') };
}

const listed = () => readdirSync(captures).filter((n) => !n.startsWith('.')).length;
const have = existsSync(captures) ? listed() : 0;
if (have < count) {
  mkdirSync(captures, { recursive: true });
  process.stdout.write(`making ${count - have} captures in ${captures} (untimed)...\n`);
  const r = spawnSync(node, ['--require', 'ts-node/register/transpile-only', path.join(__dirname, 'fleet-captures.ts'), captures, String(count)], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}
const result = {
  date: new Date().toISOString(), cpus: require('node:os').cpus().length, load: require('node:os').loadavg(), captures: listed(),
  fleetNoAllureHtml: timed(['run', '--fleet', captures, '--no-allure-report']),
  fleetWithAllureHtml: timed(['run', '--fleet', captures]),
  profileAllNoAllureHtml: timed(['run', '--profile', 'all', '--no-allure-report']),
  profileAllWithAllureHtml: timed(['run', '--profile', 'all']),
};
result.allureRatio = Math.round((result.profileAllWithAllureHtml.seconds / result.profileAllNoAllureHtml.seconds) * 100) / 100;
mkdirSync(path.join(root, 'reports'), { recursive: true });
writeFileSync(path.join(root, 'reports', 'bench-fleet.json'), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
