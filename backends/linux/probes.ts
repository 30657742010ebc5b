/**
 * What the linux target reads on a machine, as a list of probes: files, the existence of device
 * nodes, commands (argument vectors, no shell, with a timeout), CPUID leaves and MSRs. The live
 * target and `tdx-conformance capture` run the same list; a snapshot stores each probe's result
 * under its id, so reading a snapshot goes through the same parsers as reading the machine.
 *
 * Every probe only reads. Nothing here writes to the machine: the one change the linux target
 * can make (CPU offline/online, with --allow-destructive) lives in cpu-hotplug.ts.
 */
import type { CpuidRegs } from './evidence';

export type Probe =
  | { id: string; kind: 'file'; path: string; why: string }
  | { id: string; kind: 'exists'; path: string; why: string }
  | { id: string; kind: 'command'; argv: string[]; timeoutMs: number; why: string }
  | { id: string; kind: 'kmsg'; path: string; why: string }
  | { id: string; kind: 'cpuid'; cpu: number; leaf: number; subleaf: number; why: string }
  | { id: string; kind: 'msr'; cpu: number; msr: number; why: string };

/** What one probe gave: text (files, commands), a yes/no (exists), registers, or why it failed. */
export type ProbeResult =
  | { ok: true; text: string }
  | { ok: true; exists: boolean }
  | { ok: true; regs: CpuidRegs }
  | { ok: true; value: bigint }
  /** An MSR read the CPU refused (#GP): the msr driver answers EIO. An observation, not an error. */
  | { ok: true; faulted: true }
  | { ok: false; error: string };

export type ProbeResults = Map<string, ProbeResult>;

const COMMAND_TIMEOUT_MS = 10_000;

/** The MSR that partitions KeyIDs between MKTME and TDX (@src:tdx-c-mid). */
export const MSR_KEYID_PARTITIONING = 0x87;
/** CPUID leaves: vendor, family/model, structured features (TME in 7.ECX[13]), the TDX guest leaf. */
export const CPUID_LEAVES = [0x0, 0x1, 0x7, 0x21] as const;

export const TDX_MODULE_NODES = ['attributes', 'vendor_id', 'major_version', 'minor_version', 'build_num', 'build_date', 'status'];

/** The probes that do not depend on the machine's shape. */
export function baseProbes(): Probe[] {
  const file = (id: string, path: string, why: string): Probe => ({ id, kind: 'file', path, why });
  const probes: Probe[] = [
    file('proc-cmdline', '/proc/cmdline', 'kernel command line (nohibernate, kvm_intel.tdx)'),
    file('proc-version', '/proc/version', 'kernel build string'),
    file('proc-cpuinfo', '/proc/cpuinfo', 'CPU flags and bugs (tdx_host_platform, tdx_guest, tdx_pw_mce)'),
    file('power-state', '/sys/power/state', 'sleep states the kernel offers'),
    file('kvm-intel-tdx', '/sys/module/kvm_intel/parameters/tdx', 'whether KVM runs with TDX'),
    file('cpu-present', '/sys/devices/system/cpu/present', 'logical CPUs'),
    file('cpu-online', '/sys/devices/system/cpu/online', 'online logical CPUs'),
    file('tdx-host-version', '/sys/devices/faux/tdx_host/version', 'TDX module version (2026 kernels)'),
    ...TDX_MODULE_NODES.map((n) => file(`tdx-module-${n}`, `/sys/firmware/tdx/tdx_module/${n}`, 'TDX module information (Intel kernels)')),
    { id: 'dev-tdx-guest', kind: 'exists', path: '/dev/tdx_guest', why: 'TD guest attestation device' },
    { id: 'tsm-report', kind: 'exists', path: '/sys/kernel/config/tsm/report', why: 'configfs-tsm report interface' },
    { id: 'uname-r', kind: 'command', argv: ['uname', '-r'], timeoutMs: COMMAND_TIMEOUT_MS, why: 'kernel release' },
    // The kernel log, from the first source that works: dmesg, /dev/kmsg, journalctl.
    { id: 'dmesg', kind: 'command', argv: ['dmesg'], timeoutMs: COMMAND_TIMEOUT_MS, why: 'kernel log' },
    { id: 'kmsg', kind: 'kmsg', path: '/dev/kmsg', why: 'kernel log (if dmesg is not allowed)' },
    { id: 'journalctl-k', kind: 'command', argv: ['journalctl', '-k', '-b', '-o', 'short-monotonic', '--no-pager', '-q'], timeoutMs: COMMAND_TIMEOUT_MS, why: 'kernel log (if neither dmesg nor /dev/kmsg works)' },
    { id: 'lscpu', kind: 'command', argv: ['lscpu'], timeoutMs: COMMAND_TIMEOUT_MS, why: 'CPU model (second opinion)' },
    ...CPUID_LEAVES.map((leaf): Probe => ({ id: cpuidProbeId(0, leaf, 0), kind: 'cpuid', cpu: 0, leaf, subleaf: 0, why: 'CPUID through /dev/cpu/0/cpuid' })),
    { id: msrProbeId(0, MSR_KEYID_PARTITIONING), kind: 'msr', cpu: 0, msr: MSR_KEYID_PARTITIONING, why: 'KeyID partitioning through /dev/cpu/0/msr' },
  ];
  return probes;
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
