/**
 * The tdx_guest driver (@src:tdxg-drv, @src:tdxg-uapi): the /dev/tdx_guest misc device with its
 * one ioctl, TDX_CMD_GET_REPORT0 (64 bytes of REPORTDATA in, a 1024-byte TDREPORT out; any other
 * command is -ENOTTY), and the configfs-tsm report provider "tdx_guest", which turns a 64-byte
 * inblob into a TDREPORT and then a quote through TDVMCALL<GetQuote> on a shared buffer.
 *
 * TDG.MR.REPORT failures map to errnos that changed (@src:guest-c-v63, @src:ml-report-errno): an
 * invalid operand was -EINVAL and became -ENXIO, a busy operand was -EIO and became -EBUSY.
 */
import type { ErrnoName } from '../../../../spec/abi/errno';
import { GET_QUOTE, TDX_CMD_GET_REPORT0, TDX_REPORT_LEN, TDX_REPORTDATA_LEN, TSM_PROVIDER } from '../../../../spec/abi/tdx-guest';
import type { TdxGuestIoctlResult, TsmReportResult } from '../../../guest-facet';
import type { KernelResult } from '../../../port';
import { hypercall, type KernelEnv } from './env';
import { encStatusChanged } from './map-gpa';

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
  private generation = 0;

  constructor(private readonly env: KernelEnv, private readonly buf: DriverBuffers) {}

  /** tdx_guest_init(): only in a TD; the quote buffer is made shared once. */
  init(vcpu: number): void {
    if (this.env.faults.has('guest.tdx-guest-device-missing')) return;
    this.registered = true;
    this.quoteReady = encStatusChanged(this.env, vcpu, this.buf.quote, GET_QUOTE.BUF_SIZE / 4096, false);
  }

  /** tdx_mcall_get_report0(): 0, or the errno of this kernel era. */
  private getReport0(vcpu: number, reportdata: Uint8Array): KernelResult {
    const mem = this.env.module.memory;
    mem.write(this.buf.reportdata, reportdata.subarray(0, TDX_REPORTDATA_LEN));
    const r = this.env.module.tdcall(vcpu, 'TDG.MR.REPORT', { rcx: this.buf.tdreport, rdx: this.buf.reportdata, r8: 0n });
    if (r.status === 0n) return { ok: true };
    const code = r.status >> 32n;
    let newEra = this.env.eras['guest-report-errno'] === 'enxio';
    if (this.env.faults.has('guest.report-errno-era')) newEra = !newEra;
    if (code === TDCALL_INVALID_OPERAND) return err(newEra ? 'ENXIO' : 'EINVAL');
    if (code === TDCALL_OPERAND_BUSY && newEra) return err('EBUSY');
    return err('EIO');
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

  tsmReport(vcpu: number, inblob: Uint8Array): TsmReportResult {
    this.generation++;
    const base = { provider: TSM_PROVIDER, generation: this.generation };
    if (!this.registered) return { ...base, result: err('ENXIO') };
    if (inblob.length !== TDX_REPORTDATA_LEN && !this.env.faults.has('guest.tsm-inblob-any-length')) return { ...base, result: err('EINVAL') };
    const data = new Uint8Array(TDX_REPORTDATA_LEN);
    data.set(inblob.subarray(0, TDX_REPORTDATA_LEN));
    const r = this.getReport0(vcpu, data);
    if (!r.ok) {
      this.env.log.print('guest-getreport-failed');
      return { ...base, result: r };
    }
    if (!this.quoteReady) return { ...base, result: err('EIO') };
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
      return { ...base, result: err('EIO') };
    }
    const back = new DataView(mem.read(this.buf.quote, GET_QUOTE.HEADER_LEN).buffer);
    if (back.getBigUint64(8, true) !== GET_QUOTE.SUCCESS) return { ...base, result: err('EIO') };
    const outLen = back.getUint32(20, true);
    return { ...base, result: { ok: true }, outblob: mem.read(this.buf.quote + BigInt(GET_QUOTE.HEADER_LEN), outLen) };
  }
}
