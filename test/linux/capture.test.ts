/**
 * Recording and replaying a machine's answers (backends/linux/capture/*) in process: a session of
 * every kind of operation is recorded on a fake machine and replayed call by call; the replay
 * answers exactly what was recorded (values, errnos with their detail, memory the kernel wrote,
 * pointers into other buffers), and nothing else. (test/linux/capture-replay.test.ts runs whole
 * scenarios through the CLI.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserMemory } from '../../backends/common/user-memory';
import { sysErr, sysOk, type InstructionRun, type IoctlArg, type IoctlOptions, type KernelInterface, type SysResult, type UserBuffer } from '../../backends/kernel-interface';
import { isUnobservable } from '../../backends/port';
import { TranscriptRecorder } from '../../backends/linux/capture/recorder';
import { TranscriptIndex } from '../../backends/linux/capture/replayer';
import { describeOp, reachable, SessionNames, TRANSCRIPT_FORMAT, TRANSCRIPT_FORMAT_VERSION } from '../../backends/linux/capture/transcript';
import { FakeKi } from '../support/fake-ki';

/** A machine: files, a log, an ioctl that fills its argument (and follows one pointer), instruction runs. */
class Machine extends FakeKi {
  private readonly mem = new UserMemory();
  override alloc(size: number): UserBuffer { return this.mem.alloc(size); }
  override open(path: string): SysResult<number> { return path === '/dev/kvm' ? sysOk(3) : sysErr('ENOENT'); }
  override mkdir(): SysResult<void> { return sysOk(undefined); }
  override rmdir(): SysResult<void> { return sysErr('EBUSY', 'in use'); }
  override ioctl(_fd: number, request: number, arg: IoctlArg, opts: IoctlOptions = {}): SysResult<number> {
    if (opts.returnsFd) return sysOk(9);
    if (request === 0xae03) return sysOk(Number(arg));
    if (typeof arg !== 'object') return sysErr('EFAULT');
    if (request === 0xbad) {
      arg.bytes.writeUInt32LE(0x1234, 0);
      return sysErr('E2BIG', 'nent too small');
    }
    arg.bytes.writeUInt32LE(0xabcd, 0);
    // Follow the pointer at offset 8 and write there too, and move the pointer by 16.
    const p = arg.pointers.get(8);
    if (p) {
      p.target.bytes.fill(0x77, p.delta, p.delta + 4);
      arg.bytes.writeBigUInt64LE(p.target.addr + BigInt(p.delta) + 16n, 8);
    }
    return sysOk(0);
  }
  override runInstructions(_code: Uint8Array, input: readonly bigint[] = []): SysResult<InstructionRun> {
    return input[0] === 1n ? sysOk({ ended: 'signal', signal: 'SIGILL' }) : sysOk({ ended: 'returned', out: [0xffffffffffffffffn, 2n] });
  }
}

const files = () => ({
  '/proc/cpuinfo': { text: 'flags : fpu\n' }, '/sys/power/state': { text: 'mem\n', mode: 0o644 }, '/sys/a/b': { text: 'x' }, '/sys/a/c': { text: 'y' },
  '/ro': { text: 'r', writeErrno: 'EACCES' as const }, '/unknown': { unobservable: 'the fake cannot tell' },
});

/** The same calls on any kernel interface; every answer, and the buffers afterwards. */
function scenario(ki: KernelInterface, item = 'tdx-conformance-4242-0'): unknown[] {
  const out: unknown[] = [];
  const show = (r: unknown) => out.push(JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `big:${v}` : v?.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))));
  show(ki.read('/proc/cpuinfo'));
  show(ki.read('/proc/cpuinfo', { offset: 0x87n, length: 8 }));
  show(ki.read('/missing'));
  show(ki.read('/unknown'));
  show(ki.write('/sys/power/state', Buffer.from('mem')));
  show(ki.write('/sys/power/state', Buffer.from('disk'), { offset: 2n }));
  show(ki.write('/ro', Buffer.from('x')));
  show(ki.stat('/sys/power/state'));
  show(ki.list('/sys/a'));
  show(ki.mkdir(`/sys/kernel/config/tsm/report/${item}`));
  show(ki.read(`/sys/kernel/config/tsm/report/${item}/provider`));
  show(ki.rmdir(`/sys/kernel/config/tsm/report/${item}`));
  show(ki.kernelLog());
  const fd = ki.open('/dev/kvm', 'rw');
  show(fd);
  show(ki.open('/dev/none', 'r'));
  show(ki.ioctl(3, 0xae03, 235));
  show(ki.ioctl(3, 0xae03, 5n));
  show(ki.ioctl(3, 0xae01, 0, { returnsFd: true }));
  const arg = ki.alloc(16);
  const target = ki.alloc(64);
  arg.bytes.writeUInt32LE(7, 4);
  arg.setPointer(8, target, 8);
  show(ki.ioctl(3, 0xc008aeba, arg));
  show([arg.bytes.readUInt32LE(0), arg.bytes.readBigUInt64LE(8) - target.addr, target.bytes.subarray(8, 12).toString('hex')]);
  const small = ki.alloc(8);
  show(ki.ioctl(3, 0xbad, small));
  show(small.bytes.readUInt32LE(0));
  show(ki.runInstructions(new Uint8Array([0x0f, 0xa2]), [0n, 0n]));
  show(ki.runInstructions(new Uint8Array([0x0f, 0x01, 0xc1]), [1n]));
  ki.close(3);
  show(ki.read('/sys/a/b'));
  return out;
}

function recorded(item?: string): { index: TranscriptIndex; live: unknown[] } {
  const m = new Machine(files());
  m.log = sysOk({ text: '[ 1.0] virt/tdx: module initialized\n', source: '/dev/kmsg' });
  const rec = new TranscriptRecorder('fake machine');
  const live = scenario(rec.session(m), item);
  const t = JSON.parse(JSON.stringify(rec.transcript()));
  assert.equal(t.format, TRANSCRIPT_FORMAT);
  assert.equal(t.formatVersion, TRANSCRIPT_FORMAT_VERSION);
  assert.equal(t.machine, 'fake machine');
  assert.equal(t.sessions, 1);
  return { index: new TranscriptIndex(t, 'capture X'), live };
}

test('a replay answers every operation exactly as the machine did, memory writes and pointers included', () => {
  const { index, live } = recorded();
  const session = index.session();
  assert.equal(session.describe, 'replay of capture X');
  const replayed = scenario(session);
  assert.deepEqual(replayed, live);
  // Spot checks of what the machine said.
  assert.deepEqual(live[2], { ok: false, errno: 'ENOENT' });
  assert.deepEqual(live[3], { unobservable: 'the fake cannot tell' });
  assert.deepEqual(live[11], { ok: false, errno: 'EBUSY', detail: 'in use' });
  assert.deepEqual(live[19], [0xabcd, 'big:24', '77777777']);
  assert.deepEqual(live[20], { ok: false, errno: 'E2BIG', detail: 'nent too small' });
  assert.equal(live[21], 0x1234, 'what the kernel wrote before failing is replayed');
  assert.deepEqual(live[22], { ok: true, value: { ended: 'returned', out: ['big:18446744073709551615', 'big:2'] } });
  assert.deepEqual(live[23], { ok: true, value: { ended: 'signal', signal: 'SIGILL' } });
});

test('a configfs item\'s name differs per process; the replay matches it by its order in the session', () => {
  const { index, live } = recorded('tdx-conformance-4242-0');
  assert.deepEqual(scenario(index.session(), 'tdx-conformance-77-5'), live);
  const names = new SessionNames();
  assert.equal(names.path('/r/tdx-conformance-1-2/x'), '/r/tdx-conformance-item0/x');
  assert.equal(names.path('/r/tdx-conformance-3-4'), '/r/tdx-conformance-item1');
  assert.equal(names.path('/r/tdx-conformance-1-2'), '/r/tdx-conformance-item0');
  assert.equal(names.path('/r/other'), '/r/other');
});

test('what the capture did not see: the rest of that session is unknown; another session starts afresh', () => {
  const { index } = recorded();
  const s = index.session();
  s.read('/proc/cpuinfo');
  const other = s.read('/sys/a/c');
  assert.ok(isUnobservable(other));
  assert.equal(other.unobservable, 'not in the capture: read /sys/a/c at this point of a scenario (capture X)');
  const after = s.read('/proc/cpuinfo', { offset: 0x87n, length: 8 });
  assert.ok(isUnobservable(after));
  assert.equal(after.unobservable, other.unobservable);
  // The same path at another offset or length is another operation.
  const s2 = index.session();
  s2.read('/proc/cpuinfo');
  assert.ok(isUnobservable(s2.read('/proc/cpuinfo', { offset: 0x87n, length: 4 })));
  const s3 = index.session();
  s3.read('/proc/cpuinfo');
  assert.ok(!isUnobservable(s3.read('/proc/cpuinfo', { offset: 0x87n, length: 8 })));
});

test('an ioctl argument with other contents, or other pointers, is not the recorded one', () => {
  const m = new Machine({});
  const rec = new TranscriptRecorder('m');
  const r = rec.session(m);
  const a = r.alloc(16);
  a.bytes[0] = 1;
  r.ioctl(3, 0xc008aeba, a);
  const index = new TranscriptIndex(JSON.parse(JSON.stringify(rec.transcript())), 'c');
  const same = index.session();
  const b = same.alloc(16);
  b.bytes[0] = 1;
  assert.deepEqual(same.ioctl(3, 0xc008aeba, b), { ok: true, value: 0 });
  const other = index.session();
  const c = other.alloc(16);
  c.bytes[0] = 2;
  assert.ok(isUnobservable(other.ioctl(3, 0xc008aeba, c)));
  const zero = index.session();
  assert.ok(isUnobservable(zero.ioctl(3, 0xc008aeba, zero.alloc(16))));
  const bigger = index.session();
  const d = bigger.alloc(32);
  d.bytes[0] = 1;
  assert.ok(isUnobservable(bigger.ioctl(3, 0xc008aeba, d)));
  assert.ok(isUnobservable(index.session().ioctl(3, 0xc008aeba, 0)));
  assert.ok(isUnobservable(index.session().ioctl(4, 0xc008aeba, 0)));
});

test('buffer keys: the pointer fields do not count, their targets do; all-zero contents hash as zeros of that size', () => {
  const mem = new UserMemory();
  const names = new SessionNames();
  const a = mem.alloc(24);
  const t = mem.alloc(8);
  names.addBuffer(a);
  names.addBuffer(t);
  a.setPointer(8, t, 4);
  const k1 = names.bufferKey(a);
  assert.deepEqual([k1.buf, k1.size, k1.pointers], [0, 24, [[8, 1, 4]]]);
  assert.equal(k1.sha256, names.bufferKey((() => { const z = mem.alloc(24); names.addBuffer(z); return z; })()).sha256, 'a buffer of only a pointer hashes as zeros');
  a.bytes[16] = 5;
  assert.notEqual(names.bufferKey(a).sha256, k1.sha256);
  a.bytes[16] = 0;
  a.bytes[7] = 5;
  assert.notEqual(names.bufferKey(a).sha256, k1.sha256);
  a.bytes[7] = 0;
  a.bytes[0] = 5;
  assert.notEqual(names.bufferKey(a).sha256, k1.sha256);
  assert.deepEqual(reachable(a), [a, t]);
  assert.deepEqual(reachable(7), []);
  t.setPointer(0, a);
  assert.deepEqual(reachable(a), [a, t], 'a cycle is visited once');
  assert.throws(() => names.bufferName(mem.alloc(1)), /a buffer the seam did not allocate/);
  assert.deepEqual(names.ioctlOp(3, 0xc008aeba, 5n, false), { op: 'ioctl', fd: 3, request: '0xc008aeba', arg: '0x5', memory: [], returnsFd: false });
  assert.deepEqual(names.ioctlOp(3, -1, 5, true), { op: 'ioctl', fd: 3, request: '0xffffffff', arg: 5, memory: [], returnsFd: true });
  assert.equal((names.ioctlOp(3, 1, a, false) as { arg: string }).arg, 'buf0');
});

test('operations are described by what they do', () => {
  assert.equal(describeOp({ op: 'ioctl', fd: 3, request: '0xae01', arg: 0, memory: [], returnsFd: true }), 'ioctl 0xae01 on descriptor #3');
  assert.equal(describeOp({ op: 'run', code: 'x', input: [] }), 'an instruction sequence');
  assert.equal(describeOp({ op: 'kernelLog' }), 'the kernel log');
  assert.equal(describeOp({ op: 'close', fd: 4 }), 'close of descriptor #4');
  assert.equal(describeOp({ op: 'stat', path: '/p' }), 'stat /p');
  assert.equal(describeOp({ op: 'read', path: '/q' }), 'read /q');
});

test('the recorder: one node per operation and place; a place answered two ways is marked, and the replay refuses it', () => {
  let n = 0;
  const m = new Machine({});
  m.read = () => sysOk(Buffer.from(String(n++)));
  const rec = new TranscriptRecorder('m');
  rec.session(m).read('/x');
  rec.session(m).read('/x');
  const s = rec.session(m);
  s.read('/y');
  const t = rec.transcript();
  assert.equal(t.sessions, 3);
  assert.equal(t.nodes.length, 2);
  assert.equal(t.nodes[0].varies, true);
  assert.equal(t.nodes[1].varies, undefined);
  assert.equal(t.nodes[0].parent, null);
  const stable = new TranscriptRecorder('m');
  const f = new Machine({ '/x': { text: 'same' } });
  stable.session(f).read('/x');
  stable.session(f).read('/x');
  assert.equal(stable.transcript().nodes[0].varies, undefined);
  const r = new TranscriptIndex(JSON.parse(JSON.stringify(t)), 'c').session().read('/x');
  assert.ok(isUnobservable(r));
  assert.equal(r.unobservable, 'the capture saw different answers to read /x at this point of a scenario');
  // The recording session says what it records.
  assert.equal(rec.session(m).describe, 'fake kernel interface (recorded)');
});
