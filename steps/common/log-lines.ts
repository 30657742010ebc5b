/**
 * Reading a kernel log line against the wording a feature file states. The oracle's own reading of
 * printk output, written apart from the backends' parsers on purpose: the parsers recognise lines
 * by the model's message catalogue (spec/kernel/printk.ts), and a wording checked with the table
 * that printed it would be right on both sides. Here the expected wording comes from the feature,
 * and nothing but the framing of a log line (level, timestamp, caller id) is assumed.
 */

/** A log line without its framing: a syslog level `<6>`, a timestamp `[   12.345678]`, a caller id `[    T1]`. */
export function messageText(raw: string): string {
  let t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  t = t.replace(/^<\d+>/, '');
  t = t.replace(/^\[\s*\d+\.\d+\]\s?/, '').replace(/^\[\.\.\]\s?/, '');
  t = t.replace(/^\[\s*[A-Z]\d+\]\s?/, '');
  return t.trimStart();
}

const CONVERSION = /%(?:%|[-#0 +]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|t|j)?[diuxXsc])/g;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A printk format as a pattern: each conversion matches any value of its kind (`%d` a signed
 * decimal, `%x` hex digits, `%s` any text), everything else literally.
 */
export function wordingPattern(format: string): string {
  let out = '';
  let last = 0;
  for (const m of format.matchAll(CONVERSION)) {
    out += escape(format.slice(last, m.index));
    const c = m[0];
    const kind = c[c.length - 1];
    out += c === '%%' ? '%' : kind === 's' ? '.*?' : kind === 'c' ? '.' : /[xX]/.test(kind) ? '(?:0x)?[0-9a-fA-F]+' : '-?\\d+';
    last = (m.index ?? 0) + c.length;
  }
  return out + escape(format.slice(last));
}

/** Prefixes a subsystem puts before its messages (pr_fmt): "virt/tdx: ", "kvm_intel: ", "tdx_guest: ". */
const SUBSYSTEM_PREFIXES = '(?:[a-z0-9_/.-]+: )*';

/**
 * Lines that say the wording: their message, after any subsystem prefixes, is the wording (a
 * printk format, or plain text). Where the prefix is itself the behaviour, `lineIs` checks it.
 */
export function saying(wording: string): (raw: string) => boolean {
  const re = new RegExp(`^${SUBSYSTEM_PREFIXES}${wordingPattern(wording)}\\s*$`);
  return (raw) => re.test(messageText(raw));
}

/** Lines that are exactly the text (a printk format or plain text), prefix included, framing aside. */
export function lineIs(text: string): (raw: string) => boolean {
  const re = new RegExp(`^${wordingPattern(text)}\\s*$`);
  return (raw) => re.test(messageText(raw));
}
