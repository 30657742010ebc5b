import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInto, statusById, tempDir } from '../support/suite';

test('the same results in defined, reverse and random order and with two workers', async () => {
  const seed = Math.floor(Math.random() * 1e9);
  const runs: Record<string, Record<string, string>> = {};
  runs.defined = statusById(await runInto(tempDir('defined'), { target: 'emulator' }));
  runs.reverse = statusById(await runInto(tempDir('reverse'), { target: 'emulator' }, { order: 'reverse' }));
  runs[`random:${seed}`] = statusById(await runInto(tempDir('random'), { target: 'emulator' }, { order: `random:${seed}` }));
  runs.parallel2 = statusById(await runInto(tempDir('parallel'), { target: 'emulator' }, { parallel: 2 }));
  for (const [name, r] of Object.entries(runs)) {
    if (name !== 'defined') assert.deepEqual(r, runs.defined, `${name} differs from the defined order (random seed ${seed})`);
  }
  assert.ok(Object.keys(runs.defined).length > 100);
});
