/**
 * What a VMM answers a TDVMCALL (@src:shared-tdx-h, @src:guest-c, @src:kvm-c): the status in R10,
 * and how a guest's fatal-error message travels in registers. Values the model serves: steps take
 * the expected ones from the feature files, never from here. How a call is issued (R10, R11 leaf
 * numbers) is in spec/encodings/tdvmcall.ts.
 */
import { textFromRegisters } from '../encodings/tdvmcall';

/** Statuses the VMM returns in R10 (shared/tdx.h of v6.16+). */
export const TDVMCALL_STATUS = {
  SUCCESS: 0x0000000000000000n,
  RETRY: 0x0000000000000001n,
  INVALID_OPERAND: 0x8000000000000000n,
  ALIGN_ERROR: 0x8000000000000002n,
  SUBFUNC_UNSUPPORTED: 0x8000000000000003n,
} as const;

export type TdvmcallStatus = keyof typeof TDVMCALL_STATUS;

export function tdvmcallStatusName(v: bigint): TdvmcallStatus | undefined {
  return (Object.keys(TDVMCALL_STATUS) as TdvmcallStatus[]).find((k) => TDVMCALL_STATUS[k] === v);
}

/**
 * ReportFatalError: R12 = error code (0: panic); a guest's message travels as up to 64 bytes in
 * R14, R15, RBX, RDI, RSI, R8, R9, RDX, eight little-endian bytes each (@src:guest-c).
 */
export const FATAL_ERROR_MESSAGE_REGS = ['r14', 'r15', 'rbx', 'rdi', 'rsi', 'r8', 'r9', 'rdx'] as const;

export function decodeFatalErrorMessage(regs: Partial<Record<(typeof FATAL_ERROR_MESSAGE_REGS)[number], bigint>>): string {
  return textFromRegisters(regs, FATAL_ERROR_MESSAGE_REGS);
}
