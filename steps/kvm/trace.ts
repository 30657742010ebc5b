/**
 * The SEAMCALLs KVM issued, as the target traces them: When-steps mark where their action
 * starts, Then-steps look at what KVM asked the module since that mark.
 */
import { expect } from 'chai';
import type { SeamcallTraceEntry } from '../../backends/kvm-facet';
import { Then } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { kvm } from './td';

const MARK = 'kvm.trace-mark';
const EPT_EXIT = 'kvm.ept-exit';

/** Remember where the trace stands before an action (targets without a trace: nothing to mark). */
export function markTrace(w: TdxWorld): void {
  const t = w.target.kvm?.seamcallTrace();
  if (Array.isArray(t)) w.remember(MARK, t.length);
}

/** SEAMCALLs since the last mark. */
export function traceSinceMark(w: TdxWorld): SeamcallTraceEntry[] {
  const all = w.observe(kvm(w).seamcallTrace());
  return all.slice(w.scratch.has(MARK) ? (w.scratch.get(MARK) as number) : 0);
}

export const leavesOf = (t: SeamcallTraceEntry[]): string => t.map((e) => e.leaf).join(', ');

Then('KVM issued {leaf} {int} times', function (this: TdxWorld, leaf: string, n: number) {
  expect(traceSinceMark(this).filter((e) => e.leaf === leaf).length).to.equal(n);
});

Then('KVM issued no SEAMCALL', function (this: TdxWorld) {
  expect(leavesOf(traceSinceMark(this))).to.equal('');
});

Then(/^KVM issued, in this order: ((?:TDH[.A-Z0-9]+(?:, )?)+)$/, function (this: TdxWorld, list: string) {
  expect(leavesOf(traceSinceMark(this))).to.equal(list);
});

Then('every SEAMCALL KVM issued succeeded', function (this: TdxWorld) {
  const failed = traceSinceMark(this).filter((e) => e.status !== 0n).map((e) => `${e.leaf}: 0x${e.status.toString(16)}`);
  expect(failed).to.deep.equal([]);
});

/** The TDH.VP.ENTER since the mark that returned an EPT-violation exit (by the basic exit reason in bits 15:0) for this GPA. */
function eptExit(w: TdxWorld, reason: number, gpa: bigint): SeamcallTraceEntry {
  const enters = traceSinceMark(w).filter((e) => e.leaf === 'TDH.VP.ENTER');
  const hit = enters.find((e) => Number(e.status & 0xffffn) === reason && e.out?.r8 === gpa);
  if (!hit && enters.length > 0 && enters.every((e) => e.out === undefined)) {
    throw new SkipSignal('cannot-observe', 'the target traces no output registers of TDH.VP.ENTER');
  }
  expect(hit, `TDH.VP.ENTER exits: ${enters.map((e) => `0x${e.status.toString(16)} r8=0x${(e.out?.r8 ?? 0n).toString(16)}`).join(', ')}`).to.not.equal(undefined);
  return hit!;
}

Then(/^a TDH\.VP\.ENTER KVM issued returned exit reason (\d+) \(\w+\) with GPA (0x[0-9a-f]+) in R8$/, function (this: TdxWorld, reason: string, gpa: string) {
  this.remember(EPT_EXIT, eptExit(this, Number(reason), BigInt(gpa)));
});

Then(/^the exit qualification in its RCX has bit (\d+) set and bits? ((?:\d+(?:, )?)+) clear$/, function (this: TdxWorld, set: string, clear: string) {
  const q = this.recall<SeamcallTraceEntry>(EPT_EXIT, 'the TDH.VP.ENTER of the exit').out?.rcx ?? 0n;
  const bit = (n: number): string => (((q >> BigInt(n)) & 1n) === 1n ? 'set' : 'clear');
  const want: Record<string, string> = { [set]: 'set' };
  for (const c of clear.split(', ')) want[c] = 'clear';
  const got: Record<string, string> = {};
  for (const k of Object.keys(want)) got[k] = bit(Number(k));
  expect(got, `exit qualification 0x${q.toString(16)}`).to.deep.equal(want);
});
