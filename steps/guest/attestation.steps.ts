/** /dev/tdx_guest and configfs-tsm reports. */
import { expect } from 'chai';
import type { TdxGuestIoctlResult, TsmReportResult } from '../../backends/guest-facet';
import type { ErrnoName } from '../../spec/abi/errno';
import { TDREPORT_LAYOUT, TDX_CMD_GET_REPORT0, TDX_REPORT_LEN } from '../../spec/abi/tdx-guest';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { guest, hex, rememberRequest, tdvmcallsOf } from './guest-world';

const IOCTL = 'guest.ioctl';
const TSM = 'guest.tsm';

When('a process asks \\/dev\\/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes {hex}', function (this: TdxWorld, fill: bigint) {
  const reportdata = new Uint8Array(64).fill(Number(fill & 0xffn));
  this.remember('guest.reportdata', reportdata);
  this.remember(IOCTL, this.observe(guest(this).tdxGuestIoctl({ cmd: TDX_CMD_GET_REPORT0, reportdata })));
});

When('a process issues ioctl {hex} on \\/dev\\/tdx_guest', function (this: TdxWorld, cmd: bigint) {
  this.remember(IOCTL, this.observe(guest(this).tdxGuestIoctl({ cmd: Number(cmd), reportdata: new Uint8Array(64) })));
});

function ioctl(w: TdxWorld): TdxGuestIoctlResult {
  return w.recall<TdxGuestIoctlResult>(IOCTL, 'ioctl');
}

Then('the ioctl succeeded', function (this: TdxWorld) {
  expect(ioctl(this).result).to.deep.equal({ ok: true });
});

Then('the ioctl failed with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(ioctl(this).result).to.deep.equal({ ok: false, errno });
});

Then('the TDREPORT is {int} bytes long', function (this: TdxWorld, n: number) {
  expect(n).to.equal(TDX_REPORT_LEN);
  expect(ioctl(this).tdreport?.length).to.equal(n);
});

Then('the TDREPORT carries the REPORTDATA at offset {int}', function (this: TdxWorld, offset: number) {
  const r = ioctl(this).tdreport!;
  const data = this.recall<Uint8Array>('guest.reportdata', 'REPORTDATA');
  expect(Buffer.from(r.subarray(offset, offset + data.length)).toString('hex')).to.equal(Buffer.from(data).toString('hex'));
});

Then("the TDREPORT's TDINFO carries the TD's attributes", function (this: TdxWorld) {
  const r = ioctl(this).tdreport!;
  const attrs = Buffer.from(r).readBigUInt64LE(TDREPORT_LAYOUT.tdInfoAttributes);
  expect(hex(attrs)).to.equal(hex(this.observe(guest(this).describe()).attributes));
});

When('a process requests a configfs-tsm report with a {int}-byte inblob', function (this: TdxWorld, n: number) {
  const r = this.observe(guest(this).tsmReport(new Uint8Array(n).fill(0xa5)));
  this.remember(TSM, r);
  rememberRequest(this, { ...(r.tdvmcalls ? { tdvmcalls: r.tdvmcalls } : {}) });
});

function tsm(w: TdxWorld): TsmReportResult {
  return w.recall<TsmReportResult>(TSM, 'configfs-tsm report');
}

Then('the report provider is {string}', function (this: TdxWorld, name: string) {
  expect(tsm(this).provider).to.equal(name);
});

Then('the report succeeded with a non-empty outblob', function (this: TdxWorld) {
  const r = tsm(this);
  expect(r.result).to.deep.equal({ ok: true });
  expect(r.outblob?.length ?? 0).to.be.greaterThan(0);
});

Then('the report failed with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(tsm(this).result).to.deep.equal({ ok: false, errno });
});

Then('the guest asked the VMM with TDVMCALL<GetQuote> on a shared buffer', function (this: TdxWorld) {
  const calls = tdvmcallsOf(this, 'GetQuote');
  expect(calls).to.have.length(1);
  const shared = this.observe(guest(this).describe()).sharedBit;
  expect((calls[0].in.r12 ?? 0n) & shared, `GPA ${hex(calls[0].in.r12 ?? 0n)}`).to.equal(shared);
});

Then('the guest did not ask the VMM for a quote', function (this: TdxWorld) {
  const r = tsm(this);
  if (!r.tdvmcalls) throw new SkipSignal('cannot-observe', 'the target does not see the TDVMCALLs of the guest kernel');
  expect(r.tdvmcalls.map((c) => c.name)).to.not.include('GetQuote');
});

Then('the guest log says the GetQuote hypercall failed with status {hex}', function (this: TdxWorld, st: bigint) {
  const e = this.observe(guest(this).log()).events.filter((x) => x.id === 'guest-getquote-failed');
  expect(e.map((x) => hex(x.values[0] as bigint))).to.deep.equal([hex(st)]);
});
