/**
 * Running the probes through the kernel-interface seam (backends/linux/live.ts) and the three ways
 * to read a machine (load.ts), over a table of files. How the drivers answer (Linux 6.16.1):
 *  - /dev/cpu/N/cpuid (arch/x86/kernel/cpuid.c cpuid_read()): the file offset's low 32 bits are the
 *    leaf (EAX), the high 32 bits the subleaf (ECX); each 16 bytes are struct cpuid_regs
 *    { eax, ebx, ecx, edx } (asm/processor.h), little-endian.
 *  - /dev/cpu/N/msr (arch/x86/kernel/msr.c msr_read()): the offset is the MSR; 8 bytes, low half
 *    first; a refused RDMSR is -EIO.
 *  - KVM_GET_API_VERSION is _IO(KVMIO, 0x00) on /dev/kvm and answers 12 (KVM_API_VERSION,
 *    include/uapi/linux/kvm.h).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sysErr, sysOk, type Fd, type IoctlArg, type SysResult } from '../../backends/kernel-interface';
import { readCpuid, readMsr, runProbe, runProbes } from '../../backends/linux/live';
import { readMachine, readSnapshot } from '../../backends/linux/load';
import { SnapshotError, writeSnapshot } from '../../backends/linux/snapshot';
import type { Probe } from '../../backends/linux/probes';
import { FakeKi, type FakeFile } from '../support/fake-ki';

/** FakeKi whose /dev/cpu/N/{cpuid,msr} answer by offset, and whose /dev/kvm answers KVM_GET_API_VERSION. */
class DriverKi extends FakeKi {
  constructor(files: Record<string, FakeFile>, private readonly at: Record<string, SysResult<Buffer>> = {}, public api: SysResult<number> | null = sysOk(12)) {
    super(files);
  }
  override read(path: string, opts?: { offset?: bigint; length?: number }): SysResult<Buffer> {
    if (opts?.offset !== undefined) {
      this.calls.push(`read ${path}@0x${opts.offset.toString(16)}+${opts.length}`);
      return this.at[`${path}@0x${opts.offset.toString(16)}`] ?? sysErr('EIO');
    }
    return super.read(path, opts);
  }
  override open(path: string, mode: 'r' | 'rw'): SysResult<Fd> {
    this.calls.push(`open ${path} ${mode}`);
    return this.api && path === '/dev/kvm' ? sysOk(5) : sysErr('ENOENT');
  }
  override ioctl(fd: Fd, request: number, _arg: IoctlArg): SysResult<number> {
    this.calls.push(`ioctl ${fd} 0x${request.toString(16)}`);
    return this.api ?? sysErr('ENOTTY');
  }
  override close(fd: Fd): void {
    this.calls.push(`close ${fd}`);
  }
}

const regs = (eax: number, ebx: number, ecx: number, edx: number): Buffer => {
  const b = Buffer.alloc(16);
  [eax, ebx, ecx, edx].forEach((v, i) => b.writeUInt32LE(v >>> 0, i * 4));
  return b;
};

test('readCpuid: the subleaf in the offset\'s high half, the leaf in its low half; 16 bytes EAX, EBX, ECX, EDX', () => {
  const ki = new DriverKi({}, {
    '/dev/cpu/0/cpuid@0x700000000': sysErr('EIO'),
    '/dev/cpu/0/cpuid@0x100000007': sysOk(regs(1, 2, 3, 4)),
    '/dev/cpu/2/cpuid@0x21': sysOk(regs(0, 0x6c65746e, 0x20202020, 0x5844546c)),
    '/dev/cpu/0/cpuid@0x0': sysOk(Buffer.alloc(15)),
    '/dev/cpu/0/cpuid@0x80000008': sysOk(regs(0xffffffff, 0x80000000, 0, 0x7fffffff)),
  });
  assert.deepEqual(readCpuid(ki, 0, 7, 1), { ok: true, regs: { eax: 1, ebx: 2, ecx: 3, edx: 4 } });
  assert.deepEqual(readCpuid(ki, 2, 0x21, 0), { ok: true, regs: { eax: 0, ebx: 0x6c65746e, ecx: 0x20202020, edx: 0x5844546c } });
  assert.deepEqual(readCpuid(ki, 0, 0x80000008, 0), { ok: true, regs: { eax: 0xffffffff, ebx: 0x80000000, ecx: 0, edx: 0x7fffffff } });
  assert.deepEqual(readCpuid(ki, 0, 0, 0), { ok: false, error: 'short read (15 bytes)' });
  assert.deepEqual(readCpuid(ki, 0, 0, 7), { ok: false, error: 'EIO' });
  assert.deepEqual(ki.calls, ['read /dev/cpu/0/cpuid@0x100000007+16', 'read /dev/cpu/2/cpuid@0x21+16', 'read /dev/cpu/0/cpuid@0x80000008+16',
    'read /dev/cpu/0/cpuid@0x0+16', 'read /dev/cpu/0/cpuid@0x700000000+16']);
});

test('readMsr: 8 bytes little-endian at the MSR\'s offset; EIO is a #GP, an observation; other errors are failures', () => {
  const v = Buffer.alloc(8);
  v.writeBigUInt64LE(0x200000001fn);
  const ki = new DriverKi({}, {
    '/dev/cpu/0/msr@0x87': sysOk(v),
    '/dev/cpu/1/msr@0x87': sysErr('EIO'),
    '/dev/cpu/0/msr@0x10': { ok: false, errno: 'EACCES', detail: 'EACCES: Permission denied' } as SysResult<Buffer>,
    '/dev/cpu/0/msr@0x11': { ok: false, errno: 'EPERM', detail: 'lockdown' } as SysResult<Buffer>,
    '/dev/cpu/0/msr@0x12': sysOk(Buffer.alloc(4)),
    '/dev/cpu/0/msr@0x14': { ok: false, errno: 'EPERM', detail: 'see EPERM: x' } as SysResult<Buffer>,
    '/dev/cpu/0/msr@0x13': { unobservable: 'not recorded' } as never,
  });
  assert.deepEqual(readMsr(ki, 0, 0x87), { ok: true, value: 0x200000001fn });
  assert.deepEqual(readMsr(ki, 1, 0x87), { ok: true, faulted: true });
  assert.deepEqual(readMsr(ki, 0, 0x10), { ok: false, error: 'EACCES: Permission denied' });
  assert.deepEqual(readMsr(ki, 0, 0x11), { ok: false, error: 'EPERM: lockdown' });
  // Only an errno name at the start of the detail is the errno said twice.
  assert.deepEqual(readMsr(ki, 0, 0x14), { ok: false, error: 'EPERM: see EPERM: x' });
  assert.deepEqual(readMsr(ki, 0, 0x12), { ok: false, error: 'short read (4 bytes)' });
  assert.deepEqual(readMsr(ki, 0, 0x13), { ok: false, error: 'not recorded' });
  assert.equal(ki.calls[0], 'read /dev/cpu/0/msr@0x87+8');
});

const probe = (p: Record<string, unknown>): Probe => ({ id: 'x', why: 'y', ...p }) as Probe;

test('runProbe: files, existence, the log, the KVM API version', () => {
  const ki = new DriverKi({
    '/proc/cmdline': { text: 'ro quiet\n' },
    '/sys/secret': { errno: 'EACCES' },
    '/dev/kvm': { type: 'char' },
    '/dev/locked': { statErrno: 'EACCES' },
    '/gone': { unobservable: 'not in the record' },
  });
  assert.deepEqual(runProbe(probe({ kind: 'file', path: '/proc/cmdline' }), ki), { ok: true, text: 'ro quiet\n' });
  assert.deepEqual(runProbe(probe({ kind: 'file', path: '/sys/secret' }), ki), { ok: false, error: 'EACCES' });
  assert.deepEqual(runProbe(probe({ kind: 'file', path: '/gone' }), ki), { ok: false, error: 'not in the record' });
  assert.deepEqual(runProbe(probe({ kind: 'exists', path: '/dev/kvm' }), ki), { ok: true, exists: true });
  assert.deepEqual(runProbe(probe({ kind: 'exists', path: '/dev/tdx_guest' }), ki), { ok: true, exists: false });
  assert.deepEqual(runProbe(probe({ kind: 'exists', path: '/dev/locked' }), ki), { ok: false, error: 'EACCES' });
  assert.deepEqual(runProbe(probe({ kind: 'exists', path: '/gone' }), ki), { ok: false, error: 'not in the record' });
  assert.deepEqual(runProbe(probe({ kind: 'kernel-log' }), ki), { ok: false, error: 'ENOENT' });
  ki.log = sysOk({ text: '[    0.000000] Linux version 6.16.1\n', source: 'dmesg' });
  assert.deepEqual(runProbe(probe({ kind: 'kernel-log' }), ki), { ok: true, text: '[    0.000000] Linux version 6.16.1\n', source: 'dmesg' });
  ki.calls.length = 0;
  assert.deepEqual(runProbe(probe({ kind: 'kvm-api' }), ki), { ok: true, value: 12n });
  // KVM_GET_API_VERSION = _IO(0xAE, 0x00).
  assert.deepEqual(ki.calls, ['open /dev/kvm rw', 'ioctl 5 0xae00', 'close 5']);
  ki.api = null;
  ki.calls.length = 0;
  assert.deepEqual(runProbe(probe({ kind: 'kvm-api' }), ki), { ok: false, error: 'ENOENT' });
  assert.deepEqual(ki.calls, ['open /dev/kvm rw']);
  const refused = new DriverKi({}, {}, sysErr('EINVAL'));
  assert.deepEqual(runProbe(probe({ kind: 'kvm-api' }), refused), { ok: false, error: 'EINVAL' });
  assert.deepEqual(refused.calls.slice(-1), ['close 5'], 'the descriptor is closed after a refused ioctl too');
  assert.deepEqual(runProbe(probe({ kind: 'command', argv: ['dmesg'], timeoutMs: 1 }), ki), { ok: false, error: 'probe kind command is read from format-1 snapshots only' });
  assert.deepEqual(runProbe(probe({ kind: 'kmsg', path: '/dev/kmsg' }), ki), { ok: false, error: 'probe kind kmsg is read from format-1 snapshots only' });
  assert.deepEqual(runProbe(probe({ kind: 'cpuid', cpu: 0, leaf: 0, subleaf: 0 }), ki), { ok: false, error: 'EIO' });
  assert.deepEqual(runProbe(probe({ kind: 'msr', cpu: 0, msr: 0x87 }), ki), { ok: true, faulted: true });
  assert.deepEqual(runProbe(probe({ kind: 'insn', sequence: 'NOPE', input: [] }), ki), { ok: false, error: 'no instruction sequence named NOPE' });
});

const HOST_FILES: Record<string, FakeFile> = {
  '/sys/devices/system/cpu/present': { text: '0-1,3\n' },
  '/sys/devices/system/cpu/cpu0/topology/physical_package_id': { text: '0\n' },
  '/sys/devices/system/cpu/cpu1/topology/physical_package_id': { text: '0\n' },
  '/sys/devices/system/cpu/cpu3/topology/physical_package_id': { text: '1\n' },
  '/proc/cpuinfo': { text: 'processor\t: 0\nflags\t\t: fpu tdx_host_platform\n\n' },
};

test('runProbes: the base probes, one package probe per present CPU, and the guest probes only on a TD', () => {
  const ki = new DriverKi(HOST_FILES);
  const { probes, results } = runProbes(ki);
  const ids = probes.map((p) => p.id);
  assert.deepEqual(ids.filter((id) => id.endsWith('-package')), ['cpu0-package', 'cpu1-package', 'cpu3-package']);
  assert.deepEqual(results.get('cpu3-package'), { ok: true, text: '1\n' });
  assert.equal(results.size, probes.length);
  assert.ok(!ids.includes('tsm-item'), 'no guest probes on a host');
  assert.deepEqual(results.get('dev-tdx-guest'), { ok: true, exists: false });
  // Without the present list, no per-CPU probes.
  const bare = runProbes(new DriverKi({}));
  assert.ok(!bare.probes.some((p) => p.id.endsWith('-package')));
  const unreadable = runProbes(new DriverKi({ '/sys/devices/system/cpu/present': { errno: 'EACCES' } }));
  assert.ok(!unreadable.probes.some((p) => p.id.endsWith('-package')));
  // A TD guest (/dev/tdx_guest exists): the guest probes follow.
  const td = runProbes(new DriverKi({ '/dev/tdx_guest': { type: 'char' } }));
  const tdIds = td.probes.map((p) => p.id);
  assert.ok(tdIds.includes('tsm-item') && tdIds.includes('tdreport-0x0') && tdIds.includes('mr-rtmr0'));
  assert.deepEqual(td.results.get('tsm-item'), { ok: false, error: 'EPERM' });
  assert.equal(td.results.size, new Set(tdIds).size);
});

test('readMachine: the probes\' evidence read as a reading of this kind and name', () => {
  const ki = new DriverKi({ ...HOST_FILES, '/proc/sys/kernel/osrelease': { text: '6.16.1\n' } });
  const r = readMachine(ki, 'emulated-linux', 'spr');
  assert.equal(r.kind, 'emulated-linux');
  assert.equal(r.name, 'spr');
  assert.equal(r.manifest, null);
  assert.ok(r.probes && r.probes.results.get('osrelease'));
  assert.equal(r.facts.kernel.release, '6.16.1');
  assert.equal(r.facts.role, 'host', 'the tdx_host_platform flag says host');
});

test('readSnapshot: a file is a single-file reading; a missing path or an unreadable file is a SnapshotError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'load-'));
  const f = join(dir, 'dmesg.txt');
  writeFileSync(f, '[    0.000000] Linux version 6.16.1 (b@h) (gcc) #1 SMP\n[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)\n');
  const r = readSnapshot(f);
  assert.equal(r.kind, 'snapshot');
  assert.equal(r.name, f);
  assert.equal(r.probes, null);
  assert.equal(r.manifest, null);
  assert.equal(r.facts.role, 'host');
  assert.deepEqual(r.facts.host?.keyIdRange, [32, 64]);
  assert.throws(() => readSnapshot(join(dir, 'nope')), (e: unknown) => e instanceof SnapshotError && /no such file or directory/.test(e.message) && e.message.includes('nope'));
  // A directory without a manifest is no snapshot bundle.
  assert.throws(() => readSnapshot(dir), (e: unknown) => e instanceof SnapshotError);
});

test('readSnapshot: a bundle directory reads back through the probes, marked as a snapshot', () => {
  const ki = new DriverKi({ ...HOST_FILES, '/proc/sys/kernel/osrelease': { text: '6.16.1\n' } });
  const { probes, results } = runProbes(ki);
  const dir = join(mkdtempSync(join(tmpdir(), 'load-bundle-')), 'bundle');
  writeSnapshot(dir, probes, results, '0.1.0', new Date('2026-01-02T03:04:05Z'));
  const r = readSnapshot(dir);
  assert.equal(r.kind, 'snapshot');
  assert.equal(r.name, dir);
  assert.equal(r.facts.formats[0], 'snapshot');
  assert.equal(r.facts.kernel.release, '6.16.1');
  assert.equal(r.manifest?.tool.version, '0.1.0');
  assert.ok(r.probes && r.probes.results.size > 0 && r.probes.probes.length === r.probes.results.size);
  assert.equal(r.transcript, undefined, 'a bundle without recorded scenarios has no transcript');
  assert.equal(r.facts.role, 'host');
});
