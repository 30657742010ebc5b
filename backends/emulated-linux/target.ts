/**
 * The emulated-linux target: the linux backend, unchanged, over the emulated machine of an
 * emulator profile (backends/emulator/machine). It proves the real-machine path in CI: it has
 * exactly the capabilities the linux target has on such a machine (no arranging a platform, no
 * raw SEAMCALLs; Given-steps are compared with what it observes), and each scenario gets a
 * freshly booted machine, as every target gives a fresh system per scenario.
 *
 * The role says which machine of the profile: the host (default), or the TD guest of its guest
 * section, seen from inside the TD.
 */
import { Faults, faultsFromEnv } from '../emulator/faults';
import { EmulatedGuestMachine } from '../emulator/machine/guest-machine';
import { EmulatedMachine } from '../emulator/machine/machine';
import { defaultProfileName, profileNamed, type Profile } from '../emulator/profile';
import { EmulatorScenario } from '../emulator/system';
import type { KernelInterface } from '../kernel-interface';
import { readMachine } from '../linux/load';
import { linuxTargetFactory } from '../linux/target';
import type { TargetFactory } from '../port';

export type EmulatedRole = 'host' | 'guest';
export const EMULATED_ROLES: readonly EmulatedRole[] = ['host', 'guest'];

export function emulatedMachine(profile: Profile, faults: Faults): EmulatedMachine {
  return new EmulatedMachine(new EmulatorScenario(profile, faults), profile.userspace);
}

/** The profile's machine in a role: the host, or the TD guest seen from inside. */
export function emulatedMachineAs(role: EmulatedRole, profile: Profile, faults: Faults): KernelInterface {
  return role === 'guest' ? new EmulatedGuestMachine(new EmulatorScenario(profile, faults)) : emulatedMachine(profile, faults);
}

export function emulatedLinuxFactory(profileName?: string, extraFaults: readonly string[] = [], role: EmulatedRole = 'host'): TargetFactory {
  const profile = profileNamed(profileName ?? defaultProfileName());
  const faults = new Faults([...profile.faults, ...faultsFromEnv(), ...extraFaults]);
  const name = role === 'guest' ? `${profile.name}-guest` : profile.name;
  const reading = readMachine(emulatedMachineAs(role, profile, faults), 'emulated-linux', name);
  const f = linuxTargetFactory(reading, () => emulatedMachineAs(role, profile, faults), {}, true);
  return { ...f, description: { ...f.description, faults: faults.list() } };
}
