/**
 * The emulated machine: the emulator's model of one profile, seen through the kernel-interface
 * seam as a root process sees a real Linux machine. It is a layer on top of the model, not part
 * of it: files are rendered from the model's state (files.ts), the kernel log is the emulated
 * kernel's, and ioctls on /dev/kvm and its descriptors are decoded from the UAPI layouts into the
 * emulated KVM's calls (kvm-ioctls.ts). The machine has booted as a distribution boots: the kernel
 * came up with the profile's command line, and kvm_intel was loaded.
 *
 * The linux backend runs over it unchanged (target emulated-linux), which proves the real path in
 * CI. One machine per scenario, like every target.
 */
import type { ErrnoName } from '../../../spec/abi/errno';
import { UserMemory } from '../../common/user-memory';
import {
  sysErr, sysOk, type FileStat, type Fd, type InstructionRun, type IoctlArg, type IoctlOptions, type KernelInterface, type SysResult,
  type UserBuffer,
} from '../../kernel-interface';
import { unobservable } from '../../port';
import { emulatedKvm } from '../facets/kvm';
import type { EmulatorScenario } from '../system';
import { isDirectory, lookup } from './files';
import { kvmDeviceIoctl, vcpuIoctl, vmIoctl, type IoctlOutcome, type NewFd } from './kvm-ioctls';
import { machineState, type MachineState, type UserspaceConfig } from './state';

type OpenFile =
  | { kind: 'file'; path: string }
  | { kind: 'kvm' }
  | NewFd;

export class EmulatedMachine implements KernelInterface {
  readonly describe: string;
  readonly state: MachineState;
  private readonly mem = new UserMemory();
  private readonly fds = new Map<Fd, OpenFile>();
  private nextFd = 3;

  constructor(readonly scenario: EmulatorScenario, userspace: UserspaceConfig) {
    this.describe = `emulated machine of profile ${scenario.profile.name}`;
    const kvm = emulatedKvm(scenario);
    this.state = machineState(() => scenario.system().kernel, kvm, userspace);
    scenario.system();
    // A distribution loads kvm_intel at boot on a CPU with VMX; with kvm_intel.tdx=1 on the command
    // line, kernels up to v7.0 initialise the TDX module at that point.
    kvm.load();
  }

  read(path: string, opts: { offset?: bigint; length?: number } = {}): SysResult<Buffer> {
    const f = lookup(this.state, path);
    if (!f) return isDirectory(this.state, path) ? sysErr('EISDIR') : sysErr('ENOENT');
    if (!f.file.read) return sysErr('EINVAL');
    const r = f.file.read(this.state, f.groups, opts.offset, opts.length);
    if (!Buffer.isBuffer(r)) return sysErr(r.errno);
    if (f.file.type === 'char') return sysOk(r);
    const from = Number(opts.offset ?? 0n);
    return sysOk(r.subarray(from, opts.length === undefined ? undefined : from + opts.length));
  }

  write(path: string, data: Buffer): SysResult<number> {
    const f = lookup(this.state, path);
    if (!f) return sysErr(isDirectory(this.state, path) ? 'EISDIR' : 'ENOENT');
    if (!f.file.write) return sysErr((f.file.mode & 0o222) === 0 ? 'EACCES' : 'EINVAL');
    const r = f.file.write(this.state, f.groups, data);
    return typeof r === 'number' ? sysOk(r) : sysErr(r.errno);
  }

  stat(path: string): SysResult<FileStat> {
    const f = lookup(this.state, path);
    if (f) return sysOk({ type: f.file.type, mode: f.file.mode });
    return isDirectory(this.state, path) ? sysOk({ type: 'dir', mode: 0o755 }) : sysErr('ENOENT');
  }

  list(path: string): SysResult<string[]> {
    return isDirectory(this.state, path) ? sysErr('EOPNOTSUPP', 'the emulated machine does not list directories') : sysErr('ENOTDIR');
  }

  mkdir(path: string): SysResult<void> {
    return sysErr(isDirectory(this.state, path) ? 'EEXIST' : 'EPERM');
  }

  rmdir(path: string): SysResult<void> {
    return sysErr(isDirectory(this.state, path) ? 'EBUSY' : 'ENOENT');
  }

  kernelLog(): SysResult<{ text: string; source: string }> {
    return sysOk({ text: this.state.kernel.log.lines.join('\n') + '\n', source: 'dmesg' });
  }

  open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    const f = lookup(this.state, path);
    if (!f) return sysErr('ENOENT');
    if (mode === 'rw' && (f.file.mode & 0o200) === 0) return sysErr('EACCES');
    return sysOk(this.register(path === '/dev/kvm' ? { kind: 'kvm' } : { kind: 'file', path }));
  }

  private register(f: OpenFile): Fd {
    const fd = this.nextFd++;
    this.fds.set(fd, f);
    return fd;
  }

  /** Closing the last descriptor of a VM (the VM's and its vCPUs') destroys it, as KVM does. */
  close(fd: Fd): void {
    const f = this.fds.get(fd);
    this.fds.delete(fd);
    if (!f || f.kind === 'file' || f.kind === 'kvm') return;
    const vm = f.vm;
    const stillOpen = [...this.fds.values()].some((o) => (o.kind === 'vm' || o.kind === 'vcpu' || o.kind === 'gmem') && o.vm === vm);
    if (!stillOpen) this.state.kvm.vm(vm).destroy();
  }

  /** Every descriptor still open, so a scenario's end can close them as a process exit would. */
  openDescriptors(): Fd[] {
    return [...this.fds.keys()];
  }

  alloc(size: number): UserBuffer {
    return this.mem.alloc(size);
  }

  ioctl(fd: Fd, request: number, arg: IoctlArg, _opts?: IoctlOptions): SysResult<number> {
    const f = this.fds.get(fd);
    if (!f) return sysErr('EBADF');
    const value = typeof arg === 'object' ? arg.addr : BigInt(arg);
    const kvm = this.state.kvm;
    let out: IoctlOutcome;
    switch (f.kind) {
      case 'kvm': out = kvmDeviceIoctl(kvm, request, value); break;
      case 'vm': out = vmIoctl(kvm, this.mem, f.vm, request, value); break;
      case 'vcpu': out = vcpuIoctl(kvm, this.mem, f.vm, f.vcpu, request, value); break;
      case 'gmem': out = { errno: 'ENOTTY' }; break;
      default: out = { errno: 'ENOTTY' };
    }
    if ('errno' in out) return sysErr(out.errno as ErrnoName);
    if ('newFd' in out) return sysOk(this.register(out.newFd));
    return sysOk(out.ret);
  }

  runInstructions(_code: Uint8Array, _input?: readonly bigint[]): SysResult<InstructionRun> {
    return unobservable('the emulated host machine runs no user-space instruction sequences');
  }
}
