/**
 * The KVM facet of the emulator: the port's KvmFacet answered by the emulated KVM (kvm.ts) on the
 * target's kernel and TDX module. Ioctls on a VM or vCPU the scenario never created are a
 * scenario error (thrown); architectural outcomes are records.
 */
import { unobservable, type KernelResult } from '../../port';
import type { KvmFacet } from '../../kvm-facet';
import type { EmulatorTarget } from '../target';
import { kvmParam } from './setup';
import { guestModel } from './guest-model';
import { EmulatedKvm } from './kvm';

const KEY = 'kvm.device';

export function emulatedKvm(t: EmulatorTarget): EmulatedKvm {
  let k = t.ext.get(KEY) as EmulatedKvm | undefined;
  if (!k) t.ext.set(KEY, (k = new EmulatedKvm(t)));
  return k;
}

const NOT_LOADED: KernelResult = { ok: false, errno: 'ENOENT' };

export function kvmFacet(t: EmulatorTarget): KvmFacet {
  const kvm = () => emulatedKvm(t);
  /** A loaded kvm_intel, or the reason /dev/kvm cannot be used. */
  const dev = () => {
    const k = kvm();
    return k.loaded ? k : null;
  };
  const vm = (fd: number) => kvm().vm(fd);
  const vcpu = (fd: number, v: number) => vm(fd).vcpu(v);
  return {
    load: () => kvm().load(),
    param(param) {
      const k = kvm();
      if (!k.loaded && param.startsWith('kvm_intel.')) return unobservable('kvm_intel is not loaded');
      const on = param === 'kvm_intel.tdx' ? k.tdxEnabled : kvmParam(k.kernel.config.cmdline, param);
      return on ? 'Y' : 'N';
    },
    checkExtension(cap) {
      const k = dev();
      return k ? k.checkExtension(cap) : unobservable('kvm_intel is not loaded: there is no /dev/kvm');
    },
    createVm(type) {
      const k = dev();
      return k ? k.createVm(type) : { result: NOT_LOADED };
    },
    vmCheckExtension: (fd, cap) => vm(fd).checkExtension(cap),
    enableCap: (fd, cap, args) => vm(fd).enableCap(cap, args),
    setMsrFilter(fd, deny) {
      const v = vm(fd);
      if (v.dead) return { ok: false, errno: 'EIO' };
      v.msrDeny = deny.map((d) => ({ ...d }));
      return { ok: true };
    },
    setMemoryAttributes: (fd, gpa, size, attributes) => vm(fd).setMemoryAttributes(gpa, size, attributes),
    vmTdxCmd: (fd, cmd) => vm(fd).tdxCmd(cmd),
    createVcpu: (fd, id) => vm(fd).createVcpu(id),
    vcpuTdxCmd: (fd, v, cmd) => vcpu(fd, v).tdxCmd(cmd),
    setCpuid: (fd, v, entries) => vcpu(fd, v).setCpuid(entries),
    vcpuIoctl: (fd, v, name) => vcpu(fd, v).ioctl(name),
    mpState: (fd, v) => vcpu(fd, v).mp(),
    signalMsi: (fd, v, vector) => vcpu(fd, v).signalMsi(vector),
    run: (fd, v) => vcpu(fd, v).run(),
    answer: (fd, v, a) => vcpu(fd, v).answer(a),
    destroyVm: (fd) => vm(fd).destroy(),
    guestDo: (fd, v, action) => vcpu(fd, v).guestDo(action),
    guestView(fd, v) {
      const view = vcpu(fd, v).guestView();
      return view ?? unobservable('the vCPU has no TDVPS yet (KVM_TDX_INIT_VCPU not done)');
    },
    seamcallTrace: () => [...kvm().sc.trace],
    privateMappings: (fd) => vm(fd).mmu.privateMappings(),
    sharedMappings: (fd) => vm(fd).mmu.sharedMappings(),
    vmmExits: (fd) => [...vm(fd).vmmExits],
    guestExecute(fd, v, insn) {
      const target = vm(fd);
      if (target.state !== 'RUNNABLE') return unobservable('the TD is not finalized: no guest runs in it yet');
      return guestModel(target).execute(v, insn);
    },
  };
}
