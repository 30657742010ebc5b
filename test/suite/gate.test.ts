import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { baselineTarget, gate, readBaseline, updatedBaseline, writeBaseline, type Baseline } from '../../src/reports/gate';
import { recordedTarget } from '../../src/reports/outputs';
import { runInto, tempDir } from '../support/suite';

const HOST = ['features/host'];

test('the gate passes a clean run and catches new failures, unexpected passes and missing scenarios', async () => {
  const cleanDir = tempDir('clean');
  const clean = await runInto(cleanDir, { target: 'emulator' }, { paths: HOST });
  const baseline = updatedBaseline(null, baselineTarget(recordedTarget(cleanDir)!), clean);
  const file = join(cleanDir, 'baseline.yaml');
  writeBaseline(file, baseline);
  const reread = readBaseline(file);
  assert.equal(gate(reread, clean).passed, true, 'a clean run passes its own baseline');

  // A faulty emulator: S3 stays available, so the S3 requirement fails.
  const faulty = await runInto(tempDir('faulty'), { target: 'emulator', faults: ['host.s3-kept'] }, { paths: HOST });
  const g1 = gate(reread, faulty);
  assert.equal(g1.passed, false);
  assert.ok(g1.findings.some((f) => f.kind === 'new-failure' && f.id.startsWith('host.suspend.s3-disabled')), JSON.stringify(g1.findings));

  // A baseline that expects a failure where the run passes: the baseline must be tightened.
  const someId = clean.find((r) => r.status === 'passed')!.id;
  const expectsFailure: Baseline = { ...reread, scenarios: { ...reread.scenarios, [someId]: { status: 'failed', reason: 'known bug', issue: 'https://example.org/1' } } };
  const g2 = gate(expectsFailure, clean);
  assert.equal(g2.passed, false);
  assert.deepEqual(g2.findings.filter((f) => f.kind === 'unexpected-pass').map((f) => f.id), [someId]);

  // A baseline listing a scenario the run does not have.
  const extra: Baseline = { ...reread, scenarios: { ...reread.scenarios, 'host.gone :: A removed scenario': { status: 'passed' } } };
  const g3 = gate(extra, clean);
  assert.equal(g3.passed, false);
  assert.deepEqual(g3.findings.filter((f) => f.kind === 'missing').map((f) => f.id), ['host.gone :: A removed scenario']);

  // A pass that became a skip for another reason than applicability.
  const skipped = clean.map((r) => (r.id === someId ? { ...r, status: 'skipped' as const, skip: { kind: 'cannot-observe' as const, reason: 'x' } } : r));
  assert.equal(gate(reread, skipped).findings.some((f) => f.kind === 'lost-pass'), true);
});
