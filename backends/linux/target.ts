/**
 * The linux target: a real machine, read live (`--target linux`) or from a capture
 * (`--snapshot PATH`). It describes itself from what it observed and declares only the
 * capabilities it really has, so that every scenario it cannot answer is skipped with a reason.
 * The machine is read once per run; each scenario gets a fresh target over that reading.
 */
import type { GuestFacet } from '../guest-facet';
import type { HostFacet } from '../host-facet';
import type { KvmFacet } from '../kvm-facet';
import type { Arrangement, ArrangeResult, Capability, ModuleDescription, ScenarioGrant, Target, TargetDescription, TargetFactory } from '../port';
import { arrangeOnReading } from './arrange';
import { CpuHotplug } from './cpu-hotplug';
import { msrKey } from './evidence';
import { linuxGuestFacet } from './guest';
import { linuxHostFacet } from './host';
import { linuxKvmFacet } from './kvm';
import { readLive, readSnapshot, type SourceReading } from './load';
import { cpuidProbeId } from './probes';

export interface LinuxTargetOptions {
  allowDestructive?: boolean;
  /** Path prefix for every probe, and PATH for its commands (tests point them at a fake machine). */
  root?: string;
  path?: string;
}

function moduleDescription(r: SourceReading): ModuleDescription | null {
  const m = r.facts.host?.module;
  if (!m || m.major === null || m.minor === null) return null;
  return { major: m.major, minor: m.minor, update: m.update, build: m.build, buildDate: m.buildDate, features0: null };
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

export function capabilitiesOf(r: SourceReading, opts: LinuxTargetOptions): Set<Capability> {
  const f = r.facts;
  const caps = new Set<Capability>();
  const isGuest = f.role === 'guest';
  if (r.evidence.log) caps.add(isGuest ? 'guest.log' : 'host.log');
  if (r.evidence.cpuFlags?.complete && r.evidence.cpuFlags.bugs) caps.add('host.cpuinfo');
  if (r.evidence.log && f.role === 'host') caps.add('host.init');
  const canCpuid = r.kind === 'linux' ? !!r.probes?.results.get(cpuidProbeId(0, 0, 0))?.ok : Object.keys(r.evidence.cpuid).length > 0;
  if (isGuest && canCpuid) caps.add('guest.cpuid');
  const msr = r.evidence.msrs[msrKey(0, 0x87)];
  if (msr && !('error' in msr)) caps.add('host.msr');
  if (r.evidence.sysfsModule || r.evidence.tdxHostVersion) caps.add('host.sysfs');
  if (r.kind === 'linux' && opts.allowDestructive && r.evidence.topology) caps.add('host.cpu-hotplug');
  return caps;
}

export class LinuxTarget implements Target {
  readonly host: HostFacet;
  /** Only a TD has a guest facet. */
  readonly guest?: GuestFacet;
  /** Only a live machine has a KVM to ask. */
  readonly kvm?: KvmFacet;
  private readonly hotplug: CpuHotplug | null;

  constructor(
    readonly reading: SourceReading,
    readonly description: TargetDescription,
    readonly capabilities: ReadonlySet<Capability>,
    opts: LinuxTargetOptions,
    grant: ScenarioGrant = { mayChangeMachine: false },
  ) {
    const live = reading.kind === 'linux';
    // A change needs both the run's --allow-destructive and a @destructive scenario, so only the
    // scenarios whose machine is restored afterwards can change it.
    const mayChange = live && !!opts.allowDestructive && grant.mayChangeMachine;
    this.hotplug = mayChange ? new CpuHotplug(opts.root ?? '/') : null;
    this.host = linuxHostFacet({ reading, live, root: opts.root ?? '/', hotplug: this.hotplug, allowDestructive: !!opts.allowDestructive });
    if (reading.facts.role === 'guest') this.guest = linuxGuestFacet(reading, live, opts.root ?? '/');
    if (live) this.kvm = linuxKvmFacet(opts.root ?? '/', opts.path);
  }

  arrange(a: Arrangement): ArrangeResult {
    return arrangeOnReading(this.reading, a);
  }

  async restore(): Promise<{ restored: boolean; detail?: string }> {
    if (!this.hotplug || !this.hotplug.touched) return { restored: true };
    return this.hotplug.restore();
  }
}

function factoryOver(reading: SourceReading, opts: LinuxTargetOptions): TargetFactory {
  const description = describeReading(reading);
  const capabilities = capabilitiesOf(reading, opts);
  return { description, capabilities, create: (grant) => new LinuxTarget(reading, description, capabilities, opts, grant) };
}

/** This machine, read once when the factory is made. */
export function linuxFactory(opts: LinuxTargetOptions = {}): TargetFactory {
  return factoryOver(readLive({ root: opts.root, path: opts.path }), opts);
}

/** A snapshot bundle or a kernel log file; bad input throws SnapshotError. */
export function snapshotFactory(path: string): TargetFactory {
  return factoryOver(readSnapshot(path), {});
}
