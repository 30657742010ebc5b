/**
 * One scenario's emulated platform: the setup its Given-steps arranged, and the system (platform,
 * TDX module, host kernel) started from that setup the first time the scenario looks at it. The
 * layers below (platform < module < host kernel < KVM, and the TD guest beside KVM) know nothing
 * of scenarios; this is where they are put together, and where the facets and the emulated
 * machine (above) find them.
 */
import type { Faults } from './faults';
import { enableTdxForKvm } from './kvm/bringup';
import { EmulatedKernel } from './host/kernel';
import { TdxModule } from './module';
import type { ModuleBuild } from './module/versions';
import { Platform, type PlatformConfig } from './platform/platform';
import type { Profile } from './profile';

/** Everything a scenario may change on the host platform before the system starts. */
export interface Setup {
  platform: PlatformConfig;
  build: ModuleBuild;
  moduleLoaded: boolean;
  cmdline: string[];
  offlineBeforeInit: number[];
  moduleUntouched: boolean;
  /** Logical CPUs on which VMXON is not done (with moduleUntouched). */
  vmxOffCpus: number[];
}

export interface System {
  platform: Platform;
  module: TdxModule | null;
  kernel: EmulatedKernel;
}

export function setupOfProfile(profile: Profile): Setup {
  return {
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
    vmxOffCpus: [],
  };
}

export class EmulatorScenario {
  readonly setup: Setup;
  /** State the facets keep per scenario (a TD, a VMM...), by facet-chosen key. */
  readonly ext = new Map<string, unknown>();
  private sys: System | null = null;

  constructor(readonly profile: Profile, readonly faults: Faults) {
    this.setup = setupOfProfile(profile);
  }

  get started(): boolean {
    return this.sys !== null;
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
      kernel.cpus.forEach((c, i) => { c.vmxOn = !s.vmxOffCpus.includes(i); });
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

  /** A kernel of the profile's flavour; up to v7.0 its first TDX user is KVM's bring-up. */
  newKernel(platform: Platform, module: TdxModule | null): EmulatedKernel {
    const p = this.profile;
    return new EmulatedKernel(platform, module, {
      flavour: p.kernel.flavour, release: p.kernel.release, cmdline: this.setup.cmdline, acpiSuspend: p.kernel.acpiSuspend,
      tdxUser: enableTdxForKvm,
    }, this.faults);
  }

  /** Replace the running kernel (kexec). */
  replaceKernel(k: EmulatedKernel): void {
    this.system().kernel = k;
  }
}
