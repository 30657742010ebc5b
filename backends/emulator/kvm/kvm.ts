/**
 * /dev/kvm of the emulated kernel: kvm_intel loaded on first use (with TDX brought up or not, see
 * bringup.ts), KVM_CHECK_EXTENSION and KVM_CREATE_VM, and the file descriptors of the VMs a
 * scenario created. One instance per target, created on first use of the KVM facet.
 */
import { KVM_CAPS, KVM_VM_TYPES } from '../../../spec/encodings/kvm';
import type { FdResult } from '../../kvm-facet';
import type { KernelResult } from '../../port';
import type { Faults } from '../faults';
import type { EmulatedKernel } from '../host/kernel';
import { loadKvmIntel, type KvmModuleState, type TdConf } from './bringup';
import { KvmSeamcalls } from './seamcalls';
import type { KvmSetup } from './setup';
import { KvmVm } from './vm';
import { KVM_MAX_VCPUS } from './results';

export { KVM_MAX_VCPUS } from './results';

/** What KVM runs on: the host kernel of the moment (kexec replaces it), faults, and its setup. */
export interface KvmHost {
  kernel(): EmulatedKernel;
  readonly faults: Faults;
  readonly setup: KvmSetup;
}


export class EmulatedKvm {
  private module: KvmModuleState | null = null;
  readonly sc: KvmSeamcalls;
  readonly vms = new Map<number, KvmVm>();
  private nextFd = 10;

  constructor(private readonly host: KvmHost) {
    this.sc = new KvmSeamcalls(() => this.kernel);
  }

  get kernel(): EmulatedKernel {
    return this.host.kernel();
  }

  get faults(): Faults {
    return this.host.faults;
  }

  get setup(): KvmSetup {
    return this.host.setup;
  }

  /**
   * The misc cgroup's "tdx" resource (kernel/cgroup/misc.c): KVM sets its capacity to the number
   * of TD KeyIDs when it brings TDX up, charges one per TD in KVM_TDX_INIT_VM and uncharges it
   * when the TD's KeyID goes back (mainline KVM, @src:kvm-tdx-c).
   */
  miscTdxCapacity = 0;
  miscTdxUsage = 0;

  /** modprobe kvm_intel (once; its outcome stays). */
  load(): KernelResult {
    if (!this.module) {
      this.module = loadKvmIntel(this.kernel, this.faults);
      const k = this.kernel;
      if (this.module.tdx && k.eras['kvm-tdx'] === 'mainline' && k.tdx) this.miscTdxCapacity = k.nrGuestKeyIds();
    }
    return this.module.result;
  }

  /** misc_cg_try_charge() / misc_cg_uncharge() of the TD's KeyID (mainline KVM only). */
  chargeTdKeyId(vm: { miscCharged: boolean }, charge: boolean): void {
    if (this.kernel.eras['kvm-tdx'] !== 'mainline' || vm.miscCharged === charge) return;
    vm.miscCharged = charge;
    this.miscTdxUsage += charge ? 1 : -1;
  }

  get loaded(): boolean {
    return this.load().ok;
  }

  /** enable_tdx after bring-up. */
  get tdxEnabled(): boolean {
    this.load();
    return this.module!.tdx;
  }

  get conf(): TdConf {
    if (!this.module?.conf) throw new Error('KVM has no TDX module information (TDX not brought up)');
    return this.module.conf;
  }

  /** The VM type number KVM gives TDX guests. */
  get tdxVmType(): number {
    return this.faults.has('kvm.vm-type-number') ? KVM_VM_TYPES.KVM_X86_SEV_VM : KVM_VM_TYPES.KVM_X86_TDX_VM;
  }

  allocFd(): number {
    return this.nextFd++;
  }

  /** KVM_CHECK_EXTENSION on /dev/kvm. */
  checkExtension(cap: number): bigint {
    switch (cap) {
      case KVM_CAPS.KVM_CAP_VM_TYPES: {
        let types = 1n << BigInt(KVM_VM_TYPES.KVM_X86_DEFAULT_VM);
        if (this.tdxEnabled || this.faults.has('kvm.vm-types-always-tdx')) types |= 1n << BigInt(this.tdxVmType);
        return types;
      }
      case KVM_CAPS.KVM_CAP_MAX_VCPUS:
        return BigInt(KVM_MAX_VCPUS);
      case KVM_CAPS.KVM_CAP_EXIT_HYPERCALL:
        return 1n << 12n;
      case KVM_CAPS.KVM_CAP_SPLIT_IRQCHIP:
        return 1n;
      default:
        return 0n;
    }
  }

  /** KVM_CREATE_VM: the type must be one KVM_CAP_VM_TYPES reports. */
  createVm(type: number): FdResult {
    if (type < 0 || type > 63 || (this.checkExtension(KVM_CAPS.KVM_CAP_VM_TYPES) & (1n << BigInt(type))) === 0n) {
      return { result: { ok: false, errno: 'EINVAL' } };
    }
    const fd = this.allocFd();
    this.vms.set(fd, new KvmVm(this, fd, type === this.tdxVmType && this.tdxEnabled));
    return { result: { ok: true }, fd };
  }

  vm(fd: number): KvmVm {
    const vm = this.vms.get(fd);
    if (!vm) throw new Error(`no VM with file descriptor ${fd} in this scenario`);
    return vm;
  }
}
