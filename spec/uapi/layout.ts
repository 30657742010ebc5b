/**
 * C structure layouts, written field by field with the offsets the UAPI headers imply (x86-64:
 * little endian, natural alignment), and the codec that reads and writes them in a buffer. The
 * offsets are checked against a C compiler's offsetof() by test/unit/uapi-layouts.test.ts.
 *
 * A layout is a call encoding (what a VMM puts in memory to issue an ioctl): the linux backend
 * writes it and the emulated machine reads it. It is never an expected value of a scenario.
 */

export type Scalar = 'u8' | 'u16' | 'u32' | 'u64';

export interface Field {
  offset: number;
  type: Scalar;
  /** Array length for arrays of scalars (`__u64 reserved[12]`). */
  count?: number;
}

export interface Layout<F extends string = string> {
  name: string;
  /** sizeof(struct ...), the flexible array member excluded. */
  size: number;
  fields: Readonly<Record<F, Field>>;
}

export const SCALAR_BYTES: Readonly<Record<Scalar, number>> = { u8: 1, u16: 2, u32: 4, u64: 8 };

export function layout<F extends string>(name: string, size: number, fields: Record<F, Field>): Layout<F> {
  for (const [f, d] of Object.entries(fields) as [string, Field][]) {
    const end = d.offset + SCALAR_BYTES[d.type] * (d.count ?? 1);
    if (d.offset % SCALAR_BYTES[d.type] !== 0 || end > size) throw new Error(`layout ${name}.${f}: offset ${d.offset} misaligned or past the end`);
  }
  return { name, size, fields };
}

export const u8 = (offset: number, count?: number): Field => ({ offset, type: 'u8', count });
export const u16 = (offset: number, count?: number): Field => ({ offset, type: 'u16', count });
export const u32 = (offset: number, count?: number): Field => ({ offset, type: 'u32', count });
export const u64 = (offset: number, count?: number): Field => ({ offset, type: 'u64', count });

function readScalar(b: Buffer, at: number, t: Scalar): bigint {
  switch (t) {
    case 'u8': return BigInt(b.readUInt8(at));
    case 'u16': return BigInt(b.readUInt16LE(at));
    case 'u32': return BigInt(b.readUInt32LE(at));
    case 'u64': return b.readBigUInt64LE(at);
  }
}

function writeScalar(b: Buffer, at: number, t: Scalar, v: bigint): void {
  const max = (1n << BigInt(SCALAR_BYTES[t] * 8)) - 1n;
  const x = v & max;
  switch (t) {
    case 'u8': b.writeUInt8(Number(x), at); break;
    case 'u16': b.writeUInt16LE(Number(x), at); break;
    case 'u32': b.writeUInt32LE(Number(x), at); break;
    case 'u64': b.writeBigUInt64LE(x, at); break;
  }
}

/** Read one field (a scalar, or the elements of an array) of the structure at `base`. */
export function get<F extends string>(l: Layout<F>, b: Buffer, field: F, base = 0): bigint {
  const d = l.fields[field];
  return readScalar(b, base + d.offset, d.type);
}

export function getArray<F extends string>(l: Layout<F>, b: Buffer, field: F, base = 0): bigint[] {
  const d = l.fields[field];
  const n = d.count ?? 1;
  return Array.from({ length: n }, (_, i) => readScalar(b, base + d.offset + i * SCALAR_BYTES[d.type], d.type));
}

export function set<F extends string>(l: Layout<F>, b: Buffer, field: F, v: bigint | number, base = 0): void {
  const d = l.fields[field];
  writeScalar(b, base + d.offset, d.type, BigInt(v));
}

export function setArray<F extends string>(l: Layout<F>, b: Buffer, field: F, vs: readonly (bigint | number)[], base = 0): void {
  const d = l.fields[field];
  const n = d.count ?? 1;
  if (vs.length > n) throw new Error(`${l.name}.${field} holds ${n} elements, not ${vs.length}`);
  vs.forEach((v, i) => writeScalar(b, base + d.offset + i * SCALAR_BYTES[d.type], d.type, BigInt(v)));
}

/** Linux's _IOC encoding of ioctl request numbers (include/uapi/asm-generic/ioctl.h). */
const IOC_NONE = 0;
const IOC_WRITE = 1;
const IOC_READ = 2;
const ioc = (dir: number, type: number, nr: number, size: number): number => ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
export const IO = (type: number, nr: number): number => ioc(IOC_NONE, type, nr, 0);
export const IOR = (type: number, nr: number, size: number): number => ioc(IOC_READ, type, nr, size);
export const IOW = (type: number, nr: number, size: number): number => ioc(IOC_WRITE, type, nr, size);
export const IOWR = (type: number, nr: number, size: number): number => ioc(IOC_READ | IOC_WRITE, type, nr, size);
