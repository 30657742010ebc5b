/**
 * The KVM facet of a real machine (or of anything behind the kernel-interface seam): the port's
 * KvmFacet answered by ioctls on /dev/kvm, its VMs and vCPUs (kvm-client.ts), and module
 * parameters read from sysfs. Modules are never loaded: "loading" kvm_intel is observing that it
 * is loaded. A TD may be created and built up to KVM_TDX_FINALIZE_VM, as any VMM would; every
 * descriptor the scenario opened is closed when it ends (closeAll), which destroys its VMs.
 * What only the emulator can do (a test guest inside the TD, SEAMCALL traces, the MMU's tables)
 * is unobservable here, with the reason.
 */
import type { KernelInterface, Fd, SysResult } from '../kernel-interface';
import { isOk } from '../kernel-interface';
import type { FdResult, KvmFacet, KvmParam } from '../kvm-facet';
import { isUnobservable, unobservable, type KernelResult, type Observed } from '../port';
import { asKernelResult, KvmClient } from './kvm-client';

const GUEST_MODEL = 'running code inside a TD needs a guest image the suite does not have on a real machine';

function fdResult(r: SysResult<Fd>): Observed<FdResult> {
  if (isUnobservable(r)) return r;
  return r.ok ? { result: { ok: true }, fd: r.value } : { result: { ok: false, errno: r.errno } };
}

function value(r: SysResult<number>, what: string): Observed<bigint> {
  if (isUnobservable(r)) return r;
  return r.ok ? BigInt(r.value) : unobservable(`${what} failed (${r.errno})`);
}

/** The descriptors a scenario opened, so that its end can close them (and KVM destroy its VMs). */
export class KvmSession {
  readonly client: KvmClient;
  private readonly vms = new Map<Fd, { vcpus: Set<Fd>; memory: Fd[] }>();

  constructor(readonly ki: KernelInterface) {
    this.client = new KvmClient(ki);
  }

  addVm(fd: Fd): void {
    this.vms.set(fd, { vcpus: new Set(), memory: [] });
  }

  of(vm: Fd) {
    const v = this.vms.get(vm);
    if (!v) throw new Error(`step order: VM descriptor ${vm} was not created in this scenario`);
    return v;
  }

  /** Close one VM: its vCPUs and guest memory first, the VM last (KVM then tears the TD down). */
  closeVm(vm: Fd): void {
    const v = this.of(vm);
    for (const fd of v.vcpus) this.ki.close(fd);
    for (const fd of v.memory) this.ki.close(fd);
    this.ki.close(vm);
    this.vms.delete(vm);
  }

  /** Close everything still open; true when something was open. */
  closeAll(): boolean {
    const any = this.vms.size > 0;
    for (const vm of [...this.vms.keys()]) this.closeVm(vm);
    this.client.closeDevice();
    return any;
  }
}

export function linuxKvmFacet(session: KvmSession): KvmFacet {
  const ki = session.ki;
  const c = session.client;
  const known: Partial<KvmFacet> = {
    load() {
      // The suite never loads modules: "loading" KVM is observing that it is there.
      if (!isOk(ki.stat('/dev/kvm'))) return unobservable('KVM is not loaded (no /dev/kvm), and the suite never loads modules on a real machine');
      // Any vendor module may serve /dev/kvm (kvm_intel, kvm_amd, or kvm_pvm inside a VM).
      return { ok: true };
    },
    param(param: KvmParam) {
      const [mod, name] = param.split('.');
      const r = ki.read(`/sys/module/${mod}/parameters/${name}`);
      if (isUnobservable(r)) return r;
      if (!r.ok) return unobservable(`/sys/module/${mod}/parameters/${name} cannot be read (${r.errno}): ${mod} is not loaded or has no such parameter`);
      return r.value.toString('utf8').trim();
    },
    checkExtension: (cap) => value(c.checkExtension(cap), `KVM_CHECK_EXTENSION(${cap})`),
    createVm(type) {
      const r = fdResult(c.createVm(type));
      if (!isUnobservable(r) && r.fd !== undefined) session.addVm(r.fd);
      return r;
    },
    vmCheckExtension: (vm, cap) => value(c.checkExtension(cap, vm), `KVM_CHECK_EXTENSION(${cap}) on the VM`),
    enableCap: (vm, cap, args) => asKernelResult(c.enableCap(vm, cap, args)),
    setMemoryAttributes: (vm, gpa, size, attributes) => asKernelResult(c.setMemoryAttributes(vm, gpa, size, attributes)),
    addGuestMemory(vm, gpa, size) {
      // The VM's record first: a step out of order then fails before a guest_memfd is opened and lost.
      const memory = session.of(vm).memory;
      const gmem = c.createGuestMemfd(vm, size);
      if (isUnobservable(gmem) || !gmem.ok) return asKernelResult(gmem);
      memory.push(gmem.value);
      return asKernelResult(c.setUserMemoryRegion2(vm, memory.length - 1, gpa, ki.alloc(Number(size)), gmem.value));
    },
    vmTdxCmd: (vm, cmd) => c.tdxCmd(vm, cmd),
    createVcpu(vm, id) {
      const r = fdResult(c.createVcpu(vm, id));
      if (!isUnobservable(r) && r.fd !== undefined) session.of(vm).vcpus.add(r.fd);
      return r;
    },
    vcpuTdxCmd: (_vm, vcpu, cmd) => c.tdxCmd(vcpu, cmd),
    setCpuid: (_vm, vcpu, entries) => asKernelResult(c.setCpuid2(vcpu, entries)),
    vcpuIoctl: (_vm, vcpu, name) => asKernelResult(c.registerIoctl(vcpu, name)),
    mpState(_vm, vcpu) {
      const r = c.mpState(vcpu);
      if (isUnobservable(r)) return r;
      return r.ok ? { result: { ok: true }, state: r.value } : { result: { ok: false, errno: r.errno } };
    },
    run(_vm, vcpu) {
      const r = c.run(vcpu);
      if (isUnobservable(r)) return r;
      // The exit in kvm_run is not read (it needs a mapping the suite does not make): only whether KVM_RUN returned 0.
      return r.ok ? { result: { ok: true } } : { result: { ok: false, errno: r.errno } };
    },
    destroyVm(vm): KernelResult {
      session.closeVm(vm);
      return { ok: true };
    },
    guestDo: () => unobservable(GUEST_MODEL),
    guestView: () => unobservable(GUEST_MODEL),
    guestExecute: () => unobservable(GUEST_MODEL),
    vmmExits: () => unobservable(GUEST_MODEL),
    answer: () => unobservable(GUEST_MODEL),
    signalMsi: () => unobservable(GUEST_MODEL),
    seamcallTrace: () => unobservable('the SEAMCALLs KVM issues are not visible to user space'),
    privateMappings: () => unobservable("KVM's S-EPT mappings are not visible to user space"),
    sharedMappings: () => unobservable("KVM's shared EPT mappings are not visible to user space"),
    setMsrFilter: () => unobservable('MSR filters matter only to a guest that runs, which the suite does not do on a real machine'),
  };
  return known as KvmFacet;
}
