/**
 * The machine code the linux backend runs in a child process (KernelInterface.runInstructions),
 * written out byte by byte with its assembly, so that a reader can check each encoding against
 * the SDM. Every sequence is a function `void f(uint64_t *io)`: `io` (RDI) holds the inputs, and
 * a sequence that returns stores its outputs through it. Callee-saved registers it touches (RBX)
 * are saved and restored; nothing else is assumed about the caller.
 *
 * Two kinds: CPUID (leaf in io[0], subleaf in io[1]; EAX, EBX, ECX, EDX out in io[0..3]), and
 * "one instruction, then return", used to see how a process ends when it executes an instruction
 * a TD refuses. Their memory operands point at `io`, so a fault can only come from the
 * instruction itself, never from a bad address.
 */

export interface InsnSequence {
  name: string;
  /** What the sequence does, for reports. */
  what: string;
  code: Uint8Array;
}

const seq = (name: string, what: string, ...parts: number[][]): InsnSequence => ({ name, what, code: Uint8Array.from(parts.flat()) });

const RET = [0xc3]; // ret

/** CPUID with the leaf and subleaf from io[0], io[1]; EAX..EDX to io[0..3]. */
export const CPUID = seq('cpuid', 'CPUID (leaf io[0], subleaf io[1]) -> io[0..3] = EAX, EBX, ECX, EDX',
  [0x53], //                push rbx
  [0x8b, 0x07], //          mov eax, [rdi]
  [0x8b, 0x4f, 0x08], //    mov ecx, [rdi+8]
  [0x0f, 0xa2], //          cpuid
  [0x48, 0x89, 0x07], //    mov [rdi], rax
  [0x48, 0x89, 0x5f, 0x08], // mov [rdi+8], rbx
  [0x48, 0x89, 0x4f, 0x10], // mov [rdi+16], rcx
  [0x48, 0x89, 0x57, 0x18], // mov [rdi+24], rdx
  [0x5b], //                pop rbx
  RET);

/** One instruction, then `ret`: how the process ends is the observation. */
const ONE: Readonly<Record<string, { bytes: number[]; asm: string }>> = {
  // VMX instructions (SDM vol. 2, chapter 6; memory operands [rdi]).
  INVEPT: { bytes: [0x66, 0x0f, 0x38, 0x80, 0x07], asm: 'invept rax, [rdi]' },
  INVVPID: { bytes: [0x66, 0x0f, 0x38, 0x81, 0x07], asm: 'invvpid rax, [rdi]' },
  VMCLEAR: { bytes: [0x66, 0x0f, 0xc7, 0x37], asm: 'vmclear [rdi]' },
  VMFUNC: { bytes: [0x0f, 0x01, 0xd4], asm: 'vmfunc' },
  VMLAUNCH: { bytes: [0x0f, 0x01, 0xc2], asm: 'vmlaunch' },
  VMPTRLD: { bytes: [0x0f, 0xc7, 0x37], asm: 'vmptrld [rdi]' },
  VMPTRST: { bytes: [0x0f, 0xc7, 0x3f], asm: 'vmptrst [rdi]' },
  VMREAD: { bytes: [0x0f, 0x78, 0xc0], asm: 'vmread rax, rax' },
  VMRESUME: { bytes: [0x0f, 0x01, 0xc3], asm: 'vmresume' },
  VMWRITE: { bytes: [0x0f, 0x79, 0xc0], asm: 'vmwrite rax, rax' },
  VMXOFF: { bytes: [0x0f, 0x01, 0xc4], asm: 'vmxoff' },
  VMXON: { bytes: [0xf3, 0x0f, 0xc7, 0x37], asm: 'vmxon [rdi]' },
  VMCALL: { bytes: [0x0f, 0x01, 0xc1], asm: 'vmcall' },
  // SGX, SMX and SMM.
  ENCLS: { bytes: [0x0f, 0x01, 0xcf], asm: 'encls' },
  ENCLU: { bytes: [0x0f, 0x01, 0xd7], asm: 'enclu' },
  GETSEC: { bytes: [0x0f, 0x37], asm: 'getsec' },
  RSM: { bytes: [0x0f, 0xaa], asm: 'rsm' },
  // ENQCMD needs a 64-byte aligned destination: one below the stack pointer, in the red zone's stead.
  ENQCMD: {
    bytes: [0x48, 0x89, 0xe0, 0x48, 0x83, 0xe0, 0xc0, 0x48, 0x2d, 0x80, 0x00, 0x00, 0x00, 0xf2, 0x0f, 0x38, 0xf8, 0x07],
    asm: 'mov rax, rsp; and rax, -64; sub rax, 128; enqcmd rax, [rdi]',
  },
  // Privileged or #VE instructions a process may try.
  HLT: { bytes: [0xf4], asm: 'hlt' },
  WBINVD: { bytes: [0x0f, 0x09], asm: 'wbinvd' },
  INVD: { bytes: [0x0f, 0x08], asm: 'invd' },
  MONITOR: { bytes: [0x0f, 0x01, 0xc8], asm: 'monitor' },
  MWAIT: { bytes: [0x0f, 0x01, 0xc9], asm: 'mwait' },
  NOP: { bytes: [0x90], asm: 'nop' },
  UD2: { bytes: [0x0f, 0x0b], asm: 'ud2' },
};

export const ONE_INSTRUCTION_MNEMONICS = Object.keys(ONE);

/** The sequence that executes one instruction and returns, or null for a mnemonic not written here. */
export function oneInstruction(mnemonic: string): InsnSequence | null {
  const m = mnemonic.toUpperCase();
  const o = ONE[m];
  return o ? seq(m.toLowerCase(), `${o.asm}; ret`, o.bytes, RET) : null;
}

/** Inputs of the CPUID sequence. */
export const cpuidInput = (leaf: number, subleaf: number): bigint[] => [BigInt(leaf >>> 0), BigInt(subleaf >>> 0)];

/** EAX..EDX from the words the CPUID sequence stored. */
export function cpuidOutput(out: readonly bigint[]): { eax: number; ebx: number; ecx: number; edx: number } {
  const w = (i: number) => Number((out[i] ?? 0n) & 0xffffffffn);
  return { eax: w(0), ebx: w(1), ecx: w(2), edx: w(3) };
}
