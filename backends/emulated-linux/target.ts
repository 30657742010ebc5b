/**
 * The emulated-linux target: the linux backend, unchanged, over the emulated machine of an
 * emulator profile (backends/emulator/machine). It proves the real-machine path in CI: it has
 * exactly the capabilities the linux target has on such a machine (no arranging a platform, no
 * raw SEAMCALLs; Given-steps are compared with what it observes), and each scenario gets a
 * freshly booted machine, as every target gives a fresh system per scenario.
 */
import { Faults, faultsFromEnv } from '../emulator/faults';
import { EmulatedMachine } from '../emulator/machine/machine';
import { defaultProfileName, profileNamed, type Profile } from '../emulator/profile';
import { EmulatorScenario } from '../emulator/system';
import { readMachine } from '../linux/load';
import { linuxTargetFactory } from '../linux/target';
import type { TargetFactory } from '../port';

export function emulatedMachine(profile: Profile, faults: Faults): EmulatedMachine {
  return new EmulatedMachine(new EmulatorScenario(profile, faults), profile.userspace);
}

export function emulatedLinuxFactory(profileName?: string, extraFaults: readonly string[] = []): TargetFactory {
  const profile = profileNamed(profileName ?? defaultProfileName());
  const faults = new Faults([...profile.faults, ...faultsFromEnv(), ...extraFaults]);
  const reading = readMachine(emulatedMachine(profile, faults), 'emulated-linux', profile.name);
  const f = linuxTargetFactory(reading, () => emulatedMachine(profile, faults), {}, true);
  return { ...f, description: { ...f.description, faults: faults.list() } };
}
