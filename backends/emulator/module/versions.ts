/**
 * TDX module builds the emulator can load, as data.
 *
 * Version, build number and date of 1.0.457, 1.5.595 and 1.5.698 are those printed in real captures
 * (test/fixtures/real/host); 2.0.08 build 882 is the Ubuntu 6.14 report. TDX_FEATURES0 values are
 * the release values of intel/tdx-module-binaries' mapping file (@src:tdx-module-binaries) where
 * the release is listed; 1.5.00 (build 481) is the pre-production module whose TDX_FEATURES0 0xfbf
 * lacks NO_RBP_MOD (@src:ml-gen). The update numbers of builds the captures show only as
 * major.minor are the emulator's choice, said so in `note`.
 */
import { SEAMCALL_LEAVES } from '../../../spec/abi/seamcall';

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
  cpuidConfigs: readonly CpuidConfig[];
  /** Fields TDH.SYS.RD does not know in this build (the module still uses the values internally). */
  hiddenFields?: readonly string[];
  note?: string;
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
// (@src:mod-gsys, @src:tdx-c-mid "at least 64 TDMRs").
const TDMR_LIMITS = {
  MAX_TDMRS: 64, MAX_RESERVED_PER_TDMR: 16,
  PAMT_4K_ENTRY_SIZE: 16, PAMT_2M_ENTRY_SIZE: 16, PAMT_1G_ENTRY_SIZE: 16,
};

const COMMON = {
  VENDOR_ID: 0x8086, SYS_ATTRIBUTES: 0, NUM_TDX_FEATURES: 1,
  TDR_BASE_SIZE: 4096, TDCS_BASE_SIZE: 4096 * 4, TDVPS_BASE_SIZE: 4096 * 6,
  // Attributes a TD may set (FIXED0) and must set (FIXED1); XFAM likewise (capture td-shim#548).
  ATTRIBUTES_FIXED1: 0n, XFAM_FIXED0: 0x6dbe7n, XFAM_FIXED1: 0x3n,
  CONFIG_FLAGS_FIXED0: 0x7n, CONFIG_FLAGS_FIXED1: 0x0n,
  MODULE_HV: 0, MIN_UPDATE_HV: 0, NO_DOWNGRADE: 0,
};

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
  build({
    id: '1.0.457', major: 1, minor: 0, update: 3, internal: 0, build: 457, buildDate: 20230206,
    features0: null, extraLeaves: [],
    metadata: { ATTRIBUTES_FIXED0: 0x8000000060000001n, MAX_VCPUS_PER_TD: 0 },
    note: 'build and date from canonical/tdx#331; update number chosen by the emulator',
  }),
  build({
    id: '1.5.481', major: 1, minor: 5, update: 0, internal: 0, build: 481, buildDate: 20230323,
    features0: 0xfbfn, extraLeaves: [],
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
    note: 'pre-production 1.5.00 reported with TDX_FEATURES0 0xfbf (no NO_RBP_MOD)',
  }),
  build({
    id: '1.5.595', major: 1, minor: 5, update: 1, internal: 0, build: 595, buildDate: 20231008,
    features0: 0xf0fbfn, extraLeaves: [],
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
    note: 'build and date from canonical/tdx#135; TDX_FEATURES0 of release 1.5.01',
  }),
  build({
    id: '1.5.698', major: 1, minor: 5, update: 6, internal: 0, build: 698, buildDate: 20240129,
    features0: 0x2e1f0fbfn, extraLeaves: [],
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
    note: 'build and date from canonical/tdx#135 and #285; TDX_FEATURES0 of release 1.5.06',
  }),
  build({
    id: '1.5.16', major: 1, minor: 5, update: 16, internal: 0, build: 890, buildDate: 20250210,
    features0: 0x226f3f0fbfn, extraLeaves: ['TDH.SYS.DISABLE'],
    metadata: { ATTRIBUTES_FIXED0: 0x8000000070000001n, MAX_VCPUS_PER_TD: 576 },
    note: 'TDX_FEATURES0 of release 1.5.16; build number and date chosen by the emulator',
  }),
  build({
    id: '2.0.08', major: 2, minor: 0, update: 8, internal: 0, build: 882, buildDate: 20250325,
    features0: 0x32a71f0fbfn, extraLeaves: ['TDH.SYS.DISABLE'],
    metadata: { ATTRIBUTES_FIXED0: 0x80000000f0000001n, MAX_VCPUS_PER_TD: 2048 },
    note: 'version, build and date of the Ubuntu 6.14 report; TDX_FEATURES0 of release 2.0.08',
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

const implementedByBuild = new WeakMap<ModuleBuild, ReadonlySet<number>>();

/** Leaf numbers this build implements (a fresh set: a module may widen its own). */
export function implementedLeaves(b: ModuleBuild): Set<number> {
  let leaves = implementedByBuild.get(b);
  if (!leaves) {
    const out = new Set<number>();
    for (const l of SEAMCALL_LEAVES) {
      if (l.optional ? b.extraLeaves.includes(l.name) : versionAtLeast(b, l.since)) out.add(l.number);
    }
    implementedByBuild.set(b, (leaves = out));
  }
  return new Set(leaves);
}
