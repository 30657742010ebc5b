/**
 * The guest facet of the emulator: a TD built from the profile and the scenario's arrangements,
 * answering the port's GuestFacet.
 *
 * The TD runs on the profile's TDX module build (with the host arrangements applied to it); its
 * kernel and configuration are the profile's guest section (by default the host's kernel and the
 * TD a VMM creates for a Linux guest). The VMM is the minimal stub (vmm-stub.ts). The TD is
 * created, and boots, the first time a scenario looks at the guest; arrangements must come
 * before that. A TDCALL status the scenario arranged applies from its first request on, not to
 * the boot (the v6.16 driver asks for a TDREPORT while loading).
 */
import type { GuestArrangement, GuestFacet } from '../../guest-facet';
import { unobservable, type Arrangement, type ArrangeResult, type Capability } from '../../port';
import { parseKernelLog } from '../../common/kernel-log';
import type { EmulatorScenario } from '../system';
import type { FacetPlugin } from './plugin';
import { attributesAllowed, defaultTdConfig, flexiblePendingVeSupported, tdCtlsSupported, type TdConfig } from '../guest/config';
import { EmulatedTd } from '../guest/td';
import { StubVmm, type MmioRange } from './vmm-stub';
import type { VmmAnswer } from '../../guest-facet';
import type { TdvmcallLeaf } from '../../../spec/encodings/tdvmcall';
import type { TdcallLeaf } from '../../../spec/abi/tdcall';
import type { KernelLog } from '../../host-facet';

const GUEST_KINDS = new Set<GuestArrangement['kind']>([
  'td-guest', 'td-attributes', 'td-flexible-pending-ve', 'td-ctls-preset', 'td-topology-configured', 'gpa-width',
  'vmm-cpuid', 'vmm-answers', 'vmm-mmio', 'vmm-quote-time', 'unaccepted-memory', 'host-cpuid-lacks', 'module-tdcall-status',
]);

const SETUP = 'guest.setup';
const TD = 'guest.td';

/** What the scenario arranged for its TD, before the TD exists. */
interface GuestSetup {
  overrides: Partial<TdConfig>;
  scripts: { leaf: TdvmcallLeaf; answers: VmmAnswer[] }[];
  mmio: MmioRange[];
  /** Seconds the VMM takes for a quote (null: never); undefined: the profile's quote service. */
  quoteSeconds?: number | null;
}

interface RunningTd {
  td: EmulatedTd;
  vmm: StubVmm;
}

function setupOf(t: EmulatorScenario): GuestSetup {
  let s = t.ext.get(SETUP) as GuestSetup | undefined;
  if (!s) {
    s = { overrides: {}, scripts: [], mmio: [] };
    t.ext.set(SETUP, s);
  }
  return s;
}

function configOf(t: EmulatorScenario): TdConfig {
  const g = t.profile.guest;
  const base = defaultTdConfig(t.setup.build, g.kernel.flavour, t.faults);
  const profiled: Partial<TdConfig> = {
    // The profile's attributes hold for its own module build; an arranged build keeps its own default.
    ...(t.setup.build === t.profile.module ? { attributes: g.attributes } : {}),
    tdCtls: g.tdCtls, gpaWidth: g.gpaWidth, flexiblePendingVe: g.flexiblePendingVe,
    ...(g.topologyConfigured === null ? {} : { topologyConfigured: g.topologyConfigured }),
  };
  return { ...base, cpuModel: t.setup.platform.cpuModel, release: g.kernel.release, ...profiled, ...setupOf(t).overrides };
}

/** The scenario's TD, created and booted on first use. */
export function runningTd(t: EmulatorScenario): RunningTd {
  const existing = t.ext.get(TD) as RunningTd | undefined;
  if (existing) return existing;
  const setup = setupOf(t);
  const quoteSeconds = setup.quoteSeconds;
  const vmm = new StubVmm(quoteSeconds === undefined ? { quoteService: t.profile.guest.quoteService }
    : quoteSeconds === null ? { quoteService: false } : { quoteService: true, quoteSeconds });
  const { tdcallStatus, ...config } = configOf(t);
  const td = new EmulatedTd(config, vmm);
  td.boot();
  for (const [leaf, st] of Object.entries(tdcallStatus ?? {})) td.module.forceStatus(leaf as TdcallLeaf, st);
  // Scripted answers are for what the scenario does, not for boot.
  for (const s of setup.scripts) vmm.script(s.leaf, s.answers);
  for (const m of setup.mmio) vmm.addMmio(m);
  const r = { td, vmm };
  t.ext.set(TD, r);
  return r;
}

function arrange(t: EmulatorScenario, a: Arrangement): ArrangeResult | undefined {
  if (!GUEST_KINDS.has(a.kind as GuestArrangement['kind'])) return undefined;
  if (t.ext.has(TD)) throw new Error(`step order: "${a.kind}" must be arranged before the scenario looks at the guest`);
  const g = a as GuestArrangement;
  const s = setupOf(t);
  const build = t.setup.build;
  const o = s.overrides;
  switch (g.kind) {
    case 'td-guest':
      if (!t.setup.moduleLoaded) return { met: false, reason: 'no TDX module is loaded, so no TD can run' };
      if (t.setup.platform.tdxKeyIds < 2) return { met: false, reason: 'the platform has no TD KeyIDs' };
      break;
    case 'td-attributes': {
      const cur = o.attributes ?? configOf(t).attributes;
      const next = (cur | g.set) & ~g.clear;
      if (!attributesAllowed(build, next)) {
        return { met: false, reason: `TDX module ${build.id} does not allow TD attributes 0x${next.toString(16)} (ATTRIBUTES_FIXED0 0x${BigInt(build.metadata.ATTRIBUTES_FIXED0 ?? 0).toString(16)})` };
      }
      o.attributes = next;
      break;
    }
    case 'td-flexible-pending-ve':
      if (g.enabled && !flexiblePendingVeSupported(build)) return { met: false, reason: `TDX module ${build.id} has no FLEXIBLE_PENDING_VE config flag` };
      o.flexiblePendingVe = g.enabled;
      break;
    case 'td-ctls-preset':
      if ((g.bits & ~tdCtlsSupported(build)) !== 0n) return { met: false, reason: `TDX module ${build.id} does not implement TD_CTLS bits 0x${g.bits.toString(16)}` };
      o.tdCtls = (o.tdCtls ?? 0n) | g.bits;
      break;
    case 'td-topology-configured':
      if (g.configured && tdCtlsSupported(build) === 0n) return { met: false, reason: `TDX module ${build.id} has no topology enumeration` };
      o.topologyConfigured = g.configured;
      break;
    case 'gpa-width':
      o.gpaWidth = g.bits;
      break;
    case 'vmm-cpuid':
      o.vmmCpuid = [...(o.vmmCpuid ?? []), { leaf: g.leaf, subleaf: g.subleaf, reg: g.reg, value: g.value }];
      break;
    case 'host-cpuid-lacks':
      o.nativeCpuidClear = [...(o.nativeCpuidClear ?? []), { leaf: g.leaf, subleaf: g.subleaf, reg: g.reg, value: g.bits }];
      break;
    case 'vmm-answers':
      s.scripts.push({ leaf: g.leaf, answers: g.answers });
      break;
    case 'vmm-mmio':
      s.mmio.push({ gpa: g.gpa, size: g.size, value: g.value });
      break;
    case 'vmm-quote-time':
      s.quoteSeconds = g.seconds;
      break;
    case 'unaccepted-memory':
      o.unaccepted = [...(o.unaccepted ?? []), { gpa: g.gpa, pages: g.pages }];
      break;
    case 'module-tdcall-status':
      o.tdcallStatus = { ...(o.tdcallStatus ?? {}), [g.leaf]: g.status };
      break;
  }
  return { met: true };
}

/** The guest's kernel log, parsed. */
export function guestLog(td: EmulatedTd): KernelLog {
  const lines = td.logLines();
  return { lines, events: parseKernelLog(lines).events, complete: true };
}

function guestFacet(t: EmulatorScenario): GuestFacet {
  const td = () => runningTd(t).td;
  return {
    describe: () => td().describe(),
    bootOutcome: () => td().describe().boot,
    cpuFlags: () => td().describe().cpuFlags,
    tdxGuestDevice: () => td().describe().tdxGuestDevice,
    measurements: () => td().measurements(),
    writeRtmr: (index, data) => td().writeRtmr(index, data),
    tsmItem() {
      const r = td().tsmItem();
      return 'errno' in r ? unobservable('this kernel has no configfs-tsm (v6.7)') : r;
    },
    tsmProvider() {
      const r = td().tsmItem();
      return 'errno' in r ? unobservable('this kernel has no configfs-tsm (v6.7)') : r.provider;
    },
    log: () => guestLog(td()),
    execute: (vcpu, insn) => td().execute(vcpu, insn),
    cpuid: (vcpu, leaf, subleaf, mode) => td().cpuid(vcpu, leaf, subleaf, mode),
    rdmsr: (vcpu, msr) => td().rdmsr(vcpu, msr),
    wrmsr: (vcpu, msr, value) => td().wrmsr(vcpu, msr, value),
    access: (vcpu, a) => td().access(vcpu, a),
    convert: (gpa, pages, to) => td().convert(gpa, pages, to),
    pageAccepted: (gpa) => td().pageAccepted(gpa),
    tdxGuestIoctl: (req) => td().ioctl(req),
    tsmReport(inblob) {
      const { td: running, vmm } = runningTd(t);
      if (!running.kernel.tsm) return unobservable('this kernel has no configfs-tsm (v6.7)');
      const before = vmm.quoteRequests.length;
      const r = running.tsmReport(inblob);
      const q = vmm.quoteRequests.length > before ? vmm.quoteRequests[vmm.quoteRequests.length - 1] : undefined;
      return q ? { ...r, quoteRequest: q } : r;
    },
    tdcall: (vcpu, rax, regs) => td().module.tdcallRaw(vcpu, rax, regs),
  };
}

export const GUEST_EMULATOR_CAPABILITIES: readonly Capability[] = [
  'guest.instructions', 'guest.user-instructions', 'guest.files', 'guest.cpuid', 'guest.msr', 'guest.memory', 'guest.log', 'guest.report', 'guest.tsm',
  'guest.describe', 'guest.tdvmcall', 'guest.tdcall',
];

export const guestPlugin: FacetPlugin = {
  capabilities: GUEST_EMULATOR_CAPABILITIES,
  arrange,
  attach: (t) => ({ guest: guestFacet(t) }),
};
