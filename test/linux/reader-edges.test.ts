/**
 * The readers at the edges of their inputs: boot lines of large machines and of captures that
 * start with something else, shell transcripts and system reports with stray blanks (pasted
 * output keeps them), and which sections make a system report. Lines are synthetic, in the
 * format of the source each test names, unless they quote test/fixtures/real (named).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeKernelLine, parseBootLines } from '../../backends/linux/parse/boot-lines';
import { parseSystemReport } from '../../backends/linux/parse/system-report';
import { parseTranscript, splitTranscript } from '../../backends/linux/parse/transcript';
import { PROJECT_ROOT } from '../../src/project-root';

const real = (f: string): string => readFileSync(join(PROJECT_ROOT, 'test/fixtures/real', f), 'utf8');

test('boot lines of the real captures: the release from "Linux version", the boot CPU from smpboot', () => {
  // h-intel-6.6.0-rc2: "Linux version 6.6.0-rc2 (root@localhost) (gcc (GCC) 11.3.1 ...".
  const intel = parseBootLines(real('host/h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg').split('\n'));
  assert.equal(intel.release, '6.6.0-rc2');
  assert.equal(intel.startsAtBoot, true);
  // h-spr-8480: "smpboot: CPU0: Intel(R) Xeon(R) Platinum 8480CTDX (family: 0x6, model: 0x8f, stepping: 0x8)".
  const spr = parseBootLines(real('host/h-spr-8480-module-1.5.698-ok-with-kvm-noise.dmesg').split('\n'));
  assert.deepEqual(spr.cpu, { modelName: 'Intel(R) Xeon(R) Platinum 8480CTDX', family: 6, model: 0x8f });
});

test('boot lines: NUMA nodes and proximity domains past 9, a capture that starts with the command that printed it', () => {
  // acpi_numa_memory_affinity_init(): "SRAT: Node %u PXM %u [mem %#010Lx-%#010Lx]%s%s" (drivers/acpi/numa/srat.c).
  const b = parseBootLines([
    '$ sudo dmesg',
    '[    0.000000] Linux version 6.8.0-1006-intel (buildd@lcy02-amd64-030) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0) #6-Ubuntu SMP',
    '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 ro',
    '[    0.010000] ACPI: SRAT: Node 10 PXM 12 [mem 0x2080000000-0x307fffffff]',
    '[    0.010000] ACPI: SRAT: Node 11 PXM 13 [mem 0x3080000000-0x407fffffff] hotplug',
  ]);
  assert.deepEqual(b.numa, [
    { node: 10, base: 0x2080000000n, end: 0x3080000000n, hotplug: false },
    { node: 11, base: 0x3080000000n, end: 0x4080000000n, hotplug: true },
  ]);
  assert.equal(b.startsAtBoot, true, 'the first timed line is at 0');
  assert.equal(b.kernelLines, 4);
  // An image name without a version leaves the release of "Linux version" alone.
  assert.equal(b.release, '6.8.0-1006-intel');
  assert.deepEqual(b.cmdline, ['BOOT_IMAGE=/boot/vmlinuz', 'root=/dev/sda1', 'ro']);
  // The kernel prints "Command line: %s" even when the command line is empty.
  assert.deepEqual(parseBootLines(['[    0.000000] Command line: ']).cmdline, []);
  // Two copies where the later one is shorter and agrees with the start of the earlier: cut.
  const shorter = parseBootLines(['Command line: a b c d e', 'Kernel command line: a b c']);
  assert.deepEqual([shorter.cmdline, shorter.cmdlineCut], [['a', 'b', 'c'], true]);
  const early = parseBootLines(['Command line: a b c d e f', 'Kernel command line: a b x d']);
  assert.deepEqual([early.cmdline, early.cmdlineCut], [['a', 'b', 'c', 'd', 'e', 'f'], false], 'they differ before the last token of the shorter: two different lines');
});

test('a line is the kernel\'s by its prefix, or by a documentation example\'s "[..]" at its start', () => {
  assert.equal(looksLikeKernelLine('[..] virt/tdx: module initialized'), true);
  assert.equal(looksLikeKernelLine('[    1.000000] virt/tdx: module initialized'), true);
  assert.equal(looksLikeKernelLine('virt/tdx: module initialized'), false);
  assert.equal(looksLikeKernelLine('see the lines marked [..] above'), false);
});

test('shell transcripts with stray blanks: trailing spaces after commands and outputs, blank-looking lines, prompts with a path or a space', () => {
  assert.deepEqual(splitTranscript('user@td:/tmp/work$ uname -r  \r\n6.8.0-1028-intel\r\nuser@td:~ $ lsmod\r\n'), [
    { command: 'uname -r', output: ['6.8.0-1028-intel'] }, { command: 'lsmod', output: [''] },
  ]);
  assert.equal(parseTranscript('$ uname -r\n   \n6.8.0-1028-intel \n')!.unameRelease, '6.8.0-1028-intel');
  assert.equal(parseTranscript('$ ls -l /dev/tdx_guest\ncrw------- 1 root root 10, 122 Jun  3 10:00 /dev/tdx_guest \n')!.devTdxGuest, true);
  const tsm = parseTranscript('$ cat /sys/kernel/config/tsm/report/r0/provider\ntdx_guest  \n$ cpuid -1 -l 0x21\n   0x00000021 0x00: eax=0x00000000 ebx=0x65746e49 ecx=0x20202020 edx=0x5844546c\n')!;
  assert.equal(tsm.tsmProvider, 'tdx_guest');
  assert.deepEqual(tsm.notes, ['shell transcript: configfs-tsm provider, cpuid']);
});

test('system reports: any one known section makes a report; blanks around values are not part of them', () => {
  const kernelOnly = parseSystemReport('### Kernel version\n   \n 6.8.0-101-generic #101-Ubuntu SMP PREEMPT_DYNAMIC x86_64 GNU/Linux\n');
  assert.deepEqual(kernelOnly, { formats: ['system-report'], notes: [], unameRelease: '6.8.0-101-generic' });
  const msrOnly = parseSystemReport('### Model specific registers (MSRs)\nNUM_TDX_PRIV_KEYS:  3f\nProduction platform:  Production (expected value: Production)\n')!;
  assert.deepEqual(msrOnly.reportedMsrs, { tmeEnabled: null, seamrrEnabled: null, tdxPrivateKeyIds: 0x3f, production: true });
  const logs = parseSystemReport('### TDX kernel logs\n[    1.0] virt/tdx: BIOS enabled: private KeyID range [64, 128)\n  ...  \n \n[    9.0] virt/tdx: module initialized\n')!;
  assert.deepEqual([logs.log!.lines.length, logs.log!.omittedBefore], [2, [1]]);
  assert.deepEqual(parseSystemReport('### CPU details\nIntel(R) Xeon(R) Platinum 8480+  \n### Kernel version\n6.8.0\n')!.cpu, { vendor: null, family: null, model: null, modelName: 'Intel(R) Xeon(R) Platinum 8480+' });
});
