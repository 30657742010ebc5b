/**
 * A kernel interface over a table of files, for unit tests of the linux backend: each path has a
 * text (or an errno) and a mode, directories are listed by their paths, and every call is
 * recorded. It answers the way the kernel's files do: a missing path is ENOENT, a write goes to
 * the table (or fails with the errno given for it).
 */
import type { ErrnoName } from '../../spec/abi/errno';
import { sysErr, sysOk, type FileStat, type InstructionRun, type IoctlArg, type KernelInterface, type SysResult, type UserBuffer } from '../../backends/kernel-interface';
import type { Unobservable } from '../../backends/port';

export interface FakeFile {
  text?: string | Buffer;
  errno?: ErrnoName;
  mode?: number;
  type?: FileStat['type'];
  /** stat() fails with this errno (the file may still be read: sysfs never does that, tests may). */
  statErrno?: ErrnoName;
  /** The interface cannot tell (a replay without a record). */
  unobservable?: string;
  /** A write fails with this errno. */
  writeErrno?: ErrnoName;
}

export class FakeKi implements KernelInterface {
  readonly describe = 'fake kernel interface';
  readonly calls: string[] = [];
  log: SysResult<{ text: string; source: string }> = sysErr('ENOENT');

  constructor(public readonly files: Record<string, FakeFile> = {}) {}

  private file(path: string): FakeFile | undefined {
    return this.files[path];
  }

  read(path: string, opts?: { offset?: bigint; length?: number }): SysResult<Buffer> {
    this.calls.push(`read ${path}${opts?.offset !== undefined ? `@${opts.offset}` : ''}${opts?.length !== undefined ? `+${opts.length}` : ''}`);
    const f = this.file(path);
    if (!f) return sysErr('ENOENT');
    if (f.unobservable) return { unobservable: f.unobservable } as Unobservable;
    if (f.errno) return sysErr(f.errno);
    return sysOk(Buffer.isBuffer(f.text) ? f.text : Buffer.from(f.text ?? ''));
  }

  write(path: string, data: Buffer): SysResult<number> {
    this.calls.push(`write ${path} ${data.toString('utf8')}`);
    const f = this.file(path);
    if (!f) return sysErr('ENOENT');
    if (f.unobservable) return { unobservable: f.unobservable } as Unobservable;
    if (f.writeErrno) return sysErr(f.writeErrno);
    f.text = data.toString('utf8');
    return sysOk(data.length);
  }

  stat(path: string): SysResult<FileStat> {
    this.calls.push(`stat ${path}`);
    const f = this.file(path);
    if (!f) return sysErr('ENOENT');
    if (f.unobservable) return { unobservable: f.unobservable } as Unobservable;
    if (f.statErrno) return sysErr(f.statErrno);
    return sysOk({ type: f.type ?? 'file', mode: f.mode ?? 0o444 });
  }

  list(path: string): SysResult<string[]> {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const names = Object.keys(this.files).filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]);
    return names.length ? sysOk([...new Set(names)]) : sysErr('ENOENT');
  }

  mkdir(_path: string): SysResult<void> { return sysErr('EPERM'); }
  rmdir(_path: string): SysResult<void> { return sysErr('EPERM'); }

  kernelLog(): SysResult<{ text: string; source: string }> {
    this.calls.push('kernelLog');
    return this.log;
  }

  open(_path: string, _mode: 'r' | 'rw'): SysResult<number> { return sysErr('ENOENT'); }
  close(_fd: number): void {}
  alloc(_size: number): UserBuffer { throw new Error('FakeKi: no memory for ioctls'); }
  ioctl(_fd: number, _request: number, _arg: IoctlArg): SysResult<number> { return sysErr('ENOTTY'); }
  runInstructions(_code: Uint8Array, _input?: readonly bigint[]): SysResult<InstructionRun> { return sysErr('ENOSYS'); }
}
