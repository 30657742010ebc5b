/**
 * Snapshot bundles: what `tdx-conformance capture` writes on a real machine, read back later
 * anywhere. A bundle is a directory:
 *
 *   manifest.json      format, format version, time, tool version, host, user, and per probe:
 *                      what was read (the probe), its result or why it could not be read
 *   files/<id>.txt     the text each file or command gave, byte for byte
 *   transcript.json    (format 2) what the machine answered to every scenario the capture ran,
 *                      operation by operation (capture/transcript.ts); the manifest lists the
 *                      scenarios and how they ended when they were recorded
 *
 * Reading one goes through the same parsers as the live machine. Anything wrong with the input
 * is a SnapshotError naming the file and the problem, which the CLI prints as one line.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { decodeText, INPUT_LIMITS, InputError, readInputFile } from '../common/read-input';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { isErrnoName, type ErrnoName } from '../../spec/abi/errno';
import type { CpuidRegs } from './evidence';
import { describeProbe } from './from-probes';
import type { Probe, ProbeResult, ProbeResults } from './probes';
import { TRANSCRIPT_FORMAT, TRANSCRIPT_FORMAT_VERSION, type Transcript } from './capture/transcript';

export const SNAPSHOT_FORMAT = 'tdx-conformance-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 2;
export const TRANSCRIPT_FILE = 'transcript.json';
export const MANIFEST = 'manifest.json';

/** Bad snapshot input: the CLI turns it into a one-line usage error (exit 2). */
export class SnapshotError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'SnapshotError';
  }
}

type StoredResult =
  | { kind: 'text'; file: string; bytes: number }
  | { kind: 'exists'; exists: boolean }
  | { kind: 'regs'; regs: CpuidRegs }
  | { kind: 'value'; value: string }
  | { kind: 'faulted' }
  /** A child process's run: the words it stored or its signal, and the log lines meanwhile. */
  | { kind: 'run'; ended: 'returned'; out: string[]; log: string[] }
  | { kind: 'run'; ended: 'signal'; signal: string; log: string[] }
  /** Binary contents, hex-encoded in a file. */
  | { kind: 'bytes'; file: string; bytes: number }
  | { kind: 'errno'; errno: string }
  | { kind: 'error'; error: string };

export interface ManifestEntry {
  probe: Probe;
  /** What was read, in words (path, command line, register). */
  source: string;
  result: StoredResult;
}

export interface Manifest {
  format: typeof SNAPSHOT_FORMAT;
  formatVersion: number;
  capturedAt: string;
  tool: { name: string; version: string };
  host: string;
  uid: number | null;
  entries: ManifestEntry[];
  /** What could not be read, and why (the same facts as the error results, listed together). */
  unreadable: { what: string; why: string }[];
  /** Format 2: the recorded scenarios (their answers are in transcript.json). */
  transcript?: RecordedRun;
}

export interface RecordedRun {
  file: typeof TRANSCRIPT_FILE;
  /** What answered: this machine, or the emulated machine of a profile. */
  machine: string;
  /** The scenarios run while recording, and how each ended then. */
  scenarios: { key: string; name: string; status: string }[];
}

function stored(id: string, r: ProbeResult): { result: StoredResult; text?: string } {
  if (!r.ok) return { result: { kind: 'error', error: r.error } };
  if ('text' in r) return { result: { kind: 'text', file: `files/${id}.txt`, bytes: Buffer.byteLength(r.text) }, text: r.text };
  if ('exists' in r) return { result: { kind: 'exists', exists: r.exists } };
  if ('regs' in r) return { result: { kind: 'regs', regs: r.regs } };
  if ('value' in r) return { result: { kind: 'value', value: '0x' + r.value.toString(16) } };
  if ('run' in r) {
    return r.run.ended === 'returned'
      ? { result: { kind: 'run', ended: 'returned', out: r.run.out.map((w) => '0x' + w.toString(16)), log: r.log } }
      : { result: { kind: 'run', ended: 'signal', signal: r.run.signal, log: r.log } };
  }
  if ('bytes' in r) return { result: { kind: 'bytes', file: `files/${id}.hex`, bytes: r.bytes.length }, text: r.bytes.toString('hex') };
  if ('errno' in r) return { result: { kind: 'errno', errno: r.errno } };
  return { result: { kind: 'faulted' } };
}

export function writeSnapshot(dir: string, probes: readonly Probe[], results: ProbeResults, toolVersion: string, now = new Date(),
  recorded?: { run: Omit<RecordedRun, 'file'>; transcript: Transcript }): Manifest {
  const out = resolve(dir);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new SnapshotError(out, 'exists and is not a directory');
  if (existsSync(join(out, MANIFEST))) throw new SnapshotError(join(out, MANIFEST), 'a snapshot is already there; choose an empty directory');
  mkdirSync(join(out, 'files'), { recursive: true });
  const entries: ManifestEntry[] = [];
  for (const p of probes) {
    const r = results.get(p.id);
    if (!r) continue;
    const s = stored(p.id, r);
    if (s.text !== undefined && (s.result.kind === 'text' || s.result.kind === 'bytes')) writeFileSync(join(out, s.result.file), s.text);
    entries.push({ probe: p, source: describeProbe(p), result: s.result });
  }
  const manifest: Manifest = {
    format: SNAPSHOT_FORMAT,
    formatVersion: recorded ? 2 : 1,
    capturedAt: now.toISOString(),
    tool: { name: 'tdx-conformance', version: toolVersion },
    host: hostname(),
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    entries,
    unreadable: entries.filter((e) => e.result.kind === 'error').map((e) => ({ what: e.source, why: (e.result as { error: string }).error })),
    ...(recorded ? { transcript: { file: TRANSCRIPT_FILE, ...recorded.run } } : {}),
  };
  if (recorded) writeFileSync(join(out, TRANSCRIPT_FILE), JSON.stringify(recorded.transcript) + '\n');
  writeFileSync(join(out, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Read and check a bundle's manifest, then its files, into probe results. */
export function readSnapshotDir(dir: string): { manifest: Manifest; probes: Probe[]; results: ProbeResults; transcript: Transcript | null } {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) throw new SnapshotError(dir, `no snapshot here (no ${MANIFEST}); give a directory written by \`tdx-conformance capture\` or a kernel log file`);
  let doc: unknown;
  try {
    doc = JSON.parse(readInputFile(file, INPUT_LIMITS.manifest).toString('utf8'));
  } catch (e) {
    if (e instanceof InputError) throw new SnapshotError(file, e.problem);
    throw new SnapshotError(file, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc) || doc.format !== SNAPSHOT_FORMAT) throw new SnapshotError(file, `not a tdx-conformance snapshot manifest (format must be "${SNAPSHOT_FORMAT}")`);
  const v = doc.formatVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SnapshotError(file, 'formatVersion must be a positive whole number');
  if (v > SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotError(file, `snapshot format version ${v} is newer than this tool reads (up to ${SNAPSHOT_FORMAT_VERSION}); update tdx-conformance`);
  }
  if (!Array.isArray(doc.entries)) throw new SnapshotError(file, 'entries must be a list');
  const manifest = doc as unknown as Manifest;
  const probes: Probe[] = [];
  const results: ProbeResults = new Map();
  manifest.entries.forEach((e, i) => {
    if (!isObject(e) || !isObject(e.probe) || typeof e.probe.id !== 'string' || !isObject(e.result)) {
      throw new SnapshotError(file, `entries[${i}] is not a probe with a result`);
    }
    const p = e.probe as Probe;
    const r = e.result as StoredResult;
    probes.push(p);
    switch (r.kind) {
      case 'text': {
        const f = join(dir, r.file);
        if (!resolve(f).startsWith(resolve(dir))) throw new SnapshotError(file, `entries[${i}] names a file outside the snapshot (${r.file})`);
        if (!existsSync(f)) throw new SnapshotError(f, `missing (the manifest lists it for ${e.source})`);
        try {
          results.set(p.id, { ok: true, text: decodeText(readInputFile(f, INPUT_LIMITS.capture), f).text });
        } catch (err) {
          if (err instanceof InputError) throw new SnapshotError(f, err.problem);
          throw err;
        }
        break;
      }
      case 'exists':
        results.set(p.id, { ok: true, exists: !!r.exists });
        break;
      case 'regs':
        results.set(p.id, { ok: true, regs: r.regs });
        break;
      case 'value':
        results.set(p.id, { ok: true, value: BigInt(r.value) });
        break;
      case 'faulted':
        results.set(p.id, { ok: true, faulted: true });
        break;
      case 'run': {
        const log = Array.isArray(r.log) ? r.log.map(String) : [];
        const run = r.ended === 'returned' ? { ended: 'returned' as const, out: (r.out ?? []).map((w) => BigInt(w)) } : { ended: 'signal' as const, signal: String(r.signal) };
        results.set(p.id, { ok: true, run, log });
        break;
      }
      case 'bytes': {
        const f = join(dir, r.file);
        if (!resolve(f).startsWith(resolve(dir))) throw new SnapshotError(file, `entries[${i}] names a file outside the snapshot (${r.file})`);
        if (!existsSync(f)) throw new SnapshotError(f, `missing (the manifest lists it for ${e.source})`);
        let hex: string;
        try {
          hex = readInputFile(f, INPUT_LIMITS.capture).toString('utf8').trim();
        } catch (err) {
          if (err instanceof InputError) throw new SnapshotError(f, err.problem);
          throw err;
        }
        if (!/^([0-9a-f]{2})*$/.test(hex)) throw new SnapshotError(f, 'not hex-encoded bytes');
        results.set(p.id, { ok: true, bytes: Buffer.from(hex, 'hex') });
        break;
      }
      case 'errno':
        if (!isErrnoName(String(r.errno))) throw new SnapshotError(file, `entries[${i}] has an unknown errno "${r.errno}"`);
        results.set(p.id, { ok: true, errno: r.errno as ErrnoName });
        break;
      case 'error':
        results.set(p.id, { ok: false, error: String(r.error) });
        break;
      default:
        throw new SnapshotError(file, `entries[${i}] has an unknown result kind "${(r as { kind: string }).kind}"`);
    }
  });
  return { manifest, probes, results, transcript: manifest.transcript ? readTranscript(dir, file, manifest.transcript) : null };
}

function readTranscript(dir: string, manifestFile: string, run: RecordedRun): Transcript {
  if (run.file !== TRANSCRIPT_FILE) throw new SnapshotError(manifestFile, `transcript.file must be "${TRANSCRIPT_FILE}"`);
  const f = join(dir, TRANSCRIPT_FILE);
  if (!existsSync(f)) throw new SnapshotError(f, 'missing (the manifest says the capture recorded scenarios)');
  let doc: unknown;
  try {
    doc = JSON.parse(readInputFile(f, INPUT_LIMITS.transcript).toString('utf8'));
  } catch (e) {
    if (e instanceof InputError) throw new SnapshotError(f, e.problem);
    throw new SnapshotError(f, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc) || doc.format !== TRANSCRIPT_FORMAT) throw new SnapshotError(f, `not a transcript (format must be "${TRANSCRIPT_FORMAT}")`);
  if (doc.formatVersion !== TRANSCRIPT_FORMAT_VERSION) throw new SnapshotError(f, `transcript format version ${String(doc.formatVersion)} is not the one this tool reads (${TRANSCRIPT_FORMAT_VERSION})`);
  if (!Array.isArray(doc.nodes)) throw new SnapshotError(f, 'nodes must be a list');
  doc.nodes.forEach((n: unknown, i: number) => {
    if (!isObject(n) || n.id !== i || typeof n.key !== 'string' || !isObject(n.answer) || !(n.parent === null || (typeof n.parent === 'number' && n.parent < i))) {
      throw new SnapshotError(f, `nodes[${i}] is not a node (id ${i}, an earlier parent or null, key, answer)`);
    }
  });
  return doc as unknown as Transcript;
}
