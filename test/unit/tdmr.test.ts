import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MemoryRegion } from '../../backends/port';
import { fillOutTdmrs, KERNEL_TDMR_RULES as K, pamtKb, pamtSizes, populateReservedAreas, SZ_1G, tdxMemlist, type Tdmr } from '../../backends/emulator/host/tdmr';
import { PamtAllocator } from '../../backends/emulator/host/module-init';
import { inCmr, mayOverlap, mergedCmrs, overlap } from '../../backends/emulator/module/tdmr-checks';
import { numRuns } from '../support/runs';

const R = (base: bigint, end: bigint, node = 0): MemoryRegion => ({ base, end, node });

function pamtFor(regions: MemoryRegion[]): { tdmrs: Tdmr[]; kb: number } {
  const fill = fillOutTdmrs(tdxMemlist(regions, K), 64, K);
  assert.ok(fill);
  for (const t of fill.tdmrs) t.pamt = { base: 0n, sizes: pamtSizes(t.size, [16, 16, 16], K) };
  return { tdmrs: fill.tdmrs, kb: pamtKb(fill.tdmrs) };
}

test('the EMR capture (canonical/tdx#135) prints 1050644 KB of PAMT', () => {
  const { tdmrs, kb } = pamtFor([
    R(0x100000n, 0x6f800000n), R(0x100000000n, 0x107a000000n), R(0x1080000000n, 0x207c000000n),
    R(0x2080000000n, 0x307c000000n, 1), R(0x3080000000n, 0x407c000000n, 1),
  ]);
  assert.equal(tdmrs.length, 5);
  assert.equal(kb, 1050644);
});

test('the SPR capture (canonical/tdx#285) prints 1050636 KB of PAMT', () => {
  const { kb } = pamtFor([R(0x100000n, 0x77800000n), R(0x100000000n, 0x206e000000n), R(0x2080000000n, 0x4070000000n, 1)]);
  assert.equal(kb, 1050636);
});

test('the 6.6.0-rc2 capture is 4 KB above its CMRs: one more TDMR', () => {
  const cmrs = [R(0x100000n, 0x77800000n), R(0x100000000n, 0x1ffe000000n), R(0x4000000000n, 0x6000000000n), R(0x8000000000n, 0x8080000000n)];
  assert.equal(pamtFor(cmrs).kb, 1050640);
  const split = [cmrs[0], R(0x100000000n, 0x1000000000n), R(0x1000000000n, 0x1ffe000000n, 1), cmrs[2], cmrs[3]];
  assert.equal(pamtFor(split).kb, 1050644);
});

test('PAMT parts are rounded up to 4 KiB', () => {
  assert.deepEqual(pamtSizes(SZ_1G, [16, 16, 16], K), [4n << 20n, 8192n, 4096n]);
});

test('too many regions exhaust the TDMRs', () => {
  const regions = Array.from({ length: 65 }, (_, i) => R(BigInt(i) * 2n * SZ_1G + (1n << 20n), BigInt(i) * 2n * SZ_1G + (512n << 20n), i));
  assert.equal(fillOutTdmrs(tdxMemlist(regions, K), 64, K), null);
});

const regionsArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 4096 })), { minLength: 1, maxLength: 40 })
  .map((parts) => {
    // Gaps and sizes in MiB, laid out upwards from 1 MiB.
    let cur = 1n << 20n;
    return parts.map(([gap, size], i) => {
      const base = cur + BigInt(gap - 1) * (1n << 20n);
      const end = base + BigInt(size) * (1n << 20n);
      cur = end;
      return R(base, end, i % 4);
    });
  });

test('TDMRs cover every region, are 1 GiB aligned, ordered and disjoint; PAMT is the sum of its parts', () => {
  fc.assert(fc.property(regionsArb, (regions) => {
    const memlist = tdxMemlist(regions, K);
    const fill = fillOutTdmrs(memlist, 1000, K);
    assert.ok(fill);
    const tdmrs = fill.tdmrs;
    for (const t of tdmrs) {
      assert.equal(t.base % SZ_1G, 0n);
      assert.equal(t.size % SZ_1G, 0n);
      assert.ok(t.size > 0n);
    }
    for (let i = 1; i < tdmrs.length; i++) assert.ok(tdmrs[i].base >= tdmrs[i - 1].base + tdmrs[i - 1].size);
    for (const r of memlist) {
      let cur = r.base;
      for (const t of tdmrs) if (cur >= t.base && cur < t.base + t.size) cur = t.base + t.size < r.end ? t.base + t.size : r.end;
      assert.equal(cur, r.end);
    }
    let sum = 0n;
    for (const t of tdmrs) {
      t.pamt = { base: 0n, sizes: pamtSizes(t.size, [16, 16, 16], K) };
      sum += t.pamt.sizes[0] + t.pamt.sizes[1] + t.pamt.sizes[2];
    }
    assert.equal(BigInt(pamtKb(tdmrs)), sum / 1024n);
  }), { numRuns: numRuns(300) });
});

test('reserved areas are the holes inside a TDMR, in order', () => {
  const memlist = tdxMemlist([R(0x100000n, 0x200000n), R(0x300000n, 0x400000n)], K);
  const fill = fillOutTdmrs(memlist, 64, K);
  assert.ok(fill);
  const t = fill.tdmrs[0];
  assert.equal(populateReservedAreas(t, memlist, [], 16), true);
  assert.deepEqual(t.reserved, [
    { offset: 0n, size: 0x100000n },
    { offset: 0x200000n, size: 0x100000n },
    { offset: 0x400000n, size: SZ_1G - 0x400000n },
  ]);
  assert.equal(populateReservedAreas({ ...t, reserved: [] }, memlist, [], 2), false);
});

test('the sort-and-sweep overlap screen never misses a pair the exact check flags', () => {
  const range = fc.record({ base: fc.bigInt({ min: 0n, max: 64n }), size: fc.bigInt({ min: 0n, max: 16n }) });
  fc.assert(fc.property(fc.array(range, { maxLength: 12 }), (ranges) => {
    const pairwise = ranges.some((a, i) => ranges.some((b, j) => i !== j && overlap(a.base, a.size, b.base, b.size)));
    if (pairwise) assert.ok(mayOverlap(ranges), JSON.stringify(ranges, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
  }), { numRuns: numRuns(500) });
});

test('the binary-search CMR lookup agrees with a scan of every CMR', () => {
  // Sorted, disjoint CMRs (as profiles require), some of them adjacent.
  const cmrsArb = fc.array(fc.record({ gap: fc.bigInt({ min: 0n, max: 3n }), len: fc.bigInt({ min: 1n, max: 8n }) }), { maxLength: 8 }).map((parts) => {
    let at = 0n;
    return parts.map(({ gap, len }) => {
      const r = R(at + gap, at + gap + len);
      at = r.end;
      return r;
    });
  });
  fc.assert(fc.property(cmrsArb, fc.bigInt({ min: 0n, max: 40n }), fc.bigInt({ min: 0n, max: 12n }), (cmrs, base, size) => {
    const merged = mergedCmrs(cmrs);
    assert.equal(inCmr(merged, base, size), merged.some((c) => base >= c.base && base + size <= c.end));
  }), { numRuns: numRuns(500) });
});

test('the PAMT allocator places blocks where a first-fit scan of every used range would', () => {
  // The kernel's first fit, written plainly: bump past every used range in the way.
  function reference(regions: MemoryRegion[], requests: { size: bigint; node: number }[]): (bigint | null)[] {
    const used: { base: bigint; end: bigint }[] = [];
    const low = (r: MemoryRegion): boolean => r.base < 4n * SZ_1G;
    return requests.map(({ size, node }) => {
      const order = [
        ...regions.filter((r) => r.node === node && !low(r)), ...regions.filter((r) => r.node === node && low(r)),
        ...regions.filter((r) => r.node !== node && !low(r)), ...regions.filter((r) => r.node !== node && low(r)),
      ];
      for (const r of order) {
        let start = (r.base + 4095n) / 4096n * 4096n;
        for (const u of [...used].sort((a, b) => (a.base < b.base ? -1 : 1))) if (u.base < start + size && u.end > start) start = u.end;
        if (start + size <= r.end) {
          used.push({ base: start, end: start + size });
          return start;
        }
      }
      return null;
    });
  }
  const page = 4096n;
  const regionsArb = fc.array(fc.record({ gap: fc.bigInt({ min: 0n, max: 4n }), len: fc.bigInt({ min: 1n, max: 64n }), node: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 6 })
    .map((parts) => {
      let at = 0n;
      return parts.map(({ gap, len, node }) => {
        const r = R(at + gap * page + 0x100000000n, at + (gap + len) * page + 0x100000000n, node);
        at = r.end - 0x100000000n;
        return r;
      });
    });
  const requestsArb = fc.array(fc.record({ size: fc.bigInt({ min: 1n, max: 24n }).map((n) => n * page), node: fc.integer({ min: 0, max: 2 }) }), { maxLength: 10 });
  fc.assert(fc.property(regionsArb, requestsArb, (regions, requests) => {
    const a = new PamtAllocator(regions);
    assert.deepEqual(requests.map((q) => a.alloc(q.size, q.node)), reference(regions, requests));
  }), { numRuns: numRuns(300) });
});

test('reserved areas from sorted PAMTs are those of a walk over every TDMR\'s PAMT', () => {
  // The kernel's walk, written plainly, over disjoint PAMT blocks in any order.
  function reference(tdmr: Tdmr, pamts: { base: bigint; end: bigint }[]): { offset: bigint; size: bigint }[] {
    const end = tdmr.base + tdmr.size;
    const out: { offset: bigint; size: bigint }[] = [];
    for (const p of pamts) {
      if (p.end <= tdmr.base || p.base >= end) continue;
      const b = p.base < tdmr.base ? tdmr.base : p.base;
      const e = p.end > end ? end : p.end;
      out.push({ offset: b - tdmr.base, size: e - b });
    }
    return out.sort((a, b) => (a.offset < b.offset ? -1 : 1));
  }
  const blocksArb = fc.array(fc.record({ gap: fc.bigInt({ min: 0n, max: 6n }), len: fc.bigInt({ min: 1n, max: 6n }) }), { maxLength: 10 })
    .map((parts) => {
      let at = 0n;
      return parts.map(({ gap, len }) => ({ base: (at += gap) * SZ_1G / 4n, end: (at += len) * SZ_1G / 4n }));
    });
  fc.assert(fc.property(blocksArb, fc.bigInt({ min: 0n, max: 8n }), fc.bigInt({ min: 1n, max: 6n }), (blocks, at, size) => {
    const tdmr: Tdmr = { base: at * SZ_1G, size: size * SZ_1G, reserved: [] };
    // The TDMR is fully covered by memory, so every reserved area is a PAMT.
    const r = populateReservedAreas(tdmr, [R(tdmr.base, tdmr.base + tdmr.size)], blocks, 64);
    assert.equal(r, true);
    assert.deepEqual(tdmr.reserved, reference(tdmr, [...blocks].reverse()));
  }), { numRuns: numRuns(500) });
});
