/** What KVM's ioctls hand back, and the limits they are checked against. */
import type { TdxCmdResult } from '../../kvm-facet';
import type { KernelResult } from '../../port';

export { ok, err } from '../lib/kernel-result';

/** The result of a KVM_MEMORY_ENCRYPT_OP: the ioctl's return and kvm_tdx_cmd.hw_error. */
export const cmdResult = (result: KernelResult, hwError = 0n): TdxCmdResult => ({ result, hwError });

/** KVM_MAX_VCPUS on x86. */
export const KVM_MAX_VCPUS = 4096;
