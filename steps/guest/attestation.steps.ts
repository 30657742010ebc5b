/** /dev/tdx_guest and configfs-tsm reports. */
import { expect } from 'chai';
import type { MeasurementRead, TdxGuestIoctlResult, TsmItemObservation, TsmReportResult } from '../../backends/guest-facet';
import type { KernelResult } from '../../backends/port';
import type { ErrnoName } from '../../spec/abi/errno';
import { TDX_CMD_GET_REPORT0 } from '../../spec/uapi/tdx-guest';
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
  expect(ioctl(this).tdreport?.length).to.equal(n);
});

Then('the TDREPORT carries the REPORTDATA at offset {int}', function (this: TdxWorld, offset: number) {
  const r = ioctl(this).tdreport!;
  const data = this.recall<Uint8Array>('guest.reportdata', 'REPORTDATA');
  expect(Buffer.from(r.subarray(offset, offset + data.length)).toString('hex')).to.equal(Buffer.from(data).toString('hex'));
});

Then("the TDREPORT carries the TD's attributes in the 8 bytes at offset {hex}", function (this: TdxWorld, at: bigint) {
  const r = ioctl(this).tdreport!;
  const attrs = Buffer.from(r).readBigUInt64LE(Number(at));
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

Then('the report succeeded with an empty outblob', function (this: TdxWorld) {
  const r = tsm(this);
  expect(r.result).to.deep.equal({ ok: true });
  expect(r.outblob?.length ?? 0, 'outblob length').to.equal(0);
});

Then('the VMM found a quote request of version {int}, status {hex}, in_len {int} and out_len {int}', function (this: TdxWorld, version: number, st: bigint, inLen: number, outLen: number) {
  const q = tsm(this).quoteRequest;
  if (!q) throw new SkipSignal('cannot-observe', "the target does not see the quote buffer as the VMM found it");
  expect({ version: hex(q.version), status: hex(q.status), inLen: q.inLen, outLen: q.outLen })
    .to.deep.equal({ version: hex(BigInt(version)), status: hex(st), inLen, outLen });
});

Then('the report failed with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(tsm(this).result).to.deep.equal({ ok: false, errno });
});

Then('the guest asked the VMM with TDVMCALL<GetQuote> \\(leaf {hex}) on a shared buffer', function (this: TdxWorld, leaf: bigint) {
  const r = tsm(this);
  if (!r.tdvmcalls) throw new SkipSignal('cannot-observe', 'the target does not see the TDVMCALLs of the guest kernel');
  const calls = r.tdvmcalls.filter((c) => c.leaf === leaf);
  expect(calls, `TDVMCALLs made: ${r.tdvmcalls.map((c) => hex(c.leaf)).join(', ') || 'none'}`).to.have.length(1);
  const shared = this.observe(guest(this).describe()).sharedBit;
  expect((calls[0].in.r12 ?? 0n) & shared, `GPA ${hex(calls[0].in.r12 ?? 0n)}`).to.equal(shared);
});

Then('the guest did not ask the VMM for a quote \\(TDVMCALL leaf {hex})', function (this: TdxWorld, leaf: bigint) {
  const r = tsm(this);
  if (!r.tdvmcalls) throw new SkipSignal('cannot-observe', 'the target does not see the TDVMCALLs of the guest kernel');
  expect(r.tdvmcalls.map((c) => hex(c.leaf))).to.not.include(hex(leaf));
});


When('a process asks \\/dev\\/tdx_guest for another TDREPORT with REPORTDATA of 64 bytes {hex}', function (this: TdxWorld, fill: bigint) {
  this.remember('guest.first-tdreport', ioctl(this));
  const reportdata = new Uint8Array(64).fill(Number(fill & 0xffn));
  this.remember('guest.reportdata', reportdata);
  this.remember(IOCTL, this.observe(guest(this).tdxGuestIoctl({ cmd: TDX_CMD_GET_REPORT0, reportdata })));
});

When('a process issues TDX_CMD_GET_REPORT0 on \\/dev\\/tdx_guest with an argument that points to no memory', function (this: TdxWorld) {
  this.remember(IOCTL, this.observe(guest(this).tdxGuestIoctl({ cmd: TDX_CMD_GET_REPORT0, unmapped: true })));
});

const bytesHex = (b: Uint8Array | undefined, at: number, n: number): string => Buffer.from((b ?? new Uint8Array()).subarray(at, at + n)).toString('hex');

Then("the TDREPORT's report type is {hex}", function (this: TdxWorld, type: bigint) {
  const r = ioctl(this).tdreport;
  expect(r, 'no TDREPORT').to.not.equal(undefined);
  expect(hex(r![0])).to.equal(hex(type));
});

Then(/^both TDREPORTs carry the same (\d+) bytes at offset (0x[0-9a-f]+) \(.*\)$/, function (this: TdxWorld, n: string, at: string) {
  const first = this.recall<TdxGuestIoctlResult>('guest.first-tdreport', 'first TDREPORT');
  const second = ioctl(this);
  expect(first.result.ok && second.result.ok, 'both TDREPORTs were given').to.equal(true);
  expect(bytesHex(second.tdreport, Number(at), Number(n))).to.equal(bytesHex(first.tdreport, Number(at), Number(n)));
});

/** 48 bytes at an offset of a fresh TDREPORT. */
function reportBytes(w: TdxWorld, at: number): string {
  const r = w.observe(guest(w).tdxGuestIoctl({ cmd: TDX_CMD_GET_REPORT0, reportdata: new Uint8Array(64) }));
  if (!r.result.ok) throw new SkipSignal('cannot-observe', `no TDREPORT to compare with (${r.result.errno})`);
  return bytesHex(r.tdreport, at, 48);
}

When('a process reads the measurement registers in sysfs', function (this: TdxWorld) {
  const m = this.observe(guest(this).measurements());
  this.evidence('measurement registers', m.map((x) => ({ file: x.file, result: x.result, bytes: x.bytes ? Buffer.from(x.bytes).toString('hex') : undefined })));
  this.remember('guest.measurements', m);
});

Then('the measurement register {word} is the 48 bytes at offset {hex} of a TDREPORT of the TD', function (this: TdxWorld, file: string, at: bigint) {
  const m = this.recall<MeasurementRead[]>('guest.measurements', 'measurement registers').find((x) => x.file === file);
  expect(m, `no file ${file}`).to.not.equal(undefined);
  expect(m!.result, file).to.deep.equal({ ok: true });
  expect(m!.bytes?.length, `${file} length`).to.equal(48);
  expect(bytesHex(m!.bytes, 0, 48)).to.equal(reportBytes(this, Number(at)));
});

When('a process writes {int} bytes to the measurement register {word}', function (this: TdxWorld, n: number, file: string) {
  const m = /^rtmr([0-3]):sha384$/.exec(file);
  if (!m) throw new Error(`${file} is not an RTMR file (rtmr0:sha384 .. rtmr3:sha384)`);
  const at = 0x2d0 + 48 * Number(m[1]);
  this.remember('guest.rtmr-before', { at, bytes: reportBytes(this, at) });
  this.remember('guest.rtmr-write', this.observe(guest(this).writeRtmr(Number(m[1]), new Uint8Array(n).fill(0x5a))));
});

Then('the write failed with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<KernelResult>('guest.rtmr-write', 'RTMR write')).to.deep.equal({ ok: false, errno });
});

Then('the 48 bytes at offset {hex} of a TDREPORT of the TD are what they were before the write', function (this: TdxWorld, at: bigint) {
  const before = this.recall<{ at: number; bytes: string }>('guest.rtmr-before', 'RTMR before the write');
  expect(before.at, 'the offset the write step read').to.equal(Number(at));
  expect(reportBytes(this, Number(at))).to.equal(before.bytes);
});

When('a process creates a configfs-tsm report item and writes a 64-byte inblob to it', function (this: TdxWorld) {
  const item = this.observe(guest(this).tsmItem());
  this.evidence('configfs-tsm item', item);
  this.remember('guest.tsm-item', item);
});

const tsmItem = (w: TdxWorld): TsmItemObservation => w.recall<TsmItemObservation>('guest.tsm-item', 'configfs-tsm item');

When('a process creates a configfs-tsm report item', function (this: TdxWorld) {
  this.remember('guest.tsm-provider', this.observe(guest(this).tsmProvider()));
});

Then("the report item's provider is {string}", function (this: TdxWorld, name: string) {
  expect(this.recall<string>('guest.tsm-provider', 'configfs-tsm provider')).to.equal(name);
});

Then("the report item's generation was {int} before the write and {int} after it", function (this: TdxWorld, before: number, after: number) {
  expect(tsmItem(this).generations).to.deep.equal([before, after]);
  expect(tsmItem(this).removed, 'the item was removed again').to.equal(true);
});
