/**
 * The dialect-tolerant parsers on the shapes captures come in. Lines here are written for the
 * tests (synthetic) unless they quote a file of test/fixtures/real; each says which.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyEvidence, mergeEvidence } from '../../backends/linux/evidence';
import { readEvidence } from '../../backends/linux/facts';
import { journalToLines, kmsgToLines } from '../../backends/linux/log-sources';
import { parseBareFlags, parseLscpu, parseProcCpuinfo } from '../../backends/linux/parse/cpuinfo';
import { parseBootLines } from '../../backends/linux/parse/boot-lines';
import { moduleInfoFromNodes, parseTdxHostVersion } from '../../backends/linux/parse/sysfs';
import { parseSystemReport } from '../../backends/linux/parse/system-report';
import { evidenceFromText } from '../../backends/linux/single-file';

const facts = (lines: string[]) => readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines, source: 'test', excerpt: true } })).facts;

test('lscpu flags that wrap onto indented lines are one list', () => {
  const text = [
    'Vendor ID:                GenuineIntel',
    '  Model name:             Intel(R) Xeon(R) Platinum 8480+',
    '    CPU family:           6',
    '    Model:                143',
    '    Flags:                fpu vme de pse tsc msr pae mce cx8 apic sep mtrr',
    '                          pge mca cmov tdx_host_platform movdir64b',
    '                          xsave ss',
    'Virtualization features:',
    '  Virtualization:         VT-x',
  ].join('\n');
  const p = parseLscpu(text)!;
  assert.ok(p.flags!.flags.includes('tdx_host_platform') && p.flags!.flags.includes('ss') && p.flags!.flags.includes('fpu'));
  assert.equal(p.flags!.flags.length, 19);
  assert.equal(p.flags!.complete, true);
  assert.deepEqual(p.cpu, { vendor: 'GenuineIntel', family: 6, model: 143, modelName: 'Intel(R) Xeon(R) Platinum 8480+' });
});

test('/proc/cpuinfo: flags and bugs of the first processor; a block cut inside the flags is incomplete', () => {
  const block = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nflags\t\t: fpu tdx_host_platform\nbugs\t\t: spectre_v1 tdx_pw_mce\nbogomips\t: 4000.00\n\nprocessor\t: 1\n';
  const p = parseProcCpuinfo(block)!;
  assert.deepEqual(p.flags!.flags, ['fpu', 'tdx_host_platform']);
  assert.deepEqual(p.flags!.bugs, ['spectre_v1', 'tdx_pw_mce']);
  assert.equal(p.flags!.complete, true);
  assert.equal(p.cpu.model, 207);
  assert.equal(parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme de')!.flags!.complete, false);
});

test('a bare flags list may be cut: its last word is set aside and absence proves nothing', () => {
  const p = parseBareFlags('fpu vme de pse tsc msr pae mce cx8 tdx_host_platform ts\n')!;
  assert.equal(p.cutToken, 'ts');
  assert.equal(p.flags.complete, false);
  assert.ok(!p.flags.flags.includes('ts'));
});

test('/dev/kmsg records and journalctl -k lines become dmesg lines', () => {
  assert.deepEqual(kmsgToLines(['6,512,1289113,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)\n SUBSYSTEM=cpu\n']), [
    '[    1.289113] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
  ]);
  assert.deepEqual(journalToLines('[    9.355890] host1 kernel: virt/tdx: module initialized\n-- Boot abc --\n'), ['[    9.355890] virt/tdx: module initialized']);
});

test('the older tdx: prefix, KBs, and the 2026 wording all read as the same facts', () => {
  const old = facts(['[    3.8] tdx: BIOS enabled: private KeyID range [1, 64)', '[    9.1] tdx: 262668 KBs allocated for PAMT', '[    9.2] tdx: module initialized']);
  assert.deepEqual([old.host!.keyIdRange, old.host!.pamtKb, old.host!.init], [[1, 64], 262668, 'initialized']);
  const boot = facts(['[    1.0] virt/tdx: BIOS enabled: private KeyID range [32, 64)', '[    2.0] virt/tdx: Module version: 1.5.24', '[    3.0] virt/tdx: 1034220 KB allocated for PAMT', '[    3.1] virt/tdx: TDX-Module initialized']);
  assert.deepEqual(boot.host!.module, { major: 1, minor: 5, update: 24, build: null, buildDate: null });
  assert.equal(boot.host!.init, 'initialized');
  const fail = facts(['[    3.1] virt/tdx: TDX-Module initialization failed (-22)']);
  assert.deepEqual([fail.host!.init, fail.host!.initErrno], ['failed', 'EINVAL']);
});

test('the Ubuntu 6.14 module line: the hex-printed build date is the decimal date', () => {
  // Synthetic line in the format of the canonical/tdx host test (capture-canonical-tdx-ubuntu-6.14).
  const f = facts(['[    8.2] virt/tdx: TDX module 2.0.08.00, build number 882, build date 0134fed5']);
  assert.deepEqual(f.host!.module, { major: 2, minor: 0, update: 8, build: 882, buildDate: 20250325 });
});

test('a firmware string with +tdx1.0 is a package version, never a module version (synthetic line)', () => {
  const f = facts([
    '[    0.000000] DMI: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 2024.02-3+tdx1.0 04/01/2024',
    '[    0.000000] tdx: Guest detected',
  ]);
  assert.equal(f.role, 'guest');
  assert.equal(f.platform.firmware, 'QEMU Standard PC (Q35 + ICH9, 2009), BIOS 2024.02-3+tdx1.0 04/01/2024');
  assert.equal(f.host, null);
  assert.ok(f.warnings.some((w) => /firmware package; its version is not a TDX module version/.test(w)));
  const h = facts(['[    0.000000] DMI: Intel Corporation D50DNP/D50DNP, BIOS SE5C7411.86B+tdx1.0 01/01/2024', '[ 1.0] virt/tdx: BIOS enabled: private KeyID range [32, 64)']);
  assert.deepEqual(h.host!.module, { major: null, minor: null, update: null, build: null, buildDate: null });
});

test('the command line: copies cut by a terminal are reconciled, copies that legitimately differ are not', () => {
  const cut = parseBootLines(['[0.0] Command line: ro quiet crashkernel=1G-4G:192M,4G-64G:25', '[0.1] Kernel command line: ro quiet crashkernel=1G-4G:19']);
  assert.deepEqual([cut.cmdline, cut.cmdlineCut], [['ro', 'quiet'], true]);
  const extra = parseBootLines(['[0.0] Command line: ro quiet nohibernate', '[0.1] Kernel command line: mitigations=auto ro quiet nohibernate']);
  assert.deepEqual([extra.cmdline, extra.cmdlineCut], [['ro', 'quiet', 'nohibernate'], false]);
  assert.equal(parseBootLines(['[0.0] Command line: BOOT_IMAGE=/boot/vmlinuz-6.8.0-1006-intel root=UUID=x ro']).release, '6.8.0-1006-intel');
});

test('NUMA spans from SRAT lines and the end of the kernel boot (synthetic lines)', () => {
  const b = parseBootLines([
    '[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0x7fffffff]',
    '[    0.000000] ACPI: SRAT: Node 1 PXM 1 [mem 0x1000000000-0x1fffffffff]',
    '[    4.100000] Freeing unused kernel image (initmem) memory: 4000K',
    '[    4.200000] Run /sbin/init as init process',
    '[    9.000000] virt/tdx: module initialized',
  ]);
  assert.deepEqual(b.numa, [{ node: 0, base: 0n, end: 0x80000000n, hotplug: false }, { node: 1, base: 0x1000000000n, end: 0x2000000000n, hotplug: false }]);
  assert.equal(b.bootEndLine, 3);
  assert.equal(b.startsAtBoot, true);
});

test('SEAMCALL failures are decoded to leaf and status names', () => {
  const f = facts([
    '[   10.1] virt/tdx: SEAMCALL (0x000000000000002d) failed: 0xc000050c00000000',
    '[   10.2] virt/tdx: module initialization failed (-5)',
  ]);
  assert.deepEqual(f.host!.failedSeamcall, { leaf: 45, leafName: 'TDH.SYS.CONFIG', status: '0xc000050c00000000', statusName: 'TDX_SYS_CONFIG_NOT_PENDING' });
  assert.equal(f.host!.initErrno, 'EIO');
});

test('sysfs values: 0x-prefixed hex, bare decimal; the tdx_host version', () => {
  assert.deepEqual(moduleInfoFromNodes({ major_version: '0x00000001\n', minor_version: '0x00000005', build_num: '0x000002ba', build_date: '20240129', status: 'initialized\n' }), {
    attributes: null, vendorId: null, major: 1, minor: 5, buildNum: 698, buildDate: 20240129, status: 'initialized',
  });
  assert.deepEqual(parseTdxHostVersion('1.5.24\n'), { major: 1, minor: 5, update: 24 });
});

test('a system report with its code fences reads like one without', () => {
  const text = '### Kernel version\n\n```\n6.8.0-1028-intel #28-Ubuntu SMP x86_64\n```\n\n### TDX kernel logs\n\n```\n[    1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)\n...\n[    9.0] virt/tdx: module initialized\n```\n\n### TDX CPU instruction support\n\n```\nCPU supports TDX according to /proc/cpuinfo\n```\n';
  const ev = parseSystemReport(text)!;
  assert.equal(ev.unameRelease, '6.8.0-1028-intel');
  assert.equal(ev.cpuinfoMentionsTdx, true);
  assert.deepEqual(ev.log!.lines, ['[    1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)', '[    9.0] virt/tdx: module initialized']);
  const f = readEvidence(evidenceFromText(text, 'report.txt')).facts;
  assert.deepEqual([f.role, f.host!.keyIdRange, f.host!.init], ['host', [64, 128], 'initialized']);
});

test('guest attributes and TD_CTLS lines are read as names (synthetic lines)', () => {
  const f = facts(['[    0.0] tdx: Guest detected', '[    0.0] tdx: Attributes: SEPT_VE_DISABLE', '[    0.0] tdx: TD_CTLS: PENDING_VE_DISABLE ENUM_TOPOLOGY']);
  assert.deepEqual([f.guest!.attributes, f.guest!.tdCtls], [['SEPT_VE_DISABLE'], ['PENDING_VE_DISABLE', 'ENUM_TOPOLOGY']]);
});

test('a capture with both host and guest signs is "unknown", not a guess (synthetic)', () => {
  const f = facts(['[    0.0] tdx: Guest detected', '[    1.0] virt/tdx: BIOS enabled: private KeyID range [32, 64)']);
  assert.equal(f.role, 'unknown');
});
