/**
 * Baselines and the regression gate. A baseline records, for one target description, the
 * expected status of every scenario (keyed by requirement and scenario name), with a reason and
 * an optional issue link for each expected failure. The gate compares a run with it and fails on
 * a new failure, on a pass that became a skip for any reason but applicability (or became
 * blocked), on a scenario the baseline lists that did not run, and on an unexpected pass: the
 * baseline must then be tightened, as WPT and Mesa do.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { INPUT_LIMITS, InputError, readInputFile } from '../../backends/common/read-input';
import { lazyValidator } from '../../backends/common/schema';
import { parse, stringify } from 'yaml';
import type { TargetDescription } from '../../backends/port';
import type { ScenarioResult } from './results';

export type Expected = 'passed' | 'failed' | 'skipped' | 'blocked';

export interface BaselineEntry {
  status: Expected;
  reason?: string;
  issue?: string;
}

export interface BaselineTarget {
  kind: string;
  name: string;
  kernel: string | null;
  module: string | null;
}

export interface Baseline {
  schema: 'tdx-conformance/baseline/1';
  target: BaselineTarget;
  scenarios: Record<string, BaselineEntry>;
}

export class BaselineError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'BaselineError';
  }
}

/** The baseline file format (baselines/*.yaml). */
export const BASELINE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'target', 'scenarios'],
  properties: {
    schema: { const: 'tdx-conformance/baseline/1' },
    target: {
      type: 'object', additionalProperties: false, required: ['kind', 'name', 'kernel', 'module'],
      properties: { kind: { type: 'string' }, name: { type: 'string' }, kernel: { type: ['string', 'null'] }, module: { type: ['string', 'null'] } },
    },
    scenarios: {
      type: 'object',
      additionalProperties: {
        type: 'object', additionalProperties: false, required: ['status'],
        properties: {
          status: { enum: ['passed', 'failed', 'skipped', 'blocked'] },
          reason: { type: 'string' },
          issue: { type: 'string' },
        },
      },
    },
  },
} as const;

const validator = lazyValidator(() => BASELINE_SCHEMA, { allErrors: false });

export function baselineTarget(d: TargetDescription): BaselineTarget {
  const m = d.module;
  return {
    kind: d.kind,
    name: d.name,
    kernel: d.kernel.release ? `${d.kernel.release} (${d.kernel.flavour ?? 'unknown flavour'})` : null,
    module: m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build === null ? '' : ` build ${m.build}`}` : null,
  };
}

export function readBaseline(file: string): Baseline {
  let doc: unknown;
  let text: string;
  try {
    text = readInputFile(file, INPUT_LIMITS.baseline).toString('utf8');
  } catch (e) {
    if (e instanceof InputError) throw new BaselineError(file, e.problem);
    throw e;
  }
  try {
    doc = parse(text);
  } catch (e) {
    throw new BaselineError(file, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const validate = validator();
  if (!validate(doc)) {
    const e = validate.errors![0];
    throw new BaselineError(file, `${e.instancePath || '(top level)'} ${e.message}${e.keyword === 'const' ? ' (this suite reads tdx-conformance/baseline/1)' : ''}`);
  }
  const b = doc as Baseline;
  for (const [id, e] of Object.entries(b.scenarios)) {
    if (e.status === 'failed' && !e.reason) throw new BaselineError(file, `scenario "${id}": an expected failure needs a reason`);
  }
  return b;
}

export type FindingKind = 'new-failure' | 'unexpected-pass' | 'lost-pass' | 'missing' | 'still-failing' | 'new-scenario';

export interface Finding {
  kind: FindingKind;
  id: string;
  expected: Expected | null;
  actual: ScenarioResult['status'] | null;
  detail: string;
}

export interface GateResult {
  passed: boolean;
  findings: Finding[];
}

const BLOCKING: ReadonlySet<FindingKind> = new Set(['new-failure', 'unexpected-pass', 'lost-pass', 'missing']);

const isFailure = (s: ScenarioResult['status']): boolean => s !== 'passed' && s !== 'skipped' && s !== 'blocked';

export function gate(baseline: Baseline, results: readonly ScenarioResult[]): GateResult {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    seen.add(r.id);
    const exp = baseline.scenarios[r.id];
    const add = (kind: FindingKind, detail: string) => findings.push({ kind, id: r.id, expected: exp?.status ?? null, actual: r.status, detail });
    if (!exp) {
      if (isFailure(r.status)) add('new-failure', `new scenario fails: ${firstLine(r.message)}`);
      else add('new-scenario', `not in the baseline (${r.status})`);
      continue;
    }
    if (exp.status === 'failed') {
      if (r.status === 'passed') add('unexpected-pass', `expected to fail (${exp.reason}${exp.issue ? `, ${exp.issue}` : ''}) but passed: tighten the baseline`);
      else if (isFailure(r.status)) add('still-failing', `${exp.reason}${exp.issue ? ` (${exp.issue})` : ''}`);
      continue;
    }
    if (isFailure(r.status)) {
      add('new-failure', firstLine(r.message) || r.status);
    } else if (exp.status === 'passed' && r.status === 'blocked') {
      add('lost-pass', `was passing, now blocked: ${r.skip?.reason ?? ''}`);
    } else if (exp.status === 'passed' && r.status === 'skipped' && r.skip?.kind !== 'not-applicable') {
      add('lost-pass', `was passing, now skipped (${r.skip?.kind}: ${r.skip?.reason})`);
    }
  }
  for (const [id, exp] of Object.entries(baseline.scenarios)) {
    if (!seen.has(id)) findings.push({ kind: 'missing', id, expected: exp.status, actual: null, detail: 'in the baseline but did not run' });
  }
  return { passed: !findings.some((f) => BLOCKING.has(f.kind)), findings };
}

const firstLine = (s?: string): string => (s ?? '').split('\n')[0];

/** A baseline that expects exactly what this run did; reasons of known failures are kept. */
export function updatedBaseline(previous: Baseline | null, target: BaselineTarget, results: readonly ScenarioResult[]): Baseline {
  const scenarios: Record<string, BaselineEntry> = {};
  for (const r of results) {
    const status: Expected = isFailure(r.status) ? 'failed' : (r.status as Expected);
    const old = previous?.scenarios[r.id];
    const entry: BaselineEntry = { status };
    if (status === 'failed') {
      entry.reason = old?.status === 'failed' && old.reason ? old.reason : `known failure: ${firstLine(r.message) || r.status}`;
      if (old?.issue) entry.issue = old.issue;
    }
    scenarios[r.id] = entry;
  }
  return { schema: 'tdx-conformance/baseline/1', target, scenarios };
}

export function writeBaseline(file: string, b: Baseline): void {
  const header = '# Expected results of the conformance suite on one target (see README, "Baselines and the gate").\n' +
    '# Regenerate with: tdx-conformance gate --results <dir> --baseline <this file> --update\n';
  // Written whole, then renamed over the old one: never half a baseline.
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, header + stringify(b, { lineWidth: 0 }));
  renameSync(tmp, file);
}

export function sameTarget(a: BaselineTarget, b: BaselineTarget): boolean {
  return sameMachine(a, b) && a.kernel === b.kernel && a.module === b.module;
}

/** The same kind of target and the same machine (profile, host or capture), whatever its kernel or module. */
export function sameMachine(a: BaselineTarget, b: BaselineTarget): boolean {
  return a.kind === b.kind && a.name === b.name;
}

export const describeBaselineTarget = (t: BaselineTarget): string =>
  `${t.kind} ${t.name}${t.kernel ? `, kernel ${t.kernel}` : ''}${t.module ? `, module ${t.module}` : ''}`;

export function formatFindings(g: GateResult): string {
  const lines: string[] = [];
  const order: FindingKind[] = ['new-failure', 'unexpected-pass', 'lost-pass', 'missing', 'still-failing', 'new-scenario'];
  for (const kind of order) {
    const fs = g.findings.filter((f) => f.kind === kind);
    if (!fs.length) continue;
    lines.push(`${kind} (${fs.length})${BLOCKING.has(kind) ? '' : ', not blocking'}:`);
    for (const f of fs.slice(0, 50)) lines.push(`  ${f.id}: ${f.detail}`);
    if (fs.length > 50) lines.push(`  ... and ${fs.length - 50} more`);
  }
  lines.push(g.passed ? 'gate: PASSED' : 'gate: FAILED');
  return lines.join('\n');
}
