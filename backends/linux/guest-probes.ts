/**
 * The probes a TD guest gets on top of the base probes (probes.ts), run only on a machine that
 * looks like a TD: CPUID executed by a process, single instructions a TD refuses (how the
 * process ended, and the log lines meanwhile), TDREPORTs, the refused /dev/tdx_guest ioctls,
 * the measurement registers, one configfs-tsm item made and removed, MSRs through the msr driver,
 * and /proc/meminfo. None asks for a quote or extends a measurement register; the only
 * lasting traces are the kernel's "Unexpected #VE" lines. A capture stores each result under
 * its id, and the guest facet answers a snapshot from them.
 */
import { MEASUREMENT_FILES } from '../../spec/abi/tdx-guest';
import { TDX_CMD_GET_REPORT0, TDX_REPORTDATA_LEN } from '../../spec/uapi/tdx-guest';
import type { KernelInterface } from '../kernel-interface';
import { oneInstruction } from './insn-sequences';
import { msrProbeId, type Probe, type ProbeResult, type ProbeResults } from './probes';
import { getReport0, observeTsmItem, readMeasurement, runSequence, tdxGuestIoctl, type Outcome } from './tdx-guest-client';
import { CPUID, cpuidInput } from './insn-sequences';

export type GuestProbe =
  | { id: string; kind: 'insn'; sequence: string; input: string[]; why: string }
  | { id: string; kind: 'tdreport'; fill: number; why: string }
  | { id: string; kind: 'tdx-ioctl'; cmd: number; unmapped: boolean; why: string }
  | { id: string; kind: 'measurement'; file: string; why: string }
  | { id: string; kind: 'tsm-item'; why: string };

const hex = (v: number): string => `0x${v.toString(16)}`;

export const userCpuidProbeId = (leaf: number, subleaf: number): string => `ucpuid-${hex(leaf)}-${hex(subleaf)}`;
export const insnProbeId = (mnemonic: string): string => `insn-${mnemonic.toLowerCase()}`;
export const tdreportProbeId = (fill: number): string => `tdreport-${hex(fill)}`;
export const tdxIoctlProbeId = (cmd: number, unmapped: boolean): string => `tdx-ioctl-${hex(cmd)}${unmapped ? '-unmapped' : ''}`;
export const measurementProbeId = (file: string): string => `mr-${file.replace(/:.*$/, '')}`;
export const TSM_ITEM_PROBE = 'tsm-item';

/** Leaves executed from user space: the module's fixed leaves, the signature, the hypervisor range, out-of-range and unhandled ones. */
export const USER_CPUID_LEAVES = [0x0, 0x1, 0x2, 0x6, 0x9, 0x21, 0x23, 0x40000000, 0x40000001, 0x50000000, 0x80000006] as const;
/** Instructions whose end a process shows: the ones a TD refuses, and VMCALL (an unexpected #VE). */
export const PROBED_INSTRUCTIONS = [
  'VMCALL', 'INVEPT', 'INVVPID', 'VMCLEAR', 'VMFUNC', 'VMLAUNCH', 'VMPTRLD', 'VMPTRST', 'VMREAD', 'VMRESUME', 'VMWRITE', 'VMXOFF', 'VMXON',
  'ENCLS', 'GETSEC', 'RSM', 'ENQCMD',
] as const;
/** REPORTDATA fill bytes of the TDREPORTs taken (the scenarios' values). */
export const TDREPORT_FILLS = [0x00, 0x01, 0x02, 0x5a] as const;
/** Commands /dev/tdx_guest must refuse (ENOTTY), and GET_REPORT0 with an unmapped argument (EFAULT). */
export const REFUSED_TDX_IOCTLS = [0xc4405402, 0xc2405401, 0x84405401, 0x5401] as const;
/** MSRs read through the msr driver: each category of the module's table. */
export const GUEST_MSRS = [0x48, 0x277, 0x10a, 0x1b, 0x9e, 0x8c, 0xd90, 0xd93, 0x804, 0x186] as const;

/** Whether the base probes show a TD guest (the tdx_guest flag or /dev/tdx_guest). */
export function looksLikeTd(results: ProbeResults): boolean {
  const dev = results.get('dev-tdx-guest');
  const cpuinfo = results.get('proc-cpuinfo');
  return (!!dev && dev.ok && 'exists' in dev && dev.exists) || (!!cpuinfo && cpuinfo.ok && 'text' in cpuinfo && /\stdx_guest(\s|$)/m.test(cpuinfo.text));
}

export function guestProbes(): Probe[] {
  const guest: GuestProbe[] = [
    ...USER_CPUID_LEAVES.map((leaf): GuestProbe => ({
      id: userCpuidProbeId(leaf, 0), kind: 'insn', sequence: CPUID.name, input: cpuidInput(leaf, 0).map((v) => hex(Number(v))), why: 'CPUID executed by a process',
    })),
    ...PROBED_INSTRUCTIONS.map((m): GuestProbe => ({ id: insnProbeId(m), kind: 'insn', sequence: m, input: [], why: `${m} executed by a process: how it ends` })),
    ...TDREPORT_FILLS.map((fill): GuestProbe => ({ id: tdreportProbeId(fill), kind: 'tdreport', fill, why: 'TDX_CMD_GET_REPORT0 on /dev/tdx_guest' })),
    ...REFUSED_TDX_IOCTLS.map((cmd): GuestProbe => ({ id: tdxIoctlProbeId(cmd, false), kind: 'tdx-ioctl', cmd, unmapped: false, why: 'a command /dev/tdx_guest does not know' })),
    { id: tdxIoctlProbeId(TDX_CMD_GET_REPORT0, true), kind: 'tdx-ioctl', cmd: TDX_CMD_GET_REPORT0, unmapped: true, why: 'TDX_CMD_GET_REPORT0 with an unmapped argument' },
    ...MEASUREMENT_FILES.map((m): GuestProbe => ({ id: measurementProbeId(m.file), kind: 'measurement', file: m.file, why: 'measurement register in sysfs (v6.16)' })),
    { id: TSM_ITEM_PROBE, kind: 'tsm-item', why: 'a configfs-tsm report item made, read, written once and removed (no quote)' },
  ];
  const msrs = GUEST_MSRS.map((msr): Probe => ({ id: msrProbeId(0, msr), kind: 'msr', cpu: 0, msr, why: 'RDMSR through /dev/cpu/0/msr' }));
  const meminfo: Probe = { id: 'proc-meminfo', kind: 'file', path: '/proc/meminfo', why: 'memory the TD has not accepted yet (Unaccepted:, v6.5)' };
  return [...guest, ...msrs, meminfo];
}

const fromOutcome = <T>(o: Outcome<T>, ok: (v: T) => ProbeResult): ProbeResult => (o.ok ? ok(o.value) : { ok: false, error: o.error });

export function runGuestProbe(p: GuestProbe, ki: KernelInterface): ProbeResult {
  switch (p.kind) {
    case 'insn': {
      const code = p.sequence === CPUID.name ? CPUID.code : oneInstruction(p.sequence)?.code;
      if (!code) return { ok: false, error: `no instruction sequence named ${p.sequence}` };
      return fromOutcome(runSequence(ki, code, p.input.map((h) => BigInt(h))), (v) => ({ ok: true, run: v.run, log: v.log }));
    }
    case 'tdreport':
      return fromOutcome(getReport0(ki, new Uint8Array(TDX_REPORTDATA_LEN).fill(p.fill)), (v) => ('errno' in v ? { ok: true, errno: v.errno } : { ok: true, bytes: v.tdreport }));
    case 'tdx-ioctl':
      return fromOutcome(tdxGuestIoctl(ki, p.cmd, new Uint8Array(TDX_REPORTDATA_LEN), p.unmapped), (v) => ('errno' in v ? { ok: true, errno: v.errno } : { ok: true, bytes: v.tdreport }));
    case 'measurement':
      return fromOutcome(readMeasurement(ki, p.file), (v) => ('errno' in v ? { ok: true, errno: v.errno } : { ok: true, bytes: v.bytes }));
    case 'tsm-item':
      return fromOutcome(observeTsmItem(ki), (v) => ({ ok: true, text: JSON.stringify(v) }));
  }
}

export function describeGuestProbe(p: GuestProbe): string {
  switch (p.kind) {
    case 'insn': return p.sequence === CPUID.name ? `CPUID ${p.input[0]}.${Number(p.input[1])} executed by a process` : `${p.sequence} executed by a process`;
    case 'tdreport': return `TDX_CMD_GET_REPORT0 on /dev/tdx_guest (REPORTDATA of bytes ${hex(p.fill)})`;
    case 'tdx-ioctl': return `ioctl ${hex(p.cmd)} on /dev/tdx_guest${p.unmapped ? ' with an unmapped argument' : ''}`;
    case 'measurement': return `/sys/devices/virtual/misc/tdx_guest/measurements/${p.file}`;
    case 'tsm-item': return 'a configfs-tsm report item (made and removed)';
  }
}
