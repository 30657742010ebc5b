/**
 * Target adapters (docs/targets.md): the example wire adapter runs the suite; an adapter written
 * outside the repository against `tdx-conformance/port` type-checks and runs; check-adapter
 * finds over-claiming adapters out; malformed adapters are refused in one line (exit 2); and the
 * emulator served over the wire gives the emulator's own results, scenario by scenario.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { tempDir } from '../support/suite';
import { encode } from '../../backends/wire/codec';
import { GUEST_SHAPES } from '../../backends/wire/shapes';

const BIN = join(PROJECT_ROOT, 'bin/tdx-conformance.js');
const EXAMPLE = join(PROJECT_ROOT, 'examples/fixed-log-adapter/fixed-log-adapter');
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/adapters');

function cli(args: string[], cwd = PROJECT_ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const compliance = (dir: string) => JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8')) as {
  verdict: { scenarios: { passed: number; failed: number; blocked: number } };
  target: { kind: string };
  requirements: { id: string; status: string }[];
};

test('the example wire adapter runs the suite: what its log shows executes, nothing fails, nothing is blocked', () => {
  const out = tempDir('adapter-example');
  const r = cli(['run', '--target', EXAMPLE, '--out', out, '--no-allure-report']);
  assert.equal(r.code, 0, r.out + r.err);
  const c = compliance(out);
  assert.equal(c.target.kind, 'adapter');
  assert.equal(c.verdict.scenarios.failed, 0);
  assert.equal(c.verdict.scenarios.blocked, 0);
  assert.ok(c.verdict.scenarios.passed >= 3, `passed: ${c.verdict.scenarios.passed}`);
  assert.equal(c.requirements.find((q) => q.id === 'host.init.success')?.status, 'passed');
  const check = cli(['check-adapter', EXAMPLE]);
  assert.equal(check.code, 0, check.out + check.err);
  assert.match(check.out, /capabilities \(2\): host\.init, host\.log/);
  assert.match(check.out, /claims hold/);
});

test('an adapter written outside the repository type-checks against tdx-conformance/port, runs the suite, and check-adapter names what it leaves unanswered', () => {
  // The declarations are built by `npm ci`; a checkout that changed the port since is built again.
  const built = join(PROJECT_ROOT, 'types/backends/port.d.ts');
  const stale = !existsSync(built) || ['port', 'host-facet', 'kvm-facet', 'guest-facet']
    .some((f) => statSync(join(PROJECT_ROOT, 'backends', `${f}.ts`)).mtimeMs > statSync(built).mtimeMs);
  if (stale) {
    const b = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/build-types.js')], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  const dir = tempDir('adapter-outside');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(PROJECT_ROOT, join(dir, 'node_modules', 'tdx-conformance'));
  // Written from docs/targets.md: a host whose CPU flags are fixed; it also declares the kernel
  // log, which it cannot show.
  writeFileSync(join(dir, 'adapter.ts'), `
import { unobservable, type HostFacet, type Target, type TargetDescription, type TargetFactory, type Capability } from 'tdx-conformance/port';

export const portVersion = 1;

const description: TargetDescription = {
  kind: 'adapter', name: 'flags-only model', role: 'host',
  kernel: { release: '6.18.0', flavour: 'mainline-6.18' },
  module: null,
  platform: { cpuModel: null, packages: null, logicalCpus: null, memory: null, cmrs: null, keyIds: null, errata: [] },
};
const capabilities: ReadonlySet<Capability> = new Set<Capability>(['host.cpuinfo', 'host.log']);

function host(): HostFacet {
  const none = () => unobservable('this model only has CPU flags');
  return {
    log: none, cpuinfo: () => ({ flags: ['fpu', 'vmx', 'tdx_host_platform'], bugs: [] }), initTdx: none, rdmsr: none, seamcall: none,
    proposedTdmrs: none, sysConfig: none, mngInit: none, readMetadata: none, metadataDump: none, tdmrs: none, tdxMemory: none, cmrs: none,
    memTotalKb: none, tdKeyIds: none, allocGuestKeyId: none, freeGuestKeyId: none, cpuOffline: none, cpuOnline: none,
    onlineMemory: none, kexec: none, suspend: none, sleepStates: none, tdxHostDevice: none, machineCheck: none, tdxCpuEnable: none, initCleanup: none, privatePage: none, cpuState: none, topology: none,
  };
}

export const targetFactory: TargetFactory = {
  description,
  capabilities,
  create(): Target {
    return { description, capabilities, arrange: () => ({ met: false, reason: 'this model cannot confirm preconditions' }), host: host(), restore: async () => ({ restored: true }) };
  },
};
`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, target: 'ES2022', module: 'node16', moduleResolution: 'node16', noEmit: true, types: [], lib: ['ES2022'] },
    files: ['adapter.ts'],
  }));
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `type-check of an outside adapter against tdx-conformance/port: ${tsc.stdout}${tsc.stderr}`);
  const out = join(dir, 'reports');
  const r = cli(['run', '--target', './adapter.ts', '--out', out, '--no-allure-report'], dir);
  assert.ok(r.code === 0 || r.code === 1, r.err);
  assert.equal(compliance(out).verdict.scenarios.blocked, 0);
  const check = cli(['check-adapter', './adapter.ts'], dir);
  assert.equal(check.code, 1, check.out + check.err);
  assert.match(check.out, /declared but unanswered: host\.log: the suite asked host\.log (once|\d+ times) and every answer was "unobservable"/);
});

test('check-adapter finds capabilities declared but unanswered, answers that contradict the description, and a missing restore', () => {
  const r = cli(['check-adapter', join(FIXTURES, 'overclaiming-adapter.js')]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /declared but unanswered: host\.cpuinfo/);
  assert.match(r.out, /contradicts the description: host\.topology: 4 CPUs, the description says 8/);
  assert.match(r.out, /restore: restore: the target has no restore\(\)/);
});

test('malformed adapters are refused in one line naming what is missing (exit 2)', () => {
  const notExecutable = join(tempDir('adapter-bad'), 'adapter.py');
  writeFileSync(notExecutable, 'print("hello")\n');
  chmodSync(notExecutable, 0o644);
  const cases: [string[], RegExp][] = [
    [['run', '--target', join(FIXTURES, 'no-create-adapter.js')], /the factory has no create\(grant\) method/],
    [['run', '--target', join(FIXTURES, 'no-version-adapter.js')], /does not say which port contract it implements: export portVersion = 1/],
    [['check-adapter', join(FIXTURES, 'bad-hello-adapter')], /hello: protocol must be "tdx-conformance-wire\/1"/],
    [['run', '--target', notExecutable], /neither a JavaScript\/TypeScript module .* nor an executable program/],
    [['run', '--target', './no/such/adapter.js'], /adapter \.\/no\/such\/adapter\.js: no such file/],
  ];
  for (const [args, says] of cases) {
    const r = cli([...args, '--out', tempDir('adapter-bad-out')].filter((a, i, all) => !(args[0] === 'check-adapter' && (a === '--out' || all[i - 1] === '--out'))));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.err}`);
    assert.match(lines[0], says);
  }
});

test('the emulator served over the wire gives the emulator\'s own results, scenario by scenario', () => {
  const dir = tempDir('adapter-wire');
  for (const profile of ['gnr-2s-mainline-7.1', 'spr-2s-ubuntu-6.8']) {
    const program = join(dir, `emulator-${profile}`);
    writeFileSync(program, `#!/bin/sh\nTS_NODE_TRANSPILE_ONLY=true exec "${process.execPath}" -r ts-node/register/transpile-only "${join(FIXTURES, 'emulator-over-wire.ts')}" ${profile}\n`);
    chmodSync(program, 0o755);
    const wire = join(dir, `wire-${profile}`);
    const direct = join(dir, `direct-${profile}`);
    const a = cli(['run', '--target', program, '--out', wire, '--no-allure-report']);
    assert.equal(a.code, 0, a.out.slice(-2000) + a.err);
    const b = cli(['run', '--profile', profile, '--out', direct, '--no-allure-report']);
    assert.equal(b.code, 0, b.err);
    assert.equal(compliance(wire).verdict.scenarios.blocked, 0);
    const cmp = cli(['compare-runs', wire, direct]);
    assert.equal(cmp.code, 0, cmp.out + cmp.err);
    assert.deepEqual(compliance(wire).verdict.scenarios, compliance(direct).verdict.scenarios);
  }
});

test('a result that does not fit its wire shape is named in the error, bigints included', () => {
  // An unknown field holding a register used to crash the error message itself (JSON.stringify of a bigint).
  assert.throws(() => encode(GUEST_SHAPES.tdcall.result, { status: 0n, out: {}, extra: { rax: 5n } }), (e: Error) => {
    assert.equal(e.name, 'WireShapeError');
    assert.match(e.message, /extra/);
    return true;
  });
  assert.throws(() => encode(GUEST_SHAPES.tdcall.result, 7n), /expected .* got bigint "?0x7/);
});
