/** Guest eras by kernel release, undecided eras of stable and distribution kernels, and the guest's kernel deciding @guest scenarios. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assumedMainlineFlavour, eraOf, flavourOfRelease } from '../../spec/kernel/flavours';
import { wordingOf } from '../../spec/kernel/dialects';
import { decide } from '../../support/applicability';
import { emulatorFactory } from '../../backends/emulator/target';

test('releases fall into the guest eras the audit found: SEPT #VE by TD_CTLS from v6.13, REDUCE_VE from v6.14, HLT refused from v6.15', () => {
  const eras = (rel: string) => flavourOfRelease(rel)!.eras;
  assert.equal(flavourOfRelease('6.12')!.name, 'mainline-6.8');
  assert.deepEqual([eras('6.12')['guest-sept-ve'], eras('6.12')['guest-reduce-ve']], ['attribute', 'none']);
  assert.deepEqual([eras('6.13.4')['guest-sept-ve'], eras('6.13.4')['guest-reduce-ve']], ['td-ctls', 'topology-only']);
  assert.deepEqual([eras('6.14.2')['guest-reduce-ve'], eras('6.14.2')['guest-hlt']], ['reduce-ve', 'irq-flag']);
  assert.equal(eras('6.15.1')['guest-hlt'], 'refuse-irqs-on');
  assert.deepEqual([eras('6.16.3')['guest-driver'], eras('6.16.3')['guest-hlt']], ['measurements', 'refuse-irqs-on']);
});

test('a stable 6.12.y kernel may carry the SEPT #VE backport: that era (and that wording) is undecided, the host eras are not', () => {
  const f = flavourOfRelease('6.12.9')!;
  assert.equal(f.name, 'stable-6.12');
  assert.ok('undecided' in eraOf(f, 'guest-sept-ve'));
  assert.deepEqual(eraOf(f, 'metadata'), { value: '16bit-only' });
  assert.ok('undecided' in wordingOf(f, 'guest-sept-ve-misconfig'));
  assert.equal(assumedMainlineFlavour('6.12.9-custom')?.name, 'stable-6.12');
});

test('an undecided era skips its scenarios as not observable, with the reason', () => {
  const d = { ...emulatorFactory().description, kernel: { release: '6.12.9', flavour: 'stable-6.12' } };
  delete (d as { guest?: unknown }).guest;
  const r = decide(['@guest', '@era:guest-sept-ve=attribute'], { description: d, capabilities: new Set(), allowDestructive: false });
  assert.equal(r.runs, false);
  if (!r.runs) {
    assert.equal(r.kind, 'cannot-observe');
    assert.match(r.reason, /undecided: stable kernels from December 2024/);
  }
});

test('guest scenarios are decided on the TD\'s kernel, host scenarios on the host\'s', () => {
  const d = { ...emulatorFactory('spr-2s-mainline-6.16').description };
  assert.equal(d.guest?.kernel.flavour, 'mainline-6.13');
  const ctx = { description: d, capabilities: new Set<never>(), allowDestructive: false };
  assert.equal(decide(['@guest', '@era:guest-reduce-ve=topology-only'], ctx).runs, true);
  assert.equal(decide(['@host', '@era:guest-reduce-ve=topology-only'], ctx).runs, false);
  assert.equal(decide(['@host', '@era:kvm-tdx=mainline'], ctx).runs, true);
});
