/**
 * The guest kernel's #VE handler (@src:guest-c, @src:tdx-rst-guest).
 *
 * It first reads the #VE information with TDG.VP.VEINFO.GET (which unblocks #VE delivery), then
 * dispatches on the exit reason. For user space only CPUID is handled. In the kernel: HLT (through
 * TDVMCALL<Instruction.HLT>, telling the VMM whether interrupts were disabled), RDMSR/WRMSR,
 * CPUID, port I/O (not string I/O) and EPT violations: on a shared GPA that is MMIO emulation, on a
 * private GPA a panic. CPUID goes to the VMM only for the hypervisor range 0x40000000-0x4FFFFFFF;
 * any other leaf reads as zeros. Anything else is logged as an unexpected #VE and fails.
 */
import type { ErrnoName } from '../../../../spec/abi/errno';
import type { TdvmcallLeaf } from '../../../../spec/encodings/tdvmcall';
import { EXIT_REASONS } from '../../../../spec/abi/vmx-exit-reasons';
import type { GuestInstruction, GuestMode } from '../../../guest-facet';
import type { Regs } from '../../../port';
import { hypercall, KernelPanic, type KernelEnv } from './env';
import { handleMmio } from './mmio';

export interface VeInfoRead {
  exitReason: number;
  qualification: bigint;
  gla: bigint;
  gpa: bigint;
  instrLen: number;
}

/** The TDVMCALL a handler used, if any, and what the VMM answered. */
export interface Via {
  leaf: TdvmcallLeaf;
  status: bigint;
}

export type VeResult =
  | { ok: true; regs: Regs; via?: Via; zeros?: true }
  | { ok: false; errno: ErrnoName; via?: Via; unexpected?: number };

const CPUID_HV_FIRST = 0x40000000n;
const CPUID_HV_LAST = 0x4fffffffn;

export function readVeInfo(env: KernelEnv, vcpu: number): VeInfoRead {
  const r = env.module.tdcall(vcpu, 'TDG.VP.VEINFO.GET');
  if (r.status !== 0n) throw new KernelPanic('TDCALL 3 failed (Buggy TDX module!)');
  return {
    exitReason: Number(r.out.rcx ?? 0n), qualification: r.out.rdx ?? 0n, gla: r.out.r8 ?? 0n, gpa: r.out.r9 ?? 0n,
    instrLen: Number((r.out.r10 ?? 0n) & 0xffffffffn),
  };
}

function handleCpuid(env: KernelEnv, vcpu: number, regs: Regs): VeResult {
  const leaf = (regs.rax ?? 0n) & 0xffffffffn;
  const last = env.faults.has('guest.cpuid-hv-range-end') ? CPUID_HV_FIRST : CPUID_HV_LAST;
  // Only the range reserved for hypervisors is the VMM's to answer; the rest reads as zeros.
  if (leaf < CPUID_HV_FIRST || leaf > last) return { ok: true, regs: { ...regs, rax: 0n, rbx: 0n, rcx: 0n, rdx: 0n }, zeros: true };
  const r = hypercall(env, vcpu, 'Instruction.CPUID', { r12: leaf, r13: (regs.rcx ?? 0n) & 0xffffffffn });
  const via: Via = { leaf: 'Instruction.CPUID', status: r.status };
  if (r.status !== 0n) return { ok: false, errno: 'EIO', via };
  return { ok: true, regs: { ...regs, rax: r.out.r12 ?? 0n, rbx: r.out.r13 ?? 0n, rcx: r.out.r14 ?? 0n, rdx: r.out.r15 ?? 0n }, via };
}

/**
 * handle_halt(): TDVMCALL<Instruction.HLT> with R12 = whether interrupts were disabled. From v6.15
 * a HLT with interrupts enabled is refused before any TDVMCALL: the kernel warns (once per boot)
 * and the #VE fails with -EIO (@src:guest-ml-hlt-irq-warn).
 */
function handleHalt(env: KernelEnv, vcpu: number, insn: GuestInstruction, regs: Regs): VeResult {
  let irqDisabled = insn.interruptsEnabled === false;
  if (env.faults.has('guest.hlt-irq-flag-inverted')) irqDisabled = !irqDisabled;
  const refuses = (env.eras['guest-hlt'] === 'refuse-irqs-on') !== env.faults.has('guest.hlt-era-swapped');
  if (!irqDisabled && refuses) {
    if (!env.warned.has('guest-hlt-irqs-on')) env.log.print('guest-hlt-irqs-on');
    env.warned.add('guest-hlt-irqs-on');
    return { ok: false, errno: 'EIO' };
  }
  const r = hypercall(env, vcpu, 'Instruction.HLT', { r12: irqDisabled ? 1n : 0n });
  const via: Via = { leaf: 'Instruction.HLT', status: r.status };
  return r.status === 0n ? { ok: true, regs, via } : { ok: false, errno: 'EIO', via };
}

function readMsr(env: KernelEnv, vcpu: number, regs: Regs): VeResult {
  const leaf: TdvmcallLeaf = env.faults.has('guest.rdmsr-wrong-leaf') ? 'Instruction.WRMSR' : 'Instruction.RDMSR';
  const r = hypercall(env, vcpu, leaf, { r12: (regs.rcx ?? 0n) & 0xffffffffn });
  const via: Via = { leaf, status: r.status };
  if (r.status !== 0n) return { ok: false, errno: 'EIO', via };
  const v = r.out.r11 ?? 0n;
  return { ok: true, regs: { ...regs, rax: v & 0xffffffffn, rdx: (v >> 32n) & 0xffffffffn }, via };
}

function writeMsr(env: KernelEnv, vcpu: number, regs: Regs): VeResult {
  const value = (((regs.rdx ?? 0n) & 0xffffffffn) << 32n) | ((regs.rax ?? 0n) & 0xffffffffn);
  const r = hypercall(env, vcpu, 'Instruction.WRMSR', { r12: (regs.rcx ?? 0n) & 0xffffffffn, r13: value });
  const via: Via = { leaf: 'Instruction.WRMSR', status: r.status };
  return r.status === 0n ? { ok: true, regs, via } : { ok: false, errno: 'EIO', via };
}

/**
 * Port I/O from the exit qualification: size-1 in bits 2:0, IN in bit 3, string in bit 4, port in
 * 31:16. The kernel masks RAX with GENMASK(8 * size, 0), one bit wider than the operand, in every
 * version read (@src:guest-c-v63): an OUT sends that bit in R15 and an IN replaces it too. A 2026
 * fix is under review (@src:guest-ml-portio-fix-2026); the scenarios' values leave the bit clear.
 */
function handleIo(env: KernelEnv, vcpu: number, qual: bigint, regs: Regs): VeResult {
  const isString = (qual & (1n << 4n)) !== 0n;
  if (isString && !env.faults.has('guest.string-io-emulated')) return { ok: false, errno: 'EIO' };
  let isIn = (qual & (1n << 3n)) !== 0n;
  if (env.faults.has('guest.io-direction-inverted')) isIn = !isIn;
  const size = Number(qual & 7n) + 1;
  const port = (qual >> 16n) & 0xffffn;
  const mask = (1n << BigInt(8 * size + 1)) - 1n;
  const rax = regs.rax ?? 0n;
  if (isIn) {
    const r = hypercall(env, vcpu, 'Instruction.IO', { r12: BigInt(size), r13: 0n, r14: port });
    const via: Via = { leaf: 'Instruction.IO', status: r.status };
    // Only the part of RAX under the mask changes.
    const merged = (rax & ~mask) | (r.status === 0n ? (r.out.r11 ?? 0n) & mask : 0n);
    return r.status === 0n ? { ok: true, regs: { ...regs, rax: merged }, via } : { ok: false, errno: 'EIO', via };
  }
  const r = hypercall(env, vcpu, 'Instruction.IO', { r12: BigInt(size), r13: 1n, r14: port, r15: rax & mask });
  const via: Via = { leaf: 'Instruction.IO', status: r.status };
  return r.status === 0n ? { ok: true, regs, via } : { ok: false, errno: 'EIO', via };
}

const isPrivateGpa = (env: KernelEnv, gpa: bigint): boolean => (gpa & env.sharedMask) === 0n;

function unexpected(env: KernelEnv, ve: VeInfoRead, regs: Regs): VeResult {
  env.log.print('guest-unexpected-ve', ve.exitReason);
  // The faulty kernel pretends it handled the #VE and steps over the instruction.
  if (env.faults.has('guest.unexpected-ve-handled')) return { ok: true, regs };
  return { ok: false, errno: 'EIO', unexpected: ve.exitReason };
}

export function handleVirtualizationException(env: KernelEnv, vcpu: number, insn: GuestInstruction, mode: GuestMode): VeResult {
  const ve = readVeInfo(env, vcpu);
  const regs: Regs = { ...(insn.regs ?? {}) };
  if (mode === 'user') {
    if (ve.exitReason === EXIT_REASONS.CPUID) return handleCpuid(env, vcpu, regs);
    return unexpected(env, ve, regs);
  }
  switch (ve.exitReason) {
    case EXIT_REASONS.HLT: return handleHalt(env, vcpu, insn, regs);
    case EXIT_REASONS.MSR_READ: return readMsr(env, vcpu, regs);
    case EXIT_REASONS.MSR_WRITE: return writeMsr(env, vcpu, regs);
    case EXIT_REASONS.CPUID: return handleCpuid(env, vcpu, regs);
    case EXIT_REASONS.IO_INSTRUCTION: return handleIo(env, vcpu, ve.qualification, regs);
    case EXIT_REASONS.EPT_VIOLATION: {
      if (isPrivateGpa(env, ve.gpa)) throw new KernelPanic('Unexpected EPT-violation on private memory.');
      const vaddr = ve.gpa & ~env.sharedMask;
      const m = handleMmio(env, vcpu, insn.bytes ?? [], ve.gpa, vaddr, regs);
      const via: Via | undefined = m.ok || m.status !== undefined ? { leaf: '#VE.RequestMMIO', status: m.ok ? m.status : m.status! } : undefined;
      return m.ok ? { ok: true, regs: m.regs, via } : { ok: false, errno: m.errno, ...(via ? { via } : {}) };
    }
    default:
      return unexpected(env, ve, regs);
  }
}
