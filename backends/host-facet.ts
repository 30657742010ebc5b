/** The TDX host as the Linux kernel presents it. See port.ts for the conventions. */
import type { ErrnoName } from '../spec/abi/errno';
import type { MessageId } from '../spec/kernel/printk';
import type { KernelResult, MemoryRegion, Observed, Regs } from './port';

export const HOST_CAPABILITIES = {
  'host.log': 'the host kernel log can be read',
  'host.cpuinfo': 'the CPU flags and bugs the kernel reports can be read',
  'host.init': 'the outcome of TDX module initialisation can be obtained',
  'host.msr': 'MSRs of the host CPUs can be read',
  'host.seamcall': 'raw SEAMCALLs can be issued to the TDX module',
  'host.metadata': 'global metadata can be read through the kernel and the module',
  'host.tdmr': 'the TDMRs and PAMTs the kernel built can be inspected',
  'host.keyid': 'TD KeyIDs can be allocated and freed through the kernel',
  'host.keyid-usage': 'the number of TD KeyIDs in use can be read (the misc cgroup\'s "tdx" resource)',
  'host.cpu-hotplug': 'logical CPUs can be taken offline and back online',
  'host.memory-hotplug': 'memory can be hot-added and onlined',
  'host.kexec': 'a kexec into a new kernel can be performed',
  'host.suspend': 'system sleep states can be requested',
  'host.mce': 'machine checks on chosen physical addresses can be injected',
  'host.sysfs': 'the TDX host sysfs nodes can be read',
  'host.kernel-api': "the kernel's TDX functions can be called the way a TDX user (KVM) calls them, and their clean-up seen",
} as const;

/** Preconditions of host scenarios (see Arrangement in port.ts). */
export type HostArrangement =
  /**
   * A TDX host: a platform that passes detection (TDX KeyIDs from the BIOS, hibernation off) and
   * whose BIOS loaded a TDX module, or, with `moduleLoaded: false`, did not. With `anyKeyIds`, the
   * number of KeyIDs is left to a 'keyid-partitioning' arrangement (which may give too few). With
   * `hibernation: true`, hibernation is available (and detection refuses TDX for it).
   */
  | { kind: 'tdx-host'; moduleLoaded?: boolean; anyKeyIds?: boolean; hibernation?: boolean }
  | { kind: 'keyid-partitioning'; mktmeKeyIds: number; tdxKeyIds: number }
  | { kind: 'hibernation-available'; available: boolean }
  | { kind: 'memory-map'; regions: MemoryRegion[] }
  | { kind: 'cmrs'; regions: MemoryRegion[] }
  | { kind: 'cpus-offline-before-init'; cpus: number[] }
  | { kind: 'cpu-feature'; feature: string; present: boolean }
  | { kind: 'module-feature'; bit: number; present: boolean }
  /** The module build implements (or not) a leaf that only some builds have (TDH.SYS.DISABLE). */
  | { kind: 'module-leaf'; leaf: string; present: boolean }
  /** The module's update number (UPDATE_VERSION) is this one; its major and minor version are the target's. */
  | { kind: 'module-update-version'; update: number }
  /** The module build does not implement a global metadata field (as 1.5.01 lacked MAX_VCPUS_PER_TD). */
  | { kind: 'module-lacks-field'; field: string }
  | { kind: 'cpu-model'; model: string }
  /** The CPU's vendor, as CPUID leaf 0 spells it (GenuineIntel). */
  | { kind: 'cpu-vendor'; vendor: string }
  /** What writing "mem" to /sys/power/state does: suspend-to-idle, or ACPI S3 ("deep"). */
  | { kind: 'mem-sleep'; mode: 's2idle' | 'deep' }
  /** The kernel leaves the module alone (no TDX host code), with VMX on, for raw SEAMCALL tests. */
  | { kind: 'module-untouched' }
  /** VMXON was not done on this logical CPU (with 'module-untouched': every other CPU has it). */
  | { kind: 'cpu-vmx-off'; cpu: number }
  /** SEAMCALL raises #GP on every logical CPU of the platform. */
  | { kind: 'seamcall-gp' }
  /**
   * The module finds no entropy (RDRAND, RDSEED or PCONFIG's key generation fail) the first
   * `times` times this leaf asks for it.
   */
  | { kind: 'module-no-entropy'; leaf: string; times: number }
  /** The module answers this leaf with this completion status, whatever it is asked. */
  | { kind: 'module-answers'; leaf: string; status: bigint }
  /** The module reports, and has slots for, this many CPUID configurations (NUM_CPUID_CONFIG). */
  | { kind: 'module-cpuid-configs'; count: number };


/** A line of the kernel log recognised as a message of the catalogue (spec/kernel/printk.ts). */
export interface LogEvent {
  id: MessageId;
  variant: string;
  /** Captured conversions, as printed. */
  args: string[];
  /** The same, as numbers where the conversion is numeric (hex for %x, decimal otherwise). */
  values: (bigint | string)[];
  prefix: string;
  /** Seconds since boot, when the line had a timestamp. */
  time: number | null;
  /** Index of the line in the log. */
  line: number;
  text: string;
}

export interface KernelLog {
  lines: string[];
  /** Lines recognised as messages of the TDX catalogue (spec/kernel/printk.ts). */
  events: LogEvent[];
  /** False when the log is known to be cut (ring buffer wrapped, truncated capture). */
  complete: boolean;
}

export interface CpuInfo {
  flags: string[];
  bugs: string[];
}

export interface SeamcallOutcome {
  /** Completion status (RAX), or a software status for VMfailInvalid, #GP and #UD. */
  status: bigint;
  out: Regs;
}

export interface MetadataRead {
  /** What the kernel's reader returned. */
  result: KernelResult;
  value?: bigint;
}

export interface TdmrView {
  base: bigint;
  size: bigint;
  pamt: { base4k: bigint; size4k: bigint; base2m: bigint; size2m: bigint; base1g: bigint; size1g: bigint };
  reserved: { offset: bigint; size: bigint }[];
}

export interface TdmrReport {
  tdmrs: TdmrView[];
  /** Total PAMT as the kernel counts it, in KiB. */
  pamtKb: number;
  maxTdmrs: number;
}

export interface KexecOutcome {
  /** Result of loading the new kernel image (kexec_load / kexec_file_load). */
  load: KernelResult;
  /** Whether every CPU whose cache SEAMCALLs dirtied was flushed before the jump. */
  cachesFlushed?: boolean;
  /** What the old kernel printed between the request and the jump. */
  shutdownLog?: KernelLog;
  /** When the load succeeded and the reboot ran: what the new kernel's TDX initialisation did. */
  newKernelInit?: KernelResult;
}

/** What the kernel did with the PAMT memory when initialisation failed after TDH.SYS.CONFIG. */
export interface InitCleanup {
  /** Whether the caches of every CPU were written back (WBINVD) first. */
  cachesFlushed: boolean;
  /** The PAMT ranges the kernel overwrote with MOVDIR64B (64-byte writes of zeros), in order. */
  movdir64bRanges: { base: bigint; end: bigint }[];
  /** The PAMT ranges of the TDMRs the kernel had built, for comparison. */
  pamtRanges: { base: bigint; end: bigint }[];
  /** Whether the PAMT memory went back to the kernel's allocator. */
  pamtFreed: boolean;
}

/** One attribute file of a sysfs device. */
export interface SysfsAttribute {
  name: string;
  /** Permission bits (0o444: anyone may read it; 0o400: root only). */
  mode: number;
  /** What reading it gave, as read; neither when it was not read. */
  text?: string;
  errno?: ErrnoName;
}

/**
 * The tdx_host faux device (/sys/devices/faux/tdx_host, Linux 7.2): whether it exists, and which
 * of its documented attribute files (version, seamldr_version, num_remaining_updates) exist. Only
 * files anyone may read are read: reading an admin-only one makes the kernel call the P-SEAMLDR.
 */
export interface TdxHostDevice {
  present: boolean;
  attributes: SysfsAttribute[];
}

export interface MachineCheckOutcome {
  /** The line the kernel printed about TDX for this machine check, as printed, if any. */
  message: string | null;
}

/** One CPUID_CONFIG slot of TD_PARAMS: the values the VMM asks for (32 bits each). */
export interface TdParamsCpuid {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** A reserved area of TD_PARAMS (module 1.5 layout), which must be zero. */
export type TdParamsReserved = 'RESERVED_0' | 'RESERVED_1' | 'RESERVED_2' | 'RESERVED_3';

/**
 * TD_PARAMS as TDH.MNG.INIT reads it from memory (struct td_params of module 1.5): the fields
 * with their widths (ATTRIBUTES, XFAM, EPTP_CONTROLS and CONFIG_FLAGS 64 bits; MAX_VCPUS and
 * TSC_FREQUENCY 16; NUM_L2_VMS and MSR_CONFIG_CTLS 8), the CPUID_CONFIG values by the module's
 * slot (the order of its CPUID_CONFIG_LEAVES; a missing slot is zero), and which reserved areas
 * hold a non-zero byte. MR_CONFIG_ID, MR_OWNER, MR_OWNER_CONFIG and IA32_ARCH_CAPABILITIES_CONFIG
 * are zero.
 */
export interface TdParamsView {
  attributes: bigint;
  xfam: bigint;
  maxVcpus: number;
  numL2Vms: number;
  msrConfigCtls: number;
  eptpControls: bigint;
  configFlags: bigint;
  tscFrequency: number;
  cpuidConfig: readonly (TdParamsCpuid | null)[];
  nonZeroReserved?: readonly TdParamsReserved[];
}

export interface HostFacet {
  /** The kernel log since boot. */
  log(): Observed<KernelLog>;
  cpuinfo(): Observed<CpuInfo>;
  /**
   * Initialise the TDX module the way this kernel does (boot-time initcall, or KVM calling
   * tdx_enable()), or, on a real machine, report how the initialisation of this boot went.
   * Calling it again returns what a repeated request returns (cached result or error state).
   */
  initTdx(): Observed<KernelResult>;
  /** RDMSR on a logical CPU; a faulting read is an outcome (`gp: true`), not an error. */
  rdmsr(cpu: number, msr: number): Observed<{ value?: bigint; gp?: true }>;
  /** A raw SEAMCALL on logical CPU `cpu` (capability host.seamcall). */
  seamcall(cpu: number, rax: bigint, regs?: Regs): Observed<SeamcallOutcome>;
  /** The TDMRs the kernel would hand the module for this platform, without handing them. */
  proposedTdmrs(): Observed<TdmrView[]>;
  /** TDH.SYS.CONFIG on `cpu` with these TDMRs placed in memory (capability host.seamcall). */
  sysConfig(cpu: number, tdmrs: readonly TdmrView[], globalKeyId?: number): Observed<SeamcallOutcome>;
  /** TDH.MNG.INIT on `cpu` of the TD whose TDR is `tdr`, with this TD_PARAMS placed in memory, 1024-byte aligned (capability host.seamcall). */
  mngInit(cpu: number, tdr: bigint, params: TdParamsView): Observed<SeamcallOutcome>;
  /** Read a global metadata field through the kernel's own reader of this kernel's era. */
  readMetadata(fieldId: bigint): Observed<MetadataRead>;
  /** Every global metadata element, as TDH.SYS.RDALL lists it (status and decoded pairs). */
  metadataDump(): Observed<{ status: bigint; elements: { id: bigint; value: bigint }[] }>;
  tdmrs(): Observed<TdmrReport>;
  /** The memory the kernel declared TDX-usable when it initialised the module. */
  tdxMemory(): Observed<MemoryRegion[]>;
  /** The convertible memory ranges (CMRs) the module reports, as the kernel shows them. */
  cmrs(): Observed<MemoryRegion[]>;
  /** MemTotal of /proc/meminfo: the RAM the kernel manages, in KiB. */
  memTotalKb(): Observed<number>;
  /**
   * TD KeyIDs: how many the kernel can hand out to TDs and how many TDs hold now (where the kernel
   * accounts them: the misc cgroup's "tdx" resource from v6.16).
   */
  tdKeyIds(): Observed<{ inUse: number; capacity: number }>;
  allocGuestKeyId(): Observed<{ result: KernelResult; keyId?: number }>;
  freeGuestKeyId(keyId: number): Observed<KernelResult>;
  cpuOffline(cpu: number): Observed<KernelResult>;
  cpuOnline(cpu: number): Observed<KernelResult>;
  /** Hot-add a memory range and try to online it (the memory notifier decides). */
  onlineMemory(base: bigint, end: bigint): Observed<{ accepted: boolean }>;
  kexec(): Observed<KexecOutcome>;
  /** Request a sleep state through /sys/power/state semantics. */
  suspend(state: 'mem' | 'disk'): Observed<KernelResult>;
  /** Sleep states the kernel offers (/sys/power/state). */
  sleepStates(): Observed<string[]>;
  /** The tdx_host faux device in sysfs (capability host.sysfs). */
  tdxHostDevice(): Observed<TdxHostDevice>;
  /**
   * A memory machine check at physical address `pa` (after a partial write, for instance):
   * `fatal` when the kernel panics on it, not when it recovers (the page offlined, say).
   */
  machineCheck(pa: bigint, fatal: boolean): Observed<MachineCheckOutcome>;
  /**
   * tdx_cpu_enable() on a logical CPU, as a TDX user (KVM up to v7.0) calls it, after doing VMXON
   * on that CPU or (`vmxon: false`) without it (capability host.kernel-api).
   */
  tdxCpuEnable(cpu: number, vmxon: boolean): Observed<KernelResult>;
  /** What the kernel did with the PAMTs when initialisation failed (capability host.kernel-api). */
  initCleanup(): Observed<InitCleanup | null>;
  /** Physical address of some TDX private page the kernel owns (a PAMT page), if any. */
  privatePage(): Observed<bigint>;
  /** Per-CPU state the kernel keeps (for scenarios about hotplug and kexec). */
  cpuState(cpu: number): Observed<{ online: boolean; tdxEnabled: boolean; cacheIncoherent: boolean }>;
  /** Number of logical CPUs and packages the platform has. */
  topology(): Observed<{ cpus: number; packages: number; packageOf: (cpu: number) => number }>;
}

export type { ErrnoName };
