/**
 * Parameter types of the guest sentences. Each validates its words against the ABI tables
 * (spec/abi) or the log catalogue, so a typo in a feature file is an error, not a silent miss.
 */
import { defineParameterType } from '@cucumber/cucumber';
import { isTdAttribute, isTdCtl, type TdAttribute, type TdCtl, TD_ATTRIBUTES, TD_CTLS } from '../spec/abi/tdcall';
import { TDVMCALL_STATUS, type TdvmcallStatus } from '../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES, type TdvmcallLeaf } from '../spec/encodings/tdvmcall';
import { EXIT_REASONS, type ExitReasonName } from '../spec/abi/vmx-exit-reasons';
import type { MessageId } from '../spec/kernel/printk';
import type { GuestReaction } from '../backends/guest-facet';
import type { Reg } from '../backends/port';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\#<>]/g, '\\$&');
const alternation = (words: readonly string[]): RegExp => new RegExp([...words].sort((a, b) => b.length - a.length).map(esc).join('|'));

defineParameterType({
  name: 'tdvmcallLeaf',
  regexp: alternation(Object.keys(TDVMCALL_LEAVES)),
  transformer: (s: string): TdvmcallLeaf => s as TdvmcallLeaf,
});

defineParameterType({
  name: 'vmmstatus',
  regexp: alternation(Object.keys(TDVMCALL_STATUS)),
  transformer: (s: string): TdvmcallStatus => s as TdvmcallStatus,
});

/** "30 (IO_INSTRUCTION)": the number and its name must agree (spec/abi/vmx-exit-reasons.ts). */
defineParameterType({
  name: 'exitreason',
  regexp: /\d+ \([A-Z_]+\)/,
  transformer: (s: string): number => {
    const m = /^(\d+) \(([A-Z_]+)\)$/.exec(s)!;
    const name = m[2] as ExitReasonName;
    if (EXIT_REASONS[name] !== Number(m[1])) throw new Error(`exit reason "${s}": ${m[2]} is ${EXIT_REASONS[name] ?? 'not a known exit reason'}`);
    return Number(m[1]);
  },
});

defineParameterType({
  name: 'tdattr',
  regexp: alternation(Object.keys(TD_ATTRIBUTES)),
  transformer: (s: string): TdAttribute => {
    if (!isTdAttribute(s)) throw new Error(`unknown TD attribute ${s}`);
    return s;
  },
});

defineParameterType({
  name: 'tdctl',
  regexp: alternation(Object.keys(TD_CTLS)),
  transformer: (s: string): TdCtl => {
    if (!isTdCtl(s)) throw new Error(`unknown TD_CTLS bit ${s}`);
    return s;
  },
});

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
  tdvmcall?: TdvmcallLeaf;
  message?: string;
}

const REACTIONS = /emulated it through TDVMCALL<[^>]+>|returned zeros|sent SIGSEGV|sent SIGILL|oopsed with "[^"]*"|panicked with "[^"]*"|recovered through an exception fixup|did nothing more/;

defineParameterType({
  name: 'guestreaction',
  regexp: REACTIONS,
  transformer: (s: string): ExpectedReaction => {
    let m: RegExpExecArray | null;
    if ((m = /^emulated it through TDVMCALL<([^>]+)>$/.exec(s))) {
      if (!Object.prototype.hasOwnProperty.call(TDVMCALL_LEAVES, m[1])) throw new Error(`unknown TDVMCALL ${m[1]}`);
      return { kind: 'emulated', tdvmcall: m[1] as TdvmcallLeaf };
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

/** Guest log messages, by what a feature file says about them (spec/kernel/printk.ts ids). */
export const GUEST_LOG_PHRASES: Readonly<Record<string, MessageId>> = {
  'the TD guest was detected': 'guest-detected',
  'memory encryption with Intel TDX is active': 'memory-encryption',
  'the VMM did not configure the x2APIC IDs': 'guest-x2apic-unconfigured',
  'SEPT #VEs are not disabled': 'guest-sept-ve-misconfig',
  'HLT was emulated with interrupts enabled': 'guest-hlt-irqs-on',
};

defineParameterType({
  name: 'guestmsg',
  regexp: alternation(Object.keys(GUEST_LOG_PHRASES)),
  transformer: (s: string): MessageId => GUEST_LOG_PHRASES[s],
});
