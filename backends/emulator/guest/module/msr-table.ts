/**
 * MSR virtualisation by the TDX module (@src:mod-msr-lookup, @src:guest-mod15-td-msr-access,
 * @src:guest-mod208-td-msr-access, @src:guest-mod208-msr-lookup, @src:tdx-rst-guest).
 *
 * The guest documentation sorts MSRs in three categories: those whose access raises #GP, those
 * whose access raises #VE (the guest may ask the VMM to emulate them), and those that just work
 * (passed through to the CPU, or emulated by the module). The module decides from a table: for
 * reads and writes separately, whether the MSR bitmap intercepts the access (always, never, or
 * depending on a TD feature such as the PERFMON attribute or an XFAM bit), and what an
 * intercepted access does (#GP, #VE, #GP or #VE depending on whether the TD's virtual CPUID
 * enumerates the feature, or emulation by the module). MSRs the table does not list are
 * intercepted and raise #VE on module 1.5; module 2.0 answers them, and IA32_VMX_PINBASED_CTLS,
 * with #GP once the TD turned on REDUCE_VE, and decides MCG_CAP and MTRR_DEF_TYPE by whether the
 * TD's CPUID enumerates MCA and MTRR. The rows below are an excerpt of the 1.5.01 table, with the
 * rows 2.0.08 changes.
 */
import { attributeBit } from '../../../../spec/abi/tdcall';

/** When the MSR bitmap intercepts an access. */
export type Bitmap =
  | 'never' | 'always'
  | 'perfmon' | 'pks' | 'xfam-pt' | 'xfam-cet' | 'xfam-lbr' | 'xfam-uli' | 'xfam-amx' | 'tsx' | 'umwait';

/** What an intercepted access does ('gp-or-ve-reduced': #GP when the TD turned on REDUCE_VE, else #VE). */
export type Action = 'gp' | 've' | 'gp-or-ve' | 'gp-or-ve-reduced' | 'module';

/** The CPUID feature a gp-or-ve MSR depends on: #VE when the TD's CPUID enumerates it, else #GP. */
export interface CpuidFeature {
  leaf: number;
  subleaf: number;
  reg: 'eax' | 'ebx' | 'ecx' | 'edx';
  bit: number;
}

export interface MsrRule {
  first: number;
  last: number;
  name: string;
  read: [Bitmap, Action];
  write: [Bitmap, Action];
  feature?: CpuidFeature;
}

const TSC_DEADLINE: CpuidFeature = { leaf: 0x1, subleaf: -1, reg: 'ecx', bit: 24 };
const TME: CpuidFeature = { leaf: 0x7, subleaf: 0, reg: 'ecx', bit: 13 };
const DCA: CpuidFeature = { leaf: 0x1, subleaf: -1, reg: 'ecx', bit: 18 };

const R = (first: number, last: number, name: string, read: [Bitmap, Action], write: [Bitmap, Action], feature?: CpuidFeature): MsrRule =>
  ({ first, last, name, read, write, ...(feature ? { feature } : {}) });

const PASS: [Bitmap, Action] = ['never', 'gp'];
const GP: [Bitmap, Action] = ['always', 'gp'];
const VE: [Bitmap, Action] = ['always', 've'];
const MOD: [Bitmap, Action] = ['always', 'module'];
const PMU: [Bitmap, Action] = ['perfmon', 'gp'];

export const MSR_RULES: readonly MsrRule[] = [
  R(0x10, 0x10, 'IA32_TIME_STAMP_COUNTER', PASS, VE),
  R(0x48, 0x48, 'IA32_SPEC_CTRL', PASS, PASS),
  R(0x49, 0x49, 'IA32_PRED_CMD', PASS, PASS),
  R(0x87, 0x87, 'IA32_MKTME_PARTITIONING', ['always', 'gp-or-ve'], ['always', 'gp-or-ve'], TME),
  R(0x8c, 0x8f, 'IA32_SGXLEPUBKEYHASHx', GP, GP),
  R(0x98, 0x98, 'MSR_WBINVDP', GP, GP),
  R(0x99, 0x99, 'MSR_WBNOINVDP', GP, GP),
  R(0x9a, 0x9a, 'MSR_INTR_PENDING', GP, GP),
  R(0x9b, 0x9b, 'IA32_SMM_MONITOR_CTL', GP, GP),
  R(0x9e, 0x9e, 'IA32_SMBASE', GP, GP),
  R(0xbc, 0xbc, 'IA32_MISC_PACKAGE_CTLS', PASS, VE),
  R(0xbd, 0xbd, 'IA32_XAPIC_DISABLE_STATUS', MOD, PASS),
  R(0xc1, 0xc8, 'IA32_PMCx', PMU, PMU),
  R(0xe1, 0xe1, 'IA32_UMWAIT_CONTROL', ['umwait', 'gp'], ['umwait', 'gp']),
  R(0x10a, 0x10a, 'IA32_ARCH_CAPABILITIES', MOD, PASS),
  R(0x10b, 0x10b, 'IA32_FLUSH_CMD', PASS, PASS),
  R(0x122, 0x122, 'IA32_TSX_CTRL', ['tsx', 'gp'], ['tsx', 'gp']),
  R(0x174, 0x176, 'IA32_SYSENTER_CS/ESP/EIP', PASS, PASS),
  R(0x186, 0x18d, 'IA32_PERFEVTSELx', PMU, PMU),
  R(0x195, 0x195, 'IA32_OVERCLOCKING_STATUS', GP, GP),
  R(0x1a0, 0x1a0, 'IA32_MISC_ENABLE', ['perfmon', 'module'], VE),
  R(0x1a6, 0x1a7, 'MSR_OFFCORE_RSPx', PMU, PMU),
  R(0x1c4, 0x1c5, 'IA32_XFD/IA32_XFD_ERR', ['xfam-amx', 'gp'], ['xfam-amx', 'gp']),
  R(0x1d9, 0x1d9, 'IA32_DEBUGCTL', MOD, MOD),
  R(0x1f8, 0x1fa, 'IA32_PLATFORM_DCA_CAP/CPU_DCA_CAP/DCA_0_CAP', ['always', 'gp-or-ve'], ['always', 'gp-or-ve'], DCA),
  R(0x276, 0x276, 'MSR_SLAM_ENABLE', GP, GP),
  R(0x277, 0x277, 'IA32_PAT', PASS, PASS),
  R(0x309, 0x310, 'IA32_FIXED_CTRx', PMU, PMU),
  R(0x329, 0x329, 'IA32_PERF_METRICS', PMU, PMU),
  R(0x345, 0x345, 'IA32_PERF_CAPABILITIES', MOD, PMU),
  R(0x38d, 0x392, 'IA32_FIXED_CTR_CTRL/PERF_GLOBAL_*', PMU, PMU),
  R(0x3f1, 0x3f2, 'IA32_PEBS_ENABLE/MSR_PEBS_MATRIX_VECT', PMU, PMU),
  R(0x3f6, 0x3f7, 'MSR_PEBS_LD_LATENCY/MSR_PEBS_FRONTEND', PMU, PMU),
  R(0x480, 0x480, 'IA32_VMX_BASIC', MOD, GP),
  R(0x481, 0x484, 'IA32_VMX_PINBASED/PROCBASED/EXIT/ENTRY_CTLS', VE, GP),
  R(0x485, 0x489, 'IA32_VMX_MISC/CR0_FIXEDx/CR4_FIXEDx', MOD, GP),
  R(0x48a, 0x48a, 'IA32_VMX_VMCS_ENUM', VE, GP),
  R(0x48b, 0x492, 'IA32_VMX_PROCBASED_CTLS2 .. CTLS3', MOD, GP),
  R(0x4c1, 0x4c8, 'IA32_A_PMCx', PMU, PMU),
  R(0x500, 0x500, 'IA32_SGX_SVN_STATUS', GP, GP),
  R(0x560, 0x561, 'IA32_RTIT_OUTPUT_BASE/MASK_PTRS', ['xfam-pt', 'gp'], ['xfam-pt', 'gp']),
  R(0x570, 0x572, 'IA32_RTIT_CTL/STATUS/CR3_MATCH', ['xfam-pt', 'gp'], ['xfam-pt', 'gp']),
  R(0x580, 0x587, 'IA32_RTIT_ADDRx_A/B', ['xfam-pt', 'gp'], ['xfam-pt', 'gp']),
  R(0x600, 0x600, 'IA32_DS_AREA', PASS, PASS),
  R(0x6a0, 0x6a0, 'IA32_U_CET', ['xfam-cet', 'gp'], ['xfam-cet', 'gp']),
  R(0x6a2, 0x6a2, 'IA32_S_CET', ['xfam-cet', 'gp'], ['xfam-cet', 'gp']),
  R(0x6a4, 0x6a8, 'IA32_PLx_SSP/INTERRUPT_SSP_TABLE_ADDR', ['xfam-cet', 'gp'], ['xfam-cet', 'gp']),
  R(0x6e0, 0x6e0, 'IA32_TSC_DEADLINE', ['always', 'gp-or-ve'], ['always', 'gp-or-ve'], TSC_DEADLINE),
  R(0x6e1, 0x6e1, 'IA32_PKRS', ['pks', 'gp'], ['pks', 'gp']),
  R(0x800, 0x801, 'reserved x2APIC', GP, GP),
  R(0x804, 0x807, 'reserved x2APIC', GP, GP),
  R(0x808, 0x808, 'IA32_X2APIC_TPR', PASS, PASS),
  R(0x809, 0x809, 'reserved x2APIC', PASS, PASS),
  R(0x80a, 0x80a, 'IA32_X2APIC_PPR', PASS, PASS),
  R(0x80b, 0x80b, 'IA32_X2APIC_EOI', PASS, PASS),
  R(0x80c, 0x80c, 'reserved x2APIC', PASS, PASS),
  R(0x80e, 0x80e, 'reserved x2APIC', PASS, PASS),
  R(0x810, 0x817, 'IA32_X2APIC_ISRx', PASS, PASS),
  R(0x818, 0x81f, 'IA32_X2APIC_TMRx', PASS, PASS),
  R(0x820, 0x827, 'IA32_X2APIC_IRRx', PASS, PASS),
  R(0x829, 0x82e, 'reserved x2APIC', GP, GP),
  R(0x831, 0x831, 'reserved x2APIC', GP, GP),
  R(0x83f, 0x83f, 'IA32_X2APIC_SELF_IPI', PASS, PASS),
  R(0x840, 0x8ff, 'reserved x2APIC', GP, GP),
  R(0x981, 0x984, 'IA32_TME_CAPABILITY/ACTIVATE/EXCLUDE_MASK/EXCLUDE_BASE', ['always', 'gp-or-ve'], ['always', 'gp-or-ve'], TME),
  R(0x985, 0x98a, 'IA32_UINTR_*', ['xfam-uli', 'gp'], ['xfam-uli', 'gp']),
  R(0xc80, 0xc80, 'IA32_DEBUG_INTERFACE', PASS, VE),
  R(0xd90, 0xd90, 'IA32_BNDCFGS', GP, GP),
  R(0xd93, 0xd93, 'IA32_PASID', GP, GP),
  R(0xda0, 0xda0, 'IA32_XSS', PASS, MOD),
  R(0x1200, 0x12ff, 'IA32_LBR_INFO', ['xfam-lbr', 'gp'], ['xfam-lbr', 'gp']),
  R(0x14ce, 0x14cf, 'IA32_LBR_CTL/IA32_LBR_DEPTH', ['xfam-lbr', 'gp'], ['xfam-lbr', 'gp']),
  R(0x1500, 0x16ff, 'IA32_LBR_x_FROM_IP/TO_IP', ['xfam-lbr', 'gp'], ['xfam-lbr', 'gp']),
  R(0x1b01, 0x1b01, 'IA32_UARCH_MISC_CTL', PASS, PASS),
  R(0xc0000080, 0xc0000080, 'IA32_EFER', PASS, MOD),
  R(0xc0000081, 0xc0000082, 'IA32_STAR/IA32_LSTAR', PASS, PASS),
  R(0xc0000084, 0xc0000084, 'IA32_FMASK', PASS, PASS),
  R(0xc0000100, 0xc0000100, 'IA32_FSBASE', PASS, PASS),
  R(0xc0000101, 0xc0000101, 'IA32_GSBASE', PASS, PASS),
  R(0xc0000102, 0xc0000102, 'IA32_KERNEL_GS_BASE', PASS, PASS),
  R(0xc0000103, 0xc0000103, 'IA32_TSC_AUX', PASS, PASS),
];

const MCA: CpuidFeature = { leaf: 0x1, subleaf: -1, reg: 'edx', bit: 14 };
const MTRR: CpuidFeature = { leaf: 0x1, subleaf: -1, reg: 'edx', bit: 12 };

/**
 * Rows module 2.0.08 has differently (td_msr_access.c and msr_config_lookup.c of 2.0.08): MSRs
 * 1.5.01 leaves to its default and 2.0.08 lists (IA32_APICBASE and the x2APIC ICR stay #VE
 * there, whatever REDUCE_VE says), and the rows whose action changed.
 */
export const MSR_RULES_2_0: readonly MsrRule[] = [
  R(0x1b, 0x1b, 'IA32_APIC_BASE', VE, VE),
  R(0x830, 0x830, 'IA32_X2APIC_ICR', VE, VE),
  R(0x179, 0x179, 'IA32_MCG_CAP', ['always', 'gp-or-ve'], ['always', 'gp-or-ve'], MCA),
  R(0x2ff, 0x2ff, 'IA32_MTRR_DEF_TYPE', ['always', 'gp-or-ve'], ['always', 'gp-or-ve'], MTRR),
  R(0x481, 0x481, 'IA32_VMX_PINBASED_CTLS', ['always', 'gp-or-ve-reduced'], GP),
];

/** The row of an MSR on a module of this major version, if the module lists it. */
export function msrRule(msr: number, moduleMajor = 1): MsrRule | undefined {
  const m = msr >>> 0;
  const hit = (r: MsrRule) => m >= r.first && m <= r.last;
  return (moduleMajor >= 2 ? MSR_RULES_2_0.find(hit) : undefined) ?? MSR_RULES.find(hit);
}

/** The TD features a dynamic bitmap depends on. */
export interface MsrTdView {
  attributes: bigint;
  xfam: bigint;
  moduleMajor: number;
  /** TD_CTLS.REDUCE_VE is on. */
  reduceVe: boolean;
  /** Whether the TD's virtual CPUID enumerates a feature bit. */
  hasCpuidFeature(f: CpuidFeature): boolean;
}

const TSX_RTM: CpuidFeature = { leaf: 0x7, subleaf: 0, reg: 'ebx', bit: 11 };
const WAITPKG: CpuidFeature = { leaf: 0x7, subleaf: 0, reg: 'ecx', bit: 5 };

/** Whether a dynamic bitmap leaves the access to the CPU (the TD has the feature). */
export function featureEnabled(b: Bitmap, td: MsrTdView): boolean {
  const xfam = (mask: bigint) => (td.xfam & mask) === mask;
  switch (b) {
    case 'never': return true;
    case 'always': return false;
    case 'perfmon': return (td.attributes & attributeBit('PERFMON')) !== 0n;
    case 'pks': return (td.attributes & attributeBit('PKS')) !== 0n;
    case 'xfam-pt': return xfam(1n << 8n);
    case 'xfam-cet': return xfam((1n << 11n) | (1n << 12n));
    case 'xfam-uli': return xfam(1n << 14n);
    case 'xfam-lbr': return xfam(1n << 15n);
    case 'xfam-amx': return xfam((1n << 17n) | (1n << 18n));
    case 'tsx': return td.hasCpuidFeature(TSX_RTM);
    case 'umwait': return td.hasCpuidFeature(WAITPKG);
  }
}

export type MsrCategory = 'native' | 'module' | 'gp' | 've';
