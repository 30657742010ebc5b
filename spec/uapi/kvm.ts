/**
 * How a VMM calls KVM: ioctl request numbers and the structures they take, written from
 * include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h as released in v6.16
 * (@src:kvm-uapi-616). Offsets are checked against gcc by test/unit/uapi-layouts.test.ts.
 */
import { IO, IOR, IOW, IOWR, layout, u32, u64, u8 } from './layout';

export const KVMIO = 0xae;

export const kvm_tdx_cmd = layout('kvm_tdx_cmd', 24, { id: u32(0), flags: u32(4), data: u64(8), hw_error: u64(16) });

export const kvm_cpuid_entry2 = layout('kvm_cpuid_entry2', 40, {
  function: u32(0), index: u32(4), flags: u32(8), eax: u32(12), ebx: u32(16), ecx: u32(20), edx: u32(24), padding: u32(28, 3),
});

/** struct kvm_cpuid2 { __u32 nent; __u32 padding; struct kvm_cpuid_entry2 entries[]; } */
export const kvm_cpuid2 = layout('kvm_cpuid2', 8, { nent: u32(0), padding: u32(4) });

export const kvm_tdx_capabilities = layout('kvm_tdx_capabilities', 2056, {
  supported_attrs: u64(0), supported_xfam: u64(8),
  kernel_tdvmcallinfo_1_r11: u64(16), user_tdvmcallinfo_1_r11: u64(24),
  kernel_tdvmcallinfo_1_r12: u64(32), user_tdvmcallinfo_1_r12: u64(40),
  reserved: u64(48, 250),
  /** struct kvm_cpuid2 cpuid: its nent; the entries follow at 2056. */
  cpuid_nent: u32(2048), cpuid_padding: u32(2052),
});

export const kvm_tdx_init_vm = layout('kvm_tdx_init_vm', 264, {
  attributes: u64(0), xfam: u64(8), mrconfigid: u64(16, 6), mrowner: u64(64, 6), mrownerconfig: u64(112, 6),
  reserved: u64(160, 12),
  cpuid_nent: u32(256), cpuid_padding: u32(260),
});

export const kvm_tdx_init_mem_region = layout('kvm_tdx_init_mem_region', 24, { source_addr: u64(0), gpa: u64(8), nr_pages: u64(16) });

export const kvm_enable_cap = layout('kvm_enable_cap', 104, { cap: u32(0), flags: u32(4), args: u64(8, 4), pad: u8(40, 64) });

export const kvm_memory_attributes = layout('kvm_memory_attributes', 32, { address: u64(0), size: u64(8), attributes: u64(16), flags: u64(24) });

export const kvm_create_guest_memfd = layout('kvm_create_guest_memfd', 64, { size: u64(0), flags: u64(8), reserved: u64(16, 6) });

export const kvm_userspace_memory_region2 = layout('kvm_userspace_memory_region2', 160, {
  slot: u32(0), flags: u32(4), guest_phys_addr: u64(8), memory_size: u64(16), userspace_addr: u64(24),
  guest_memfd_offset: u64(32), guest_memfd: u32(40), pad1: u32(44), pad2: u64(48, 14),
});

export const kvm_mp_state = layout('kvm_mp_state', 4, { mp_state: u32(0) });

/** KVM_MEM_GUEST_MEMFD: the slot's private memory comes from a guest_memfd. */
export const KVM_MEM_GUEST_MEMFD = 1 << 2;

/** Sizes of the register structures whose ioctls a TD refuses (their contents do not matter here). */
export const KVM_REGS_SIZE = 144;
export const KVM_SREGS_SIZE = 312;
export const KVM_DEBUGREGS_SIZE = 128;

export const KVM_IOCTLS = {
  KVM_GET_API_VERSION: IO(KVMIO, 0x00),
  KVM_CREATE_VM: IO(KVMIO, 0x01),
  KVM_CHECK_EXTENSION: IO(KVMIO, 0x03),
  KVM_GET_VCPU_MMAP_SIZE: IO(KVMIO, 0x04),
  KVM_CREATE_VCPU: IO(KVMIO, 0x41),
  KVM_SET_USER_MEMORY_REGION2: IOW(KVMIO, 0x49, kvm_userspace_memory_region2.size),
  KVM_RUN: IO(KVMIO, 0x80),
  KVM_GET_REGS: IOR(KVMIO, 0x81, KVM_REGS_SIZE),
  KVM_SET_REGS: IOW(KVMIO, 0x82, KVM_REGS_SIZE),
  KVM_GET_SREGS: IOR(KVMIO, 0x83, KVM_SREGS_SIZE),
  KVM_SET_SREGS: IOW(KVMIO, 0x84, KVM_SREGS_SIZE),
  KVM_SET_CPUID2: IOW(KVMIO, 0x90, kvm_cpuid2.size),
  KVM_GET_MP_STATE: IOR(KVMIO, 0x98, kvm_mp_state.size),
  KVM_SET_MP_STATE: IOW(KVMIO, 0x99, kvm_mp_state.size),
  KVM_GET_DEBUGREGS: IOR(KVMIO, 0xa1, KVM_DEBUGREGS_SIZE),
  KVM_SET_DEBUGREGS: IOW(KVMIO, 0xa2, KVM_DEBUGREGS_SIZE),
  KVM_ENABLE_CAP: IOW(KVMIO, 0xa3, kvm_enable_cap.size),
  KVM_SMI: IO(KVMIO, 0xb7),
  /** _IOWR(KVMIO, 0xba, unsigned long): the argument is a struct kvm_tdx_cmd pointer. */
  KVM_MEMORY_ENCRYPT_OP: IOWR(KVMIO, 0xba, 8),
  KVM_SET_MEMORY_ATTRIBUTES: IOW(KVMIO, 0xd2, kvm_memory_attributes.size),
  KVM_CREATE_GUEST_MEMFD: IOWR(KVMIO, 0xd4, kvm_create_guest_memfd.size),
} as const;

export type KvmIoctlName = keyof typeof KVM_IOCTLS;

export function kvmIoctlName(request: number): KvmIoctlName | undefined {
  return (Object.keys(KVM_IOCTLS) as KvmIoctlName[]).find((k) => KVM_IOCTLS[k] === request);
}
