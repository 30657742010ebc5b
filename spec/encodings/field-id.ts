/**
 * TDX metadata field identifiers (md_field_id_t in the TDX module source, @src:mod-api).
 *
 *   23:0  field code        31:24 reserved (must be 0)
 *   33:32 element size code (0: 8 bit, 1: 16 bit, 2: 32 bit, 3: 64 bit)
 *   37:34 last element in field     46:38 last field in sequence
 *   49:47 reserved          50 inc_size      51 write_mask_valid
 *   54:52 context code      55 reserved      61:56 class code
 *   62    reserved          63 non-architectural ("ignored" by the module)
 */

export type ElementSizeCode = 0 | 1 | 2 | 3;

export interface FieldId {
  fieldCode: number;
  elementSizeCode: ElementSizeCode;
  lastElementInField: number;
  lastFieldInSequence: number;
  incSize: boolean;
  writeMaskValid: boolean;
  contextCode: number;
  classCode: number;
  nonArch: boolean;
}

/** Bits lo..lo+width-1 of a 64-bit value; fields within one 32-bit half avoid BigInt masks. */
function bits(v: bigint, lo: number, width: number): number {
  if ((lo % 32) + width > 32) return Number((v >> BigInt(lo)) & ((1n << BigInt(width)) - 1n));
  const half = lo < 32 ? Number(BigInt.asUintN(32, v)) : Number(BigInt.asUintN(32, v >> 32n));
  const shift = lo % 32;
  return width === 32 ? half >>> shift : (half >>> shift) & ((1 << width) - 1);
}

/** Bits that must be zero in any field ID: 31:24, 49:47, 55 and 62. */
export const RESERVED_MASK =
  (0xffn << 24n) | (0x7n << 47n) | (1n << 55n) | (1n << 62n);

export function decodeFieldId(id: bigint): FieldId {
  return {
    fieldCode: bits(id, 0, 24),
    elementSizeCode: bits(id, 32, 2) as ElementSizeCode,
    lastElementInField: bits(id, 34, 4),
    lastFieldInSequence: bits(id, 38, 9),
    incSize: bits(id, 50, 1) === 1,
    writeMaskValid: bits(id, 51, 1) === 1,
    contextCode: bits(id, 52, 3),
    classCode: bits(id, 56, 6),
    nonArch: bits(id, 63, 1) === 1,
  };
}

function checkRange(name: string, value: number, width: number): bigint {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** width) {
    throw new RangeError(`${name} ${value} does not fit in ${width} bits`);
  }
  return BigInt(value);
}

export function encodeFieldId(f: FieldId): bigint {
  return (
    checkRange('fieldCode', f.fieldCode, 24) |
    (checkRange('elementSizeCode', f.elementSizeCode, 2) << 32n) |
    (checkRange('lastElementInField', f.lastElementInField, 4) << 34n) |
    (checkRange('lastFieldInSequence', f.lastFieldInSequence, 9) << 38n) |
    (BigInt(f.incSize ? 1 : 0) << 50n) |
    (BigInt(f.writeMaskValid ? 1 : 0) << 51n) |
    (checkRange('contextCode', f.contextCode, 3) << 52n) |
    (checkRange('classCode', f.classCode, 6) << 56n) |
    (BigInt(f.nonArch ? 1 : 0) << 63n)
  );
}

/** Size in bytes of one element of the field (1, 2, 4 or 8). */
export function elementBytes(id: bigint): 1 | 2 | 4 | 8 {
  return (1 << bits(id, 32, 2)) as 1 | 2 | 4 | 8;
}

export function elementBits(id: bigint): 8 | 16 | 32 | 64 {
  return (elementBytes(id) * 8) as 8 | 16 | 32 | 64;
}

export function hasReservedBits(id: bigint): boolean {
  return (id & RESERVED_MASK) !== 0n;
}

/** The identity of a field for lookup: everything but the sequence/element bookkeeping bits. */
export function fieldKey(id: bigint): bigint {
  const sequenceBits = (0xfn << 34n) | (0x1ffn << 38n) | (1n << 50n) | (1n << 51n);
  return id & ~sequenceBits & ((1n << 64n) - 1n);
}

export const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');
