/**
 * How a VMM issues KVM's TDX calls: VM types, KVM_MEMORY_ENCRYPT_OP sub-command ids, capability
 * numbers, structure sizes, kvm_run exit reason numbers and memory attributes, from
 * include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h as the QEMU header sync quotes them
 * (@src:kvm-uapi-sync) and the KVM TDX document (@src:kvm-tdx-rst).
 *
 * Call encodings: steps may use them to issue a call; the numbers a scenario expects back are
 * written in the feature files. What KVM answers (exit data, hypercall numbers, TD attributes it
 * supports) is in spec/abi/kvm-uapi.ts, which steps may not read.
 */
import { isKeyOf } from './keys';
/** KVM_CREATE_VM machine types (asm/kvm.h). KVM_CAP_VM_TYPES reports a bitmap of them. */
export const KVM_VM_TYPES = {
  KVM_X86_DEFAULT_VM: 0,
  KVM_X86_SW_PROTECTED_VM: 1,
  KVM_X86_SEV_VM: 2,
  KVM_X86_SEV_ES_VM: 3,
  KVM_X86_SNP_VM: 4,
  KVM_X86_TDX_VM: 5,
} as const;
export type KvmVmTypeName = keyof typeof KVM_VM_TYPES;
export const KVM_X86_TDX_VM = KVM_VM_TYPES.KVM_X86_TDX_VM;

/**
 * enum kvm_tdx_cmd_id: the `id` of struct kvm_tdx_cmd. (A KVM_TDX_TERMINATE_VM = 6 was proposed and
 * dropped from the 6.17 pull; no release has it, @src:kvm-ml-terminate-dropped.)
 */
export const KVM_TDX_CMDS = {
  KVM_TDX_CAPABILITIES: 0,
  KVM_TDX_INIT_VM: 1,
  KVM_TDX_INIT_VCPU: 2,
  KVM_TDX_INIT_MEM_REGION: 3,
  KVM_TDX_FINALIZE_VM: 4,
  KVM_TDX_GET_CPUID: 5,
} as const;
export type KvmTdxCmdName = keyof typeof KVM_TDX_CMDS;
export const isKvmTdxCmdName: (s: string) => s is KvmTdxCmdName = isKeyOf(KVM_TDX_CMDS);
export const kvmTdxCmdName = (id: number): KvmTdxCmdName | undefined =>
  (Object.keys(KVM_TDX_CMDS) as KvmTdxCmdName[]).find((k) => KVM_TDX_CMDS[k] === id);

/** Sub-commands issued on the VM file descriptor; the others go to a vCPU descriptor. */
export const KVM_TDX_VM_SCOPE: readonly KvmTdxCmdName[] = [
  'KVM_TDX_CAPABILITIES', 'KVM_TDX_INIT_VM', 'KVM_TDX_FINALIZE_VM',
];

/** Flags of KVM_TDX_INIT_MEM_REGION: extend the TD measurement with the pages' contents. */
export const KVM_TDX_MEASURE_MEMORY_REGION = 1n << 0n;

/** Structure sizes in bytes (the part before any flexible array). */
export const KVM_STRUCT_SIZES = {
  /** struct kvm_tdx_cmd { u32 id; u32 flags; u64 data; u64 hw_error; } */
  kvm_tdx_cmd: 24,
  /** struct kvm_tdx_init_vm: attributes, xfam, mrconfigid[6], mrowner[6], mrownerconfig[6], reserved[12]. */
  kvm_tdx_init_vm: 256,
  /** struct kvm_tdx_capabilities: six u64 and reserved[250], before struct kvm_cpuid2. */
  kvm_tdx_capabilities: 2048,
  /** struct kvm_tdx_init_mem_region { u64 source_addr, gpa, nr_pages; } */
  kvm_tdx_init_mem_region: 24,
  /** struct kvm_cpuid_entry2 */
  kvm_cpuid_entry2: 40,
  /** struct td_params handed to TDH.MNG.INIT (1024-byte aligned). */
  td_params: 1024,
} as const;

/** Words of kvm_tdx_init_vm.reserved, which must be zero. */
export const KVM_TDX_INIT_VM_RESERVED_WORDS = 12;
export const KVM_MAX_CPUID_ENTRIES = 256;

/** KVM_CHECK_EXTENSION / KVM_ENABLE_CAP numbers (linux/kvm.h). */
export const KVM_CAPS = {
  KVM_CAP_MAX_VCPUS: 66,
  KVM_CAP_SPLIT_IRQCHIP: 121,
  KVM_CAP_EXIT_HYPERCALL: 201,
  KVM_CAP_VM_TYPES: 235,
} as const;
export type KvmCapName = keyof typeof KVM_CAPS;
export const isKvmCapName: (s: string) => s is KvmCapName = isKeyOf(KVM_CAPS);

/** kvm_run.exit_reason values a TD vCPU produces. */
export const KVM_EXITS = {
  KVM_EXIT_IO: 2,
  KVM_EXIT_HYPERCALL: 3,
  KVM_EXIT_MMIO: 6,
  KVM_EXIT_SHUTDOWN: 8,
  KVM_EXIT_FAIL_ENTRY: 9,
  KVM_EXIT_INTERNAL_ERROR: 17,
  KVM_EXIT_SYSTEM_EVENT: 24,
  KVM_EXIT_MEMORY_FAULT: 39,
  KVM_EXIT_TDX: 40,
} as const;
export type KvmExitName = keyof typeof KVM_EXITS;
export const isKvmExitName: (s: string) => s is KvmExitName = isKeyOf(KVM_EXITS);

export const KVM_EXIT_IO_IN = 0;
export const KVM_EXIT_IO_OUT = 1;

/** struct kvm_memory_attributes.attributes */
export const KVM_MEMORY_ATTRIBUTE_PRIVATE = 1n << 3n;

/** The GPA widths a TD may have, and the shared bit each implies (bit 47 or bit 51). */
export const TD_GPA_WIDTHS = [48, 52] as const;
export type TdGpaWidth = (typeof TD_GPA_WIDTHS)[number];
export const sharedBit = (gpaw: number): bigint => 1n << BigInt(gpaw - 1);

/** KVM_TDX_CPUID_NO_SUBLEAF: a CPUID configuration without sub-leaf. */
export const KVM_TDX_CPUID_NO_SUBLEAF = 0xffffffff;

