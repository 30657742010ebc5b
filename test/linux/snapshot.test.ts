/**
 * Capture and snapshots: a fake machine (a file tree and fake commands, all synthetic) read by the
 * live probes, written as a bundle, read back; bad input refused with one line naming the file;
 * the only change the target makes (CPU offline/online) done only with --allow-destructive and
 * undone afterwards; and this machine, read live.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runProbes } from '../../backends/linux/live';
import { readMachine, readSnapshot } from '../../backends/linux/load';
import { ThisMachine } from '../../backends/linux/real/this-machine';
import { writeSnapshot } from '../../backends/linux/snapshot';
import { linuxFactory, snapshotFactory } from '../../backends/linux/target';
import { isUnobservable } from '../../backends/port';
import { PROJECT_ROOT } from '../../src/project-root';
import { tempDir } from '../support/suite';

const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');
const SYNTHETIC = join(PROJECT_ROOT, 'test/fixtures/synthetic');

const LOG = [
  '[    0.000000] Linux version 6.8.0-1006-intel (buildd@lcy02) (gcc 13.2.0) #6-Ubuntu SMP',
  '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-1006-intel ro kvm_intel.tdx=1 nohibernate',
  '[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x1fffffffff]',
  '[    1.289113] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
  '[    1.289117] virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.',
  '[    4.000000] Run /sbin/init as init process',
  '[    8.222925] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5, build_date 20240129, build_num 698',
  '[    8.222929] virt/tdx: CMR: [0x100000, 0x6f800000)',
  '[    8.222930] virt/tdx: CMR: [0x100000000, 0x107a000000)',
  '[    9.355881] virt/tdx: 525316 KB allocated for PAMT',
  '[    9.355890] virt/tdx: module initialized',
];

function put(root: string, path: string, text: string | Buffer, mode?: number): void {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  if (mode) chmodSync(p, mode);
}

/** A synthetic TDX host: 4 CPUs in 2 packages, MSR 0x87 readable, dmesg and uname on PATH. */
function fakeMachine(): { root: string; path: string } {
  const root = tempDir('fake-root');
  const bin = tempDir('fake-bin');
  put(root, 'proc/sys/kernel/osrelease', '6.8.0-1006-intel\n');
  put(root, 'proc/cmdline', 'BOOT_IMAGE=/boot/vmlinuz-6.8.0-1006-intel ro kvm_intel.tdx=1 nohibernate\n');
  put(root, 'proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nmodel name\t: Intel(R) Xeon(R) Platinum 8592+\nflags\t\t: fpu vmx xsave movdir64b ss tdx_host_platform\nbugs\t\t: spectre_v1 tdx_pw_mce\nbogomips\t: 3800.00\n\n');
  put(root, 'sys/power/state', 'freeze disk\n');
  put(root, 'sys/module/kvm_intel/parameters/tdx', 'Y\n');
  put(root, 'sys/devices/system/cpu/present', '0-3\n');
  put(root, 'sys/devices/system/cpu/online', '0-3\n');
  for (const c of [0, 1, 2, 3]) {
    put(root, `sys/devices/system/cpu/cpu${c}/topology/physical_package_id`, `${c < 2 ? 0 : 1}\n`);
    if (c > 0) put(root, `sys/devices/system/cpu/cpu${c}/online`, '1\n');
  }
  const msr = Buffer.alloc(0x87 + 8);
  msr.writeBigUInt64LE((32n << 32n) | 31n, 0x87);
  put(root, 'dev/cpu/0/msr', msr);
  put(bin, 'dmesg', `#!/bin/sh\nexec /bin/cat <<'EOF'\n${LOG.join('\n')}\nEOF\n`, 0o755);
  put(bin, 'uname', '#!/bin/sh\necho 6.8.0-1006-intel\n', 0o755);
  return { root, path: bin };
}

test('a capture of a (fake) machine reads back to the same facts, and says what it could not read', () => {
  const m = fakeMachine();
  const ki = new ThisMachine(m.root, m.path);
  const live = readMachine(ki, 'linux', 'fake-host');
  const { probes, results } = runProbes(ki);
  const out = join(tempDir('snap'), 'bundle');
  const manifest = writeSnapshot(out, probes, results, '0.1.0', new Date('2026-01-02T03:04:05Z'));
  const back = readSnapshot(out);
  assert.deepEqual(back.facts.host, live.facts.host);
  assert.equal(back.facts.role, 'host');
  assert.deepEqual(back.facts.host!.keyIdRange, [32, 64]);
  assert.deepEqual(back.facts.platform.keyIdPartitioning, { mktme: 31, tdx: 32, source: 'MSR 0x87' });
  assert.equal(back.facts.kernel.release, '6.8.0-1006-intel');
  // The manifest: format, time, tool version, and what could not be read with the reason.
  const json = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.deepEqual([json.format, json.formatVersion, json.capturedAt, json.tool.version], ['tdx-conformance-snapshot', 1, '2026-01-02T03:04:05.000Z', '0.1.0']);
  const mem = manifest.unreadable.find((u) => u.what === '/sys/power/mem_sleep');
  assert.ok(mem && /ENOENT/.test(mem.why), JSON.stringify(manifest.unreadable));
  assert.ok(manifest.unreadable.some((u) => u.what === '/sys/devices/faux/tdx_host/version'));
  // Files are kept byte for byte.
  assert.equal(readFileSync(join(out, 'files/kernel-log.txt'), 'utf8'), LOG.join('\n') + '\n');
  // A bundle is never overwritten.
  assert.throws(() => writeSnapshot(out, probes, results, '0.1.0'), /a snapshot is already there/);
});

test('the live target of the fake machine: description, capabilities, arrangements, boot-time log', () => {
  const m = fakeMachine();
  const f = linuxFactory(m);
  assert.deepEqual([f.description.kind, f.description.role, f.description.kernel.flavour], ['linux', 'host', 'ubuntu-6.8-intel']);
  assert.deepEqual(f.description.module, { major: 1, minor: 5, update: null, build: 698, buildDate: 20240129, features0: null, source: 'kernel-log' });
  assert.deepEqual([...f.capabilities].sort(), ['host.cpuinfo', 'host.init', 'host.log', 'host.msr', 'host.sysfs']);
  const t = f.create();
  assert.deepEqual(t.host!.tdxHostDevice(), { present: false, attributes: [] });
  assert.deepEqual(t.arrange({ kind: 'tdx-host' }), { met: true });
  assert.deepEqual(t.arrange({ kind: 'keyid-partitioning', mktmeKeyIds: 31, tdxKeyIds: 32 }), { met: true });
  assert.equal(t.arrange({ kind: 'keyid-partitioning', mktmeKeyIds: 0, tdxKeyIds: 0 }).met, false);
  assert.deepEqual(t.arrange({ kind: 'hibernation-available', available: false }), { met: true });
  assert.deepEqual(t.arrange({ kind: 'cpu-model', model: 'emerald-rapids' }), { met: true });
  assert.equal(t.arrange({ kind: 'cpus-offline-before-init', cpus: [3] }).met, false);
  // Before initialisation is asked for, the log stops where the kernel's boot ended.
  const before = t.host!.log();
  assert.ok(!isUnobservable(before));
  assert.ok(!before.events.some((e) => e.id === 'init-done'));
  assert.deepEqual(t.host!.initTdx(), { ok: true });
  const after = t.host!.log();
  assert.ok(!isUnobservable(after) && after.events.some((e) => e.id === 'init-done'));
  assert.deepEqual(t.host!.rdmsr(0, 0x87), { value: (32n << 32n) | 31n });
  assert.deepEqual(t.host!.sleepStates(), ['freeze', 'disk']);
  const topo = t.host!.topology();
  assert.ok(!isUnobservable(topo) && topo.packages === 2 && topo.packageOf(3) === 1);
  // No change without --allow-destructive.
  const off = t.host!.cpuOffline(1);
  assert.ok(isUnobservable(off) && /allow-destructive/.test(off.unobservable));
  assert.equal(readFileSync(join(m.root, 'sys/devices/system/cpu/cpu1/online'), 'utf8'), '1\n');
});

test('the tdx_host device (7.2): its files and modes, only the world-readable version read; its version is the description\'s, the log checked against it', () => {
  const m = fakeMachine();
  put(m.root, 'sys/devices/faux/tdx_host/version', '2.0.08\n', 0o444);
  put(m.root, 'sys/devices/faux/tdx_host/seamldr_version', 'never read\n', 0o400);
  const f = linuxFactory(m);
  const d = f.description.module!;
  // The log's module line says 1.5: sysfs wins, the difference is noted (and a scenario comparing them fails).
  assert.deepEqual([d.major, d.minor, d.update, d.source], [2, 0, 8, 'sysfs']);
  assert.ok(f.description.notes?.some((n) => /module major differs between sources: 2 and 1 \(log\)/.test(n)));
  const t = f.create();
  assert.deepEqual(t.host!.tdxHostDevice(), {
    present: true, attributes: [{ name: 'version', mode: 0o444, text: '2.0.08\n' }, { name: 'seamldr_version', mode: 0o400 }],
  });
});

test('with --allow-destructive a @destructive scenario takes a CPU offline and it is put back online afterwards, verified', async () => {
  const m = fakeMachine();
  const f = linuxFactory({ ...m, allowDestructive: true });
  assert.ok(f.capabilities.has('host.cpu-hotplug'));
  // A scenario that is not @destructive cannot change the machine, even in such a run.
  const plain = f.create({ mayChangeMachine: false });
  const refused = plain.host!.cpuOffline(2);
  assert.ok(isUnobservable(refused) && /only a @destructive scenario/.test(refused.unobservable));
  assert.equal(readFileSync(join(m.root, 'sys/devices/system/cpu/cpu2/online'), 'utf8'), '1\n');
  const t = f.create({ mayChangeMachine: true });
  assert.deepEqual(t.host!.cpuOffline(2), { ok: true });
  assert.equal(readFileSync(join(m.root, 'sys/devices/system/cpu/cpu2/online'), 'utf8'), '0');
  assert.deepEqual(await t.restore!(), { restored: true });
  assert.equal(readFileSync(join(m.root, 'sys/devices/system/cpu/cpu2/online'), 'utf8'), '1');
  // CPU 0 has no online node here: it cannot go offline.
  assert.deepEqual(t.host!.cpuOffline(0), { ok: false, errno: 'EPERM' });
});

const BAD: [string, RegExp][] = [
  ['empty.log', /empty.log: empty file/],
  ['blank.log', /blank.log: empty file/],
  ['binary.bin', /binary.bin: binary file/],
  ['not-a-log.txt', /not-a-log.txt: not a kernel log/],
  ['no-snapshot', /no-snapshot: no snapshot here \(no manifest.json\)/],
  ['newer-format', /newer-format\/manifest.json: snapshot format version 99 is newer than this tool reads \(up to 2\)/],
  ['bad-manifest', /bad-manifest\/manifest.json: not valid JSON/],
  ['does-not-exist', /does-not-exist: no such file or directory/],
];

test('bad snapshot input is an error naming the file and the problem', () => {
  for (const [name, re] of BAD) {
    assert.throws(() => readSnapshot(join(SYNTHETIC, name)), (e: Error) => e.name === 'SnapshotError' && re.test(e.message), name);
  }
});

test('run --snapshot and inspect refuse bad input with one line and exit code 2', () => {
  for (const [name, re] of BAD) {
    for (const args of [['run', '--snapshot', join(SYNTHETIC, name), '--out', tempDir('bad')], ['inspect', join(SYNTHETIC, name)]]) {
      if (args[0] === 'run' && !['empty.log', 'newer-format', 'no-snapshot', 'binary.bin'].includes(name)) continue; // one process each is enough
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: PROJECT_ROOT });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0], re);
    }
  }
});

test('this machine, read live: it answers without throwing and every reading has a role', () => {
  const r = readMachine(new ThisMachine(), 'linux', 'this machine');
  assert.ok(['host', 'guest', 'none', 'unknown'].includes(r.facts.role));
  assert.ok(r.facts.roleEvidence.length > 0);
});

test('a captured TD answers as a guest: its log, the CPUID leaf it holds, and "not a TDX host" for host scenarios', () => {
  const f = snapshotFactory(join(PROJECT_ROOT, 'test/fixtures/real/guest/g-cpuid-0x21-in-td.txt'));
  assert.equal(f.description.role, 'guest');
  assert.ok(f.capabilities.has('guest.cpuid'));
  const t = f.create();
  assert.deepEqual(t.guest!.cpuid(0, 0x21, 0), { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c });
  const other = t.guest!.cpuid(0, 0x1, 0);
  assert.ok(isUnobservable(other) && /not in the capture/.test(other.unobservable));
  assert.deepEqual(t.arrange({ kind: 'td-guest' }), { met: true });
  assert.deepEqual(t.arrange({ kind: 'tdx-host' }), { met: false, reason: 'no TDX host platform: this is a TD guest' });
  const host = snapshotFactory(join(PROJECT_ROOT, 'test/fixtures/real/host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg')).create();
  assert.equal(host.guest, undefined);
  assert.match((host.arrange({ kind: 'td-guest' }) as { reason: string }).reason, /^not a TD guest/);
});

test('tdx-conformance capture writes a bundle of this machine that inspects like the machine', () => {
  const out = join(tempDir('capture'), 'snap');
  const c = spawnSync(process.execPath, [BIN, 'capture', '--out', out], { encoding: 'utf8' });
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /^wrote .*: \d+ probes, \d+ could not be read/);
  const i = spawnSync(process.execPath, [BIN, 'inspect', '--json', out], { encoding: 'utf8' });
  assert.equal(i.status, 0, i.stderr);
  const live = readMachine(new ThisMachine(), 'linux', 'this machine').facts;
  const captured = JSON.parse(i.stdout);
  assert.deepEqual([captured.role, captured.kernel.release], [live.role, live.kernel.release]);
  const again = spawnSync(process.execPath, [BIN, 'capture', '--out', out], { encoding: 'utf8' });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /snap already holds a snapshot: choose a new or empty directory/);
});
