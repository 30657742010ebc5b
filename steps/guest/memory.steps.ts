/** Guest memory: private and shared accesses, MMIO, and private<->shared conversion. */
import { expect } from 'chai';
import type { ConversionOutcome, MemoryAccess } from '../../backends/guest-facet';
import { Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { guest, hex, lastRequest, moduleReaction, rememberRequest, tdvmcallsOf } from './guest-world';

const who = (s: string): 'kernel' | 'user' => (s === 'a user-space task' ? 'user' : 'kernel');

function sharedBit(w: TdxWorld): bigint {
  return w.observe(guest(w).describe()).sharedBit;
}

When(/^(the guest kernel|a user-space task) (reads|writes) (\d+) bytes? (?:of|to) (private|shared) memory at (0x[0-9a-fA-F]+)$/,
  function (this: TdxWorld, actor: string, verb: string, size: string, kind: string, gpa: string) {
    const a: MemoryAccess = {
      gpa: BigInt(gpa), shared: kind === 'shared', access: verb === 'reads' ? 'read' : 'write', size: Number(size) as 4, mode: who(actor),
      ...(verb === 'writes' ? { value: 0x5a5a5a5an } : {}),
    };
    rememberRequest(this, this.observe(guest(this).access(0, a)));
  });

When('the guest kernel executes the MMIO instruction {insnbytes} at {hex}', function (this: TdxWorld, bytes: number[], gpa: bigint) {
  const g = guest(this);
  const shared = gpa | sharedBit(this);
  rememberRequest(this, this.observe(g.execute(0, { mnemonic: 'MOV', bytes, gpa: shared, regs: { rdi: shared } })));
});

When('the guest kernel executes the MMIO instruction {insnbytes} at {hex} with RAX = {hex}', function (this: TdxWorld, bytes: number[], gpa: bigint, rax: bigint) {
  const g = guest(this);
  const shared = gpa | sharedBit(this);
  rememberRequest(this, this.observe(g.execute(0, { mnemonic: 'MOV', bytes, gpa: shared, regs: { rdi: shared, rax } })));
});

Then('the access just worked', function (this: TdxWorld) {
  const m = moduleReaction(this);
  expect(m.kind, JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? hex(v) : v))).to.equal('native');
  expect(lastRequest(this).guest?.kind).to.equal('none');
});

Then('the access left the TD for the VMM without a #VE', function (this: TdxWorld) {
  expect(moduleReaction(this).kind).to.equal('td-exit');
});

Then('the #VE reports GPA {hex} with the shared bit set', function (this: TdxWorld, gpa: bigint) {
  const m = moduleReaction(this);
  expect(m.kind).to.equal('ve');
  if (m.kind === 've') expect(hex(m.gpa ?? 0n)).to.equal(hex(gpa | sharedBit(this)));
});

Then('the MMIO request was for {hex} with the shared bit set', function (this: TdxWorld, gpa: bigint) {
  const calls = tdvmcallsOf(this, '#VE.RequestMMIO');
  expect(calls.map((c) => hex(c.in.r14 ?? 0n))).to.deep.equal([hex(gpa | sharedBit(this))]);
});

// --- conversion ---------------------------------------------------------------------------------

const CONVERSION = 'guest.conversion';

When('the guest converts {int} page(s) at {hex} to {word}', function (this: TdxWorld, pages: number, gpa: bigint, to: string) {
  if (to !== 'shared' && to !== 'private') throw new Error(`convert to shared or private, not ${to}`);
  const c = this.observe(guest(this).convert(gpa, pages, to));
  this.remember(CONVERSION, c);
  rememberRequest(this, { tdvmcalls: c.tdvmcalls });
});

function conversion(w: TdxWorld): ConversionOutcome {
  return w.recall<ConversionOutcome>(CONVERSION, 'conversion');
}

Then('the conversion succeeded', function (this: TdxWorld) {
  expect(conversion(this).result).to.deep.equal({ ok: true });
});

Then('the conversion failed', function (this: TdxWorld) {
  expect(conversion(this).result.ok).to.equal(false);
});

Then('the guest asked the VMM with MapGPA {int} time(s)', function (this: TdxWorld, n: number) {
  expect(tdvmcallsOf(this, 'MapGPA')).to.have.length(n);
});

Then(/^the guest asked the VMM with MapGPA for (0x[0-9a-fA-F]+) (with|without) the shared bit(?: set)? and (0x[0-9a-fA-F]+) bytes$/,
  function (this: TdxWorld, gpa: string, withBit: string, len: string) {
    const calls = tdvmcallsOf(this, 'MapGPA');
    const start = BigInt(gpa) | (withBit === 'with' ? sharedBit(this) : 0n);
    expect(calls.map((c) => [hex(c.in.r12 ?? 0n), hex(c.in.r13 ?? 0n)])).to.deep.equal([[hex(start), hex(BigInt(len))]]);
  });

Then('the guest asked the VMM with MapGPA for {hex} with bit {int} set', function (this: TdxWorld, gpa: bigint, bit: number) {
  const calls = tdvmcallsOf(this, 'MapGPA');
  expect(calls.map((c) => hex(c.in.r12 ?? 0n))).to.deep.equal([hex(gpa | (1n << BigInt(bit)))]);
});

Then(/^MapGPA call (\d+) started at (0x[0-9a-fA-F]+) with the shared bit set$/, function (this: TdxWorld, n: string, gpa: string) {
  const calls = tdvmcallsOf(this, 'MapGPA');
  expect(calls.length).to.be.greaterThanOrEqual(Number(n));
  expect(hex(calls[Number(n) - 1].in.r12 ?? 0n)).to.equal(hex(BigInt(gpa) | sharedBit(this)));
});

/** TDG.MEM.PAGE.ACCEPT takes the page's address in RCX[51:12] and its size level in RCX[2:0]. */
const accepted = (rcx: bigint | undefined): string => `${hex((rcx ?? 0n) & ~0xfffn)} level ${Number((rcx ?? 0n) & 7n)}`;

Then('the guest accepted {int} page(s) from {hex} with TDG.MEM.PAGE.ACCEPT at 4 KiB \\(level {int})', function (this: TdxWorld, pages: number, gpa: bigint, level: number) {
  const ok = conversion(this).tdcalls.filter((c) => c.leaf === 'TDG.MEM.PAGE.ACCEPT' && c.status === 0n);
  const want = Array.from({ length: pages }, (_, i) => `${hex(gpa + BigInt(i) * 4096n)} level ${level}`);
  expect(ok.map((c) => accepted(c.in.rcx))).to.deep.equal(want);
});

Then('the first TDG.MEM.PAGE.ACCEPT asked for a {word} page \\(level {int}) at {hex}', function (this: TdxWorld, _size: string, level: number, gpa: bigint) {
  const first = conversion(this).tdcalls.find((c) => c.leaf === 'TDG.MEM.PAGE.ACCEPT');
  expect(first, 'no TDG.MEM.PAGE.ACCEPT').to.not.equal(undefined);
  expect(accepted(first!.in.rcx)).to.equal(`${hex(gpa)} level ${level}`);
});

Then('the guest made no TDG.MEM.PAGE.ACCEPT', function (this: TdxWorld) {
  expect(conversion(this).tdcalls.filter((c) => c.leaf === 'TDG.MEM.PAGE.ACCEPT')).to.deep.equal([]);
});

Then(/^the page at (0x[0-9a-fA-F]+) (is|is no longer) accepted private memory$/, function (this: TdxWorld, gpa: string, is: string) {
  expect(this.observe(guest(this).pageAccepted(BigInt(gpa)))).to.equal(is === 'is');
});

Then('every TDCALL of the conversion was {word} with RAX = {hex}', function (this: TdxWorld, leaf: string, rax: bigint) {
  const calls = conversion(this).tdcalls;
  expect(calls.length, 'no TDCALL').to.be.greaterThan(0);
  expect([...new Set(calls.map((c) => `${c.leaf} RAX = ${hex(c.rax)}`))]).to.deep.equal([`${leaf} RAX = ${hex(rax)}`]);
});
