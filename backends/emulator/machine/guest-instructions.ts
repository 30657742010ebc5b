/**
 * A process of the emulated TD running machine code (KernelInterface.runInstructions): a small
 * x86-64 interpreter for the instruction forms the linux backend's sequences use (register moves
 * through the io pointer in RDI, PUSH/POP RBX, a stack-aligned RAX, RET), which hands every other
 * instruction it decodes to the emulated TD as that instruction executed in user mode. How the TD
 * treats it decides how the process ends: a signal (SIGILL for #UD, SIGSEGV for #GP or an
 * unhandled #VE), or on to the next instruction with the registers the TD left.
 *
 * It decodes the bytes itself, from the SDM's encodings; it never looks a sequence up by name.
 * An encoding it does not know ends the process with SIGILL, as an invalid opcode would.
 */
import type { InstructionRun } from '../../kernel-interface';
import type { GuestInstruction, GuestReaction } from '../../guest-facet';
import type { Reg, Regs } from '../../port';
import type { EmulatedTd } from '../guest/td';

const MASK64 = (1n << 64n) - 1n;
const REG64: readonly Reg[] = ['rax', 'rcx', 'rdx', 'rbx', 'rsi', 'rdi', 'r8', 'r9'];

/** Instructions handed to the TD: opcode bytes after prefixes, with the ModRM they need (if any). */
interface Special {
  mnemonic: string;
  prefix?: number;
  opcode: readonly number[];
  /** A ModRM byte follows (memory or register operand); its value does not change the instruction. */
  modrm?: boolean;
}

const SPECIALS: readonly Special[] = [
  { mnemonic: 'CPUID', opcode: [0x0f, 0xa2] },
  { mnemonic: 'VMCALL', opcode: [0x0f, 0x01, 0xc1] },
  { mnemonic: 'VMLAUNCH', opcode: [0x0f, 0x01, 0xc2] },
  { mnemonic: 'VMRESUME', opcode: [0x0f, 0x01, 0xc3] },
  { mnemonic: 'VMXOFF', opcode: [0x0f, 0x01, 0xc4] },
  { mnemonic: 'MONITOR', opcode: [0x0f, 0x01, 0xc8] },
  { mnemonic: 'MWAIT', opcode: [0x0f, 0x01, 0xc9] },
  { mnemonic: 'ENCLS', opcode: [0x0f, 0x01, 0xcf] },
  { mnemonic: 'VMFUNC', opcode: [0x0f, 0x01, 0xd4] },
  { mnemonic: 'ENCLU', opcode: [0x0f, 0x01, 0xd7] },
  { mnemonic: 'INVEPT', prefix: 0x66, opcode: [0x0f, 0x38, 0x80], modrm: true },
  { mnemonic: 'INVVPID', prefix: 0x66, opcode: [0x0f, 0x38, 0x81], modrm: true },
  { mnemonic: 'ENQCMD', prefix: 0xf2, opcode: [0x0f, 0x38, 0xf8], modrm: true },
  { mnemonic: 'VMXON', prefix: 0xf3, opcode: [0x0f, 0xc7], modrm: true },
  { mnemonic: 'VMCLEAR', prefix: 0x66, opcode: [0x0f, 0xc7], modrm: true },
  { mnemonic: 'VMPTRLD', opcode: [0x0f, 0xc7], modrm: true },
  { mnemonic: 'VMREAD', opcode: [0x0f, 0x78], modrm: true },
  { mnemonic: 'VMWRITE', opcode: [0x0f, 0x79], modrm: true },
  { mnemonic: 'GETSEC', opcode: [0x0f, 0x37] },
  { mnemonic: 'RSM', opcode: [0x0f, 0xaa] },
  { mnemonic: 'WBINVD', opcode: [0x0f, 0x09] },
  { mnemonic: 'INVD', opcode: [0x0f, 0x08] },
  { mnemonic: 'UD2', opcode: [0x0f, 0x0b] },
  { mnemonic: 'HLT', opcode: [0xf4] },
  { mnemonic: 'NOP', opcode: [0x90] },
];

/** How the kernel's handling of the instruction ends the process, if it does. */
function signalOf(g: GuestReaction): string | null {
  switch (g.kind) {
    case 'sigill': return 'SIGILL';
    case 'sigsegv': return 'SIGSEGV';
    // An oops in a process's context kills it (make_task_dead(SIGSEGV)).
    case 'oops': return 'SIGSEGV';
    case 'panic':
    case 'shutdown': return 'SIGKILL';
    default: return null;
  }
}

class Fault extends Error {}

export function runInTd(td: EmulatedTd, code: Uint8Array, input: readonly bigint[] = []): InstructionRun {
  const io = Array.from({ length: 8 }, (_, i) => input[i] ?? 0n);
  const regs: Regs = { rdi: 0x1000n };
  // The stack pointer of the process (a made-up address; only its alignment matters here).
  const rsp = 0x7ffff7a8n;
  const stack: bigint[] = [];
  const get = (r: Reg): bigint => regs[r] ?? 0n;
  let pc = 0;
  const byte = (at: number): number => {
    if (at >= code.length) throw new Fault('ran past the end of the code');
    return code[at];
  };
  /** io[] slot addressed by [rdi + disp8] (the only memory the sequences touch). */
  const slot = (modrm: number, at: number): { index: number; len: number } => {
    const mod = modrm >> 6;
    const rm = modrm & 7;
    if (rm !== 7) throw new Fault('memory operand other than [rdi]');
    if (mod === 0) return { index: 0, len: 0 };
    if (mod === 1) return { index: byte(at) / 8, len: 1 };
    throw new Fault('unsupported addressing');
  };
  try {
    for (let steps = 0; steps < 64; steps++) {
      const op = byte(pc);
      // push rbx / pop rbx / ret
      if (op === 0x53) { stack.push(get('rbx')); pc += 1; continue; }
      if (op === 0x5b) { regs.rbx = stack.pop() ?? 0n; pc += 1; continue; }
      if (op === 0xc3) return { ended: 'returned', out: io };
      // mov r32, [rdi+disp]: 8b /r (zero-extends into the 64-bit register)
      if (op === 0x8b) {
        const m = byte(pc + 1);
        const s = slot(m, pc + 2);
        regs[REG64[(m >> 3) & 7]] = io[s.index] & 0xffffffffn;
        pc += 2 + s.len;
        continue;
      }
      if (op === 0x48) {
        const op2 = byte(pc + 1);
        const m = byte(pc + 2);
        // mov [rdi+disp], r64: 48 89 /r (memory form) or mov r/m64, r64 (register form, mod 11)
        if (op2 === 0x89 && m >> 6 !== 3) {
          const s = slot(m, pc + 3);
          io[s.index] = get(REG64[(m >> 3) & 7]) & MASK64;
          pc += 3 + s.len;
          continue;
        }
        if (op2 === 0x89 && m === 0xe0) { regs.rax = rsp; pc += 3; continue; } // mov rax, rsp
        if (op2 === 0x83 && m === 0xe0) { regs.rax = get('rax') & BigInt.asUintN(64, BigInt(((byte(pc + 3) << 24) >> 24))); pc += 4; continue; } // and rax, imm8
        if (op2 === 0x2d) { regs.rax = (get('rax') - BigInt(Buffer.from(code.slice(pc + 2, pc + 6)).readInt32LE(0))) & MASK64; pc += 6; continue; } // sub rax, imm32
        throw new Fault(`unknown REX.W instruction 48 ${op2.toString(16)}`);
      }
      // The instruction for the TD: [prefix] opcode [modrm].
      const prefix = op === 0x66 || op === 0xf2 || op === 0xf3 ? op : undefined;
      const at = pc + (prefix === undefined ? 0 : 1);
      const special = SPECIALS.find((x) => x.prefix === prefix && x.opcode.every((b, i) => byte(at + i) === b)
        // VMPTRLD/VMPTRST share 0f c7 and differ in ModRM.reg (6 and 7); VMXON and VMCLEAR are /6.
        && (!(x.opcode[0] === 0x0f && x.opcode[1] === 0xc7) || ((byte(at + 2) >> 3) & 7) === 6));
      const vmptrst = prefix === undefined && byte(at) === 0x0f && byte(at + 1) === 0xc7 && ((byte(at + 2) >> 3) & 7) === 7;
      if (!special && !vmptrst) return { ended: 'signal', signal: 'SIGILL' };
      const mnemonic = vmptrst ? 'VMPTRST' : special!.mnemonic;
      const len = (at - pc) + (vmptrst ? 3 : special!.opcode.length + (special!.modrm ? 1 : 0));
      const insn: GuestInstruction = { mnemonic, mode: 'user', regs: { ...regs } };
      const o = mnemonic === 'CPUID'
        ? (() => {
          const c = td.cpuid(0, Number(get('rax') & 0xffffffffn), Number(get('rcx') & 0xffffffffn), 'user');
          return { guest: c.guest, regs: { rax: BigInt(c.eax), rbx: BigInt(c.ebx), rcx: BigInt(c.ecx), rdx: BigInt(c.edx) } };
        })()
        : td.execute(0, insn);
      const sig = o.guest ? signalOf(o.guest) : null;
      if (sig) return { ended: 'signal', signal: sig };
      Object.assign(regs, o.regs);
      pc += len;
    }
    return { ended: 'signal', signal: 'SIGKILL' };
  } catch (e) {
    if (e instanceof Fault) return { ended: 'signal', signal: 'SIGSEGV' };
    throw e;
  }
}
