/**
 * What the TDX module does with an instruction a TD executes.
 *
 * The module's TD dispatcher turns some VM exits into a #VE for the guest (port I/O, HLT, WBINVD,
 * INVD, VMCALL: @src:guest-mod15-td-dispatcher) and injects #UD for the instructions a TD may not
 * use (every VMX instruction, GETSEC, RSM, ENCLS, ENCLV); the only #GP it injects among them is
 * an ENQCMD whose PASID translation fails (the TD's PASID tables sit on the zero page,
 * @src:guest-mod15-td-vmcs-init). The kernel's guest documentation (@src:tdx-rst-guest) lists all
 * of these as #GP; the model follows the module's code. MONITOR and MWAIT exit only when the TD's
 * CPUID does not enumerate MONITOR (the VMCS exiting controls are its inverse): module 1.5 makes
 * the exit a #VE, module 2.0 a #UD (@src:guest-mod208-td-dispatcher). ENCLU causes no VM exit at
 * all: the CPU decides, #UD below CPL 3 (@src:guest-sdm-enclu).
 *
 * RDMSR/WRMSR (by MSR) and CPUID (by leaf) depend on the operand. Privilege checks come first, as
 * on any CPU: privileged instructions at CPL 3 fault with #GP (MONITOR/MWAIT with #UD) before the
 * module sees them.
 */
import { EXIT_REASONS } from '../../../../spec/abi/vmx-exit-reasons';
import type { GuestMode } from '../../../guest-facet';
import type { Faults } from '../../faults';

export type InstructionClass =
  | { kind: 've'; exitReason: number; io?: { in: boolean; string: boolean } }
  | { kind: 'gp' }
  | { kind: 'ud' }
  | { kind: 'native' }
  | { kind: 'msr'; write: boolean }
  | { kind: 'cpuid' }
  | { kind: 'memory' };

/** What the classification depends on beyond the instruction: the module line and the TD's CPUID. */
export interface InstructionContext {
  /** Major version of the TDX module (2.0 turns the MONITOR/MWAIT exits into #UD). */
  moduleMajor: number;
  /** The TD's virtual CPUID(1).ECX.MONITOR: with it, MONITOR and MWAIT do not exit. */
  monitorEnumerated: boolean;
}

const VE_INSTRUCTIONS: Readonly<Record<string, InstructionClass>> = {
  IN: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: true, string: false } },
  OUT: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: false, string: false } },
  INS: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: true, string: true } },
  OUTS: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: false, string: true } },
  HLT: { kind: 've', exitReason: EXIT_REASONS.HLT },
  WBINVD: { kind: 've', exitReason: EXIT_REASONS.WBINVD },
  INVD: { kind: 've', exitReason: EXIT_REASONS.INVD },
  VMCALL: { kind: 've', exitReason: EXIT_REASONS.VMCALL },
};

/** MONITOR and MWAIT: a #VE on module 1.5, a #UD on 2.0, when they exit at all. */
const MONITOR_MWAIT: Readonly<Record<string, number>> = {
  MONITOR: EXIT_REASONS.MONITOR_INSTRUCTION,
  MWAIT: EXIT_REASONS.MWAIT_INSTRUCTION,
};

/** VMX instructions: the module injects #UD for each. */
export const VMX_INSTRUCTIONS = [
  'INVEPT', 'INVVPID', 'VMCLEAR', 'VMFUNC', 'VMLAUNCH', 'VMPTRLD', 'VMPTRST', 'VMREAD', 'VMRESUME', 'VMWRITE', 'VMXOFF', 'VMXON',
] as const;

/** Instructions a TD may not execute that end in #UD (ENCLU: the CPU's own #UD outside enclaves' CPL 3). */
export const UD_INSTRUCTIONS = [...VMX_INSTRUCTIONS, 'ENCLS', 'ENCLV', 'ENCLU', 'GETSEC', 'RSM'] as const;

/** ENQCMD: #GP (PASID translation through the zero-page tables fails, or IA32_PASID is invalid). */
export const GP_INSTRUCTIONS = ['ENQCMD', 'ENQCMDS'] as const;

export const VE_INSTRUCTION_NAMES = [...Object.keys(VE_INSTRUCTIONS), ...Object.keys(MONITOR_MWAIT)];

/** Instructions an ordinary CPU runs without the module's involvement (for contrast). */
const NATIVE = new Set(['NOP', 'PAUSE', 'RDTSC', 'LFENCE', 'MFENCE', 'SFENCE']);

const MEMORY = new Set(['MOV', 'MOVZX', 'MOVSX', 'MOVS']);

/** Faulting at CPL 3 before any VM exit: #GP for these... */
const PRIVILEGED_GP = new Set(['HLT', 'IN', 'OUT', 'INS', 'OUTS', 'RDMSR', 'WRMSR', 'WBINVD', 'INVD']);
/** ...and #UD for MONITOR/MWAIT, which user space may not use unless the OS enables it, and ENCLS. */
const PRIVILEGED_UD = new Set(['MONITOR', 'MWAIT', 'ENCLS']);

const DEFAULT_CONTEXT: InstructionContext = { moduleMajor: 1, monitorEnumerated: false };

export function classifyInstruction(mnemonic: string, mode: GuestMode, faults: Faults, td: InstructionContext = DEFAULT_CONTEXT): InstructionClass {
  const m = mnemonic.toUpperCase();
  if (mode === 'user' && PRIVILEGED_GP.has(m)) return { kind: 'gp' };
  if (mode === 'user' && PRIVILEGED_UD.has(m)) return { kind: 'ud' };
  if (m === 'HLT' && faults.has('guest.hlt-gp')) return { kind: 'gp' };
  if (VE_INSTRUCTIONS[m]) return VE_INSTRUCTIONS[m];
  if (MONITOR_MWAIT[m] !== undefined) {
    if (td.monitorEnumerated) return { kind: 'native' };
    const ud = td.moduleMajor >= 2 ? !faults.has('guest.monitor-ve-on-2.0') : faults.has('guest.monitor-ud-on-1.5');
    return ud ? { kind: 'ud' } : { kind: 've', exitReason: MONITOR_MWAIT[m] };
  }
  const vmx = (VMX_INSTRUCTIONS as readonly string[]).includes(m);
  if (vmx && faults.has('guest.vmx-ve')) return { kind: 've', exitReason: EXIT_REASONS.VMCALL };
  // The documentation's #GP, which the module does not inject (the fault plays the documented model).
  if (vmx && faults.has('guest.vmx-gp')) return { kind: 'gp' };
  if ((UD_INSTRUCTIONS as readonly string[]).includes(m)) return { kind: 'ud' };
  if ((GP_INSTRUCTIONS as readonly string[]).includes(m)) return faults.has('guest.enqcmd-ud') ? { kind: 'ud' } : { kind: 'gp' };
  if (m === 'RDMSR') return { kind: 'msr', write: false };
  if (m === 'WRMSR') return { kind: 'msr', write: true };
  if (m === 'CPUID') return { kind: 'cpuid' };
  if (MEMORY.has(m)) return { kind: 'memory' };
  if (NATIVE.has(m)) return { kind: 'native' };
  // UD2, and anything the model does not know, is an invalid opcode.
  return { kind: 'ud' };
}

/** The I/O exit qualification: size-1 in bits 2:0, IN in bit 3, string in bit 4, port in 31:16. */
export function ioQualification(size: number, isIn: boolean, isString: boolean, port: number): bigint {
  return BigInt(((size - 1) & 7) | (isIn ? 1 << 3 : 0) | (isString ? 1 << 4 : 0)) | (BigInt(port & 0xffff) << 16n);
}
