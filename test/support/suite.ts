/** Running the suite from project tests: in-process, into a temporary results directory. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEnvironment } from '../../src/reports/environment';
import { writeRunReports } from '../../src/reports/outputs';
import { analyseRun } from '../../src/reports/verdict';
import type { Envelope } from '@cucumber/messages';
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
  const messages = readMessages(join(dir, 'messages.ndjson'));
  const analysis = analyseRun(messages);
  const env = writeEnvironment(dir, world, ['node', 'test'], analysis.verdict);
  writeRunReports(dir, messages, analysis, env.target);
  return scenarioResults(messages);
}

export const statusById = (rs: readonly ScenarioResult[]): Record<string, string> =>
  Object.fromEntries(rs.map((r) => [r.id, r.status]));

export interface StatusCounts {
  passed: number;
  failed: number;
  skipped: number;
}

const SEVERITY = ['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED'];

/** Cucumber's own count of test cases (the most severe step result of each), as its summary prints it. */
export function cucumberCounts(messages: readonly Envelope[]): StatusCounts {
  const worst = new Map<string, string>();
  const c: StatusCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const e of messages) {
    const f = e.testStepFinished;
    if (f) {
      const cur = worst.get(f.testCaseStartedId) ?? 'UNKNOWN';
      if (SEVERITY.indexOf(f.testStepResult.status) > SEVERITY.indexOf(cur)) worst.set(f.testCaseStartedId, f.testStepResult.status);
    }
    const done = e.testCaseFinished;
    if (done && !done.willBeRetried) {
      const s = worst.get(done.testCaseStartedId) ?? 'PASSED';
      if (s === 'PASSED') c.passed++;
      else if (s === 'SKIPPED' || s === 'UNKNOWN') c.skipped++;
      else c.failed++;
    }
  }
  return c;
}

/** The statuses of the Allure results of a run (failed and broken together). */
export function allureCounts(resultsDir: string): StatusCounts {
  const c: StatusCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const f of readdirSync(resultsDir).filter((n) => n.endsWith('-result.json'))) {
    const s = JSON.parse(readFileSync(`${resultsDir}/${f}`, 'utf8')).status as string;
    if (s === 'passed') c.passed++;
    else if (s === 'skipped') c.skipped++;
    else c.failed++;
  }
  return c;
}
