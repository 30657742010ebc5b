/**
 * Given-steps: preconditions a scenario states. Each one becomes an Arrangement record; the
 * emulator makes it true, a real machine checks it against what it observed.
 */
import type { DataTable } from '@cucumber/cucumber';
import type { MemoryRegion } from '../../backends/port';
import type { Named } from '../../support/parameter-types';
import { Given } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';

const GiB = 1n << 30n;
const MiB = 1n << 20n;

function regionsFrom(table: DataTable, withNode: boolean): MemoryRegion[] {
  return table.hashes().map((r) => ({ base: BigInt(r.base), end: BigInt(r.end), node: withNode ? Number(r.node) : 0 }));
}

Given('a TDX host', function (this: TdxWorld) {
  this.arrange({ kind: 'tdx-host' });
});

Given('a TDX host whose BIOS announces {int} MKTME KeyIDs and {int} TDX KeyIDs', function (this: TdxWorld, mktme: number, tdx: number) {
  this.arrange({ kind: 'keyid-partitioning', mktmeKeyIds: mktme, tdxKeyIds: tdx });
  this.arrange({ kind: 'tdx-host', anyKeyIds: true });
});

Given('a TDX host whose BIOS loaded no TDX module', function (this: TdxWorld) {
  this.arrange({ kind: 'tdx-host', moduleLoaded: false });
});

Given('a platform whose BIOS announces no TDX KeyIDs', function (this: TdxWorld) {
  this.arrange({ kind: 'keyid-partitioning', mktmeKeyIds: 0, tdxKeyIds: 0 });
});

Given('a TDX host with hibernation available', function (this: TdxWorld) {
  this.arrange({ kind: 'tdx-host', hibernation: true });
});

Given('the kernel command line disables hibernation', function (this: TdxWorld) {
  this.arrange({ kind: 'hibernation-available', available: false });
});

Given('logical CPU {int} is offline when TDX is initialised', function (this: TdxWorld, cpu: number) {
  this.arrange({ kind: 'cpus-offline-before-init', cpus: [cpu] });
});

Given('the CPU lacks {word}', function (this: TdxWorld, feature: string) {
  this.arrange({ kind: 'cpu-feature', feature, present: false });
});

Given('a host with an Intel CPU', function (this: TdxWorld) {
  this.arrange({ kind: 'cpu-vendor', vendor: 'GenuineIntel' });
});

Given('the CPU is a {word}', function (this: TdxWorld, model: string) {
  this.arrange({ kind: 'cpu-model', model });
});

/** A feature bit of the module, by the number the feature file gives (the name is for the reader). */
Given(/^the TDX module's TDX_FEATURES0 (has|lacks) [A-Z0-9_]+ \(bit (\d+)\)$/, function (this: TdxWorld, has: string, bit: string) {
  this.arrange({ kind: 'module-feature', bit: Number(bit), present: has === 'has' });
});

Given(/^a TDX module that does not implement ([A-Z][A-Z0-9_]+)$/, function (this: TdxWorld, field: string) {
  this.arrange({ kind: 'module-lacks-field', field });
});

Given('a TDX module that implements TDH.SYS.DISABLE', function (this: TdxWorld) {
  this.arrange({ kind: 'module-leaf', leaf: 'TDH.SYS.DISABLE', present: true });
});

Given('a TDX module that does not implement TDH.SYS.DISABLE', function (this: TdxWorld) {
  this.arrange({ kind: 'module-leaf', leaf: 'TDH.SYS.DISABLE', present: false });
});

Given('the kernel leaves the TDX module untouched', function (this: TdxWorld) {
  this.arrange({ kind: 'module-untouched' });
});

Given('the memory map:', function (this: TdxWorld, table: DataTable) {
  this.arrange({ kind: 'memory-map', regions: regionsFrom(table, true) });
});

Given('the CMRs:', function (this: TdxWorld, table: DataTable) {
  this.arrange({ kind: 'cmrs', regions: regionsFrom(table, false) });
});

Given('a memory map of {int} regions of 512 MiB, each in its own 2 GiB and NUMA node', function (this: TdxWorld, n: number) {
  const regions: MemoryRegion[] = [];
  for (let i = 0; i < n; i++) {
    const base = BigInt(i) * 2n * GiB;
    regions.push({ base: i === 0 ? MiB : base, end: base + 512n * MiB, node: i });
  }
  this.arrange({ kind: 'memory-map', regions });
});

Given('a memory map of {int} regions of 1 MiB inside the first GiB, and 4 GiB from 4 GiB on', function (this: TdxWorld, n: number) {
  const regions: MemoryRegion[] = [];
  for (let i = 0; i < n; i++) {
    const base = BigInt(2 * i + 1) * MiB;
    regions.push({ base, end: base + MiB, node: 0 });
  }
  regions.push({ base: 4n * GiB, end: 8n * GiB, node: 0 });
  this.arrange({ kind: 'memory-map', regions });
});

Given('the TDX module finds no entropy the first {int} time(s) {leaf} is called', function (this: TdxWorld, times: number, leaf: string) {
  this.arrange({ kind: 'module-no-entropy', leaf, times });
});

Given('the TDX module answers {leaf} with {status}', function (this: TdxWorld, leaf: string, st: Named) {
  this.arrange({ kind: 'module-answers', leaf, status: st.value });
});

Given('the TDX module has {int} CPUID configurations', function (this: TdxWorld, count: number) {
  this.arrange({ kind: 'module-cpuid-configs', count });
});

Given('logical CPU {int} is not in VMX operation', function (this: TdxWorld, cpu: number) {
  this.arrange({ kind: 'cpu-vmx-off', cpu });
});

Given('SEAMCALL raises #GP on this platform', function (this: TdxWorld) {
  this.arrange({ kind: 'seamcall-gp' });
});
