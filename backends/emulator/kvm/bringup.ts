/**
 * KVM's TDX bring-up when kvm_intel loads (tdx_bringup() of @src:kvm-tdx-c, with the boot-time
 * era of @src:ml-vmxon): the module parameter, what KVM and the CPU must provide, initialising
 * the TDX module (up to v7.0 KVM does it through tdx_enable(); from v7.1 the kernel did it at
 * boot and KVM only fetches the result), then the checks on the module's TD configuration.
 * A missing requirement or a module that is not loaded only disables TDX; other failures make
 * loading kvm_intel fail.
 */
import { fieldElementId, globalField, TDX_FEATURES0 } from '../../../spec/abi/global-metadata';
import { seamcallRax } from '../../../spec/encodings/seamcall';
import type { MessageId } from '../../../spec/kernel/printk';
import type { KvmParam } from '../../kvm-facet';
import type { KernelResult } from '../../port';
import type { Faults } from '../faults';
import type { EmulatedKernel } from '../host/kernel';
import { rawSeamcall } from '../host/seamcall';
import type { CpuidConfig } from '../module/versions';
import { kvmParam } from './setup';

const ok: KernelResult = { ok: true };
const err = (errno: 'ENODEV' | 'EINVAL' | 'EIO'): KernelResult => ({ ok: false, errno });

/**
 * __do_tdx_bringup() of the on-demand era: VMX on every online CPU, the CPU-online callback
 * (tdx_cpu_enable()) on each, then tdx_enable(). The kernel keeps the result (a failed load can
 * be retried by loading kvm_intel again). The host's initTdx() of that era delegates here.
 */
export function enableTdxForKvm(k: EmulatedKernel): KernelResult {
  if (k.kvmTdx?.ok) return k.kvmTdx;
  for (const c of k.cpus) if (c.online) c.vmxOn = true;
  let r: KernelResult = ok;
  for (let cpu = 0; cpu < k.cpus.length && r.ok; cpu++) if (k.cpus[cpu].online) r = k.tdxCpuEnable(cpu);
  if (r.ok) r = k.tdxEnable();
  // Only the pre-merge KVM said so; mainline KVM relies on the host code's messages.
  if (!r.ok && k.eras['kvm-tdx'] === 'premerge' && !k.faults.has('kvm.premerge-failure-silent')) k.log.print('kvm-init-failed');
  return (k.kvmTdx = r);
}

/** struct tdx_sys_info_td_conf and the other global metadata KVM uses. */
export interface TdConf {
  attributesFixed0: bigint;
  attributesFixed1: bigint;
  xfamFixed0: bigint;
  xfamFixed1: bigint;
  cpuidConfigs: CpuidConfig[];
  maxVcpusPerTd: number;
  tdcsPages: number;
  tdcxPages: number;
  features0: bigint;
}

export interface KvmModuleState {
  /** What loading kvm_intel returned. */
  result: KernelResult;
  /** enable_tdx after bring-up (/sys/module/kvm_intel/parameters/tdx). */
  tdx: boolean;
  conf: TdConf | null;
}

/** Read the TD configuration with TDH.SYS.RD on a CPU that can make SEAMCALLs; null if a field is missing. */
function readTdConf(k: EmulatedKernel): TdConf | null {
  const cpu = k.cpus.findIndex((c) => c.online && c.vmxOn && c.tdxEnabled);
  if (cpu < 0) return null;
  const rd = (name: string, index = 0, element = 0): bigint | null => {
    const r = rawSeamcall(k, cpu, seamcallRax('TDH.SYS.RD'), { rdx: fieldElementId(globalField(name), index, element) });
    return r.status === 0n ? r.out.r8 ?? 0n : null;
  };
  const need = ['ATTRIBUTES_FIXED0', 'ATTRIBUTES_FIXED1', 'XFAM_FIXED0', 'XFAM_FIXED1', 'NUM_CPUID_CONFIG', 'TDCS_BASE_SIZE', 'TDVPS_BASE_SIZE'];
  const v = Object.fromEntries(need.map((n) => [n, rd(n)]));
  if (Object.values(v).some((x) => x === null)) return null;
  const cpuidConfigs: CpuidConfig[] = [];
  for (let i = 0; i < Number(v.NUM_CPUID_CONFIG); i++) {
    const leaves = rd('CPUID_CONFIG_LEAVES', i);
    const lo = rd('CPUID_CONFIG_VALUES', i, 0);
    const hi = rd('CPUID_CONFIG_VALUES', i, 1);
    if (leaves === null || lo === null || hi === null) return null;
    cpuidConfigs.push({
      leaf: Number(leaves & 0xffffffffn), subleaf: Number(leaves >> 32n),
      eax: Number(lo & 0xffffffffn), ebx: Number(lo >> 32n), ecx: Number(hi & 0xffffffffn), edx: Number(hi >> 32n),
    });
  }
  // Modules without MAX_VCPUS_PER_TD have no limit of their own (U16_MAX).
  const maxVcpus = rd('MAX_VCPUS_PER_TD');
  return {
    attributesFixed0: v.ATTRIBUTES_FIXED0!, attributesFixed1: v.ATTRIBUTES_FIXED1!,
    xfamFixed0: v.XFAM_FIXED0!, xfamFixed1: v.XFAM_FIXED1!, cpuidConfigs,
    maxVcpusPerTd: maxVcpus === null ? 0xffff : Number(maxVcpus),
    tdcsPages: Number(v.TDCS_BASE_SIZE) / 4096, tdcxPages: Number(v.TDVPS_BASE_SIZE) / 4096 - 1,
    features0: rd('TDX_FEATURES0') ?? 0n,
  };
}

/** KVM_SUPPORTED_TD_ATTRS (SEPT_VE_DISABLE) as far as the module allows it. */
export function supportedAttrs(c: TdConf): bigint {
  const val = 1n << 28n;
  if ((val & c.attributesFixed1) !== c.attributesFixed1) return 0n;
  return val & c.attributesFixed0;
}

/** XCR0 and XSS features KVM supports on the emulated host (x87..AVX-512, PKRU, CET, AMX). */
export const HOST_SUPPORTED_XFAM = 0x602e7n | 0x1800n;

export function supportedXfam(c: TdConf): bigint {
  const val = HOST_SUPPORTED_XFAM;
  if ((val & c.xfamFixed1) !== c.xfamFixed1) return 0n;
  return val & c.xfamFixed0;
}

/**
 * The requirements tdx_bringup() checks before touching the module, in its order. From v7.1 the
 * host core checks MOVDIR64B and self-snoop at boot and KVM no longer asks for
 * enable_virt_at_load; a host without TDX is reported in the host core's words
 * (@src:kvm-tdx-c-616 3553-3588, @src:kvm-tdx-c-next 3437-3457).
 */
function unmetRequirement(k: EmulatedKernel, faults: Faults): MessageId | null {
  const p = (name: KvmParam): boolean => kvmParam(k.config.cmdline, name);
  const hw = (f: string): boolean => k.platform.hasFeature(f);
  const v71 = k.eras.init === 'boot' && !faults.has('kvm.bringup-checks-of-v6.16');
  if (!p('kvm_intel.ept') || !hw('ept')) return 'kvm-ept-required';
  if (!p('kvm.tdp_mmu') || !hw('tdp_mmu') || !p('kvm.mmio_caching') || !p('kvm_intel.eptad') || !hw('ept_ad')) return 'kvm-mmu-required';
  if ((!p('kvm_intel.enable_apicv') || !hw('apicv')) && !faults.has('kvm.apicv-not-required')) return 'kvm-apicv-required';
  if (!hw('xsave')) return 'kvm-osxsave-required';
  if (v71) return k.hostPlatform ? null : 'kvm-platform-unsupported';
  if (!hw('movdir64b')) return 'kvm-movdir64b-required';
  if (!hw('self_snoop')) return 'kvm-selfsnoop-required';
  if (!k.hostPlatform) return 'kvm-no-keyids';
  if (!p('kvm.enable_virt_at_load')) return 'kvm-virt-at-load';
  return null;
}

/** Why __tdx_bringup() failed: the module, what it offers TDs, or its vCPU limit. */
type BringupFailure = 'module' | 'capabilities' | 'max-vcpus';

/** __tdx_bringup(): initialise (or fetch) the module, then check what it offers TDs. */
function tdxBringup(k: EmulatedKernel, faults: Faults): { r: KernelResult; conf: TdConf | null; why?: BringupFailure } {
  let r: KernelResult;
  if (k.eras.init === 'boot') {
    // tdx_get_sysinfo() is NULL unless the boot-time initialisation succeeded.
    r = k.init.result?.ok ? ok : err('ENODEV');
  } else {
    r = enableTdxForKvm(k);
  }
  if (!r.ok) return { r, conf: null, why: 'module' };
  const conf = readTdConf(k);
  const caps = { r: err('EINVAL'), conf: null, why: 'capabilities' as const };
  if (!conf || !supportedAttrs(conf) || !supportedXfam(conf)) return caps;
  const topology = (conf.features0 >> BigInt(TDX_FEATURES0.TOPOLOGY_ENUM)) & 1n;
  if (k.eras['kvm-tdx'] === 'mainline' && topology === 0n && !faults.has('kvm.topology-unchecked')) return caps;
  const cpus = k.platform.cpus.length;
  if (conf.maxVcpusPerTd < cpus && !faults.has('kvm.max-vcpus-unchecked')) {
    k.log.print('kvm-max-vcpus', conf.maxVcpusPerTd, cpus);
    return { r: err('EINVAL'), conf: null, why: 'max-vcpus' };
  }
  return { r: ok, conf };
}

/** Load kvm_intel: tdx_bringup() decides enable_tdx and whether the module load itself fails. */
export function loadKvmIntel(k: EmulatedKernel, faults: Faults): KvmModuleState {
  k.boot();
  const enabled = kvmParam(k.config.cmdline, 'kvm_intel.tdx') || faults.has('kvm.tdx-param-ignored');
  if (!enabled) return { result: ok, tdx: false, conf: null };
  const unmet = unmetRequirement(k, faults);
  if (unmet) {
    k.log.print(unmet);
    return { result: ok, tdx: false, conf: null };
  }
  const { r, conf, why } = tdxBringup(k, faults);
  if (r.ok) return { result: ok, tdx: true, conf };
  // Without a module only TDX is disabled; anything else fails the module load.
  if (r.errno === 'ENODEV' && !faults.has('kvm.not-loaded-fails-load')) return { result: ok, tdx: false, conf: null };
  // v6.16/6.17: a module that offers TDs nothing KVM supports, or no topology enumeration, makes
  // tdx_bringup() tear TDX down and still return 0 with enable_tdx set (fixed by 510c47f165f0).
  const zero = k.eras['kvm-bringup-errcode'] === 'zero' || faults.has('kvm.bringup-errcode-zero');
  if (why === 'capabilities' && zero) return { result: ok, tdx: true, conf: null };
  return { result: r, tdx: false, conf: null };
}
