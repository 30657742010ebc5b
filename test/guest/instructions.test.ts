import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyInstruction, GP_INSTRUCTIONS, ioQualification, UD_INSTRUCTIONS, VE_INSTRUCTION_NAMES } from '../../backends/emulator/guest/module/instructions';
import { Faults } from '../../backends/emulator/faults';
import { EXIT_REASONS } from '../../spec/abi/vmx-exit-reasons';
import { numRuns } from '../support/runs';

const none = new Faults();

test('the documented #VE instructions raise #VE with their VMX exit reason in the kernel', () => {
  const want: Record<string, number> = {
    IN: EXIT_REASONS.IO_INSTRUCTION, OUT: EXIT_REASONS.IO_INSTRUCTION, INS: EXIT_REASONS.IO_INSTRUCTION, OUTS: EXIT_REASONS.IO_INSTRUCTION,
    HLT: 12, MONITOR: 39, MWAIT: 36, WBINVD: 54, INVD: 13, VMCALL: 18,
  };
  assert.deepEqual([...VE_INSTRUCTION_NAMES].sort(), Object.keys(want).sort());
  for (const [m, reason] of Object.entries(want)) {
    const c = classifyInstruction(m, 'kernel', none);
    assert.equal(c.kind, 've', m);
    if (c.kind === 've') assert.equal(c.exitReason, reason, m);
  }
});

test('the instructions a TD may not execute: #UD for VMX, ENCLS/ENCLV, GETSEC, RSM, ENCLU; #GP for ENQCMD; none on the #VE list', () => {
  assert.equal(UD_INSTRUCTIONS.length, 17);
  for (const m of UD_INSTRUCTIONS) {
    assert.equal(classifyInstruction(m, 'kernel', none).kind, 'ud', m);
    assert.equal(classifyInstruction(m, 'user', none).kind, 'ud', m);
    assert.ok(!VE_INSTRUCTION_NAMES.includes(m), m);
  }
  for (const m of GP_INSTRUCTIONS) for (const mode of ['kernel', 'user'] as const) assert.equal(classifyInstruction(m, mode, none).kind, 'gp', m);
});

test('MONITOR and MWAIT exit only without CPUID MONITOR: #VE on module 1.5, #UD on 2.0', () => {
  for (const m of ['MONITOR', 'MWAIT']) {
    assert.equal(classifyInstruction(m, 'kernel', none, { moduleMajor: 1, monitorEnumerated: false }).kind, 've', m);
    assert.equal(classifyInstruction(m, 'kernel', none, { moduleMajor: 2, monitorEnumerated: false }).kind, 'ud', m);
    assert.equal(classifyInstruction(m, 'kernel', none, { moduleMajor: 1, monitorEnumerated: true }).kind, 'native', m);
  }
});

test('the documentation\'s #GP model is a fault: VMX instructions then raise #GP', () => {
  assert.equal(classifyInstruction('VMXON', 'user', new Faults(['guest.vmx-gp'])).kind, 'gp');
});

test('privilege checks come before the module: user-mode HLT and port I/O #GP, MONITOR/MWAIT #UD, CPUID and VMCALL still #VE', () => {
  for (const m of ['HLT', 'IN', 'OUT', 'INS', 'OUTS', 'RDMSR', 'WRMSR', 'WBINVD', 'INVD']) assert.equal(classifyInstruction(m, 'user', none).kind, 'gp', m);
  for (const m of ['MONITOR', 'MWAIT']) assert.equal(classifyInstruction(m, 'user', none).kind, 'ud', m);
  assert.equal(classifyInstruction('VMCALL', 'user', none).kind, 've');
  assert.equal(classifyInstruction('CPUID', 'user', none).kind, 'cpuid');
});

test('the classifier is total: any mnemonic gets exactly one class, case-insensitively', () => {
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,9}$/), fc.constantFrom('kernel' as const, 'user' as const), (m, mode) => {
    const a = classifyInstruction(m, mode, none);
    const b = classifyInstruction(m.toUpperCase(), mode, none);
    assert.deepEqual(a, b);
    assert.ok(['ve', 'gp', 'ud', 'native', 'msr', 'cpuid', 'memory'].includes(a.kind));
  }), { numRuns: numRuns() });
});

test('the I/O exit qualification packs size-1, IN, string and port as the guest decodes them', () => {
  fc.assert(fc.property(fc.constantFrom(1, 2, 4), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 0xffff }), (size, isIn, str, port) => {
    const q = ioQualification(size, isIn, str, port);
    assert.equal(Number(q & 7n) + 1, size);
    assert.equal((q & 8n) !== 0n, isIn);
    assert.equal((q & 16n) !== 0n, str);
    assert.equal(Number(q >> 16n), port);
  }), { numRuns: numRuns() });
});

test('the HLT fault turns its #VE into #GP', () => {
  assert.equal(classifyInstruction('HLT', 'kernel', new Faults(['guest.hlt-gp'])).kind, 'gp');
});
