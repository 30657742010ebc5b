/**
 * Metadata leaves: TDH.SYS.RD (@src:mod-sys-rd-1501), TDH.SYS.RDALL (@src:mod-sys-rdall-1501, the
 * list built as md_dump_list() builds it, @src:mod-md-generic-1501) and the legacy TDH.SYS.INFO.
 * Both walk the build's own field table (versions.ts): what one version lists, another may not.
 */
import { decodeFieldId, encodeFieldId } from '../../../../spec/encodings/field-id';
import { status, withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok, type TdxModule } from '../module';
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
  const value = globalValue(m, r);
  if (value === undefined) return bad();
  return ok({ rdx: nextElementId(m, r), r8: value & elementMask(r.id) });
});

/** One sequence of the RDALL list: a header id and one 64-bit slot per element. */
export interface MetadataSequence {
  header: bigint;
  values: bigint[];
}

export interface MetadataList {
  sizeBytes: number;
  sequences: MetadataSequence[];
}

/** Build sequences of consecutive fields (same class, size and element count, codes adjacent). */
function sequences(m: TdxModule, startIndex: number): { list: MetadataSequence[]; next: number } {
  const fields = fieldTable(m).fields;
  const list: MetadataSequence[] = [];
  let bytes = 8;
  let i = startIndex;
  while (i < fields.length) {
    const group = [fields[i]];
    while (i + group.length < fields.length) {
      const a = group[group.length - 1];
      const b = fields[i + group.length];
      const da = decodeFieldId(a.baseId);
      const db = decodeFieldId(b.baseId);
      const chain = a.fields === 1 && b.fields === 1 && da.classCode === db.classCode && da.nonArch === db.nonArch &&
        da.elementSizeCode === db.elementSizeCode && a.elements === b.elements && db.fieldCode === da.fieldCode + a.elements;
      if (!chain) break;
      group.push(b);
    }
    const values: bigint[] = [];
    let fieldsInSeq = 0;
    for (const f of group) {
      const count = m.faults.has('module.rdall-skips-arrays') ? 1 : f.fields;
      for (let index = 0; index < count; index++) {
        for (let element = 0; element < f.elements; element++) {
          const id = f.baseId + BigInt(index * f.elements + element);
          const r = resolveField(m, id)!;
          values.push(globalValue(m, r) ?? 0n);
        }
        fieldsInSeq++;
      }
    }
    const need = 8 + values.length * 8;
    if (bytes + need > 4096) break;
    bytes += need;
    const first = decodeFieldId(group[0].baseId);
    list.push({
      header: encodeFieldId({ ...first, contextCode: 0, writeMaskValid: false, lastElementInField: group[0].elements - 1, lastFieldInSequence: fieldsInSeq - 1 }),
      values,
    });
    i += group.length;
  }
  return { list, next: i };
}

defineLeaf('TDH.SYS.RDALL', ({ module: m, cpu, regs }) => {
  if (!m.lpInit[cpu]) return fail(status('TDX_SYS_LP_INIT_NOT_DONE'), { r8: NA });
  const page = regs.rdx ?? 0n;
  if (page % 4096n !== 0n || m.hasKeyIdBits(page)) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'), { r8: NA });
  const start = regs.r8 ?? NA;
  const fields = fieldTable(m).fields;
  let startIndex = 0;
  if ((start | CONTEXT_MASK) !== NA) {
    startIndex = fields.findIndex((f) => f.baseId === (start & ~CONTEXT_MASK));
    if (startIndex < 0) return fail(status('TDX_METADATA_FIELD_ID_INCORRECT'), { r8: NA });
  }
  const { list, next } = sequences(m, startIndex);
  const sizeBytes = 8 + list.reduce((s, q) => s + 8 + q.values.length * 8, 0);
  m.platform.store(page, { sizeBytes, sequences: list } satisfies MetadataList);
  if (next < fields.length) return fail(status('TDX_METADATA_LIST_OVERFLOW'), { r8: fields[next].baseId });
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

