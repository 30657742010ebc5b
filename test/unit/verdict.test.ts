import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Status } from '../../src/reports/results';
import { exitDecision, NOT_OBSERVED_KINDS, requirementOutcomes, verdictOf } from '../../src/reports/verdict';
import type { SkipRecord } from '../../support/skip-record';
import { numRuns } from '../support/runs';

type Outcome = { status: Status; skip?: SkipRecord } | null; // null: not selected (no result)

const SKIP_KINDS: SkipRecord['kind'][] = ['not-applicable', 'cannot-observe', 'precondition-unmet', 'needs-opt-in'];

/** A run: requirements, each with scenarios that passed, failed, were skipped (with a kind), blocked or not run. */
const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  fc.constant(null),
  fc.constantFrom<Status>('passed', 'failed', 'undefined', 'pending').map((status) => ({ status })),
  fc.constantFrom(...SKIP_KINDS).map((kind) => ({ status: 'skipped' as Status, skip: { kind, reason: `because ${kind}` } })),
  fc.constant({ status: 'blocked' as Status, skip: { kind: 'blocked' as const, reason: 'machine not restored' } }),
);
const runArb = fc.array(fc.array(outcomeArb, { minLength: 1, maxLength: 4 }), { maxLength: 12 });

function build(run: Outcome[][]) {
  const planned: { key: string; req: string }[] = [];
  const results: { key: string; req: string; status: Status; skip?: SkipRecord }[] = [];
  run.forEach((scenarios, r) => scenarios.forEach((o, s) => {
    const key = `f.feature:${r * 10 + s}`;
    const req = `area.req-${String(r).padStart(2, '0')}`;
    planned.push({ key, req });
    if (o) results.push({ key, req, ...o });
  }));
  const outcomes = requirementOutcomes(planned, results);
  return { outcomes, results, verdict: verdictOf(outcomes, results) };
}

const isFail = (o: Outcome): boolean => !!o && !['passed', 'skipped', 'blocked'].includes(o.status);

test('the verdict follows its definitions on any run', () => {
  fc.assert(fc.property(runArb, (run) => {
    const { outcomes, verdict: v } = build(run);
    const all = run.flat();
    const anyFail = all.some(isFail);
    const anyExecuted = all.some((o) => o !== null && (o.status === 'passed' || isFail(o)));
    // Per requirement: applicable unless every scenario was skipped as not applicable.
    run.forEach((scenarios, i) => {
      const o = outcomes[i];
      assert.equal(o.applicable, scenarios.some((s) => !(s?.status === 'skipped' && s.skip?.kind === 'not-applicable')));
      assert.equal(o.executed, scenarios.some((s) => s !== null && (s.status === 'passed' || isFail(s))));
      if (o.applicable && !o.executed) assert.ok(o.notObserved.length > 0, 'a requirement not observed always has a reason');
      else assert.equal(o.notObserved.length, 0);
    });
    const r = v.requirements;
    assert.equal(r.applicable + r.notApplicable, r.total);
    assert.equal(r.executed + r.notObserved, r.applicable);
    assert.equal(Object.values(r.notObservedByReason).reduce((a, b) => a + (b ?? 0), 0), r.notObserved);
    for (const k of Object.keys(r.notObservedByReason)) assert.ok((NOT_OBSERVED_KINDS as readonly string[]).includes(k), k);
    // The four verdicts.
    assert.equal(v.kind === 'fails', anyFail);
    assert.equal(v.kind === 'nothing-executed', !anyFail && !anyExecuted);
    assert.equal(v.kind === 'conforms', !anyFail && anyExecuted && r.executed === r.applicable);
    assert.equal(v.kind === 'partial', !anyFail && anyExecuted && r.executed < r.applicable);
    // Only a conforming run is worded as conformance.
    assert.equal(/^CONFORMS\b/.test(v.line), v.kind === 'conforms');
    // Exit codes: 0 when nothing failed and at least one scenario executed.
    assert.equal(exitDecision(v).code, !anyFail && anyExecuted ? 0 : 1);
    assert.equal(exitDecision(v, { gatePassed: false }).code, 1);
    assert.equal(exitDecision(v, { minExecuted: 0 }).code, exitDecision(v).code);
    if (v.executedPercent < 100) assert.equal(exitDecision(v, { minExecuted: 100 }).code, 1);
  }), { numRuns: numRuns() });
});

test('adding a failure to any run makes it fail; adding a pass never makes a failing run pass', () => {
  fc.assert(fc.property(runArb, fc.nat(), (run, at) => {
    const withFail = run.length ? run.map((s, i) => (i === at % run.length ? [...s, { status: 'failed' as Status }] : s)) : [[{ status: 'failed' as Status }]];
    assert.equal(build(withFail).verdict.kind, 'fails');
    const before = build(run).verdict.kind;
    const withPass = [...run, [{ status: 'passed' as Status }]];
    if (before === 'fails') assert.equal(build(withPass).verdict.kind, 'fails');
  }), { numRuns: numRuns(300) });
});

test('the verdict in words: the issue examples', () => {
  // @nonexistent: nothing selected.
  const none = build([[null, null], [null]]).verdict;
  assert.equal(none.kind, 'nothing-executed');
  assert.match(none.line, /^NOTHING EXECUTED: 0 of 2 applicable requirements executed; 2 not observed: not-selected 2$/);
  // A non-TDX machine: most skipped as cannot-observe, a few pass.
  const cannot = { status: 'skipped' as Status, skip: { kind: 'cannot-observe' as const, reason: 'no TDX here' } };
  const na = { status: 'skipped' as Status, skip: { kind: 'not-applicable' as const, reason: 'not a guest' } };
  const partial = build([[{ status: 'passed' }], [cannot], [cannot, na], [na]]).verdict;
  assert.equal(partial.kind, 'partial');
  assert.equal(partial.line, 'NO FAILURES, PARTIAL: 1 of 3 applicable requirements executed; 2 not observed: cannot-observe 2');
  assert.equal(exitDecision(partial).code, 0);
  assert.deepEqual(exitDecision(partial, { minExecuted: 50 }), { code: 1, reasons: ['33.3% of applicable requirements executed, below --min-executed 50%'] });
  const conforms = build([[{ status: 'passed' }, na], [na]]).verdict;
  assert.equal(conforms.line, 'CONFORMS: all 1 applicable requirement executed, none failed (1 not applicable to this target)');
  const fails = build([[{ status: 'failed' }], [cannot]]).verdict;
  assert.equal(fails.line, 'DOES NOT CONFORM: 1 scenario of 1 requirement failed; 1 of 2 applicable requirements executed; 1 not observed: cannot-observe 1');
  // A blocked scenario is not executed and says why.
  const blocked = build([[{ status: 'blocked', skip: { kind: 'blocked', reason: 'machine not restored' } }], [{ status: 'passed' }]]);
  assert.deepEqual(blocked.outcomes[0].notObserved, [{ kind: 'blocked', reason: 'machine not restored' }]);
  assert.equal(blocked.verdict.kind, 'partial');
});
