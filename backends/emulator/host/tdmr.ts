/**
 * The kernel's construction of TDMRs and PAMTs (arch/x86/virt/vmx/tdx/tdx.c, @src:tdx-c-mid;
 * fill_out_tdmrs() read at v6.16.1, @src:hb-tdx-c-6161):
 * pure functions over memory regions, so the arithmetic is per region and never per page.
 *
 *  - TDX-usable memory: every memblock region, with the first 1 MiB cut off.
 *  - One TDMR per region, each widened to 1 GiB boundaries; a region already covered by the
 *    previous TDMR is skipped, a partly covered one continues after it. NUMA nodes play no part.
 *  - PAMT per TDMR and page size: (TDMR size >> {12, 21, 30}) * entry size, rounded up to 4 KiB,
 *    allocated as one contiguous block (4K part, then 2M, then 1G).
 *  - Reserved areas: the holes between regions inside a TDMR, then every PAMT overlapping it,
 *    sorted by offset.
 */
import { firstIndexWhere } from '../../common/lower-bound';
import type { MemoryRegion } from '../../port';

export const SZ_1M = 1n << 20n;
export const SZ_1G = 1n << 30n;
export const PAGE_SIZE = 4096n;

export const alignDown = (v: bigint, a: bigint): bigint => v - (v % a);
export const alignUp = (v: bigint, a: bigint): bigint => alignDown(v + a - 1n, a);

export interface Tdmr {
  base: bigint;
  size: bigint;
  pamt?: PamtBlock;
  reserved: { offset: bigint; size: bigint }[];
}

export interface PamtBlock {
  base: bigint;
  /** Bytes for 4K, 2M and 1G pages, each already rounded to 4 KiB. */
  sizes: [bigint, bigint, bigint];
}

export interface TdmrRules {
  /** Alignment of TDMR bases and ends (1 GiB in the kernel). */
  alignment: bigint;
  /** Rounding of each PAMT part (4 KiB in the kernel). */
  pamtRounding: bigint;
  /** Bytes of memory below which nothing is TDX memory (1 MiB). */
  lowExclusion: bigint;
  /** Granule of the memory regions the kernel walks (whole 4 KiB pages: for_each_mem_pfn_range()). */
  page: bigint;
}

export const KERNEL_TDMR_RULES: TdmrRules = { alignment: SZ_1G, pamtRounding: PAGE_SIZE, lowExclusion: SZ_1M, page: PAGE_SIZE };

/**
 * The memory regions in the order the platform lists them, as whole pages (for_each_mem_pfn_range()
 * rounds a region's start up and its end down to a page, @src:l6161-memblock-c), first 1 MiB
 * excluded.
 */
export function lowExcluded(memblocks: readonly MemoryRegion[], rules: TdmrRules): MemoryRegion[] {
  const out: MemoryRegion[] = [];
  for (const r of memblocks) {
    const start = alignUp(r.base, rules.page);
    const base = start > rules.lowExclusion ? start : rules.lowExclusion;
    const end = alignDown(r.end, rules.page);
    if (base >= end) continue;
    out.push({ base, end, node: r.node });
  }
  return out;
}

/**
 * build_tdx_memlist(): all memblock regions, first 1 MiB excluded, in address order: memblock
 * keeps its regions sorted whatever order the firmware listed them in (memblock_add_range()
 * inserts each where it belongs, @src:l6161-memblock-c).
 */
export function tdxMemlist(memblocks: readonly MemoryRegion[], rules: TdmrRules): MemoryRegion[] {
  // The regions never overlap: the sign of the difference of their bases orders them.
  return lowExcluded(memblocks, rules).sort((a, b) => Number(a.base - b.base));
}

/** What fill_out_tdmrs() built; null when the regions needed more TDMRs than the module has. */
export type FillResult = { tdmrs: Tdmr[]; nearLimit: boolean } | null;

/** fill_out_tdmrs(). */
export function fillOutTdmrs(memlist: readonly MemoryRegion[], maxTdmrs: number, rules: TdmrRules): FillResult {
  const tdmrs: Tdmr[] = [];
  for (const tmb of memlist) {
    let start = alignDown(tmb.base, rules.alignment);
    const end = alignUp(tmb.end, rules.alignment);
    const cur = tdmrs[tdmrs.length - 1];
    if (cur) {
      const curEnd = cur.base + cur.size;
      if (end <= curEnd) continue;
      if (start < curEnd) start = curEnd;
      if (tdmrs.length >= maxTdmrs) return null;
    }
    // Stryker disable next-line ArrayDeclaration: populateReservedAreas() replaces the list before anything reads it
    tdmrs.push({ base: start, size: end - start, reserved: [] });
  }
  // TDMR_NR_WARN is 4 (@src:tdx-h).
  return { tdmrs, nearLimit: maxTdmrs - tdmrs.length < 4 };
}

/** tdmr_get_pamt_sz() for the three page sizes. */
export function pamtSizes(tdmrSize: bigint, entrySizes: readonly [number, number, number], rules: TdmrRules): [bigint, bigint, bigint] {
  const shifts = [12n, 21n, 30n] as const;
  return shifts.map((s, i) => alignUp((tdmrSize >> s) * BigInt(entrySizes[i]), rules.pamtRounding)) as [bigint, bigint, bigint];
}

export const pamtTotal = (p: PamtBlock): bigint => p.sizes[0] + p.sizes[1] + p.sizes[2];

/**
 * tdmr_get_nid(): node of the first region that ends after the TDMR starts. The kernel falls back
 * to node 0 with a warning when no region does, which cannot happen: fill_out_tdmrs() builds every
 * TDMR from a region that ends above the TDMR's base (its end rounded up lies past the previous
 * TDMR's 1 GiB-aligned end, so the region's end does too). The model does not carry that branch.
 */
export function tdmrNode(tdmr: Tdmr, memlist: readonly MemoryRegion[]): number {
  return memlist.find((m) => m.end > tdmr.base)!.node;
}

/** Every TDMR's PAMT block as [base, end), sorted by base (the blocks never overlap). Every TDMR has its PAMT by now. */
export function sortedPamtRanges(tdmrs: readonly Tdmr[]): { base: bigint; end: bigint }[] {
  const out = tdmrs.map((t) => ({ base: t.pamt!.base, end: t.pamt!.base + pamtTotal(t.pamt!) }));
  return out.sort((a, b) => Number(a.base - b.base));
}

/**
 * tdmr_populate_rsvd_areas(): holes first, then PAMTs, then sorted. The kernel walks every TDMR's
 * PAMT for each TDMR; the PAMTs arrive here sorted (sortedPamtRanges), so the ones inside this
 * TDMR are found by binary search. The areas and the point of failure are the same: the result
 * is sorted by offset, and the limit counts areas whatever their order. False when the TDMR needs
 * more areas than maxReserved.
 */
export function populateReservedAreas(tdmr: Tdmr, memlist: readonly MemoryRegion[], pamts: readonly { base: bigint; end: bigint }[], maxReserved: number): boolean {
  const areas: { offset: bigint; size: bigint }[] = [];
  const tdmrEnd = tdmr.base + tdmr.size;
  const add = (addr: bigint, size: bigint): boolean => {
    if (areas.length >= maxReserved) return false;
    areas.push({ offset: addr - tdmr.base, size });
    return true;
  };
  let prevEnd = tdmr.base;
  for (const m of memlist) {
    if (m.base >= tdmrEnd) break;
    if (m.end < tdmr.base) continue;
    if (m.base <= prevEnd) {
      prevEnd = m.end;
      continue;
    }
    if (!add(prevEnd, m.base - prevEnd)) return false;
    prevEnd = m.end;
  }
  if (prevEnd < tdmrEnd && !add(prevEnd, tdmrEnd - prevEnd)) return false;
  // Disjoint and sorted by base, hence by end too: from the first ending above the TDMR's base to
  // the last starting below its end, each overlaps the TDMR (the kernel's skip of the others).
  for (let i = firstIndexWhere(pamts, (p) => p.end > tdmr.base); i < pamts.length && pamts[i].base < tdmrEnd; i++) {
    const pb = pamts[i].base < tdmr.base ? tdmr.base : pamts[i].base;
    const pe = pamts[i].end > tdmrEnd ? tdmrEnd : pamts[i].end;
    if (!add(pb, pe - pb)) return false;
  }
  // Disjoint areas (rsvd_area_cmp_func() warns on overlap): ordered by offset.
  areas.sort((a, b) => Number(a.offset - b.offset));
  tdmr.reserved = areas;
  return true;
}

/** tdmrs_count_pamt_kb(): every TDMR has its PAMT by the time the kernel counts. */
export function pamtKb(tdmrs: readonly Tdmr[]): number {
  let total = 0n;
  for (const t of tdmrs) total += pamtTotal(t.pamt!);
  return Number(total / 1024n);
}
