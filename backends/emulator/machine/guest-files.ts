/**
 * The files a root process sees inside the emulated TD, rendered from the TD's state in the
 * layout the guest kernel uses, each only where the guest's kernel has it: procfs (cpuinfo with
 * the tdx_guest flag, meminfo with unaccepted memory), the cpuid and msr drivers where user space
 * loaded them, /dev/tdx_guest, the measurement registers of the v6.16 driver (48 raw bytes each,
 * read through a fresh TDREPORT; a write to an RTMR extends it or is refused), and the items of
 * configfs-tsm (v6.7). A path not listed here does not exist (ENOENT).
 */
import type { ErrnoName } from '../../../spec/abi/errno';
import { MEASUREMENT_FILES, MEASUREMENTS_DIR, TSM_REPORT_DIR } from '../../../spec/abi/tdx-guest';
import { TDX_GUEST_DEVICE } from '../../../spec/uapi/tdx-guest';
import { cpuModel } from '../../../spec/platform/cpu-models';
import { compareVersions } from '../../../spec/kernel/versions';
import type { EmulatedTd } from '../guest/td';
import type { GuestProfile } from '../profile-guest';
import { cpuList, type VirtualFile } from './files';

export interface GuestMachineState {
  readonly td: EmulatedTd;
  readonly guest: GuestProfile;
  readonly cpuModel: string;
}

export type GuestFile = VirtualFile<GuestMachineState>;

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const atLeast = (m: GuestMachineState, v: string): boolean => compareVersions(m.guest.kernel.flavour.base, v) >= 0;

/** Host flags a TD does not show (VMX, SMX, SGX, monitoring and power features the module hides). */
const HOST_ONLY = new Set([
  'vmx', 'smx', 'est', 'tm', 'tm2', 'pbe', 'ht', 'acpi', 'dts', 'dtes64', 'ds_cpl', 'monitor', 'pebs', 'bts', 'epb', 'aperfmperf',
  'tpr_shadow', 'flexpriority', 'ept', 'vpid', 'ept_ad', 'vnmi', 'sgx', 'sgx_lc', 'intel_pt', 'hfi', 'dtherm', 'ida', 'pln', 'pts', 'tme',
  'intel_ppin', 'cat_l3', 'cat_l2', 'cdp_l3', 'cdp_l2', 'mba', 'cqm', 'rdt_a', 'cqm_llc', 'cqm_occup_llc', 'cqm_mbm_total', 'cqm_mbm_local',
]);

/** /proc/cpuinfo of the TD: one block per vCPU; hypervisor from CPUID leaf 0x1, tdx_guest from the kernel. */
function cpuinfo(m: GuestMachineState): string {
  const model = cpuModel(m.cpuModel);
  const d = m.td.describe();
  const flags = model.cpuinfoFlags.filter((f) => !HOST_ONLY.has(f));
  if (d.cpuFlags.includes('hypervisor')) flags.splice(Math.max(flags.indexOf('rdrand') + 1, 0) || flags.length, 0, 'hypervisor');
  if (d.cpuFlags.includes('tdx_guest')) flags.push('tdx_guest');
  return Array.from({ length: d.vcpus }, (_, i) => [
    `processor\t: ${i}`, 'vendor_id\t: GenuineIntel', `cpu family\t: ${model.family}`, `model\t\t: ${model.model}`,
    `model name\t: ${model.displayName}`, `physical id\t: 0`, `siblings\t: ${d.vcpus}`, `core id\t\t: ${i}`, `cpu cores\t: ${d.vcpus}`,
    `apicid\t\t: ${i}`, 'fpu\t\t: yes', `flags\t\t: ${flags.join(' ')}`, `bugs\t\t: ${model.cpuinfoBugs.join(' ')}`,
    `address sizes\t: ${d.gpaWidth} bits physical, 57 bits virtual`, '',
  ].join('\n')).join('\n') + '\n';
}

/** /proc/meminfo (the lines the suite reads); Unaccepted: from v6.5 (mm: unaccepted memory). */
function meminfo(m: GuestMachineState): string {
  const kb = (bytes: bigint) => String(bytes / 1024n).padStart(8, ' ');
  const mem = m.td.module.memory;
  const lines = [`MemTotal:       ${kb(mem.ramBytes)} kB`, `MemFree:        ${kb(mem.ramBytes / 2n)} kB`];
  if (atLeast(m, '6.5')) lines.push(`Unaccepted:     ${kb(mem.pendingBytes())} kB`);
  return lines.join('\n') + '\n';
}

const measurement = (file: string) => MEASUREMENT_FILES.find((x) => x.file === file);

export const GUEST_FILES: readonly GuestFile[] = [
  { path: /^\/proc\/cpuinfo$/, type: 'file', mode: 0o444, read: (m) => text(cpuinfo(m)) },
  { path: /^\/proc\/meminfo$/, type: 'file', mode: 0o444, read: (m) => text(meminfo(m)) },
  { path: /^\/proc\/cmdline$/, type: 'file', mode: 0o444, read: (m) => text(`BOOT_IMAGE=/vmlinuz-${m.guest.kernel.release} root=/dev/vda1 console=hvc0\n`) },
  { path: /^\/proc\/version$/, type: 'file', mode: 0o444, read: (m) => text(`Linux version ${m.guest.kernel.release} (emulated@tdx-conformance) #1 SMP\n`) },
  { path: /^\/proc\/sys\/kernel\/osrelease$/, type: 'file', mode: 0o444, read: (m) => text(`${m.guest.kernel.release}\n`) },
  {
    path: /^\/sys\/devices\/system\/cpu\/(present|possible|online)$/, type: 'file', mode: 0o444,
    read: (m) => text(cpuList(Array.from({ length: m.td.config.vcpus }, (_, i) => i))),
  },
  {
    // The cpuid driver (arch/x86/kernel/cpuid.c): the file position selects leaf (low 32 bits) and subleaf.
    path: /^\/dev\/cpu\/(\d+)\/cpuid$/, type: 'char', mode: 0o400,
    present: (m, g) => m.guest.userspace.cpuidDriver && Number(g[1]) < m.td.config.vcpus,
    read(m, g, offset, length) {
      if (offset === undefined || length !== 16) return { errno: 'EINVAL' };
      const c = m.td.cpuid(Number(g[1]), Number(offset & 0xffffffffn), Number(offset >> 32n), 'kernel');
      const b = Buffer.alloc(16);
      [c.eax, c.ebx, c.ecx, c.edx].forEach((v, i) => b.writeUInt32LE(v >>> 0, 4 * i));
      return b;
    },
  },
  {
    // The msr driver: the position is the MSR; a faulting RDMSR (rdmsr_safe_on_cpu) reads as EIO.
    path: /^\/dev\/cpu\/(\d+)\/msr$/, type: 'char', mode: 0o600,
    present: (m, g) => m.guest.userspace.msrDriver && Number(g[1]) < m.td.config.vcpus,
    read(m, g, offset, length) {
      if (offset === undefined || length !== 8) return { errno: 'EINVAL' };
      const a = m.td.rdmsr(Number(g[1]), Number(offset));
      if (a.faulted || a.value === undefined) return { errno: 'EIO' };
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(a.value);
      return b;
    },
  },
  { path: new RegExp(`^${esc(TDX_GUEST_DEVICE)}$`), type: 'char', mode: 0o600, present: (m) => m.td.kernel.driver.registered },
  // Readable registers are 0444; an RTMR is also writable by root (0644): a write extends it.
  ...([false, true] as const).map((rtmr): GuestFile => ({
    path: new RegExp(`^${esc(MEASUREMENTS_DIR)}/(${rtmr ? 'rtmr[0-3]:sha384' : 'mr[a-z]+(?::sha384)?'})$`), type: 'file', mode: rtmr ? 0o644 : 0o444,
    present: (m, g) => m.td.kernel.driver.registered && m.td.kernel.driver.measurements && measurement(g[1]) !== undefined,
    read(m, g) {
      const r = m.td.measurements().find((x) => x.file === g[1])!;
      return r.result.ok && r.bytes ? Buffer.from(r.bytes) : { errno: r.result.ok ? 'EIO' : r.result.errno };
    },
    ...(rtmr ? {
      write(m: GuestMachineState, g: string[], data: Buffer) {
        const r = m.td.writeRtmr(measurement(g[1])!.rtmr!, new Uint8Array(data));
        return r.ok ? data.length : { errno: r.errno };
      },
    } : {}),
  })),
  ...(['provider', 'generation', 'inblob', 'outblob'] as const).map((attr): GuestFile => ({
    path: new RegExp(`^${esc(TSM_REPORT_DIR)}/([^/]+)/${attr}$`), type: 'file', mode: attr === 'inblob' ? 0o200 : 0o444,
    present: (m, g) => m.td.kernel.tsm?.item(g[1]) !== undefined,
    read(m, g) {
      const item = m.td.kernel.tsm!.item(g[1])!;
      switch (attr) {
        case 'provider': return item.provider === null ? { errno: 'ENXIO' } : text(`${item.provider}\n`);
        case 'generation': return text(`${item.generation}\n`);
        case 'inblob': return { errno: 'EACCES' };
        case 'outblob': {
          const r = item.readOutblob(0);
          return r.result.ok && r.outblob ? Buffer.from(r.outblob) : { errno: r.result.ok ? 'EIO' : r.result.errno };
        }
      }
    },
    write(m, g, data) {
      if (attr !== 'inblob') return { errno: 'EACCES' };
      return m.td.kernel.tsm!.item(g[1])!.writeInblob(new Uint8Array(data));
    },
  })),
];

/** Rmdir-able and mkdir-able directories: configfs-tsm report items. */
export function tsmItemName(m: GuestMachineState, path: string): string | null {
  if (!m.td.kernel.tsm) return null;
  const x = new RegExp(`^${esc(TSM_REPORT_DIR)}/([^/]+)/?$`).exec(path);
  return x ? x[1] : null;
}

export function guestLookup(m: GuestMachineState, path: string): { file: GuestFile; groups: string[] } | null {
  for (const file of GUEST_FILES) {
    const g = file.path.exec(path);
    if (g && (file.present?.(m, [...g]) ?? true)) return { file, groups: [...g] };
  }
  return null;
}

export function guestIsDirectory(m: GuestMachineState, path: string): boolean {
  const dir = path.endsWith('/') ? path.slice(0, -1) : path;
  const d = m.td.kernel.driver;
  const item = tsmItemName(m, dir);
  return ['/proc', '/sys', '/dev', '/sys/devices/system/cpu', '/sys/kernel', '/sys/kernel/config'].includes(dir)
    || (m.td.kernel.tsm !== null && (dir === '/sys/kernel/config/tsm' || dir === TSM_REPORT_DIR))
    || (item !== null && m.td.kernel.tsm!.item(item) !== undefined)
    || (d.registered && d.measurements && (dir === MEASUREMENTS_DIR || dir === '/sys/devices/virtual/misc/tdx_guest'))
    || ((m.guest.userspace.msrDriver || m.guest.userspace.cpuidDriver) && /^\/dev\/cpu(\/\d+)?$/.test(dir));
}
