/**
 * The compliance report links every requirement to its source audit record (spec/audit/), with
 * the record's verdict and check date, in compliance.json, .md and .html; a failed requirement
 * says how to challenge the claim.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditRecords } from '../../spec/audit/records';
import { buildCompliance, complianceMarkdown } from '../../src/reports/compliance';
import { complianceHtml } from '../../src/reports/compliance-html';
import type { PlannedScenario, ScenarioResult } from '../../src/reports/results';
import { requirementOutcomes, verdictOf } from '../../src/reports/verdict';
import { PROJECT_ROOT } from '../../src/project-root';

test('every record is found where the report says: its file and the line of its key', () => {
  const records = auditRecords();
  assert.ok(records.size > 100, `${records.size} records`);
  const texts = new Map<string, string[]>();
  for (const [req, a] of records) {
    if (!texts.has(a.file)) texts.set(a.file, readFileSync(join(PROJECT_ROOT, a.file), 'utf8').split('\n'));
    assert.equal(a.file, `spec/audit/${req.split('.')[0]}.yaml`, req);
    assert.equal(texts.get(a.file)![a.line - 1], `  ${req}:`, `${req} at ${a.file}:${a.line}`);
  }
});

function scenario(req: string, line: number, status: ScenarioResult['status']): { planned: PlannedScenario; result: ScenarioResult } {
  const key = `features/host/x.feature:${line}`;
  const base = { key, id: `${req}/s${line}`, name: `scenario ${line}`, req, area: 'host' as const, src: ['tdx-c-mid'], feature: 'X', rule: `Rule of ${req}` };
  return { planned: base, result: { ...base, uri: 'features/host/x.feature', line, tags: [`@req:${req}`], status, durationMs: 1, ...(status === 'failed' ? { message: 'expected ENOSYS' } : {}) } };
}

test('compliance.json, .md and .html link each requirement to its audit record and verdict', () => {
  const runs = [scenario('host.suspend.s3-disabled', 10, 'failed'), scenario('host.detect.keyid-range', 20, 'passed'), scenario('lint.no-record', 30, 'passed')];
  const planned = runs.map((r) => r.planned);
  const results = runs.map((r) => r.result);
  const outcomes = requirementOutcomes(planned, results);
  const c = buildCompliance({ planned, results, outcomes, verdict: verdictOf(outcomes, results) }, null, { version: '0.0.0', revision: 'abcdef0123456789' }, '2026-12-02T00:00:00Z');

  const byId = new Map(c.requirements.map((r) => [r.id, r]));
  const rec = auditRecords().get('host.suspend.s3-disabled')!;
  const s3 = byId.get('host.suspend.s3-disabled')!;
  assert.deepEqual(s3.audit, {
    record: 'spec/audit/host.yaml#host.suspend.s3-disabled', file: 'spec/audit/host.yaml', line: rec.line,
    claim: rec.record.claim.trim(), verdict: rec.record.verdict, checked: rec.record.checked,
  });
  assert.equal(byId.get('lint.no-record')!.audit, null);
  // Additive: the fields the report had before are all still there.
  for (const k of ['id', 'area', 'feature', 'rule', 'source', 'status', 'applicable', 'executed', 'scenarios', 'skipReasons', 'notObserved']) assert.ok(k in s3, k);
  assert.equal(c.schema, 'tdx-conformance/compliance/2');

  const md = complianceMarkdown(c);
  const cell = `\`spec/audit/host.yaml:${rec.line} (${rec.record.verdict}, checked ${rec.record.checked})\``;
  assert.ok(md.includes('| Skip reasons | Audit record |'), 'the requirements table has the column');
  assert.ok(md.split('\n').some((l) => l.startsWith('| host.suspend.s3-disabled |') && l.endsWith(` | ${cell} |`)), md);
  assert.ok(md.split('\n').some((l) => l.startsWith('| lint.no-record |') && l.endsWith(' | `no audit record` |')));
  const nonConformance = md.slice(md.indexOf('## Non-conformance'), md.indexOf('## Requirements'));
  assert.ok(nonConformance.includes(`Audit record: ${cell}.`) && nonConformance.includes('Challenging a claim'), nonConformance);

  const html = complianceHtml(c, { scenarios: '<svg></svg>', requirements: '<svg></svg>' });
  assert.ok(html.includes('<th>Audit record</th>'));
  assert.ok(html.includes(`<code title="`) && html.includes(`>spec/audit/host.yaml:${rec.line}</code><br>${rec.record.verdict}, checked ${rec.record.checked}</td>`));
  assert.ok(html.includes('Challenging a claim'));
});
