/**
 * TD private memory leaves: TDH.MEM.SEPT.ADD, TDH.MEM.PAGE.ADD, TDH.MEM.PAGE.AUG,
 * TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE, TDH.MR.EXTEND and TDH.MR.FINALIZE
 * (@src:mod-td-leaves). PAGE.ADD and MR.EXTEND build the initial image before TDH.MR.FINALIZE;
 * PAGE.AUG adds pages (pending until the guest accepts them) once the TD runs. RCX carries the
 * GPA and the S-EPT level of the entry (0: 4 KiB, 1: 2 MiB, ...).
 */
import { status, withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok, type SeamcallResult, type TdxModule } from '../module';
import { PAGE_TYPES } from './phymem';
import { builtTd, checkPage, isResult, levelSize, rootLevel, septWalkReaches, setPageType, splitGpaLevel, tableKey, type TdRecord, tdSharedBit } from './td-state';

const entryState = (): SeamcallResult => fail(withOperand('TDX_EPT_ENTRY_STATE_INCORRECT', 'RCX'));
const walkFailed = (): SeamcallResult => fail(withOperand('TDX_EPT_WALK_FAILED', 'RCX'));

const BUILT = ['INITIALIZED'] as const;
const BUILT_OR_RUNNING = ['INITIALIZED', 'RUNNABLE'] as const;

/**
 * verify_page_info_input() and check_gpa_validity(): RCX's reserved bits (11:3, 63:52) zero, a
 * level the leaf takes, the GPA aligned to the entry's size, inside the TD's GPA width and private.
 */
function badGpa(td: TdRecord, rcx: bigint, minLevel: number, maxLevel: number, sharedOk = false): SeamcallResult | null {
  const { gpa, level } = splitGpaLevel(rcx);
  const width = BigInt(td.config?.gpaw ?? 48);
  const reserved = (rcx & 0xff8n) !== 0n || (rcx >> 52n) !== 0n;
  if (reserved || level < minLevel || level > maxLevel || gpa % levelSize(level) !== 0n) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  if (gpa >= 1n << width || ((gpa & tdSharedBit(td)) !== 0n && !sharedOk)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  return null;
}

/** A leaf that overlaps [gpa, gpa + size). */
function overlappingLeaf(td: TdRecord, gpa: bigint, size: bigint): bigint | undefined {
  for (const [base, leaf] of td.septLeaves) if (base < gpa + size && gpa < base + levelSize(leaf.level)) return base;
  return undefined;
}

defineLeaf('TDH.MEM.SEPT.ADD', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', BUILT_OR_RUNNING);
  if (isResult(td)) return td;
  const { gpa, level } = splitGpaLevel(regs.rcx ?? 0n);
  const bad = badGpa(td, regs.rcx ?? 0n, 1, rootLevel(td) - 1, m.faults.has('module.sept-add-shared-gpa'));
  if (bad) return bad;
  if (!septWalkReaches(td, gpa, level)) return walkFailed();
  if (td.septTables.has(tableKey(level, gpa))) return entryState();
  const page = regs.r8 ?? 0n;
  const pageBad = checkPage(m, page, 'R8', PAGE_TYPES.PT_NDA);
  if (pageBad) return pageBad;
  setPageType(m, page, PAGE_TYPES.PT_EPT);
  td.septTables.add(tableKey(level, gpa));
  td.septPages.push(page);
  return ok();
});

/**
 * Common part of PAGE.ADD and PAGE.AUG: a private GPA, a reachable and free leaf, PAGE.ADD's source
 * page in R9 (tdh_mem_page_add.c checks it before the page in R8), a free page.
 */
function addLeaf(m: TdxModule, td: TdRecord, rcx: bigint, page: bigint, maxLevel: number, source?: bigint): { gpa: bigint; level: number } | SeamcallResult {
  const { gpa, level } = splitGpaLevel(rcx);
  const bad = badGpa(td, rcx, 0, maxLevel);
  if (bad) return bad;
  if (!septWalkReaches(td, gpa, level)) return walkFailed();
  if (overlappingLeaf(td, gpa, levelSize(level)) !== undefined) return entryState();
  const sourceBad = source !== undefined && (source % 4096n !== 0n || m.hasKeyIdBits(source));
  const targetFirst = m.faults.has('module.page-add-target-before-source');
  if (sourceBad && !targetFirst) return fail(withOperand('TDX_OPERAND_INVALID', 'R9'));
  const pageBad = checkPage(m, page, 'R8', PAGE_TYPES.PT_NDA);
  if (pageBad) return pageBad;
  if (sourceBad) return fail(withOperand('TDX_OPERAND_INVALID', 'R9'));
  return { gpa, level };
}

defineLeaf('TDH.MEM.PAGE.ADD', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', BUILT);
  if (isResult(td)) return td;
  const page = regs.r8 ?? 0n;
  const source = regs.r9 ?? 0n;
  const at = addLeaf(m, td, regs.rcx ?? 0n, page, 0, source);
  if (isResult(at)) return at;
  setPageType(m, page, PAGE_TYPES.PT_REG);
  td.septLeaves.set(at.gpa, { level: at.level, hpa: page, state: 'MAPPED' });
  return ok();
});

defineLeaf('TDH.MEM.PAGE.AUG', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', BUILT_OR_RUNNING);
  if (isResult(td)) return td;
  const page = regs.r8 ?? 0n;
  const at = addLeaf(m, td, regs.rcx ?? 0n, page, 1);
  if (isResult(at)) return at;
  setPageType(m, page, PAGE_TYPES.PT_REG);
  td.septLeaves.set(at.gpa, { level: at.level, hpa: page, state: 'PENDING' });
  return ok();
});

/** The leaf RCX names exactly (same GPA and level). */
function leafAt(td: TdRecord, rcx: bigint): { gpa: bigint; leaf: NonNullable<ReturnType<TdRecord['septLeaves']['get']>> } | SeamcallResult {
  const { gpa, level } = splitGpaLevel(rcx);
  if (!septWalkReaches(td, gpa, level)) return walkFailed();
  const leaf = td.septLeaves.get(gpa);
  if (!leaf || leaf.level !== level) return entryState();
  return { gpa, leaf };
}

defineLeaf('TDH.MEM.RANGE.BLOCK', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', BUILT_OR_RUNNING);
  if (isResult(td)) return td;
  const at = leafAt(td, regs.rcx ?? 0n);
  if (isResult(at)) return at;
  // A blocked entry is not blocked again: a warning, not an error (tdh_mem_range_block.c).
  if (at.leaf.state === 'BLOCKED') return fail(withOperand('TDX_GPA_RANGE_ALREADY_BLOCKED', 'RCX'));
  at.leaf.state = 'BLOCKED';
  at.leaf.blockedAtEpoch = td.epoch;
  return ok();
});

defineLeaf('TDH.MEM.TRACK', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rcx ?? 0n, 'RCX', BUILT_OR_RUNNING);
  if (isResult(td)) return td;
  td.epoch++;
  return ok();
});

defineLeaf('TDH.MEM.PAGE.REMOVE', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', BUILT_OR_RUNNING);
  if (isResult(td)) return td;
  const at = leafAt(td, regs.rcx ?? 0n);
  if (isResult(at)) return at;
  // tdh_mem_page_remove.c: only a TD that may run (RUNNABLE) needs the page blocked and the TLBs
  // tracked since (is_tlb_tracked(): blocked in an epoch before the TD's current one); while the
  // image is built any leaf is removed at once.
  if (td.opState === 'RUNNABLE' && !m.faults.has('module.page-remove-untracked')) {
    if (at.leaf.state !== 'BLOCKED') return fail(withOperand('TDX_GPA_RANGE_NOT_BLOCKED', 'RCX'));
    if ((at.leaf.blockedAtEpoch ?? td.epoch) >= td.epoch) return fail(withOperand('TDX_TLB_TRACKING_NOT_DONE', 'RCX'));
  }
  td.septLeaves.delete(at.gpa);
  setPageType(m, at.leaf.hpa, PAGE_TYPES.PT_NDA);
  return ok({ r8: at.leaf.hpa });
});

defineLeaf('TDH.MR.EXTEND', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', BUILT);
  if (isResult(td)) return td;
  const gpa = regs.rcx ?? 0n;
  // tdh_mr_extend.c: a 256-byte chunk of a private GPA (check_gpa_validity()), then a present leaf:
  // a walk that ends before one is TDX_EPT_ENTRY_NOT_PRESENT naming RCX.
  if (gpa % 256n !== 0n || gpa >= 1n << BigInt(td.config?.gpaw ?? 48) || (gpa & tdSharedBit(td)) !== 0n) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  const page = gpa - (gpa % 4096n);
  const leaf = td.septLeaves.get(page);
  // A blocked or pending leaf has no RWX permission: the walk does not end on a present leaf.
  if (!leaf || leaf.state !== 'MAPPED') return fail(withOperand('TDX_EPT_ENTRY_NOT_PRESENT', 'RCX'));
  td.measured.push(gpa);
  return ok();
});

defineLeaf('TDH.MR.FINALIZE', ({ module: m, regs }) => {
  const td = builtTd(m, regs.rcx ?? 0n, 'RCX', BUILT);
  if (isResult(td)) return td;
  // TDCS.NUM_VCPUS counts the vCPUs TDH.VP.INIT initialised (tdh_mr_finalize.c).
  if (td.numVcpus === 0 && !m.faults.has('module.finalize-without-vcpus')) return fail(status('TDX_NO_VCPUS'));
  td.opState = 'RUNNABLE';
  return ok();
});
