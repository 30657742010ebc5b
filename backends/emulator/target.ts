/**
 * The emulator as a Target: a profile, the arrangements of one scenario, and the platform,
 * module and kernel built from them the first time the scenario looks at the host.
 */
import { decodeFieldId, encodeFieldId } from '../../spec/abi/field-id';
import { SEAMCALL_LEAVES } from '../../spec/abi/seamcall';
import type { HostFacet, KernelLog, TdmrReport } from '../host-facet';
import {
  CAPABILITIES, type Arrangement, type ArrangeResult, type Capability, type Target, type TargetDescription,
  type TargetFactory,
} from '../port';
import { parseKernelLog } from '../shared/kernel-log';
import { Faults, faultsFromEnv } from './faults';
import { EmulatedKernel, err } from './host/kernel';
import { kexec } from './host/kexec';
import { buildLayout, placeTdmrs, readSysMetadata, tdmrView } from './host/module-init';
import { pamtKb } from './host/tdmr';
import { TdxModule } from './module';
import type { MetadataList } from './module/leaves/metadata-leaves';
import type { ModuleBuild } from './module/versions';
import { Platform, type PlatformConfig } from './platform/platform';
import { defaultProfileName, profileNamed, type Profile } from './profile';

/** Everything a scenario may change before the system starts. */
interface Setup {
  platform: PlatformConfig;
  build: ModuleBuild;
  moduleLoaded: boolean;
  cmdline: string[];
  offlineBeforeInit: number[];
  moduleUntouched: boolean;
}

interface System {
  platform: Platform;
  module: TdxModule | null;
  kernel: EmulatedKernel;
}

const EMULATOR_CAPABILITIES = new Set<Capability>(
  (Object.keys(CAPABILITIES) as Capability[]).filter((c) => c === 'platform.arrange' || c.startsWith('host.')),
);

export function describeProfile(p: Profile, faults: Faults): TargetDescription {
  const b = p.module;
  return {
    kind: 'emulator',
    name: p.name,
    role: 'host',
    kernel: { release: p.kernel.release, flavour: p.kernel.flavour.name },
    module: { major: b.major, minor: b.minor, update: b.update, build: b.build, buildDate: b.buildDate, features0: b.features0 },
    platform: {
      cpuModel: p.cpu.model,
      packages: p.cpu.packages,
      logicalCpus: p.cpu.packages * p.cpu.cpusPerPackage,
      memory: p.memory.regions,
      cmrs: p.memory.cmrs,
      keyIds: p.bios.tdxKeyIds > 0 ? { start: p.bios.mktmeKeyIds + 1, end: p.bios.mktmeKeyIds + 1 + p.bios.tdxKeyIds } : null,
      errata: [],
    },
    faults: faults.list(),
    notes: [p.description],
  };
}

export class EmulatorTarget implements Target {
  readonly capabilities = EMULATOR_CAPABILITIES;
  private readonly setup: Setup;
  private sys: System | null = null;
  readonly host: HostFacet;

  constructor(private readonly profile: Profile, private readonly faults: Faults, readonly description: TargetDescription) {
    this.setup = {
      platform: {
        cpuModel: profile.cpu.model,
        packages: profile.cpu.packages,
        cpusPerPackage: profile.cpu.cpusPerPackage,
        memory: profile.memory.regions,
        cmrs: profile.memory.cmrs,
        mktmeKeyIds: profile.bios.mktmeKeyIds,
        tdxKeyIds: profile.bios.tdxKeyIds,
        cpuFeatures: [...profile.cpu.features],
        physAddrBits: profile.memory.physAddrBits,
      },
      build: profile.module,
      moduleLoaded: profile.bios.moduleLoaded,
      cmdline: [...profile.kernel.cmdline],
      offlineBeforeInit: [],
      moduleUntouched: false,
    };
    this.host = hostFacet(this);
  }

  arrange(a: Arrangement): ArrangeResult {
    if (this.sys) throw new Error(`step order: "${a.kind}" must be arranged before the scenario looks at the system`);
    const s = this.setup;
    switch (a.kind) {
      case 'tdx-host':
        if (s.platform.tdxKeyIds < 2) return { met: false, reason: 'profile has no usable TDX KeyIDs' };
        break;
      case 'keyid-partitioning':
        s.platform = { ...s.platform, mktmeKeyIds: a.mktmeKeyIds, tdxKeyIds: a.tdxKeyIds };
        break;
      case 'module-loaded':
        s.moduleLoaded = a.loaded;
        break;
      case 'hibernation-available':
        s.cmdline = s.cmdline.filter((t) => t !== 'nohibernate').concat(a.available ? [] : ['nohibernate']);
        break;
      case 'memory-map':
        s.platform = { ...s.platform, memory: a.regions, cmrs: a.regions.map((r) => ({ ...r })) };
        break;
      case 'cmrs':
        s.platform = { ...s.platform, cmrs: a.regions };
        break;
      case 'cpus-offline-before-init':
        s.offlineBeforeInit = a.cpus;
        break;
      case 'cpu-feature': {
        const f = s.platform.cpuFeatures.filter((x) => x !== a.feature);
        s.platform = { ...s.platform, cpuFeatures: a.present ? [...f, a.feature] : f };
        break;
      }
      case 'module-feature': {
        const bit = 1n << BigInt(a.bit);
        const f0 = s.build.features0 ?? 0n;
        const features0 = a.present ? f0 | bit : f0 & ~bit;
        s.build = { ...s.build, features0, metadata: { ...s.build.metadata, TDX_FEATURES0: features0 } };
        break;
      }
      case 'module-leaf': {
        const extra = s.build.extraLeaves.filter((l) => l !== a.leaf);
        s.build = { ...s.build, extraLeaves: a.present ? [...extra, a.leaf] : extra };
        break;
      }
      case 'module-lacks-field': {
        const metadata = { ...s.build.metadata };
        delete metadata[a.field];
        s.build = { ...s.build, metadata };
        break;
      }
      case 'cpu-model':
        s.platform = { ...s.platform, cpuModel: a.model };
        break;
      case 'kvm-tdx-param':
        s.cmdline = s.cmdline.filter((t) => !t.startsWith('kvm_intel.tdx=')).concat([`kvm_intel.tdx=${a.enabled ? 1 : 0}`]);
        break;
      case 'module-untouched':
        s.moduleUntouched = true;
        break;
    }
    return { met: true };
  }

  /** The running system, started on first use. */
  system(): System {
    if (this.sys) return this.sys;
    const s = this.setup;
    const platform = new Platform(s.platform);
    const module = s.moduleLoaded ? new TdxModule(platform, s.build, this.faults) : null;
    const kernel = this.newKernel(platform, module);
    this.sys = { platform, module, kernel };
    if (s.moduleUntouched) {
      kernel.booted = true;
      for (const c of kernel.cpus) c.vmxOn = true;
      return this.sys;
    }
    if (kernel.eras.init === 'boot') {
      // Initialisation runs at boot: the CPUs must already be down (as with maxcpus=).
      for (const cpu of s.offlineBeforeInit) kernel.cpus[cpu].online = false;
      kernel.boot();
    } else {
      kernel.boot();
      for (const cpu of s.offlineBeforeInit) kernel.cpuOffline(cpu);
    }
    return this.sys;
  }

  newKernel(platform: Platform, module: TdxModule | null): EmulatedKernel {
    const p = this.profile;
    return new EmulatedKernel(platform, module, {
      flavour: p.kernel.flavour, release: p.kernel.release, cmdline: this.setup.cmdline, acpiSuspend: p.kernel.acpiSuspend,
    }, this.faults);
  }

  setupBuild(): ModuleBuild {
    return this.setup.build;
  }

  /** Replace the running kernel (kexec). */
  replaceKernel(k: EmulatedKernel): void {
    this.system().kernel = k;
  }
}

function hostFacet(t: EmulatorTarget): HostFacet {
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
      if (kern.hostPlatform) flags.push('tdx_host_platform');
      return { flags, bugs: [...kern.cpuBugs] };
    },
    initTdx: () => k().initTdx(),
    seamcall(cpu, rax, regs = {}) {
      const kern = k();
      if (!cpuRange(cpu)) throw new Error(`no logical CPU ${cpu}`);
      if (!kern.cpus[cpu].vmxOn) return { status: 0x8000ff0000000006n, out: {} };
      if (!kern.module) return { status: 0x8000ff00ffff0000n, out: {} };
      return kern.module.seamcall(cpu, rax, regs);
    },
    readMetadata(fieldId) {
      const kern = k();
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
      const r = module.seamcall(cpu, BigInt(rdall), { rdx: page, r8: (1n << 64n) - 1n });
      const list = platform.load<MetadataList>(page);
      const elements: { id: bigint; value: bigint }[] = [];
      // Decode the list: each sequence header names its first field; elements follow in order.
      for (const seq of list?.sequences ?? []) {
        const h = decodeFieldId(seq.header);
        seq.values.forEach((value, i) => {
          elements.push({ id: encodeFieldId({ ...h, lastElementInField: 0, lastFieldInSequence: 0, fieldCode: h.fieldCode + i }), value });
        });
      }
      return { status: r.status, elements };
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
      const md = kern.module?.build.metadata ?? t.setupBuild().metadata;
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
    allocGuestKeyId: () => k().allocGuestKeyId(),
    freeGuestKeyId: (id) => k().freeGuestKeyId(id),
    cpuOffline: (cpu) => k().cpuOffline(cpu),
    cpuOnline: (cpu) => k().cpuOnline(cpu),
    onlineMemory: (base, end) => k().onlineMemory(base, end),
    kexec() {
      const cur = k();
      const run = kexec(cur, () => t.newKernel(cur.platform, cur.module));
      if (run.next) t.replaceKernel(run.next);
      return { load: run.load, cachesFlushed: run.cachesFlushed, shutdownLog: run.shutdownLog, newKernelInit: run.newKernelInit };
    },
    suspend: (state) => k().suspend(state),
    sleepStates: () => k().sleepStates(),
    machineCheck: (pa) => k().machineCheck(pa),
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

/** A factory for one profile; the profile is parsed once, targets are fresh per scenario. */
export function emulatorFactory(profileName?: string, extraFaults: readonly string[] = []): TargetFactory {
  const profile = profileNamed(profileName ?? defaultProfileName());
  const faults = new Faults([...profile.faults, ...faultsFromEnv(), ...extraFaults]);
  const description = describeProfile(profile, faults);
  return {
    description,
    capabilities: EMULATOR_CAPABILITIES,
    create: () => new EmulatorTarget(profile, faults, description),
  };
}
