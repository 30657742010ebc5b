/**
 * The verdict of a run, computed once from its cucumber messages and shown in the same words by
 * every report (terminal, compliance, environment.json, Allure, JUnit).
 *
 * Definitions (issue 14):
 * - a requirement is *applicable* to the target when at least one of its scenarios is not skipped
 *   as not-applicable (a scenario the run did not select counts as applicable: nothing showed it
 *   does not apply);
 * - it is *executed* when at least one of its scenarios passed or failed;
 * - applicable but not executed is *not observed*, always with its reasons (cannot observe,
 *   precondition not met, needs --allow-destructive, blocked, not selected).
 * The verdict is `fails` (something failed), `conforms` (nothing failed, at least one and every
 * applicable requirement executed), `partial` (nothing failed, some applicable requirement not
 * observed) or `nothing-executed`. Only `conforms` is worded as conformance.
 */
import type { Envelope } from '@cucumber/messages';
import type { SkipRecord } from '../../support/skip-record';
import { plannedScenarios, scenarioResults, type PlannedScenario, type ScenarioResult, type Status } from './results';

export type VerdictKind = 'fails' | 'conforms' | 'partial' | 'nothing-executed';

/** Why an applicable requirement was not executed. */
export type NotObservedKind = Exclude<SkipRecord['kind'], 'not-applicable'> | 'not-selected';

/** In this order a requirement's main reason is chosen (the first it has). */
export const NOT_OBSERVED_KINDS: readonly NotObservedKind[] = ['blocked', 'cannot-observe', 'precondition-unmet', 'needs-opt-in', 'not-selected'];

export const NOT_OBSERVED_LABEL: Readonly<Record<NotObservedKind, string>> = {
  'blocked': 'blocked (the environment broke)',
  'cannot-observe': 'the target cannot observe it',
  'precondition-unmet': 'precondition not met on this target',
  'needs-opt-in': 'needs --allow-destructive',
  'not-selected': 'not selected by this run (--tags or --shard)',
};

/** Scenario tallies: failed includes suite defects (undefined, pending, ambiguous steps). */
export interface ScenarioCounts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  blocked: number;
  /** Undefined, pending or ambiguous steps: suite defects (also counted in failed). */
  defects: number;
  skippedByReason: Record<string, number>;
}

export interface RequirementOutcome {
  id: string;
  applicable: boolean;
  executed: boolean;
  failed: boolean;
  /** For an applicable requirement not executed: every distinct reason, main one first. */
  notObserved: { kind: NotObservedKind; reason: string }[];
}

export interface RequirementCounts {
  total: number;
  applicable: number;
  notApplicable: number;
  executed: number;
  failed: number;
  notObserved: number;
  /** Not-observed requirements by their main reason (sums to notObserved). */
  notObservedByReason: Partial<Record<NotObservedKind, number>>;
}

export interface Verdict {
  kind: VerdictKind;
  /** CONFORMS, DOES NOT CONFORM, NO FAILURES, PARTIAL or NOTHING EXECUTED. */
  title: string;
  /** The title with the counts that justify it: the one line every report shows. */
  line: string;
  scenarios: ScenarioCounts;
  requirements: RequirementCounts;
  /** Executed applicable requirements, in percent of the applicable ones (0 when none applies). */
  executedPercent: number;
}

export interface RunAnalysis {
  results: ScenarioResult[];
  planned: PlannedScenario[];
  outcomes: RequirementOutcome[];
  verdict: Verdict;
}

export const TITLES: Readonly<Record<VerdictKind, string>> = {
  'fails': 'DOES NOT CONFORM',
  'conforms': 'CONFORMS',
  'partial': 'NO FAILURES, PARTIAL',
  'nothing-executed': 'NOTHING EXECUTED',
};

const isFailure = (s: Status): boolean => s !== 'passed' && s !== 'skipped' && s !== 'blocked';

export const emptyCounts = (): ScenarioCounts => ({ total: 0, passed: 0, failed: 0, skipped: 0, blocked: 0, defects: 0, skippedByReason: {} });

/** Add one scenario to a tally. */
export function countScenario(c: ScenarioCounts, r: Pick<ScenarioResult, 'status' | 'skip'>): void {
  c.total++;
  if (r.status === 'passed') c.passed++;
  else if (r.status === 'blocked') c.blocked++;
  else if (r.status === 'skipped') {
    c.skipped++;
    const k = r.skip?.kind ?? 'unknown';
    c.skippedByReason[k] = (c.skippedByReason[k] ?? 0) + 1;
  } else {
    c.failed++;
    if (r.status !== 'failed') c.defects++;
  }
}

type Planned = Pick<PlannedScenario, 'key' | 'req'>;
type Result = Pick<ScenarioResult, 'key' | 'req' | 'status' | 'skip'>;

/** Each requirement's applicability and execution, in requirement order. */
export function requirementOutcomes(planned: readonly Planned[], results: readonly Result[]): RequirementOutcome[] {
  const byKey = new Map(results.map((r) => [r.key, r]));
  const scenarios = new Map<string, (Result | null)[]>();
  for (const p of planned) {
    if (!p.req) continue;
    const list = scenarios.get(p.req) ?? [];
    list.push(byKey.get(p.key) ?? null);
    scenarios.set(p.req, list);
  }
  // A result whose scenario the plan lacks (messages of another revision) still counts.
  const plannedKeys = new Set(planned.map((p) => p.key));
  for (const r of results) {
    if (!r.req || plannedKeys.has(r.key)) continue;
    const list = scenarios.get(r.req) ?? [];
    list.push(r);
    scenarios.set(r.req, list);
  }
  return [...scenarios.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, rs]) => {
    const applicable = rs.some((r) => r === null || r.status !== 'skipped' || r.skip?.kind !== 'not-applicable');
    const executed = rs.some((r) => r !== null && (r.status === 'passed' || isFailure(r.status)));
    const failed = rs.some((r) => r !== null && isFailure(r.status));
    const reasons = new Map<string, { kind: NotObservedKind; reason: string }>();
    if (applicable && !executed) {
      for (const r of rs) {
        const why: { kind: NotObservedKind; reason: string } | null = r === null
          ? { kind: 'not-selected', reason: 'not selected by this run (tag expression or shard)' }
          : r.skip && r.skip.kind !== 'not-applicable' ? { kind: r.skip.kind, reason: r.skip.reason } : null;
        if (why) reasons.set(`${why.kind}\0${why.reason}`, why);
      }
    }
    const notObserved = [...reasons.values()].sort((a, b) => NOT_OBSERVED_KINDS.indexOf(a.kind) - NOT_OBSERVED_KINDS.indexOf(b.kind));
    return { id, applicable, executed, failed, notObserved };
  });
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "cannot-observe 30, precondition-unmet 8", main reasons in their fixed order. */
export function formatReasonCounts(byReason: Partial<Record<string, number>>, order: readonly string[] = NOT_OBSERVED_KINDS): string {
  const keys = Object.keys(byReason).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : 1));
  return keys.filter((k) => byReason[k]).map((k) => `${k} ${byReason[k]}`).join(', ');
}

/** The verdict from requirement outcomes and scenario results. */
export function verdictOf(outcomes: readonly RequirementOutcome[], results: readonly Pick<ScenarioResult, 'status' | 'skip'>[]): Verdict {
  const scenarios = emptyCounts();
  for (const r of results) countScenario(scenarios, r);
  const applicable = outcomes.filter((o) => o.applicable);
  const executed = applicable.filter((o) => o.executed);
  const notObserved = applicable.filter((o) => !o.executed);
  const notObservedByReason: Partial<Record<NotObservedKind, number>> = {};
  for (const o of notObserved) {
    const k = o.notObserved[0]?.kind ?? 'cannot-observe';
    notObservedByReason[k] = (notObservedByReason[k] ?? 0) + 1;
  }
  const requirements: RequirementCounts = {
    total: outcomes.length,
    applicable: applicable.length,
    notApplicable: outcomes.length - applicable.length,
    executed: executed.length,
    failed: outcomes.filter((o) => o.failed).length,
    notObserved: notObserved.length,
    notObservedByReason,
  };
  const executedScenarios = scenarios.passed + scenarios.failed;
  const kind: VerdictKind = scenarios.failed > 0 ? 'fails'
    : executedScenarios === 0 ? 'nothing-executed'
    : notObserved.length === 0 ? 'conforms'
    : 'partial';
  const executedPercent = applicable.length === 0 ? 0 : (100 * executed.length) / applicable.length;
  const ofApplicable = `${executed.length} of ${plural(applicable.length, 'applicable requirement')} executed`;
  const missing = notObserved.length ? `; ${notObserved.length} not observed: ${formatReasonCounts(notObservedByReason)}` : '';
  const line = kind === 'fails'
    ? `${TITLES[kind]}: ${plural(scenarios.failed, 'scenario')} of ${plural(requirements.failed, 'requirement')} failed; ${ofApplicable}${missing}`
    : kind === 'conforms'
      ? `${TITLES[kind]}: all ${plural(applicable.length, 'applicable requirement')} executed, none failed (${requirements.notApplicable} not applicable to this target)`
      : `${TITLES[kind]}: ${ofApplicable}${missing}`;
  return { kind, title: TITLES[kind], line, scenarios, requirements, executedPercent };
}

/** Everything the reports need from one message stream, worked out once. */
export function analyseRun(envelopes: readonly Envelope[]): RunAnalysis {
  const results = scenarioResults(envelopes);
  const planned = plannedScenarios(envelopes);
  const outcomes = requirementOutcomes(planned, results);
  return { results, planned, outcomes, verdict: verdictOf(outcomes, results) };
}

export interface ExitDecision {
  code: 0 | 1;
  /** Why the run exits 1 (empty for 0). */
  reasons: string[];
}

/**
 * Exit code of `run` (issue 14): 0 when nothing failed and at least one scenario executed; 1
 * when something failed, the gate failed, nothing executed at all, or the executed share of
 * applicable requirements is below --min-executed.
 */
export function exitDecision(v: Verdict, opts: { gatePassed?: boolean; minExecuted?: number } = {}): ExitDecision {
  const reasons: string[] = [];
  if (v.scenarios.failed > 0) reasons.push(`${plural(v.scenarios.failed, 'scenario')} failed`);
  if (opts.gatePassed === false) reasons.push('the gate failed');
  if (v.scenarios.passed + v.scenarios.failed === 0) reasons.push('no scenario executed');
  if (opts.minExecuted !== undefined && v.executedPercent < opts.minExecuted) {
    reasons.push(`${formatPercent(v.executedPercent)} of applicable requirements executed, below --min-executed ${opts.minExecuted}%`);
  }
  return { code: reasons.length ? 1 : 0, reasons };
}

export const formatPercent = (p: number): string => `${Number.isInteger(p) ? p : p.toFixed(1)}%`;
