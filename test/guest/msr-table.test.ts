import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyMsr } from '../../backends/emulator/guest/module/msr';
import { msrRule, MSR_RULES, type MsrTdView } from '../../backends/emulator/guest/module/msr-table';
import { Faults } from '../../backends/emulator/faults';
import { attributeBit } from '../../spec/abi/tdcall';
import { numRuns } from '../support/runs';

const none = new Faults();
const td = (attributes = 0n, xfam = 0xe7n, features = true, moduleMajor = 1, reduceVe = false): MsrTdView =>
  ({ attributes, xfam, moduleMajor, reduceVe, hasCpuidFeature: () => features });

test('the MSR table is sorted and no two rows cover the same MSR', () => {
  for (let i = 0; i < MSR_RULES.length; i++) {
    const r = MSR_RULES[i];
    assert.ok(r.first <= r.last, r.name);
    if (i > 0) assert.ok(MSR_RULES[i - 1].last < r.first, `${MSR_RULES[i - 1].name} overlaps ${r.name}`);
  }
});

test('every MSR in the architectural ranges is classified by at most one row, into exactly one category', () => {
  const msr = fc.oneof(fc.integer({ min: 0, max: 0x1fff }), fc.integer({ min: 0xc0000000, max: 0xc0001fff }), fc.integer({ min: 0, max: 0xffffffff }));
  fc.assert(fc.property(msr, fc.boolean(), (m, write) => {
    const rows = MSR_RULES.filter((r) => m >= r.first && m <= r.last);
    assert.ok(rows.length <= 1);
    const c = classifyMsr(m, write, td(), none);
    assert.ok(['native', 'module', 'gp', 've'].includes(c));
    // Whatever the module does not list raises #VE.
    if (rows.length === 0) assert.equal(c, 've');
  }), { numRuns: numRuns() });
});

test('representative MSRs of each category (module msr_config_lookup)', () => {
  const rd = (m: number) => classifyMsr(m, false, td(), none);
  const wr = (m: number) => classifyMsr(m, true, td(), none);
  assert.deepEqual([0x48, 0x277, 0x808, 0xc0000080].map(rd), ['native', 'native', 'native', 'native']);
  assert.deepEqual([0x10a, 0x480, 0x1d9].map(rd), ['module', 'module', 'module']);
  assert.deepEqual([0x1b, 0x179, 0x830, 0x481].map(rd), ['ve', 've', 've', 've']);
  assert.deepEqual([0x9e, 0x8c, 0xd90, 0x804].map(rd), ['gp', 'gp', 'gp', 'gp']);
  assert.deepEqual([0x10, 0xbc, 0x480, 0xda0].map(wr), ['ve', 've', 'gp', 'module']);
});

test('dynamic rows follow the TD: PMU MSRs need PERFMON, CET MSRs need the CET XFAM bits, gp-or-ve follows CPUID', () => {
  assert.equal(classifyMsr(0x186, false, td(), none), 'gp');
  assert.equal(classifyMsr(0x186, false, td(attributeBit('PERFMON')), none), 'native');
  assert.equal(classifyMsr(0x6a2, false, td(0n, 0xe7n), none), 'gp');
  assert.equal(classifyMsr(0x6a2, false, td(0n, 0xe7n | (3n << 11n)), none), 'native');
  assert.equal(classifyMsr(0x6e0, false, td(0n, 0xe7n, true), none), 've');
  assert.equal(classifyMsr(0x6e0, false, td(0n, 0xe7n, false), none), 'gp');
  assert.equal(msrRule(0x6e0)?.feature?.bit, 24);
});

test('module 2.0 with REDUCE_VE: unlisted MSRs and IA32_VMX_PINBASED_CTLS raise #GP; without it, or on 1.5, #VE', () => {
  for (const msr of [0x1a2, 0x481]) {
    assert.equal(classifyMsr(msr, false, td(), none), 've', `1.5 ${msr.toString(16)}`);
    assert.equal(classifyMsr(msr, false, td(0n, 0xe7n, true, 2, false), none), 've', `2.0 without REDUCE_VE ${msr.toString(16)}`);
    assert.equal(classifyMsr(msr, false, td(0n, 0xe7n, true, 2, true), none), 'gp', `2.0 with REDUCE_VE ${msr.toString(16)}`);
  }
});

test('module 2.0 decides MCG_CAP and MTRR_DEF_TYPE by the TD\'s CPUID; module 1.5 does not list them (#VE)', () => {
  for (const msr of [0x179, 0x2ff]) {
    assert.equal(classifyMsr(msr, false, td(0n, 0xe7n, false), none), 've');
    assert.equal(classifyMsr(msr, false, td(0n, 0xe7n, true, 2), none), 've');
    assert.equal(classifyMsr(msr, false, td(0n, 0xe7n, false, 2), none), 'gp');
  }
});
