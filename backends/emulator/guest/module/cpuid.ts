/**
 * CPUID virtualisation by the TDX module (@src:guest-mod15-td-cpuid, @src:guest-mod208-td-cpuid,
 * @src:guest-mod15-cpuid-config, @src:guest-mod208-cpuid-config, @src:tdx-rst-guest).
 *
 * The module answers the leaves it knows itself: for each it forces some bits to 1 and others to
 * 0 (fixed), and lets the VMM configure others (the configurable masks of the build, as
 * KVM_TDX_CAPABILITIES lists them), where the VMM can only keep or clear what the CPU has, never
 * turn a bit on. Leaf 0x21 carries the TDX signature. The hypervisor range 0x40000000-0x4FFFFFFF
 * always raises #VE, so the guest may ask the VMM. Any other leaf above the highest basic leaf
 * (0x23, @src:guest-mod15-x86-defs) and below the extended range, or above the highest extended
 * leaf, is answered as leaf 0x23, as a CPU does. Leaves the module does not handle raise #VE;
 * module 2.0 answers them with zeros instead, without a #VE, once the TD turned on REDUCE_VE, and
 * answers leaf 0x6 itself then. Leaves 0x2 (cache descriptors) and 0xB/0x1F (topology) are
 * handled only once the guest turned on VIRT_CPUID2 or ENUM_TOPOLOGY (REDUCE_VE includes both).
 */
import { tdCtlBit, TDX_IDENT } from '../../../../spec/abi/tdcall';
import type { Faults } from '../../faults';
import type { ModuleBuild } from '../../module/versions';
import type { CpuidOverride } from '../config';
import { lookupNative, ZERO, type CpuidRegs } from '../../platform/native-cpuid';

type Regs4 = Partial<CpuidRegs>;

interface LeafRule {
  leaf: number;
  /** Subleaves it applies to; undefined: the leaf has none. */
  subleaves?: readonly number[];
  fixed1?: Regs4;
  fixed0?: Regs4;
  /** Values the module returns regardless of the CPU. */
  constant?: CpuidRegs;
  /** A TD_CTLS bit that must be on for the module to answer; otherwise #VE. */
  needsCtl?: bigint;
  /** Always raises #VE (the module marks the leaf faulting). */
  faulting?: boolean;
  /** Raises #VE unless the TD turned on REDUCE_VE. */
  veUnlessReduceVe?: boolean;
  /** Only on this module line (1: 1.x, 2: 2.x); default both. */
  line?: 1 | 2;
}

const ALL = 0xffffffff;

/** The leaves the module answers, with their fixed bits (module cpuid_configurations). */
export const CPUID_RULES: readonly LeafRule[] = [
  { leaf: 0x0, fixed1: { eax: 0x23 }, fixed0: { eax: 0xffffffdc } },
  { leaf: 0x1, fixed1: { ecx: 0x80000000, edx: 0x200 }, fixed0: { eax: 0xf000c000, ebx: 0xff0000ff, ecx: 0x08010060, edx: 0x40120400 } },
  { leaf: 0x2, constant: { eax: 0x00feff01, ebx: 0, ecx: 0, edx: 0 }, needsCtl: tdCtlBit('VIRT_CPUID2') },
  { leaf: 0x3, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL } },
  { leaf: 0x4, subleaves: [0, 1, 2, 3], fixed0: { eax: 0x3c00, edx: 0x4 } },
  { leaf: 0x5, fixed0: { eax: 0xffff0000, ebx: 0xffff0000, ecx: 0xfffffffc } },
  { leaf: 0x6, faulting: true, line: 1 },
  { leaf: 0x6, fixed1: { eax: 0x4 }, veUnlessReduceVe: true, line: 2 },
  { leaf: 0x7, subleaves: [0], fixed0: { ebx: 0x404006, ecx: 0x643e8010, edx: 0x2298c3 } },
  { leaf: 0x7, subleaves: [1], fixed0: { eax: 0xfb77e20f, ebx: ALL, ecx: ALL, edx: 0xfffdfbcf } },
  { leaf: 0x8, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL } },
  { leaf: 0xa, fixed0: { edx: 0xffff6000 } },
  { leaf: 0xb, subleaves: [0, 1], needsCtl: tdCtlBit('ENUM_TOPOLOGY') },
  { leaf: 0xd, subleaves: [0], fixed0: { eax: 0xfff9fd18, ebx: ALL, edx: ALL } },
  { leaf: 0xd, subleaves: [1], fixed0: { eax: 0xffffffe0, ebx: ALL, ecx: 0xffff26ff, edx: ALL } },
  { leaf: 0x15, fixed1: { eax: 0x1, ecx: 0x017d7840 }, fixed0: { eax: 0xfffffffe, ecx: 0xfe8287bf, edx: ALL } },
  { leaf: 0x1f, subleaves: [0, 1], needsCtl: tdCtlBit('ENUM_TOPOLOGY') },
  { leaf: 0x23, subleaves: [0], fixed0: { eax: 0xfffffff0, ecx: ALL, edx: ALL } },
  { leaf: 0x23, subleaves: [1], fixed0: { ecx: ALL, edx: ALL } },
  { leaf: 0x23, subleaves: [2], fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL } },
  { leaf: 0x23, subleaves: [3], fixed0: { ebx: ALL, ecx: ALL, edx: ALL } },
  { leaf: 0x80000000, fixed0: {} },
  { leaf: 0x80000001, fixed0: {} },
  { leaf: 0x80000006, faulting: true },
  { leaf: 0x80000008, fixed0: {} },
  // The rest of module 1.5.01's table (include/auto_gen/cpuid_configurations.c, @src:guest-mod15-cpuid-table),
  // generated from it: every leaf and subleaf it lists, faulting or with its fixed bits.
  { leaf: 0x4, subleaves: [4], fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x7, subleaves: [2], fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: 0xffffffc0 }, line: 1 },
  { leaf: 0xd, subleaves: [2], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [3], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [4], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [5], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [6], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [7], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [8], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [9], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [10], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [11], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [12], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [13], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [14], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [15], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [16], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [17], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xd, subleaves: [18], fixed0: { edx: ALL }, line: 1 },
  { leaf: 0xe, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x11, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x12, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x13, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x14, subleaves: [0], fixed0: { ebx: 0xfffffe00, ecx: 0x7ffffff0, edx: ALL }, line: 1 },
  { leaf: 0x14, subleaves: [1], fixed0: { eax: 0xfff8, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x19, fixed0: { eax: 0xfffffff8, ebx: 0xffffffeb, ecx: 0xfffffffd, edx: ALL }, line: 1 },
  { leaf: 0x1c, fixed0: {}, line: 1 },
  { leaf: 0x1d, subleaves: [0], fixed0: {}, line: 1 },
  { leaf: 0x1d, subleaves: [1], fixed0: {}, line: 1 },
  { leaf: 0x1e, fixed0: {}, line: 1 },
  { leaf: 0x1f, subleaves: [2], faulting: true, line: 1 },
  { leaf: 0x1f, subleaves: [3], faulting: true, line: 1 },
  { leaf: 0x1f, subleaves: [4], faulting: true, line: 1 },
  { leaf: 0x1f, subleaves: [5], faulting: true, line: 1 },
  { leaf: 0x20, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x22, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: ALL }, line: 1 },
  { leaf: 0x80000007, fixed0: { eax: ALL, ebx: ALL, ecx: ALL, edx: 0xfffffeff }, line: 1 },
];

/** The highest basic and extended leaves the module virtualises (CPUID_LAST_BASE_LEAF, CPUID_LAST_EXTENDED_LEAF). */
export const LAST_BASE_LEAF = 0x23;
export const LAST_EXTENDED_LEAF = 0x80000008;
const EXTENDED_FIRST = 0x80000000;

export const HYPERVISOR_LEAVES = { first: 0x40000000, last: 0x4fffffff } as const;

export type CpuidAnswer = { ve: false; regs: CpuidRegs } | { ve: true };

export interface CpuidContext {
  build: ModuleBuild;
  native: Map<string, CpuidRegs>;
  vmm: readonly CpuidOverride[];
  tdCtls: bigint;
  faults: Faults;
}

function rule(leaf: number, subleaf: number, line: number, faults?: Faults): LeafRule | undefined {
  if (subleaf > 0 && faults?.has('guest.cpuid-first-subleaf-only')) return CPUID_RULES.find((r) => r.leaf === leaf && !r.subleaves);
  return CPUID_RULES.find((r) => r.leaf === leaf && (!r.subleaves || r.subleaves.includes(subleaf)) && (r.line === undefined || r.line === Math.min(line, 2)));
}

/** A leaf above the highest of its range is answered as the highest basic leaf (td_cpuid_exit()). */
export function remappedLeaf(leaf: number): number {
  const hypervisor = leaf >= HYPERVISOR_LEAVES.first && leaf <= HYPERVISOR_LEAVES.last;
  if (hypervisor) return leaf;
  return leaf > LAST_EXTENDED_LEAF || (leaf > LAST_BASE_LEAF && leaf < EXTENDED_FIRST) ? LAST_BASE_LEAF : leaf;
}

/** The bits of a register the VMM may configure on this build (KVM_TDX_CAPABILITIES cpuid_configs). */
export function configurableMask(build: ModuleBuild, leaf: number, subleaf: number, reg: keyof CpuidRegs): number {
  const c = build.cpuidConfigs.find((x) => x.leaf === leaf && (x.subleaf === 0xffffffff || x.subleaf === subleaf));
  return c ? c[reg] >>> 0 : 0;
}

function vmmValue(ctx: CpuidContext, leaf: number, subleaf: number, reg: keyof CpuidRegs): number {
  const o = ctx.vmm.find((x) => x.leaf === leaf && (x.subleaf === subleaf || x.subleaf === -1) && x.reg === reg);
  // A VMM that says nothing asks for everything the CPU has.
  return o ? o.value >>> 0 : ALL;
}

/** The TDX signature "IntelTDX    " as EBX, EDX, ECX. */
function signature(faults: Faults): CpuidRegs {
  const word = (i: number) => TDX_IDENT.slice(i, i + 4).split('').reduceRight((acc, ch) => (acc << 8) | ch.charCodeAt(0), 0) >>> 0;
  const [w0, w1, w2] = [word(0), word(4), word(8)];
  return faults.has('guest.cpuid21-register-order') ? { eax: 0, ebx: w0, ecx: w1, edx: w2 } : { eax: 0, ebx: w0, edx: w1, ecx: w2 };
}

export function virtualCpuid(ctx: CpuidContext, leaf: number, subleaf: number): CpuidAnswer {
  leaf >>>= 0;
  if (leaf >= HYPERVISOR_LEAVES.first && leaf <= HYPERVISOR_LEAVES.last) return { ve: true };
  if (!ctx.faults.has('guest.cpuid-out-of-range-ve')) leaf = remappedLeaf(leaf);
  // The faulty module takes the highest extended leaf itself for one above it.
  if (leaf === LAST_EXTENDED_LEAF && ctx.faults.has('guest.cpuid-last-extended-remapped')) leaf = LAST_BASE_LEAF;
  if (leaf === 0x21) return { ve: false, regs: subleaf === 0 ? signature(ctx.faults) : { ...ZERO } };
  const reduceVe = ctx.build.major >= 2 && (ctx.tdCtls & tdCtlBit('REDUCE_VE')) !== 0n && !ctx.faults.has('guest.cpuid-reduce-ve-ignored');
  const r = rule(leaf, subleaf, ctx.build.major, ctx.faults);
  // Module 2.0 with REDUCE_VE answers a leaf it does not list with zeros, without a #VE.
  if (!r) return reduceVe ? { ve: false, regs: { ...ZERO } } : { ve: true };
  if (r.faulting || (r.veUnlessReduceVe && !reduceVe)) return { ve: true };
  if (r.needsCtl !== undefined) {
    const on = (ctx.tdCtls & r.needsCtl) !== 0n && !(leaf === 0x2 && ctx.faults.has('guest.virt-cpuid2-ignored'));
    if (!on) return { ve: true };
  }
  if (r.constant) return { ve: false, regs: { ...r.constant } };
  const native = lookupNative(ctx.native, leaf, subleaf);
  const out = { ...ZERO };
  for (const reg of ['eax', 'ebx', 'ecx', 'edx'] as const) {
    const f1 = r.fixed1?.[reg] ?? 0;
    const f0 = r.fixed0?.[reg] ?? 0;
    const cfg = configurableMask(ctx.build, leaf, subleaf, reg);
    const vmm = vmmValue(ctx, leaf, subleaf, reg);
    const base = native[reg] & ~f0;
    // Configurable bits: the VMM may keep or clear what the CPU has; fixed-1 bits are the module's.
    let v = ctx.faults.has('guest.cpuid-vmm-can-set')
      ? (base & ~cfg) | ((base | vmm) & cfg) | f1
      : (base & ~cfg) | (base & cfg & vmm) | f1;
    // The faulty module lets a VMM that configured the register mask its fixed bits as well.
    if (ctx.faults.has('guest.cpuid-fixed-bits-configurable') && ctx.vmm.some((x) => x.leaf === leaf && x.reg === reg)) v &= vmm;
    out[reg] = v >>> 0;
  }
  // TDH.MNG.INIT writes the linear-address width of leaf 0x80000008 (EAX bits 15:8) from the TD's
  // own LA57 bit, CPUID(7,0).ECX[16]: 57 with it, 48 without (@src:guest-mod15-tdh-mng-init).
  if (leaf === LAST_EXTENDED_LEAF) {
    const la57 = virtualCpuid(ctx, 0x7, 0);
    const width = !la57.ve && (la57.regs.ecx & (1 << 16)) !== 0 ? 57 : 48;
    out.eax = ((out.eax & ~0xff00) | (width << 8)) >>> 0;
  }
  return { ve: false, regs: out };
}
