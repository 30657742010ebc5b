/** VMX basic exit reasons that TDX uses for #VE and TD exits (arch/x86/include/uapi/asm/vmx.h). */
export const EXIT_REASONS = {
  CPUID: 10,
  HLT: 12,
  INVD: 13,
  VMCALL: 18,
  IO_INSTRUCTION: 30,
  MSR_READ: 31,
  MSR_WRITE: 32,
  EPT_VIOLATION: 48,
  EPT_MISCONFIG: 49,
  MONITOR_INSTRUCTION: 39,
  MWAIT_INSTRUCTION: 36,
  WBINVD: 54,
  TDCALL: 77,
} as const;

export type ExitReasonName = keyof typeof EXIT_REASONS;

export function exitReasonName(n: number): ExitReasonName | undefined {
  return (Object.keys(EXIT_REASONS) as ExitReasonName[]).find((k) => EXIT_REASONS[k] === n);
}
