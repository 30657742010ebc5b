import assert from 'node:assert/strict';
import { parseProfile, ProfileError } from '../../backends/emulator/profile';

/** A small valid emulator profile, as its YAML text, for tests that break it field by field. */
export const profileYaml = (name: string): string => `name: ${name}
description: a test profile
cpu: { model: sapphire-rapids, packages: 2, cpusPerPackage: 4 }
bios: { mktmeKeyIds: 31, tdxKeyIds: 32 }
module: 1.5.698
kernel: { flavour: mainline-6.18, release: 6.18.2 }
memory:
  regions:
    - { base: 0x100000, end: 2GiB, node: 0 }
`;

/** Parsing `text` (as /x/good.yaml) fails with a ProfileError naming the file, this field and this problem. */
export function expectProfileError(text: string, field: RegExp, problem: RegExp): void {
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
