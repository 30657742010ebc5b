/**
 * The emulated TDX module: global state and the SEAMCALL dispatcher.
 *
 * Gating follows the module's VMM dispatcher (@src:mod-dispatcher), in order: reserved RAX bits
 * and leaf versions, shutdown state, the allow-list of leaves before SYS_READY, then the leaf's
 * own handler; an unknown leaf is TDX_OPERAND_INVALID on RAX. Handlers live in leaves/*.ts and
 * register themselves by leaf name; the leaf numbers come from the ABI table, so one table
 * serves the model and the steps.
 */
import { SEAMCALL_LEAVES, splitRax } from '../../../spec/encodings/seamcall';
import { status, withOperand } from '../../../spec/abi/status';
import type { Regs } from '../../port';
import type { Faults } from '../faults';
import type { Platform } from '../platform/platform';
import { implementedLeaves, type ModuleBuild } from './versions';

export type SysState = 'SYSINIT_PENDING' | 'SYSINIT_DONE' | 'SYSCONFIG_DONE' | 'SYS_READY' | 'SYS_SHUTDOWN';

export interface SeamcallResult {
  readonly status: bigint;
  readonly out: Regs;
}

export interface TdmrEntry {
  base: bigint;
  size: bigint;
  /** Next address TDH.SYS.TDMR.INIT will initialise (last_initialized). */
  lastInitialized: bigint;
  pamt: { base: bigint; size: bigint }[];
  reserved: { offset: bigint; size: bigint }[];
}

export interface LeafContext {
  module: TdxModule;
  cpu: number;
  version: number;
  regs: Regs;
}

export type LeafHandler = (ctx: LeafContext) => SeamcallResult;

/** A caller's loop over a resumable leaf: call again while it succeeds and output `reg` is below `below`. */
export interface RepeatWhile {
  reg: keyof Regs;
  below: bigint;
}

/** The outcome of such a loop: the last call's result and how many calls were made. */
export interface Repeated {
  last: SeamcallResult;
  calls: number;
}

/**
 * A leaf's own way of working such a loop out at once, for leaves whose loops run to millions of
 * calls (TDH.SYS.TDMR.INIT: 4 MiB per call). It must give what the calls one by one would give,
 * and may rely on the dispatcher's gate answering every call of the loop alike.
 */
export type LeafRepeat = (ctx: LeafContext, loop: RepeatWhile) => Repeated;

interface LeafEntry {
  name: string;
  handler: LeafHandler | undefined;
  repeat: LeafRepeat | undefined;
  implemented: boolean;
  versioned: boolean;
  beforeReady: boolean;
}

const handlers = new Map<string, LeafHandler>();
const repeaters = new Map<string, LeafRepeat | undefined>();

/** Register the handler of a leaf, and optionally its loop shortcut (called by leaves/*.ts at load). */
export function defineLeaf(name: string, handler: LeafHandler, repeat?: LeafRepeat): void {
  handlers.set(name, handler);
  repeaters.set(name, repeat);
}

/**
 * Leaves accepted before SYS_READY (1.5 and 2.0 dispatchers, @src:mod-dispatcher-1501
 * @src:mod-dispatcher-2008). TDX 1.0's list lacks RD, RDALL and UPDATE (@src:mod-1.0), which it
 * does not implement: an unimplemented leaf is refused before SYS_READY whatever this list says.
 */
const BEFORE_READY = new Set(['TDH.SYS.INFO', 'TDH.SYS.RD', 'TDH.SYS.RDALL', 'TDH.SYS.INIT', 'TDH.SYS.LP.INIT',
  'TDH.SYS.CONFIG', 'TDH.SYS.KEY.CONFIG', 'TDH.SYS.LP.SHUTDOWN', 'TDH.SYS.UPDATE']);
/** Leaves that accept a non-zero version in every module from 1.5 (tdx_leaf_and_version_t rules, @src:mod-dispatcher-1501). */
const VERSIONED = new Set(['TDH.MEM.PAGE.PROMOTE', 'TDH.MEM.SEPT.ADD', 'TDH.MEM.SEPT.REMOVE', 'TDH.MNG.RD', 'TDH.VP.RD']);
/** TDX_FEATURES0.TOPOLOGY_ENUM (bit 20): the module takes the vCPU's x2APIC ID, in TDH.VP.INIT version 1. */
const TOPOLOGY_ENUM = 1n << 20n;

/**
 * Whether the build accepts a version above 0 of leaf `name`. Module 1.5.01 versions the five
 * leaves above only; 2.0.08 adds TDH.VP.INIT (and TDH.SYS.INIT, whose version 1 the emulator
 * does not model, so it stays refused). TDH.VP.INIT's version 1 carries the x2APIC ID that
 * topology enumeration needs: a build with TOPOLOGY_ENUM has it, one without does not.
 */
function versionedIn(build: ModuleBuild, name: string, vpInitEverywhere: boolean): boolean {
  if (name === 'TDH.VP.INIT') return vpInitEverywhere || ((build.features0 ?? 0n) & TOPOLOGY_ENUM) !== 0n;
  return VERSIONED.has(name);
}

/** The outputs of a leaf that writes no register (shared, so it is frozen). */
export const NO_OUTPUT: Regs = Object.freeze({});

/** Success without outputs: one shared result (most leaves of a boot, one per logical CPU). */
const OK_NO_OUTPUT: SeamcallResult = Object.freeze({ status: 0n, out: NO_OUTPUT });

export const ok = (out: Regs = NO_OUTPUT): SeamcallResult => (out === NO_OUTPUT ? OK_NO_OUTPUT : { status: 0n, out });
export const fail = (s: bigint, out: Regs = NO_OUTPUT): SeamcallResult => ({ status: s, out });

const invalidRax = (): SeamcallResult => fail(withOperand('TDX_OPERAND_INVALID', 'RAX'));

/**
 * What the dispatcher needs of each leaf number, for one build and the faults that renumber, add
 * or version leaves. Worked out for each module (a few dozen entries): kept for the module's life,
 * not across modules, so a change of the rules takes effect in the next scenario.
 */
function leafTable(build: ModuleBuild, faults: Faults): readonly (LeafEntry | undefined)[] {
  const names = new Map<number, string>();
  for (const l of SEAMCALL_LEAVES) names.set(l.number, l.name);
  if (faults.has('module.sys-rd-leaf-number')) {
    names.set(35, 'TDH.SYS.RD');
    names.set(34, 'TDH.SYS.LP.INIT');
  }
  const implemented = implementedLeaves(build);
  if (faults.has('module.sys-rd-on-1.0')) implemented.add(34);
  const vpInitEverywhere = faults.has('module.vp-init-version-everywhere');
  const out: LeafEntry[] = [];
  for (const [number, name] of names) {
    out[number] = Object.freeze({
      name,
      handler: handlers.get(name),
      repeat: repeaters.get(name),
      implemented: implemented.has(number),
      versioned: versionedIn(build, name, vpInitEverywhere),
      beforeReady: BEFORE_READY.has(name),
    });
  }
  return Object.freeze(out);
}

export class TdxModule {
  state: SysState = 'SYSINIT_PENDING';
  readonly numLps: number;
  readonly numPkgs: number;
  readonly lpInit: boolean[];
  numInitLps = 0;
  readonly pkgConfigured: boolean[];
  numInitPkgs = 0;
  globalHkid: number | null = null;
  tdmrs: TdmrEntry[] = [];
  /** The same TDMRs by base address (TDH.SYS.TDMR.INIT names a TDMR by its base). */
  tdmrByBase = new Map<bigint, TdmrEntry>();
  /** Per-package or per-TD extensions kept by other leaf groups (TD management). */
  readonly ext = new Map<string, unknown>();

  private readonly tdx10: boolean;

  constructor(readonly platform: Platform, readonly build: ModuleBuild, readonly faults: Faults) {
    this.tdx10 = build.major === 1 && build.minor === 0;
    this.numLps = platform.cpus.length;
    this.numPkgs = platform.packages;
    this.lpInit = new Array(this.numLps).fill(false);
    this.pkgConfigured = new Array(this.numPkgs).fill(false);
    this.leaves = leafTable(build, faults);
  }

  get isTdx10(): boolean {
    return this.tdx10;
  }

  seamcall(cpu: number, rax: bigint, regs: Regs = {}): SeamcallResult {
    const g = this.gate(rax);
    if ('refused' in g) return g.refused;
    const forced = this.build.answers?.[g.leaf.name];
    if (forced !== undefined) return fail(forced);
    return g.leaf.handler!({ module: this, cpu, version: g.version, regs });
  }

  /**
   * The same SEAMCALL repeated while it succeeds and `loop.reg` of its output is below
   * `loop.below`, as the kernel's init_tdmr() repeats TDH.SYS.TDMR.INIT: the outcome of that many
   * seamcall()s, worked out at once by leaves that define how (see LeafRepeat).
   */
  seamcallWhile(cpu: number, rax: bigint, regs: Regs, loop: RepeatWhile): Repeated {
    const g = this.gate(rax);
    // A leaf this module answers with a fixed status is not served: the calls one by one give it.
    const served = !('refused' in g) && this.build.answers?.[g.leaf.name] === undefined;
    if (served && g.leaf.repeat) return g.leaf.repeat({ module: this, cpu, version: g.version, regs }, loop);
    let calls = 0;
    for (;;) {
      const last = this.seamcall(cpu, rax, regs);
      calls++;
      if (last.status !== 0n || (last.out[loop.reg] ?? 0n) >= loop.below) return { last, calls };
    }
  }

  /** The dispatcher's checks before a leaf's handler runs: the refusal, or the leaf to run. */
  private gate(rax: bigint): { refused: SeamcallResult } | { leaf: LeafEntry; version: number } {
    const { number, version, reserved } = splitRax(rax);
    // TDX 1.0 compares RAX whole (@src:mod-1.0): a RAX with bits above the leaf number names no
    // leaf, refused by the state checks like any unknown leaf.
    const whole = this.isTdx10 && !this.faults.has('module.rax-split-on-1.0');
    const leaf = whole && (version !== 0 || reserved !== 0n) ? undefined : this.leaves[number];
    const name = leaf?.name;
    if (!this.isTdx10 && !this.faults.has('module.rax-reserved-unchecked')) {
      if (reserved !== 0n) return { refused: invalidRax() };
      if (version > 0 && !leaf?.versioned) return { refused: invalidRax() };
    }
    if (this.state === 'SYS_SHUTDOWN' && name !== 'TDH.SYS.LP.SHUTDOWN') return { refused: fail(status('TDX_SYS_SHUTDOWN')) };
    const known = leaf !== undefined && leaf.implemented;
    if (this.state !== 'SYS_READY' && !(known && leaf.beforeReady)) {
      return { refused: fail(status(this.faults.has('module.not-ready-status') ? 'TDX_SYS_BUSY' : 'TDX_SYS_NOT_READY')) };
    }
    if (!known || !leaf.handler) return { refused: this.faults.has('module.unknown-leaf-succeeds') ? ok() : invalidRax() };
    return { leaf, version };
  }

  /** What the dispatcher needs of each leaf number (see leafTable()). */
  private readonly leaves: readonly (LeafEntry | undefined)[];

  packageOf(cpu: number): number {
    return this.platform.packageOf(cpu);
  }

  /** Whether a physical address carries a KeyID (the KeyID occupies the top bits below MAX_PA). */
  hasKeyIdBits(pa: bigint): boolean {
    return pa >= (this.keyIdBoundary ??= 1n << this.hkidShift);
  }

  private keyIdBoundary: bigint | null = null;

  get hkidStartBit(): number {
    const keyIds = this.platform.config.mktmeKeyIds + this.platform.config.tdxKeyIds;
    const bits = keyIds === 0 ? 0 : Math.ceil(Math.log2(keyIds + 1));
    return this.platform.config.physAddrBits - bits;
  }

  // The platform's address width and KeyID split are fixed for its life: the shift is too.
  private cachedShift: bigint | null = null;
  private get hkidShift(): bigint {
    return (this.cachedShift ??= BigInt(this.hkidStartBit));
  }

  get privateHkidRange(): { min: number; max: number } {
    const c = this.platform.config;
    return { min: c.mktmeKeyIds + 1, max: c.mktmeKeyIds + c.tdxKeyIds };
  }

  /** True once memory at `pa` is covered by an initialised part of some TDMR. */
  isInitialized(pa: bigint): boolean {
    return this.tdmrs.some((t) => pa >= t.base && pa < t.lastInitialized);
  }
}
