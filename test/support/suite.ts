/** Running the suite from project tests: in-process, into a temporary results directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEnvironment } from '../../src/reports/environment';
import { complianceFor } from '../../src/reports/outputs';
import { readMessages, type ScenarioResult, scenarioResults } from '../../src/reports/results';
import { runSuite, type SuiteOptions } from '../../src/runner/run-suite';
import type { WorldParameters } from '../../support/targets';

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `tdx-${prefix}-`));
  made.push(d);
  return d;
}

export async function runInto(dir: string, world: WorldParameters, extra: Partial<SuiteOptions> = {}): Promise<ScenarioResult[]> {
  await runSuite({ world, outDir: dir, console: null, ...extra });
  const env = writeEnvironment(dir, world, ['node', 'test']);
  const messages = readMessages(join(dir, 'messages.ndjson'));
  complianceFor(dir, messages, env.target);
  return scenarioResults(messages);
}

export const statusById = (rs: readonly ScenarioResult[]): Record<string, string> =>
  Object.fromEntries(rs.map((r) => [r.id, r.status]));
