/**
 * The emulator as a Target: a profile, and for each scenario a fresh EmulatorScenario (system.ts)
 * with the facets (facets/) on top of it. Each facet declares its capabilities, handles its own
 * arrangements and answers the port from the scenario's system.
 */
import type { GuestFacet } from '../guest-facet';
import type { HostFacet } from '../host-facet';
import type { KvmFacet } from '../kvm-facet';
import type { Arrangement, ArrangeResult, Capability, Target, TargetDescription, TargetFactory } from '../port';
import { FACET_PLUGINS } from './facets';
import { Faults, faultsFromEnv } from './faults';
import { defaultProfileName, profileNamed, type Profile } from './profile';
import { EmulatorScenario } from './system';

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
    guest: { kernel: { release: p.guest.kernel.release, flavour: p.guest.kernel.flavour.name } },
    module: { major: b.major, minor: b.minor, update: b.update, build: b.build, buildDate: b.buildDate, features0: b.features0, source: 'profile' },
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
  readonly scenario: EmulatorScenario;
  readonly host?: HostFacet;
  readonly kvm?: KvmFacet;
  readonly guest?: GuestFacet;

  constructor(profile: Profile, faults: Faults, readonly description: TargetDescription) {
    this.scenario = new EmulatorScenario(profile, faults);
    for (const plugin of FACET_PLUGINS) Object.assign(this, plugin.attach(this.scenario));
  }

  arrange(a: Arrangement): ArrangeResult {
    for (const plugin of FACET_PLUGINS) {
      const r = plugin.arrange?.(this.scenario, a);
      if (r) return r;
    }
    throw new Error(`the emulator has no way to arrange "${a.kind}"`);
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
