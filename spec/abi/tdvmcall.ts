/**
 * TDG.VP.VMCALL (TDVMCALL) as the GHCI defines it and Linux uses it (@src:shared-tdx-h,
 * @src:guest-c, @src:kvm-c). R10 = 0 selects a GHCI-standard call with its sub-function in R11;
 * a non-zero R10 is a vendor call (KVM treats it as a KVM hypercall). The VMM returns a status in
 * R10 and an output value in R11.
 */
export const TDX_HYPERCALL_STANDARD = 0n;

/** Sub-functions (R11). Instruction-like ones reuse the VMX exit reason numbers. */
export const TDVMCALL_LEAVES = {
  'Instruction.CPUID': 10n,
  'Instruction.HLT': 12n,
  'Instruction.IO': 30n,
  'Instruction.RDMSR': 31n,
  'Instruction.WRMSR': 32n,
  '#VE.RequestMMIO': 48n,
  'Instruction.WBINVD': 54n,
  GetTdVmCallInfo: 0x10000n,
  MapGPA: 0x10001n,
  GetQuote: 0x10002n,
  ReportFatalError: 0x10003n,
  SetupEventNotifyInterrupt: 0x10004n,
} as const;

export type TdvmcallLeaf = keyof typeof TDVMCALL_LEAVES;

/** Statuses the VMM returns in R10 (shared/tdx.h of v6.16+). */
export const TDVMCALL_STATUS = {
  SUCCESS: 0x0000000000000000n,
  RETRY: 0x0000000000000001n,
  INVALID_OPERAND: 0x8000000000000000n,
  ALIGN_ERROR: 0x8000000000000002n,
  SUBFUNC_UNSUPPORTED: 0x8000000000000003n,
} as const;

export type TdvmcallStatus = keyof typeof TDVMCALL_STATUS;

export function tdvmcallLeafName(v: bigint): TdvmcallLeaf | undefined {
  return (Object.keys(TDVMCALL_LEAVES) as TdvmcallLeaf[]).find((k) => TDVMCALL_LEAVES[k] === v);
}

export function tdvmcallStatusName(v: bigint): TdvmcallStatus | undefined {
  return (Object.keys(TDVMCALL_STATUS) as TdvmcallStatus[]).find((k) => TDVMCALL_STATUS[k] === v);
}

/**
 * ReportFatalError: R12 = error code (0: panic); a guest's message travels as up to 64 bytes in
 * R14, R15, RBX, RDI, RSI, R8, R9, RDX, eight little-endian bytes each (@src:guest-c).
 */
export const FATAL_ERROR_MESSAGE_REGS = ['r14', 'r15', 'rbx', 'rdi', 'rsi', 'r8', 'r9', 'rdx'] as const;

export function decodeFatalErrorMessage(regs: Partial<Record<(typeof FATAL_ERROR_MESSAGE_REGS)[number], bigint>>): string {
  let s = '';
  for (const r of FATAL_ERROR_MESSAGE_REGS) {
    const v = regs[r] ?? 0n;
    for (let i = 0n; i < 8n; i++) {
      const c = Number((v >> (8n * i)) & 0xffn);
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
  }
  return s;
}
