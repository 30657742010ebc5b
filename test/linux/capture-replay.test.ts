/**
 * Captures that record what the machine answered: a snapshot of an emulated machine executes the
 * same scenarios, with the same outcome, as the live run of that machine; a replay never answers
 * what it did not see, nor what it saw answered two ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { capture } from '../../src/cli/capture';
import { TranscriptRecorder } from '../../backends/linux/capture/recorder';
import { TranscriptIndex } from '../../backends/linux/capture/replayer';
import { sysOk, type KernelInterface } from '../../backends/kernel-interface';
import { isUnobservable } from '../../backends/port';
import { UserMemory } from '../../backends/common/user-memory';
import { runInto, tempDir } from '../support/suite';

const executed = (rs: { key: string; status: string }[]) =>
  rs.filter((r) => r.status === 'passed' || r.status === 'failed').map((r) => `${r.key} ${r.status}`).sort();

const CASES: { profile: string; role?: 'guest' }[] = [
  { profile: 'spr-2s-mainline-6.18' }, { profile: 'intel-plain-mainline-6.18' }, { profile: 'spr-2s-mainline-7.1-bios-tdx-off' },
  { profile: 'gnr-2s-mainline-7.1', role: 'guest' },
];

for (const { profile, role } of CASES) {
  test(`a capture of the emulated ${role ?? 'host'} of ${profile} executes what the live run executes, with the same outcome`, async () => {
    const snap = join(tempDir('cap'), 'snap');
    const said = await capture({ out: snap, target: 'emulated-linux', profile, ...(role ? { role } : {}) });
    assert.match(said.join('\n'), /recorded \d+ scenarios/);
    const live = await runInto(tempDir('live'), { target: 'emulated-linux', profile, ...(role ? { role } : {}) });
    const replayed = await runInto(tempDir('replay'), { target: 'snapshot', snapshot: snap });
    assert.ok(executed(live).length > 0, 'the live run executed something');
    assert.deepEqual(executed(replayed), executed(live));
  });
}

/** A machine with one file whose content changes on every read. */
function changingMachine(): KernelInterface {
  let n = 0;
  const mem = new UserMemory();
  const no = () => ({ unobservable: 'not in this fake' });
  return {
    describe: 'fake', read: () => sysOk(Buffer.from(String(n++))), write: no, stat: no, list: no, mkdir: no, rmdir: no, kernelLog: no,
    open: () => sysOk(3), close: () => undefined, alloc: (s) => mem.alloc(s), ioctl: () => sysOk(0), runInstructions: no,
  };
}

test('a replay answers what was recorded, and nothing it did not see or saw answered two ways', () => {
  const rec = new TranscriptRecorder('fake');
  const m = changingMachine();
  rec.session(m).read('/same');
  rec.session(m).read('/same');
  const s1 = rec.session(m);
  s1.read('/other');
  s1.read('/then');
  const index = new TranscriptIndex(JSON.parse(JSON.stringify(rec.transcript())), 'test');
  const a = index.session();
  const varies = a.read('/same');
  assert.ok(isUnobservable(varies) && /different answers/.test(varies.unobservable));
  const b = index.session();
  const other = b.read('/other');
  assert.ok(!isUnobservable(other) && other.ok && other.value.toString() === '2');
  const unseen = b.read('/never');
  assert.ok(isUnobservable(unseen) && /not in the capture/.test(unseen.unobservable));
  // Once lost, the rest of the session is unknown, even what was recorded after it.
  assert.ok(isUnobservable(b.read('/then')));
});
