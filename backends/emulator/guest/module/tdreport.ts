/**
 * TDREPORT_STRUCT as TDG.MR.REPORT writes it (@src:mod-api, @src:guest-mod15-api-defs): REPORTMACSTRUCT with the caller's
 * REPORTDATA, TEE_TCB_INFO describing the module, and TDINFO describing the TD (attributes and
 * XFAM first). Measurements are deterministic digests of the TD's configuration, so two reports of
 * one TD differ only in REPORTDATA and the MAC.
 */
import { createHash } from 'node:crypto';
import { TDREPORT_LAYOUT } from '../../../../spec/abi/tdx-guest';
import { TDX_REPORT_LEN, TDX_REPORTDATA_LEN } from '../../../../spec/uapi/tdx-guest';
import type { ModuleBuild } from '../../module/versions';

export interface ReportInputs {
  build: ModuleBuild;
  attributes: bigint;
  xfam: bigint;
  /** A digest of what was measured into MRTD (the TD's initial configuration). */
  identity: string;
  reportdata: Uint8Array;
  /** REPORTDATA offset in the REPORTMACSTRUCT (a fault may move it). */
  reportDataOffset?: number;
  /** RTMR0..3 (48 bytes each); zero when absent. */
  rtmrs?: readonly Uint8Array[];
}

const putU64 = (buf: Uint8Array, off: number, v: bigint) => {
  for (let i = 0; i < 8; i++) buf[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
};

const sha384 = (...parts: (string | Uint8Array)[]): Uint8Array => {
  const h = createHash('sha384');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

export function buildTdReport(x: ReportInputs): Uint8Array {
  const r = new Uint8Array(TDX_REPORT_LEN);
  // REPORTTYPE: type 0x81 (TDX), subtype 0, version 0.
  r[0] = 0x81;
  const tdInfo = new Uint8Array(512);
  putU64(tdInfo, 0, x.attributes);
  putU64(tdInfo, 8, x.xfam);
  const td = (field: number) => field - TDREPORT_LAYOUT.tdInfo;
  tdInfo.set(sha384('MRTD', x.identity), td(TDREPORT_LAYOUT.mrtd));
  (x.rtmrs ?? []).forEach((m, i) => tdInfo.set(m.subarray(0, 48), td(TDREPORT_LAYOUT.rtmr0) + 48 * i));
  const teeTcbInfo = new Uint8Array(239);
  teeTcbInfo[0] = 0xff;
  teeTcbInfo.set([x.build.minor, x.build.major], 8);
  teeTcbInfo.set(sha384('MRSEAM', x.build.id), 24);
  r.set(sha384(teeTcbInfo), 32);
  r.set(sha384(tdInfo), 80);
  r.set(x.reportdata.subarray(0, TDX_REPORTDATA_LEN), x.reportDataOffset ?? TDREPORT_LAYOUT.reportData);
  r.set(createHash('sha256').update(r.subarray(0, 224)).digest(), 224);
  r.set(teeTcbInfo, TDREPORT_LAYOUT.teeTcbInfo);
  r.set(tdInfo, TDREPORT_LAYOUT.tdInfo);
  return r;
}
