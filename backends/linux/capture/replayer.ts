/**
 * The replayer: a kernel-interface seam that answers from a transcript (transcript.ts). Each
 * session starts at the root, as each scenario started from a fresh seam when it was recorded.
 * An operation the capture never saw at that point, or one whose answer varied, is answered
 * `Unobservable` with the reason, and so is everything after it in the session: the machine's
 * state from there on is unknown.
 */
import { UserMemory } from '../../common/user-memory';
import { sysErr, sysOk, type Fd, type FileStat, type InstructionRun, type IoctlArg, type IoctlOptions, type KernelInterface, type SysResult, type UserBuffer } from '../../kernel-interface';
import { unobservable } from '../../port';
import { describeOp, loadRun, runOp, SessionNames, type Answer, type Op, type Transcript, type TranscriptNode } from './transcript';

export class TranscriptIndex {
  private readonly children = new Map<string, TranscriptNode>();

  constructor(readonly transcript: Transcript, readonly origin: string) {
    for (const n of transcript.nodes) this.children.set(`${n.parent ?? ''}|${n.key}`, n);
  }

  child(parent: number | null, op: Op): TranscriptNode | undefined {
    return this.children.get(`${parent ?? ''}|${JSON.stringify(op)}`);
  }

  /** A fresh session, as a scenario gets a fresh machine. */
  session(): KernelInterface {
    return new ReplaySession(this);
  }
}

type Answered<T> = SysResult<T>;
type OkAnswer = Extract<Answer, { ok: true }>;

class ReplaySession implements KernelInterface {
  readonly describe: string;
  private readonly mem = new UserMemory();
  private readonly names = new SessionNames();
  private at: number | null = null;
  private lost: string | null = null;

  constructor(private readonly index: TranscriptIndex) {
    this.describe = `replay of ${index.origin}`;
  }

  /** The recorded answer to `op` here, or why there is none. */
  private step(op: Op): TranscriptNode | { unobservable: string } {
    if (this.lost) return unobservable(this.lost);
    const node = this.index.child(this.at, op);
    if (!node) {
      this.lost = `not in the capture: ${describeOp(op)} at this point of a scenario (${this.index.origin})`;
      return unobservable(this.lost);
    }
    if (node.varies) {
      this.lost = `the capture saw different answers to ${describeOp(op)} at this point of a scenario`;
      return unobservable(this.lost);
    }
    this.at = node.id;
    return node;
  }

  private answer<T>(op: Op, ok: (a: OkAnswer) => T): Answered<T> {
    const n = this.step(op);
    if ('unobservable' in n) return n;
    const a = n.answer;
    if ('unobservable' in a) return unobservable(a.unobservable);
    // The kernel writes back on failure too (nent on E2BIG, hw_error on a module error).
    for (const w of n.writes ?? []) this.apply(w);
    if (!a.ok) return sysErr(a.errno, a.detail);
    return sysOk(ok(a as OkAnswer));
  }

  private apply(w: NonNullable<TranscriptNode['writes']>[number]): void {
    const b = this.names.buffer(w.buf);
    if (!b) return;
    Buffer.from(w.base64, 'base64').copy(b.bytes);
    for (const [off, target, delta] of w.pointers) {
      const t = this.names.buffer(target);
      if (t) b.bytes.writeBigUInt64LE(t.addr + BigInt(delta), off);
    }
  }

  read(path: string, opts: { offset?: bigint; length?: number } = {}): SysResult<Buffer> {
    const op: Op = { op: 'read', path: this.names.path(path), ...(opts.offset !== undefined ? { offset: `0x${opts.offset.toString(16)}` } : {}), ...(opts.length !== undefined ? { length: opts.length } : {}) };
    return this.answer(op, (a) => Buffer.from((a as { base64: string }).base64, 'base64'));
  }

  write(path: string, data: Buffer, opts: { offset?: bigint } = {}): SysResult<number> {
    const op: Op = { op: 'write', path: this.names.path(path), data: data.toString('base64'), ...(opts.offset !== undefined ? { offset: `0x${opts.offset.toString(16)}` } : {}) };
    return this.answer(op, (a) => (a as { value: number }).value);
  }

  stat(path: string): SysResult<FileStat> {
    return this.answer({ op: 'stat', path: this.names.path(path) }, (a) => (a as { stat: FileStat }).stat);
  }

  list(path: string): SysResult<string[]> {
    return this.answer({ op: 'list', path: this.names.path(path) }, (a) => (a as { names: string[] }).names);
  }

  mkdir(path: string): SysResult<void> {
    return this.answer({ op: 'mkdir', path: this.names.path(path) }, () => undefined);
  }

  rmdir(path: string): SysResult<void> {
    return this.answer({ op: 'rmdir', path: this.names.path(path) }, () => undefined);
  }

  kernelLog(): SysResult<{ text: string; source: string }> {
    return this.answer({ op: 'kernelLog' }, (a) => ({ text: (a as { text: string }).text, source: (a as { source: string }).source }));
  }

  open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    return this.answer({ op: 'open', path: this.names.path(path), mode }, (a) => this.fd((a as { fd: number }).fd));
  }

  close(fd: Fd): void {
    this.step({ op: 'close', fd: this.names.fdName(fd) });
  }

  alloc(size: number): UserBuffer {
    const b = this.mem.alloc(size);
    this.names.addBuffer(b);
    return b;
  }

  ioctl(fd: Fd, request: number, arg: IoctlArg, opts: IoctlOptions = {}): SysResult<number> {
    const returnsFd = !!opts.returnsFd;
    return this.answer(this.names.ioctlOp(fd, request, arg, returnsFd), (a) => (a.kind === 'fd' ? this.fd(a.fd) : (a as { value: number }).value));
  }

  runInstructions(code: Uint8Array, input?: readonly bigint[]): SysResult<InstructionRun> {
    return this.answer(runOp(code, input), (a) => loadRun(a as Extract<Answer, { kind: 'run' }>));
  }

  /** The recorded descriptor itself: later operations, and structures, name it alike. */
  private fd(recorded: number): Fd {
    return recorded;
  }
}
