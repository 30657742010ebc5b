/**
 * Every report tells the same counts and the same verdict: JUnit (skip reasons, testsuite
 * properties), compliance.md/json/html (charts linked, charts inline), environment.json, and the
 * Allure results (statuses, executor and environment).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSources, SourceError, sourceUrl } from '../../spec/sources';
import { sourceLinkProblems } from '../../src/lint/spec-lint';
import { readMessages } from '../../src/reports/results';
import { allureCounts, cucumberCounts, runInto, tempDir } from '../support/suite';

test('one verdict in every report; JUnit skips carry their reason; compliance.md links its charts and compliance.html shows them', async () => {
  const dir = tempDir('reports');
  const results = await runInto(dir, { target: 'emulator' }, { paths: ['features/host/erratum.feature', 'features/host/kexec.feature'] });
  const compliance = JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8'));
  const v = compliance.verdict;
  assert.ok(v.line.startsWith(v.title), v.line);
  assert.equal(v.scenarios.total, results.length);

  const env = JSON.parse(readFileSync(join(dir, 'environment.json'), 'utf8'));
  assert.equal(env.verdict.line, v.line);

  const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  assert.ok(junit.includes(`<property name="tdx.verdict" value="${v.kind}"/>`));
  assert.ok(junit.includes(`<property name="tdx.verdict.line" value="${v.line.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}"/>`));
  const skips = [...junit.matchAll(/<skipped([^>]*)>/g)];
  assert.equal(skips.length, results.filter((r) => r.status === 'skipped').length);
  assert.ok(skips.length > 0, 'the sample has skips');
  for (const s of skips) assert.match(s[1], / message="(not-applicable|cannot-observe|precondition-unmet|needs-opt-in|blocked): [^"]+"/);

  const md = readFileSync(join(dir, 'compliance.md'), 'utf8');
  assert.ok(md.includes(`**Verdict: ${v.line}**`));
  for (const chart of ['charts/scenarios-by-area.svg', 'charts/requirements-by-area.svg']) {
    assert.ok(md.includes(`](${chart})`), `compliance.md links ${chart}`);
    const svg = readFileSync(join(dir, chart), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>[\s\S]*<\/svg>\n$/);
  }
  const html = readFileSync(join(dir, 'compliance.html'), 'utf8');
  assert.equal((html.match(/<svg /g) ?? []).length, 2, 'both charts inline');
  assert.doesNotMatch(html, /<script|<link|src="/, 'self-contained');
  assert.ok(html.includes(v.line.replace(/&/g, '&amp;')));
  // Every requirement with its Rule's sentence; every one not observed with its reasons.
  for (const r of compliance.requirements) {
    assert.ok(r.rule && md.includes(`| ${r.id} | ${r.rule.replace(/\|/g, '\\|')} |`), r.id);
    if (r.status === 'not-observed') assert.ok(r.notObserved.length > 0 && md.includes(`- **${r.id}** — `), r.id);
  }

  const allure = join(dir, 'allure-results');
  assert.deepEqual(allureCounts(allure), cucumberCounts(readMessages(join(dir, 'messages.ndjson'))));
  assert.equal(JSON.parse(readFileSync(join(allure, 'executor.json'), 'utf8')).reportName, `TDX conformance: ${v.line}`);
  assert.ok(readFileSync(join(allure, 'environment.properties'), 'utf8').startsWith(`verdict=${v.line}\n`));
  assert.ok(existsSync(join(dir, 'cucumber-report.html')));
});

test('source commits must be strings, and every source link is checked', () => {
  const dir = tempDir('sources');
  writeFileSync(join(dir, 'a.yaml'), 'sources:\n  doc-x:\n    title: t\n    kind: code\n    repo: torvalds/linux\n    path: a.c\n    commit: 165e77353831\n');
  assert.throws(() => loadSources(dir), (e: Error) => e instanceof SourceError && /spec\/sources\/a.yaml: source "doc-x": commit must be a string, got number Infinity \(quote it/.test(e.message));
  const problems = sourceLinkProblems({
    good: { title: 't', kind: 'code', repo: 'torvalds/linux', path: 'a.c', commit: '165e77353831' },
    inf: { title: 't', kind: 'patch', commits: ['Infinity'] },
    url: { title: 't', kind: 'doc', url: 'docs.kernel.org/x' },
    repo: { title: 't', kind: 'code', repo: 'linux', path: 'a.c', commit: 'abcdef0' },
    file: { title: 't', kind: 'capture', url: 'https://github.com/a/b/issues/1', file: 'test/fixtures/real/none.txt' },
  }, (id) => (id === 'inf' ? 'https://git.kernel.org/x/?id=Infinity' : id === 'url' ? 'docs.kernel.org/x' : 'https://github.com/x/y'), () => 'spec/sources/t.yaml', '/nonexistent');
  const messages = problems.map((p) => p.message);
  assert.deepEqual(messages, [
    'source "file": file test/fixtures/real/none.txt is not in the project',
    'source "inf": commit "Infinity" in commits is not a hex commit id',
    'source "inf": link https://git.kernel.org/x/?id=Infinity contains Infinity, NaN, undefined or null (a field read as the wrong type?)',
    'source "repo": repo "linux" is not owner/name',
    'source "url": url docs.kernel.org/x does not parse as a URL',
  ]);
  assert.match(sourceUrl('ml-vmxon'), /\?id=165e77353831$/, 'the registry quotes its commits');
});
