/**
 * The printf-style engine under the kernel-log catalogue, on formats the catalogue does not have
 * yet: what the models print (formatMessage) is what the kernel's vsprintf() prints, and what the
 * parser builds from a format reads back every value, whole or cut anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMessage, formatToCutRegexSource, formatToRegexSource, typedValue } from '../../backends/common/kernel-log';
import { numRuns } from '../support/runs';

test('formatMessage prints as the kernel does: width, zero padding after the sign and the 0x prefix, left justification, %%', () => {
  const cases: [string, (number | bigint | string)[], string][] = [
    ['%d', [-5], '-5'],
    ['%5d|', [42], '   42|'],
    ['%-5d|', [42], '42   |'],
    ['%05d', [42], '00042'],
    ['%05d', [-42], '-0042'],
    ['%-05d|', [7], '7    |'],
    ['%x', [255], 'ff'],
    ['%X', [255], 'FF'],
    ['%#x', [255], '0xff'],
    ['%#X', [255], '0XFF'],
    ['%#x', [0], '0x0'],
    ['%#010x', [255], '0x000000ff'],
    ['%08x', [255], '000000ff'],
    ['%016llx', [0x22n], '0000000000000022'],
    ['%llx', [-1n], 'ffffffffffffffff'],
    ['%lu KB', [1050644], '1050644 KB'],
    ['%5s|', ['ab'], '   ab|'],
    ['%-5s|', ['ab'], 'ab   |'],
    ['%05s|', ['ab'], '   ab|'],
    ['%c%c', ['o', 'k'], 'ok'],
    ['100%% of %u', [3], '100% of 3'],
  ];
  for (const [format, args, printed] of cases) assert.equal(formatMessage(format, args), printed, `${format} of ${args.join(', ')}`);
});

type Conv = { spec: string; arg: fc.Arbitrary<number | bigint | string>; value: (a: number | bigint | string) => bigint | string };
const num = (a: number | bigint | string): bigint => BigInt(a);
const CONVERSIONS: Conv[] = [
  { spec: '%d', arg: fc.integer({ min: -1_000_000, max: 1_000_000 }), value: num },
  { spec: '%u', arg: fc.nat(), value: num },
  { spec: '%lu', arg: fc.nat(), value: num },
  { spec: '%lld', arg: fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), value: num },
  { spec: '%5d', arg: fc.integer({ min: -9999, max: 99999 }), value: num },
  { spec: '%02u', arg: fc.nat({ max: 999 }), value: num },
  { spec: '%x', arg: fc.nat(), value: num },
  { spec: '%llx', arg: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), value: num },
  { spec: '%08x', arg: fc.nat(), value: num },
  { spec: '%016llx', arg: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), value: num },
  { spec: '%#x', arg: fc.nat(), value: num },
  { spec: '%#X', arg: fc.nat(), value: num },
  { spec: '%#010x', arg: fc.nat(), value: num },
  { spec: '%-6d', arg: fc.integer({ min: -99999, max: 999999 }), value: num },
  { spec: '%6s', arg: fc.stringMatching(/^[a-z]{1,6}$/), value: (a) => String(a) },
  { spec: '%s', arg: fc.stringMatching(/^[a-z0-9_]{0,12}$/), value: (a) => String(a) },
  { spec: '%c', arg: fc.constantFrom('a', 'z', '_', '7'), value: (a) => String(a) },
  // Strings and characters are padded with spaces whatever the flags (lib/vsprintf.c, v6.16.1:
  // widen_string() and the FORMAT_STATE_CHAR case).
  { spec: '%05s', arg: fc.stringMatching(/^[a-z]{1,5}$/), value: (a) => String(a) },
  { spec: '%-6s', arg: fc.stringMatching(/^[a-z]{1,6}$/), value: (a) => String(a) },
  { spec: '%3c', arg: fc.constantFrom('a', 'z', '_', '7'), value: (a) => String(a) },
  { spec: '%03c', arg: fc.constantFrom('a', 'z', '_', '7'), value: (a) => String(a) },
  { spec: '%-3c', arg: fc.constantFrom('a', 'z', '_', '7'), value: (a) => String(a) },
];
// Literal text between conversions: never a letter, digit or underscore that a value could
// swallow, and never empty, so that each value has one reading.
// A literal may carry "%%", which prints one "%". The text after the last conversion may be
// empty: a format may end in a conversion.
const LITERAL = fc.tuple(fc.stringMatching(/^[ :,()\[\]=/.-]{1,4}$/), fc.constantFrom('', '', '%%')).map(([l, pct]) => l + pct);
const TAIL = fc.oneof(LITERAL, fc.constant(''));

const pieces = fc.array(fc.tuple(LITERAL, fc.constantFrom(...CONVERSIONS.keys())), { minLength: 1, maxLength: 5 })
  .chain((parts) => fc.tuple(fc.constant(parts), fc.tuple(...parts.map(([, c]) => CONVERSIONS[c].arg)), TAIL));

/** What a value reads back as: the parser's own conversion of the text it captured. */
const readBack = (spec: string, text: string): bigint | string => typedValue(text, spec[spec.length - 1]);

test('a format printed by formatMessage is read back, every value, by the regex built from the same format', () => {
  fc.assert(fc.property(pieces, ([parts, args, tail]) => {
    const format = parts.map(([lit, c]) => lit + CONVERSIONS[c].spec).join('') + tail;
    const printed = formatMessage(format, args);
    const m = new RegExp(`^${formatToRegexSource(format)}$`).exec(printed);
    assert.ok(m, `${JSON.stringify(format)} did not read back ${JSON.stringify(printed)}`);
    parts.forEach(([, c], i) => {
      const conv = CONVERSIONS[c];
      assert.deepEqual(readBack(conv.spec, m[i + 1]), conv.value(args[i]), `value ${i} of ${JSON.stringify(format)} in ${JSON.stringify(printed)}`);
    });
  }), { numRuns: numRuns(300) });
});

test('every proper beginning of a printed message matches the cut pattern; the whole message, or more, does not', () => {
  fc.assert(fc.property(pieces, fc.nat(), ([parts, args, tail], at) => {
    const format = parts.map(([lit, c]) => lit + CONVERSIONS[c].spec).join('') + tail;
    const printed = formatMessage(format, args);
    const cut = new RegExp(`^${formatToCutRegexSource(format)}$`);
    const n = at % (printed.length || 1);
    assert.ok(cut.test(printed.slice(0, n)), `${JSON.stringify(printed.slice(0, n))} is a beginning of ${JSON.stringify(printed)}`);
    // A %s may print anything, so only a format without one can say what is not its beginning.
    if (!/%[-0-9]*s/.test(format)) assert.ok(!cut.test(`${printed}#`), `${JSON.stringify(printed)}# is not a beginning of ${JSON.stringify(format)}`);
  }), { numRuns: numRuns(300) });
});
