/**
 * What a TD's attestation interfaces answer: the configfs-tsm report provider of the tdx_guest
 * driver (@src:tdxg-drv), the TDREPORT layout the TDX module writes (@src:mod-api), the
 * measurement files and the GetQuote buffer protocol. Values the model serves; how a process
 * issues the ioctl is in spec/uapi/tdx-guest.ts.
 */

/** The name the tdx_guest driver registers with configfs-tsm (its KBUILD_MODNAME). */
export const TSM_PROVIDER = 'tdx_guest';

/** TDREPORT_STRUCT: REPORTMACSTRUCT (256), TEE_TCB_INFO (256: 239 bytes defined, then reserved), TDINFO (512). */
export const TDREPORT_LAYOUT = {
  reportMacStruct: 0,
  /** REPORTMACSTRUCT: type (4), reserved (12), CPUSVN (16), two SHA-384 hashes, then REPORTDATA. */
  reportData: 128,
  teeTcbInfo: 256,
  tdInfo: 512,
  /** TDINFO starts with ATTRIBUTES and XFAM, then the measurement registers (48 bytes each). */
  tdInfoAttributes: 512,
  tdInfoXfam: 520,
  mrtd: 0x210,
  mrconfigid: 0x240,
  mrowner: 0x270,
  mrownerconfig: 0x2a0,
  rtmr0: 0x2d0,
  rtmr1: 0x300,
  rtmr2: 0x330,
  rtmr3: 0x360,
} as const;

/** SHA-384 digests: every measurement register is 48 bytes. */
export const MEASUREMENT_LEN = 48;

/**
 * The measurement registers of the v6.16 driver in sysfs (@src:guest-ml-tdxg-mr-616): one binary
 * attribute each under this directory, named as the driver names them, and where each sits in
 * the TDREPORT. The RTMRs are also writable (a write extends).
 */
export const MEASUREMENTS_DIR = '/sys/devices/virtual/misc/tdx_guest/measurements';
export const MEASUREMENT_FILES = [
  { file: 'mrconfigid', field: 'mrconfigid', rtmr: null },
  { file: 'mrowner', field: 'mrowner', rtmr: null },
  { file: 'mrownerconfig', field: 'mrownerconfig', rtmr: null },
  { file: 'mrtd:sha384', field: 'mrtd', rtmr: null },
  { file: 'rtmr0:sha384', field: 'rtmr0', rtmr: 0 },
  { file: 'rtmr1:sha384', field: 'rtmr1', rtmr: 1 },
  { file: 'rtmr2:sha384', field: 'rtmr2', rtmr: 2 },
  { file: 'rtmr3:sha384', field: 'rtmr3', rtmr: 3 },
] as const;

/** configfs-tsm (@src:capture-configfs-tsm, @src:guest-tdxg-drv-6867): report items and the attributes TDX shows. */
export const TSM_REPORT_DIR = '/sys/kernel/config/tsm/report';
export const TSM_TDX_ATTRIBUTES = ['generation', 'inblob', 'outblob', 'provider'] as const;

/** GetQuote shared-buffer header (version, status, in_len, out_len) and its constants. */
export const GET_QUOTE = {
  CMD_VER: 1n,
  SUCCESS: 0n,
  IN_FLIGHT: 0xffffffffffffffffn,
  HEADER_LEN: 24,
  BUF_SIZE: 8192,
} as const;
