/**
 * The guest model (guest/td.ts) running inside a TD that the emulated KVM built: its attributes,
 * XFAM, GPA width and vCPUs are those KVM_TDX_INIT_VM and KVM_TDX_INIT_VCPU gave the TD, and its
 * TDVMCALLs go through KVM's routing to the scripted user-space VMM (vmm.ts).
 */
import { defaultTdConfig } from '../guest/config';
import { EmulatedTd } from '../guest/td';
import { KvmTdvmcallSide } from '../kvm/vmm';
import type { KvmVm } from '../kvm/vm';

export function guestModel(vm: KvmVm): EmulatedTd {
  if (vm.guest) return vm.guest as EmulatedTd;
  const k = vm.kernel;
  const base = defaultTdConfig(k.module!.build, k.config.flavour, vm.faults);
  const vcpus = [...vm.vcpus.values()].filter((v) => v.state === 'INITIALIZED').length;
  const td = new EmulatedTd({ ...base, attributes: vm.attributes, xfam: vm.xfam, gpaWidth: vm.gpaw, vcpus }, new KvmTdvmcallSide(vm));
  vm.guest = td;
  return td;
}
