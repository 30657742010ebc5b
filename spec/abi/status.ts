/**
 * SEAMCALL completion status (RAX after SEAMRET). Bits 63:32 identify the status; bits 31:0 carry
 * details such as an operand id. Values from the kernel's tdx_errno.h and asm/tdx.h (@src:errno-h,
 * @src:asm-tdx-h) and, for codes Linux does not define, the module's tdx_error_codes_defs.h
 * (@src:mod-err). The kernel and the module disagree on two values (facts §7.5); the module's
 * value is what a module returns, so that is the one listed, with the kernel's in `linuxValue`.
 */
export interface StatusCode {
  name: string;
  value: bigint;
  linuxValue?: bigint;
}

const S = (name: string, value: bigint, linuxValue?: bigint): StatusCode =>
  ({ name, value, ...(linuxValue === undefined ? {} : { linuxValue }) });

export const TDX_SW_ERROR = (1n << 63n) | (0xffn << 40n);

export const STATUS_CODES: readonly StatusCode[] = [
  S('TDX_SUCCESS', 0n),
  S('TDX_NON_RECOVERABLE_VCPU', 0x4000000100000000n),
  S('TDX_NON_RECOVERABLE_TD', 0x6000000200000000n, 0x4000000200000000n),
  S('TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE', 0x6000000500000000n),
  S('TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE', 0xe000000700000000n, 0x6000000700000000n),
  S('TDX_INTERRUPTED_RESUMABLE', 0x8000000300000000n),
  S('TDX_INTERRUPTED_RESTARTABLE', 0x8000000400000000n),
  S('TDX_OPERAND_INVALID', 0xc000010000000000n),
  S('TDX_OPERAND_ADDR_RANGE_ERROR', 0xc000010100000000n),
  S('TDX_OPERAND_BUSY', 0x8000020000000000n),
  S('TDX_PREVIOUS_TLB_EPOCH_BUSY', 0x8000020100000000n),
  S('TDX_SYS_BUSY', 0x8000020200000000n),
  S('TDX_RND_NO_ENTROPY', 0x8000020300000000n),
  S('TDX_PAGE_METADATA_INCORRECT', 0xc000030000000000n),
  S('TDX_SYS_INIT_NOT_PENDING', 0xc000050000000000n),
  S('TDX_SYS_LP_INIT_NOT_DONE', 0xc000050200000000n),
  S('TDX_SYS_LP_INIT_DONE', 0xc000050300000000n),
  S('TDX_SYS_NOT_READY', 0xc000050500000000n),
  S('TDX_SYS_SHUTDOWN', 0xc000050600000000n),
  S('TDX_SYS_KEY_CONFIG_NOT_PENDING', 0xc000050700000000n),
  S('TDX_SYS_STATE_INCORRECT', 0xc000050800000000n),
  S('TDX_SYS_INVALID_HANDOFF', 0xc000050900000000n),
  S('TDX_SYS_LP_INIT_NOT_PENDING', 0xc000050b00000000n),
  S('TDX_SYS_CONFIG_NOT_PENDING', 0xc000050c00000000n),
  S('TDX_TD_FATAL', 0xe000060400000000n),
  S('TDX_TD_NON_DEBUG', 0xc000060500000000n),
  S('TDX_LIFECYCLE_STATE_INCORRECT', 0xc000060700000000n),
  S('TDX_OP_STATE_INCORRECT', 0xc000060800000000n),
  S('TDX_VCPU_ASSOCIATED', 0x8000070100000000n),
  S('TDX_VCPU_NOT_ASSOCIATED', 0x8000070200000000n),
  S('TDX_NO_VALID_VE_INFO', 0xc000070400000000n),
  S('TDX_TSC_ROLLBACK', 0xc000070600000000n),
  S('TDX_KEY_GENERATION_FAILED', 0x8000080000000000n),
  S('TDX_TD_KEYS_NOT_CONFIGURED', 0x8000081000000000n),
  S('TDX_KEY_STATE_INCORRECT', 0xc000081100000000n),
  S('TDX_KEY_CONFIGURED', 0x0000081500000000n),
  S('TDX_WBCACHE_NOT_COMPLETE', 0x8000081700000000n),
  S('TDX_HKID_NOT_FREE', 0xc000082000000000n),
  S('TDX_NO_HKID_READY_TO_WBCACHE', 0x0000082100000000n),
  S('TDX_FLUSHVP_NOT_DONE', 0x8000082400000000n),
  S('TDX_INCORRECT_CPUID_VALUE', 0xc000090000000000n),
  S('TDX_INVALID_TDMR', 0xc0000a0000000000n),
  S('TDX_NON_ORDERED_TDMR', 0xc0000a0100000000n),
  S('TDX_TDMR_OUTSIDE_CMRS', 0xc0000a0200000000n),
  S('TDX_TDMR_ALREADY_INITIALIZED', 0x00000a0300000000n),
  S('TDX_INVALID_PAMT', 0xc0000a1000000000n),
  S('TDX_PAMT_OUTSIDE_CMRS', 0xc0000a1100000000n),
  S('TDX_PAMT_OVERLAP', 0xc0000a1200000000n),
  S('TDX_INVALID_RESERVED_IN_TDMR', 0xc0000a2000000000n),
  S('TDX_NON_ORDERED_RESERVED_IN_TDMR', 0xc0000a2100000000n),
  S('TDX_CMR_LIST_INVALID', 0xc0000a2200000000n),
  S('TDX_EPT_WALK_FAILED', 0xc0000b0000000000n),
  S('TDX_EPT_ENTRY_NOT_PRESENT', 0xc0000b0300000000n),
  S('TDX_GPA_RANGE_NOT_BLOCKED', 0xc0000b0600000000n),
  S('TDX_GPA_RANGE_ALREADY_BLOCKED', 0x00000b0700000000n),
  S('TDX_TLB_TRACKING_NOT_DONE', 0xc0000b0800000000n),
  S('TDX_PAGE_ALREADY_ACCEPTED', 0x00000b0a00000000n),
  S('TDX_PAGE_SIZE_MISMATCH', 0xc0000b0b00000000n),
  S('TDX_EPT_ENTRY_STATE_INCORRECT', 0xc0000b0d00000000n),
  S('TDX_METADATA_FIELD_ID_INCORRECT', 0xc0000c0000000000n),
  S('TDX_METADATA_FIELD_NOT_WRITABLE', 0xc0000c0100000000n),
  S('TDX_METADATA_FIELD_NOT_READABLE', 0xc0000c0200000000n),
  S('TDX_METADATA_LIST_OVERFLOW', 0xc0000c0400000000n),
  S('TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT', 0x00000c0b00000000n),
  S('TDX_METADATA_FIELD_SKIP', 0x00000c0c00000000n),
  // TD teardown statuses of the module's TDH.PHYMEM leaves (1.5.01 tdx_error_codes_defs.h).
  S('TDX_TD_ASSOCIATED_PAGES_EXIST', 0xc000040000000000n),
  S('TDX_WBCACHE_RESUME_ERROR', 0xc000082300000000n),
  S('TDX_TDCS_NOT_ALLOCATED', 0xc000060600000000n),
  // vCPU and build statuses of TDH.VP.ADDCX, TDH.VP.INIT and TDH.MR.FINALIZE (1.5.01 tdx_error_codes_defs.h).
  S('TDX_NO_VCPUS', 0xc000060900000000n),
  S('TDX_TDCX_NUM_INCORRECT', 0xc000061000000000n),
  S('TDX_VCPU_STATE_INCORRECT', 0xc000070000000000n),
  S('TDX_MAX_VCPUS_EXCEEDED', 0xc000070500000000n),
  // Software-defined by the kernel for faults of the SEAMCALL instruction itself (@src:asm-tdx-h).
  S('TDX_SEAMCALL_VMFAILINVALID', TDX_SW_ERROR | 0xffff0000n),
  S('TDX_SEAMCALL_GP', TDX_SW_ERROR | 13n),
  S('TDX_SEAMCALL_UD', TDX_SW_ERROR | 6n),
];

/** Operand ids the module ORs into bits 31:0 (@src:mod-api, @src:errno-h). */
export const OPERAND_IDS: Readonly<Record<string, number>> = {
  RAX: 0, RCX: 1, RDX: 2, RBX: 3, RBP: 5, RSI: 6, RDI: 7,
  R8: 8, R9: 9, R10: 10, R11: 11, R12: 12, R13: 13, R14: 14, R15: 15, KET: 187,
  ATTRIBUTES: 64, XFAM: 65, EXEC_CONTROLS: 66, EPTP_CONTROLS: 67, MAX_VCPUS: 68,
  CPUID_CONFIG: 69, TSC_FREQUENCY: 70, NUM_L2_VMS: 71, IA32_ARCH_CAPABILITIES_CONFIG: 72, TDR: 128, TDCX: 129, TDVPR: 130,
};

const byName = new Map(STATUS_CODES.map((s) => [s.name, s]));
const byClass = new Map<bigint, StatusCode>();
for (const s of STATUS_CODES) {
  if (!s.name.startsWith('TDX_SEAMCALL_')) byClass.set(s.value >> 32n, s);
}

export function status(name: string): bigint {
  const s = byName.get(name);
  if (!s) throw new Error(`unknown TDX status ${name}`);
  return s.value;
}

export const isStatusName = (name: string): boolean => byName.has(name);

/** Name of a status value: exact match first (software codes), then by its upper 32 bits. */
export function statusName(value: bigint): string | undefined {
  for (const s of STATUS_CODES) if (s.value === value || s.linuxValue === value) return s.name;
  const c = byClass.get(value >> 32n);
  if (c) return c.name;
  for (const s of STATUS_CODES) if (s.linuxValue !== undefined && s.linuxValue >> 32n === value >> 32n) return s.name;
  return undefined;
}

export const statusClass = (value: bigint): bigint => value & 0xffffffff00000000n;
export const statusDetail = (value: bigint): number => Number(value & 0xffffffffn);
export const isError = (value: bigint): boolean => (value >> 63n) === 1n;
export const withOperand = (name: string, operand: keyof typeof OPERAND_IDS | number): bigint =>
  status(name) | BigInt(typeof operand === 'number' ? operand : OPERAND_IDS[operand]);

/** The module's api_error_with_multiple_info(): detail bytes in bits 7:0, 15:8 and 23:16. */
export const withInfo = (name: string, i0: number, i1 = 0, i2 = 0): bigint =>
  status(name) | BigInt(i0 & 0xff) | (BigInt(i1 & 0xff) << 8n) | (BigInt(i2 & 0xff) << 16n);
