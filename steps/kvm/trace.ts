/**
 * The SEAMCALLs KVM issued, as the target traces them: When-steps mark where their action
 * starts, Then-steps look at what KVM asked the module since that mark.
 */
import { expect } from 'chai';
import type { SeamcallTraceEntry } from '../../backends/kvm-facet';
import { Then } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { kvm } from './td';

const MARK = 'kvm.trace-mark';

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
