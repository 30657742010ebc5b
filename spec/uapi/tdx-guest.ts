/**
 * The tdx_guest driver's ioctl argument (include/uapi/linux/tdx-guest.h, @src:tdxg-uapi):
 * struct tdx_report_req { __u8 reportdata[64]; __u8 tdreport[1024]; }, 1088 bytes, which
 * TDX_CMD_GET_REPORT0 (_IOWR('T', 1, struct tdx_report_req)) reads and writes back.
 */
import { TDX_REPORT_LEN, TDX_REPORTDATA_LEN } from '../abi/tdx-guest';
import { layout, u8 } from './layout';

export const tdx_report_req = layout('tdx_report_req', TDX_REPORTDATA_LEN + TDX_REPORT_LEN, {
  reportdata: u8(0, TDX_REPORTDATA_LEN),
  tdreport: u8(TDX_REPORTDATA_LEN, TDX_REPORT_LEN),
});
