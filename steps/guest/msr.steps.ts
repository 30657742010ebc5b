/** RDMSR/WRMSR in a TD, as the msr driver issues them. */
import { expect } from 'chai';
import type { MsrAccess } from '../../backends/guest-facet';
import { Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { guest, hex, moduleReaction, oneTdvmcall, rememberRequest } from './guest-world';

const MSR = 'guest.msr';

function remember(w: TdxWorld, a: MsrAccess, write: boolean): void {
  w.remember(MSR, { ...a, write });
  rememberRequest(w, { module: a.module, guest: a.guest, tdvmcalls: a.tdvmcalls });
}

When('the guest kernel reads MSR {hex}', function (this: TdxWorld, msr: bigint) {
  remember(this, this.observe(guest(this).rdmsr(0, Number(msr))), false);
});

When('the guest kernel writes {hex} to MSR {hex}', function (this: TdxWorld, value: bigint, msr: bigint) {
  remember(this, this.observe(guest(this).wrmsr(0, Number(msr), value)), true);
});

function access(w: TdxWorld): MsrAccess & { write: boolean } {
  return w.recall<MsrAccess & { write: boolean }>(MSR, 'MSR access');
}

/**
 * The category, and for a #VE the exit reason the feature gives: "raises #VE with exit reason 31 (MSR_READ)".
 * "is not intercepted": the module lets the access through to the CPU; whether the CPU then faults
 * (a write-only MSR read, say) is not the module's, so only the module's reaction is checked.
 */
Then(/^the MSR access (just works|is not intercepted|raises #VE with exit reason \d+ \([A-Z_]+\)|raises #GP)$/, function (this: TdxWorld, category: string) {
  const reason = /exit reason (\d+)/.exec(category)?.[1];
  const a = access(this);
  const m = moduleReaction(this);
  const passed = category === 'is not intercepted' ? 'is not intercepted' : 'just works';
  const seen = m.kind === 've' ? 'raises #VE' : m.kind === 'gp' ? 'raises #GP' : m.kind === 'native' ? passed : m.kind;
  expect(seen, JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? hex(v) : v))).to.equal(category.replace(/ with exit reason .*/, ''));
  if (m.kind === 've' && reason) expect(m.exitReason, `exit reason of the #VE on ${a.write ? 'WRMSR' : 'RDMSR'}`).to.equal(Number(reason));
  if (category === 'just works') expect(a.faulted, 'the access faulted').to.equal(false);
  if (category === 'raises #GP') expect(a.faulted, 'the msr driver saw no fault').to.equal(true);
});

Then(/^the msr driver (read a value|failed with EIO)$/, function (this: TdxWorld, result: string) {
  const a = access(this);
  const seen = a.faulted ? 'failed with EIO' : 'read a value';
  expect(seen, a.faulted ? 'the read faulted' : `value ${hex(a.value ?? 0n)}`).to.equal(result);
});

Then('the MSR value is what the VMM answered in R11', function (this: TdxWorld) {
  const call = oneTdvmcall(this, 'Instruction.RDMSR');
  expect(hex(access(this).value ?? -1n)).to.equal(hex(call.out.r11 ?? 0n));
});

Then('the MSR access failed', function (this: TdxWorld) {
  expect(access(this).faulted).to.equal(true);
});
