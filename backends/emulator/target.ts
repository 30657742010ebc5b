/**
 * The emulator as a Target: a profile, the arrangements of one scenario, and the platform,
 * module and kernel built from them the first time the scenario looks at the system. Facets
 * (host, kvm, guest) are plugins (facets.ts): each declares its capabilities, handles its own
 * arrangements and builds its facet on top of this core.
 */
import type { GuestFacet } from '../guest-facet';
import type { HostFacet } from '../host-facet';
import type { KvmFacet } from '../kvm-facet';
import type { Arrangement, ArrangeResult, Capability, Target, TargetDescription, TargetFactory } from '../port';
import { FACET_PLUGINS } from './facets';
import { Faults, faultsFromEnv } from './faults';
import { EmulatedKernel } from './host/kernel';
import { TdxModule } from './module';
import type { ModuleBuild } from './module/versions';
import { Platform, type PlatformConfig } from './platform/platform';
import { defaultProfileName, profileNamed, type Profile } from './profile';

/** Everything a scenario may change on the host platform before the system starts. */
export interface Setup {
  platform: PlatformConfig;
  build: ModuleBuild;
  moduleLoaded: boolean;
  cmdline: string[];
  offlineBeforeInit: number[];
  moduleUntouched: boolean;
}

export interface System {
  platform: Platform;
  module: TdxModule | null;
  kernel: EmulatedKernel;
}

/** A facet of the emulator: capabilities, arrangements it understands, and the facet itself. */
export interface FacetPlugin {
  readonly capabilities: readonly Capability[];
  /** Apply an arrangement, or return undefined when it is not this facet's. */
  arrange?(t: EmulatorTarget, a: Arrangement): ArrangeResult | undefined;
  attach(t: EmulatorTarget): { host?: HostFacet; kvm?: KvmFacet; guest?: GuestFacet };
}

export const EMULATOR_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'platform.arrange',
  ...FACET_PLUGINS.flatMap((p) => p.capabilities),
]);

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
  readonly setup: Setup;
  /** State plugins keep per scenario (a TD, a VMM...), by plugin-chosen key. */
  readonly ext = new Map<string, unknown>();
  private sys: System | null = null;
  readonly host?: HostFacet;
  readonly kvm?: KvmFacet;
  readonly guest?: GuestFacet;

  constructor(readonly profile: Profile, readonly faults: Faults, readonly description: TargetDescription) {
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
    for (const plugin of FACET_PLUGINS) Object.assign(this, plugin.attach(this));
  }

  get started(): boolean {
    return this.sys !== null;
  }

  arrange(a: Arrangement): ArrangeResult {
    for (const plugin of FACET_PLUGINS) {
      const r = plugin.arrange?.(this, a);
      if (r) return r;
    }
    throw new Error(`the emulator has no way to arrange "${a.kind}"`);
  }

  /** Guard for arrangements that change the platform: they must come before it starts. */
  beforeStart(kind: string): void {
    if (this.sys) throw new Error(`step order: "${kind}" must be arranged before the scenario looks at the system`);
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

  /** Replace the running kernel (kexec). */
  replaceKernel(k: EmulatedKernel): void {
    this.system().kernel = k;
  }
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
