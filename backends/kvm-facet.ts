/** KVM's TDX support as a VMM sees it (ioctls, exits). Defined by the KVM work. */
export interface KvmFacet {
  readonly kind: 'kvm';
}
