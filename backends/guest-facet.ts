/** A TD guest as seen from inside it. Defined by the guest work. */
export interface GuestFacet {
  readonly kind: 'guest';
}
