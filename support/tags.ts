/**
 * Tag families the suite understands. Everything a scenario says about itself beyond Gherkin is a
 * tag of one of these families; the spec lint rejects any other.
 */
export const TAG_FAMILIES = {
  req: 'requirement id (exactly one per scenario, on its Rule)',
  src: 'normative source id from spec/sources.yaml',
  era: 'kernel era the scenario applies to: @era:<dimension>=<value> (same dimension: any of; different: all of)',
  kernel: 'kernel version range: @kernel:>=6.14, @kernel:<7.1 (all must hold)',
  module: 'TDX module version range: @module:>=1.5, @module:<2.0, @module:=1.0 (all must hold)',
  needs: 'capability the target must have: @needs:host.seamcall',
  role: 'role the target must play: @role:host, @role:guest, @role:none',
  severity: 'blocker | critical | normal | minor (Allure severity)',
  id: 'stable test-case id for a scenario whose name may change',
} as const;

/** Tags without a value. */
export const PLAIN_TAGS = {
  '@host': 'area: the TDX host kernel',
  '@kvm': 'area: KVM',
  '@guest': 'area: the TD guest',
  '@destructive': 'changes the machine; runs on a real target only with --allow-destructive',
  '@slow': 'takes more than a second on the emulator',
} as const;

export type TagFamily = keyof typeof TAG_FAMILIES;

export interface ParsedTag {
  family: TagFamily | null;
  value: string;
  raw: string;
}

// Every scenario's tags are parsed before it runs; the same few hundred tags recur.
const parsed = new Map<string, Readonly<ParsedTag>>();

export function parseTag(raw: string): Readonly<ParsedTag> {
  let t = parsed.get(raw);
  if (!t) {
    const m = /^@([a-z]+):(.+)$/.exec(raw);
    t = m && Object.prototype.hasOwnProperty.call(TAG_FAMILIES, m[1]) ? { family: m[1] as TagFamily, value: m[2], raw } : { family: null, value: raw, raw };
    parsed.set(raw, t);
  }
  return t;
}

export const isKnownTag = (raw: string): boolean =>
  parseTag(raw).family !== null || Object.prototype.hasOwnProperty.call(PLAIN_TAGS, raw);

export function tagValues(tags: readonly string[], family: TagFamily): string[] {
  return tags.map(parseTag).filter((t) => t.family === family).map((t) => t.value);
}

export type Area = 'host' | 'kvm' | 'guest';

export function areaOf(tags: readonly string[]): Area | null {
  for (const a of ['host', 'kvm', 'guest'] as const) if (tags.includes('@' + a)) return a;
  return null;
}
