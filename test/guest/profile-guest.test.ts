/** The guest section of a profile: defaults, and errors that name the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProfile } from '../../backends/emulator/profile';
import { attributeBit } from '../../spec/abi/tdcall';
import { expectProfileError, profileYaml } from '../support/profile-yaml';

const GOOD = profileYaml('good');


test('without a guest section the TD runs the host\'s kernel, with SEPT_VE_DISABLE, 48-bit GPAs and no drivers', () => {
  const g = parseProfile(GOOD, '/x/good.yaml').guest;
  assert.equal(g.kernel.flavour.name, 'mainline-6.18');
  assert.equal(g.kernel.release, '6.18.2');
  assert.equal(g.attributes, attributeBit('SEPT_VE_DISABLE'));
  assert.deepEqual([g.tdCtls, g.gpaWidth, g.flexiblePendingVe, g.topologyConfigured, g.quoteService], [0n, 48, false, null, true]);
  assert.deepEqual(g.userspace, { msrDriver: false, cpuidDriver: false });
});

test('a guest section sets the TD\'s kernel, configuration and user space', () => {
  const g = parseProfile(`${GOOD}guest:
  kernel: { flavour: mainline-6.13, release: 6.13.5 }
  attributes: '0x1'
  tdCtls: '0x1'
  gpaWidth: 52
  flexiblePendingVe: true
  userspace: { msrDriver: true }
  quoteService: false
`, '/x/good.yaml').guest;
  assert.equal(g.kernel.flavour.name, 'mainline-6.13');
  assert.deepEqual([g.attributes, g.tdCtls, g.gpaWidth, g.flexiblePendingVe, g.quoteService], [1n, 1n, 52, true, false]);
  assert.deepEqual(g.userspace, { msrDriver: true, cpuidDriver: false });
});

test('errors in the guest section name the field and what is allowed', () => {
  expectProfileError(`${GOOD}guest:\n  kernel: { flavour: mainline-9.9, release: 9.9 }\n`, /^guest\.kernel\.flavour$/, /must be one of: .*mainline-6\.13/);
  expectProfileError(`${GOOD}guest:\n  gpaWidth: 50\n`, /^guest\.gpaWidth$/, /must be one of: 48, 52/);
  expectProfileError(`${GOOD}guest:\n  attributes: 0x1\n`, /^guest\.attributes$/, /must be string/);
  expectProfileError(`${GOOD}guest:\n  attributes: '0x2'\n`, /^guest\.attributes$/, /does not allow TD attributes 0x2/);
  expectProfileError(`${GOOD}guest:\n  tdCtls: '0x8'\n`, /^guest\.tdCtls$/, /does not implement TD_CTLS bits 0x8/);
  expectProfileError(`${GOOD}guest:\n  drivers: {}\n`, /^guest\.drivers$/, /not a known field/);
});
