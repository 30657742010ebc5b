/**
 * /dev/kvm of the emulated machine in the kernel's UAPI: ioctl request numbers and argument
 * structures in user memory (spec/uapi/kvm.ts), decoded into the emulated KVM's calls and its
 * answers written back the way KVM writes them (kvm_tdx_cmd.hw_error, the capabilities, the
 * updated kvm_tdx_init_mem_region, kvm_cpuid2.nent). A pointer the process never mapped is a
 * fault: EFAULT, as copy_from_user() gives.
 */
import type { ErrnoName } from '../../../spec/abi/errno';
import { KVM_MP_STATES } from '../../../spec/abi/kvm-uapi';
import { get, getArray, set, setArray } from '../../../spec/uapi/layout';
import {
  kvm_cpuid2, kvm_cpuid_entry2, kvm_create_guest_memfd, kvm_enable_cap, kvm_memory_attributes, kvm_mp_state, KVM_IOCTLS,
  kvm_tdx_capabilities, kvm_tdx_cmd, kvm_tdx_init_mem_region, kvm_tdx_init_vm, kvm_userspace_memory_region2,
} from '../../../spec/uapi/kvm';
import { KVM_MAX_CPUID_ENTRIES, KVM_TDX_CMDS } from '../../../spec/encodings/kvm';
import type { UserMemory } from '../../common/user-memory';
import type { CpuidEntry, TdxCmd, TdxCmdData, TdxCmdResult, VcpuIoctl } from '../../kvm-facet';
import type { KernelResult } from '../../port';
import type { EmulatedKvm } from '../kvm/kvm';

/** What an ioctl returned: its value (or a new descriptor), or an errno. */
export type IoctlOutcome = { ret: number } | { newFd: NewFd } | { errno: ErrnoName };

export type NewFd = { kind: 'vm'; vm: number } | { kind: 'vcpu'; vm: number; vcpu: number } | { kind: 'gmem'; vm: number; size: bigint };

/** The KVM API version every kernel since 2.6.22 reports (KVM_API_VERSION, uapi/linux/kvm.h). */
const KVM_API_VERSION = 12;

const fromResult = (r: KernelResult): IoctlOutcome => (r.ok ? { ret: 0 } : { errno: r.errno });

function readEntries(mem: UserMemory, at: bigint, n: number): CpuidEntry[] | undefined {
  const b = mem.view(at, n * kvm_cpuid_entry2.size);
  if (!b) return undefined;
  return Array.from({ length: n }, (_, i) => {
    const o = i * kvm_cpuid_entry2.size;
    const g = (f: 'function' | 'index' | 'flags' | 'eax' | 'ebx' | 'ecx' | 'edx') => Number(get(kvm_cpuid_entry2, b, f, o));
    return { function: g('function'), index: g('index'), flags: g('flags'), eax: g('eax'), ebx: g('ebx'), ecx: g('ecx'), edx: g('edx') };
  });
}

function writeEntries(b: Buffer, base: number, entries: readonly CpuidEntry[]): void {
  entries.forEach((e, i) => {
    const o = base + i * kvm_cpuid_entry2.size;
    for (const f of ['function', 'index', 'flags', 'eax', 'ebx', 'ecx', 'edx'] as const) set(kvm_cpuid_entry2, b, f, (e[f] ?? 0) >>> 0, o);
  });
}

/** The sub-command's data, read from user memory as KVM reads it for that id. */
function decodeData(mem: UserMemory, id: number, data: bigint): TdxCmdData | { errno: ErrnoName } {
  const fault = { errno: 'EFAULT' as const };
  switch (id) {
    case KVM_TDX_CMDS.KVM_TDX_CAPABILITIES: {
      const b = mem.view(data, kvm_tdx_capabilities.size);
      return b ? { kind: 'capabilities', nent: Number(get(kvm_tdx_capabilities, b, 'cpuid_nent')) } : fault;
    }
    case KVM_TDX_CMDS.KVM_TDX_INIT_VM: {
      const b = mem.view(data, kvm_tdx_init_vm.size);
      if (!b) return fault;
      const nent = Number(get(kvm_tdx_init_vm, b, 'cpuid_nent'));
      // KVM checks nent against KVM_MAX_CPUID_ENTRIES before it copies the entries.
      const cpuid = nent > 256 ? [] : readEntries(mem, data + BigInt(kvm_tdx_init_vm.size), nent);
      if (!cpuid) return fault;
      return {
        kind: 'init-vm', attributes: get(kvm_tdx_init_vm, b, 'attributes'), xfam: get(kvm_tdx_init_vm, b, 'xfam'),
        mrconfigid: getArray(kvm_tdx_init_vm, b, 'mrconfigid'), reserved: getArray(kvm_tdx_init_vm, b, 'reserved'),
        // Entries beyond KVM_MAX_CPUID_ENTRIES are never read: their count alone makes KVM refuse.
        cpuid: nent > 256 ? Array.from({ length: nent }, () => ({ function: 0, index: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 })) : cpuid,
      };
    }
    case KVM_TDX_CMDS.KVM_TDX_INIT_VCPU:
      return { kind: 'init-vcpu', rcx: data };
    case KVM_TDX_CMDS.KVM_TDX_INIT_MEM_REGION: {
      const b = mem.view(data, kvm_tdx_init_mem_region.size);
      if (!b) return fault;
      return {
        kind: 'init-mem-region',
        region: { sourceAddr: get(kvm_tdx_init_mem_region, b, 'source_addr'), gpa: get(kvm_tdx_init_mem_region, b, 'gpa'), nrPages: get(kvm_tdx_init_mem_region, b, 'nr_pages') },
      };
    }
    case KVM_TDX_CMDS.KVM_TDX_GET_CPUID: {
      const b = mem.view(data, kvm_cpuid2.size);
      return b ? { kind: 'get-cpuid', nent: Number(get(kvm_cpuid2, b, 'nent')) } : fault;
    }
    default:
      return { kind: 'none', data };
  }
}

/** Write back what KVM writes to user memory after the sub-command. */
function encodeResult(mem: UserMemory, id: number, data: bigint, r: TdxCmdResult): ErrnoName | null {
  const fault = 'EFAULT' as const;
  if (id === KVM_TDX_CMDS.KVM_TDX_CAPABILITIES && r.result.ok && r.capabilities) {
    const c = r.capabilities;
    const b = mem.view(data, kvm_tdx_capabilities.size + c.cpuid.length * kvm_cpuid_entry2.size);
    if (!b) return fault;
    set(kvm_tdx_capabilities, b, 'supported_attrs', c.supportedAttrs);
    set(kvm_tdx_capabilities, b, 'supported_xfam', c.supportedXfam);
    const info = c.tdvmcallinfo ?? { kernelR11: 0n, userR11: 0n, kernelR12: 0n, userR12: 0n };
    set(kvm_tdx_capabilities, b, 'kernel_tdvmcallinfo_1_r11', info.kernelR11);
    set(kvm_tdx_capabilities, b, 'user_tdvmcallinfo_1_r11', info.userR11);
    set(kvm_tdx_capabilities, b, 'kernel_tdvmcallinfo_1_r12', info.kernelR12);
    set(kvm_tdx_capabilities, b, 'user_tdvmcallinfo_1_r12', info.userR12);
    setArray(kvm_tdx_capabilities, b, 'reserved', new Array(250).fill(0n));
    set(kvm_tdx_capabilities, b, 'cpuid_nent', c.cpuid.length);
    writeEntries(b, kvm_tdx_capabilities.size, c.cpuid);
  }
  if (id === KVM_TDX_CMDS.KVM_TDX_GET_CPUID && r.nent !== undefined) {
    const entries = r.result.ok ? r.cpuid ?? [] : [];
    const b = mem.view(data, kvm_cpuid2.size + entries.length * kvm_cpuid_entry2.size);
    if (!b) return fault;
    set(kvm_cpuid2, b, 'nent', r.nent);
    writeEntries(b, kvm_cpuid2.size, entries);
  }
  if (id === KVM_TDX_CMDS.KVM_TDX_INIT_MEM_REGION && r.region) {
    const b = mem.view(data, kvm_tdx_init_mem_region.size);
    if (!b) return fault;
    set(kvm_tdx_init_mem_region, b, 'source_addr', r.region.sourceAddr ?? 0n);
    set(kvm_tdx_init_mem_region, b, 'gpa', r.region.gpa);
    set(kvm_tdx_init_mem_region, b, 'nr_pages', r.region.nrPages);
  }
  return null;
}

/** KVM_MEMORY_ENCRYPT_OP: the kvm_tdx_cmd header, its data, the call, and what is written back. */
function memoryEncryptOp(mem: UserMemory, arg: bigint, call: (cmd: TdxCmd) => TdxCmdResult): IoctlOutcome {
  const h = mem.view(arg, kvm_tdx_cmd.size);
  if (!h) return { errno: 'EFAULT' };
  const id = Number(get(kvm_tdx_cmd, h, 'id'));
  const dataPtr = get(kvm_tdx_cmd, h, 'data');
  const data = decodeData(mem, id, dataPtr);
  if ('errno' in data) return data;
  const cmd: TdxCmd = { id, flags: Number(get(kvm_tdx_cmd, h, 'flags')), hwError: get(kvm_tdx_cmd, h, 'hw_error'), data };
  const r = call(cmd);
  set(kvm_tdx_cmd, h, 'hw_error', r.hwError);
  const werr = encodeResult(mem, id, dataPtr, r);
  if (werr && r.result.ok) return { errno: werr };
  return fromResult(r.result);
}

/** ioctls on /dev/kvm itself. */
export function kvmDeviceIoctl(kvm: EmulatedKvm, request: number, arg: bigint): IoctlOutcome {
  switch (request) {
    case KVM_IOCTLS.KVM_GET_API_VERSION:
      return { ret: KVM_API_VERSION };
    case KVM_IOCTLS.KVM_CHECK_EXTENSION:
      return { ret: Number(kvm.checkExtension(Number(arg))) };
    case KVM_IOCTLS.KVM_CREATE_VM: {
      const r = kvm.createVm(Number(arg));
      return r.result.ok ? { newFd: { kind: 'vm', vm: r.fd! } } : { errno: r.result.errno };
    }
    default:
      return { errno: 'EINVAL' };
  }
}

/** ioctls on a VM descriptor. */
export function vmIoctl(kvm: EmulatedKvm, mem: UserMemory, vmFd: number, request: number, arg: bigint): IoctlOutcome {
  const vm = kvm.vm(vmFd);
  switch (request) {
    case KVM_IOCTLS.KVM_CHECK_EXTENSION:
      return { ret: Number(vm.checkExtension(Number(arg))) };
    case KVM_IOCTLS.KVM_CREATE_VCPU: {
      const r = vm.createVcpu(Number(arg));
      return r.result.ok ? { newFd: { kind: 'vcpu', vm: vmFd, vcpu: r.fd! } } : { errno: r.result.errno };
    }
    case KVM_IOCTLS.KVM_ENABLE_CAP: {
      const b = mem.view(arg, kvm_enable_cap.size);
      if (!b) return { errno: 'EFAULT' };
      if (get(kvm_enable_cap, b, 'flags') !== 0n) return { errno: 'EINVAL' };
      return fromResult(vm.enableCap(Number(get(kvm_enable_cap, b, 'cap')), getArray(kvm_enable_cap, b, 'args')));
    }
    case KVM_IOCTLS.KVM_MEMORY_ENCRYPT_OP:
      // A VM that is not a TD is refused before the argument is read (a KVM without TDX has no
      // handler at all, which also ends in ENOTTY).
      if (vm.encryptOpRefusal()) return fromResult(vm.encryptOpRefusal()!);
      return memoryEncryptOp(mem, arg, (cmd) => vm.tdxCmd(cmd));
    case KVM_IOCTLS.KVM_SET_MEMORY_ATTRIBUTES: {
      const b = mem.view(arg, kvm_memory_attributes.size);
      if (!b) return { errno: 'EFAULT' };
      if (get(kvm_memory_attributes, b, 'flags') !== 0n) return { errno: 'EINVAL' };
      return fromResult(vm.setMemoryAttributes(get(kvm_memory_attributes, b, 'address'), get(kvm_memory_attributes, b, 'size'), get(kvm_memory_attributes, b, 'attributes')));
    }
    case KVM_IOCTLS.KVM_CREATE_GUEST_MEMFD: {
      const b = mem.view(arg, kvm_create_guest_memfd.size);
      if (!b) return { errno: 'EFAULT' };
      const size = get(kvm_create_guest_memfd, b, 'size');
      if (size === 0n || size % 4096n !== 0n || get(kvm_create_guest_memfd, b, 'flags') !== 0n) return { errno: 'EINVAL' };
      return { newFd: { kind: 'gmem', vm: vmFd, size } };
    }
    case KVM_IOCTLS.KVM_SET_USER_MEMORY_REGION2: {
      const b = mem.view(arg, kvm_userspace_memory_region2.size);
      if (!b) return { errno: 'EFAULT' };
      const gpa = get(kvm_userspace_memory_region2, b, 'guest_phys_addr');
      const size = get(kvm_userspace_memory_region2, b, 'memory_size');
      // check_memory_region_flags() and the alignment checks of __kvm_set_memory_region().
      if (gpa % 4096n !== 0n || size % 4096n !== 0n || get(kvm_userspace_memory_region2, b, 'userspace_addr') % 4096n !== 0n) return { errno: 'EINVAL' };
      return vm.dead ? { errno: 'EIO' } : { ret: 0 };
    }
    default:
      return { errno: 'ENOTTY' };
  }
}

const REFUSABLE: Partial<Record<number, VcpuIoctl>> = {
  [KVM_IOCTLS.KVM_GET_REGS]: 'KVM_GET_REGS',
  [KVM_IOCTLS.KVM_SET_REGS]: 'KVM_SET_REGS',
  [KVM_IOCTLS.KVM_GET_SREGS]: 'KVM_GET_SREGS',
  [KVM_IOCTLS.KVM_SET_SREGS]: 'KVM_SET_SREGS',
  [KVM_IOCTLS.KVM_GET_DEBUGREGS]: 'KVM_GET_DEBUGREGS',
  [KVM_IOCTLS.KVM_SET_DEBUGREGS]: 'KVM_SET_DEBUGREGS',
  [KVM_IOCTLS.KVM_SMI]: 'KVM_SMI',
};

/** ioctls on a vCPU descriptor. */
export function vcpuIoctl(kvm: EmulatedKvm, mem: UserMemory, vmFd: number, vcpuFd: number, request: number, arg: bigint): IoctlOutcome {
  const vcpu = kvm.vm(vmFd).vcpu(vcpuFd);
  const refused = REFUSABLE[request];
  if (refused) return fromResult(vcpu.ioctl(refused));
  switch (request) {
    case KVM_IOCTLS.KVM_MEMORY_ENCRYPT_OP:
      return memoryEncryptOp(mem, arg, (cmd) => vcpu.tdxCmd(cmd));
    case KVM_IOCTLS.KVM_SET_CPUID2: {
      const h = mem.view(arg, kvm_cpuid2.size);
      if (!h) return { errno: 'EFAULT' };
      const nent = Number(get(kvm_cpuid2, h, 'nent'));
      // KVM refuses a count above KVM_MAX_CPUID_ENTRIES before it reads an entry: the model sees
      // only that the count is too large (one placeholder past the limit).
      const entries = nent > KVM_MAX_CPUID_ENTRIES
        ? Array.from({ length: KVM_MAX_CPUID_ENTRIES + 1 }, () => ({ function: 0, index: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 }))
        : readEntries(mem, arg + BigInt(kvm_cpuid2.size), nent);
      return entries ? fromResult(vcpu.setCpuid(entries)) : { errno: 'EFAULT' };
    }
    case KVM_IOCTLS.KVM_GET_MP_STATE: {
      const b = mem.view(arg, kvm_mp_state.size);
      if (!b) return { errno: 'EFAULT' };
      const r = vcpu.mp();
      if (r.result.ok) set(kvm_mp_state, b, 'mp_state', r.state ?? 0);
      return fromResult(r.result);
    }
    case KVM_IOCTLS.KVM_SET_MP_STATE: {
      const b = mem.view(arg, kvm_mp_state.size);
      if (!b) return { errno: 'EFAULT' };
      const state = Number(get(kvm_mp_state, b, 'mp_state'));
      if (state === KVM_MP_STATES.KVM_MP_STATE_INIT_RECEIVED) return fromResult(vcpu.ioctl('KVM_SET_MP_STATE(INIT_RECEIVED)'));
      return { errno: 'EINVAL' };
    }
    case KVM_IOCTLS.KVM_RUN:
      return fromResult(vcpu.run().result);
    default:
      return { errno: 'ENOTTY' };
  }
}
