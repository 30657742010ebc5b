/**
 * The kernel log arrives in three shapes; all become dmesg-style lines ("[    4.567890] text"),
 * the shape the shared parser and the captures in issue threads have.
 *  - dmesg: already that shape.
 *  - /dev/kmsg records (devkmsg_read(), kernel/printk/printk.c, v6.16.1):
 *    "%u,%llu,%llu,%c[,caller=T<pid>|C<cpu>];text\n" (level and facility, sequence number,
 *    microseconds since boot, '-' or 'c' for a continuation), then " KEY=value" lines. The text
 *    has every byte below ' ', from 127 up, and '\' escaped as "\xNN"; a record of several lines
 *    carries them as "\x0a", and each becomes a line with the record's time, as the console
 *    prints them.
 *  - journalctl -k in any short format ("<stamp> <host> kernel: text"): the kernel's time is kept
 *    where the format has it (short-monotonic, short-delta), otherwise the line has none.
 */
import { journalLine } from '../common/kernel-log';

const stamp = (usec: bigint): string => {
  const s = usec / 1_000_000n;
  const us = usec % 1_000_000n;
  return `[${s.toString().padStart(5, ' ')}.${us.toString().padStart(6, '0')}]`;
};

/** The bytes "\xNN" stand for, with the text between them, read as the UTF-8 they are. */
function unescapeKmsg(s: string): string {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(/\\x([0-9a-fA-F]{2})/g)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[1], 16)]));
    last = m.index! + m[0].length;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

const RECORD = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;

export function kmsgToLines(records: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    for (const rec of r.split('\n')) {
      if (rec === '' || rec.startsWith(' ')) continue; // dictionary continuation
      const m = RECORD.exec(rec);
      if (!m) continue;
      const text = unescapeKmsg(m[4]);
      for (const line of text.split('\n')) out.push(`${stamp(BigInt(m[3]))} ${line}`);
    }
  }
  return out;
}

export function journalToLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const j = journalLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (!j) continue;
    out.push(j.stamp === null ? j.text : `${j.stamp} ${j.text}`);
  }
  return out;
}
