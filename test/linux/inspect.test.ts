/**
 * `inspect --json` on every capture in test/fixtures/real: the facts a person reads from each,
 * written out here by hand from the file and its README line, compared with what the parsers
 * conclude. Files that are not captures of one machine must be refused with one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readSnapshot } from '../../backends/linux/load';
import { PROJECT_ROOT } from '../../src/project-root';

const REAL = join(PROJECT_ROOT, 'test/fixtures/real');
const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');

const noModule = { major: null, minor: null, update: null, build: null, buildDate: null };
const host = (h: Record<string, unknown>) => ({
  detected: true, keyIdRange: null, module: noModule, cmrs: [], cmrsComplete: true, pamtKb: null, initErrno: null, failedSeamcall: null, cause: null, ...h,
});
const guest = (g: Record<string, unknown>) => ({
  detected: true, memoryEncryption: null, attributes: null, tdCtls: null, devTdxGuest: null, tsmProvider: null, cpuidSignature: null, ...g,
});
const cmrs = (...pairs: [string, string][]) => pairs.map(([base, end]) => ({ base, end }));

type Expect = { facts: Record<string, unknown>; warnings?: RegExp[] } | { error: RegExp };

/** Expected facts per file; `kernel` and `host`/`guest` are compared whole, the rest by key. */
const EXPECTED: Record<string, Expect> = {
  'host/h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: '6.8.0-1006-intel', flavour: 'ubuntu-6.8-intel' },
      host: host({
        keyIdRange: [32, 64],
        module: { major: 1, minor: 5, update: null, build: 698, buildDate: 20240129 },
        cmrs: cmrs(['0x100000', '0x6f800000'], ['0x100000000', '0x107a000000'], ['0x1080000000', '0x207c000000'], ['0x2080000000', '0x307c000000'], ['0x3080000000', '0x407c000000']),
        pamtKb: 1050644, init: 'initialized', s3Disabled: true,
      }),
      guest: null,
    },
  },
  'host/h-spr-8480-module-1.5.698-ok-with-kvm-noise.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: null, flavour: 'ubuntu-6.8-intel' },
      host: host({
        keyIdRange: [64, 128],
        module: { major: 1, minor: 5, update: null, build: 698, buildDate: 20240129 },
        cmrs: cmrs(['0x100000', '0x77800000'], ['0x100000000', '0x206e000000'], ['0x2080000000', '0x4070000000']),
        pamtKb: 1050636, init: 'initialized', s3Disabled: true,
      }),
    },
  },
  'host/h-intel-6.6.0-rc2-module-1.5.698-ok.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: '6.6.0-rc2', flavour: 'intel-6.6' },
      host: host({
        keyIdRange: [32, 64],
        module: { major: 1, minor: 5, update: null, build: 698, buildDate: 20240129 },
        cmrs: cmrs(['0x100000', '0x77800000'], ['0x100000000', '0x1ffe000000'], ['0x4000000000', '0x6000000000'], ['0x8000000000', '0x8080000000']),
        pamtKb: 1050644, init: 'initialized', s3Disabled: true,
      }),
    },
    // The poster's terminal cut both copies of the command line differently.
    warnings: [/command line .* differ/],
  },
  'host/f-6.8.0-1015-intel-module-1.0.457-sys-rd-not-ready.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: null, flavour: 'ubuntu-6.8-intel' },
      host: host({
        module: { major: 1, minor: 0, update: null, build: 457, buildDate: 20230206 },
        cmrs: cmrs(['0x100000', '0x77800000'], ['0x100000000', '0x6ffe000000'], ['0x8000000000', '0xf000000000'], ['0x10000000000', '0x10080000000']),
        init: 'failed', initErrno: 'EIO',
        failedSeamcall: { leaf: 0x22, leafName: 'TDH.SYS.RD', status: '0xc000050500000000', statusName: 'TDX_SYS_NOT_READY' },
        cause: 'TDH.SYS.RD returned TDX_SYS_NOT_READY while the kernel read global metadata field 0x9100000100000008 (MAX_TDMRS); TDX module 1.0 does not implement TDH.SYS.RD (first in 1.5)',
        s3Disabled: null,
      }),
    },
  },
  'host/f-6.8.0-1028-intel-module-not-loaded.handtyped.txt': {
    facts: {
      role: 'host',
      kernel: { release: null, flavour: null },
      host: host({
        keyIdRange: [1, 64], init: 'not-loaded', initErrno: 'ENODEV',
        cause: 'the BIOS loaded no TDX module: the first SEAMCALL failed with VMfailInvalid',
        // The hand-shortened S3 line is not read as the S3 message.
        s3Disabled: null,
      }),
    },
    warnings: [/line 2 is shortened: "virt\/tdx: Disable ACPI S3\." could be s3-disabled/],
  },
  'host/f-6.8.0-1028-intel-bios-detection-only.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: '6.8.0-1028-intel', flavour: 'ubuntu-6.8-intel' },
      host: host({ keyIdRange: [64, 128], init: 'not-attempted', s3Disabled: true }),
    },
  },
  'host/f-6.5.0-1003-intel-opt-not-enabled-by-bios.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: '6.5.0-1003-intel-opt', flavour: 'ubuntu-6.5-intel-opt' },
      host: host({
        keyIdRange: [1, 64], init: 'not-enabled', initErrno: 'ENODEV',
        cause: 'the first SEAMCALL raised #GP, which this kernel reports as TDX not enabled by the BIOS', s3Disabled: null,
      }),
    },
  },
  'host/f-6.8.0-1004-intel-module-1.5.595-reserved-areas.truncated.dmesg': {
    facts: {
      role: 'host',
      kernel: { release: '6.8.0-1004-intel', flavour: 'ubuntu-6.8-intel' },
      host: host({
        keyIdRange: [32, 64],
        module: { major: 1, minor: 5, update: null, build: 595, buildDate: 20231008 },
        cmrs: cmrs(['0x100000', '0x6f800000'], ['0x100000000', '0x107a000000'], ['0x1080000000', '0x207c000000'], ['0x2080000000', '0x307c000000'], ['0x3080000000', '0x407c000000']),
        init: 'incomplete', s3Disabled: true,
        cause: 'initialisation started (module information, CMRs or PAMT printed) but the capture ends before its outcome',
      }),
    },
    warnings: [/the last line is cut: "virt\/tdx: initialization failed: T" could be reserved-areas-exhausted or tdmrs-exhausted; not read as either/],
  },
  'host/system-report-generic-6.8.0-101-no-tdx.txt': {
    facts: {
      role: 'none',
      kernel: { release: '6.8.0-101-generic', flavour: null },
      host: null,
      guest: null,
    },
    // rdmsr prints hex: NUM_TDX_PRIV_KEYS 20 is 0x20.
    warnings: [/reserves 32 TDX private KeyIDs/],
  },
  'host/cpuinfo-flags-tdx-host-platform.truncated.txt': {
    facts: {
      role: 'host',
      kernel: { release: null, flavour: null },
      host: host({ init: 'incomplete', s3Disabled: null }),
    },
    warnings: [/may be cut: its last word "ts" is set aside/, /no kernel log/],
  },
  'host/check-tdx-host-sysfs-module-1.0.txt': {
    facts: {
      role: 'host',
      kernel: { release: null, flavour: null },
      // build_num is printed in hex (0x156), build_date in decimal.
      host: host({ module: { major: 1, minor: 0, update: null, build: 342, buildDate: 20220420 }, init: 'initialized', s3Disabled: null }),
    },
  },
  'guest/g-cloud-td-printk-caller-ids.dmesg': {
    facts: { role: 'guest', kernel: { release: null, flavour: null }, host: null, guest: guest({ memoryEncryption: 'Intel TDX' }) },
  },
  'guest/g-intel-6.6.0-rc2-td-serial-console.log': {
    facts: { role: 'guest', kernel: { release: '6.6.0-rc2', flavour: 'intel-6.6' }, host: null, guest: guest({}) },
  },
  'guest/g-ubuntu-6.5-intel-opt-dev-tdx-guest.txt': {
    facts: { role: 'guest', kernel: { release: '6.5.0-1003-intel-opt', flavour: 'ubuntu-6.5-intel-opt' }, host: null, guest: guest({ devTdxGuest: true }) },
  },
  'guest/g-configfs-tsm-provider.txt': {
    facts: { role: 'guest', kernel: { release: null, flavour: null }, host: null, guest: guest({ tsmProvider: 'tdx_guest' }) },
  },
  'guest/g-cpuid-0x21-in-td.txt': {
    facts: { role: 'guest', kernel: { release: null, flavour: null }, host: null, guest: guest({ cpuidSignature: 'IntelTDX    ' }) },
  },
  // Not captures of one machine's kernel: refused, with the file and the reason.
  'kvm/kvm-tdx-capabilities-module-1.0.qemu-debug.txt': { error: /: not a kernel log: / },
  'kvm/qemu-kvm-userspace-errors.txt': { error: /: not a kernel log: / },
  'docs-examples/commit-message-examples.txt': { error: /: holds several logs separated by '---' lines/ },
};

function realFiles(dir = REAL): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return realFiles(p);
    return n === 'README.md' ? [] : [relative(REAL, p)];
  }).sort();
}

test('every real capture has its expected facts written down here', () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), realFiles());
});

for (const [file, want] of Object.entries(EXPECTED)) {
  test(`inspect ${file}`, () => {
    const path = join(REAL, file);
    if ('error' in want) {
      assert.throws(() => readSnapshot(path), (e: Error) => e.name === 'SnapshotError' && want.error.test(e.message) && e.message.startsWith(path));
      return;
    }
    const f = readSnapshot(path).facts as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(want.facts)) {
      if (k === 'kernel') {
        const kern = f.kernel as { release: unknown; flavour: unknown };
        assert.deepEqual({ release: kern.release, flavour: kern.flavour }, v, `${file}: kernel`);
      } else {
        assert.deepEqual(f[k], v, `${file}: ${k}`);
      }
    }
    const warnings = f.warnings as string[];
    for (const w of want.warnings ?? []) assert.ok(warnings.some((x) => w.test(x)), `${file}: a warning like ${w} in ${JSON.stringify(warnings)}`);
  });
}

test('inspect --json prints one object with the facts; a non-capture is one line and exit 2', () => {
  const ok = spawnSync(process.execPath, [BIN, 'inspect', '--json', join(REAL, 'host/f-6.8.0-1015-intel-module-1.0.457-sys-rd-not-ready.dmesg')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const facts = JSON.parse(ok.stdout);
  assert.equal(facts.role, 'host');
  assert.equal(facts.host.failedSeamcall.statusName, 'TDX_SYS_NOT_READY');
  const bad = spawnSync(process.execPath, [BIN, 'inspect', '--json', join(REAL, 'kvm/qemu-kvm-userspace-errors.txt')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /qemu-kvm-userspace-errors\.txt: not a kernel log/);
});

test('--help works for inspect, emulate and capture', () => {
  for (const c of ['inspect', 'emulate', 'capture']) {
    const r = spawnSync(process.execPath, [BIN, c, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, c);
    assert.match(r.stdout, new RegExp(`Usage: tdx-conformance ${c}`));
  }
});
