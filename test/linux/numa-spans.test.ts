/**
 * NUMA spans from SRAT lines, and the TDMRs `emulate --from` builds from them. The firmware may
 * describe one node's memory in several SRAT entries that touch or share a boundary; memblock
 * merges such ranges of one node unless their flags differ (memblock_merge_regions(), mm/memblock.c
 * at v6.16.1, compares node and flags; SRAT's hot-pluggable ranges carry MEMBLOCK_HOTPLUG), and
 * the kernel builds one TDMR per memblock region (fill_out_tdmrs()). So splitting a node's range
 * into touching SRAT entries must change nothing, and touching ranges of two nodes, or of one
 * node with different hot-plug flags, must stay apart. SRAT lines here are synthetic, in the
 * format of acpi_numa_memory_affinity_init() (drivers/acpi/numa/srat.c, v6.16.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseBootLines, type NodeSpan } from '../../backends/linux/parse/boot-lines';
import { mergeNodes, readEvidence } from '../../backends/linux/facts';
import { emptyEvidence, mergeEvidence } from '../../backends/linux/evidence';
import { readSnapshot } from '../../backends/linux/load';
import { emulateFrom } from '../../src/compare/emulate-from';
import { PROJECT_ROOT } from '../../src/project-root';
import { numRuns } from '../support/runs';

const GIB = 1n << 30n;
const hex10 = (v: bigint): string => '0x' + v.toString(16).padStart(8, '0'); // %#010Lx
const srat = (node: number, base: bigint, end: bigint, hotplug = false, nonVolatile = false): string =>
  `[    0.011083] ACPI: SRAT: Node ${node} PXM ${node} [mem ${hex10(base)}-${hex10(end - 1n)}]${hotplug ? ' hotplug' : ''}${nonVolatile ? ' non-volatile' : ''}`;
const spans = (lines: string[]): NodeSpan[] => mergeNodes(parseBootLines(lines).numa);
const span = (node: number, base: bigint, end: bigint, hotplug = false): NodeSpan => ({ node, base, end, hotplug });

test('SRAT entries of one node that touch, overlap or repeat are one span; of two nodes, or of different hot-plug flags, two', () => {
  assert.deepEqual(spans([srat(0, 0n, 2n * GIB), srat(0, 2n * GIB, 4n * GIB)]), [span(0, 0n, 4n * GIB)], 'touching, one node');
  assert.deepEqual(spans([srat(0, 2n * GIB, 4n * GIB), srat(0, 0n, 2n * GIB)]), [span(0, 0n, 4n * GIB)], 'touching, out of order');
  assert.deepEqual(spans([srat(0, 0n, 2n * GIB + 1n), srat(0, 2n * GIB, 4n * GIB)]), [span(0, 0n, 4n * GIB)], 'sharing their boundary byte');
  assert.deepEqual(spans([srat(0, 0n, 4n * GIB), srat(0, 0n, 4n * GIB)]), [span(0, 0n, 4n * GIB)], 'the same entry twice');
  assert.deepEqual(spans([srat(0, 0n, 4n * GIB), srat(0, GIB, 2n * GIB)]), [span(0, 0n, 4n * GIB)], 'one inside the other');
  assert.deepEqual(spans([srat(0, 0n, 2n * GIB), srat(0, 3n * GIB, 4n * GIB)]), [span(0, 0n, 2n * GIB), span(0, 3n * GIB, 4n * GIB)], 'a hole between');
  assert.deepEqual(spans([srat(0, 0n, 2n * GIB), srat(1, 2n * GIB, 4n * GIB)]), [span(0, 0n, 2n * GIB), span(1, 2n * GIB, 4n * GIB)], 'touching, two nodes');
  assert.deepEqual(spans([srat(0, 0n, 2n * GIB), srat(0, 2n * GIB, 4n * GIB, true)]), [span(0, 0n, 2n * GIB), span(0, 2n * GIB, 4n * GIB, true)], 'touching, one hot-pluggable');
  assert.deepEqual(spans([srat(0, 0n, 2n * GIB, true), srat(0, 2n * GIB, 4n * GIB, true)]), [span(0, 0n, 4n * GIB, true)], 'touching, both hot-pluggable');
  assert.deepEqual(spans([srat(2, 0n, 2n * GIB, false, true)]), [span(2, 0n, 2n * GIB)], 'non-volatile');
  // The older form without pr_fmt's "ACPI: ", and no SRAT line at all.
  assert.deepEqual(spans(['[    0.000000] SRAT: Node 1 PXM 1 [mem 0x100000000-0x17fffffff]']), [span(1, 4n * GIB, 6n * GIB)]);
  assert.deepEqual(spans(['[    0.000000] ACPI: SRAT: Node 1 PXM 1 [mem 0x100000000-0x17fffffff'] ), [], 'a line cut inside the range says nothing');
});

/** A canonical layout: sorted, disjoint, and no two touching segments with the same node and flag. */
const layout = fc.array(fc.record({ gap: fc.bigInt(0n, 4n), size: fc.bigInt(1n, 6n), node: fc.integer({ min: 0, max: 3 }), hotplug: fc.boolean() }), { minLength: 1, maxLength: 6 })
  .map((segs) => {
    const out: NodeSpan[] = [];
    let at = 0n;
    for (const s of segs) {
      const base = at + s.gap * GIB;
      const prev = out[out.length - 1];
      // Touching the one before with its node and flag would be the same region: make it differ.
      const node = prev && prev.end === base && prev.node === s.node && prev.hotplug === s.hotplug ? (s.node + 1) % 4 : s.node;
      out.push(span(node, base, base + s.size * GIB, s.hotplug));
      at = base + s.size * GIB;
    }
    return out;
  });

/** The layout as firmware may list it: each segment cut into touching pieces, in any order, some twice. */
const asSrat = (l: NodeSpan[]) => fc.tuple(
  fc.array(fc.array(fc.bigInt(1n, 255n), { maxLength: 3 }), { minLength: l.length, maxLength: l.length }),
  fc.array(fc.nat(), { minLength: 0, maxLength: 3 }),
  fc.nat(),
).map(([cuts, dup, seed]) => {
  const pieces: string[] = [];
  l.forEach((s, i) => {
    const size = s.end - s.base;
    const points = [...new Set(cuts[i].map((c) => s.base + (size * c) / 256n).filter((p) => p > s.base && p < s.end))].sort((a, b) => (a < b ? -1 : 1));
    const bounds = [s.base, ...points, s.end];
    for (let k = 0; k + 1 < bounds.length; k++) pieces.push(srat(s.node, bounds[k], bounds[k + 1], s.hotplug));
  });
  for (const d of dup) pieces.push(pieces[d % pieces.length]);
  // A fixed shuffle from the seed.
  return pieces.map((p, i) => [((i + 1) * 2654435761 + seed) % 4294967296, p] as const).sort((a, b) => a[0] - b[0]).map(([, p]) => p);
});

test('any layout, split into touching SRAT entries in any order, merges back to itself', () => {
  fc.assert(fc.property(layout.chain((l) => fc.tuple(fc.constant(l), asSrat(l))), ([l, lines]) => {
    assert.deepEqual(spans(lines), l);
  }), { numRuns: numRuns(300) });
});

// emulate --from on a real capture (its CMRs and PAMT) with synthetic SRAT lines.
const HOST = join(PROJECT_ROOT, 'test/fixtures/real/host');
const capture = readSnapshot(join(HOST, 'h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg')).evidence.log!.lines;
/** The node layout the fixtures' README names as consistent with this capture's PAMT. */
const NODES: [number, bigint, bigint][] = [[0, 0n, 0x1000000000n], [1, 0x1000000000n, 0x2000000000n], [2, 0x4000000000n, 0x6000000000n], [3, 0x8000000000n, 0x8080000000n]];
const emulateWith = (sratLines: string[]) => {
  const ev = mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: [...sratLines, ...capture], source: 'test', excerpt: true } });
  return emulateFrom(readEvidence(ev), 'synthetic');
};

test('emulate --from: a node described in touching pieces builds the TDMRs of the whole node', () => {
  const whole = emulateWith(NODES.map(([n, b, e]) => srat(n, b, e)));
  assert.deepEqual(whole.agreement.pamtKb, { status: 'exact', value: 1050644, note: 'computed from the CMRs split at the SRAT node boundaries' });
  fc.assert(fc.property(asSrat(NODES.map(([n, b, e]) => span(n, b, e))), (lines) => {
    const r = emulateWith(lines);
    assert.deepEqual(r.emulated.tdmrs, whole.emulated.tdmrs);
    assert.deepEqual(r.agreement.pamtKb, whole.agreement.pamtKb);
    assert.equal(r.profile.yaml, whole.profile.yaml);
  }), { numRuns: numRuns(15) });
});

test('emulate --from: touching ranges of two nodes, or one hot-pluggable, are two regions (one more TDMR)', () => {
  const whole = emulateWith(NODES.map(([n, b, e]) => srat(n, b, e)));
  // Node 0 split at 32 GiB into node 0 and node 4: a boundary inside the second CMR.
  const mid = 0x800000000n;
  for (const other of [srat(4, mid, 0x1000000000n), srat(0, mid, 0x1000000000n, true)]) {
    const lines = [srat(0, 0n, mid), other, ...NODES.slice(1).map(([n, b, e]) => srat(n, b, e))];
    const r = emulateWith(lines);
    assert.equal(r.emulated.tdmrs.length, whole.emulated.tdmrs.length + 1, other);
    assert.ok(r.profile.yaml.includes(`base: "0x${mid.toString(16)}"`) || r.profile.yaml.includes(`base: 0x${mid.toString(16)}`), r.profile.yaml);
  }
});

test('emulate --from: CMRs that touch inside one node are one region, as memblock sees them (synthetic CMR lines)', () => {
  const lines = [
    '[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffffff]',
    '[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    '[    2.000000] virt/tdx: CMR: [0x100000, 0x80000000)',
    '[    2.000001] virt/tdx: CMR: [0x100000000, 0x1040000000)',
    '[    2.000002] virt/tdx: CMR: [0x1040000000, 0x2000000000)',
    '[    3.000000] virt/tdx: module initialized',
  ];
  const r = emulateFrom(readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines, source: 'test', excerpt: true } })), 'synthetic');
  assert.deepEqual(r.emulated.tdmrs.map((t) => [t.base, t.end]), [['0x0', '0x80000000'], ['0x100000000', '0x2000000000']]);
  // Without the SRAT line nothing says the two CMRs share a node: each stays a region.
  const bare = emulateFrom(readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: lines.slice(1), source: 'test', excerpt: true } })), 'synthetic');
  assert.equal(bare.emulated.tdmrs.length, 3);
});
