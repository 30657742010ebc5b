/**
 * `emulate --from`: a profile derived from each host capture, the emulated host run on it, and
 * the comparison. On the two successful host captures whose CMRs are the whole story, PAMT must
 * be exact; where the capture lacks the NUMA boundaries the model needs, the difference is
 * reported with that reason rather than hidden.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { emulateFrom } from '../../src/compare/emulate-from';
import { readEvidence } from '../../backends/linux/facts';
import { readSnapshot } from '../../backends/linux/load';
import { emptyEvidence, mergeEvidence } from '../../backends/linux/evidence';
import { PROJECT_ROOT } from '../../src/project-root';

const HOST = join(PROJECT_ROOT, 'test/fixtures/real/host');
const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');
const run = (file: string) => emulateFrom(readSnapshot(join(HOST, file)), file);

test('Emerald Rapids capture: the emulated PAMT is exactly the logged 1050644 KB', () => {
  const r = run('h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg');
  assert.deepEqual(r.agreement.pamtKb, { status: 'exact', value: 1050644, note: 'computed from the CMRs' });
  assert.equal(r.emulated.pamtKb, 1050644);
  assert.equal(r.emulated.tdmrs.length, 5);
  assert.equal(r.agreement.init.status, 'exact');
  assert.equal(r.agreement.wording.status, 'exact');
  assert.match(r.profile.yaml, /flavour: ubuntu-6.8-intel/);
  assert.match(r.profile.yaml, /module: 1.5.698/);
  assert.ok(r.profile.assumptions.some((a) => /NUMA node boundaries are not in the capture/.test(a)));
});

test('Sapphire Rapids capture: exact 1050636 KB, with the flavour read from the wording of its log', () => {
  const r = run('h-spr-8480-module-1.5.698-ok-with-kvm-noise.dmesg');
  assert.deepEqual(r.agreement.pamtKb, { status: 'exact', value: 1050636, note: 'computed from the CMRs' });
  assert.match(r.profile.yaml, /model: sapphire-rapids/);
  assert.ok(r.profile.assumptions.some((a) => /flavour ubuntu-6.8-intel assumed from the log's wording/.test(a)));
  assert.match(r.profile.yaml, /mktmeKeyIds: 63\n\s+tdxKeyIds: 64/);
});

test('Intel 6.6.0-rc2 capture: 4 KB short without NUMA boundaries, and the report says why', () => {
  const r = run('h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg');
  const a = r.agreement.pamtKb;
  assert.equal(a.status, 'differs');
  if (a.status !== 'differs') return;
  assert.deepEqual([a.captured, a.emulated], [1050644, 1050640]);
  assert.match(a.likelyReason, /NUMA node boundar.*the capture lacks the node boundaries the model needs/);
});

test('with the SRAT lines of a full boot log, the node boundary is used and PAMT is exact (synthetic SRAT lines)', () => {
  const real = readSnapshot(join(HOST, 'h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg'));
  // The node split the README of the fixtures names as consistent with the 4 KB; written here, not captured.
  const srat = [
    '[    0.000000] ACPI: SRAT: Node 0 PXM 0 [mem 0x00000000-0xfffffffff]',
    '[    0.000000] ACPI: SRAT: Node 1 PXM 1 [mem 0x1000000000-0x1fffffffff]',
    '[    0.000000] ACPI: SRAT: Node 2 PXM 2 [mem 0x4000000000-0x5fffffffff]',
    '[    0.000000] ACPI: SRAT: Node 3 PXM 3 [mem 0x8000000000-0x807fffffff]',
  ];
  const ev = mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], log: { lines: [...srat, ...real.evidence.log!.lines], source: 'test', excerpt: true } });
  const r = emulateFrom(readEvidence(ev), 'synthetic');
  assert.deepEqual(r.agreement.pamtKb, { status: 'exact', value: 1050644, note: 'computed from the CMRs split at the SRAT node boundaries' });
  assert.equal(r.emulated.tdmrs.length, 5);
  // The module's CMRs are not split: the model prints them back as captured.
  assert.equal(r.agreement.cmrs.status, 'exact');
});

test('TDX 1.0 capture: the model fails the same TDH.SYS.RD with the same status and errno', () => {
  const r = run('f-6.8.0-1015-intel-module-1.0.457-sys-rd-not-ready.dmesg');
  assert.equal(r.agreement.init.status, 'exact');
  assert.equal(r.agreement.failedSeamcall.status, 'exact');
  assert.equal(r.agreement.pamtKb.status, 'not-comparable');
});

test('a cut capture: initialisation is not comparable, with the fragment and why the CMRs cannot settle it', () => {
  const r = run('f-6.8.0-1004-intel-module-1.5.595-reserved-areas.truncated.dmesg');
  const a = r.agreement.init;
  assert.equal(a.status, 'not-comparable');
  if (a.status === 'not-comparable') assert.match(a.reason, /cut at "virt\/tdx: initialization failed: T"/);
});

test('emulate --json: exit 0 when every comparable fact agrees, 1 when one differs, 2 when it is no host capture', () => {
  const ok = spawnSync(process.execPath, [BIN, 'emulate', '--json', '--from', join(HOST, 'h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const j = JSON.parse(ok.stdout);
  assert.deepEqual(Object.keys(j), ['profile', 'emulated', 'captured', 'agreement']);
  assert.equal(j.emulated.pamtKb, 1050644);
  assert.ok(Array.isArray(j.emulated.tdmrs) && Array.isArray(j.emulated.log));
  const differs = spawnSync(process.execPath, [BIN, 'emulate', '--from', join(HOST, 'h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg')], { encoding: 'utf8' });
  assert.equal(differs.status, 1);
  assert.match(differs.stdout, /pamtKb: DIFFERS/);
  const none = spawnSync(process.execPath, [BIN, 'emulate', '--from', join(HOST, 'system-report-generic-6.8.0-101-no-tdx.txt')], { encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr.trim(), /^tdx-conformance: .*system-report-generic-6.8.0-101-no-tdx.txt: not a TDX host capture \(role: none\)/);
});
