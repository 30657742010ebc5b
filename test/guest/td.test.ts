import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTdConfig } from '../../backends/emulator/guest/config';
import { EmulatedTd } from '../../backends/emulator/guest/td';
import { StubVmm } from '../../backends/emulator/facets/vmm-stub';
import type { SharedMemory, TdvmcallSide } from '../../backends/emulator/module/td-exit';
import { moduleBuild } from '../../backends/emulator/module/versions';
import { Faults } from '../../backends/emulator/faults';
import { flavour } from '../../spec/kernel/flavours';
import { attributeBit } from '../../spec/abi/tdcall';
import { TDVMCALL_STATUS, decodeFatalErrorMessage } from '../../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES } from '../../spec/encodings/tdvmcall';
import type { Regs } from '../../backends/port';

const config = (module = '1.5.698', kernel = 'mainline-6.18') => defaultTdConfig(moduleBuild(module), flavour(kernel), new Faults());

test('the public API: execute() sends the guest\'s TDVMCALLs to the VMM it was given, which gets shared memory', () => {
  const seen: Regs[] = [];
  let memory: SharedMemory | null = null;
  const vmm: TdvmcallSide = {
    tdvmcall: (_vcpu, regs) => { seen.push(regs); return { r10: TDVMCALL_STATUS.SUCCESS, r11: 0xabn }; },
    connect: (m) => { memory = m; },
  };
  const td = new EmulatedTd(config(), vmm);
  assert.ok(memory, 'connect() was called');
  const o = td.execute(1, { mnemonic: 'OUT', port: 0x3f8, size: 1, regs: { rax: 0x41n } });
  assert.deepEqual(o.module, { kind: 've', exitReason: 30, qualification: 0x3f80000n });
  assert.deepEqual(o.guest, { kind: 'emulated', tdvmcall: 'Instruction.IO', status: 0n });
  const io = seen.filter((r) => r.r11 === TDVMCALL_LEAVES['Instruction.IO']);
  assert.deepEqual([io[0].r12, io[0].r13, io[0].r14, io[0].r15], [1n, 1n, 0x3f8n, 0x41n]);
  assert.equal(o.tdvmcalls.length, 1);
});

test('a TD boots once, lazily; its log starts with detection', () => {
  const td = new EmulatedTd(config(), new StubVmm());
  const lines = td.logLines();
  assert.match(lines[0], /tdx: Guest detected$/);
  assert.equal(td.describe().boot.ok, true);
  assert.deepEqual(td.logLines(), lines);
});

test('a fatal boot report carries the message in the GHCI register order, and the dead TD refuses requests', () => {
  const cfg = { ...config('1.5.698', 'mainline-6.8'), attributes: 0n };
  const td = new EmulatedTd(cfg, new StubVmm());
  const d = td.describe();
  assert.equal(d.boot.ok, false);
  if (!d.boot.ok) {
    assert.equal(d.boot.panic, 'TD misconfiguration: SEPT_VE_DISABLE attribute must be set.');
    assert.equal(decodeFatalErrorMessage(d.boot.fatalReport!.in), d.boot.panic);
  }
  assert.throws(() => td.execute(0, { mnemonic: 'NOP' }), /not running/);
});

test('TDX 1.0 cannot set SEPT_VE_DISABLE, so the default TD there is a debug TD without TD_CTLS', () => {
  const cfg = config('1.0.457', 'ubuntu-6.8-intel');
  assert.equal(cfg.attributes, attributeBit('DEBUG'));
  const td = new EmulatedTd(cfg, new StubVmm());
  assert.equal(td.describe().tdCtls, null);
});

test('MapGPA success moves pages between private and shared; a RETRY moves only the part done', () => {
  const vmm = new StubVmm();
  const td = new EmulatedTd(config(), vmm);
  td.boot(); // boot converts the driver's quote buffer: script what comes after
  vmm.script('MapGPA', [{ status: TDVMCALL_STATUS.RETRY, resumeOffset: 0x1000n }, { status: TDVMCALL_STATUS.INVALID_OPERAND }]);
  assert.equal(td.convert(0x6000000n, 2, 'shared').result.ok, false);
  assert.equal(td.pageAccepted(0x6000000n), false, 'the first page was converted before the RETRY');
  assert.equal(td.pageAccepted(0x6001000n), true, 'the second page was not');
});
