import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProfiles, parseProfile } from '../../backends/emulator/profile';
import { expectProfileError, profileYaml } from '../support/profile-yaml';

const GOOD = profileYaml('good');


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
  expectProfileError(GOOD.replace('sapphire-rapids', 'pentium'), /^cpu\.model$/, /must be one of: sapphire-rapids, emerald-rapids, granite-rapids/);
  expectProfileError(GOOD.replace('module: 1.5.698', 'module: 9.9'), /^module$/, /must be one of/);
  expectProfileError(GOOD.replace('packages: 2', 'packages: 0'), /^cpu\.packages$/, />= 1/);
  expectProfileError(GOOD.replace('bios:', 'bois:'), /^bois$/, /not a known field/);
  expectProfileError(GOOD.replace('end: 2GiB', 'end: lots'), /^memory\.regions\[0\]\.end$/, /hex string|size like/);
  expectProfileError(GOOD.replace('end: 2GiB', 'end: 0x1000'), /^memory\.regions\[0\]$/, /end must be above base/);
  expectProfileError(GOOD.replace('name: good', 'name: other'), /^name$/, /must match the file name/);
  expectProfileError(GOOD + 'faults: [no-such-fault]\n', /^faults$/, /unknown fault/);
  expectProfileError('name: [', /^$/, /not valid YAML/);
  expectProfileError('- a list', /^$/, /must be a YAML mapping/);
  expectProfileError(GOOD.replace('description: a test profile\n', ''), /^description$/, /is missing/);
});
