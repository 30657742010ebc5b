/**
 * TDMR and PAMT validation of TDH.SYS.CONFIG, in the module's order (check_and_set_tdmrs,
 * @src:mod-sys-leaves §4). Returns the first failing status with its detail bytes, or null.
 * Detail bytes: TDMR index in 7:0, PAMT level or reserved-area index in 15:8, other TDMR in 23:16.
 */
import { withInfo } from '../../../spec/abi/status';
import { firstIndexWhere } from '../../common/lower-bound';
import type { MemoryRegion } from '../../port';
import type { TdxModule } from './module';

/** TDMR_INFO as software lays it out in memory (320 bytes in the module). */
export interface TdmrInfo {
  base: bigint;
  size: bigint;
  pamt1gBase: bigint;
  pamt1gSize: bigint;
  pamt2mBase: bigint;
  pamt2mSize: bigint;
  pamt4kBase: bigint;
  pamt4kSize: bigint;
  /** Up to MAX_RESERVED_PER_TDMR entries; unused ones have size 0 and come last. */
  reserved: { offset: bigint; size: bigint }[];
}

const SZ_1G = 1n << 30n;
const SZ_4K = 4096n;
const U64 = 1n << 64n;
const PAGE_SIZES = [SZ_4K, 2n << 20n, SZ_1G] as const; // PT_4KB, PT_2MB, PT_1GB
const PAMT_ENTRY = 16n;

export const overlap = (b1: bigint, s1: bigint, b2: bigint, s2: bigint): boolean => !(b1 >= b2 + s2 || b2 >= b1 + s1);

function pamtOf(t: TdmrInfo): { base: bigint; size: bigint }[] {
  return [
    { base: t.pamt4kBase, size: t.pamt4kSize },
    { base: t.pamt2mBase, size: t.pamt2mSize },
    { base: t.pamt1gBase, size: t.pamt1gSize },
  ];
}

/** Usable (non-reserved) parts of a TDMR. */
export function availableAreas(t: TdmrInfo): { base: bigint; size: bigint }[] {
  const out: { base: bigint; size: bigint }[] = [];
  let cur = t.base;
  for (const r of t.reserved) {
    if (r.size === 0n) continue;
    const rb = t.base + r.offset;
    if (rb > cur) out.push({ base: cur, size: rb - cur });
    cur = rb + r.size;
  }
  if (cur < t.base + t.size) out.push({ base: cur, size: t.base + t.size - cur });
  return out;
}

/**
 * Whether any two ranges might overlap: sorted by base, a range that starts before the furthest
 * end seen so far. Every pair the exact checks below would flag is flagged here, so when this says
 * no, the pairwise checks (quadratic in the number of TDMRs) can be skipped without changing a
 * result.
 */
export function mayOverlap(ranges: readonly { base: bigint; size: bigint }[]): boolean {
  // In any order, of two overlapping ranges the one scanned second starts before the furthest end
  // seen: sorting only spares false alarms (the quadratic checks on layouts with no overlap).
  // Stryker disable next-line all: the order changes how fast the checks run, never their result
  const sorted = ranges.slice().sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  let furthest = -1n;
  for (const r of sorted) {
    // Stryker disable next-line EqualityOperator: <= or >= only says "maybe" more often (bases are >= 0 > -1)
    if (r.base < furthest) return true;
    // Having not returned, r starts at or after every end seen: its end is the furthest.
    furthest = r.base + r.size;
  }
  // Stryker disable next-line BooleanLiteral: "maybe" for every layout runs the exact checks always
  return false;
}

/** CMRs with adjacent ones merged (is_area_in_cmr). */
export function mergedCmrs(cmrs: readonly MemoryRegion[]): { base: bigint; end: bigint }[] {
  const out: { base: bigint; end: bigint }[] = [];
  for (const c of [...cmrs].sort((a, b) => (a.base < b.base ? -1 : 1))) {
    const last = out[out.length - 1];
    if (last && last.end === c.base) last.end = c.end;
    else out.push({ base: c.base, end: c.end });
  }
  return out;
}

/**
 * Whether [base, base + size) lies within one merged CMR. CMRs are sorted and disjoint (profiles
 * reject anything else), so only the last CMR starting at or below `base` can hold it: a binary
 * search keeps the checks O(log n) per range on hosts with dozens of CMRs.
 */
export function inCmr(cmrs: readonly { base: bigint; end: bigint }[], base: bigint, size: bigint): boolean {
  const at = firstIndexWhere(cmrs, (c) => c.base > base) - 1;
  return at >= 0 && base + size <= cmrs[at].end;
}

export function checkTdmrs(tdmrs: readonly TdmrInfo[], m: TdxModule): bigint | null {
  const maxPa = 1n << BigInt(m.platform.config.physAddrBits);
  const cmrs = mergedCmrs(m.platform.config.cmrs);
  // Computed once per TDMR: the checks compare every pair.
  const available = tdmrs.map(availableAreas);
  const allPamts = tdmrs.map(pamtOf);
  const maxReserved = Number(m.build.metadata.MAX_RESERVED_PER_TDMR);
  const rangeUnchecked = m.faults.has('module.address-range-unchecked');
  const badAddr = (pa: bigint): boolean => !rangeUnchecked && (pa >= maxPa || m.hasKeyIdBits(pa));
  const reservedOrderUnchecked = m.faults.has('module.reserved-order-unchecked');
  const checkOverlaps = !m.faults.has('module.pamt-overlap-unchecked') && mayOverlap([...allPamts.flat(), ...available.flat()]);

  for (let i = 0; i < tdmrs.length; i++) {
    const t = tdmrs[i];
    const prev = tdmrs[i - 1];
    if (t.base + t.size >= U64) return withInfo('TDX_INVALID_TDMR', i);
    if (prev && (t.base < prev.base || (t.base < prev.base + prev.size && !m.faults.has('module.tdmr-overlap-unchecked')))) {
      return withInfo('TDX_NON_ORDERED_TDMR', i);
    }
    const aligned = t.base % SZ_1G === 0n && t.size % SZ_1G === 0n;
    if ((!aligned && !m.faults.has('module.tdmr-alignment-unchecked')) || (t.size === 0n && !m.faults.has('module.tdmr-empty-accepted')) ||
      badAddr(t.base) || badAddr(t.base + t.size - 1n)) {
      return withInfo('TDX_INVALID_TDMR', i);
    }

    const rsv = t.reserved;
    if (rsv.length > maxReserved) return withInfo('TDX_INVALID_RESERVED_IN_TDMR', i, maxReserved);
    for (let j = 0; j < rsv.length; j++) {
      const r = rsv[j];
      if (r.size === 0n) {
        // An empty entry may only be followed by an empty one: the module looks at the next entry only.
        if ((rsv[j + 1]?.size ?? 0n) !== 0n && !reservedOrderUnchecked) return withInfo('TDX_NON_ORDERED_RESERVED_IN_TDMR', i, j);
        continue;
      }
      const p = rsv[j - 1];
      if (r.offset + r.size >= U64) return withInfo('TDX_INVALID_RESERVED_IN_TDMR', i, j);
      if (p && p.size !== 0n && (r.offset < p.offset || r.offset < p.offset + p.size) && !reservedOrderUnchecked) {
        return withInfo('TDX_NON_ORDERED_RESERVED_IN_TDMR', i, j);
      }
      if (m.faults.has('module.reserved-bounds-unchecked')) continue;
      if (r.offset % SZ_4K !== 0n || r.size % SZ_4K !== 0n) return withInfo('TDX_INVALID_RESERVED_IN_TDMR', i, j);
      if (r.offset + r.size > t.size) return withInfo('TDX_INVALID_RESERVED_IN_TDMR', i, j);
    }

    // PAMT addresses and sizes, 1G then 2M then 4K.
    const pamts = allPamts[i];
    for (const level of [2, 1, 0]) {
      const p = pamts[level];
      const needed = (t.size / PAGE_SIZES[level]) * PAMT_ENTRY;
      const small = p.size < needed && !m.faults.has('module.pamt-size-unchecked');
      const misaligned = (p.base % SZ_4K !== 0n || p.size % SZ_4K !== 0n) && !m.faults.has('module.pamt-alignment-unchecked');
      if (misaligned || badAddr(p.base) || badAddr(p.base + p.size - 1n) || small) {
        return withInfo('TDX_INVALID_PAMT', i, level);
      }
    }
    if (checkOverlaps) {
      for (let j = 0; j < i; j++) {
        const other = allPamts[j];
        for (let level = 0; level < 3; level++) {
          if (other.some((o) => overlap(pamts[level].base, pamts[level].size, o.base, o.size))) {
            return withInfo('TDX_PAMT_OVERLAP', i, level, j);
          }
        }
      }
      if (overlap(pamts[0].base, pamts[0].size, pamts[1].base, pamts[1].size)) return withInfo('TDX_PAMT_OVERLAP', i, 0, i);
      if (overlap(pamts[0].base, pamts[0].size, pamts[2].base, pamts[2].size)) return withInfo('TDX_PAMT_OVERLAP', i, 0, i);
      if (overlap(pamts[1].base, pamts[1].size, pamts[2].base, pamts[2].size)) return withInfo('TDX_PAMT_OVERLAP', i, 1, i);
      // Per TDMR j, each PAMT level (4K, 2M, 1G) against all of j's usable areas: the level found
      // first is the one the status names (check_pamt_overlaps_available_areas).
      const inUsable = (pamt: { base: bigint; size: bigint }, of: number): boolean => available[of].some((a) => overlap(pamt.base, pamt.size, a.base, a.size));
      for (let j = 0; j <= i; j++) {
        for (let level = 0; level < 3; level++) {
          if (inUsable(pamts[level], j)) return withInfo('TDX_PAMT_OVERLAP', i, level, j);
        }
        if (j < i) {
          for (let level = 0; level < 3; level++) {
            if (inUsable(allPamts[j][level], i)) return withInfo('TDX_PAMT_OVERLAP', j, level, i);
          }
        }
      }
    }
    for (const level of [2, 1, 0]) {
      if (!inCmr(cmrs, pamts[level].base, pamts[level].size) && !m.faults.has('module.pamt-cmr-unchecked')) return withInfo('TDX_PAMT_OUTSIDE_CMRS', i, level);
    }
    for (const area of available[i]) {
      if (!inCmr(cmrs, area.base, area.size) && !m.faults.has('module.tdmr-cmr-unchecked')) return withInfo('TDX_TDMR_OUTSIDE_CMRS', i);
    }
  }
  return null;
}
