/**
 * TDH.PHYMEM.PAGE.RDMD: the module's view of a physical page. Pages in reserved areas (PAMTs,
 * holes) are PT_RSVD; pages TD management gave to the module carry their own type; everything
 * else in a TDMR is PT_NDA (@src:tdx-c-mid paddr_is_tdx_private(), @src:mod-phymem-rdmd-1501).
 */
import { withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok } from '../module';

export const PAGE_TYPES = { PT_NDA: 0n, PT_RSVD: 1n, PT_REG: 3n, PT_TDR: 4n, PT_TDCX: 5n, PT_TDVPR: 6n, PT_EPT: 8n } as const;

/** Pages handed to the module by TD management: page PA -> type. */
export const PAGE_OWNERS = 'phymem.pages';

const SZ_1G = 1n << 30n;

defineLeaf('TDH.PHYMEM.PAGE.RDMD', ({ module: m, regs }) => {
  const pa = m.faults.has('module.rdmd-address-masked') ? (regs.rcx ?? 0n) & ~0xfffn : regs.rcx ?? 0n;
  // Page aligned, no KeyID bits; then a TDMR that covers it up to the 1 GiB TDH.SYS.TDMR.INIT has
  // reached (pamt_get_block(), @src:mod-pamt-manager-1501).
  if (pa % 4096n !== 0n || m.hasKeyIdBits(pa)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  const tdmr = m.tdmrs.find((t) => pa >= t.base && pa < t.base + t.size);
  const initialised = m.faults.has('module.rdmd-before-tdmr-init') || (tdmr !== undefined && pa < (tdmr.lastInitialized & ~(SZ_1G - 1n)));
  if (!tdmr || !initialised) return fail(withOperand('TDX_OPERAND_ADDR_RANGE_ERROR', 'RCX'));
  const inReserved = tdmr.reserved.some((r) => pa >= tdmr.base + r.offset && pa < tdmr.base + r.offset + r.size);
  if (inReserved) return ok({ rcx: PAGE_TYPES.PT_RSVD, rdx: 0n, r8: 0n });
  const owners = m.ext.get(PAGE_OWNERS) as Map<bigint, bigint> | undefined;
  return ok({ rcx: owners?.get(pa) ?? PAGE_TYPES.PT_NDA, rdx: 0n, r8: 0n });
});
