import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareRuns } from '../../src/compare/compare-runs';
import { tempDir } from '../support/suite';

function run(root: string, profile: string, scenarios: { key: string; name: string; status: string }[]): void {
  mkdirSync(join(root, profile), { recursive: true });
  // Each scenario listed under two requirements: counted once.
  const requirements = [{ id: 'r.one', scenarios }, { id: 'r.two', scenarios }];
  writeFileSync(join(root, profile, 'compliance.json'), JSON.stringify({ requirements }));
}

test('compare-runs: only scenarios both runs executed are compared, and a different status is reported', () => {
  const a = tempDir('cmp-a');
  const b = tempDir('cmp-b');
  run(a, 'p1', [
    { key: 'f:1', name: 'same', status: 'passed' },
    { key: 'f:2', name: 'differs', status: 'passed' },
    { key: 'f:3', name: 'skipped on one side', status: 'skipped' },
  ]);
  run(b, 'p1', [
    { key: 'f:1', name: 'same', status: 'passed' },
    { key: 'f:2', name: 'differs', status: 'failed' },
    { key: 'f:3', name: 'skipped on one side', status: 'passed' },
  ]);
  run(a, 'only-in-a', [{ key: 'f:1', name: 'same', status: 'passed' }]);
  const c = compareRuns(a, b);
  assert.deepEqual(c.profiles, ['p1']);
  assert.deepEqual(c.unmatched, ['only-in-a']);
  assert.equal(c.bothExecuted, 2);
  assert.deepEqual(c.differences, [{ profile: 'p1', key: 'f:2', name: 'differs', a: 'passed', b: 'failed' }]);
});

test('compare-runs: a directory without reports is named in the error', () => {
  const empty = tempDir('cmp-empty');
  assert.throws(() => compareRuns(empty, empty), new RegExp(`${empty}: no compliance.json`));
});
