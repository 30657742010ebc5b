/**
 * Dialect-tolerant recognition of kernel log lines against the message catalogue.
 *
 * Accepts: `[  12.345678] ` timestamps or none (hand-typed lines), printk caller ids
 * (`[    T0] `), syslog levels (`<6>`), the `[..] ` placeholder of documentation examples, every
 * prefix a subsystem has used, and every wording variant in the catalogue. A line cut short
 * (truncated capture), anywhere in its words or values, that is the beginning of one or more
 * messages is reported as `partial` with the candidates, never resolved to one of them. Never
 * throws.
 */
import { MESSAGES, SUBSYSTEM_PREFIXES, type MessageId } from '../../spec/kernel/printk';
import type { LogEvent } from '../host-facet';

export type { LogEvent } from '../host-facet';

export interface PartialEvent {
  candidates: MessageId[];
  line: number;
  text: string;
}

export interface ParsedLog {
  events: LogEvent[];
  partial: PartialEvent[];
}

interface Pattern {
  id: MessageId;
  variant: string;
  prefix: string;
  regex: RegExp;
  /** Conversion letter of each capture group (x, d, u, s, ...). */
  types: string[];
  /** Literal text before the first conversion (the index of the patterns). */
  literalHead: string;
  /** Matches every proper beginning of the message after its prefix: a line cut short. */
  cut: RegExp;
}

const CONVERSION = /%(?:%|[-#0 +]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|t|j)?[diuxXsc])/g;

/** Flags and width of a conversion: padding with spaces is read as part of the value's field. */
function padding(spec: string): { before: string; after: string } {
  // A CONVERSION match always starts with "%": the regex always matches.
  const [, flags, width] = /^%([-#0 +]*)(\d*)/.exec(spec)!;
  const type = spec[spec.length - 1];
  if (!width) return { before: '', after: '' };
  if (flags.includes('-')) return { before: '', after: ' *' };
  return { before: flags.includes('0') && type !== 's' && type !== 'c' ? '' : ' *', after: '' };
}

function conversionPattern(spec: string): string {
  if (spec === '%%') return '%';
  const type = spec[spec.length - 1];
  const { before, after } = padding(spec);
  let core = '(-?\\d+)';
  if (type === 's') core = '(.*?)';
  else if (type === 'c') core = '(.)';
  else if (type === 'x' || type === 'X') core = '((?:0[xX])?[0-9a-fA-F]+)';
  return before + core + after;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What a conversion prints, cut anywhere (possibly before its first character). */
function conversionPrefix(spec: string): string {
  if (spec === '%%') return '';
  const type = spec[spec.length - 1];
  const { before, after } = padding(spec);
  if (type === 's') return '.*';
  if (type === 'c') return `${before}(?:.${after})?`;
  if (type === 'x' || type === 'X') return `${before}(?:(?:0[xX]?)?[0-9a-fA-F]*${after})?`;
  return `${before}(?:-?\\d*${after})?`;
}

/**
 * A regex source matching every proper beginning of what `format` prints: each character or
 * conversion in turn, the last one possibly cut. Built from the end: beginning(i) is unit i cut,
 * or unit i whole followed by beginning(i + 1).
 */
export function formatToCutRegexSource(format: string): string {
  const units: { whole: string; cut: string }[] = [];
  let last = 0;
  for (const m of format.matchAll(CONVERSION)) {
    for (const ch of format.slice(last, m.index)) units.push({ whole: escape(ch), cut: '' });
    // Stryker disable next-line Regex: the cut pattern is only ever test()ed: whether its groups capture changes nothing (the unanchored mutant survives, equivalent)
    units.push({ whole: conversionPattern(m[0]).replace(/^\((?!\?)/, '(?:'), cut: conversionPrefix(m[0]) });
    last = (m.index ?? 0) + m[0].length;
  }
  for (const ch of format.slice(last)) units.push({ whole: escape(ch), cut: '' });
  let src = '';
  for (let i = units.length - 1; i >= 0; i--) {
    const u = units[i];
    src = i === units.length - 1 ? u.cut : `(?:${u.whole}${src}|${u.cut})`;
  }
  return src;
}

export function formatToRegexSource(format: string): string {
  let out = '';
  let last = 0;
  for (const m of format.matchAll(CONVERSION)) {
    out += escape(format.slice(last, m.index)) + conversionPattern(m[0]);
    last = (m.index ?? 0) + m[0].length;
  }
  return out + escape(format.slice(last));
}

let patterns: Pattern[] | null = null;

function allPatterns(): Pattern[] {
  // Stryker disable next-line ConditionalExpression: a cache: the never-cached mutant rebuilds the same list (equivalent)
  if (patterns) return patterns;
  patterns = [];
  for (const [id, spec] of Object.entries(MESSAGES) as [MessageId, (typeof MESSAGES)[MessageId]][]) {
    for (const [variant, format] of Object.entries(spec.variants)) {
      for (const prefix of SUBSYSTEM_PREFIXES[spec.subsystem]) {
        const body = formatToRegexSource(format);
        const head = format.split('%')[0];
        const types = [...format.matchAll(CONVERSION)].map((m) => m[0]).filter((c) => c !== '%%').map((c) => c[c.length - 1]);
        patterns.push({
          id, variant, prefix, types,
          regex: new RegExp('^' + escape(prefix) + body + '\\s*$'),
          literalHead: prefix + head,
          cut: new RegExp('^' + formatToCutRegexSource(format) + '$'),
        });
      }
    }
  }
  // Longer prefixes first so `virt/tdx: ` wins over a bare match.
  patterns.sort((a, b) => b.prefix.length - a.prefix.length);
  return patterns;
}

/**
 * Every match starts with its pattern's literal head, so a line is only tried against the
 * patterns whose head starts like it: an index on the first KEY characters of the heads (shorter
 * heads are tried on every line). Lists keep the catalogue order, so the first match still wins.
 */
const KEY = 6;
let index: { byKey: Map<string, Pattern[]>; short: Pattern[]; prefixes: string[] } | null = null;

function patternIndex(): NonNullable<typeof index> {
  // Stryker disable next-line ConditionalExpression: a cache: the never-cached mutant rebuilds the same index (equivalent)
  if (index) return index;
  const all = allPatterns();
  // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator: a fast path: a pattern only matches a line that starts with its literal head, so the mutants that lengthen this list (same order) find the same first match (equivalent)
  const short = all.filter((p) => p.literalHead.length < KEY);
  const keys = new Set(all.filter((p) => p.literalHead.length >= KEY).map((p) => p.literalHead.slice(0, KEY)));
  const byKey = new Map<string, Pattern[]>();
  for (const k of keys) byKey.set(k, all.filter((p) => p.literalHead.length < KEY || p.literalHead.startsWith(k)));
  // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator,StringLiteral: a fast path: the mutants that let '' in make every line pass the check in matchLine, whose loop then skips what it would have (equivalent)
  const prefixes = [...new Set(all.map((p) => p.prefix).filter((x) => x !== ''))];
  index = { byKey, short, prefixes };
  return index;
}

/*
 * What may precede the message text, outermost first (the kernel's own prefix is
 * info_print_prefix() in kernel/printk/printk.c, read at v6.16.1; the rest is util-linux dmesg's
 * print_record() and journalctl's short output formats):
 *  - dmesg -x: "%-6s:%-6s: " facility and level names ("kern  :info  : ");
 *  - the syslog level "<%u>" (/proc/kmsg, syslog(2), `dmesg -r`);
 *  - journalctl -k: "<stamp> <host> kernel: ", the stamp in any short format (short, -precise,
 *    -iso, -iso-precise, -full, -unix, -monotonic, -delta);
 *  - the time: the kernel's "[%5lu.%06lu]" (dmesg -d adds " <%12.06f>"), or dmesg's wall-clock
 *    forms, which carry no kernel time: -T "[%a %b %e %H:%M:%S %Y]", -H/-e "[%b%d %H:%M]" and
 *    "[  %+8.06f]", -d alone "[<%12.06f>]", --time-format iso "%Y-%m-%dT%H:%M:%S,%06u%z";
 *  - the printk caller id (CONFIG_PRINTK_CALLER): "[%6s]" of "T<pid>" or "C<cpu>", right after
 *    the kernel's time, after "] " in dmesg's output (printed "[%*s] " with the width of pid_max),
 *    or alone when printk.time is off;
 *  - one space.
 */
const DMESG_DECODE = /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|res0|res1|res2|res3|local[0-7]) *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: /;
const SYSLOG_LEVEL = /^<\d+>/;
const DELTA = ' <\\s*[-+]?\\d+\\.\\d+>';
const TIMESTAMP = new RegExp(`^\\[\\s*(\\d+)\\.(\\d+)(?:${DELTA})?\\]\\s?`);
const DOC_TIMESTAMP = /^\[\.\.\]\s?/;
const WALL_CLOCK = new RegExp(
  '^(?:\\[(?:[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}(?:' + DELTA + ')?|<\\s*[-+]?\\d+\\.\\d+>|[A-Z][a-z]{2}\\d\\d \\d\\d:\\d\\d|\\s*[-+]\\d+\\.\\d+)\\]' +
  '|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d+[-+]\\d\\d:?\\d\\d)\\s?');
const CALLER_ID = /^\[\s*[TC]\d+\]\s?/;
const JOURNAL = new RegExp(
  '^(?:\\[\\s*(\\d+)\\.(\\d+)(?:' + DELTA + ')?\\]' + // short-monotonic, short-delta
  '|[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?' + // short, short-precise
  '|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:[.,]\\d+)?(?:Z|[-+]\\d\\d:?\\d\\d)?' + // short-iso, short-iso-precise
  '|[A-Z][a-z]{2} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\S+' + // short-full
  '|\\d+\\.\\d+' + // short-unix
  ') \\S+ kernel: ');

export interface LinePrefix {
  text: string;
  /** Seconds since boot, when the prefix has the kernel's time. */
  time: number | null;
  /** The prefix shows the line came from the kernel log (a time, level, caller id or journal tag). */
  kernel: boolean;
}

/**
 * A journalctl -k line in a short format: the text, and the kernel's time where the format shows
 * it (short-monotonic, short-delta), also as the kernel's own "[%5lu.%06lu]" stamp.
 */
export function journalLine(raw: string): { time: number | null; stamp: string | null; text: string } | null {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path: the never-returning mutants leave it to JOURNAL, which requires " kernel: " too (equivalent)
  if (!raw.includes(' kernel: ')) return null;
  const m = JOURNAL.exec(raw);
  if (!m) return null;
  const timed = m[1] !== undefined;
  return { time: timed ? Number(`${m[1]}.${m[2]}`) : null, stamp: timed ? `[${m[1].padStart(5, ' ')}.${m[2]}]` : null, text: raw.slice(m[0].length) };
}

/** Strip what precedes the message text: decoding, level, journal stamp, time, caller id. */
export function stripLinePrefix(raw: string): LinePrefix {
  // Most lines of a large log start with '[' or '<': one comparison each decides what to try.
  let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  let kernel = false;
  let time: number | null = null;
  const strip = (re: RegExp): RegExpExecArray | null => {
    const m = re.exec(text);
    if (m) {
      text = text.slice(m[0].length);
      kernel = true;
    }
    return m;
  };
  const first = (): number => text.charCodeAt(0);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: a fast path: the always-true mutants leave it to DMESG_DECODE, anchored at a facility name (equivalent)
  if (first() >= 0x61 && first() <= 0x7a) strip(DMESG_DECODE);
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path: the always-true mutants leave it to SYSLOG_LEVEL, anchored at "<" (equivalent)
  if (text.startsWith('<')) strip(SYSLOG_LEVEL);
  const j = journalLine(text);
  if (j) return { text: j.text.trimStart(), time: j.time, kernel: true };
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path: the always-true mutants leave it to TIMESTAMP, DOC_TIMESTAMP and WALL_CLOCK's bracketed forms, anchored at "[", and WALL_CLOCK's ISO form matches only a line the else branch tries it on (equivalent)
  if (text.startsWith('[')) {
    const ts = strip(TIMESTAMP);
    if (ts) time = Number(`${ts[1]}.${ts[2]}`);
    else if (!strip(WALL_CLOCK)) text = text.replace(DOC_TIMESTAMP, '');
  } else if (first() >= 0x30 && first() <= 0x39) {
    strip(WALL_CLOCK);
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path: the always-true mutants leave it to CALLER_ID, anchored at "[" (equivalent)
  if (text.startsWith('[')) strip(CALLER_ID);
  return { text: text.trimStart(), time, kernel };
}

export function matchLine(raw: string, line = 0): LogEvent | PartialEvent | null {
  const { text, time } = stripLinePrefix(raw);
  // Stryker disable next-line ConditionalExpression: a fast path: the never-returning mutant finds no pattern matching an empty text and no prefix beginning it (equivalent)
  if (text.length === 0) return null;
  const idx = patternIndex();
  for (const p of idx.byKey.get(text.slice(0, KEY)) ?? idx.short) {
    const m = p.regex.exec(text);
    if (m) {
      const args = m.slice(1);
      return { id: p.id, variant: p.variant, args, values: args.map((a, i) => typedValue(a, p.types[i])), prefix: p.prefix, time, line, text };
    }
  }
  // A line cut short: it carries a subsystem prefix and what follows is the beginning of some
  // message, cut anywhere (in its words or in a value).
  // Stryker disable next-line ConditionalExpression: a fast path: the never-returning mutant runs the loop below, which skips every pattern whose prefix the text does not start with (equivalent)
  if (!idx.prefixes.some((x) => text.startsWith(x))) return null;
  const candidates = new Set<MessageId>();
  for (const p of allPatterns()) {
    if (p.prefix === '' || text.length <= p.prefix.length || !text.startsWith(p.prefix)) continue;
    if (p.cut.test(text.slice(p.prefix.length))) candidates.add(p.id);
  }
  if (candidates.size > 0) return { candidates: [...candidates].sort(), line, text };
  return null;
}

/** The value a conversion's text stands for: a number (hex for %x and %X, with or without 0x), or the text of %s and %c. */
export function typedValue(text: string, type: string): bigint | string {
  if (type === 'x' || type === 'X') return BigInt(/^0x/i.test(text) ? `0x${text.slice(2)}` : `0x${text}`);
  if (type === 's' || type === 'c') return text;
  return BigInt(text);
}

export function parseKernelLog(lines: readonly string[]): ParsedLog {
  const events: LogEvent[] = [];
  const partial: PartialEvent[] = [];
  lines.forEach((raw, i) => {
    const r = matchLine(raw, i);
    if (!r) return;
    if ('id' in r) events.push(r);
    else partial.push(r);
  });
  return { events, partial };
}

/**
 * Parse a whole log text. A final line without its newline may have been cut (truncated capture):
 * whatever it seems to say is reported as partial, never as a fact.
 */
export function parseKernelText(text: string): ParsedLog & { lastLineCut: boolean } {
  const lines = splitLines(text);
  const parsed = parseKernelLog(lines);
  const lastLineCut = text.length > 0 && !text.endsWith('\n');
  if (lastLineCut) demoteLine(parsed, lines.length - 1);
  return { ...parsed, lastLineCut };
}

/** A line that may have been cut: whatever it seems to say becomes partial, never a fact. */
export function demoteLine(parsed: ParsedLog, line: number): void {
  const cut = parsed.events.filter((e) => e.line === line);
  parsed.events = parsed.events.filter((e) => e.line !== line);
  for (const e of cut) parsed.partial.push({ candidates: [e.id], line: e.line, text: e.text });
}

/** Split a text blob into lines the way a log reader would (no trailing empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n'); // never empty: split gives at least one string
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * printk-style formatting of one catalogue message, for models that print it, as the kernel's
 * vsprintf() does for these conversions: the width counts a sign and a "0x" prefix, zero padding
 * goes after them, "-" pads on the right (and wins over "0"), and "%#x" of 0 is "0x0".
 */
export function formatMessage(format: string, args: readonly (number | bigint | string)[]): string {
  let i = 0;
  return format.replace(CONVERSION, (spec) => {
    if (spec === '%%') return '%';
    const v = args[i++];
    const type = spec[spec.length - 1];
    const flags = /^%([-#0 +]*)(\d*)/.exec(spec)!;
    const width = flags[2] ? Number(flags[2]) : 0;
    const left = flags[1].includes('-');
    const zero = flags[1].includes('0') && !left && type !== 's' && type !== 'c';
    let head = '';
    let body: string;
    if (type === 's' || type === 'c') body = String(v);
    else if (type === 'x' || type === 'X') {
      const n = BigInt(v as number | bigint);
      body = (n < 0n ? (n + (1n << 64n)) : n).toString(16);
      if (type === 'X') body = body.toUpperCase();
      if (flags[1].includes('#')) head = type === 'X' ? '0X' : '0x';
    } else if (typeof v === 'number' && !Number.isInteger(v)) {
      body = String(v);
    } else {
      const n = BigInt(v);
      if (n < 0n) head = '-';
      body = (n < 0n ? -n : n).toString();
    }
    const pad = Math.max(0, width - head.length - body.length);
    if (left) return head + body + ' '.repeat(pad);
    return zero ? head + '0'.repeat(pad) + body : ' '.repeat(pad) + head + body;
  });
}
