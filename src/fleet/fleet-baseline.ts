/**
 * Fleet baselines and the fleet gate. A fleet baseline is a directory:
 *
 *   fleet.yaml               schema tdx-conformance/fleet-baseline/1, and per machine its
 *                            kernel and module when the baseline was written
 *   machines/<machine>.yaml  the machine's baseline, in the format of every baseline (gate.ts)
 *
 * Each machine is gated against its own baseline exactly as a single run is (new failures, lost
 * passes, missing scenarios and unexpected passes block). A roll-out changes kernels and modules,
 * so unlike a single run's gate a machine's kernel or module may differ from its baseline's: the
 * change is reported beside its findings. A machine of the baseline that the fleet no longer has
 * blocks the gate (its capture went missing, or the baseline must be rewritten); a machine the
 * baseline does not know is gated against an empty baseline (any failure is new).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { INPUT_LIMITS, InputError, readInputFile } from '../../backends/common/read-input';
import {
  BaselineError, formatFindings, gate, readBaseline, updatedBaseline, writeBaseline,
  type Baseline, type BaselineTarget, type FindingKind, type GateResult,
} from '../reports/gate';
import type { ScenarioResult } from '../reports/results';

export const FLEET_BASELINE_INDEX = 'fleet.yaml';
export const FLEET_BASELINE_SCHEMA = 'tdx-conformance/fleet-baseline/1';

export interface FleetBaselineIndex {
  schema: typeof FLEET_BASELINE_SCHEMA;
  machines: Record<string, { kernel: string | null; module: string | null }>;
}

export interface FleetBaseline {
  dir: string;
  index: FleetBaselineIndex;
}

export const machineBaselineFile = (dir: string, key: string): string => join(dir, 'machines', `${key}.yaml`);

/** A fleet baseline directory; null when `dir` holds none yet (for --update-baseline). */
export function readFleetBaseline(dir: string, mustExist = true): FleetBaseline | null {
  const file = join(dir, FLEET_BASELINE_INDEX);
  if (!existsSync(file)) {
    if (!mustExist) return null;
    throw new BaselineError(file, existsSync(dir)
      ? 'no fleet baseline here (a fleet baseline is a directory with fleet.yaml; write one with run --fleet DIR --baseline BASE --update-baseline)'
      : 'does not exist (write a fleet baseline with run --fleet DIR --baseline BASE --update-baseline)');
  }
  let doc: unknown;
  try {
    doc = parse(readInputFile(file, INPUT_LIMITS.baseline).toString('utf8'));
  } catch (e) {
    throw new BaselineError(file, e instanceof InputError ? e.problem : `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const idx = doc as Partial<FleetBaselineIndex> | null;
  if (!idx || typeof idx !== 'object' || idx.schema !== FLEET_BASELINE_SCHEMA) {
    throw new BaselineError(file, `schema must be ${FLEET_BASELINE_SCHEMA}`);
  }
  if (!idx.machines || typeof idx.machines !== 'object' || Array.isArray(idx.machines)) throw new BaselineError(file, 'machines must be a map of machine names');
  for (const [k, v] of Object.entries(idx.machines)) {
    if (!v || typeof v !== 'object' || !('kernel' in v) || !('module' in v)) throw new BaselineError(file, `machine ${k}: needs kernel and module (string or null)`);
  }
  return { dir, index: idx as FleetBaselineIndex };
}

export interface MachineGate {
  passed: boolean;
  /** Blocking findings. */
  blocking: number;
  findings: Partial<Record<FindingKind, number>>;
  /** Kernel or module changes since the baseline. */
  changed: string[];
  /** The gate's findings in words (gate.ts), for the terminal. */
  text: string;
}

const BLOCKING: readonly FindingKind[] = ['new-failure', 'unexpected-pass', 'lost-pass', 'missing'];

/** Gate one machine of the fleet against its baseline (an empty one when the baseline lacks it). */
export function gateMachine(fb: FleetBaseline, key: string, target: BaselineTarget, results: readonly ScenarioResult[]): MachineGate {
  const known = fb.index.machines[key];
  const file = machineBaselineFile(fb.dir, key);
  const baseline: Baseline = known ? readBaseline(file) : { schema: 'tdx-conformance/baseline/1', target, scenarios: {} };
  const changed: string[] = [];
  if (!known) changed.push('not in the baseline');
  else {
    if (baseline.target.kernel !== target.kernel) changed.push(`kernel ${baseline.target.kernel ?? 'unknown'} -> ${target.kernel ?? 'unknown'}`);
    if (baseline.target.module !== target.module) changed.push(`module ${baseline.target.module ?? 'unknown'} -> ${target.module ?? 'unknown'}`);
  }
  const g: GateResult = gate(baseline, results);
  const findings: Partial<Record<FindingKind, number>> = {};
  for (const f of g.findings) findings[f.kind] = (findings[f.kind] ?? 0) + 1;
  return { passed: g.passed, blocking: g.findings.filter((f) => BLOCKING.includes(f.kind)).length, findings, changed, text: formatFindings(g) };
}

/** Machines of the baseline that the fleet does not have (each blocks the gate). */
export const missingMachines = (fb: FleetBaseline, keys: readonly string[]): string[] => {
  const have = new Set(keys);
  return Object.keys(fb.index.machines).filter((k) => !have.has(k)).sort();
};

/** What --update-baseline writes for one machine. */
export interface MachineBaselineUpdate {
  key: string;
  target: BaselineTarget;
  results: readonly ScenarioResult[];
}

/**
 * Rewrite the fleet baseline from a run: every machine's baseline (keeping the reasons of failures
 * that persist), the index, and no file of a machine the fleet no longer has. Only fleet.yaml and
 * machines/ are replaced (other files in the directory stay); both are written beside them first
 * and moved into place at the end.
 */
export function writeFleetBaseline(dir: string, previous: FleetBaseline | null, machines: readonly MachineBaselineUpdate[]): void {
  mkdirSync(dir, { recursive: true });
  const stage = join(dir, `.fleet-baseline.tmp-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'machines'), { recursive: true });
  try {
    const index: FleetBaselineIndex = { schema: FLEET_BASELINE_SCHEMA, machines: {} };
    for (const m of machines) {
      const old = previous?.index.machines[m.key] ? readBaseline(machineBaselineFile(previous.dir, m.key)) : null;
      const file = machineBaselineFile(stage, m.key);
      mkdirSync(dirname(file), { recursive: true });
      writeBaseline(file, updatedBaseline(old, m.target, m.results));
      index.machines[m.key] = { kernel: m.target.kernel, module: m.target.module };
    }
    writeFileSync(join(stage, FLEET_BASELINE_INDEX),
      '# Expected results of the conformance suite on a fleet: one baseline per machine in machines/.\n' +
      '# Rewrite with: tdx-conformance run --fleet <captures> --baseline <this directory> --update-baseline\n' +
      stringify(index, { lineWidth: 0 }));
    const trash = join(dir, `.fleet-baseline.old-${process.pid}`);
    mkdirSync(trash, { recursive: true });
    for (const name of ['machines', FLEET_BASELINE_INDEX]) {
      if (existsSync(join(dir, name))) renameSync(join(dir, name), join(trash, name));
      renameSync(join(stage, name), join(dir, name));
    }
    rmSync(trash, { recursive: true, force: true });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
