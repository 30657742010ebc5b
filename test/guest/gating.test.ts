import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { decide } from '../../support/applicability';
import { emulatorFactory } from '../../backends/emulator/target';
import { GUEST_CAPABILITIES } from '../../backends/guest-facet';
import { type Capability } from '../../backends/port';
import { listFiles } from '../../src/lint/spec-lint';
import { PROJECT_ROOT } from '../../src/project-root';

function guestPickles(): { name: string; tags: string[] }[] {
  return listFiles(join(PROJECT_ROOT, 'features/guest'), ['.feature']).flatMap((file) => {
    const newId = IdGenerator.incrementing();
    const doc = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher()).parse(readFileSync(file, 'utf8'));
    return compile({ ...doc, uri: file }, file, newId).map((p) => ({ name: `${file}: ${p.name}`, tags: p.tags.map((t) => t.name) }));
  });
}

test('every guest scenario needs a guest capability, so a target without a guest facet skips it with a reason', () => {
  const f = emulatorFactory();
  const hostOnly = new Set([...f.capabilities].filter((c) => !(c in GUEST_CAPABILITIES)) as Capability[]);
  const pickles = guestPickles();
  assert.ok(pickles.length > 100);
  for (const p of pickles) {
    const d = decide(p.tags, { description: f.description, capabilities: hostOnly, allowDestructive: false });
    assert.equal(d.runs, false, p.name);
    if (!d.runs) {
      assert.ok(d.kind === 'cannot-observe' || d.kind === 'not-applicable', p.name);
      assert.ok(d.reason.length > 10, p.name);
    }
  }
});

test('on the emulator every guest capability is offered', () => {
  const f = emulatorFactory();
  for (const c of Object.keys(GUEST_CAPABILITIES)) assert.ok(f.capabilities.has(c as Capability), c);
});
