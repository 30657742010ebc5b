/**
 * Metadata leaves: TDH.SYS.RD (@src:mod-sys-rd-1501), TDH.SYS.RDALL (@src:mod-sys-rdall-1501, the
 * list built as md_dump_list() builds it, @src:mod-md-generic-1501) and the legacy TDH.SYS.INFO.
 * Both walk the build's own field table (versions.ts): what one version lists, another may not.
 */
import { decodeFieldId, encodeFieldId } from '../../../../spec/encodings/field-id';
import { status, withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok, type TdxModule } from '../module';
import type { GlobalField } from '../../../../spec/abi/global-metadata';
import { elementMask, fieldTable, globalValue, malformedSingleElementId, MAX_CMRS, nextElementId, resolveField } from '../metadata';

const NA = (1n << 64n) - 1n;
const CONTEXT_MASK = 0x7n << 52n;

/** First element the host can read (NUM_PKGS in every table). */
const firstId = (m: TdxModule): bigint => fieldTable(m).fields[0].baseId;

defineLeaf('TDH.SYS.RD', ({ module: m, cpu, regs }) => {
  if (!m.lpInit[cpu]) return fail(status('TDX_SYS_LP_INIT_NOT_DONE'), { rdx: NA, r8: 0n });
  const id = (regs.rdx ?? 0n) & ~CONTEXT_MASK;
  if ((id | CONTEXT_MASK) === NA) return fail(status('TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT'), { rdx: firstId(m), r8: 0n });
  const bad = (): ReturnType<typeof fail> => fail(status('TDX_METADATA_FIELD_ID_INCORRECT'), { rdx: NA, r8: 0n });
  if (malformedSingleElementId(id, m.faults.has('module.metadata-reserved-bits'))) return bad();
  const r = resolveField(m, id);
  if (!r) return bad();
  if (m.faults.has('module.metadata-exact-id') && id !== r.field.baseId + BigInt(r.index * r.field.elements + r.element)) return bad();
  const value = globalValue(m, r);
  if (value === undefined) return bad();
  return ok({ rdx: nextElementId(m, r), r8: value & elementMask(r.field.baseId) });
});

/** The page TDH.SYS.RDALL fills: md_list_header_t, then the sequences (@src:mod-md-generic-1501). */
const METADATA_LIST_BYTES = 4096;

/** One field of the walk: an entry of the table and one of its array items. */
interface Item {
  field: GlobalField;
  index: number;
}

const itemCode = (it: Item): number => decodeFieldId(it.field.baseId).fieldCode + it.index * it.field.elements;

/**
 * md_dump_sequence()'s test for the next item joining the sequence: same class (bit 63, the
 * non-architectural flag, is not compared), its code right after the previous item's elements,
 * the same number of elements and the same element size.
 */
function continues(a: Item, b: Item): boolean {
  const da = decodeFieldId(a.field.baseId);
  const db = decodeFieldId(b.field.baseId);
  return da.classCode === db.classCode && itemCode(b) === itemCode(a) + a.field.elements &&
    a.field.elements === b.field.elements && da.elementSizeCode === db.elementSizeCode;
}

/**
 * Fill the list page from `first` on, as md_dump_list() does: a sequence is started while the
 * page has room for its header and one item, and grows while the next item continues it and fits.
 * Returns the page and the item it stopped at (undefined: the table is done).
 */
function dumpList(m: TdxModule, items: readonly Item[], first: number): { page: Uint8Array; next: number } {
  // The fault module.rdall-past-page writes on past the page (the list header's size is 16 bits).
  const bytes = m.faults.has('module.rdall-past-page') ? 0xfff8 : METADATA_LIST_BYTES;
  const page = new Uint8Array(bytes);
  const view = new DataView(page.buffer);
  let offset = 8;
  let sequencesWritten = 0;
  let i = first;
  while (i < items.length && bytes - offset >= 8 + items[i].field.elements * 8) {
    const head = offset;
    offset += 8;
    const start = items[i];
    let fields = 0;
    for (;;) {
      const it = items[i];
      for (let element = 0; element < it.field.elements; element++) {
        const r = resolveField(m, it.field.baseId + BigInt(it.index * it.field.elements + element))!;
        view.setBigUint64(offset, globalValue(m, r) ?? 0n, true);
        offset += 8;
      }
      fields++;
      i++;
      if (i >= items.length || !continues(it, items[i]) || bytes - offset < items[i].field.elements * 8) break;
    }
    const d = decodeFieldId(start.field.baseId);
    view.setBigUint64(head, encodeFieldId({ ...d, fieldCode: itemCode(start), contextCode: 0, writeMaskValid: false,
      lastElementInField: start.field.elements - 1, lastFieldInSequence: fields - 1 }), true);
    sequencesWritten++;
  }
  view.setUint16(0, offset, true);
  view.setUint16(2, sequencesWritten, true);
  return { page, next: i };
}

/** The items TDH.SYS.RDALL walks: every item of every field, in table order. */
function itemsOf(m: TdxModule): Item[] {
  const skipArrays = m.faults.has('module.rdall-skips-arrays');
  return fieldTable(m).fields.flatMap((field) =>
    Array.from({ length: skipArrays ? 1 : field.fields }, (_, index) => ({ field, index })));
}

defineLeaf('TDH.SYS.RDALL', ({ module: m, cpu, regs }) => {
  if (!m.lpInit[cpu]) return fail(status('TDX_SYS_LP_INIT_NOT_DONE'), { r8: NA });
  const page = regs.rdx ?? 0n;
  if (page % 4096n !== 0n || m.hasKeyIdBits(page)) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'), { r8: NA });
  const start = (regs.r8 ?? NA) & ~CONTEXT_MASK;
  const items = itemsOf(m);
  let first = 0;
  if ((start | CONTEXT_MASK) !== NA && !m.faults.has('module.rdall-start-ignored')) {
    // md_check_field_and_get_entry(): a known field, at the start of one of its items, with its element size.
    const r = resolveField(m, start);
    const d = decodeFieldId(start);
    if (!r || r.element !== 0 || d.elementSizeCode !== decodeFieldId(r.field.baseId).elementSizeCode) {
      return fail(status('TDX_METADATA_FIELD_ID_INCORRECT'), { r8: NA });
    }
    first = items.findIndex((it) => it.field === r.field && it.index === r.index);
  }
  const { page: list, next } = dumpList(m, items, first);
  m.platform.store(page, list);
  if (next < items.length) {
    const it = items[next];
    return fail(status('TDX_METADATA_LIST_OVERFLOW'), { r8: it.field.baseId + BigInt(it.index * it.field.elements) });
  }
  return ok({ r8: NA });
});

/** TDSYSINFO_STRUCT (1024 bytes) as TDH.SYS.INFO fills it. */
export interface TdSysInfo {
  attributes: number;
  vendorId: number;
  buildDate: number;
  buildNum: number;
  minorVersion: number;
  majorVersion: number;
  sysRd: number;
  maxTdmrs: number;
  maxReservedPerTdmr: number;
  pamtEntrySize: number;
}

defineLeaf('TDH.SYS.INFO', ({ module: m, cpu, regs }) => {
  if (!m.lpInit[cpu]) return fail(status('TDX_SYS_LP_INIT_NOT_DONE'), { rdx: 0n, r9: 0n });
  const info = regs.rcx ?? 0n;
  const cmrArray = regs.r8 ?? 0n;
  if (info % 1024n !== 0n || m.hasKeyIdBits(info)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'), { rdx: 0n, r9: 0n });
  const sizesUnchecked = m.faults.has('module.sys-info-sizes-unchecked');
  if ((regs.rdx ?? 0n) < 1024n && !sizesUnchecked) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'), { rdx: 0n, r9: 0n });
  if (cmrArray % 512n !== 0n || m.hasKeyIdBits(cmrArray)) return fail(withOperand('TDX_OPERAND_INVALID', 'R8'), { rdx: 0n, r9: 0n });
  if ((regs.r9 ?? 0n) < BigInt(MAX_CMRS) && !sizesUnchecked) return fail(withOperand('TDX_OPERAND_INVALID', 'R9'), { rdx: 0n, r9: 0n });
  const md = m.build.metadata;
  m.platform.store(info, {
    attributes: Number(md.SYS_ATTRIBUTES), vendorId: Number(md.VENDOR_ID), buildDate: m.build.buildDate,
    buildNum: m.build.build, minorVersion: m.build.minor, majorVersion: m.build.major, sysRd: m.isTdx10 ? 0 : 1,
    maxTdmrs: Number(md.MAX_TDMRS), maxReservedPerTdmr: Number(md.MAX_RESERVED_PER_TDMR), pamtEntrySize: Number(md.PAMT_4K_ENTRY_SIZE),
  } satisfies TdSysInfo);
  const cmrs = m.platform.config.cmrs.map((c) => ({ base: c.base, size: c.end - c.base }));
  while (cmrs.length < MAX_CMRS) cmrs.push({ base: 0n, size: 0n });
  m.platform.store(cmrArray, cmrs);
  return ok({ rdx: 1024n, r9: BigInt(MAX_CMRS) });
});

