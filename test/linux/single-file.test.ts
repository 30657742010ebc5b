/**
 * One pasted file (backends/linux/single-file.ts) and the kernel log's shapes (log-sources.ts).
 * What the kernel writes (Linux 6.16.1, kernel/printk/printk.c):
 *  - a /dev/kmsg record: info_print_ext_header() "%u,%llu,%llu,%c%s;" (facility<<3|level, sequence,
 *    microseconds, 'c' for a continuation else '-', ",caller=T<id>" or "C<id>" with CONFIG_PRINTK_CALLER);
 *    msg_add_ext_text() writes every byte below ' ', from 127 up, and '\' as "\x%02x"; dictionary
 *    entries follow as lines that start with a space (msg_add_dict_text());
 *  - the console and dmesg time: print_time() "[%5lu.%06lu]", seconds and microseconds.
 * journalctl -k short-monotonic lines are "[  seconds.micro] host kernel: text" (systemd's
 * output-mode short-monotonic); the other short formats carry no kernel time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalToLines, kmsgToLines } from '../../backends/linux/log-sources';
import { evidenceFromFile, evidenceFromText } from '../../backends/linux/single-file';
import { SnapshotError } from '../../backends/linux/snapshot';

test('kmsgToLines: the record\'s microseconds become the console\'s [%5lu.%06lu] stamp', () => {
  assert.deepEqual(kmsgToLines(['6,512,1289113,-;virt/tdx: module initialized']), ['[    1.289113] virt/tdx: module initialized']);
  assert.deepEqual(kmsgToLines(['6,1,5,-;a']), ['[    0.000005] a']);
  assert.deepEqual(kmsgToLines(['6,1,12345678901,-;a']), ['[12345.678901] a']);
  assert.deepEqual(kmsgToLines(['6,1,123456000000,-;a']), ['[123456.000000] a']);
  assert.deepEqual(kmsgToLines(['4,2,0,c;cont']), ['[    0.000000] cont']);
  // CONFIG_PRINTK_CALLER adds the caller before the ';'.
  assert.deepEqual(kmsgToLines(['6,77,9355890,-,caller=T1;virt/tdx: x']), ['[    9.355890] virt/tdx: x']);
});

test('kmsgToLines: dictionary lines and anything that is not a record are skipped; records may come in one string', () => {
  assert.deepEqual(kmsgToLines(['6,1,1000000,-;one\n SUBSYSTEM=cpu\n DEVICE=+cpu:0\n6,2,2000000,-;two\n', '6,3,3000000,-;three']),
    ['[    1.000000] one', '[    2.000000] two', '[    3.000000] three']);
  assert.deepEqual(kmsgToLines(['', 'not a record', '6,x,1,-;bad seq', '6,1,1,-no semicolon']), []);
  assert.deepEqual(kmsgToLines([]), []);
  // Anchored at the start: a record quoted inside another line is not one.
  assert.deepEqual(kmsgToLines(['junk 6,1,1,-;x']), []);
  // Facility and level together take two digits (kern.* is 0-7, user.* 8-15: (facility << 3) | level).
  assert.deepEqual(kmsgToLines(['14,1234,2000000,-;from user space']), ['[    2.000000] from user space']);
  // The text may hold ';' and ',' itself.
  assert.deepEqual(kmsgToLines(['6,1,1,-;a; b, c']), ['[    0.000001] a; b, c']);
});

test('kmsgToLines: "\\xNN" escapes are the bytes, read as UTF-8; an escaped newline starts a line with the same time', () => {
  assert.deepEqual(kmsgToLines(['6,1,2000000,-;first\\x0asecond']), ['[    2.000000] first', '[    2.000000] second']);
  assert.deepEqual(kmsgToLines(['6,1,0,-;back\\x5cslash']), ['[    0.000000] back\\slash']);
  assert.deepEqual(kmsgToLines(['6,1,0,-;caf\\xc3\\xa9!']), ['[    0.000000] café!']);
  assert.deepEqual(kmsgToLines(['6,1,0,-;tab\\x09x\\x7F']), ['[    0.000000] tab\tx\x7f']);
  assert.deepEqual(kmsgToLines(['6,1,0,-;\\x41\\x42C']), ['[    0.000000] ABC']);
  // Not an escape: kept as written.
  assert.deepEqual(kmsgToLines(['6,1,0,-;\\xZZ \\x4']), ['[    0.000000] \\xZZ \\x4']);
});

test('journalToLines: the kernel time where the format has it, and only kernel lines', () => {
  const text = [
    '-- Logs begin at Mon 2024-01-01 --',
    '[    9.355890] host1 kernel: virt/tdx: module initialized\r',
    'Jan 02 03:04:05 host1 kernel: virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    'Jan 02 03:04:05 host1 systemd[1]: Started',
    '2024-01-02T03:04:05+0000 host1 kernel: iso',
    '',
  ].join('\n');
  assert.deepEqual(journalToLines(text), [
    '[    9.355890] virt/tdx: module initialized',
    'virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    'iso',
  ]);
  assert.deepEqual(journalToLines(''), []);
});

const WHOLE = [
  '[    0.000000] Linux version 6.16.1 (builder@host) (gcc (GCC) 14.2.0) #1 SMP PREEMPT_DYNAMIC',
  '[    0.000000] Command line: ro kvm_intel.tdx=1',
  '[    1.289113] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
  '[    9.355890] virt/tdx: module initialized',
];

test('a kernel log from boot is whole; a log that starts later is an excerpt; a missing final newline may cut the last line', () => {
  const ev = evidenceFromText(WHOLE.join('\n') + '\n', 'dmesg.txt');
  assert.deepEqual(ev.formats, ['kernel-log']);
  assert.deepEqual(ev.log, { lines: WHOLE, source: 'dmesg.txt', excerpt: false, lastLineCut: false });
  const late = evidenceFromText(WHOLE.slice(2).join('\n') + '\n', 'grep.txt');
  assert.deepEqual(late.log, { lines: WHOLE.slice(2), source: 'grep.txt', excerpt: true, lastLineCut: false });
  const cut = evidenceFromText(WHOLE.join('\n'), 'paste');
  assert.equal(cut.log?.lastLineCut, true);
  assert.equal(cut.log?.excerpt, false);
  // Windows line ends are read as Unix ones.
  assert.deepEqual(evidenceFromText(WHOLE.join('\r\n') + '\r\n', 'win.txt').log?.lines, WHOLE);
});

test('a log pasted with every line indented (a mail, a markdown block) is read without that indentation, with a warning', () => {
  for (const indent of ['    ', '\t', '  \t']) {
    const ev = evidenceFromText(WHOLE.map((l) => indent + l).join('\n') + '\n\n', 'issue.md');
    assert.deepEqual(ev.formats, ['kernel-log']);
    assert.deepEqual(ev.log?.lines, [...WHOLE, '']);
    assert.equal(ev.log?.excerpt, false);
    assert.ok(ev.notes.includes(`warning: every line was indented by the same ${indent.length} character(s); that indentation is removed before reading`), ev.notes.join('; '));
  }
  // Only what all lines share is removed: a line indented deeper keeps the rest.
  const deeper = evidenceFromText(`  ${WHOLE[0]}\n    ${WHOLE[1]}\n`, 'x');
  assert.deepEqual(deeper.log?.lines, [WHOLE[0], `  ${WHOLE[1]}`]);
  // A log whose lines are not all indented is read as it is, without the warning.
  const some = evidenceFromText(`${WHOLE[0]}\n  ${WHOLE[1]}\n`, 'y');
  assert.deepEqual(some.log?.lines, [WHOLE[0], `  ${WHOLE[1]}`]);
  assert.ok(!some.notes.some((n) => n.includes('indented')));
});

test('a log without the Linux version line is an excerpt even from time zero', () => {
  const ev = evidenceFromText(WHOLE.slice(1).join('\n') + '\n', 'x');
  assert.equal(ev.log?.excerpt, true);
});

test('a dump of /dev/kmsg is read as its dmesg lines', () => {
  const kmsg = [
    '5,0,0,-;Linux version 6.16.1 (builder@host) (gcc (GCC) 14.2.0) #1 SMP PREEMPT_DYNAMIC',
    '6,1,1289113,-;virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    ' SUBSYSTEM=cpu',
    '6,2,9355890,-;virt/tdx: module initialized',
  ].join('\n') + '\n';
  const ev = evidenceFromText(kmsg, 'kmsg.txt');
  assert.deepEqual(ev.log?.lines, [
    '[    0.000000] Linux version 6.16.1 (builder@host) (gcc (GCC) 14.2.0) #1 SMP PREEMPT_DYNAMIC',
    '[    1.289113] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    '[    9.355890] virt/tdx: module initialized',
  ]);
  assert.equal(ev.log?.excerpt, false);
  // One stray line that is not a record: the text is not a kmsg dump, and is read as it is.
  const mixed = evidenceFromText(`${kmsg}[   10.000000] virt/tdx: module initialized\n`, 'm');
  assert.equal(mixed.log?.lines[0], '5,0,0,-;Linux version 6.16.1 (builder@host) (gcc (GCC) 14.2.0) #1 SMP PREEMPT_DYNAMIC');
});

test('a /dev/kmsg dump with user-space records, long sequence numbers and caller ids is still a dump', () => {
  const kmsg = [
    '5,0,0,-,caller=T0;Linux version 6.16.1 (builder@host) (gcc (GCC) 14.2.0) #1 SMP PREEMPT_DYNAMIC',
    '14,1234,1500000,-,caller=T1;systemd[1]: hello',
    '6,1235,9355890,-,caller=T77;virt/tdx: module initialized',
  ].join('\n') + '\n';
  assert.deepEqual(evidenceFromText(kmsg, 'k').log?.lines, [
    '[    0.000000] Linux version 6.16.1 (builder@host) (gcc (GCC) 14.2.0) #1 SMP PREEMPT_DYNAMIC',
    '[    1.500000] systemd[1]: hello',
    '[    9.355890] virt/tdx: module initialized',
  ]);
});

test('a hand-typed TDX line without a time is a log', () => {
  const typed = evidenceFromText('virt/tdx: BIOS enabled: private KeyID range [32, 64)\n', 't');
  assert.deepEqual(typed.formats, ['kernel-log']);
  assert.equal(typed.log?.excerpt, true);
});

test('the kernel\'s "cut here" line of a WARN is no separator of logs', () => {
  // lib/bug.c prints "------------[ cut here ]------------" before a warning.
  const withWarn = [...WHOLE.slice(0, 3), '[    5.000000] ------------[ cut here ]------------', WHOLE[3]];
  const ev = evidenceFromText(withWarn.join('\n') + '\n', 'warn');
  assert.deepEqual(ev.log?.lines, withWarn);
  assert.throws(() => evidenceFromText([...WHOLE, '------------[ cut here ]------------', '---', ...WHOLE].join('\n') + '\n', 'two'), /several logs/);
});

test('a /proc/cpuinfo, lscpu or bare flags file is read as CPU flags, not as a log', () => {
  const cpuinfo = 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu vme tme tdx_host_platform\nbugs\t\t: spectre_v1\n\n';
  const ev = evidenceFromText(cpuinfo, 'cpuinfo');
  assert.deepEqual(ev.formats, ['cpuinfo']);
  assert.equal(ev.log, null);
  assert.deepEqual(ev.cpuFlags?.flags, ['fpu', 'vme', 'tme', 'tdx_host_platform']);
  assert.equal(ev.cpu.family, 6);
  assert.equal(ev.cpu.model, 143);
  const lscpu = 'Architecture:            x86_64\nVendor ID:               GenuineIntel\nModel name:              Intel(R) Xeon(R) Platinum 8480+\nCPU family:              6\nModel:                   143\nFlags:                   fpu vme tme tdx_host_platform\n';
  const l = evidenceFromText(lscpu, 'lscpu');
  assert.deepEqual(l.formats, ['lscpu']);
  assert.ok(l.cpuFlags?.flags.includes('tdx_host_platform'));
  const bare = evidenceFromText('fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov tdx_host_platform tme\n', 'flags');
  assert.deepEqual(bare.formats, ['cpu-flags']);
  assert.equal(bare.cpuFlags?.complete, false);
  assert.equal(bare.notes.length, 1);
  assert.match(bare.notes[0], /^warning: the flags list stands alone, so it may be cut: its last word "tme" is set aside and a missing flag is not taken as absent$/);
});

test('a sysfs dump of the Intel kernels\' module information (the line canonical\'s check tool prints)', () => {
  const dump = '    Your TDX Module info. attributes: 0x00000000 build_date: 20220420 build_num: 0x00000156 major_version: 0x00000001 minor_version: 0x00000000 status: initialized vendor_id: 0x00008086\n';
  const ev = evidenceFromText(dump, 'sysfs.txt');
  assert.deepEqual(ev.formats, ['sysfs-dump']);
  assert.equal(ev.log, null);
  assert.deepEqual(ev.sysfsModule, { attributes: 0, vendorId: 0x8086, major: 1, minor: 0, buildNum: 0x156, buildDate: 20220420, status: 'initialized' });
});

test('what is not a capture is an error, with the reason', () => {
  const err = (text: string, label: string, re: RegExp) => assert.throws(() => evidenceFromText(text, label), (e: unknown) => e instanceof SnapshotError && re.test(e.message));
  err('', 'a', /empty file: nothing to read/);
  err(' \n\t\n', 'b', /empty file: nothing to read/);
  err('hello world\nnothing here\n', 'c', /not a kernel log: no kernel log line, TDX message or other capture this tool reads/);
  err(`${WHOLE.join('\n')}\n---\n${WHOLE.join('\n')}\n`, 'd', /holds several logs separated by '---' lines; inspect one log at a time/);
  err(`${WHOLE.join('\n')}\n---  \n${WHOLE.join('\n')}\n`, 'd2', /several logs/);
  // A '---' line in something that is not a kernel log is no separator of logs.
  assert.throws(() => evidenceFromText('---\nhello\n', 'e'), (e: unknown) => e instanceof SnapshotError && /not a kernel log/.test(e.message));
  assert.throws(() => evidenceFromText('', 'label.txt'), (e: unknown) => e instanceof SnapshotError && e.message.includes('label.txt'));
});

test('evidenceFromFile: a file read and decoded; problems as SnapshotError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'single-file-'));
  const good = join(dir, 'dmesg.txt');
  writeFileSync(good, WHOLE.join('\n') + '\n');
  const ev = evidenceFromFile(good);
  assert.deepEqual(ev.log?.lines, WHOLE);
  assert.equal(ev.log?.source, good);
  assert.deepEqual(ev.notes, []);
  const nul = join(dir, 'nul.txt');
  writeFileSync(nul, Buffer.concat([Buffer.from(WHOLE.join('\n') + '\n'), Buffer.from([0, 0x41, 0x0a])]));
  const n = evidenceFromFile(nul);
  assert.ok(n.notes.length > 0 && n.notes.every((x) => x.startsWith('warning: ')), n.notes.join('|'));
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '');
  assert.throws(() => evidenceFromFile(empty), (e: unknown) => e instanceof SnapshotError && /empty file: nothing to read/.test(e.message) && e.message.includes(empty));
  assert.throws(() => evidenceFromFile(join(dir, 'missing')), (e: unknown) => e instanceof SnapshotError && e.message.includes('missing'));
  assert.throws(() => evidenceFromFile(dir), (e: unknown) => e instanceof SnapshotError);
});
