/**
 * The host facet of a real machine (backends/linux/host.ts) over readings of synthetic captures
 * and a table of files (test/support/fake-ki.ts). The files hold what the kernel prints there:
 *  - /dev/cpu/N/msr: the file offset is the MSR, 8 bytes little-endian; a faulting RDMSR is EIO
 *    (Linux 6.16.1 arch/x86/kernel/msr.c msr_read(): rdmsr_safe_on_cpu() fails, -EIO).
 *  - misc.capacity / misc.current: "%s %llu\n" per resource, "tdx" among them (kernel/cgroup/misc.c,
 *    misc_cg_capacity_show(), misc_cg_current_show(), misc_res_name[]).
 *  - /sys/devices/faux/tdx_host: "version" readable by anyone, "seamldr_version" and
 *    "num_remaining_updates" root-only (DEVICE_ATTR_ADMIN_RO; /work/shared/spec/real-machine-interfaces.md 1a).
 *  - /sys/devices/system/cpu/cpuN/online: "1\n" or "0\n"; /sys/power/state takes "mem" or "disk".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnobservable } from '../../backends/port';
import { CpuHotplug } from '../../backends/linux/cpu-hotplug';
import { emptyEvidence, mergeEvidence, msrKey, type Evidence } from '../../backends/linux/evidence';
import { readEvidence, type Reading } from '../../backends/linux/facts';
import { cpuinfoOf, linuxHostFacet, logOf, readTdxHostDevice, type HostFacetContext } from '../../backends/linux/host';
import { FakeKi } from '../support/fake-ki';

const reading = (lines: string[] | null, extra: Partial<Evidence> = {}, log: Partial<NonNullable<Evidence['log']>> = {}): Reading =>
  readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], ...(lines ? { log: { lines, source: 'dmesg', excerpt: false, ...log } } : {}), ...extra }));

const RANGE = '[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)';
const BOOT = [
  '[    0.000000] Linux version 6.16.1 (builder@host) (gcc) #1 SMP PREEMPT_DYNAMIC',
  RANGE,
  '[    4.000000] Run /sbin/init as init process',
  '[    9.000000] virt/tdx: module initialized',
];
const why = (x: unknown): string => {
  assert.ok(isUnobservable(x), `expected unobservable, got ${JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return x.unobservable;
};
const facet = (r: Reading, ctx: Partial<HostFacetContext> = {}) =>
  linuxHostFacet({ reading: r, live: false, ki: null, hotplug: null, allowDestructive: false, ...ctx });

test('the log before initialisation ends where the kernel\'s boot ended; after it, the whole log', () => {
  const r = reading(BOOT);
  const before = logOf(r, false, false);
  assert.ok(!isUnobservable(before));
  assert.deepEqual(before.lines, BOOT.slice(0, 3));
  assert.deepEqual(before.events.map((e) => e.id), ['keyid-range']);
  assert.equal(before.complete, true);
  const after = logOf(r, false, true);
  assert.ok(!isUnobservable(after));
  assert.deepEqual(after.lines, BOOT);
  assert.deepEqual(after.events.map((e) => e.id), ['keyid-range', 'init-done']);
  assert.equal(after.complete, true);
  // The events are copies: a step that changes one does not change the reading.
  (after.events[0] as { id: string }).id = 'x';
  assert.equal(r.parsed.events[0].id, 'keyid-range');
});

test('the log is whole only from boot on, not cut, not a selection; a paste also needs the end of boot', () => {
  const complete = (r: Reading, live: boolean, afterInit = false) => {
    const l = logOf(r, live, afterInit);
    assert.ok(!isUnobservable(l));
    return l.complete;
  };
  assert.equal(complete(reading(BOOT.slice(1)), true), false, 'does not start at boot');
  assert.equal(complete(reading(BOOT, {}, { excerpt: true }), true), false, 'a grep');
  assert.equal(complete(reading(BOOT, {}, { lastLineCut: true }), true, true), false, 'cut at the end');
  // Without the end of boot: a live log is whole, a pasted one is not.
  const noEnd = [BOOT[0], BOOT[1]];
  assert.equal(complete(reading(noEnd), true), true);
  assert.equal(complete(reading(noEnd), false), false);
  // Without the end of boot but with initialisation messages, the log before initialisation
  // cannot show what was absent then.
  const initNoEnd = [BOOT[0], BOOT[1], BOOT[3]];
  assert.equal(complete(reading(initNoEnd), true), false);
  assert.equal(complete(reading(initNoEnd), true, true), true);
  const l = logOf(reading(initNoEnd), true, false);
  assert.ok(!isUnobservable(l));
  assert.deepEqual(l.lines, initNoEnd);
});

test('no log: the reason, with what could not be read', () => {
  assert.equal(why(logOf(reading(null), false, false)), 'the kernel log is not available in this capture');
  assert.equal(why(logOf(reading(null), true, false)), 'the kernel log is not available');
  const denied = reading(null, { unreadable: [{ what: 'dmesg', why: 'EPERM' }, { what: '/proc/cpuinfo', why: 'EACCES' }, { what: '/dev/kmsg', why: 'EACCES' }] });
  assert.equal(why(logOf(denied, true, false)), 'the kernel log is not available (dmesg: EPERM; /dev/kmsg: EACCES)');
  assert.equal(why(logOf(reading(null, { unreadable: [{ what: 'journalctl -k', why: 'not found' }] }), false, false)), 'the kernel log is not available (journalctl -k: not found)');
  assert.equal(why(logOf(reading(null, { unreadable: [{ what: 'the kernel log', why: 'gone' }] }), false, false)), 'the kernel log is not available (the kernel log: gone)');
});

test('the CPU flags: only a whole list with a whole bugs line can be checked', () => {
  const f = (o: Partial<NonNullable<Evidence['cpuFlags']>>) => reading(null, { cpuFlags: { flags: ['fpu', 'tdx_host_platform'], bugs: ['spectre_v1'], complete: true, bugsComplete: true, source: 't', ...o } });
  assert.deepEqual(cpuinfoOf(f({})), { flags: ['fpu', 'tdx_host_platform'], bugs: ['spectre_v1'] });
  assert.match(why(cpuinfoOf(reading(null))), /not in the capture/);
  assert.match(why(cpuinfoOf(f({ complete: false }))), /flags list may be cut/);
  assert.match(why(cpuinfoOf(f({ bugs: null }))), /not the bugs line/);
  assert.match(why(cpuinfoOf(f({ bugsComplete: false }))), /bugs list may be cut/);
  // A copy: changing the answer does not change the reading.
  const r = f({});
  const got = cpuinfoOf(r);
  assert.ok(!isUnobservable(got));
  got.flags.push('x');
  got.bugs.push('y');
  assert.deepEqual([r.evidence.cpuFlags!.flags.length, r.evidence.cpuFlags!.bugs!.length], [2, 1]);
});

test('the tdx_host device: present with the files it has; root-only files are looked at, never read', () => {
  const D = '/sys/devices/faux/tdx_host';
  const ki = new FakeKi({
    [D]: { type: 'dir', mode: 0o755 },
    [`${D}/version`]: { text: '1.5.24\n', mode: 0o444 },
    [`${D}/seamldr_version`]: { text: '2.0.0\n', mode: 0o400 },
  });
  assert.deepEqual(readTdxHostDevice(ki), { present: true, attributes: [{ name: 'version', mode: 0o444, text: '1.5.24\n' }, { name: 'seamldr_version', mode: 0o400 }] });
  assert.ok(!ki.calls.includes(`read ${D}/seamldr_version`));
  assert.ok(!ki.calls.some((c) => c.startsWith('write')));
  // Readable by others (0o004) is what decides, not the owner's bits.
  const other = new FakeKi({ [D]: { type: 'dir' }, [`${D}/num_remaining_updates`]: { text: '3\n', mode: 0o404 } });
  assert.deepEqual(readTdxHostDevice(other), { present: true, attributes: [{ name: 'num_remaining_updates', mode: 0o404, text: '3\n' }] });
  const group = new FakeKi({ [D]: { type: 'dir' }, [`${D}/version`]: { text: '1.5.24\n', mode: 0o440 } });
  assert.deepEqual(readTdxHostDevice(group), { present: true, attributes: [{ name: 'version', mode: 0o440 }] });
  // A read that fails keeps its errno.
  const failing = new FakeKi({ [D]: { type: 'dir' }, [`${D}/version`]: { errno: 'EIO', mode: 0o444 } });
  assert.deepEqual(readTdxHostDevice(failing), { present: true, attributes: [{ name: 'version', mode: 0o444, errno: 'EIO' }] });
  // No directory: no device (before 7.2, or the module not initialised).
  assert.deepEqual(readTdxHostDevice(new FakeKi()), { present: false, attributes: [] });
  assert.equal(why(readTdxHostDevice(new FakeKi({ [D]: { statErrno: 'EACCES' } }))), `${D} cannot be looked at (EACCES)`);
  assert.equal(why(readTdxHostDevice(new FakeKi({ [D]: { type: 'dir' }, [`${D}/version`]: { statErrno: 'EACCES' } }))), `${D}/version cannot be looked at (EACCES)`);
  assert.equal(why(readTdxHostDevice(new FakeKi({ [D]: { unobservable: 'no record' } }))), 'no record');
  assert.equal(why(readTdxHostDevice(new FakeKi({ [D]: { type: 'dir' }, [`${D}/version`]: { unobservable: 'no record of stat' } }))), 'no record of stat');
  const unreadable = new FakeKi({ [D]: { type: 'dir' }, [`${D}/version`]: { mode: 0o444 } });
  unreadable.read = () => ({ unobservable: 'no record of read' });
  assert.equal(why(readTdxHostDevice(unreadable)), 'no record of read');
});

test('initialisation as this boot went: the log\'s outcome and errno', () => {
  assert.deepEqual(facet(reading(BOOT)).initTdx(), { ok: true });
  assert.deepEqual(facet(reading([RANGE, '[ 9.0] virt/tdx: module initialization failed (-12)'])).initTdx(), { ok: false, errno: 'ENOMEM' });
  assert.deepEqual(facet(reading([RANGE, '[ 9.0] virt/tdx: module not loaded'])).initTdx(), { ok: false, errno: 'ENODEV' });
  assert.deepEqual(facet(reading(['[ 5.0] tdx: not enabled by BIOS.', RANGE])).initTdx(), { ok: false, errno: 'ENODEV' });
  assert.equal(why(facet(reading([RANGE, '[ 9.9] kvm_intel: Failed to initialize TDX module.'])).initTdx()),
    'initialisation failed (KVM reported that the TDX module could not be initialised), but the log does not give the errno');
  assert.equal(why(facet(reading([RANGE])).initTdx()), 'initialisation not attempted on this boot');
  assert.equal(why(facet(reading([RANGE, '[ 9.0] virt/tdx: CMR: [0x100000, 0x77800000)'])).initTdx()), 'the capture is cut before the outcome of initialisation');
  // No host platform: the reason depends on whether this kernel initialises at boot (7.1).
  const refused = ['[ 1.0] virt/tdx: BIOS enabled: private KeyID range [32, 33)', '[ 1.1] virt/tdx: initialization failed: too few private KeyIDs available.'];
  assert.equal(why(facet(reading(refused)).initTdx()), 'initialisation not attempted on this boot (no TDX host platform)');
  assert.match(why(facet(reading(refused, { unameRelease: '7.1.0' })).initTdx()), /^boot-time initialisation gave up/);
  assert.equal(why(facet(reading(null)).initTdx()), 'initialisation not attempted on this boot (no TDX host platform)');
  // sysfs shows the state, not how this kernel got there.
  const sysfs = { attributes: null, vendorId: null, major: 1, minor: 5, buildNum: null, buildDate: null, status: 'initialized' };
  assert.equal(why(facet(reading(null, { sysfsModule: sysfs })).initTdx()), 'the capture has no kernel log to show how initialisation went (its sysfs says the module is initialized)');
  assert.equal(why(facet(reading(null, { sysfsModule: { ...sysfs, status: null } })).initTdx()), 'the capture has no kernel log to show how initialisation went');
});

test('a second initialisation request: a boot-time kernel keeps its result, an on-demand one is not asked twice', () => {
  const onDemand = facet(reading(BOOT, { unameRelease: '6.16.1' }));
  assert.deepEqual(onDemand.initTdx(), { ok: true });
  assert.equal(why(onDemand.initTdx()), 'a repeated initialisation request cannot be observed on a real machine');
  const boot = facet(reading([...BOOT.slice(0, 3), '[ 9.0] virt/tdx: TDX-Module initialized'], { unameRelease: '7.1.0' }));
  assert.deepEqual(boot.initTdx(), { ok: true });
  assert.deepEqual(boot.initTdx(), { ok: true });
});

test('after initialisation was asked, a machine\'s log is read again; a paste shows all it has', () => {
  const r = reading(BOOT);
  const ki = new FakeKi();
  ki.log = { ok: true, value: { text: `${BOOT.join('\n')}\n[   20.000000] kvm_intel: something new\n`, source: 'dmesg' } };
  const h = facet(r, { ki, live: true });
  const first = h.log();
  assert.ok(!isUnobservable(first));
  assert.equal(first.lines.length, 3);
  assert.ok(!ki.calls.includes('kernelLog'));
  h.initTdx();
  const now = h.log();
  assert.ok(!isUnobservable(now));
  assert.equal(now.lines.length, 5);
  assert.equal(now.lines[4], '[   20.000000] kvm_intel: something new');
  assert.deepEqual(now.events.map((e) => e.id), ['keyid-range', 'init-done']);
  assert.equal(now.complete, true);
  // A machine whose log cannot be read again: the reading's.
  const gone = new FakeKi();
  const h2 = facet(r, { ki: gone, live: true });
  h2.initTdx();
  const l2 = h2.log();
  assert.ok(!isUnobservable(l2));
  assert.deepEqual(l2.lines, BOOT);
  // A grep excerpt read again is still not whole.
  const ex = facet(reading(BOOT, {}, { excerpt: true }), { ki, live: true });
  ex.initTdx();
  const l3 = ex.log();
  assert.ok(!isUnobservable(l3));
  assert.equal(l3.complete, false);
  // A scenario that moved past boot another way (pastBoot) reads the log again too.
  const past = { reached: true };
  const l4 = facet(r, { ki, live: true, pastBoot: past }).log();
  assert.ok(!isUnobservable(l4));
  assert.equal(l4.lines.length, 5);
});

test('MSRs: the capture\'s first, else read now through the msr driver; #GP is an outcome', () => {
  const r = reading(null, { msrs: { [msrKey(0, 0x87)]: { value: 0x2000000001fn }, [msrKey(0, 0x1401)]: { gp: true }, [msrKey(1, 0x87)]: { error: 'EACCES' } } });
  const h = facet(r);
  assert.deepEqual(h.rdmsr(0, 0x87), { value: 0x2000000001fn });
  assert.deepEqual(h.rdmsr(0, 0x1401), { gp: true });
  assert.equal(why(h.rdmsr(1, 0x87)), 'MSR 0x87 of CPU 1 cannot be read (EACCES)');
  assert.equal(why(h.rdmsr(0, 0x982)), 'MSR 0x982 of CPU 0 is not in the capture');
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(0x0000002000000001fn);
  const ki = new FakeKi({ '/dev/cpu/2/msr': { text: b } });
  const live = facet(reading(null), { ki, live: true });
  assert.deepEqual(live.rdmsr(2, 0x87), { value: 0x2000000001fn });
  assert.ok(ki.calls.includes('read /dev/cpu/2/msr@135+8'));
  assert.deepEqual(facet(reading(null), { ki: new FakeKi({ '/dev/cpu/0/msr': { errno: 'EIO' } }), live: true }).rdmsr(0, 0x1401), { gp: true });
  assert.equal(why(facet(reading(null), { ki: new FakeKi({ '/dev/cpu/0/msr': { errno: 'EACCES' } }), live: true }).rdmsr(0, 0x87)), 'MSR 0x87 of CPU 0 cannot be read (EACCES)');
  assert.equal(why(facet(reading(null), { ki: new FakeKi({ '/dev/cpu/0/msr': { text: 'abc' } }), live: true }).rdmsr(0, 0x87)), 'MSR 0x87 of CPU 0 cannot be read (short read (3 bytes))');
});

test('TD KeyIDs from the misc cgroup: capacity and current of "tdx", 0 in use when current has no line', () => {
  const cg = (capacity: string | null, current: string | null) => new FakeKi({
    ...(capacity !== null ? { '/sys/fs/cgroup/misc.capacity': { text: capacity } } : {}),
    ...(current !== null ? { '/sys/fs/cgroup/misc.current': { text: current } } : {}),
  });
  const r = reading(BOOT);
  assert.deepEqual(facet(r, { ki: cg('sev 0\ntdx 31\n', 'sev 0\ntdx 2\n') }).tdKeyIds(), { inUse: 2, capacity: 31 });
  assert.deepEqual(facet(r, { ki: cg('tdx 31\n', 'sev 0\n') }).tdKeyIds(), { inUse: 0, capacity: 31 });
  assert.match(why(facet(r, { ki: cg('sev 0\nsev_es 0\n', 'sev 0\n') }).tdKeyIds()), /no "tdx" resource/);
  assert.match(why(facet(r, { ki: cg('xtdx 31\n', '') }).tdKeyIds()), /no "tdx" resource/);
  assert.match(why(facet(r, { ki: cg('tdx 31 extra\n', '') }).tdKeyIds()), /no "tdx" resource/);
  assert.equal(why(facet(r, { ki: cg(null, null) }).tdKeyIds()), '/sys/fs/cgroup/misc.capacity cannot be read (ENOENT): no cgroup v2 misc controller at the root');
  assert.equal(why(facet(r, { ki: cg('tdx 31\n', null) }).tdKeyIds()), '/sys/fs/cgroup/misc.current cannot be read (ENOENT): no cgroup v2 misc controller at the root');
  assert.equal(why(facet(r).tdKeyIds()), 'the capture has no kernel interface to read the misc cgroup');
  assert.equal(why(facet(r, { ki: new FakeKi({ '/sys/fs/cgroup/misc.capacity': { unobservable: 'not recorded' } }) }).tdKeyIds()), 'not recorded');
  assert.equal(why(facet(r, { ki: new FakeKi({ '/sys/fs/cgroup/misc.capacity': { text: 'tdx 31\n' }, '/sys/fs/cgroup/misc.current': { unobservable: 'not recorded either' } }) }).tdKeyIds()), 'not recorded either');
});

test('CMRs, TDMRs, TDX memory, MemTotal, sleep states, topology: what the capture holds, or why not', () => {
  const cmrLines = [RANGE, '[ 9.0] virt/tdx: CMR: [0x100000, 0x77800000)', '[ 9.1] virt/tdx: CMR: [0x100000000, 0x107a000000)', '[ 9.2] virt/tdx: 1050644 KB allocated for PAMT', '[ 9.3] virt/tdx: module initialized'];
  const h = facet(reading(cmrLines, { memTotalKb: 263_000_000, sleepStates: ['freeze', 'mem'] }));
  assert.deepEqual(h.cmrs(), [{ base: 0x100000n, end: 0x77800000n, node: 0 }, { base: 0x100000000n, end: 0x107a000000n, node: 0 }]);
  assert.equal(why(h.tdmrs()), 'the kernel does not log its TDMRs (the log gives only the PAMT total, 1050644 KB)');
  assert.equal(why(h.tdxMemory()), 'the kernel does not log its TDX memory list; the CMRs bound it: [0x100000, 0x77800000) [0x100000000, 0x107a000000)');
  assert.equal(h.memTotalKb(), 263_000_000);
  assert.deepEqual(h.sleepStates(), ['freeze', 'mem']);
  const none = facet(reading([RANGE]));
  assert.match(why(none.cmrs()), /lists no CMRs/);
  assert.equal(why(none.tdmrs()), 'the kernel does not log its TDMRs');
  assert.equal(why(none.tdxMemory()), 'the kernel does not log its TDX memory list');
  assert.equal(why(none.memTotalKb()), '/proc/meminfo is not in the capture');
  assert.equal(why(none.sleepStates()), '/sys/power/state is not in the capture');
  assert.equal(why(facet(reading(null, { cpuinfoMentionsTdx: false })).cmrs()), 'the kernel log lists no CMRs (only kernels before v6.14 and the Ubuntu and Intel trees print them)');
  // A capture that starts with a CMR line may have lost earlier ones.
  assert.match(why(facet(reading(cmrLines.slice(1))).cmrs()), /may be cut/);
  // The topology.
  const topo = facet(reading(null, { topology: { present: [0, 1, 2, 3], online: [0, 1, 2, 3], packageOf: { 0: 0, 1: 0, 2: 1, 3: 1 } } })).topology();
  assert.ok(!isUnobservable(topo));
  assert.deepEqual([topo.cpus, topo.packages, topo.packageOf(2), topo.packageOf(9)], [4, 2, 1, -1]);
  assert.equal(why(facet(reading(null)).topology()), 'the CPU topology is not in the capture');
  assert.equal(why(facet(reading(null, { topology: { present: [0, 1], online: [0, 1], packageOf: { 0: 0 } } })).topology()), 'the CPU topology is not in the capture');
  // The tdx_host device of a capture without a kernel interface.
  assert.equal(why(facet(reading(null, { tdxHostVersion: '1.5.24' })).tdxHostDevice()), "the capture has no record of the tdx_host device's files (only its version: 1.5.24)");
  assert.equal(why(facet(reading(null)).tdxHostDevice()), "the capture has no record of the tdx_host device's files");
  const D = '/sys/devices/faux/tdx_host';
  assert.deepEqual(facet(reading(null), { ki: new FakeKi({ [D]: { type: 'dir' }, [`${D}/version`]: { text: '1.5.24\n' } }) }).tdxHostDevice(), { present: true, attributes: [{ name: 'version', mode: 0o444, text: '1.5.24\n' }] });
});

test('CPU hotplug changes the machine: only live (or disposable) with a @destructive scenario\'s hotplug', () => {
  const r = reading(BOOT);
  assert.equal(why(facet(r).cpuOffline(1)), 'a snapshot cannot take CPU 1 offline');
  assert.equal(why(facet(r).cpuOnline(1)), 'a snapshot cannot bring CPU 1 online');
  assert.equal(why(facet(r, { live: true }).cpuOffline(1)), 'take CPU 1 offline changes the machine; rerun with --allow-destructive');
  assert.equal(why(facet(r, { live: true, allowDestructive: true }).cpuOffline(1)), 'take CPU 1 offline changes the machine, which only a @destructive scenario may do');
  assert.equal(why(facet(r, { disposable: true }).cpuOnline(2)), 'bring CPU 2 online changes the machine, which only a @destructive scenario may do');
  const ki = new FakeKi({ '/sys/devices/system/cpu/cpu1/online': { text: '1\n' }, '/sys/devices/system/cpu/cpu1': { type: 'dir' } });
  const past = { reached: false };
  const h = facet(r, { ki, live: true, allowDestructive: true, hotplug: new CpuHotplug(ki), pastBoot: past });
  assert.deepEqual(h.cpuOffline(1), { ok: true });
  assert.equal(ki.files['/sys/devices/system/cpu/cpu1/online'].text, '0');
  assert.equal(past.reached, true);
  assert.deepEqual(h.cpuOnline(1), { ok: true });
  assert.equal(ki.files['/sys/devices/system/cpu/cpu1/online'].text, '1');
  assert.equal(why(h.cpuState(1)), 'CPU 1 is online; whether TDX is enabled on it is not observable');
  assert.equal(why(h.cpuState(7)), 'no logical CPU 7');
  assert.equal(why(facet(r).cpuState(1)), 'per-CPU TDX state is not observable');
});

test('CpuHotplug: a CPU without an online node is always online; each change is undone by restore()', () => {
  const ki = new FakeKi({
    '/sys/devices/system/cpu/cpu0': { type: 'dir' },
    '/sys/devices/system/cpu/cpu1': { type: 'dir' },
    '/sys/devices/system/cpu/cpu1/online': { text: '1\n' },
    '/sys/devices/system/cpu/cpu2': { type: 'dir' },
    '/sys/devices/system/cpu/cpu2/online': { text: '0\n' },
  });
  const hp = new CpuHotplug(ki);
  assert.equal(hp.isOnline(0), true);
  assert.equal(hp.isOnline(1), true);
  assert.equal(hp.isOnline(2), false);
  assert.equal(hp.isOnline(3), null);
  assert.deepEqual(hp.set(3, false), { ok: false, errno: 'ENODEV' });
  assert.deepEqual(hp.set(0, false), { ok: false, errno: 'EPERM' });
  assert.deepEqual(hp.set(0, true), { ok: false, errno: 'EINVAL' });
  assert.equal(hp.touched, false);
  assert.deepEqual(hp.set(1, false), { ok: true });
  assert.deepEqual(hp.set(2, true), { ok: true });
  assert.deepEqual(hp.set(1, true), { ok: true });
  assert.deepEqual(hp.set(1, false), { ok: true });
  assert.equal(hp.touched, true);
  assert.deepEqual(hp.restore(), { restored: true });
  assert.equal(ki.files['/sys/devices/system/cpu/cpu1/online'].text, '1');
  assert.equal(ki.files['/sys/devices/system/cpu/cpu2/online'].text, '0');
  assert.equal(hp.touched, false);
  // A CPU already back needs no write.
  const writes = ki.calls.filter((c) => c.startsWith('write')).length;
  hp.set(1, false);
  hp.set(1, true);
  assert.deepEqual(hp.restore(), { restored: true });
  assert.equal(ki.calls.filter((c) => c.startsWith('write')).length, writes + 2);
  // A write the kernel refuses is the errno; one the interface cannot make is EIO.
  ki.files['/sys/devices/system/cpu/cpu1/online'].writeErrno = 'EBUSY';
  assert.deepEqual(hp.set(1, false), { ok: false, errno: 'EBUSY' });
  const blind = new FakeKi({ '/sys/devices/system/cpu/cpu1': { type: 'dir' }, '/sys/devices/system/cpu/cpu1/online': { text: '1\n' } });
  blind.write = () => ({ unobservable: 'replay' });
  assert.deepEqual(new CpuHotplug(blind).set(1, false), { ok: false, errno: 'EIO' });
  // A restoration that fails says which CPU and why.
  const stuck = new FakeKi({ '/sys/devices/system/cpu/cpu1': { type: 'dir' }, '/sys/devices/system/cpu/cpu1/online': { text: '1\n' } });
  const hs = new CpuHotplug(stuck);
  hs.set(1, false);
  stuck.files['/sys/devices/system/cpu/cpu1/online'].writeErrno = 'EBUSY';
  assert.deepEqual(hs.restore(), { restored: false, detail: 'CPU 1: EBUSY' });
  const sticky = new FakeKi({ '/sys/devices/system/cpu/cpu1': { type: 'dir' }, '/sys/devices/system/cpu/cpu1/online': { text: '1\n' } });
  const hk = new CpuHotplug(sticky);
  hk.set(1, false);
  sticky.write = (p) => { sticky.calls.push(`write ${p}`); return { ok: true, value: 1 }; };
  assert.deepEqual(hk.restore(), { restored: false, detail: 'CPU 1 is offline, was online' });
  const replay = new FakeKi({ '/sys/devices/system/cpu/cpu1': { type: 'dir' }, '/sys/devices/system/cpu/cpu1/online': { text: '1\n' } });
  const hr = new CpuHotplug(replay);
  hr.set(1, false);
  replay.write = () => ({ unobservable: 'no record' });
  assert.deepEqual(hr.restore(), { restored: false, detail: 'CPU 1: no record' });
});

test('suspend: only a disposable machine with a hotplug is put to sleep; the kernel\'s answer is returned', () => {
  const r = reading(BOOT);
  const ki = new FakeKi({ '/sys/power/state': { text: 'freeze mem disk\n', mode: 0o644 } });
  assert.equal(why(facet(r, { ki, live: true, hotplug: new CpuHotplug(ki) }).suspend('mem')), 'the machine is never put to sleep by the suite');
  assert.equal(why(facet(r, { ki, disposable: true }).suspend('mem')), 'the machine is never put to sleep by the suite');
  assert.equal(why(facet(r, { disposable: true, hotplug: new CpuHotplug(ki) }).suspend('mem')), 'the machine is never put to sleep by the suite');
  const past = { reached: false };
  assert.deepEqual(facet(r, { ki, disposable: true, hotplug: new CpuHotplug(ki), pastBoot: past }).suspend('mem'), { ok: true });
  assert.ok(ki.calls.includes('write /sys/power/state mem'));
  assert.equal(past.reached, true);
  ki.files['/sys/power/state'].writeErrno = 'EBUSY';
  assert.deepEqual(facet(r, { ki, disposable: true, hotplug: new CpuHotplug(ki) }).suspend('disk'), { ok: false, errno: 'EBUSY' });
  ki.files['/sys/power/state'].unobservable = 'not recorded';
  assert.equal(why(facet(r, { ki, disposable: true, hotplug: new CpuHotplug(ki) }).suspend('mem')), 'not recorded');
});

test('what a real machine never does: each answer is a reason', () => {
  const h = facet(reading(BOOT));
  for (const [name, x] of Object.entries({
    seamcall: h.seamcall(0, 0n), proposedTdmrs: h.proposedTdmrs(), sysConfig: h.sysConfig(0, []), readMetadata: h.readMetadata(0n),
    tdxCpuEnable: h.tdxCpuEnable(0, true), initCleanup: h.initCleanup(), metadataDump: h.metadataDump(), allocGuestKeyId: h.allocGuestKeyId(),
    freeGuestKeyId: h.freeGuestKeyId(33), onlineMemory: h.onlineMemory(0n, 1n), kexec: h.kexec(), machineCheck: h.machineCheck(0n, true), privatePage: h.privatePage(),
  })) {
    assert.ok(why(x).length > 20, name);
  }
  assert.equal(why(h.seamcall(0, 0n)), 'a real machine is observed through the kernel; raw SEAMCALLs are not issued');
  assert.equal(why(h.sysConfig(0, [])), 'a real machine is observed through the kernel; raw SEAMCALLs are not issued');
  assert.equal(why(h.metadataDump()), 'a real machine is observed through the kernel; raw SEAMCALLs are not issued');
});
