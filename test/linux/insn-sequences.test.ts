/**
 * The machine code of backends/linux/insn-sequences.ts, byte by byte. The expected bytes are what
 * GNU as 2.40 (binutils, Debian) assembles from the assembly each sequence lists, in Intel syntax
 * (`as` then `objdump -d -M intel` on this machine); they agree with the opcode tables of the SDM
 * vol. 2 (VMX instructions in chapter 6, CPUID 0F A2, VMCALL 0F 01 C1, RET C3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPUID, cpuidInput, cpuidOutput, ONE_INSTRUCTION_MNEMONICS, oneInstruction } from '../../backends/linux/insn-sequences';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('the CPUID sequence: leaf from io[0], subleaf from io[1], EAX..EDX to io[0..3], RBX saved', () => {
  assert.equal(CPUID.name, 'cpuid');
  assert.equal(CPUID.what, 'CPUID (leaf io[0], subleaf io[1]) -> io[0..3] = EAX, EBX, ECX, EDX');
  // push rbx; mov eax,[rdi]; mov ecx,[rdi+8]; cpuid; mov [rdi],rax; mov [rdi+8],rbx; mov [rdi+16],rcx; mov [rdi+24],rdx; pop rbx; ret
  assert.equal(hex(CPUID.code), '53' + '8b07' + '8b4f08' + '0fa2' + '488907' + '48895f08' + '48894f10' + '48895718' + '5b' + 'c3');
});

/** mnemonic -> GNU as's bytes for the listed instruction (without the final ret). */
const ASSEMBLED: Record<string, [string, string]> = {
  INVEPT: ['660f388007', 'invept rax, [rdi]'],
  INVVPID: ['660f388107', 'invvpid rax, [rdi]'],
  VMCLEAR: ['660fc737', 'vmclear [rdi]'],
  VMFUNC: ['0f01d4', 'vmfunc'],
  VMLAUNCH: ['0f01c2', 'vmlaunch'],
  VMPTRLD: ['0fc737', 'vmptrld [rdi]'],
  VMPTRST: ['0fc73f', 'vmptrst [rdi]'],
  VMREAD: ['0f78c0', 'vmread rax, rax'],
  VMRESUME: ['0f01c3', 'vmresume'],
  VMWRITE: ['0f79c0', 'vmwrite rax, rax'],
  VMXOFF: ['0f01c4', 'vmxoff'],
  VMXON: ['f30fc737', 'vmxon [rdi]'],
  VMCALL: ['0f01c1', 'vmcall'],
  ENCLS: ['0f01cf', 'encls'],
  ENCLU: ['0f01d7', 'enclu'],
  GETSEC: ['0f37', 'getsec'],
  RSM: ['0faa', 'rsm'],
  ENQCMD: ['4889e0' + '4883e0c0' + '482d80000000' + 'f20f38f807', 'mov rax, rsp; and rax, -64; sub rax, 128; enqcmd rax, [rdi]'],
  HLT: ['f4', 'hlt'],
  WBINVD: ['0f09', 'wbinvd'],
  INVD: ['0f08', 'invd'],
  MONITOR: ['0f01c8', 'monitor'],
  MWAIT: ['0f01c9', 'mwait'],
  NOP: ['90', 'nop'],
  UD2: ['0f0b', 'ud2'],
};

test('each one-instruction sequence is the instruction GNU as makes of its assembly, then ret', () => {
  assert.deepEqual([...ONE_INSTRUCTION_MNEMONICS].sort(), Object.keys(ASSEMBLED).sort());
  for (const [m, [bytes, asm]] of Object.entries(ASSEMBLED)) {
    const s = oneInstruction(m);
    assert.ok(s, m);
    assert.equal(hex(s.code), bytes + 'c3', m);
    assert.equal(s.name, m.toLowerCase());
    assert.equal(s.what, `${asm}; ret`);
  }
});

test('oneInstruction takes any case and knows nothing else', () => {
  assert.equal(hex(oneInstruction('vmcall')!.code), '0f01c1c3');
  assert.equal(oneInstruction('VmCall')!.name, 'vmcall');
  assert.equal(oneInstruction('CPUID'), null);
  assert.equal(oneInstruction('toString'), null);
  assert.equal(oneInstruction(''), null);
});

test('cpuidInput and cpuidOutput: 32-bit values in 64-bit words', () => {
  assert.deepEqual(cpuidInput(0x21, 0), [0x21n, 0n]);
  assert.deepEqual(cpuidInput(0x80000008, 1), [0x80000008n, 1n]);
  // A leaf held as a negative 32-bit number is the same leaf.
  assert.deepEqual(cpuidInput(0x80000000 | 0, -1), [0x80000000n, 0xffffffffn]);
  assert.deepEqual(cpuidOutput([1n, 2n, 3n, 4n]), { eax: 1, ebx: 2, ecx: 3, edx: 4 });
  // The sequence stores RAX..RDX: CPUID clears their upper halves, and only the low 32 bits are the registers.
  assert.deepEqual(cpuidOutput([0x1ffffffffn, 0xabcd00000000n, 0x80000000n, 0n]), { eax: 0xffffffff, ebx: 0, ecx: 0x80000000, edx: 0 });
  assert.deepEqual(cpuidOutput([7n]), { eax: 7, ebx: 0, ecx: 0, edx: 0 });
  assert.deepEqual(cpuidOutput([]), { eax: 0, ebx: 0, ecx: 0, edx: 0 });
});
