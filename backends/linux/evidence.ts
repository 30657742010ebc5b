/**
 * What a real machine showed, before anyone draws conclusions from it. Live probes, a snapshot
 * bundle and a single pasted file all produce this one record through the same parsers; the
 * conclusions (role, init outcome, module version...) are drawn from it in facts.ts, so the
 * three sources can never disagree about what the same text means.
 */

export interface CpuFlags {
  flags: string[];
  /** null: the capture did not include the bugs line. */
  bugs: string[] | null;
  /**
   * False when the flags list may be cut (a bare flags line pasted on its own, a capture that ends
   * in it, a terminal that broke a name): a flag that is listed is there, a flag that is missing
   * may simply have been cut off.
   */
  complete: boolean;
  /** The same for the bugs list (false where there is none). */
  bugsComplete: boolean;
  source: string;
  /** The "vmx flags" line of /proc/cpuinfo (VMX capabilities, vmxfeatures.h names); absent where not captured or no VMX. */
  vmx?: string[];
  /** The same for the vmx flags list (present with it). */
  vmxComplete?: boolean;
}

export interface CpuIdentity {
  vendor: string | null;
  family: number | null;
  model: number | null;
  modelName: string | null;
}

export type MsrReading = { value: bigint } | { gp: true } | { error: string };

export interface CpuidRegs {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** The module information the Intel kernels expose in /sys/firmware/tdx/tdx_module/. */
export interface SysfsModuleInfo {
  attributes: number | null;
  vendorId: number | null;
  major: number | null;
  minor: number | null;
  buildNum: number | null;
  /** Decimal yyyymmdd as the module reports it. */
  buildDate: number | null;
  status: string | null;
}

/** Bits canonical's system-report prints from MSRs (already decoded by rdmsr -f). */
export interface ReportedMsrFields {
  tmeEnabled: boolean | null;
  seamrrEnabled: boolean | null;
  /** MSR 0x87 bits 63:32. */
  tdxPrivateKeyIds: number | null;
  production: boolean | null;
}

export interface Topology {
  present: number[];
  online: number[];
  packageOf: Record<number, number>;
}

export interface KernelLogText {
  lines: string[];
  /** Where the lines came from (dmesg, /dev/kmsg, journalctl -k, a file, a report section). */
  source: string;
  /** The lines are a filtered selection (grep tdx, head/tail), not the whole log. */
  excerpt: boolean;
  /** The text did not end with a newline: its last line may be cut and is never read as a fact. */
  lastLineCut?: boolean;
  /** Lines were left out just before these indexes (the "..." between a report's head and tail). */
  omittedBefore?: number[];
}

/** Something the source tried to read but could not, and why (permissions, absent node...). */
export interface Unreadable {
  what: string;
  why: string;
}

export interface Evidence {
  /** What kinds of text were recognised (kernel-log, system-report, cpuinfo, sysfs, ...). */
  formats: string[];
  log: KernelLogText | null;
  unameRelease: string | null;
  cmdline: string[] | null;
  cpuFlags: CpuFlags | null;
  cpu: CpuIdentity;
  /** system-report: whether `grep tdx /proc/cpuinfo` matched. */
  cpuinfoMentionsTdx: boolean | null;
  /** Keyed `cpu:0x87`. */
  msrs: Record<string, MsrReading>;
  reportedMsrs: ReportedMsrFields | null;
  /** Keyed `cpu:leaf:subleaf`, hex. */
  cpuid: Record<string, CpuidRegs>;
  sysfsModule: SysfsModuleInfo | null;
  /** /sys/devices/faux/tdx_host/version (2026 kernels), "major.minor.update". */
  tdxHostVersion: string | null;
  /** /sys/module/kvm_intel/parameters/tdx. */
  kvmIntelTdx: boolean | null;
  devTdxGuest: boolean | null;
  tdxGuestModule: boolean | null;
  tsmProvider: string | null;
  tsmReportDir: boolean | null;
  sleepStates: string[] | null;
  /** /sys/power/mem_sleep: the variants of "mem" and the one in use (in brackets). */
  memSleep: { offered: string[]; current: string | null } | null;
  /** Module parameters of kvm and kvm_intel as sysfs shows them ("kvm_intel.ept" -> "Y"). */
  kvmParams: Record<string, string>;
  /** The misc cgroup's "tdx" resource at the root: capacity and usage (null: no such line). */
  miscTdx: { capacity: number | null; current: number | null } | null;
  /** /dev/kvm exists, and what KVM_GET_API_VERSION answered on it (null: not asked or refused). */
  devKvm: boolean | null;
  kvmApiVersion: number | null;
  /** MemTotal of /proc/meminfo, in KiB. */
  memTotalKb: number | null;
  topology: Topology | null;
  unreadable: Unreadable[];
  notes: string[];
}

export function emptyEvidence(): Evidence {
  return {
    formats: [], log: null, unameRelease: null, cmdline: null, cpuFlags: null,
    cpu: { vendor: null, family: null, model: null, modelName: null },
    cpuinfoMentionsTdx: null, msrs: {}, reportedMsrs: null, cpuid: {}, sysfsModule: null, tdxHostVersion: null,
    kvmIntelTdx: null, devTdxGuest: null, tdxGuestModule: null, tsmProvider: null, tsmReportDir: null,
    sleepStates: null, memSleep: null, kvmParams: {}, miscTdx: null, devKvm: null, kvmApiVersion: null, memTotalKb: null,
    topology: null, unreadable: [], notes: [],
  };
}

export const msrKey = (cpu: number, msr: number): string => `${cpu}:0x${msr.toString(16)}`;
export const cpuidKey = (cpu: number, leaf: number, subleaf: number): string => `${cpu}:0x${leaf.toString(16)}:0x${subleaf.toString(16)}`;

/** Fold a fragment into the evidence: later non-empty values win, lists accumulate. */
export function mergeEvidence(into: Evidence, part: Partial<Evidence>): Evidence {
  for (const [k, v] of Object.entries(part) as [keyof Evidence, unknown][]) {
    if (v === null || v === undefined) continue;
    switch (k) {
      case 'formats':
      case 'unreadable':
      case 'notes':
        (into[k] as unknown[]).push(...(v as unknown[]));
        break;
      case 'msrs':
      case 'cpuid':
        Object.assign(into[k], v);
        break;
      case 'cpu': {
        const c = v as CpuIdentity;
        into.cpu = {
          vendor: c.vendor ?? into.cpu.vendor, family: c.family ?? into.cpu.family,
          model: c.model ?? into.cpu.model, modelName: c.modelName ?? into.cpu.modelName,
        };
        break;
      }
      default:
        (into as unknown as Record<string, unknown>)[k] = v;
    }
  }
  return into;
}
