/** The guest's boot: detection, its log, and the configuration the TD reports. */
import { expect } from 'chai';
import type { TdDescription } from '../../backends/guest-facet';
import type { LogEvent } from '../../backends/host-facet';
import type { DataTable } from '@cucumber/cucumber';
import { TDX_CMD_GET_REPORT0 } from '../../spec/uapi/tdx-guest';
import { textFromRegisters } from '../../spec/encodings/tdvmcall';
import type { MessageId } from '../../spec/kernel/printk';
import type { Reg } from '../../backends/port';
import type { NamedBit } from '../../support/guest-parameter-types';
import { eventsWithId, lastEvent } from '../common/log-events';
import { lineIs, messageText, saying } from '../common/log-lines';
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


Then(/^the VMM received that message through TDVMCALL<ReportFatalError> \(leaf (0x[0-9a-f]+)\) with R12 = (\d+) and the text in ((?:R\w+, )+R\w+)$/,
  function (this: TdxWorld, leaf: string, r12: string, regs: string) {
    const b = describeTd(this).boot;
    if (b.ok) expect.fail('the guest kernel booted');
    else {
      if (!b.fatalReport) throw new SkipSignal('cannot-observe', 'the target does not see the TDVMCALLs of the guest kernel');
      expect(`0x${(b.fatalReport.in.r11 ?? 0n).toString(16)}`, 'R11 (the sub-function)').to.equal(leaf);
      expect(b.fatalReport.in.r12 ?? 0n, 'R12 (the error code)').to.equal(BigInt(r12));
      expect(textFromRegisters(b.fatalReport.in, regs.split(', ').map((r) => r.toLowerCase() as Reg))).to.equal(b.panic);
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

/** The index of the last guest log line the predicate accepts; a log that is not whole cannot show one is missing. */
function guestLine(w: TdxWorld, accept: (raw: string) => boolean, what: string): number {
  const log = w.observe(guest(w).log());
  let at = -1;
  for (let i = log.lines.length - 1; i >= 0 && at < 0; i--) if (accept(log.lines[i])) at = i;
  if (at < 0 && !log.complete) throw new SkipSignal('cannot-observe', `the guest log has no line ${what}, but it is not the whole boot log, so that proves nothing`);
  expect(at, `no line ${what} in the guest log`).to.be.at.least(0);
  return at;
}

Then('the guest log says {string}', function (this: TdxWorld, wording: string) {
  guestLine(this, saying(wording), `saying "${wording}"`);
});

Then('the guest log says {string} before it says {string}', function (this: TdxWorld, first: string, second: string) {
  const later = saying(second);
  const lines = this.observe(guest(this).log()).lines;
  const b = guestLine(this, later, `saying "${second}"`);
  const a = lines.findIndex(saying(first));
  expect(a, `no line saying "${first}"`).to.be.at.least(0);
  expect(a, `"${messageText(lines[a])}" comes after "${messageText(lines[b])}"`).to.be.lessThan(lines.findIndex(later));
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

/** The names a feature's table gives the bits of a value, lowest bit first: | bit | name |. */
function bitsNamed(value: bigint, table: DataTable): string[] {
  return table.hashes().map((r) => ({ bit: Number(r.bit), name: r.name }))
    .filter((r) => ((value >> BigInt(r.bit)) & 1n) === 1n).sort((a, b) => a.bit - b.bit).map((r) => r.name);
}

Then("the guest's attribute line names the TD's attributes by these names:", function (this: TdxWorld, table: DataTable) {
  const attrs = describeTd(this).attributes;
  const e = one(this, 'guest-attributes');
  expect(names(e), `${e.text} (attributes ${hex(attrs)})`).to.deep.equal(bitsNamed(attrs, table));
});

/** 8 bytes at an offset of a fresh TDREPORT (REPORTDATA of zeros). */
function tdreportU64(w: TdxWorld, offset: number): bigint {
  const r = w.observe(guest(w).tdxGuestIoctl({ cmd: TDX_CMD_GET_REPORT0, reportdata: new Uint8Array(64) }));
  if (!r.result.ok || !r.tdreport) throw new SkipSignal('cannot-observe', `no TDREPORT (${JSON.stringify(r.result)})`);
  w.evidence('TDREPORT', Buffer.from(r.tdreport).toString('hex'));
  return Buffer.from(r.tdreport).readBigUInt64LE(offset);
}

Then("the guest's attribute line names the attributes in the TD's TDREPORT \\(8 bytes at offset {hex}) by these names:", function (this: TdxWorld, offset: bigint, table: DataTable) {
  const e = one(this, 'guest-attributes');
  const attrs = tdreportU64(this, Number(offset));
  expect(names(e), `${e.text} (TDREPORT attributes ${hex(attrs)})`).to.deep.equal(bitsNamed(attrs, table));
});

Then("the attributes in the TD's TDREPORT \\(8 bytes at offset {hex}) include {tdattr}", function (this: TdxWorld, offset: bigint, a: NamedBit) {
  const attrs = tdreportU64(this, Number(offset));
  expect((attrs >> BigInt(a.bit)) & 1n, `${a.name}: attributes ${hex(attrs)}`).to.equal(1n);
});

/** The names the TD_CTLS line lists (v6.14), or a skip where there is none. */
function tdCtlsLine(w: TdxWorld): { names: string[]; text: string } {
  const e = eventsWithId(guestEvents(w), 'guest-td-ctls').pop();
  if (!e) throw new SkipSignal('cannot-observe', 'the guest log has no TD_CTLS line');
  return { names: names(e), text: e.text };
}

Then("the guest's TD_CTLS line lists {word}", function (this: TdxWorld, n: string) {
  const l = tdCtlsLine(this);
  expect(l.names, l.text).to.include(n);
});

Then("the guest's TD_CTLS line lists REDUCE_VE or ENUM_TOPOLOGY, or the guest log says {string}", function (this: TdxWorld, wording: string) {
  const l = tdCtlsLine(this);
  const unconfigured = this.observe(guest(this).log()).lines.some(saying(wording));
  const on = l.names.includes('REDUCE_VE') || l.names.includes('ENUM_TOPOLOGY');
  expect(on || unconfigured, `${l.text}; x2APIC message: ${unconfigured}`).to.equal(true);
});

Then("the guest's TD_CTLS line names the TD_CTLS the TD reports by these names:", function (this: TdxWorld, table: DataTable) {
  const ctls = describeTd(this).tdCtls ?? 0n;
  const e = one(this, 'guest-td-ctls');
  expect(names(e), `${e.text} (TD_CTLS ${hex(ctls)})`).to.deep.equal(bitsNamed(ctls, table));
});

Then('the TD reports a GPA width of {int} and a shared bit at bit {int}', function (this: TdxWorld, width: number, bit: number) {
  const d = describeTd(this);
  expect([d.gpaWidth, hex(d.sharedBit)]).to.deep.equal([width, hex(1n << BigInt(bit))]);
});

function tdCtls(w: TdxWorld): bigint {
  const c = describeTd(w).tdCtls;
  return c ?? 0n;
}

const NAMED_BIT = /([A-Z][A-Z0-9_]+) \(bit (\d+)\)/g;

Then(/^the TD's TD_CTLS include ((?:[A-Z_0-9]+ \(bit \d+\))(?:(?:, | and )[A-Z_0-9]+ \(bit \d+\))*)$/, function (this: TdxWorld, list: string) {
  const c = tdCtls(this);
  const missing = [...list.matchAll(NAMED_BIT)].filter((m) => ((c >> BigInt(m[2])) & 1n) === 0n).map((m) => m[0]);
  expect(missing, `TD_CTLS = ${hex(c)}`).to.deep.equal([]);
});

Then("the TD's TD_CTLS lack {tdctl}", function (this: TdxWorld, n: NamedBit) {
  const c = tdCtls(this);
  expect((c >> BigInt(n.bit)) & 1n, `${n.name}: TD_CTLS = ${hex(c)}`).to.equal(0n);
});

/** The log lines the last request printed, or those of the whole log when the target kept none. */
function requestLines(w: TdxWorld): string[] {
  const printed = w.scratch.has(LAST) ? lastRequest(w).log : undefined;
  return printed ?? w.observe(guest(w).log()).lines;
}

Then('the guest kernel logged {string} while handling it', function (this: TdxWorld, wording: string) {
  const lines = requestLines(this);
  expect(lines.some(saying(wording)), lines.map(messageText).join(' | ') || 'nothing logged').to.equal(true);
});

Then('the guest kernel logged nothing saying {string} while handling it', function (this: TdxWorld, wording: string) {
  expect(requestLines(this).filter(saying(wording)).map(messageText)).to.deep.equal([]);
});

Then('the guest log has the line {string}', function (this: TdxWorld, text: string) {
  guestLine(this, lineIs(text), `"${text}"`);
});
