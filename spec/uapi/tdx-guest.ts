/**
 * The tdx_guest driver's ioctl argument (include/uapi/linux/tdx-guest.h, @src:tdxg-uapi):
 * struct tdx_report_req { __u8 reportdata[64]; __u8 tdreport[1024]; }, 1088 bytes, which
 * TDX_CMD_GET_REPORT0 (_IOWR('T', 1, struct tdx_report_req)) reads and writes back.
 */
import { layout, u8 } from './layout';

export const TDX_REPORTDATA_LEN = 64;
export const TDX_REPORT_LEN = 1024;

/** _IOWR('T', 1, struct tdx_report_req): direction 3, size 64 + 1024, type 'T', number 1. */
export function iowr(type: string, nr: number, size: number): number {
  return ((3 << 30) | (size << 16) | (type.charCodeAt(0) << 8) | nr) >>> 0;
}

export const TDX_CMD_GET_REPORT0 = iowr('T', 1, TDX_REPORTDATA_LEN + TDX_REPORT_LEN);

export const TDX_GUEST_DEVICE = '/dev/tdx_guest';

export const tdx_report_req = layout('tdx_report_req', TDX_REPORTDATA_LEN + TDX_REPORT_LEN, {
  reportdata: u8(0, TDX_REPORTDATA_LEN),
  tdreport: u8(TDX_REPORTDATA_LEN, TDX_REPORT_LEN),
});
