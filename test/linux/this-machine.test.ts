/**
 * The kernel-interface seam on this machine (backends/linux/real): files under a temporary `root`,
 * the kernel log from a fake /dev/kmsg or fake dmesg / journalctl scripts on `commandPath`, ioctls
 * and ioctl memory through koffi, and instruction sequences in a child process. Nothing here writes
 * outside its own temporary directory, and nothing needs root: what needs a device this user cannot
 * open is skipped with the reason.
 *
 * What the kernel answers (Linux 6.16.1):
 *  - KVM_GET_API_VERSION is _IO(KVMIO 0xAE, 0x00) = 0xAE00 and returns KVM_API_VERSION, 12
 *    (include/uapi/linux/kvm.h); with a non-zero argument it is -EINVAL (virt/kvm/kvm_main.c
 *    kvm_dev_ioctl()).
 *  - FIONREAD (0x541B, include/uapi/asm-generic/ioctls.h) on a regular file stores the bytes left
 *    after the file position as an int at the argument's address (fs/ioctl.c do_vfs_ioctl()); a
 *    bad address is -EFAULT; a request no layer knows is -ENOTTY (fs/ioctl.c vfs_ioctl()).
 *  - FICLONE (_IOW(0x94, 9, int) = 0x40049409, include/uapi/linux/fs.h) from a file on another
 *    superblock is -EXDEV, 18 (fs/remap_range.c vfs_clone_file_range()), an errno the seam's
 *    table (spec/abi/errno.ts) does not name.
 *  - /dev/kmsg returns one record per read() (kernel/printk/printk.c devkmsg_read()), in the form
 *    "level,seq,usec,flags;text\n".
 * Machine code: GNU as 2.40 (binutils, Debian) on this machine, Intel syntax:
 *   48 8b 07 mov rax,[rdi] / 48 03 47 08 add rax,[rdi+8] / 48 89 47 10 mov [rdi+16],rax / c3 ret;
 *   0f 0b ud2 (#UD, SIGILL).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, constants, fstatSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { SysResult } from '../../backends/kernel-interface';
import { READ_LIMIT, ThisMachine } from '../../backends/linux/real/this-machine';
import { libc } from '../../backends/linux/real/ffi';

/** A fresh temporary directory, removed when the test ends. */
function tempRoot(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'this-machine-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const fifo = (path: string): void => {
  execFileSync('mkfifo', [path]);
};

/** An executable shell script at dir/name. */
function script(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

const canOpen = (path: string, flags: number): boolean => {
  try {
    closeSync(openSync(path, flags | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
};

// ---- describe, and paths under root ----

test('describe names the machine, and the root when it is not /', () => {
  assert.equal(new ThisMachine().describe, 'this machine');
  assert.equal(new ThisMachine('/').describe, 'this machine');
  assert.equal(new ThisMachine('/tmp/x').describe, 'this machine (files under /tmp/x)');
});

test('with root / a path is used as given: a relative one is from the working directory', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'relative');
  const r = new ThisMachine().read(relative(process.cwd(), join(dir, 'f')));
  assert.deepEqual(r, { ok: true, value: Buffer.from('relative') });
});

test('with root / a path goes to the kernel as given (a symlink then ".."); under a root it is joined lexically', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
  symlinkSync('sub/deeper', join(dir, 'link'));
  writeFileSync(join(dir, 'f'), 'top');
  writeFileSync(join(dir, 'sub/f'), 'sub');
  // The kernel resolves link to sub/deeper, whose ".." is sub.
  assert.deepEqual(new ThisMachine().read(`${dir}/link/../f`), { ok: true, value: Buffer.from('sub') });
  assert.deepEqual(new ThisMachine(dir).read('/link/../f'), { ok: true, value: Buffer.from('top') });
});

test('every file operation closes what it opened, on success and on error', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'abc');
  mkdirSync(join(dir, 'd'));
  mkdirSync(join(dir, 'dev'));
  writeFileSync(join(dir, 'dev/kmsg'), '6,1,1,-;x\n');
  const m = new ThisMachine(dir, join(dir, 'nobin'));
  const open = (): number => readdirSync('/proc/self/fd').length;
  const before = open();
  for (let i = 0; i < 5; i++) {
    m.read('/f');
    m.read('/d'); // EISDIR from read(), after the open succeeded
    m.write('/f', Buffer.from('abc'));
    m.write('/f', Buffer.from('x'), { offset: 2n ** 45n }); // EFBIG from write()
    m.kernelLog();
  }
  assert.equal(open(), before);
});

test('an exception without an errno code is EIO with its message', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'hello world');
  // An offset given as a number (not the bigint the interface takes) fails when the position advances.
  const r = new ThisMachine(dir).read('/f', { offset: 6 as unknown as bigint });
  assert.equal(pick(r), 'EIO');
  assert.match(detail(r), /^Cannot mix BigInt and other types/);
});

// ---- read ----

test('read: the whole file, or length bytes at offset', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'hello world');
  const m = new ThisMachine(dir);
  assert.deepEqual(m.read('/f'), { ok: true, value: Buffer.from('hello world') });
  assert.deepEqual(m.read('f'), { ok: true, value: Buffer.from('hello world') });
  assert.deepEqual(m.read('/f', { offset: 6n, length: 3 }), { ok: true, value: Buffer.from('wor') });
  assert.deepEqual(m.read('/f', { offset: 6n }), { ok: true, value: Buffer.from('world') });
  assert.deepEqual(m.read('/f', { length: 4 }), { ok: true, value: Buffer.from('hell') });
  assert.deepEqual(m.read('/f', { length: 100 }), { ok: true, value: Buffer.from('hello world') });
  assert.deepEqual(m.read('/f', { offset: 11n }), { ok: true, value: Buffer.alloc(0) });
  assert.deepEqual(m.read('/f', { offset: 0n, length: 0 }), { ok: true, value: Buffer.alloc(0) });
});

test('read: a file over 1 MiB comes whole, from the offset on, read chunk by chunk in order', (t) => {
  const dir = tempRoot(t);
  const data = Buffer.alloc((1 << 20) * 2 + 5);
  for (let i = 0; i < data.length; i++) data[i] = i % 251;
  writeFileSync(join(dir, 'big'), data);
  const m = new ThisMachine(dir);
  const whole = m.read('/big');
  assert.ok(isOk(whole));
  assert.equal(whole.value.length, data.length);
  assert.ok(whole.value.equals(data));
  const from = m.read('/big', { offset: 7n });
  assert.ok(isOk(from));
  assert.ok(from.value.equals(data.subarray(7)));
});

test('read: a file longer than READ_LIMIT (64 MiB) is read up to READ_LIMIT', (t) => {
  assert.equal(READ_LIMIT, 64 * 1024 * 1024);
  const dir = tempRoot(t);
  const fd = openSync(join(dir, 'sparse'), 'w');
  ftruncateSync(fd, READ_LIMIT + 4096);
  closeSync(fd);
  const r = new ThisMachine(dir).read('/sparse');
  assert.ok(isOk(r));
  assert.equal(r.value.length, READ_LIMIT);
});

test('read: errors are errno names; a FIFO is refused at once, without waiting for a writer', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'd'));
  fifo(join(dir, 'p'));
  symlinkSync('loop', join(dir, 'loop'));
  const m = new ThisMachine(dir);
  assert.deepEqual(pick(m.read('/missing')), 'ENOENT');
  assert.deepEqual(pick(m.read('/d')), 'EISDIR');
  assert.deepEqual(m.read('/p'), { ok: false, errno: 'EINVAL', detail: '/p is a FIFO, not a file' });
  // ELOOP is not in the seam's errno table: EIO, with the code in the detail.
  const loop = m.read('/loop');
  assert.equal(pick(loop), 'EIO');
  assert.match(detail(loop), /^ELOOP: /);
});

test('read of a device with a length is one read(): /dev/kmsg gives one record', (t) => {
  if (!canOpen('/dev/kmsg', constants.O_RDONLY)) return t.skip('/dev/kmsg cannot be opened by this user');
  const r = new ThisMachine().read('/dev/kmsg', { length: 8192 });
  assert.ok(isOk(r));
  const text = r.value.toString('utf8');
  assert.match(text, /^\d+,\d+,\d+,[^;]*;/);
  // The record's own text lines, then its " KEY=value" dictionary lines: one record, one header.
  assert.equal(text.split('\n').filter((l) => /^\d+,\d+,\d+,/.test(l)).length, 1);
});

// ---- write ----

test('write: without an offset the file is truncated first; with one it is written in place', (t) => {
  const dir = tempRoot(t);
  const f = join(dir, 'f');
  writeFileSync(f, 'hello world');
  const m = new ThisMachine(dir);
  assert.deepEqual(m.write('/f', Buffer.from('abc')), { ok: true, value: 3 });
  assert.equal(readFileSync(f, 'utf8'), 'abc');
  writeFileSync(f, 'hello world');
  assert.deepEqual(m.write('/f', Buffer.from('WOR'), { offset: 6n }), { ok: true, value: 3 });
  assert.equal(readFileSync(f, 'utf8'), 'hello WORld');
  assert.deepEqual(m.write('/f', Buffer.from('H'), { offset: 0n }), { ok: true, value: 1 });
  assert.equal(readFileSync(f, 'utf8'), 'Hello WORld');
});

test('write: never creates a file; errors are errno names; a FIFO without a reader is ENXIO at once', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'd'));
  fifo(join(dir, 'p'));
  writeFileSync(join(dir, 'f'), '');
  const m = new ThisMachine(dir);
  assert.equal(pick(m.write('/missing', Buffer.from('x'))), 'ENOENT');
  assert.deepEqual(readdirSync(dir).sort(), ['d', 'f', 'p']);
  assert.equal(pick(m.write('/d', Buffer.from('x'))), 'EISDIR');
  assert.equal(pick(m.write('/p', Buffer.from('x'))), 'ENXIO');
  // ext4's and tmpfs's largest file is below 2^45 bytes: the write itself fails.
  assert.equal(pick(m.write('/f', Buffer.from('x'), { offset: 2n ** 45n })), 'EFBIG');
});

test('write: a FIFO with a reader takes the bytes', (t) => {
  const dir = tempRoot(t);
  fifo(join(dir, 'p'));
  const reader = openSync(join(dir, 'p'), constants.O_RDONLY | constants.O_NONBLOCK);
  t.after(() => closeSync(reader));
  assert.deepEqual(new ThisMachine(dir).write('/p', Buffer.from('abc')), { ok: true, value: 3 });
  const b = Buffer.alloc(8);
  assert.equal(readSync(reader, b, 0, 8, null), 3);
  assert.equal(b.subarray(0, 3).toString(), 'abc');
});

// ---- stat, list, mkdir, rmdir ----

test('stat: the type (a link not followed) and the permission bits with setuid, setgid, sticky', async (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), '');
  chmodSync(join(dir, 'f'), 0o640);
  writeFileSync(join(dir, 'suid'), '');
  chmodSync(join(dir, 'suid'), 0o4755);
  mkdirSync(join(dir, 'd'));
  chmodSync(join(dir, 'd'), 0o1750);
  fifo(join(dir, 'p'));
  symlinkSync('f', join(dir, 'l'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 's'), resolve));
  t.after(() => server.close());
  const m = new ThisMachine(dir);
  assert.deepEqual(m.stat('/f'), { ok: true, value: { type: 'file', mode: 0o640 } });
  assert.deepEqual(m.stat('/suid'), { ok: true, value: { type: 'file', mode: 0o4755 } });
  assert.deepEqual(m.stat('/d'), { ok: true, value: { type: 'dir', mode: 0o1750 } });
  assert.equal(typeOfStat(m, '/p'), 'fifo');
  assert.equal(typeOfStat(m, '/l'), 'link');
  assert.equal(typeOfStat(m, '/s'), 'socket');
  assert.equal(pick(m.stat('/missing')), 'ENOENT');
  assert.equal(pick(m.stat('/f/x')), 'ENOTDIR');
});

test('stat: character and block devices', (t) => {
  const m = new ThisMachine();
  assert.equal(typeOfStat(m, '/dev/null'), 'char');
  const block = readdirSync('/dev').find((n) => {
    try {
      return statSync(join('/dev', n)).isBlockDevice();
    } catch {
      return false;
    }
  });
  if (!block) return t.skip('no block device under /dev');
  assert.equal(typeOfStat(m, `/dev/${block}`), 'block');
});

test('list: the names, sorted; errors are errno names', (t) => {
  const dir = tempRoot(t);
  const names = Array.from({ length: 20 }, (_, i) => `n${String(19 - i).padStart(2, '0')}`);
  for (const n of [...names, 'B', 'a']) writeFileSync(join(dir, n), '');
  const m = new ThisMachine(dir);
  assert.deepEqual(m.list('/'), { ok: true, value: ['B', 'a', ...[...names].reverse()] });
  assert.equal(pick(m.list('/n00')), 'ENOTDIR');
  // Node's readdir gives the names in UTF-8 byte order; list sorts them as JavaScript strings
  // (UTF-16 code units), where U+1F600 (surrogates D83D DE00) comes before U+FF21.
  const u = join(dir, 'u');
  mkdirSync(u);
  for (const n of ['\uff21', '\u{1f600}', 'b']) writeFileSync(join(u, n), '');
  assert.deepEqual(m.list('/u'), { ok: true, value: ['b', '\u{1f600}', '\uff21'] });
  assert.equal(pick(m.list('/missing')), 'ENOENT');
});

test('mkdir and rmdir: one directory each, with the kernel errno otherwise', (t) => {
  const dir = tempRoot(t);
  const m = new ThisMachine(dir);
  assert.deepEqual(m.mkdir('/d'), { ok: true, value: undefined });
  assert.ok(statSync(join(dir, 'd')).isDirectory());
  assert.equal(pick(m.mkdir('/d')), 'EEXIST');
  assert.equal(pick(m.mkdir('/no/d')), 'ENOENT');
  writeFileSync(join(dir, 'd', 'f'), '');
  assert.equal(pick(m.rmdir('/d')), 'ENOTEMPTY');
  assert.equal(pick(m.rmdir('/d/f')), 'ENOTDIR');
  rmSync(join(dir, 'd', 'f'));
  assert.deepEqual(m.rmdir('/d'), { ok: true, value: undefined });
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(pick(m.rmdir('/d')), 'ENOENT');
});

// ---- kernelLog ----

test('kernelLog: /dev/kmsg first, its records as dmesg lines', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev'));
  writeFileSync(join(dir, 'dev/kmsg'), '6,1,4567890,-;hello\n SUBSYSTEM=x\n4,2,12000001,-;two\\x0alines\n');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  script(bin, 'dmesg', 'echo "[    9.000000] from dmesg"');
  assert.deepEqual(new ThisMachine(dir, bin).kernelLog(), {
    ok: true, value: { text: '[    4.567890] hello\n[   12.000001] two\n[   12.000001] lines\n', source: '/dev/kmsg' },
  });
});

test('kernelLog: a /dev/kmsg over 8 KiB is read whole, one read() after another', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev'));
  const records = Array.from({ length: 1000 }, (_, i) => `6,${i},${1_000_000 + i},-;record number ${i}\n`);
  writeFileSync(join(dir, 'dev/kmsg'), records.join(''));
  const r = new ThisMachine(dir, join(dir, 'nobin')).kernelLog();
  assert.ok(isOk(r));
  const lines = r.value.text.split('\n');
  assert.equal(lines.length, 1001);
  assert.equal(lines[0], '[    1.000000] record number 0');
  assert.equal(lines[999], '[    1.000999] record number 999');
});

test('kernelLog: /dev/kmsg stops at READ_LIMIT plus the read that crossed it', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev'));
  const path = join(dir, 'dev/kmsg');
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.from('6,1,1000000,-;first\n'), 0, 20, 0);
  // 8 KiB reads: the one that ends at READ_LIMIT does not stop it, the next (up to READ_LIMIT + 8 KiB) does.
  const within = Buffer.from('\n6,2,2000000,-;within\n');
  writeSync(fd, within, 0, within.length, READ_LIMIT + 100);
  const beyond = Buffer.from('\n6,3,3000000,-;beyond\n');
  writeSync(fd, beyond, 0, beyond.length, READ_LIMIT + 8192 + 100);
  closeSync(fd);
  const r = new ThisMachine(dir, join(dir, 'nobin')).kernelLog();
  assert.deepEqual(r, { ok: true, value: { text: '[    1.000000] first\n[    2.000000] within\n', source: '/dev/kmsg' } });
});

test('kernelLog: a /dev/kmsg with no more records now (EAGAIN) ends there', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev'));
  fifo(join(dir, 'dev/kmsg'));
  // A writer keeps the FIFO open: an empty FIFO then answers EAGAIN, as /dev/kmsg does at the end.
  const writer = openSync(join(dir, 'dev/kmsg'), constants.O_RDWR | constants.O_NONBLOCK);
  t.after(() => closeSync(writer));
  writeSync(writer, '6,1,5000000,-;from a fifo\n');
  assert.deepEqual(new ThisMachine(dir, join(dir, 'nobin')).kernelLog(), {
    ok: true, value: { text: '[    5.000000] from a fifo\n', source: '/dev/kmsg' },
  });
});

test('kernelLog: without /dev/kmsg, dmesg from commandPath, run with LC_ALL=C', (t) => {
  const dir = tempRoot(t);
  script(dir, 'dmesg', 'echo "[    1.000000] LC_ALL=$LC_ALL args=$#"\necho "[    2.000000] second"');
  assert.deepEqual(new ThisMachine(dir, dir).kernelLog(), {
    ok: true, value: { text: '[    1.000000] LC_ALL=C args=0\n[    2.000000] second\n', source: 'dmesg' },
  });
});

test('kernelLog: the command\'s stdin is not a pipe (/dev/null), its stderr is read for the reason it failed', (t) => {
  const dir = tempRoot(t);
  // Shell built-ins only: PATH is the fake directory. /dev/null is a character device, a pipe is not.
  script(dir, 'dmesg', 'if [ -p /dev/stdin ]; then s=pipe; elif [ -c /dev/stdin ]; then s=char; else s=other; fi\necho "[    1.000000] stdin=$s"');
  assert.deepEqual(new ThisMachine(dir, dir).kernelLog(), { ok: true, value: { text: '[    1.000000] stdin=char\n', source: 'dmesg' } });
  script(dir, 'dmesg', 'printf "\\n  dmesg: read kernel buffer failed: Operation not permitted\\nsecond line\\n" >&2\nexit 1');
  script(dir, 'journalctl', 'echo "No journal files were found." >&2\nexit 2');
  assert.deepEqual(new ThisMachine(dir, dir).kernelLog(), {
    ok: false, errno: 'EPERM',
    detail: '/dev/kmsg: ENOENT; dmesg: exit 1: dmesg: read kernel buffer failed: Operation not permitted; journalctl -k: exit 2: No journal files were found.',
  });
});

test('kernelLog: without commandPath, dmesg is found on the PATH', (t) => {
  const dir = tempRoot(t);
  script(dir, 'dmesg', 'echo "[    3.000000] on the PATH"');
  const saved = process.env.PATH;
  process.env.PATH = dir;
  try {
    assert.deepEqual(new ThisMachine(dir).kernelLog(), { ok: true, value: { text: '[    3.000000] on the PATH\n', source: 'dmesg' } });
  } finally {
    process.env.PATH = saved;
  }
});

test('kernelLog: an empty /dev/kmsg and a failing dmesg give way to journalctl -k', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev'));
  writeFileSync(join(dir, 'dev/kmsg'), '');
  script(dir, 'dmesg', 'echo "dmesg: read kernel buffer failed: Operation not permitted" >&2\necho second >&2\nexit 1');
  script(dir, 'journalctl', [
    'if [ "$*" != "-k -b -o short-monotonic --no-pager -q" ]; then echo "args: $*" >&2; exit 2; fi',
    'echo "[    5.123456] host kernel: from the journal"',
    'printf "[    6.000001] host kernel: crlf\\r\\n"',
    'echo "not a kernel line"',
  ].join('\n'));
  assert.deepEqual(new ThisMachine(dir, dir).kernelLog(), {
    ok: true, value: { text: '[    5.123456] from the journal\n[    6.000001] crlf\n', source: 'journalctl -k' },
  });
});

test('kernelLog: when nothing gives a log, EPERM says what each source answered', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev/kmsg'), { recursive: true }); // a directory: read() is EISDIR
  script(dir, 'dmesg', 'kill -TERM $$');
  script(dir, 'journalctl', 'echo "   "');
  assert.deepEqual(new ThisMachine(dir, dir).kernelLog(), {
    ok: false, errno: 'EPERM', detail: '/dev/kmsg: EISDIR; dmesg: exit SIGTERM: ; journalctl -k: empty',
  });
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'dmesg'), '');
  assert.deepEqual(new ThisMachine(empty, empty).kernelLog(), {
    ok: false, errno: 'EPERM', detail: '/dev/kmsg: ENOENT; dmesg: EACCES; journalctl -k: ENOENT',
  });
});

test('kernelLog: an empty dmesg output is "empty", and whitespace-only records do not count', (t) => {
  const dir = tempRoot(t);
  mkdirSync(join(dir, 'dev'));
  writeFileSync(join(dir, 'dev/kmsg'), ' \n\n');
  script(dir, 'dmesg', 'echo');
  script(dir, 'journalctl', 'exit 0');
  assert.deepEqual(new ThisMachine(dir, dir).kernelLog(), {
    ok: false, errno: 'EPERM', detail: '/dev/kmsg: empty; dmesg: empty; journalctl -k: empty',
  });
});

test('kernelLog on this machine: /dev/kmsg as dmesg lines', (t) => {
  if (!canOpen('/dev/kmsg', constants.O_RDONLY)) return t.skip('/dev/kmsg cannot be opened by this user');
  const r = new ThisMachine().kernelLog();
  assert.ok(isOk(r));
  assert.equal(r.value.source, '/dev/kmsg');
  assert.match(r.value.text, /^\[ *\d+\.\d{6}\] /);
  assert.ok(r.value.text.endsWith('\n'));
});

// ---- open, close, ioctl, alloc ----

test('open: read-only or read-write descriptors, never blocking; close is idempotent', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'abc');
  fifo(join(dir, 'p'));
  const m = new ThisMachine(dir);
  const r = m.open('/f', 'r');
  assert.ok(isOk(r));
  const b = Buffer.alloc(3);
  assert.equal(readSync(r.value, b, 0, 3, 0), 3);
  assert.equal(b.toString(), 'abc');
  assert.throws(() => writeSync(r.value, 'x'), { code: 'EBADF' });
  m.close(r.value);
  assert.throws(() => fstatSync(r.value), { code: 'EBADF' });
  m.close(r.value); // a second close is quiet
  const rw = m.open('/f', 'rw');
  assert.ok(isOk(rw));
  assert.equal(writeSync(rw.value, 'X', 0), 1);
  m.close(rw.value);
  assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'Xbc');
  // A FIFO without a writer opens at once for reading (O_NONBLOCK).
  const p = m.open('/p', 'r');
  assert.ok(isOk(p));
  m.close(p.value);
  assert.equal(pick(m.open('/missing', 'r')), 'ENOENT');
  assert.equal(pick(m.open('/', 'rw')), 'EISDIR');
});

test('alloc: zeroed, its own size, page-aligned for multiples of 4096; setPointer stores addresses', () => {
  const m = new ThisMachine();
  for (const size of [4096, 8192, 3 * 4096]) {
    const a = m.alloc(size);
    assert.equal(a.size, size);
    assert.equal(a.bytes.length, size);
    assert.equal(a.addr % 4096n, 0n, `alloc(${size}) at 0x${a.addr.toString(16)}`);
    assert.ok(a.bytes.every((x) => x === 0));
  }
  const small = m.alloc(100);
  assert.equal(small.size, 100);
  assert.ok(small.bytes.every((x) => x === 0));
  assert.equal(m.alloc(0).size, 1);
  const target = m.alloc(64);
  small.setPointer(8, target, 16);
  small.setPointer(24, target);
  assert.equal(small.bytes.readBigUInt64LE(8), target.addr + 16n);
  assert.equal(small.bytes.readBigUInt64LE(24), target.addr);
  assert.deepEqual([...small.pointers.entries()], [[8, { target, delta: 16 }], [24, { target, delta: 0 }]]);
  assert.equal(small.bytes.readBigUInt64LE(0), 0n);
  assert.equal(small.bytes.readBigUInt64LE(16), 0n);
});

test('ioctl: the kernel writes at the buffer\'s address, and alloc\'s bytes are that memory (FIONREAD)', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'x'.repeat(1234));
  const m = new ThisMachine(dir);
  const fd = m.open('/f', 'r');
  assert.ok(isOk(fd));
  t.after(() => m.close(fd.value));
  for (const size of [4096, 100]) {
    const buf = m.alloc(size);
    assert.deepEqual(m.ioctl(fd.value, 0x541b, buf), { ok: true, value: 0 });
    assert.equal(buf.bytes.readInt32LE(0), 1234);
    // An address given as a number or a bigint is passed as it is.
    const again = m.alloc(size);
    assert.deepEqual(m.ioctl(fd.value, 0x541b, again.addr), { ok: true, value: 0 });
    assert.equal(again.bytes.readInt32LE(0), 1234);
  }
  const low = m.alloc(4096);
  assert.deepEqual(m.ioctl(fd.value, 0x541b, Number(low.addr)), { ok: true, value: 0 });
  assert.equal(low.bytes.readInt32LE(0), 1234);
});

test('ioctl: failures are errno names, and an errno outside the table is EIO with its number', (t) => {
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), 'abc');
  const m = new ThisMachine(dir);
  const fd = m.open('/f', 'rw');
  assert.ok(isOk(fd));
  t.after(() => m.close(fd.value));
  assert.deepEqual(m.ioctl(fd.value, 0x541b, 0), { ok: false, errno: 'EFAULT' });
  assert.deepEqual(m.ioctl(fd.value, 0x7fff, 0), { ok: false, errno: 'ENOTTY' });
  const other = openSync('/proc/self/stat', 'r'); // procfs: another superblock
  t.after(() => closeSync(other));
  assert.deepEqual(m.ioctl(fd.value, 0x40049409, other), { ok: false, errno: 'EIO', detail: 'errno 18' });
  const closed = m.open('/f', 'r');
  assert.ok(isOk(closed));
  m.close(closed.value);
  assert.deepEqual(m.ioctl(closed.value, 0x541b, 0), { ok: false, errno: 'EBADF' });
});

test('ioctl on /dev/kvm: KVM_GET_API_VERSION (0xAE00) is 12; with an argument it is EINVAL', (t) => {
  if (!canOpen('/dev/kvm', constants.O_RDWR)) return t.skip('/dev/kvm is absent or cannot be opened by this user');
  const m = new ThisMachine();
  const fd = m.open('/dev/kvm', 'rw');
  assert.ok(isOk(fd));
  t.after(() => m.close(fd.value));
  assert.deepEqual(m.ioctl(fd.value, 0xae00, 0), { ok: true, value: 12 });
  assert.deepEqual(m.ioctl(fd.value, 0xae00, 0n), { ok: true, value: 12 });
  assert.deepEqual(m.ioctl(fd.value, 0xae00, 1), { ok: false, errno: 'EINVAL' });
});

test('libc: loaded once; errno only for a failed call, 0 after a success', (t) => {
  const c = libc();
  assert.equal(libc(), c);
  assert.ok(!('unavailable' in c));
  const dir = tempRoot(t);
  writeFileSync(join(dir, 'f'), '');
  const fd = openSync(join(dir, 'f'), 'r');
  t.after(() => closeSync(fd));
  assert.deepEqual(c.ioctl(fd, 0x7fff, 0n), { ret: -1, errno: 25 });
  const buf = c.alloc(4);
  assert.deepEqual(c.ioctl(fd, 0x541b, buf.addr), { ret: 0, errno: 0 });
});

test('without koffi: ioctls and instruction runs are unobservable with the reason, alloc throws it, files still work', (t) => {
  const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const paths = [require.resolve('../../backends/linux/real/this-machine'), require.resolve('../../backends/linux/real/ffi')];
  const cached = paths.map((p) => require.cache[p]);
  const load = M._load;
  paths.forEach((p) => delete require.cache[p]);
  M._load = function (this: unknown, request: string, ...rest: unknown[]) {
    if (request === 'koffi') throw new Error('no prebuilt binary for this platform\nsecond line');
    return load.call(this, request, ...rest);
  };
  try {
    const fresh = require(paths[0]) as typeof import('../../backends/linux/real/this-machine');
    const reason = 'koffi, which issues ioctls, cannot load here (no prebuilt binary for this platform)';
    const dir = tempRoot(t);
    writeFileSync(join(dir, 'f'), 'still read');
    const m = new fresh.ThisMachine(dir);
    assert.deepEqual(m.ioctl(0, 0xae00, 0), { unobservable: reason });
    assert.throws(() => m.alloc(4096), { message: reason });
    assert.deepEqual(m.runInstructions(Uint8Array.from([0xc3])), { unobservable: reason });
    assert.deepEqual(m.read('/f'), { ok: true, value: Buffer.from('still read') });
  } finally {
    M._load = load;
    paths.forEach((p, i) => {
      if (cached[i]) require.cache[p] = cached[i];
      else delete require.cache[p];
    });
  }
});

// ---- runInstructions ----

test('runInstructions: io[2] = io[0] + io[1], eight words back; #UD ends the child with SIGILL', () => {
  const m = new ThisMachine();
  const add = Uint8Array.from([0x48, 0x8b, 0x07, 0x48, 0x03, 0x47, 0x08, 0x48, 0x89, 0x47, 0x10, 0xc3]);
  assert.deepEqual(m.runInstructions(add, [2n, 0xffff_ffff_0n]), { ok: true, value: { ended: 'returned', out: [2n, 0xffff_ffff_0n, 0xffff_ffff_2n, 0n, 0n, 0n, 0n, 0n] } });
  // More than eight inputs: the first eight are used.
  const nine = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n];
  assert.deepEqual(m.runInstructions(add, nine), { ok: true, value: { ended: 'returned', out: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n] } });
  assert.deepEqual(m.runInstructions(Uint8Array.from([0xc3])), { ok: true, value: { ended: 'returned', out: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n] } });
  assert.deepEqual(m.runInstructions(Uint8Array.from([0x0f, 0x0b, 0xc3])), { ok: true, value: { ended: 'signal', signal: 'SIGILL' } });
});

test('runInstructions: a child that fails is EIO with its last line of stderr', () => {
  // A negative word cannot be written as a u64: the child throws on it and exits non-zero.
  const r = new ThisMachine().runInstructions(Uint8Array.from([0xc3]), [-1n]);
  assert.equal(pick(r), 'EIO');
  assert.match(detail(r), /^the instruction runner failed: Node\.js v\d+/);
});

// ---- helpers ----

function isOk<T>(r: SysResult<T>): r is { ok: true; value: T } {
  return 'ok' in r && r.ok;
}

/** The errno name of a failure (undefined for a value or an unobservable answer). */
function pick(r: SysResult<unknown>): string | undefined {
  return 'ok' in r && !r.ok ? r.errno : undefined;
}

function detail(r: SysResult<unknown>): string {
  return 'ok' in r && !r.ok ? r.detail ?? '' : '';
}

function typeOfStat(m: ThisMachine, path: string): string | undefined {
  const r = m.stat(path);
  return isOk(r) ? r.value.type : undefined;
}
