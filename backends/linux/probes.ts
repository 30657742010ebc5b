/**
 * What the linux target reads on a machine when it first looks at it: a fixed list of probes,
 * each one operation through the kernel-interface seam (a file, whether a node exists, the kernel
 * log, a CPUID leaf or an MSR through /dev/cpu/N/*, the KVM API version). The live target and
 * `tdx-conformance capture` run the same list; a snapshot stores each probe's result under its id,
 * so reading a snapshot goes through the same parsers as reading the machine.
 *
 * Every probe only reads. What scenarios do later (KVM ioctls, a TD built and destroyed) is
 * recorded by the capture as it happens (capture/).
 */
import type { ErrnoName } from '../../spec/abi/errno';
import type { InstructionRun } from '../kernel-interface';
import type { CpuidRegs } from './evidence';
import type { GuestProbe } from './guest-probes';

export type Probe =
  | { id: string; kind: 'file'; path: string; why: string }
  | { id: string; kind: 'exists'; path: string; why: string }
  | { id: string; kind: 'kernel-log'; why: string }
  | { id: string; kind: 'cpuid'; cpu: number; leaf: number; subleaf: number; why: string }
  | { id: string; kind: 'msr'; cpu: number; msr: number; why: string }
  | { id: string; kind: 'kvm-api'; why: string }
  /** Kinds of format 1 snapshots, read back but no longer run: commands and /dev/kmsg. */
  | { id: string; kind: 'command'; argv: string[]; timeoutMs: number; why: string }
  | { id: string; kind: 'kmsg'; path: string; why: string }
  /** Run on a TD guest only (guest-probes.ts). */
  | GuestProbe;

/** What one probe gave: text (files, the log), a yes/no (exists), registers, a number, or why it failed. */
export type ProbeResult =
  | { ok: true; text: string; source?: string }
  | { ok: true; exists: boolean }
  | { ok: true; regs: CpuidRegs }
  | { ok: true; value: bigint }
  /** An MSR read the CPU refused (#GP): the msr driver answers EIO. An observation, not an error. */
  | { ok: true; faulted: true }
  /** A sequence a child process ran: how it ended, and the kernel log lines printed meanwhile. */
  | { ok: true; run: InstructionRun; log: string[] }
  /** Binary contents (a TDREPORT, a measurement register). */
  | { ok: true; bytes: Buffer }
  /** The operation failed with this errno, which is what was to be seen (a refused ioctl). */
  | { ok: true; errno: ErrnoName }
  | { ok: false; error: string };

export type ProbeResults = Map<string, ProbeResult>;

/** The MSR that partitions KeyIDs between MKTME and TDX (@src:tdx-c-mid). */
export const MSR_KEYID_PARTITIONING = 0x87;
/** CPUID leaves: vendor, family/model, structured features (TME in 7.ECX[13]), the TDX guest leaf. */
export const CPUID_LEAVES = [0x0, 0x1, 0x7, 0x21] as const;

export const TDX_MODULE_NODES = ['attributes', 'vendor_id', 'major_version', 'minor_version', 'build_num', 'build_date', 'status'];

/** Module parameters of kvm and kvm_intel that decide whether KVM brings up TDX. */
export const KVM_PARAM_FILES = [
  ['kvm_intel', 'tdx'], ['kvm_intel', 'ept'], ['kvm_intel', 'eptad'], ['kvm_intel', 'enable_apicv'],
  ['kvm', 'tdp_mmu'], ['kvm', 'mmio_caching'], ['kvm', 'enable_virt_at_load'],
] as const;

export const kvmParamProbeId = (mod: string, name: string): string => (mod === 'kvm_intel' && name === 'tdx' ? 'kvm-intel-tdx' : `param-${mod}-${name}`);

/** The probes that do not depend on the machine's shape. */
export function baseProbes(): Probe[] {
  const file = (id: string, path: string, why: string): Probe => ({ id, kind: 'file', path, why });
  const exists = (id: string, path: string, why: string): Probe => ({ id, kind: 'exists', path, why });
  return [
    file('proc-cmdline', '/proc/cmdline', 'kernel command line (nohibernate, kvm_intel.tdx)'),
    file('proc-version', '/proc/version', 'kernel build string'),
    file('osrelease', '/proc/sys/kernel/osrelease', 'kernel release'),
    file('proc-cpuinfo', '/proc/cpuinfo', 'CPU flags and bugs (tdx_host_platform, tdx_guest, tdx_pw_mce)'),
    file('proc-meminfo', '/proc/meminfo', 'the RAM the kernel manages (MemTotal), for the PAMT cost'),
    file('power-state', '/sys/power/state', 'sleep states the kernel offers'),
    file('power-mem-sleep', '/sys/power/mem_sleep', 'what "mem" means (s2idle, deep)'),
    ...KVM_PARAM_FILES.map(([mod, name]) => file(kvmParamProbeId(mod, name), `/sys/module/${mod}/parameters/${name}`, `kvm module parameter ${mod}.${name}`)),
    file('cpu-present', '/sys/devices/system/cpu/present', 'logical CPUs'),
    file('cpu-online', '/sys/devices/system/cpu/online', 'online logical CPUs'),
    file('misc-capacity', '/sys/fs/cgroup/misc.capacity', 'TD KeyIDs KVM offers (misc cgroup resource tdx)'),
    file('misc-current', '/sys/fs/cgroup/misc.current', 'TD KeyIDs in use (misc cgroup resource tdx)'),
    file('tdx-host-version', '/sys/devices/faux/tdx_host/version', 'TDX module version (2026 kernels)'),
    ...TDX_MODULE_NODES.map((n) => file(`tdx-module-${n}`, `/sys/firmware/tdx/tdx_module/${n}`, 'TDX module information (Intel kernels)')),
    exists('dev-kvm', '/dev/kvm', 'KVM'),
    exists('dev-tdx-guest', '/dev/tdx_guest', 'TD guest attestation device'),
    exists('tsm-report', '/sys/kernel/config/tsm/report', 'configfs-tsm report interface'),
    { id: 'kernel-log', kind: 'kernel-log', why: 'kernel log (/dev/kmsg, else dmesg, else journalctl -k)' },
    ...CPUID_LEAVES.map((leaf): Probe => ({ id: cpuidProbeId(0, leaf, 0), kind: 'cpuid', cpu: 0, leaf, subleaf: 0, why: 'CPUID through /dev/cpu/0/cpuid' })),
    { id: msrProbeId(0, MSR_KEYID_PARTITIONING), kind: 'msr', cpu: 0, msr: MSR_KEYID_PARTITIONING, why: 'KeyID partitioning through /dev/cpu/0/msr' },
    { id: 'kvm-api', kind: 'kvm-api', why: 'KVM_GET_API_VERSION on /dev/kvm: whether ioctls can be issued' },
  ];
}

/** Per-CPU probes once the present CPUs are known (package of each, for hotplug scenarios). */
export function cpuProbes(cpus: readonly number[]): Probe[] {
  return cpus.map((c) => ({
    id: `cpu${c}-package`, kind: 'file', path: `/sys/devices/system/cpu/cpu${c}/topology/physical_package_id`, why: 'package of each CPU',
  }));
}

export const cpuidProbeId = (cpu: number, leaf: number, subleaf: number): string => `cpuid-${cpu}-0x${leaf.toString(16)}-0x${subleaf.toString(16)}`;
export const msrProbeId = (cpu: number, msr: number): string => `msr-${cpu}-0x${msr.toString(16)}`;

/** "0-3,5,7-8" (sysfs CPU lists). */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}
