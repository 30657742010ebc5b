/**
 * The host facet of the emulator: the port's HostFacet answered by the emulated platform, module
 * and kernel, and the host arrangements (memory map, KeyIDs, module build, CPUs, command line).
 */
import { decodeFieldId, encodeFieldId } from '../../../spec/encodings/field-id';
import { SEAMCALL_LEAVES } from '../../../spec/encodings/seamcall';
import { status } from '../../../spec/abi/status';
import type { HostArrangement, HostFacet, KernelLog, TdmrReport } from '../../host-facet';
import { unobservable, type Arrangement, type ArrangeResult } from '../../port';
import { parseKernelLog } from '../../common/kernel-log';
import type { EmulatorScenario } from '../system';
import type { CpuidConfig } from '../module/versions';
import type { FacetPlugin } from './plugin';
import { err } from '../host/kernel';
import { rawSeamcall } from '../host/seamcall';
import { kexec } from '../host/kexec';
import { buildLayout, kmalloc, placeTdmrs, readSysMetadata, tdmrView } from '../host/module-init';
import { pamtKb } from '../host/tdmr';
import { memTotalKb } from '../host/meminfo';
import { tdxHostDevice } from '../host/tdx-host-device';
import { cpuModel } from '../../../spec/platform/cpu-models';

/**
 * Read a TDH.SYS.RDALL page as a host reads it (md_list_header_t, then sequences,
 * @src:mod-md-generic-1501): the header's size and sequence count bound the list; each sequence
 * header names its first element, holds (last field + 1) x (last element + 1) elements, and the
 * elements after the first take the codes that follow. A list that runs past its size or its
 * page is read up to there.
 */
function decodeMetadataList(page: Uint8Array | undefined): { id: bigint; value: bigint }[] {
  if (!page) return [];
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  // The host gave the module one 4 KiB page: nothing past it is the host's to read.
  const size = Math.min(view.getUint16(0, true), page.byteLength, 4096);
  const count = view.getUint16(2, true);
  const out: { id: bigint; value: bigint }[] = [];
  let offset = 8;
  for (let s = 0; s < count && offset + 8 <= size; s++) {
    const h = decodeFieldId(view.getBigUint64(offset, true));
    offset += 8;
    const n = (h.lastFieldInSequence + 1) * (h.lastElementInField + 1);
    for (let i = 0; i < n && offset + 8 <= size; i++, offset += 8) {
      out.push({ id: encodeFieldId({ ...h, lastElementInField: 0, lastFieldInSequence: 0, fieldCode: h.fieldCode + i }), value: view.getBigUint64(offset, true) });
    }
  }
  return out;
}

const LIST_OVERFLOW = status('TDX_METADATA_LIST_OVERFLOW');

const HOST_KINDS = new Set<HostArrangement['kind']>([
  'tdx-host', 'keyid-partitioning', 'hibernation-available', 'memory-map', 'cmrs',
  'cpus-offline-before-init', 'cpu-feature', 'module-feature', 'module-update-version', 'module-leaf', 'module-lacks-field', 'cpu-model',
  'module-untouched', 'mem-sleep', 'cpu-vendor', 'cpu-vmx-off', 'seamcall-gp', 'module-no-entropy', 'module-answers', 'module-cpuid-configs',
]);

function arrange(t: EmulatorScenario, a: Arrangement): ArrangeResult | undefined {
  if (!HOST_KINDS.has(a.kind as HostArrangement['kind'])) return undefined;
  t.beforeStart(a.kind);
  const s = t.setup;
  const h = a as HostArrangement;
  switch (h.kind) {
    case 'tdx-host': {
      // The profile's platform is the premise: a profile of a machine state other than a TDX host
      // (no module, one KeyID, hibernation on...) is not turned into one. Only the module's absence
      // is arranged, as a host whose BIOS loaded none.
      const why = !cpuModel(s.platform.cpuModel).keyIdMsr ? 'the CPU has no TME-MK, so no TDX KeyIDs'
        : !h.anyKeyIds && s.platform.tdxKeyIds < 2 ? `the BIOS announces ${s.platform.tdxKeyIds} TDX KeyIDs`
        : h.moduleLoaded !== false && !s.moduleLoaded ? 'the BIOS loaded no TDX module'
        : !h.hibernation && !s.cmdline.includes('nohibernate') ? 'hibernation is available (no nohibernate on the command line)'
        : null;
      if (why) return { met: false, reason: `the profile's platform is not a TDX host: ${why}` };
      if (h.moduleLoaded === false) s.moduleLoaded = false;
      if (h.hibernation) s.cmdline = s.cmdline.filter((x) => x !== 'nohibernate');
      break;
    }
    case 'keyid-partitioning':
      if (h.tdxKeyIds > 0 && !cpuModel(s.platform.cpuModel).keyIdMsr) return { met: false, reason: 'the CPU has no TME-MK: its BIOS can announce no KeyIDs' };
      s.platform = { ...s.platform, mktmeKeyIds: h.mktmeKeyIds, tdxKeyIds: h.tdxKeyIds };
      break;
    case 'hibernation-available':
      s.cmdline = s.cmdline.filter((t) => t !== 'nohibernate').concat(h.available ? [] : ['nohibernate']);
      break;
    case 'memory-map':
      s.platform = { ...s.platform, memory: h.regions, cmrs: h.regions.map((r) => ({ ...r })) };
      break;
    case 'cmrs':
      s.platform = { ...s.platform, cmrs: h.regions };
      break;
    case 'cpus-offline-before-init':
      s.offlineBeforeInit = h.cpus;
      break;
    case 'cpu-feature': {
      const f = s.platform.cpuFeatures.filter((x) => x !== h.feature);
      s.platform = { ...s.platform, cpuFeatures: h.present ? [...f, h.feature] : f };
      break;
    }
    case 'module-feature': {
      const bit = 1n << BigInt(h.bit);
      const f0 = s.build.features0 ?? 0n;
      const features0 = h.present ? f0 | bit : f0 & ~bit;
      s.build = { ...s.build, features0, metadata: { ...s.build.metadata, TDX_FEATURES0: features0 } };
      break;
    }
    case 'module-update-version':
      s.build = { ...s.build, update: h.update, metadata: { ...s.build.metadata, UPDATE_VERSION: h.update } };
      break;
    case 'module-leaf': {
      const extra = s.build.extraLeaves.filter((l) => l !== h.leaf);
      s.build = { ...s.build, extraLeaves: h.present ? [...extra, h.leaf] : extra };
      break;
    }
    case 'module-lacks-field':
      s.build = { ...s.build, globalFields: s.build.globalFields.filter((f) => f !== h.field) };
      break;
    case 'cpu-model':
      s.platform = { ...s.platform, cpuModel: h.model };
      break;
    case 'module-untouched':
      s.moduleUntouched = true;
      break;
    case 'cpu-vmx-off':
      s.vmxOffCpus = [...s.vmxOffCpus, h.cpu];
      break;
    case 'seamcall-gp':
      s.platform = { ...s.platform, seamcallGp: true };
      break;
    case 'module-no-entropy':
      s.platform = { ...s.platform, entropyShortfalls: { ...s.platform.entropyShortfalls, [h.leaf]: h.times } };
      break;
    case 'module-answers':
      if (!SEAMCALL_LEAVES.some((l) => l.name === h.leaf)) return { met: false, reason: `no SEAMCALL leaf ${h.leaf}` };
      s.build = { ...s.build, answers: { ...s.build.answers, [h.leaf]: h.status } };
      break;
    case 'module-cpuid-configs':
      s.build = { ...s.build, cpuidConfigs: cpuidConfigsOf(s.build.cpuidConfigs, h.count) };
      break;
    case 'cpu-vendor':
      // Every CPU model the emulator plays is Intel's.
      if (h.vendor !== 'GenuineIntel') return { met: false, reason: `the emulator plays only Intel CPUs, not ${h.vendor}` };
      break;
    case 'mem-sleep':
      // Deep needs firmware S3; the mode is the kernel's default, or mem_sleep_default= on the command line.
      if (h.mode === 'deep' && !t.profile.kernel.acpiSuspend) return { met: false, reason: 'the profile\'s firmware has no S3' };
      s.cmdline = s.cmdline.filter((x) => !x.startsWith('mem_sleep_default=')).concat([`mem_sleep_default=${h.mode}`]);
      break;
  }
  return { met: true };
}

/**
 * A module build with `count` CPUID configurations: its own, then further leaves of the hypervisor
 * range (configurable, all bits allowed), or the first `count` of its own.
 */
function cpuidConfigsOf(own: readonly CpuidConfig[], count: number): CpuidConfig[] {
  const out = own.slice(0, count);
  for (let i = 0; out.length < count; i++) out.push({ leaf: 0x40000100 + i, subleaf: 0xffffffff, eax: 0xffffffff, ebx: 0xffffffff, ecx: 0xffffffff, edx: 0xffffffff });
  return out;
}

function hostFacet(t: EmulatorScenario): HostFacet {
  const k = () => t.system().kernel;
  const cpuRange = (cpu: number) => cpu >= 0 && cpu < t.system().platform.cpus.length;
  return {
    log(): KernelLog {
      const lines = [...k().log.lines];
      return { lines, events: parseKernelLog(lines).events, complete: true };
    },
    cpuinfo() {
      const kern = k();
      const flags = [...kern.platform.config.cpuFeatures];
      if (kern.hostPlatform && kern.platformFlagShown) flags.push('tdx_host_platform');
      return { flags, bugs: [...kern.cpuBugs] };
    },
    initTdx: () => k().initTdx(),
    seamcall(cpu, rax, regs = {}) {
      const kern = k();
      if (!cpuRange(cpu)) throw new Error(`no logical CPU ${cpu}`);
      // The instruction as the kernel's __seamcall() reports it: #UD, #GP and VMfailInvalid as software statuses.
      const path = { module: kern.module, log: kern.log, cpus: kern.cpus, seamcallGp: kern.seamcallGp, terseErrors: false, onSeamcall: () => undefined };
      return rawSeamcall(path, cpu, rax, regs);
    },
    tdxCpuEnable(cpu, vmxon) {
      const kern = k();
      if (!cpuRange(cpu)) throw new Error(`no logical CPU ${cpu}`);
      kern.boot();
      // The caller's part of the contract: VMXON on this CPU before any SEAMCALL (or not).
      if (!kern.cpus[cpu].tdxEnabled) kern.cpus[cpu].vmxOn = vmxon;
      return kern.tdxCpuEnable(cpu);
    },
    initCleanup: () => k().initCleanup,
    readMetadata(fieldId) {
      const kern = k();
      if (kern.eras.metadata === 'sys-info') return { unobservable: 'this kernel reads no metadata field by field (TDH.SYS.INFO only)' };
      const cpu = kern.cpus.findIndex((c) => c.online && c.tdxEnabled);
      if (cpu < 0) return { result: err('EIO') };
      const r = readSysMetadata(kern, cpu, fieldId);
      return 'errno' in r ? { result: err(r.errno) } : { result: { ok: true }, value: r.value };
    },
    metadataDump() {
      const { kernel, platform, module } = t.system();
      const cpu = kernel.cpus.findIndex((c) => c.online && c.vmxOn);
      if (!module || cpu < 0) return { status: 0x8000ff00ffff0000n, elements: [] };
      const page = 0x2000000n;
      const rdall = SEAMCALL_LEAVES.find((l) => l.name === 'TDH.SYS.RDALL')!.number;
      const NA = (1n << 64n) - 1n;
      const elements: { id: bigint; value: bigint }[] = [];
      // A full page ends with TDX_METADATA_LIST_OVERFLOW and R8 naming where to go on.
      let start = NA;
      for (;;) {
        const r = module.seamcall(cpu, BigInt(rdall), { rdx: page, r8: start });
        if (r.status !== 0n && r.status !== LIST_OVERFLOW) return { status: r.status, elements };
        elements.push(...decodeMetadataList(platform.load<Uint8Array>(page)));
        start = r.out.r8 ?? NA;
        if (r.status === 0n || start === NA) return { status: r.status, elements };
      }
    },
    tdmrs(): TdmrReport {
      const kern = k();
      return { tdmrs: kern.init.tdmrs.map(tdmrView), pamtKb: pamtKb(kern.init.tdmrs), maxTdmrs: kern.init.sysinfo?.maxTdmrs ?? 0 };
    },
    tdxMemory: () => k().init.memlist.map((r) => ({ ...r })),
    rdmsr(cpu, msr) {
      if (!cpuRange(cpu)) throw new Error(`no logical CPU ${cpu}`);
      const v = t.system().platform.rdmsr(msr);
      return v === undefined ? { gp: true } : { value: v };
    },
    proposedTdmrs() {
      const kern = k();
      const md = kern.module?.build.metadata ?? t.setup.build.metadata;
      const layout = buildLayout(kern, {
        maxTdmrs: Number(md.MAX_TDMRS), maxReservedPerTdmr: Number(md.MAX_RESERVED_PER_TDMR),
        pamtEntrySizes: [Number(md.PAMT_4K_ENTRY_SIZE), Number(md.PAMT_2M_ENTRY_SIZE), Number(md.PAMT_1G_ENTRY_SIZE)],
      }, true);
      if (!layout.ok) return { unobservable: `the kernel could not lay out TDMRs for this platform (${layout.errno})` };
      return layout.tdmrs.map(tdmrView);
    },
    sysConfig(cpu, tdmrs, globalKeyId) {
      const kern = k();
      if (!kern.module) return { status: 0x8000ff00ffff0000n, out: {} };
      const c = kern.platform.config;
      const arrayPa = placeTdmrs(kern, tdmrs);
      const rax = BigInt(SEAMCALL_LEAVES.find((l) => l.name === 'TDH.SYS.CONFIG')!.number);
      return kern.module.seamcall(cpu, rax, { rcx: arrayPa, rdx: BigInt(tdmrs.length), r8: BigInt(globalKeyId ?? c.mktmeKeyIds + 1) });
    },
    mngInit(cpu, tdr, params) {
      const kern = k();
      if (!kern.module) return { status: 0x8000ff00ffff0000n, out: {} };
      // A TD_PARAMS is 1024 bytes, 1024-byte aligned (TD_PARAMS_ALIGN_IN_BYTES).
      const pa = kmalloc(kern, 1024n, 1024n);
      kern.platform.store(pa, { ...params, cpuidConfig: [...params.cpuidConfig], nonZeroReserved: [...(params.nonZeroReserved ?? [])] });
      const rax = BigInt(SEAMCALL_LEAVES.find((l) => l.name === 'TDH.MNG.INIT')!.number);
      return kern.module.seamcall(cpu, rax, { rcx: tdr, rdx: pa });
    },
    cmrs: () => t.system().platform.config.cmrs.map((r) => ({ ...r })),
    memTotalKb: () => memTotalKb(k()),
    tdKeyIds() {
      const tdx = k().tdx;
      if (!tdx) return unobservable('no TDX host platform: the kernel hands out no TD KeyIDs');
      return { inUse: tdx.guestKeyIds.size, capacity: k().nrGuestKeyIds() };
    },
    allocGuestKeyId: () => k().allocGuestKeyId(),
    freeGuestKeyId: (id) => k().freeGuestKeyId(id),
    cpuOffline: (cpu) => k().cpuOffline(cpu),
    cpuOnline: (cpu) => k().cpuOnline(cpu),
    onlineMemory: (base, end) => k().onlineMemory(base, end),
    kexec() {
      const cur = k();
      const run = kexec(cur, () => t.newKernel(cur.platform, cur.module));
      if (run.next) t.replaceKernel(run.next);
      return { load: run.load, cachesFlushed: run.cachesFlushed, shutdownLog: run.shutdownLog && { lines: run.shutdownLog, events: parseKernelLog(run.shutdownLog).events, complete: true }, newKernelInit: run.newKernelInit };
    },
    suspend: (state) => k().suspend(state),
    sleepStates: () => k().sleepStates(),
    tdxHostDevice: () => tdxHostDevice(k()),
    machineCheck: (pa, fatal) => k().machineCheck(pa, fatal),
    privatePage() {
      const first = k().init.tdmrs[0];
      if (!first?.pamt) return { unobservable: 'the kernel holds no PAMT (TDX not initialised)' };
      return first.pamt.base;
    },
    cpuState(cpu) {
      const c = k().cpus[cpu];
      if (!c) throw new Error(`no logical CPU ${cpu}`);
      return { online: c.online, tdxEnabled: c.tdxEnabled, cacheIncoherent: c.cacheIncoherent };
    },
    topology() {
      const p = t.system().platform;
      return { cpus: p.cpus.length, packages: p.packages, packageOf: (cpu: number) => p.packageOf(cpu) };
    },
  };
}

export const hostPlugin: FacetPlugin = {
  capabilities: [
    'host.log', 'host.cpuinfo', 'host.init', 'host.msr', 'host.seamcall', 'host.metadata', 'host.tdmr', 'host.keyid', 'host.keyid-usage',
    'host.cpu-hotplug', 'host.memory-hotplug', 'host.kexec', 'host.suspend', 'host.mce', 'host.kernel-api', 'host.sysfs',
  ],
  arrange,
  attach: (t) => ({ host: hostFacet(t) }),
};
