/** What a kernel says about TDX on a machine without it. */
import { expect } from 'chai';
import { MESSAGES, type MessageId } from '../../spec/kernel/printk';
import type { KernelLog } from '../../backends/host-facet';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';

/** The TDX host messages of a log that is known to be whole: absence is concluded only from those. */
function hostMessages(w: TdxWorld): KernelLog['events'] {
  const log = w.observe(w.host().log());
  if (!log.complete) throw new SkipSignal('cannot-observe', 'the kernel log is cut, so the absence of TDX messages cannot be concluded');
  return log.events.filter((e) => MESSAGES[e.id].subsystem === 'tdx-host');
}

Then('the kernel log has no TDX host message', function (this: TdxWorld) {
  expect(hostMessages(this).map((e) => e.text), 'TDX host messages in the kernel log').to.deep.equal([]);
});

Then('every TDX host message in the kernel log says {logmsg}', function (this: TdxWorld, id: MessageId) {
  const others = hostMessages(this).filter((e) => e.id !== id).map((e) => e.text);
  expect(others, `TDX host messages other than "${id}"`).to.deep.equal([]);
});

When(/^a VMM opens \/dev\/kvm$/, function (this: TdxWorld) {
  const kvm = this.target.kvm;
  if (!kvm) throw new SkipSignal('cannot-observe', 'target has no KVM facet');
  // On the emulator this loads kvm_intel; on a real machine it observes that KVM is there.
  expect(this.observe(kvm.load()), 'KVM').to.deep.equal({ ok: true });
});
