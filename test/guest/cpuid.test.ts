import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { configurableMask, CPUID_RULES, HYPERVISOR_LEAVES, LAST_BASE_LEAF, LAST_EXTENDED_LEAF, remappedLeaf, virtualCpuid, type CpuidContext } from '../../backends/emulator/guest/module/cpuid';
import { lookupNative, nativeCpuid } from '../../backends/emulator/platform/native-cpuid';
import { moduleBuild } from '../../backends/emulator/module/versions';
import { Faults } from '../../backends/emulator/faults';
import { tdCtlBit, TDX_IDENT } from '../../spec/abi/tdcall';
import { numRuns } from '../support/runs';

const build = moduleBuild('1.5.698');
const native = nativeCpuid('sapphire-rapids');
const ctx = (over: Partial<CpuidContext> = {}): CpuidContext => ({ build, native, vmm: [], tdCtls: 0n, faults: new Faults(), ...over });
const regs = ['eax', 'ebx', 'ecx', 'edx'] as const;

test('every leaf of the hypervisor range raises #VE, whatever the subleaf', () => {
  fc.assert(fc.property(fc.integer({ min: HYPERVISOR_LEAVES.first, max: HYPERVISOR_LEAVES.last }), fc.integer({ min: 0, max: 0xff }), (leaf, sub) => {
    assert.equal(virtualCpuid(ctx(), leaf, sub).ve, true);
  }), { numRuns: numRuns() });
});

test('every leaf gets exactly one answer: #VE, or values; a leaf without a rule raises #VE', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 8 }), (leaf, sub) => {
    const a = virtualCpuid(ctx(), leaf, sub);
    const l = remappedLeaf(leaf);
    const ruled = l === 0x21 || CPUID_RULES.some((r) => r.leaf === l && (!r.subleaves || r.subleaves.includes(sub)) && (r.line ?? 1) === 1);
    if (!ruled) assert.equal(a.ve, true, `leaf ${leaf.toString(16)}`);
    if (!a.ve) for (const r of regs) assert.ok(a.regs[r] >= 0 && a.regs[r] <= 0xffffffff);
  }), { numRuns: numRuns() });
});

test('leaf 0x21 spells the TDX signature in EBX, EDX, ECX', () => {
  const a = virtualCpuid(ctx(), 0x21, 0);
  assert.equal(a.ve, false);
  if (a.ve) return;
  const s = (v: number) => Buffer.from([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]).toString('latin1');
  assert.equal(s(a.regs.ebx) + s(a.regs.edx) + s(a.regs.ecx), TDX_IDENT);
});

test('the VMM can clear configurable bits but never set one the CPU lacks; fixed-1 bits always show', () => {
  const leaves = [[0x1, -1], [0x7, 0], [0xd, 1]] as const;
  fc.assert(fc.property(fc.constantFrom(...leaves), fc.constantFrom(...regs), fc.integer({ min: 0, max: 0xffffffff }), ([leaf, sub], reg, value) => {
    const a = virtualCpuid(ctx({ vmm: [{ leaf, subleaf: sub, reg, value }] }), leaf, Math.max(sub, 0));
    assert.equal(a.ve, false);
    if (a.ve) return;
    const n = lookupNative(native, leaf, Math.max(sub, 0))[reg];
    const rule = CPUID_RULES.find((r) => r.leaf === leaf && (!r.subleaves || r.subleaves.includes(Math.max(sub, 0))))!;
    const f1 = rule.fixed1?.[reg] ?? 0;
    const cfg = configurableMask(build, leaf, Math.max(sub, 0), reg);
    const v = a.regs[reg];
    assert.equal((v & ~(n | f1)) >>> 0, 0, 'a bit the CPU lacks is set');
    assert.equal((v & f1) >>> 0, f1 >>> 0, 'a fixed-1 bit is clear');
    assert.equal((v & cfg & ~value & ~f1) >>> 0, 0, 'a bit the VMM cleared is set');
  }), { numRuns: numRuns() });
});

test('leaf 0x2 needs VIRT_CPUID2; leaves 0xB and 0x1F need ENUM_TOPOLOGY', () => {
  assert.equal(virtualCpuid(ctx(), 0x2, 0).ve, true);
  assert.equal(virtualCpuid(ctx({ tdCtls: tdCtlBit('VIRT_CPUID2') }), 0x2, 0).ve, false);
  assert.equal(virtualCpuid(ctx(), 0xb, 0).ve, true);
  assert.equal(virtualCpuid(ctx({ tdCtls: tdCtlBit('ENUM_TOPOLOGY') }), 0x1f, 0).ve, false);
});

test('a leaf above its range (outside the hypervisor range) is answered as the last basic leaf, 0x23', () => {
  const above = fc.oneof(fc.integer({ min: LAST_BASE_LEAF + 1, max: HYPERVISOR_LEAVES.first - 1 }), fc.integer({ min: HYPERVISOR_LEAVES.last + 1, max: 0x7fffffff }),
    fc.integer({ min: LAST_EXTENDED_LEAF + 1, max: 0xffffffff }));
  fc.assert(fc.property(above, fc.integer({ min: 0, max: 3 }), (leaf, sub) => {
    assert.deepEqual(virtualCpuid(ctx(), leaf, sub), virtualCpuid(ctx(), LAST_BASE_LEAF, sub));
  }), { numRuns: numRuns() });
});

test('leaf 0x6: #VE on module 1.5; module 2.0 answers it once REDUCE_VE is on', () => {
  const v2 = moduleBuild('2.0.08');
  assert.equal(virtualCpuid(ctx(), 0x6, 0).ve, true);
  assert.equal(virtualCpuid(ctx({ build: v2 }), 0x6, 0).ve, true);
  const a = virtualCpuid(ctx({ build: v2, tdCtls: tdCtlBit('REDUCE_VE') }), 0x6, 0);
  assert.equal(a.ve, false);
  if (!a.ve) assert.equal((a.regs.eax >>> 2) & 1, 1);
});
