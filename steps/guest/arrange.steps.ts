/** Given-steps of the guest: the TD a scenario needs and what its VMM does. */
import type { TdcallLeaf } from '../../spec/abi/tdcall';
import { isTdvmcallLeaf, TDVMCALL_LEAVES, type TdvmcallLeaf } from '../../spec/encodings/tdvmcall';
import type { NamedBit } from '../../support/guest-parameter-types';
import type { Named } from '../../support/parameter-types';
import type { VmmAnswer } from '../../backends/guest-facet';
import { Given } from '../../support/dsl';
import { guest } from './guest-world';
import { SkipSignal, type TdxWorld } from '../../support/world';

function tdGuest(w: TdxWorld): void {
  w.arrange({ kind: 'td-guest' });
}

Given('a TD guest', function (this: TdxWorld) {
  tdGuest(this);
});

const bit = (b: NamedBit): bigint => 1n << BigInt(b.bit);

Given('a TD guest with the {tdattr} attribute', function (this: TdxWorld, a: NamedBit) {
  tdGuest(this);
  this.arrange({ kind: 'td-attributes', set: bit(a), clear: 0n });
});

Given('a TD guest with exactly the {tdattr} and {tdattr} attributes', function (this: TdxWorld, a: NamedBit, b: NamedBit) {
  tdGuest(this);
  const set = bit(a) | bit(b);
  this.arrange({ kind: 'td-attributes', set, clear: ((1n << 64n) - 1n) & ~set });
});

Given('a TD guest without the {tdattr} attribute', function (this: TdxWorld, a: NamedBit) {
  tdGuest(this);
  this.arrange({ kind: 'td-attributes', set: 0n, clear: bit(a) });
});

Given('a TD guest with the {tdattr} attribute but without the {tdattr} attribute', function (this: TdxWorld, a: NamedBit, b: NamedBit) {
  tdGuest(this);
  this.arrange({ kind: 'td-attributes', set: bit(a), clear: bit(b) });
});

Given('a TD guest without the {tdattr} and {tdattr} attributes', function (this: TdxWorld, a: NamedBit, b: NamedBit) {
  tdGuest(this);
  this.arrange({ kind: 'td-attributes', set: 0n, clear: bit(a) | bit(b) });
});

Given('a TD guest with a {int}-bit GPA width', function (this: TdxWorld, bits: number) {
  if (bits !== 48 && bits !== 52) throw new Error(`a TD's GPA width is 48 or 52, not ${bits}`);
  tdGuest(this);
  this.arrange({ kind: 'gpa-width', bits });
});

Given('the VMM lets the TD control pending #VEs', function (this: TdxWorld) {
  this.arrange({ kind: 'td-flexible-pending-ve', enabled: true });
});

Given('the VMM does not let the TD control pending #VEs', function (this: TdxWorld) {
  this.arrange({ kind: 'td-flexible-pending-ve', enabled: false });
});

Given('the TD starts with TD_CTLS.{tdctl} already set', function (this: TdxWorld, b: NamedBit) {
  this.arrange({ kind: 'td-ctls-preset', bits: bit(b) });
});

Given('a TD guest whose VMM did not configure the x2APIC IDs', function (this: TdxWorld) {
  tdGuest(this);
  this.arrange({ kind: 'td-topology-configured', configured: false });
});

function vmmCpuid(w: TdxWorld, leaf: bigint, subleaf: number, reg: 'eax' | 'ebx' | 'ecx' | 'edx', value: bigint): void {
  w.arrange({ kind: 'vmm-cpuid', leaf: Number(leaf), subleaf, reg, value: Number(value) });
}

Given('a TD guest whose VMM configures CPUID leaf {hex} {cpureg} as {hex}', function (this: TdxWorld, leaf: bigint, reg: 'eax', value: bigint) {
  tdGuest(this);
  vmmCpuid(this, leaf, -1, reg, value);
});

Given('a TD guest whose VMM configures CPUID leaf {hex} subleaf {int} {cpureg} as {hex}',
  function (this: TdxWorld, leaf: bigint, subleaf: number, reg: 'eax', value: bigint) {
    tdGuest(this);
    vmmCpuid(this, leaf, subleaf, reg, value);
  });

Given('the VMM configures CPUID leaf {hex} subleaf {int} {cpureg} as {hex}',
  function (this: TdxWorld, leaf: bigint, subleaf: number, reg: 'eax', value: bigint) {
    vmmCpuid(this, leaf, subleaf, reg, value);
  });

Given('a TD guest on a host CPU without CPUID leaf {hex} subleaf {int} {cpureg} bit {int}',
  function (this: TdxWorld, leaf: bigint, subleaf: number, reg: 'eax', bit: number) {
    tdGuest(this);
    this.arrange({ kind: 'host-cpuid-lacks', leaf: Number(leaf), subleaf, reg, bits: 2 ** bit });
  });

Given('a TD guest on a host CPU without CPUID leaf {hex} {cpureg} bit {int}', function (this: TdxWorld, leaf: bigint, reg: 'eax', bit: number) {
  tdGuest(this);
  this.arrange({ kind: 'host-cpuid-lacks', leaf: Number(leaf), subleaf: -1, reg, bits: 2 ** bit });
});

function answers(w: TdxWorld, leaf: TdvmcallLeaf, list: VmmAnswer[]): void {
  tdGuest(w);
  w.arrange({ kind: 'vmm-answers', leaf, answers: list });
}

Given('a TD guest whose VMM answers TDVMCALL<{word}> with {vmmstatus}', function (this: TdxWorld, leaf: string, st: Named) {
  const name = leaf.replace(/>$/, '');
  if (!isTdvmcallLeaf(name)) throw new Error(`unknown TDVMCALL ${name}; known: ${Object.keys(TDVMCALL_LEAVES).join(', ')}`);
  answers(this, name, [{ status: st.value }]);
});

Given('a TD guest whose VMM answers MapGPA with {vmmstatus} at {hex} into the range, then {vmmstatus}', function (this: TdxWorld, retry: Named, offset: bigint, done: Named) {
  answers(this, 'MapGPA', [{ status: retry.value, resumeOffset: offset }, { status: done.value }]);
});

Given('a TD guest whose VMM answers MapGPA with {vmmstatus} at {hex} into the range {int} time(s)', function (this: TdxWorld, retry: Named, offset: bigint, n: number) {
  answers(this, 'MapGPA', Array.from({ length: n }, () => ({ status: retry.value, resumeOffset: offset })));
});

Given('a TD guest whose VMM answers MapGPA with {vmmstatus} at {hex} into the range {int} times, then {vmmstatus}', function (this: TdxWorld, retry: Named, offset: bigint, n: number, done: Named) {
  answers(this, 'MapGPA', [
    ...Array.from({ length: n }, () => ({ status: retry.value, resumeOffset: offset })),
    { status: done.value },
  ]);
});

Given('a TD guest whose VMM emulates MMIO at {hex} \\(size {hex}) reading as {hex}', function (this: TdxWorld, gpa: bigint, size: bigint, value: bigint) {
  tdGuest(this);
  this.arrange({ kind: 'vmm-mmio', gpa, size, value });
});

Given('{int} page(s) of private memory at {hex} that the guest has not accepted', function (this: TdxWorld, pages: number, gpa: bigint) {
  this.arrange({ kind: 'unaccepted-memory', gpa, pages });
});

Given('a TD guest whose TDX module answers {word} with {status}', function (this: TdxWorld, leaf: string, st: Named) {
  tdGuest(this);
  this.arrange({ kind: 'module-tdcall-status', leaf: leaf as TdcallLeaf, status: st.value });
});

Given('a TD guest whose VMM completes a quote {int} second(s) after the request', function (this: TdxWorld, seconds: number) {
  tdGuest(this);
  this.arrange({ kind: 'vmm-quote-time', seconds });
});

Given('a TD guest whose VMM never completes a quote', function (this: TdxWorld) {
  tdGuest(this);
  this.arrange({ kind: 'vmm-quote-time', seconds: null });
});

/**
 * A premise, not an arrangement: the TD's CPUID (as a process sees it) already has the bit, since
 * the VMM decides it; a TD without it does not meet the scenario's precondition.
 */
Given('a TD guest whose CPUID has leaf {hex} {cpureg} bit {int}', function (this: TdxWorld, leaf: bigint, reg: 'eax' | 'ebx' | 'ecx' | 'edx', b: number) {
  tdGuest(this);
  const r = this.observe(guest(this).cpuid(0, Number(leaf), 0, 'user'));
  if (((r[reg] >>> b) & 1) !== 1) {
    throw new SkipSignal('precondition-unmet', `the TD's CPUID leaf 0x${leaf.toString(16)} ${reg.toUpperCase()} bit ${b} is clear (the VMM did not give the TD this feature)`);
  }
});
