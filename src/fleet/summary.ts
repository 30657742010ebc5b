/**
 * The fleet summary: one row per machine (its verdict, counts, kernel and module, gate) and one per
 * requirement (how many machines passed it, failed it, could not show it, or to how many it does
 * not apply), with the requirement x machine matrix in between. It is built from each machine's
 * compliance report as the machine is evaluated, keeping only what the summary shows, so a fleet
 * of any size costs the summary little memory. fleet.json, fleet.md and fleet.html are written
 * from it.
 */
import type { TargetDescription } from '../../backends/port';
import type { RequirementStatus } from '../reports/compliance';
import type { ComplianceDigest } from './evaluate';
import type { NotObservedKind, RequirementCounts, ScenarioCounts, VerdictKind } from '../reports/verdict';

/** A matrix cell: the requirement's status on the machine; not observed carries its main reason. */
export type Cell = 'passed' | 'failed' | 'not-applicable' | `not-observed:${NotObservedKind}`;

export interface FleetMachineRow {
  key: string;
  capture: string;
  /** What the capture says about the machine (null when it could not be read). */
  target: { kind: string; role: string; kernel: string | null; flavour: string | null; module: string | null; cpu: string | null } | null;
  /** The machine's verdict, or `unreadable` when its capture could not be evaluated. */
  verdict: { kind: VerdictKind | 'unreadable'; title: string; line: string };
  scenarios: ScenarioCounts | null;
  requirements: RequirementCounts | null;
  /** The machine's gate against its baseline, when the run gated. */
  gate?: { passed: boolean; blocking: number; findings: Record<string, number>; changed: string[] };
  /** Relative to the fleet's --out: the machine's reports. */
  reports: string;
}

export interface FleetRequirementRow {
  id: string;
  area: string | null;
  rule: string | null;
  passed: number;
  failed: number;
  notObserved: number;
  notApplicable: number;
}

export interface FleetSummary {
  schema: 'tdx-conformance/fleet/1';
  generatedAt: string;
  suite: { version: string; revision: string | null };
  /** The directory the captures were found in. */
  fleet: string;
  totals: {
    machines: number;
    conforms: number;
    fails: number;
    partial: number;
    nothingExecuted: number;
    unreadable: number;
    /** Machines whose gate failed (when the run gated). */
    gateFailed?: number;
  };
  machines: FleetMachineRow[];
  requirements: FleetRequirementRow[];
  /** Per requirement id, per machine key: the cell. Machines in `machines` order. */
  matrix: Record<string, Record<string, Cell>>;
  /** Entries under the fleet directory that are not captures. */
  ignored: string[];
}

const moduleText = (d: TargetDescription): string | null => {
  const m = d.module;
  return m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build ? ` build ${m.build}` : ''}` : null;
};

export const cellOf = (status: RequirementStatus, notObserved: readonly { kind: NotObservedKind }[]): Cell =>
  status === 'not-observed' ? `not-observed:${notObserved[0]?.kind ?? 'cannot-observe'}` : status;

/** Gathers machines one by one; `summary()` gives the fleet's. */
export class FleetAccumulator {
  private readonly machines: FleetMachineRow[] = [];
  private readonly reqs = new Map<string, FleetRequirementRow>();
  private readonly matrix = new Map<string, Record<string, Cell>>();

  constructor(private readonly fleet: string, private readonly suite: { version: string; revision: string | null }, private readonly ignored: string[] = []) {}

  /** A machine evaluated: its row and its column of the matrix. */
  add(key: string, capture: string, reports: string, c: ComplianceDigest, gate?: FleetMachineRow['gate']): FleetMachineRow {
    const d = c.target;
    const row: FleetMachineRow = {
      key, capture, reports,
      target: d ? { kind: d.kind, role: d.role, kernel: d.kernel.release, flavour: d.kernel.flavour, module: moduleText(d), cpu: d.platform.cpuModel } : null,
      verdict: { kind: c.verdict.kind, title: c.verdict.title, line: c.verdict.line },
      scenarios: c.verdict.scenarios,
      requirements: c.verdict.requirements,
      ...(gate ? { gate } : {}),
    };
    this.machines.push(row);
    for (const r of c.requirements) {
      let q = this.reqs.get(r.id);
      if (!q) {
        q = { id: r.id, area: r.area, rule: r.rule, passed: 0, failed: 0, notObserved: 0, notApplicable: 0 };
        this.reqs.set(r.id, q);
      }
      if (r.status === 'passed') q.passed++;
      else if (r.status === 'failed') q.failed++;
      else if (r.status === 'not-observed') q.notObserved++;
      else q.notApplicable++;
      let col = this.matrix.get(r.id);
      if (!col) this.matrix.set(r.id, (col = {}));
      col[key] = cellOf(r.status, r.notObserved);
    }
    return row;
  }

  /** A capture that could not be evaluated: a row saying why, and no column. */
  addUnreadable(key: string, capture: string, reports: string, reason: string): FleetMachineRow {
    const row: FleetMachineRow = {
      key, capture, reports, target: null, scenarios: null, requirements: null,
      verdict: { kind: 'unreadable', title: 'UNREADABLE', line: `UNREADABLE: ${reason}` },
    };
    this.machines.push(row);
    return row;
  }

  summary(generatedAt = new Date().toISOString()): FleetSummary {
    const count = (k: FleetMachineRow['verdict']['kind']) => this.machines.filter((m) => m.verdict.kind === k).length;
    const gated = this.machines.some((m) => m.gate);
    const requirements = [...this.reqs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const matrix: FleetSummary['matrix'] = {};
    for (const r of requirements) matrix[r.id] = this.matrix.get(r.id) ?? {};
    return {
      schema: 'tdx-conformance/fleet/1',
      generatedAt,
      suite: this.suite,
      fleet: this.fleet,
      totals: {
        machines: this.machines.length,
        conforms: count('conforms'),
        fails: count('fails'),
        partial: count('partial'),
        nothingExecuted: count('nothing-executed'),
        unreadable: count('unreadable'),
        ...(gated ? { gateFailed: this.machines.filter((m) => m.gate && !m.gate.passed).length } : {}),
      },
      // In the order of their names, however the machines were evaluated.
      machines: [...this.machines].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      requirements,
      matrix,
      ignored: this.ignored,
    };
  }
}

/** The fleet's verdict line: how many machines conform, fail, are partial, or could not be read. */
export function fleetLine(s: FleetSummary): string {
  const t = s.totals;
  const parts = [`${t.conforms} conform`, `${t.fails} do not conform`, `${t.partial} partial (no failures)`, `${t.nothingExecuted} nothing executed`];
  if (t.unreadable) parts.push(`${t.unreadable} unreadable`);
  if (t.gateFailed !== undefined) parts.push(`gate failed on ${t.gateFailed}`);
  return `FLEET of ${t.machines} machines: ${parts.join(', ')}`;
}
