/**
 * Converting between the port's values and their JSON form on the wire (shapes.ts). Arguments
 * go out by the generic rules (a bigint as "0x...", bytes as hex digits, everything else as JSON);
 * answers come back decoded by their shape, and anything that does not fit is a WireShapeError
 * naming the field, what the port expects there and what came.
 */
import { isErrnoName } from '../../spec/abi/errno';
import { parseKernelLog } from '../common/kernel-log';
import type { Shape } from './shapes';

export class WireShapeError extends Error {
  constructor(readonly path: string, readonly expected: string, got: unknown) {
    super(`${path || '(answer)'}: expected ${expected}, got ${describe(got)}`);
    this.name = 'WireShapeError';
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  // A port value may hold bigints (registers): shown as the wire writes them.
  const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x)) ?? String(v);
  return `${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} ${s.length > 60 ? `${s.slice(0, 57)}...` : s}`;
}

const HEX64 = /^0x[0-9a-f]{1,16}$/;
const HEX_BYTES = /^(?:[0-9a-f]{2})*$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A port value as JSON for the wire, by the generic rules (used for arguments and arrangements). */
export function toWire(v: unknown): unknown {
  if (typeof v === 'bigint') return `${v < 0n ? '-' : ''}0x${(v < 0n ? -v : v).toString(16)}`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(toWire);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toWire(x);
    return out;
  }
  return v;
}

/** Decode an answer by its shape; throws WireShapeError. */
export function decode(shape: Shape, v: unknown, path = ''): unknown {
  switch (shape) {
    case 'u64':
      if (typeof v !== 'string' || !HEX64.test(v)) throw new WireShapeError(path, 'a 64-bit value as a hex string "0x..." (lowercase, at most 16 digits)', v);
      return BigInt(v);
    case 'num':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireShapeError(path, 'a number', v);
      return v;
    case 'str':
      if (typeof v !== 'string') throw new WireShapeError(path, 'a string', v);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new WireShapeError(path, 'true or false', v);
      return v;
    case 'bytes':
      if (typeof v !== 'string' || !HEX_BYTES.test(v)) throw new WireShapeError(path, 'bytes as a string of hex digit pairs', v);
      return new Uint8Array(Buffer.from(v, 'hex'));
    case 'errno':
      if (typeof v !== 'string' || !isErrnoName(v)) throw new WireShapeError(path, 'an errno name such as "EBUSY" (spec/abi/errno.ts)', v);
      return v;
    case 'regs': {
      if (!isObject(v)) throw new WireShapeError(path, 'registers: an object of register name to "0x..."', v);
      const out: Record<string, bigint> = {};
      for (const [k, x] of Object.entries(v)) {
        if (!/^(rax|rcx|rdx|rbx|rsi|rdi|r8|r9|r1[0-5])$/.test(k)) throw new WireShapeError(`${path}.${k}`, 'a register name (rax, rcx, rdx, rbx, rsi, rdi, r8-r15)', k);
        out[k] = decode('u64', x, `${path}.${k}`) as bigint;
      }
      return out;
    }
    case 'kernel-log': {
      const o = decodeObject({ lines: { arr: 'str' }, complete: 'bool' }, v, path) as { lines: string[]; complete: boolean };
      return { lines: o.lines, events: parseKernelLog(o.lines).events, complete: o.complete };
    }
    case 'topology': {
      const o = decodeObject({ cpus: 'num', packages: 'num', packageOf: { arr: 'num' } }, v, path) as { cpus: number; packages: number; packageOf: number[] };
      if (o.packageOf.length !== o.cpus) throw new WireShapeError(`${path}.packageOf`, `one package number per CPU (${o.cpus})`, o.packageOf);
      const of = o.packageOf;
      return { cpus: o.cpus, packages: o.packages, packageOf: (cpu: number) => of[cpu] };
    }
  }
  if ('arr' in shape) {
    if (!Array.isArray(v)) throw new WireShapeError(path, 'an array', v);
    if (shape.len !== undefined && v.length !== shape.len) throw new WireShapeError(path, `an array of ${shape.len}`, v);
    return v.map((x, i) => decode(shape.arr, x, `${path}[${i}]`));
  }
  if ('nullable' in shape) return v === null ? null : decode(shape.nullable, v, path);
  if ('oneOf' in shape) {
    if (typeof v !== 'string' || !shape.oneOf.includes(v)) throw new WireShapeError(path, `one of ${shape.oneOf.join(', ')}`, v);
    return v;
  }
  if ('obj' in shape) return decodeObject(shape.obj, v, path);
  if (!isObject(v)) throw new WireShapeError(path, `an object with "${shape.tagged}"`, v);
  const c = taggedCase(shape, v, path);
  return { [shape.tagged]: c.tag, ...decodeObject(c.fields, c.rest, path) };
}

/** The case of a tagged shape a value is in: its tag, the case's fields, and the value without its tag. */
function taggedCase(shape: { tagged: string; cases: Record<string, Record<string, Shape>> }, v: Record<string, unknown>, path: string) {
  const tag = v[shape.tagged];
  const fields = shape.cases[String(tag)];
  if (!fields) throw new WireShapeError(`${path}.${shape.tagged}`, `one of ${Object.keys(shape.cases).join(', ')}`, tag);
  const rest = { ...v };
  delete rest[shape.tagged];
  return { tag, fields, rest };
}

function decodeObject(fields: Record<string, Shape>, v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new WireShapeError(path, 'an object', v);
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [k, s] of Object.entries(fields)) {
    const optional = k.endsWith('?');
    const name = optional ? k.slice(0, -1) : k;
    known.add(name);
    if (!(name in v) || (optional && v[name] === undefined)) {
      if (optional) continue;
      throw new WireShapeError(`${path}.${name}`, describeShape(s), undefined);
    }
    out[name] = decode(s, v[name], `${path}.${name}`);
  }
  const extra = Object.keys(v).find((k) => !known.has(k));
  if (extra !== undefined) throw new WireShapeError(`${path}.${extra}`, `no such field (the fields are: ${[...known].join(', ') || 'none'})`, v[extra]);
  return out;
}

/** A port value in its JSON form by its shape (what an adapter in JavaScript sends). */
export function encode(shape: Shape, v: unknown, path = ''): unknown {
  switch (shape) {
    case 'u64':
      if (typeof v !== 'bigint') throw new WireShapeError(path, 'a bigint', v);
      return `0x${v.toString(16)}`;
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw new WireShapeError(path, 'bytes', v);
      return Buffer.from(v).toString('hex');
    case 'num': case 'str': case 'bool': case 'errno':
      return v;
    case 'regs':
      return Object.fromEntries(Object.entries(v as Record<string, bigint>).filter(([, x]) => x !== undefined).map(([k, x]) => [k, encode('u64', x, `${path}.${k}`)]));
    case 'kernel-log': {
      const l = v as { lines: string[]; complete: boolean };
      return { lines: l.lines, complete: l.complete };
    }
    case 'topology': {
      const t = v as { cpus: number; packages: number; packageOf: (cpu: number) => number };
      return { cpus: t.cpus, packages: t.packages, packageOf: Array.from({ length: t.cpus }, (_, i) => t.packageOf(i)) };
    }
  }
  if ('arr' in shape) return (v as unknown[]).map((x, i) => encode(shape.arr, x, `${path}[${i}]`));
  if ('nullable' in shape) return v === null ? null : encode(shape.nullable, v, path);
  if ('oneOf' in shape) return v;
  if ('obj' in shape) return encodeObject(shape.obj, v, path);
  const c = taggedCase(shape, v as Record<string, unknown>, path);
  return { [shape.tagged]: c.tag, ...encodeObject(c.fields, c.rest, path) };
}

function encodeObject(fields: Record<string, Shape>, v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new WireShapeError(path, 'an object', v);
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const [k, s] of Object.entries(fields)) {
    const name = k.endsWith('?') ? k.slice(0, -1) : k;
    known.add(name);
    if (v[name] !== undefined) out[name] = encode(s, v[name], `${path}.${name}`);
  }
  // Derived on the suite's side (events of a guest outcome's log): not sent.
  const extra = Object.keys(v).find((k) => !known.has(k) && k !== 'events' && v[k] !== undefined);
  if (extra !== undefined) throw new WireShapeError(`${path}.${extra}`, 'a field the wire shape lists (shapes.ts is missing it)', v[extra]);
  return out;
}

export function describeShape(s: Shape): string {
  if (typeof s === 'string') {
    return { u64: 'a 64-bit hex string', num: 'a number', str: 'a string', bool: 'true or false', bytes: 'hex bytes', errno: 'an errno name', regs: 'registers',
      'kernel-log': '{ lines, complete }', topology: '{ cpus, packages, packageOf }' }[s];
  }
  if ('arr' in s) return 'an array';
  if ('nullable' in s) return `${describeShape(s.nullable)} or null`;
  if ('oneOf' in s) return `one of ${s.oneOf.join(', ')}`;
  return 'an object';
}
