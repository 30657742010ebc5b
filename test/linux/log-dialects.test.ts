/**
 * Every shape a kernel log line reaches a capture in reads as the same message: the kernel's own
 * prefixes (syslog level, time, printk caller id of a task or a CPU, each on or off), /dev/kmsg
 * records, util-linux dmesg's decorations and time formats, journalctl -k's short formats. The
 * shapes are rendered by test/support/log-dialects.ts from the formats in the kernel's and the
 * tools' source; the messages are any of the catalogue with any arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { formatMessage, matchLine, stripLinePrefix, type LogEvent } from '../../backends/common/kernel-log';
import { journalToLines, kmsgToLines } from '../../backends/linux/log-sources';
import { parseBootLines, looksLikeKernelLine } from '../../backends/linux/parse/boot-lines';
import { evidenceFromText } from '../../backends/linux/single-file';
import { readEvidence } from '../../backends/linux/facts';
import { MESSAGES, SUBSYSTEM_PREFIXES, type MessageId } from '../../spec/kernel/printk';
import { PROJECT_ROOT } from '../../src/project-root';
import { numRuns } from '../support/runs';
import {
  DIALECT_FIXTURES, DIALECT_SOURCE, dmesgLine, dmesgRawLine, journalLine, kernelLine, kmsgRecord, renderFixture,
  type DmesgTime, type JournalFormat, type LogRecord,
} from '../support/log-dialects';

const REAL = join(PROJECT_ROOT, 'test/fixtures/real');

// --- generators -------------------------------------------------------------------------------

const CONV = /%(?:%|[-#0 +]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|t|j)?[diuxXsc])/g;
const WORD = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/);

/** Arguments for a printk format: each conversion gets a value of its type. */
function argsFor(format: string): fc.Arbitrary<(bigint | string)[]> {
  const convs = [...format.matchAll(CONV)].map((m) => m[0]).filter((c) => c !== '%%');
  return fc.tuple(...convs.map((c): fc.Arbitrary<bigint | string> => {
    const t = c[c.length - 1];
    if (t === 's') return fc.array(WORD, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
    if (t === 'c') return fc.constantFrom('A', 'z', '0');
    if (t === 'd' || t === 'i') return fc.bigInt(-(1n << 31n), (1n << 31n) - 1n);
    if (t === 'x' || t === 'X') return c.includes('ll') ? fc.bigInt(0n, (1n << 64n) - 1n) : fc.bigInt(0n, (1n << 32n) - 1n);
    return fc.bigInt(0n, (1n << 32n) - 1n);
  }) as unknown as [fc.Arbitrary<bigint | string>]) as unknown as fc.Arbitrary<(bigint | string)[]>;
}

/** A catalogue message as some kernel prints it: id, variant, the subsystem prefix, arguments. */
const catalogueLine: fc.Arbitrary<string> = fc
  .constantFrom(...(Object.keys(MESSAGES) as MessageId[]))
  .chain((id) => fc.constantFrom(...Object.values(MESSAGES[id].variants)).chain((format) =>
    fc.tuple(fc.constantFrom(...SUBSYSTEM_PREFIXES[MESSAGES[id].subsystem]), argsFor(format)).map(([prefix, args]) => prefix + formatMessage(format, args)),
  ));

/** printk_caller_id(): a task's pid (up to PID_MAX_LIMIT), or 0x80000000 + the CPU (up to NR_CPUS). */
const caller = fc.oneof(
  fc.record({ kind: fc.constant('T' as const), id: fc.integer({ min: 0, max: 4_194_304 }) }),
  fc.record({ kind: fc.constant('C' as const), id: fc.integer({ min: 0, max: 8191 }) }),
);

const record = (text: fc.Arbitrary<string>): fc.Arbitrary<LogRecord> => fc.record({
  text,
  usec: fc.bigInt(0n, 99_999_999_999_999n),
  level: fc.integer({ min: 0, max: 7 }),
  caller,
});

type Dialect = { name: string; render: (r: LogRecord) => string; time: boolean };

const DMESG_TIMES: DmesgTime[] = ['time', 'notime', 'delta-time', 'delta', 'ctime', 'ctime-delta', 'reltime', 'reltime-delta', 'iso'];
const JOURNAL_FORMATS: JournalFormat[] = ['short', 'short-precise', 'short-iso', 'short-iso-precise', 'short-full', 'short-monotonic', 'short-delta', 'short-unix'];

/** Every dialect, and whether the kernel's time survives in it. */
const DIALECTS: Dialect[] = [
  ...[false, true].flatMap((syslog) => [false, true].flatMap((time) => [false, true].map((c) => ({
    name: `kernel${syslog ? ' syslog' : ''}${time ? ' time' : ''}${c ? ' caller' : ''}`,
    render: (r: LogRecord) => kernelLine(r, { syslog, time, caller: c }), time,
  })))),
  ...DMESG_TIMES.flatMap((t) => [undefined, 6, 8].flatMap((w) => [false, true].map((decode) => ({
    name: `dmesg ${t}${decode ? ' -x' : ''}${w ? ` caller[${w}]` : ''}`,
    render: (r: LogRecord) => dmesgLine(r, { time: t, decode, callerWidth: w }, r.usec > 1000n ? r.usec - 1000n : null),
    time: t === 'time' || t === 'delta-time',
  })))),
  ...[undefined, 6].map((w) => ({ name: `dmesg -r${w ? ' caller' : ''}`, render: (r: LogRecord) => dmesgRawLine(r, w), time: true })),
  ...JOURNAL_FORMATS.map((f) => ({ name: `journalctl -o ${f}`, render: (r: LogRecord) => journalLine(r, f), time: f === 'short-monotonic' || f === 'short-delta' })),
];

const seconds = (usec: bigint): number => Number(`${usec / 1_000_000n}.${String(usec % 1_000_000n).padStart(6, '0')}`);
const strip = (e: LogEvent | null): unknown => e && { id: e.id, variant: e.variant, values: e.values, prefix: e.prefix, text: e.text };
const asEvent = (r: ReturnType<typeof matchLine>): LogEvent | null => (r && 'id' in r ? r : null);

// --- properties -------------------------------------------------------------------------------

test('any catalogue message reads the same in every dialect, with the kernel time where the dialect keeps it', () => {
  for (const d of DIALECTS) {
    fc.assert(fc.property(record(catalogueLine), (r) => {
      const bare = asEvent(matchLine(r.text));
      assert.ok(bare, `the bare line reads as a message: ${r.text}`);
      const line = d.render(r);
      const got = asEvent(matchLine(line));
      assert.deepEqual(strip(got), strip(bare), `${d.name}: ${line}`);
      assert.equal(got!.time, d.time ? seconds(r.usec) : null, `${d.name}: time of ${line}`);
      assert.equal(stripLinePrefix(line).kernel, line !== r.text, `${d.name}: a prefix marks a kernel line: ${line}`);
    }), { numRuns: numRuns(40) });
  }
});

test('printk caller ids of tasks and CPUs, at every width, with and without the time (kernel and dmesg formats)', () => {
  const text = 'virt/tdx: 1050644 KB allocated for PAMT';
  const lines = [
    '[    9.355881][    T1] ' + text, // console: no space between time and caller
    '[    9.355881][  C127] ' + text,
    '[    9.355881][C8191] ' + text.replace('virt/tdx: ', 'virt/tdx: '), // wider than %6s
    '[    9.355881][T4194304] ' + text,
    '<6>[    9.355881][   C0] ' + text, // syslog(2)
    '[     T1] ' + text, // printk.time=0
    '[    C12] ' + text,
    '[    9.355881] [      T1] ' + text, // util-linux dmesg, caller width from pid_max
    '[    9.355881] [     C3] ' + text,
    '<6>[    9.355881] [    T1] ' + text, // dmesg -r
    'kern  :info  : [    9.355881] [   C31] ' + text, // dmesg -x
  ];
  for (const l of lines) {
    const e = asEvent(matchLine(l));
    assert.ok(e, l);
    assert.deepEqual([e.id, e.values], ['pamt-allocated', [1050644n]], l);
    assert.equal(e.time, l.includes('9.355881') ? 9.355881 : null, l);
  }
  // An id that is not a caller id stays part of the text, and the line is no message.
  assert.equal(matchLine('[    9.355881][    X1] ' + text), null);
  assert.equal(matchLine('[    9.355881][    T] ' + text), null);
});

test('boot lines read the same in every dialect: release, command line, DMI, CPU, SRAT spans, e820, end of boot', () => {
  const bootText = fc.record({
    release: fc.stringMatching(/^[5-7]\.[0-9]{1,2}\.[0-9]{1,3}-[a-z0-9]{1,8}$/),
    cmd: fc.array(fc.stringMatching(/^[a-z_.]{1,10}(=[a-z0-9,]{1,6})?$/), { minLength: 1, maxLength: 6 }),
    node: fc.integer({ min: 0, max: 7 }),
    base: fc.bigInt(0n, (1n << 40n) - 1n),
    size: fc.bigInt(1n, 1n << 36n),
    hotplug: fc.boolean(),
  });
  for (const d of DIALECTS) {
    fc.assert(fc.property(bootText, fc.bigInt(0n, 10n ** 12n), ({ release, cmd, node, base, size, hotplug }, usec) => {
      const texts = [
        `Linux version ${release} (builder@host) (gcc 13.2.0) #1 SMP PREEMPT_DYNAMIC`,
        `Command line: BOOT_IMAGE=/boot/vmlinuz-${release} ${cmd.join(' ')}`,
        'DMI: Intel Corporation D50DNP/D50DNP, BIOS SE5C7411.86B 01/01/2024',
        `ACPI: SRAT: Node ${node} PXM ${node} [mem 0x${base.toString(16).padStart(8, '0')}-0x${(base + size - 1n).toString(16).padStart(8, '0')}]${hotplug ? ' hotplug' : ''}`,
        `BIOS-e820: [mem 0x${base.toString(16).padStart(16, '0')}-0x${(base + size - 1n).toString(16).padStart(16, '0')}] usable`,
        'smpboot: CPU0: Intel(R) Xeon(R) Platinum 8480+ (family: 0x6, model: 0x8f, stepping: 0x8)',
        'Run /sbin/init as init process',
      ];
      const recs = texts.map((text, i) => ({ text, usec: i === 0 ? 0n : usec + BigInt(i), level: 6, caller: { kind: 'T' as const, id: i } }));
      const bare = parseBootLines(texts);
      const got = parseBootLines(recs.map(d.render));
      for (const k of ['release', 'cmdline', 'dmi', 'cpu', 'numa', 'e820Usable', 'bootEndLine'] as const) assert.deepEqual(got[k], bare[k], `${d.name}: ${k}`);
      assert.equal(got.startsAtBoot, d.time, `${d.name}: a log whose first line is at 0.000000 starts at boot`);
      assert.equal(got.kernelLines, d.render(recs[0]) === texts[0] ? 0 : texts.length, `${d.name}: lines whose prefix marks them as the kernel's`);
      assert.deepEqual(bare.numa, [{ node, base, end: base + size, hotplug }]);
    }), { numRuns: numRuns(20) });
  }
});

test('/dev/kmsg records: the caller field, escaped bytes, UTF-8, records of several lines, dictionary lines', () => {
  fc.assert(fc.property(record(fc.string({ unit: 'grapheme', maxLength: 40 })), fc.boolean(), (r, withCaller) => {
    const rec = { ...r, caller: withCaller ? r.caller : undefined };
    const stamp = `[${String(r.usec / 1_000_000n).padStart(5, ' ')}.${String(r.usec % 1_000_000n).padStart(6, '0')}]`;
    const lines = kmsgToLines([kmsgRecord(rec, { SUBSYSTEM: 'cpu', DEVICE: '+cpu:0' })]);
    assert.deepEqual(lines, r.text.split('\n').map((t) => `${stamp} ${t}`));
  }), { numRuns: numRuns(200) });
  assert.deepEqual(kmsgToLines(['6,1024,9355881,-,caller=T1;virt/tdx: module initialized\n', '4,1025,9355990,c,caller=C12;a\\x0ab\\x5cc \\xc3\\xa9\n SUBSYSTEM=cpu\n']), [
    '[    9.355881] virt/tdx: module initialized', '[    9.355990] a', '[    9.355990] b\\c é',
  ]);
});

test('journalctl -k in every short format: the text, and the kernel time where the format has it', () => {
  const r: LogRecord = { text: 'virt/tdx: module initialized', usec: 9_355_881n, level: 6 };
  for (const f of JOURNAL_FORMATS) {
    const out = journalToLines(['-- Boot 1a2b --', journalLine(r, f), 'Jun 03 10:00:00 host1 systemd[1]: Started foo.', ''].join('\n'));
    const timed = f === 'short-monotonic' || f === 'short-delta';
    assert.deepEqual(out, [timed ? '[    9.355881] virt/tdx: module initialized' : 'virt/tdx: module initialized'], f);
  }
});

// --- fixtures ---------------------------------------------------------------------------------

test('the dialect fixtures are the real capture re-rendered, and read as the same host', () => {
  const original = readEvidence(evidenceFromText(readFileSync(join(REAL, DIALECT_SOURCE), 'utf8'), DIALECT_SOURCE)).facts;
  for (const name of Object.keys(DIALECT_FIXTURES)) {
    const file = join(PROJECT_ROOT, 'test/fixtures/synthetic/dialects', name);
    const text = readFileSync(file, 'utf8');
    assert.equal(text, renderFixture(name), `${name} is out of date: regenerate it with node -r ts-node/register/transpile-only test/support/make-dialect-fixtures.ts`);
    const f = readEvidence(evidenceFromText(text, name)).facts;
    assert.equal(f.role, 'host', name);
    assert.deepEqual(f.host, original.host, name);
    assert.deepEqual(f.kernel, original.kernel, name);
    assert.deepEqual(f.platform, original.platform, name);
    assert.ok(text.split('\n').filter(Boolean).every((l) => looksLikeKernelLine(l)) || /notime|kmsg/.test(name), `${name}: every line is recognisably the kernel's`);
  }
});

test('a real guest log with printk caller ids reads as with none (and with CPU caller ids)', () => {
  const text = readFileSync(join(REAL, 'guest/g-cloud-td-printk-caller-ids.dmesg'), 'utf8');
  const without = text.replace(/^(\[[ \d.]+\]) \[\s*[TC]\d+\] /gm, '$1 ');
  const cpu = text.replace(/\[(\s*)T(\d+)\]/g, '[$1C$2]');
  const facts = (t: string) => readEvidence(evidenceFromText(t, 'guest.log')).facts;
  assert.notEqual(without, text);
  assert.deepEqual(facts(text).guest, facts(without).guest);
  assert.deepEqual(facts(cpu).guest, facts(without).guest);
  assert.equal(facts(cpu).role, 'guest');
});

test('a catalogue message cut anywhere after its prefix is partial with that message among the candidates (or is itself a whole message)', () => {
  const prefixed = (Object.keys(MESSAGES) as MessageId[]).filter((id) => SUBSYSTEM_PREFIXES[MESSAGES[id].subsystem].some((p) => p !== ''));
  const withId = fc.constantFrom(...prefixed).chain((id) =>
    fc.constantFrom(...Object.values(MESSAGES[id].variants)).chain((format) =>
      fc.tuple(fc.constant(id), fc.constantFrom(...SUBSYSTEM_PREFIXES[MESSAGES[id].subsystem].filter((p) => p !== '')), argsFor(format), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([i, prefix, args, at]) => {
          const body = formatMessage(format, args);
          return { id: i, prefix, cut: prefix + body.slice(0, Math.min(body.length - 1, Math.floor(at * body.length))) };
        })))
    .filter((x) => x.cut.length > x.prefix.length);
  fc.assert(fc.property(withId, ({ id, cut }) => {
    const r = matchLine(`[   10.774047] ${cut}`);
    if (r && 'id' in r) return; // the cut text is itself a whole message (a value cut to fewer digits)
    assert.ok(r && r.candidates.includes(id), `${cut}: ${JSON.stringify(r)}`);
  }), { numRuns: numRuns(2000) });
});
