import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkOutputDir, OutputError, stageOutput } from '../../src/cli/output-dir';
import { numRuns } from '../support/runs';
import { tempDir } from '../support/suite';

/** A directory's files and their contents, recursively. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out[`${rel}${n}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

function fill(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

test('checkOutputDir refuses what cannot take reports, in one line, and accepts new directories', () => {
  const base = tempDir('outcheck');
  writeFileSync(join(base, 'a-file'), 'x');
  const ro = join(base, 'read-only');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  const cases: [string, RegExp][] = [
    [join(base, 'a-file'), /is a file, not a directory/],
    [join(base, 'a-file', 'below'), /a-file is a file, not a directory/],
    ['/proc/tdx-out', /special filesystem proc/],
    ['/sys/tdx-out', /special filesystem sysfs/],
    [ro, /read-only \(mode 555\)/],
    [join(ro, 'sub'), /read-only \(mode 555\)/],
    ['', /--out is empty/],
  ];
  for (const [path, re] of cases) {
    assert.throws(() => checkOutputDir(path), (e: Error) => e instanceof OutputError && re.test(e.message) && !e.message.includes('\n'), path);
  }
  assert.equal(checkOutputDir(join(base, 'new', 'deeper')), join(base, 'new', 'deeper'));
  assert.equal(checkOutputDir(base), base);
  assert.deepEqual(readdirSync(base).sort(), ['a-file', 'read-only'], 'checking writes nothing');
});

const names = fc.constantFrom('messages.ndjson', 'junit.xml', 'compliance.md', 'allure-report/index.html', 'allure-report/history/h.json', 'charts/a.svg');
const unrelated = fc.constantFrom('bench.json', 'test/keep.txt', 'notes.md');
const filesArb = (keys: fc.Arbitrary<string>) => fc.dictionary(keys, fc.string({ maxLength: 8 }), { maxKeys: 6 });
const OWNED = ['messages.ndjson', 'junit.xml', 'compliance.md', 'allure-report', 'charts'];

test('a staged run replaces exactly the reports it owns on commit, and nothing on discard', () => {
  fc.assert(fc.property(filesArb(names), filesArb(unrelated), filesArb(names), fc.boolean(), (previous, others, next, commit) => {
    const out = join(tempDir('stage'), 'reports');
    fill(out, { ...previous, ...others });
    const before = snapshot(out);
    const stage = stageOutput(out);
    fill(stage.dir, next);
    if (commit) stage.commit(OWNED);
    else stage.discard();
    const after = snapshot(out);
    if (!commit) {
      assert.deepEqual(after, before);
    } else {
      // The previous run's reports are gone, the new ones are there, anything else is untouched.
      const expected: Record<string, string> = { ...others, ...next };
      assert.deepEqual(after, Object.keys(expected).length || existsSync(out) ? expected : {});
    }
    assert.deepEqual(readdirSync(join(out, '..')).filter((n) => n !== 'reports'), [], 'no staging or trash directory is left behind');
  }), { numRuns: numRuns(100) });
});

test('a staged directory for a new --out is moved into place whole', () => {
  const out = join(tempDir('stage-new'), 'a', 'b');
  const stage = stageOutput(out);
  fill(stage.dir, { 'compliance.md': 'new' });
  assert.ok(!existsSync(out), 'nothing at --out before commit');
  stage.commit();
  assert.deepEqual(snapshot(out), { 'compliance.md': 'new' });
  assert.equal(statSync(out).mode & 0o777, 0o777 & ~process.umask());
});

test('an --out whose parent is read-only is staged inside itself, and still replaced whole', () => {
  const parent = join(tempDir('ro-parent'), 'srv');
  const out = join(parent, 'reports');
  fill(out, { 'compliance.md': 'old', 'mine.txt': 'keep' });
  chmodSync(parent, 0o555);
  try {
    assert.equal(checkOutputDir(out), out);
    const stage = stageOutput(out);
    assert.equal(join(stage.dir, '..'), out);
    fill(stage.dir, { 'compliance.md': 'new' });
    stage.commit(OWNED);
    assert.deepEqual(snapshot(out), { 'compliance.md': 'new', 'mine.txt': 'keep' });
    assert.throws(() => checkOutputDir(join(parent, 'other')), /srv is read-only \(mode 555\)/);
  } finally {
    chmodSync(parent, 0o755);
  }
});
