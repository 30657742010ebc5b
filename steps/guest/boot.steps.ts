/** The guest's boot: detection, its log, and the configuration the TD reports. */
import { expect } from 'chai';
import type { TdDescription } from '../../backends/guest-facet';
import type { LogEvent } from '../../backends/host-facet';
import { decodeFatalErrorMessage } from '../../spec/abi/tdvmcall';
import { tdCtlBit, TD_ATTRIBUTES, TD_CTLS, type TdCtl } from '../../spec/abi/tdcall';
import { flavour, isFlavourName, variantFor } from '../../spec/kernel/flavours';
import type { MessageId } from '../../spec/kernel/printk';
import { eventsWithId, lastEvent } from '../common/log-events';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { guest, hex } from './guest-world';

function describeTd(w: TdxWorld): TdDescription {
  const d = w.observe(guest(w).describe());
  w.evidence('TD description', d);
  return d;
}

function guestEvents(w: TdxWorld): LogEvent[] {
  return w.observe(guest(w).log()).events;
}

const eventsOf = (w: TdxWorld, id: MessageId): LogEvent[] => eventsWithId(guestEvents(w), id);
const one = (w: TdxWorld, id: MessageId): LogEvent => lastEvent(guestEvents(w), id, 'guest log');

When(/^the guest kernel (?:has booted|boots)$/, function (this: TdxWorld) {
  // The TD boots when first looked at; its description says how the boot went.
  this.remember('guest.boot', describeTd(this).boot);
});

Then('the guest kernel booted', function (this: TdxWorld) {
  const b = describeTd(this).boot;
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
  const flags = describeTd(this).cpuFlags;
  if (has) expect(flags).to.include(flag);
  else expect(flags).to.not.include(flag);
});

Then('\\/dev\\/tdx_guest exists in the guest', function (this: TdxWorld) {
  expect(describeTd(this).tdxGuestDevice).to.equal(true);
});

Then('the guest log says {guestmsg}', function (this: TdxWorld, id: MessageId) {
  one(this, id);
});

Then('the guest log says {guestmsg} before it says {guestmsg}', function (this: TdxWorld, first: MessageId, second: MessageId) {
  expect(one(this, first).line).to.be.lessThan(one(this, second).line);
});

Then('the guest log has no attribute line', function (this: TdxWorld) {
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
  const name = this.target.description.kernel.flavour;
  if (!name || !isFlavourName(name)) throw new SkipSignal('cannot-observe', 'kernel flavour unknown, so its wording is unknown');
  const f = flavour(name);
  const all = this.observe(guest(this).log()).events;
  expect(all.length, 'no TDX messages in the guest log').to.be.greaterThan(0);
  const wrong = all.filter((e) => e.variant !== variantFor(f, e.id)).map((e) => `${e.text} (${e.variant}, expected ${variantFor(f, e.id)})`);
  expect(wrong, `messages not in the wording of ${name}`).to.deep.equal([]);
});

Then('the guest log reports an unexpected #VE with exit reason {int}', function (this: TdxWorld, reason: number) {
  const e = eventsOf(this, 'guest-unexpected-ve');
  expect(e.map((x) => Number(x.values[0])), e.map((x) => x.text).join(' | ')).to.include(reason);
});
