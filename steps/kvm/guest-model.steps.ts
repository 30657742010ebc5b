/** The guest model's instructions inside a TD built through KVM, and what the user-space VMM saw. */
import { expect } from 'chai';
import type { NamedLeaf } from '../../support/guest-parameter-types';
import type { Named } from '../../support/parameter-types';
import type { GuestOutcome } from '../../backends/guest-facet';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { kvm, session } from './td';

const OUTCOME = 'kvm.guest-outcome';

Given('the user-space VMM answers port reads with {hex}', function (this: TdxWorld, data: bigint) {
  this.arrange({ kind: 'vmm-script', script: { ioInData: data } });
});

When(/^the guest kernel executes (OUT|IN) of 1 byte (?:(0x[0-9a-f]+) )?(?:to|from) port (0x[0-9a-f]+) on vCPU (\d+)$/,
  function (this: TdxWorld, mnemonic: string, data: string | null, port: string, vcpu: string) {
    const insn = { mnemonic, port: Number(port), size: 1 as const, regs: { rax: data ? BigInt(data) : 0n } };
    this.remember(OUTCOME, this.observe(kvm(this).guestExecute(session(this).vm, Number(vcpu), insn)));
  });

Then('the guest kernel emulated it with TDVMCALL<{tdvmcallLeaf}, answered {vmmstatus}', function (this: TdxWorld, leaf: NamedLeaf, status: Named) {
  const o = this.recall<GuestOutcome>(OUTCOME, 'guest instruction');
  const g = o.guest;
  expect(g?.kind, JSON.stringify(g, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).to.equal('emulated');
  if (g?.kind === 'emulated') expect(`0x${g.status.toString(16)}`, `the VMM's answer, expected ${status.name}`).to.equal(`0x${status.value.toString(16)}`);
  expect((o.tdvmcalls ?? []).map((c) => `0x${c.leaf.toString(16)}`), `TDVMCALLs made, expected ${leaf.name}`).to.include(`0x${leaf.leaf.toString(16)}`);
});

Then("the low byte of the guest's RAX is {hex}", function (this: TdxWorld, value: bigint) {
  const o = this.recall<GuestOutcome>(OUTCOME, 'guest instruction');
  expect((o.regs.rax ?? 0n) & 0xffn).to.equal(value);
});

Then(/^the last exit the user-space VMM received is an (OUT|IN) of 1 byte (?:to|from) port (0x[0-9a-f]+)(?: with data (0x[0-9a-f]+))?$/,
  function (this: TdxWorld, dir: string, port: string, data: string | null) {
    const exits = this.observe(kvm(this).vmmExits(session(this).vm));
    const e = exits[exits.length - 1];
    expect(e?.reason, 'no exit reached the user-space VMM').to.equal('KVM_EXIT_IO');
    if (e?.reason !== 'KVM_EXIT_IO') return;
    expect({ direction: e.direction, size: e.size, port: e.port, data: e.data }).to.deep.equal({
      direction: dir.toLowerCase(), size: 1, port: Number(port), data: data ? BigInt(data) : undefined,
    });
  });
