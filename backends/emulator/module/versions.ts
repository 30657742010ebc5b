/**
 * TDX module builds the emulator can load, as data.
 *
 * Version, build number and date of 1.0.457, 1.5.595 and 1.5.698 are those printed in real captures
 * (test/fixtures/real/host); 2.0.08 build 882 is the Ubuntu 6.14 report. TDX_FEATURES0 values are
 * the release values of intel/tdx-module-binaries' mapping file (@src:tdx-module-binaries) where
 * the release is listed; 1.5.00 (build 481) is the pre-production module whose TDX_FEATURES0 0xfbf
 * lacks NO_RBP_MOD (@src:ml-gen). The update numbers of builds the captures show only as
 * major.minor are the emulator's choice, said so in the comment above each build.
 */
import { GLOBAL_FIELDS } from '../../../spec/abi/global-metadata';
import { SEAMCALL_LEAVES } from '../../../spec/encodings/seamcall';

export interface CpuidConfig {
  leaf: number;
  /** 0xffffffff: no subleaf. */
  subleaf: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

export interface ModuleBuild {
  id: string;
  major: number;
  minor: number;
  update: number;
  internal: number;
  build: number;
  /** Decimal yyyymmdd, as the module reports it. */
  buildDate: number;
  /** TDX_FEATURES0; null for TDX 1.0, which has no such field. */
  features0: bigint | null;
  /** Leaves the build implements beyond those every build of its major.minor has. */
  extraLeaves: string[];
  /** Fixed global metadata values (the platform-derived ones are computed by the module). */
  metadata: Readonly<Record<string, bigint | number>>;
  /**
   * The global metadata fields this build defines, by name, in its table order: what TDH.SYS.RD
   * knows and TDH.SYS.RDALL lists. A field left out is unknown to TDH.SYS.RD, though the module
   * may still use the value internally.
   */
  globalFields: readonly string[];
  cpuidConfigs: readonly CpuidConfig[];
  /** Leaves this module answers with a fixed completion status (a scenario's premise). */
  answers?: Readonly<Record<string, bigint>>;
}

/** KVM_TDX_CAPABILITIES as printed by a debug QEMU on a TDX 1.0 platform (@src:capture-td-shim-548). */
const CPUID_CONFIGS_1_0: CpuidConfig[] = [
  { leaf: 0x1, subleaf: 0xffffffff, eax: 0x0, ebx: 0xff0000, ecx: 0x30044180, edx: 0xb0400000 },
  { leaf: 0x4, subleaf: 0x0, eax: 0xffffc3ff, ebx: 0xfffff000, ecx: 0xffffffff, edx: 0xfffffffb },
  { leaf: 0x4, subleaf: 0x1, eax: 0xffffc3ff, ebx: 0xfffff000, ecx: 0xffffffff, edx: 0xfffffffb },
  { leaf: 0x4, subleaf: 0x2, eax: 0xffffc3ff, ebx: 0xfffff000, ecx: 0xffffffff, edx: 0xfffffffb },
  { leaf: 0x4, subleaf: 0x3, eax: 0xffffc3ff, ebx: 0xfffff000, ecx: 0xffffffff, edx: 0x7 },
  { leaf: 0x7, subleaf: 0x0, eax: 0x0, ebx: 0xd02b9108, ecx: 0x7e60, edx: 0x40000 },
  { leaf: 0x7, subleaf: 0x1, eax: 0x30, ebx: 0x0, ecx: 0x0, edx: 0x0 },
  { leaf: 0x1c, subleaf: 0xffffffff, eax: 0xb, ebx: 0x0, ecx: 0x0, edx: 0x0 },
];

/**
 * Later modules also let the VMM configure the GPA width (0x80000008) and leaf 0xd, and in leaf
 * 0x1 ECX the bits module 1.5.01 passes from the CPU (allow_direct, @src:guest-mod15-cpuid-config),
 * which include MONITOR (bit 3).
 */
const CPUID_CONFIGS_1_5: CpuidConfig[] = [
  { ...CPUID_CONFIGS_1_0[0], ecx: 0x31044d88 },
  ...CPUID_CONFIGS_1_0.slice(1),
  { leaf: 0xd, subleaf: 0x0, eax: 0x2e7, ebx: 0x0, ecx: 0x0, edx: 0x0 },
  { leaf: 0xd, subleaf: 0x1, eax: 0x0, ebx: 0x0, ecx: 0x1900, edx: 0x0 },
  { leaf: 0x80000008, subleaf: 0xffffffff, eax: 0xff0000, ebx: 0x0, ecx: 0x0, edx: 0x0 },
];

// PAMT entries are 16 bytes and a TDMR holds up to 16 reserved areas; modules support 64 TDMRs
// (@src:mod-md-sys-1501: sizeof(pamt_entry_t), MAX_RESERVED_AREAS, MAX_TDMRS).
const TDMR_LIMITS = {
  MAX_TDMRS: 64, MAX_RESERVED_PER_TDMR: 16,
  PAMT_4K_ENTRY_SIZE: 16, PAMT_2M_ENTRY_SIZE: 16, PAMT_1G_ENTRY_SIZE: 16,
};

/**
 * Values of the fields the 1.5.01 module returns as build constants (@src:mod-md-sys-1501), with
 * the emulator's choices where the value depends on the platform or the build options (handoff
 * data: none; TDX_MODULE_HV and friends: 0 as proj_defs.mk defaults them).
 */
const COMMON = {
  VENDOR_ID: 0x8086, SYS_ATTRIBUTES: 0, NUM_TDX_FEATURES: 1,
  MODULE_HV: 0, MIN_UPDATE_HV: 0, NO_DOWNGRADE: 0,
  NUM_HANDOFF_PAGES: 0, HANDOFF_DATA_VALID: 0, HANDOFF_DATA_HV: 0, HANDOFF_DATA_SIZE: 0,
  // MIN_NUM_TDCS_PAGES 6 and MIN_TDVPS_PAGES 6 pages (td_control_structures.h, tdx_tdvps.h; tdh_sys_info.c).
  TDR_BASE_SIZE: 4096, TDCS_BASE_SIZE: 4096 * 6, TDVPS_BASE_SIZE: 4096 * 6,
  // TDCS_PAGES_PER_L2_VM 1, TDVPS_PAGES_PER_L2_VM 3 (td_control_structures.h, tdx_tdvps.h).
  TDCS_SIZE_PER_L2_VM: 4096, TDVPS_SIZE_PER_L2_VM: 4096 * 3,
  // Attributes a TD may set (FIXED0) and must set (FIXED1); XFAM likewise (capture td-shim#548).
  ATTRIBUTES_FIXED1: 0n, XFAM_FIXED0: 0x6dbe7n, XFAM_FIXED1: 0x3n,
  CONFIG_FLAGS_FIXED0: 0x7n, CONFIG_FLAGS_FIXED1: 0x0n,
  IA32_ARCH_CAPABILITIES_CONFIG_MASK: (1n << 4n) | (1n << 19n) | (1n << 20n) | (1n << 24n),
  NUM_ALLOWED_FMS: 0, NUM_DISALLOWED_FMS: 0, ALLOWED_FMS: 0, DISALLOWED_FMS: 0,
  MIG_ATTRIBUTES: 0, MIN_EXPORT_VERSION: 0, MAX_EXPORT_VERSION: 0, MIN_IMPORT_VERSION: 0, MAX_IMPORT_VERSION: 0,
  MAX_MIGS: 512, NUM_IMMUTABLE_STATE_PAGES: 3, NUM_TD_STATE_PAGES: 2, NUM_VP_STATE_PAGES: 5,
  MAX_SERV_TDS: 1, SERVTD_ATTR_FIXED0: 0x000007ff00000001n, SERVTD_ATTR_FIXED1: 0n,
  GUEST_L2_GPA_ATTR_MASK: 0x807f, VM_CTLS_FIXED0: 0x1, VM_CTLS_FIXED1: 0,
  VPCU_L2_CTLS_FIXED0: 0x3, VCPU_L2_CTLS_FIXED1: 0, VPCU_L2_DEBUG_CTLS_FIXED0: 0x7, VCPU_L2_DEBUG_CTLS_FIXED1: 0,
  // Fields of later tables; values are the emulator's choice except where noted.
  MIN_VIRT_MAXPA: 32,
  PAMT_PAGE_BITMAP_ENTRY_BITS: 1, MIN_DYNAMIC_PAMT_NUM_HKID_BITS: 0, MAX_EVENT_FILTERS: 0,
  GUEST_GPA_ATTR_MASK: 0, TDX_CONNECT_FEATURES: 0,
};

/**
 * Which global fields each release defines (@src:mod-gsys-2008 72 entries, @src:mod-gsys-h-1506
 * 67, @src:mod-gsys-1501 65; the releases of those commits by their proj_defs.mk,
 * @src:mod-projdefs-1506, @src:mod-projdefs-2008); the order is the same in all three. Only
 * 1.5.01, 1.5.06 and 2.0.08 were read: other builds take the table of the nearest release read,
 * said in their note.
 */
const FIELDS_2_0_08: readonly string[] = GLOBAL_FIELDS.map((f) => f.name);
const ONLY_2_0 = new Set(['PAMT_PAGE_BITMAP_ENTRY_BITS', 'MIN_DYNAMIC_PAMT_NUM_HKID_BITS', 'MAX_EVENT_FILTERS', 'GUEST_GPA_ATTR_MASK', 'TDX_CONNECT_FEATURES']);
const FIELDS_1_5_06: readonly string[] = FIELDS_2_0_08.filter((n) => !ONLY_2_0.has(n));
const FIELDS_1_5_01: readonly string[] = FIELDS_1_5_06.filter((n) => n !== 'MAX_VCPUS_PER_TD' && n !== 'MIN_VIRT_MAXPA');

const build = (b: Omit<ModuleBuild, 'metadata' | 'cpuidConfigs'> & {
  metadata?: Record<string, bigint | number>;
  cpuidConfigs?: CpuidConfig[];
}): ModuleBuild => ({
  cpuidConfigs: b.major === 1 && b.minor === 0 ? CPUID_CONFIGS_1_0 : CPUID_CONFIGS_1_5,
  ...b,
  metadata: {
    ...COMMON, ...TDMR_LIMITS,
    MAJOR_VERSION: b.major, MINOR_VERSION: b.minor, UPDATE_VERSION: b.update, INTERNAL_VERSION: b.internal,
    BUILD_NUM: b.build, BUILD_DATE: b.buildDate,
    ...(b.features0 === null ? {} : { TDX_FEATURES0: b.features0 }),
    ...b.metadata,
  },
});

export const MODULE_BUILDS: readonly ModuleBuild[] = [
  // build and date from canonical/tdx#331; update number chosen by the emulator; no TDH.SYS.RD (its field table serves only the fault module.sys-rd-on-1.0).
  build({
    id: '1.0.457', major: 1, minor: 0, update: 3, internal: 0, build: 457, buildDate: 20230206,
    features0: null, extraLeaves: [], globalFields: FIELDS_1_5_01,
    // TDCS of four pages: the emulator's choice for 1.0, whose sources were not read.
    metadata: { ATTRIBUTES_FIXED0: 0x8000000060000001n, MAX_VCPUS_PER_TD: 0, TDCS_BASE_SIZE: 4096 * 4 },
  }),
  // pre-production 1.5.00 reported with TDX_FEATURES0 0xfbf (no NO_RBP_MOD); field table assumed as 1.5.01.
  build({
    id: '1.5.481', major: 1, minor: 5, update: 0, internal: 0, build: 481, buildDate: 20230323,
    features0: 0xfbfn, extraLeaves: [], globalFields: FIELDS_1_5_01,
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
  }),
  // build and date from canonical/tdx#135; TDX_FEATURES0 and field table of release 1.5.01.
  build({
    id: '1.5.595', major: 1, minor: 5, update: 1, internal: 0, build: 595, buildDate: 20231008,
    features0: 0xf0fbfn, extraLeaves: [], globalFields: FIELDS_1_5_01,
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
  }),
  // build and date from canonical/tdx#135 and #285; TDX_FEATURES0 and field table of release 1.5.06.
  build({
    id: '1.5.698', major: 1, minor: 5, update: 6, internal: 0, build: 698, buildDate: 20240129,
    features0: 0x2e1f0fbfn, extraLeaves: [], globalFields: FIELDS_1_5_06,
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
  }),
  // TDX_FEATURES0 of release 1.5.16; build number and date chosen by the emulator; field table assumed as 1.5.06.
  build({
    id: '1.5.16', major: 1, minor: 5, update: 16, internal: 0, build: 890, buildDate: 20250210,
    features0: 0x226f3f0fbfn, extraLeaves: ['TDH.SYS.DISABLE'], globalFields: FIELDS_1_5_06,
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
  }),
  // version, build and date of the Ubuntu 6.14 report; TDX_FEATURES0 and field table of release 2.0.08.
  build({
    id: '2.0.08', major: 2, minor: 0, update: 8, internal: 0, build: 882, buildDate: 20250325,
    features0: 0x32a71f0fbfn, extraLeaves: ['TDH.SYS.DISABLE'], globalFields: FIELDS_2_0_08,
    metadata: { ATTRIBUTES_FIXED0: 0x80000000f0000001n, MAX_VCPUS_PER_TD: 2048 },
  }),
];

export function moduleBuild(id: string): ModuleBuild {
  const b = MODULE_BUILDS.find((m) => m.id === id);
  if (!b) throw new Error(`unknown TDX module build "${id}"; known: ${MODULE_BUILDS.map((m) => m.id).join(', ')}`);
  return b;
}

const versionAtLeast = (b: ModuleBuild, since: string): boolean => {
  const [maj, min] = since.split('.').map(Number);
  return b.major > maj || (b.major === maj && b.minor >= min);
};

/** Leaf numbers this build implements (a fresh set: a module may widen its own). */
export function implementedLeaves(b: ModuleBuild): Set<number> {
  const out = new Set<number>();
  for (const l of SEAMCALL_LEAVES) {
    if (l.optional ? b.extraLeaves.includes(l.name) : versionAtLeast(b, l.since)) out.add(l.number);
  }
  return out;
}
