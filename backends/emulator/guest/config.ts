/**
 * What an emulated TD is built from: the VMM's TD parameters (attributes, config flags, GPA
 * width, CPUID values), the TDX module build it runs on, the guest kernel flavour, and test
 * knobs the arrangements set. `defaultTdConfig` derives the TD a VMM would create for a Linux
 * guest on a given module build and kernel.
 */
import { TDX_FEATURES0 } from '../../../spec/abi/global-metadata';
import { attributeBit, tdCtlBit } from '../../../spec/abi/tdcall';
import type { KernelFlavour } from '../../../spec/kernel/flavours';
import type { Faults } from '../faults';
import type { ModuleBuild } from '../module/versions';

export type { CpuidOverride } from '../platform/native-cpuid';
import type { CpuidOverride } from '../platform/native-cpuid';

export interface TdConfig {
  /** TD attributes (TD_PARAMS.ATTRIBUTES); must be allowed by the module build. */
  attributes: bigint;
  /** TD_CTLS bits already set when the guest kernel starts (by firmware or a bootloader). */
  tdCtls: bigint;
  gpaWidth: 48 | 52;
  vcpus: number;
  module: ModuleBuild;
  flavour: KernelFlavour;
  faults: Faults;
  /** TDCS.CONFIG_FLAGS.FLEXIBLE_PENDING_VE (the guest may control SEPT #VE itself). Default false. */
  flexiblePendingVe?: boolean;
  /** The VMM configured x2APIC IDs (TOPOLOGY_ENUM_CONFIGURED). Default: true where the module has it. */
  topologyConfigured?: boolean;
  /** XFAM; default x87, SSE, AVX (0xe7 is the common QEMU choice without AMX/PT/CET). */
  xfam?: bigint;
  /** CPU model of the host (native CPUID values). Default sapphire-rapids. */
  cpuModel?: string;
  /** Native CPUID bits the host CPU lacks (cleared from the native values). */
  nativeCpuidClear?: CpuidOverride[];
  /** CPUID values the VMM configured (configurable bits only take effect where native). */
  vmmCpuid?: CpuidOverride[];
  /** Guest RAM size; default 2 GiB. */
  ramBytes?: bigint;
  /** Private ranges the VMM added but the guest has not accepted. */
  unaccepted?: { gpa: bigint; pages: number }[];
  /** Statuses the module returns for a TDCALL leaf instead of serving it (test hook). */
  tdcallStatus?: Record<string, bigint>;
  /** Guest kernel release string (uname -r). */
  release?: string;
}

const isAllowed = (b: ModuleBuild, bits: bigint): boolean => (bits & ~BigInt(b.metadata.ATTRIBUTES_FIXED0 ?? 0n)) === 0n;

/**
 * The TD a VMM creates for a Linux guest: SEPT_VE_DISABLE set where the module allows it. A build
 * that cannot set it (the TDX 1.0 build's ATTRIBUTES_FIXED0 lacks bit 28) can only boot a Linux
 * guest as a debug TD, so that is what the emulator creates there.
 */
export function defaultAttributes(b: ModuleBuild): bigint {
  const sept = attributeBit('SEPT_VE_DISABLE');
  return isAllowed(b, sept) ? sept : attributeBit('DEBUG');
}

export function attributesAllowed(b: ModuleBuild, attributes: bigint): boolean {
  return isAllowed(b, attributes);
}

/**
 * TD_CTLS bits the module build implements; 0 where TD_CTLS does not exist (TDX 1.0). Module
 * 1.5.01 has PENDING_VE_DISABLE only (@src:guest-mod15-td-ctls); ENUM_TOPOLOGY comes with the
 * builds whose TDX_FEATURES0 enumerates TOPOLOGY_ENUM (1.5.06 does); REDUCE_VE and VIRT_CPUID2
 * with the 2.0 line (emulator choice for the first release; see the guest docs).
 */
export function tdCtlsSupported(b: ModuleBuild): bigint {
  if (b.major === 1 && b.minor === 0) return 0n;
  const topology = b.features0 !== null && ((b.features0 >> BigInt(TDX_FEATURES0.TOPOLOGY_ENUM)) & 1n) === 1n;
  const base = tdCtlBit('PENDING_VE_DISABLE') | (topology ? tdCtlBit('ENUM_TOPOLOGY') : 0n);
  return b.major >= 2 ? base | tdCtlBit('VIRT_CPUID2') | tdCtlBit('REDUCE_VE') : base;
}

/** Whether the build lets the VMM set CONFIG_FLAGS.FLEXIBLE_PENDING_VE. */
export const flexiblePendingVeSupported = (b: ModuleBuild): boolean => !(b.major === 1 && b.minor === 0);

export function defaultTdConfig(module: ModuleBuild, flavour: KernelFlavour, faults: Faults): TdConfig {
  return {
    attributes: defaultAttributes(module), tdCtls: 0n, gpaWidth: 48, vcpus: 2, module, flavour, faults,
  };
}
