/**
 * Helpers the guest steps share: the guest facet (or a skip when the target has none), the
 * records of the last request, and small readers of those records. No step definitions here.
 */
import { expect } from 'chai';
import type { GuestFacet } from '../../backends/port';
import type { GuestOutcome, ModuleReaction, TdvmcallRecord } from '../../backends/guest-facet';
import type { TdvmcallLeaf } from '../../spec/encodings/tdvmcall';
import { SkipSignal, type TdxWorld } from '../../support/world';

export function guest(w: TdxWorld): GuestFacet {
  const g = w.target.guest;
  if (!g) throw new SkipSignal('cannot-observe', 'target has no TD guest facet');
  return g;
}

/** The last request's outcome, in the form every guest request can report. */
export interface LastRequest {
  module?: ModuleReaction;
  guest?: GuestOutcome['guest'];
  regs?: GuestOutcome['regs'];
  tdvmcalls?: TdvmcallRecord[];
  /** Kernel log messages printed while the request was handled. */
  events?: GuestOutcome['events'];
  /** The kernel log lines printed while the request was handled, where the target keeps them. */
  log?: string[];
}

export const LAST = 'guest.last';

export function rememberRequest(w: TdxWorld, r: LastRequest): void {
  w.remember(LAST, r);
  w.evidence('guest request', r);
}

export function lastRequest(w: TdxWorld): LastRequest {
  return w.recall<LastRequest>(LAST, 'guest request');
}

/** The module's reaction, or a skip where the target cannot see it (a real TD). */
export function moduleReaction(w: TdxWorld): ModuleReaction {
  const m = lastRequest(w).module;
  if (!m) throw new SkipSignal('cannot-observe', "the target does not see the TDX module's reaction to guest instructions");
  return m;
}

export function tdvmcalls(w: TdxWorld): TdvmcallRecord[] {
  const t = lastRequest(w).tdvmcalls;
  if (!t) throw new SkipSignal('cannot-observe', 'the target does not see the TDVMCALLs of the guest kernel');
  return t;
}

export function tdvmcallsOf(w: TdxWorld, leaf: TdvmcallLeaf): TdvmcallRecord[] {
  return tdvmcalls(w).filter((c) => c.name === leaf);
}

export function oneTdvmcall(w: TdxWorld, leaf: TdvmcallLeaf): TdvmcallRecord {
  const calls = tdvmcallsOf(w, leaf);
  expect(calls.map((c) => c.name), `TDVMCALLs made: ${tdvmcalls(w).map((c) => c.name).join(', ') || 'none'}`).to.include(leaf);
  return calls[calls.length - 1];
}

export const hex = (v: bigint | number): string => `0x${v.toString(16)}`;
