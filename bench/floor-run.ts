/**
 * Runs the generated floor suite once per emulator profile in one process, with the same report
 * files and console format as `tdx-conformance run --profile all`.
 * Usage: floor-run <config> <outDir> [profile,...] (default: every profile).
 */
import { join } from 'node:path';
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import { loadProfiles } from '../backends/emulator/profile';
import { allureFormatOptions } from '../src/reports/allure-config';
import { PROJECT_ROOT, reportFiles, shareRunWork } from '../src/runner/run-suite';

async function main(config: string, outDir: string, only?: string): Promise<void> {
  const env = { cwd: PROJECT_ROOT, stdout: process.stdout, stderr: process.stderr, env: process.env };
  const { runConfiguration } = await loadConfiguration({ file: config, profiles: ['default'] }, env);
  const support = await loadSupport(runConfiguration, env);
  // The suite's runner shares step matches and parsed features between runs: so does the floor.
  shareRunWork(support);
  const profiles = only ? only.split(',') : [...loadProfiles().keys()];
  for (const profile of profiles) {
    const out = join(outDir, profile);
    const options = allureFormatOptions(join(out, 'allure-results'), { target: 'emulator', profile }) as typeof runConfiguration.formats.options;
    await runCucumber({ ...runConfiguration, formats: { ...runConfiguration.formats, stdout: 'progress', files: reportFiles(out), options }, support }, env);
  }
}

main(process.argv[2], process.argv[3], process.argv[4]).catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
