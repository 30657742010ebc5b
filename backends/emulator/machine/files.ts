/**
 * The files the emulated machine shows a root process: procfs, sysfs and device nodes, each
 * rendered from the model's state in the layout the real kernel uses, and each served only by
 * kernels that have it (the `since` rule names the source). A path not listed here does not exist
 * (ENOENT), as on a real kernel without it.
 */
import { cpuModel } from '../../../spec/platform/cpu-models';
import type { FileType } from '../../kernel-interface';
import type { ErrnoName } from '../../../spec/abi/errno';
import { kvmParam } from '../kvm/setup';
import type { KvmParam } from '../../kvm-facet';
import type { MachineState } from './state';
import { memTotalKb } from '../host/meminfo';
import { readTdxHostVersion, TDX_HOST_ATTRIBUTES, TDX_HOST_DIR, tdxHostAttributeVisible } from '../host/tdx-host-device';

export type FileAnswer = Buffer | { errno: ErrnoName };

/** A file rendered from the state `S` of a machine (the host's by default; the TD's in guest-files.ts). */
export interface VirtualFile<S = MachineState> {
  /** Matched against the whole path; groups are passed to the renderer. */
  path: RegExp;
  type: FileType;
  mode: number;
  /** Whether this kernel has the node (default: every kernel); the comment says where it comes from. */
  present?(m: S, g: string[]): boolean;
  read?(m: S, g: string[], offset: bigint | undefined, length: number | undefined): FileAnswer;
  write?(m: S, g: string[], data: Buffer): number | { errno: ErrnoName };
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const yn = (b: boolean): Buffer => text(b ? 'Y\n' : 'N\n');

/** "0-3,5" as sysfs prints CPU lists (cpulist_print_to_pagebuf). */
export function cpuList(cpus: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cpus.length; i++) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    out.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j;
  }
  return out.join(',') + '\n';
}

/** cpuinfo flag names of the model's feature words (arch/x86/include/asm/cpufeatures.h names). */
const CPUINFO_FLAG: Readonly<Record<string, string>> = { vmx: 'vmx', xsave: 'xsave', movdir64b: 'movdir64b', self_snoop: 'ss', ept: 'ept', ept_ad: 'ept_ad' };

/** /proc/cpuinfo, one block per online CPU (show_cpuinfo() in arch/x86/kernel/cpu/proc.c). */
function cpuinfo(m: MachineState): string {
  const k = m.kernel;
  const model = cpuModel(k.platform.config.cpuModel);
  const features = k.platform.config.cpuFeatures.map((f) => CPUINFO_FLAG[f]).filter((f): f is string => !!f);
  // The model's flags in cpufeatures.h order; tdx_host_platform (word 7, bit 7) sits after cdp_l3.
  const flags = [...new Set([...model.cpuinfoFlags.filter((f) => !Object.values(CPUINFO_FLAG).includes(f) || features.includes(f)), ...features])];
  if (k.hostPlatform && k.platformFlagShown) flags.splice(Math.max(flags.indexOf('cdp_l3') + 1, 0) || flags.length, 0, 'tdx_host_platform');
  // VMX capabilities the model has, in vmxfeatures.h order (word 0: ept_ad bit 18, ept_5level bit 20;
  // word 1: ept); the real line lists many more, which the model does not know.
  const vmx = !features.includes('vmx') ? [] : [
    ...(k.platform.hasFeature('ept_ad') ? ['ept_ad'] : []), ...(m.kvm.setup.ept5Level ? ['ept_5level'] : []), ...(k.platform.hasFeature('ept') ? ['ept'] : []),
  ];
  const bugs = [...model.cpuinfoBugs, ...[...k.cpuBugs].filter((b) => !model.cpuinfoBugs.includes(b))];
  const perPkg = k.platform.config.cpusPerPackage;
  const blocks: string[] = [];
  k.cpus.forEach((c, i) => {
    if (!c.online) return;
    blocks.push([
      `processor\t: ${i}`, 'vendor_id\t: GenuineIntel', `cpu family\t: ${model.family}`, `model\t\t: ${model.model}`,
      `model name\t: ${model.displayName}`, `physical id\t: ${k.platform.packageOf(i)}`, `siblings\t: ${perPkg}`,
      `core id\t\t: ${i % perPkg}`, `cpu cores\t: ${perPkg}`, `apicid\t\t: ${i}`, 'fpu\t\t: yes', 'wp\t\t: yes',
      `flags\t\t: ${flags.join(' ')}`, ...(vmx.length ? [`vmx flags\t: ${vmx.join(' ')}`] : []), `bugs\t\t: ${bugs.join(' ')}`, 'clflush size\t: 64', 'cache_alignment\t: 64',
      `address sizes\t: ${k.platform.config.physAddrBits} bits physical, 57 bits virtual`, 'power management:', '',
    ].join('\n'));
  });
  return blocks.join('\n') + '\n';
}

/** /sys/power/state (kernel/power/main.c state_show()): the states the kernel offers. */
const powerState = (m: MachineState): string => m.kernel.sleepStates().join(' ') + '\n';

/** Module parameters of kvm and kvm_intel (mode 0444 in every kernel that has them). */
const KVM_PARAM_FILES: { file: string; param: KvmParam; since?: (m: MachineState) => boolean }[] = [
  // module_param_named(tdx, enable_tdx, bool, 0444): mainline v6.16 (@src:kvm-tdx-c) and the pre-merge series.
  { file: '/sys/module/kvm_intel/parameters/tdx', param: 'kvm_intel.tdx', since: (m) => m.kernel.eras['kvm-tdx'] !== 'none' },
  { file: '/sys/module/kvm_intel/parameters/ept', param: 'kvm_intel.ept' },
  { file: '/sys/module/kvm_intel/parameters/eptad', param: 'kvm_intel.eptad' },
  { file: '/sys/module/kvm_intel/parameters/enable_apicv', param: 'kvm_intel.enable_apicv' },
  { file: '/sys/module/kvm/parameters/tdp_mmu', param: 'kvm.tdp_mmu' },
  { file: '/sys/module/kvm/parameters/mmio_caching', param: 'kvm.mmio_caching' },
  // kvm.enable_virt_at_load: v6.12 (kvm_main.c).
  { file: '/sys/module/kvm/parameters/enable_virt_at_load', param: 'kvm.enable_virt_at_load', since: (m) => m.kernelAtLeast('6.12') },
];

function kvmParamValue(m: MachineState, p: KvmParam): boolean {
  // enable_tdx is what bring-up left it (@src:kvm-tdx-c tdx_bringup()); the others are what was asked.
  return p === 'kvm_intel.tdx' ? m.kvm.tdxEnabled : kvmParam(m.kernel.config.cmdline, p);
}

/** misc cgroup (kernel/cgroup/misc.c): one line per resource with a capacity (or a usage). */
function miscLines(m: MachineState, which: 'capacity' | 'current'): string {
  const cap = m.kvm.miscTdxCapacity;
  const use = m.kvm.miscTdxUsage;
  if (which === 'capacity') return cap ? `tdx ${cap}\n` : '';
  return cap || use ? `tdx ${use}\n` : '';
}

const MSR_FILE = /^\/dev\/cpu\/(\d+)\/msr$/;

export const FILES: readonly VirtualFile[] = [
  { path: /^\/proc\/cpuinfo$/, type: 'file', mode: 0o444, read: (m) => text(cpuinfo(m)) },
  {
    // meminfo_proc_show() (fs/proc/meminfo.c): the first lines, in its format.
    path: /^\/proc\/meminfo$/, type: 'file', mode: 0o444,
    read: (m) => text(`MemTotal:       ${String(memTotalKb(m.kernel)).padStart(8)} kB\n`),
  },
  { path: /^\/proc\/cmdline$/, type: 'file', mode: 0o444, read: (m) => text(`BOOT_IMAGE=/vmlinuz-${m.kernel.config.release} ${m.kernel.config.cmdline.join(' ')}\n`) },
  { path: /^\/proc\/version$/, type: 'file', mode: 0o444, read: (m) => text(`Linux version ${m.kernel.config.release} (emulated@tdx-conformance) #1 SMP\n`) },
  { path: /^\/proc\/sys\/kernel\/osrelease$/, type: 'file', mode: 0o444, read: (m) => text(`${m.kernel.config.release}\n`) },
  {
    // state_store(): "mem" and "disk" enter the state (the write returns once the machine resumed);
    // a state not offered is EINVAL.
    path: /^\/sys\/power\/state$/, type: 'file', mode: 0o644, read: (m) => text(powerState(m)),
    write: (m, _g, data) => {
      const want = data.toString('utf8').trim();
      if (want !== 'mem' && want !== 'disk') return { errno: 'EINVAL' };
      const r = m.kernel.suspend(want);
      return r.ok ? data.length : { errno: r.errno };
    },
  },
  {
    // mem_sleep_show() (kernel/power/main.c): every mode offered, the current one in brackets.
    path: /^\/sys\/power\/mem_sleep$/, type: 'file', mode: 0o644,
    read(m) {
      const s = m.kernel.memSleepModes();
      return text(s.offered.map((x) => (x === s.current ? `[${x}]` : x)).join(' ') + '\n');
    },
  },
  { path: /^\/sys\/devices\/system\/cpu\/(present|possible)$/, type: 'file', mode: 0o444, read: (m) => text(cpuList(m.kernel.cpus.map((_, i) => i))) },
  { path: /^\/sys\/devices\/system\/cpu\/online$/, type: 'file', mode: 0o444, read: (m) => text(cpuList(m.kernel.cpus.flatMap((c, i) => (c.online ? [i] : [])))) },
  {
    path: /^\/sys\/devices\/system\/cpu\/cpu(\d+)\/topology\/physical_package_id$/, type: 'file', mode: 0o444,
    present: (m, g) => Number(g[1]) < m.kernel.cpus.length && m.kernel.cpus[Number(g[1])].online,
    read: (m, g) => text(`${m.kernel.platform.packageOf(Number(g[1]))}\n`),
  },
  {
    // CPU 0 of x86 has no online node unless the kernel lets it go offline (arch/x86/kernel/topology.c).
    path: /^\/sys\/devices\/system\/cpu\/cpu(\d+)\/online$/, type: 'file', mode: 0o644,
    present: (m, g) => Number(g[1]) > 0 && Number(g[1]) < m.kernel.cpus.length,
    read: (m, g) => text(m.kernel.cpus[Number(g[1])].online ? '1\n' : '0\n'),
    // online_store(): a CPU already in the state asked for is a success (device_online() returns 1).
    write: (m, g, data) => {
      const want = data.toString('utf8').trim();
      if (want !== '0' && want !== '1') return { errno: 'EINVAL' };
      const cpu = Number(g[1]);
      if (m.kernel.cpus[cpu].online === (want === '1')) return data.length;
      const r = want === '1' ? m.kernel.cpuOnline(cpu) : m.kernel.cpuOffline(cpu);
      return r.ok ? data.length : { errno: r.errno };
    },
  },
  ...KVM_PARAM_FILES.map((p): VirtualFile => ({
    path: new RegExp(`^${p.file.replace(/\//g, '\\/')}$`), type: 'file', mode: 0o444,
    present: (m) => m.kvm.loaded && (p.since?.(m) ?? true),
    read: (m) => yn(kvmParamValue(m, p.param)),
  })),
  // The misc cgroup at the root of cgroup v2 (mounted at /sys/fs/cgroup); capacity only on the root.
  { path: /^\/sys\/fs\/cgroup\/misc\.capacity$/, type: 'file', mode: 0o444, read: (m) => text(miscLines(m, 'capacity')) },
  { path: /^\/sys\/fs\/cgroup\/misc\.current$/, type: 'file', mode: 0o444, read: (m) => text(miscLines(m, 'current')) },
  {
    // The msr driver (arch/x86/kernel/msr.c), where loaded: the file position is the MSR index; a #GP reads as EIO.
    path: MSR_FILE, type: 'char', mode: 0o600,
    present: (m, g) => m.userspace.msrDriver && Number(g[1]) < m.kernel.cpus.length,
    read(m, _g, offset, length) {
      if (offset === undefined || length !== 8) return { errno: 'EINVAL' };
      const v = m.kernel.platform.rdmsr(Number(offset));
      if (v === undefined) return { errno: 'EIO' };
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b;
    },
  },
  { path: /^\/dev\/kvm$/, type: 'char', mode: 0o660, present: (m) => m.kvm.loaded },
  // The tdx_host faux device (7.2, host/tdx-host-device.ts): version reads the module's version;
  // the admin-only runtime-update files ask the P-SEAMLDR, which the model does not have (EIO, as
  // a failing P-SEAMLDR call). No write: the firmware upload lives elsewhere and is out of scope.
  ...TDX_HOST_ATTRIBUTES.map((a): VirtualFile => ({
    path: new RegExp(`^${TDX_HOST_DIR.replace(/\//g, '\\/')}\\/${a.name}$`), type: 'file', mode: a.mode,
    present: (m) => tdxHostAttributeVisible(m.kernel, a.name),
    read(m) {
      if (a.name !== 'version') return { errno: 'EIO' };
      const r = readTdxHostVersion(m.kernel);
      return 'text' in r ? text(r.text) : r;
    },
  })),
];

/** The entry for a path, with its groups, if this kernel has it. */
export function lookup(m: MachineState, path: string): { file: VirtualFile; groups: string[] } | null {
  for (const file of FILES) {
    const g = file.path.exec(path);
    if (g && (file.present?.(m, [...g]) ?? true)) return { file, groups: [...g] };
  }
  return null;
}

/** Directories implied by the files (for stat and list). */
export function isDirectory(m: MachineState, path: string): boolean {
  const dir = path.endsWith('/') ? path : path + '/';
  return ['/proc/', '/sys/', '/dev/', '/sys/devices/system/cpu/', '/sys/fs/cgroup/', '/sys/module/', '/sys/power/'].includes(dir)
    || (dir.startsWith('/sys/module/kvm') && m.kvm.loaded)
    || /^\/sys\/devices\/system\/cpu\/cpu\d+\/(topology\/)?$/.test(dir)
    || (m.userspace.msrDriver && /^\/dev\/cpu\/(\d+\/)?$/.test(dir))
    // The faux bus directory: the model knows no faux device but tdx_host.
    || (m.kernel.tdxHostDevice && (dir === '/sys/devices/faux/' || dir === `${TDX_HOST_DIR}/`));
}
