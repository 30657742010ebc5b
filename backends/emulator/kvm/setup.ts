/**
 * What a scenario may change about KVM before it loads: module parameters (given on the kernel
 * command line, as distributions do), the CPU's EPT capabilities, and how the user-space VMM
 * answers exits while the guest model runs. The KVM facet keeps one per scenario.
 */
import type { KvmParam, VmmScript } from '../../kvm-facet';

export interface KvmSetup {
  /** The CPU's EPT supports 5-level paging (cpu_has_vmx_ept_5levels()). */
  ept5Level: boolean;
  vmmScript: VmmScript;
}

/** Parameters default to on (kvm_intel.tdx defaults to off) unless the command line says otherwise. */
export function kvmParam(cmdline: readonly string[], param: KvmParam): boolean {
  const given = [...cmdline].reverse().find((t) => t.startsWith(`${param}=`));
  if (given === undefined) return param !== 'kvm_intel.tdx';
  const v = given.slice(param.length + 1).toLowerCase();
  return v === '1' || v === 'y' || v === 'on' || v === 'true';
}
