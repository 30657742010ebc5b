/** Instructions in a TD: what the module did, what the guest kernel did, registers and TDVMCALLs. */
import { expect } from 'chai';
import type { GuestContext, GuestInstruction, GuestMode } from '../../backends/guest-facet';
import type { Reg } from '../../backends/port';
import type { ExpectedReaction, NamedLeaf } from '../../support/guest-parameter-types';
import type { Named } from '../../support/parameter-types';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { guest, hex, lastRequest, moduleReaction, oneTdvmcall, rememberRequest, tdvmcalls } from './guest-world';

/** Operands an instruction needs when a scenario does not name them. */
function withDefaults(insn: GuestInstruction): GuestInstruction {
  const m = insn.mnemonic;
  if (['IN', 'OUT', 'INS', 'OUTS'].includes(m)) return { port: 0x70, size: 1, ...insn };
  if (m === 'CPUID') return { regs: { rax: 0x40000000n, rcx: 0n }, ...insn };
  return insn;
}

function run(w: TdxWorld, insn: GuestInstruction): void {
  const o = w.observe(guest(w).execute(0, withDefaults(insn)));
  rememberRequest(w, o);
}

const who = (s: string): GuestMode => (s === 'a user-space task' ? 'user' : 'kernel');

When(/^(the guest kernel|a user-space task) executes ([A-Z][A-Z0-9]{1,9})$/, function (this: TdxWorld, actor: string, mnemonic: string) {
  run(this, { mnemonic, mode: who(actor) });
});

When('the guest kernel executes HLT with interrupts {word}', function (this: TdxWorld, state: string) {
  if (state !== 'enabled' && state !== 'disabled') throw new Error(`interrupts are enabled or disabled, not ${state}`);
  run(this, { mnemonic: 'HLT', interruptsEnabled: state === 'enabled' });
});

When('the guest kernel executes {mnemonic} inside its #VE handler {word} reading the #VE information', function (this: TdxWorld, mnemonic: string, when: string) {
  const context: GuestContext = when === 'before' ? 've-handler-before-veinfo' : when === 'after' ? 've-handler-after-veinfo' : 'normal';
  if (context === 'normal') throw new Error(`"${when}": say before or after`);
  run(this, { mnemonic, context });
});

When('the guest kernel executes IN of {int} byte(s) from port {hex} with RAX = {hex}', function (this: TdxWorld, size: number, port: bigint, rax: bigint) {
  run(this, { mnemonic: 'IN', size: size as 1, port: Number(port), regs: { rax } });
  this.remember('guest.rax-before', rax);
});

When('the guest kernel executes OUT of {int} byte(s) to port {hex} with RAX = {hex}', function (this: TdxWorld, size: number, port: bigint, rax: bigint) {
  run(this, { mnemonic: 'OUT', size: size as 1, port: Number(port), regs: { rax } });
});

When(/^(the guest kernel|a user-space task) executes CPUID leaf (0x[0-9a-fA-F]+) subleaf (\d+)$/, function (this: TdxWorld, actor: string, leaf: string, subleaf: string) {
  const r = this.observe(guest(this).cpuid(0, Number(BigInt(leaf)), Number(subleaf), who(actor)));
  this.remember('guest.cpuid-mode', who(actor));
  rememberRequest(this, {
    module: r.module, guest: r.guest, tdvmcalls: r.tdvmcalls,
    regs: { rax: BigInt(r.eax), rbx: BigInt(r.ebx), rcx: BigInt(r.ecx), rdx: BigInt(r.edx) },
  });
});

Then('the TDX module raised #VE with exit reason {exitreason}', function (this: TdxWorld, reason: number) {
  const m = moduleReaction(this);
  expect(m.kind, JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? hex(v) : v))).to.equal('ve');
  if (m.kind === 've') expect(m.exitReason, 'exit reason').to.equal(reason);
});

Then('the TDX module raised #GP', function (this: TdxWorld) {
  expect(moduleReaction(this).kind).to.equal('gp');
});

// "the TD got #UD": where it comes from (the module's injection, or the CPU's own for ENCLU) does not matter.
Then(/^the (?:TDX module raised|TD got) #UD$/, function (this: TdxWorld) {
  expect(moduleReaction(this).kind).to.equal('ud');
});

Then('the TDX module raised #DF', function (this: TdxWorld) {
  expect(moduleReaction(this).kind).to.equal('df');
});

Then('the TDX module handled it without a #VE', function (this: TdxWorld) {
  expect(moduleReaction(this).kind).to.equal('native');
});

Then('the instruction ran natively', function (this: TdxWorld) {
  expect(moduleReaction(this).kind).to.equal('native');
  expect(lastRequest(this).guest?.kind).to.equal('none');
});

Then('the guest kernel {guestreaction}', function (this: TdxWorld, want: ExpectedReaction) {
  const got = lastRequest(this).guest;
  if (!got) throw new SkipSignal('cannot-observe', 'the target does not see what the guest kernel did with this request');
  expect(got!.kind, JSON.stringify(got, (_k, v) => (typeof v === 'bigint' ? hex(v) : v))).to.equal(want.kind);
  if (want.tdvmcall) {
    // Which TDVMCALL: by the leaf number the guest put in R11, as the feature states it.
    const leaves = tdvmcalls(this).map((c) => hex(c.leaf));
    expect(leaves, `TDVMCALLs made, expected ${want.tdvmcall.name}`).to.include(hex(want.tdvmcall.leaf));
  }
  if (want.message !== undefined && (got!.kind === 'oops' || got!.kind === 'panic')) expect(got!.message).to.equal(want.message);
});

Then('the guest kernel panicked', function (this: TdxWorld) {
  expect(lastRequest(this).guest?.kind).to.equal('panic');
});

/** The last TDVMCALL with this leaf number in R11. */
function callWithLeaf(w: TdxWorld, l: NamedLeaf) {
  const calls = tdvmcalls(w).filter((c) => c.leaf === l.leaf);
  expect(calls.length, `TDVMCALLs made: ${tdvmcalls(w).map((c) => hex(c.leaf)).join(', ') || 'none'}, expected ${l.name}`).to.be.greaterThan(0);
  return calls[calls.length - 1];
}

Then('the guest asked the VMM with TDVMCALL<{tdvmcallLeaf} and {regvalues}', function (this: TdxWorld, leaf: NamedLeaf, want: Partial<Record<Reg, bigint>>) {
  const call = callWithLeaf(this, leaf);
  const got: Partial<Record<Reg, string>> = {};
  for (const r of Object.keys(want) as Reg[]) got[r] = hex(call.in[r] ?? 0n);
  const expected = Object.fromEntries(Object.entries(want).map(([r, v]) => [r, hex(v as bigint)]));
  expect(got).to.deep.equal(expected);
});

Then('the guest did not ask the VMM with TDVMCALL<{tdvmcallLeaf}', function (this: TdxWorld, leaf: NamedLeaf) {
  expect(tdvmcalls(this).map((c) => hex(c.leaf)), `expected no ${leaf.name}`).to.not.include(hex(leaf.leaf));
});

Then('RAX holds the VMM\'s answer in its low {int} byte(s) and the rest of the old value', function (this: TdxWorld, size: number) {
  const call = oneTdvmcall(this, 'Instruction.IO');
  const mask = (1n << BigInt(8 * size)) - 1n;
  const before = this.recall<bigint>('guest.rax-before', 'RAX before');
  const want = (before & ~mask) | ((call.out.r11 ?? 0n) & mask);
  expect(hex(lastRequest(this).regs?.rax ?? 0n)).to.equal(hex(want));
});

Then('RAX is {hex}', function (this: TdxWorld, v: bigint) {
  expect(hex(lastRequest(this).regs?.rax ?? 0n)).to.equal(hex(v));
});

Then('{cpureg} is {hex}', function (this: TdxWorld, reg: 'eax' | 'ebx' | 'ecx' | 'edx', v: bigint) {
  const r = lastRequest(this).regs?.[`r${reg.slice(1)}` as Reg] ?? 0n;
  expect(hex(r)).to.equal(hex(v));
});

Then('{cpureg} bit {int} is {word}', function (this: TdxWorld, reg: 'eax' | 'ebx' | 'ecx' | 'edx', bit: number, state: string) {
  if (state !== 'set' && state !== 'clear') throw new Error(`a bit is set or clear, not ${state}`);
  const r = lastRequest(this).regs?.[`r${reg.slice(1)}` as Reg] ?? 0n;
  expect(((r >> BigInt(bit)) & 1n) === 1n ? 'set' : 'clear', `${reg.toUpperCase()} = ${hex(r)}`).to.equal(state);
});

Then('EAX, EBX, ECX and EDX are what the VMM answered in R12 to R15', function (this: TdxWorld) {
  const call = oneTdvmcall(this, 'Instruction.CPUID');
  const regs = lastRequest(this).regs ?? {};
  const m = 0xffffffffn;
  expect([regs.rax, regs.rbx, regs.rcx, regs.rdx].map((v) => hex(v ?? 0n)))
    .to.deep.equal([call.out.r12, call.out.r13, call.out.r14, call.out.r15].map((v) => hex((v ?? 0n) & m)));
});

const cpuidRegs = (r: Partial<Record<Reg, bigint>>): string[] => [r.rax, r.rbx, r.rcx, r.rdx].map((v) => hex((v ?? 0n) & 0xffffffffn));

Then('EAX, EBX, ECX and EDX are not all zero', function (this: TdxWorld) {
  const r = lastRequest(this).regs ?? {};
  expect([r.rax, r.rbx, r.rcx, r.rdx].some((v) => ((v ?? 0n) & 0xffffffffn) !== 0n), `EAX..EDX = ${cpuidRegs(r).join(' ')}`).to.equal(true);
});

Then('EAX, EBX, ECX and EDX equal those of CPUID leaf {hex} subleaf {int}', function (this: TdxWorld, leaf: bigint, subleaf: number) {
  const first = cpuidRegs(lastRequest(this).regs ?? {});
  const mode = this.recall<GuestMode>('guest.cpuid-mode', 'CPUID');
  const o = this.observe(guest(this).cpuid(0, Number(leaf), subleaf, mode));
  expect(first).to.deep.equal([o.eax, o.ebx, o.ecx, o.edx].map((v) => hex(v >>> 0)));
});

Then(/^EAX bits 15:8 are (\d+) if CPUID leaf (0x[0-9a-f]+) subleaf (\d+) (EAX|EBX|ECX|EDX) bit (\d+) is set, and (\d+) otherwise$/,
  function (this: TdxWorld, yes: string, leaf: string, subleaf: string, reg: string, bit: string, no: string) {
    const eax = (lastRequest(this).regs?.rax ?? 0n) & 0xffffffffn;
    const mode = this.recall<GuestMode>('guest.cpuid-mode', 'CPUID');
    const o = this.observe(guest(this).cpuid(0, Number(leaf), Number(subleaf), mode));
    const word = o[reg.toLowerCase() as 'eax' | 'ebx' | 'ecx' | 'edx'] >>> 0;
    const on = ((word >>> Number(bit)) & 1) === 1;
    expect(Number((eax >> 8n) & 0xffn), `EAX = ${hex(eax)}; CPUID ${leaf}.${subleaf} ${reg} = 0x${word.toString(16)} (bit ${bit} ${on ? 'set' : 'clear'})`)
      .to.equal(Number(on ? yes : no));
  });

Then('EAX is {hex} if the guest\'s TD_CTLS line lists {word}, and {hex} otherwise', function (this: TdxWorld, yes: bigint, ctl: string, no: bigint) {
  const line = this.observe(guest(this).log()).events.filter((e) => e.id === 'guest-td-ctls').pop();
  if (!line) throw new SkipSignal('cannot-observe', 'the guest log has no TD_CTLS line');
  const listed = String(line.values[0] ?? '').trim().split(/\s+/).includes(ctl);
  const eax = (lastRequest(this).regs?.rax ?? 0n) & 0xffffffffn;
  expect(hex(eax), `${line.text}`).to.equal(hex(listed ? yes : no));
});

Then('EAX bit {int} is set if the guest\'s TD_CTLS line lists {word}, and EAX, EBX, ECX and EDX are zero otherwise', function (this: TdxWorld, bit: number, ctl: string) {
  const line = this.observe(guest(this).log()).events.filter((e) => e.id === 'guest-td-ctls').pop();
  if (!line) throw new SkipSignal('cannot-observe', 'the guest log has no TD_CTLS line');
  const listed = String(line.values[0] ?? '').trim().split(/\s+/).includes(ctl);
  const r = lastRequest(this).regs ?? {};
  if (listed) expect(((r.rax ?? 0n) >> BigInt(bit)) & 1n, `${line.text}; EAX = ${hex(r.rax ?? 0n)}`).to.equal(1n);
  else expect(cpuidRegs(r), line.text).to.deep.equal(['0x0', '0x0', '0x0', '0x0']);
});

Then('EBX, EDX and ECX read {string}', function (this: TdxWorld, text: string) {
  const regs = lastRequest(this).regs ?? {};
  const le = (v: bigint | undefined) => Buffer.from([0, 8, 16, 24].map((s) => Number(((v ?? 0n) >> BigInt(s)) & 0xffn))).toString('latin1');
  expect(le(regs.rbx) + le(regs.rdx) + le(regs.rcx)).to.equal(text);
});

const TDCALL = 'guest.tdcall';

/** A TDCALL from the guest kernel, by the number in RAX (the leaf the number names is the module's business). */
When(/^the guest kernel issues TDCALL with RAX = (0x[0-9a-f]+) and (no operands|.+)$/, function (this: TdxWorld, rax: string, regs: string) {
  const given: Partial<Record<Reg, bigint>> = {};
  for (const part of (regs === 'no operands' ? '' : regs).split(', ').filter(Boolean)) {
    const m = /^(R[A-Z0-9]+) = (0x[0-9a-f]+)$/.exec(part);
    if (!m) throw new Error(`cannot read "${part}" (expected e.g. RDX = 0x1)`);
    given[m[1].toLowerCase() as Reg] = BigInt(m[2]);
  }
  this.remember(TDCALL, this.observe(guest(this).tdcall(0, BigInt(rax), given)));
});

Then(/^the TDCALL completes with (TDX_[A-Z0-9_]+ \(0x[0-9a-fA-F]+\))(?: and (R[A-Z0-9]+) = (0x[0-9a-f]+))?$/, function (this: TdxWorld, st: Named, reg?: string | null, value?: string | null) {
  const r = this.recall<{ status: bigint; out: Partial<Record<Reg, bigint>> }>(TDCALL, 'TDCALL');
  expect(hex(r.status), `expected ${st.name}`).to.equal(hex(st.value));
  if (reg && value) expect(hex(r.out[reg.toLowerCase() as Reg] ?? 0n), reg).to.equal(value);
});
