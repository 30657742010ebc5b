/**
 * The linux target's self-description and capabilities (backends/linux/target.ts), from readings
 * of synthetic captures, and its end-of-scenario restore over a table of files
 * (test/support/fake-ki.ts). Facts used:
 *  - MSR 0x87: bits 31:0 MKTME KeyIDs, 63:32 TDX KeyIDs; TDX KeyIDs start at MKTME + 1 (Linux
 *    6.16.1 arch/x86/virt/vmx/tdx/tdx.c record_keyid_partitioning()).
 *  - KVM_GET_API_VERSION answers KVM_API_VERSION, 12 (include/uapi/linux/kvm.h).
 *  - misc.current: "tdx N" per TD KeyID in use (kernel/cgroup/misc.c).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyEvidence, mergeEvidence, msrKey, type Evidence } from '../../backends/linux/evidence';
import { readEvidence } from '../../backends/linux/facts';
import type { SourceReading } from '../../backends/linux/load';
import { capabilitiesOf, describeReading, LinuxTarget, linuxTargetFactory } from '../../backends/linux/target';
import { isUnobservable } from '../../backends/port';
import { FakeKi } from '../support/fake-ki';

const RANGE = '[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)';
const INFO = '[    9.000000] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5, build_date 20240129, build_num 698';
const OK = '[    9.100000] virt/tdx: module initialized';

const source = (lines: string[] | null, extra: Partial<Evidence> = {}, kind: SourceReading['kind'] = 'snapshot', probes: SourceReading['probes'] = null): SourceReading => ({
  ...readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], ...(lines ? { log: { lines, source: 'dmesg', excerpt: false } } : {}), ...extra })),
  kind, name: 'machine-1', manifest: null, probes,
});
const sysfs = (m: Partial<NonNullable<Evidence['sysfsModule']>>): Evidence['sysfsModule'] => ({
  attributes: null, vendorId: null, major: null, minor: null, buildNum: null, buildDate: null, status: null, ...m,
});

test('the description: role, kernel, module from the log or sysfs, KeyIDs, topology, errata, notes', () => {
  const r = source([INFO, RANGE, OK], {
    unameRelease: '6.8.0-1028-intel',
    topology: { present: [0, 1, 2, 3], online: [0, 1, 2, 3], packageOf: { 0: 0, 1: 0, 2: 1, 3: 1 } },
    cpu: { vendor: 'GenuineIntel', family: 6, model: 143, modelName: 'Intel(R) Xeon(R) Platinum 8480+' },
    cpuFlags: { flags: ['fpu'], bugs: ['tdx_pw_mce'], complete: true, bugsComplete: true, source: 't' },
  });
  const d = describeReading(r);
  assert.equal(d.kind, 'snapshot');
  assert.equal(d.name, 'machine-1');
  assert.equal(d.role, 'host');
  assert.deepEqual(d.kernel, { release: '6.8.0-1028-intel', flavour: 'ubuntu-6.8-intel' });
  assert.deepEqual(d.module, { major: 1, minor: 5, update: null, build: 698, buildDate: 20240129, features0: null, source: 'kernel-log' });
  assert.deepEqual(d.platform, {
    cpuModel: 'Intel(R) Xeon(R) Platinum 8480+', packages: 2, logicalCpus: 4, memory: null, cmrs: null, keyIds: { start: 32, end: 64 }, errata: ['tdx_pw_mce'],
  });
  assert.deepEqual(d.notes, [`role: host (${r.facts.roleEvidence.join('; ')})`, ...r.facts.warnings]);
  assert.equal(describeReading(source([INFO, RANGE, OK], { sysfsModule: sysfs({ major: 1, minor: 5 }) })).module!.source, 'sysfs');
  assert.equal(describeReading(source([RANGE, OK], { tdxHostVersion: '1.5.24' })).module!.source, 'sysfs');
  assert.deepEqual(describeReading(source([RANGE, OK], { tdxHostVersion: '1.5.24' })).module, { major: 1, minor: 5, update: 24, build: null, buildDate: null, features0: null, source: 'sysfs' });
  // A package unknown for some CPU: no package count; no topology at all: no CPU count either.
  const partial = describeReading(source([RANGE], { topology: { present: [0, 1], online: [0, 1], packageOf: { 0: 0 } } }));
  assert.deepEqual([partial.platform.packages, partial.platform.logicalCpus], [null, 2]);
  assert.deepEqual([describeReading(source([RANGE])).platform.packages, describeReading(source([RANGE])).platform.logicalCpus], [null, null]);
  assert.deepEqual(describeReading(source([RANGE])).platform.errata, []);
});

test('KeyIDs without the log\'s range: from MSR 0x87, [MKTME + 1, MKTME + 1 + TDX)', () => {
  const msr = (v: bigint) => describeReading(source(null, { cpuinfoMentionsTdx: false, msrs: { [msrKey(0, 0x87)]: { value: v } } })).platform.keyIds;
  assert.deepEqual(msr((32n << 32n) | 31n), { start: 32, end: 64 });
  assert.deepEqual(msr((64n << 32n) | 63n), { start: 64, end: 128 });
  assert.equal(msr(31n), null, 'no TDX KeyIDs');
  // The system report gives only the TDX count: no range.
  assert.equal(describeReading(source(null, { reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 32, production: true } })).platform.keyIds, null);
});

test('a module version no source printed: inferred from a kernel that initialised it with TDH.SYS.RD', () => {
  const inferred = { major: 1, minor: 5, update: null, build: null, buildDate: null, features0: null, atLeast: true, source: 'inferred' };
  // Mainline 6.8 reads metadata with 16-bit TDH.SYS.RD; 6.16 with any size; both need module 1.5.
  assert.deepEqual(describeReading(source([RANGE, OK], { unameRelease: '6.8.0' })).module, inferred);
  assert.deepEqual(describeReading(source([RANGE, OK], { unameRelease: '6.16.1' })).module, inferred);
  // Ubuntu's 6.8-intel reads it with TDH.SYS.RD too (real: f-6.8.0-1015-intel-module-1.0.457-sys-rd-not-ready.dmesg, leaf 0x22).
  assert.deepEqual(describeReading(source([RANGE, OK], { unameRelease: '6.8.0-1028-intel' })).module, inferred);
  // Not initialised, or a kernel that read TDH.SYS.INFO (Intel's 6.6 tree): nothing to infer.
  assert.equal(describeReading(source([RANGE], { unameRelease: '6.16.1' })).module, null);
  assert.equal(describeReading(source([RANGE, OK], { unameRelease: '6.6.0-rc2' })).module, null);
  assert.equal(describeReading(source([RANGE, OK])).module, null);
  // Only a major and no minor is no version.
  assert.equal(describeReading(source([RANGE], { sysfsModule: sysfs({ major: 1 }) })).module, null);
});

test('capabilities: each declared only where the capture or the machine has what it needs', () => {
  const caps = (r: SourceReading, interfaces = false, opts = {}) => [...capabilitiesOf(r, opts, interfaces)].sort();
  assert.deepEqual(caps(source(null)), []);
  assert.deepEqual(caps(source([RANGE, OK])), ['host.init', 'host.log']);
  const flags = (o: Partial<NonNullable<Evidence['cpuFlags']>>) => ({ cpuFlags: { flags: ['fpu'], bugs: ['spectre_v1'], complete: true, bugsComplete: true, source: 't', ...o } });
  assert.ok(caps(source(null, flags({}))).includes('host.cpuinfo'));
  assert.ok(!caps(source(null, flags({ complete: false }))).includes('host.cpuinfo'));
  assert.ok(!caps(source(null, flags({ bugs: null }))).includes('host.cpuinfo'));
  assert.ok(!caps(source(null, flags({ bugsComplete: false }))).includes('host.cpuinfo'));
  // A guest's log is the guest's.
  assert.deepEqual(caps(source(['[ 0.0] tdx: Guest detected'])), ['guest.files', 'guest.log']);
  // MSR 0x87: a value or a #GP is an observation, a read error is not.
  assert.ok(caps(source(null, { msrs: { [msrKey(0, 0x87)]: { gp: true } } })).includes('host.msr'));
  assert.ok(caps(source(null, { msrs: { [msrKey(0, 0x87)]: { value: 1n } } })).includes('host.msr'));
  assert.ok(!caps(source(null, { msrs: { [msrKey(0, 0x87)]: { error: 'EACCES' } } })).includes('host.msr'));
  // sysfs: what the capture holds, or a machine the seam still asks (not a guest).
  assert.ok(caps(source(null, { tdxHostVersion: '1.5.24' })).includes('host.sysfs'));
  assert.ok(caps(source(null, { sysfsModule: sysfs({ major: 1 }) })).includes('host.sysfs'));
  assert.ok(caps(source([RANGE]), true).includes('host.sysfs'));
  assert.ok(!caps(source([RANGE])).includes('host.sysfs'));
  assert.ok(!caps(source(['[ 0.0] tdx: Guest detected']), true).includes('host.sysfs'));
  // KeyID usage needs the misc cgroup's tdx capacity and a seam to read it again.
  assert.ok(caps(source([RANGE], { miscTdx: { capacity: 31, current: 0 } }), true).includes('host.keyid-usage'));
  assert.ok(caps(source([RANGE], { miscTdx: { capacity: 0, current: 0 } }), true).includes('host.keyid-usage'));
  assert.ok(!caps(source([RANGE], { miscTdx: { capacity: 31, current: 0 } })).includes('host.keyid-usage'));
  assert.ok(!caps(source([RANGE], { miscTdx: { capacity: null, current: 0 } }), true).includes('host.keyid-usage'));
  // KVM ioctls: /dev/kvm answering API version 12, and a seam.
  assert.ok(caps(source([RANGE], { devKvm: true, kvmApiVersion: 12 }), true).includes('kvm.ioctl'));
  assert.ok(!caps(source([RANGE], { devKvm: true, kvmApiVersion: 11 }), true).includes('kvm.ioctl'));
  assert.ok(!caps(source([RANGE], { devKvm: false, kvmApiVersion: 12 }), true).includes('kvm.ioctl'));
  assert.ok(!caps(source([RANGE], { devKvm: true, kvmApiVersion: 12 })).includes('kvm.ioctl'));
  // The kvm module's parameters.
  assert.ok(caps(source([RANGE], { devKvm: true, kvmParams: { 'kvm_intel.tdx': 'Y' } })).includes('kvm.module'));
  assert.ok(!caps(source([RANGE], { devKvm: true })).includes('kvm.module'));
  assert.ok(!caps(source([RANGE], { devKvm: false, kvmParams: { 'kvm_intel.tdx': 'Y' } })).includes('kvm.module'));
});

test('machine-changing capabilities: a live machine only with --allow-destructive; an emulated one or a replay always', () => {
  const topology = { present: [0, 1], online: [0, 1], packageOf: { 0: 0, 1: 0 } };
  const caps = (kind: SourceReading['kind'], interfaces: boolean, opts = {}, extra: Partial<Evidence> = { topology, sleepStates: ['freeze', 'mem'] }) =>
    [...capabilitiesOf(source([RANGE], extra, kind, kind === 'snapshot' ? null : { probes: [], results: new Map() }), opts, interfaces)].filter((c) => c === 'host.cpu-hotplug' || c === 'host.suspend').sort();
  assert.deepEqual(caps('linux', true), []);
  assert.deepEqual(caps('linux', true, { allowDestructive: true }), ['host.cpu-hotplug']);
  assert.deepEqual(caps('linux', true, { allowDestructive: true }, {}), []);
  assert.deepEqual(caps('emulated-linux', true), ['host.cpu-hotplug', 'host.suspend']);
  assert.deepEqual(caps('emulated-linux', true, {}, { topology }), ['host.cpu-hotplug']);
  assert.deepEqual(caps('emulated-linux', true, {}, { sleepStates: ['mem'] }), ['host.suspend']);
  assert.deepEqual(caps('snapshot', true), ['host.cpu-hotplug', 'host.suspend']);
  assert.deepEqual(caps('snapshot', false), []);
  assert.deepEqual(caps('snapshot', false, { allowDestructive: true }), []);
});

test('guest CPUID: a machine needs the CPUID probe to have worked, a capture needs CPUID values', () => {
  const g = ['[ 0.0] tdx: Guest detected'];
  const results = new Map([['cpuid-0-0x0-0x0', { ok: true as const, regs: { eax: 0, ebx: 0, ecx: 0, edx: 0 } }]]);
  assert.ok(capabilitiesOf(source(g, {}, 'linux', { probes: [], results }), {}, true).has('guest.cpuid'));
  assert.ok(!capabilitiesOf(source(g, {}, 'linux', { probes: [], results: new Map([['cpuid-0-0x0-0x0', { ok: false as const, error: 'EIO' }]]) }), {}, true).has('guest.cpuid'));
  assert.ok(!capabilitiesOf(source(g, {}, 'linux', { probes: [], results: new Map() }), {}, true).has('guest.cpuid'));
  assert.ok(capabilitiesOf(source(g, { cpuid: { '0:0x21:0x0': { eax: 0, ebx: 0, ecx: 0, edx: 0 } } }), {}, false).has('guest.cpuid'));
  // A host never has guest capabilities.
  assert.ok(!capabilitiesOf(source([RANGE], { cpuid: { '0:0x21:0x0': { eax: 0, ebx: 0, ecx: 0, edx: 0 } } }), {}, false).has('guest.cpuid'));
});

test('a target per scenario: CPU hotplug only with the grant and a seam; restore checks the TD KeyIDs and puts CPUs back', async () => {
  const topology = { present: [0, 1], online: [0, 1], packageOf: { 0: 0, 1: 0 } };
  const files = () => new FakeKi({
    '/sys/devices/system/cpu/cpu1': { type: 'dir' }, '/sys/devices/system/cpu/cpu1/online': { text: '1\n' },
    '/sys/fs/cgroup/misc.capacity': { text: 'tdx 31\n' }, '/sys/fs/cgroup/misc.current': { text: 'tdx 0\n' },
  });
  const r = source([RANGE, OK], { topology }, 'emulated-linux', { probes: [], results: new Map() });
  const ki = files();
  const f = linuxTargetFactory(r, () => ki, {}, true);
  assert.deepEqual(f.description, describeReading(r));
  assert.ok(f.capabilities.has('host.cpu-hotplug'));
  const t = f.create({ mayChangeMachine: true }) as LinuxTarget;
  assert.equal(t.guest, undefined);
  assert.ok(t.kvm);
  assert.deepEqual(t.host.cpuOffline(1), { ok: true });
  assert.equal(ki.files['/sys/devices/system/cpu/cpu1/online'].text, '0');
  assert.deepEqual(await t.restore(), { restored: true });
  assert.equal(ki.files['/sys/devices/system/cpu/cpu1/online'].text, '1');
  // Without the grant, nothing may change.
  const no = f.create({ mayChangeMachine: false });
  assert.ok(isUnobservable(no.host!.cpuOffline(1)));
  // A live machine needs --allow-destructive as well as the grant.
  const live = source([RANGE, OK], { topology }, 'linux', { probes: [], results: new Map() });
  assert.ok(isUnobservable(new LinuxTarget(live, describeReading(live), new Set(), files(), {}, { mayChangeMachine: true }).host.cpuOffline(1)));
  const liveKi = files();
  assert.deepEqual(new LinuxTarget(live, describeReading(live), new Set(), liveKi, { allowDestructive: true }, { mayChangeMachine: true }).host.cpuOffline(1), { ok: true });
  // No seam: no KVM facet, nothing to restore.
  const bare = new LinuxTarget(r, describeReading(r), new Set(), null, {}, { mayChangeMachine: true });
  assert.equal(bare.kvm, undefined);
  assert.deepEqual(await bare.restore(), { restored: true });
  // A failed restoration of the CPUs is reported.
  const stuck = files();
  const t2 = new LinuxTarget(r, describeReading(r), new Set(), stuck, {}, { mayChangeMachine: true });
  t2.host.cpuOffline(1);
  stuck.files['/sys/devices/system/cpu/cpu1/online'].writeErrno = 'EBUSY';
  assert.deepEqual(await t2.restore(), { restored: false, detail: 'CPU 1: EBUSY' });
});

test('a guest reading has a guest facet', () => {
  const g = source(['[ 0.0] tdx: Guest detected'], {}, 'snapshot');
  const t = new LinuxTarget(g, describeReading(g), new Set(), null, {});
  assert.ok(t.guest);
  assert.equal(new LinuxTarget(source([RANGE]), describeReading(source([RANGE])), new Set(), null, {}).guest, undefined);
});
