/** The guest's boot: detection, its log, and the configuration the TD reports. */
import { expect } from 'chai';
import type { TdDescription } from '../../backends/guest-facet';
import type { LogEvent } from '../../backends/host-facet';
import { decodeFatalErrorMessage } from '../../spec/abi/tdvmcall';
import { tdCtlBit, TD_ATTRIBUTES, TD_CTLS, type TdAttribute, type TdCtl } from '../../spec/abi/tdcall';
import { TDX_CMD_GET_REPORT0 } from '../../spec/uapi/tdx-guest';
import { flavour, isFlavourName } from '../../spec/kernel/flavours';
import { wordingOf } from '../../spec/kernel/dialects';
import type { MessageId } from '../../spec/kernel/printk';
import { eventsWithId, lastEvent } from '../common/log-events';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { guest, hex, LAST, lastRequest } from './guest-world';

function describeTd(w: TdxWorld): TdDescription {
  const d = w.observe(guest(w).describe());
  w.evidence('TD description', d);
  return d;
}

function guestEvents(w: TdxWorld): LogEvent[] {
  return w.observe(guest(w).log()).events;
}

const eventsOf = (w: TdxWorld, id: MessageId): LogEvent[] => eventsWithId(guestEvents(w), id);

/** The last message with this id; where the log may lack lines (a capture cut short), a missing one is a skip. */
function one(w: TdxWorld, id: MessageId): LogEvent {
  const log = w.observe(guest(w).log());
  if (!log.complete && eventsWithId(log.events, id).length === 0) {
    throw new SkipSignal('cannot-observe', `the guest log has no "${id}" message, but it is not the whole boot log, so that proves nothing`);
  }
  return lastEvent(log.events, id, 'guest log');
}

When('the guest kernel boots', function (this: TdxWorld) {
  // The TD boots when first looked at; the Then-steps say how that went.
  this.remember('guest.boot', this.observe(guest(this).bootOutcome()));
});

When('the guest kernel has booted', function (this: TdxWorld) {
  // A TD seen from inside has booted; an arranged TD that cannot boot does not meet the scenario's premise.
  const b = this.remember('guest.boot', this.observe(guest(this).bootOutcome()));
  if (!b.ok) throw new SkipSignal('precondition-unmet', `the guest kernel did not boot: ${b.panic}`);
});

Then('the guest kernel booted', function (this: TdxWorld) {
  const b = this.observe(guest(this).bootOutcome());
  expect(b, JSON.stringify(b)).to.deep.equal({ ok: true });
});

Then('the guest kernel stopped at boot reporting {string}', function (this: TdxWorld, message: string) {
  const b = describeTd(this).boot;
  expect(b.ok, 'the guest kernel booted').to.equal(false);
  if (!b.ok) expect(b.panic).to.equal(message);
});

Then('the VMM received that message through TDVMCALL<ReportFatalError>', function (this: TdxWorld) {
  const b = describeTd(this).boot;
  if (b.ok) expect.fail('the guest kernel booted');
  else {
    if (!b.fatalReport) throw new SkipSignal('cannot-observe', 'the target does not see the TDVMCALLs of the guest kernel');
    expect(b.fatalReport.in.r12 ?? 0n, 'R12 (error code 0: panic)').to.equal(0n);
    expect(decodeFatalErrorMessage(b.fatalReport.in)).to.equal(b.panic);
  }
});

Then('the guest CPU flags {has} {word}', function (this: TdxWorld, has: boolean, flag: string) {
  const flags = this.observe(guest(this).cpuFlags());
  if (has) expect(flags).to.include(flag);
  else expect(flags).to.not.include(flag);
});

Then('\\/dev\\/tdx_guest exists in the guest', function (this: TdxWorld) {
  expect(this.observe(guest(this).tdxGuestDevice())).to.equal(true);
});

Then('the guest log says {guestmsg}', function (this: TdxWorld, id: MessageId) {
  one(this, id);
});

Then('the guest log says {guestmsg} before it says {guestmsg}', function (this: TdxWorld, first: MessageId, second: MessageId) {
  expect(one(this, first).line).to.be.lessThan(one(this, second).line);
});

Then('the guest log has no attribute line', function (this: TdxWorld) {
  const log = this.observe(guest(this).log());
  if (!log.complete) {
    // A capture of part of the log: the announcement follows "Guest detected" at once (one
    // printk after another), so the line after it shows whether there was one.
    const detected = eventsWithId(log.events, 'guest-detected').pop();
    if (!detected || detected.line + 1 >= log.lines.length) {
      throw new SkipSignal('cannot-observe', 'the guest log is not the whole log and does not show the line after "Guest detected"');
    }
    const next = log.events.find((e) => e.line === detected.line + 1);
    expect(next && ['guest-attributes', 'guest-td-ctls'].includes(next.id) ? next.text : null, 'the line after "Guest detected"').to.equal(null);
    return;
  }
  expect(eventsOf(this, 'guest-attributes').map((e) => e.text)).to.deep.equal([]);
  expect(eventsOf(this, 'guest-td-ctls').map((e) => e.text)).to.deep.equal([]);
});

const names = (e: LogEvent): string[] => String(e.values[0] ?? '').trim().split(/\s+/).filter(Boolean);

Then("the guest's attribute line lists exactly {word}", function (this: TdxWorld, list: string) {
  const e = one(this, 'guest-attributes');
  expect(names(e), e.text).to.deep.equal(list.split(','));
});

Then("the guest's attribute line names the TD's attributes", function (this: TdxWorld) {
  const attrs = describeTd(this).attributes;
  const e = one(this, 'guest-attributes');
  const want = Object.entries(TD_ATTRIBUTES).filter(([, bit]) => ((attrs >> BigInt(bit)) & 1n) === 1n).map(([n]) => n);
  expect(names(e).map((n) => (n === 'MIGRTABLE' ? 'MIGRATABLE' : n)), e.text).to.deep.equal(want);
});

/** 8 bytes at an offset of a fresh TDREPORT (REPORTDATA of zeros). */
function tdreportU64(w: TdxWorld, offset: number): bigint {
  const r = w.observe(guest(w).tdxGuestIoctl({ cmd: TDX_CMD_GET_REPORT0, reportdata: new Uint8Array(64) }));
  if (!r.result.ok || !r.tdreport) throw new SkipSignal('cannot-observe', `no TDREPORT (${JSON.stringify(r.result)})`);
  w.evidence('TDREPORT', Buffer.from(r.tdreport).toString('hex'));
  return Buffer.from(r.tdreport).readBigUInt64LE(offset);
}

const bitsNamed = (value: bigint, table: Readonly<Record<string, number>>): string[] =>
  Object.entries(table).filter(([, bit]) => ((value >> BigInt(bit)) & 1n) === 1n).map(([n]) => n);

Then("the guest's attribute line names the attributes in the TD's TDREPORT \\(8 bytes at offset {hex})", function (this: TdxWorld, offset: bigint) {
  const e = one(this, 'guest-attributes');
  const want = bitsNamed(tdreportU64(this, Number(offset)), TD_ATTRIBUTES);
  expect(names(e).map((n) => (n === 'MIGRTABLE' ? 'MIGRATABLE' : n)), e.text).to.deep.equal(want);
});

Then("the attributes in the TD's TDREPORT \\(8 bytes at offset {hex}) include {tdattr}", function (this: TdxWorld, offset: bigint, a: TdAttribute) {
  const attrs = tdreportU64(this, Number(offset));
  expect(bitsNamed(attrs, TD_ATTRIBUTES), hex(attrs)).to.include(a);
});

/** The names the TD_CTLS line lists (v6.14), or a skip where there is none. */
function tdCtlsLine(w: TdxWorld): { names: string[]; text: string } {
  const e = eventsWithId(guestEvents(w), 'guest-td-ctls').pop();
  if (!e) throw new SkipSignal('cannot-observe', 'the guest log has no TD_CTLS line');
  return { names: names(e), text: e.text };
}

Then("the guest's TD_CTLS line lists {tdctl}", function (this: TdxWorld, n: TdCtl) {
  const l = tdCtlsLine(this);
  expect(l.names, l.text).to.include(n);
});

Then("the guest's TD_CTLS line lists REDUCE_VE or ENUM_TOPOLOGY, or the guest log says the VMM did not configure the x2APIC IDs", function (this: TdxWorld) {
  const l = tdCtlsLine(this);
  const unconfigured = eventsOf(this, 'guest-x2apic-unconfigured').length > 0;
  const on = l.names.includes('REDUCE_VE') || l.names.includes('ENUM_TOPOLOGY');
  expect(on || unconfigured, `${l.text}; x2APIC message: ${unconfigured}`).to.equal(true);
});

Then("the guest's TD_CTLS line names the TD_CTLS the TD reports", function (this: TdxWorld) {
  const ctls = describeTd(this).tdCtls ?? 0n;
  const e = one(this, 'guest-td-ctls');
  const want = Object.entries(TD_CTLS).filter(([, bit]) => ((ctls >> BigInt(bit)) & 1n) === 1n).map(([n]) => n);
  expect(names(e), e.text).to.deep.equal(want);
});

Then('the TD reports a GPA width of {int} and a shared bit at bit {int}', function (this: TdxWorld, width: number, bit: number) {
  const d = describeTd(this);
  expect([d.gpaWidth, hex(d.sharedBit)]).to.deep.equal([width, hex(1n << BigInt(bit))]);
});

function tdCtls(w: TdxWorld): bigint {
  const c = describeTd(w).tdCtls;
  return c ?? 0n;
}

Then(/^the TD's TD_CTLS include ((?:[A-Z_0-9]+)(?:(?:, | and )[A-Z_0-9]+)*)$/, function (this: TdxWorld, list: string) {
  const c = tdCtls(this);
  const want = list.split(/, | and /) as TdCtl[];
  const missing = want.filter((n) => (c & tdCtlBit(n)) === 0n);
  expect(missing, `TD_CTLS = ${hex(c)}`).to.deep.equal([]);
});

Then("the TD's TD_CTLS lack {tdctl}", function (this: TdxWorld, n: TdCtl) {
  const c = tdCtls(this);
  expect(c & tdCtlBit(n), `TD_CTLS = ${hex(c)}`).to.equal(0n);
});

Then('every TDX message in the guest log is worded as this kernel words it', function (this: TdxWorld) {
  const d = this.target.description;
  const name = d.guest?.kernel.flavour ?? d.kernel.flavour;
  if (!name || !isFlavourName(name)) throw new SkipSignal('cannot-observe', 'kernel flavour unknown, so its wording is unknown');
  const f = flavour(name);
  const all = this.observe(guest(this).log()).events;
  expect(all.length, 'no TDX messages in the guest log').to.be.greaterThan(0);
  const wrong: string[] = [];
  for (const e of all) {
    const w = wordingOf(f, e.id);
    if ('undecided' in w) throw new SkipSignal('cannot-observe', `the wording of "${e.text}" on ${name} is undecided: ${w.undecided}`);
    if (e.variant !== w.variant) wrong.push(`${e.text} (${e.variant}, expected ${w.variant})`);
  }
  expect(wrong, `messages not in the wording of ${name}`).to.deep.equal([]);
});

/** The messages the last request printed, or those of the whole log when the target kept none. */
function requestEvents(w: TdxWorld, id: MessageId): LogEvent[] {
  const printed = w.scratch.has(LAST) ? lastRequest(w).events : undefined;
  return printed ? eventsWithId(printed, id) : eventsOf(w, id);
}

Then('the guest log reports an unexpected #VE with exit reason {int}', function (this: TdxWorld, reason: number) {
  const e = requestEvents(this, 'guest-unexpected-ve');
  expect(e.map((x) => Number(x.values[0])), e.map((x) => x.text).join(' | ') || 'no unexpected #VE line').to.include(reason);
});

Then('the guest log reports no unexpected #VE', function (this: TdxWorld) {
  expect(requestEvents(this, 'guest-unexpected-ve').map((x) => x.text)).to.deep.equal([]);
});

Then('the guest log has the line {string}', function (this: TdxWorld, text: string) {
  const printed = guestEvents(this).map((e) => e.text);
  expect(printed, `no line "${text}"`).to.include(text);
});
