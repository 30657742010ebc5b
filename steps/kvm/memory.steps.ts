/** The test guest's memory accesses, KVM's private and shared mappings, and memory attributes. */
import { expect } from 'chai';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { expectOk, kvm, lastExit, lastRun, markPrivate, run, session, vcpuFd } from './td';
import { markTrace } from './trace';

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function access(w: TdxWorld, gpa: bigint, write: boolean): void {
  const s = session(w);
  expectOk(w.observe(kvm(w).guestDo(s.vm, vcpuFd(w, 0), { kind: 'access', gpa, write })), 'queueing the guest access');
  markTrace(w);
  run(w);
}

When(/^the guest (reads|writes) GPA (0x[0-9a-f]+)$/, function (this: TdxWorld, how: string, gpa: string) {
  access(this, BigInt(gpa), how === 'writes');
});

Given('the guest has touched GPA {hex}', function (this: TdxWorld, gpa: bigint) {
  access(this, gpa, false);
  expect(lastRun(this).exit, 'the access left the TD').to.equal(undefined);
});

When('the guest causes a TD exit with basic exit reason {int}', function (this: TdxWorld, reason: number) {
  const s = session(this);
  expectOk(this.observe(kvm(this).guestDo(s.vm, vcpuFd(this, 0), { kind: 'td-exit', exitReason: reason })), 'queueing the TD exit');
  markTrace(this);
  run(this);
});

When(/^the VMM makes GPAs (0x[0-9a-f]+) to (0x[0-9a-f]+) (private|shared)( and runs the vCPU again)?$/,
  function (this: TdxWorld, from: string, to: string, kind: string, again?: string | null) {
    markTrace(this);
    expectOk(markPrivate(this, BigInt(from), BigInt(to) - BigInt(from), kind === 'private'), 'KVM_SET_MEMORY_ATTRIBUTES');
    if (again) run(this);
  });

Then(/^kvm_run\.memory_fault reports a (?:private|shared) access \(flags (0x[0-9a-f]+)\) to GPA (0x[0-9a-f]+) of (\d+) bytes$/,
  function (this: TdxWorld, flags: string, gpa: string, size: string) {
    const e = lastExit(this, 'KVM_EXIT_MEMORY_FAULT');
    expect({ flags: hex(e.flags), gpa: hex(e.gpa), size: e.size }).to.deep.equal({ flags, gpa, size: BigInt(size) });
  });

Then('the TD maps private GPA {hex} with a 4 KiB page', function (this: TdxWorld, gpa: bigint) {
  const maps = this.observe(kvm(this).privateMappings(session(this).vm));
  const m = maps.find((x) => gpa >= x.gpa && gpa < x.gpa + x.size);
  expect(m, `no private mapping of ${hex(gpa)}`).to.not.equal(undefined);
  expect({ gpa: hex(m!.gpa), size: m!.size }).to.deep.equal({ gpa: hex(gpa), size: 4096n });
});

Then('the TD has no private mapping of GPA {hex}', function (this: TdxWorld, gpa: bigint) {
  const maps = this.observe(kvm(this).privateMappings(session(this).vm));
  expect(maps.filter((x) => gpa >= x.gpa && gpa < x.gpa + x.size)).to.deep.equal([]);
});

Then("the TD's shared EPT maps GPA {hex}", function (this: TdxWorld, gpa: bigint) {
  const maps = this.observe(kvm(this).sharedMappings(session(this).vm));
  expect(maps.map((x) => hex(x.gpa))).to.include(hex(gpa));
});

Then('every private mapping of the TD is a 4 KiB page', function (this: TdxWorld) {
  const maps = this.observe(kvm(this).privateMappings(session(this).vm));
  expect(maps.length, 'no private mapping at all').to.be.greaterThan(0);
  expect(maps.filter((m) => m.size !== 4096n).map((m) => `${hex(m.gpa)}+${hex(m.size)}`)).to.deep.equal([]);
});
