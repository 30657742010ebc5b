/**
 * The TD guest seen from inside, on the real-machine path: the linux backend over each profile's
 * emulated TD (`--target emulated-linux --role guest`), a capture of it read back offline, and the
 * real guest captures in test/fixtures/real/guest. What must hold: no failure anywhere, every skip
 * with a reason; the same status as the emulator on every scenario both execute; every
 * requirement of the real-path list executed on some profile. (The fault campaign on this path
 * is a stage of npm test: `mutate --target emulated-linux --role guest`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { emulatedLinuxFactory } from '../../backends/emulated-linux/target';
import { EmulatedGuestMachine, noTd } from '../../backends/emulator/machine/guest-machine';
import { loadProfiles, profileNamed } from '../../backends/emulator/profile';
import { EmulatorScenario } from '../../backends/emulator/system';
import { Faults } from '../../backends/emulator/faults';
import { runProbes } from '../../backends/linux/live';
import { writeSnapshot } from '../../backends/linux/snapshot';
import { PROJECT_ROOT } from '../../src/project-root';
import { scenarioResults, type ScenarioResult } from '../../src/reports/results';
import { runSuite } from '../../src/runner/run-suite';
import type { WorldParameters } from '../../support/targets';
import { tempDir } from '../support/suite';

const GUEST = '@guest';

async function run(world: WorldParameters): Promise<ScenarioResult[]> {
  const envelopes: Envelope[] = [];
  await runSuite({ world, tags: GUEST, console: null, onMessage: (e) => envelopes.push(e) });
  return scenarioResults(envelopes);
}

const executed = (r: ScenarioResult): boolean => r.status === 'passed' || r.status === 'failed';

function noFailure(what: string, rs: readonly ScenarioResult[]): void {
  assert.deepEqual(rs.filter((r) => !['passed', 'skipped'].includes(r.status)).map((r) => `${r.name}: ${r.status} ${r.message ?? ''}`), [], `${what}: failed, undefined, pending or blocked`);
  assert.deepEqual(rs.filter((r) => r.status === 'skipped' && !r.skip?.reason).map((r) => r.name), [], `${what}: skips without a reason`);
}

/** The requirements issue 13 asks to execute on the real path. */
const REAL_PATH = [
  'guest.detect.cpuid-signature', 'guest.detect.cpu-flag', 'guest.detect.log-lines', 'guest.detect.announce', 'guest.log.dialect',
  'guest.cpuid.hypervisor-range', 'guest.report.tdreport', 'guest.report.ioctl-errors', 'guest.setup.sept-ve-attribute',
  'guest.setup.sept-ve-td-ctls', 'guest.setup.reduce-ve', 'guest.cpuid.module-handled', 'guest.cpuid.leaf2', 'guest.msr.categories',
  'guest.msr.feature-dependent', 'guest.tsm.report', 'guest.ve.user-vs-kernel', 'guest.ve.instructions', 'guest.gp.instructions',
];

/** Requirements executed on emulated-linux --role guest, with the profiles they executed on. */
const executedOn = new Map<string, Set<string>>();
const liveResults = new Map<string, ScenarioResult[]>();

for (const profile of loadProfiles().keys()) {
  const why = noTd(new EmulatorScenario(profileNamed(profile), new Faults()));
  if (why) {
    test(`${profile}: a platform that runs no TD has no guest role, and says why`, () => {
      assert.throws(() => emulatedLinuxFactory(profile, [], 'guest'), (e: Error) => e.name === 'ProfileError' && e.message.includes(why));
    });
    continue;
  }
  test(`${profile}: its TD on emulated-linux fails nothing and agrees with the emulator on every scenario both execute`, async () => {
    const el = await run({ target: 'emulated-linux', role: 'guest', profile });
    const em = await run({ target: 'emulator', profile });
    noFailure(`${profile} emulated-linux --role guest`, el);
    liveResults.set(profile, el);
    const emulator = new Map(em.map((r) => [r.id, r.status]));
    const differ = el.filter((r) => executed(r) && emulator.has(r.id) && executed({ status: emulator.get(r.id) } as ScenarioResult) && emulator.get(r.id) !== r.status);
    assert.deepEqual(differ.map((r) => `${r.id}: emulated-linux ${r.status}, emulator ${emulator.get(r.id)}`), []);
    for (const r of el.filter(executed)) {
      if (!executedOn.has(r.req!)) executedOn.set(r.req!, new Set());
      executedOn.get(r.req!)!.add(profile);
    }
  });
}

test('every requirement of the real-path list executes on emulated-linux --role guest on some profile', () => {
  assert.deepEqual(REAL_PATH.filter((r) => !executedOn.has(r)), []);
});

test('a capture of an emulated TD reads back and evaluates offline what the live TD showed, with the same statuses', async () => {
  for (const name of ['spr-2s-mainline-6.8', 'gnr-2s-mainline-7.1']) {
    const profile = profileNamed(name);
    const { probes, results } = runProbes(new EmulatedGuestMachine(new EmulatorScenario(profile, new Faults())));
    const dir = join(tempDir('guest-capture'), 'snapshot');
    writeSnapshot(dir, probes, results, 'test');
    const snap = await run({ target: 'snapshot', snapshot: dir });
    noFailure(`capture of ${name}`, snap);
    const live = new Map((liveResults.get(name) ?? await run({ target: 'emulated-linux', role: 'guest', profile: name })).map((r) => [r.id, r.status]));
    const offline = snap.filter(executed);
    assert.deepEqual(offline.filter((r) => live.get(r.id) !== r.status).map((r) => `${r.id}: capture ${r.status}, live ${live.get(r.id)}`), []);
    const reqs = new Set(offline.map((r) => r.req));
    // What needs no scenario-time request: everything but the changes (@destructive) and the fresh item reads.
    for (const r of ['guest.detect.cpuid-signature', 'guest.detect.cpu-flag', 'guest.detect.log-lines', 'guest.cpuid.hypervisor-range',
      'guest.report.tdreport', 'guest.report.ioctl-errors', 'guest.msr.categories', 'guest.ve.user-vs-kernel', 'guest.ve.instructions',
      'guest.gp.instructions', 'guest.tsm.report']) {
      assert.ok(reqs.has(r), `the capture of ${name} evaluates ${r} offline (it evaluated ${[...reqs].join(', ')})`);
    }
  }
});

/** What a real guest capture shows: the requirements it executes (none fails). */
const REAL_GUEST: Record<string, string[]> = {
  // Names its release (6.6.0-rc2): the detection line, the wording, and no attribute line after it.
  'g-intel-6.6.0-rc2-td-serial-console.log': ['guest.detect.announce', 'guest.detect.log-lines', 'guest.log.dialect'],
  // Names its release (6.5.0-1003-intel-opt), but shows only the device and the module list.
  'g-ubuntu-6.5-intel-opt-dev-tdx-guest.txt': ['guest.detect.cpu-flag'],
  // The detection line with its prefix shows the wording of every kernel since the guest code went in.
  'g-cloud-td-printk-caller-ids.dmesg': ['guest.detect.log-lines', 'guest.log.dialect'],
  'g-configfs-tsm-provider.txt': ['guest.tsm.report'],
  'g-cpuid-0x21-in-td.txt': ['guest.detect.cpuid-signature'],
};

for (const [file, reqs] of Object.entries(REAL_GUEST)) {
  test(`the real guest capture ${file}: no failure, and the requirements it can show`, async () => {
    const rs = await run({ target: 'snapshot', snapshot: join(PROJECT_ROOT, 'test/fixtures/real/guest', file) });
    noFailure(file, rs);
    assert.deepEqual([...new Set(rs.filter(executed).map((r) => r.req))].sort(), [...reqs].sort());
  });
}
