/**
 * The emulated TD as a machine (--role guest): the machine code the linux backend runs is decoded
 * into the instruction it names, the TDREPORT goes through struct tdx_report_req, configfs-tsm
 * items come and go, and the measurement registers are the TDREPORT's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Faults } from '../../backends/emulator/faults';
import { EmulatedGuestMachine } from '../../backends/emulator/machine/guest-machine';
import { runInTd } from '../../backends/emulator/machine/guest-instructions';
import { profileNamed } from '../../backends/emulator/profile';
import { EmulatorScenario } from '../../backends/emulator/system';
import type { EmulatedTd } from '../../backends/emulator/guest/td';
import { isOk } from '../../backends/kernel-interface';
import { CPUID, cpuidInput, cpuidOutput, ONE_INSTRUCTION_MNEMONICS, oneInstruction } from '../../backends/linux/insn-sequences';
import { getReport0, observeTsmItem, readMeasurement, writeMeasurement } from '../../backends/linux/tdx-guest-client';
import { MEASUREMENT_FILES, TDREPORT_LAYOUT } from '../../spec/abi/tdx-guest';

const machine = (profile = 'spr-2s-mainline-6.18') => new EmulatedGuestMachine(new EmulatorScenario(profileNamed(profile), new Faults()));

test('every one-instruction sequence decodes to the instruction it is named after', () => {
  const seen: string[] = [];
  const td = { execute: (_v: number, insn: { mnemonic: string }) => { seen.push(insn.mnemonic); return { guest: { kind: 'none' }, regs: {} }; } } as unknown as EmulatedTd;
  for (const m of ONE_INSTRUCTION_MNEMONICS) {
    seen.length = 0;
    const r = runInTd(td, oneInstruction(m)!.code);
    assert.deepEqual([r.ended, seen], ['returned', [m]], m);
  }
  // An encoding the interpreter does not know is an invalid opcode for the process.
  assert.deepEqual(runInTd(td, Uint8Array.from([0x0f, 0xff, 0xc3])), { ended: 'signal', signal: 'SIGILL' });
});

test('the CPUID sequence run in the TD returns what the TD answers a process', () => {
  const m = machine();
  const r = m.runInstructions(CPUID.code, cpuidInput(0x21, 0));
  assert.ok(isOk(r) && r.value.ended === 'returned');
  const c = cpuidOutput(r.value.out);
  const s = (v: number) => Buffer.from([v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24]).toString('latin1');
  assert.equal(s(c.ebx) + s(c.edx) + s(c.ecx), 'IntelTDX    ');
  const u = m.state.td.cpuid(0, 0x21, 0, 'user');
  assert.deepEqual(c, { eax: u.eax, ebx: u.ebx, ecx: u.ecx, edx: u.edx });
});

test('TDX_CMD_GET_REPORT0 through user memory: the TDREPORT of the TD, with the REPORTDATA echoed', () => {
  const m = machine();
  const r = getReport0(m, new Uint8Array(64).fill(0x5a));
  assert.ok(r.ok && 'tdreport' in r.value);
  if (!r.ok || !('tdreport' in r.value)) return;
  assert.equal(r.value.tdreport.length, 1024);
  assert.ok(r.value.tdreport.subarray(TDREPORT_LAYOUT.reportData, TDREPORT_LAYOUT.reportData + 64).every((b) => b === 0x5a));
  assert.equal(r.value.tdreport.readBigUInt64LE(TDREPORT_LAYOUT.tdInfoAttributes), m.state.td.describe().attributes);
});

test('the measurement registers are 48 bytes each, the TDREPORT\'s; a short RTMR write is EINVAL and a full one extends', () => {
  const m = machine('spr-2s-mainline-6.18');
  const report = () => { const r = getReport0(m, new Uint8Array(64)); return r.ok && 'tdreport' in r.value ? r.value.tdreport : Buffer.alloc(0); };
  for (const f of MEASUREMENT_FILES) {
    const r = readMeasurement(m, f.file);
    assert.ok(r.ok && 'bytes' in r.value, f.file);
    if (r.ok && 'bytes' in r.value) assert.equal(r.value.bytes.toString('hex'), report().subarray(TDREPORT_LAYOUT[f.field], TDREPORT_LAYOUT[f.field] + 48).toString('hex'), f.file);
  }
  const before = report().subarray(TDREPORT_LAYOUT.rtmr2, TDREPORT_LAYOUT.rtmr2 + 48).toString('hex');
  assert.deepEqual(writeMeasurement(m, 'rtmr2:sha384', new Uint8Array(47)), { ok: true, value: { errno: 'EINVAL' } });
  assert.equal(report().subarray(TDREPORT_LAYOUT.rtmr2, TDREPORT_LAYOUT.rtmr2 + 48).toString('hex'), before);
  assert.deepEqual(writeMeasurement(m, 'rtmr2:sha384', new Uint8Array(48).fill(1)), { ok: true, value: { written: 48 } });
  assert.notEqual(report().subarray(TDREPORT_LAYOUT.rtmr2, TDREPORT_LAYOUT.rtmr2 + 48).toString('hex'), before);
  assert.deepEqual(writeMeasurement(m, 'mrtd:sha384', new Uint8Array(48)), { ok: true, value: { errno: 'EACCES' } });
});

test('before v6.16 there are no measurement registers; before v6.7 no configfs-tsm', () => {
  assert.deepEqual(readMeasurement(machine('spr-2s-mainline-6.16'), 'mrtd:sha384'), { ok: true, value: { errno: 'ENOENT' } });
  assert.equal(observeTsmItem(machine('spr-4n-intel-6.6')).ok, false);
});

test('a configfs-tsm item: provider tdx_guest, generation 0 then 1, and it is gone after rmdir', () => {
  const m = machine();
  const r = observeTsmItem(m);
  assert.deepEqual(r, { ok: true, value: { provider: 'tdx_guest', generations: [0, 1], removed: true } });
  assert.deepEqual(m.state.td.kernel.tsm!.names(), []);
});

test('a platform that runs no TD (one TDX KeyID) has no guest role: a ProfileError says why', () => {
  const p = profileNamed('spr-2s-mainline-6.18');
  const oneKeyId = { ...p, bios: { ...p.bios, tdxKeyIds: 1 } };
  assert.throws(() => new EmulatedGuestMachine(new EmulatorScenario(oneKeyId, new Faults())), (e: Error) => e.name === 'ProfileError' && /runs no TD.*no TD KeyIDs/.test(e.message));
});
