/**
 * The kernel-interface seam on this machine: files through Node's fs (bounded, never blocking on
 * a FIFO or a device that is not asked for), the kernel log from /dev/kmsg or, failing that,
 * dmesg or journalctl, ioctls and ioctl memory through koffi (ffi.ts), and instruction sequences
 * in a child process (insn-child.js). Nothing here writes unless a caller asks it to write.
 *
 * `root` prefixes every path, so tests can point file reads at a fake tree.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errnoName, isErrnoName } from '../../../spec/abi/errno';
import {
  sysErr, sysOk, type FileStat, type FileType, type Fd, type InstructionRun, type IoctlArg, type IoctlOptions, type KernelInterface,
  type SysResult, type UserBuffer,
} from '../../kernel-interface';
import { unobservable } from '../../port';
import { splitLines } from '../../common/kernel-log';
import { journalToLines, kmsgToLines } from '../log-sources';
import { libc } from './ffi';

/** Files larger than this are read only up to it (a kernel log of 100,000 lines is about 10 MB). */
export const READ_LIMIT = 64 * 1024 * 1024;
const COMMAND_TIMEOUT_MS = 10_000;
const INSN_TIMEOUT_MS = 10_000;

function errnoOf<T>(e: unknown): SysResult<T> {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return isErrnoName(code) ? sysErr(code, (e as Error).message) : sysErr('EIO', `${code}: ${(e as Error).message}`);
}

function typeOf(s: import('node:fs').Stats): FileType {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isCharacterDevice()) return 'char';
  if (s.isBlockDevice()) return 'block';
  if (s.isFIFO()) return 'fifo';
  if (s.isSymbolicLink()) return 'link';
  return 'socket';
}

class NativeBuffer implements UserBuffer {
  readonly pointers = new Map<number, { target: UserBuffer; delta: number }>();
  constructor(readonly addr: bigint, readonly bytes: Buffer) {}
  get size(): number {
    return this.bytes.length;
  }
  setPointer(offset: number, target: UserBuffer, delta = 0): void {
    this.bytes.writeBigUInt64LE(target.addr + BigInt(delta), offset);
    this.pointers.set(offset, { target, delta });
  }
}

export class ThisMachine implements KernelInterface {
  readonly describe: string;

  constructor(private readonly root = '/', private readonly commandPath?: string) {
    this.describe = root === '/' ? 'this machine' : `this machine (files under ${root})`;
  }

  private at(path: string): string {
    return this.root === '/' ? path : join(this.root, path);
  }

  read(path: string, opts: { offset?: bigint; length?: number } = {}): SysResult<Buffer> {
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO or a terminal never keeps the suite waiting.
      fd = openSync(this.at(path), constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      return errnoOf(e);
    }
    try {
      const st = fstatSync(fd);
      if (st.isFIFO() || st.isSocket()) return sysErr('EINVAL', `${path} is a ${st.isFIFO() ? 'FIFO' : 'socket'}, not a file`);
      const want = opts.length ?? READ_LIMIT;
      const chunks: Buffer[] = [];
      let total = 0;
      let pos: bigint | null = opts.offset ?? null;
      while (total < want) {
        const b = Buffer.alloc(Math.min(want - total, 1 << 20));
        // /dev/cpu/N/msr and cpuid take the register number as the file position (a 64-bit offset).
        const n = readSync(fd, b, 0, b.length, pos);
        if (n === 0) break;
        chunks.push(b.subarray(0, n));
        total += n;
        if (pos !== null) pos += BigInt(n);
        if (opts.length !== undefined) break; // device reads return one record
      }
      return sysOk(Buffer.concat(chunks));
    } catch (e) {
      return errnoOf(e);
    } finally {
      closeSync(fd);
    }
  }

  write(path: string, data: Buffer, opts: { offset?: bigint } = {}): SysResult<number> {
    let fd: number;
    try {
      fd = openSync(this.at(path), constants.O_WRONLY | constants.O_NONBLOCK | (opts.offset === undefined ? constants.O_TRUNC : 0));
    } catch (e) {
      return errnoOf(e);
    }
    try {
      return sysOk(writeSync(fd, data, 0, data.length, opts.offset === undefined ? null : Number(opts.offset)));
    } catch (e) {
      return errnoOf(e);
    } finally {
      closeSync(fd);
    }
  }

  stat(path: string): SysResult<FileStat> {
    try {
      const s = lstatSync(this.at(path));
      return sysOk({ type: typeOf(s), mode: s.mode & 0o7777 });
    } catch (e) {
      return errnoOf(e);
    }
  }

  list(path: string): SysResult<string[]> {
    try {
      return sysOk(readdirSync(this.at(path)).sort());
    } catch (e) {
      return errnoOf(e);
    }
  }

  mkdir(path: string): SysResult<void> {
    try {
      mkdirSync(this.at(path));
      return sysOk(undefined);
    } catch (e) {
      return errnoOf(e);
    }
  }

  rmdir(path: string): SysResult<void> {
    try {
      rmdirSync(this.at(path));
      return sysOk(undefined);
    } catch (e) {
      return errnoOf(e);
    }
  }

  /** /dev/kmsg first (every record, with the boot-relative time), then dmesg, then the journal. */
  kernelLog(): SysResult<{ text: string; source: string }> {
    const tried: string[] = [];
    const kmsg = this.readKmsg();
    if (kmsg.ok && kmsg.text.trim()) return sysOk({ text: kmsgToLines([kmsg.text]).join('\n') + '\n', source: '/dev/kmsg' });
    tried.push(`/dev/kmsg: ${kmsg.ok ? 'empty' : kmsg.error}`);
    const dmesg = this.command(['dmesg']);
    if (dmesg.ok && dmesg.text.trim()) return sysOk({ text: splitLines(dmesg.text).join('\n') + '\n', source: 'dmesg' });
    tried.push(`dmesg: ${dmesg.ok ? 'empty' : dmesg.error}`);
    const journal = this.command(['journalctl', '-k', '-b', '-o', 'short-monotonic', '--no-pager', '-q']);
    if (journal.ok && journal.text.trim()) return sysOk({ text: journalToLines(journal.text).join('\n') + '\n', source: 'journalctl -k' });
    tried.push(`journalctl -k: ${journal.ok ? 'empty' : journal.error}`);
    return sysErr('EPERM', tried.join('; '));
  }

  private readKmsg(): { ok: true; text: string } | { ok: false; error: string } {
    let fd: number;
    try {
      fd = openSync(this.at('/dev/kmsg'), constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      return { ok: false, error: (e as NodeJS.ErrnoException).code ?? String(e) };
    }
    const records: string[] = [];
    const buf = Buffer.alloc(8192);
    let bytes = 0;
    try {
      // One record per read(); EAGAIN ends the buffer; EPIPE means records were overwritten meanwhile.
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') break;
          if (code === 'EPIPE') continue;
          return { ok: false, error: code ?? String(e) };
        }
        if (n === 0) break;
        records.push(buf.subarray(0, n).toString('utf8'));
        bytes += n;
        if (bytes > READ_LIMIT) break;
      }
    } finally {
      closeSync(fd);
    }
    return { ok: true, text: records.join('') };
  }

  private command(argv: string[]): { ok: true; text: string } | { ok: false; error: string } {
    const r = spawnSync(argv[0], argv.slice(1), {
      timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8', maxBuffer: READ_LIMIT, shell: false,
      env: { ...process.env, ...(this.commandPath ? { PATH: this.commandPath } : {}), LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.error) return { ok: false, error: (r.error as NodeJS.ErrnoException).code ?? r.error.message };
    if (r.status !== 0) return { ok: false, error: `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n')[0]}` };
    return { ok: true, text: r.stdout };
  }

  open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    try {
      return sysOk(openSync(this.at(path), (mode === 'rw' ? constants.O_RDWR : constants.O_RDONLY) | constants.O_NONBLOCK));
    } catch (e) {
      return errnoOf(e);
    }
  }

  close(fd: Fd): void {
    try {
      closeSync(fd);
    } catch {
      // already closed: nothing to release
    }
  }

  alloc(size: number): UserBuffer {
    const c = libc();
    if ('unavailable' in c) throw new Error(c.unavailable);
    const m = c.alloc(size);
    return new NativeBuffer(m.addr, m.bytes);
  }

  ioctl(fd: Fd, request: number, arg: IoctlArg, _opts?: IoctlOptions): SysResult<number> {
    const c = libc();
    if ('unavailable' in c) return unobservable(c.unavailable);
    const value = typeof arg === 'object' ? arg.addr : BigInt(arg);
    const r = c.ioctl(fd, request, value);
    if (r.ret >= 0) return sysOk(r.ret);
    const name = errnoName(r.errno);
    return name ? sysErr(name) : sysErr('EIO', `errno ${r.errno}`);
  }

  runInstructions(code: Uint8Array, input: readonly bigint[] = []): SysResult<InstructionRun> {
    const c = libc();
    if ('unavailable' in c) return unobservable(c.unavailable);
    const r = spawnSync(process.execPath, [join(__dirname, 'insn-child.js'), Buffer.from(code).toString('hex'), input.map((v) => v.toString(16)).join(',')], {
      // Stryker disable next-line ArrayDeclaration: [] makes stdin a pipe as well, closed at once by spawnSync; insn-child.js never reads stdin (equivalent)
      timeout: INSN_TIMEOUT_MS, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.error) return sysErr('EIO', `the instruction runner could not start: ${r.error.message}`);
    if (r.signal) return sysOk({ ended: 'signal', signal: r.signal });
    if (r.status === 3) return sysErr('EPERM', `an executable mapping was refused (${r.stderr.trim()})`);
    if (r.status !== 0) return sysErr('EIO', `the instruction runner failed: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    const words = JSON.parse(r.stdout) as string[];
    return sysOk({ ended: 'returned', out: words.map((h) => BigInt('0x' + h)) });
  }
}
