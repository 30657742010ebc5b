/**
 * Physical-memory leaves of TD teardown: TDH.PHYMEM.CACHE.WB, TDH.PHYMEM.PAGE.RECLAIM and
 * TDH.PHYMEM.PAGE.WBINVD (@src:mod-td-leaves; checks and their order from 1.5.01:
 * @src:mod-phymem-cache-wb-1501, @src:mod-phymem-reclaim-1501, @src:mod-phymem-wbinvd-1501).
 * CACHE.WB writes back, on the package of the calling CPU, the cache lines of every HKID whose vCPUs were flushed (KOT state FLUSHED); the
 * HKID becomes free only after every package did so. Pages of a TD can be reclaimed once its
 * HKID is released (life cycle TEARDOWN), the TDR last.
 */
import { status, withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok, type TdxModule } from '../module';
import { PAGE_TYPES } from './phymem';
import { allKot, checkPage, pageType, pamtTdmr, setPageType, tds, type TdRecord } from './td-state';

defineLeaf('TDH.PHYMEM.CACHE.WB', ({ module: m, cpu, regs }) => {
  const cmd = regs.rcx ?? 0n;
  if (cmd > 1n) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  // RCX 1 resumes a write-back that TDX_INTERRUPTED_RESUMABLE stopped; the model's is never interrupted.
  if (cmd === 1n && !m.faults.has('module.cache-wb-resume-as-start')) return fail(status('TDX_WBCACHE_RESUME_ERROR'));
  const pkg = m.packageOf(cpu);
  const flushed = [...allKot(m).values()].filter((e) => e.state === 'FLUSHED');
  if (flushed.length === 0) return fail(status('TDX_NO_HKID_READY_TO_WBCACHE'));
  for (const e of flushed) e.wbinvdPending.delete(pkg);
  return ok();
});

/** The TD a page belongs to, and whether it is that TD's TDR. */
function ownerOf(m: TdxModule, pa: bigint): { td: TdRecord; isTdr: boolean } | null {
  for (const td of tds(m).values()) {
    if (td.tdr === pa) return { td, isTdr: true };
    const vcpuPages = [...td.vcpus.values()].flatMap((v) => [v.tdvpr, ...v.tdcx]);
    const leafPages = [...td.septLeaves.values()].map((l) => l.hpa);
    if ([...td.tdcs, ...td.septPages, ...vcpuPages, ...leafPages].includes(pa)) return { td, isTdr: false };
  }
  return null;
}

/** Forget a reclaimed page in the TD's bookkeeping. */
function forget(td: TdRecord, pa: bigint): void {
  td.tdcs = td.tdcs.filter((p) => p !== pa);
  td.septPages = td.septPages.filter((p) => p !== pa);
  for (const [gpa, leaf] of td.septLeaves) if (leaf.hpa === pa) td.septLeaves.delete(gpa);
  for (const [tdvpr, vp] of td.vcpus) {
    vp.tdcx = vp.tdcx.filter((p) => p !== pa);
    if (tdvpr === pa) td.vcpus.delete(tdvpr);
  }
}

defineLeaf('TDH.PHYMEM.PAGE.RECLAIM', ({ module: m, regs }) => {
  const pa = regs.rcx ?? 0n;
  if (pa % 4096n !== 0n || m.hasKeyIdBits(pa)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  if (!pamtTdmr(m, pa)) return fail(withOperand('TDX_OPERAND_ADDR_RANGE_ERROR', 'RCX'));
  const type = pageType(m, pa);
  const owner = ownerOf(m, pa);
  if (type === PAGE_TYPES.PT_NDA || type === PAGE_TYPES.PT_RSVD || !owner) return fail(withOperand('TDX_PAGE_METADATA_INCORRECT', 'RCX'));
  // From here on RCX, RDX and R8 say what the page is: its type, its owner (the TDR; none for the TDR itself), its size (4 KiB).
  const td = owner.td;
  const out = { rcx: type, rdx: owner.isTdr ? 0n : td.tdr, r8: 0n };
  if (td.lifecycle !== 'TEARDOWN') return fail(status('TDX_LIFECYCLE_STATE_INCORRECT'), out);
  if (owner.isTdr) {
    const children = td.tdcs.length + td.septPages.length + td.septLeaves.size + td.vcpus.size;
    if (children > 0 && !m.faults.has('module.reclaim-tdr-with-children')) return fail(status('TDX_TD_ASSOCIATED_PAGES_EXIST'), out);
    tds(m).delete(pa);
  } else {
    forget(td, pa);
  }
  setPageType(m, pa, PAGE_TYPES.PT_NDA);
  return ok(out);
});

/** RCX: the page with the KeyID its cache lines were written with; the page must be free (PT_NDA). */
defineLeaf('TDH.PHYMEM.PAGE.WBINVD', ({ module: m, regs }) => {
  const keyed = regs.rcx ?? 0n;
  const pa = keyed & ((1n << BigInt(m.hkidStartBit)) - 1n);
  if (m.faults.has('module.wbinvd-any-page')) return pa % 4096n === 0n ? ok() : fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  return checkPage(m, pa, 'RCX', PAGE_TYPES.PT_NDA) ?? ok();
});
