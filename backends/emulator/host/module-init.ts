/**
 * init_tdx_module() and get_tdx_sys_info() of each kernel era (@src:tdx-c-mid, @src:gmd-c,
 * @src:tdx-c-68, @src:ml-host-v14): read the module's global metadata, check its features,
 * build TDMRs and PAMTs from the memory map, hand them to the module, configure the global KeyID
 * on every package, initialise the TDMRs, and print the PAMT total.
 */
import { elementBytes } from '../../../spec/encodings/field-id';
import { fieldElementId, globalField, TDX_FEATURES0 } from '../../../spec/abi/global-metadata';
import type { ErrnoName } from '../../../spec/abi/errno';
import { firstIndexWhere } from '../../common/lower-bound';
import type { KernelResult, MemoryRegion } from '../../port';
import type { TdmrInfo } from '../module/tdmr-checks';
import type { TdSysInfo } from '../module/leaves/metadata-leaves';
import type { EmulatedKernel } from './kernel';
import { err, ok } from '../lib/kernel-result';
import { seamcallPrerr, seamcallPrerrWhile } from './seamcall';
import {
  alignUp, fillOutTdmrs, KERNEL_TDMR_RULES, pamtKb, pamtSizes, populateReservedAreas, sortedPamtRanges, SZ_1G,
  lowExcluded, pamtTotal, tdmrNode, tdxMemlist, type Tdmr, type TdmrRules,
} from './tdmr';

export interface SysInfo {
  version: { major: number; minor: number; update: number } | null;
  features0: bigint | null;
  maxTdmrs: number;
  maxReservedPerTdmr: number;
  pamtEntrySizes: [number, number, number];
  numCpuidConfig: number | null;
  maxVcpusPerTd: number | null;
}

export interface ModuleInitState {
  status: 'uninitialized' | 'initialized' | 'error';
  memlist: MemoryRegion[];
  tdmrs: Tdmr[];
  sysinfo: SysInfo | null;
  result: KernelResult | null;
}

type Read = { value: bigint } | { errno: ErrnoName };

/** The metadata reader of the kernel's era. */
export function readSysMetadata(k: EmulatedKernel, cpu: number, id: bigint): Read {
  if (k.eras.metadata === 'sys-info') return { errno: 'EOPNOTSUPP' };
  const sixteenOnly = k.eras.metadata === '16bit-only';
  const bypass = k.faults.has('host.metadata-any-size-early');
  if (sixteenOnly && !bypass && elementBytes(id) !== 2) {
    // WARN_ON_ONCE() in read_sys_metadata_field16().
    k.log.raw('WARNING: CPU: 0 PID: 1 at arch/x86/virt/vmx/tdx/tdx.c read_sys_metadata_field16+0x40/0x60');
    return { errno: 'EINVAL' };
  }
  if (!sixteenOnly && k.faults.has('host.metadata-16bit-late') && elementBytes(id) !== 2) return { errno: 'EINVAL' };
  const r = seamcallPrerr(k, cpu, 'TDH.SYS.RD', { rdx: id }, true);
  if (r.errno) return { errno: r.errno };
  const v = r.regs.r8 ?? 0n;
  return { value: sixteenOnly ? v & 0xffffn : v };
}

class ReadError {
  constructor(readonly errno: ErrnoName) {}
}

function reader(k: EmulatedKernel, cpu: number) {
  return (name: string, index = 0, element = 0): bigint => {
    // As the kernel's generated reader does: the field's base ID plus the element's position,
    // for as many elements as the module said it has (no bound of our own).
    const f = globalField(name);
    const r = readSysMetadata(k, cpu, f.baseId + BigInt(index * f.elements + element));
    if ('errno' in r) throw new ReadError(r.errno);
    return r.value;
  };
}

/** The pre-merge TDH.SYS.INFO path: print the module information and the CMRs. */
function sysInfoLeaf(k: EmulatedKernel, cpu: number): TdSysInfo | ErrnoName {
  const infoPa = kmalloc(k, 1024n, 1024n);
  const cmrPa = kmalloc(k, 32n * 16n, 512n);
  const r = seamcallPrerr(k, cpu, 'TDH.SYS.INFO', { rcx: infoPa, rdx: 1024n, r8: cmrPa, r9: 32n }, true);
  if (r.errno) return r.errno;
  const info = k.platform.load<TdSysInfo>(infoPa)!;
  const swapped = k.faults.has('host.module-info-fields-swapped');
  const printInfo = () => k.log.print('module-info', info.attributes, info.vendorId, info.majorVersion, info.minorVersion,
    swapped ? info.buildNum : info.buildDate, swapped ? info.buildDate : info.buildNum);
  const late = k.faults.has('host.module-info-after-cmrs');
  if (!late) printInfo();
  for (const c of k.platform.load<{ base: bigint; size: bigint }[]>(cmrPa) ?? []) {
    if (c.size === 0n) break;
    k.log.print('cmr', c.base, c.base + c.size);
  }
  if (late) printInfo();
  return info;
}

/** get_tdx_sys_info() of the kernel's era. */
export function getTdxSysInfo(k: EmulatedKernel, cpu: number): SysInfo | ErrnoName {
  const eras = k.eras;
  let tdsysinfo: TdSysInfo | null = null;
  if (eras['module-info'] === 'attributes' || eras.metadata === 'sys-info') {
    const info = sysInfoLeaf(k, cpu);
    if (typeof info === 'string') return info;
    tdsysinfo = info;
  }
  if (eras.metadata === 'sys-info' && tdsysinfo) {
    // The pre-merge series took the TDMR limits from TDSYSINFO_STRUCT: no TDH.SYS.RD at all.
    const e = tdsysinfo.pamtEntrySize;
    return {
      version: { major: tdsysinfo.majorVersion, minor: tdsysinfo.minorVersion, update: 0 }, features0: null,
      maxTdmrs: tdsysinfo.maxTdmrs, maxReservedPerTdmr: tdsysinfo.maxReservedPerTdmr, pamtEntrySizes: [e, e, e],
      numCpuidConfig: null, maxVcpusPerTd: null,
    };
  }
  const rd = reader(k, cpu);
  try {
    let version: SysInfo['version'] = null;
    let features0: bigint | null = null;
    let numCpuidConfig: number | null = null;
    let maxVcpusPerTd: number | null = null;
    const moduleInfo = eras['module-info'];
    if (moduleInfo === 'version' || moduleInfo === 'build') {
      const v = { major: Number(rd('MAJOR_VERSION')), minor: Number(rd('MINOR_VERSION')), update: Number(rd('UPDATE_VERSION')) };
      version = v;
      if (moduleInfo === 'version' && !k.faults.has('host.version-print-late')) k.log.print('module-info', v.major, v.minor, v.update);
      if (moduleInfo === 'build') {
        const [num, date] = [rd('BUILD_NUM'), rd('BUILD_DATE')];
        const swapped = k.faults.has('host.module-info-fields-swapped');
        k.log.print('module-info', v.major, v.minor, v.update, rd('INTERNAL_VERSION'), swapped ? date : num, swapped ? num : date);
      }
    }
    if (eras.metadata === 'any-size') features0 = rd('TDX_FEATURES0');
    const maxTdmrs = Number(rd('MAX_TDMRS'));
    const maxReservedPerTdmr = Number(rd('MAX_RESERVED_PER_TDMR'));
    const pamtEntrySizes: SysInfo['pamtEntrySizes'] = [Number(rd('PAMT_4K_ENTRY_SIZE')), Number(rd('PAMT_2M_ENTRY_SIZE')), Number(rd('PAMT_1G_ENTRY_SIZE'))];
    if (eras['kvm-tdx'] === 'mainline' && eras.metadata === 'any-size') {
      for (const f of ['TDR_BASE_SIZE', 'TDCS_BASE_SIZE', 'TDVPS_BASE_SIZE', 'ATTRIBUTES_FIXED0', 'ATTRIBUTES_FIXED1', 'XFAM_FIXED0', 'XFAM_FIXED1']) rd(f);
      numCpuidConfig = Number(rd('NUM_CPUID_CONFIG'));
      maxVcpusPerTd = Number(rd('MAX_VCPUS_PER_TD'));
      // The kernel sizes its arrays at 128 entries and refuses a module that reports more.
      const limit = k.faults.has('host.cpuid-config-limit-off-by-one') ? 127 : 128;
      if (numCpuidConfig > limit) return 'EINVAL';
      for (let i = 0; i < numCpuidConfig; i++) {
        rd('CPUID_CONFIG_LEAVES', i);
        rd('CPUID_CONFIG_VALUES', i, 0);
        rd('CPUID_CONFIG_VALUES', i, 1);
      }
    }
    return { version, features0, maxTdmrs, maxReservedPerTdmr, pamtEntrySizes, numCpuidConfig, maxVcpusPerTd };
  } catch (e) {
    if (e instanceof ReadError) return e.errno;
    throw e;
  }
}

/** A small kernel allocation for structures handed to the module by physical address. */
export function kmalloc(k: EmulatedKernel, size: bigint, align: bigint): bigint {
  const base = alignUp(k.heapNext, align);
  k.heapNext = base + size;
  return base;
}

function tdmrRules(k: EmulatedKernel): TdmrRules {
  return {
    alignment: k.faults.has('host.tdmr-2m-alignment') ? 2n << 20n : KERNEL_TDMR_RULES.alignment,
    pamtRounding: k.faults.has('host.pamt-no-4k-rounding') ? 1n : KERNEL_TDMR_RULES.pamtRounding,
    lowExclusion: k.faults.has('host.low-1m-included') ? 0n : KERNEL_TDMR_RULES.lowExclusion,
    page: k.faults.has('host.memlist-byte-granular') ? 1n : KERNEL_TDMR_RULES.page,
  };
}

/** The memlist with the fault that merges contiguous regions of different nodes. */
function memlistFor(k: EmulatedKernel, rules: TdmrRules): MemoryRegion[] {
  // host.memlist-firmware-order: the regions in the order the platform listed them.
  const list = k.faults.has('host.memlist-firmware-order') ? lowExcluded(k.platform.config.memory, rules) : tdxMemlist(k.platform.config.memory, rules);
  if (k.faults.has('host.tdmr-per-node-merge')) {
    const merged: MemoryRegion[] = [];
    for (const r of list) {
      const last = merged[merged.length - 1];
      if (last && last.end === r.base) last.end = r.end;
      else merged.push({ ...r });
    }
    return merged;
  }
  return list;
}

/**
 * alloc_contig_pages() on the TDMR's node, modelled as a bump allocator per node starting at the
 * node's first memory above 4 GiB (ZONE_NORMAL), falling back to the node's other memory and
 * then to other nodes.
 */
export class PamtAllocator {
  /** Allocated ranges, in address order. */
  private readonly used: { base: bigint; end: bigint }[] = [];
  /** Each node's regions above and below 4 GiB, in address order (built in one pass). */
  private readonly byNode = new Map<number, { high: MemoryRegion[]; low: MemoryRegion[] }>();

  constructor(private readonly memlist: readonly MemoryRegion[]) {
    for (const r of memlist) {
      let n = this.byNode.get(r.node);
      if (!n) this.byNode.set(r.node, (n = { high: [], low: [] }));
      (r.base < 4n * SZ_1G ? n.low : n.high).push(r);
    }
  }

  /**
   * This node above 4 GiB, this node below, then (with fallback, as the zonelist of
   * alloc_contig_pages() goes on to the other nodes) other nodes above, other nodes below; each in
   * address order.
   */
  private *regionsFor(node: number, fallback: boolean): Generator<MemoryRegion> {
    const own = this.byNode.get(node);
    if (own) {
      yield* own.high;
      yield* own.low;
    }
    if (!fallback) return;
    // Other nodes only when the TDMR's own node is full (rare): filtered as needed.
    for (const r of this.memlist) if (r.node !== node && r.base >= 4n * SZ_1G) yield r;
    for (const r of this.memlist) if (r.node !== node && r.base < 4n * SZ_1G) yield r;
  }

  alloc(size: bigint, node: number, fallback = true): bigint | null {
    const used = this.used;
    for (const r of this.regionsFor(node, fallback)) {
      // The memlist's regions are whole pages, so the first fit is page-aligned too.
      let start = r.base;
      // `used` is sorted and disjoint: skip, by binary search, the ranges that end at or below
      // `start`; each later one in the way moves `start` past it.
      let i = firstIndexWhere(used, (u) => u.end > start);
      for (; i < used.length && used[i].base < start + size; i++) if (used[i].end > start) start = used[i].end;
      if (start + size <= r.end) {
        used.splice(i, 0, { base: start, end: start + size });
        return start;
      }
    }
    return null;
  }
}

export interface TdmrLimits {
  maxTdmrs: number;
  maxReservedPerTdmr: number;
  pamtEntrySizes: [number, number, number];
}

export type Layout = { ok: true; tdmrs: Tdmr[]; memlist: MemoryRegion[] } | { ok: false; errno: ErrnoName };

/** construct_tdmrs(): TDMRs, their PAMTs and reserved areas for the platform's memory. */
export function buildLayout(k: EmulatedKernel, limits: TdmrLimits, quiet = false): Layout {
  const log = (f: () => void) => { if (!quiet) f(); };
  const rules = tdmrRules(k);
  const memlist = memlistFor(k, rules);
  if (!quiet) k.init.memlist = memlist;
  const maxTdmrs = k.faults.has('host.tdmrs-unbounded') ? Number.MAX_SAFE_INTEGER : limits.maxTdmrs;
  const fill = fillOutTdmrs(memlist, maxTdmrs, rules);
  if (!fill) {
    log(() => k.log.print('tdmrs-exhausted'));
    return { ok: false, errno: 'ENOSPC' };
  }
  // (Under host.tdmrs-unbounded the limit is never near.)
  if (fill.nearLimit && !k.faults.has('host.tdmr-limit-warning-missing')) {
    log(() => k.log.print('tdmrs-near-limit', fill.tdmrs.length, limits.maxTdmrs));
  }
  const tdmrs = fill.tdmrs;
  const entrySizes: [number, number, number] = k.faults.has('host.pamt-entry-size-8') ? [8, 8, 8] : limits.pamtEntrySizes;
  const pamts = new PamtAllocator(memlist);
  for (const t of tdmrs) {
    const node = k.faults.has('host.pamt-node-end-inclusive') ? memlist.find((m) => m.end >= t.base)!.node : tdmrNode(t, memlist);
    const sizes = pamtSizes(t.size, entrySizes, rules);
    const base = pamts.alloc(sizes[0] + sizes[1] + sizes[2], node, !k.faults.has('host.pamt-no-node-fallback'));
    if (base === null) return { ok: false, errno: 'ENOMEM' };
    t.pamt = { base, sizes };
  }
  const maxReserved = k.faults.has('host.reserved-unbounded') ? Number.MAX_SAFE_INTEGER : limits.maxReservedPerTdmr;
  const pamtRanges = sortedPamtRanges(tdmrs);
  for (const t of tdmrs) {
    const holesFree = k.faults.has('host.holes-not-reserved') ? [{ base: t.base, end: t.base + t.size, node: 0 }] : memlist;
    if (!populateReservedAreas(t, holesFree, pamtRanges, maxReserved)) {
      log(() => k.log.print('reserved-areas-exhausted', t.base, t.base + t.size));
      return { ok: false, errno: 'ENOSPC' };
    }
  }
  return { ok: true, tdmrs, memlist };
}

/** Place TDMR_INFO entries and the array of their addresses in memory (config_tdx_module()). */
export function placeTdmrs(k: EmulatedKernel, tdmrs: readonly { base: bigint; size: bigint; pamt: { base4k: bigint; size4k: bigint; base2m: bigint; size2m: bigint; base1g: bigint; size1g: bigint }; reserved: { offset: bigint; size: bigint }[] }[]): bigint {
  const pas: bigint[] = [];
  for (const t of tdmrs) {
    const pa = kmalloc(k, 512n, 512n);
    const p = t.pamt;
    k.platform.store(pa, {
      base: t.base, size: t.size,
      pamt4kBase: p.base4k, pamt4kSize: p.size4k, pamt2mBase: p.base2m, pamt2mSize: p.size2m,
      pamt1gBase: p.base1g, pamt1gSize: p.size1g,
      reserved: t.reserved.map((r) => ({ ...r })),
    } satisfies TdmrInfo);
    pas.push(pa);
  }
  // The kernel rounds the array's size up to a power of two of at least 512 bytes so that kzalloc()
  // aligns it to TDMR_INFO_PA_ARRAY_ALIGNMENT (512); kmalloc() here takes the alignment itself.
  const arrayPa = kmalloc(k, BigInt(tdmrs.length * 8), 512n);
  k.platform.store(arrayPa, pas);
  return arrayPa;
}

/** The view of a kernel TDMR the port shares. */
export function tdmrView(t: Tdmr) {
  const p = t.pamt!;
  return {
    base: t.base, size: t.size,
    pamt: {
      base4k: p.base, size4k: p.sizes[0], base2m: p.base + p.sizes[0], size2m: p.sizes[1],
      base1g: p.base + p.sizes[0] + p.sizes[1], size1g: p.sizes[2],
    },
    reserved: t.reserved.map((r) => ({ ...r })),
  };
}

export function initTdxModule(k: EmulatedKernel): KernelResult {
  const cpu = k.cpus.findIndex((c) => c.online && c.tdxEnabled);
  if (cpu < 0) return err('EINVAL');
  const si = getTdxSysInfo(k, cpu);
  if (typeof si === 'string') return err(si);
  k.init.sysinfo = si;

  if (k.eras['feature-check'] === 'no-rbp-mod' && !k.faults.has('host.no-rbp-mod-ignored')) {
    if (si.features0 === null || (si.features0 & (1n << BigInt(TDX_FEATURES0.NO_RBP_MOD))) === 0n) {
      k.log.print('no-rbp-mod');
      return err('EINVAL');
    }
  }

  const freeAll = (r: KernelResult): KernelResult => {
    k.init.memlist = [];
    k.init.tdmrs = [];
    return r;
  };
  const layout = buildLayout(k, si);
  if (!layout.ok) return freeAll(err(layout.errno));
  const tdmrs = layout.tdmrs;
  k.init.tdmrs = tdmrs;
  const arrayPa = placeTdmrs(k, tdmrs.map(tdmrView));
  const cfg = seamcallPrerr(k, cpu, 'TDH.SYS.CONFIG', { rcx: arrayPa, rdx: BigInt(tdmrs.length), r8: BigInt(k.tdx!.globalKeyId) }, false);
  const pamtRanges = tdmrs.map((t) => ({ base: t.pamt!.base, end: t.pamt!.base + pamtTotal(t.pamt!) }));
  // err_free_pamts: the module never used the PAMTs; they go back as they are.
  if (cfg.errno) {
    k.initCleanup = { cachesFlushed: false, movdir64bRanges: [], pamtRanges, pamtFreed: true };
    return freeAll(err(cfg.errno));
  }

  // config_global_keyid(): flush KeyID-0 cache lines, then one CPU per package.
  k.wbinvdAll();
  // for_each_online_cpu(), skipping CPUs of a package already done; the first failure stops it.
  const done = new Set<number>();
  let keyResult: ErrnoName | null = null;
  for (let c = 0; c < k.cpus.length && !keyResult; c++) {
    if (!k.cpus[c].online) continue;
    const pkg = k.platform.packageOf(c);
    if (done.has(pkg)) continue;
    done.add(pkg);
    keyResult = seamcallPrerr(k, c, 'TDH.SYS.KEY.CONFIG', {}, false).errno;
  }
  // err_reset_pamts: the module may have written the PAMTs with the global KeyID. Write back every
  // cache, then turn the PAMT pages back into ordinary memory with MOVDIR64B: on every platform
  // in v6.16.1 (tdmrs_reset_pamt_all(), "as suggested by the TDX spec"), only on erratum platforms
  // in 2026 (tdmrs_quirk_reset_pamt_all()); then free them.
  const resetPamts = (e: ErrnoName): KernelResult => {
    k.wbinvdAll();
    const reset = (k.eras['pamt-reset'] === 'always' || k.cpuBugs.has('tdx_pw_mce')) && !k.faults.has('host.pamt-not-reset');
    k.initCleanup = { cachesFlushed: true, movdir64bRanges: reset ? pamtRanges.map((r) => ({ ...r })) : [], pamtRanges, pamtFreed: true };
    return freeAll(err(e));
  };
  if (keyResult) return resetPamts(keyResult);

  // init_tdmr(): TDH.SYS.TDMR.INIT again and again until RDX reaches the TDMR's end.
  for (const t of tdmrs) {
    const r = seamcallPrerrWhile(k, cpu, 'TDH.SYS.TDMR.INIT', { rcx: t.base }, { reg: 'rdx', below: t.base + t.size }, true);
    if (r.errno) return resetPamts(r.errno);
  }
  k.log.print('pamt-allocated', pamtKb(tdmrs));
  return ok;
}

