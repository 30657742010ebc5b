/** What the host kernel log says. Messages are matched by catalogue id, whatever the dialect. */
import { expect } from 'chai';
import { ERRNO, type ErrnoName } from '../../spec/abi/errno';
import { leaf as leafNamed, leafByNumber } from '../../spec/encodings/seamcall';
import { status as statusValue, statusName } from '../../spec/abi/status';
import { flavour, isFlavourName } from '../../spec/kernel/flavours';
import { variantFor } from '../../spec/kernel/dialects';
import type { MessageId } from '../../spec/kernel/printk';
import type { KexecOutcome, LogEvent } from '../../backends/host-facet';
import { eventsWithId, lastEvent } from '../common/log-events';
import { Then } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';

function events(w: TdxWorld): LogEvent[] {
  return w.observe(w.host().log()).events;
}

/** Events of a log known to be whole: absence can only be concluded from those. */
function wholeLogEvents(w: TdxWorld): LogEvent[] {
  const log = w.observe(w.host().log());
  if (!log.complete) throw new SkipSignal('cannot-observe', 'the kernel log is cut, so the absence of a message cannot be concluded');
  return log.events;
}

const eventsOf = (w: TdxWorld, id: MessageId): LogEvent[] => eventsWithId(events(w), id);

/** The last line of a message; a log that may be an excerpt without it cannot show that it is missing. */
function one(w: TdxWorld, id: MessageId): LogEvent {
  const log = w.observe(w.host().log());
  if (!log.complete && eventsWithId(log.events, id).length === 0) {
    throw new SkipSignal('cannot-observe', `the kernel log has no "${id}" message, but it is not the whole log (an excerpt, or cut), so its absence proves nothing`);
  }
  return lastEvent(log.events, id, 'kernel log');
}

/** Numeric value of argument `i` of an event (hex or decimal as the message prints it). */
function arg(e: LogEvent, i: number): bigint {
  const v = e.values[i];
  if (typeof v !== 'bigint') throw new Error(`argument ${i} of "${e.text}" is not a number`);
  return v;
}

const args = (e: LogEvent): bigint[] => e.values.map((_, i) => arg(e, i));

Then(/^the kernel log reports the private KeyID range \[(\d+), (\d+)\)$/, function (this: TdxWorld, start: string, end: string) {
  const e = one(this, 'keyid-range');
  expect(args(e), e.text).to.deep.equal([BigInt(start), BigInt(end)]);
});

Then('the KeyID range in the kernel log matches the KeyID partitioning MSR', function (this: TdxWorld) {
  const msr = this.observe(this.host().rdmsr(0, 0x87));
  if (msr.gp || msr.value === undefined) throw new SkipSignal('cannot-observe', 'MSR 0x87 faulted on this machine');
  const mktme = Number(msr.value & 0xffffffffn);
  const tdx = Number(msr.value >> 32n);
  const e = one(this, 'keyid-range');
  expect(args(e).map(Number), e.text).to.deep.equal([mktme + 1, mktme + 1 + tdx]);
});

Then('the kernel log has no private KeyID range line', function (this: TdxWorld) {
  expect(wholeLogEvents(this).filter((e) => e.id === 'keyid-range').map((e) => e.text)).to.deep.equal([]);
});

Then('the kernel log says {logmsg}', function (this: TdxWorld, id: MessageId) {
  one(this, id);
});

Then('the kernel log does not say {logmsg}', function (this: TdxWorld, id: MessageId) {
  expect(wholeLogEvents(this).filter((e) => e.id === id).map((e) => e.text)).to.deep.equal([]);
});

Then('the kernel log says how initialising the module ended', function (this: TdxWorld) {
  const log = this.observe(this.host().log());
  const ended = log.events.filter((e) => e.id === 'init-done' || e.id === 'init-failed');
  if (!ended.length && !log.complete) throw new SkipSignal('cannot-observe', 'the kernel log has no line on how initialisation ended, but it is not the whole log');
  expect(ended.map((e) => e.text), 'a "module initialized" or "initialization failed" line').to.have.length.greaterThan(0);
});

Then('the kernel log contains the line {string}', function (this: TdxWorld, text: string) {
  const bodies = events(this).map((e) => e.text.slice(e.prefix.length));
  expect(bodies).to.include(text);
});

Then('the kernel log says initialisation failed with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  const e = one(this, 'init-failed');
  expect(Number(arg(e, 0)), e.text).to.equal(-ERRNO[errno]);
});

Then('the kernel log says {leaf} failed with {status}', function (this: TdxWorld, leaf: string, status: string) {
  const e = one(this, 'seamcall-failed');
  const n = Number(arg(e, 0));
  expect(leafByNumber(n)?.name ?? `leaf ${n}`, e.text).to.equal(leafNamed(leaf).name);
  expect(statusName(arg(e, 1)), e.text).to.equal(status);
});

Then('the old kernel logged that disabling the module failed with {status}', function (this: TdxWorld, status: string) {
  const run = this.recall<KexecOutcome>('kexec', 'kexec');
  const e = run.shutdownLog?.events.find((x) => x.id === 'sys-disable-failed');
  expect(e, `shutdown log: ${(run.shutdownLog?.lines ?? []).join(' | ')}`).to.not.equal(undefined);
  expect(arg(e!, 0), e!.text).to.equal(statusValue(status));
});

Then('the kernel log shows SEAMCALL {hex} failing with status {hex}', function (this: TdxWorld, leaf: bigint, status: bigint) {
  const e = one(this, 'seamcall-failed');
  expect(args(e), e.text).to.deep.equal([leaf, status]);
  this.remember('failure-line', e.line);
});

function linesAfterFailure(w: TdxWorld): LogEvent[] {
  const line = w.recall<number>('failure-line', 'SEAMCALL failure line');
  return events(w).filter((e) => e.line === line + 1 || e.line === line + 2);
}

Then('the failure line is followed by the RCX..R11 register dump', function (this: TdxWorld) {
  expect(linesAfterFailure(this).map((e) => e.id)).to.deep.equal(['seamcall-regs-1', 'seamcall-regs-2']);
});

Then('the failure line is not followed by a register dump', function (this: TdxWorld) {
  expect(linesAfterFailure(this).map((e) => e.id)).to.not.include('seamcall-regs-1');
});

/** The module the target knows from elsewhere than the kernel log (a scenario checking the log against itself proves nothing). */
function targetModule(w: TdxWorld) {
  const m = w.target.description.module;
  if (!m) throw new SkipSignal('cannot-observe', 'the target does not know its module version');
  if (m.source === 'kernel-log' || m.atLeast) {
    throw new SkipSignal('cannot-observe', 'the module version is known only from the kernel log itself (no sysfs node shows it), so the log cannot be checked against it');
  }
  return m;
}

Then('the module information line names vendor_id {hex}', function (this: TdxWorld, vendor: bigint) {
  const e = one(this, 'module-info');
  if (e.variant !== 'attributes') throw new SkipSignal('not-applicable', `this kernel's module line (${e.variant}) has no vendor_id`);
  expect(arg(e, 1), e.text).to.equal(vendor);
});

Then(/^the (?:module information|module version) line comes before the (CMR and )?PAMT lines?$/, function (this: TdxWorld, cmr?: string) {
  const all = events(this);
  const info = all.find((x) => x.id === 'module-info');
  const later = all.filter((x) => x.id === 'pamt-allocated' || (cmr && x.id === 'cmr'));
  expect(info, 'no module information line').to.not.equal(undefined);
  expect(later.length, 'no PAMT line').to.be.greaterThan(0);
  expect(later.filter((x) => x.line < info!.line).map((x) => x.text), `lines before "${info!.text}"`).to.deep.equal([]);
});

Then('the kernel log reports the module version of the target as major.minor.update', function (this: TdxWorld) {
  const m = targetModule(this);
  const e = one(this, 'module-info');
  expect(e.variant, e.text).to.equal('version');
  expect(args(e).map(Number), e.text).to.deep.equal([m.major, m.minor, m.update]);
});

Then("the module information line reports the target's module version and build", function (this: TdxWorld) {
  const m = targetModule(this);
  const e = one(this, 'module-info');
  const v = args(e).map(Number);
  if (e.variant === 'attributes') {
    const [, vendor, major, minor, date, build] = v;
    expect([vendor, major, minor, date, build], e.text).to.deep.equal([0x8086, m.major, m.minor, m.buildDate, m.build]);
  } else if (e.variant === 'build') {
    const [major, minor, update, , build, date] = v;
    expect([major, minor, update, build, date], e.text).to.deep.equal([m.major, m.minor, m.update, m.build, m.buildDate]);
  } else {
    expect.fail(`unexpected module information wording: ${e.text}`);
  }
});

Then('the kernel log lists the CMRs of the platform', function (this: TdxWorld) {
  const cmrs = this.target.description.platform.cmrs;
  if (!cmrs) throw new SkipSignal('cannot-observe', 'the target does not know its CMRs');
  const logged = eventsOf(this, 'cmr').map(args);
  expect(logged).to.deep.equal(cmrs.map((c) => [c.base, c.end]));
});

Then('the kernel log says the PAMT takes {int} KB', function (this: TdxWorld, kb: number) {
  const e = one(this, 'pamt-allocated');
  expect(Number(arg(e, 0)), e.text).to.equal(kb);
});

Then('the kernel log warns that {int} of {int} TDMRs are used', function (this: TdxWorld, used: number, max: number) {
  const e = one(this, 'tdmrs-near-limit');
  expect(args(e).map(Number), e.text).to.deep.equal([used, max]);
});

Then(/^the kernel log says the reserved areas of TDMR \[(0x[0-9a-f]+), (0x[0-9a-f]+)\) are exhausted$/, function (this: TdxWorld, base: string, end: string) {
  const e = one(this, 'reserved-areas-exhausted');
  expect(args(e), e.text).to.deep.equal([BigInt(base), BigInt(end)]);
});

Then('every TDX message in the kernel log is worded as this kernel words it', function (this: TdxWorld) {
  const name = this.target.description.kernel.flavour;
  if (!name || !isFlavourName(name)) throw new SkipSignal('cannot-observe', 'kernel flavour unknown, so its wording is unknown');
  const f = flavour(name);
  const all = events(this);
  expect(all.length, 'no TDX messages in the log').to.be.greaterThan(0);
  const wrong = all.filter((e) => e.variant !== variantFor(f, e.id)).map((e) => `${e.text} (${e.variant}, expected ${variantFor(f, e.id)})`);
  expect(wrong, `messages not in the wording of ${name}`).to.deep.equal([]);
});
