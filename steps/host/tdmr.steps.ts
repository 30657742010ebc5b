/** TDMRs, reserved areas and PAMTs the kernel built. */
import { expect } from 'chai';
import type { InitCleanup, TdmrReport, TdmrView } from '../../backends/host-facet';
import type { MemoryRegion } from '../../backends/port';
import { Then } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';

const GiB = 1n << 30n;
const KiB4 = 4096n;
const h = (v: bigint): string => '0x' + v.toString(16);

function report(w: TdxWorld): TdmrReport {
  return w.observe(w.host().tdmrs());
}

function tdmrs(w: TdxWorld): TdmrView[] {
  const r = report(w).tdmrs;
  expect(r.length, 'the kernel built no TDMRs').to.be.greaterThan(0);
  return r;
}

const end = (t: TdmrView): bigint => t.base + t.size;
const roundUp = (v: bigint, a: bigint): bigint => ((v + a - 1n) / a) * a;

Then('every TDMR starts and ends on a 1 GiB boundary', function (this: TdxWorld) {
  for (const t of tdmrs(this)) expect([t.base % GiB, end(t) % GiB], `TDMR [${h(t.base)}, ${h(end(t))})`).to.deep.equal([0n, 0n]);
});

Then('the TDMRs are in ascending order and do not overlap', function (this: TdxWorld) {
  const all = tdmrs(this);
  for (let i = 1; i < all.length; i++) expect(all[i].base >= end(all[i - 1]), `TDMR ${i} starts at ${h(all[i].base)}`).to.equal(true);
});

Then('every TDX memory region is covered by consecutive TDMRs', function (this: TdxWorld) {
  const all = tdmrs(this);
  for (const r of this.observe(this.host().tdxMemory())) {
    // A region may span several TDMRs that follow each other without a gap.
    let cur = r.base;
    for (const t of all) if (cur >= t.base && cur < end(t)) cur = end(t) < r.end ? end(t) : r.end;
    expect(cur, `memory [${h(r.base)}, ${h(r.end)}) covered up to ${h(cur)}`).to.equal(r.end);
  }
});

Then('there are {int} TDMRs', function (this: TdxWorld, n: number) {
  expect(tdmrs(this).map((t) => `[${h(t.base)}, ${h(end(t))})`)).to.have.length(n);
});

Then(/^TDMR (\d+) covers \[(0x[0-9a-f]+), (0x[0-9a-f]+)\)$/, function (this: TdxWorld, i: string, base: string, e: string) {
  const t = tdmrs(this)[Number(i)];
  expect(t, `TDMR ${i}`).to.not.equal(undefined);
  expect([h(t.base), h(end(t))]).to.deep.equal([h(BigInt(base)), h(BigInt(e))]);
});

function reservedRanges(t: TdmrView): [bigint, bigint][] {
  return t.reserved.map((r) => [t.base + r.offset, t.base + r.offset + r.size]);
}

const covered = (ranges: [bigint, bigint][], b: bigint, e: bigint): boolean => ranges.some(([rb, re]) => b >= rb && e <= re);

Then('every hole between memory regions inside a TDMR is one of its reserved areas', function (this: TdxWorld) {
  const mem = this.observe(this.host().tdxMemory());
  for (const t of tdmrs(this)) {
    let prev = t.base;
    const inside = mem.filter((m) => m.end > t.base && m.base < end(t));
    for (const m of [...inside, { base: end(t), end: end(t), node: 0 }]) {
      const hb = prev;
      const he = m.base < end(t) ? m.base : end(t);
      if (he > hb) expect(covered(reservedRanges(t), hb, he), `hole [${h(hb)}, ${h(he)}) in TDMR ${h(t.base)}`).to.equal(true);
      if (m.end > prev) prev = m.end;
    }
  }
});

Then('every PAMT inside a TDMR is one of its reserved areas', function (this: TdxWorld) {
  const all = tdmrs(this);
  for (const t of all) {
    for (const o of all) {
      const pb = o.pamt.base4k;
      const pe = o.pamt.base1g + o.pamt.size1g;
      const b = pb > t.base ? pb : t.base;
      const e = pe < end(t) ? pe : end(t);
      if (e > b) expect(covered(reservedRanges(t), b, e), `PAMT [${h(pb)}, ${h(pe)}) in TDMR ${h(t.base)}`).to.equal(true);
    }
  }
});

Then('the reserved areas of each TDMR are 4 KiB aligned and in ascending order', function (this: TdxWorld) {
  for (const t of tdmrs(this)) {
    t.reserved.forEach((r, i) => {
      expect([r.offset % KiB4, r.size % KiB4], `area ${i} of TDMR ${h(t.base)}`).to.deep.equal([0n, 0n]);
      if (i > 0) expect(r.offset >= t.reserved[i - 1].offset + t.reserved[i - 1].size, `area ${i} order`).to.equal(true);
    });
  }
});

Then(/^the first TDMR reserves \[(0x[0-9a-f]+), (0x[0-9a-f]+)\)$/, function (this: TdxWorld, b: string, e: string) {
  expect(covered(reservedRanges(tdmrs(this)[0]), BigInt(b), BigInt(e)), `[${b}, ${e}) reserved`).to.equal(true);
});

Then("each TDMR's PAMT has 16 bytes per 4 KiB, 2 MiB and 1 GiB page, each part rounded up to 4 KiB", function (this: TdxWorld) {
  for (const t of tdmrs(this)) {
    const want = [12n, 21n, 30n].map((s) => roundUp((t.size >> s) * 16n, KiB4));
    expect([t.pamt.size4k, t.pamt.size2m, t.pamt.size1g].map(h), `PAMT of TDMR ${h(t.base)}`).to.deep.equal(want.map(h));
  }
});

Then('the PAMT total in the kernel log equals the sum over the TDMRs of their 4K, 2M and 1G parts', function (this: TdxWorld) {
  const sum = tdmrs(this).reduce((s, t) => s + t.pamt.size4k + t.pamt.size2m + t.pamt.size1g, 0n);
  const e = this.observe(this.host().log()).events.filter((x) => x.id === 'pamt-allocated').pop();
  expect(e, 'PAMT line').to.not.equal(undefined);
  expect(e!.values[0], e!.text).to.equal(sum / 1024n);
});

const GIB = 1n << 30n;

/** The PAMT total the kernel logged, in bytes. */
function loggedPamt(w: TdxWorld): bigint {
  const e = w.observe(w.host().log()).events.filter((x) => x.id === 'pamt-allocated').pop();
  if (!e) throw new SkipSignal('cannot-observe', 'the kernel log has no PAMT line');
  return (e.values[0] as bigint) * 1024n;
}

Then('the PAMT total in the kernel log is at least 1\\/256 of MemTotal in \\/proc\\/meminfo', function (this: TdxWorld) {
  const memKb = BigInt(this.observe(this.host().memTotalKb()));
  const pamt = loggedPamt(this);
  expect(pamt * 256n >= memKb * 1024n, `PAMT ${pamt} bytes for MemTotal ${memKb} kB`).to.equal(true);
});

Then('the PAMT total in the kernel log is at most 1\\/250 of the CMRs, each rounded out to 1 GiB', function (this: TdxWorld) {
  const cmrs = this.observe(this.host().cmrs());
  const hull = cmrs.reduce((s, c) => s + ((c.end + GIB - 1n) / GIB) * GIB - (c.base / GIB) * GIB, 0n);
  const pamt = loggedPamt(this);
  expect(pamt * 250n <= hull, `PAMT ${pamt} bytes for ${hull} bytes of CMRs rounded out to 1 GiB`).to.equal(true);
});

Then('the PAMT total is between 1\\/256 and 1\\/250 of the memory the TDMRs cover', function (this: TdxWorld) {
  const all = tdmrs(this);
  const covered = all.reduce((s, t) => s + t.size, 0n);
  const pamt = all.reduce((s, t) => s + t.pamt.size4k + t.pamt.size2m + t.pamt.size1g, 0n);
  expect(pamt * 256n >= covered && pamt * 250n <= covered, `PAMT ${pamt} for ${covered} bytes`).to.equal(true);
});

/** The nodes of the memory map the scenario gave (its "Given the memory map:" table). */
function arrangedMap(w: TdxWorld): MemoryRegion[] {
  const a = [...w.arranged].reverse().find((x) => x.kind === 'memory-map');
  if (!a || a.kind !== 'memory-map') throw new Error('this step needs a memory map given by the scenario');
  return a.regions;
}

Then('the PAMT of TDMR {int} lies in the memory of node {int}', function (this: TdxWorld, i: number, node: number) {
  const t = tdmrs(this)[i];
  expect(t, `TDMR ${i}`).to.not.equal(undefined);
  const p = t.pamt;
  const base = p.base4k;
  const last = p.base1g + p.size1g;
  const holder = arrangedMap(this).find((r) => base >= r.base && last <= r.end);
  expect(holder ? `node ${holder.node}` : 'no single region', `PAMT [${h(base)}, ${h(last)}) of TDMR ${i}`).to.equal(`node ${node}`);
});

function cleanup(w: TdxWorld): InitCleanup {
  const c = w.observe(w.host().initCleanup());
  expect(c, 'the initialisation did not fail past the point where PAMTs exist').to.not.equal(null);
  return c!;
}

Then("the kernel wrote back every CPU's cache, then cleared every PAMT with MOVDIR64B before freeing it", function (this: TdxWorld) {
  const c = cleanup(this);
  expect(c.cachesFlushed, 'caches written back first').to.equal(true);
  const ranges = (rs: { base: bigint; end: bigint }[]) => rs.map((r) => `[${h(r.base)}, ${h(r.end)})`);
  expect(ranges(c.movdir64bRanges), 'ranges cleared with MOVDIR64B').to.deep.equal(ranges(c.pamtRanges));
  expect(c.pamtFreed, 'PAMTs freed').to.equal(true);
});

Then('the kernel freed the PAMTs without clearing them', function (this: TdxWorld) {
  const c = cleanup(this);
  expect(c.movdir64bRanges.map((r) => `[${h(r.base)}, ${h(r.end)})`), 'ranges cleared with MOVDIR64B').to.deep.equal([]);
  expect(c.pamtFreed, 'PAMTs freed').to.equal(true);
});

Then('TDMR {int} has {int} reserved area(s)', function (this: TdxWorld, i: number, n: number) {
  const t = tdmrs(this)[i];
  expect(t, `TDMR ${i}`).to.not.equal(undefined);
  expect(reservedRanges(t).map(([b, e]) => `[${h(b)}, ${h(e)})`), `reserved areas of TDMR ${i}`).to.have.length(n);
});

Then('MemTotal in \\/proc\\/meminfo is more than 0 and at most the total size of the CMRs', function (this: TdxWorld) {
  const memKb = BigInt(this.observe(this.host().memTotalKb()));
  const cmrs = this.observe(this.host().cmrs());
  const total = cmrs.reduce((s, c) => s + (c.end - c.base), 0n);
  expect(memKb > 0n, `MemTotal ${memKb} kB`).to.equal(true);
  expect(memKb * 1024n <= total, `MemTotal ${memKb} kB for ${total} bytes of CMRs`).to.equal(true);
});

Then('the kernel did not write back the caches before freeing them', function (this: TdxWorld) {
  expect(cleanup(this).cachesFlushed, 'caches written back').to.equal(false);
});

Then('the reserved areas of each TDMR are not empty and lie inside it', function (this: TdxWorld) {
  for (const t of tdmrs(this)) {
    t.reserved.forEach((r, i) => {
      const where = `area ${i} [${h(t.base + r.offset)}, ${h(t.base + r.offset + r.size)}) of TDMR [${h(t.base)}, ${h(end(t))})`;
      expect(r.size > 0n && r.offset >= 0n && r.offset + r.size <= t.size, where).to.equal(true);
    });
  }
});
