/**
 * The spec lint's checks of the source audit (src/lint/audit-lint.ts): each check can fail, and
 * says which file, requirement and problem. The project's own records passing is checked with the
 * rest of the lint (test/suite/spec-lint.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuditFile } from '../../spec/audit/records';
import type { Source } from '../../spec/sources';
import { auditProblems } from '../../src/lint/audit-lint';
import { lintSpec } from '../../src/lint/spec-lint';

const SOURCES: Record<string, Source> = {
  'lint-code': { title: 'a file at a commit', kind: 'code', repo: 'torvalds/linux', path: 'a.c', commit: '165e77353831' },
  'lint-release': { title: 'a file of a release', kind: 'code', repo: 'KT0511/linux-6.16.1', path: 'a.c', kernel: '6.16.1' },
  'lint-mail': { title: 'a posting', kind: 'patch', date: '2025-07-30' },
  'lint-vague-mail': { title: 'a series, some year', kind: 'patch', date: 2024 },
  'lint-unpinned': { title: 'a file at no commit', kind: 'code', repo: 'torvalds/linux', path: 'a.c' },
  'lint-doc': { title: 'a document', kind: 'doc', url: 'https://docs.kernel.org/arch/x86/tdx.html' },
};

const RULES = new Map([
  ['lint.one', { text: 'The first rule holds', where: 'features/lint/a.feature:5' }],
  ['lint.two', { text: 'The second rule holds', where: 'features/lint/a.feature:12' }],
]);

/** A record that passes every check; the tests change one thing at a time. */
function record(req: string, over: Record<string, string> = {}, values?: string): string {
  const f = { rule: `"${RULES.get(req)?.text ?? 'Some rule'}"`, claim: 'What the scenarios check.', verdict: 'true', checked: '2026-12-02', ...over };
  const v = values ?? '      - value: "0x8086"\n        source: lint-code\n        where: "f() lines 1-9"\n        holds: "v6.8 .. v7.1"\n';
  return `  ${req}:\n` + Object.entries(f).map(([k, x]) => `    ${k}: ${x}\n`).join('') + '    values:\n' + v;
}

function problems(files: Record<string, string>, rules = RULES, sources = SOURCES): string[] {
  const parsed = Object.entries(files).map(([name, text]) => parseAuditFile(text, `spec/audit/${name}`));
  return auditProblems({ files: parsed, rules, sources }).map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
}

const both = (one = record('lint.one'), two = record('lint.two')) => ({ 'lint.yaml': `requirements:\n${one}${two}` });

function expectOne(found: string[], re: RegExp): void {
  assert.equal(found.length, 1, `expected exactly one problem matching ${re}; got:\n${found.join('\n')}`);
  assert.match(found[0], re);
}

test('a complete record of every requirement passes', () => {
  assert.deepEqual(problems(both()), []);
});

test('a requirement without a record is reported in the file of its area, with its Rule', () => {
  expectOne(problems({ 'lint.yaml': `requirements:\n${record('lint.one')}` }),
    /^spec\/audit\/lint\.yaml: lint\.two: no audit record for the Rule at features\/lint\/a\.feature:12/);
});

test('a record for a requirement no Rule has is reported', () => {
  const found = problems({ 'lint.yaml': `requirements:\n${record('lint.one')}${record('lint.two')}${record('lint.gone')}` });
  expectOne(found, /^spec\/audit\/lint\.yaml:\d+: lint\.gone: no Rule has this requirement \(removed or renamed\?\)/);
});

test('a value whose source is not registered is reported', () => {
  const values = '      - value: "x"\n        source: lint-nowhere\n        where: "f()"\n        holds: "v7.1"\n';
  expectOne(problems(both(record('lint.one', {}, values))), /^spec\/audit\/lint\.yaml:2: lint\.one: values\[0\]\.source "lint-nowhere" is not registered in spec\/sources\//);
});

test('code must name its commit or release; a posting its day; documents answer to the registry', () => {
  const cite = (id: string) => `      - value: "x"\n        source: ${id}\n        where: "f()"\n        holds: "v7.1"\n`;
  expectOne(problems(both(record('lint.one', {}, cite('lint-unpinned')))), /lint\.one: values\[0\]\.source "lint-unpinned" \(kind code\) names no commit and no release/);
  expectOne(problems(both(record('lint.one', {}, cite('lint-vague-mail')))), /lint\.one: values\[0\]\.source "lint-vague-mail" \(kind patch\) names no commit, no release and no day of posting/);
  for (const ok of ['lint-release', 'lint-mail', 'lint-doc']) assert.deepEqual(problems(both(record('lint.one', {}, cite(ok)))), [], ok);
});

test('a record whose rule text is not the Rule\'s is older than a change to its Rule', () => {
  const found = problems(both(record('lint.one', { rule: '"The first rule held once"' })));
  expectOne(found, /^spec\/audit\/lint\.yaml:2: lint\.one: record older than a change to its Rule: re-check it \(the record says "The first rule held once"; the Rule at features\/lint\/a\.feature:5 now says "The first rule holds"\)/);
});

test('a false verdict is an error, however it is written', () => {
  for (const v of ['false', '"false"']) {
    expectOne(problems(both(undefined, record('lint.two', { verdict: v }))), /^spec\/audit\/lint\.yaml:\d+: lint\.two: verdict false: a claim found false must be fixed/);
  }
  assert.deepEqual(problems(both(undefined, record('lint.two', { verdict: 'version-bound' }))), []);
});

test('the schema: each problem names the file, the requirement and the field', () => {
  const cases: [string, RegExp][] = [
    [record('lint.one', { verdict: 'maybe' }), /lint\.one: verdict must be one of: true, version-bound, false$/],
    [record('lint.one', { checked: '2026-13-02' }), /lint\.one: checked must be a date, YYYY-MM-DD/],
    [record('lint.one', { claim: '" "' }), /lint\.one: claim must not be empty/],
    [record('lint.one', { colour: 'blue' }), /lint\.one: colour is not a known field/],
    [record('lint.one', {}, '      []\n'), /lint\.one: values must list at least one value/],
    [record('lint.one', {}, '      - value: "x"\n        source: lint-code\n        where: ""\n        holds: "v7.1"\n'), /lint\.one: values\[0\]\.where must not be empty/],
    [record('lint.one', {}, '      - value: "x"\n        source: lint-code\n        where: "f()"\n'), /lint\.one: values\[0\]\.holds is missing/],
  ];
  for (const [one, re] of cases) {
    const found = problems(both(one));
    assert.ok(found.length >= 1 && found.every((p) => p.startsWith('spec/audit/lint.yaml:2: lint.one: ')), found.join('\n'));
    assert.ok(found.some((p) => re.test(p)), `expected ${re}; got:\n${found.join('\n')}`);
  }
});

test('a file that is not YAML, a record in another area\'s file, and a record kept twice are reported', () => {
  expectOne(problems({ ...both(), 'other.yaml': 'requirements:\n  lint.one: [\n' }), /^spec\/audit\/other\.yaml: not valid YAML/);
  expectOne(problems({ ...both(), 'other.yaml': '' }), /^spec\/audit\/other\.yaml: the file must be a mapping/);
  expectOne(problems({ ...both(), 'other.yaml': 'requirements: {}\nrecords: {}\n' }), /^spec\/audit\/other\.yaml: records is not a known field/);
  const badId = problems({ ...both(), 'other.yaml': `requirements:\n${record('lint.one').replace('lint.one:', 'Lint.One:')}` });
  assert.ok(badId.some((p) => /^spec\/audit\/other\.yaml: requirement id "Lint\.One" must be lower case/.test(p)), badId.join('\n'));
  // The records of a file that does not parse are not reported missing one by one.
  expectOne(problems({ 'lint.yaml': `requirements:\n${record('lint.one')}${record('lint.one')}` }), /^spec\/audit\/lint\.yaml: not valid YAML: Map keys must be unique/);
  const found = problems({ 'lint.yaml': `requirements:\n${record('lint.one')}`, 'zz.yaml': `requirements:\n${record('lint.two')}${record('lint.one')}` });
  assert.ok(found.some((p) => /^spec\/audit\/zz\.yaml:\d+: lint\.two: belongs in spec\/audit\/lint\.yaml/.test(p)), found.join('\n'));
  assert.ok(found.some((p) => /^spec\/audit\/zz\.yaml:\d+: lint\.one: also recorded in spec\/audit\/lint\.yaml/.test(p)), found.join('\n'));
});

test('the spec lint runs the audit checks, and a source cited only by a record counts as cited', () => {
  const root = mkdtempSync(join(tmpdir(), 'audit-lint-'));
  mkdirSync(join(root, 'features'));
  writeFileSync(join(root, 'features/a.feature'), [
    '@host @src:lint-doc', 'Feature: Lint', '', '  @req:lint.one', '  Rule: The first rule holds', '', '    Scenario: One', '      Given a TDX host', '',
    '  @req:lint.two', '  Rule: The second rule holds', '', '    Scenario: Two', '      Given a TDX host', '',
  ].join('\n'));
  const run = (audit: string) => lintSpec({
    root, featureFiles: [join(root, 'features/a.feature')], sourceIds: new Set(['lint-doc', 'lint-code']), codeFiles: [], dataCitations: [], profiles: [],
    audit: { files: [parseAuditFile(audit, 'spec/audit/lint.yaml')], sources: SOURCES },
  }).map((p) => `${p.file}: ${p.message}`);
  assert.deepEqual(run(both()['lint.yaml']), [], 'lint-code is cited by the records only');
  const stale = run(`requirements:\n${record('lint.one')}${record('lint.two', { rule: '"The second rule held"' })}`);
  assert.equal(stale.length, 1, stale.join('\n'));
  assert.match(stale[0], /^spec\/audit\/lint\.yaml: lint\.two: record older than a change to its Rule/);
  const missing = run(`requirements:\n${record('lint.one', {}, '      - value: "x"\n        source: lint-doc\n        where: "s"\n        holds: "all"\n')}`);
  assert.deepEqual(missing.sort(), [
    'spec/audit/lint.yaml: lint.two: no audit record for the Rule at features/a.feature:11 (the claim, each checked value\'s primary source, the releases it holds for)',
    'spec/sources: source "lint-code" is cited by no feature and no code, nor by an audit record',
  ]);
});
