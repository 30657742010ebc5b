/**
 * KVM's user-space ABI for TDX guests: VM types, KVM_MEMORY_ENCRYPT_OP sub-commands and their
 * structures, exit reasons and the kvm_run fields a TD fills, capability numbers, and the KVM-side
 * constants of TDVMCALL handling. Values from include/uapi/linux/kvm.h and
 * arch/x86/include/uapi/asm/kvm.h as the QEMU header sync quotes them (@src:kvm-uapi-sync), the
 * KVM TDX document (@src:kvm-tdx-rst) and arch/x86/kvm/vmx/tdx.c (@src:kvm-tdx-c).
 */

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
export const isKvmTdxCmdName = (s: string): s is KvmTdxCmdName => Object.prototype.hasOwnProperty.call(KVM_TDX_CMDS, s);
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
export const isKvmCapName = (s: string): s is KvmCapName => Object.prototype.hasOwnProperty.call(KVM_CAPS, s);

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
export const isKvmExitName = (s: string): s is KvmExitName => Object.prototype.hasOwnProperty.call(KVM_EXITS, s);

export const KVM_EXIT_IO_IN = 0;
export const KVM_EXIT_IO_OUT = 1;

/** kvm_run.system_event.type for a fatal error a TD reported (ndata 16, the guest GPRs). */
export const KVM_SYSTEM_EVENT_TDX_FATAL = 7;
/** kvm_run.internal.suberror for a TD exit KVM does not handle. */
export const KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;
/** kvm_run.memory_fault.flags: the access was to private memory. */
export const KVM_MEMORY_EXIT_FLAG_PRIVATE = 1n << 3n;

/** KVM hypercall numbers (uapi/linux/kvm_para.h) and the MAP_GPA_RANGE attribute encoding. */
export const KVM_HC_VAPIC_POLL_IRQ = 1n;
export const KVM_HC_MAP_GPA_RANGE = 12n;
export const KVM_MAP_GPA_RANGE_ENCRYPTED = 1n << 4n;
export const KVM_MAP_GPA_RANGE_DECRYPTED = 0n;
/** kvm_run.hypercall.flags: the guest was in 64-bit mode. */
export const KVM_EXIT_HYPERCALL_LONG_MODE = 1n << 0n;
/** What a hypercall KVM does not know returns (-KVM_ENOSYS), as a 64-bit register value. */
export const KVM_ENOSYS = 1000n;

/** struct kvm_memory_attributes.attributes */
export const KVM_MEMORY_ATTRIBUTE_PRIVATE = 1n << 3n;

/** kvm_mp_state values. */
export const KVM_MP_STATES = {
  KVM_MP_STATE_RUNNABLE: 0,
  KVM_MP_STATE_UNINITIALIZED: 1,
  KVM_MP_STATE_INIT_RECEIVED: 2,
  KVM_MP_STATE_HALTED: 3,
  KVM_MP_STATE_SIPI_RECEIVED: 4,
} as const;

export type KvmMpStateName = keyof typeof KVM_MP_STATES;

/** TD attribute bits KVM knows (tdx_arch.h): only SEPT_VE_DISABLE is supported for TDs. */
export const TDX_TD_ATTR_DEBUG = 1n << 0n;
export const TDX_TD_ATTR_SEPT_VE_DISABLE = 1n << 28n;

/** td_params.config_flags (tdx_arch.h). */
export const TDX_CONFIG_FLAGS_MAX_GPAW = 1n << 0n;
export const TDX_CONFIG_FLAGS_NO_RBP_MOD = 1n << 2n;

/** MapGPA is forwarded to user space in pieces of at most this many bytes (TDX_MAP_GPA_MAX_LEN). */
export const TDX_MAP_GPA_MAX_LEN = 2n << 20n;
/** TDH.MR.EXTEND measures 256 bytes per call (TDX_EXTENDMR_CHUNKSIZE). */
export const TDX_EXTENDMR_CHUNKSIZE = 256n;
/** TD_PARAMS.tsc_frequency is in units of 25 MHz. */
export const TDX_TSC_25MHZ_KHZ = 25_000;

/** The GPA widths a TD may have, and the shared bit each implies (bit 47 or bit 51). */
export const TD_GPA_WIDTHS = [48, 52] as const;
export type TdGpaWidth = (typeof TD_GPA_WIDTHS)[number];
export const sharedBit = (gpaw: number): bigint => 1n << BigInt(gpaw - 1);

/** CPUID bits KVM hides from KVM_TDX_CAPABILITIES and refuses in KVM_TDX_INIT_VM (leaf 7.0). */
export const CPUID_7_0_EBX_HLE = 1 << 4;
export const CPUID_7_0_EBX_RTM = 1 << 11;
export const CPUID_7_0_ECX_WAITPKG = 1 << 5;

/** KVM_TDX_CPUID_NO_SUBLEAF: a CPUID configuration without sub-leaf. */
export const KVM_TDX_CPUID_NO_SUBLEAF = 0xffffffff;
