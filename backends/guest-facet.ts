/** A TD guest as seen from inside it. Defined by the guest work. */
export const GUEST_CAPABILITIES = {
  'guest.instructions': 'arbitrary instructions can be executed inside a TD',
  'guest.cpuid': 'CPUID can be executed inside a TD',
  'guest.msr': 'MSRs can be read and written inside a TD',
  'guest.memory': 'guest memory can be accessed and converted private/shared',
  'guest.log': 'the guest kernel log can be read',
  'guest.report': 'TDREPORTs can be requested through /dev/tdx_guest',
  'guest.tsm': 'configfs-tsm reports can be requested',
} as const;

/** Preconditions of guest scenarios (see Arrangement in port.ts). */
export type GuestArrangement = never;

export interface GuestFacet {
  readonly kind: 'guest';
}
