/**
 * The KVM plugin of the emulator target: KVM capabilities, the KVM arrangements (module
 * parameters, EPT capabilities, the module's vCPU limit, the VMM script), and the kvm facet.
 */
import type { KvmArrangement } from '../../kvm-facet';
import type { Arrangement, ArrangeResult } from '../../port';
import type { EmulatorTarget, FacetPlugin } from '../target';
import { kvmFacet } from './facet';
import { kvmSetup } from './setup';

const KVM_KINDS = new Set<KvmArrangement['kind']>(['kvm-param', 'ept-5level', 'module-max-vcpus-per-td', 'vmm-script']);

function arrange(t: EmulatorTarget, a: Arrangement): ArrangeResult | undefined {
  if (!KVM_KINDS.has(a.kind as KvmArrangement['kind'])) return undefined;
  const k = a as KvmArrangement;
  const s = t.setup;
  switch (k.kind) {
    case 'kvm-param':
      // Module parameters come from the command line, read when kvm_intel loads at boot.
      t.beforeStart(k.kind);
      s.cmdline = s.cmdline.filter((x) => !x.startsWith(`${k.param}=`)).concat([`${k.param}=${k.value ? 1 : 0}`]);
      break;
    case 'ept-5level':
      kvmSetup(t).ept5Level = k.present;
      break;
    case 'module-max-vcpus-per-td':
      t.beforeStart(k.kind);
      s.build = { ...s.build, metadata: { ...s.build.metadata, MAX_VCPUS_PER_TD: k.value } };
      break;
    case 'vmm-script':
      kvmSetup(t).vmmScript = { ...kvmSetup(t).vmmScript, ...k.script };
      break;
  }
  return { met: true };
}

export const kvmPlugin: FacetPlugin = {
  capabilities: ['kvm.ioctl', 'kvm.module', 'kvm.test-guest', 'kvm.seamcall-trace', 'kvm.mmu'],
  arrange,
  attach: (t) => ({ kvm: kvmFacet(t) }),
};
