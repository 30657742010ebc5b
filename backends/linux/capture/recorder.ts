/**
 * The recorder: a kernel-interface seam that passes every operation to the machine behind it and
 * writes down the operation and the answer (transcript.ts). One recorder collects many sessions,
 * one per scenario, each from a fresh seam of the same machine.
 */
import {
  type Fd, type FileStat, type InstructionRun, type IoctlArg, type IoctlOptions, type KernelInterface, type SysResult, type UserBuffer,
} from '../../kernel-interface';
import { isUnobservable } from '../../port';
import {
  reachable, runOp, SessionNames, storeRun, TRANSCRIPT_FORMAT, TRANSCRIPT_FORMAT_VERSION, type Answer, type MemoryWrite, type Op, type Transcript,
  type TranscriptNode,
} from './transcript';

function answerOf<T>(r: SysResult<T>, ok: (v: T) => Answer): Answer {
  if (isUnobservable(r)) return { unobservable: r.unobservable };
  if (!r.ok) return r.detail ? { ok: false, errno: r.errno, detail: r.detail } : { ok: false, errno: r.errno };
  return ok(r.value);
}

export class TranscriptRecorder {
  private readonly nodes: TranscriptNode[] = [];
  private readonly index = new Map<string, TranscriptNode>();
  private sessions = 0;

  constructor(readonly machine: string) {}

  /** A fresh session over `inner`: every operation through it is recorded. */
  session(inner: KernelInterface): KernelInterface {
    this.sessions++;
    return new RecordingSession(inner, this);
  }

  /** Add one answered operation under `parent`; returns the node's id, the next parent. */
  add(parent: number | null, op: Op, answer: Answer, writes?: MemoryWrite[]): number {
    const key = JSON.stringify(op);
    const at = `${parent ?? ''}|${key}`;
    const found = this.index.get(at);
    if (found) {
      if (JSON.stringify([found.answer, found.writes ?? []]) !== JSON.stringify([answer, writes ?? []])) found.varies = true;
      return found.id;
    }
    const node: TranscriptNode = { id: this.nodes.length, parent, key, answer, ...(writes?.length ? { writes } : {}) };
    this.nodes.push(node);
    this.index.set(at, node);
    return node.id;
  }

  transcript(): Transcript {
    return { format: TRANSCRIPT_FORMAT, formatVersion: TRANSCRIPT_FORMAT_VERSION, machine: this.machine, sessions: this.sessions, nodes: this.nodes };
  }
}

class RecordingSession implements KernelInterface {
  readonly describe: string;
  private readonly names = new SessionNames();
  private at: number | null = null;

  constructor(private readonly inner: KernelInterface, private readonly rec: TranscriptRecorder) {
    this.describe = `${inner.describe} (recorded)`;
  }

  private note<T>(op: Op, r: SysResult<T>, ok: (v: T) => Answer, writes?: MemoryWrite[]): SysResult<T> {
    this.at = this.rec.add(this.at, op, answerOf(r, ok), writes);
    return r;
  }

  read(path: string, opts: { offset?: bigint; length?: number } = {}): SysResult<Buffer> {
    const op: Op = { op: 'read', path: this.names.path(path), ...(opts.offset !== undefined ? { offset: `0x${opts.offset.toString(16)}` } : {}), ...(opts.length !== undefined ? { length: opts.length } : {}) };
    return this.note(op, this.inner.read(path, opts), (v) => ({ ok: true, kind: 'bytes', base64: v.toString('base64') }));
  }

  write(path: string, data: Buffer, opts: { offset?: bigint } = {}): SysResult<number> {
    const op: Op = { op: 'write', path: this.names.path(path), data: data.toString('base64'), ...(opts.offset !== undefined ? { offset: `0x${opts.offset.toString(16)}` } : {}) };
    return this.note(op, this.inner.write(path, data, opts), (value) => ({ ok: true, kind: 'number', value }));
  }

  stat(path: string): SysResult<FileStat> {
    return this.note({ op: 'stat', path: this.names.path(path) }, this.inner.stat(path), (stat) => ({ ok: true, kind: 'stat', stat }));
  }

  list(path: string): SysResult<string[]> {
    return this.note({ op: 'list', path: this.names.path(path) }, this.inner.list(path), (names) => ({ ok: true, kind: 'names', names }));
  }

  mkdir(path: string): SysResult<void> {
    return this.note({ op: 'mkdir', path: this.names.path(path) }, this.inner.mkdir(path), () => ({ ok: true, kind: 'void' }));
  }

  rmdir(path: string): SysResult<void> {
    return this.note({ op: 'rmdir', path: this.names.path(path) }, this.inner.rmdir(path), () => ({ ok: true, kind: 'void' }));
  }

  kernelLog(): SysResult<{ text: string; source: string }> {
    return this.note({ op: 'kernelLog' }, this.inner.kernelLog(), (v) => ({ ok: true, kind: 'log', text: v.text, source: v.source }));
  }

  open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    return this.note({ op: 'open', path: this.names.path(path), mode }, this.inner.open(path, mode), (fd) => ({ ok: true, kind: 'fd', fd: this.names.fdName(fd) }));
  }

  close(fd: Fd): void {
    this.inner.close(fd);
    this.at = this.rec.add(this.at, { op: 'close', fd: this.names.fdName(fd) }, { ok: true, kind: 'void' });
  }

  alloc(size: number): UserBuffer {
    const b = this.inner.alloc(size);
    this.names.addBuffer(b);
    return b;
  }

  ioctl(fd: Fd, request: number, arg: IoctlArg, opts: IoctlOptions = {}): SysResult<number> {
    const op = this.names.ioctlOp(fd, request, arg, !!opts.returnsFd);
    const buffers = reachable(arg);
    const before = buffers.map((b) => Buffer.from(b.bytes));
    const r = this.inner.ioctl(fd, request, arg, opts);
    const writes: MemoryWrite[] = [];
    buffers.forEach((b, i) => {
      if (b.bytes.equals(before[i])) return;
      const bytes = Buffer.from(b.bytes);
      const pointers: MemoryWrite['pointers'] = [];
      for (const [off, p] of b.pointers) {
        pointers.push([off, this.names.bufferName(p.target), (bytes.readBigUInt64LE(off) - p.target.addr).toString()]);
        bytes.fill(0, off, off + 8);
      }
      writes.push({ buf: this.names.bufferName(b), base64: bytes.toString('base64'), pointers });
    });
    const returnsFd = !!opts.returnsFd;
    return this.note(op, r, (v) => (returnsFd ? { ok: true, kind: 'fd', fd: this.names.fdName(v) } : { ok: true, kind: 'number', value: v }), writes);
  }

  runInstructions(code: Uint8Array, input?: readonly bigint[]): SysResult<InstructionRun> {
    return this.note(runOp(code, input), this.inner.runInstructions(code, input), storeRun);
  }
}

