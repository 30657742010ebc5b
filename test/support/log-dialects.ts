/**
 * The shapes one kernel log record takes on its way into a capture, rendered from the formats
 * that print them, for the parser tests and test/fixtures/synthetic/dialects/:
 *  - the kernel itself (info_print_prefix(), kernel/printk/printk.c at v6.16.1): "<%u>" when read
 *    through syslog(2) or /proc/kmsg, "[%5lu.%06lu]" with printk.time, "[%6s]" of "T<pid>" or
 *    "C<cpu>" with CONFIG_PRINTK_CALLER (printk_caller_id(): a task's pid, or 0x80000000 + the
 *    CPU outside task context), then a space when either of the last two is on;
 *  - /dev/kmsg (info_print_ext_header(), msg_add_ext_text()): "%u,%llu,%llu,%c[,caller=%c%u];",
 *    the text with bytes below ' ', from 127 up and '\' as "\xNN", "\n", then " KEY=value" lines;
 *  - util-linux dmesg (print_record()): "%-6s:%-6s: " with -x, one of its time formats, then
 *    "[%*s] " for the caller id; -r prints the kernel's "<%d>[%5ld.%06ld] ";
 *  - journalctl -k, in its short output formats: "<stamp> <host> kernel: <text>".
 * Nothing here is a capture: these are the formats, applied to records the tests choose.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';

export interface LogRecord {
  text: string;
  /** Microseconds since boot. */
  usec: bigint;
  /** Syslog level 0-7 and facility (0 for the kernel). */
  level: number;
  facility?: number;
  seq?: number;
  caller?: { kind: 'T' | 'C'; id: number };
}

const pad = (s: string | number | bigint, n: number, c = ' '): string => String(s).padStart(n, c);
const kernelTime = (usec: bigint): string => `[${pad(usec / 1_000_000n, 5)}.${pad(usec % 1_000_000n, 6, '0')}]`;
const faclev = (r: LogRecord): number => ((r.facility ?? 0) << 3) | r.level;
const callerId = (r: LogRecord): string => (r.caller ? `${r.caller.kind}${r.caller.id}` : 'T0');

export interface KernelOptions {
  syslog?: boolean;
  time?: boolean;
  /** CONFIG_PRINTK_CALLER. */
  caller?: boolean;
}

/** What the console, the serial port, syslog(2) and /proc/kmsg show. */
export function kernelLine(r: LogRecord, o: KernelOptions): string {
  let p = o.syslog ? `<${faclev(r)}>` : '';
  if (o.time) p += kernelTime(r.usec);
  if (o.caller) p += `[${pad(callerId(r), 6)}]`;
  if (o.caller || o.time) p += ' ';
  return p + r.text;
}

/** One /dev/kmsg record, as read(2) returns it. */
export function kmsgRecord(r: LogRecord, dict: Record<string, string> = {}): string {
  const esc = (s: string): string => [...Buffer.from(s, 'utf8')].map((c) => (c < 0x20 || c >= 0x7f || c === 0x5c ? `\\x${c.toString(16).padStart(2, '0')}` : String.fromCharCode(c))).join('');
  const caller = r.caller ? `,caller=${callerId(r)}` : '';
  const dictLines = Object.entries(dict).map(([k, v]) => ` ${esc(k)}=${esc(v)}\n`).join('');
  return `${faclev(r)},${r.seq ?? 0},${r.usec},-${caller};${esc(r.text)}\n${dictLines}`;
}

export type DmesgTime = 'time' | 'notime' | 'delta-time' | 'delta' | 'ctime' | 'ctime-delta' | 'reltime' | 'reltime-delta' | 'iso';

export interface DmesgOptions {
  time: DmesgTime;
  decode?: boolean;
  /** Width of the caller id column (util-linux: from pid_max); absent: the kernel gave none. */
  callerWidth?: number;
  /** Seconds since the epoch at boot, for the wall-clock formats. */
  bootEpoch?: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp'];
const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

function wall(r: LogRecord, bootEpoch: number): Date {
  return new Date(bootEpoch * 1000 + Number(r.usec / 1000n));
}
const two = (n: number): string => pad(n, 2, '0');
/** strftime "%a %b %e %H:%M:%S %Y" in UTC. */
const ctime = (d: Date): string => `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
const delta = (d: number): string => pad(d.toFixed(6), 12);

/** util-linux dmesg's line for one record; `prevUsec` is the record before (for the deltas). */
export function dmesgLine(r: LogRecord, o: DmesgOptions, prevUsec: bigint | null = null): string {
  const boot = o.bootEpoch ?? 1_717_000_000;
  const d = prevUsec === null ? 0 : Number(r.usec - prevUsec) / 1e6;
  const when = wall(r, boot);
  let out = o.decode ? `${(FACILITIES[r.facility ?? 0] ?? 'kern').padEnd(6)}:${LEVELS[r.level].padEnd(6)}: ` : '';
  switch (o.time) {
    case 'time': out += `${kernelTime(r.usec)} `; break;
    case 'notime': break;
    case 'delta-time': out += `[${pad(r.usec / 1_000_000n, 5)}.${pad(r.usec % 1_000_000n, 6, '0')} <${delta(d)}>] `; break;
    case 'delta': out += `[<${delta(d)}>] `; break;
    case 'ctime': out += `[${ctime(when)}] `; break;
    case 'ctime-delta': out += `[${ctime(when)} <${delta(d)}>] `; break;
    case 'reltime': out += `[${MONTHS[when.getUTCMonth()]}${two(when.getUTCDate())} ${two(when.getUTCHours())}:${two(when.getUTCMinutes())}] `; break;
    case 'reltime-delta': {
      const v = (d >= 0 ? '+' : '') + d.toFixed(6); // %+8.06f below 10 s, %+9.06f from there
      out += d < 10 ? `[  ${v.padStart(8)}] ` : `[ ${v.padStart(9)}] `;
      break;
    }
    case 'iso': {
      const us = pad(Number(r.usec % 1_000_000n), 6, '0');
      out += `${when.toISOString().slice(0, 19)},${us}+00:00 `;
      break;
    }
  }
  if (o.callerWidth !== undefined && r.caller) out += `[${pad(callerId(r), o.callerWidth)}] `;
  return out + r.text;
}

/** `dmesg -r`: the syslog priority and the kernel's time, then the caller id if any. */
export function dmesgRawLine(r: LogRecord, callerWidth?: number): string {
  const caller = callerWidth !== undefined && r.caller ? `[${pad(callerId(r), callerWidth)}] ` : '';
  return `<${faclev(r)}>${kernelTime(r.usec)} ${caller}${r.text}`;
}

export type JournalFormat = 'short' | 'short-precise' | 'short-iso' | 'short-iso-precise' | 'short-full' | 'short-monotonic' | 'short-delta' | 'short-unix';

/** `journalctl -k -o <format>` for one record (journald keeps the text, not the caller id). */
export function journalLine(r: LogRecord, format: JournalFormat, host = 'host1', prevUsec: bigint | null = null, bootEpoch = 1_717_000_000): string {
  const when = wall(r, bootEpoch);
  const us = pad(Number(r.usec % 1_000_000n), 6, '0');
  const hms = `${two(when.getUTCHours())}:${two(when.getUTCMinutes())}:${two(when.getUTCSeconds())}`;
  const ymd = when.toISOString().slice(0, 10);
  let stamp: string;
  switch (format) {
    case 'short': stamp = `${MONTHS[when.getUTCMonth()]} ${two(when.getUTCDate())} ${hms}`; break;
    case 'short-precise': stamp = `${MONTHS[when.getUTCMonth()]} ${two(when.getUTCDate())} ${hms}.${us}`; break;
    case 'short-iso': stamp = `${ymd}T${hms}+00:00`; break;
    case 'short-iso-precise': stamp = `${ymd}T${hms}.${us}+00:00`; break;
    case 'short-full': stamp = `${DAYS[when.getUTCDay()]} ${ymd} ${hms} UTC`; break;
    case 'short-monotonic': stamp = kernelTime(r.usec); break;
    case 'short-delta': stamp = `[${pad(r.usec / 1_000_000n, 5)}.${pad(r.usec % 1_000_000n, 6, '0')} <${delta(prevUsec === null ? 0 : Number(r.usec - prevUsec) / 1e6)}>]`; break;
    case 'short-unix': stamp = `${Math.floor(when.getTime() / 1000)}.${us}`; break;
  }
  return `${stamp} ${host} kernel: ${r.text}`;
}

/** Records of a dmesg-style capture ("[    1.234567] text" lines), for rendering in other dialects. */
export function recordsOf(lines: readonly string[]): LogRecord[] {
  let last = 0n;
  return lines.map((l, i) => {
    const m = /^\[\s*(\d+)\.(\d{6})\] ?(.*)$/.exec(l);
    if (m) last = BigInt(m[1]) * 1_000_000n + BigInt(m[2]);
    // Kernel context for boot lines, a task for the rest (the ids are made up: the captures have none).
    return { text: m ? m[3] : l, usec: last, level: 6, seq: i, caller: i % 3 === 2 ? { kind: 'C', id: i % 8 } : { kind: 'T', id: i < 5 ? 0 : 1 } };
  });
}

/** The real capture the dialect fixtures re-render. */
export const DIALECT_SOURCE = 'host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg';

/** test/fixtures/synthetic/dialects/<name>: DIALECT_SOURCE in each dialect. */
export const DIALECT_FIXTURES: Record<string, (r: LogRecord, prev: bigint | null) => string> = {
  'console-caller-ids.log': (r) => kernelLine(r, { time: true, caller: true }),
  'syslog-caller-ids.log': (r) => kernelLine(r, { syslog: true, time: true, caller: true }),
  'notime-caller-ids.log': (r) => kernelLine(r, { caller: true }),
  'dmesg-caller-ids.log': (r) => dmesgLine(r, { time: 'time', callerWidth: 8 }),
  'dmesg-raw.log': (r) => dmesgRawLine(r),
  'dmesg-decode.log': (r) => dmesgLine(r, { time: 'time', decode: true }),
  'dmesg-ctime.log': (r) => dmesgLine(r, { time: 'ctime' }),
  'dmesg-iso.log': (r) => dmesgLine(r, { time: 'iso' }),
  'dmesg-delta.log': (r, prev) => dmesgLine(r, { time: 'delta-time' }, prev),
  'dmesg-human.log': (r, prev) => dmesgLine(r, { time: prev === null || r.usec - prev > 1_000_000n ? 'reltime' : 'reltime-delta' }, prev),
  'dmesg-notime.log': (r) => dmesgLine(r, { time: 'notime' }),
  'journalctl-short.log': (r) => journalLine(r, 'short'),
  'journalctl-short-monotonic.log': (r) => journalLine(r, 'short-monotonic'),
  'journalctl-short-iso-precise.log': (r) => journalLine(r, 'short-iso-precise'),
  'journalctl-short-full.log': (r) => journalLine(r, 'short-full'),
  'kmsg-records.txt': (r) => kmsgRecord(r).slice(0, -1),
};

export function renderFixture(name: string): string {
  const lines = readFileSync(join(PROJECT_ROOT, 'test/fixtures/real', DIALECT_SOURCE), 'utf8').split('\n').filter(Boolean);
  const recs = recordsOf(lines);
  return recs.map((r, i) => DIALECT_FIXTURES[name](r, i ? recs[i - 1].usec : null)).join('\n') + '\n';
}
