import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMmio, MMIO_ENCODINGS } from '../../backends/emulator/guest/linux/insn-decode';
import { numRuns } from '../support/runs';

test('the io.h accessor encodings decode to their size and direction', () => {
  for (const [name, bytes] of Object.entries(MMIO_ENCODINGS)) {
    const [dir, size] = name.split(' ');
    const d = decodeMmio(bytes);
    assert.equal(d.type, dir === 'read' ? 'read' : 'write', name);
    assert.equal(d.size, Number(size), name);
    assert.equal(d.length, bytes.length, name);
    assert.equal(d.reg, 0, name);
  }
});

test('MOVZX, MOVSX, immediates and MOVS', () => {
  assert.deepEqual(decodeMmio([0x0f, 0xb6, 0x07]), { type: 'read-zero-extend', size: 1, length: 3, reg: 0, opBytes: 4 });
  assert.deepEqual(decodeMmio([0x48, 0x0f, 0xbf, 0x07]), { type: 'read-sign-extend', size: 2, length: 4, reg: 0, opBytes: 8 });
  assert.deepEqual(decodeMmio([0xc7, 0x07, 0x44, 0x33, 0x22, 0x11]), { type: 'write-imm', size: 4, length: 6, reg: 0, opBytes: 4, imm: 0x11223344n });
  assert.equal(decodeMmio([0x66, 0xc7, 0x07, 0x34, 0x12]).imm, 0x1234n);
  assert.equal(decodeMmio([0xf3, 0xa5]).type, 'movs');
  assert.equal(decodeMmio([0x44, 0x8b, 0x07]).reg, 8, 'REX.R selects r8');
});

test('ModRM, SIB and displacement lengths', () => {
  assert.equal(decodeMmio([0x8b, 0x47, 0x10]).length, 3); // [rdi+disp8]
  assert.equal(decodeMmio([0x8b, 0x87, 0, 1, 0, 0]).length, 6); // [rdi+disp32]
  assert.equal(decodeMmio([0x8b, 0x04, 0x24]).length, 3); // [rsp] via SIB
  assert.equal(decodeMmio([0x8b, 0x05, 0, 0, 0, 0]).length, 6); // RIP-relative
});

test('register-to-register forms and other opcodes are not MMIO', () => {
  assert.equal(decodeMmio([0x89, 0xc0]).type, 'decode-failed');
  assert.equal(decodeMmio([0x01, 0x07]).type, 'decode-failed');
  assert.equal(decodeMmio([]).type, 'decode-failed');
  assert.equal(decodeMmio([0x8b]).type, 'decode-failed');
});

test('any byte string decodes without throwing, to a length within the bytes', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 16 }), (bytes) => {
    const d = decodeMmio(bytes);
    assert.ok(d.length <= bytes.length);
    if (d.type !== 'decode-failed') assert.ok([1, 2, 4, 8].includes(d.size));
  }), { numRuns: numRuns() });
});
