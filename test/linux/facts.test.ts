/**
 * facts.ts, conclusion by conclusion: what a capture says about the role of the machine, how TDX
 * initialisation went, the module version, the KeyIDs, and the warnings a reader must see. The log
 * lines are synthetic, each in the wording of the kernel source that prints it (cited per test);
 * the errno of each outcome is the value that source returns.
 *
 * Sources (Linux 6.16.1, ce92f1f2170c, arch/x86/virt/vmx/tdx/tdx.c unless named):
 *  - tdx_init(): "BIOS enabled: private KeyID range [%u, %u)" with start = MKTME KeyIDs + 1 and end =
 *    start + TDX KeyIDs (record_keyid_partitioning(): MSR 0x87 bits 31:0 MKTME, 63:32 TDX); then
 *    "too few private KeyIDs available." (fewer than 2), "Hibernation support is enabled",
 *    "register_memory_notifier() failed (%d)" refuse, and X86_FEATURE_TDX_HOST_PLATFORM stays clear,
 *    so tdx_enable() returns -ENODEV.
 *  - sc_retry_prerr(): VMfailInvalid is -ENODEV (try_init_module_global() then prints "module not
 *    loaded"); any other failing status prints "SEAMCALL (0x%016llx) failed: 0x%016llx" and is -EIO.
 *  - check_features(): "frame pointer (RBP) clobber bug present, upgrade TDX module", -EINVAL.
 *  - fill_out_tdmrs(): "initialization failed: TDMRs exhausted.", -ENOSPC; tdmr_add_rsvd_area():
 *    "... reserved areas exhausted.", -ENOSPC.
 *  - __tdx_enable(): "module initialization failed (%d)" / "module initialized".
 *  - Linux 7.1 tdx_enable() (tdx-c-new, 0eaed89c18ae): "TDX not supported by the host platform"
 *    -ENODEV, "XSAVE is required for TDX" -EINVAL, "MOVDIR64B is required for TDX" -EINVAL,
 *    "Self-snoop is required for TDX" -ENODEV.
 *  - arch/x86/coco/tdx/tdx.c tdx_early_init(): CPUID 0x21 signature in EBX, EDX, ECX order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuidKey, emptyEvidence, mergeEvidence, msrKey, type Evidence } from '../../backends/linux/evidence';
import { cpuidSignature, readEvidence } from '../../backends/linux/facts';

const ev = (lines: string[] | null, extra: Partial<Evidence> = {}): Evidence =>
  mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], ...(lines ? { log: { lines, source: 'test', excerpt: true } } : {}), ...extra });
const facts = (lines: string[] | null, extra: Partial<Evidence> = {}) => readEvidence(ev(lines, extra)).facts;
const RANGE = '[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 64)';
const sysfs = (m: Partial<NonNullable<Evidence['sysfsModule']>>): Evidence['sysfsModule'] => ({
  attributes: null, vendorId: null, major: null, minor: null, buildNum: null, buildDate: null, status: null, ...m,
});

/** The four bytes of a little-endian register holding `s`. */
const reg = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);

test('CPUID 0x21: the signature reads EBX, then EDX, then ECX', () => {
  assert.equal(cpuidSignature(reg('Inte'), reg('    '), reg('lTDX')), 'IntelTDX    ');
  assert.equal(cpuidSignature(reg('abcd'), reg('ijkl'), reg('efgh')), 'abcdefghijkl');
  // Registers arrive as signed 32-bit numbers from some readers.
  assert.equal(cpuidSignature(reg('\xff\xff\xff\xff') | 0, 0, 0).charCodeAt(3), 0xff);
});

test('detection refused: no TDX host platform, ENODEV, and the reason', () => {
  const cases: [string, RegExp][] = [
    ['virt/tdx: initialization failed: too few private KeyIDs available.', /fewer than two TDX KeyIDs/],
    ['virt/tdx: initialization failed: Hibernation support is enabled', /hibernation/],
    ['virt/tdx: initialization failed: register_memory_notifier() failed (-12)', /memory hotplug notifier/],
    ['virt/tdx: TDX not supported by the host platform', /no TDX host platform/],
  ];
  for (const [line, cause] of cases) {
    const h = facts(['[    1.000000] virt/tdx: BIOS enabled: private KeyID range [32, 33)', `[    1.000001] ${line}`]).host!;
    assert.equal(h.init, 'not-enabled', line);
    assert.equal(h.initErrno, 'ENODEV', line);
    assert.match(h.cause!, cause, line);
    assert.equal(h.failedSeamcall, null, line);
    assert.deepEqual(h.keyIdRange, [32, 33], line);
  }
  // Only the refusing messages take detection back; the platform message of 7.1 is printed later.
  assert.equal(facts(['[ 1.0] virt/tdx: BIOS enabled: private KeyID range [32, 33)', '[ 1.1] virt/tdx: initialization failed: too few private KeyIDs available.']).host!.detected, false);
  assert.equal(facts(['[ 1.0] virt/tdx: BIOS enabled: private KeyID range [32, 33)', '[ 1.1] virt/tdx: initialization failed: Hibernation support is enabled']).host!.detected, false);
  assert.equal(facts(['[ 1.0] virt/tdx: BIOS enabled: private KeyID range [32, 33)', '[ 1.1] virt/tdx: initialization failed: register_memory_notifier() failed (-12)']).host!.detected, false);
  assert.equal(facts([RANGE]).host!.detected, true);
});

test('initialisation outcomes and their errno, as the kernel returns them', () => {
  const cases: [string, string, string | null, RegExp | null][] = [
    ['virt/tdx: module not loaded', 'not-loaded', 'ENODEV', /no TDX module.*VMfailInvalid/],
    ['virt/tdx: frame pointer (RBP) clobber bug present, upgrade TDX module', 'failed', 'EINVAL', /NO_RBP_MOD/],
    ['virt/tdx: initialization failed: TDMRs exhausted.', 'failed', 'ENOSPC', /^initialization failed: TDMRs exhausted\.$/],
    ['virt/tdx: initialization failed: TDMR [0x0, 0x80000000): reserved areas exhausted.', 'failed', 'ENOSPC', /^initialization failed: TDMR \[0x0, 0x80000000\): reserved areas exhausted\.$/],
    ['virt/tdx: XSAVE is required for TDX', 'failed', 'EINVAL', /^XSAVE is required for TDX$/],
    ['virt/tdx: MOVDIR64B is required for TDX', 'failed', 'EINVAL', /^MOVDIR64B is required for TDX$/],
    ['virt/tdx: Self-snoop is required for TDX', 'failed', 'ENODEV', /^Self-snoop is required for TDX$/],
    ['virt/tdx: module initialization failed (-12)', 'failed', 'ENOMEM', /^initialisation failed \(-12\)$/],
    ['virt/tdx: TDX-Module initialization failed (-16)', 'failed', 'EBUSY', /^initialisation failed \(-16\)$/],
    ['virt/tdx: module initialized', 'initialized', null, null],
    ['virt/tdx: TDX-Module initialized', 'initialized', null, null],
  ];
  for (const [line, init, errno, cause] of cases) {
    const h = facts([RANGE, `[    9.000000] ${line}`]).host!;
    assert.equal(h.detected, true, line);
    assert.equal(h.init, init, line);
    assert.equal(h.initErrno, errno, line);
    if (cause) assert.match(h.cause!, cause, line);
    else assert.equal(h.cause, null, line);
    assert.equal(h.failedSeamcall, null, line);
  }
});

test('a failing SEAMCALL: leaf and status decoded, EIO; the outcome line keeps the SEAMCALL as cause', () => {
  // TDH.SYS.INIT (33) failing with an unknown status, then __tdx_enable()'s line.
  const h = facts([RANGE, '[ 9.0] virt/tdx: SEAMCALL (0x0000000000000021) failed: 0xc0000abc00000000', '[ 9.1] virt/tdx: module initialization failed (-5)']).host!;
  assert.deepEqual(h.failedSeamcall, { leaf: 33, leafName: 'TDH.SYS.INIT', status: '0xc0000abc00000000', statusName: null });
  assert.deepEqual([h.init, h.initErrno], ['failed', 'EIO']);
  assert.equal(h.cause, 'TDH.SYS.INIT returned 0xc0000abc00000000');
  // Without the outcome line the SEAMCALL alone already says EIO (sc_retry_prerr()).
  const alone = facts([RANGE, '[ 9.0] virt/tdx: SEAMCALL (0x0000000000000021) failed: 0xc0000abc00000000']).host!;
  assert.deepEqual([alone.init, alone.initErrno, alone.cause], ['failed', 'EIO', 'TDH.SYS.INIT returned 0xc0000abc00000000']);
  // A leaf the suite does not know is named by its number; a status that is short is zero-padded.
  const unknown = facts([RANGE, '[ 9.0] virt/tdx: SEAMCALL (0x00000000000000ff) failed: 0x00000abc00000000']).host!;
  assert.deepEqual(unknown.failedSeamcall, { leaf: 255, leafName: null, status: '0x00000abc00000000', statusName: null });
  assert.equal(unknown.cause, 'SEAMCALL leaf 255 returned 0x00000abc00000000');
  // The version bits above bit 15 of RAX do not change the leaf's name (TDH.SYS.CONFIG, version 1).
  const versioned = facts([RANGE, '[ 9.0] virt/tdx: SEAMCALL (0x000000000001002d) failed: 0xc000050c00000000']).host!;
  assert.equal(versioned.failedSeamcall!.leafName, 'TDH.SYS.CONFIG');
  assert.equal(versioned.failedSeamcall!.leaf, 0x1002d);
});

test('a failed TDH.SYS.RD names the field from the register dump right after it, and a module too old for the leaf', () => {
  const lines = (dumpAt: number) => {
    const l = [RANGE,
      '[ 9.0] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 0, build_date 20230206, build_num 457',
      '[ 9.1] virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000'];
    const dump = '[ 9.2] virt/tdx: RCX 0x0000000000000000 RDX 0x9100000100000008 R08 0x0000000000000000';
    l.splice(dumpAt, 0, dump);
    return l;
  };
  const h = facts(lines(3)).host!;
  assert.equal(h.cause, 'TDH.SYS.RD returned TDX_SYS_NOT_READY while the kernel read global metadata field 0x9100000100000008 (MAX_TDMRS); TDX module 1.0 does not implement TDH.SYS.RD (first in 1.5)');
  // A register dump elsewhere belongs to another SEAMCALL.
  assert.equal(facts(lines(1)).host!.cause, 'TDH.SYS.RD returned TDX_SYS_NOT_READY; TDX module 1.0 does not implement TDH.SYS.RD (first in 1.5)');
  // A field the suite does not know is shown by number only.
  const other = lines(3);
  other[3] = '[ 9.2] virt/tdx: RCX 0x0000000000000000 RDX 0x91000001000000ff R08 0x0000000000000000';
  assert.match(facts(other).host!.cause!, /field 0x91000001000000ff;/);
  // A 1.5 module implements TDH.SYS.RD; so does 2.0 (major above), whatever its minor.
  for (const [maj, min] of [[1, 5], [2, 0], [1, 6]]) {
    const l = lines(3);
    l[1] = `[ 9.0] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version ${maj}, minor_version ${min}, build_date 20240129, build_num 698`;
    assert.doesNotMatch(facts(l).host!.cause!, /does not implement/, `${maj}.${min}`);
  }
  // 0.9 is older than 1.5 although its minor is larger.
  const l = lines(3);
  l[1] = '[ 9.0] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 0, minor_version 9, build_date 20220101, build_num 1';
  assert.match(facts(l).host!.cause!, /TDX module 0\.9 does not implement TDH\.SYS\.RD/);
});

test('KVM\'s "Failed to initialize TDX module." keeps an earlier failure and makes a silent one a failure', () => {
  const kvm = '[ 9.9] kvm_intel: Failed to initialize TDX module.';
  const after = facts([RANGE, '[ 9.1] virt/tdx: module initialization failed (-12)', kvm]).host!;
  assert.deepEqual([after.init, after.initErrno, after.cause], ['failed', 'ENOMEM', 'initialisation failed (-12)']);
  const alone = facts([RANGE, kvm]).host!;
  assert.deepEqual([alone.init, alone.initErrno], ['failed', null]);
  assert.match(alone.cause!, /KVM reported/);
});

test('the 2022 series: shut-down, offline CPUs, KVM\'s refusals (lore patches, pr_fmt "tdx: ")', () => {
  const shut = facts([RANGE, '[ 9.0] tdx: Failed to initialize TDX module. Shut it down.']).host!;
  assert.deepEqual([shut.init, shut.initErrno], ['failed', 'EFAULT']);
  assert.match(shut.cause!, /shut the module down/);
  const withCall = facts([RANGE, '[ 9.0] tdx: SEAMCALL (0x0000000000000021) failed: 0xc0000abc00000000', '[ 9.1] tdx: Failed to initialize TDX module. Shut it down.']).host!;
  assert.equal(withCall.failedSeamcall!.leafName, 'TDH.SYS.INIT');
  assert.equal(withCall.cause, 'TDH.SYS.INIT returned 0xc0000abc00000000');
  const offline = facts([RANGE, "[ 9.0] tdx: Unable to initialize the TDX module when there's offline CPU(s)."]).host!;
  assert.deepEqual([offline.init, offline.initErrno], ['failed', 'EINVAL']);
  const platform = facts(['[ 5.0] tdx: Cannot enable TDX on TDX disabled platform']);
  assert.equal(platform.role, 'host');
  assert.deepEqual([platform.host!.detected, platform.host!.init, platform.host!.initErrno], [false, 'not-enabled', 'ENODEV']);
  const seamrr = facts(['[ 5.0] tdx: Cannot enable TDX with SEAMRR disabled']).host!;
  assert.deepEqual([seamrr.detected, seamrr.init, seamrr.initErrno], [false, 'not-enabled', 'ENODEV']);
  assert.match(seamrr.cause!, /SEAMRR/);
  const ept = facts([RANGE, '[ 5.0] tdx: Cannot enable TDX with EPT disabled']).host!;
  assert.deepEqual([ept.init, ept.initErrno], ['not-attempted', 'EINVAL']);
  assert.match(ept.cause!, /EPT is disabled/);
  // After an outcome, EPT's refusal changes nothing.
  assert.equal(facts([RANGE, '[ 9.0] virt/tdx: module initialized', '[ 9.1] tdx: Cannot enable TDX with EPT disabled']).host!.initErrno, null);
});

test('a log that starts initialisation and stops is incomplete; a cut last line too; a plain detection is not attempted', () => {
  const started = facts([RANGE, '[ 9.0] virt/tdx: CMR: [0x100000, 0x77800000)', '[ 9.1] kvm: something else']).host!;
  assert.deepEqual([started.init, started.initErrno], ['incomplete', null]);
  assert.match(started.cause!, /initialisation started/);
  const plain = facts([RANGE]).host!;
  assert.deepEqual([plain.init, plain.cause], ['not-attempted', null]);
  const cut = readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: [RANGE, '[ 9.0] virt/tdx: module initiali'], source: 'test', excerpt: true, lastLineCut: true } })).facts;
  assert.deepEqual([cut.host!.init, cut.host!.cause], ['incomplete', null]);
  assert.equal(cut.log!.complete, false);
  assert.ok(cut.warnings.some((w) => w.startsWith('the last line is cut: ')), cut.warnings.join('; '));
});

test('without a kernel log: incomplete, said in a warning, unless the Intel kernels\' sysfs says initialized', () => {
  const none = facts(null, { sysfsModule: sysfs({ major: 1, minor: 5 }) });
  assert.equal(none.role, 'host');
  assert.deepEqual([none.host!.init, none.host!.detected], ['incomplete', true]);
  assert.ok(none.warnings.includes('the capture has no kernel log: it cannot show how TDX initialisation went'));
  assert.equal(none.log, null);
  const ok = facts(null, { sysfsModule: sysfs({ major: 1, minor: 5, status: 'initialized' }) });
  assert.equal(ok.host!.init, 'initialized');
  assert.ok(!ok.warnings.some((w) => /no kernel log/.test(w)));
  // Any other status leaves the log's (absent) word.
  assert.equal(facts(null, { sysfsModule: sysfs({ status: 'uninitialized', major: 1 }) }).host!.init, 'incomplete');
  // With a log that shows no outcome, sysfs decides; with a log that shows one, the log does.
  assert.equal(facts([RANGE], { sysfsModule: sysfs({ status: 'initialized' }) }).host!.init, 'initialized');
  assert.equal(facts([RANGE, '[ 9.0] virt/tdx: module initialization failed (-5)'], { sysfsModule: sysfs({ status: 'initialized' }) }).host!.init, 'failed');
  // An incomplete log stays incomplete: sysfs may have been read at another time.
  assert.equal(facts([RANGE, '[ 9.0] virt/tdx: CMR: [0x100000, 0x77800000)'], { sysfsModule: sysfs({ status: 'initialized' }) }).host!.init, 'incomplete');
});

test('the module version: sysfs first, then tdx_host, then the log; a differing source is a warning', () => {
  const info = '[ 9.0] virt/tdx: TDX module: attributes 0x0, vendor_id 0x8086, major_version 1, minor_version 5, build_date 20240129, build_num 698';
  const f = facts([RANGE, info], { sysfsModule: sysfs({ major: 1, minor: 5, buildNum: 700, buildDate: 20240129 }), tdxHostVersion: '1.5.24' });
  assert.deepEqual(f.host!.module, { major: 1, minor: 5, update: 24, build: 700, buildDate: 20240129 });
  assert.deepEqual(f.warnings, ['module build differs between sources: 700 and 698 (log)']);
  const host = facts(null, { tdxHostVersion: '2.0.8', sysfsModule: sysfs({ major: 1, minor: 5 }) });
  assert.deepEqual(host.host!.module, { major: 1, minor: 5, update: 8, build: null, buildDate: null });
  assert.ok(host.warnings.includes('module major differs between sources: 1 and 2 (tdx_host)'));
  assert.ok(host.warnings.includes('module minor differs between sources: 5 and 0 (tdx_host)'));
  // An unreadable tdx_host version is no version.
  assert.deepEqual(facts([RANGE], { tdxHostVersion: 'garbage' }).host!.module, { major: null, minor: null, update: null, build: null, buildDate: null });
  // The last module line of the log counts.
  const twice = facts([RANGE, '[ 9.0] virt/tdx: Module version: 1.5.20', '[ 19.0] virt/tdx: Module version: 1.5.24']);
  assert.equal(twice.host!.module.update, 24);
});

test('KeyIDs: MSR 0x87 gives MKTME (31:0) and TDX (63:32) KeyIDs; a logged range that disagrees is a warning', () => {
  const msrs = { [msrKey(0, 0x87)]: { value: (32n << 32n) | 31n } };
  const agree = facts([RANGE], { msrs });
  assert.deepEqual(agree.platform.keyIdPartitioning, { mktme: 31, tdx: 32, source: 'MSR 0x87' });
  assert.ok(!agree.warnings.some((w) => /disagrees/.test(w)));
  const shifted = facts([RANGE], { msrs: { [msrKey(0, 0x87)]: { value: (32n << 32n) | 30n } } });
  assert.deepEqual(shifted.warnings, ['the logged KeyID range [32, 64) disagrees with MSR 0x87 (30 MKTME, 32 TDX KeyIDs)']);
  const fewer = facts([RANGE], { msrs: { [msrKey(0, 0x87)]: { value: (31n << 32n) | 31n } } });
  assert.deepEqual(fewer.warnings, ['the logged KeyID range [32, 64) disagrees with MSR 0x87 (31 MKTME, 31 TDX KeyIDs)']);
  // A failed read is no partitioning; the system report's decoded field is the next source.
  assert.equal(facts([RANGE], { msrs: { [msrKey(0, 0x87)]: { gp: true } } }).platform.keyIdPartitioning, null);
  const reported = facts([RANGE], { reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 32, production: true } });
  assert.deepEqual(reported.platform.keyIdPartitioning, { mktme: null, tdx: 32, source: 'system report (rdmsr 0x87 -f 63:32)' });
  assert.ok(!reported.warnings.some((w) => /disagrees/.test(w)));
});

test('the role: each sign of a guest or a host on its own, and their evidence', () => {
  const sig = { [cpuidKey(0, 0x21, 0)]: { eax: 0, ebx: reg('Inte'), ecx: reg('    '), edx: reg('lTDX') } };
  const guests: [Partial<Evidence>, string][] = [
    [{ devTdxGuest: true }, '/dev/tdx_guest exists'],
    [{ tdxGuestModule: true }, 'tdx_guest module loaded'],
    [{ tsmProvider: 'tdx_guest' }, 'configfs-tsm provider is tdx_guest'],
    [{ cpuid: sig }, 'CPUID 0x21 says "IntelTDX    "'],
    [{ cpuFlags: { flags: ['fpu', 'tdx_guest'], bugs: null, complete: true, bugsComplete: false, source: 't' } }, 'CPU flag tdx_guest'],
  ];
  for (const [extra, why] of guests) {
    const f = facts(null, extra);
    assert.equal(f.role, 'guest', why);
    assert.deepEqual(f.roleEvidence, [why]);
    assert.equal(f.guest!.detected, true);
    assert.equal(f.host, null);
  }
  assert.equal(facts(null, { tsmProvider: 'sev_guest' }).role, 'unknown');
  assert.equal(facts(null, { cpuid: { [cpuidKey(0, 0x21, 0)]: { eax: 0, ebx: reg('Inte'), ecx: reg('    '), edx: reg('lTDY') } } }).role, 'unknown');
  const hosts: [Partial<Evidence>, string][] = [
    [{ sysfsModule: sysfs({}) }, 'TDX module sysfs information'],
    [{ tdxHostVersion: '1.5.24' }, 'tdx_host sysfs device'],
    [{ cpuFlags: { flags: ['tdx_host_platform'], bugs: null, complete: false, bugsComplete: false, source: 't' } }, 'CPU flag tdx_host_platform'],
  ];
  for (const [extra, why] of hosts) {
    const f = facts(null, extra);
    assert.equal(f.role, 'host', why);
    assert.deepEqual(f.roleEvidence, [why]);
    assert.equal(f.host!.detected, true, why);
    assert.equal(f.guest, null);
  }
  assert.deepEqual(facts([RANGE]).roleEvidence, ['kernel log: private KeyID range']);
  assert.deepEqual(facts(['[ 9.0] virt/tdx: module initialized']).roleEvidence, ['kernel log: TDX module initialisation messages']);
  assert.deepEqual(facts(['[ 5.0] tdx: Cannot enable TDX with EPT disabled']).roleEvidence, ["kernel log: KVM's TDX setup messages (2022 series)"]);
  const both = facts(['[ 0.0] tdx: Guest detected'], { tdxHostVersion: '1.5.24' });
  assert.deepEqual(both.roleEvidence, ['kernel log: "tdx: Guest detected"', 'tdx_host sysfs device', 'both host and guest signs: contradictory capture']);
  assert.equal(both.host, null);
  assert.equal(both.guest, null);
});

test('the role "none" needs positive evidence of no TDX; silence is "unknown"', () => {
  const flags = (complete: boolean, ...f: string[]) => ({ cpuFlags: { flags: ['fpu', ...f], bugs: null, complete, bugsComplete: false, source: 't' } });
  assert.deepEqual(facts(null, flags(true)).roleEvidence, ['CPU flags have neither tdx_host_platform nor tdx_guest']);
  assert.equal(facts(null, flags(true)).role, 'none');
  assert.equal(facts(null, flags(false)).role, 'unknown');
  assert.deepEqual(facts(null, flags(false)).roleEvidence, ['nothing in the capture says whether this machine is a TDX host or guest']);
  assert.deepEqual(facts(null, { cpuinfoMentionsTdx: false }).roleEvidence, ['system report: no "tdx" anywhere in /proc/cpuinfo']);
  assert.equal(facts(null, { cpuinfoMentionsTdx: true }).role, 'unknown');
  // A whole log from boot with no TDX message.
  const boot = ['[    0.000000] Linux version 6.16.1 (builder@host) (gcc) #1 SMP PREEMPT_DYNAMIC', '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-6.16.1 ro', '[    4.0] Run /sbin/init as init process'];
  const whole = readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: boot, source: 'dmesg', excerpt: false } })).facts;
  assert.deepEqual([whole.role, whole.roleEvidence], ['none', ['the kernel log from boot on has no TDX message']]);
  // The same lines as a grep excerpt, or from the middle of the log, prove nothing.
  assert.equal(facts(boot).role, 'unknown');
  assert.equal(readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: boot.slice(2), source: 'dmesg', excerpt: false } })).facts.role, 'unknown');
  // A system report whose dmesg | grep tdx found nothing.
  const report = readEvidence(mergeEvidence(emptyEvidence(), { log: { lines: [], source: 'system-report: dmesg | grep -i tdx', excerpt: true } })).facts;
  assert.deepEqual([report.role, report.roleEvidence], ['none', ['system report: dmesg has no line mentioning tdx']]);
  assert.equal(readEvidence(mergeEvidence(emptyEvidence(), { log: { lines: [], source: 'dmesg | grep tdx', excerpt: true } })).facts.role, 'unknown');
  // No TDX, but the BIOS reserves TDX KeyIDs: said in a warning.
  const keyids = facts(null, { cpuinfoMentionsTdx: false, unameRelease: '6.8.0-101-generic', reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 32, production: true } });
  assert.ok(keyids.warnings.includes('the BIOS reserves 32 TDX private KeyIDs (MSR 0x87), but this kernel (6.8.0-101-generic) does not act as a TDX host'), keyids.warnings.join('; '));
  assert.ok(!facts(null, { cpuinfoMentionsTdx: false, reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 0, production: true } }).warnings.some((w) => /reserves/.test(w)));
});

test('guest facts: what the capture shows, null where it says nothing', () => {
  const sig = { [cpuidKey(0, 0x21, 0)]: { eax: 0, ebx: reg('Inte'), ecx: reg('    '), edx: reg('lTDX') } };
  const f = facts(['[ 0.0] tdx: Guest detected', '[ 0.1] Memory Encryption Features active: Intel TDX'], { devTdxGuest: true, tsmProvider: 'tdx_guest', cpuid: sig });
  assert.deepEqual(f.guest, {
    detected: true, memoryEncryption: 'Intel TDX', attributes: null, tdCtls: null, devTdxGuest: true, tsmProvider: 'tdx_guest', cpuidSignature: 'IntelTDX    ',
  });
  assert.deepEqual(f.roleEvidence, ['kernel log: "tdx: Guest detected"', 'kernel log: memory encryption active with Intel TDX', '/dev/tdx_guest exists', 'configfs-tsm provider is tdx_guest', 'CPUID 0x21 says "IntelTDX    "']);
  const bare = facts(['[ 0.1] Memory Encryption Features active: Intel TDX']);
  assert.deepEqual(bare.guest, { detected: true, memoryEncryption: 'Intel TDX', attributes: null, tdCtls: null, devTdxGuest: null, tsmProvider: null, cpuidSignature: null });
  assert.equal(facts(null, { devTdxGuest: true }).guest!.memoryEncryption, null);
});

test('the kernel release: uname first, the log second; conflicts and unknown flavours are warnings', () => {
  const boot = '[    0.000000] Linux version 6.8.0-1006-intel (buildd@lcy02) (gcc) #6-Ubuntu SMP';
  const both = facts([boot, RANGE], { unameRelease: '6.8.0-1028-intel' });
  assert.equal(both.kernel.release, '6.8.0-1028-intel');
  assert.equal(both.kernel.flavour, 'ubuntu-6.8-intel');
  assert.ok(both.warnings.includes('kernel release differs: uname says 6.8.0-1028-intel, the log 6.8.0-1006-intel'));
  const same = facts([boot, RANGE], { unameRelease: '6.8.0-1006-intel' });
  assert.ok(!same.warnings.some((w) => /release differs/.test(w)));
  assert.equal(facts([boot, RANGE]).kernel.release, '6.8.0-1006-intel');
  const unknown = facts([RANGE], { unameRelease: '6.16.1-custom' });
  assert.ok(unknown.warnings.some((w) => w.startsWith('kernel 6.16.1-custom is not a known flavour: assuming ')), unknown.warnings.join('; '));
  assert.notEqual(unknown.kernel.flavour, null);
  assert.notEqual(unknown.kernel.eras, null);
  const none = facts([RANGE]);
  assert.deepEqual(none.kernel, { release: null, flavour: null, eras: null, cmdline: null });
  assert.deepEqual(none.warnings, []);
});

test('the platform: CPU identity from the probes, else the boot lines; flags; the log\'s summary; formats once each', () => {
  const f = facts(['[ 0.0] smpboot: CPU0: Intel(R) Xeon(R) Platinum 8480+ (family: 0x6, model: 0x8f, stepping: 0x8)', RANGE],
    { cpu: { vendor: 'GenuineIntel', family: null, model: 207, modelName: null }, formats: ['kernel-log', 'cpuinfo'], sleepStates: ['freeze', 'mem'] });
  assert.deepEqual(f.platform.cpu, { vendor: 'GenuineIntel', family: 6, model: 207, modelName: 'Intel(R) Xeon(R) Platinum 8480+' });
  assert.deepEqual(f.formats, ['kernel-log', 'cpuinfo']);
  assert.deepEqual(f.platform.sleepStates, ['freeze', 'mem']);
  assert.deepEqual(f.log, { source: 'test', lines: 2, tdxMessages: 1, complete: true, excerpt: true });
  assert.deepEqual(facts(null).platform.cpu, { vendor: null, family: null, model: null, modelName: null });
  const cf = (bugs: string[] | null, bugsComplete: boolean) => facts(null, { cpuFlags: { flags: ['fpu'], bugs, complete: true, bugsComplete, source: 't' } }).platform.cpuFlags;
  assert.deepEqual(cf(null, false), { tdxHostPlatform: false, tdxGuest: false, tdxPwMce: null, complete: true });
  assert.equal(cf(['spectre_v1'], true)!.tdxPwMce, false);
  assert.equal(cf(['spectre_v1'], false)!.tdxPwMce, null);
  assert.equal(cf(['tdx_pw_mce'], false)!.tdxPwMce, true);
  assert.equal(facts(null).platform.cpuFlags, null);
  assert.equal(facts(null).platform.numaNodes, null);
});

test('S3: the "Disable ACPI S3" line is a fact, its absence says nothing', () => {
  assert.equal(facts([RANGE, '[ 1.1] virt/tdx: Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.']).host!.s3Disabled, true);
  assert.equal(facts([RANGE]).host!.s3Disabled, null);
});

test('warnings the sources carry are passed on without their prefix', () => {
  const f = facts([RANGE], { notes: ['warning: something odd', 'a plain note'] });
  assert.deepEqual(f.warnings, ['something odd']);
});
