/**
 * The three ways to read a machine: through the kernel-interface seam (this machine, or an
 * emulated one), a snapshot bundle, or one pasted file. Each ends in the same Reading (evidence +
 * conclusions, facts.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KernelInterface } from '../kernel-interface';
import { describeErrno } from '../common/read-input';
import { readEvidence, type Reading } from './facts';
import { evidenceFromProbes } from './from-probes';
import { runProbes } from './live';
import type { Probe, ProbeResults } from './probes';
import { evidenceFromFile } from './single-file';
import { readSnapshotDir, SnapshotError, type Manifest } from './snapshot';
import { TranscriptIndex } from './capture/replayer';

export interface SourceReading extends Reading {
  kind: 'linux' | 'snapshot' | 'emulated-linux';
  /** Host name, snapshot directory or file, or the emulated machine's profile. */
  name: string;
  manifest: Manifest | null;
  /** Probe results (live or bundle); null for a single file. */
  probes: { probes: Probe[]; results: ProbeResults } | null;
  /** A format-2 bundle's recorded scenarios, to answer them again. */
  transcript?: TranscriptIndex;
}

export function readSnapshot(path: string): SourceReading {
  const p = resolve(path);
  if (!existsSync(p)) throw new SnapshotError(p, 'no such file or directory');
  let isDir: boolean;
  try {
    isDir = statSync(p).isDirectory();
  } catch (e) {
    throw new SnapshotError(p, describeErrno(e));
  }
  if (isDir) {
    const { manifest, probes, results, transcript } = readSnapshotDir(p);
    const r = readEvidence(evidenceFromProbes(probes, results));
    r.facts.formats.unshift('snapshot');
    return { ...r, kind: 'snapshot', name: p, manifest, probes: { probes, results }, ...(transcript ? { transcript: new TranscriptIndex(transcript, `capture ${p}`) } : {}) };
  }
  return { ...readEvidence(evidenceFromFile(p)), kind: 'snapshot', name: p, manifest: null, probes: null };
}

/** A machine read through the seam, as it is now. */
export function readMachine(ki: KernelInterface, kind: 'linux' | 'emulated-linux', name: string): SourceReading {
  const { probes, results } = runProbes(ki);
  return { ...readEvidence(evidenceFromProbes(probes, results)), kind, name, manifest: null, probes: { probes, results } };
}
