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
import { GUEST_CAPABILITIES, type GuestArrangement, type GuestFacet } from './guest-facet';
import { HOST_CAPABILITIES, type HostArrangement, type HostFacet } from './host-facet';
import { KVM_CAPABILITIES, type KvmArrangement, type KvmFacet } from './kvm-facet';

export type { HostFacet } from './host-facet';
export type { KvmFacet } from './kvm-facet';
export type { GuestFacet } from './guest-facet';

/**
 * Capability names. A scenario tagged `@needs:<name>` is skipped on targets without it. Each
 * facet file lists its own; `platform.arrange` is the emulator's power to set up a platform.
 */
export const CAPABILITIES = {
  'platform.arrange': 'Given-steps can configure the platform (memory map, KeyIDs, CPUs, BIOS, module)',
  ...HOST_CAPABILITIES,
  ...KVM_CAPABILITIES,
  ...GUEST_CAPABILITIES,
} as const;

export type Capability = keyof typeof CAPABILITIES;

/**
 * Capabilities whose use changes a real machine. A scenario that needs one must be @destructive
 * (checked by the spec lint): only those scenarios may change a machine, and only they have it
 * restored afterwards.
 */
export const MACHINE_CHANGING: ReadonlySet<Capability> = new Set<Capability>([
  'host.cpu-hotplug', 'host.memory-hotplug', 'host.kexec', 'host.suspend', 'host.mce',
]);
export const isCapability = (s: string): s is Capability => Object.prototype.hasOwnProperty.call(CAPABILITIES, s);

/**
 * The major version of this contract (docs/targets.md, "Versioning"): an adapter says which it
 * implements, and a suite refuses another. Raised when a change would break an existing adapter.
 */
export const PORT_VERSION = 1;

export type TargetKind = 'emulator' | 'linux' | 'snapshot' | 'emulated-linux' | 'adapter';
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
  /**
   * The version is only a lower bound: the machine shows that its module is at least this one
   * (a mainline kernel initialised it, and those read metadata with TDH.SYS.RD, which 1.0 lacks).
   */
  atLeast?: boolean;
  /**
   * Where the target learned it: its own configuration (an emulator profile), the kernel log, sysfs,
   * or an inference. A scenario never checks the kernel log against a version read from that log.
   */
  source?: 'profile' | 'kernel-log' | 'sysfs' | 'inferred';
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
  /**
   * The TD guest the target runs besides being a host (the emulator): its kernel, which decides
   * the eras and versions of guest scenarios (@guest). A TD seen from inside has it as `kernel`.
   */
  guest?: { kernel: { release: string | null; flavour: string | null } };
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
 * compares it with what it observed and answers `unmet` when it differs. Each facet file
 * defines its own kinds.
 */
export type Arrangement = HostArrangement | KvmArrangement | GuestArrangement;

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
/** What a scenario allows its target to do. */
export interface ScenarioGrant {
  /** The scenario is @destructive: it may change a real machine (when the run allows that too). */
  mayChangeMachine: boolean;
}

export interface TargetFactory {
  readonly description: TargetDescription;
  readonly capabilities: ReadonlySet<Capability>;
  /** A fresh target for one scenario; without a grant, it may not change the machine. */
  create(grant?: ScenarioGrant): Target;
}
