/**
 * Physical-memory leaves of TD teardown: TDH.PHYMEM.CACHE.WB, TDH.PHYMEM.PAGE.RECLAIM and
 * TDH.PHYMEM.PAGE.WBINVD (@src:mod-td-leaves). CACHE.WB writes back, on the package of the
 * calling CPU, the cache lines of every HKID whose vCPUs were flushed (KOT state FLUSHED); the
 * HKID becomes free only after every package did so. Pages of a TD can be reclaimed once its
 * HKID is released (life cycle TEARDOWN), the TDR last.
 */
import { status, withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok, type TdxModule } from '../module';
import { PAGE_TYPES } from './phymem';
import { allKot, lpReady, pageType, setPageType, tds, type TdRecord } from './td-state';

defineLeaf('TDH.PHYMEM.CACHE.WB', ({ module: m, cpu, regs }) => {
  const lp = lpReady(m, cpu);
  if (lp) return lp;
  const cmd = regs.rcx ?? 0n;
  if (cmd > 1n) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
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

defineLeaf('TDH.PHYMEM.PAGE.RECLAIM', ({ module: m, cpu, regs }) => {
  const lp = lpReady(m, cpu);
  if (lp) return lp;
  const pa = regs.rcx ?? 0n;
  if (pa % 4096n !== 0n || m.hasKeyIdBits(pa)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  const type = pageType(m, pa);
  const owner = ownerOf(m, pa);
  if (type === PAGE_TYPES.PT_NDA || type === PAGE_TYPES.PT_RSVD || !owner) return fail(withOperand('TDX_PAGE_METADATA_INCORRECT', 'RCX'));
  if (owner.td.lifecycle !== 'TEARDOWN') return fail(status('TDX_LIFECYCLE_STATE_INCORRECT'));
  const td = owner.td;
  if (owner.isTdr) {
    const children = td.tdcs.length + td.septPages.length + td.septLeaves.size + td.vcpus.size;
    if (children > 0) return fail(status('TDX_LIFECYCLE_STATE_INCORRECT'));
    tds(m).delete(pa);
  } else {
    forget(td, pa);
  }
  setPageType(m, pa, PAGE_TYPES.PT_NDA);
  return ok({ rcx: type, rdx: td.tdr, r8: 0n });
});

defineLeaf('TDH.PHYMEM.PAGE.WBINVD', ({ module: m, cpu, regs }) => {
  const lp = lpReady(m, cpu);
  if (lp) return lp;
  const keyed = regs.rcx ?? 0n;
  const pa = keyed & ((1n << BigInt(m.hkidStartBit)) - 1n);
  if (pa % 4096n !== 0n) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  return ok();
});
