/**
 * What the TDX module does with an instruction a TD executes (@src:tdx-rst-guest).
 *
 * The guest documentation lists instructions that always raise #VE (port I/O, HLT, MONITOR,
 * MWAIT, WBINVD, INVD, VMCALL), instructions that always raise #GP (every VMX instruction,
 * ENCLS, ENCLU, GETSEC, RSM, ENQCMD), and two whose outcome depends on the operand: RDMSR/WRMSR
 * (by MSR) and CPUID (by leaf). Privilege checks come first, as on any CPU: privileged
 * instructions at CPL 3 fault with #GP (MONITOR/MWAIT with #UD) before the module sees them.
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

const VE_INSTRUCTIONS: Readonly<Record<string, InstructionClass>> = {
  IN: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: true, string: false } },
  OUT: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: false, string: false } },
  INS: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: true, string: true } },
  OUTS: { kind: 've', exitReason: EXIT_REASONS.IO_INSTRUCTION, io: { in: false, string: true } },
  HLT: { kind: 've', exitReason: EXIT_REASONS.HLT },
  MONITOR: { kind: 've', exitReason: EXIT_REASONS.MONITOR_INSTRUCTION },
  MWAIT: { kind: 've', exitReason: EXIT_REASONS.MWAIT_INSTRUCTION },
  WBINVD: { kind: 've', exitReason: EXIT_REASONS.WBINVD },
  INVD: { kind: 've', exitReason: EXIT_REASONS.INVD },
  VMCALL: { kind: 've', exitReason: EXIT_REASONS.VMCALL },
};

/** VMX instructions: all raise #GP in a TD. */
export const VMX_INSTRUCTIONS = [
  'INVEPT', 'INVVPID', 'VMCLEAR', 'VMFUNC', 'VMLAUNCH', 'VMPTRLD', 'VMPTRST', 'VMREAD', 'VMRESUME', 'VMWRITE', 'VMXOFF', 'VMXON',
] as const;

export const GP_INSTRUCTIONS = [...VMX_INSTRUCTIONS, 'ENCLS', 'ENCLU', 'GETSEC', 'RSM', 'ENQCMD'] as const;

export const VE_INSTRUCTION_NAMES = Object.keys(VE_INSTRUCTIONS);

/** Instructions an ordinary CPU runs without the module's involvement (for contrast). */
const NATIVE = new Set(['NOP', 'PAUSE', 'RDTSC', 'LFENCE', 'MFENCE', 'SFENCE']);

const MEMORY = new Set(['MOV', 'MOVZX', 'MOVSX', 'MOVS']);

/** Faulting at CPL 3 before any VM exit: #GP for these... */
const PRIVILEGED_GP = new Set(['HLT', 'IN', 'OUT', 'INS', 'OUTS', 'RDMSR', 'WRMSR', 'WBINVD', 'INVD']);
/** ...and #UD for MONITOR/MWAIT, which user space may not use unless the OS enables it. */
const PRIVILEGED_UD = new Set(['MONITOR', 'MWAIT']);

export function classifyInstruction(mnemonic: string, mode: GuestMode, faults: Faults): InstructionClass {
  const m = mnemonic.toUpperCase();
  if (mode === 'user' && PRIVILEGED_GP.has(m)) return { kind: 'gp' };
  if (mode === 'user' && PRIVILEGED_UD.has(m)) return { kind: 'ud' };
  if (m === 'HLT' && faults.has('guest.hlt-gp')) return { kind: 'gp' };
  if (VE_INSTRUCTIONS[m]) return VE_INSTRUCTIONS[m];
  if ((GP_INSTRUCTIONS as readonly string[]).includes(m)) {
    if (faults.has('guest.vmx-ve') && (VMX_INSTRUCTIONS as readonly string[]).includes(m)) {
      return { kind: 've', exitReason: EXIT_REASONS.VMCALL };
    }
    return { kind: 'gp' };
  }
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
