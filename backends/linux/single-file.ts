/**
 * One pasted file as a minimal snapshot: a kernel log (dmesg, a serial console, lines typed by
 * hand), canonical's system report, a CPU flags list or lscpu output, a sysfs dump, or a shell
 * transcript of TDX-relevant commands. What the file is, is recognised from its content, never
 * from its name. A file with none of these is an error, not an empty capture.
 */
import { readFileSync, statSync } from 'node:fs';
import { parseKernelLog, splitLines } from '../common/kernel-log';
import { emptyEvidence, mergeEvidence, type Evidence } from './evidence';
import { parseBareFlags, parseLscpu, parseProcCpuinfo } from './parse/cpuinfo';
import { looksLikeKernelLine, parseBootLines } from './parse/boot-lines';
import { parseModuleInfoDump } from './parse/sysfs';
import { parseSystemReport } from './parse/system-report';
import { parseTranscript } from './parse/transcript';
import { SnapshotError } from './snapshot';

/** NUL bytes, or invalid UTF-8 in more than a few places, mean this is not text. */
function isBinary(buf: Buffer): boolean {
  if (buf.includes(0)) return true;
  const text = buf.toString('utf8');
  const bad = (text.match(/\uFFFD/g) ?? []).length;
  return bad > 4 && bad / Math.max(1, text.length) > 0.01;
}

export function evidenceFromText(text: string, label: string): Evidence {
  const ev = emptyEvidence();
  if (text.trim() === '') throw new SnapshotError(label, 'empty file: nothing to read');
  const lines = splitLines(text.replace(/\r\n/g, '\n'));

  const report = parseSystemReport(text);
  if (report) {
    mergeEvidence(ev, report);
    return ev;
  }
  if (lines.filter((l) => /^---\s*$/.test(l)).length > 0 && lines.some(looksLikeKernelLine)) {
    throw new SnapshotError(label, "holds several logs separated by '---' lines; inspect one log at a time");
  }

  const transcript = parseTranscript(text);
  if (transcript) mergeEvidence(ev, transcript);
  const dump = parseModuleInfoDump(text);
  if (dump) mergeEvidence(ev, { formats: ['sysfs-dump'], sysfsModule: dump });

  const pc = parseProcCpuinfo(text, label);
  const pl = pc ? null : parseLscpu(text, label);
  const bare = pc || pl ? null : parseBareFlags(text, label);
  if (pc) mergeEvidence(ev, { formats: ['cpuinfo'], cpuFlags: pc.flags, cpu: pc.cpu });
  else if (pl) mergeEvidence(ev, { formats: ['lscpu'], cpuFlags: pl.flags, cpu: pl.cpu });
  else if (bare) {
    mergeEvidence(ev, {
      formats: ['cpu-flags'], cpuFlags: bare.flags,
      notes: [`warning: the flags list stands alone, so it may be cut: its last word "${bare.cutToken}" is set aside and a missing flag is not taken as absent`],
    });
  }

  // Whatever else the file holds, kernel log lines are read as a kernel log.
  const parsed = parseKernelLog(lines);
  const boot = parseBootLines(lines);
  const isLog = parsed.events.length > 0 || parsed.partial.length > 0 || boot.kernelLines > 0;
  if (isLog && !report && !pc && !pl && !bare) {
    const whole = boot.startsAtBoot && boot.release !== null;
    mergeEvidence(ev, { formats: ['kernel-log'], log: { lines, source: label, excerpt: !whole } });
  }
  if (ev.formats.length === 0) {
    throw new SnapshotError(label, 'not a kernel log: no kernel log line, TDX message or other capture this tool reads (system report, cpuinfo, lscpu, sysfs dump, shell transcript)');
  }
  return ev;
}

export function evidenceFromFile(path: string): Evidence {
  let buf: Buffer;
  try {
    if (!statSync(path).isFile()) throw new SnapshotError(path, 'not a regular file');
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof SnapshotError) throw e;
    throw new SnapshotError(path, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message);
  }
  if (buf.length === 0) throw new SnapshotError(path, 'empty file: nothing to read');
  if (isBinary(buf)) throw new SnapshotError(path, 'binary file: expected text (a kernel log, a system report, or a snapshot directory)');
  return evidenceFromText(buf.toString('utf8'), path);
}
