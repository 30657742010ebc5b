/**
 * Decides, from a scenario's tags and a target's self-description, whether the scenario runs.
 * Eras come from the kernel flavour table (spec/kernel/flavours.ts), never from the target's own
 * statement of how it behaves. Every "no" carries a kind and a sentence for the reports.
 */
import { ERA_DIMENSIONS, eraOf, flavour, isEraDimension, isFlavourName, type Eras } from '../spec/kernel/flavours';
import { isCapability, type Capability, type TargetDescription } from '../backends/port';
import { compareVersions, parseRange, satisfies } from '../spec/kernel/versions';
import { tagValues } from './tags';

export { compareVersions, parseRange, satisfies } from '../spec/kernel/versions';

import type { SkipRecord } from './skip-record';

export type SkipKind = SkipRecord['kind'];

export type Decision = { runs: true } | { runs: false; kind: SkipKind; reason: string };

export interface GateContext {
  description: TargetDescription;
  capabilities: ReadonlySet<Capability>;
  allowDestructive: boolean;
}

/** The upstream version a target's kernel corresponds to. */
export function kernelBase(d: TargetDescription): string | null {
  if (d.kernel.flavour && isFlavourName(d.kernel.flavour)) return flavour(d.kernel.flavour).base;
  const m = d.kernel.release ? /^(\d+\.\d+)/.exec(d.kernel.release) : null;
  return m ? m[1] : null;
}

export function erasOf(d: TargetDescription): Eras | null {
  return d.kernel.flavour && isFlavourName(d.kernel.flavour) ? flavour(d.kernel.flavour).eras : null;
}

export function moduleVersion(d: TargetDescription): string | null {
  if (!d.module) return null;
  return d.module.update === null ? `${d.module.major}.${d.module.minor}` : `${d.module.major}.${d.module.minor}.${d.module.update}`;
}

export function decide(tags: readonly string[], ctx: GateContext): Decision {
  // A guest scenario is about the TD's kernel, where the target runs a TD besides its own kernel.
  const g = ctx.description.guest;
  const d = g && tags.includes('@guest') ? { ...ctx.description, kernel: g.kernel } : ctx.description;
  const notApplicable = (reason: string): Decision => ({ runs: false, kind: 'not-applicable', reason });
  const cannot = (reason: string): Decision => ({ runs: false, kind: 'cannot-observe', reason });

  for (const role of tagValues(tags, 'role')) {
    if (d.role === 'unknown') return cannot(`the target's role could not be determined (needs a ${role})`);
    if (d.role !== role) {
      const what = { host: 'not a TDX host', guest: 'not a TD guest', none: 'a TDX machine' }[role] ?? role;
      return notApplicable(`${what} (target role: ${d.role})`);
    }
  }

  // A TD's own kernel is not the kernel of the machine TDs run on: the host Rules (a TDX host, or
  // a machine without TDX) are not about it, whatever a TD shows of MSRs and logs.
  if (tags.includes('@host') && d.role === 'guest' && d.kind !== 'emulator') {
    return notApplicable('a TD guest: the host Rules are about the machine that runs TDs (target role: guest)');
  }

  const eraTags = tagValues(tags, 'era');
  if (eraTags.length > 0) {
    const eras = erasOf(d);
    const wanted = new Map<string, string[]>();
    for (const t of eraTags) {
      const [dim, value] = t.split('=');
      if (!isEraDimension(dim) || !(ERA_DIMENSIONS[dim] as readonly string[]).includes(value)) {
        throw new Error(`unknown era tag @era:${t}`);
      }
      wanted.set(dim, [...(wanted.get(dim) ?? []), value]);
    }
    for (const [dim, values] of wanted) {
      if (!eras) return cannot(`kernel flavour unknown (release ${d.kernel.release ?? 'unknown'}), so era ${dim}=${values.join('|')} cannot be decided`);
      const era = eraOf(flavour(d.kernel.flavour!), dim as keyof Eras);
      if ('undecided' in era) return cannot(`era ${dim} of ${d.kernel.flavour} (${d.kernel.release ?? 'release unknown'}) is undecided: ${era.undecided}`);
      const actual = era.value;
      if (!values.includes(actual)) {
        return notApplicable(`applies to kernels where ${dim}=${values.join(' or ')}; ${d.kernel.flavour} has ${dim}=${actual}`);
      }
    }
  }

  const kernelRanges = tagValues(tags, 'kernel');
  if (kernelRanges.length > 0) {
    const base = kernelBase(d);
    if (!base) return cannot('kernel version unknown');
    for (const r of kernelRanges) {
      if (!satisfies(base, r)) return notApplicable(`applies to kernels ${kernelRanges.join(' ')}; target kernel is ${base} (${d.kernel.release ?? '?'})`);
    }
  }

  const moduleRanges = tagValues(tags, 'module');
  if (moduleRanges.length > 0) {
    const v = moduleVersion(d);
    if (!v && d.role === 'none') return notApplicable('no TDX host platform: there is no TDX module to match');
    if (!v) return cannot('TDX module version unknown');
    for (const r of moduleRanges) {
      if (d.module?.atLeast) {
        // Only ">=" ranges can be decided from a lower bound, and only when the bound reaches them.
        const range = parseRange(r);
        if (range?.op === '>=' && satisfies(v, r)) continue;
        if ((range?.op === '<' || range?.op === '<=') && !satisfies(v, r)) return notApplicable(`applies to TDX modules ${moduleRanges.join(' ')}; target module is at least ${v}`);
        return cannot(`TDX module version known only as at least ${v}, which does not decide ${r}`);
      }
      // A module known as 1.5 does not decide a range that names an update (>=1.5.06, =1.5.01).
      if (!decidedBy(v, r)) return cannot(`TDX module known only as ${v}, which does not decide ${r}`);
      if (!satisfies(v, r)) return notApplicable(`applies to TDX modules ${moduleRanges.join(' ')}; target module is ${v}`);
    }
  }

  for (const need of tagValues(tags, 'needs')) {
    if (!isCapability(need)) throw new Error(`unknown capability @needs:${need}`);
    if (ctx.capabilities.has(need)) continue;
    // Say what the target is not, when that is why it lacks the capability.
    if (need.startsWith('guest.') && d.role !== 'guest' && d.role !== 'unknown' && d.kind !== 'emulator') {
      return notApplicable(`not a TD guest (target role: ${d.role})`);
    }
    if (need.startsWith('host.') && d.role !== 'host' && d.role !== 'unknown' && d.kind !== 'emulator') {
      return notApplicable(`no TDX host platform (target role: ${d.role})`);
    }
    return cannot(`target cannot ${describeNeed(need)} (capability ${need})`);
  }

  if (tags.includes('@destructive') && d.kind === 'linux' && !ctx.allowDestructive) {
    return { runs: false, kind: 'needs-opt-in', reason: 'changes the machine; rerun with --allow-destructive to include it' };
  }
  return { runs: true };
}

/** Whether a version with fewer parts than the range's (1.5 against 1.5.06) still decides it. */
function decidedBy(version: string, range: string): boolean {
  const want = parseRange(range)?.version.split('.') ?? [];
  const have = version.split('.');
  if (want.length <= have.length) return true;
  return compareVersions(version, want.slice(0, have.length).join('.')) !== 0;
}

function describeNeed(c: Capability): string {
  const words: Partial<Record<Capability, string>> = {
    'platform.arrange': 'configure the platform a scenario describes',
    'host.seamcall': 'issue raw SEAMCALLs',
  };
  return words[c] ?? `provide ${c}`;
}
