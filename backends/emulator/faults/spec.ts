/** What a fault is: a named deviation of the emulator and the requirements it must break. */
export type FaultKind = 'constant' | 'missing-check' | 'order' | 'route' | 'boundary' | 'era' | 'dialect' | 'value';

export interface FaultSpec {
  kind: FaultKind;
  description: string;
  /** Requirement ids (@req) whose scenarios should fail with this fault on. */
  requirements: readonly string[];
  /**
   * Why a real machine's interfaces cannot show this fault, though its requirements execute
   * there: the fault campaign on emulated-linux expects it to survive, and says so.
   */
  unseenOnRealPath?: string;
}

export const F = (kind: FaultKind, description: string, ...requirements: string[]): FaultSpec => ({ kind, description, requirements });

/** A fault a real machine cannot show (see FaultSpec.unseenOnRealPath). */
export const unseen = (spec: FaultSpec, why: string): FaultSpec => ({ ...spec, unseenOnRealPath: why });
