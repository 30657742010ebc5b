/**
 * What the TDX module keeps about TDs, shared by the TD-management leaves (td-*.ts): the TDR of
 * each TD with its life cycle, the key ownership table (KOT) of private HKIDs, the TDCS operation
 * state, vCPUs (TDVPR), the secure EPT, and the checks every leaf makes on a page operand.
 * States and transitions follow the module's tdh_mng_*, tdh_vp_*, tdh_mem_* and tdh_phymem_*
 * handlers (@src:mod-td-leaves); the model keeps what software can observe through statuses.
 */
import { status, withOperand } from '../../../../spec/abi/status';
import type { TdParamsView } from '../../../host-facet';
import type { Regs } from '../../../port';
import { fail, type SeamcallResult, type TdxModule } from '../module';
import { PAGE_OWNERS, PAGE_TYPES } from './phymem';

export type TdLifecycle = 'HKID_ASSIGNED' | 'KEYS_CONFIGURED' | 'BLOCKED' | 'TEARDOWN';
export type TdOpState = 'UNINITIALIZED' | 'INITIALIZED' | 'RUNNABLE';
export type KotState = 'FREE' | 'ASSIGNED' | 'FLUSHED';

/** One CPUID configuration value as TD_PARAMS carries it (null: the VMM left the slot zero). */
export interface CpuidValue {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** struct td_params as software places it in memory for TDH.MNG.INIT (the port's view of it). */
export type TdParams = TdParamsView;

/** The TD's configuration after TDH.MNG.INIT. */
export interface TdConfig {
  attributes: bigint;
  xfam: bigint;
  maxVcpus: number;
  gpaw: 48 | 52;
  /** L2 VMs of the TD (TD_PARAMS.NUM_L2_VMS): each needs TDCS and TDVPS pages of its own. */
  numL2Vms: number;
  /** Levels of the secure EPT (EPTP_CONTROLS page-walk length): 4 or 5. */
  eptLevels: 4 | 5;
  /** Virtual CPUID the module computed: `leaf:subleaf` (subleaf -1 when none) -> values. */
  cpuid: Map<string, CpuidValue>;
}

export type SeptLeafState = 'MAPPED' | 'PENDING' | 'BLOCKED';

export interface SeptLeaf {
  /** 0: 4 KiB, 1: 2 MiB. */
  level: number;
  hpa: bigint;
  state: SeptLeafState;
  blockedAtEpoch?: bigint;
}

export type VpState = 'CREATED' | 'INITIALIZED';

/** What the test guest does next on a vCPU (kept in its TDVPS by the emulator). */
export type VpGuestAction =
  | { kind: 'tdvmcall'; regs: Regs; idle?: true }
  | { kind: 'access'; gpa: bigint; write: boolean }
  | { kind: 'td-exit'; exitReason: number };

export interface VpRecord {
  tdvpr: bigint;
  tdcx: bigint[];
  state: VpState;
  index: number;
  apicId: number | null;
  initialRcx: bigint;
  associatedCpu: number | null;
  /** TD VMCS and TDVPS fields written with TDH.VP.WR. */
  fields: Map<bigint, bigint>;
  program: VpGuestAction[];
  /** The last TD exit was a TDVMCALL whose outputs the next TDH.VP.ENTER hands to the guest. */
  inTdvmcall: boolean;
  /** Registers the guest saw when its last TDVMCALL returned. */
  guestView: Regs;
  completed: number;
}

export interface TdRecord {
  tdr: bigint;
  hkid: number;
  lifecycle: TdLifecycle;
  keyPackages: Set<number>;
  tdcs: bigint[];
  opState: TdOpState;
  config: TdConfig | null;
  vcpus: Map<bigint, VpRecord>;
  /** Secure EPT pages present, as `level:gpa` of the region they map, and the pages holding them. */
  septTables: Set<string>;
  septPages: bigint[];
  /** Leaf entries by GPA (aligned to the leaf's size). */
  septLeaves: Map<bigint, SeptLeaf>;
  epoch: bigint;
  /** vCPUs TDH.VP.INIT initialised (TDCS.NUM_VCPUS): the next one's index. */
  numVcpus: number;
  /** GPAs of the 256-byte chunks TDH.MR.EXTEND measured, in order. */
  measured: bigint[];
  fatal: boolean;
}

export interface KotEntry {
  state: KotState;
  /** Packages that still have to run TDH.PHYMEM.CACHE.WB for this HKID. */
  wbinvdPending: Set<number>;
}

const TDS = 'td.records';
const KOT = 'td.kot';

export function tds(m: TdxModule): Map<bigint, TdRecord> {
  let v = m.ext.get(TDS) as Map<bigint, TdRecord> | undefined;
  if (!v) m.ext.set(TDS, (v = new Map()));
  return v;
}

export function kot(m: TdxModule, hkid: number): KotEntry {
  let table = m.ext.get(KOT) as Map<number, KotEntry> | undefined;
  if (!table) m.ext.set(KOT, (table = new Map()));
  let e = table.get(hkid);
  if (!e) table.set(hkid, (e = { state: 'FREE', wbinvdPending: new Set() }));
  return e;
}

export function allKot(m: TdxModule): Map<number, KotEntry> {
  return (m.ext.get(KOT) as Map<number, KotEntry> | undefined) ?? new Map();
}

export function pageOwners(m: TdxModule): Map<bigint, bigint> {
  let v = m.ext.get(PAGE_OWNERS) as Map<bigint, bigint> | undefined;
  if (!v) m.ext.set(PAGE_OWNERS, (v = new Map()));
  return v;
}

/**
 * pamt_get_block(): the TDMR that covers `pa`, if TDH.SYS.TDMR.INIT has initialised the GiB that
 * holds it (@src:mod-pamt-manager-1501); a page elsewhere has no PAMT entry.
 */
export function pamtTdmr(m: TdxModule, pa: bigint): TdxModule['tdmrs'][number] | undefined {
  const tdmr = m.tdmrs.find((t) => pa >= t.base && pa < t.base + t.size);
  return tdmr && pa < (tdmr.lastInitialized & ~((1n << 30n) - 1n)) ? tdmr : undefined;
}

/** The page type in the PAMT entry of a page that has one: PT_RSVD in a reserved area, else PT_NDA until TD management takes it. */
export function pageType(m: TdxModule, pa: bigint): bigint {
  const tdmr = pamtTdmr(m, pa);
  if (tdmr?.reserved.some((r) => pa >= tdmr.base + r.offset && pa < tdmr.base + r.offset + r.size)) return PAGE_TYPES.PT_RSVD;
  return pageOwners(m).get(pa) ?? PAGE_TYPES.PT_NDA;
}

export function setPageType(m: TdxModule, pa: bigint, type: bigint): void {
  if (type === PAGE_TYPES.PT_NDA) pageOwners(m).delete(pa);
  else pageOwners(m).set(pa, type);
}

export type Operand = 'RCX' | 'RDX' | 'R8' | 'R9';

/**
 * check_and_lock_explicit_private_hpa() (@src:mod-helpers-1501): a page operand must be 4 KiB
 * aligned with no HKID bits, have a PAMT entry (an initialised part of a TDMR), and that entry the
 * expected page type (a page in a reserved area is PT_RSVD: the wrong type, not the wrong range).
 */
export function checkPage(m: TdxModule, pa: bigint, operand: Operand, expected: bigint): SeamcallResult | null {
  if (pa % 4096n !== 0n || m.hasKeyIdBits(pa)) return fail(withOperand('TDX_OPERAND_INVALID', operand));
  if (!pamtTdmr(m, pa)) return fail(withOperand('TDX_OPERAND_ADDR_RANGE_ERROR', operand));
  if (pageType(m, pa) !== expected) return fail(withOperand('TDX_PAGE_METADATA_INCORRECT', operand));
  return null;
}

/** The TD a TDR operand names, after the page checks. */
export function tdOf(m: TdxModule, tdr: bigint, operand: Operand = 'RCX'): TdRecord | SeamcallResult {
  const bad = checkPage(m, tdr, operand, PAGE_TYPES.PT_TDR);
  if (bad) return bad;
  const td = tds(m).get(tdr);
  return td ?? fail(withOperand('TDX_PAGE_METADATA_INCORRECT', operand));
}

/** The vCPU a TDVPR operand names, with its TD. */
export function vpOf(m: TdxModule, tdvpr: bigint, operand: Operand = 'RCX'): { td: TdRecord; vp: VpRecord } | SeamcallResult {
  const bad = checkPage(m, tdvpr, operand, PAGE_TYPES.PT_TDVPR);
  if (bad) return bad;
  for (const td of tds(m).values()) {
    const vp = td.vcpus.get(tdvpr);
    if (vp) return { td, vp };
  }
  return fail(withOperand('TDX_PAGE_METADATA_INCORRECT', operand));
}

export const isResult = (v: unknown): v is SeamcallResult =>
  typeof v === 'object' && v !== null && 'status' in v && 'out' in v;

/** The TD must have its keys configured on every package (TD_KEYS_CONFIGURED). */
export function keysConfigured(td: TdRecord): SeamcallResult | null {
  if (td.fatal) return fail(status('TDX_TD_FATAL'));
  return td.lifecycle === 'KEYS_CONFIGURED' ? null : fail(status('TDX_TD_KEYS_NOT_CONFIGURED'));
}

/**
 * The common entry checks of the TD leaves: a TDR operand, keys configured. (No leaf checks that
 * its logical processor did TDH.SYS.LP.INIT: the module is ready only after every one did, 1.5.01
 * tdh_sys_config.c.)
 */
export function keyedTd(m: TdxModule, tdr: bigint, operand: Operand = 'RCX'): TdRecord | SeamcallResult {
  const td = tdOf(m, tdr, operand);
  if (isResult(td)) return td;
  return keysConfigured(td) ?? td;
}

/** TDCS pages the TD needs (TDCS_BASE_SIZE of the global metadata; MIN_NUM_TDCS_PAGES pages in 1.5.01). */
export const tdcsPages = (m: TdxModule): number => Number(m.build.metadata.TDCS_BASE_SIZE) / 4096;

/**
 * check_state_map_tdcs_and_lock() (@src:mod-helpers-1501): after the TDR operand, the TD's keys
 * configured, its TDCS pages all added (TDX_TDCS_NOT_ALLOCATED), and an op state in which the
 * leaf is allowed (`allowed`, from seamcall_state_lookup, @src:mod-op-state-lookup-1501), else
 * TDX_OP_STATE_INCORRECT.
 */
export function builtTd(m: TdxModule, tdr: bigint, operand: Operand, allowed: readonly TdOpState[]): TdRecord | SeamcallResult {
  const td = tdOf(m, tdr, operand);
  if (isResult(td)) return td;
  return tdInState(m, td, allowed) ?? td;
}

/** The same state checks on a TD reached through another operand (a TDVPR's owner). */
export function tdInState(m: TdxModule, td: TdRecord, allowed: readonly TdOpState[]): SeamcallResult | null {
  const keys = keysConfigured(td);
  if (keys) return keys;
  if (td.tdcs.length < tdcsPages(m) && !m.faults.has('module.tdcs-allocation-unchecked')) return fail(status('TDX_TDCS_NOT_ALLOCATED'));
  return allowed.includes(td.opState) ? null : fail(status('TDX_OP_STATE_INCORRECT'));
}

/** EPT mapping information in RCX: level in bits 2:0, GPA in bits 51:12. */
export function splitGpaLevel(rcx: bigint): { gpa: bigint; level: number } {
  return { gpa: rcx & 0x000ffffffffff000n, level: Number(rcx & 7n) };
}

/** Bytes a S-EPT entry of `level` maps (0: 4 KiB, 1: 2 MiB, 2: 1 GiB, ...). */
export const levelSize = (level: number): bigint => 4096n << BigInt(9 * level);

/**
 * One above the highest entry level: the root page (PML4 for 4-level EPT; PML5 for 5-level, as
 * TD_PARAMS.EPTP_CONTROLS chose) lives in the TDCS and holds entries of level 3 (or 4); TDH.MEM.SEPT.ADD adds the
 * pages below it, at levels 3 (4) down to 1.
 */
export const rootLevel = (td: TdRecord): number => td.config?.eptLevels ?? 4;

/** Key of the S-EPT page a level-`level` entry points to; it covers that entry's region. */
export const tableKey = (level: number, gpa: bigint): string => `${level}:${gpa - (gpa % levelSize(level))}`;

/** Whether the S-EPT has the tables needed to hold an entry of `level` at `gpa`. */
export function septWalkReaches(td: TdRecord, gpa: bigint, level: number): boolean {
  for (let l = rootLevel(td) - 1; l > level; l--) {
    if (!td.septTables.has(tableKey(l, gpa))) return false;
  }
  return true;
}

/** The shared bit of the TD's GPAs. */
export const tdSharedBit = (td: TdRecord): bigint => 1n << BigInt((td.config?.gpaw ?? 48) - 1);

/** Field id (TDH.VP.WR/RD) under which the TD VMCS keeps the shared EPT pointer (VMCS encoding 0x203C). */
export const TDVPS_SHARED_EPT_POINTER = (0x1n << 56n) | 0x203cn;

/** Field ids of the TD's virtual CPUID (TD_MD_FIELD_ID_CPUID_VALUES and the leaf/sub-leaf encoding). */
export const TD_MD_FIELD_ID_CPUID_VALUES = 0x9410000300000000n;

export function cpuidFieldId(leaf: number, subleaf: number | null, element: 0 | 1): bigint {
  let id = TD_MD_FIELD_ID_CPUID_VALUES;
  id |= BigInt((leaf & 0x80000000) !== 0 ? 1 : 0) << 16n;
  id |= BigInt(leaf & 0x7f) << 9n;
  id |= subleaf === null ? 0x1fen : BigInt(subleaf & 0x7f) << 1n;
  return id | BigInt(element);
}

export function decodeCpuidFieldId(id: bigint): { leaf: number; subleaf: number | null; element: number } | null {
  if ((id & ~0x1ffffn) !== TD_MD_FIELD_ID_CPUID_VALUES) return null;
  const high = Number((id >> 16n) & 1n);
  const leaf = (high ? 0x80000000 : 0) + Number((id >> 9n) & 0x7fn);
  const na = ((id >> 8n) & 1n) === 1n;
  return { leaf, subleaf: na ? null : Number((id >> 1n) & 0x7fn), element: Number(id & 1n) };
}

export const cpuidKey = (leaf: number, subleaf: number | null): string => `${leaf}:${subleaf ?? -1}`;
