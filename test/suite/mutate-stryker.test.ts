// The StrykerJS summary (bin/mutate-stryker.js --summary-only): its score must say what was
// measured and nothing more: undetected mutants count against it, mutants set aside by a
// `// Stryker disable` comment are listed with their reason, and no report means no score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const tool = path.join(root, 'bin', 'mutate-stryker.js');

function summarise(reports: string) {
  return spawnSync(process.execPath, [tool, 'backends/linux/parse/sysfs.ts', '--runner', 'tap', '--summary-only', '--reports', reports], { cwd: root, encoding: 'utf8' });
}

const at = (line: number, column: number) => ({ start: { line, column }, end: { line, column: column + 1 } });

test('no report: nothing measured, exit 1, no score printed', () => {
  const name = `test-empty-${process.pid}`;
  const dir = path.join(root, 'reports', 'stryker', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'mutation.json'), JSON.stringify({ files: {} }));
  try {
    const r = summarise(name);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /nothing measured/);
    assert.doesNotMatch(r.stdout, /100\.00 %/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score: detected over detected + undetected; ignored mutants are listed with their reason', () => {
  const name = `test-score-${process.pid}`;
  const dir = path.join(root, 'reports', 'stryker', name);
  mkdirSync(dir, { recursive: true });
  const file = 'backends/linux/parse/sysfs.ts';
  const mutants = [
    { id: '1', mutatorName: 'BooleanLiteral', replacement: 'true', status: 'Killed', location: at(1, 1) },
    { id: '2', mutatorName: 'BooleanLiteral', replacement: 'false', status: 'Timeout', location: at(2, 1) },
    { id: '3', mutatorName: 'StringLiteral', replacement: '""', status: 'Survived', location: at(3, 1) },
    { id: '4', mutatorName: 'StringLiteral', replacement: '"x"', status: 'NoCoverage', location: at(4, 1) },
    { id: '5', mutatorName: 'EqualityOperator', replacement: 'a !== b', status: 'Ignored', statusReason: 'equivalent: checked above', location: at(5, 1) },
    { id: '6', mutatorName: 'ArithmeticOperator', replacement: 'a - b', status: 'RuntimeError', location: at(6, 1) },
  ];
  writeFileSync(path.join(dir, 'mutation.json'), JSON.stringify({ files: { [file]: { source: readFileSync(path.join(root, file), 'utf8'), mutants } } }));
  try {
    const r = summarise(name);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.mutants, 6);
    assert.equal(summary.score, 50);
    assert.equal(summary.invalid, 1);
    assert.equal(summary.ignored, 1);
    assert.deepEqual(summary.ignoredMutants.map((m: { reason: string }) => m.reason), ['equivalent: checked above']);
    assert.deepEqual(summary.survivors.map((m: { status: string }) => m.status), ['Survived', 'NoCoverage']);
    const md = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    assert.match(md, /sysfs\.ts:5:1 EqualityOperator → `a !== b`: equivalent: checked above/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
