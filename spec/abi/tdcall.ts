/**
 * TDCALL (TDG.*) leaves and the TD-scope ABI a guest uses: TD attributes, TDCS fields and their
 * bits (@src:shared-tdx-h, @src:mod-api, @src:tdx-guest-debug-c). RAX selects the leaf; the status
 * comes back in RAX with the same encoding as SEAMCALL statuses (spec/abi/status.ts).
 */
import { isKeyOf } from '../encodings/keys';

export const TDCALL_LEAVES = {
  'TDG.VP.VMCALL': 0,
  'TDG.VP.INFO': 1,
  'TDG.MR.RTMR.EXTEND': 2,
  'TDG.VP.VEINFO.GET': 3,
  'TDG.MR.REPORT': 4,
  'TDG.VP.CPUIDVE.SET': 5,
  'TDG.MEM.PAGE.ACCEPT': 6,
  'TDG.VM.RD': 7,
  'TDG.VM.WR': 8,
  'TDG.VP.RD': 9,
  'TDG.VP.WR': 10,
} as const;

export type TdcallLeaf = keyof typeof TDCALL_LEAVES;

export function tdcallLeafName(n: number): TdcallLeaf | undefined {
  return (Object.keys(TDCALL_LEAVES) as TdcallLeaf[]).find((k) => TDCALL_LEAVES[k] === n);
}

/** TD attribute bits (ATTRIBUTES of TD_PARAMS; TDG.VP.INFO returns them in RDX). */
export const TD_ATTRIBUTES = {
  DEBUG: 0,
  HGS_PLUS_PROF: 4,
  PERF_PROF: 5,
  PMT_PROF: 6,
  ICSSD: 16,
  LASS: 27,
  SEPT_VE_DISABLE: 28,
  MIGRATABLE: 29,
  PKS: 30,
  KL: 31,
  TPA: 62,
  PERFMON: 63,
} as const;

export type TdAttribute = keyof typeof TD_ATTRIBUTES;

export const attributeBit = (name: TdAttribute): bigint => 1n << BigInt(TD_ATTRIBUTES[name]);

export const isTdAttribute: (s: string) => s is TdAttribute = isKeyOf(TD_ATTRIBUTES);

/** TDCS.TD_CTLS bits, the guest's own controls of #VE behaviour. */
export const TD_CTLS = {
  PENDING_VE_DISABLE: 0,
  ENUM_TOPOLOGY: 1,
  VIRT_CPUID2: 2,
  REDUCE_VE: 3,
  LOCK: 63,
} as const;

export type TdCtl = keyof typeof TD_CTLS;

export const tdCtlBit = (name: TdCtl): bigint => 1n << BigInt(TD_CTLS[name]);

export const isTdCtl: (s: string) => s is TdCtl = isKeyOf(TD_CTLS);

/** TD-scope metadata field ids for TDG.VM.RD / TDG.VM.WR. */
export const TDCS_FIELDS = {
  CONFIG_FLAGS: 0x1110000300000016n,
  TD_CTLS: 0x1110000300000017n,
  NOTIFY_ENABLES: 0x9100000000000010n,
  TOPOLOGY_ENUM_CONFIGURED: 0x9100000000000019n,
} as const;

export type TdcsField = keyof typeof TDCS_FIELDS;

/** TDCS.CONFIG_FLAGS bits. */
export const CONFIG_FLAGS = {
  GPAW: 0,
  FLEXIBLE_PENDING_VE: 1,
  NO_RBP_MOD: 2,
} as const;

/** TDG.MEM.PAGE.ACCEPT page-size levels in RCX[2:0]. */
export const PAGE_LEVEL = { '4K': 0, '2M': 1, '1G': 2 } as const;

/** TDG.MR.REPORT subtype 0 (TDREPORT_SUBTYPE_0). */
export const TDREPORT_SUBTYPE_0 = 0n;

/** The 12-byte identity of CPUID leaf 0x21 subleaf 0, read as EBX, EDX, ECX. */
export const TDX_CPUID_LEAF_ID = 0x21;
export const TDX_IDENT = 'IntelTDX    ';
