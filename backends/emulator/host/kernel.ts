/**
 * The emulated Linux kernel's TDX host code: boot-time detection (tdx_init), the per-CPU and
 * module initialisation of its era, CPU and memory hotplug, KeyID allocation, sleep states and
 * the machine-check hook (@src:tdx-c-mid, @src:tdx-c-618, @src:tdx-c-new). Behaviour that differs
 * between kernels is chosen by the flavour's eras (spec/kernel/flavours.ts).
 */
import { ERRNO, type ErrnoName } from '../../../spec/abi/errno';
import { seamcallRax } from '../../../spec/encodings/seamcall';
import type { KernelFlavour } from '../../../spec/kernel/flavours';
import { dialectOf } from '../../../spec/kernel/dialects';
import type { MessageId } from '../../../spec/kernel/printk';
import type { KernelResult, MemoryRegion } from '../../port';
import type { InitCleanup } from '../../host-facet';
import type { Faults } from '../faults';
import type { TdxModule } from '../module';
import type { Platform } from '../platform/platform';
import { MSR_IA32_MKTME_KEYID_PARTITIONING } from '../platform/platform';
import { initTdxModule, type ModuleInitState } from './module-init';
import { KernelLogBuffer } from '../lib/printk';
import { err, ok } from '../lib/kernel-result';
import { rawSeamcall, seamcallPrerr, type SeamcallPath } from './seamcall';
import { tdxHostDeviceCreated } from './tdx-host-device';

export interface KernelConfig {
  flavour: KernelFlavour;
  release: string;
  /** Kernel command line tokens (nohibernate, kvm_intel.tdx=1, ...). */
  cmdline: string[];
  /** CONFIG_ACPI && CONFIG_SUSPEND. */
  acpiSuspend: boolean;
  /**
   * The first user of TDX up to v7.0: KVM's bring-up calls tdx_enable() when kvm_intel loads. It
   * lives above the host kernel, so whoever assembles the system passes it in.
   */
  tdxUser?: (k: EmulatedKernel) => KernelResult;
}

export interface PerCpu {
  online: boolean;
  vmxOn: boolean;
  /** tdx_lp_initialized: TDH.SYS.LP.INIT done on this CPU. */
  tdxEnabled: boolean;
  /** A SEAMCALL ran since the last WBINVD (cache_state_incoherent). */
  cacheIncoherent: boolean;
}

export { ok, err } from '../lib/kernel-result';

/** What the kernel keeps about TDX after boot-time detection. */
export interface TdxHostState {
  keyIdStart: number;
  nrKeyIds: number;
  globalKeyId: number;
  guestKeyIds: Set<number>;
}

/** Family-6 models check_tdx_erratum() names: Sapphire Rapids X (0x8f) and Emerald Rapids X (0xcf). */
const PARTIAL_WRITE_ERRATUM_MODELS: readonly number[] = [0x8f, 0xcf];

export class EmulatedKernel implements SeamcallPath {
  readonly log: KernelLogBuffer;
  readonly cpus: PerCpu[];
  /** X86_FEATURE_TDX_HOST_PLATFORM. */
  hostPlatform = false;
  /** Whether /proc/cpuinfo shows tdx_host_platform (a fault can hide it). */
  platformFlagShown = false;
  readonly cpuBugs = new Set<string>();
  /**
   * X86_BUG_SEAMRET_INVD_VMCS: the CPU does not enumerate VMX_BASIC_NO_SEAMRET_INVD_VMCS (IA32_VMX_BASIC
   * bit 60, the platform feature no_seamret_invd_vmcs), so a P-SEAMLDR call clobbers the current VMCS
   * (@src:ml-seamldr-update). Kept apart from cpuBugs: how /proc/cpuinfo names it was not checked.
   */
  seamretInvdVmcs = false;
  /** The tdx_host faux device exists (host/tdx-host-device.ts). */
  tdxHostDevice = false;
  tdx: TdxHostState | null = null;
  /**
   * acpi_suspend_lowlevel: whether entering ACPI S3 can work. tdx_init() clears it on a TDX host;
   * nothing else about S3 changes (mem stays offered, mem_sleep keeps deep) (@src:l6161-acpi-sleep-c).
   */
  s3Available: boolean;
  /** /sys/power/mem_sleep: what "mem" means now (deep where the firmware has S3, unless the command line says otherwise). */
  memSleep: 's2idle' | 'deep';
  memoryNotifier = false;
  /** Result of TDH.SYS.INIT, done once (sysinit_done / sysinit_ret). */
  sysinit: KernelResult | null = null;
  readonly init: ModuleInitState = { status: 'uninitialized', memlist: [], tdmrs: [], sysinfo: null, result: null };
  booted = false;
  /** Whether a KVM bring-up (era on-demand) has run, and how it ended. */
  kvmTdx: KernelResult | null = null;
  readonly terseErrors: boolean;
  /** Next free address of the small-allocation heap (structures handed to the module). */
  heapNext = 16n << 20n;
  /** What a failed initialisation did with the PAMTs (err_reset_pamts / err_free_pamts of init_tdx_module()). */
  initCleanup: InitCleanup | null = null;

  constructor(
    readonly platform: Platform,
    readonly module: TdxModule | null,
    readonly config: KernelConfig,
    readonly faults: Faults,
  ) {
    this.log = new KernelLogBuffer(config.flavour, (id) => this.dialectFault(id));
    this.cpus = platform.cpus.map(() => ({ online: true, vmxOn: false, tdxEnabled: false, cacheIncoherent: false }));
    this.s3Available = config.acpiSuspend;
    const wanted = config.cmdline.find((t) => t.startsWith('mem_sleep_default='))?.slice('mem_sleep_default='.length);
    this.memSleep = config.acpiSuspend && wanted !== 's2idle' ? 'deep' : 's2idle';
    this.terseErrors = faults.has('host.seamcall-error-format');
  }

  /** SEAMCALL raises #GP on this platform (SeamcallPath). */
  get seamcallGp(): boolean {
    return this.platform.config.seamcallGp === true;
  }

  get eras() {
    return this.config.flavour.eras;
  }

  private dialectFault(id: MessageId): string | undefined {
    if (this.faults.has('host.pamt-kb-unit') && id === 'pamt-allocated') {
      return dialectOf(this.config.flavour).variants['pamt-allocated'] === 'KBs' ? 'code' : 'KBs';
    }
    if (this.faults.has('host.init-message-dialect') && (id === 'init-done' || id === 'init-failed')) {
      return this.eras.init === 'boot' ? 'code' : 'boot';
    }
    return undefined;
  }

  onSeamcall(cpu: number): void {
    if (this.config.flavour.eras.kexec !== 'exclusive') this.cpus[cpu].cacheIncoherent = true;
  }

  hibernationAvailable(): boolean {
    return !this.config.cmdline.includes('nohibernate');
  }

  // ---------------------------------------------------------------- boot

  boot(): void {
    if (this.booted) return;
    this.booted = true;
    this.log.raw(`Linux version ${this.config.release} (emulated)`);
    this.log.raw(`Command line: ${this.config.cmdline.join(' ')}`);
    this.tdxInit();
    this.log.tick(1.5);
    const atBoot = this.eras.init === 'boot' ? !this.faults.has('host.boot-init-skipped') : this.faults.has('host.on-demand-init-at-boot');
    if (atBoot) this.bootTimeEnable();
    // The TDX host services driver loads after the initcalls that initialise the module.
    this.tdxHostDevice = tdxHostDeviceCreated(this);
    // The kernel's own boot ends by starting init (init/main.c run_init_process()).
    this.log.raw('Run /sbin/init as init process');
  }

  /**
   * check_tdx_erratum(): the kernel's own list of the CPUs with the partial-write erratum, by
   * family and model (INTEL_SAPPHIRERAPIDS_X, INTEL_EMERALDRAPIDS_X, @src:hb-tdx-c-6161 and
   * intel-family.h), against the CPU the platform reports.
   */
  private hasPartialWriteErratum(): boolean {
    const { family, model } = this.platform.model;
    const models = this.faults.has('host.erratum-sapphire-rapids-only') ? PARTIAL_WRITE_ERRATUM_MODELS.slice(0, 1) : PARTIAL_WRITE_ERRATUM_MODELS;
    return family === 6 && models.includes(model);
  }

  /**
   * tdx_init(): KeyID detection, the sleep-state rules, and the erratum bug, which kernels of the
   * pre-merge series set earlier, at CPU identification, whatever detection finds (era
   * erratum-flag).
   */
  private tdxInit(): void {
    const atIdentification = (this.eras['erratum-flag'] === 'cpu-identification') !== this.faults.has('host.erratum-flag-era-swapped');
    if (atIdentification && this.hasPartialWriteErratum()) this.cpuBugs.add('tdx_pw_mce');
    const msr = this.platform.rdmsr(MSR_IA32_MKTME_KEYID_PARTITIONING);
    if (msr === undefined) return;
    const nrMktme = Number(msr & 0xffffffffn);
    const nrTdx = Number(msr >> 32n);
    if (nrTdx === 0 && !this.faults.has('host.zero-keyids-logged')) return;
    const start = this.faults.has('host.keyid-start-off-by-one') ? nrMktme : nrMktme + 1;
    this.log.print('keyid-range', start, start + nrTdx);
    if (nrTdx < 2 && !this.faults.has('host.single-keyid-accepted')) {
      this.log.print('too-few-keyids');
      return;
    }
    if (this.hibernationAvailable() && !this.faults.has('host.hibernation-ignored')) {
      this.log.print('hibernation-enabled');
      return;
    }
    this.memoryNotifier = true;
    if (this.config.acpiSuspend) {
      this.log.print('s3-disabled');
      if (!this.faults.has('host.s3-kept')) this.s3Available = false;
    }
    this.tdx = { keyIdStart: start, nrKeyIds: nrTdx, globalKeyId: start, guestKeyIds: new Set() };
    this.hostPlatform = true;
    this.platformFlagShown = !this.faults.has('host.platform-flag-missing');
    const erratum = this.hasPartialWriteErratum() || this.faults.has('host.erratum-on-all-models');
    if (erratum) this.cpuBugs.add('tdx_pw_mce');
    // check_tdx_erratum() of the kernels with module runtime update (7.2) also reads IA32_VMX_BASIC.
    if (this.eras['tdx-host-sysfs'] === 'faux') this.seamretInvdVmcs = !this.platform.hasFeature('no_seamret_invd_vmcs');
  }

  /** Era "boot": tdx_enable() as a subsys_initcall (@src:tdx-c-new). */
  private bootTimeEnable(): void {
    const fail = (id: MessageId, errno: ErrnoName): void => {
      this.log.print(id);
      this.init.result = err(errno);
    };
    if (!this.hostPlatform && !this.faults.has('host.boot-init-platform-unchecked')) return fail('platform-unsupported', 'ENODEV');
    const checks = !this.faults.has('host.boot-init-preconditions');
    if (checks && !this.platform.hasFeature('xsave')) return fail('xsave-required', 'EINVAL');
    if (checks && !this.platform.hasFeature('movdir64b')) return fail('movdir64b-required', 'EINVAL');
    if (!this.platform.hasFeature('self_snoop')) return fail('selfsnoop-required', 'ENODEV');
    // cpuhp "virt/tdx:online": VMX on and per-CPU init on every online CPU.
    for (let cpu = 0; cpu < this.cpus.length; cpu++) {
      if (!this.cpus[cpu].online) continue;
      const r = this.onlineCpuTdx(cpu);
      if (!r.ok) {
        this.init.result = r;
        this.init.status = 'error';
        return;
      }
    }
    this.runModuleInit();
  }

  /** Initialise TDX the way this kernel does; repeated requests see the cached outcome. */
  initTdx(): KernelResult {
    this.boot();
    if (this.init.result && this.eras.init === 'boot') return this.init.result;
    if (this.eras.init === 'boot' && !this.faults.has('host.boot-init-skipped')) return this.init.result ?? err('ENODEV');
    // Era "on-demand": the first user (KVM loading with kvm_intel.tdx=1) initialises the module.
    return this.config.tdxUser ? this.config.tdxUser(this) : err('ENODEV');
  }

  /** tdx_enable() of the on-demand era, with its status machine (@src:tdx-c-618). */
  tdxEnable(): KernelResult {
    if (!this.hostPlatform) return err('ENODEV');
    switch (this.init.status) {
      case 'initialized':
        return ok;
      case 'error':
        if (!this.faults.has('host.init-retried-after-error')) return err('EINVAL');
    }
    return this.runModuleInit();
  }

  private runModuleInit(): KernelResult {
    const r = initTdxModule(this);
    if (r.ok) {
      this.init.status = 'initialized';
      this.log.print('init-done');
    } else {
      this.init.status = 'error';
      this.log.print('init-failed', -ERRNO[r.errno]);
    }
    this.init.result = r;
    return r;
  }

  // ---------------------------------------------------------------- per-CPU

  /** try_init_module_global(): TDH.SYS.INIT once, result cached. */
  private tryInitModuleGlobal(cpu: number): KernelResult {
    if (this.sysinit) return this.sysinit;
    const r = seamcallPrerr(this, cpu, 'TDH.SYS.INIT', { rcx: 0n }, false);
    this.sysinit = r.errno ? err(r.errno) : ok;
    if (r.errno === 'ENODEV' && !this.faults.has('host.not-loaded-silent')) this.log.print('module-not-loaded');
    if (r.errno === 'ENODEV' && this.faults.has('host.not-loaded-errno')) this.sysinit = err('EIO');
    return this.sysinit;
  }

  /** tdx_cpu_enable(): global init if needed, then TDH.SYS.LP.INIT on this CPU. */
  tdxCpuEnable(cpu: number): KernelResult {
    if (!this.hostPlatform) return err('ENODEV');
    if (this.cpus[cpu].tdxEnabled) return ok;
    const g = this.tryInitModuleGlobal(cpu);
    if (!g.ok) return g;
    const r = seamcallPrerr(this, cpu, 'TDH.SYS.LP.INIT', {}, false);
    if (r.errno) return err(r.errno);
    this.cpus[cpu].tdxEnabled = true;
    return ok;
  }

  /** The CPU-online callback of the TDX users: VMX on, then per-CPU TDX init. */
  private onlineCpuTdx(cpu: number): KernelResult {
    this.cpus[cpu].vmxOn = true;
    return this.tdxCpuEnable(cpu);
  }

  /** Whether some TDX user (KVM or the boot-time code) runs per-CPU init on CPU online. */
  private tdxCpuCallbacks(): boolean {
    return this.eras.init === 'boot' ? this.init.result !== null || this.hostPlatform : this.kvmTdx !== null;
  }

  cpuOffline(cpu: number): KernelResult {
    this.boot();
    const c = this.cpus[cpu];
    if (!c) return err('EINVAL');
    if (!c.online) return err('EINVAL');
    if (this.tdxCpuCallbacks() && this.keyIdsInUse() > 0 && !this.faults.has('host.offline-last-cpu-allowed')) {
      const pkg = this.platform.packageOf(cpu);
      const others = this.cpus.some((o, i) => i !== cpu && o.online && this.platform.packageOf(i) === pkg);
      if (!others) {
        // KVM printed it until v7.0; the host code from v7.1.
        this.log.printAs('offline-refused', this.eras.init === 'boot' ? dialectOf(this.config.flavour).prefix : 'kvm_intel: ');
        return err('EBUSY');
      }
    }
    // Every era: the dying CPU writes back its caches (hlt_play_dead() / mwait_play_dead() in
    // arch/x86/kernel/smpboot.c, v6.16.1 and long before).
    c.cacheIncoherent = false;
    c.online = false;
    c.vmxOn = false;
    // The per-CPU "TDX enabled" flag survives offlining: TDH.SYS.LP.INIT cannot be repeated.
    if (this.faults.has('host.offline-forgets-tdx')) c.tdxEnabled = false;
    return ok;
  }

  cpuOnline(cpu: number): KernelResult {
    this.boot();
    const c = this.cpus[cpu];
    if (!c) return err('EINVAL');
    if (c.online) return err('EINVAL');
    c.online = true;
    if (this.tdxCpuCallbacks()) {
      const r = this.onlineCpuTdx(cpu);
      if (!r.ok) {
        c.online = false;
        c.vmxOn = false;
        return r;
      }
    }
    return ok;
  }

  // ---------------------------------------------------------------- KeyIDs

  keyIdsInUse(): number {
    return this.tdx?.guestKeyIds.size ?? 0;
  }

  /** tdx_get_nr_guest_keyids(): every TDX KeyID but the global one, what KVM offers TDs (@src:hb-tdx-c-6161). */
  nrGuestKeyIds(): number {
    if (!this.tdx) return 0;
    return this.tdx.nrKeyIds - (this.faults.has('host.guest-keyids-count-global') ? 0 : 1);
  }

  /** tdx_guest_keyid_alloc(): lowest free KeyID after the global one. */
  allocGuestKeyId(): { result: KernelResult; keyId?: number } {
    this.boot();
    if (!this.tdx) return { result: err('ENODEV') };
    const first = this.tdx.keyIdStart + (this.faults.has('host.keyid-global-handed-out') ? 0 : 1);
    const last = this.tdx.keyIdStart + this.tdx.nrKeyIds - 1;
    for (let k = first; k <= last; k++) {
      if (!this.tdx.guestKeyIds.has(k)) {
        this.tdx.guestKeyIds.add(k);
        return { result: ok, keyId: k };
      }
    }
    return { result: err('ENOSPC') };
  }

  freeGuestKeyId(keyId: number): KernelResult {
    if (!this.tdx || !this.tdx.guestKeyIds.delete(keyId)) return err('EINVAL');
    return ok;
  }

  // ---------------------------------------------------------------- memory hotplug

  /** tdx_memory_notifier() on MEM_GOING_ONLINE. */
  onlineMemory(base: bigint, end: bigint): { accepted: boolean } {
    this.boot();
    if (!this.memoryNotifier || this.init.memlist.length === 0) return { accepted: true };
    if (this.faults.has('host.memory-hotplug-accepted')) return { accepted: true };
    // is_tdx_memory(): the whole range inside one TDX memory block (the fault accepts any overlap).
    const inside = this.faults.has('host.memory-hotplug-overlap-accepted')
      ? (m: MemoryRegion) => base < m.end && end > m.base
      : (m: MemoryRegion) => base >= m.base && end <= m.end;
    return { accepted: this.init.memlist.some(inside) };
  }

  // ---------------------------------------------------------------- sleep states

  /** /sys/power/state (state_show(), @src:l6161-pm-main-c): freeze and mem always, disk if hibernation is available. */
  sleepStates(): string[] {
    this.boot();
    const states = this.faults.has('host.mem-withdrawn') && this.tdx ? ['freeze'] : ['freeze', 'mem'];
    if (this.hibernationAvailable() || this.faults.has('host.hibernation-offered')) states.push('disk');
    return states;
  }

  /** /sys/power/mem_sleep: s2idle always, deep where the firmware has S3 (suspend_set_ops(), @src:l6161-pm-suspend-c). */
  memSleepModes(): { offered: string[]; current: string } {
    return { offered: this.config.acpiSuspend ? ['s2idle', 'deep'] : ['s2idle'], current: this.memSleep };
  }

  /**
   * Writing a state to /sys/power/state. "mem" in deep mode reaches acpi_suspend_enter(), which fails
   * with ENOSYS when acpi_suspend_lowlevel was cleared (after devices were suspended and resumed);
   * in s2idle mode the machine idles and TDX survives. "disk" needs hibernation (EPERM otherwise).
   */
  suspend(state: 'mem' | 'disk'): KernelResult {
    this.boot();
    if (state === 'disk') {
      if (!this.hibernationAvailable() && !this.faults.has('host.hibernation-offered')) return err('EPERM');
      return ok;
    }
    if (this.memSleep === 'deep' && !this.s3Available) return err('ENOSYS');
    return ok;
  }

  // ---------------------------------------------------------------- machine checks

  /**
   * A memory #MC at `pa`: the extra line comes from mce_panic() only, through mce_dump_aux_info(),
   * which asks tdx_dump_mce_info() only when the CPU has the tdx_pw_mce bug
   * (@src:l6161-mce-core-c); the memory is private if TDH.PHYMEM.PAGE.RDMD says so, PT_RSVD
   * counting only for PAMT pages (@src:hb-tdx-c-6161).
   */
  machineCheck(pa: bigint, fatal: boolean): { message: string | null } {
    this.boot();
    if (!fatal && !this.faults.has('host.mce-message-recovered')) return { message: null };
    if (!this.cpuBugs.has('tdx_pw_mce') && !this.faults.has('host.mce-message-all-cpus')) return { message: null };
    if (!this.hostPlatform || this.faults.has('host.mce-message-missing')) return { message: null };
    const r = rawSeamcall(this, 0, seamcallRax('TDH.PHYMEM.PAGE.RDMD'), { rcx: pa & ~0xfffn });
    if (r.status !== 0n) return { message: null };
    const type = r.out.rcx ?? 0n;
    const isPrivate = type === 0n ? false : type === 1n ? this.isPamtPage(pa) || this.faults.has('host.mce-reserved-private') : true;
    // pr_emerg(HW_ERR "Machine check: %s\n", memmsg)
    return { message: isPrivate ? '[Hardware Error]: Machine check: TDX private memory error. Possible kernel bug.' : null };
  }

  isPamtPage(pa: bigint): boolean {
    // tdmr_get_pamt(): one block, the 4K, 2M and 1G PAMTs back to back (the fault: the 4K one only).
    const only4k = this.faults.has('host.mce-pamt-4k-only');
    return this.init.tdmrs.some((t) => t.pamt && pa >= t.pamt.base && pa < t.pamt.base + t.pamt.sizes[0] + (only4k ? 0n : t.pamt.sizes[1] + t.pamt.sizes[2]));
  }

  /** Flush the caches of every online CPU (wbinvd_on_all_cpus). */
  wbinvdAll(): void {
    for (const c of this.cpus) if (c.online) c.cacheIncoherent = false;
  }
}
