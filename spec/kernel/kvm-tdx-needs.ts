/**
 * What KVM's TDX bring-up (tdx_bringup()) checks before it offers TDs, in the order it checks
 * (@src:kvm-tdx-c-616; from v7.1 the host core checks the CPU at boot and KVM asks only whether
 * the host platform is usable, @src:kvm-tdx-c-next). Scenarios use it as a premise: a machine
 * where something else is off is not the machine a scenario describes, so it is skipped there,
 * never failed. It is not an oracle: what KVM logs and answers is written in the feature files.
 */
import type { Eras } from './flavours';

export interface KvmTdxNeed {
  /** A kvm or kvm_intel module parameter that must be on (it reads Y in sysfs only where the hardware has the feature too). */
  param?: string;
  /** The CPU feature behind the parameter, or the one checked directly, by the kernel's feature name. */
  cpuFeature?: string;
  /** Checked only by kernels of this init era (KVM up to v7.0 checks more of the CPU itself). */
  init?: Eras['init'];
}

export const KVM_TDX_NEEDS: readonly KvmTdxNeed[] = [
  { param: 'kvm_intel.ept', cpuFeature: 'ept' },
  { param: 'kvm.tdp_mmu', cpuFeature: 'tdp_mmu' },
  { param: 'kvm.mmio_caching' },
  { param: 'kvm_intel.eptad', cpuFeature: 'ept_ad' },
  { param: 'kvm_intel.enable_apicv', cpuFeature: 'apicv' },
  // X86_FEATURE_OSXSAVE is not shown in /proc/cpuinfo; the kernel sets CR4.OSXSAVE wherever it keeps XSAVE.
  { cpuFeature: 'xsave' },
  { cpuFeature: 'movdir64b', init: 'on-demand' },
  { cpuFeature: 'self_snoop', init: 'on-demand' },
  { param: 'kvm.enable_virt_at_load', init: 'on-demand' },
];

/** The needs a kernel of these eras checks, leaving out what a scenario turns off itself. */
export function kvmTdxNeeds(eras: Eras | null, except: readonly string[]): KvmTdxNeed[] {
  return KVM_TDX_NEEDS.filter((n) => (!n.init || !eras || n.init === eras.init)
    && !except.includes(n.param ?? '') && !except.includes(n.cpuFeature ?? ''));
}
