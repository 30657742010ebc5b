/**
 * What the emulated machine's files and ioctls are rendered from: the scenario's running kernel,
 * its KVM, and what user space has loaded (the msr and cpuid drivers are modules a distribution
 * may or may not load).
 */
import { compareVersions } from '../../../spec/kernel/versions';
import type { EmulatedKernel } from '../host/kernel';
import type { EmulatedKvm } from '../kvm/kvm';

export interface UserspaceConfig {
  /** /dev/cpu/N/msr exists (the msr module is loaded). */
  msrDriver: boolean;
  /** /dev/cpu/N/cpuid exists (the cpuid module is loaded). */
  cpuidDriver: boolean;
}

export interface MachineState {
  readonly kernel: EmulatedKernel;
  readonly kvm: EmulatedKvm;
  readonly userspace: UserspaceConfig;
  /** The kernel is this upstream version or later (its flavour's base). */
  kernelAtLeast(version: string): boolean;
}

export function machineState(kernel: () => EmulatedKernel, kvm: EmulatedKvm, userspace: UserspaceConfig): MachineState {
  return {
    get kernel() {
      return kernel();
    },
    kvm,
    userspace,
    kernelAtLeast: (v) => compareVersions(kernel().config.flavour.base, v) >= 0,
  };
}
