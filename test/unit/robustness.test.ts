import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseProfile, ProfileError } from '../../backends/emulator/profile';
import { parseKernelLog, parseKernelText, splitLines } from '../../backends/common/kernel-log';
import { PROJECT_ROOT } from '../../src/project-root';
import { numRuns } from '../support/runs';
import { profileYaml } from '../support/profile-yaml';

const REAL = join(PROJECT_ROOT, 'test/fixtures/real');
const captures = ['host', 'guest'].flatMap((d) => readdirSync(join(REAL, d)).map((f) => readFileSync(join(REAL, d, f), 'utf8')));

test('the log parser never throws on arbitrary text or bytes', () => {
  fc.assert(fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 20 }), (lines) => {
    parseKernelLog(lines);
  }), { numRuns: numRuns() });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
    parseKernelLog(splitLines(Buffer.from(bytes).toString('latin1')));
  }), { numRuns: numRuns() });
});

test('a capture cut anywhere yields only facts the whole capture has', () => {
  for (const text of captures) {
    const whole = new Set(parseKernelText(text).events.map((e) => `${e.line}|${e.id}|${e.args.join(',')}`));
    for (let cut = 0; cut <= text.length; cut++) {
      for (const e of parseKernelText(text.slice(0, cut)).events) {
        assert.ok(whole.has(`${e.line}|${e.id}|${e.args.join(',')}`), `invented "${e.text}" from a capture cut at ${cut}`);
      }
    }
  }
});

const VALID = profileYaml('p');

/** Each field with a wrong value, and the field the error must name. */
const BREAKAGES: [RegExp, string, string][] = [
  [/packages: 2/, 'packages: "two"', 'cpu.packages'],
  [/cpusPerPackage: 4/, 'cpusPerPackage: -1', 'cpu.cpusPerPackage'],
  [/model: sapphire-rapids/, 'model: 7', 'cpu.model'],
  [/mktmeKeyIds: 31/, 'mktmeKeyIds: 1.5', 'bios.mktmeKeyIds'],
  [/tdxKeyIds: 32/, 'tdxKeyIds: []', 'bios.tdxKeyIds'],
  [/module: 1\.5\.698/, 'module: {}', 'module'],
  [/flavour: mainline-6\.18/, 'flavour: windows', 'kernel.flavour'],
  [/release: 6\.18\.2/, 'release: 6.18', 'kernel.release'],
  [/base: 0x100000/, 'base: -5', 'memory.regions[0].base'],
  [/end: 2GiB/, 'end: two gigs', 'memory.regions[0].end'],
  [/node: 0/, 'node: 99', 'memory.regions[0].node'],
];

test('each invalid field gives an error naming that field', () => {
  assert.doesNotThrow(() => parseProfile(VALID, '/x/p.yaml'));
  fc.assert(fc.property(fc.constantFrom(...BREAKAGES), ([re, replacement, field]) => {
    try {
      parseProfile(VALID.replace(re, replacement), '/x/p.yaml');
      assert.fail(`accepted ${replacement}`);
    } catch (e) {
      assert.ok(e instanceof ProfileError, String(e));
      assert.equal(e.field, field, e.message);
    }
  }), { numRuns: Math.min(numRuns(), 200) });
});

test('a profile of random junk never crashes the loader, it raises ProfileError', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (junk) => {
    try {
      parseProfile(junk, '/x/p.yaml');
    } catch (e) {
      assert.ok(e instanceof ProfileError, `${String(e)} for ${JSON.stringify(junk)}`);
    }
  }), { numRuns: numRuns(300) });
});
