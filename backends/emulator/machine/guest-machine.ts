/**
 * The emulated TD seen from inside, as a root process in a TD sees its kernel: the guest role of
 * the emulated machine (`run --target emulated-linux --role guest`). Its files (guest-files.ts),
 * the ioctls of /dev/tdx_guest (guest-ioctls.ts), processes running machine code
 * (guest-instructions.ts) and the kernel log all come from the scenario's emulated TD, which runs
 * the profile's guest section on the profile's module. The TD must boot: a TD whose kernel
 * stopped at boot runs no process to look at it.
 */
import type { ErrnoName } from '../../../spec/abi/errno';
import { UserMemory } from '../../common/user-memory';
import {
  sysErr, sysOk, type FileStat, type Fd, type InstructionRun, type IoctlArg, type IoctlOptions, type KernelInterface, type SysResult,
  type UserBuffer,
} from '../../kernel-interface';
import { TDX_GUEST_DEVICE } from '../../../spec/uapi/tdx-guest';
import { guestPlugin, runningTd } from '../facets/guest';
import { ProfileError } from '../profile';
import type { EmulatorScenario } from '../system';
import { guestIsDirectory, guestLookup, tsmItemName, type GuestMachineState } from './guest-files';
import { runInTd } from './guest-instructions';
import { tdxGuestDeviceIoctl } from './guest-ioctls';

/** Why the platform of a scenario can run no TD (no TDX module, too few KeyIDs), or null. */
export function noTd(scenario: EmulatorScenario): string | null {
  const r = guestPlugin.arrange?.(scenario, { kind: 'td-guest' });
  return r && !r.met ? r.reason : null;
}

export class EmulatedGuestMachine implements KernelInterface {
  readonly describe: string;
  readonly state: GuestMachineState;
  private readonly mem = new UserMemory();
  private readonly fds = new Map<Fd, string>();
  private nextFd = 3;

  constructor(readonly scenario: EmulatorScenario) {
    this.describe = `emulated TD guest of profile ${scenario.profile.name}`;
    const why = noTd(scenario);
    if (why) throw new ProfileError(scenario.profile.file, 'guest', `the platform runs no TD, so it has no guest to look at from inside: ${why}`);
    const { td } = runningTd(scenario);
    const boot = td.describe().boot;
    if (!boot.ok) throw new Error(`the emulated TD of profile ${scenario.profile.name} did not boot (${boot.panic}); check its guest section`);
    this.state = { td, guest: scenario.profile.guest, cpuModel: scenario.setup.platform.cpuModel };
  }

  read(path: string, opts: { offset?: bigint; length?: number } = {}): SysResult<Buffer> {
    const f = guestLookup(this.state, path);
    if (!f) return sysErr(guestIsDirectory(this.state, path) ? 'EISDIR' : 'ENOENT');
    if (!f.file.read || (f.file.mode & 0o444) === 0) return sysErr('EACCES');
    const r = f.file.read(this.state, f.groups, opts.offset, opts.length);
    if (!Buffer.isBuffer(r)) return sysErr(r.errno);
    if (f.file.type === 'char') return sysOk(r);
    const from = Number(opts.offset ?? 0n);
    return sysOk(r.subarray(from, opts.length === undefined ? undefined : from + opts.length));
  }

  write(path: string, data: Buffer, opts: { offset?: bigint } = {}): SysResult<number> {
    const f = guestLookup(this.state, path);
    if (!f) return sysErr(guestIsDirectory(this.state, path) ? 'EISDIR' : 'ENOENT');
    if (!f.file.write || (f.file.mode & 0o222) === 0) return sysErr('EACCES');
    // A binary sysfs attribute written at an offset reaches the driver with it: the RTMRs refuse it.
    if (opts.offset !== undefined && opts.offset !== 0n) return sysErr('EINVAL');
    const r = f.file.write(this.state, f.groups, data);
    return typeof r === 'number' ? sysOk(r) : sysErr(r.errno);
  }

  stat(path: string): SysResult<FileStat> {
    const f = guestLookup(this.state, path);
    if (f) return sysOk({ type: f.file.type, mode: f.file.mode });
    return guestIsDirectory(this.state, path) ? sysOk({ type: 'dir', mode: 0o755 }) : sysErr('ENOENT');
  }

  list(path: string): SysResult<string[]> {
    return guestIsDirectory(this.state, path) ? sysErr('EOPNOTSUPP', 'the emulated TD does not list directories') : sysErr('ENOTDIR');
  }

  mkdir(path: string): SysResult<void> {
    const name = tsmItemName(this.state, path);
    if (name === null) return sysErr(guestIsDirectory(this.state, path) ? 'EEXIST' : 'EPERM');
    const r = this.state.td.kernel.tsm!.mkdir(name);
    return r.ok ? sysOk(undefined) : sysErr(r.errno);
  }

  rmdir(path: string): SysResult<void> {
    const name = tsmItemName(this.state, path);
    if (name === null) return sysErr(guestIsDirectory(this.state, path) ? 'EBUSY' : 'ENOENT');
    const r = this.state.td.kernel.tsm!.rmdir(name);
    return r.ok ? sysOk(undefined) : sysErr(r.errno);
  }

  kernelLog(): SysResult<{ text: string; source: string }> {
    return sysOk({ text: this.state.td.logLines().join('\n') + '\n', source: 'dmesg' });
  }

  open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    const f = guestLookup(this.state, path);
    if (!f) return sysErr('ENOENT');
    if (mode === 'rw' && (f.file.mode & 0o200) === 0) return sysErr('EACCES');
    const fd = this.nextFd++;
    this.fds.set(fd, path);
    return sysOk(fd);
  }

  close(fd: Fd): void {
    this.fds.delete(fd);
  }

  alloc(size: number): UserBuffer {
    return this.mem.alloc(size);
  }

  ioctl(fd: Fd, request: number, arg: IoctlArg, _opts?: IoctlOptions): SysResult<number> {
    const path = this.fds.get(fd);
    if (path === undefined) return sysErr('EBADF');
    if (path !== TDX_GUEST_DEVICE) return sysErr('ENOTTY');
    const r = tdxGuestDeviceIoctl(this.state.td, this.mem, request, typeof arg === 'object' ? arg.addr : BigInt(arg));
    return 'errno' in r ? sysErr(r.errno as ErrnoName) : sysOk(r.ret);
  }

  runInstructions(code: Uint8Array, input?: readonly bigint[]): SysResult<InstructionRun> {
    return sysOk(runInTd(this.state.td, code, input));
  }
}
