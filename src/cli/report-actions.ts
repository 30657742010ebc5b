/** What the commands on results directories do: report, compliance, gate, merge. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateAllureHtml } from '../reports/allure-html';
import { baselineTarget, formatFindings, gate, readBaseline, sameTarget, updatedBaseline, writeBaseline, type BaselineTarget } from '../reports/gate';
import { mergeDirectories } from '../reports/merge';
import { complianceFor, recordedTarget } from '../reports/outputs';
import { readMessages, scenarioResults } from '../reports/results';
import { UsageError } from './usage-error';

function resultsDir(dir: string): string {
  const d = resolve(dir);
  if (!existsSync(d)) throw new UsageError(`results directory ${dir} does not exist`);
  if (!existsSync(`${d}/messages.ndjson`)) throw new UsageError(`${dir} has no messages.ndjson (not a results directory of tdx-conformance run)`);
  return d;
}

/** Report on a results directory; allure: say so in one line when Java is missing. */
export function reportCommand(opts: { results: string }): number {
  const dir = resultsDir(opts.results);
  const r = generateAllureHtml(dir);
  if (r.generated) process.stdout.write(`Allure report: ${r.dir}/index.html\n`);
  else process.stdout.write(`Allure HTML report not generated: ${r.reason}. The other reports are in ${dir}.\n`);
  return 0;
}

export function complianceCommand(opts: { results: string }): number {
  const dir = resultsDir(opts.results);
  const c = complianceFor(dir, readMessages(`${dir}/messages.ndjson`), recordedTarget(dir));
  process.stdout.write(`compliance: ${c.totals.passed} passed, ${c.totals.failed} failed, ${c.totals.skipped} skipped, ${c.totals.blocked} blocked -> ${dir}/compliance.md\n`);
  return c.totals.failed > 0 ? 1 : 0;
}

/** Gate a results directory against a baseline (or rewrite the baseline with --update). */
export function gateCommand(opts: { results: string; baseline: string; update?: boolean }): number {
  const dir = resultsDir(opts.results);
  const results = scenarioResults(readMessages(`${dir}/messages.ndjson`));
  const target = recordedTarget(dir);
  const runTarget: BaselineTarget | null = target ? baselineTarget(target) : null;
  const exists = existsSync(opts.baseline);
  if (opts.update) {
    if (!runTarget) throw new UsageError(`${dir} has no environment.json: cannot tell which target the baseline is for`);
    const previous = exists ? readBaseline(opts.baseline) : null;
    writeBaseline(opts.baseline, updatedBaseline(previous, runTarget, results));
    process.stdout.write(`baseline ${opts.baseline} rewritten from ${results.length} scenarios\n`);
    return 0;
  }
  if (!exists) throw new UsageError(`baseline ${opts.baseline} does not exist (create it with --update)`);
  const baseline = readBaseline(opts.baseline);
  if (runTarget && !sameTarget(baseline.target, runTarget)) {
    throw new UsageError(`baseline ${opts.baseline} is for ${JSON.stringify(baseline.target)}, but the results are from ${JSON.stringify(runTarget)}`);
  }
  const g = gate(baseline, results);
  process.stdout.write(formatFindings(g) + '\n');
  return g.passed ? 0 : 1;
}

export async function mergeCommand(dirs: string[], opts: { out: string }): Promise<number> {
  const inputs = dirs.map(resultsDir);
  const merged = await mergeDirectories(inputs, resolve(opts.out));
  const results = scenarioResults(merged);
  const failed = results.filter((r) => !['passed', 'skipped', 'blocked'].includes(r.status)).length;
  process.stdout.write(`merged ${inputs.length} result directories: ${results.length} scenarios, ${failed} failed -> ${opts.out}\n`);
  return failed > 0 ? 1 : 0;
}
