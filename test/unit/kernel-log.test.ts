import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  demoteLine, formatMessage, formatToRegexSource, journalLine, matchLine, parseKernelLog, parseKernelText, splitLines, stripLinePrefix, typedValue,
} from '../../backends/common/kernel-log';

test('printk formats round-trip through the parser', () => {
  const line = 'virt/tdx: ' + formatMessage('SEAMCALL (0x%016llx) failed: 0x%016llx', [0x22n, 0xc000050500000000n]);
  assert.equal(line, 'virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000');
  const e = matchLine(`[   10.798780] ${line}`);
  assert.ok(e && 'id' in e);
  assert.equal(e.id, 'seamcall-failed');
  assert.deepEqual(e.values, [0x22n, 0xc000050500000000n]);
  assert.equal(e.time, 10.79878);
});

test('dialects: prefixes, caller ids, doc colon, KB and KBs, no timestamp', () => {
  const { events } = parseKernelLog([
    '[    1.630945] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    '[    3.833617] tdx: BIOS enabled: private KeyID range [1, 64)',
    '[..] virt/tdx: BIOS enabled: private KeyID range: [16, 64)',
    '[    1.124609] virt/tdx: 1050644 KBs allocated for PAMT',
    'virt/tdx: module not loaded',
    '[    0.000000] [    T0] tdx: Guest detected',
  ]);
  assert.deepEqual(events.map((e) => [e.id, e.variant]), [
    ['keyid-range', 'code'], ['keyid-range', 'code'], ['keyid-range', 'doc'], ['pamt-allocated', 'KBs'],
    ['module-not-loaded', 'code'], ['guest-detected', 'code'],
  ]);
});

test('a cut line is reported as partial with every candidate, never resolved', () => {
  const { events, partial } = parseKernelLog(['[   10.774047] virt/tdx: initialization failed: T']);
  assert.deepEqual(events, []);
  assert.deepEqual(partial[0].candidates, ['reserved-areas-exhausted', 'tdmrs-exhausted']);
});

test('the 6.14 module line keeps the hex build date apart from decimal numbers', () => {
  const e = matchLine('virt/tdx: TDX module 2.0.08.00, build number 882, build date 0134fed5');
  assert.ok(e && 'id' in e);
  assert.deepEqual(e.values, [2n, 0n, 8n, 0n, 882n, 20250325n]);
});

test('a whole text and one whose last line has no newline: that line may be cut, so it is partial, never a fact', () => {
  const two = '[    1.000000] virt/tdx: module initialized\n[    2.000000] virt/tdx: 1050644 KB allocated for PAMT';
  const cut = parseKernelText(two);
  assert.equal(cut.lastLineCut, true);
  assert.deepEqual(cut.events.map((e) => [e.line, e.id]), [[0, 'init-done']]);
  assert.deepEqual(cut.partial, [{ candidates: ['pamt-allocated'], line: 1, text: 'virt/tdx: 1050644 KB allocated for PAMT' }]);
  const whole = parseKernelText(`${two}\n`);
  assert.deepEqual([whole.lastLineCut, whole.events.map((e) => e.id), whole.partial], [false, ['init-done', 'pamt-allocated'], []]);
  assert.deepEqual(parseKernelText(''), { events: [], partial: [], lastLineCut: false });
  // demoteLine: only the events of that line move, each as a partial naming its message.
  const parsed = parseKernelLog(two.split('\n'));
  demoteLine(parsed, 0);
  assert.deepEqual(parsed.events.map((e) => e.line), [1]);
  assert.deepEqual(parsed.partial, [{ candidates: ['init-done'], line: 0, text: 'virt/tdx: module initialized' }]);
});

test('splitLines: no line after the last newline, every line before it, empty ones too', () => {
  assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
  assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
  assert.deepEqual(splitLines('a\n\n'), ['a', '']);
  assert.deepEqual(splitLines('\n'), ['']);
  assert.deepEqual(splitLines(''), []);
});

test('prefixes: CRLF, two-digit syslog priorities, every dmesg -x facility, journal lines keep the text as dmesg does', () => {
  assert.deepEqual(stripLinePrefix('[    1.000000] virt/tdx: module initialized\r'), { text: 'virt/tdx: module initialized', time: 1, kernel: true });
  const e = matchLine('[    1.000000] virt/tdx: module initialized\r');
  assert.ok(e && 'id' in e && e.id === 'init-done' && e.text === 'virt/tdx: module initialized');
  // dmesg -r prints the record's facility and level as "<%d>" of facility * 8 + level: a
  // record user space wrote to /dev/kmsg has two digits (util-linux dmesg, print_record()).
  assert.deepEqual(stripLinePrefix('<14>[    5.000000] systemd[1]: Started foo.'), { text: 'systemd[1]: Started foo.', time: 5, kernel: true });
  // dmesg -x: the facility names of util-linux's facility_names[], each padded to six.
  for (const fac of ['kern', 'user', 'daemon', 'auth', 'authpriv', 'syslog', 'local0', 'local7']) {
    assert.deepEqual(stripLinePrefix(`${fac.padEnd(6)}:info  : [    5.000000] x`), { text: 'x', time: 5, kernel: true }, fac);
  }
  assert.deepEqual(stripLinePrefix('zfs: x'), { text: 'zfs: x', time: null, kernel: false });
  // A message with trailing blanks (pr_cont() leaves them) reads the same from dmesg and journalctl.
  const dmesg = stripLinePrefix('[    0.100000] smp: Bringing up secondary CPUs ...  ');
  assert.deepEqual(stripLinePrefix('[    0.100000] host1 kernel: smp: Bringing up secondary CPUs ...  '), dmesg);
  assert.equal(dmesg.text, 'smp: Bringing up secondary CPUs ...  ');
  // " kernel: " inside a line that is no journal line: not read as one, never a throw.
  assert.equal(journalLine('[    3.000000] audit: the kernel: said so'), null);
  assert.deepEqual(stripLinePrefix('[    3.000000] audit: the kernel: said so'), { text: 'audit: the kernel: said so', time: 3, kernel: true });
  assert.equal(matchLine('not a journal line, though the kernel: said so'), null);
});

test('lines that are no message: nothing left after the prefix, the prefix alone, words no message begins with', () => {
  assert.equal(matchLine('[    1.000000] '), null);
  assert.equal(matchLine('[    1.000000] virt/tdx: '), null, 'a prefix alone says nothing');
  assert.equal(matchLine('[    1.000000] virt/tdx: zzz not a message'), null);
  // A pattern reads what the format prints, no more blanks than it pads with.
  const re = (f: string) => new RegExp(`^${formatToRegexSource(f)}$`);
  assert.ok(re('range %d').test('range 5') && !re('range %d').test('range  5'));
  assert.equal(re('name %s|').exec('name  ab|')![1], ' ab', 'an unpadded %s keeps a blank it printed');
  assert.deepEqual(re('%5d|').exec('   42|')!.slice(1), ['42']);
  assert.deepEqual(re('100%% of %u').exec('100% of 3')!.slice(1), ['3']);
});

test('typedValue: hex with or without 0x in either case, decimal with a sign, strings and characters as text', () => {
  assert.equal(typedValue('ff', 'x'), 0xffn);
  assert.equal(typedValue('0xff', 'x'), 0xffn);
  assert.equal(typedValue('0XFF', 'X'), 0xffn);
  assert.equal(typedValue('FF', 'X'), 0xffn);
  assert.equal(typedValue('10', 'x'), 16n);
  assert.equal(typedValue('-12', 'd'), -12n);
  assert.equal(typedValue('12', 'u'), 12n);
  assert.equal(typedValue('12', 's'), '12');
  assert.equal(typedValue('7', 'c'), '7');
});

test('formatMessage: zero is unsigned, numbers and bigints alike, a negative long long in hex is its two\'s complement', () => {
  assert.equal(formatMessage('%d|%5d|%-3d|', [0, 0, 0]), '0|    0|0  |');
  assert.equal(formatMessage('%llx %llx', [-1, -1n]), 'ffffffffffffffff ffffffffffffffff');
  assert.equal(formatMessage('%d %u', [-7, 7n]), '-7 7');
});
