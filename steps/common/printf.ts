/**
 * Checking text a kernel printed with a format the feature file states (sysfs_emit, printk): the
 * numbers are read loosely, then printed again with the format's own conversions (width, zero
 * padding, base), and the result must be the text exactly. "%u.%u.%02u" thus accepts "2.0.08" and
 * refuses "2.0.8" and "2.0.008". The oracle's reading, apart from the backends' parsers.
 */

const CONVERSION = /%(0?)(\d*)([dux])/g;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Conversion {
  zero: boolean;
  width: number;
  kind: 'd' | 'u' | 'x';
}

function parse(format: string): { pattern: RegExp; conversions: Conversion[] } {
  let src = '';
  let last = 0;
  const conversions: Conversion[] = [];
  for (const m of format.matchAll(CONVERSION)) {
    src += escape(format.slice(last, m.index));
    const kind = m[3] as Conversion['kind'];
    conversions.push({ zero: m[1] === '0', width: m[2] ? Number(m[2]) : 0, kind });
    src += kind === 'x' ? '([0-9a-f]+)' : kind === 'd' ? '(-?\\d+)' : '(\\d+)';
    last = (m.index ?? 0) + m[0].length;
  }
  if (format.slice(last).includes('%')) throw new Error(`unsupported conversion in "${format}" (only %d, %u, %x with a width)`);
  return { pattern: new RegExp(`^${src}${escape(format.slice(last))}$`), conversions };
}

function render(c: Conversion, v: bigint): string {
  const digits = (v < 0n ? -v : v).toString(c.kind === 'x' ? 16 : 10);
  const sign = v < 0n ? '-' : '';
  const pad = Math.max(0, c.width - sign.length - digits.length);
  return c.zero ? sign + '0'.repeat(pad) + digits : ' '.repeat(pad) + sign + digits;
}

/** The values the text carries when it is exactly what the format prints for them; otherwise why not. */
export function printedWith(format: string, text: string): { values: bigint[] } | { mismatch: string } {
  const { pattern, conversions } = parse(format);
  const m = pattern.exec(text);
  if (!m) return { mismatch: `${JSON.stringify(text)} does not have the shape of ${JSON.stringify(format)}` };
  const values = conversions.map((c, i) => (c.kind === 'x' ? BigInt('0x' + m[i + 1]) : BigInt(m[i + 1])));
  let again = '';
  let last = 0;
  let i = 0;
  for (const c of format.matchAll(CONVERSION)) {
    again += format.slice(last, c.index) + render(conversions[i], values[i]);
    i++;
    last = (c.index ?? 0) + c[0].length;
  }
  again += format.slice(last);
  return again === text ? { values } : { mismatch: `${JSON.stringify(text)} is not how ${JSON.stringify(format)} prints ${values.join(', ')} (that is ${JSON.stringify(again)})` };
}
