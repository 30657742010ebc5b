/** What the commands on results directories do: report, compliance, gate, merge. */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allureReportName, generateAllureHtml, writeAllureRunInfo } from '../reports/allure-html';
import {
  baselineTarget, describeBaselineTarget, formatFindings, gate, readBaseline, sameMachine, sameTarget, updatedBaseline, writeBaseline, type BaselineTarget,
} from '../reports/gate';
import { mergeDirectories } from '../reports/merge';
import { complianceFor, recordedTarget } from '../reports/outputs';
import { readMessages } from '../reports/results';
import { analyseRun, exitDecision } from '../reports/verdict';
import { checkOutputDir, stageOutput } from './output-dir';
import { UsageError } from './usage-error';

function resultsDir(dir: string): string {
  const d = resolve(dir);
  if (!existsSync(d)) throw new UsageError(`results directory ${dir} does not exist`);
  if (!statSync(d).isDirectory()) throw new UsageError(`${dir} is not a directory (give a results directory of tdx-conformance run)`);
  if (!existsSync(`${d}/messages.ndjson`)) throw new UsageError(`${dir} has no messages.ndjson (not a results directory of tdx-conformance run)`);
  return d;
}

/** Regenerate the Allure report of a results directory; say so in one line when Java is missing. */
export function reportCommand(opts: { results: string }): number {
  const dir = resultsDir(opts.results);
  const { verdict } = analyseRun(readMessages(`${dir}/messages.ndjson`));
  writeAllureRunInfo(dir, verdict, recordedTarget(dir));
  const r = generateAllureHtml(dir, { reportName: allureReportName(verdict) });
  if (r.generated) process.stdout.write(`Allure report: ${r.file}\n`);
  else process.stdout.write(`Allure HTML report not generated: ${r.reason}. The other reports are in ${dir}.\n`);
  return 0;
}

export function complianceCommand(opts: { results: string }): number {
  const dir = resultsDir(opts.results);
  const messages = readMessages(`${dir}/messages.ndjson`);
  const analysis = analyseRun(messages);
  complianceFor(dir, messages, recordedTarget(dir), analysis);
  process.stdout.write(`Verdict: ${analysis.verdict.line}\ncompliance: ${dir}/compliance.md, ${dir}/compliance.html\n`);
  return exitDecision(analysis.verdict).code;
}

/**
 * Gate the reports of `run --fleet` (a directory with fleet.json) against a fleet baseline
 * directory, machine by machine (src/fleet/fleet-baseline.ts), or rewrite it with --update.
 */
async function gateFleet(dir: string, opts: { baseline: string; update?: boolean }): Promise<number> {
  const fb = await import('../fleet/fleet-baseline');
  let fleet: { machines: { key: string; reports: string; verdict: { kind: string } }[] };
  try {
    fleet = JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8'));
  } catch (e) {
    throw new UsageError(`${dir}/fleet.json cannot be read: ${(e as Error).message.split('\n')[0]}`);
  }
  const current = fb.readFleetBaseline(opts.baseline, !opts.update);
  const machines = fleet.machines.filter((m) => m.verdict.kind !== 'unreadable').map((m) => {
    const mdir = join(dir, m.reports);
    const { results } = analyseRun(readMessages(join(mdir, 'messages.ndjson')));
    const target = recordedTarget(mdir);
    if (!target) throw new UsageError(`${mdir} has no environment.json: cannot tell which machine it is`);
    return { key: m.key, target: { ...baselineTarget(target), kind: 'snapshot', name: m.key }, results };
  });
  if (opts.update) {
    fb.writeFleetBaseline(opts.baseline, current, machines);
    process.stdout.write(`fleet baseline ${opts.baseline} rewritten: ${machines.length} machines\n`);
    return 0;
  }
  let failed = 0;
  const lines: string[] = [];
  for (const m of machines) {
    const g = fb.gateMachine(current!, m.key, m.target, m.results);
    if (!g.passed) {
      failed++;
      lines.push(`${m.key}${g.changed.length ? ` (${g.changed.join('; ')})` : ''}:`, ...g.text.split('\n').map((l) => `  ${l}`));
    }
  }
  const gone = fb.missingMachines(current!, fleet.machines.map((m) => m.key));
  if (gone.length) lines.push(`machines of the baseline missing from the fleet (${gone.length}), blocking:`, ...gone.slice(0, 50).map((k) => `  ${k}`));
  const unreadable = fleet.machines.filter((m) => m.verdict.kind === 'unreadable').map((m) => m.key);
  if (unreadable.length) lines.push(`machines whose capture could not be read (${unreadable.length}), blocking:`, ...unreadable.map((k) => `  ${k}`));
  const passed = failed === 0 && gone.length === 0 && unreadable.length === 0;
  lines.push(`fleet gate: ${passed ? 'PASSED' : 'FAILED'} (${machines.length} machines, gate failed on ${failed})`);
  process.stdout.write(lines.join('\n') + '\n');
  return passed ? 0 : 1;
}

/** Gate a results directory against a baseline (or rewrite the baseline with --update). */
export async function gateCommand(opts: { results: string; baseline: string; update?: boolean }): Promise<number> {
  const fleetDir = resolve(opts.results);
  if (existsSync(join(fleetDir, 'fleet.json'))) return gateFleet(fleetDir, opts);
  const dir = resultsDir(opts.results);
  const { results } = analyseRun(readMessages(`${dir}/messages.ndjson`));
  const target = recordedTarget(dir);
  const runTarget: BaselineTarget | null = target ? baselineTarget(target) : null;
  const exists = existsSync(opts.baseline);
  if (opts.update) {
    if (!runTarget) throw new UsageError(`${dir} has no environment.json: cannot tell which target the baseline is for`);
    const previous = exists ? readBaseline(opts.baseline) : null;
    if (previous && !sameMachine(previous.target, runTarget)) {
      throw new UsageError(`baseline ${opts.baseline} is for ${describeBaselineTarget(previous.target)}, but the results are from ${describeBaselineTarget(runTarget)}: not rewritten (write a new baseline file for this target)`);
    }
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

const realpath = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

export async function mergeCommand(dirs: string[], opts: { out: string }): Promise<number> {
  const inputs = dirs.map(resultsDir);
  const out = checkOutputDir(opts.out);
  const clash = inputs.find((d) => realpath(d) === realpath(out));
  if (clash) throw new UsageError(`--out ${opts.out} is one of the directories being merged: choose another output directory`);
  const stage = stageOutput(out);
  try {
    const { analysis } = await mergeDirectories(inputs, stage.dir);
    stage.commit();
    const v = analysis.verdict;
    process.stdout.write(`merged ${inputs.length} result directories: ${v.scenarios.total} scenarios, ${v.scenarios.failed} failed -> ${opts.out}\nVerdict: ${v.line}\n`);
    return exitDecision(v).code;
  } finally {
    stage.discard();
  }
}
