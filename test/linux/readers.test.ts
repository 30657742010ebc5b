/**
 * The readers of everything that is not the kernel log, field by field: sysfs values as the
 * kernels print them, canonical's system report, shell transcripts, lscpu and bare flag lists,
 * and the boot lines read beside the TDX messages. Real captures are quoted from
 * test/fixtures/real (named); every other input is synthetic, in the format the named source
 * prints, and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { moduleInfoFromNodes, parseModuleInfoDump, parseTdxHostVersion, sysfsNumber, TDX_MODULE_SYSFS_NODES } from '../../backends/linux/parse/sysfs';
import { parseSystemReport, splitSections } from '../../backends/linux/parse/system-report';
import { parseCpuidDump, parseTranscript, releaseFromUnameA, splitTranscript } from '../../backends/linux/parse/transcript';
import { parseBareFlags, parseLscpu } from '../../backends/linux/parse/cpuinfo';
import { parseBootLines, releaseFromCmdline } from '../../backends/linux/parse/boot-lines';
import { baseProbes } from '../../backends/linux/probes';
import { cpuidKey, emptyEvidence, mergeEvidence, type Evidence } from '../../backends/linux/evidence';
import { readEvidence } from '../../backends/linux/facts';
import { arrangeOnReading } from '../../backends/linux/arrange';
import { PROJECT_ROOT } from '../../src/project-root';
import { numRuns } from '../support/runs';

const REAL = join(PROJECT_ROOT, 'test/fixtures/real');
const real = (f: string): string => readFileSync(join(REAL, f), 'utf8');

test('sysfs numbers as the Intel kernels print them: "0x%08x" is hex, "%u" decimal, anything else nothing', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
    assert.equal(sysfsNumber(`0x${n.toString(16).padStart(8, '0')}\n`), n);
    assert.equal(sysfsNumber(`0x${n.toString(16).toUpperCase()}`), n);
    assert.equal(sysfsNumber(`${n}\n`), n);
    assert.equal(sysfsNumber(`  ${n}  `), n);
  }), { numRuns: numRuns(200) });
  for (const bad of ['', '\n', '0x', 'x10', '0x1g', '12a', 'a12', '1 2', '-1', '0x10 junk', 'junk 0x10', '1.5', 'initialized']) {
    assert.equal(sysfsNumber(bad), null, JSON.stringify(bad));
  }
});

test('the sysfs nodes land in their own fields; a missing node is null, none at all is nothing', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 6, maxLength: 6 }), fc.constantFrom('initialized', 'uninitialized', 'error'), (v, status) => {
    const values = { attributes: `0x${v[0].toString(16)}`, vendor_id: `0x${v[1].toString(16)}`, major_version: `${v[2]}`, minor_version: `${v[3]}`, build_num: `0x${v[4].toString(16)}`, build_date: `${v[5]}\n`, status: ` ${status}\n` };
    assert.deepEqual(moduleInfoFromNodes(values), { attributes: v[0], vendorId: v[1], major: v[2], minor: v[3], buildNum: v[4], buildDate: v[5], status });
  }), { numRuns: numRuns(100) });
  assert.equal(moduleInfoFromNodes({}), null);
  assert.deepEqual(moduleInfoFromNodes({ major_version: '0x00000001' }), { attributes: null, vendorId: null, major: 1, minor: null, buildNum: null, buildDate: null, status: null });
  assert.deepEqual(TDX_MODULE_SYSFS_NODES, ['attributes', 'vendor_id', 'major_version', 'minor_version', 'build_num', 'build_date', 'status']);
});

test('intel/tdx-tools\' one-line dump of the module nodes (real: check-tdx-host-sysfs-module-1.0.txt)', () => {
  assert.deepEqual(parseModuleInfoDump(real('host/check-tdx-host-sysfs-module-1.0.txt')), {
    attributes: 0, vendorId: 0x8086, major: 1, minor: 0, buildNum: 0x156, buildDate: 20220420, status: 'initialized',
  });
  // Synthetic variations: a line needs both version nodes; a node it lacks is null.
  assert.equal(parseModuleInfoDump('Your TDX Module info. major_version: 0x00000001 status: initialized'), null);
  assert.equal(parseModuleInfoDump('Your TDX Module info. minor_version: 0x00000005'), null);
  assert.deepEqual(parseModuleInfoDump('first line\ninfo: major_version: 0x00000001 minor_version: 0x00000005\n'), {
    attributes: null, vendorId: null, major: 1, minor: 5, buildNum: null, buildDate: null, status: null,
  });
});

test('the tdx_host version node, "%u.%u.%02u" (synthetic values)', () => {
  assert.deepEqual(parseTdxHostVersion('1.5.24\n'), { major: 1, minor: 5, update: 24 });
  assert.deepEqual(parseTdxHostVersion('1.5.24'), { major: 1, minor: 5, update: 24 });
  assert.deepEqual(parseTdxHostVersion(' 10.15.240 \n'), { major: 10, minor: 15, update: 240 });
  for (const bad of ['', '1.5', '1.5.24.1', 'x1.5.24', '1.5.24x', 'v1.5.24', '1.5.24 (build 698)']) assert.equal(parseTdxHostVersion(bad), null, bad);
});

test('the probes read the module sysfs nodes and the tdx_host version where the kernels put them', () => {
  const paths = baseProbes().map((p) => ('path' in p ? p.path : '')).filter(Boolean);
  for (const n of TDX_MODULE_SYSFS_NODES) assert.ok(paths.includes(`/sys/firmware/tdx/tdx_module/${n}`), n);
  assert.ok(paths.includes('/sys/devices/faux/tdx_host/version'));
});

test('canonical\'s system report (real: system-report-generic-6.8.0-101-no-tdx.txt)', () => {
  assert.deepEqual(parseSystemReport(real('host/system-report-generic-6.8.0-101-no-tdx.txt')), {
    formats: ['system-report'], notes: [], unameRelease: '6.8.0-101-generic',
    log: { lines: [], source: 'system-report: dmesg | grep -i tdx', excerpt: true, omittedBefore: [0] },
    cpuinfoMentionsTdx: false,
    // rdmsr prints hexadecimal: "20" is 32 KeyIDs.
    reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 32, production: true },
  });
});

test('system report variations: fences, CRLF, other answers, missing fields, a CPU section (synthetic, in system-report.sh\'s layout)', () => {
  const report = [
    '### Kernel version', '', '```', '6.8.0-1028-intel #28-Ubuntu SMP x86_64', '```', '',
    '### CPU details', 'Intel(R) Xeon(R) Platinum 8480+', '',
    '### TDX kernel logs', '```', '[    1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)', '...', '', '[    9.0] virt/tdx: module initialized', '```', '',
    '### TDX CPU instruction support', 'CPU supports TDX according to /proc/cpuinfo', '',
    '### Model specific registers (MSRs)', 'MK_TME_ENABLED bit: 0 (expected value: 1)', 'NUM_TDX_PRIV_KEYS: 3f', 'Production platform: Pre-production (expected value: Production)',
  ].join('\r\n');
  const r = parseSystemReport(report)!;
  assert.equal(r.unameRelease, '6.8.0-1028-intel');
  assert.deepEqual(r.log!.lines, ['[    1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)', '[    9.0] virt/tdx: module initialized']);
  assert.equal(r.cpuinfoMentionsTdx, true);
  // A pre-production platform: the line still ends with "(expected value: Production)".
  assert.deepEqual(r.reportedMsrs, { tmeEnabled: false, seamrrEnabled: null, tdxPrivateKeyIds: 63, production: false });
  assert.deepEqual(r.cpu, { vendor: null, family: null, model: null, modelName: 'Intel(R) Xeon(R) Platinum 8480+' });
  // A CPU section that answers neither way says nothing; sections this reader does not know are no report.
  assert.equal(parseSystemReport('### TDX CPU instruction support\nsomething else\n')!.cpuinfoMentionsTdx, undefined);
  assert.equal(parseSystemReport('### Something\ntext\n'), null);
  assert.equal(parseSystemReport('no headings at all\n'), null);
  assert.deepEqual([...splitSections('intro\n###   Title with spaces   \n\n\nbody\n\n')!.entries()], [['Title with spaces', ['body']]]);
});

test('shell transcripts: prompts, commands and outputs (real: the three guest transcripts)', () => {
  const lsmod = parseTranscript(real('guest/g-ubuntu-6.5-intel-opt-dev-tdx-guest.txt'))!;
  assert.deepEqual([lsmod.tdxGuestModule, lsmod.devTdxGuest, lsmod.unameRelease], [true, true, '6.5.0-1003-intel-opt']);
  assert.deepEqual(lsmod.formats, ['transcript']);
  assert.deepEqual(lsmod.notes, ['shell transcript: lsmod, ls /dev/tdx_guest, uname']);
  const tsm = parseTranscript(real('guest/g-configfs-tsm-provider.txt'))!;
  assert.deepEqual([tsm.tsmProvider, tsm.tsmReportDir], ['tdx_guest', true]);
  const cpuid = parseTranscript(real('guest/g-cpuid-0x21-in-td.txt'))!;
  assert.deepEqual(cpuid.cpuid, { [cpuidKey(0, 0x21, 0)]: { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c } });
});

test('shell transcript variations (synthetic, in the shape of the real ones)', () => {
  assert.deepEqual(splitTranscript('noise\nuser@td:~$ uname -r\n6.8.0-1028-intel\r\n# lsmod\nModule Size Used\n$ ls /dev/tdx_guest'), [
    { command: 'uname -r', output: ['6.8.0-1028-intel'] }, { command: 'lsmod', output: ['Module Size Used'] }, { command: 'ls /dev/tdx_guest', output: [] },
  ]);
  const t = (s: string) => parseTranscript(s);
  assert.equal(t('$ uname -r\n\n6.8.0-1028-intel\n')!.unameRelease, '6.8.0-1028-intel');
  assert.equal(t('$ uname -a\nLinux td 6.16.1 #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n')!.unameRelease, '6.16.1');
  assert.equal(t('$ uname -a\nnot a uname line\n'), null);
  assert.equal(t("$ ls /dev/tdx_guest\nls: cannot access '/dev/tdx_guest': No such file or directory\n")!.devTdxGuest, false);
  assert.equal(t('$ ls -l /dev/tdx_guest\ncrw------- 1 root root 10, 122 Jun  3 10:00 /dev/tdx_guest\n')!.devTdxGuest, true);
  assert.equal(t('$ ls -l /dev/ | grep tdx\ncrw------- 1 root root 10, 122 Jun  3 10:00 tdx_guest\n'), null, 'not a listing of /dev/tdx_guest itself');
  assert.equal(t('$ lsmod\nModule                  Size  Used by\nkvm_intel             458752  0\n$ exit\n')!.tdxGuestModule, false);
  assert.equal(t('$ lsmod\ntdx_guest_x 1 0\n$ \n')!.tdxGuestModule, false);
  assert.equal(t('$ lsmod | grep tdx\n$ uname -r\n6.8.0\n')!.tdxGuestModule, false, 'grep found nothing, and the next prompt shows the output ended');
  // The paste ends in the last command's output: what is missing there may have been cut.
  assert.equal(t('$ lsmod\nModule                  Size  Used by\nkvm_intel             458752  0\n'), null);
  assert.equal(t('$ lsmod\nModule                  Size  Used by\ntdx_guest              12288  0\n')!.tdxGuestModule, true);
  assert.equal(t('$ ls /dev/tdx_guest\n'), null, 'no output: nothing known');
  assert.equal(t('$ cat /sys/kernel/config/tsm/report/r0/provider\n\n'), null, 'no provider printed');
  assert.equal(t('$ cpuid -1 -l 0x21\nCPU:\n'), null, 'no leaf printed');
  assert.equal(t('$ echo hello\nhello\n'), null);
  assert.deepEqual(parseCpuidDump(['   0x00000007 0x01: eax=0x00000001 ebx=0x00000002 ecx=0x00000003 edx=0x00000004', 'junk', '0x00000007 0x02: eax=0x1']), {
    [cpuidKey(0, 7, 1)]: { eax: 1, ebx: 2, ecx: 3, edx: 4 },
  });
  assert.equal(releaseFromUnameA('  Linux host 6.8.0-1006-intel #6-Ubuntu SMP'), '6.8.0-1006-intel');
  assert.equal(releaseFromUnameA('Linux host 6.8.0'), null);
});

test('lscpu fields and the bare flags list (synthetic, in lscpu\'s layout)', () => {
  const l = parseLscpu(['Architecture:             x86_64', 'Vendor ID:                GenuineIntel', '  Model name:             Intel(R) Xeon(R) Gold 6438Y+',
    '    CPU family:           6', '    Model:                143', '    Stepping:             8', '    Flags:                fpu vme tdx_host_platform', 'Caches (sum of all):', ''].join('\n'))!;
  assert.deepEqual(l.cpu, { vendor: 'GenuineIntel', family: 6, model: 143, modelName: 'Intel(R) Xeon(R) Gold 6438Y+' });
  assert.deepEqual([l.flags!.flags, l.flags!.complete, l.flags!.bugs, l.flags!.source], [['fpu', 'vme', 'tdx_host_platform'], true, null, 'lscpu']);
  assert.deepEqual(parseLscpu('    Flags:                fpu vme\n')!.flags!.complete, false, 'nothing after the flags');
  assert.deepEqual(parseLscpu('CPU family: six\nModel:\nFlags: fpu\nNUMA:\n')!.cpu, { vendor: null, family: null, model: null, modelName: null });
  assert.equal(parseLscpu('no flags here\n'), null);
  const eight = 'fpu vme de pse tsc msr pae mce';
  assert.deepEqual(parseBareFlags(`${eight} cx8\n`), { flags: { flags: eight.split(' '), bugs: null, complete: false, bugsComplete: false, source: 'flags list' }, cutToken: 'cx8' });
  assert.equal(parseBareFlags('fpu vme de pse tsc msr pae'), null, 'too short to be a flags list');
  assert.equal(parseBareFlags(`vme fpu de pse tsc msr pae mce cx8`), null, 'the list starts with fpu');
  assert.equal(parseBareFlags(`${eight} CX8`), null, 'flag names are lower case');
  assert.equal(parseBareFlags(`${eight}\n${eight}`), null, 'one line only');
  assert.equal(parseBareFlags(`\n  ${eight} cx8  \n\n`)!.cutToken, 'cx8');
});

test('boot lines: release, command line copies, firmware, CPU, e820, end of boot (synthetic lines in the kernel\'s formats)', () => {
  const b = parseBootLines([
    '[    0.000000] Linux version 6.16.1-tdx (builder@host) (gcc (GCC) 14.2.1, GNU ld 2.43) #1 SMP PREEMPT_DYNAMIC',
    '[    0.000000] Command line: BOOT_IMAGE=/vmlinuz-6.16.1-tdx ro  nohibernate',
    '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable',
    '[    0.000000] BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved',
    '[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007fffffff] usable',
    '[    0.000000] DMI: Intel Corporation D50DNP/D50DNP, BIOS SE5C7411.86B 01/01/2024 ',
    '[    0.100000] smpboot: CPU0: Intel(R) Xeon(R) Platinum 8480+ (family: 0x6, model: 0x8f, stepping: 0x8)',
    '[    0.200000] Kernel command line: BOOT_IMAGE=/vmlinuz-6.16.1-tdx ro nohibernate',
    '[    4.000000] Freeing unused kernel image (initmem) memory: 4000K',
    '[    4.100000] Freeing unused kernel memory: 2000K',
  ]);
  assert.equal(b.release, '6.16.1-tdx');
  assert.deepEqual([b.cmdline, b.cmdlineCut], [['BOOT_IMAGE=/vmlinuz-6.16.1-tdx', 'ro', 'nohibernate'], false]);
  assert.deepEqual(b.e820Usable, [{ base: 0n, end: 0xa0000n }, { base: 0x100000n, end: 0x80000000n }]);
  assert.equal(b.dmi, 'Intel Corporation D50DNP/D50DNP, BIOS SE5C7411.86B 01/01/2024');
  assert.deepEqual(b.cpu, { modelName: 'Intel(R) Xeon(R) Platinum 8480+', family: 6, model: 0x8f });
  assert.equal(b.bootEndLine, 9, 'without "Run ... as init process", the last "Freeing unused kernel" line ends the boot');
  assert.equal(b.kernelLines, 10);
  assert.equal(b.startsAtBoot, true);
  assert.equal(parseBootLines(['[    0.000000] Linux version 6.8.0-1006-intel']).release, '6.8.0-1006-intel');
  assert.equal(parseBootLines(['[    3.100000] Linux version 6.8.0 (x)']).startsAtBoot, false, 'a log that starts later');
  assert.equal(parseBootLines(['Run /init as init process', '[    5.0] Run /sbin/init as init process']).bootEndLine, 0, 'the first one');
  assert.equal(parseBootLines(['[    1.0] nothing']).bootEndLine, null);
  // The release in the image name: BOOT_IMAGE anywhere on the line, the first path component not.
  assert.equal(releaseFromCmdline('ro BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.8.0-1028-intel root=/dev/sda'), '6.8.0-1028-intel');
  assert.equal(releaseFromCmdline('BOOT_IMAGE=/boot/vmlinuz root=/dev/sda'), null);
  assert.equal(releaseFromCmdline('XBOOT_IMAGE=/boot/vmlinuz-6.8.0'), null);
  // The two command line copies: a third that disagrees early is not a cut copy.
  const three = parseBootLines(['Command line: a b c d', 'Kernel command line: a b c d', 'Kernel command line: x b c d']);
  assert.deepEqual([three.cmdline, three.cmdlineCut], [['a', 'b', 'c', 'd'], false]);
  const cut = parseBootLines(['Command line: a b c dd', 'Kernel command line: a b c d']);
  assert.deepEqual([cut.cmdline, cut.cmdlineCut], [['a', 'b', 'c'], true]);
});

test('a CMR list the capture may have cut is not taken as the machine\'s (real CMR lines of h-emr, cut or excerpted)', () => {
  const lines = real('host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg').split('\n').filter(Boolean);
  const cmrAt = lines.map((l, i) => [l, i] as const).filter(([l]) => /CMR:/.test(l)).map(([, i]) => i);
  const read = (ls: string[], extra: Partial<Evidence['log'] & object> = {}) =>
    readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: ls, source: 'test', excerpt: true, ...extra } }));
  const whole = read(lines);
  assert.equal(whole.facts.host!.cmrsComplete, true);
  assert.equal(whole.facts.host!.cmrs.length, 5);
  // The capture starts inside the list, ends inside it, or a report's "..." sits next to it.
  const cuts: [string, ReturnType<typeof read>][] = [
    ['starts with a CMR line', read(lines.slice(cmrAt[2]))],
    ['ends with a CMR line', read(lines.slice(0, cmrAt[2] + 1))],
    ['left out next to or among the CMR lines', read([...lines.slice(0, cmrAt[2] + 1), ...lines.slice(cmrAt[4] + 1)], { omittedBefore: [cmrAt[2] + 1] })],
    ['ends in what may be another CMR line', read([...lines.slice(0, cmrAt[2] + 1), '[   10.444063] virt/tdx: CMR: [0x30'], { lastLineCut: true })],
  ];
  for (const [why, r] of cuts) {
    assert.equal(r.facts.host!.cmrsComplete, false, why);
    assert.ok(r.facts.warnings.some((w) => w.includes(why) && /may have more CMRs/.test(w)), `${why}: ${r.facts.warnings.join('; ')}`);
    assert.ok(!arrangeOnReading(r, { kind: 'cmrs', regions: [] }).met);
  }
  // A cut last line that is recognisably another message ends the list.
  assert.equal(read([...lines.slice(0, cmrAt[4] + 1), '[    9.355881] virt/tdx: 1050644 KB allocated for PA'], { lastLineCut: true }).facts.host!.cmrsComplete, true);
  // Lines left out elsewhere do not touch the list.
  assert.equal(read([...lines.slice(0, 2), ...lines.slice(3)], { omittedBefore: [2] }).facts.host!.cmrsComplete, true);
  // A system report whose "..." falls inside the CMR lines (synthetic report around the real lines).
  const report = `### TDX kernel logs\n${lines.slice(0, cmrAt[1] + 1).join('\n')}\n...\n${lines.slice(cmrAt[3]).join('\n')}\n`;
  const sr = parseSystemReport(report)!;
  assert.deepEqual(sr.log!.omittedBefore, [cmrAt[1] + 1]);
  assert.equal(readEvidence(mergeEvidence(emptyEvidence(), sr)).facts.host!.cmrsComplete, false);
});
