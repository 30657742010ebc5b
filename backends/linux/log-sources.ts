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

const RECORD = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;

export function kmsgToLines(records: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    for (const rec of r.split('\n')) {
      if (rec === '' || rec.startsWith(' ')) continue; // dictionary continuation
      const m = RECORD.exec(rec);
      if (!m) continue;
      const text = m[4].replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
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
