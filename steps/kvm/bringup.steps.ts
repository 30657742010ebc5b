/** Loading kvm_intel and what KVM's TDX bring-up decided. */
import { expect } from 'chai';
import type { ErrnoName } from '../../spec/abi/errno';
import { KVM_CAPS, KVM_X86_TDX_VM } from '../../spec/encodings/kvm';
import { lineIs, messageText } from '../common/log-lines';
import { isKvmParam } from '../../backends/kvm-facet';
import type { KernelResult } from '../../backends/port';
import { Given, Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { kvm } from './td';

const LOAD = 'kvm.load';

Given(/^the kernel command line sets (kvm(?:_intel)?\.[a-z_]+)=([01])$/, function (this: TdxWorld, param: string, value: string) {
  if (!isKvmParam(param)) throw new Error(`${param} is not a KVM parameter the suite knows`);
  this.arrange({ kind: 'kvm-param', param, value: value === '1' });
});

// The premise of every scenario that builds a TD: asked for TDX, and KVM brought it up.
Given('KVM brought TDX up \\(kvm_intel.tdx=1)', function (this: TdxWorld) {
  this.arrange({ kind: 'kvm-param', param: 'kvm_intel.tdx', value: true });
  this.arrange({ kind: 'kvm-tdx-up' });
});

// A premise of the bring-up scenarios: nothing else KVM checks is off on this machine, so the
// outcome is the one the scenario's own preconditions cause.
Given('KVM has everything else TDX needs', function (this: TdxWorld) {
  const except = this.arranged.flatMap((a) => (a.kind === 'kvm-param' && !a.value ? [a.param]
    : a.kind === 'cpu-feature' && !a.present ? [a.feature] : []));
  this.arrange({ kind: 'kvm-tdx-needs', except });
});

Given('the TDX module reports MAX_VCPUS_PER_TD {int}', function (this: TdxWorld, value: number) {
  this.arrange({ kind: 'module-max-vcpus-per-td', value });
});

Given('the TDX module reports as many MAX_VCPUS_PER_TD as the platform has logical CPUs', function (this: TdxWorld) {
  const cpus = this.target.description.platform.logicalCpus;
  if (cpus === null) throw new Error('the target does not know its number of logical CPUs');
  this.arrange({ kind: 'module-max-vcpus-per-td', value: cpus });
});


Given('kvm_intel was loaded with TDX enabled', function (this: TdxWorld) {
  expect(this.observe(kvm(this).load()), 'loading kvm_intel').to.deep.equal({ ok: true });
  expect(this.observe(kvm(this).param('kvm_intel.tdx')), 'kvm_intel.tdx').to.equal('Y');
});

// A premise, not a claim: where kvm_intel did not load (a module load that failed), there is no
// KVM to ask, and the scenario is about something else.
Given('KVM is loaded', function (this: TdxWorld) {
  const r = this.observe(kvm(this).load());
  if (!r.ok) throw new SkipSignal('precondition-unmet', `KVM is not loaded on this machine (loading kvm_intel failed with ${r.errno})`);
});

When('kvm_intel is loaded', function (this: TdxWorld) {
  this.remember(LOAD, this.observe(kvm(this).load()));
});

Then('loading kvm_intel succeeds', function (this: TdxWorld) {
  expect(this.recall<KernelResult>(LOAD, 'kvm_intel load')).to.deep.equal({ ok: true });
});

Then('loading kvm_intel fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<KernelResult>(LOAD, 'kvm_intel load')).to.deep.equal({ ok: false, errno });
});

Then(/^the kvm_intel parameter tdx reads ([YN])$/, function (this: TdxWorld, value: string) {
  expect(this.observe(kvm(this).param('kvm_intel.tdx'))).to.equal(value);
});

Then('KVM_CAP_VM_TYPES offers VM type {int}', function (this: TdxWorld, type: number) {
  const types = this.observe(kvm(this).checkExtension(KVM_CAPS.KVM_CAP_VM_TYPES));
  expect((types >> BigInt(type)) & 1n, `KVM_CAP_VM_TYPES = 0x${types.toString(16)}`).to.equal(1n);
});

Then('KVM_CAP_VM_TYPES does not offer VM type {int}', function (this: TdxWorld, type: number) {
  const types = this.observe(kvm(this).checkExtension(KVM_CAPS.KVM_CAP_VM_TYPES));
  expect((types >> BigInt(type)) & 1n, `KVM_CAP_VM_TYPES = 0x${types.toString(16)}`).to.equal(0n);
});

Then('creating a VM of the TDX type fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.observe(kvm(this).createVm(KVM_X86_TDX_VM)).result).to.deep.equal({ ok: false, errno });
});

/** Lines KVM printed: kvm_intel's prefix (its module name, pr_fmt), then the wording. */
function kvmLines(w: TdxWorld, wording: string): string[] {
  return w.observe(w.host().log()).lines.filter(lineIs(`kvm_intel: ${wording}`)).map(messageText);
}

Then('KVM logs {string}', function (this: TdxWorld, wording: string) {
  expect(kvmLines(this, wording), `no line "kvm_intel: ${wording}"`).to.have.length.greaterThan(0);
});

Then('KVM logs {string}, the last number being the number of logical CPUs', function (this: TdxWorld, wording: string) {
  const topo = this.observe(this.host().topology());
  const lines = kvmLines(this, wording);
  expect(lines, `no line "kvm_intel: ${wording}"`).to.have.length(1);
  const numbers = lines[0].match(/\d+/g) ?? [];
  expect(Number(numbers[numbers.length - 1]), lines[0]).to.equal(topo.cpus);
});
