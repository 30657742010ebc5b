/**
 * What the host kernel log says. The wording a scenario expects is written in its feature file
 * (per era where it changed) and matched against the log's own lines (steps/common/log-lines.ts);
 * the backends' parsed events serve only to find a line whose numbers a step compares with
 * another observation.
 */
import { expect } from 'chai';
import type { MessageId } from '../../spec/kernel/printk';
import type { KexecOutcome, KernelLog, LogEvent } from '../../backends/host-facet';
import { eventsWithId, lastEvent } from '../common/log-events';
import { lineIs, messageText, saying } from '../common/log-lines';
import { Then } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
function events(w: TdxWorld): LogEvent[] {
  return w.observe(w.host().log()).events;
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

/** The kernel log, and the index of the last line the predicate accepts (-1: none). */
function lastLine(w: TdxWorld, accept: (raw: string) => boolean): { log: KernelLog; at: number } {
  const log = w.observe(w.host().log());
  for (let i = log.lines.length - 1; i >= 0; i--) if (accept(log.lines[i])) return { log, at: i };
  return { log, at: -1 };
}

/** A line the feature's wording describes must be there; a log that may be an excerpt cannot show it is missing. */
function expectLine(w: TdxWorld, accept: (raw: string) => boolean, what: string): number {
  const { log, at } = lastLine(w, accept);
  if (at < 0 && !log.complete) {
    throw new SkipSignal('cannot-observe', `the kernel log has no line ${what}, but it is not the whole log (an excerpt, or cut), so its absence proves nothing`);
  }
  expect(at, `no line ${what} in the kernel log`).to.be.at.least(0);
  w.remember('log-line', at);
  return at;
}

/** No line the predicate accepts, in a log known to be whole. */
function expectNoLine(w: TdxWorld, accept: (raw: string) => boolean, what: string): void {
  const log = w.observe(w.host().log());
  if (!log.complete) throw new SkipSignal('cannot-observe', `the kernel log is cut, so the absence of a line ${what} cannot be concluded`);
  expect(log.lines.filter(accept).map(messageText), `lines ${what}`).to.deep.equal([]);
}

Then('the kernel log says {string}', function (this: TdxWorld, wording: string) {
  expectLine(this, saying(wording), `saying "${wording}"`);
});

Then('the kernel log does not say {string}', function (this: TdxWorld, wording: string) {
  expectNoLine(this, saying(wording), `saying "${wording}"`);
});

Then('the kernel log has the line {string}', function (this: TdxWorld, text: string) {
  expectLine(this, lineIs(text), `"${text}"`);
});

Then('the kernel log has no line beginning {string}', function (this: TdxWorld, prefix: string) {
  expectNoLine(this, (raw) => messageText(raw).startsWith(prefix), `beginning "${prefix}"`);
});

Then('every kernel log line beginning {string} says {string}', function (this: TdxWorld, prefix: string, wording: string) {
  const says = saying(wording);
  expectNoLine(this, (raw) => messageText(raw).startsWith(prefix) && !says(raw), `beginning "${prefix}" that do not say "${wording}"`);
});

Then('the kernel log says {string} or {string}', function (this: TdxWorld, a: string, b: string) {
  const sa = saying(a);
  const sb = saying(b);
  expectLine(this, (raw) => sa(raw) || sb(raw), `saying "${a}" or "${b}"`);
});

Then('the kernel log says {string} before it says {string}', function (this: TdxWorld, first: string, second: string) {
  const a = expectLine(this, saying(first), `saying "${first}"`);
  const log = this.observe(this.host().log());
  const later = saying(second);
  const b = log.lines.findIndex(later);
  expect(b, `no line saying "${second}"`).to.be.at.least(0);
  expect(log.lines.slice(0, a).filter(later).map(messageText), `lines saying "${second}" before "${messageText(log.lines[a])}"`).to.deep.equal([]);
});

/** The lines right after the line the last step found, one wording per line. */
Then('the lines that follow it say:', function (this: TdxWorld, table: { raw(): string[][] }) {
  const at = this.recall<number>('log-line', 'a kernel log line');
  const lines = this.observe(this.host().log()).lines;
  const wordings = table.raw().map((r) => r[0]);
  const seen = wordings.map((_, i) => lines[at + 1 + i]);
  wordings.forEach((wd, i) => expect(seen[i] !== undefined && saying(wd)(seen[i]), `line ${i + 1} after it: ${seen[i] === undefined ? 'none' : messageText(seen[i])}`).to.equal(true));
});

Then('the line that follows it does not say {string}', function (this: TdxWorld, wording: string) {
  const at = this.recall<number>('log-line', 'a kernel log line');
  const next = this.observe(this.host().log()).lines[at + 1];
  expect(next !== undefined && saying(wording)(next), `the line after it: ${next === undefined ? 'none' : messageText(next)}`).to.equal(false);
});

Then('the old kernel logged {string}', function (this: TdxWorld, wording: string) {
  const run = this.recall<KexecOutcome>('kexec', 'kexec');
  const lines = run.shutdownLog?.lines ?? [];
  expect(lines.some(saying(wording)), `shutdown log: ${lines.map(messageText).join(' | ')}`).to.equal(true);
});

Then('the old kernel did not log {string}', function (this: TdxWorld, wording: string) {
  const run = this.recall<KexecOutcome>('kexec', 'kexec');
  if (!run.shutdownLog?.complete) throw new SkipSignal('cannot-observe', 'the old kernel\'s log up to the jump is not known whole, so a line missing from it proves nothing');
  expect(run.shutdownLog.lines.filter(saying(wording)).map(messageText), 'shutdown log lines').to.deep.equal([]);
});

/** The PAMT total by the parsed line, whatever its era's wording (host.init.success states the wording). */
Then('the kernel log says the PAMT takes {int} KB', function (this: TdxWorld, kb: number) {
  const e = one(this, 'pamt-allocated');
  expect(Number(arg(e, 0)), e.text).to.equal(kb);
});

Then('the KeyID range in the kernel log matches the KeyID partitioning MSR', function (this: TdxWorld) {
  const msr = this.observe(this.host().rdmsr(0, 0x87));
  if (msr.gp || msr.value === undefined) throw new SkipSignal('cannot-observe', 'MSR 0x87 faulted on this machine');
  const mktme = Number(msr.value & 0xffffffffn);
  const tdx = Number(msr.value >> 32n);
  const e = one(this, 'keyid-range');
  expect(args(e).map(Number), e.text).to.deep.equal([mktme + 1, mktme + 1 + tdx]);
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

