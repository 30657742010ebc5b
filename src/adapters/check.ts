/**
 * What `tdx-conformance check-adapter` finds out about an adapter: what it claims (description,
 * capabilities, facets) and whether the claims hold. A fresh target is asked the questions its
 * description answers too (topology, CMRs, the TD's module) and restored untouched; then the whole
 * suite runs on it through an observer that notes every answer. Findings:
 *
 * - a capability declared but unanswered: the suite asked the methods it is used through, and
 *   every answer was "unobservable";
 * - answers that contradict the description (CPUs, packages, CMRs, module version; a role without
 *   its facet; a capability without its facet);
 * - answers that break the contract (wrong shapes, errors: those scenarios were blocked);
 * - a missing or failing restore.
 */
import type { Envelope } from '@cucumber/messages';
import {
  isUnobservable, type Capability, type MemoryRegion, type ModuleDescription, type Target, type TargetDescription, type TargetFactory,
} from '../../backends/port';
import { scenarioResults, type ScenarioResult } from '../reports/results';

export type FindingKind = 'declared-unanswered' | 'contradicts-description' | 'contract' | 'restore';

export interface AdapterFinding {
  kind: FindingKind;
  what: string;
  detail: string;
}

export interface CallTally {
  answered: number;
  unobservable: number;
  errors: number;
  /** A few distinct reasons or errors. */
  samples: string[];
}

export interface AdapterReport {
  adapter: string;
  description: TargetDescription;
  capabilities: Capability[];
  facets: string[];
  calls: Record<string, CallTally>;
  scenarios: { total: number; passed: number; failed: number; skipped: number; blocked: number };
  findings: AdapterFinding[];
}

const FACETS = ['host', 'kvm', 'guest'] as const;

/** A factory whose targets' facets report every answer to `note` (unobservable, error, or answered). */
export function observedFactory(f: TargetFactory, note: (call: string, outcome: { unobservable?: string; error?: string }) => void): TargetFactory {
  const wrap = (facet: string, obj: object): object => new Proxy(obj, {
    get(t, k, receiver) {
      const v = Reflect.get(t, k, receiver);
      if (typeof v !== 'function' || typeof k !== 'string') return v;
      return (...args: unknown[]) => {
        try {
          const r = v.apply(t, args);
          note(`${facet}.${k}`, isUnobservable(r) ? { unobservable: r.unobservable } : {});
          return r;
        } catch (e) {
          note(`${facet}.${k}`, { error: (e as Error).message });
          throw e;
        }
      };
    },
  });
  return {
    description: f.description,
    capabilities: f.capabilities,
    create(grant) {
      const t = f.create(grant);
      return new Proxy(t, {
        get(target, k, receiver) {
          const v = Reflect.get(target, k, receiver);
          if ((FACETS as readonly unknown[]).includes(k) && v && typeof v === 'object') return wrap(k as string, v);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
  };
}

const sameRegions = (a: readonly MemoryRegion[], b: readonly MemoryRegion[]): boolean =>
  a.length === b.length && a.every((r, i) => r.base === b[i].base && r.end === b[i].end);
const moduleText = (m: Pick<ModuleDescription, 'major' | 'minor' | 'build'>): string => `${m.major}.${m.minor}${m.build === null ? '' : ` build ${m.build}`}`;

/** Questions without arguments that only read: check-adapter asks each declared capability's once. */
const READ_ONLY_QUESTIONS = new Set([
  'host.log', 'host.cpuinfo', 'host.tdmrs', 'host.tdxMemory', 'host.cmrs', 'host.tdKeyIds', 'host.sleepStates', 'host.metadataDump', 'host.tdxHostDevice',
  'guest.describe', 'guest.bootOutcome', 'guest.cpuFlags', 'guest.tdxGuestDevice', 'guest.log',
]);

/** Ask a fresh target what its description also says; restore it; findings. */
export async function probeDescription(f: TargetFactory): Promise<AdapterFinding[]> {
  const out: AdapterFinding[] = [];
  const d = f.description;
  let t: Target;
  try {
    t = f.create({ mayChangeMachine: false });
  } catch (e) {
    return [{ kind: 'contract', what: 'create', detail: `create() failed: ${(e as Error).message}` }];
  }
  for (const c of f.capabilities) {
    const facet = c.split('.')[0];
    if ((FACETS as readonly string[]).includes(facet) && !t[facet as (typeof FACETS)[number]]) {
      out.push({ kind: 'contradicts-description', what: c, detail: `declared, but the target has no ${facet} facet` });
    }
  }
  if (d.role === 'host' && !t.host) out.push({ kind: 'contradicts-description', what: 'role', detail: 'the description says host, but the target has no host facet' });
  if (d.role === 'guest' && !t.guest) out.push({ kind: 'contradicts-description', what: 'role', detail: 'the description says guest, but the target has no guest facet' });
  const ask = <T>(what: string, q: () => unknown, check: (v: T) => void): void => {
    try {
      const v = q();
      if (!isUnobservable(v)) check(v as T);
    } catch (e) {
      out.push({ kind: 'contract', what, detail: `threw: ${(e as Error).message}` });
    }
  };
  if (t.host) {
    ask<{ cpus: number; packages: number }>('host.topology', () => t.host!.topology(), (v) => {
      if (d.platform.logicalCpus !== null && v.cpus !== d.platform.logicalCpus) out.push({ kind: 'contradicts-description', what: 'host.topology', detail: `${v.cpus} CPUs, the description says ${d.platform.logicalCpus}` });
      if (d.platform.packages !== null && v.packages !== d.platform.packages) out.push({ kind: 'contradicts-description', what: 'host.topology', detail: `${v.packages} packages, the description says ${d.platform.packages}` });
    });
    ask<MemoryRegion[]>('host.cmrs', () => t.host!.cmrs(), (v) => {
      if (d.platform.cmrs && !sameRegions(v, d.platform.cmrs)) out.push({ kind: 'contradicts-description', what: 'host.cmrs', detail: `${v.length} CMRs that differ from the ${d.platform.cmrs.length} of the description` });
    });
  }
  if (t.guest) {
    ask<{ module: ModuleDescription | null }>('guest.describe', () => t.guest!.describe(), (v) => {
      if (v.module && d.module && (v.module.major !== d.module.major || v.module.minor !== d.module.minor || (v.module.build !== null && d.module.build !== null && v.module.build !== d.module.build))) {
        out.push({ kind: 'contradicts-description', what: 'guest.describe', detail: `module ${moduleText(v.module)}, the description says ${moduleText(d.module)}` });
      }
    });
  }
  // Each declared capability's questions that take no argument and change nothing, asked once.
  for (const c of f.capabilities) {
    for (const m of CAPABILITY_METHODS[c]) {
      if (!READ_ONLY_QUESTIONS.has(m)) continue;
      const [facet, method] = m.split('.') as [(typeof FACETS)[number], string];
      const obj = t[facet] as unknown as Record<string, () => unknown> | undefined;
      if (obj && typeof obj[method] === 'function') ask(m, () => obj[method](), () => undefined);
    }
  }
  if (!t.restore) out.push({ kind: 'restore', what: 'restore', detail: 'the target has no restore(): the suite cannot tell whether a scenario left the machine as it found it' });
  else {
    try {
      const r = await t.restore();
      if (!r.restored) out.push({ kind: 'restore', what: 'restore', detail: `a target nothing was done with reports it was not restored${r.detail ? `: ${r.detail}` : ''}` });
    } catch (e) {
      out.push({ kind: 'restore', what: 'restore', detail: `restore() failed: ${(e as Error).message}` });
    }
  }
  return out;
}

/**
 * The port methods through which a capability is used: a capability is "declared but unanswered"
 * when the suite asked these methods during its run and every answer was "unobservable".
 */
export const CAPABILITY_METHODS: Readonly<Record<Capability, readonly string[]>> = {
  'platform.arrange': [],
  'host.log': ['host.log'], 'host.cpuinfo': ['host.cpuinfo'], 'host.init': ['host.initTdx'], 'host.msr': ['host.rdmsr'],
  'host.seamcall': ['host.seamcall', 'host.sysConfig', 'host.mngInit'], 'host.metadata': ['host.readMetadata', 'host.metadataDump'],
  'host.tdmr': ['host.tdmrs', 'host.proposedTdmrs', 'host.tdxMemory', 'host.cmrs'], 'host.keyid': ['host.allocGuestKeyId', 'host.freeGuestKeyId'],
  'host.keyid-usage': ['host.tdKeyIds'], 'host.cpu-hotplug': ['host.cpuOffline', 'host.cpuOnline', 'host.cpuState'],
  'host.memory-hotplug': ['host.onlineMemory'], 'host.kexec': ['host.kexec'], 'host.suspend': ['host.suspend', 'host.sleepStates'],
  'host.mce': ['host.machineCheck', 'host.privatePage'], 'host.sysfs': ['host.tdxHostDevice'],
  'host.kernel-api': ['host.tdxCpuEnable', 'host.initCleanup'],
  'kvm.ioctl': ['kvm.checkExtension', 'kvm.createVm', 'kvm.vmCheckExtension', 'kvm.enableCap', 'kvm.setMsrFilter', 'kvm.setMemoryAttributes', 'kvm.addGuestMemory',
    'kvm.vmTdxCmd', 'kvm.createVcpu', 'kvm.vcpuTdxCmd', 'kvm.setCpuid', 'kvm.vcpuIoctl', 'kvm.mpState', 'kvm.signalMsi', 'kvm.run', 'kvm.answer', 'kvm.destroyVm'],
  'kvm.module': ['kvm.load', 'kvm.param'], 'kvm.test-guest': ['kvm.guestDo', 'kvm.guestView', 'kvm.guestExecute', 'kvm.vmmExits'],
  'kvm.seamcall-trace': ['kvm.seamcallTrace'], 'kvm.mmu': ['kvm.privateMappings', 'kvm.sharedMappings'],
  'guest.instructions': ['guest.execute'], 'guest.user-instructions': ['guest.execute'],
  'guest.files': ['guest.cpuFlags', 'guest.tdxGuestDevice', 'guest.bootOutcome', 'guest.measurements'], 'guest.cpuid': ['guest.cpuid'],
  'guest.msr': ['guest.rdmsr', 'guest.wrmsr'], 'guest.memory': ['guest.access', 'guest.convert', 'guest.pageAccepted'], 'guest.log': ['guest.log'],
  'guest.report': ['guest.tdxGuestIoctl'], 'guest.tsm': ['guest.tsmReport', 'guest.tsmItem', 'guest.tsmProvider'], 'guest.describe': ['guest.describe'],
  'guest.tdvmcall': [], 'guest.tdcall': ['guest.tdcall'],
};

/** Findings from the suite's run on the adapter (its messages) and the calls observed. */
export function runFindings(f: TargetFactory, envelopes: readonly Envelope[], calls: Record<string, CallTally>): { findings: AdapterFinding[]; results: ScenarioResult[] } {
  const results = scenarioResults(envelopes);
  const findings: AdapterFinding[] = [];
  for (const c of [...f.capabilities].sort()) {
    const methods = CAPABILITY_METHODS[c].filter((m) => calls[m]);
    const answered = methods.reduce((n, m) => n + calls[m].answered, 0);
    const unanswered = methods.reduce((n, m) => n + calls[m].unobservable, 0);
    if (methods.length && answered === 0 && unanswered > 0) {
      const reasons = methods.flatMap((m) => calls[m].samples.filter((x) => x.startsWith('unobservable: ')).map((x) => `${m}: ${x.slice(14)}`)).slice(0, 2);
      findings.push({ kind: 'declared-unanswered', what: c, detail: `the suite asked ${methods.join(', ')} ${unanswered === 1 ? 'once' : `${unanswered} times`} and every answer was "unobservable" (${reasons.join('; ')})` });
    }
  }
  for (const [call, t] of Object.entries(calls)) {
    if (t.errors) findings.push({ kind: 'contract', what: call, detail: `${t.errors} answers broke the contract: ${t.samples.filter((x) => x.startsWith('error: ')).slice(0, 2).join('; ')}` });
  }
  const blocked = results.filter((r) => r.status === 'blocked');
  if (blocked.length && !findings.some((x) => x.kind === 'contract')) {
    findings.push({ kind: 'contract', what: 'scenarios', detail: `${blocked.length} scenarios blocked: ${[...new Set(blocked.map((r) => r.skip?.reason ?? ''))].slice(0, 2).join('; ')}` });
  }
  const restoreFailures = results.filter((r) => r.status === 'failed' && /left changed after this scenario|not restored/.test(r.message ?? ''));
  if (restoreFailures.length) findings.push({ kind: 'restore', what: 'restore', detail: `${restoreFailures.length} scenarios ended with the target not restored` });
  return { findings, results };
}

export function formatReport(r: AdapterReport): string {
  const d = r.description;
  const lines = [
    `adapter ${r.adapter}`,
    `  claims: ${d.name} (role ${d.role}); kernel ${d.kernel.release ?? 'not known'} (flavour ${d.kernel.flavour ?? 'not known'}); module ${d.module ? moduleText(d.module) : 'none or not known'}`,
    `  facets: ${r.facets.join(', ') || 'none'}`,
    `  capabilities (${r.capabilities.length}): ${r.capabilities.join(', ') || 'none'}`,
    `  the suite on it: ${r.scenarios.passed} passed, ${r.scenarios.failed} failed, ${r.scenarios.skipped} skipped, ${r.scenarios.blocked} blocked of ${r.scenarios.total}`,
    '  answers by method (answered / unobservable / broke the contract):',
  ];
  for (const [call, t] of Object.entries(r.calls).sort()) lines.push(`    ${call.padEnd(28)} ${t.answered} / ${t.unobservable} / ${t.errors}${t.unobservable || t.errors ? `  e.g. ${t.samples[0]}` : ''}`);
  if (!r.findings.length) lines.push('claims hold: every declared capability was answered, nothing contradicts the description, restore works');
  else {
    lines.push(`findings (${r.findings.length}):`);
    const label: Record<FindingKind, string> = {
      'declared-unanswered': 'declared but unanswered', 'contradicts-description': 'contradicts the description', contract: 'breaks the contract', restore: 'restore',
    };
    for (const f of r.findings) lines.push(`  - ${label[f.kind]}: ${f.what}: ${f.detail}`);
  }
  return lines.join('\n');
}
