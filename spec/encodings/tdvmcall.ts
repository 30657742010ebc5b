/**
 * How a TD issues TDG.VP.VMCALL (TDVMCALL) as the GHCI defines it and Linux uses it
 * (@src:shared-tdx-h, @src:guest-c, @src:kvm-c): R10 = 0 selects a GHCI-standard call with its
 * sub-function in R11; a non-zero R10 is a vendor call (KVM treats it as a KVM hypercall).
 *
 * A call encoding: steps use it to issue a TDVMCALL by name. What a VMM answers (the statuses in
 * R10) is a value, in spec/abi/tdvmcall.ts, which steps may not read; the numbers here are pinned
 * by raw-leaf scenarios (features/kvm/tdvmcall.feature, "leaf numbers").
 */
import { isKeyOf } from './keys';
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

export const isTdvmcallLeaf: (s: string) => s is TdvmcallLeaf = isKeyOf(TDVMCALL_LEAVES);

export function tdvmcallLeafName(v: bigint): TdvmcallLeaf | undefined {
  return (Object.keys(TDVMCALL_LEAVES) as TdvmcallLeaf[]).find((k) => TDVMCALL_LEAVES[k] === v);
}

/**
 * Text carried in registers, as TDVMCALL<ReportFatalError> passes its message: eight little-endian
 * bytes per register, in the given order, up to the first zero byte. Which registers, in which
 * order, is the caller's (the feature's, for a step).
 */
export function textFromRegisters<R extends string>(regs: Partial<Record<R, bigint>>, order: readonly R[]): string {
  let s = '';
  for (const r of order) {
    const v = regs[r] ?? 0n;
    for (let i = 0n; i < 8n; i++) {
      const c = Number((v >> (8n * i)) & 0xffn);
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
  }
  return s;
}
