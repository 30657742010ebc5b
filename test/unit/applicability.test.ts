import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../../support/applicability';
import type { TargetDescription } from '../../backends/port';

const target = (module: TargetDescription['module']): TargetDescription => ({
  kind: 'linux', name: 't', role: 'host', kernel: { release: '6.8.0-1006-intel', flavour: 'ubuntu-6.8-intel' }, module,
  platform: { cpuModel: null, packages: null, logicalCpus: null, memory: null, cmrs: null, keyIds: null, errata: [] },
});
const ctx = (module: TargetDescription['module']) => ({ description: target(module), capabilities: new Set<never>(), allowDestructive: false });

test('a module range naming an update is decided by the update number, and only skipped as unobservable without it', () => {
  const m = (update: number | null) => ({ major: 1, minor: 5, update, build: null, buildDate: null, features0: null });
  assert.deepEqual(decide(['@module:>=1.5.06'], ctx(m(6))), { runs: true });
  assert.equal(decide(['@module:>=1.5.06'], ctx(m(1))).runs, false);
  const unknown = decide(['@module:>=1.5.06'], ctx(m(null)));
  assert.equal(unknown.runs === false && unknown.kind, 'cannot-observe');
  const other = decide(['@module:=1.5.01'], ctx({ ...m(null), minor: 0, major: 2 }));
  assert.equal(other.runs === false && other.kind, 'not-applicable');
  assert.deepEqual(decide(['@module:>=1.5'], ctx(m(null))), { runs: true });
});
