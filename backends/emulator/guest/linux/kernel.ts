/**
 * The Linux guest kernel of an emulated TD: its boot (tdx_early_init(), the memory-encryption
 * line, the tdx_guest driver), and its exception entry, which turns the module's reaction to an
 * instruction into what the kernel does: nothing for native execution, the #VE handler for #VE,
 * and for faults the usual x86 outcomes (SIGSEGV/SIGILL in user space; an oops in the kernel
 * unless the faulting kernel path has an exception fixup, like the msr driver's rdmsr_safe()).
 * A panic ends the TD.
 */
import type { Eras } from '../../../../spec/kernel/flavours';
import type { GuestInstruction, GuestReaction } from '../../../guest-facet';
import type { Regs } from '../../../port';
import type { TdConfig } from '../config';
import type { ModuleStep, TdModule } from '../module/td-module';
import { tdxEarlyInit } from './boot';
import { KernelPanic, TdFatalReport, type KernelEnv } from './env';
import { GuestLog } from './log';
import { encStatusChanged } from './map-gpa';
import { compareVersions } from '../../../../spec/kernel/versions';
import { TsmReports } from './configfs-tsm';
import { TdxGuestDriver } from './tdx-guest-driver';
import { handleVirtualizationException } from './ve-handler';

export type KernelState =
  | { kind: 'not-booted' }
  | { kind: 'running' }
  | { kind: 'panicked'; message: string; reportedToVmm: boolean };

/** Kernel memory the model uses for driver buffers (private RAM the kernel owns). */
const KERNEL_BUFFERS = { reportdata: 0x1000000n, tdreport: 0x1001000n, quote: 0x1002000n } as const;

export interface Handled {
  guest: GuestReaction;
  regs: Regs;
}

export class LinuxGuest {
  readonly env: KernelEnv;
  readonly log: GuestLog;
  readonly driver: TdxGuestDriver;
  /** configfs-tsm report items (v6.7+), or null on older kernels. */
  readonly tsm: TsmReports | null;
  state: KernelState = { kind: 'not-booted' };
  /** X86_FEATURE_TDX_GUEST, shown as the tdx_guest cpuinfo flag. */
  tdxGuest = false;

  constructor(module: TdModule, cfg: TdConfig) {
    this.log = new GuestLog(cfg.flavour, cfg.faults);
    this.env = { module, log: this.log, flavour: cfg.flavour, eras: cfg.flavour.eras as Eras, faults: cfg.faults, sharedMask: 0n, warned: new Set() };
    this.driver = new TdxGuestDriver(this.env, KERNEL_BUFFERS);
    this.tsm = compareVersions(cfg.flavour.base, '6.7') >= 0 ? new TsmReports(this.driver, cfg.faults) : null;
  }

  get running(): boolean {
    return this.state.kind === 'running';
  }

  boot(): void {
    try {
      this.tdxGuest = tdxEarlyInit(this.env).tdx;
      this.log.raw(`Linux version ${this.env.flavour.base} (emulated TD guest, flavour ${this.env.flavour.name})`);
      if (this.tdxGuest && !this.env.faults.has('guest.memory-encryption-line-missing')) this.log.print('memory-encryption');
      this.state = { kind: 'running' };
      if (this.tdxGuest) this.driver.init(0);
    } catch (e) {
      this.stop(e);
    }
  }

  /** End the TD after a panic raised inside a kernel path; rethrow anything else. */
  private stop(e: unknown): GuestReaction {
    if (e instanceof TdFatalReport) {
      this.state = { kind: 'panicked', message: e.report, reportedToVmm: true };
      return { kind: 'panic', message: e.report };
    }
    if (e instanceof KernelPanic) return this.panic(e.panicMessage);
    throw e;
  }

  private panic(message: string): GuestReaction {
    this.log.print('kernel-panic', message);
    this.state = { kind: 'panicked', message, reportedToVmm: false };
    return { kind: 'panic', message };
  }

  /** A fault the kernel does not handle: user space gets a signal, the kernel a fixup or an oops. */
  private fault(mode: 'kernel' | 'user', safe: boolean, userSignal: GuestReaction, oops: string): GuestReaction {
    if (mode === 'user') return userSignal;
    return safe ? { kind: 'fixup' } : { kind: 'oops', message: oops };
  }

  /** What the kernel does about the module's reaction to `insn`. `safe`: the kernel path has a fixup. */
  handle(vcpu: number, insn: GuestInstruction, step: ModuleStep, safe = false): Handled {
    const mode = insn.mode ?? 'kernel';
    const regs = step.regs;
    switch (step.reaction.kind) {
      case 'native':
      case 'td-exit':
        return { guest: { kind: 'none' }, regs };
      case 'gp':
        return { guest: this.fault(mode, safe, { kind: 'sigsegv' }, 'general protection fault'), regs };
      case 'ud':
        return { guest: this.fault(mode, safe, { kind: 'sigill' }, 'invalid opcode'), regs };
      case 'df':
        // The #DF handler dies and halts the machine: nothing survives a double fault.
        return { guest: this.panic('Machine halted.'), regs };
      case 've':
        break;
    }
    try {
      const r = handleVirtualizationException(this.env, vcpu, insn, mode);
      if (r.ok) {
        const guest: GuestReaction = r.zeros ? { kind: 'zeros' } : r.via ? { kind: 'emulated', tdvmcall: r.via.leaf, status: r.via.status } : { kind: 'none' };
        return { guest, regs: r.regs };
      }
      // ve_raise_fault(): SIGSEGV for user space, fixup or "VE fault" oops for the kernel.
      const userSignal: GuestReaction = this.env.faults.has('guest.user-ve-oops') ? { kind: 'oops', message: 'VE fault' } : { kind: 'sigsegv' };
      return { guest: this.fault(mode, safe, userSignal, 'VE fault'), regs };
    } catch (e) {
      return { guest: this.stop(e), regs };
    }
  }

  /** set_memory_decrypted()/set_memory_encrypted() for [gpa, gpa + pages * 4 KiB). */
  convert(gpa: bigint, pages: number, toPrivate: boolean): boolean {
    try {
      return encStatusChanged(this.env, 0, gpa, pages, toPrivate);
    } catch (e) {
      this.stop(e);
      return false;
    }
  }
}
