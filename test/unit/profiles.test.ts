import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProfiles, parseProfile, ProfileError } from '../../backends/emulator/profile';
import { profileYaml } from '../support/profile-yaml';

const GOOD = profileYaml('good');

function expectError(text: string, field: RegExp, problem: RegExp): void {
  try {
    parseProfile(text, '/x/good.yaml');
    assert.fail('expected a ProfileError');
  } catch (e) {
    assert.ok(e instanceof ProfileError, String(e));
    assert.match(e.message, /^\/x\/good\.yaml: /);
    assert.match(e.field, field);
    assert.match(e.problem, problem);
  }
}

test('every committed profile loads', () => {
  const all = loadProfiles();
  assert.ok(all.size >= 10);
});

test('a good profile parses, with sizes in units', () => {
  const p = parseProfile(GOOD, '/x/good.yaml');
  assert.equal(p.memory.regions[0].end, 2n << 30n);
  assert.deepEqual(p.memory.cmrs, p.memory.regions);
});

test('errors name the file, the field and what was expected', () => {
  expectError(GOOD.replace('sapphire-rapids', 'pentium'), /^cpu\.model$/, /must be one of: sapphire-rapids, emerald-rapids, granite-rapids/);
  expectError(GOOD.replace('module: 1.5.698', 'module: 9.9'), /^module$/, /must be one of/);
  expectError(GOOD.replace('packages: 2', 'packages: 0'), /^cpu\.packages$/, />= 1/);
  expectError(GOOD.replace('bios:', 'bois:'), /^bois$/, /not a known field/);
  expectError(GOOD.replace('end: 2GiB', 'end: lots'), /^memory\.regions\[0\]\.end$/, /hex string|size like/);
  expectError(GOOD.replace('end: 2GiB', 'end: 0x1000'), /^memory\.regions\[0\]$/, /end must be above base/);
  expectError(GOOD.replace('name: good', 'name: other'), /^name$/, /must match the file name/);
  expectError(GOOD + 'faults: [no-such-fault]\n', /^faults$/, /unknown fault/);
  expectError('name: [', /^$/, /not valid YAML/);
  expectError('- a list', /^$/, /must be a YAML mapping/);
  expectError(GOOD.replace('description: a test profile\n', ''), /^description$/, /is missing/);
});
