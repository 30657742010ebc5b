/**
 * A TD guest cannot make a precondition true; it compares the TD a scenario describes with the
 * one it runs in. The attributes come from a TDREPORT the probes took (TDINFO.ATTRIBUTES), or
 * failing that from the kernel's attribute line (v6.14); the rest of the VMM's choices (GPA
 * width, CPUID values, what it answers, FLEXIBLE_PENDING_VE) are not observable from inside.
 */
import type { GuestArrangement } from '../guest-facet';
import type { ArrangeResult } from '../port';
import { TD_ATTRIBUTES } from '../../spec/abi/tdcall';
import { TDREPORT_LAYOUT } from '../../spec/abi/tdx-guest';
import type { Reading } from './facts';
import { tdreportProbeId } from './guest-probes';
import type { ProbeResult } from './probes';

const hex = (v: bigint): string => '0x' + v.toString(16);

/** The TD's attributes and where they were read, or why they are not known. */
export function tdAttributes(r: Reading & { probes: { results: Map<string, ProbeResult> } | null }): { value: bigint; how: string } | { unknown: string } {
  const rep = r.probes?.results.get(tdreportProbeId(0));
  if (rep?.ok && 'bytes' in rep && rep.bytes.length >= TDREPORT_LAYOUT.tdInfoAttributes + 8) {
    return { value: rep.bytes.readBigUInt64LE(TDREPORT_LAYOUT.tdInfoAttributes), how: 'TDINFO.ATTRIBUTES of a TDREPORT' };
  }
  const names = r.facts.guest?.attributes;
  if (names) {
    let v = 0n;
    for (const n of names) {
      const bit = (TD_ATTRIBUTES as Record<string, number>)[n === 'MIGRTABLE' ? 'MIGRATABLE' : n];
      if (bit === undefined) return { unknown: `the kernel's attribute line names ${n}, which this suite does not know` };
      v |= 1n << BigInt(bit);
    }
    return { value: v, how: 'the kernel\'s attribute line' };
  }
  return { unknown: 'the TD attributes are not observable here (no TDREPORT, and no attribute line in the log)' };
}

export function arrangeGuestOnReading(r: Reading & { probes: { results: Map<string, ProbeResult> } | null }, a: GuestArrangement): ArrangeResult | null {
  if (a.kind !== 'td-attributes') return null;
  const t = tdAttributes(r);
  if ('unknown' in t) return { met: false, reason: t.unknown };
  const missing = a.set & ~t.value;
  const extra = a.clear & t.value;
  if (missing === 0n && extra === 0n) return { met: true };
  const names = (bits: bigint) => Object.entries(TD_ATTRIBUTES).filter(([, b]) => ((bits >> BigInt(b)) & 1n) === 1n).map(([n]) => n).join(', ') || hex(bits);
  return { met: false, reason: `this TD's attributes are ${hex(t.value)} (${t.how}): ${missing ? `it lacks ${names(missing)}` : `it has ${names(extra)}`}` };
}
