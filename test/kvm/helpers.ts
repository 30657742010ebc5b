/** A TD built through the emulator's KVM facet, for the KVM tests. */
import assert from 'node:assert/strict';
import { emulatorFactory, type EmulatorTarget } from '../../backends/emulator/target';
import { emulatedKvm } from '../../backends/emulator/facets/kvm';
import type { KvmVm } from '../../backends/emulator/kvm/vm';
import type { KvmFacet } from '../../backends/kvm-facet';
import { TDX_TD_ATTR_SEPT_VE_DISABLE } from '../../spec/abi/kvm-uapi';
import { KVM_CAPS, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_TDX_CMDS } from '../../spec/encodings/kvm';

export interface BuiltTd {
  target: EmulatorTarget;
  kvm: KvmFacet;
  vm: number;
  vcpu: number;
  model: KvmVm;
}

export function buildTd(opts: { profile?: string; faults?: string[]; gpaw?: 48 | 52 } = {}): BuiltTd {
  const target = emulatorFactory(opts.profile ?? 'spr-2s-mainline-6.18', opts.faults ?? []).create() as EmulatorTarget;
  target.arrange({ kind: 'kvm-param', param: 'kvm_intel.tdx', value: true });
  const kvm = target.kvm!;
  assert.deepEqual(kvm.load(), { ok: true });
  const vmr = kvm.createVm(5) as { result: unknown; fd: number };
  assert.deepEqual(vmr.result, { ok: true });
  const vm = vmr.fd;
  assert.deepEqual(kvm.enableCap(vm, KVM_CAPS.KVM_CAP_SPLIT_IRQCHIP, [24n]), { ok: true });
  assert.deepEqual(kvm.enableCap(vm, KVM_CAPS.KVM_CAP_EXIT_HYPERCALL, [1n << 12n]), { ok: true });
  const caps = (kvm.vmTdxCmd(vm, { id: KVM_TDX_CMDS.KVM_TDX_CAPABILITIES, data: { kind: 'capabilities', nent: 256 } }) as { capabilities: { cpuid: { function: number; index: number }[]; supportedXfam: bigint } }).capabilities;
  const gpaw = opts.gpaw ?? 48;
  const cpuid = caps.cpuid.map((e) => ({
    function: e.function, index: e.index, flags: [4, 7, 0xd].includes(e.function) ? 1 : 0,
    eax: e.function === 0x80000008 ? gpaw << 16 : 0, ebx: 0, ecx: 0, edx: 0,
  }));
  const init = kvm.vmTdxCmd(vm, { id: KVM_TDX_CMDS.KVM_TDX_INIT_VM, data: { kind: 'init-vm', attributes: TDX_TD_ATTR_SEPT_VE_DISABLE, xfam: caps.supportedXfam & 0xe7n, cpuid } });
  assert.deepEqual((init as { result: unknown }).result, { ok: true });
  const vc = kvm.createVcpu(vm, 0) as { result: unknown; fd: number };
  assert.deepEqual(vc.result, { ok: true });
  const vcpu = vc.fd;
  assert.deepEqual((kvm.vcpuTdxCmd(vm, vcpu, { id: KVM_TDX_CMDS.KVM_TDX_INIT_VCPU, data: { kind: 'init-vcpu', rcx: 0n } }) as { result: unknown }).result, { ok: true });
  // The vCPU's CPUID, as a VMM sets it: KVM takes MAXPHYADDR (0x80000008 EAX[7:0]) from it.
  const got = kvm.vcpuTdxCmd(vm, vcpu, { id: KVM_TDX_CMDS.KVM_TDX_GET_CPUID, data: { kind: 'get-cpuid', nent: 256 } }) as { cpuid: { function: number; eax: number }[] };
  const vcpuCpuid = got.cpuid.map((e) => (e.function === 0x80000008 ? { ...e, eax: ((e.eax & ~0xff) | gpaw) >>> 0 } : e));
  assert.deepEqual(kvm.setCpuid(vm, vcpu, vcpuCpuid as never), { ok: true });
  assert.deepEqual(kvm.setMemoryAttributes(vm, 0n, 0x10000n, KVM_MEMORY_ATTRIBUTE_PRIVATE), { ok: true });
  const region = kvm.vcpuTdxCmd(vm, vcpu, { id: KVM_TDX_CMDS.KVM_TDX_INIT_MEM_REGION, flags: 1, data: { kind: 'init-mem-region', region: { sourceAddr: 0n, gpa: 0n, nrPages: 2n } } });
  assert.deepEqual((region as { result: unknown }).result, { ok: true });
  assert.deepEqual((kvm.vmTdxCmd(vm, { id: KVM_TDX_CMDS.KVM_TDX_FINALIZE_VM, data: { kind: 'none' } }) as { result: unknown }).result, { ok: true });
  return { target, kvm, vm, vcpu, model: emulatedKvm(target.scenario).vm(vm) };
}
