/**
 * What the guest kernel's code paths share: the TDX module they call (TDCALLs, and TDVMCALLs
 * through TDG.VP.VMCALL), the log, the kernel's era and faults, and the shared-bit mask it took
 * from TDG.VP.INFO at boot.
 */
import type { Eras, KernelFlavour } from '../../../../spec/kernel/flavours';
import { FATAL_ERROR_MESSAGE_REGS } from '../../../../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES, TDX_HYPERCALL_STANDARD, type TdvmcallLeaf } from '../../../../spec/encodings/tdvmcall';
import type { Regs } from '../../../port';
import type { Faults } from '../../faults';
import type { TdModule } from '../module/td-module';
import type { GuestLog } from './log';

/** RDX|RBX|RSI|RDI|R8-R15: the registers Linux exposes to the VMM on every TDVMCALL. */
export const TDVMCALL_EXPOSE_REGS_MASK = 0xffccn;

export interface KernelEnv {
  module: TdModule;
  log: GuestLog;
  flavour: KernelFlavour;
  eras: Eras;
  faults: Faults;
  /** cc_mask: the shared bit as the kernel computed it at boot (0 before). */
  sharedMask: bigint;
  /** WARN_ONCE() sites that already fired since boot. */
  warned: Set<string>;
}

export interface HypercallResult {
  status: bigint;
  out: Regs;
}

/** __tdx_hypercall(): TDG.VP.VMCALL with a GHCI-standard sub-function; the VMM's status is R10. */
export function hypercall(env: KernelEnv, vcpu: number, leaf: TdvmcallLeaf, args: Regs = {}): HypercallResult {
  const regs: Regs = { rcx: TDVMCALL_EXPOSE_REGS_MASK, r10: TDX_HYPERCALL_STANDARD, r11: TDVMCALL_LEAVES[leaf], ...args };
  const r = env.module.tdcall(vcpu, 'TDG.VP.VMCALL', regs);
  // A failing TDCALL itself (not the VMM's status) is a module bug the kernel cannot survive.
  if (r.status !== 0n) throw new KernelPanic('TDVMCALL failed. TDX module bug?');
  return { status: r.out.r10 ?? 0n, out: r.out };
}

/** A panic inside a kernel path: unwinds to the exception entry, which ends the TD. */
export class KernelPanic extends Error {
  constructor(readonly panicMessage: string) {
    super(panicMessage);
    this.name = 'KernelPanic';
  }
}

/** tdx_panic(): report a fatal error to the VMM (message in R14, R15, RBX, RDI, RSI, R8, R9, RDX). */
export class TdFatalReport extends Error {
  constructor(readonly report: string) {
    super(report);
    this.name = 'TdFatalReport';
  }
}

export function tdxPanic(env: KernelEnv, msg: string): never {
  const bytes = Buffer.alloc(64);
  Buffer.from(msg, 'latin1').copy(bytes, 0, 0, 64);
  const args: Regs = { r12: 0n };
  FATAL_ERROR_MESSAGE_REGS.forEach((reg, i) => { args[reg] = bytes.readBigUInt64LE(8 * i); });
  hypercall(env, 0, 'ReportFatalError', args);
  throw new TdFatalReport(msg);
}
