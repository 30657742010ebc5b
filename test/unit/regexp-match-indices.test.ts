import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { numRuns } from '../support/runs';

// The module cucumber-expressions loads (vendor/regexp-match-indices-native, through npm
// overrides) and the polyfill it replaces.
const expressions = dirname(require.resolve('@cucumber/cucumber-expressions'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const native: (r: RegExp, s: string) => RegExpExecArray | null = require(require.resolve('regexp-match-indices', { paths: [expressions] }));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const polyfill: (r: RegExp, s: string) => RegExpExecArray | null = require('regexp-match-indices-polyfill');

/** A pattern and a text it matches: literals, digits, quoted strings, optional and nested groups. */
interface Piece {
  re: string;
  text: fc.Arbitrary<string>;
}

const leaf: fc.Arbitrary<Piece> = fc.oneof(
  fc.constantFrom('the', 'host', 'CPU', ' ', 'KeyID').map((w) => ({ re: w, text: fc.constant(w) })),
  fc.constant({ re: '(\\d+)', text: fc.integer({ min: 0, max: 9999 }).map(String) }),
  fc.constant({ re: '"([^"]*)"', text: fc.string({ maxLength: 6 }).filter((s) => !s.includes('"')).map((s) => `"${s}"`) }),
);

function piece(depth: number): fc.Arbitrary<Piece> {
  if (depth === 0) return leaf;
  const inner = piece(depth - 1);
  return fc.oneof(
    leaf,
    fc.tuple(inner, inner).map(([a, b]): Piece => ({ re: a.re + b.re, text: fc.tuple(a.text, b.text).map(([x, y]) => x + y) })),
    inner.map((a): Piece => ({ re: `(${a.re})?`, text: fc.oneof(a.text, fc.constant('')) })),
    inner.map((a): Piece => ({ re: `(?:${a.re})`, text: a.text })),
  );
}

const sameMatch = (re: RegExp, s: string): void => {
  const a = native(new RegExp(re.source, re.flags), s);
  const b = polyfill(new RegExp(re.source, re.flags), s);
  if (a === null || b === null) return assert.equal(a, b, `${re} on ${JSON.stringify(s)}`);
  assert.deepEqual([...a], [...b]);
  assert.deepEqual(a.indices && [...a.indices], b.indices && [...b.indices], `${re} on ${JSON.stringify(s)}`);
};

test('cucumber-expressions loads the native module', () => {
  assert.match(require.resolve('regexp-match-indices', { paths: [expressions] }), /vendor[/\\]regexp-match-indices-native/);
});

test('native match indices equal the polyfill on step-like patterns and texts', () => {
  fc.assert(fc.property(piece(3).chain((p) => fc.tuple(fc.constant(p.re), fc.oneof(p.text, fc.string({ maxLength: 12 })))), ([source, text]) => {
    sameMatch(new RegExp(`^${source}$`), text);
  }), { numRuns: numRuns(300) });
});

test('a global pattern resumes at lastIndex and records where the match ended', () => {
  const re = /(\d)/g;
  const m1 = native(re, 'a1b2');
  assert.equal(m1?.[1], '1');
  assert.equal(re.lastIndex, 2);
  const m2 = native(re, 'a1b2');
  assert.deepEqual(m2?.indices?.[1], [3, 4]);
  assert.equal(native(re, 'a1b2'), null);
  assert.equal(re.lastIndex, 0);
});
