/**
 * The VM-scope KVM_TDX_* sub-commands (@src:kvm-tdx-c, @src:kvm-tdx-rst): KVM_TDX_CAPABILITIES,
 * KVM_TDX_INIT_VM (setup_tdparams() then __tdx_td_init(): KeyID from the kernel, TDR,
 * TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG on every package, TDCS pages, TDH.MNG.INIT),
 * KVM_TDX_FINALIZE_VM (and, as a fault, the never-merged KVM_TDX_TERMINATE_VM).
 */
import { CPUID_7_0_EBX_HLE, CPUID_7_0_EBX_RTM, CPUID_7_0_ECX_WAITPKG, TDX_CONFIG_FLAGS_MAX_GPAW, TDX_CONFIG_FLAGS_NO_RBP_MOD, TDX_TSC_25MHZ_KHZ } from '../../../spec/abi/kvm-uapi';
import { KVM_MAX_CPUID_ENTRIES, KVM_TDX_CPUID_NO_SUBLEAF } from '../../../spec/encodings/kvm';
import { status as statusOf } from '../../../spec/abi/status';
import type { CpuidEntry, TdxCmd, TdxCmdResult } from '../../kvm-facet';
import type { KernelResult } from '../../port';
import { kmalloc } from '../host/module-init';
import type { CpuidValue, TdParams } from '../module/leaves/td-state';
import type { CpuidConfig } from '../module/versions';
import { supportedAttrs, supportedXfam } from './bringup';
import { printSeamcallError, releaseHkid, reclaimControlPages } from './teardown';
import { cmdResult, err, ok } from './results';
import type { KvmVm } from './vm';

/** VMX_EPTP_MT_WB, VMX_EPTP_PWL_4, VMX_EPTP_PWL_5 (arch/x86/include/asm/vmx.h). */
const EPTP_MT_WB = 0x6n;
const EPTP_PWL_4 = 0x18n;
const EPTP_PWL_5 = 0x20n;

/** The host's TSC in kHz (kvm->arch.default_tsc_khz). */
const DEFAULT_TSC_KHZ = 2_500_000;
const STATUS_MASK = 0xffffffff00000000n;

/** td_init_cpuid_entry2(): a CPUID configuration slot as KVM reports it to user space. */
export function cpuidEntryOfConfig(c: CpuidConfig, gpawConfigurable = true): CpuidEntry {
  const e: CpuidEntry = {
    function: c.leaf, index: c.subleaf === KVM_TDX_CPUID_NO_SUBLEAF ? 0 : c.subleaf,
    eax: c.eax >>> 0, ebx: c.ebx >>> 0, ecx: c.ecx >>> 0, edx: c.edx >>> 0, flags: 0,
  };
  // KVM uses CPUID 0x80000008 EAX[23:16] as the GPA width interface: reported configurable.
  if (e.function === 0x80000008) e.eax = ((e.eax & ~0xff0000) | ((gpawConfigurable ? 0xff : 0) << 16)) >>> 0;
  if (e.function === 7 && e.index === 0) {
    e.ebx = (e.ebx & ~(CPUID_7_0_EBX_HLE | CPUID_7_0_EBX_RTM)) >>> 0;
    e.ecx = (e.ecx & ~CPUID_7_0_ECX_WAITPKG) >>> 0;
  }
  return e;
}

/** TSX and WAITPKG are not allowed for TDs. */
const unsupportedCpuid = (e: CpuidEntry): boolean =>
  e.function === 7 && e.index === 0 && ((e.ebx & (CPUID_7_0_EBX_HLE | CPUID_7_0_EBX_RTM)) !== 0 || (e.ecx & CPUID_7_0_ECX_WAITPKG) !== 0);

/** kvm_find_cpuid_entry2(): the index matters only for entries that say it does. */
function findEntry(entries: CpuidEntry[], fn: number, index: number): CpuidEntry | undefined {
  return entries.find((e) => e.function === fn && (((e.flags ?? 0) & 1) === 0 || e.index === index));
}

export function capabilities(vm: KvmVm, cmd: TdxCmd): TdxCmdResult {
  if ((cmd.flags ?? 0) !== 0 && !vm.faults.has('kvm.flags-ignored')) return cmdResult(err('EINVAL'));
  if (cmd.data.kind !== 'capabilities') return cmdResult(err('EFAULT'));
  const conf = vm.kvm.conf;
  const n = conf.cpuidConfigs.length;
  if (cmd.data.nent < n && !vm.faults.has('kvm.caps-e2big-unchecked')) return cmdResult(err('E2BIG'));
  const attrs = supportedAttrs(conf);
  const xfam = supportedXfam(conf);
  if (!attrs || !xfam) return cmdResult(err('EIO'));
  const gpaw = !vm.faults.has('kvm.caps-gpaw-not-configurable');
  return {
    ...cmdResult(ok), nent: n,
    capabilities: { supportedAttrs: attrs, supportedXfam: xfam, cpuid: conf.cpuidConfigs.map((c) => cpuidEntryOfConfig(c, gpaw)) },
  };
}

type Built = { params: TdParams; gpaw: 48 | 52 } | { result: KernelResult };

/** setup_tdparams(): TD_PARAMS from the request, with the checks KVM makes itself. */
function setupTdParams(vm: KvmVm, d: Extract<TdxCmd['data'], { kind: 'init-vm' }>): Built {
  const f = vm.faults;
  const conf = vm.kvm.conf;
  if (vm.createdVcpus > 0 && !f.has('kvm.init-vm-repeatable')) return { result: err('EBUSY') };
  if ((d.attributes & ~supportedAttrs(conf)) !== 0n && !f.has('kvm.attributes-unchecked')) return { result: err('EINVAL') };
  if ((d.xfam & ~supportedXfam(conf)) !== 0n && !f.has('kvm.attributes-unchecked')) return { result: err('EINVAL') };
  // setup_tdparams_eptp_controls(): the GPA width comes from CPUID 0x80000008 EAX[23:16].
  const gpaEntry = findEntry(d.cpuid, 0x80000008, 0);
  if (!gpaEntry) return { result: err('EINVAL') };
  const guestPa = (gpaEntry.eax >>> 16) & 0xff;
  const allowed = f.has('kvm.gpaw-any') ? guestPa >= 36 && guestPa <= 52 : guestPa === 48 || guestPa === 52;
  if (!allowed) return { result: err('EINVAL') };
  if (guestPa === 52 && !vm.kvm.setup.ept5Level) return { result: err('EINVAL') };
  let configFlags = TDX_CONFIG_FLAGS_NO_RBP_MOD;
  if (guestPa === 52) configFlags |= TDX_CONFIG_FLAGS_MAX_GPAW;
  // setup_tdparams_cpuids(): one value per module slot; entries without a slot are an error.
  const cpuidValues: (CpuidValue | null)[] = conf.cpuidConfigs.map(() => null);
  let copied = 0;
  for (let i = 0; i < conf.cpuidConfigs.length; i++) {
    const slot = cpuidEntryOfConfig(conf.cpuidConfigs[i]);
    const e = findEntry(d.cpuid, slot.function, slot.index);
    if (!e) continue;
    if (unsupportedCpuid(e)) return { result: err('EINVAL') };
    copied++;
    // The module does not take EAX[23:16] of 0x80000008: KVM consumed it as the GPA width.
    const eax = slot.function === 0x80000008 ? e.eax & ~0xff0000 : e.eax;
    cpuidValues[i] = { eax: eax >>> 0, ebx: e.ebx >>> 0, ecx: e.ecx >>> 0, edx: e.edx >>> 0 };
  }
  if (copied !== d.cpuid.length && !f.has('kvm.cpuid-slot-unchecked')) return { result: err('EINVAL') };
  const params: TdParams = {
    attributes: d.attributes | conf.attributesFixed1,
    xfam: d.xfam | conf.xfamFixed1,
    maxVcpus: vm.maxVcpus,
    numL2Vms: 0,
    msrConfigCtls: 0,
    // setup_tdparams_eptp_controls(): write-back, page-walk length 4 or 5 (the field holds one less).
    eptpControls: EPTP_MT_WB | ((guestPa === 52 ? EPTP_PWL_5 : EPTP_PWL_4)),
    configFlags,
    tscFrequency: Math.floor(DEFAULT_TSC_KHZ / TDX_TSC_25MHZ_KHZ),
    cpuidConfig: cpuidValues,
  };
  return { params, gpaw: guestPa === 52 ? 52 : 48 };
}

/** A KeyID for the TD: the kernel's allocator (or, as a fault, KVM's own pool). */
function allocKeyId(vm: KvmVm): { keyId: number } | { result: KernelResult } {
  const k = vm.kernel;
  if (vm.faults.has('kvm.keyid-bypasses-kernel')) {
    const used = new Set([...vm.kvm.vms.values()].map((v) => v.hkid));
    const first = (k.tdx?.keyIdStart ?? 1) + 1;
    for (let id = first; id < first + (k.tdx?.nrKeyIds ?? 0) - 1; id++) if (!used.has(id)) return { keyId: id };
    return { result: err('ENOSPC') };
  }
  const a = k.allocGuestKeyId();
  if (!a.result.ok) return { result: vm.faults.has('kvm.keyid-exhaustion-eio') ? err('EIO') : a.result };
  return { keyId: a.keyId! };
}

/** Give the KeyID back when __tdx_td_init() fails before the TD owns it. */
function freeKeyId(vm: KvmVm, keyId: number): void {
  if (!vm.faults.has('kvm.keyid-bypasses-kernel')) vm.kernel.freeGuestKeyId(keyId);
  vm.kvm.chargeTdKeyId(vm, false);
}

/** __tdx_td_init() */
function tdInit(vm: KvmVm, params: TdParams): { result: KernelResult; hwError: bigint } {
  const k = vm.kernel;
  const sc = vm.kvm.sc;
  const key = allocKeyId(vm);
  if ('result' in key) return { result: key.result, hwError: 0n };
  // Every package needs an online CPU to program the TD's key.
  const packagesOnline = new Set<number>();
  for (let i = 0; i < k.cpus.length; i++) if (k.cpus[i].online) packagesOnline.add(k.platform.packageOf(i));
  if (packagesOnline.size < k.platform.packages && !vm.faults.has('kvm.packages-online-unchecked')) {
    k.log.print('kvm-all-packages-online');
    freeKeyId(vm, key.keyId);
    return { result: err('EIO'), hwError: 0n };
  }
  const cpu = sc.currentCpu();
  const tdr = vm.mmu.allocPage();
  const created = sc.call(cpu, 'TDH.MNG.CREATE', { rcx: tdr, rdx: BigInt(key.keyId) });
  if (created.status !== 0n) {
    freeKeyId(vm, key.keyId);
    // sc_retry() has already made the call ten times: KVM tells user space to try again, without a warning.
    if (created.status === statusOf('TDX_RND_NO_ENTROPY') && !vm.faults.has('kvm.no-entropy-eio')) return { result: err('EAGAIN'), hwError: 0n };
    printSeamcallError(vm, 'TDH_MNG_CREATE', created.status);
    return { result: err('EIO'), hwError: 0n };
  }
  vm.tdr = tdr;
  vm.hkid = key.keyId;
  vm.kvm.chargeTdKeyId(vm, true);
  const fail = (result: KernelResult, hwError = 0n): { result: KernelResult; hwError: bigint } => {
    releaseHkid(vm);
    reclaimControlPages(vm);
    return { result, hwError };
  };
  for (const c of sc.onePerPackage()) {
    const r = sc.call(c, 'TDH.MNG.KEY.CONFIG', { rcx: tdr });
    if (r.status !== 0n) {
      printSeamcallError(vm, 'TDH_MNG_KEY_CONFIG', r.status);
      return fail(err('EIO'));
    }
  }
  for (let i = 0; i < vm.kvm.conf.tdcsPages; i++) {
    const page = vm.mmu.allocPage();
    const r = sc.call(cpu, 'TDH.MNG.ADDCX', { rcx: page, rdx: tdr });
    if (r.status === statusOf('TDX_RND_NO_ENTROPY') && !vm.faults.has('kvm.no-entropy-eio')) return fail(err('EAGAIN'));
    if (r.status !== 0n) {
      printSeamcallError(vm, 'TDH_MNG_ADDCX', r.status);
      return fail(err('EIO'));
    }
    vm.tdcs.push(page);
  }
  const paramsPa = kmalloc(k, 1024n, 1024n);
  k.platform.store(paramsPa, params);
  const init = sc.call(cpu, 'TDH.MNG.INIT', { rcx: tdr, rdx: paramsPa });
  if ((init.status & STATUS_MASK) === statusOf('TDX_OPERAND_INVALID')) {
    // The user gave the operands: no warning, but the status tells which one was wrong.
    return fail(err('EINVAL'), vm.faults.has('kvm.hw-error-not-reported') ? 0n : init.status);
  }
  if (init.status !== 0n) {
    printSeamcallError(vm, 'TDH_MNG_INIT', init.status);
    return fail(err('EIO'));
  }
  return { result: ok, hwError: 0n };
}

export function initVm(vm: KvmVm, cmd: TdxCmd): TdxCmdResult {
  const f = vm.faults;
  if (vm.state !== 'UNINITIALIZED' && !f.has('kvm.init-vm-repeatable')) return cmdResult(err('EINVAL'));
  if ((cmd.flags ?? 0) !== 0 && !f.has('kvm.flags-ignored')) return cmdResult(err('EINVAL'));
  const d = cmd.data;
  if (d.kind !== 'init-vm') return cmdResult(err('EFAULT'));
  if (d.cpuid.length > KVM_MAX_CPUID_ENTRIES) return cmdResult(err('E2BIG'));
  if ((d.reserved ?? []).some((w) => w !== 0n)) return cmdResult(err('EINVAL'));
  const built = setupTdParams(vm, d);
  if ('result' in built) return cmdResult(built.result);
  const r = tdInit(vm, built.params);
  if (!r.result.ok) return cmdResult(r.result, r.hwError);
  vm.attributes = built.params.attributes;
  vm.xfam = built.params.xfam;
  vm.gpaw = built.gpaw;
  vm.state = 'INITIALIZED';
  return cmdResult(ok);
}

/** tdx_td_finalize() */
export function finalizeVm(vm: KvmVm): TdxCmdResult {
  if (vm.hkid < 0) return cmdResult(err('EINVAL'));
  if (vm.state === 'RUNNABLE') return cmdResult(vm.faults.has('kvm.finalize-twice') ? ok : err('EINVAL'));
  if (vm.premapped > 0) return cmdResult(err('EINVAL'));
  const r = vm.kvm.sc.call(vm.kvm.sc.currentCpu(), 'TDH.MR.FINALIZE', { rcx: vm.tdr! });
  if ((r.status & STATUS_MASK) === statusOf('TDX_OPERAND_BUSY')) return cmdResult(err('EBUSY'), r.status);
  if (r.status !== 0n) {
    printSeamcallError(vm, 'TDH_MR_FINALIZE', r.status);
    return cmdResult(err('EIO'), r.status);
  }
  vm.state = 'RUNNABLE';
  return cmdResult(ok, r.status);
}

/** tdx_terminate_vm(): the VM is dead for user space and its KeyID goes back at once. */
export function terminateVm(vm: KvmVm): TdxCmdResult {
  vm.dead = true;
  releaseHkid(vm);
  return cmdResult(ok);
}
