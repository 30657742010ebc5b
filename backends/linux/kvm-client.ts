/**
 * What a user-space VMM says to KVM, in the UAPI's own encoding (spec/uapi/kvm.ts), over the
 * kernel-interface seam: /dev/kvm, VM and vCPU descriptors, and the structures an ioctl's argument
 * points to. Every answer is the kernel's (a value, a new descriptor, or an errno); the structures
 * KVM writes back are decoded into the port's records. Nothing here knows what machine it talks to.
 */
import { isErrnoName } from '../../spec/abi/errno';
import { get, getArray, set, setArray } from '../../spec/uapi/layout';
import {
  kvm_cpuid2, kvm_cpuid_entry2, kvm_create_guest_memfd, kvm_enable_cap, kvm_memory_attributes, kvm_mp_state, KVM_IOCTLS,
  KVM_MEM_GUEST_MEMFD, kvm_tdx_capabilities, kvm_tdx_cmd, kvm_tdx_init_mem_region, kvm_tdx_init_vm, kvm_userspace_memory_region2,
  KVM_DEBUGREGS_SIZE, KVM_REGS_SIZE, KVM_SREGS_SIZE,
} from '../../spec/uapi/kvm';
import { KVM_MP_STATES } from '../../spec/abi/kvm-uapi';
import { KVM_TDX_CMDS } from '../../spec/encodings/kvm';
import { isOk, sysOk, type Fd, type KernelInterface, type SysResult, type UserBuffer } from '../kernel-interface';
import type { CpuidEntry, TdxCmd, TdxCmdResult, VcpuIoctl } from '../kvm-facet';
import { isUnobservable, type KernelResult, type Observed } from '../port';

const PAGE = 4096;

/** A kernel result, or the reason the interface could not ask. */
export function asKernelResult(r: SysResult<unknown>): Observed<KernelResult> {
  if (isUnobservable(r)) return r;
  return r.ok ? { ok: true } : { ok: false, errno: r.errno };
}

function writeEntries(b: Buffer, base: number, entries: readonly CpuidEntry[]): void {
  entries.forEach((e, i) => {
    const o = base + i * kvm_cpuid_entry2.size;
    for (const f of ['function', 'index', 'flags', 'eax', 'ebx', 'ecx', 'edx'] as const) set(kvm_cpuid_entry2, b, f, (e[f] ?? 0) >>> 0, o);
  });
}

function readEntries(b: Buffer, base: number, n: number): CpuidEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const o = base + i * kvm_cpuid_entry2.size;
    const g = (f: 'function' | 'index' | 'flags' | 'eax' | 'ebx' | 'ecx' | 'edx') => Number(get(kvm_cpuid_entry2, b, f, o));
    return { function: g('function'), index: g('index'), flags: g('flags'), eax: g('eax'), ebx: g('ebx'), ecx: g('ecx'), edx: g('edx') };
  });
}

const REGISTER_IOCTLS: Record<Exclude<VcpuIoctl, 'KVM_SET_MP_STATE(INIT_RECEIVED)'>, { request: number; size: number }> = {
  KVM_GET_REGS: { request: KVM_IOCTLS.KVM_GET_REGS, size: KVM_REGS_SIZE },
  KVM_SET_REGS: { request: KVM_IOCTLS.KVM_SET_REGS, size: KVM_REGS_SIZE },
  KVM_GET_SREGS: { request: KVM_IOCTLS.KVM_GET_SREGS, size: KVM_SREGS_SIZE },
  KVM_SET_SREGS: { request: KVM_IOCTLS.KVM_SET_SREGS, size: KVM_SREGS_SIZE },
  KVM_GET_DEBUGREGS: { request: KVM_IOCTLS.KVM_GET_DEBUGREGS, size: KVM_DEBUGREGS_SIZE },
  KVM_SET_DEBUGREGS: { request: KVM_IOCTLS.KVM_SET_DEBUGREGS, size: KVM_DEBUGREGS_SIZE },
  KVM_SMI: { request: KVM_IOCTLS.KVM_SMI, size: 0 },
};

export class KvmClient {
  private dev: SysResult<Fd> | null = null;

  constructor(readonly ki: KernelInterface) {}

  /** /dev/kvm, opened once per target. */
  device(): SysResult<Fd> {
    if (!this.dev) this.dev = this.ki.open('/dev/kvm', 'rw');
    return this.dev;
  }

  /** Close /dev/kvm if this client opened it (never opens it just to close it). */
  closeDevice(): void {
    const d = this.dev;
    this.dev = null;
    if (d && isOk(d)) this.ki.close(d.value);
  }

  private onDevice<T>(f: (fd: Fd) => SysResult<T>): SysResult<T> {
    const d = this.device();
    return isOk(d) ? f(d.value) : (d as SysResult<T>);
  }

  apiVersion(): SysResult<number> {
    return this.onDevice((fd) => this.ki.ioctl(fd, KVM_IOCTLS.KVM_GET_API_VERSION, 0));
  }

  /** KVM_CHECK_EXTENSION on /dev/kvm, or on a VM when `vm` is given. */
  checkExtension(cap: number, vm?: Fd): SysResult<number> {
    if (vm !== undefined) return this.ki.ioctl(vm, KVM_IOCTLS.KVM_CHECK_EXTENSION, cap);
    return this.onDevice((fd) => this.ki.ioctl(fd, KVM_IOCTLS.KVM_CHECK_EXTENSION, cap));
  }

  createVm(type: number): SysResult<Fd> {
    return this.onDevice((fd) => this.ki.ioctl(fd, KVM_IOCTLS.KVM_CREATE_VM, type, { returnsFd: true }));
  }

  createVcpu(vm: Fd, id: number): SysResult<Fd> {
    return this.ki.ioctl(vm, KVM_IOCTLS.KVM_CREATE_VCPU, id, { returnsFd: true });
  }

  enableCap(vm: Fd, cap: number, args: readonly bigint[]): SysResult<number> {
    const b = this.ki.alloc(kvm_enable_cap.size);
    set(kvm_enable_cap, b.bytes, 'cap', cap);
    setArray(kvm_enable_cap, b.bytes, 'args', args);
    return this.ki.ioctl(vm, KVM_IOCTLS.KVM_ENABLE_CAP, b);
  }

  setMemoryAttributes(vm: Fd, gpa: bigint, size: bigint, attributes: bigint): SysResult<number> {
    const b = this.ki.alloc(kvm_memory_attributes.size);
    set(kvm_memory_attributes, b.bytes, 'address', gpa);
    set(kvm_memory_attributes, b.bytes, 'size', size);
    set(kvm_memory_attributes, b.bytes, 'attributes', attributes);
    return this.ki.ioctl(vm, KVM_IOCTLS.KVM_SET_MEMORY_ATTRIBUTES, b);
  }

  createGuestMemfd(vm: Fd, size: bigint): SysResult<Fd> {
    const b = this.ki.alloc(kvm_create_guest_memfd.size);
    set(kvm_create_guest_memfd, b.bytes, 'size', size);
    return this.ki.ioctl(vm, KVM_IOCTLS.KVM_CREATE_GUEST_MEMFD, b, { returnsFd: true });
  }

  /** A memory slot whose shared pages are `shared` and whose private pages come from `gmem`. */
  setUserMemoryRegion2(vm: Fd, slot: number, gpa: bigint, shared: UserBuffer, gmem: Fd): SysResult<number> {
    const b = this.ki.alloc(kvm_userspace_memory_region2.size);
    const L = kvm_userspace_memory_region2;
    set(L, b.bytes, 'slot', slot);
    set(L, b.bytes, 'flags', KVM_MEM_GUEST_MEMFD);
    set(L, b.bytes, 'guest_phys_addr', gpa);
    set(L, b.bytes, 'memory_size', shared.size);
    b.setPointer(L.fields.userspace_addr.offset, shared);
    set(L, b.bytes, 'guest_memfd_offset', 0);
    set(L, b.bytes, 'guest_memfd', gmem);
    return this.ki.ioctl(vm, KVM_IOCTLS.KVM_SET_USER_MEMORY_REGION2, b);
  }

  setCpuid2(vcpu: Fd, entries: readonly CpuidEntry[]): SysResult<number> {
    const b = this.ki.alloc(kvm_cpuid2.size + entries.length * kvm_cpuid_entry2.size);
    set(kvm_cpuid2, b.bytes, 'nent', entries.length);
    writeEntries(b.bytes, kvm_cpuid2.size, entries);
    return this.ki.ioctl(vcpu, KVM_IOCTLS.KVM_SET_CPUID2, b);
  }

  /** A vCPU ioctl whose argument (if any) is a register structure; for TDs only its refusal matters. */
  registerIoctl(vcpu: Fd, name: VcpuIoctl): SysResult<number> {
    if (name === 'KVM_SET_MP_STATE(INIT_RECEIVED)') {
      const b = this.ki.alloc(kvm_mp_state.size);
      set(kvm_mp_state, b.bytes, 'mp_state', KVM_MP_STATES.KVM_MP_STATE_INIT_RECEIVED);
      return this.ki.ioctl(vcpu, KVM_IOCTLS.KVM_SET_MP_STATE, b);
    }
    const io = REGISTER_IOCTLS[name];
    return this.ki.ioctl(vcpu, io.request, io.size ? this.ki.alloc(io.size) : 0);
  }

  mpState(vcpu: Fd): SysResult<number> {
    const b = this.ki.alloc(kvm_mp_state.size);
    const r = this.ki.ioctl(vcpu, KVM_IOCTLS.KVM_GET_MP_STATE, b);
    return isOk(r) ? sysOk(Number(get(kvm_mp_state, b.bytes, 'mp_state'))) : r;
  }

  run(vcpu: Fd): SysResult<number> {
    return this.ki.ioctl(vcpu, KVM_IOCTLS.KVM_RUN, 0);
  }

  /**
   * KVM_MEMORY_ENCRYPT_OP on a VM or vCPU: struct kvm_tdx_cmd and the structure its data points
   * to for this sub-command, then what KVM wrote back (hw_error, capabilities, the CPUID, the
   * advanced memory region).
   */
  tdxCmd(fd: Fd, cmd: TdxCmd): Observed<TdxCmdResult> {
    const ki = this.ki;
    const h = ki.alloc(kvm_tdx_cmd.size);
    set(kvm_tdx_cmd, h.bytes, 'id', cmd.id >>> 0);
    set(kvm_tdx_cmd, h.bytes, 'flags', (cmd.flags ?? 0) >>> 0);
    set(kvm_tdx_cmd, h.bytes, 'hw_error', cmd.hwError ?? 0n);
    const d = cmd.data;
    let data: UserBuffer | null = null;
    switch (d.kind) {
      case 'capabilities':
        data = ki.alloc(kvm_tdx_capabilities.size + d.nent * kvm_cpuid_entry2.size);
        set(kvm_tdx_capabilities, data.bytes, 'cpuid_nent', d.nent);
        break;
      case 'init-vm': {
        data = ki.alloc(kvm_tdx_init_vm.size + d.cpuid.length * kvm_cpuid_entry2.size);
        const L = kvm_tdx_init_vm;
        set(L, data.bytes, 'attributes', d.attributes);
        set(L, data.bytes, 'xfam', d.xfam);
        if (d.mrconfigid) setArray(L, data.bytes, 'mrconfigid', d.mrconfigid);
        if (d.reserved) setArray(L, data.bytes, 'reserved', d.reserved);
        set(L, data.bytes, 'cpuid_nent', d.cpuid.length);
        writeEntries(data.bytes, L.size, d.cpuid);
        break;
      }
      case 'init-vcpu':
        set(kvm_tdx_cmd, h.bytes, 'data', d.rcx);
        break;
      case 'init-mem-region': {
        data = ki.alloc(kvm_tdx_init_mem_region.size);
        const L = kvm_tdx_init_mem_region;
        if (d.region.sourceAddr === undefined) {
          // The VMM's own memory holds the initial image: zeroed pages, page-aligned.
          data.setPointer(L.fields.source_addr.offset, ki.alloc(Number(d.region.nrPages > 0n ? d.region.nrPages : 1n) * PAGE), Number(d.region.sourceOffset ?? 0n));
        } else {
          set(L, data.bytes, 'source_addr', d.region.sourceAddr);
        }
        set(L, data.bytes, 'gpa', d.region.gpa);
        set(L, data.bytes, 'nr_pages', d.region.nrPages);
        break;
      }
      case 'get-cpuid':
        data = ki.alloc(kvm_cpuid2.size + d.nent * kvm_cpuid_entry2.size);
        set(kvm_cpuid2, data.bytes, 'nent', d.nent);
        break;
      case 'none':
        set(kvm_tdx_cmd, h.bytes, 'data', d.data ?? 0n);
        break;
    }
    if (data) h.setPointer(kvm_tdx_cmd.fields.data.offset, data);
    const r = ki.ioctl(fd, KVM_IOCTLS.KVM_MEMORY_ENCRYPT_OP, h);
    if (isUnobservable(r)) return r;
    const result: KernelResult = r.ok ? { ok: true } : { ok: false, errno: isErrnoName(r.errno) ? r.errno : 'EIO' };
    const out: TdxCmdResult = { result, hwError: get(kvm_tdx_cmd, h.bytes, 'hw_error') };
    if (d.kind === 'capabilities' && data && result.ok) {
      const L = kvm_tdx_capabilities;
      const n = Math.min(Number(get(L, data.bytes, 'cpuid_nent')), d.nent);
      out.nent = n;
      out.capabilities = {
        supportedAttrs: get(L, data.bytes, 'supported_attrs'), supportedXfam: get(L, data.bytes, 'supported_xfam'),
        cpuid: readEntries(data.bytes, L.size, n),
        tdvmcallinfo: {
          kernelR11: get(L, data.bytes, 'kernel_tdvmcallinfo_1_r11'), userR11: get(L, data.bytes, 'user_tdvmcallinfo_1_r11'),
          kernelR12: get(L, data.bytes, 'kernel_tdvmcallinfo_1_r12'), userR12: get(L, data.bytes, 'user_tdvmcallinfo_1_r12'),
        },
      };
    }
    if (d.kind === 'get-cpuid' && data) {
      const n = Number(get(kvm_cpuid2, data.bytes, 'nent'));
      out.nent = n;
      if (result.ok) out.cpuid = readEntries(data.bytes, kvm_cpuid2.size, Math.min(n, d.nent));
    }
    if (d.kind === 'init-mem-region' && data) {
      const L = kvm_tdx_init_mem_region;
      out.region = { sourceAddr: get(L, data.bytes, 'source_addr'), gpa: get(L, data.bytes, 'gpa'), nrPages: get(L, data.bytes, 'nr_pages') };
    }
    return out;
  }
}
