/**
 * What KVM answers a TD's VMM: the kvm_run fields a TD fills, hypercall numbers, mp_state values,
 * and the KVM-side constants of TDVMCALL handling (values the model serves; steps take expected
 * values from the feature files, and issue calls with spec/encodings/kvm.ts). Values from include/uapi/linux/kvm.h and
 * arch/x86/include/uapi/asm/kvm.h as the QEMU header sync quotes them (@src:kvm-uapi-sync), the
 * KVM TDX document (@src:kvm-tdx-rst) and arch/x86/kvm/vmx/tdx.c (@src:kvm-tdx-c).
 */

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

/** CPUID bits KVM hides from KVM_TDX_CAPABILITIES and refuses in KVM_TDX_INIT_VM (leaf 7.0). */
export const CPUID_7_0_EBX_HLE = 1 << 4;
export const CPUID_7_0_EBX_RTM = 1 << 11;
export const CPUID_7_0_ECX_WAITPKG = 1 << 5;