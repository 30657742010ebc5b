/**
 * The guest section of a profile: the TD the emulator runs on the platform (its kernel, the
 * configuration its VMM chose, what its user space loaded). Every field defaults to the TD a
 * VMM creates for a Linux guest running the host's kernel. Problems are ProfileErrors naming
 * the field, like the rest of the profile.
 */
import { flavour, type KernelFlavour } from '../../spec/kernel/flavours';
import { attributesAllowed, defaultAttributes, tdCtlsSupported } from './guest/config';
import type { ModuleBuild } from './module/versions';

export interface GuestProfile {
  kernel: { flavour: KernelFlavour; release: string };
  attributes: bigint;
  tdCtls: bigint;
  gpaWidth: 48 | 52;
  flexiblePendingVe: boolean;
  /** null: as the module decides (configured where it has topology enumeration). */
  topologyConfigured: boolean | null;
  userspace: { msrDriver: boolean; cpuidDriver: boolean };
  quoteService: boolean;
}

/** Raw YAML of the section, after the schema check. */
interface RawGuest {
  kernel?: { flavour: string; release: string };
  attributes?: string;
  tdCtls?: string;
  gpaWidth?: 48 | 52;
  flexiblePendingVe?: boolean;
  topologyConfigured?: boolean;
  userspace?: { msrDriver?: boolean; cpuidDriver?: boolean };
  quoteService?: boolean;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/**
 * The section's values, checked against the host it runs on. `problem(field, message)` reports
 * a field the module build cannot honour (it throws).
 */
export function parseGuestSection(
  raw: RawGuest | undefined, host: { kernel: { flavour: KernelFlavour; release: string }; module: ModuleBuild },
  problem: (field: string, message: string) => never,
): GuestProfile {
  const g = raw ?? {};
  const b = host.module;
  const attributes = g.attributes === undefined ? defaultAttributes(b) : BigInt(g.attributes);
  if (!attributesAllowed(b, attributes)) {
    problem('guest.attributes', `TDX module ${b.id} does not allow TD attributes ${hex(attributes)} (ATTRIBUTES_FIXED0 ${hex(BigInt(b.metadata.ATTRIBUTES_FIXED0 ?? 0))})`);
  }
  const tdCtls = g.tdCtls === undefined ? 0n : BigInt(g.tdCtls);
  const unsupported = tdCtls & ~tdCtlsSupported(b);
  if (unsupported !== 0n) problem('guest.tdCtls', `TDX module ${b.id} does not implement TD_CTLS bits ${hex(unsupported)}`);
  return {
    kernel: g.kernel ? { flavour: flavour(g.kernel.flavour), release: g.kernel.release } : { ...host.kernel },
    attributes,
    tdCtls,
    gpaWidth: g.gpaWidth ?? 48,
    flexiblePendingVe: g.flexiblePendingVe ?? false,
    topologyConfigured: g.topologyConfigured ?? null,
    userspace: { msrDriver: g.userspace?.msrDriver ?? false, cpuidDriver: g.userspace?.cpuidDriver ?? false },
    quoteService: g.quoteService ?? true,
  };
}
