import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FAULTS } from '../../backends/emulator/faults';
import { listFiles } from '../../src/lint/spec-lint';
import { PROJECT_ROOT } from '../../src/project-root';

function requirementIds(): Set<string> {
  const ids = new Set<string>();
  for (const f of listFiles(`${PROJECT_ROOT}/features`, ['.feature'])) {
    for (const m of readFileSync(f, 'utf8').matchAll(/@req:(\S+)/g)) ids.add(m[1]);
  }
  return ids;
}

test('every requirement has at least one fault in the catalogue', () => {
  const covered = new Set(Object.values(FAULTS).flatMap((f) => f.requirements));
  const missing = [...requirementIds()].filter((r) => !covered.has(r)).sort();
  assert.deepEqual(missing, [], 'requirements without a fault');
});

test('every fault names requirements that exist', () => {
  const ids = requirementIds();
  const dangling = Object.entries(FAULTS).flatMap(([name, f]) => f.requirements.filter((r) => !ids.has(r)).map((r) => `${name} -> ${r}`));
  assert.deepEqual(dangling, [], 'faults mapped to unknown requirements');
});

test('every fault has a description and at least one requirement', () => {
  for (const [name, f] of Object.entries(FAULTS)) {
    assert.ok(f.description.length > 10, name);
    assert.ok(f.requirements.length > 0, name);
  }
});
