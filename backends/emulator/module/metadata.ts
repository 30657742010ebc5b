/**
 * Global metadata values of the emulated module. Fixed values come from the module build; the
 * platform-dependent ones (packages, CMRs, CPUID configuration count) are computed here from the
 * platform, as the module computes them from its MCHECK data (@src:mod-metadata-sys).
 */
import { decodeFieldId, encodeFieldId, hasReservedBits } from '../../../spec/encodings/field-id';
import { GLOBAL_FIELDS, globalField, type GlobalField } from '../../../spec/abi/global-metadata';
import type { TdxModule } from './module';

export const MAX_CMRS = 32;
const ALL_ONES = (1n << 64n) - 1n;

export interface ResolvedField {
  field: GlobalField;
  index: number;
  element: number;
}

/** A build's global-field table, indexed for lookups by class and by position. */
export interface FieldTable {
  readonly fields: readonly GlobalField[];
  readonly byClass: ReadonlyMap<number, readonly { field: GlobalField; fieldCode: number }[]>;
  readonly position: ReadonlyMap<GlobalField, number>;
}

/** The module's CPUID configuration arrays have 32 slots; a build with more configurations has more. */
const CPUID_SLOTS = 32;
const CPUID_ARRAYS = new Set(['CPUID_CONFIG_LEAVES', 'CPUID_CONFIG_VALUES']);

function buildTable(names: readonly string[], cpuidSlots: number): FieldTable {
  const fields = names.map((n) => (CPUID_ARRAYS.has(n) ? { ...globalField(n), fields: cpuidSlots } : globalField(n)));
  const byClass = new Map<number, { field: GlobalField; fieldCode: number }[]>();
  for (const field of fields) {
    const d = decodeFieldId(field.baseId);
    byClass.set(d.classCode, [...(byClass.get(d.classCode) ?? []), { field, fieldCode: d.fieldCode }]);
  }
  return { fields, byClass, position: new Map(fields.map((f, i) => [f, i])) };
}

/** Each module's table, worked out once for its life (every scenario builds its own module). */
const tables = new WeakMap<TdxModule, FieldTable>();

/**
 * The fields this module knows, in its table order (its build's table; with the fault
 * module.fields-of-every-version, every field any version defines).
 */
export function fieldTable(m: TdxModule): FieldTable {
  let t = tables.get(m);
  if (!t) {
    const names = m.faults.has('module.fields-of-every-version') ? GLOBAL_FIELDS.map((f) => f.name) : m.build.globalFields;
    tables.set(m, (t = buildTable(names, Math.max(CPUID_SLOTS, m.build.cpuidConfigs.length))));
  }
  return t;
}

/**
 * Find the field an id names: class and field code decide (md_find_entry_idx(),
 * @src:mod-md-generic-1501); the element size, bit 63 and the other bits do not.
 */
export function resolveField(m: TdxModule, id: bigint): ResolvedField | null {
  const classCode = Number((id >> 56n) & 0x3fn);
  const fieldCode = Number(id & 0xffffffn);
  for (const { field, fieldCode: base } of fieldTable(m).byClass.get(classCode) ?? []) {
    const offset = fieldCode - base;
    if (offset < 0 || offset >= field.fields * field.elements) continue;
    return { field, index: Math.floor(offset / field.elements), element: offset % field.elements };
  }
  return null;
}

/** Whether `id` is malformed as a single-element id (md_check_as_single_element_id). */
export function malformedSingleElementId(id: bigint, ignoreReserved = false): boolean {
  const f = decodeFieldId(id);
  return (!ignoreReserved && hasReservedBits(id)) || f.lastElementInField !== 0 || f.lastFieldInSequence !== 0;
}

/** The fault module.version-fields-swapped reports each version field under the other's id. */
const VERSION_SWAP: Readonly<Record<string, string>> = { MAJOR_VERSION: 'MINOR_VERSION', MINOR_VERSION: 'MAJOR_VERSION' };

/**
 * Value of one element of a field the module knows (md_sys_get_first_element_val_and_ptr(),
 * @src:mod-md-sys-1501; md_sys_get_elements() in 2.0.08, @src:mod-md-sys-2008): every field of a
 * table has one, so undefined only if the build gives the field no value, a defect of its data.
 */
export function globalValue(m: TdxModule, r: ResolvedField): bigint | undefined {
  const b = m.build;
  const p = m.platform;
  // The faulty module swaps the two nibbles of the model in PKG_FMS (bits 19:16 and 7:4).
  if (r.field.name === 'PKG_FMS' && m.faults.has('module.pkg-fms-model-nibbles-swapped') && r.index < p.packages) {
    return BigInt((p.model.model & 0xf) << 16 | (p.model.family << 8) | (p.model.model >> 4) << 4);
  }
  // The faulty module leaves the CPUID configuration entries past the configurable leaves at 0 (leaf 0, sub-leaf 0).
  if (r.field.name === 'CPUID_CONFIG_LEAVES' && !b.cpuidConfigs[r.index] && m.faults.has('module.cpuid-config-past-end-zero')) return 0n;
  const cmrs = p.config.cmrs;
  switch (r.field.name) {
    case 'NUM_PKGS': return m.faults.has('module.num-pkgs-one') ? 1n : BigInt(p.packages);
    case 'PKG_FMS': return r.index < p.packages ? BigInt((p.model.family << 8) | (p.model.model & 0xf0) << 12 | (p.model.model & 0xf) << 4) : 0n;
    case 'NUM_CMRS': return BigInt(m.faults.has('module.num-cmrs-counts-cmrs') ? cmrs.length : MAX_CMRS);
    case 'CMR_BASE': return r.index < cmrs.length ? cmrs[r.index].base : 0n;
    case 'CMR_SIZE': return r.index < cmrs.length ? cmrs[r.index].end - (m.faults.has('module.cmr-size-is-end') ? 0n : cmrs[r.index].base) : 0n;
    case 'NUM_CPUID_CONFIG': return BigInt(b.cpuidConfigs.length);
    // Entries past the configurable leaves read as leaf ~0 with no configurable bits (lines 268-295).
    case 'CPUID_CONFIG_LEAVES': {
      const c = b.cpuidConfigs[r.index];
      return c ? (BigInt(c.subleaf) << 32n) | BigInt(c.leaf) : ALL_ONES;
    }
    case 'CPUID_CONFIG_VALUES': {
      const c = b.cpuidConfigs[r.index];
      if (!c) return 0n;
      return r.element === 0 ? (BigInt(c.ebx) << 32n) | BigInt(c.eax) : (BigInt(c.edx) << 32n) | BigInt(c.ecx);
    }
  }
  const name = m.faults.has('module.version-fields-swapped') ? VERSION_SWAP[r.field.name] ?? r.field.name : r.field.name;
  // The faulty module sizes the TDCS as an older module did: four pages.
  if (name === 'TDCS_BASE_SIZE' && m.faults.has('module.tdcs-base-size-four-pages')) return 0x4000n;
  const v = b.metadata[name];
  return v === undefined ? undefined : BigInt(v);
}

export const elementMask = (id: bigint): bigint => (1n << (BigInt(8 << Number((id >> 32n) & 3n)))) - 1n;

/** Id of the element after `r` in table order, or -1 (all ones) when it is the last. */
export function nextElementId(m: TdxModule, r: ResolvedField): bigint {
  const span = r.field.fields * r.field.elements;
  const offset = r.index * r.field.elements + r.element;
  let next: bigint;
  if (offset + 1 < span) next = r.field.baseId + BigInt(offset + 1);
  else {
    const t = fieldTable(m);
    const f = t.fields[(t.position.get(r.field) ?? t.fields.length) + 1];
    if (!f) return ALL_ONES;
    next = f.baseId;
  }
  if (m.faults.has('module.element-size-code')) {
    next = encodeFieldId({ ...decodeFieldId(next), elementSizeCode: 3 });
  }
  return next;
}

