/**
 * Logs as they come: NUL bytes and invalid UTF-8 tolerated with a warning, a last line without
 * its newline never a fact, an initialisation that started and shows no end read as incomplete,
 * and the plain "tdx:" wordings of the 2022 (v5.19-era) series recognised. The 5.19-era lines
 * below are synthetic: written with the wording of the patches cited in spec/sources/linux.yaml.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readSnapshot } from '../../backends/linux/load';
import { PROJECT_ROOT } from '../../src/project-root';
import { numRuns } from '../support/runs';
import { tempDir } from '../support/suite';

const OK = readFileSync(join(PROJECT_ROOT, 'test/fixtures/real/host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg'));

function read(bytes: Buffer | string) {
  const f = join(tempDir('log'), 'pasted.log');
  writeFileSync(f, bytes);
  return readSnapshot(f).facts;
}

const lines = OK.toString('utf8').split('\n');
const tdxLine = (l: string) => /tdx: /.test(l);

test('a NUL byte or invalid UTF-8 in a line without TDX changes no fact, and is reported', () => {
  const whole = read(OK);
  const quiet = lines.map((l, i) => [l, i] as const).filter(([l]) => !tdxLine(l) && l.length > 10).map(([, i]) => i);
  fc.assert(fc.property(fc.constantFrom(...quiet), fc.constantFrom([0], [0xff], [0xc3, 0x28], [0, 0, 0xfe]), (at, junk) => {
    const text = Buffer.concat([Buffer.from(lines.slice(0, at).join('\n') + '\n' + lines[at].slice(0, 5)), Buffer.from(junk), Buffer.from(lines[at].slice(5) + '\n' + lines.slice(at + 1).join('\n'))]);
    const f = read(text);
    assert.deepEqual(f.host, whole.host);
    assert.equal(f.role, whole.role);
    assert.ok(f.warnings.some((w) => /replaced by U\+FFFD/.test(w)), f.warnings.join('; '));
  }), { numRuns: numRuns(20) });
});

test('a last line without its newline is never a fact', () => {
  const text = OK.toString('utf8');
  const done = text.trimEnd().split('\n').findIndex((l) => /virt\/tdx: module initialized/.test(l));
  const upToDone = text.split('\n').slice(0, done + 1).join('\n');
  assert.equal(read(upToDone + '\n').host!.init, 'initialized');
  const cut = read(upToDone);
  assert.equal(cut.host!.init, 'incomplete');
  assert.ok(cut.warnings.some((w) => /the last line is cut: ".*module initialized" could be init-done/.test(w)), cut.warnings.join('; '));
});

test('an initialisation that started (module, CMRs) and shows no outcome is incomplete, not "not attempted"', () => {
  const text = OK.toString('utf8').split('\n');
  const lastCmr = text.map((l, i) => [l, i] as const).filter(([l]) => /virt\/tdx: CMR:/.test(l)).pop()![1];
  const f = read(text.slice(0, lastCmr + 1).join('\n') + '\n');
  assert.equal(f.host!.init, 'incomplete');
  assert.match(f.host!.cause!, /initialisation started .* but the capture ends before its outcome/);
  assert.equal(f.log!.complete, true, 'every line is whole: the log itself is not cut');
});

const V519 = [
  '[    0.000000] Linux version 5.19.0-tdx (builder@host) (gcc 11.3.0) #1 SMP PREEMPT_DYNAMIC',
  '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz-5.19.0-tdx root=/dev/sda1 ro kvm_intel.tdx=1',
  '[    9.101010] tdx: Cannot enable TDX on TDX disabled platform',
  '[   12.000000] Run /sbin/init as init process',
];

test('a v5.19-era host log whose only TDX line is KVM refusing a TDX-disabled platform (synthetic lines)', () => {
  const f = read(V519.join('\n') + '\n');
  assert.equal(f.role, 'host');
  assert.equal(f.host!.detected, false);
  assert.equal(f.host!.init, 'not-enabled');
  assert.equal(f.host!.initErrno, 'ENODEV');
  assert.match(f.host!.cause!, /TDX not enabled on this platform/);
  assert.equal(f.log!.tdxMessages, 1);
});

test('the 2022 series host wordings read as initialised, failed and not loaded (synthetic lines)', () => {
  const base = V519.slice(0, 2);
  const init = (...l: string[]) => read([...base, ...l].join('\n') + '\n').host!;
  assert.equal(init('[   20.1] tdx: kvm: TDX is supported. hkid start pos 46 mask 0x3fc00000000000', '[   21.2] tdx: TDX module initialized.').init, 'initialized');
  const failed = init('[   21.2] tdx: Failed to initialize TDX module. Shut it down.');
  assert.deepEqual([failed.init, failed.initErrno], ['failed', 'EFAULT']);
  assert.equal(init('[   21.2] tdx: Failed to initialize TDX module.  Shut it down.').init, 'failed');
  assert.deepEqual([init('[   21.2] tdx: TDX module is not loaded.').init], ['not-loaded']);
  assert.deepEqual([init("[   21.2] tdx: Unable to initialize the TDX module when there's offline CPU(s).").initErrno], ['EINVAL']);
});
