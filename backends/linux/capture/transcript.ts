/**
 * Transcripts: what a machine answered through the kernel-interface seam, scenario by scenario,
 * so that a capture can answer the same scenarios later, anywhere.
 *
 * Every scenario starts from a fresh seam, so what it sees is a sequence of operations, each
 * answered in turn. Sequences are merged into a tree keyed by the operation in canonical form:
 * buffers are named by the order the scenario allocated them, their contents by SHA-256, with
 * pointer fields replaced by which buffer they point into; file descriptors keep their numbers. Replaying walks
 * the tree: the same operation in the same place gets the recorded answer; anything else is "not
 * in the capture". Where two scenarios saw different answers to the same sequence (a live machine
 * changed in between), the answer is kept as "varies" and never replayed as if it were certain.
 */
import { createHash } from 'node:crypto';
import type { ErrnoName } from '../../../spec/abi/errno';
import type { Fd, FileStat, InstructionRun, IoctlArg, UserBuffer } from '../../kernel-interface';

export const TRANSCRIPT_FORMAT = 'tdx-conformance-transcript';
export const TRANSCRIPT_FORMAT_VERSION = 1;

/** A buffer in canonical form: its ordinal in the session, size, content hash and pointer fields. */
export interface BufferKey {
  buf: number;
  size: number;
  sha256: string;
  pointers: [offset: number, target: number, delta: number][];
}

/** An operation in canonical form (the key of a tree node, as JSON). */
export type Op =
  | { op: 'read'; path: string; offset?: string; length?: number }
  | { op: 'write'; path: string; data: string; offset?: string }
  | { op: 'stat' | 'list' | 'mkdir' | 'rmdir'; path: string }
  | { op: 'kernelLog' }
  | { op: 'open'; path: string; mode: 'r' | 'rw' }
  | { op: 'close'; fd: number }
  | { op: 'ioctl'; fd: number; request: string; arg: string | number; memory: BufferKey[]; returnsFd: boolean }
  | { op: 'run'; code: string; input: string[] };

/** What the operation returned, in stored form. */
export type Answer =
  | { ok: true; kind: 'bytes'; base64: string }
  | { ok: true; kind: 'number'; value: number }
  | { ok: true; kind: 'fd'; fd: number }
  | { ok: true; kind: 'void' }
  | { ok: true; kind: 'stat'; stat: FileStat }
  | { ok: true; kind: 'names'; names: string[] }
  | { ok: true; kind: 'log'; text: string; source: string }
  | { ok: true; kind: 'run'; run: { ended: 'returned'; out: string[] } | { ended: 'signal'; signal: string } }
  | { ok: false; errno: ErrnoName; detail?: string }
  | { unobservable: string };

/** Bytes the kernel wrote into a buffer during an ioctl (pointer fields relative to their target). */
export interface MemoryWrite {
  buf: number;
  base64: string;
  pointers: [offset: number, target: number, delta: string][];
}

export interface TranscriptNode {
  id: number;
  parent: number | null;
  /** The operation (Op as JSON): readable on its own. */
  key: string;
  answer: Answer;
  writes?: MemoryWrite[];
  /** Scenarios saw different answers here: never replayed. */
  varies?: true;
}

export interface Transcript {
  format: typeof TRANSCRIPT_FORMAT;
  formatVersion: number;
  /** What answered (the seam's own description). */
  machine: string;
  sessions: number;
  nodes: TranscriptNode[];
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The buffers an ioctl argument reaches through its pointer fields, the argument first. */
export function reachable(arg: IoctlArg): UserBuffer[] {
  if (typeof arg !== 'object') return [];
  const seen: UserBuffer[] = [];
  const visit = (b: UserBuffer): void => {
    if (seen.includes(b)) return;
    seen.push(b);
    for (const p of b.pointers.values()) visit(p.target);
  };
  visit(arg);
  return seen;
}

/** A buffer's bytes with its pointer fields zeroed: the same content gives the same hash anywhere. */
function withoutPointers(b: UserBuffer): Buffer {
  const copy = Buffer.from(b.bytes);
  for (const off of b.pointers.keys()) copy.fill(0, off, off + 8);
  return copy;
}

let zeros = Buffer.alloc(0);
const zeroHashes = new Map<number, string>();

/**
 * The SHA-256 of withoutPointers(b). Guest memory is megabytes of zeros in most scenarios: such a
 * buffer is recognised by comparison (no copy) and its hash, the same for every buffer of its
 * size, is computed once.
 */
function contentHash(b: UserBuffer): string {
  // A buffer whose contents were never used is all zeros (user-memory.ts): nothing to compare.
  if ((b as { untouched?: boolean }).untouched === true) return zeroHash(b.size);
  const bytes = b.bytes;
  if (zeros.length < bytes.length) zeros = Buffer.alloc(bytes.length);
  let at = 0;
  for (const end of [...[...b.pointers.keys()].sort((x, y) => x - y), bytes.length]) {
    if (end > at && Buffer.compare(bytes.subarray(at, end), zeros.subarray(0, end - at)) !== 0) return sha256(withoutPointers(b));
    at = Math.max(at, end + 8);
  }
  return zeroHash(bytes.length);
}

function zeroHash(size: number): string {
  let h = zeroHashes.get(size);
  if (h === undefined) {
    if (zeros.length < size) zeros = Buffer.alloc(size);
    zeroHashes.set(size, (h = sha256(zeros.subarray(0, size))));
  }
  return h;
}

/**
 * Names a session gives its buffers: the order it allocated them. File descriptors keep their
 * numbers (a replay hands out the recorded ones), since structures carry them too (a memory
 * slot's guest_memfd).
 */
export class SessionNames {
  private readonly buffers = new Map<UserBuffer, number>();
  private readonly byOrdinal: UserBuffer[] = [];

  private readonly uniqueNames = new Map<string, string>();

  fdName(fd: Fd): number {
    return fd;
  }

  /**
   * A path in canonical form: names the suite makes unique with its process id and a counter
   * (configfs-tsm report items, tdx-conformance-<pid>-<n>) become the order the session made them.
   */
  path(p: string): string {
    return p.replace(/tdx-conformance-\d+-\d+/g, (name) => {
      let n = this.uniqueNames.get(name);
      if (n === undefined) this.uniqueNames.set(name, (n = `tdx-conformance-item${this.uniqueNames.size}`));
      return n;
    });
  }

  addBuffer(b: UserBuffer): number {
    const n = this.byOrdinal.length;
    this.buffers.set(b, n);
    this.byOrdinal.push(b);
    return n;
  }

  bufferName(b: UserBuffer): number {
    const n = this.buffers.get(b);
    if (n === undefined) throw new Error('a buffer the seam did not allocate was passed to an ioctl');
    return n;
  }

  buffer(n: number): UserBuffer | undefined {
    return this.byOrdinal[n];
  }

  bufferKey(b: UserBuffer): BufferKey {
    return {
      buf: this.bufferName(b),
      size: b.size,
      sha256: contentHash(b),
      pointers: [...b.pointers].map(([off, p]) => [off, this.bufferName(p.target), p.delta]),
    };
  }

  ioctlOp(fd: Fd, request: number, arg: IoctlArg, returnsFd: boolean): Op {
    const a = typeof arg === 'object' ? `buf${this.bufferName(arg)}` : typeof arg === 'bigint' ? `0x${arg.toString(16)}` : arg;
    return { op: 'ioctl', fd: this.fdName(fd), request: `0x${(request >>> 0).toString(16)}`, arg: a, memory: reachable(arg).map((b) => this.bufferKey(b)), returnsFd };
  }
}

export const runOp = (code: Uint8Array, input: readonly bigint[] = []): Op => ({ op: 'run', code: sha256(code), input: input.map((v) => `0x${v.toString(16)}`) });

export const storeRun = (r: InstructionRun): Answer =>
  ({ ok: true, kind: 'run', run: r.ended === 'returned' ? { ended: 'returned', out: r.out.map((v) => `0x${v.toString(16)}`) } : r });

export const loadRun = (a: Extract<Answer, { kind: 'run' }>): InstructionRun =>
  (a.run.ended === 'returned' ? { ended: 'returned', out: a.run.out.map((v) => BigInt(v)) } : a.run);

/** A short description of an operation, for "not in the capture" reasons. */
export function describeOp(op: Op): string {
  switch (op.op) {
    case 'ioctl':
      return `ioctl ${op.request} on descriptor #${op.fd}`;
    case 'run':
      return 'an instruction sequence';
    case 'kernelLog':
      return 'the kernel log';
    case 'close':
      return `close of descriptor #${op.fd}`;
    default:
      return `${op.op} ${op.path}`;
  }
}
