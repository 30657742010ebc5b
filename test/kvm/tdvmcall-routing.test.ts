/**
 * KVM's TDVMCALL routing fed directly with register sets as the GHCI defines them, through the
 * TdvmcallSide the guest model uses (scripted user-space VMM behind KVM).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KvmTdvmcallSide } from '../../backends/emulator/kvm/vmm';
import { KVM_HC_MAP_GPA_RANGE, TDX_MAP_GPA_MAX_LEN } from '../../spec/abi/kvm-uapi';
import { TDVMCALL_STATUS as S } from '../../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES as L } from '../../spec/encodings/tdvmcall';
import { numRuns } from '../support/runs';
import { buildTd } from './helpers';

const SHARED = 1n << 47n;

test('GetQuote on a shared buffer reaches the VMM as KVM_EXIT_TDX and returns its status', () => {
  const td = buildTd();
  const side = new KvmTdvmcallSide(td.model);
  const out = side.tdvmcall(0, { r10: 0n, r11: L.GetQuote, r12: SHARED | 0x100000n, r13: 0x2000n });
  assert.equal(out.r10, S.SUCCESS);
  const exits = td.model.vmmExits;
  assert.equal(exits.length, 1);
  assert.equal(exits[0].reason, 'KVM_EXIT_TDX');
  if (exits[0].reason === 'KVM_EXIT_TDX') assert.deepEqual(exits[0].tdx.getQuote, { ret: S.SUBFUNC_UNSUPPORTED, gpa: 0x100000n, size: 0x2000n });
});

test('GetQuote on a private buffer is refused without an exit', () => {
  const td = buildTd();
  const out = new KvmTdvmcallSide(td.model).tdvmcall(0, { r10: 0n, r11: L.GetQuote, r12: 0x100000n, r13: 0x2000n });
  assert.equal(out.r10, S.INVALID_OPERAND);
  assert.equal(td.model.vmmExits.length, 0);
});

test('an unsupported leaf gets SUBFUNC_UNSUPPORTED on a merged kernel and INVALID_OPERAND before the merge', () => {
  assert.equal(new KvmTdvmcallSide(buildTd().model).tdvmcall(0, { r10: 0n, r11: 0x10005n }).r10, S.SUBFUNC_UNSUPPORTED);
  const pre = buildTd({ profile: 'spr-2s-ubuntu-6.8' });
  assert.equal(new KvmTdvmcallSide(pre.model).tdvmcall(0, { r10: 0n, r11: 0x10005n }).r10, S.INVALID_OPERAND);
});

test('MapGPA reaches the VMM in contiguous pieces of at most 2 MiB that cover the range, and the VMM converts it', () => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 0x3ff }), fc.integer({ min: 1, max: 0x1800 }),
    (startPage, pages) => {
      const td = buildTd();
      const start = 0x1000000n + BigInt(startPage) * 4096n;
      const size = BigInt(pages) * 4096n;
      const out = new KvmTdvmcallSide(td.model).tdvmcall(0, { r10: 0n, r11: L.MapGPA, r12: SHARED | start, r13: size });
      assert.equal(out.r10, S.SUCCESS);
      const pieces = td.model.vmmExits.map((e) => (e.reason === 'KVM_EXIT_HYPERCALL' ? e : assert.fail(`unexpected exit ${e.reason}`)));
      let next = start;
      for (const p of pieces) {
        assert.equal(p.nr, KVM_HC_MAP_GPA_RANGE);
        assert.equal(p.args[0], next);
        assert.ok(p.args[1] * 4096n <= TDX_MAP_GPA_MAX_LEN);
        next += p.args[1] * 4096n;
      }
      assert.equal(next, start + size);
      assert.equal(pieces.length, Math.ceil(Number(size) / Number(TDX_MAP_GPA_MAX_LEN)));
      // Shared now: the memory attribute is no longer private (it never was here) and stays so.
      assert.equal(td.model.privatePages.has(start), false);
    }), { numRuns: numRuns(40) });
});

test('MapGPA back to private makes the pages private again', () => {
  const td = buildTd();
  const out = new KvmTdvmcallSide(td.model).tdvmcall(0, { r10: 0n, r11: L.MapGPA, r12: 0x300000n, r13: 0x3000n });
  assert.equal(out.r10, S.SUCCESS);
  for (const p of [0x300000n, 0x301000n, 0x302000n]) assert.ok(td.model.privatePages.has(p));
});

test('an interrupt raised by the VMM during a MapGPA piece ends the call with RETRY at the next piece', () => {
  const td = buildTd();
  td.target.arrange({ kind: 'vmm-script', script: { interruptAtMapGpaPiece: 0 } });
  const out = new KvmTdvmcallSide(td.model).tdvmcall(0, { r10: 0n, r11: L.MapGPA, r12: SHARED | 0x200000n, r13: 0x600000n });
  assert.equal(out.r10, S.RETRY);
  assert.equal(out.r11, SHARED | 0x400000n);
});

test('port I/O and MMIO: sizes checked in the kernel, data from the VMM script', () => {
  const td = buildTd();
  td.target.arrange({ kind: 'vmm-script', script: { ioInData: 0xabcdn, mmioReadData: 0x11223344n } });
  const side = new KvmTdvmcallSide(td.model);
  assert.equal(side.tdvmcall(0, { r10: 0n, r11: L['Instruction.IO'], r12: 3n, r13: 0n, r14: 0x80n }).r10, S.INVALID_OPERAND);
  const io = side.tdvmcall(0, { r10: 0n, r11: L['Instruction.IO'], r12: 1n, r13: 0n, r14: 0x71n });
  assert.deepEqual([io.r10, io.r11], [0n, 0xcdn]);
  const mmio = side.tdvmcall(0, { r10: 0n, r11: L['#VE.RequestMMIO'], r12: 4n, r13: 0n, r14: SHARED | 0xfeb00000n });
  assert.deepEqual([mmio.r10, mmio.r11], [0n, 0x11223344n]);
  assert.equal(side.tdvmcall(0, { r10: 0n, r11: L['#VE.RequestMMIO'], r12: 4n, r13: 0n, r14: 0xfeb00000n }).r10, S.INVALID_OPERAND);
});

test('a non-zero R10 is a KVM hypercall, whatever R11 says', () => {
  const td = buildTd();
  const out = new KvmTdvmcallSide(td.model).tdvmcall(0, { r10: 0x77n, r11: L.GetQuote, r12: SHARED, r13: 0x1000n });
  assert.equal(out.r10, (1n << 64n) - 1000n);
  assert.equal(td.model.vmmExits.length, 0);
});
