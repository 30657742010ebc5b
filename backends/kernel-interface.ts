/**
 * The kernel-interface seam: everything the linux backend does to a machine goes through this
 * interface, and only through it. It is what a root process sees of a Linux kernel: files
 * (procfs, sysfs, configfs, /dev/cpu/N/*), the kernel log, ioctls on device files with arguments
 * in user memory, and short instruction sequences run in a child process.
 *
 * Implementations: this machine (backends/linux/real), the emulated machine of an emulator
 * profile (backends/emulator/machine), and the recorder and replayer of captures
 * (backends/linux/capture). Errors are the kernel's: an errno by name, never an exception.
 * A replayer that has no record of an operation answers `Unobservable` with the reason.
 */
import type { ErrnoName } from '../spec/abi/errno';
import type { Unobservable } from './port';

/** What a system call returned: a value, or the errno it failed with. */
export type SysResult<T> = { ok: true; value: T } | { ok: false; errno: ErrnoName; detail?: string } | Unobservable;

export const sysOk = <T>(value: T): SysResult<T> => ({ ok: true, value });
export const sysErr = <T = never>(errno: ErrnoName, detail?: string): SysResult<T> => (detail ? { ok: false, errno, detail } : { ok: false, errno });

/** A file descriptor the interface handed out (its number means nothing outside the interface). */
export type Fd = number;

export type FileType = 'file' | 'dir' | 'char' | 'block' | 'fifo' | 'link' | 'socket';

export interface FileStat {
  type: FileType;
  /** Permission bits (0o444 for a read-only sysfs attribute). */
  mode: number;
}

/**
 * Memory of the calling process that an ioctl argument points to. `bytes` is a live view: what
 * the kernel writes during an ioctl shows there afterwards. Pointer fields inside the buffer are
 * set with `setPointer`, so that recorders and the emulated machine know where they are.
 */
export interface UserBuffer {
  readonly addr: bigint;
  readonly size: number;
  readonly bytes: Buffer;
  /** Store the address of `target` (plus `delta`) as a little-endian u64 at `offset`. */
  setPointer(offset: number, target: UserBuffer, delta?: number): void;
  /** Offsets of the pointer fields set so far, with what they point to. */
  readonly pointers: ReadonlyMap<number, { target: UserBuffer; delta: number }>;
}

/** An ioctl argument: an integer, or the address of a buffer. */
export type IoctlArg = number | bigint | UserBuffer;

export interface IoctlOptions {
  /** The ioctl returns a new file descriptor on success (KVM_CREATE_VM, KVM_CREATE_VCPU...). */
  returnsFd?: boolean;
}

/** How a short instruction sequence run in a child process ended. */
export type InstructionRun =
  /** It returned: the registers it stored (the sequence's own convention, see insn-sequences). */
  | { ended: 'returned'; out: bigint[] }
  /** A signal ended the child (SIGILL for #UD, SIGSEGV for #GP or an unhandled #VE...). */
  | { ended: 'signal'; signal: string };

export interface KernelInterface {
  /** What is behind the interface, for reports: "this machine", "emulated machine of P", "capture D". */
  readonly describe: string;
  /** Read up to `length` bytes (default: the whole file, up to a limit) at `offset`. */
  read(path: string, opts?: { offset?: bigint; length?: number }): SysResult<Buffer>;
  write(path: string, data: Buffer, opts?: { offset?: bigint }): SysResult<number>;
  stat(path: string): SysResult<FileStat>;
  list(path: string): SysResult<string[]>;
  mkdir(path: string): SysResult<void>;
  rmdir(path: string): SysResult<void>;
  /** The kernel log as `dmesg` prints it (one record per line, with timestamps), and where it came from. */
  kernelLog(): SysResult<{ text: string; source: string }>;
  open(path: string, mode: 'r' | 'rw'): SysResult<Fd>;
  close(fd: Fd): void;
  /** Memory for ioctl arguments; zero-filled; page-aligned when `size` is a multiple of 4096. */
  alloc(size: number): UserBuffer;
  /** ioctl(fd, request, arg): the non-negative return value (or a new fd, see IoctlOptions). */
  ioctl(fd: Fd, request: number, arg: IoctlArg, opts?: IoctlOptions): SysResult<number>;
  /**
   * Run machine code in a child process: `code` is called as `void f(uint64_t *io)` with `io`
   * holding `input` (8 words), and the child reports the 8 words after the call, or the signal
   * that ended it. The machine is never changed by it beyond what the code itself does.
   */
  runInstructions(code: Uint8Array, input?: readonly bigint[]): SysResult<InstructionRun>;
}

/** Little helpers every user of the interface needs. */
export const isOk = <T>(r: SysResult<T>): r is { ok: true; value: T } => 'ok' in r && r.ok;
export const isErr = <T>(r: SysResult<T>): r is { ok: false; errno: ErrnoName; detail?: string } => 'ok' in r && !r.ok;

/** The text of a file, or null when it cannot be read (for optional nodes). */
export function readText(ki: KernelInterface, path: string): SysResult<string> {
  const r = ki.read(path);
  return isOk(r) ? sysOk(r.value.toString('utf8')) : r;
}
