/**
 * The guest's user-space ABI for attestation: /dev/tdx_guest (include/uapi/linux/tdx-guest.h,
 * @src:tdxg-uapi) and the configfs-tsm report provider of the tdx_guest driver (@src:tdxg-drv),
 * and the TDREPORT layout the TDX module writes (@src:mod-api).
 */

export const TDX_REPORTDATA_LEN = 64;
export const TDX_REPORT_LEN = 1024;

/** _IOWR('T', 1, struct tdx_report_req): direction 3, size 64 + 1024, type 'T', number 1. */
export function iowr(type: string, nr: number, size: number): number {
  return ((3 << 30) | (size << 16) | (type.charCodeAt(0) << 8) | nr) >>> 0;
}

export const TDX_CMD_GET_REPORT0 = iowr('T', 1, TDX_REPORTDATA_LEN + TDX_REPORT_LEN);

export const TDX_GUEST_DEVICE = '/dev/tdx_guest';

/** The name the tdx_guest driver registers with configfs-tsm (its KBUILD_MODNAME). */
export const TSM_PROVIDER = 'tdx_guest';

/** TDREPORT_STRUCT: REPORTMACSTRUCT (256), TEE_TCB_INFO (239), reserved (17), TDINFO (512). */
export const TDREPORT_LAYOUT = {
  reportMacStruct: 0,
  /** REPORTMACSTRUCT: type (4), reserved (12), CPUSVN (16), two SHA-384 hashes, then REPORTDATA. */
  reportData: 128,
  teeTcbInfo: 256,
  tdInfo: 512,
  /** TDINFO starts with ATTRIBUTES and XFAM. */
  tdInfoAttributes: 512,
  tdInfoXfam: 520,
} as const;

/** GetQuote shared-buffer header (version, status, in_len, out_len) and its constants. */
export const GET_QUOTE = {
  CMD_VER: 1n,
  SUCCESS: 0n,
  IN_FLIGHT: 0xffffffffffffffffn,
  HEADER_LEN: 24,
  BUF_SIZE: 8192,
} as const;
