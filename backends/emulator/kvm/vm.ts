/**
 * A VM file descriptor of the emulated KVM. For a TD (KVM_X86_TDX_VM) it holds KVM's side of the
 * TD: the state machine UNINITIALIZED -> INITIALIZED (KVM_TDX_INIT_VM) -> RUNNABLE
 * (KVM_TDX_FINALIZE_VM), the KeyID, the TDR and TDCS pages given to the module, the GPA width and
 * shared bit, memory attributes, the mirror of the private EPT, and the VM ioctls of
 * @src:kvm-tdx-c and @src:kvm-tdx-rst.
 */
import { KVM_CAPS, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_TDX_CMDS, sharedBit } from '../../../spec/encodings/kvm';
import type { FdResult, KvmExit, TdxCmd, TdxCmdResult } from '../../kvm-facet';
import type { KernelResult } from '../../port';
import type { ErrnoName } from '../../../spec/abi/errno';
import type { Faults } from '../faults';
import type { EmulatedKernel } from '../host/kernel';
import type { EmulatedKvm } from './kvm';
import { cmdResult, err, KVM_MAX_VCPUS, ok } from './results';
import { TdMmu } from './mmu';
import { capabilities, finalizeVm, initVm, terminateVm } from './td-init';

/** The sub-command id proposed for KVM_TDX_TERMINATE_VM, which no release implements. */
const PROPOSED_TERMINATE_VM = 6;
import { destroyTd } from './teardown';
import { TdVcpu } from './vcpu';

export type TdState = 'UNINITIALIZED' | 'INITIALIZED' | 'RUNNABLE';


/** An MSR range KVM_X86_SET_MSR_FILTER denies. */
export interface MsrDeny {
  msr: number;
  read: boolean;
  write: boolean;
}

export class KvmVm {
  state: TdState = 'UNINITIALIZED';
  /** The TD's private KeyID, -1 when none is assigned. */
  hkid = -1;
  /** The KeyID is charged to the misc cgroup. */
  miscCharged = false;
  tdr: bigint | null = null;
  tdcs: bigint[] = [];
  readonly maxVcpus: number;
  createdVcpus = 0;
  readonly vcpus = new Map<number, TdVcpu>();
  attributes = 0n;
  xfam = 0n;
  gpaw: 48 | 52 = 48;
  splitIrqchip = false;
  hypercallExitMask = 0n;
  /** Pages (GPA without shared bit) whose memory attribute is private. */
  readonly privatePages = new Set<bigint>();
  readonly mmu: TdMmu;
  /** kvm_vm_dead(): every further ioctl fails with EIO. */
  dead = false;
  /** Pages mapped in the mirror EPT but not yet added with TDH.MEM.PAGE.ADD. */
  premapped = 0;
  msrDeny: MsrDeny[] = [];
  /** Exits the scripted user-space VMM answered while the guest model ran. */
  readonly vmmExits: KvmExit[] = [];
  /** The guest model running in this TD, once created. */
  guest: unknown = null;

  constructor(readonly kvm: EmulatedKvm, readonly fd: number, readonly isTd: boolean) {
    const cpus = kvm.kernel.platform.cpus.length;
    // A TD may have as many vCPUs as the platform has logical CPUs (not MAX_VCPUS_PER_TD).
    const limit = kvm.faults.has('kvm.max-vcpus-not-limited') && isTd ? kvm.conf.maxVcpusPerTd : cpus;
    this.maxVcpus = isTd ? Math.min(KVM_MAX_VCPUS, limit) : KVM_MAX_VCPUS;
    this.mmu = new TdMmu(this);
  }

  get faults(): Faults {
    return this.kvm.faults;
  }

  get kernel(): EmulatedKernel {
    return this.kvm.kernel;
  }

  /** The shared bit of this TD's GPAs (kvm_gfn_direct_bits()). */
  get sharedBit(): bigint {
    return this.faults.has('kvm.shared-bit-47-always') ? 1n << 47n : sharedBit(this.gpaw);
  }

  isPrivateGpa(gpa: bigint): boolean {
    return (gpa & this.sharedBit) === 0n;
  }

  vcpuByIndex(index: number): TdVcpu | undefined {
    return [...this.vcpus.values()].find((v) => v.id === index);
  }

  /** KVM_CHECK_EXTENSION on the VM. */
  checkExtension(cap: number): bigint {
    if (cap === KVM_CAPS.KVM_CAP_MAX_VCPUS) return BigInt(this.maxVcpus);
    return this.kvm.checkExtension(cap);
  }

  enableCap(cap: number, args: bigint[]): KernelResult {
    if (this.dead) return err('EIO');
    switch (cap) {
      case KVM_CAPS.KVM_CAP_SPLIT_IRQCHIP:
        if (this.createdVcpus > 0 || (args[0] ?? 0n) > 1024n) return err('EINVAL');
        this.splitIrqchip = true;
        return ok;
      case KVM_CAPS.KVM_CAP_EXIT_HYPERCALL:
        if (((args[0] ?? 0n) & ~(1n << 12n)) !== 0n) return err('EINVAL');
        this.hypercallExitMask = args[0] ?? 0n;
        return ok;
      default:
        return err('EINVAL');
    }
  }

  /**
   * KVM_SET_MEMORY_ATTRIBUTES: converting zaps the mapping of the other kind. The operand checks
   * of kvm_vm_ioctl_set_mem_attributes(), in its order: attributes the VM supports (PRIVATE only
   * for a VM with private memory), a size that is not 0 and a range that does not wrap, then page
   * alignment of address and size.
   */
  setMemoryAttributes(gpa: bigint, size: bigint, attributes: bigint): KernelResult {
    if (this.dead) return err('EIO');
    const supported = this.isTd ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0n;
    if ((attributes & ~supported) !== 0n) return err('EINVAL');
    // address + size wraps in the __u64 arithmetic of struct kvm_memory_attributes (the faulty KVM forgets to check).
    const wraps = BigInt.asUintN(64, gpa + size) < gpa && !this.faults.has('kvm.mem-attributes-wrap-unchecked');
    if (size === 0n || wraps) return err('EINVAL');
    if (gpa % 4096n !== 0n || size % 4096n !== 0n) return err('EINVAL');
    const toPrivate = attributes !== 0n;
    for (let p = gpa; p < gpa + size; p += 4096n) {
      if (toPrivate === this.privatePages.has(p)) continue;
      if (toPrivate) {
        this.privatePages.add(p);
        this.mmu.zapShared(p);
      } else {
        this.privatePages.delete(p);
        const r = this.mmu.zapPrivate(p);
        if (!r.ok) return r;
      }
    }
    return ok;
  }

  /** vt_mem_enc_ioctl(): a VM that is not a TD is refused before the argument is read. */
  encryptOpRefusal(): KernelResult | null {
    return !this.isTd && !this.faults.has('kvm.encrypt-op-on-any-vm') ? err('ENOTTY') : null;
  }

  /** KVM_MEMORY_ENCRYPT_OP on the VM (tdx_vm_ioctl()). */
  tdxCmd(cmd: TdxCmd): TdxCmdResult {
    const refused = this.encryptOpRefusal();
    if (refused) return cmdResult(refused);
    if (this.dead) return cmdResult(err('EIO'));
    if ((cmd.hwError ?? 0n) !== 0n && !this.faults.has('kvm.hw-error-accepted')) return cmdResult(err('EINVAL'));
    switch (cmd.id) {
      case KVM_TDX_CMDS.KVM_TDX_CAPABILITIES: return capabilities(this, cmd);
      case KVM_TDX_CMDS.KVM_TDX_INIT_VM: return initVm(this, cmd);
      case KVM_TDX_CMDS.KVM_TDX_FINALIZE_VM: return finalizeVm(this);
      case PROPOSED_TERMINATE_VM:
        if (this.faults.has('kvm.terminate-vm-accepted')) return terminateVm(this);
        return cmdResult(err('EINVAL'));
      default: return cmdResult(err('EINVAL'));
    }
  }

  /** KVM_CREATE_VCPU (kvm_vm_ioctl_create_vcpu() with tdx_vcpu_create()). */
  createVcpu(id: number): FdResult {
    if (this.dead) return { result: err('EIO') };
    if (id < 0 || id >= KVM_MAX_VCPUS || this.createdVcpus >= this.maxVcpus) return { result: err('EINVAL') };
    if (this.isTd) {
      if (this.state !== 'INITIALIZED' && !this.faults.has('kvm.vcpu-before-init-vm')) return { result: err('EIO') };
      if (!this.splitIrqchip && !this.faults.has('kvm.irqchip-unchecked')) return { result: err('EINVAL') };
    }
    if ([...this.vcpus.values()].some((v) => v.id === id)) return { result: err('EEXIST') };
    this.createdVcpus++;
    const fd = this.kvm.allocFd();
    this.vcpus.set(fd, new TdVcpu(this, fd, id));
    return { result: ok, fd };
  }

  vcpu(fd: number): TdVcpu {
    const v = this.vcpus.get(fd);
    if (!v) throw new Error(`no vCPU with file descriptor ${fd} in VM ${this.fd}`);
    return v;
  }

  /** Close the VM and its vCPUs (kvm_destroy_vm()). */
  destroy(): KernelResult {
    if (this.isTd) destroyTd(this);
    this.kvm.vms.delete(this.fd);
    return ok;
  }
}
