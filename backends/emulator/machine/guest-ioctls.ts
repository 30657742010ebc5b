/**
 * ioctls on /dev/tdx_guest of the emulated TD, in the driver's UAPI (@src:tdxg-uapi): the request
 * number goes to the driver as it came, and for TDX_CMD_GET_REPORT0 the struct tdx_report_req is
 * read from the process's memory (an address it never mapped is EFAULT, as copy_from_user()
 * gives) and the TDREPORT written back into it.
 */
import type { ErrnoName } from '../../../spec/abi/errno';
import { TDX_CMD_GET_REPORT0, TDX_REPORT_LEN, TDX_REPORTDATA_LEN } from '../../../spec/uapi/tdx-guest';
import { tdx_report_req } from '../../../spec/uapi/tdx-guest';
import type { UserMemory } from '../../common/user-memory';
import type { EmulatedTd } from '../guest/td';

export function tdxGuestDeviceIoctl(td: EmulatedTd, mem: UserMemory, request: number, arg: bigint): { ret: number } | { errno: ErrnoName } {
  const req = mem.view(arg, tdx_report_req.size);
  const at = tdx_report_req.fields.reportdata.offset;
  const reportdata = req?.subarray(at, at + TDX_REPORTDATA_LEN);
  const r = td.ioctl({ cmd: request >>> 0, ...(reportdata ? { reportdata: new Uint8Array(reportdata) } : { unmapped: true }) });
  if (!r.result.ok) return { errno: r.result.errno };
  if (request >>> 0 === TDX_CMD_GET_REPORT0 && req && r.tdreport) req.set(r.tdreport.subarray(0, TDX_REPORT_LEN), tdx_report_req.fields.tdreport.offset);
  return { ret: 0 };
}
