import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFieldId, elementBits, encodeFieldId, hasReservedBits, RESERVED_MASK, type FieldId } from '../../spec/encodings/field-id';
import { GLOBAL_FIELDS } from '../../spec/abi/global-metadata';
import { numRuns } from '../support/runs';

const fieldIdArb: fc.Arbitrary<FieldId> = fc.record({
  fieldCode: fc.integer({ min: 0, max: 2 ** 24 - 1 }),
  elementSizeCode: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
  lastElementInField: fc.integer({ min: 0, max: 15 }),
  lastFieldInSequence: fc.integer({ min: 0, max: 511 }),
  incSize: fc.boolean(),
  writeMaskValid: fc.boolean(),
  contextCode: fc.integer({ min: 0, max: 7 }),
  classCode: fc.integer({ min: 0, max: 63 }),
  nonArch: fc.boolean(),
});

test('field ids round-trip through encode and decode', () => {
  fc.assert(fc.property(fieldIdArb, (f) => {
    const id = encodeFieldId(f);
    assert.deepEqual(decodeFieldId(id), { ...f });
    assert.equal(hasReservedBits(id), false);
  }), { numRuns: numRuns() });
});

test('any reserved bit is detected', () => {
  const reservedBits = [...Array(64).keys()].filter((b) => (RESERVED_MASK >> BigInt(b)) & 1n);
  fc.assert(fc.property(fieldIdArb, fc.constantFrom(...reservedBits), (f, bit) => {
    assert.equal(hasReservedBits(encodeFieldId(f) | (1n << BigInt(bit))), true);
  }), { numRuns: numRuns() });
});

test('out-of-range parts are refused, not truncated', () => {
  assert.throws(() => encodeFieldId({ ...decodeFieldId(0n), fieldCode: 2 ** 24 }), /fieldCode/);
  assert.throws(() => encodeFieldId({ ...decodeFieldId(0n), classCode: 64 }), /classCode/);
});

test('known field ids decode to the documented sizes and classes', () => {
  assert.equal(elementBits(0x9100000100000008n), 16); // MAX_TDMRS
  assert.equal(elementBits(0x0a00000300000008n), 64); // TDX_FEATURES0
  assert.equal(elementBits(0x0800000200000000n), 32); // VENDOR_ID
  assert.equal(elementBits(0x0a00000000000001n), 8); // NUM_TDX_FEATURES
  const f = decodeFieldId(0x9100000100000008n);
  assert.equal(f.classCode, 0x11);
  assert.equal(f.nonArch, true);
  assert.equal(f.fieldCode, 8);
});

test('every global field id in the table is free of reserved and sequence bits', () => {
  for (const f of GLOBAL_FIELDS) {
    const d = decodeFieldId(f.baseId);
    assert.equal(hasReservedBits(f.baseId), false, f.name);
    assert.equal(d.lastElementInField, 0, f.name);
    assert.equal(d.lastFieldInSequence, 0, f.name);
  }
});
