/**
 * Snapshot bundles in process (backends/linux/snapshot.ts): every kind of probe result written and
 * read back unchanged, the manifest's fields, and each malformed bundle refused with the file and
 * the problem. (test/linux/snapshot.test.ts covers the same through the CLI and a fake machine.)
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Probe, ProbeResult } from '../../backends/linux/probes';
import { MANIFEST, readSnapshotDir, SNAPSHOT_FORMAT, SnapshotError, TRANSCRIPT_FILE, writeSnapshot } from '../../backends/linux/snapshot';

const made: string[] = [];
const dir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tdxc-bundle-'));
  made.push(d);
  return d;
};
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const probes: Probe[] = [
  { id: 'osrelease', kind: 'file', path: '/proc/sys/kernel/osrelease', why: 'release' },
  { id: 'dev-kvm', kind: 'exists', path: '/dev/kvm', why: 'kvm' },
  { id: 'cpuid-0-0x21-0x0', kind: 'cpuid', cpu: 0, leaf: 0x21, subleaf: 0, why: 'cpuid' },
  { id: 'msr-0-0x87', kind: 'msr', cpu: 0, msr: 0x87, why: 'msr' },
  { id: 'msr-0-0x1401', kind: 'msr', cpu: 0, msr: 0x1401, why: 'msr' },
  { id: 'kernel-log', kind: 'kernel-log', why: 'log' },
  { id: 'kvm-api', kind: 'kvm-api', why: 'api' },
  { id: 'insn-vmcall', kind: 'file', path: '/x', why: 'run' },
  { id: 'insn-hlt', kind: 'file', path: '/y', why: 'run' },
  { id: 'tdreport-0x0', kind: 'file', path: '/z', why: 'bytes' },
  { id: 'tdx-ioctl-0x5401', kind: 'file', path: '/w', why: 'errno' },
  { id: 'not-run', kind: 'file', path: '/not-run', why: 'no result' },
];
const results = new Map<string, ProbeResult>([
  ['osrelease', { ok: true, text: '6.16.1\n' }],
  ['dev-kvm', { ok: true, exists: false }],
  ['cpuid-0-0x21-0x0', { ok: true, regs: { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c } }],
  ['msr-0-0x87', { ok: true, value: 0x200000001fn }],
  ['msr-0-0x1401', { ok: true, faulted: true }],
  ['kernel-log', { ok: false, error: 'EPERM: dmesg_restrict' }],
  ['kvm-api', { ok: true, value: 12n }],
  ['insn-vmcall', { ok: true, run: { ended: 'signal', signal: 'SIGILL' }, log: ['[ 1.0] a'] }],
  ['insn-hlt', { ok: true, run: { ended: 'returned', out: [1n, 0xffffffffffffffffn] }, log: [] }],
  ['tdreport-0x0', { ok: true, bytes: Buffer.from([0, 1, 0xfe, 0xff]) }],
  ['tdx-ioctl-0x5401', { ok: true, errno: 'ENOTTY' }],
]);

test('every kind of result reads back as it was written; the manifest names the tool, time, host and what was unreadable', () => {
  const d = dir();
  const now = new Date('2026-12-02T10:00:00Z');
  const m = writeSnapshot(d, probes, results, '9.9.9', now);
  assert.equal(m.format, SNAPSHOT_FORMAT);
  assert.equal(m.formatVersion, 1);
  assert.equal(m.capturedAt, '2026-12-02T10:00:00.000Z');
  assert.deepEqual(m.tool, { name: 'tdx-conformance', version: '9.9.9' });
  assert.equal(m.host, hostname());
  assert.equal(m.uid, process.getuid!());
  assert.deepEqual(m.unreadable, [{ what: 'the kernel log', why: 'EPERM: dmesg_restrict' }]);
  assert.equal(m.entries.length, 11, 'a probe without a result is not listed');
  assert.equal(m.transcript, undefined);
  assert.deepEqual(m.entries[0], { probe: probes[0], source: '/proc/sys/kernel/osrelease', result: { kind: 'text', file: 'files/osrelease.txt', bytes: 7 } });
  assert.deepEqual(m.entries[3].result, { kind: 'value', value: '0x200000001f' });
  assert.deepEqual(m.entries[4].result, { kind: 'faulted' });
  assert.deepEqual(m.entries[8].result, { kind: 'run', ended: 'returned', out: ['0x1', '0xffffffffffffffff'], log: [] });
  assert.deepEqual(m.entries[9].result, { kind: 'bytes', file: 'files/tdreport-0x0.hex', bytes: 4 });
  assert.equal(readFileSync(join(d, 'files/tdreport-0x0.hex'), 'utf8'), '0001feff');
  assert.equal(readFileSync(join(d, 'files/osrelease.txt'), 'utf8'), '6.16.1\n');
  assert.deepEqual(JSON.parse(readFileSync(join(d, MANIFEST), 'utf8')), JSON.parse(JSON.stringify(m)));
  const back = readSnapshotDir(d);
  assert.deepEqual(back.probes, probes.slice(0, 11));
  assert.deepEqual(back.results, results);
  assert.equal(back.transcript, null);
  // A second capture into the same directory is refused; so is a file as the directory.
  assert.throws(() => writeSnapshot(d, probes, results, '9.9.9'), (e: Error) => e instanceof SnapshotError && /a snapshot is already there; choose an empty directory/.test(e.message));
  const f = join(dir(), 'file');
  writeFileSync(f, 'x');
  assert.throws(() => writeSnapshot(f, probes, results, '9.9.9'), (e: Error) => e instanceof SnapshotError && e.message === `${f}: exists and is not a directory`);
});

test('format 2: the recorded scenarios and their transcript', () => {
  const d = dir();
  const transcript = { format: 'tdx-conformance-transcript', formatVersion: 1, machine: 'this machine', nodes: [{ id: 0, parent: null, key: 'k', answer: { ok: true } }] };
  const m = writeSnapshot(d, probes.slice(0, 1), results, '1.0.0', new Date(), { run: { machine: 'this machine', scenarios: [{ key: 'a', name: 'A', status: 'passed' }] }, transcript: transcript as never });
  assert.equal(m.formatVersion, 2);
  assert.deepEqual(m.transcript, { file: TRANSCRIPT_FILE, machine: 'this machine', scenarios: [{ key: 'a', name: 'A', status: 'passed' }] });
  assert.deepEqual(readSnapshotDir(d).transcript, transcript);
  // A transcript that is not one.
  const bad = (t: unknown, re: RegExp) => {
    writeFileSync(join(d, TRANSCRIPT_FILE), typeof t === 'string' ? t : JSON.stringify(t));
    assert.throws(() => readSnapshotDir(d), (e: Error) => e instanceof SnapshotError && re.test(e.message), re.source);
  };
  bad('{', /transcript\.json: not valid JSON/);
  bad({ ...transcript, format: 'x' }, /not a transcript \(format must be "tdx-conformance-transcript"\)/);
  bad({ ...transcript, formatVersion: 2 }, /transcript format version 2 is not the one this tool reads \(1\)/);
  bad({ ...transcript, nodes: {} }, /nodes must be a list/);
  bad({ ...transcript, nodes: [{ id: 1, parent: null, key: 'k', answer: {} }] }, /nodes\[0\] is not a node/);
  bad({ ...transcript, nodes: [{ id: 0, parent: 0, key: 'k', answer: {} }] }, /nodes\[0\] is not a node/);
  bad({ ...transcript, nodes: [{ id: 0, parent: null, key: 1, answer: {} }] }, /nodes\[0\] is not a node/);
  bad({ ...transcript, nodes: [{ id: 0, parent: null, key: 'k', answer: 1 }] }, /nodes\[0\] is not a node/);
  bad({ ...transcript, nodes: [{ id: 0, parent: null, key: 'k', answer: {} }, { id: 1, parent: 0, key: 'k', answer: {} }, { id: 2, parent: 'x', key: 'k', answer: {} }] }, /nodes\[2\] is not a node/);
  bad(['x'], /not a transcript/);
  const manifest = JSON.parse(readFileSync(join(d, MANIFEST), 'utf8'));
  writeFileSync(join(d, MANIFEST), JSON.stringify({ ...manifest, transcript: { ...manifest.transcript, file: 'other.json' } }));
  assert.throws(() => readSnapshotDir(d), /transcript\.file must be "transcript\.json"/);
  const gone = dir();
  writeSnapshot(gone, [], new Map(), '1', new Date(), { run: { machine: 'm', scenarios: [] }, transcript: transcript as never });
  writeFileSync(join(gone, TRANSCRIPT_FILE), '');
  assert.throws(() => readSnapshotDir(gone), /not valid JSON/);
});

test('a malformed manifest: each problem named with the file', () => {
  const d = dir();
  const write = (doc: unknown) => writeFileSync(join(d, MANIFEST), typeof doc === 'string' ? doc : JSON.stringify(doc));
  const refused = (re: RegExp, where = join(d, MANIFEST)) => assert.throws(() => readSnapshotDir(d), (e: Error) => e instanceof SnapshotError && e.message.startsWith(`${where}: `) && re.test(e.message), re.source);
  assert.throws(() => readSnapshotDir(d), (e: Error) => e instanceof SnapshotError && e.message === `${d}: no snapshot here (no manifest.json); give a directory written by \`tdx-conformance capture\` or a kernel log file`);
  write('not json');
  refused(/not valid JSON \(/);
  write([]);
  refused(/not a tdx-conformance snapshot manifest \(format must be "tdx-conformance-snapshot"\)/);
  write({ format: 'other' });
  refused(/not a tdx-conformance snapshot manifest/);
  const base = { format: SNAPSHOT_FORMAT, formatVersion: 1, entries: [] };
  for (const v of [0, 1.5, '1', null]) {
    write({ ...base, formatVersion: v });
    refused(/formatVersion must be a positive whole number/);
  }
  write({ ...base, formatVersion: 3 });
  refused(/snapshot format version 3 is newer than this tool reads \(up to 2\); update tdx-conformance/);
  write({ ...base, formatVersion: 2 });
  assert.deepEqual(readSnapshotDir(d).probes, []);
  write({ ...base, entries: {} });
  refused(/entries must be a list/);
  const entry = (result: unknown, probe: unknown = { id: 'p', kind: 'file', path: '/p', why: '' }) => ({ probe, source: '/p', result });
  for (const e of [null, { probe: null, result: {} }, { probe: { id: 1 }, result: {} }, { probe: { id: 'p' }, result: null }]) {
    write({ ...base, entries: [entry({ kind: 'exists', exists: true }), e] });
    refused(/entries\[1\] is not a probe with a result/);
  }
  write({ ...base, entries: [entry({ kind: 'magic' })] });
  refused(/entries\[0\] has an unknown result kind "magic"/);
  write({ ...base, entries: [entry({ kind: 'errno', errno: 'ENOPE' })] });
  refused(/entries\[0\] has an unknown errno "ENOPE"/);
  write({ ...base, entries: [entry({ kind: 'text', file: '../outside.txt', bytes: 1 })] });
  refused(/entries\[0\] names a file outside the snapshot \(\.\.\/outside\.txt\)/);
  write({ ...base, entries: [entry({ kind: 'bytes', file: '../outside.hex', bytes: 1 })] });
  refused(/entries\[0\] names a file outside the snapshot \(\.\.\/outside\.hex\)/);
  write({ ...base, entries: [entry({ kind: 'text', file: 'files/none.txt', bytes: 1 })] });
  refused(/missing \(the manifest lists it for \/p\)/, join(d, 'files/none.txt'));
  write({ ...base, entries: [entry({ kind: 'bytes', file: 'files/none.hex', bytes: 1 })] });
  refused(/missing \(the manifest lists it for \/p\)/, join(d, 'files/none.hex'));
  mkdirSync(join(d, 'files'), { recursive: true });
  writeFileSync(join(d, 'files/odd.hex'), 'abc');
  write({ ...base, entries: [entry({ kind: 'bytes', file: 'files/odd.hex', bytes: 1 })] });
  refused(/not hex-encoded bytes/, join(d, 'files/odd.hex'));
  writeFileSync(join(d, 'files/odd.hex'), 'zz');
  refused(/not hex-encoded bytes/, join(d, 'files/odd.hex'));
  writeFileSync(join(d, 'files/odd.hex'), ' 0aff\n');
  assert.deepEqual(readSnapshotDir(d).results.get('p'), { ok: true, bytes: Buffer.from([0x0a, 0xff]) });
  writeFileSync(join(d, 'files/bin.txt'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0]));
  write({ ...base, entries: [entry({ kind: 'text', file: 'files/bin.txt', bytes: 6 })] });
  refused(/binary/, join(d, 'files/bin.txt'));
  // Loose values are read as what they say.
  write({ ...base, entries: [entry({ kind: 'exists', exists: 1 }), entry({ kind: 'error', error: 5 }, { id: 'q' }), entry({ kind: 'run', ended: 'signal', signal: 11, log: 'x' }, { id: 'r' }), entry({ kind: 'run', ended: 'returned', log: [1] }, { id: 's' })] });
  const r = readSnapshotDir(d).results;
  assert.deepEqual(r.get('p'), { ok: true, exists: true });
  assert.deepEqual(r.get('q'), { ok: false, error: '5' });
  assert.deepEqual(r.get('r'), { ok: true, run: { ended: 'signal', signal: '11' }, log: [] });
  assert.deepEqual(r.get('s'), { ok: true, run: { ended: 'returned', out: [] }, log: ['1'] });
});
