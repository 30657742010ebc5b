import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Faults } from '../../backends/emulator/faults';
import { MODULE_BUILDS, TdxModule, moduleBuild } from '../../backends/emulator/module';
import { globalField } from '../../spec/abi/global-metadata';
import { Platform } from '../../backends/emulator/platform/platform';
import { seamcallRax } from '../../spec/encodings/seamcall';
import { status, statusName } from '../../spec/abi/status';
import { numRuns } from '../support/runs';

function platform(): Platform {
  return new Platform({
    cpuModel: 'sapphire-rapids', packages: 2, cpusPerPackage: 4,
    memory: [{ base: 0x100000n, end: 0x80000000n, node: 0 }, { base: 0x100000000n, end: 0x200000000n, node: 0 }],
    cmrs: [{ base: 0x100000n, end: 0x80000000n, node: 0 }, { base: 0x100000000n, end: 0x200000000n, node: 0 }],
    mktmeKeyIds: 31, tdxKeyIds: 32, cpuFeatures: ['vmx'], physAddrBits: 46,
  });
}

const call = (m: TdxModule, cpu: number, leaf: string, regs = {}) => m.seamcall(cpu, seamcallRax(leaf), regs);
const name = (s: bigint) => statusName(s) ?? s.toString(16);

test('leaves other than initialisation are refused before the module is ready', () => {
  const m = new TdxModule(platform(), moduleBuild('1.5.698'), Faults.none);
  assert.equal(name(call(m, 0, 'TDH.MNG.CREATE').status), 'TDX_SYS_NOT_READY');
  assert.equal(name(call(m, 0, 'TDH.SYS.TDMR.INIT').status), 'TDX_SYS_NOT_READY');
});

test('TDH.SYS.INIT once, LP.INIT once per CPU, CONFIG only after every LP', () => {
  const m = new TdxModule(platform(), moduleBuild('1.5.698'), Faults.none);
  assert.equal(call(m, 0, 'TDH.SYS.INIT').status, 0n);
  assert.equal(name(call(m, 1, 'TDH.SYS.INIT').status), 'TDX_SYS_INIT_NOT_PENDING');
  for (let c = 0; c < 7; c++) assert.equal(call(m, c, 'TDH.SYS.LP.INIT').status, 0n);
  assert.equal(name(call(m, 3, 'TDH.SYS.LP.INIT').status), 'TDX_SYS_LP_INIT_DONE');
  assert.equal(name(call(m, 0, 'TDH.SYS.CONFIG', { rcx: 0x1000000n, rdx: 1n, r8: 32n }).status), 'TDX_SYS_CONFIG_NOT_PENDING');
  assert.equal(m.numInitLps, 7);
});

test('a TDX 1.0 module refuses TDH.SYS.RD as not ready, and as an unknown leaf when ready', () => {
  const m = new TdxModule(platform(), moduleBuild('1.0.457'), Faults.none);
  assert.equal(call(m, 0, 'TDH.SYS.INIT').status, 0n);
  assert.equal(call(m, 0, 'TDH.SYS.LP.INIT').status, 0n);
  assert.equal(call(m, 0, 'TDH.SYS.RD', { rdx: 0x9100000100000008n }).status, status('TDX_SYS_NOT_READY'));
  m.state = 'SYS_READY';
  assert.equal(call(m, 0, 'TDH.SYS.RD', { rdx: 0x9100000100000008n }).status, status('TDX_OPERAND_INVALID'));
});

test('a non-zero version is refused for leaves without versions', () => {
  const m = new TdxModule(platform(), moduleBuild('1.5.698'), Faults.none);
  assert.equal(m.seamcall(0, seamcallRax('TDH.SYS.INIT', 1)).status, status('TDX_OPERAND_INVALID'));
});

test('TDH.SYS.RD walks fields, and -1 names the first', () => {
  const m = new TdxModule(platform(), moduleBuild('1.5.698'), Faults.none);
  call(m, 0, 'TDH.SYS.INIT');
  call(m, 0, 'TDH.SYS.LP.INIT');
  const first = call(m, 0, 'TDH.SYS.RD', { rdx: (1n << 64n) - 1n });
  assert.equal(name(first.status), 'TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT');
  assert.equal(first.out.rdx, 0x0000000200000000n);
  const r = call(m, 0, 'TDH.SYS.RD', { rdx: 0x9100000100000008n });
  assert.equal(r.status, 0n);
  assert.equal(r.out.r8, 64n);
  assert.equal(r.out.rdx, 0x9100000100000009n);
});

test('every field of every build answers TDH.SYS.RD, and the walk from the null ID visits exactly the build\'s table', () => {
  const NULL = (1n << 64n) - 1n;
  for (const b of MODULE_BUILDS.filter((x) => !(x.major === 1 && x.minor === 0))) {
    const m = new TdxModule(platform(), b, Faults.none);
    assert.equal(call(m, 0, 'TDH.SYS.INIT').status, 0n);
    assert.equal(call(m, 0, 'TDH.SYS.LP.INIT').status, 0n);
    let r = call(m, 0, 'TDH.SYS.RD', { rdx: NULL });
    assert.equal(name(r.status), 'TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT');
    const seen: bigint[] = [];
    for (let id = r.out.rdx!; id !== NULL; id = r.out.rdx!) {
      r = call(m, 0, 'TDH.SYS.RD', { rdx: id });
      assert.equal(r.status, 0n, `${b.id}: ${id.toString(16)}: ${name(r.status)}`);
      seen.push(id);
    }
    const want = b.globalFields.flatMap((n) => {
      const f = globalField(n);
      return Array.from({ length: f.fields * f.elements }, (_, i) => f.baseId + BigInt(i));
    });
    assert.deepEqual(seen, want, b.id);
  }
});

test('TDH.SYS.TDMR.INIT in a caller\'s loop, worked out at once, gives what the calls one by one give', () => {
  const GiB = 1n << 30n;
  const rax = seamcallRax('TDH.SYS.TDMR.INIT');
  const ready = (faults: string[], sizeGiB: number, done: number): TdxModule => {
    const m = new TdxModule(platform(), moduleBuild('1.5.698'), new Faults(faults));
    m.state = 'SYS_READY';
    const t = { base: 4n * GiB, size: BigInt(sizeGiB) * GiB, lastInitialized: 4n * GiB + BigInt(done) * (4n << 20n), pamt: [], reserved: [] };
    m.tdmrs = [t];
    m.tdmrByBase = new Map([[t.base, t]]);
    return m;
  };
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 8 }), fc.nat({ max: 8 * 256 }), fc.integer({ min: 0, max: 10 * 1024 }),
    fc.subarray(['module.tdmr-init-at-once', 'module.tdmr-init-rdx-not-rounded']), fc.constantFrom<'rdx' | 'rcx'>('rdx', 'rdx', 'rcx'),
    (sizeGiB, doneCalls, belowMiB, faults, reg) => {
      const done = Math.min(doneCalls, sizeGiB * 256);
      const loop = { reg, below: 4n * GiB + BigInt(belowMiB) * (1n << 20n) };
      const a = ready(faults, sizeGiB, done);
      const atOnce = a.seamcallWhile(0, rax, { rcx: 4n * GiB }, loop);
      const b = ready(faults, sizeGiB, done);
      let calls = 0;
      let last;
      do {
        last = b.seamcall(0, rax, { rcx: 4n * GiB });
        calls++;
      } while (last.status === 0n && (last.out[reg] ?? 0n) < loop.below);
      assert.deepEqual({ calls: atOnce.calls, status: atOnce.last.status, rdx: atOnce.last.out.rdx }, { calls, status: last.status, rdx: last.out.rdx });
      assert.equal(a.tdmrs[0].lastInitialized, b.tdmrs[0].lastInitialized);
    }), { numRuns: Math.min(numRuns(), 200) });
});
