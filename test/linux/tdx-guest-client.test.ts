/**
 * What a process inside a TD asks of its kernel (backends/linux/tdx-guest-client.ts), over a
 * kernel interface that answers as the TD's kernel does:
 *  - TDX_CMD_GET_REPORT0 = _IOWR('T', 1, struct tdx_report_req): 64 bytes of REPORTDATA in, the
 *    1024-byte TDREPORT written back after them (include/uapi/linux/tdx-guest.h, Linux 6.16.1).
 *    An _IO command (direction bits 31:30 zero) takes no argument.
 *  - configfs-tsm (Documentation/ABI/testing/configfs-tsm): mkdir makes a report item; "provider"
 *    names the provider; "generation" counts the writes to the item's inputs; reading "outblob"
 *    makes the quote.
 *  - the measurement registers: /sys/devices/virtual/misc/tdx_guest/measurements/<name>.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sysErr, sysOk, type IoctlArg, type InstructionRun, type SysResult, type UserBuffer } from '../../backends/kernel-interface';
import {
  getReport0, newLines, observeTsmItem, readMeasurement, requestTsmReport, runOneInstruction, runSequence, tdxGuestIoctl, userCpuid, writeMeasurement,
} from '../../backends/linux/tdx-guest-client';
import { FakeKi } from '../support/fake-ki';

const GET_REPORT0 = 0xc4405401;
const MR = '/sys/devices/virtual/misc/tdx_guest/measurements';
const TSM = '/sys/kernel/config/tsm/report';

function buffer(size: number): UserBuffer {
  const bytes = Buffer.alloc(size);
  return { addr: 0x7f0000001000n, size, bytes, setPointer() {}, pointers: new Map() };
}

/** A TD's kernel: /dev/tdx_guest answers GET_REPORT0 with a TDREPORT made from REPORTDATA, configfs-tsm items count generations. */
class TdKi extends FakeKi {
  opened = 0;
  closed = 0;
  ioctls: { cmd: number; arg: IoctlArg }[] = [];
  runs: { input: readonly bigint[] }[] = [];
  next: SysResult<InstructionRun> = sysOk({ ended: 'returned', out: [1n, 2n, 3n, 4n] });
  ioctlAnswer: SysResult<number> | null = null;
  mkdirs: string[] = [];
  rmdirs: string[] = [];
  mkdirErrno: 'EPERM' | 'ENXIO' | null = null;

  override open(path: string): SysResult<number> {
    if (path !== '/dev/tdx_guest') return sysErr('ENOENT');
    this.opened++;
    return sysOk(7);
  }
  override close(): void { this.closed++; }
  override alloc(size: number): UserBuffer { return buffer(size); }
  override ioctl(_fd: number, cmd: number, arg: IoctlArg): SysResult<number> {
    this.ioctls.push({ cmd, arg });
    if (this.ioctlAnswer) return this.ioctlAnswer;
    if (cmd !== GET_REPORT0) return sysErr('ENOTTY');
    if (typeof arg !== 'object') return sysErr('EFAULT');
    // The TDREPORT's REPORTMACSTRUCT carries REPORTDATA at offset 128; the rest is the module's.
    arg.bytes.fill(0xcc, 64);
    arg.bytes.copy(arg.bytes, 64 + 128, 0, 64);
    return sysOk(0);
  }
  override runInstructions(_code: Uint8Array, input: readonly bigint[] = []): SysResult<InstructionRun> {
    this.runs.push({ input });
    this.log = sysOk({ text: '[    1.0] boot\n[    2.0] traps: after\n', source: 'dmesg' });
    return this.next;
  }
  override mkdir(path: string): SysResult<void> {
    if (this.mkdirErrno) return sysErr(this.mkdirErrno);
    this.mkdirs.push(path);
    this.files[`${path}/provider`] = { text: 'tdx_guest\n' };
    this.files[`${path}/generation`] = { text: '0\n' };
    this.files[`${path}/inblob`] = { mode: 0o200 };
    this.files[`${path}/outblob`] = { text: 'QUOTE' };
    return sysOk(undefined);
  }
  override rmdir(path: string): SysResult<void> {
    this.rmdirs.push(path);
    return sysOk(undefined);
  }
  override write(path: string, data: Buffer): SysResult<number> {
    const r = super.write(path, data);
    if (path.endsWith('/inblob') && 'ok' in r && r.ok) {
      const g = `${path.slice(0, -'/inblob'.length)}/generation`;
      this.files[g].text = `${Number(String(this.files[g].text)) + 1}\n`;
    }
    return r;
  }
}

test('newLines: what the log gained, after the last line it had', () => {
  assert.deepEqual(newLines(['a', 'b'], ['a', 'b', 'c']), ['c']);
  assert.deepEqual(newLines([], ['a']), ['a']);
  assert.deepEqual(newLines(['a', 'b'], ['b', 'c', 'd']), ['c', 'd'], 'the ring wrapped: its tail after the last known line');
  assert.deepEqual(newLines(['x'], ['a', 'b']), ['a', 'b'], 'the last known line is gone: all of it is new');
  assert.deepEqual(newLines(['a', 'b', 'a'], ['a', 'b', 'a', 'c']), ['c']);
  assert.deepEqual(newLines(null, ['a']), []);
  assert.deepEqual(newLines(['a'], null), []);
});

test('a child process\'s run: how it ended and the lines the log gained meanwhile', () => {
  const ki = new TdKi();
  ki.log = sysOk({ text: '[    1.0] boot\n', source: 'dmesg' });
  assert.deepEqual(runSequence(ki, new Uint8Array([0xc3]), [5n]), { ok: true, value: { run: { ended: 'returned', out: [1n, 2n, 3n, 4n] }, log: ['[    2.0] traps: after'] } });
  assert.deepEqual(ki.runs[0].input, [5n]);
  ki.next = sysErr('ENOMEM', 'mmap refused');
  assert.deepEqual(runSequence(ki, new Uint8Array([0xc3])), { ok: false, error: 'ENOMEM: mmap refused' });
  ki.next = { unobservable: 'no record of this run' };
  assert.deepEqual(runSequence(ki, new Uint8Array([0xc3])), { ok: false, error: 'no record of this run' });
  // A log that cannot be read: no lines.
  const blind = new TdKi();
  const r = runSequence(blind, new Uint8Array([0xc3]));
  assert.ok(r.ok);
  assert.deepEqual(r.value.log, []);
});

test('CPUID by a process: leaf in EAX, subleaf in ECX; the registers or the signal', () => {
  const ki = new TdKi();
  assert.deepEqual(userCpuid(ki, 0x21, 1), { ok: true, value: { regs: { eax: 1, ebx: 2, ecx: 3, edx: 4 } } });
  assert.deepEqual(ki.runs[0].input.slice(0, 2), [0x21n, 1n]);
  ki.next = sysOk({ ended: 'signal', signal: 'SIGSEGV' });
  assert.deepEqual(userCpuid(ki, 0x21, 0), { ok: true, value: { signal: 'SIGSEGV' } });
  ki.next = sysErr('EPERM');
  assert.deepEqual(userCpuid(ki, 0x21, 0), { ok: false, error: 'EPERM' });
  assert.equal(runOneInstruction(ki, 'NO-SUCH-INSN'), null);
  ki.next = sysOk({ ended: 'signal', signal: 'SIGILL' });
  const vmcall = runOneInstruction(ki, 'VMCALL');
  assert.ok(vmcall && vmcall.ok);
  assert.deepEqual(vmcall.value.run, { ended: 'signal', signal: 'SIGILL' });
});

test('TDX_CMD_GET_REPORT0: REPORTDATA in the first 64 bytes, the 1024-byte TDREPORT after them; the fd is closed', () => {
  const ki = new TdKi();
  const data = new Uint8Array(64).map((_, i) => i + 1);
  const r = getReport0(ki, data);
  assert.ok(r.ok && 'tdreport' in r.value);
  assert.equal(r.value.tdreport.length, 1024);
  assert.deepEqual([...r.value.tdreport.subarray(128, 192)], [...data]);
  assert.equal(r.value.tdreport[0], 0xcc);
  assert.equal(ki.ioctls[0].cmd, GET_REPORT0);
  assert.equal((ki.ioctls[0].arg as UserBuffer).size, 1088);
  assert.deepEqual([ki.opened, ki.closed], [1, 1]);
  // Longer REPORTDATA is cut to 64 bytes.
  const long = getReport0(ki, new Uint8Array(100).fill(9));
  assert.ok(long.ok && 'tdreport' in long.value);
  assert.equal(long.value.tdreport[128 + 63], 9);
  assert.equal(long.value.tdreport[128 + 64], 0xcc);
  // An unmapped pointer, an _IO command without argument, a refused command.
  assert.deepEqual(tdxGuestIoctl(ki, GET_REPORT0, new Uint8Array(64), true), { ok: true, value: { errno: 'EFAULT' } });
  assert.equal(ki.ioctls[ki.ioctls.length - 1].arg, 0x10);
  assert.deepEqual(tdxGuestIoctl(ki, 0x5401, new Uint8Array(64)), { ok: true, value: { errno: 'ENOTTY' } });
  assert.equal(ki.ioctls[ki.ioctls.length - 1].arg, 0);
  tdxGuestIoctl(ki, 0x84405401, new Uint8Array(64));
  assert.equal(typeof ki.ioctls[ki.ioctls.length - 1].arg, 'object', 'a _IOW command gets the buffer');
  tdxGuestIoctl(ki, 0x44405401, new Uint8Array(64));
  assert.equal(typeof ki.ioctls[ki.ioctls.length - 1].arg, 'object', 'a _IOR command gets the buffer');
  assert.equal(ki.opened, ki.closed);
  ki.ioctlAnswer = { unobservable: 'not recorded' };
  assert.deepEqual(tdxGuestIoctl(ki, GET_REPORT0, new Uint8Array(64)), { ok: false, error: 'not recorded' });
  assert.equal(ki.opened, ki.closed, 'closed on every path');
  // No device.
  const none = new FakeKi();
  assert.deepEqual(tdxGuestIoctl(none, GET_REPORT0, new Uint8Array(64)), { ok: false, error: 'ENOENT' });
});

test('the measurement registers: bytes or the errno of the read; writes say how much or the errno', () => {
  const ki = new TdKi({ [`${MR}/rtmr2:sha384`]: { text: Buffer.alloc(48, 7) }, [`${MR}/mrtd:sha384`]: { errno: 'EACCES' } });
  assert.deepEqual(readMeasurement(ki, 'rtmr2:sha384'), { ok: true, value: { bytes: Buffer.alloc(48, 7) } });
  assert.deepEqual(readMeasurement(ki, 'mrtd:sha384'), { ok: true, value: { errno: 'EACCES' } });
  assert.deepEqual(readMeasurement(new FakeKi({ [`${MR}/x`]: { unobservable: 'no record' } }), 'x'), { ok: false, error: 'no record' });
  assert.deepEqual(writeMeasurement(ki, 'rtmr2:sha384', new Uint8Array(48)), { ok: true, value: { written: 48 } });
  assert.deepEqual(writeMeasurement(ki, 'rtmr0:sha384', new Uint8Array(48)), { ok: true, value: { errno: 'ENOENT' } });
  assert.deepEqual(writeMeasurement(new FakeKi({ [`${MR}/x`]: { unobservable: 'no record' } }), 'x', new Uint8Array(1)), { ok: false, error: 'no record' });
});

test('configfs-tsm: an item made, its provider and generation before and after one inblob, then removed', () => {
  const ki = new TdKi();
  const r = observeTsmItem(ki);
  assert.deepEqual(r, { ok: true, value: { provider: 'tdx_guest', generations: [0, 1], removed: true } });
  assert.equal(ki.mkdirs.length, 1);
  assert.match(ki.mkdirs[0], new RegExp(`^${TSM}/tdx-conformance-${process.pid}-\\d+$`));
  assert.ok(ki.rmdirs.includes(ki.mkdirs[0]));
  assert.equal(String(ki.files[`${ki.mkdirs[0]}/inblob`].text).length, 64);
  // Each item has its own name.
  observeTsmItem(ki);
  assert.notEqual(ki.mkdirs[0], ki.mkdirs[1]);
  const refused = new TdKi();
  refused.mkdirErrno = 'ENXIO';
  assert.deepEqual(observeTsmItem(refused), { ok: false, error: 'ENXIO' });
  // An item whose attributes cannot be read: said, and still removed.
  const odd = new TdKi();
  odd.mkdir = (p: string) => { odd.mkdirs.push(p); odd.files[`${p}/generation`] = { text: '0\n' }; return sysOk(undefined); };
  const o = observeTsmItem(odd);
  assert.ok(!o.ok);
  assert.match(o.error, /could not be read or written \(provider null, generation 0\/0\)/);
  assert.ok(odd.rmdirs.includes(odd.mkdirs[0]));
});

test('a configfs-tsm report: inblob written (unless empty), outblob read, the item removed', () => {
  const ki = new TdKi();
  assert.deepEqual(requestTsmReport(ki, new Uint8Array(64)), { ok: true, value: { provider: 'tdx_guest', generation: 1, outblob: Buffer.from('QUOTE') } });
  assert.ok(ki.rmdirs.includes(ki.mkdirs[0]));
  const empty = new TdKi();
  assert.deepEqual(requestTsmReport(empty, new Uint8Array(0)), { ok: true, value: { provider: 'tdx_guest', generation: 0, outblob: Buffer.from('QUOTE') } });
  // The quote refused: the errno of the outblob read.
  const refused = new TdKi();
  const mk = refused.mkdir.bind(refused);
  refused.mkdir = (p: string) => { const r = mk(p); refused.files[`${p}/outblob`] = { errno: 'EIO' }; return r; };
  assert.deepEqual(requestTsmReport(refused, new Uint8Array(64)), { ok: true, value: { provider: 'tdx_guest', generation: 1, errno: 'EIO' } });
  // An inblob the kernel refuses (more than 64 bytes for TDX): the errno, the item removed.
  const big = new TdKi();
  const mk2 = big.mkdir.bind(big);
  big.mkdir = (p: string) => { const r = mk2(p); big.files[`${p}/inblob`].writeErrno = 'EINVAL'; return r; };
  assert.deepEqual(requestTsmReport(big, new Uint8Array(65)), { ok: false, error: 'EINVAL' });
  assert.ok(big.rmdirs.includes(big.mkdirs[0]));
  const none = new TdKi();
  none.mkdirErrno = 'EPERM';
  assert.deepEqual(requestTsmReport(none, new Uint8Array(64)), { ok: false, error: 'EPERM' });
  const blind = new TdKi();
  const mk3 = blind.mkdir.bind(blind);
  blind.mkdir = (p: string) => { const r = mk3(p); blind.files[`${p}/outblob`] = { unobservable: 'no record' }; return r; };
  assert.deepEqual(requestTsmReport(blind, new Uint8Array(64)), { ok: false, error: 'no record' });
  // Missing provider and generation read as empty and 0.
  const bare = new TdKi();
  const mk4 = bare.mkdir.bind(bare);
  bare.mkdir = (p: string) => { const r = mk4(p); delete bare.files[`${p}/provider`]; delete bare.files[`${p}/generation`]; bare.files[`${p}/inblob`] = {}; return r; };
  assert.deepEqual(requestTsmReport(bare, new Uint8Array(0)), { ok: true, value: { provider: '', generation: 0, outblob: Buffer.from('QUOTE') } });
});
