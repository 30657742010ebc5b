/**
 * Measurements the benchmark takes inside one process (support code loaded once, as `run`
 * does): a suite run through the cucumber API, and TDX initialisation on two platform sizes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import { emulatorFactory } from '../backends/emulator/target';
import { loadProfiles } from '../backends/emulator/profile';
import { allureFormatOptions } from '../src/reports/allure-config';
import { reportFiles, runSuite } from '../src/runner/run-suite';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = (): number => Number(process.hrtime.bigint()) / 1e9;

async function suiteAllProfiles(): Promise<number> {
  const t0 = now();
  for (const profile of loadProfiles().keys()) {
    await runSuite({ world: { target: 'emulator', profile }, console: null, outDir: mkdtempSync(join(tmpdir(), 'bench-suite-')) });
  }
  return now() - t0;
}

async function floorAllProfiles(): Promise<number> {
  const env = { cwd: join(__dirname, '..'), stdout: process.stdout, stderr: process.stderr, env: process.env };
  const { runConfiguration } = await loadConfiguration({ file: 'bench/floor-cucumber.js', profiles: ['default'] }, env);
  const support = await loadSupport(runConfiguration, env);
  const t0 = now();
  const quiet = { ...env, stdout: new (require('node:stream').Writable)({ write: (_c: unknown, _e: unknown, cb: () => void) => cb() }) };
  for (let i = 0; i < loadProfiles().size; i++) {
    const out = mkdtempSync(join(tmpdir(), 'bench-floor-'));
    const files = reportFiles(out);
    const options = allureFormatOptions(out, { target: 'emulator' }) as typeof runConfiguration.formats.options;
    await runCucumber({ ...runConfiguration, formats: { ...runConfiguration.formats, stdout: 'summary', files, options }, support }, quiet);
  }
  return now() - t0;
}

function initSeconds(profile: string, runs: number): number {
  const f = emulatorFactory(profile);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = f.create();
    const t0 = now();
    t.host!.initTdx();
    times.push(now() - t0);
  }
  return median(times);
}

async function main(): Promise<void> {
  const what = process.argv[2];
  let out: unknown;
  if (what === 'suite') out = await suiteAllProfiles();
  else if (what === 'floor') out = await floorAllProfiles();
  else if (what === 'scaling') {
    // Warm up both paths, then take medians.
    initSeconds('gnr-2s-mainline-7.1', 5);
    initSeconds('xl-16s-64t-mainline-7.1', 5);
    out = { small: initSeconds('gnr-2s-mainline-7.1', 21), large: initSeconds('xl-16s-64t-mainline-7.1', 21) };
  } else throw new Error(`unknown measurement ${what}`);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
