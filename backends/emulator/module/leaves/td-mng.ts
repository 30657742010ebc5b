/**
 * TD management leaves: TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG, TDH.MNG.ADDCX, TDH.MNG.INIT,
 * TDH.MNG.RD, TDH.MNG.VPFLUSHDONE and TDH.MNG.KEY.FREEID. Checks, their order and the statuses
 * follow the module's tdh_mng_*.c handlers (@src:mod-td-leaves): the KOT entry of the HKID goes
 * FREE -> ASSIGNED (CREATE) -> FLUSHED (VPFLUSHDONE) -> FREE (KEY.FREEID, once every package
 * flushed its caches), and the TD's life cycle HKID_ASSIGNED -> KEYS_CONFIGURED -> BLOCKED ->
 * TEARDOWN.
 */
import { status, withOperand } from '../../../../spec/abi/status';
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
    vcpus: new Map(), septTables: new Set(), septPages: [], septLeaves: new Map(), epoch: 0n, measured: [], fatal: false,
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
  if (td.opState !== 'UNINITIALIZED' || td.tdcs.length >= tdcsPages(m)) return fail(status('TDX_OP_STATE_INCORRECT'));
  const bad = checkPage(m, page, 'RCX', PAGE_TYPES.PT_NDA);
  if (bad) return bad;
  if (m.platform.noEntropy('TDH.MNG.ADDCX')) return fail(status('TDX_RND_NO_ENTROPY'));
  setPageType(m, page, PAGE_TYPES.PT_TDCX);
  td.tdcs.push(page);
  return ok();
});

/** verify_td_attributes() / check_xfam(): no bit outside FIXED0, every FIXED1 bit set. */
const fits = (v: bigint, fixed0: bigint, fixed1: bigint): boolean => (v & ~fixed0) === 0n && (v & fixed1) === fixed1;

/** read_and_set_td_configurations() then the CPUID configuration, in the module's order. */
function initTd(m: TdxModule, td: TdRecord, p: TdParams): ReturnType<typeof ok> {
  const md = m.build.metadata;
  const big = (name: string): bigint => BigInt(md[name] ?? 0);
  if (!fits(p.attributes, big('ATTRIBUTES_FIXED0'), big('ATTRIBUTES_FIXED1'))) return fail(withOperand('TDX_OPERAND_INVALID', 'ATTRIBUTES'));
  if (!fits(p.xfam, big('XFAM_FIXED0'), big('XFAM_FIXED1'))) return fail(withOperand('TDX_OPERAND_INVALID', 'XFAM'));
  if (p.maxVcpus === 0 || p.maxVcpus > Number(md.MAX_VCPUS_PER_TD ?? 0xffff)) return fail(withOperand('TDX_OPERAND_INVALID', 'MAX_VCPUS'));
  if (p.reservedNonZero) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'));
  if (!fits(p.configFlags, big('CONFIG_FLAGS_FIXED0'), big('CONFIG_FLAGS_FIXED1'))) return fail(withOperand('TDX_OPERAND_INVALID', 'EXEC_CONTROLS'));
  const gpaw52 = (p.configFlags & 1n) === 1n;
  const e = p.eptpControls;
  if (e.memoryType !== 'WB' || e.pageWalkLevels !== (gpaw52 ? 5 : 4)) return fail(withOperand('TDX_OPERAND_INVALID', 'EPTP_CONTROLS'));
  // 100 MHz .. 10 GHz in units of 25 MHz.
  if (p.tscFrequency < 4 || p.tscFrequency > 400) return fail(withOperand('TDX_OPERAND_INVALID', 'TSC_FREQUENCY'));
  const cpuid = new Map<string, CpuidValue>();
  const configs = m.build.cpuidConfigs;
  for (let i = 0; i < configs.length; i++) {
    const c = configs[i];
    const v = p.cpuidValues[i] ?? { eax: 0, ebx: 0, ecx: 0, edx: 0 };
    // A bit the VMM sets must be one the module lets it configure.
    const outside = (v.eax & ~c.eax) | (v.ebx & ~c.ebx) | (v.ecx & ~c.ecx) | (v.edx & ~c.edx);
    if (outside !== 0) return fail(withOperand('TDX_OPERAND_INVALID', 'CPUID_CONFIG'), { rcx: (BigInt(c.subleaf) << 32n) | BigInt(c.leaf) });
    cpuid.set(cpuidKey(c.leaf, c.subleaf === 0xffffffff ? null : c.subleaf), { ...v });
  }
  const basic = configs.filter((c) => c.leaf < 0x80000000).map((c) => c.leaf);
  const ext = configs.filter((c) => c.leaf >= 0x80000000).map((c) => c.leaf);
  cpuid.set(cpuidKey(0, null), { eax: Math.max(0, ...basic), ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 });
  cpuid.set(cpuidKey(0x80000000, null), { eax: Math.max(0x80000000, ...ext), ebx: 0, ecx: 0, edx: 0 });
  td.config = { attributes: p.attributes, xfam: p.xfam, maxVcpus: p.maxVcpus, gpaw: gpaw52 ? 52 : 48, cpuid };
  td.opState = 'INITIALIZED';
  return ok();
}

defineLeaf('TDH.MNG.INIT', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rcx ?? 0n, 'RCX', ['UNINITIALIZED']);
  if (isResult(td)) return td;
  const paramsPa = regs.rdx ?? 0n;
  const params = paramsPa % 1024n === 0n ? m.platform.load<TdParams>(paramsPa) : undefined;
  if (!params) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'));
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
