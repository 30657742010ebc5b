/** KVM's TDX support as a VMM sees it (ioctls, exits). Defined by the KVM work. */
export const KVM_CAPABILITIES = {
  'kvm.ioctl': 'KVM ioctls can be issued as a VMM would',
} as const;

/** Preconditions of KVM scenarios (see Arrangement in port.ts). */
export type KvmArrangement = never;

export interface KvmFacet {
  readonly kind: 'kvm';
}
