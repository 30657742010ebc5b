/**
 * One machine of a fleet: its capture evaluated exactly as `run --snapshot CAPTURE` would, its
 * reports written into its directory, its gate (or its baseline for --update-baseline) worked
 * out, and its target and everything read from its capture released. The outcome is plain data
 * (it crosses from a worker thread to the main one): what the fleet summary needs, nothing more.
 */
import type { Envelope } from '@cucumber/messages';
import type { TargetDescription } from '../../backends/port';
import { releaseFactory, resolveSelection, targetFactory, type WorldParameters } from '../../support/targets';
import type { Compliance } from '../reports/compliance';
import { writeEnvironment } from '../reports/environment';
import { baselineTarget, type BaselineTarget } from '../reports/gate';
import { writeRunReports } from '../reports/outputs';
import type { ScenarioResult } from '../reports/results';
import { exitDecision, type Verdict } from '../reports/verdict';
import { runSuite } from '../runner/run-suite';
import { gateMachine, readFleetBaseline, type FleetBaseline } from './fleet-baseline';
import type { FleetMachineRow } from './summary';

export interface MachineTask {
  key: string;
  capture: string;
  /** The machine's reports directory, and its path relative to the fleet's --out. */
  dir: string;
  reports: string;
  allureDir: string;
  tags?: string;
  order: string;
  allowDestructive: boolean;
  minExecuted?: number;
  baseline: { dir: string; update: boolean } | null;
}

/** What the summary keeps of a machine's compliance report. */
export type ComplianceDigest = Pick<Compliance, 'target' | 'verdict'> & {
  requirements: Pick<Compliance['requirements'][number], 'id' | 'area' | 'rule' | 'status' | 'notObserved'>[];
};

export type MachineOutcome =
  | { key: string; capture: string; reports: string; unreadable: string }
  | {
    key: string; capture: string; reports: string;
    compliance: ComplianceDigest;
    verdict: Verdict;
    exit: 0 | 1;
    gate?: FleetMachineRow['gate'] & { text: string };
    /** --update-baseline: what the machine's new baseline is made from. */
    update?: { target: BaselineTarget; results: ScenarioResult[] };
    seconds: number;
  };

const baselines = new Map<string, FleetBaseline>();

export async function evaluateMachine(t: MachineTask): Promise<MachineOutcome> {
  const t0 = Date.now();
  const world: WorldParameters = { target: 'snapshot', snapshot: t.capture, faults: [], allowDestructive: t.allowDestructive };
  try {
    resolveSelection(world);
    targetFactory(world);
  } catch (e) {
    // A capture that cannot be read is this machine's outcome, not the fleet's end.
    releaseFactory(world);
    return { key: t.key, capture: t.capture, reports: t.reports, unreadable: (e as Error).message.split('\n')[0] };
  }
  try {
    const messages: Envelope[] = [];
    await runSuite({
      world, tags: t.tags, order: t.order, outDir: t.dir, console: null, html: false,
      allure: { resultsDir: t.allureDir, parentSuite: t.key, executedOnly: true },
      onMessage: (e) => messages.push(e),
    });
    const { analyseRun } = await import('../reports/verdict');
    const analysis = analyseRun(messages);
    const v = analysis.verdict;
    const env = writeEnvironment(t.dir, world, process.argv, v);
    const c = writeRunReports(t.dir, messages, analysis, env.target, { allureInfo: false });
    const target: BaselineTarget = { ...baselineTarget(env.target as TargetDescription), kind: 'snapshot', name: t.key };
    let gate: (FleetMachineRow['gate'] & { text: string }) | undefined;
    let update: { target: BaselineTarget; results: ScenarioResult[] } | undefined;
    if (t.baseline?.update) update = { target, results: analysis.results };
    else if (t.baseline) {
      let fb = baselines.get(t.baseline.dir);
      if (!fb) baselines.set(t.baseline.dir, (fb = readFleetBaseline(t.baseline.dir)!));
      const g = gateMachine(fb, t.key, target, analysis.results);
      gate = { passed: g.passed, blocking: g.blocking, findings: g.findings, changed: g.changed, text: g.text };
    }
    return {
      key: t.key, capture: t.capture, reports: t.reports,
      compliance: { target: c.target, verdict: c.verdict, requirements: c.requirements.map((r) => ({ id: r.id, area: r.area, rule: r.rule, status: r.status, notObserved: r.notObserved })) },
      verdict: v,
      exit: exitDecision(v, { gatePassed: gate?.passed, minExecuted: t.minExecuted }).code,
      ...(gate ? { gate } : {}),
      ...(update ? { update } : {}),
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    releaseFactory(world);
  }
}
