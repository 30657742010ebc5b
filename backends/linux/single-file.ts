/**
 * One pasted file as a minimal snapshot: a kernel log (dmesg, a serial console, lines typed by
 * hand), canonical's system report, a CPU flags list or lscpu output, a sysfs dump, or a shell
 * transcript of TDX-relevant commands. What the file is, is recognised from its content, never
 * from its name. A file with none of these is an error, not an empty capture.
 */
import { parseKernelLog, splitLines } from '../common/kernel-log';
import { kmsgToLines } from './log-sources';
import { decodeText, INPUT_LIMITS, InputError, readInputFile, type DecodedText } from '../common/read-input';
import { emptyEvidence, mergeEvidence, type Evidence } from './evidence';
import { parseBareFlags, parseLscpu, parseProcCpuinfo } from './parse/cpuinfo';
import { looksLikeKernelLine, parseBootLines } from './parse/boot-lines';
import { parseModuleInfoDump } from './parse/sysfs';
import { parseSystemReport } from './parse/system-report';
import { parseTranscript } from './parse/transcript';
import { SnapshotError } from './snapshot';

/** A /dev/kmsg record's first line: "<level>,<seq>,<usec>,<flag>[,...];" (see log-sources.ts). */
const KMSG_RECORD = /^\d+,\d+,\d+,[-c][^;]*;/;

/** The whitespace every non-empty line starts with (a log pasted into a mail or a markdown block). */
function commonIndent(text: string): string {
  let indent: string | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const own = /^[ \t]*/.exec(line)![0];
    if (indent === null) indent = own;
    else {
      let n = 0;
      while (n < indent.length && n < own.length && indent[n] === own[n]) n++;
      indent = indent.slice(0, n);
    }
    if (indent === '') return '';
  }
  return indent ?? '';
}

export function evidenceFromText(text: string, label: string): Evidence {
  const ev = emptyEvidence();
  if (text.trim() === '') throw new SnapshotError(label, 'empty file: nothing to read');
  text = text.replace(/\r\n/g, '\n');
  const indent = commonIndent(text);
  if (indent !== '') {
    text = text.split('\n').map((l) => l.slice(indent.length)).join('\n');
    ev.notes.push(`warning: every line was indented by the same ${indent.length} character(s); that indentation is removed before reading`);
  }
  let lines = splitLines(text);
  // A dump of /dev/kmsg (`cat /dev/kmsg`): its records become dmesg lines.
  const records = lines.filter((l) => KMSG_RECORD.test(l)).length;
  if (records > 0 && records === lines.filter((l) => l !== '' && !l.startsWith(' ')).length) lines = kmsgToLines([lines.join('\n')]);

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
    mergeEvidence(ev, { formats: ['kernel-log'], log: { lines, source: label, excerpt: !whole, lastLineCut: !text.endsWith('\n') } });
  }
  if (ev.formats.length === 0) {
    throw new SnapshotError(label, 'not a kernel log: no kernel log line, TDX message or other capture this tool reads (system report, cpuinfo, lscpu, sysfs dump, shell transcript)');
  }
  return ev;
}

/** A file read with a size limit, never blocking; NUL bytes and invalid UTF-8 replaced with a warning. */
export function evidenceFromFile(path: string): Evidence {
  let decoded: DecodedText;
  try {
    decoded = decodeText(readInputFile(path, INPUT_LIMITS.capture), path);
  } catch (e) {
    if (e instanceof InputError) throw new SnapshotError(path, e.problem);
    throw e;
  }
  if (decoded.text.length === 0) throw new SnapshotError(path, 'empty file: nothing to read');
  const ev = evidenceFromText(decoded.text, path);
  ev.notes.push(...decoded.warnings.map((w) => `warning: ${w}`));
  return ev;
}
