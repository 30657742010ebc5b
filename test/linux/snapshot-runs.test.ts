/**
 * The host suite in snapshot mode on each real host capture: scenario by scenario, what a person
 * reading the capture concludes. A scenario passes only where the capture shows the behaviour;
 * everything the capture cannot show is skipped, with the reason; nothing fails because a capture
 * is cut or silent. And the suite on this machine (`--target linux`): zero failures, every skip
 * with a reason, and the scenarios about a machine without TDX really run when it has none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMachine } from '../../backends/linux/load';
import { ThisMachine } from '../../backends/linux/real/this-machine';
import type { ScenarioResult } from '../../src/reports/results';
import { PROJECT_ROOT } from '../../src/project-root';
import { readMessages } from '../../src/reports/results';
import { allureCounts, cucumberCounts, runInto, tempDir } from '../support/suite';

const HOST = join(PROJECT_ROOT, 'test/fixtures/real/host');
const PATHS = ['features/host/**/*.feature'];

interface Conclusion {
  /** Scenarios the capture shows to hold. */
  passed: string[];
  /** Skip reasons some scenarios must carry (the capture cannot show them). */
  skippedBecause?: RegExp[];
}

/** What every healthy Ubuntu/Intel 6.x host log shows, each against another line of the log (never itself). */
const LINE = (l: string): string => `After initialisation the kernel log has the line "virt/tdx: ${l}"`;
const HEALTHY = [
  'A healthy host initialises TDX', 'A healthy host initialises TDX and says "module initialized"',
  LINE('BIOS enabled: private KeyID range [%u, %u)'), LINE('module initialized'), LINE('CMR: [0x%llx, 0x%llx)'),
  LINE('TDX module: attributes 0x%x, vendor_id 0x%x, major_version %u, minor_version %u, build_date %u, build_num %u'),
  "Pre-merge kernels name the module's vendor before the CMRs and the PAMT", 'The PAMT is at most 1/250 of the CMRs rounded out to 1 GiB',
];
/** The PAMT and S3 lines as merged (v6.8 on) and as the v14 host series of Intel's 6.6 tree words them. */
const MERGED = [LINE('%lu KB allocated for PAMT'), 'The message at boot: "Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3."'];
const V14 = [LINE('%lu KBs allocated for PAMT'), 'The message at boot: "Disable ACPI S3 suspend. Turn off TDX in the BIOS to use ACPI S3."'];

const CONCLUSIONS: Record<string, Conclusion> = {
  'h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg': {
    passed: [...HEALTHY, ...MERGED, 'The five CMRs of the Emerald Rapids capture give 1050644 KB'],
    skippedBecause: [/the kernel does not log its TDMRs \(the log gives only the PAMT total, 1050644 KB\)/, /KeyID partitioning cannot be confirmed/,
      /module version is known only from the kernel log itself/],
  },
  'h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg': {
    passed: [...HEALTHY, ...V14],
  },
  'h-spr-8480-module-1.5.698-ok-with-kvm-noise.dmesg': {
    // No kernel release in the capture: its wording fits only ubuntu-6.8-intel.
    passed: [...HEALTHY, ...MERGED, 'The three CMRs of the Sapphire Rapids capture give 1050636 KB'],
  },
  'f-6.8.0-1015-intel-module-1.0.457-sys-rd-not-ready.dmesg': {
    // No kernel release either; the wording and the TDH.SYS.RD call fit only ubuntu-6.8-intel.
    passed: ['TDH.SYS.RD is refused as not ready and initialisation fails with EIO', 'Kernels up to v7.0 log the failure with its errno',
      'The dump after the refused read shows the registers as the kernel passed them'],
    skippedBecause: [/not the whole log/],
  },
  'f-6.8.0-1028-intel-module-not-loaded.handtyped.txt': {
    // "module not loaded" is the only sign that no module was loaded: the Rule cannot be checked
    // against it (the scenario needs a platform known apart from the log).
    passed: [],
    skippedBecause: [/configure the platform a scenario describes/],
  },
  'f-6.8.0-1028-intel-bios-detection-only.dmesg': {
    // The KeyID range line is not checked against itself: without the MSR the range cannot be confirmed.
    passed: [MERGED[1]],
    skippedBecause: [/initialisation not attempted on this boot/, /KeyID partitioning cannot be confirmed/],
  },
  'f-6.5.0-1003-intel-opt-not-enabled-by-bios.dmesg': {
    // The wording of the pre-merge host code ("tdx: " prefix) has no Rule of its own: no emulator
    // profile plays that kernel, so the suite states no line of it.
    passed: [],
  },
  'f-6.8.0-1004-intel-module-1.5.595-reserved-areas.truncated.dmesg': {
    passed: [MERGED[1]],
    skippedBecause: [/the capture is cut before the outcome of initialisation/],
  },
  'system-report-generic-6.8.0-101-no-tdx.txt': {
    passed: [],
    skippedBecause: [/this machine has 32 TDX KeyIDs, not 0/, /no TDX host platform/],
  },
  'cpuinfo-flags-tdx-host-platform.truncated.txt': {
    passed: [],
    skippedBecause: [/the kernel log is not available in this capture/],
  },
  'check-tdx-host-sysfs-module-1.0.txt': {
    // The module version comes from sysfs: Rules of 1.5 modules do not apply.
    passed: [],
    skippedBecause: [/the kernel log is not available in this capture/, /applies to TDX modules >=1\.5; target module is 1\.0/],
  },
};

function check(name: string, results: readonly ScenarioResult[]): void {
  const failed = results.filter((r) => r.status === 'failed');
  assert.deepEqual(failed.map((r) => `${r.name}: ${r.message}`), [], `${name}: failures`);
  const unexplained = results.filter((r) => r.status === 'skipped' && !r.skip?.reason);
  assert.deepEqual(unexplained.map((r) => r.name), [], `${name}: skips without a reason`);
  const odd = results.filter((r) => !['passed', 'skipped'].includes(r.status));
  assert.deepEqual(odd.map((r) => `${r.name}: ${r.status}`), [], `${name}: undefined, pending or blocked`);
}

for (const [file, want] of Object.entries(CONCLUSIONS)) {
  test(`snapshot run on ${file}`, async () => {
    const dir = tempDir('snap');
    const results = await runInto(dir, { target: 'snapshot', snapshot: join(HOST, file) }, { paths: PATHS });
    check(file, results);
    // Allure tells the same counts as cucumber (a scenario whose later step skipped is skipped there too).
    assert.deepEqual(allureCounts(join(dir, 'allure-results')), cucumberCounts(readMessages(join(dir, 'messages.ndjson'))), `${file}: Allure statuses`);
    const passed = results.filter((r) => r.status === 'passed').map((r) => r.name).sort();
    assert.deepEqual(passed, [...want.passed].sort(), `${file}: scenarios the capture shows`);
    const reasons = results.filter((r) => r.status === 'skipped').map((r) => r.skip!.reason);
    for (const re of want.skippedBecause ?? []) assert.ok(reasons.some((x) => re.test(x)), `${file}: some scenario skipped because ${re}`);
  });
}

test('the suite on this machine (--target linux): no failure, every skip explained, something really ran', async () => {
  const live = readMachine(new ThisMachine(), 'linux', 'this machine');
  const role = live.facts.role;
  const dir = tempDir('live');
  const results = await runInto(dir, { target: 'linux' }, { paths: PATHS });
  check('this machine', results);
  assert.deepEqual(allureCounts(join(dir, 'allure-results')), cucumberCounts(readMessages(join(dir, 'messages.ndjson'))), 'this machine: Allure statuses');
  // A machine that observes so little is never reported as conforming.
  const verdict = JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8')).verdict;
  if (role !== 'host') assert.notEqual(verdict.kind, 'conforms', verdict.line);
  const passed = results.filter((r) => r.status === 'passed');
  if (!live.evidence.log) {
    // Where the kernel log cannot be read, log-based scenarios say so instead of running.
    assert.ok(results.some((r) => r.status === 'skipped' && /the kernel log is not available/.test(r.skip!.reason)));
    return;
  }
  assert.ok(passed.length > 0, 'at least one scenario ran against the machine');
  if (role === 'none') {
    const names = passed.map((r) => r.name);
    for (const n of ['No TDX KeyIDs, no tdx_pw_mce bug', 'The only TDX host line a kernel may print says the platform does not support TDX']) {
      assert.ok(names.includes(n), `"${n}" ran on this machine without TDX (passed: ${names.join('; ')})`);
    }
    const hostSkips = results.filter((r) => r.status === 'skipped' && /no TDX host platform/.test(r.skip!.reason));
    assert.ok(hostSkips.length > 0, 'host scenarios skip with "no TDX host platform"');
  }
});
