/**
 * Evidence from probe results (backends/linux/from-probes.ts): each file's text as the kernel
 * prints it, into its field. Formats (Linux 6.16.1, ce92f1f2170c):
 *  - /proc/meminfo: show_val_kb(), "MemTotal:       " then the number in at least 8 columns, " kB".
 *  - /sys/power/mem_sleep: mem_sleep_show(), labels separated by spaces, the current one in
 *    brackets, a newline in place of the last space. /sys/power/state: state_show(), the same
 *    without brackets.
 *  - bool module parameters (kvm_intel.tdx...): param_get_bool(), "Y\n" or "N\n".
 *  - misc.capacity / misc.current: "%s %llu\n" per resource (kernel/cgroup/misc.c).
 *  - /sys/devices/system/cpu/{present,online}: CPU lists ("0-3,8"); physical_package_id: "%d\n".
 *  - /dev/cpu/N/msr: a faulting RDMSR is EIO (msr_read()), kept as #GP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuidKey, emptyEvidence, mergeEvidence, msrKey } from '../../backends/linux/evidence';
import { describeProbe, evidenceFromProbes } from '../../backends/linux/from-probes';
import { baseProbes, cpuProbes, cpuidProbeId, type Probe, type ProbeResult } from '../../backends/linux/probes';

const probes = [...baseProbes(), ...cpuProbes([0, 1, 2, 3])];
const ev = (results: Record<string, ProbeResult>, ps: readonly Probe[] = probes) => evidenceFromProbes(ps, new Map(Object.entries(results)));
const t = (text: string): ProbeResult => ({ ok: true, text });
const err = (error: string): ProbeResult => ({ ok: false, error });

test('an empty result set is empty evidence', () => {
  const e = ev({});
  assert.deepEqual([e.log, e.unameRelease, e.cmdline, e.cpuFlags, e.sleepStates, e.memSleep, e.kvmIntelTdx, e.memTotalKb, e.miscTdx, e.devKvm, e.kvmApiVersion,
    e.tdxHostVersion, e.sysfsModule, e.devTdxGuest, e.tsmReportDir, e.topology], [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]);
  assert.deepEqual([e.formats, e.unreadable, e.kvmParams, e.msrs, e.cpuid], [[], [], {}, {}, {}]);
});

test('the kernel log: the seam\'s text as dmesg lines; a text without its final newline has its last line cut', () => {
  const log = '[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)\n[    9.000000] virt/tdx: module initialized\n';
  const e = ev({ 'kernel-log': { ok: true, text: log, source: '/dev/kmsg' } });
  assert.deepEqual(e.log, { lines: ['[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)', '[    9.000000] virt/tdx: module initialized'], source: '/dev/kmsg', excerpt: false, lastLineCut: false });
  assert.deepEqual(e.formats, ['kernel-log']);
  assert.equal(ev({ 'kernel-log': t(log.slice(0, -1)) }).log!.lastLineCut, true);
  // Without a source of its own, the probe says where it came from.
  assert.equal(ev({ 'kernel-log': t(log) }).log!.source, 'the kernel log');
  // An empty log is no log.
  assert.equal(ev({ 'kernel-log': t('  \n') }).log, null);
});

test('format-1 snapshots: dmesg, else /dev/kmsg records, else journalctl -k; the failed fallbacks are not unreadable', () => {
  const p = (id: string, kind: 'command' | 'kmsg'): Probe => (kind === 'kmsg'
    ? { id, kind, path: '/dev/kmsg', why: '' }
    : { id, kind, argv: id === 'dmesg' ? ['dmesg'] : ['journalctl', '-k'], timeoutMs: 1000, why: '' });
  const ps = [p('dmesg', 'command'), p('kmsg', 'kmsg'), p('journalctl-k', 'command')];
  const kmsg = ev({ dmesg: err('EPERM: dmesg_restrict'), kmsg: t('6,512,1289113,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n'), 'journalctl-k': err('not found') }, ps);
  assert.deepEqual(kmsg.log, { lines: ['[    1.289113] virt/tdx: BIOS enabled: private KeyID range [32, 64)'], source: '/dev/kmsg', excerpt: false, lastLineCut: false });
  assert.deepEqual(kmsg.unreadable, []);
  const journal = ev({ dmesg: t(''), 'journalctl-k': t('Dec 02 10:00:00 host1 kernel: virt/tdx: module initialized') }, ps);
  assert.deepEqual(journal.log!.lines, ['virt/tdx: module initialized']);
  assert.equal(journal.log!.source, 'journalctl -k');
  assert.equal(journal.log!.lastLineCut, false);
  const dmesg = ev({ dmesg: t('[    9.000000] virt/tdx: module initialized'), kmsg: t('6,1,2,-;x\n') }, ps);
  assert.equal(dmesg.log!.source, 'dmesg');
  assert.equal(dmesg.log!.lastLineCut, true);
  // No log at all: every failure is listed.
  const none = ev({ dmesg: err('EPERM'), kmsg: err('EACCES') }, ps);
  assert.deepEqual(none.unreadable, [{ what: 'dmesg', why: 'EPERM' }, { what: '/dev/kmsg', why: 'EACCES' }]);
  // A result without its probe is named by its id.
  assert.deepEqual(ev({ lost: err('gone') }, []).unreadable, [{ what: 'lost', why: 'gone' }]);
});

test('the kernel release, command line, CPU flags and identity', () => {
  const cpuinfo = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu tdx_host_platform\nbugs\t\t: spectre_v1\n\n';
  const e = ev({ osrelease: t('6.16.1\n'), 'proc-cmdline': t('BOOT_IMAGE=/boot/vmlinuz-6.16.1 root=/dev/sda1  ro nohibernate\n'), 'proc-cpuinfo': t(cpuinfo) });
  assert.equal(e.unameRelease, '6.16.1');
  assert.deepEqual(e.cmdline, ['BOOT_IMAGE=/boot/vmlinuz-6.16.1', 'root=/dev/sda1', 'ro', 'nohibernate']);
  assert.deepEqual(e.cpu, { vendor: 'GenuineIntel', family: 6, model: 143, modelName: 'Intel(R) Xeon(R) Platinum 8480+' });
  assert.deepEqual([e.cpuFlags!.flags, e.cpuFlags!.bugs], [['fpu', 'tdx_host_platform'], ['spectre_v1']]);
  assert.deepEqual(e.formats, ['cpuinfo']);
  // uname -r of format-1 snapshots; an empty release is none.
  assert.equal(ev({ 'uname-r': t('6.8.0-1028-intel\n') }, []).unameRelease, '6.8.0-1028-intel');
  assert.equal(ev({ osrelease: t('\n') }).unameRelease, null);
  // lscpu fills in what cpuinfo did not give, and its flags only where cpuinfo had none.
  const lscpu = 'Vendor ID:                GenuineIntel\n  Model name:             Intel(R) Xeon(R) Gold\n    CPU family:           6\n    Model:                207\n    Flags:                fpu vme tdx_guest\n';
  const ps: Probe[] = [{ id: 'lscpu', kind: 'command', argv: ['lscpu'], timeoutMs: 1000, why: '' }];
  const l = ev({ lscpu: t(lscpu) }, ps);
  assert.deepEqual(l.cpu, { vendor: 'GenuineIntel', family: 6, model: 207, modelName: 'Intel(R) Xeon(R) Gold' });
  assert.deepEqual(l.cpuFlags!.flags, ['fpu', 'vme', 'tdx_guest']);
  const both = ev({ lscpu: t(lscpu), 'proc-cpuinfo': t(cpuinfo) }, [...ps, ...probes]);
  assert.deepEqual(both.cpuFlags!.flags, ['fpu', 'tdx_host_platform']);
  assert.equal(both.cpu.model, 207);
});

test('sleep states, mem_sleep, kvm parameters, MemTotal', () => {
  const e = ev({
    'power-state': t('freeze mem disk\n'), 'power-mem-sleep': t('s2idle [deep]\n'), 'kvm-intel-tdx': t('Y\n'),
    'param-kvm_intel-ept': t('Y\n'), 'param-kvm-enable_virt_at_load': t('N\n'),
    'proc-meminfo': t('MemTotal:       263921508 kB\nMemFree:        250000000 kB\n'),
  });
  assert.deepEqual(e.sleepStates, ['freeze', 'mem', 'disk']);
  assert.deepEqual(e.memSleep, { offered: ['s2idle', 'deep'], current: 'deep' });
  assert.equal(e.kvmIntelTdx, true);
  assert.deepEqual(e.kvmParams, { 'kvm_intel.tdx': 'Y', 'kvm_intel.ept': 'Y', 'kvm.enable_virt_at_load': 'N' });
  assert.equal(e.memTotalKb, 263921508);
  assert.equal(ev({ 'kvm-intel-tdx': t('N\n') }).kvmIntelTdx, false);
  assert.equal(ev({ 'kvm-intel-tdx': t('1\n') }).kvmIntelTdx, true);
  assert.equal(ev({ 'kvm-intel-tdx': t('0\n') }).kvmIntelTdx, false);
  assert.deepEqual(ev({ 'power-mem-sleep': t('[s2idle]\n') }).memSleep, { offered: ['s2idle'], current: 's2idle' });
  assert.deepEqual(ev({ 'power-mem-sleep': t('s2idle deep\n') }).memSleep, { offered: ['s2idle', 'deep'], current: null });
  assert.deepEqual(ev({ 'power-state': t('\n') }).sleepStates, []);
  // Only the MemTotal line, in kB, counts.
  assert.equal(ev({ 'proc-meminfo': t('MemFree:        1000 kB\n') }).memTotalKb, null);
  assert.equal(ev({ 'proc-meminfo': t('MemTotal:       1000 MB\n') }).memTotalKb, null);
  assert.equal(ev({ 'proc-meminfo': t('XMemTotal:       1000 kB\n') }).memTotalKb, null);
});

test('the misc cgroup: the tdx line of capacity and current; a file without it is null, no file undefined', () => {
  assert.deepEqual(ev({ 'misc-capacity': t('sev 0\ntdx 31\n'), 'misc-current': t('sev 0\ntdx 1\n') }).miscTdx, { capacity: 31, current: 1 });
  assert.deepEqual(ev({ 'misc-capacity': t('sev 0\n') }).miscTdx, { capacity: null, current: null });
  assert.deepEqual(ev({ 'misc-current': t('tdx 0\n') }).miscTdx, { capacity: null, current: 0 });
  assert.deepEqual(ev({ 'misc-capacity': t('tdx 31 more\nxtdx 4\n') }).miscTdx, { capacity: null, current: null });
  assert.equal(ev({ 'misc-capacity': err('ENOENT') }).miscTdx, null);
});

test('/dev/kvm, the KVM API version, /dev/tdx_guest, configfs-tsm', () => {
  const e = ev({ 'dev-kvm': { ok: true, exists: true }, 'kvm-api': { ok: true, value: 12n }, 'dev-tdx-guest': { ok: true, exists: false }, 'tsm-report': { ok: true, exists: true } });
  assert.deepEqual([e.devKvm, e.kvmApiVersion, e.devTdxGuest, e.tsmReportDir], [true, 12, false, true]);
  const f = ev({ 'dev-kvm': err('EACCES'), 'kvm-api': err('ENOENT'), 'dev-tdx-guest': t('x') });
  assert.deepEqual([f.devKvm, f.kvmApiVersion, f.devTdxGuest, f.tsmReportDir], [null, null, null, null]);
  assert.deepEqual(f.unreadable, [{ what: '/dev/kvm', why: 'EACCES' }, { what: 'KVM_GET_API_VERSION on /dev/kvm', why: 'ENOENT' }]);
});

test('the TDX module: the tdx_host version (7.2) and the Intel kernels\' nodes, each marks sysfs as a format', () => {
  const v = ev({ 'tdx-host-version': t('1.5.24\n') });
  assert.equal(v.tdxHostVersion, '1.5.24');
  assert.deepEqual(v.formats, ['sysfs']);
  const m = ev({ 'tdx-module-major_version': t('0x00000001\n'), 'tdx-module-minor_version': t('0x00000005\n'), 'tdx-module-status': t('initialized\n'), 'tdx-module-build_date': t('20240129\n') });
  assert.deepEqual(m.sysfsModule, { attributes: null, vendorId: null, major: 1, minor: 5, buildNum: null, buildDate: 20240129, status: 'initialized' });
  assert.deepEqual(m.formats, ['sysfs']);
  assert.equal(ev({ 'tdx-module-status': err('ENOENT') }).sysfsModule, null);
});

test('CPUID leaves of CPU 0 and MSRs: values, #GP, and read errors each kept as such', () => {
  const regs = { eax: 0x20, ebx: 0x756e6547, ecx: 0x6c65746e, edx: 0x49656e69 };
  const e = ev({
    [cpuidProbeId(0, 0, 0)]: { ok: true, regs }, [cpuidProbeId(0, 0x21, 0)]: err('EIO'), 'msr-0-0x87': { ok: true, value: 0x200000001fn },
  });
  assert.deepEqual(e.cpuid, { [cpuidKey(0, 0, 0)]: regs });
  assert.deepEqual(e.msrs, { [msrKey(0, 0x87)]: { value: 0x200000001fn } });
  assert.deepEqual(ev({ 'msr-0-0x87': { ok: true, faulted: true } }).msrs, { [msrKey(0, 0x87)]: { gp: true } });
  assert.deepEqual(ev({ 'msr-0-0x87': err('EACCES: modprobe msr') }).msrs, { [msrKey(0, 0x87)]: { error: 'EACCES: modprobe msr' } });
  // An MSR probe of another CPU lands under that CPU.
  const ps: Probe[] = [{ id: 'msr-3-0x1401', kind: 'msr', cpu: 3, msr: 0x1401, why: '' }];
  assert.deepEqual(ev({ 'msr-3-0x1401': { ok: true, value: 0x800n } }, ps).msrs, { [msrKey(3, 0x1401)]: { value: 0x800n } });
  assert.deepEqual(ev({}, ps).msrs, {});
});

test('the topology: present and online CPU lists, the package of each present CPU', () => {
  const e = ev({
    'cpu-present': t('0-3\n'), 'cpu-online': t('0-2\n'),
    'cpu0-package': t('0\n'), 'cpu1-package': t('0\n'), 'cpu2-package': t('1\n'), 'cpu3-package': t('x\n'),
  });
  assert.deepEqual(e.topology, { present: [0, 1, 2, 3], online: [0, 1, 2], packageOf: { 0: 0, 1: 0, 2: 1 } });
  assert.deepEqual(ev({ 'cpu-present': t('0,2\n') }).topology, { present: [0, 2], online: [], packageOf: {} });
  assert.equal(ev({ 'cpu-online': t('0-3\n') }).topology, null);
});

test('each probe is described by what it reads', () => {
  const d = (p: Probe) => describeProbe(p);
  assert.equal(d({ id: 'a', kind: 'file', path: '/proc/cpuinfo', why: '' }), '/proc/cpuinfo');
  assert.equal(d({ id: 'a', kind: 'exists', path: '/dev/kvm', why: '' }), '/dev/kvm');
  assert.equal(d({ id: 'a', kind: 'kmsg', path: '/dev/kmsg', why: '' }), '/dev/kmsg');
  assert.equal(d({ id: 'a', kind: 'kernel-log', why: '' }), 'the kernel log');
  assert.equal(d({ id: 'a', kind: 'kvm-api', why: '' }), 'KVM_GET_API_VERSION on /dev/kvm');
  assert.equal(d({ id: 'a', kind: 'command', argv: ['journalctl', '-k'], timeoutMs: 1, why: '' }), 'journalctl -k');
  assert.equal(d({ id: 'a', kind: 'cpuid', cpu: 2, leaf: 0x21, subleaf: 1, why: '' }), 'CPUID 0x21.1 on CPU 2 (/dev/cpu/2/cpuid)');
  assert.equal(d({ id: 'a', kind: 'msr', cpu: 1, msr: 0x87, why: '' }), 'MSR 0x87 on CPU 1 (/dev/cpu/1/msr)');
});

test('mergeEvidence: lists accumulate, maps merge, the CPU identity field by field, other fields the later non-empty value', () => {
  const into = emptyEvidence();
  mergeEvidence(into, { formats: ['kernel-log'], notes: ['a'], unreadable: [{ what: 'x', why: 'y' }], msrs: { [msrKey(0, 0x87)]: { gp: true } }, cpu: { vendor: 'GenuineIntel', family: 6, model: null, modelName: null }, unameRelease: '6.16.1' });
  mergeEvidence(into, {
    formats: ['cpuinfo'], notes: ['b'], unreadable: [{ what: 'z', why: 'w' }], msrs: { [msrKey(1, 0x87)]: { value: 1n } }, cpuid: { [cpuidKey(0, 0x21, 0)]: { eax: 0, ebx: 1, ecx: 2, edx: 3 } },
    cpu: { vendor: null, family: null, model: 143, modelName: 'Xeon' }, unameRelease: undefined, devKvm: true,
  });
  mergeEvidence(into, { unameRelease: null as unknown as string, devKvm: false });
  assert.deepEqual(into.formats, ['kernel-log', 'cpuinfo']);
  assert.deepEqual(into.notes, ['a', 'b']);
  assert.deepEqual(into.unreadable, [{ what: 'x', why: 'y' }, { what: 'z', why: 'w' }]);
  assert.deepEqual(into.msrs, { [msrKey(0, 0x87)]: { gp: true }, [msrKey(1, 0x87)]: { value: 1n } });
  assert.deepEqual(into.cpuid, { [cpuidKey(0, 0x21, 0)]: { eax: 0, ebx: 1, ecx: 2, edx: 3 } });
  assert.deepEqual(into.cpu, { vendor: 'GenuineIntel', family: 6, model: 143, modelName: 'Xeon' });
  assert.equal(into.unameRelease, '6.16.1');
  assert.equal(into.devKvm, false);
  // Keys: CPU then the hexadecimal MSR or leaf and subleaf.
  assert.equal(msrKey(3, 0x1401), '3:0x1401');
  assert.equal(cpuidKey(0, 0x21, 1), '0:0x21:0x1');
  // emptyEvidence() is new each time.
  emptyEvidence().formats.push('x');
  assert.deepEqual(emptyEvidence().formats, []);
});
