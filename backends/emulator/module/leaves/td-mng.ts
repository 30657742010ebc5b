/**
 * TD management leaves: TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG, TDH.MNG.ADDCX, TDH.MNG.INIT,
 * TDH.MNG.RD, TDH.MNG.VPFLUSHDONE and TDH.MNG.KEY.FREEID. Checks, their order and the statuses
 * follow the module's tdh_mng_*.c handlers (@src:mod-td-leaves): the KOT entry of the HKID goes
 * FREE -> ASSIGNED (CREATE) -> FLUSHED (VPFLUSHDONE) -> FREE (KEY.FREEID, once every package
 * flushed its caches), and the TD's life cycle HKID_ASSIGNED -> KEYS_CONFIGURED -> BLOCKED ->
 * TEARDOWN.
 */
import { status, withOperand } from '../../../../spec/abi/status';
import type { TdParamsReserved } from '../../../host-facet';
import { defineLeaf, fail, ok, type TdxModule } from '../module';
import { PAGE_TYPES } from './phymem';
import { builtTd, checkPage, cpuidKey, type CpuidValue, decodeCpuidFieldId, isResult, keyedTd, kot, setPageType, tdcsPages, tdOf, type TdParams, type TdRecord, tds } from './td-state';

const NA = (1n << 64n) - 1n;

defineLeaf('TDH.MNG.CREATE', ({ module: m, regs }) => {
  const tdr = regs.rcx ?? 0n;
  const hkidInfo = regs.rdx ?? 0n;
  const hkid = Number(hkidInfo & 0xffffn);
  const range = m.privateHkidRange;
  const max = m.faults.has('module.create-hkid-past-range') ? range.max + 1 : range.max;
  if (hkidInfo >> 16n !== 0n || hkid < range.min || hkid > max) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'));
  const bad = checkPage(m, tdr, 'RCX', PAGE_TYPES.PT_NDA);
  if (bad) return bad;
  const entry = kot(m, hkid);
  if (entry.state !== 'FREE') return fail(status('TDX_HKID_NOT_FREE'));
  // generate_256bit_random() for the TD's UUID (tdh_mng_create.c), before anything is assigned.
  if (m.platform.noEntropy('TDH.MNG.CREATE')) return fail(status('TDX_RND_NO_ENTROPY'));
  entry.state = 'ASSIGNED';
  setPageType(m, tdr, PAGE_TYPES.PT_TDR);
  tds(m).set(tdr, {
    tdr, hkid, lifecycle: 'HKID_ASSIGNED', keyPackages: new Set(), tdcs: [], opState: 'UNINITIALIZED', config: null,
    vcpus: new Map(), septTables: new Set(), septPages: [], septLeaves: new Map(), epoch: 0n, numVcpus: 0, measured: [], fatal: false,
  });
  return ok();
});

defineLeaf('TDH.MNG.KEY.CONFIG', ({ module: m, cpu, regs }) => {
  const td = tdOf(m, regs.rcx ?? 0n);
  if (isResult(td)) return td;
  if (td.fatal) return fail(status('TDX_TD_FATAL'));
  if (td.lifecycle !== 'HKID_ASSIGNED') return fail(status('TDX_LIFECYCLE_STATE_INCORRECT'));
  const pkg = m.packageOf(cpu);
  if (td.keyPackages.has(pkg) && !m.faults.has('module.key-config-twice-per-package')) return fail(status('TDX_KEY_CONFIGURED'));
  td.keyPackages.add(pkg);
  if (td.keyPackages.size === m.numPkgs) td.lifecycle = 'KEYS_CONFIGURED';
  return ok();
});

defineLeaf('TDH.MNG.ADDCX', ({ module: m, regs }) => {
  const page = regs.rcx ?? 0n;
  const td = keyedTd(m, regs.rdx ?? 0n, 'RDX');
  if (isResult(td)) return td;
  // tdh_mng_add_cx.c: up to MAX_NUM_TDCS_PAGES, the TDCS_BASE_SIZE pages and those of three L2
  // VMs (TDX_TDCX_NUM_INCORRECT), then the page; the last base page draws the migration key's
  // entropy, and a page past the base ones is taken only before TDH.MNG.INIT.
  const min = tdcsPages(m);
  const max = min + MAX_L2_VMS * (Number(m.build.metadata.TDCS_SIZE_PER_L2_VM) / 4096);
  if (td.tdcs.length >= max && !m.faults.has('module.tdcs-pages-unbounded')) return fail(status('TDX_TDCX_NUM_INCORRECT'));
  const bad = checkPage(m, page, 'RCX', PAGE_TYPES.PT_NDA);
  if (bad) return bad;
  if (td.tdcs.length + 1 === min && m.platform.noEntropy('TDH.MNG.ADDCX')) return fail(status('TDX_RND_NO_ENTROPY'));
  if (td.tdcs.length + 1 > min && td.opState !== 'UNINITIALIZED') return fail(status('TDX_OP_STATE_INCORRECT'));
  setPageType(m, page, PAGE_TYPES.PT_TDCX);
  td.tdcs.push(page);
  return ok();
});

/** No bit outside FIXED0, every FIXED1 bit set. */
const fits = (v: bigint, fixed0: bigint, fixed1: bigint): boolean => (v & ~fixed0) === 0n && (v & fixed1) === fixed1;
const bit = (v: bigint, n: number): boolean => ((v >> BigInt(n)) & 1n) === 1n;

/** verify_td_attributes(): the fixed bits; a migratable TD (bit 29) can be neither DEBUG (bit 0) nor PERFMON (bit 63). */
function attributesOk(v: bigint, fixed0: bigint, fixed1: bigint): boolean {
  return fits(v, fixed0, fixed1) && !(bit(v, 29) && (bit(v, 0) || bit(v, 63)));
}

/**
 * check_xfam(): the fixed bits, then the state components that go together: AVX-512 (opmask 5,
 * ZMM_Hi256 6, Hi16_ZMM 7) all or none and only with AVX (2), CET user (11) and supervisor (12)
 * both or neither, AMX TILECFG (17) and TILEDATA (18) both or neither.
 */
function xfamOk(v: bigint, fixed0: bigint, fixed1: bigint, pairsUnchecked: boolean): boolean {
  return fits(v, fixed0, fixed1) && !(bit(v, 5) && !bit(v, 2)) && bit(v, 5) === bit(v, 6) && bit(v, 5) === bit(v, 7)
    && (pairsUnchecked || (bit(v, 11) === bit(v, 12) && bit(v, 17) === bit(v, 18)));
}

/** MIN_PA_FOR_PML5: a 5-level EPT needs a physical address width of at least 49 bits. */
const MIN_PA_FOR_PML5 = 49;
/** MAX_L2_VMS: four VMs, the TD itself and three L2 VMs. */
const MAX_L2_VMS = 3;
const MT_WB = 6n;

/**
 * verify_and_set_td_eptp_controls(): write-back memory type, a page-walk length of 4 or 5 (the
 * field holds one less), no A/D or supervisor shadow-stack control, zero reserved bits and root
 * address; 5 levels only with a physical address width of at least 49 bits; GPAW 52 only with 5
 * levels. The CPUs of every profile support a 5-level EPT.
 */
function eptLevelsOf(m: TdxModule, eptp: bigint, gpaw52: boolean): 4 | 5 | null {
  const levels = Number((eptp >> 3n) & 7n) + 1;
  if ((eptp & 7n) !== MT_WB || levels < 4 || levels > 5 || (eptp >> 6n) !== 0n) return null;
  if (levels === 5 && m.platform.config.physAddrBits < MIN_PA_FOR_PML5) return null;
  if (gpaw52 && levels < 5) return null;
  return levels === 5 ? 5 : 4;
}

const reservedSet = (p: TdParams, area: TdParamsReserved): boolean => (p.nonZeroReserved ?? []).includes(area);

/** read_and_set_td_configurations() then read_and_set_cpuid_configurations(), in the module's order (tdh_mng_init.c). */
function initTd(m: TdxModule, td: TdRecord, p: TdParams): ReturnType<typeof ok> {
  const md = m.build.metadata;
  const big = (name: string): bigint => BigInt(md[name] ?? 0);
  const invalid = (operand: Parameters<typeof withOperand>[1]) => fail(withOperand('TDX_OPERAND_INVALID', operand), { rcx: 0n });
  if (!attributesOk(p.attributes, big('ATTRIBUTES_FIXED0'), big('ATTRIBUTES_FIXED1'))) return invalid('ATTRIBUTES');
  if (!xfamOk(p.xfam, big('XFAM_FIXED0'), big('XFAM_FIXED1'), m.faults.has('module.xfam-pairs-unchecked'))) return invalid('XFAM');
  // Builds that define MAX_VCPUS_PER_TD also bound MAX_VCPUS by it (2.0.08); 1.5.01 only refuses 0.
  const perTd = m.build.globalFields.includes('MAX_VCPUS_PER_TD') ? Number(md.MAX_VCPUS_PER_TD) : 0xffff;
  if (p.maxVcpus === 0 || p.maxVcpus > perTd) return invalid('MAX_VCPUS');
  if (p.numL2Vms > MAX_L2_VMS) return invalid('NUM_L2_VMS');
  // is_required_tdcs_allocated(): the TDCS pages of the TD and of each L2 VM.
  if (td.tdcs.length < tdcsPages(m) + p.numL2Vms * (Number(md.TDCS_SIZE_PER_L2_VM) / 4096)) return fail(status('TDX_TDCS_NOT_ALLOCATED'), { rcx: 0n });
  if (reservedSet(p, 'RESERVED_0')) return invalid('RDX');
  if (!fits(p.configFlags, big('CONFIG_FLAGS_FIXED0'), big('CONFIG_FLAGS_FIXED1'))) return invalid('EXEC_CONTROLS');
  const gpaw52 = (p.configFlags & 1n) === 1n;
  const eptLevels = eptLevelsOf(m, p.eptpControls, gpaw52);
  if (eptLevels === null) return invalid('EPTP_CONTROLS');
  // VIRT_TSC_FREQUENCY_MIN .. _MAX: 100 MHz .. 10 GHz in units of 25 MHz.
  if (p.tscFrequency < 4 || p.tscFrequency > (m.faults.has('module.tsc-frequency-past-max') ? 401 : 400)) return invalid('TSC_FREQUENCY');
  if (reservedSet(p, 'RESERVED_1') || (p.msrConfigCtls & 0xfe) !== 0 || reservedSet(p, 'RESERVED_2')) return invalid('RDX');
  const cpuid = new Map<string, CpuidValue>();
  const configs = m.build.cpuidConfigs;
  for (let i = 0; i < configs.length; i++) {
    const c = configs[i];
    const v = p.cpuidConfig[i] ?? { eax: 0, ebx: 0, ecx: 0, edx: 0 };
    // A bit the VMM sets must be one the module lets it configure; RCX names the leaf and sub-leaf.
    const outside = (v.eax & ~c.eax) | (v.ebx & ~c.ebx) | (v.ecx & ~c.ecx) | (v.edx & ~c.edx);
    if (outside !== 0) return fail(withOperand('TDX_OPERAND_INVALID', 'CPUID_CONFIG'), { rcx: (BigInt(c.subleaf) << 32n) | BigInt(c.leaf) });
    cpuid.set(cpuidKey(c.leaf, c.subleaf === 0xffffffff ? null : c.subleaf), { eax: v.eax, ebx: v.ebx, ecx: v.ecx, edx: v.edx });
  }
  if (reservedSet(p, 'RESERVED_3')) return invalid('RDX');
  const basic = configs.filter((c) => c.leaf < 0x80000000).map((c) => c.leaf);
  const ext = configs.filter((c) => c.leaf >= 0x80000000).map((c) => c.leaf);
  cpuid.set(cpuidKey(0, null), { eax: Math.max(0, ...basic), ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 });
  cpuid.set(cpuidKey(0x80000000, null), { eax: Math.max(0x80000000, ...ext), ebx: 0, ecx: 0, edx: 0 });
  td.config = { attributes: p.attributes, xfam: p.xfam, maxVcpus: p.maxVcpus, gpaw: gpaw52 ? 52 : 48, numL2Vms: p.numL2Vms, eptLevels, cpuid };
  td.opState = 'INITIALIZED';
  return ok({ rcx: 0n });
}

defineLeaf('TDH.MNG.INIT', ({ module: m, regs }) => {
  // The module clears RCX (its extended error information) before any check.
  const td = builtTd(m, regs.rcx ?? 0n, 'RCX', ['UNINITIALIZED']);
  if (isResult(td)) return { status: td.status, out: { ...td.out, rcx: 0n } };
  const paramsPa = regs.rdx ?? 0n;
  const params = paramsPa % 1024n === 0n ? m.platform.load<TdParams>(paramsPa) : undefined;
  if (!params) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'), { rcx: 0n });
  return initTd(m, td, params);
});

defineLeaf('TDH.MNG.RD', ({ module: m, regs }) => {
  const td = tdOf(m, regs.rcx ?? 0n);
  if (isResult(td)) return td;
  if (td.opState === 'UNINITIALIZED' || !td.config) return fail(status('TDX_OP_STATE_INCORRECT'), { r8: 0n });
  const f = decodeCpuidFieldId(regs.rdx ?? 0n);
  const v = f ? td.config.cpuid.get(cpuidKey(f.leaf, f.subleaf)) : undefined;
  if (!f || !v) return fail(status('TDX_METADATA_FIELD_ID_INCORRECT'), { rdx: NA, r8: 0n });
  const value = f.element === 0 ? (BigInt(v.ebx >>> 0) << 32n) | BigInt(v.eax >>> 0) : (BigInt(v.edx >>> 0) << 32n) | BigInt(v.ecx >>> 0);
  return ok({ r8: value });
});

defineLeaf('TDH.MNG.VPFLUSHDONE', ({ module: m, regs }) => {
  const td = tdOf(m, regs.rcx ?? 0n);
  if (isResult(td)) return td;
  if (td.lifecycle !== 'KEYS_CONFIGURED' && td.lifecycle !== 'HKID_ASSIGNED') return fail(status('TDX_LIFECYCLE_STATE_INCORRECT'));
  if ([...td.vcpus.values()].some((v) => v.associatedCpu !== null)) return fail(status('TDX_FLUSHVP_NOT_DONE'));
  const entry = kot(m, td.hkid);
  entry.wbinvdPending = new Set(Array.from({ length: m.numPkgs }, (_, i) => i));
  entry.state = 'FLUSHED';
  td.lifecycle = 'BLOCKED';
  return ok();
});

defineLeaf('TDH.MNG.KEY.FREEID', ({ module: m, regs }) => {
  const td = tdOf(m, regs.rcx ?? 0n);
  if (isResult(td)) return td;
  if (td.lifecycle !== 'BLOCKED') return fail(status('TDX_LIFECYCLE_STATE_INCORRECT'));
  const entry = kot(m, td.hkid);
  if (entry.wbinvdPending.size !== 0 && !m.faults.has('module.freeid-before-cache-wb')) return fail(status('TDX_WBCACHE_NOT_COMPLETE'));
  entry.state = 'FREE';
  td.lifecycle = 'TEARDOWN';
  return ok();
});
