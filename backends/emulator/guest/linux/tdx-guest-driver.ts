/**
 * The tdx_guest driver (@src:tdxg-drv, @src:guest-tdxg-drv-6867, @src:tdxg-uapi): the
 * /dev/tdx_guest misc device with its one ioctl, TDX_CMD_GET_REPORT0 (64 bytes of REPORTDATA in, a
 * 1024-byte TDREPORT out; any other command is -ENOTTY), and the configfs-tsm report provider
 * "tdx_guest", which turns a 64-byte inblob into a TDREPORT and then a quote through
 * TDVMCALL<GetQuote> on a shared buffer.
 *
 * TDG.MR.REPORT failures map to errnos that changed (@src:guest-c-v63, @src:guest-ml-report-ebusy):
 * an invalid operand was -EINVAL and became -ENXIO, a busy operand was -EIO and became -EBUSY.
 * The v6.16 rework (@src:guest-ml-tdxg-mr-616) prefixes the driver's messages with "tdx_guest: ",
 * asks for a TDREPORT when the driver loads (no device if that fails), replaces the "GetReport call
 * failed" line with a warning, and shows the measurement registers in sysfs: each read takes a
 * fresh TDREPORT; a write to an RTMR of other than 48 bytes is refused before anything is extended.
 * A quote request the VMM never completes leaves the buffer in flight: the request times out and
 * later ones find the buffer busy.
 */
import type { ErrnoName } from '../../../../spec/abi/errno';
import { GET_QUOTE, MEASUREMENT_LEN } from '../../../../spec/abi/tdx-guest';
import { TDX_CMD_GET_REPORT0, TDX_REPORT_LEN, TDX_REPORTDATA_LEN } from '../../../../spec/uapi/tdx-guest';
import type { TdxGuestIoctlResult } from '../../../guest-facet';
import type { KernelResult } from '../../../port';
import { hypercall, type KernelEnv } from './env';
import { encStatusChanged } from './map-gpa';

/** getquote_timeout: seconds to wait for the VMM (v6.16.1, @src:l6161-tdx-guest-c). */
const GETQUOTE_TIMEOUT = 30;

const TDCALL_INVALID_OPERAND = 0xc0000100n;
const TDCALL_OPERAND_BUSY = 0x80000200n;

const err = (errno: ErrnoName): KernelResult => ({ ok: false, errno });

/** Kernel buffers the driver allocates (private, accepted memory). */
export interface DriverBuffers {
  reportdata: bigint;
  tdreport: bigint;
  /** The GetQuote buffer: GET_QUOTE.BUF_SIZE bytes, converted to shared at init. */
  quote: bigint;
}

export class TdxGuestDriver {
  registered = false;
  private quoteReady = false;

  constructor(private readonly env: KernelEnv, private readonly buf: DriverBuffers) {}

  /** The v6.16 driver (measurement registers in sysfs, prefixed messages). */
  get measurements(): boolean {
    return this.env.eras['guest-driver'] === 'measurements';
  }

  /** tdx_guest_init(): only in a TD; the quote buffer is made shared once. */
  init(vcpu: number): void {
    if (this.env.faults.has('guest.tdx-guest-device-missing')) return;
    // From v6.16 the driver reads the measurements at load; without them it does not register.
    if (this.measurements && !this.getReport0(vcpu, new Uint8Array(TDX_REPORTDATA_LEN)).ok) return;
    this.registered = true;
    this.quoteReady = encStatusChanged(this.env, vcpu, this.buf.quote, GET_QUOTE.BUF_SIZE / 4096, false);
  }

  /** A fresh TDREPORT for a sysfs read of a measurement register (v6.16), or the errno. */
  report(vcpu: number): { ok: true; tdreport: Uint8Array } | { ok: false; errno: ErrnoName } {
    const r = this.getReport0(vcpu, new Uint8Array(TDX_REPORTDATA_LEN));
    return r.ok ? { ok: true, tdreport: this.env.module.memory.read(this.buf.tdreport, TDX_REPORT_LEN) } : r;
  }

  /** A write to rtmrN:sha384 (v6.16): exactly 48 bytes at offset 0, else EINVAL before any TDCALL. */
  extendRtmr(vcpu: number, index: number, data: Uint8Array, offset: number): KernelResult {
    const anyLength = this.env.faults.has('guest.rtmr-short-write-extends');
    if ((data.length !== MEASUREMENT_LEN || offset !== 0) && !anyLength) return err('EINVAL');
    const bytes = new Uint8Array(64);
    bytes.set(data.subarray(0, MEASUREMENT_LEN));
    this.env.module.memory.write(this.buf.reportdata, bytes);
    const r = this.env.module.tdcall(vcpu, 'TDG.MR.RTMR.EXTEND', { rcx: this.buf.reportdata, rdx: BigInt(index) });
    return r.status === 0n ? { ok: true } : err('EIO');
  }

  /** tdx_mcall_get_report0(): 0, or the errno of this kernel era. */
  private getReport0(vcpu: number, reportdata: Uint8Array): KernelResult {
    const mem = this.env.module.memory;
    mem.write(this.buf.reportdata, reportdata.subarray(0, TDX_REPORTDATA_LEN));
    const r = this.env.module.tdcall(vcpu, 'TDG.MR.REPORT', { rcx: this.buf.tdreport, rdx: this.buf.reportdata, r8: 0n });
    if (r.status === 0n) return { ok: true };
    if (this.measurements) this.warnOnce('guest-report-warn', r.status);
    const code = r.status >> 32n;
    let newEra = this.env.eras['guest-report-errno'] === 'enxio';
    if (this.env.faults.has('guest.report-errno-era')) newEra = !newEra;
    if (code === TDCALL_INVALID_OPERAND) return err(newEra ? 'ENXIO' : 'EINVAL');
    if (code === TDCALL_OPERAND_BUSY && newEra) return err('EBUSY');
    return err('EIO');
  }

  /** WARN_ONCE(ret, "tdx_mcall_get_report0() failed: %d", ret) of the v6.16 driver. */
  private warnOnce(id: 'guest-report-warn', status: bigint): void {
    if (this.env.warned.has(id)) return;
    this.env.warned.add(id);
    this.env.log.print(id, status === 0n ? 0 : -5);
  }

  ioctl(vcpu: number, cmd: number, reportdata: Uint8Array | undefined): TdxGuestIoctlResult {
    if (!this.registered) return { result: err('ENODEV') };
    // The command number carries the struct size; the faulty driver compares type and number only.
    const matches = this.env.faults.has('guest.ioctl-size-ignored') ? (cmd & 0xffff) === (TDX_CMD_GET_REPORT0 & 0xffff) : cmd === TDX_CMD_GET_REPORT0;
    if (!matches) return { result: err('ENOTTY') };
    if (!reportdata) return { result: err('EFAULT') };
    const data = new Uint8Array(TDX_REPORTDATA_LEN);
    data.set(reportdata.subarray(0, TDX_REPORTDATA_LEN));
    const r = this.getReport0(vcpu, data);
    if (!r.ok) return { result: r };
    return { result: r, tdreport: this.env.module.memory.read(this.buf.tdreport, TDX_REPORT_LEN) };
  }

  /** The provider's report_new(): a quote for a report item's inblob (read of its outblob). */
  quote(vcpu: number, inblob: Uint8Array): { result: KernelResult; outblob?: Uint8Array } {
    if (!this.registered) return { result: err('ENXIO') };
    // A quote still in flight keeps the buffer: the request is refused before anything else.
    if (this.quoteInFlight && !this.env.faults.has('guest.getquote-busy-unchecked')) return { result: err('EBUSY') };
    if (inblob.length !== TDX_REPORTDATA_LEN && !this.env.faults.has('guest.tsm-inblob-any-length')) return { result: err('EINVAL') };
    const data = new Uint8Array(TDX_REPORTDATA_LEN);
    data.set(inblob.subarray(0, TDX_REPORTDATA_LEN));
    const r = this.getReport0(vcpu, data);
    if (!r.ok) {
      if (!this.measurements) this.env.log.print('guest-getreport-failed');
      return { result: r };
    }
    if (!this.quoteReady) return { result: err('EIO') };
    const mem = this.env.module.memory;
    const header = new Uint8Array(GET_QUOTE.HEADER_LEN);
    const hv = new DataView(header.buffer);
    hv.setBigUint64(0, GET_QUOTE.CMD_VER, true);
    hv.setUint32(16, TDX_REPORT_LEN, true);
    mem.write(this.buf.quote, new Uint8Array(GET_QUOTE.BUF_SIZE));
    mem.write(this.buf.quote, header);
    mem.write(this.buf.quote + BigInt(GET_QUOTE.HEADER_LEN), mem.read(this.buf.tdreport, TDX_REPORT_LEN));
    const q = hypercall(this.env, vcpu, 'GetQuote', { r12: this.buf.quote | this.env.sharedMask, r13: BigInt(GET_QUOTE.BUF_SIZE) });
    if (q.status !== 0n) {
      this.env.log.print('guest-getquote-failed', q.status);
      return { result: err('EIO') };
    }
    if (this.waitForQuoteCompletion(GETQUOTE_TIMEOUT)) {
      this.env.log.print('guest-getquote-timedout');
      return { result: err('ETIMEDOUT') };
    }
    // tdx_report_new_locked() takes out_len bytes whatever the status says (v6.16.1): a request
    // still in flight gives what the buffer holds, and leaves the buffer busy for the next one.
    const back = new DataView(mem.read(this.buf.quote, GET_QUOTE.HEADER_LEN).buffer);
    const outLen = back.getUint32(20, true);
    return { result: { ok: true }, outblob: mem.read(this.buf.quote + BigInt(GET_QUOTE.HEADER_LEN), outLen) };
  }

  /** Whether the quote buffer is still the VMM's (status GET_QUOTE_IN_FLIGHT). */
  private get quoteInFlight(): boolean {
    return new DataView(this.env.module.memory.read(this.buf.quote, GET_QUOTE.HEADER_LEN).buffer).getBigUint64(8, true) === GET_QUOTE.IN_FLIGHT;
  }

  /**
   * wait_for_quote_completion() of v6.16.1, as written: while the buffer is in flight and
   * `i++ < timeout`, sleep a second; then -ETIMEDOUT exactly when i == timeout. A quote done during
   * the last second therefore times out, and one never done ends the loop with i = timeout + 1,
   * which is no timeout (the comment above it means otherwise). True when it timed out.
   */
  private waitForQuoteCompletion(timeout: number): boolean {
    let i = 0;
    while (this.quoteInFlight && i++ < timeout) this.env.module.sleep(1);
    if (this.env.faults.has('guest.getquote-timeout-as-intended')) return this.quoteInFlight;
    return i === timeout;
  }
}
