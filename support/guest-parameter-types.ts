/**
 * Parameter types of the guest sentences. A value a scenario expects is written in the feature with
 * its name: a bit `SEPT_VE_DISABLE (bit 28)`, a status `INVALID_OPERAND (0x8000000000000000)`, a
 * TDVMCALL `TDVMCALL<Instruction.HLT> (leaf 0xc)`, an exit reason `30 (IO_INSTRUCTION)`. The
 * number is compared; the name is for the reader. TDVMCALL names are checked against the call
 * encoding (spec/encodings/tdvmcall.ts), which is how a call is issued, not what is expected.
 */
import { defineParameterType } from '@cucumber/cucumber';
import { isTdvmcallLeaf, TDVMCALL_LEAVES, type TdvmcallLeaf } from '../spec/encodings/tdvmcall';
import type { GuestReaction } from '../backends/guest-facet';
import type { Reg } from '../backends/port';
import type { Named } from './parameter-types';

/** A bit as a feature names it: `SEPT_VE_DISABLE (bit 28)`. */
export interface NamedBit {
  name: string;
  bit: number;
}

/** A TDVMCALL sub-function as a feature names it, with the leaf number a guest puts in R11. */
export interface NamedLeaf {
  name: TdvmcallLeaf;
  leaf: bigint;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\#<>]/g, '\\$&');
const alternation = (words: readonly string[]): RegExp => new RegExp([...words].sort((a, b) => b.length - a.length).map(esc).join('|'));

defineParameterType({
  name: 'tdvmcallLeaf',
  regexp: new RegExp(`(?:${[...Object.keys(TDVMCALL_LEAVES)].sort((x, y) => y.length - x.length).map(esc).join('|')})> \\(leaf 0x[0-9a-f]+\\)`),
  transformer: (s: string): NamedLeaf => {
    const m = /^(.+)> \(leaf (0x[0-9a-f]+)\)$/.exec(s)!;
    return { name: m[1] as TdvmcallLeaf, leaf: BigInt(m[2]) };
  },
});

/** A status a VMM answers in R10: `INVALID_OPERAND (0x8000000000000000)`. */
defineParameterType({
  name: 'vmmstatus',
  regexp: /[A-Z][A-Z_]+ \(0x[0-9a-f]+\)/,
  transformer: (s: string): Named => {
    const m = /^([A-Z_]+) \((0x[0-9a-f]+)\)$/.exec(s)!;
    return { name: m[1], value: BigInt(m[2]) };
  },
});

/** "30 (IO_INSTRUCTION)": the number is compared, the name is for the reader. */
defineParameterType({
  name: 'exitreason',
  regexp: /\d+ \([A-Z_]+\)/,
  transformer: (s: string): number => Number(/^(\d+)/.exec(s)![1]),
});

/** A TD attribute bit: `SEPT_VE_DISABLE (bit 28)`. */
defineParameterType({
  name: 'tdattr',
  regexp: /[A-Z][A-Z0-9_]+ \(bit \d+\)/,
  transformer: namedBit,
});

/** A TD_CTLS bit: `PENDING_VE_DISABLE (bit 0)`. */
defineParameterType({
  name: 'tdctl',
  regexp: /[A-Z][A-Z0-9_]+ \(bit \d+\)/,
  transformer: namedBit,
});

function namedBit(s: string): NamedBit {
  const m = /^([A-Z][A-Z0-9_]+) \(bit (\d+)\)$/.exec(s)!;
  return { name: m[1], bit: Number(m[2]) };
}

/** An instruction mnemonic in capitals (HLT, VMXON, ENQCMD...). */
defineParameterType({
  name: 'mnemonic',
  regexp: /[A-Z][A-Z0-9]{1,9}/,
  transformer: (s: string): string => s,
});

const REG_NAMES: Readonly<Record<string, Reg>> = {
  RAX: 'rax', RCX: 'rcx', RDX: 'rdx', RBX: 'rbx', RSI: 'rsi', RDI: 'rdi', R8: 'r8', R9: 'r9', R10: 'r10', R11: 'r11',
  R12: 'r12', R13: 'r13', R14: 'r14', R15: 'r15',
};
const REG = '(?:RAX|RBX|RCX|RDX|RSI|RDI|R1[0-5]|R[89])';
const NUM = '(?:0x[0-9a-fA-F]+|\\d+)';

/** "R12 = 1, R13 = 0x70": registers and values. */
defineParameterType({
  name: 'regvalues',
  regexp: new RegExp(`${REG} = ${NUM}(?:, ${REG} = ${NUM})*`),
  transformer: (s: string): Partial<Record<Reg, bigint>> => {
    const out: Partial<Record<Reg, bigint>> = {};
    for (const part of s.split(', ')) {
      const [r, v] = part.split(' = ');
      out[REG_NAMES[r]] = BigInt(v);
    }
    return out;
  },
});

defineParameterType({
  name: 'cpureg',
  regexp: /EAX|EBX|ECX|EDX/,
  transformer: (s: string): 'eax' | 'ebx' | 'ecx' | 'edx' => s.toLowerCase() as 'eax' | 'ebx' | 'ecx' | 'edx',
});

/** Instruction bytes as hex pairs: "48 8b 07". */
defineParameterType({
  name: 'insnbytes',
  regexp: /[0-9a-f]{2}(?: [0-9a-f]{2})*/,
  transformer: (s: string): number[] => s.split(' ').map((b) => parseInt(b, 16)),
});

/** What the guest kernel did, as a feature file says it. `null` fields are not checked. */
export interface ExpectedReaction {
  kind: GuestReaction['kind'];
  tdvmcall?: NamedLeaf;
  message?: string;
}

const REACTIONS = /emulated it through TDVMCALL<[^>]+> \(leaf 0x[0-9a-f]+\)|returned zeros|sent SIGSEGV|sent SIGILL|oopsed with "[^"]*"|panicked with "[^"]*"|recovered through an exception fixup|did nothing more/;

defineParameterType({
  name: 'guestreaction',
  regexp: REACTIONS,
  transformer: (s: string): ExpectedReaction => {
    let m: RegExpExecArray | null;
    if ((m = /^emulated it through TDVMCALL<([^>]+)> \(leaf (0x[0-9a-f]+)\)$/.exec(s))) {
      if (!isTdvmcallLeaf(m[1])) throw new Error(`unknown TDVMCALL ${m[1]}; known: ${Object.keys(TDVMCALL_LEAVES).join(', ')}`);
      return { kind: 'emulated', tdvmcall: { name: m[1], leaf: BigInt(m[2]) } };
    }
    if ((m = /^oopsed with "([^"]*)"$/.exec(s))) return { kind: 'oops', message: m[1] };
    if ((m = /^panicked with "([^"]*)"$/.exec(s))) return { kind: 'panic', message: m[1] };
    if (s === 'returned zeros') return { kind: 'zeros' };
    if (s === 'sent SIGSEGV') return { kind: 'sigsegv' };
    if (s === 'sent SIGILL') return { kind: 'sigill' };
    if (s === 'recovered through an exception fixup') return { kind: 'fixup' };
    return { kind: 'none' };
  },
});
