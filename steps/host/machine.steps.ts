/** Hotplug, KeyIDs, sleep states, kexec and machine checks. */
import { expect } from 'chai';
import type { KexecOutcome } from '../../backends/host-facet';
import type { KernelResult } from '../../backends/port';
import type { ErrnoName } from '../../spec/abi/errno';
import { Given, Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { expectResult } from './init.steps';

const GiB = 1n << 30n;

// ---- KeyIDs

When('a TD KeyID is allocated', function (this: TdxWorld) {
  const r = this.observe(this.host().allocGuestKeyId());
  expectResult(r.result, null, 'TD KeyID allocation');
});

When('TD KeyIDs are allocated until none is left', function (this: TdxWorld) {
  const got: number[] = [];
  let lastResult: KernelResult = { ok: true };
  for (let i = 0; i < 4096; i++) {
    const r = this.observe(this.host().allocGuestKeyId());
    lastResult = r.result;
    if (!r.result.ok) break;
    got.push(r.keyId!);
  }
  this.remember('keyids', got);
  this.remember('request', lastResult);
});

Then(/^the TD KeyIDs handed out were ((?:\d+, )*\d+ and \d+)$/, function (this: TdxWorld, list: string) {
  const want = list.split(/, | and /).map(Number);
  expect(this.recall<number[]>('keyids', 'KeyIDs')).to.deep.equal(want);
});

Then('the last allocation failed with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expectResult(this.recall<KernelResult>('request', 'allocation'), errno, 'the last allocation');
});

// ---- TD KeyIDs in use (the misc cgroup's "tdx" resource on a real machine)

Given('the TD KeyIDs in use are counted', function (this: TdxWorld) {
  this.remember('keyids-counted', this.observe(this.host().tdKeyIds()).inUse);
});

Then(/^(\d+) more TD KeyIDs? (?:is|are) in use than counted$/, function (this: TdxWorld, more: string) {
  const before = this.recall<number>('keyids-counted', 'count of TD KeyIDs in use');
  expect(this.observe(this.host().tdKeyIds()).inUse - before).to.equal(Number(more));
});

Then('the kernel offers TDs one KeyID fewer than the private KeyID range in the kernel log holds', function (this: TdxWorld) {
  const e = this.observe(this.host().log()).events.filter((x) => x.id === 'keyid-range').pop();
  if (!e) throw new SkipSignal('cannot-observe', 'the kernel log has no private KeyID range line');
  const [start, end] = e.values.map((v) => Number(v as bigint));
  expect(this.observe(this.host().tdKeyIds()).capacity, e.text).to.equal(end - start - 1);
});

// ---- memory hotplug

function tdxRegions(w: TdxWorld) {
  const m = w.observe(w.host().tdxMemory());
  return m.length ? m : w.target.description.platform.memory ?? [];
}

When('memory just above the highest TDX memory region is hot-added', function (this: TdxWorld) {
  const regions = tdxRegions(this);
  const top = regions[regions.length - 1].end;
  const base = ((top + GiB - 1n) / GiB) * GiB + GiB;
  this.remember('online', this.observe(this.host().onlineMemory(base, base + GiB)));
});

When('memory inside the first TDX memory region above 4 GiB is onlined', function (this: TdxWorld) {
  const r = tdxRegions(this).find((x) => x.base >= 4n * GiB);
  if (!r) throw new Error('no TDX memory above 4 GiB on this platform');
  const base = r.base;
  const size = 128n << 20n;
  this.remember('online', this.observe(this.host().onlineMemory(base, base + size)));
});

/** 128 MiB of memory placed against an edge of the first TDX memory region above 4 GiB. */
When(/^128 MiB of memory (ending|starting) (\d+) MiB (past the end|before the start) of the first TDX memory region above 4 GiB is onlined$/,
  function (this: TdxWorld, side: string, by: string, edge: string) {
    const r = tdxRegions(this).find((x) => x.base >= 4n * GiB);
    if (!r) throw new Error('no TDX memory above 4 GiB on this platform');
    const size = 128n << 20n;
    const shift = BigInt(by) << 20n;
    if ((side === 'ending') !== (edge === 'past the end')) throw new Error('say "ending ... past the end" or "starting ... before the start"');
    const base = side === 'ending' ? r.end + shift - size : r.base - shift;
    this.remember('online', this.observe(this.host().onlineMemory(base, base + size)));
  });

Then(/^onlining the memory is (accepted|refused)$/, function (this: TdxWorld, what: string) {
  expect(this.recall<{ accepted: boolean }>('online', 'memory online').accepted).to.equal(what === 'accepted');
});

// ---- CPU hotplug

function cpusOfPackage(w: TdxWorld, pkg: number): number[] {
  const t = w.observe(w.host().topology());
  return Array.from({ length: t.cpus }, (_, i) => i).filter((c) => t.packageOf(c) === pkg);
}

When('every CPU of package {int} but its last goes offline', function (this: TdxWorld, pkg: number) {
  const cpus = cpusOfPackage(this, pkg);
  for (const c of cpus.slice(0, -1)) expectResult(this.observe(this.host().cpuOffline(c)), null, `offlining CPU ${c}`);
});

When('the last online CPU of package {int} is asked to go offline', function (this: TdxWorld, pkg: number) {
  const cpus = cpusOfPackage(this, pkg);
  this.remember('request', this.observe(this.host().cpuOffline(cpus[cpus.length - 1])));
});

When('logical CPU {int} goes offline', function (this: TdxWorld, cpu: number) {
  expectResult(this.observe(this.host().cpuOffline(cpu)), null, `offlining CPU ${cpu}`);
});

When('logical CPU {int} comes back online', function (this: TdxWorld, cpu: number) {
  this.remember('request', this.observe(this.host().cpuOnline(cpu)));
});

Then('logical CPU {int} is online with TDX enabled', function (this: TdxWorld, cpu: number) {
  const s = this.observe(this.host().cpuState(cpu));
  expect({ online: s.online, tdxEnabled: s.tdxEnabled }).to.deep.equal({ online: true, tdxEnabled: true });
});

// ---- sleep states

When(/^the system is asked to enter the (mem|disk) sleep state$/, function (this: TdxWorld, state: 'mem' | 'disk') {
  this.remember('request', this.observe(this.host().suspend(state)));
});

Then('the sleep states offered do not include {word}', function (this: TdxWorld, state: string) {
  expect(this.observe(this.host().sleepStates())).to.not.include(state);
});

Then('the sleep states offered include {word} and {word}', function (this: TdxWorld, a: string, b: string) {
  expect(this.observe(this.host().sleepStates())).to.include.members([a, b]);
});

Given(/^"mem" means (deep|s2idle)$/, function (this: TdxWorld, mode: 'deep' | 's2idle') {
  this.arrange({ kind: 'mem-sleep', mode });
});

// ---- kexec

When('the kernel is asked to kexec into a new kernel', function (this: TdxWorld) {
  this.remember('kexec', this.observe(this.host().kexec()));
});

const kexecRun = (w: TdxWorld) => w.recall<KexecOutcome>('kexec', 'kexec');

Then('loading the new kernel fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expectResult(kexecRun(this).load, errno, 'loading the kexec image');
});

Then('loading the new kernel succeeds', function (this: TdxWorld) {
  expectResult(kexecRun(this).load, null, 'loading the kexec image');
});

Then('TDX initialisation in the new kernel fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  const r = kexecRun(this).newKernelInit;
  expect(r, 'the new kernel did not start').to.not.equal(undefined);
  expectResult(r!, errno, 'TDX initialisation in the new kernel');
});

Then('TDX initialisation in the new kernel succeeds', function (this: TdxWorld) {
  const r = kexecRun(this).newKernelInit;
  expect(r, 'the new kernel did not start').to.not.equal(undefined);
  expectResult(r!, null, 'TDX initialisation in the new kernel');
});

Then("every CPU's cache was flushed before the jump", function (this: TdxWorld) {
  expect(kexecRun(this).cachesFlushed).to.equal(true);
});

// ---- machine checks

When(/^a (fatal|recoverable) memory machine check hits a PAMT page$/, function (this: TdxWorld, kind: string) {
  const pa = this.observe(this.host().privatePage());
  this.remember('mce', this.observe(this.host().machineCheck(pa + 0x40n, kind === 'fatal')));
});

When(/^a (fatal|recoverable) memory machine check hits the last byte of the first TDMR's PAMT$/, function (this: TdxWorld, kind: string) {
  const [t] = this.observe(this.host().tdmrs()).tdmrs;
  if (!t) throw new SkipSignal('cannot-observe', 'the host shows no TDMR');
  // The kernel allocates one block: the 4K, then the 2M, then the 1G PAMT.
  const end = t.pamt.base1g + t.pamt.size1g;
  this.remember('mce', this.observe(this.host().machineCheck(end - 1n, kind === 'fatal')));
});

When(/^a (fatal|recoverable) memory machine check hits the first TDMR's first reserved page, which is no PAMT page$/, function (this: TdxWorld, kind: string) {
  const report = this.observe(this.host().tdmrs());
  const [t] = report.tdmrs;
  const r = t?.reserved[0];
  if (!t || !r) throw new SkipSignal('cannot-observe', 'the host shows no TDMR with a reserved area');
  const pa = t.base + r.offset;
  const inPamt = report.tdmrs.some((x) => pa >= x.pamt.base4k && pa < x.pamt.base1g + x.pamt.size1g);
  if (inPamt) throw new Error("the first TDMR's first reserved area holds a PAMT here; this scenario needs one that does not");
  this.remember('mce', this.observe(this.host().machineCheck(pa, kind === 'fatal')));
});

When(/^a (fatal|recoverable) memory machine check hits ordinary kernel memory$/, function (this: TdxWorld, kind: string) {
  const regions = tdxRegions(this);
  this.remember('mce', this.observe(this.host().machineCheck(regions[0].base + 0x1000n, kind === 'fatal')));
});

Then('the machine check report says {}', function (this: TdxWorld, text: string) {
  expect(this.recall<{ message: string | null }>('mce', 'machine check').message).to.equal(text);
});

Then('the machine check report has no TDX line', function (this: TdxWorld) {
  expect(this.recall<{ message: string | null }>('mce', 'machine check').message).to.equal(null);
});
