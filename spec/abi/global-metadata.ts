/**
 * Global-scope metadata fields of the TDX module: name, ID and array shape, for calling TDH.SYS.RD
 * by name. Every field any module version read so far defines, in the modules' table order: the
 * 65 entries of 1.5.01 (@src:mod-gsys-1501), the 67 of 1.5.06 (@src:mod-gsys-h-1506, the table
 * @src:mod-gsys also cites: MAX_VCPUS_PER_TD and MIN_VIRT_MAXPA are in it, after
 * CONFIG_FLAGS_FIXED1) and the 72 of 2.0.08 (@src:mod-gsys-2008). IDs and shapes of a field are the
 * same in every version that has it; which fields a version has is not said here: the emulator's
 * builds carry their own tables (backends/emulator/module/versions.ts), and the lists a module
 * must report are written in features/host/metadata.feature.
 * `linux` names the member of the kernel's struct tdx_sys_info that holds the field, for the
 * fields mainline reads (@src:gmd-c).
 */
import { elementBytes } from '../encodings/field-id';

export interface GlobalField {
  name: string;
  /** ID of the first field (element 0 of field 0). */
  baseId: bigint;
  /** Number of fields in the sequence (arrays: one field per index). */
  fields: number;
  /** Elements per field (CPUID_CONFIG_VALUES has 2: EAX/EBX and ECX/EDX). */
  elements: number;
  /** Member of struct tdx_sys_info in mainline kernels that read it. */
  linux?: string;
}

const F = (name: string, baseId: bigint, fields = 1, elements = 1, linux?: string): GlobalField =>
  ({ name, baseId, fields, elements, ...(linux ? { linux } : {}) });

export const GLOBAL_FIELDS: readonly GlobalField[] = [
  F('NUM_PKGS', 0x0000000200000000n),
  F('PKG_FMS', 0x0000000200000001n, 8),
  F('VENDOR_ID', 0x0800000200000000n),
  F('BUILD_DATE', 0x8800000200000001n),
  F('BUILD_NUM', 0x8800000100000002n),
  F('MINOR_VERSION', 0x0800000100000003n, 1, 1, 'version.minor_version'),
  F('MAJOR_VERSION', 0x0800000100000004n, 1, 1, 'version.major_version'),
  F('UPDATE_VERSION', 0x0800000100000005n, 1, 1, 'version.update_version'),
  F('INTERNAL_VERSION', 0x0800000100000006n),
  F('MODULE_HV', 0x8900000100000000n),
  F('MIN_UPDATE_HV', 0x8900000100000001n),
  F('NO_DOWNGRADE', 0x8900000000000002n),
  F('NUM_HANDOFF_PAGES', 0x8900000100000003n),
  F('HANDOFF_DATA_VALID', 0x8900000000000004n),
  F('HANDOFF_DATA_HV', 0x8900000100000005n),
  F('HANDOFF_DATA_SIZE', 0x8900000200000006n),
  F('SYS_ATTRIBUTES', 0x0a00000200000000n),
  F('NUM_TDX_FEATURES', 0x0a00000000000001n),
  F('TDX_FEATURES0', 0x0a00000300000008n, 1, 1, 'features.tdx_features0'),
  F('NUM_CMRS', 0x9000000100000000n),
  F('CMR_BASE', 0x9000000300000080n, 32),
  F('CMR_SIZE', 0x9000000300000100n, 32),
  F('MAX_TDMRS', 0x9100000100000008n, 1, 1, 'tdmr.max_tdmrs'),
  F('MAX_RESERVED_PER_TDMR', 0x9100000100000009n, 1, 1, 'tdmr.max_reserved_per_tdmr'),
  F('PAMT_4K_ENTRY_SIZE', 0x9100000100000010n, 1, 1, 'tdmr.pamt_4k_entry_size'),
  F('PAMT_2M_ENTRY_SIZE', 0x9100000100000011n, 1, 1, 'tdmr.pamt_2m_entry_size'),
  F('PAMT_1G_ENTRY_SIZE', 0x9100000100000012n, 1, 1, 'tdmr.pamt_1g_entry_size'),
  F('PAMT_PAGE_BITMAP_ENTRY_BITS', 0x9100000000000013n),
  F('MIN_DYNAMIC_PAMT_NUM_HKID_BITS', 0x9100000000000014n),
  F('TDR_BASE_SIZE', 0x9800000100000000n, 1, 1, 'td_ctrl.tdr_base_size'),
  F('TDCS_BASE_SIZE', 0x9800000100000100n, 1, 1, 'td_ctrl.tdcs_base_size'),
  F('TDCS_SIZE_PER_L2_VM', 0x9800000100000101n),
  F('TDVPS_BASE_SIZE', 0x9800000100000200n, 1, 1, 'td_ctrl.tdvps_base_size'),
  F('TDVPS_SIZE_PER_L2_VM', 0x9800000100000201n),
  F('ATTRIBUTES_FIXED0', 0x1900000300000000n, 1, 1, 'td_conf.attributes_fixed0'),
  F('ATTRIBUTES_FIXED1', 0x1900000300000001n, 1, 1, 'td_conf.attributes_fixed1'),
  F('XFAM_FIXED0', 0x1900000300000002n, 1, 1, 'td_conf.xfam_fixed0'),
  F('XFAM_FIXED1', 0x1900000300000003n, 1, 1, 'td_conf.xfam_fixed1'),
  F('NUM_CPUID_CONFIG', 0x9900000100000004n, 1, 1, 'td_conf.num_cpuid_config'),
  F('CONFIG_FLAGS_FIXED0', 0x9900000300000006n),
  F('CONFIG_FLAGS_FIXED1', 0x9900000300000007n),
  F('MAX_VCPUS_PER_TD', 0x9900000100000008n, 1, 1, 'td_conf.max_vcpus_per_td'),
  F('MIN_VIRT_MAXPA', 0x9900000000000009n),
  F('MAX_EVENT_FILTERS', 0x990000010000000an),
  F('CPUID_CONFIG_LEAVES', 0x9900000300000400n, 32, 1, 'td_conf.cpuid_config_leaves'),
  F('CPUID_CONFIG_VALUES', 0x9900000300000500n, 32, 2, 'td_conf.cpuid_config_values'),
  F('IA32_ARCH_CAPABILITIES_CONFIG_MASK', 0x9900000300000600n),
  F('NUM_ALLOWED_FMS', 0x9900000100000800n),
  F('NUM_DISALLOWED_FMS', 0x9900000100000801n),
  F('ALLOWED_FMS', 0x9900000300000810n, 64),
  F('DISALLOWED_FMS', 0x9900000300000850n, 64),
  F('GUEST_GPA_ATTR_MASK', 0x9a00000300000000n),
  F('MIG_ATTRIBUTES', 0xa000000300000000n),
  F('MIN_EXPORT_VERSION', 0x2000000100000001n),
  F('MAX_EXPORT_VERSION', 0x2000000100000002n),
  F('MIN_IMPORT_VERSION', 0x2000000100000003n),
  F('MAX_IMPORT_VERSION', 0x2000000100000004n),
  F('MAX_MIGS', 0xa000000100000010n),
  F('NUM_IMMUTABLE_STATE_PAGES', 0xa000000000000020n),
  F('NUM_TD_STATE_PAGES', 0xa000000000000021n),
  F('NUM_VP_STATE_PAGES', 0xa000000000000022n),
  F('MAX_SERV_TDS', 0xa100000100000000n),
  F('SERVTD_ATTR_FIXED0', 0xa100000300000001n),
  F('SERVTD_ATTR_FIXED1', 0xa100000300000002n),
  F('GUEST_L2_GPA_ATTR_MASK', 0xa200000100000000n),
  F('VM_CTLS_FIXED0', 0xa200000300000001n),
  F('VM_CTLS_FIXED1', 0xa200000300000002n),
  // Spelled as the module spells them (VPCU: Intel's typo).
  F('VPCU_L2_CTLS_FIXED0', 0xa200000300000003n),
  F('VCPU_L2_CTLS_FIXED1', 0xa200000300000004n),
  F('VPCU_L2_DEBUG_CTLS_FIXED0', 0xa200000300000005n),
  F('VCPU_L2_DEBUG_CTLS_FIXED1', 0xa200000300000006n),
  F('TDX_CONNECT_FEATURES', 0x3000000300000000n),
];

const byName = new Map(GLOBAL_FIELDS.map((f) => [f.name, f]));

export function globalField(name: string): GlobalField {
  const f = byName.get(name);
  if (!f) throw new Error(`unknown global metadata field ${name}`);
  return f;
}

/** ID of element `element` of field `index` in a sequence (arrays step by `elements`). */
export function fieldElementId(f: GlobalField, index = 0, element = 0): bigint {
  if (index < 0 || index >= f.fields) throw new RangeError(`${f.name}[${index}] out of range 0..${f.fields - 1}`);
  if (element < 0 || element >= f.elements) throw new RangeError(`${f.name} element ${element} out of range`);
  return f.baseId + BigInt(index * f.elements + element);
}

export const fieldBytes = (f: GlobalField): number => elementBytes(f.baseId);

/** Architectural bits of TDX_FEATURES0 (@src:mod-api; NO_RBP_MOD @src:tdx-h). */
export const TDX_FEATURES0 = {
  TD_MIGRATION: 0, TD_PRESERVING: 1, SERVICE_TD: 2, TDG_VP_RDWR: 3,
  RELAXED_MEM_MNG_CONCURRENCY: 4, CPUID_VIRT_GUEST_CTRL: 5, TD_PARTITIONING: 7,
  LOCAL_ATTESTATION: 8, TD_ENTRY_ENHANCEMENTS: 9, HOST_PRIORITY_LOCKS: 10,
  CONFIG_IA32_ARCH_CAP: 11, PENDING_EPT_VIOLATION_V2: 16, FMS_CONFIG: 17, NO_RBP_MOD: 18,
  L2_TLB_INVD_OPT: 19, TOPOLOGY_ENUM: 20,
} as const;
