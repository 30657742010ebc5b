/**
 * CPU flag lists cut short never prove a flag absent. /proc/cpuinfo prints each of its lists
 * (flags, vmx flags, bugs) on one line followed by the next key (show_cpuinfo(),
 * arch/x86/kernel/cpu/proc.c at v6.16.1); a capture may end anywhere, a terminal may break a
 * list into lines anywhere (inside a name too), lscpu may wrap its Flags value, and a flags list
 * may be pasted alone. Whatever the cut: a name read is one the machine lists, a list said to be
 * whole is the whole list, and a conclusion of absence (false) is only drawn from a whole list.
 * The blocks are synthetic, in show_cpuinfo()'s format, with names that are prefixes of others
 * (ss and ssbd, pse and pse36, tdx and tdx_guest) so that a name cut in two could pass for another.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseBareFlags, parseLscpu, parseProcCpuinfo } from '../../backends/linux/parse/cpuinfo';
import { emptyEvidence, mergeEvidence, type CpuFlags } from '../../backends/linux/evidence';
import { readEvidence } from '../../backends/linux/facts';
import { cpuinfoOf } from '../../backends/linux/host';
import { arrangeOnReading } from '../../backends/linux/arrange';
import { evidenceFromText } from '../../backends/linux/single-file';
import { isUnobservable } from '../../backends/port';
import { numRuns } from '../support/runs';

const FLAG_WORDS = ['fpu', 'vme', 'de', 'pse', 'pse36', 'tsc', 'msr', 'ss', 'ssbd', 'ht', 'vmx', 'tme', 'xsave', 'movdir64b', 'tdx_host_platform', 'tdx_guest', 'avx512_fp16', 'amx_tile', 'arch_capabilities'];
const VMX_WORDS = ['vnmi', 'preemption_timer', 'ept', 'ept_x_only', 'ept_ad', 'ept_1gb', 'ept_5level', 'flexpriority', 'apicv', 'tsc_offset'];
const BUG_WORDS = ['spectre_v1', 'spectre_v2', 'spec_store_bypass', 'swapgs', 'eibrs_pbrsb', 'tdx_pw_mce', 'bhi'];

interface Machine { flags: string[]; vmx: string[] | null; bugs: string[] }

const subset = (words: string[]) => fc.subarray(words);
const machine: fc.Arbitrary<Machine> = fc.record({
  flags: subset(FLAG_WORDS).map((f) => (f.includes('fpu') ? f : ['fpu', ...f])),
  vmx: fc.option(subset(VMX_WORDS).filter((v) => v.length > 0), { nil: null }),
  bugs: subset(BUG_WORDS),
});

/** Two processors' blocks, as show_cpuinfo() prints them. */
function procCpuinfo(m: Machine): string {
  const block = (cpu: number) => [
    `processor\t: ${cpu}`, 'vendor_id\t: GenuineIntel', 'cpu family\t: 6', 'model\t\t: 143', 'model name\t: Intel(R) Xeon(R) Platinum 8480+',
    'stepping\t: 8', 'microcode\t: 0x2b000461', 'cpu MHz\t\t: 2000.000', 'cache size\t: 107520 KB', 'physical id\t: 0', 'siblings\t: 112',
    'core id\t\t: 0', 'cpu cores\t: 56', 'apicid\t\t: 0', 'initial apicid\t: 0', 'fpu\t\t: yes', 'fpu_exception\t: yes', 'cpuid level\t: 32', 'wp\t\t: yes',
    'flags\t\t:' + m.flags.map((f) => ' ' + f).join(''),
    ...(m.vmx ? ['vmx flags\t:' + m.vmx.map((f) => ' ' + f).join('')] : []),
    'bugs\t\t:' + m.bugs.map((f) => ' ' + f).join(''),
    'bogomips\t: 4000.00', 'clflush size\t: 64', 'cache_alignment\t: 64', 'address sizes\t: 46 bits physical, 57 bits virtual', 'power management:',
  ].join('\n') + '\n\n';
  return block(0) + block(1);
}

/** A terminal that breaks every line at `width` columns, wherever that falls (wide enough for the keys). */
const wrap = (text: string, width: number): string => text.split('\n').map((l) => l.match(new RegExp(`.{1,${width}}`, 'g'))?.join('\n') ?? l).join('\n');

/** What may be concluded from a list about one name: present, absent, or nothing (null). */
const presence = (names: string[] | null | undefined, whole: boolean | undefined, name: string): boolean | null =>
  names?.includes(name) ? true : whole && names ? false : null;

function checkList(label: string, got: string[] | null | undefined, whole: boolean | undefined, truth: string[] | null, vocabulary: string[]): void {
  if (!got) return;
  assert.ok(truth, `${label}: read a list the machine does not print`);
  for (const n of got) assert.ok(truth.includes(n), `${label}: "${n}" is not one of ${truth.join(' ')}`);
  if (whole) assert.deepEqual(got, truth, `${label}: said whole`);
  for (const n of vocabulary) {
    const p = presence(got, whole, n);
    if (p !== null) assert.equal(p, truth.includes(n), `${label}: ${n} concluded ${p ? 'present' : 'absent'}`);
  }
}

function checkFlags(f: CpuFlags, m: Machine, label: string): void {
  checkList(`${label} flags`, f.flags, f.complete, m.flags, FLAG_WORDS);
  checkList(`${label} vmx flags`, f.vmx, f.vmxComplete, m.vmx, VMX_WORDS);
  checkList(`${label} bugs`, f.bugs, f.bugsComplete, m.bugs, BUG_WORDS);
}

test('/proc/cpuinfo cut anywhere: no name invented, no absence concluded from a cut list', () => {
  fc.assert(fc.property(machine, fc.double({ min: 0, max: 1, noNaN: true }), (m, at) => {
    const text = procCpuinfo(m);
    const cut = text.slice(0, Math.floor(at * text.length));
    const p = parseProcCpuinfo(cut);
    if (!p) return;
    checkFlags(p.flags!, m, `cut at ${cut.length}`);
  }), { numRuns: numRuns(500) });
});

test('/proc/cpuinfo whole: every list whole and exact', () => {
  fc.assert(fc.property(machine, (m) => {
    const f = parseProcCpuinfo(procCpuinfo(m))!.flags!;
    assert.deepEqual([f.flags, f.complete, f.bugs, f.bugsComplete, f.vmx ?? null, f.vmxComplete ?? null], [m.flags, true, m.bugs, true, m.vmx, m.vmx ? true : null]);
  }), { numRuns: numRuns(100) });
});

test('/proc/cpuinfo broken by a terminal at any width, then cut anywhere: still nothing invented or wrongly absent', () => {
  fc.assert(fc.property(machine, fc.integer({ min: 24, max: 120 }), fc.double({ min: 0, max: 1, noNaN: true }), (m, width, at) => {
    const text = wrap(procCpuinfo(m), width);
    const p = parseProcCpuinfo(text.slice(0, Math.floor(at * text.length)));
    if (p) checkFlags(p.flags!, m, `width ${width}`);
    const whole = parseProcCpuinfo(text);
    if (whole) checkFlags(whole.flags!, m, `width ${width}, whole`);
  }), { numRuns: numRuns(500) });
});

test('lscpu, wrapped or not, cut anywhere; a bare flags list cut anywhere', () => {
  fc.assert(fc.property(machine, fc.integer({ min: 10, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (m, width, at) => {
    // lscpu wraps its Flags value at spaces, continuation lines indented under the value.
    const indent = ' '.repeat(26);
    const rows: string[] = [];
    let row = '';
    for (const f of m.flags) {
      if (row && row.length + 1 + f.length > width) {
        rows.push(row);
        row = f;
      } else row = row ? `${row} ${f}` : f;
    }
    rows.push(row);
    const text = ['Vendor ID:                GenuineIntel', '  Model name:             Intel(R) Xeon(R) Platinum 8480+', `    Flags:                ${rows[0]}`,
      ...rows.slice(1).map((r) => indent + r), 'Virtualization features:', '  Virtualization:         VT-x', ''].join('\n');
    const cut = text.slice(0, Math.floor(at * text.length));
    const l = parseLscpu(cut);
    if (l) checkList(`lscpu width ${width} cut ${cut.length}`, l.flags!.flags, l.flags!.complete, m.flags, FLAG_WORDS);
    const bareText = m.flags.join(' ');
    const b = parseBareFlags(bareText.slice(0, Math.floor(at * bareText.length)));
    if (b) checkList('bare flags', b.flags.flags, b.flags.complete, m.flags, FLAG_WORDS);
  }), { numRuns: numRuns(500) });
});

test('what a cut list makes of the facts, the cpuinfo observation and the EPT arrangement', () => {
  const m: Machine = { flags: ['fpu', 'vmx', 'xsave', 'tdx_host_platform'], vmx: ['ept', 'ept_ad', 'ept_5level'], bugs: ['spectre_v1', 'tdx_pw_mce'] };
  const text = procCpuinfo(m);
  const read = (t: string) => readEvidence(evidenceFromText(t, 'cpuinfo.txt'));
  // Cut inside the bugs line, before tdx_pw_mce: the bugs say nothing about it.
  const inBugs = read(text.slice(0, text.indexOf(' tdx_pw_mce')));
  assert.deepEqual(inBugs.facts.platform.cpuFlags, { tdxHostPlatform: true, tdxGuest: false, tdxPwMce: null, complete: true });
  const obs = cpuinfoOf(inBugs);
  assert.ok(isUnobservable(obs) && /bugs list may be cut/.test(obs.unobservable), JSON.stringify(obs));
  // Cut inside the vmx flags line, before ept_5level: five-level EPT can be neither confirmed nor denied.
  const inVmx = read(text.slice(0, text.indexOf(' ept_5level')));
  const no5 = arrangeOnReading(inVmx, { kind: 'ept-5level', present: true });
  assert.ok(!no5.met && /may be cut/.test(no5.reason), JSON.stringify(no5));
  assert.equal(arrangeOnReading(inVmx, { kind: 'ept-5level', present: false }).met, false, 'four-level EPT is not confirmed by a cut list');
  // Cut inside the flags, before tdx_host_platform: a CPU "without" a later flag is not confirmed either.
  const inFlags = read(text.slice(0, text.indexOf(' tdx_host_platform')));
  for (const present of [true, false]) {
    const r = arrangeOnReading(inFlags, { kind: 'cpu-feature', feature: 'movdir64b', present });
    assert.ok(!r.met && /may be cut/.test(r.reason), JSON.stringify(r));
  }
  assert.equal(arrangeOnReading(inFlags, { kind: 'cpu-feature', feature: 'vmx', present: true }).met, true, 'a listed flag is there');
  // The name the capture ends in may be the start of a longer one: it is set aside.
  assert.ok(!arrangeOnReading(inFlags, { kind: 'cpu-feature', feature: 'xsave', present: true }).met);
  // Whole: both conclusions are drawn.
  const whole = read(text);
  assert.deepEqual(whole.facts.platform.cpuFlags, { tdxHostPlatform: true, tdxGuest: false, tdxPwMce: true, complete: true });
  assert.deepEqual(cpuinfoOf(whole), { flags: m.flags, bugs: m.bugs });
  assert.equal(arrangeOnReading(whole, { kind: 'ept-5level', present: true }).met, true);
  assert.equal(arrangeOnReading(whole, { kind: 'cpu-feature', feature: 'movdir64b', present: false }).met, true, 'a whole list proves absence');
  // The real capture is a bare list cut at its end (test/fixtures/real/host/cpuinfo-flags-tdx-host-platform.truncated.txt).
  const f = readEvidence(mergeEvidence(emptyEvidence(), { cpuFlags: parseBareFlags('fpu vme de pse tsc msr pae mce tdx_host_platform ts')!.flags })).facts;
  assert.deepEqual(f.platform.cpuFlags, { tdxHostPlatform: true, tdxGuest: null, tdxPwMce: null, complete: false });
});

test('/proc/cpuinfo read exactly: the first block\'s identity, lists cut at their end, pastes with CRLF or around blank lines', () => {
  const m: Machine = { flags: ['fpu', 'vme', 'tdx_host_platform', 'xsave'], vmx: ['ept', 'ept_ad'], bugs: ['spectre_v1', 'tdx_pw_mce'] };
  const text = procCpuinfo(m);
  const whole = parseProcCpuinfo(text)!;
  assert.deepEqual(whole.cpu, { vendor: 'GenuineIntel', family: 6, model: 143, modelName: 'Intel(R) Xeon(R) Platinum 8480+' });
  assert.equal(whole.flags!.source, '/proc/cpuinfo', 'the default source');
  assert.equal(parseProcCpuinfo(text, 'cpuinfo.txt')!.flags!.source, 'cpuinfo.txt');
  // Saved with CRLF line ends: the same reading, no "\r" in a name or a value.
  assert.deepEqual(parseProcCpuinfo(text.replace(/\n/g, '\r\n')), whole);
  // Blank lines before the first block (a paste that starts with them) are skipped; a blank
  // line right after the flags ends the block, and the flags are whole.
  assert.deepEqual(parseProcCpuinfo(`\n\n${text}`), whole);
  const short = parseProcCpuinfo('processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme de\n\nprocessor\t: 1\nflags\t\t: fpu\n')!;
  assert.deepEqual([short.flags!.flags, short.flags!.complete], [['fpu', 'vme', 'de'], true]);
  // No "bugs" line: no bugs list, and nothing known about one.
  assert.deepEqual([short.flags!.bugs, short.flags!.bugsComplete], [null, false]);
  // The capture ends right after the flags line: nothing follows it, so a terminal may have
  // wrapped it there; without the newline, its last name may be cut and is set aside.
  const ends = parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme de\n')!.flags!;
  assert.deepEqual([ends.flags, ends.complete], [['fpu', 'vme', 'de'], false]);
  const cut = parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme de')!.flags!;
  assert.deepEqual([cut.flags, cut.complete], [['fpu', 'vme'], false]);
  // A flags line a terminal wrapped at a space, the capture ending in its continuation: with the
  // newline every name counts, without it the last one is set aside; a list the capture closed
  // with a later line keeps its last name although the capture ends in another list.
  assert.deepEqual(parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme\n de pse\n')!.flags!.flags, ['fpu', 'vme', 'de', 'pse']);
  assert.deepEqual(parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme\n de pse')!.flags!.flags, ['fpu', 'vme', 'de']);
  const closed = parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme\n de pse\nbugs\t\t: spectre_v1 spe')!.flags!;
  assert.deepEqual([closed.flags, closed.complete, closed.bugs, closed.bugsComplete], [['fpu', 'vme', 'de', 'pse'], true, ['spectre_v1'], false]);
  // A line of words that are not all names (a note left in the paste) is no continuation.
  const noted = parseProcCpuinfo('processor\t: 0\nflags\t\t: fpu vme\nrest cut here (by the reporter)\n')!.flags!;
  assert.deepEqual([noted.flags, noted.complete], [['fpu', 'vme'], true]);
  // `grep -E "model name|flags" /proc/cpuinfo`: one line per processor, no blank lines; the first
  // processor's lines count, even when a later one is cut.
  const grep = parseProcCpuinfo('model name\t: Intel(R) Xeon(R) Gold 6438Y+\nflags\t\t: fpu vme tdx_host_platform\nmodel name\t: Intel(R) Xeon(R) Gold 6438Y+\nflags\t\t: fpu v')!;
  assert.deepEqual([grep.flags!.flags, grep.flags!.complete, grep.cpu.modelName], [['fpu', 'vme', 'tdx_host_platform'], true, 'Intel(R) Xeon(R) Gold 6438Y+']);
  assert.equal(parseProcCpuinfo('processor\t: 0\nvendor_id\t: GenuineIntel\n'), null, 'no flags line: nothing to read');
});

test('lscpu and a bare flags list read exactly: CRLF, a capture ending inside the flags, the boundaries of a bare list', () => {
  const lscpu = ['Vendor ID:                GenuineIntel', '  Model name:             Intel(R) Xeon(R) Platinum 8480+', '    CPU family:           6',
    '    Model:                143', '    Flags:                fpu vme de pse tsc', '                          msr tdx_host_platform', 'Virtualization features:', ''].join('\n');
  const p = parseLscpu(lscpu)!;
  assert.deepEqual(p.flags, { flags: ['fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'tdx_host_platform'], bugs: null, complete: true, bugsComplete: false, source: 'lscpu' });
  assert.deepEqual(parseLscpu(lscpu.replace(/\n/g, '\r\n')), p, 'CRLF line ends');
  // The capture ends inside the wrapped flags: without the newline the last name may be cut.
  const inFlags = lscpu.slice(0, lscpu.indexOf(' tdx_host_platform') + ' tdx_host'.length);
  assert.deepEqual([parseLscpu(inFlags)!.flags!.flags, parseLscpu(inFlags)!.flags!.complete], [['fpu', 'vme', 'de', 'pse', 'tsc', 'msr'], false]);
  const atNewline = parseLscpu(`${lscpu.slice(0, lscpu.indexOf('Virtualization'))}`)!.flags!;
  assert.deepEqual([atNewline.flags.length, atNewline.complete], [7, false]);
  assert.equal(parseLscpu('Vendor ID:    GenuineIntel\n'), null);
  // A bare list: eight names at least, each a flag name; a paste may end with a blank line.
  const eight = 'fpu vme de pse tsc msr pae mce';
  assert.deepEqual(parseBareFlags(`${eight}\n  \n`), { flags: { flags: eight.split(' ').slice(0, -1), bugs: null, complete: false, bugsComplete: false, source: 'flags list' }, cutToken: 'mce' });
  assert.equal(parseBareFlags('fpu vme de pse tsc msr pae'), null, 'seven words are not a flags list');
  assert.equal(parseBareFlags('fpu vme de pse tsc msr pae mce: cx8'), null, '"mce:" is no flag name');
  assert.equal(parseBareFlags('vme fpu de pse tsc msr pae mce cx8'), null, 'the list starts with fpu');
});
