import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Faults } from '../../backends/emulator/faults';
import { MODULE_BUILDS, TdxModule, moduleBuild } from '../../backends/emulator/module';
import { globalField } from '../../spec/abi/global-metadata';
import { Platform } from '../../backends/emulator/platform/platform';
import { seamcallRax } from '../../spec/abi/seamcall';
import { status, statusName } from '../../spec/abi/status';

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
