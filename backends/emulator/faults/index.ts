/**
 * The fault catalogue: named, documented deviations of the emulator from the specification.
 *
 * Each fault switches one rule of the model off or bends it, and names the requirements whose
 * scenarios must then fail. A run selects faults through the emulator profile option `faults`,
 * `--faults` or the TDX_FAULTS environment variable (comma-separated), so any failure can be
 * reproduced. `tdx-conformance mutate` runs the suite once per fault and reports which scenarios
 * caught it. Each area keeps its faults in its own file.
 */
import { GUEST_FAULTS } from './guest';
import { HOST_FAULTS } from './host';
import { KVM_FAULTS } from './kvm';
import type { FaultSpec } from './spec';

export type { FaultKind, FaultSpec } from './spec';

export const FAULTS = { ...HOST_FAULTS, ...GUEST_FAULTS, ...KVM_FAULTS } as const satisfies Record<string, FaultSpec>;

export type FaultName = keyof typeof FAULTS;

export const isFaultName = (s: string): s is FaultName => Object.prototype.hasOwnProperty.call(FAULTS, s);

export class Faults {
  private readonly on: ReadonlySet<FaultName>;

  constructor(names: readonly string[] = []) {
    const bad = names.filter((n) => !isFaultName(n));
    if (bad.length) {
      throw new Error(`unknown fault(s): ${bad.join(', ')}; run \`tdx-conformance faults\` for the catalogue`);
    }
    this.on = new Set(names as FaultName[]);
  }

  has(name: FaultName): boolean {
    return this.on.has(name);
  }

  list(): FaultName[] {
    return [...this.on];
  }

  static none = new Faults();
}

/** Faults named in TDX_FAULTS. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.TDX_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
