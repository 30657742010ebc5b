import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { emulatorFactory } from '../../backends/emulator/target';
import { lintSpec, listFiles } from '../../src/lint/spec-lint';
import { projectLintInput } from '../../src/cli/lint';
import { PROJECT_ROOT } from '../../src/project-root';

const fixtures = join(PROJECT_ROOT, 'test/fixtures/lint/broken');

test('the lint reports every kind of problem in broken feature files', () => {
  const f = emulatorFactory();
  const problems = lintSpec({
    root: fixtures,
    featureFiles: listFiles(fixtures, ['.feature']),
    sourceIds: new Set(['known-src', 'never-cited']),
    codeFiles: [],
    dataCitations: [],
    profiles: [{ description: f.description, capabilities: f.capabilities }],
  }).map((p) => `${p.file}:${p.line}: ${p.message}`);
  const expect = [
    /problems\.feature:11: @req:lint\.one is already the requirement of the Rule at problems\.feature:5/,
    /problems\.feature:18: scenario "Missing requirement" has 0 @req tags/,
    /problems\.feature:21: @src:unknown-src is not registered/,
    /problems\.feature:21: unknown tag @colour:blue/,
    /problems\.feature:30: scenario "Never runs" runs on no emulator profile \(applies to TDX modules =9\.9/,
    /problems\.feature:36: scenario "Not destructive" needs host\.cpu-hotplug, which changes a real machine: tag it @destructive/,
    /nosrc\.feature:5: Rule "No source anywhere" cites no source/,
    /source "never-cited" is cited by no feature and no code/,
  ];
  for (const re of expect) assert.ok(problems.some((p) => re.test(p)), `expected a problem matching ${re}; got:\n${problems.join('\n')}`);
});

test("the project's own features pass the lint", () => {
  const problems = lintSpec(projectLintInput()).map((p) => `${p.file}:${p.line}: ${p.message}`);
  assert.deepEqual(problems, []);
});
