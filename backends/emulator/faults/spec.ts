/** What a fault is: a named deviation of the emulator and the requirements it must break. */
export type FaultKind = 'constant' | 'missing-check' | 'order' | 'route' | 'boundary' | 'era' | 'dialect' | 'value';

export interface FaultSpec {
  kind: FaultKind;
  description: string;
  /** Requirement ids (@req) whose scenarios should fail with this fault on. */
  requirements: readonly string[];
}

export const F = (kind: FaultKind, description: string, ...requirements: string[]): FaultSpec => ({ kind, description, requirements });
