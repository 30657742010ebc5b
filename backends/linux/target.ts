/**
 * The linux target: a real machine read through the kernel-interface seam, live (`--target
 * linux`), from a capture (`--snapshot PATH`), or an emulated machine (`--target emulated-linux`,
 * composed in backends/emulated-linux). It describes itself from what it observed and declares
 * only the capabilities it really has, so that every scenario it cannot answer is skipped with a
 * reason. The machine is read once per run; each scenario gets a fresh target, with the seam of
 * its own (the same live machine, a fresh emulated one, or a fresh replay of the capture).
 *
 * A scenario may create VMs and TDs, as any VMM may; its end closes them all and checks that the
 * kernel's count of TD KeyIDs in use (the misc cgroup) is back where it was.
 */
import { hostname } from 'node:os';
import type { GuestFacet } from '../guest-facet';
import type { HostFacet } from '../host-facet';
import type { KernelInterface } from '../kernel-interface';
import type { KvmFacet } from '../kvm-facet';
import {
  isUnobservable, type Arrangement, type ArrangeResult, type Capability, type ModuleDescription, type ScenarioGrant, type Target,
  type TargetDescription, type TargetFactory,
} from '../port';
import { arrangeOnReading } from './arrange';
import { CpuHotplug } from './cpu-hotplug';
import { msrKey } from './evidence';
import { guestCapabilitiesOf, linuxGuestFacet } from './guest';
import { linuxHostFacet } from './host';
import { KvmSession, linuxKvmFacet } from './kvm';
import { readMachine, readSnapshot, type SourceReading } from './load';
import { cpuidProbeId } from './probes';
import { ThisMachine } from './real/this-machine';

export interface LinuxTargetOptions {
  allowDestructive?: boolean;
  /** Path prefix for every file, and PATH for the log commands (tests point them at a fake machine). */
  root?: string;
  path?: string;
}

/** The seam a scenario talks through: a function, so an emulated machine can be fresh per scenario. */
export type InterfaceSource = () => KernelInterface | null;

/** The KVM API version every KVM since 2.6.22 answers (KVM_API_VERSION, uapi/linux/kvm.h). */
const KVM_API_VERSION = 12;

function moduleDescription(r: SourceReading): ModuleDescription | null {
  const h = r.facts.host;
  const m = h?.module;
  if (m && m.major !== null && m.minor !== null) {
    const source = r.evidence.sysfsModule || r.evidence.tdxHostVersion ? 'sysfs' : 'kernel-log';
    return { major: m.major, minor: m.minor, update: m.update, build: m.build, buildDate: m.buildDate, features0: null, source };
  }
  // A kernel that reads global metadata with TDH.SYS.RD initialised this module: TDX 1.0 has no
  // TDH.SYS.RD, so the module is at least 1.5 (@src:capture-canonical-tdx-331, @src:mod-1.0).
  const era = r.facts.kernel.eras?.metadata;
  if (h?.init === 'initialized' && (era === '16bit-only' || era === 'any-size')) {
    return { major: 1, minor: 5, update: null, build: null, buildDate: null, features0: null, atLeast: true, source: 'inferred' };
  }
  return null;
}

export function describeReading(r: SourceReading): TargetDescription {
  const f = r.facts;
  const t = r.evidence.topology;
  const packages = t && t.present.every((c) => t.packageOf[c] !== undefined) ? new Set(Object.values(t.packageOf)).size : null;
  const part = f.platform.keyIdPartitioning;
  const range = f.host?.keyIdRange ?? (part && part.mktme !== null && part.tdx > 0 ? [part.mktme + 1, part.mktme + 1 + part.tdx] : null);
  return {
    kind: r.kind,
    name: r.name,
    role: f.role,
    kernel: { release: f.kernel.release, flavour: f.kernel.flavour },
    module: moduleDescription(r),
    platform: {
      cpuModel: f.platform.cpu.modelName,
      packages,
      logicalCpus: t ? t.present.length : null,
      // Neither the memory map nor the CMRs are known apart from the log itself.
      memory: null,
      cmrs: null,
      keyIds: range ? { start: range[0], end: range[1] } : null,
      errata: f.platform.cpuFlags?.tdxPwMce ? ['tdx_pw_mce'] : [],
    },
    notes: [`role: ${f.role} (${f.roleEvidence.join('; ')})`, ...f.warnings],
  };
}

/** An emulated machine, or a capture's recorded answers: nothing a scenario does to it is lasting. */
const isDisposable = (r: SourceReading, interfaces: boolean): boolean => r.kind === 'emulated-linux' || (r.kind === 'snapshot' && interfaces);

export function capabilitiesOf(r: SourceReading, opts: LinuxTargetOptions, interfaces: boolean): Set<Capability> {
  const f = r.facts;
  const ev = r.evidence;
  const caps = new Set<Capability>();
  const isGuest = f.role === 'guest';
  const machine = r.kind !== 'snapshot';
  if (ev.log) caps.add(isGuest ? 'guest.log' : 'host.log');
  if (ev.cpuFlags?.complete && ev.cpuFlags.bugs && ev.cpuFlags.bugsComplete) caps.add('host.cpuinfo');
  if (ev.log && f.role === 'host') caps.add('host.init');
  const canCpuid = machine ? !!r.probes?.results.get(cpuidProbeId(0, 0, 0))?.ok : Object.keys(ev.cpuid).length > 0;
  if (isGuest && canCpuid) caps.add('guest.cpuid');
  if (isGuest) for (const c of guestCapabilitiesOf(r, interfaces)) caps.add(c);
  const msr = ev.msrs[msrKey(0, 0x87)];
  if (msr && !('error' in msr)) caps.add('host.msr');
  // sysfs: what a capture read of it, or any machine the seam can still ask (the tdx_host device is looked for there).
  if (ev.sysfsModule || ev.tdxHostVersion || (interfaces && f.role !== 'guest')) caps.add('host.sysfs');
  if (ev.miscTdx?.capacity != null && interfaces) caps.add('host.keyid-usage');
  // KVM answers ioctls here (or the capture recorded its answers).
  if (ev.devKvm && ev.kvmApiVersion === KVM_API_VERSION && interfaces) caps.add('kvm.ioctl');
  if (ev.devKvm && Object.keys(ev.kvmParams).length > 0) caps.add('kvm.module');
  if (r.kind === 'linux' && opts.allowDestructive && ev.topology) caps.add('host.cpu-hotplug');
  // An emulated machine (or a replayed capture, which answers what was recorded) is thrown away
  // after each scenario: it may be changed, and put to sleep.
  if (isDisposable(r, interfaces) && ev.topology) caps.add('host.cpu-hotplug');
  if (isDisposable(r, interfaces) && ev.sleepStates) caps.add('host.suspend');
  return caps;
}

export class LinuxTarget implements Target {
  readonly host: HostFacet;
  /** Only a TD has a guest facet. */
  readonly guest?: GuestFacet;
  readonly kvm?: KvmFacet;
  private readonly hotplug: CpuHotplug | null;
  private readonly session: KvmSession | null;
  /** TD KeyIDs in use when the scenario started, once it touched KVM. */
  private keyIdsBefore: number | null | undefined;

  constructor(
    readonly reading: SourceReading,
    readonly description: TargetDescription,
    readonly capabilities: ReadonlySet<Capability>,
    private readonly ki: KernelInterface | null,
    opts: LinuxTargetOptions,
    grant: ScenarioGrant = { mayChangeMachine: false },
  ) {
    const live = reading.kind === 'linux';
    // A change needs both the run's --allow-destructive and a @destructive scenario, so only the
    // scenarios whose machine is restored afterwards can change it.
    // An emulated machine, or the replay of a capture, is fresh per scenario and thrown away
    // after it: its @destructive scenarios change it without asking.
    const disposable = isDisposable(reading, ki !== null);
    const mayChange = (disposable || (live && !!opts.allowDestructive)) && grant.mayChangeMachine && ki !== null;
    this.hotplug = mayChange ? new CpuHotplug(ki!) : null;
    const pastBoot = { reached: false };
    this.host = linuxHostFacet({ reading, live: reading.kind !== 'snapshot', ki, hotplug: this.hotplug, allowDestructive: !!opts.allowDestructive, pastBoot, disposable });
    // An emulated TD is fresh per scenario, so a scenario may change it; a real one only when allowed.
    if (reading.facts.role === 'guest') this.guest = linuxGuestFacet({ reading, ki, live: reading.kind !== 'snapshot', mayChange: disposable || mayChange });
    this.session = ki ? new KvmSession(ki) : null;
    if (this.session) {
      const facet = linuxKvmFacet(this.session);
      const createVm = facet.createVm.bind(facet);
      const load = facet.load.bind(facet);
      // kvm_intel loads after boot: from here on the log shows what it said.
      facet.load = () => {
        pastBoot.reached = true;
        return load();
      };
      // The first VM: remember how many TD KeyIDs were in use, to check the end of the scenario.
      facet.createVm = (type) => {
        if (this.keyIdsBefore === undefined) this.keyIdsBefore = this.keyIdsInUse();
        return createVm(type);
      };
      this.kvm = facet;
    }
  }

  private keyIdsInUse(): number | null {
    const u = this.host.tdKeyIds();
    return isUnobservable(u) ? null : u.inUse;
  }

  arrange(a: Arrangement): ArrangeResult {
    return arrangeOnReading(this.reading, a);
  }

  async restore(): Promise<{ restored: boolean; detail?: string }> {
    const problems: string[] = [];
    if (this.session?.closeAll() && this.keyIdsBefore !== undefined && this.keyIdsBefore !== null) {
      const after = this.keyIdsInUse();
      if (after !== this.keyIdsBefore) {
        problems.push(`TD KeyIDs in use (misc cgroup "tdx") were ${this.keyIdsBefore} before the scenario and are ${after ?? 'unreadable'} after its VMs were closed`);
      }
    }
    if (this.hotplug?.touched) {
      const r = this.hotplug.restore();
      if (!r.restored) problems.push(r.detail ?? 'CPUs not restored');
    }
    return problems.length ? { restored: false, detail: problems.join('; ') } : { restored: true };
  }
}

/** A target factory over a reading and the seam each scenario gets. */
export function linuxTargetFactory(reading: SourceReading, interfaces: InterfaceSource, opts: LinuxTargetOptions, hasInterfaces: boolean): TargetFactory {
  const description = describeReading(reading);
  const capabilities = capabilitiesOf(reading, opts, hasInterfaces);
  return { description, capabilities, create: (grant) => new LinuxTarget(reading, description, capabilities, interfaces(), opts, grant) };
}

/** This machine, read once when the factory is made. */
export function linuxFactory(opts: LinuxTargetOptions = {}): TargetFactory {
  const machine = new ThisMachine(opts.root ?? '/', opts.path);
  const reading = readMachine(machine, 'linux', hostname());
  return linuxTargetFactory(reading, () => machine, opts, true);
}

/** A snapshot bundle or a kernel log file; bad input throws SnapshotError. */
export function snapshotFactory(path: string): TargetFactory {
  const r = readSnapshot(path);
  // A format-2 bundle answers the scenarios it recorded; any other step is "not in the capture".
  const t = r.transcript;
  return t ? linuxTargetFactory(r, () => t.session(), {}, true) : linuxTargetFactory(r, () => null, {}, false);
}

