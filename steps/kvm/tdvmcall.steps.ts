/** The test guest's TDVMCALLs, the exits KVM returns to user space, and the VMM's answers. */
import type { DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { KVM_CAPS, type KvmExitName } from '../../spec/encodings/kvm';
import type { Named } from '../../support/parameter-types';
import { isTdvmcallLeaf, TDVMCALL_LEAVES } from '../../spec/encodings/tdvmcall';
import type { ExitAnswer, GuestView, KvmExit } from '../../backends/kvm-facet';
import type { Reg, Regs } from '../../backends/port';
import type { ErrnoName } from '../../spec/abi/errno';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { expectOk, kvm, lastExit, lastRun, run, session, setVcpuCpuid, vcpuFd } from './td';
import { markTrace } from './trace';

const BEFORE = 'kvm.guest-before';
const PIECES = 'kvm.map-gpa-pieces';
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** "R12 = 0x1, R13 = 0x2" -> registers. */
function parseRegs(list: string | null | undefined): Regs {
  const regs: Regs = {};
  for (const part of (list ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(R(?:AX|CX|DX|BX|SI|DI|8|9|1[0-5])) = (0x[0-9a-f]+)$/i.exec(part);
    if (!m) throw new Error(`cannot read register assignment "${part}" (expected e.g. R12 = 0x1)`);
    regs[m[1].toLowerCase() as Reg] = BigInt(m[2]);
  }
  return regs;
}

function view(w: TdxWorld): GuestView {
  return w.observe(kvm(w).guestView(session(w).vm, vcpuFd(w, 0)));
}

/** The test guest does a TDVMCALL with these registers, then the VMM runs vCPU 0. */
function guestTdvmcall(w: TdxWorld, regs: Regs): void {
  const s = session(w);
  w.remember(BEFORE, view(w).completed);
  expectOk(w.observe(kvm(w).guestDo(s.vm, vcpuFd(w, 0), { kind: 'tdvmcall', regs })), 'queueing the guest TDVMCALL');
  markTrace(w);
  run(w);
}

/** Issued by name: the leaf number is the call encoding (spec/encodings/tdvmcall.ts), pinned by the raw-leaf scenarios. */
When(/^the guest issues TDVMCALL<([A-Za-z#.]+)>(?: with (.+))?$/, function (this: TdxWorld, leaf: string, list?: string | null) {
  if (!isTdvmcallLeaf(leaf)) throw new Error(`unknown TDVMCALL ${leaf}; known: ${Object.keys(TDVMCALL_LEAVES).join(', ')}`);
  guestTdvmcall(this, { r10: 0n, r11: TDVMCALL_LEAVES[leaf], ...parseRegs(list) });
});

When('the guest issues TDVMCALL leaf {hex}', function (this: TdxWorld, leaf: bigint) {
  guestTdvmcall(this, { r10: 0n, r11: leaf });
});

When('the guest issues a TDVMCALL with {}', function (this: TdxWorld, list: string) {
  guestTdvmcall(this, parseRegs(list));
});

// ---------------------------------------------------------------- what user space sees

Then('no exit reaches user space', function (this: TdxWorld) {
  const r = lastRun(this);
  expect(r.exit, `KVM_RUN returned an exit: ${JSON.stringify(r.exit, (_, v) => (typeof v === 'bigint' ? hex(v) : v))}`).to.equal(undefined);
  // The guest went on and idles (halts) once its work is done: KVM_RUN blocks until a signal.
  expect(r).to.deep.equal({ result: { ok: false, errno: 'EINTR' }, halted: true });
});

Then('KVM_RUN is interrupted while the vCPU is halted', function (this: TdxWorld) {
  expect(lastRun(this)).to.deep.equal({ result: { ok: false, errno: 'EINTR' }, halted: true });
});

Then('the vCPU exits to user space with {kvmexit}', function (this: TdxWorld, name: KvmExitName) {
  expect(lastRun(this).result).to.deep.equal({ ok: true });
  lastExit(this, name as KvmExit['reason']);
});

Given("the VMM set vCPU {int}'s CPUID to a MAXPHYADDR of {int} bits", function (this: TdxWorld, vcpu: number, bits: number) {
  setVcpuCpuid(this, vcpu, bits);
});

Then('KVM_RUN fails with {errno} and kvm_run reports {kvmexit}', function (this: TdxWorld, errno: ErrnoName, name: KvmExitName) {
  expect(lastRun(this).result).to.deep.equal({ ok: false, errno });
  lastExit(this, name as KvmExit['reason']);
});

Then(/^kvm_run\.io is an (OUT|IN) of (\d+) bytes? (?:to|from) port (0x[0-9a-f]+)(?: with data (0x[0-9a-f]+))?$/,
  function (this: TdxWorld, dir: string, size: string, port: string, data?: string | null) {
    const e = lastExit(this, 'KVM_EXIT_IO');
    expect({ direction: e.direction, size: e.size, port: e.port, count: e.count, data: e.data }).to.deep.equal({
      direction: dir.toLowerCase(), size: Number(size), port: Number(port), count: 1, data: data == null ? undefined : BigInt(data),
    });
  });

Then(/^kvm_run\.mmio is a (read|write) of (\d+) bytes at (0x[0-9a-f]+)(?: with data (0x[0-9a-f]+))?$/,
  function (this: TdxWorld, what: string, len: string, addr: string, data?: string | null) {
    const e = lastExit(this, 'KVM_EXIT_MMIO');
    expect({ physAddr: hex(e.physAddr), len: e.len, isWrite: e.isWrite, data: e.data }).to.deep.equal({
      physAddr: addr, len: Number(len), isWrite: what === 'write', data: data == null ? undefined : BigInt(data),
    });
  });

Then('kvm_run.tdx has nr {hex} and flags {int}', function (this: TdxWorld, nr: bigint, flags: number) {
  const e = lastExit(this, 'KVM_EXIT_TDX');
  expect([hex(e.tdx.nr), e.tdx.flags]).to.deep.equal([hex(nr), BigInt(flags)]);
});

Then('kvm_run.tdx.get_quote has ret {vmmstatus}, gpa {hex} and size {hex}', function (this: TdxWorld, ret: Named, gpa: bigint, size: bigint) {
  const q = lastExit(this, 'KVM_EXIT_TDX').tdx.getQuote;
  expect(q, 'no get_quote member').to.not.equal(undefined);
  expect({ ret: hex(q!.ret), gpa: hex(q!.gpa), size: hex(q!.size) }).to.deep.equal({ ret: hex(ret.value), gpa: hex(gpa), size: hex(size) });
});

Then('kvm_run.tdx.setup_event_notify has ret {vmmstatus} and vector {hex}', function (this: TdxWorld, ret: Named, vector: bigint) {
  const n = lastExit(this, 'KVM_EXIT_TDX').tdx.setupEventNotify;
  expect(n, 'no setup_event_notify member').to.not.equal(undefined);
  expect({ ret: hex(n!.ret), vector: n!.vector }).to.deep.equal({ ret: hex(ret.value), vector });
});

Then('kvm_run.tdx.get_tdvmcall_info has ret {vmmstatus}, leaf {int} and zero R11 to R14', function (this: TdxWorld, ret: Named, leaf: number) {
  const i = lastExit(this, 'KVM_EXIT_TDX').tdx.getTdvmcallInfo;
  expect(i, 'no get_tdvmcall_info member').to.not.equal(undefined);
  expect({ ret: hex(i!.ret), leaf: i!.leaf, regs: [i!.r11, i!.r12, i!.r13, i!.r14] })
    .to.deep.equal({ ret: hex(ret.value), leaf: BigInt(leaf), regs: [0n, 0n, 0n, 0n] });
});

Then('kvm_run.system_event has type KVM_SYSTEM_EVENT_TDX_FATAL \\({int}) and {int} data words', function (this: TdxWorld, type: number, n: number) {
  const e = lastExit(this, 'KVM_EXIT_SYSTEM_EVENT');
  expect([e.type, e.ndata, e.data.length]).to.deep.equal([type, n, n]);
});

Then('the system event data words are:', function (this: TdxWorld, table: DataTable) {
  const e = lastExit(this, 'KVM_EXIT_SYSTEM_EVENT');
  const row = table.hashes()[0];
  expect(Object.fromEntries(Object.keys(row).map((k, i) => [k, hex(e.data[i])]))).to.deep.equal(row);
});

Then('kvm_run.internal has suberror KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON \\({int}) with the TD exit {hex} and the CPU in its data', function (this: TdxWorld, suberror: number, status: bigint) {
  const e = lastExit(this, 'KVM_EXIT_INTERNAL_ERROR');
  expect([e.suberror, e.ndata, hex(e.data[0])]).to.deep.equal([suberror, 2, hex(status)]);
  const topo = this.observe(this.host().topology());
  expect(Number(e.data[1])).to.be.within(0, topo.cpus - 1);
});

// ---------------------------------------------------------------- what the guest sees

Then("the guest's TDVMCALL returns {vmmstatus}", function (this: TdxWorld, status: Named) {
  const v = view(this);
  expect(v.completed, "the guest's TDVMCALL has not returned").to.be.greaterThan(this.recall<number>(BEFORE, 'guest TDVMCALL'));
  expect(hex(v.regs.r10 ?? 0n), `R10, expected ${status.name}`).to.equal(hex(status.value));
});

Then("the guest's TDVMCALL has not returned", function (this: TdxWorld) {
  expect(view(this).completed).to.equal(this.recall<number>(BEFORE, 'guest TDVMCALL'));
});

Then('the guest sees {}', function (this: TdxWorld, list: string) {
  const want = parseRegs(list);
  const regs = view(this).regs;
  const seen = Object.fromEntries(Object.keys(want).map((r) => [r, hex(regs[r as Reg] ?? 0n)]));
  expect(seen).to.deep.equal(Object.fromEntries(Object.entries(want).map(([r, v]) => [r, hex(v as bigint)])));
});

// ---------------------------------------------------------------- the VMM's part

function answerAndRun(w: TdxWorld, a: ExitAnswer): void {
  const s = session(w);
  expectOk(w.observe(kvm(w).answer(s.vm, vcpuFd(w, 0), a)), 'writing the answer into kvm_run');
  markTrace(w);
  run(w);
}

When('the VMM runs the vCPU again', function (this: TdxWorld) {
  markTrace(this);
  run(this);
});

When('the VMM answers the read with {hex} and runs the vCPU again', function (this: TdxWorld, data: bigint) {
  answerAndRun(this, { data });
});

When('the VMM sets the kvm_run.tdx return code to {vmmstatus} and runs the vCPU again', function (this: TdxWorld, s: Named) {
  answerAndRun(this, { tdxRet: s.value });
});

When('the VMM sets kvm_run.hypercall.ret to {int} and runs the vCPU again', function (this: TdxWorld, ret: number) {
  answerAndRun(this, { hypercallRet: BigInt(ret) });
});

When('the VMM answers GetTdVmCallInfo with {vmmstatus} and R11 = {hex} and runs the vCPU again', function (this: TdxWorld, s: Named, r11: bigint) {
  answerAndRun(this, { tdxRet: s.value, tdvmcallInfo: { r11, r12: 0n, r13: 0n, r14: 0n } });
});

When('the VMM answers each piece with ret {int} until the guest\'s call returns', function (this: TdxWorld, ret: number) {
  const pieces: Extract<KvmExit, { reason: 'KVM_EXIT_HYPERCALL' }>[] = [];
  for (let i = 0; i < 64; i++) {
    const e = lastRun(this).exit;
    if (!e || e.reason !== 'KVM_EXIT_HYPERCALL') break;
    pieces.push(e);
    answerAndRun(this, { hypercallRet: BigInt(ret) });
  }
  this.remember(PIECES, pieces);
});

Then('user space received {int} hypercall exit(s)', function (this: TdxWorld, n: number) {
  const pieces = this.recall<Extract<KvmExit, { reason: 'KVM_EXIT_HYPERCALL' }>[]>(PIECES, 'MapGPA pieces');
  expect(pieces.map((p) => `${hex(p.args[0])} ${p.args[1]} pages`)).to.have.length(n);
});

/** The table's columns are kvm_run.hypercall's: nr, args[0] (gpa), args[1] (pages), args[2] (attributes), ret, flags. */
Then('user space received these hypercall exits:', function (this: TdxWorld, table: DataTable) {
  const pieces = this.recall<Extract<KvmExit, { reason: 'KVM_EXIT_HYPERCALL' }>[]>(PIECES, 'MapGPA pieces');
  const seen = pieces.map((p) => ({
    nr: String(p.nr), gpa: hex(p.args[0]), pages: String(p.args[1]), attributes: hex(p.args[2]), ret: String(p.ret), flags: hex(p.flags),
  }));
  expect(seen).to.deep.equal(table.hashes());
});

When(/^the VMM signals interrupt vector (0x[0-9a-f]+) to vCPU (\d+)( and runs it again)?$/, function (this: TdxWorld, vector: string, id: string, again?: string | null) {
  expectOk(this.observe(kvm(this).signalMsi(session(this).vm, vcpuFd(this, Number(id)), Number(vector))), 'KVM_SIGNAL_MSI');
  if (again) {
    markTrace(this);
    run(this, Number(id));
  }
});

Given('the VMM gave vCPU {int} CPUID leaf {hex} as {hex}, {hex}, {hex}, {hex}', function (this: TdxWorld, id: number, leaf: bigint, eax: bigint, ebx: bigint, ecx: bigint, edx: bigint) {
  const entry = { function: Number(leaf), index: 0, flags: 0, eax: Number(eax), ebx: Number(ebx), ecx: Number(ecx), edx: Number(edx) };
  expectOk(this.observe(kvm(this).setCpuid(session(this).vm, vcpuFd(this, id), [entry])), 'KVM_SET_CPUID2');
});

Given(/^the VMM denies the guest (read|write) access to MSR (0x[0-9a-f]+)$/, function (this: TdxWorld, how: string, msr: string) {
  const deny = [{ msr: Number(msr), read: how === 'read', write: how === 'write' }];
  expectOk(this.observe(kvm(this).setMsrFilter(session(this).vm, deny)), 'KVM_X86_SET_MSR_FILTER');
});

Given('the VMM turned KVM_HC_MAP_GPA_RANGE exits off', function (this: TdxWorld) {
  expectOk(this.observe(kvm(this).enableCap(session(this).vm, KVM_CAPS.KVM_CAP_EXIT_HYPERCALL, [0n])), 'KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL)');
});
