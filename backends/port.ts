/**
 * The port: what step definitions may ask of a system under test.
 *
 * A Target is one system (the embedded emulator, a live Linux machine, or a snapshot captured on
 * one). It describes itself, declares the capabilities it really has, and answers through facets
 * (host, kvm, guest). Architectural outcomes are returned as data records, never thrown; a
 * question the target cannot answer returns an `Unobservable` record carrying the reason, which
 * the suite turns into a skip. Only a broken environment throws (`TargetBlockedError`).
 */
import type { ErrnoName } from '../spec/abi/errno';
import type { HostFacet } from './host-facet';
import type { KvmFacet } from './kvm-facet';
import type { GuestFacet } from './guest-facet';

export type { HostFacet } from './host-facet';
export type { KvmFacet } from './kvm-facet';
export type { GuestFacet } from './guest-facet';

/** Capability names. A scenario tagged `@needs:<name>` is skipped on targets without it. */
export const CAPABILITIES = {
  'platform.arrange': 'Given-steps can configure the platform (memory map, KeyIDs, CPUs, BIOS, module)',
  'host.log': 'the host kernel log can be read',
  'host.cpuinfo': 'the CPU flags and bugs the kernel reports can be read',
  'host.init': 'the outcome of TDX module initialisation can be obtained',
  'host.seamcall': 'raw SEAMCALLs can be issued to the TDX module',
  'host.metadata': 'global metadata can be read through the kernel and the module',
  'host.tdmr': 'the TDMRs and PAMTs the kernel built can be inspected',
  'host.keyid': 'TD KeyIDs can be allocated and freed through the kernel',
  'host.cpu-hotplug': 'logical CPUs can be taken offline and back online',
  'host.memory-hotplug': 'memory can be hot-added and onlined',
  'host.kexec': 'a kexec into a new kernel can be performed',
  'host.suspend': 'system sleep states can be requested',
  'host.mce': 'machine checks on chosen physical addresses can be injected',
  'host.sysfs': 'the TDX host sysfs nodes can be read',
  'kvm.ioctl': 'KVM ioctls can be issued as a VMM would',
  'guest.instructions': 'arbitrary instructions can be executed inside a TD',
  'guest.cpuid': 'CPUID can be executed inside a TD',
  'guest.msr': 'MSRs can be read and written inside a TD',
  'guest.memory': 'guest memory can be accessed and converted private/shared',
  'guest.log': 'the guest kernel log can be read',
  'guest.report': 'TDREPORTs can be requested through /dev/tdx_guest',
  'guest.tsm': 'configfs-tsm reports can be requested',
} as const;

export type Capability = keyof typeof CAPABILITIES;
export const isCapability = (s: string): s is Capability => Object.prototype.hasOwnProperty.call(CAPABILITIES, s);

export type TargetKind = 'emulator' | 'linux' | 'snapshot';
export type Role = 'host' | 'guest' | 'none' | 'unknown';

export interface MemoryRegion {
  base: bigint;
  end: bigint;
  node: number;
}

export interface ModuleDescription {
  major: number;
  minor: number;
  update: number | null;
  build: number | null;
  buildDate: number | null;
  features0: bigint | null;
}

/** What a target says about itself: the basis for applicability and for reports. */
export interface TargetDescription {
  kind: TargetKind;
  /** Emulator profile name, host name, or snapshot path. */
  name: string;
  role: Role;
  kernel: {
    release: string | null;
    /** Name of a flavour in spec/kernel/flavours.ts, or null when it cannot be identified. */
    flavour: string | null;
  };
  module: ModuleDescription | null;
  platform: {
    cpuModel: string | null;
    packages: number | null;
    logicalCpus: number | null;
    memory: MemoryRegion[] | null;
    cmrs: MemoryRegion[] | null;
    keyIds: { start: number; end: number } | null;
    errata: string[];
  };
  /** Emulator only: deliberate deviations switched on for this run. */
  faults?: string[];
  notes?: string[];
}

/** A question the target cannot answer: the reason becomes the scenario's skip reason. */
export interface Unobservable {
  unobservable: string;
}

export const unobservable = (reason: string): Unobservable => ({ unobservable: reason });
export const isUnobservable = (v: unknown): v is Unobservable =>
  typeof v === 'object' && v !== null && 'unobservable' in v;

export type Observed<T> = T | Unobservable;

/**
 * A precondition a Given-step states. The emulator makes it true before it boots; a real target
 * compares it with what it observed and answers `unmet` (or `unobservable`) when it differs.
 */
export type Arrangement =
  | { kind: 'tdx-host' }
  | { kind: 'keyid-partitioning'; mktmeKeyIds: number; tdxKeyIds: number }
  | { kind: 'module-loaded'; loaded: boolean }
  | { kind: 'hibernation-available'; available: boolean }
  | { kind: 'memory-map'; regions: MemoryRegion[] }
  | { kind: 'cmrs'; regions: MemoryRegion[] }
  | { kind: 'cpus-offline-before-init'; cpus: number[] }
  | { kind: 'cpu-feature'; feature: string; present: boolean }
  | { kind: 'module-feature'; bit: number; present: boolean }
  /** The module build implements (or not) a leaf that only some builds have (TDH.SYS.DISABLE). */
  | { kind: 'module-leaf'; leaf: string; present: boolean }
  /** The module build does not implement a global metadata field (as 1.5.01 lacked MAX_VCPUS_PER_TD). */
  | { kind: 'module-lacks-field'; field: string }
  | { kind: 'cpu-model'; model: string }
  | { kind: 'kvm-tdx-param'; enabled: boolean }
  /** The kernel leaves the module alone (no TDX host code), with VMX on, for raw SEAMCALL tests. */
  | { kind: 'module-untouched' };

export type ArrangeResult = { met: true } | { met: false; reason: string };

/** 64-bit general purpose registers as SEAMCALL/TDCALL operands. */
export type Reg = 'rax' | 'rcx' | 'rdx' | 'rbx' | 'rsi' | 'rdi' | 'r8' | 'r9' | 'r10' | 'r11' | 'r12' | 'r13' | 'r14' | 'r15';
export type Regs = Partial<Record<Reg, bigint>>;

/** A kernel-style result: success, or a negative errno by name. */
export type KernelResult = { ok: true } | { ok: false; errno: ErrnoName };

export interface Target {
  readonly description: TargetDescription;
  readonly capabilities: ReadonlySet<Capability>;
  arrange(a: Arrangement): ArrangeResult;
  readonly host?: HostFacet;
  readonly kvm?: KvmFacet;
  readonly guest?: GuestFacet;
  /** Undo anything the scenario changed; report whether the machine is as it was. */
  restore?(): Promise<{ restored: boolean; detail?: string }>;
}

/** The environment broke (not the target's conformance): the scenario is reported blocked. */
export class TargetBlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetBlockedError';
  }
}

/** Creates a fresh target for each scenario. */
export interface TargetFactory {
  readonly description: TargetDescription;
  readonly capabilities: ReadonlySet<Capability>;
  create(): Target;
}
