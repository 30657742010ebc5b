/** A machine without TDX: what a VMM finds in KVM. (What its kernel says is in log.steps.ts.) */
import { expect } from 'chai';
import { When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';

When(/^a VMM opens \/dev\/kvm$/, function (this: TdxWorld) {
  const kvm = this.target.kvm;
  if (!kvm) throw new SkipSignal('cannot-observe', 'target has no KVM facet');
  // On the emulator this loads kvm_intel; on a real machine it observes that KVM is there.
  expect(this.observe(kvm.load()), 'KVM').to.deep.equal({ ok: true });
});
