/**
 * MMIO emulation in the guest's #VE handler (@src:guest-c handle_mmio()).
 *
 * The kernel decodes the faulting instruction and, for the forms it understands, asks the VMM to
 * perform the access with TDVMCALL<#VE.RequestMMIO> (size, direction, the GPA with its shared
 * bit, the value). It refuses what it cannot emulate safely: instructions it cannot decode and
 * MOVS (-EINVAL), and accesses that cross a page boundary (-EFAULT). A read result is written to
 * the destination register: zero-extended to 64 bits for a 32-bit MOV, zero- or sign-extended to
 * the operand size for MOVZX/MOVSX, and merged into the low bytes otherwise.
 */
import type { ErrnoName } from '../../../../spec/abi/errno';
import type { Reg, Regs } from '../../../port';
import { hypercall, type KernelEnv } from './env';
import { decodeMmio } from './insn-decode';

const REG_INDEX: readonly (Reg | undefined)[] = [
  'rax', 'rcx', 'rdx', 'rbx', undefined, undefined, 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
];

const EPT_READ = 0n;
const EPT_WRITE = 1n;

export type MmioResult = { ok: true; regs: Regs; length: number; status: bigint } | { ok: false; errno: ErrnoName; status?: bigint };

const maskOf = (bytes: number): bigint => (bytes >= 8 ? (1n << 64n) - 1n : (1n << BigInt(8 * bytes)) - 1n);

export function handleMmio(env: KernelEnv, vcpu: number, bytes: readonly number[], gpa: bigint, vaddr: bigint, regsIn: Regs): MmioResult {
  const regs = { ...regsIn };
  const d = decodeMmio(bytes);
  if (d.type === 'decode-failed') return { ok: false, errno: 'EINVAL' };
  const movsEmulated = d.type === 'movs' && env.faults.has('guest.mmio-movs-emulated');
  let reg: Reg | undefined;
  if (d.type !== 'write-imm' && d.type !== 'movs') {
    reg = REG_INDEX[d.reg ?? 0];
    if (!reg) return { ok: false, errno: 'EINVAL' };
  }
  // MMIO is naturally aligned, so a split access means a bug or a stray load.
  const page = (a: bigint) => a >> 12n;
  if (page(vaddr) !== page(vaddr + BigInt(d.size) - 1n) && !env.faults.has('guest.mmio-page-cross-allowed')) {
    return { ok: false, errno: 'EFAULT' };
  }
  const size = BigInt(d.size);
  switch (d.type) {
    case 'write':
    case 'write-imm': {
      const val = d.type === 'write' ? (regs[reg!] ?? 0n) & maskOf(d.size) : (d.imm ?? 0n) & maskOf(d.size);
      const r = hypercall(env, vcpu, '#VE.RequestMMIO', { r12: size, r13: EPT_WRITE, r14: gpa, r15: val });
      return r.status === 0n ? { ok: true, regs, length: d.length, status: r.status } : { ok: false, errno: 'EIO', status: r.status };
    }
    case 'movs':
      if (!movsEmulated) return { ok: false, errno: 'EINVAL' };
      // The faulty model copies through RSI like a write.
      hypercall(env, vcpu, '#VE.RequestMMIO', { r12: size, r13: EPT_WRITE, r14: gpa, r15: regs.rsi ?? 0n });
      return { ok: true, regs, length: d.length, status: 0n };
    default:
      break;
  }
  const r = hypercall(env, vcpu, '#VE.RequestMMIO', { r12: size, r13: EPT_READ, r14: gpa, r15: 0n });
  if (r.status !== 0n) return { ok: false, errno: 'EIO', status: r.status };
  const val = (r.out.r11 ?? 0n) & maskOf(d.size);
  const old = regs[reg!] ?? 0n;
  let extendBytes = 0;
  let extendByte = 0n;
  if (d.type === 'read') extendBytes = d.size === 4 ? 8 : 0;
  else if (d.type === 'read-zero-extend') extendBytes = d.opBytes;
  else if (d.type === 'read-sign-extend') {
    extendBytes = d.opBytes;
    const signBit = d.size === 1 ? 0x80n : 0x8000n;
    if ((val & signBit) !== 0n && !env.faults.has('guest.mmio-sign-extend-as-zero')) extendByte = 0xffn;
  }
  let result = old;
  if (extendBytes) {
    const m = maskOf(extendBytes);
    let fill = 0n;
    for (let i = 0; i < extendBytes; i++) fill |= extendByte << BigInt(8 * i);
    result = (result & ~m) | fill;
  }
  result = (result & ~maskOf(d.size)) | val;
  regs[reg!] = result & maskOf(8);
  return { ok: true, regs, length: d.length, status: r.status };
}
