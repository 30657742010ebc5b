/**
 * The kernel's SEAMCALL wrappers (@src:seamcall-internal-h, @src:tdx-c-mid): the instruction's
 * own failures (no module: VMfailInvalid; VMX off: #UD), the entropy retry, the mapping of
 * statuses to errno, and the error print with or without the output registers.
 */
import { seamcallRax } from '../../../spec/encodings/seamcall';
import { status } from '../../../spec/abi/status';
import type { ErrnoName } from '../../../spec/abi/errno';
import type { Regs } from '../../port';
import { NO_OUTPUT, type RepeatWhile, type TdxModule } from '../module';
import type { KernelLogBuffer } from '../lib/printk';

const RDRAND_RETRY_LOOPS = 10;
const SEAMCALL_UD = status('TDX_SEAMCALL_UD');
const SEAMCALL_GP = status('TDX_SEAMCALL_GP');
const VMFAILINVALID = status('TDX_SEAMCALL_VMFAILINVALID');
const RND_NO_ENTROPY = status('TDX_RND_NO_ENTROPY');

export interface CpuVmxState {
  vmxOn: boolean;
}

export interface SeamcallPath {
  module: TdxModule | null;
  log: KernelLogBuffer;
  cpus: CpuVmxState[];
  /** Every SEAMCALL marks the CPU's cache incoherent (v6.18+, @src:tdx-c-618). */
  onSeamcall(cpu: number): void;
  /** Fault switch: print only the first error line. */
  terseErrors: boolean;
  /** SEAMCALL raises #GP on this platform. */
  readonly seamcallGp?: boolean;
  /** The deliberate deviations switched on (the SEAMCALL path reads its own). */
  faults?: { has(name: string): boolean };
}

/** The SEAMCALL instruction: what software sees, including faults of the instruction itself. */
export function rawSeamcall(p: SeamcallPath, cpu: number, rax: bigint, regs: Regs): { status: bigint; out: Regs } {
  if (!p.cpus[cpu]?.vmxOn) return { status: SEAMCALL_UD, out: NO_OUTPUT };
  if (p.seamcallGp) return { status: SEAMCALL_GP, out: NO_OUTPUT };
  if (!p.module) return { status: VMFAILINVALID, out: NO_OUTPUT };
  p.onSeamcall(cpu);
  return p.module.seamcall(cpu, rax, regs);
}

/**
 * Calls sc_retry() makes in all while the module reports TDX_RND_NO_ENTROPY:
 * `retry = RDRAND_RETRY_LOOPS; do ... while (ret == TDX_RND_NO_ENTROPY && --retry)`, so ten.
 */
function entropyCalls(p: SeamcallPath): number {
  if (p.faults?.has('host.entropy-not-retried')) return 1;
  return p.faults?.has('host.entropy-retry-once-more') ? RDRAND_RETRY_LOOPS + 1 : RDRAND_RETRY_LOOPS;
}

/** sc_retry(): retry while the module reports TDX_RND_NO_ENTROPY. */
export function seamcallRetry(p: SeamcallPath, cpu: number, rax: bigint, regs: Regs): { status: bigint; out: Regs } {
  let r = rawSeamcall(p, cpu, rax, regs);
  for (let calls = 1, max = entropyCalls(p); calls < max && r.status === RND_NO_ENTROPY; calls++) r = rawSeamcall(p, cpu, rax, regs);
  return r;
}

function hasAny(o: object): boolean {
  if (o === NO_OUTPUT) return false;
  for (const _ in o) return true;
  return false;
}

export interface PrerrResult {
  errno: ErrnoName | null;
  status: bigint;
  /** Registers after the call: inputs overwritten by the leaf's outputs. */
  regs: Regs;
}

/**
 * sc_retry_prerr(): 0 on success; VMfailInvalid -> ENODEV, #GP -> EOPNOTSUPP, #UD -> EACCES,
 * anything else is printed and becomes EIO. `withRegs` is the _ret flavour that also dumps
 * RCX..R11 after the call.
 */
export function seamcallPrerr(p: SeamcallPath, cpu: number, leaf: string, regs: Regs, withRegs: boolean): PrerrResult {
  const rax = seamcallRax(leaf);
  return prerr(p, rax, regs, seamcallRetry(p, cpu, rax, regs), withRegs);
}

/**
 * seamcallPrerr() in the caller's loop "call again while it succeeds and `loop.reg` is below
 * `loop.below`" (init_tdmr() with TDH.SYS.TDMR.INIT): the same outcome and log as the calls one
 * by one, with the module working out the run of calls at once (TdxModule.seamcallWhile()).
 * sc_retry() would repeat a call that found no entropy, but TDH.SYS.TDMR.INIT, the leaf called
 * this way, takes no random numbers and never reports TDX_RND_NO_ENTROPY (tdh_sys_tdmr_init.c,
 * @src:mod-tdmr-init-1501; nor does the emulated module of any version), so there is no retry to
 * model here.
 */
export function seamcallPrerrWhile(p: SeamcallPath, cpu: number, leaf: string, regs: Regs, loop: RepeatWhile, withRegs: boolean): PrerrResult {
  const rax = seamcallRax(leaf);
  if (!p.cpus[cpu]?.vmxOn || p.seamcallGp || !p.module) return seamcallPrerr(p, cpu, leaf, regs, withRegs);
  p.onSeamcall(cpu);
  return prerr(p, rax, regs, p.module.seamcallWhile(cpu, rax, regs, loop).last, withRegs);
}

/** sc_retry_prerr()'s mapping and print of one call's result. */
function prerr(p: SeamcallPath, rax: bigint, regs: Regs, r: { status: bigint; out: Regs }, withRegs: boolean): PrerrResult {
  const after: Regs = hasAny(r.out) ? Object.assign({}, regs, r.out) : regs;
  if (r.status === 0n) return { errno: null, status: 0n, regs: after };
  if (r.status === VMFAILINVALID) return { errno: 'ENODEV', status: r.status, regs: after };
  if (r.status === SEAMCALL_GP && !p.faults?.has('host.seamcall-faults-as-module-errors')) return { errno: 'EOPNOTSUPP', status: r.status, regs: after };
  if (r.status === SEAMCALL_UD && !p.faults?.has('host.seamcall-faults-as-module-errors')) return { errno: 'EACCES', status: r.status, regs: after };
  p.log.print('seamcall-failed', rax, r.status);
  if (withRegs && !p.terseErrors) {
    const v = (k: keyof Regs): bigint => after[k] ?? 0n;
    p.log.print('seamcall-regs-1', v('rcx'), v('rdx'), v('r8'));
    p.log.print('seamcall-regs-2', v('r9'), v('r10'), v('r11'));
  }
  return { errno: 'EIO', status: r.status, regs: after };
}
