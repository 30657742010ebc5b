/**
 * The KVM facet of a real machine (backends/linux/kvm.ts) against a recording kernel interface:
 * which descriptors each call goes to, which descriptors a scenario's end closes and in which
 * order, and how errors and sysfs parameters come back. What the kernel does (Linux 6.16.1):
 *  - /sys/module/<module>/parameters/<name> prints a bool parameter as "Y\n" or "N\n"
 *    (kernel/params.c param_get_bool()); a module that is not loaded has no directory (ENOENT).
 *  - KVM_CREATE_VM, KVM_CREATE_VCPU and KVM_CREATE_GUEST_MEMFD return a new descriptor
 *    (virt/kvm/kvm_main.c); closing a VM's last reference destroys it (kvm_vm_release()).
 *  - KVM_GET_MP_STATE writes struct kvm_mp_state { __u32 mp_state; } (include/uapi/linux/kvm.h),
 *    KVM_MP_STATE_UNINITIALIZED being 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserMemory } from '../../backends/common/user-memory';
import { sysErr, sysOk, type Fd, type IoctlArg, type SysResult } from '../../backends/kernel-interface';
import { KvmSession, linuxKvmFacet } from '../../backends/linux/kvm';
import { isUnobservable } from '../../backends/port';
import { KVM_IOCTLS } from '../../spec/uapi/kvm';
import { FakeKi, type FakeFile } from '../support/fake-ki';

const NAME: Record<number, string> = Object.fromEntries(Object.entries(KVM_IOCTLS).map(([k, v]) => [v as number, k]));

/** FakeKi with descriptors: open and close are recorded, each ioctl answers from `answer`. */
class KvmKi extends FakeKi {
  private next = 10;
  readonly mem = new UserMemory();
  openResult: SysResult<Fd> | null = null;
  constructor(files: Record<string, FakeFile>, public answer: (name: string, fd: Fd, arg: IoctlArg) => SysResult<number> | null = () => null) {
    super(files);
  }
  override open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    this.calls.push(`open ${path} ${mode}`);
    return this.openResult ?? sysOk(this.next++);
  }
  override close(fd: Fd): void {
    this.calls.push(`close ${fd}`);
  }
  override alloc(size: number) {
    return this.mem.alloc(size);
  }
  override ioctl(fd: Fd, request: number, arg: IoctlArg, opts?: { returnsFd?: boolean }): SysResult<number> {
    const name = NAME[request] ?? request.toString(16);
    this.calls.push(`ioctl ${fd} ${name}`);
    const a = this.answer(name, fd, arg);
    if (a) return a;
    return sysOk(opts?.returnsFd ? this.next++ : 0);
  }
}

const setup = (files: Record<string, FakeFile> = { '/dev/kvm': { type: 'char' as never } }, answer?: KvmKi['answer']) => {
  const ki = new KvmKi(files, answer);
  const session = new KvmSession(ki);
  return { ki, session, kvm: linuxKvmFacet(session) };
};
const why = (x: unknown): string => {
  assert.ok(isUnobservable(x), `expected unobservable, got ${String(x)}`);
  return x.unobservable;
};

test('load observes /dev/kvm and never loads a module', () => {
  const { ki, kvm } = setup();
  assert.deepEqual(kvm.load(), { ok: true });
  assert.deepEqual(ki.calls, ['stat /dev/kvm']);
  const none = setup({});
  assert.equal(why(none.kvm.load()), 'KVM is not loaded (no /dev/kvm), and the suite never loads modules on a real machine');
});

test('param reads /sys/module/<module>/parameters/<name> and trims the newline', () => {
  const { ki, kvm } = setup({ '/sys/module/kvm_intel/parameters/tdx': { text: 'Y\n' }, '/sys/module/kvm/parameters/tdp_mmu': { text: 'N\n' } });
  assert.equal(kvm.param('kvm_intel.tdx'), 'Y');
  assert.equal(kvm.param('kvm.tdp_mmu'), 'N');
  assert.deepEqual(ki.calls, ['read /sys/module/kvm_intel/parameters/tdx', 'read /sys/module/kvm/parameters/tdp_mmu']);
  assert.equal(why(kvm.param('kvm_intel.ept')), '/sys/module/kvm_intel/parameters/ept cannot be read (ENOENT): kvm_intel is not loaded or has no such parameter');
  const denied = setup({ '/sys/module/kvm_intel/parameters/tdx': { errno: 'EACCES' } });
  assert.equal(why(denied.kvm.param('kvm_intel.tdx')), '/sys/module/kvm_intel/parameters/tdx cannot be read (EACCES): kvm_intel is not loaded or has no such parameter');
  const replay = setup({ '/sys/module/kvm_intel/parameters/tdx': { unobservable: 'not in the record' } });
  assert.equal(why(replay.kvm.param('kvm_intel.tdx')), 'not in the record');
});

test('check-extension values on the device and on a VM; a failure is unobservable with the errno', () => {
  const { ki, kvm } = setup(undefined, (name, fd) => (name === 'KVM_CHECK_EXTENSION' ? (fd === 10 ? sysOk(1) : sysErr('EINVAL')) : null));
  assert.equal(kvm.checkExtension(7), 1n);
  assert.equal(why(kvm.vmCheckExtension(11, 7)), 'KVM_CHECK_EXTENSION(7) on the VM failed (EINVAL)');
  assert.deepEqual(ki.calls, ['open /dev/kvm rw', 'ioctl 10 KVM_CHECK_EXTENSION', 'ioctl 11 KVM_CHECK_EXTENSION']);
  const bad = setup(undefined, () => sysErr('ENOTTY'));
  assert.equal(why(bad.kvm.checkExtension(250)), 'KVM_CHECK_EXTENSION(250) failed (ENOTTY)');
  const noDev = setup();
  noDev.ki.openResult = sysErr('ENOENT');
  assert.equal(why(noDev.kvm.checkExtension(1)), 'KVM_CHECK_EXTENSION(1) failed (ENOENT)');
  const replay = setup(undefined, () => ({ unobservable: 'no record' }) as never);
  assert.equal(why(replay.kvm.checkExtension(1)), 'no record');
});

test('a VM, its vCPUs and guest memory are closed at the end: vCPUs, memory, then the VM, then /dev/kvm', () => {
  const { ki, session, kvm } = setup();
  const vm = kvm.createVm(5);
  assert.ok(!isUnobservable(vm));
  assert.deepEqual(vm, { result: { ok: true }, fd: 11 });
  const v0 = kvm.createVcpu(11, 0);
  assert.deepEqual(v0, { result: { ok: true }, fd: 12 });
  assert.deepEqual(kvm.addGuestMemory(11, 0n, 0x1000n), { ok: true });
  assert.deepEqual(kvm.addGuestMemory(11, 0x100000n, 0x2000n), { ok: true });
  assert.deepEqual(kvm.createVcpu(11, 1), { result: { ok: true }, fd: 15 });
  const made = ki.calls.splice(0);
  assert.deepEqual(made, ['open /dev/kvm rw', 'ioctl 10 KVM_CREATE_VM', 'ioctl 11 KVM_CREATE_VCPU',
    'ioctl 11 KVM_CREATE_GUEST_MEMFD', 'ioctl 11 KVM_SET_USER_MEMORY_REGION2', 'ioctl 11 KVM_CREATE_GUEST_MEMFD', 'ioctl 11 KVM_SET_USER_MEMORY_REGION2',
    'ioctl 11 KVM_CREATE_VCPU']);
  assert.equal(session.closeAll(), true);
  assert.deepEqual(ki.calls.splice(0), ['close 12', 'close 15', 'close 13', 'close 14', 'close 11', 'close 10']);
  assert.equal(session.closeAll(), false, 'nothing left open');
  assert.deepEqual(ki.calls, [], '/dev/kvm was closed once and is not reopened to be closed again');
});

test('the memory slots are numbered in order: slot 0, then slot 1', () => {
  const slots: number[] = [];
  const { kvm } = setup(undefined, (name, _fd, arg) => {
    if (name === 'KVM_SET_USER_MEMORY_REGION2' && typeof arg === 'object') slots.push(arg.bytes.readUInt32LE(0));
    return null;
  });
  kvm.createVm(5);
  kvm.addGuestMemory(11, 0n, 0x1000n);
  kvm.addGuestMemory(11, 0x1000n, 0x1000n);
  assert.deepEqual(slots, [0, 1]);
});

test('destroyVm closes one VM and its descriptors; a refused creation is not recorded', () => {
  const { ki, session, kvm } = setup(undefined, (name) => (name === 'KVM_CREATE_VCPU' ? sysErr('EINVAL') : null));
  kvm.createVm(5);
  kvm.createVm(5);
  assert.deepEqual(kvm.createVcpu(11, 0), { result: { ok: false, errno: 'EINVAL' } });
  ki.calls.length = 0;
  assert.deepEqual(kvm.destroyVm(11), { ok: true });
  assert.deepEqual(ki.calls.splice(0), ['close 11']);
  assert.throws(() => kvm.addGuestMemory(11, 0n, 0x1000n), /step order: VM descriptor 11 was not created in this scenario/);
  assert.throws(() => session.of(99), /VM descriptor 99/);
  assert.equal(session.closeAll(), true);
  assert.deepEqual(ki.calls, ['close 12', 'close 10'], 'no guest_memfd is made for a VM that is gone');
});

test('a refused VM or guest memory leaves nothing to close; their errno is the result', () => {
  const { ki, session, kvm } = setup(undefined, (name) => (name === 'KVM_CREATE_VM' || name === 'KVM_CREATE_GUEST_MEMFD' ? sysErr('ENOMEM') : null));
  assert.deepEqual(kvm.createVm(5), { result: { ok: false, errno: 'ENOMEM' } });
  session.addVm(20);
  assert.deepEqual(kvm.addGuestMemory(20, 0n, 0x1000n), { ok: false, errno: 'ENOMEM' });
  assert.ok(!ki.calls.some((c) => c.includes('KVM_SET_USER_MEMORY_REGION2')), 'no slot without guest memory');
  ki.calls.length = 0;
  assert.equal(session.closeAll(), true);
  assert.deepEqual(ki.calls, ['close 20', 'close 10']);
  const replay = setup(undefined, () => ({ unobservable: 'no record' }) as never);
  assert.equal(why(replay.kvm.createVm(5)), 'no record');
  replay.session.addVm(11);
  assert.equal(why(replay.kvm.createVcpu(11, 0)), 'no record');
  assert.equal(why(replay.kvm.addGuestMemory(11, 0n, 0x1000n)), 'no record');
  assert.equal(replay.session.closeAll(), true);
});

test('mpState reads kvm_mp_state.mp_state; run answers only whether KVM_RUN returned 0', () => {
  const { ki, kvm } = setup(undefined, (name, _fd, arg) => {
    if (name === 'KVM_GET_MP_STATE' && typeof arg === 'object') arg.bytes.writeUInt32LE(1, 0);
    if (name === 'KVM_RUN') return sysErr('EIO');
    return null;
  });
  assert.deepEqual(kvm.mpState(11, 12), { result: { ok: true }, state: 1 });
  assert.deepEqual(kvm.run(11, 12), { result: { ok: false, errno: 'EIO' } });
  assert.deepEqual(ki.calls, ['ioctl 12 KVM_GET_MP_STATE', 'ioctl 12 KVM_RUN']);
  const ok = setup();
  assert.deepEqual(ok.kvm.run(11, 12), { result: { ok: true } });
  const bad = setup(undefined, () => sysErr('EBADF'));
  assert.deepEqual(bad.kvm.mpState(11, 12), { result: { ok: false, errno: 'EBADF' } });
  const replay = setup(undefined, () => ({ unobservable: 'no record' }) as never);
  assert.equal(why(replay.kvm.mpState(11, 12)), 'no record');
  assert.equal(why(replay.kvm.run(11, 12)), 'no record');
});

test('the vCPU and VM calls go to the descriptor they name', () => {
  const { ki, kvm } = setup();
  kvm.enableCap(11, 1, [0n]);
  kvm.setMemoryAttributes(11, 0n, 0x1000n, 8n);
  kvm.setCpuid(11, 12, []);
  kvm.vcpuIoctl(11, 13, 'KVM_GET_REGS' as never);
  assert.deepEqual(ki.calls, ['ioctl 11 KVM_ENABLE_CAP', 'ioctl 11 KVM_SET_MEMORY_ATTRIBUTES', 'ioctl 12 KVM_SET_CPUID2', 'ioctl 13 KVM_GET_REGS']);
});

test('what needs a guest or the kernel\'s insides is unobservable, with the reason', () => {
  const { kvm, ki } = setup();
  const guest = 'running code inside a TD needs a guest image the suite does not have on a real machine';
  const k = kvm as unknown as Record<string, () => unknown>;
  for (const m of ['guestDo', 'guestView', 'guestExecute', 'vmmExits', 'answer', 'signalMsi']) assert.equal(why(k[m]()), guest, m);
  assert.equal(why(k.seamcallTrace()), 'the SEAMCALLs KVM issues are not visible to user space');
  assert.equal(why(k.privateMappings()), "KVM's S-EPT mappings are not visible to user space");
  assert.equal(why(k.sharedMappings()), "KVM's shared EPT mappings are not visible to user space");
  assert.equal(why(k.setMsrFilter()), 'MSR filters matter only to a guest that runs, which the suite does not do on a real machine');
  assert.deepEqual(ki.calls, []);
});

test('the TDX sub-commands go to the VM or to the vCPU they name', () => {
  const { ki, kvm } = setup();
  const vm = kvm.vmTdxCmd(11, { id: 0, data: { kind: 'none' } } as never);
  assert.ok(!isUnobservable(vm));
  const vcpu = kvm.vcpuTdxCmd(11, 12, { id: 0, data: { kind: 'init-vcpu', rcx: 0n } } as never);
  assert.ok(!isUnobservable(vcpu));
  assert.deepEqual(ki.calls, ['ioctl 11 KVM_MEMORY_ENCRYPT_OP', 'ioctl 12 KVM_MEMORY_ENCRYPT_OP']);
});

test('closeAll closes /dev/kvm only when it was opened', () => {
  const noDev = setup();
  noDev.ki.openResult = sysErr('ENOENT');
  assert.equal(noDev.session.closeAll(), false);
  assert.deepEqual(noDev.ki.calls, [], 'never opened, so not opened to be closed');
  const failed = setup();
  failed.ki.openResult = sysErr('ENOENT');
  assert.ok(!isUnobservable(failed.kvm.createVm(5)));
  failed.ki.calls.length = 0;
  assert.equal(failed.session.closeAll(), false);
  assert.deepEqual(failed.ki.calls, [], 'a failed open leaves nothing to close');
});
