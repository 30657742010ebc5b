/** Creating a TD through KVM: VM and vCPU descriptors and the KVM_TDX_* sub-commands. */
import { expect } from 'chai';
import type { ErrnoName } from '../../spec/abi/errno';
import { KVM_CAPS, KVM_TDX_CMDS, KVM_TDX_INIT_VM_RESERVED_WORDS, KVM_TDX_VM_SCOPE, kvmTdxCmdName } from '../../spec/encodings/kvm';
import type { FdResult, TdxCmd, TdxCmdData, TdxCmdResult } from '../../backends/kvm-facet';
import type { KernelResult } from '../../backends/port';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import {
  buildRunnableTd, capabilities, createTdVm, createVcpu, defaultInitVm, expectCmdOk, expectOk, finalize, initVcpu, initVm, kvm,
  LAST_CMD, lastRun, markPrivate, run, session, startSession, tdxCmd, vcpuFd,
} from './td';
import { markTrace } from './trace';

const VM_RESULT = 'kvm.vm-result';
const VCPU_RESULT = 'kvm.vcpu-result';

// ---------------------------------------------------------------- VMs and vCPUs

When('the VMM creates a VM of type {int}', function (this: TdxWorld, type: number) {
  this.remember(VM_RESULT, this.observe(kvm(this).createVm(type)));
});

Then('the VM is created', function (this: TdxWorld) {
  const r = this.recall<FdResult>(VM_RESULT, 'KVM_CREATE_VM');
  expectOk(r.result, 'KVM_CREATE_VM');
  expect(r.fd).to.be.a('number');
});

When('the VMM issues {tdxcmd} on that VM', function (this: TdxWorld, id: number) {
  const vm = this.recall<FdResult>(VM_RESULT, 'KVM_CREATE_VM');
  expectOk(vm.result, 'KVM_CREATE_VM');
  this.remember(LAST_CMD, this.observe(kvm(this).vmTdxCmd(vm.fd!, tdxCmd(id, { kind: 'capabilities', nent: 256 }))));
});

Then('creating the VM fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<FdResult>(VM_RESULT, 'KVM_CREATE_VM').result).to.deep.equal({ ok: false, errno });
});

Given('a TD VM created by the VMM', function (this: TdxWorld) {
  createTdVm(this);
});

Given('a TD VM created by the VMM without a split IRQ chip', function (this: TdxWorld) {
  const vm = this.observe(kvm(this).createVm(5));
  expectOk(vm.result, 'KVM_CREATE_VM(KVM_X86_TDX_VM)');
  startSession(this, vm.fd!);
});

Given(/^a runnable TD with (\d+) vCPUs?(?: and GPA width (48|52))?$/, function (this: TdxWorld, n: string, width?: string) {
  buildRunnableTd(this, Number(n), width === '52' ? 52 : 48);
});

Given('the VMM knows the TD capabilities', function (this: TdxWorld) {
  capabilities(this);
});

Given(/^the TD was initialised with KVM_TDX_INIT_VM(?: with GPA width (48|52))?$/, function (this: TdxWorld, width?: string) {
  initVm(this, width === '52' ? 52 : 48);
});

Given('vCPU {int} was created', function (this: TdxWorld, id: number) {
  createVcpu(this, id);
});

Given('vCPU {int} was created and initialised', function (this: TdxWorld, id: number) {
  initVcpu(this, id);
});

Given('the TD was finalized', function (this: TdxWorld) {
  expectCmdOk(finalize(this), 'KVM_TDX_FINALIZE_VM');
});

Given(/^the VMM made GPAs (0x[0-9a-f]+) to (0x[0-9a-f]+) private$/, function (this: TdxWorld, from: string, to: string) {
  expectOk(markPrivate(this, BigInt(from), BigInt(to) - BigInt(from)), 'KVM_SET_MEMORY_ATTRIBUTES');
});

Given('the VMM added guest memory at GPA {hex} of {hex} bytes', function (this: TdxWorld, gpa: bigint, size: bigint) {
  expectOk(this.observe(kvm(this).addGuestMemory(session(this).vm, gpa, size)), 'guest memory (KVM_CREATE_GUEST_MEMFD, KVM_SET_USER_MEMORY_REGION2)');
});

Given(/^the CPU's EPT has (five|only four) levels$/, function (this: TdxWorld, levels: string) {
  this.arrange({ kind: 'ept-5level', present: levels === 'five' });
});

When('the VMM creates vCPU {int}', function (this: TdxWorld, id: number) {
  const r = this.remember(VCPU_RESULT, this.observe(kvm(this).createVcpu(session(this).vm, id)));
  if (r.result.ok) session(this).vcpus.set(id, r.fd!);
});

Then('the vCPU is created', function (this: TdxWorld) {
  expectOk(this.recall<FdResult>(VCPU_RESULT, 'KVM_CREATE_VCPU').result, 'KVM_CREATE_VCPU');
});

Then('creating the vCPU fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<FdResult>(VCPU_RESULT, 'KVM_CREATE_VCPU').result).to.deep.equal({ ok: false, errno });
});

Then('KVM_CAP_MAX_VCPUS of the VM equals the number of logical CPUs', function (this: TdxWorld) {
  const topo = this.observe(this.host().topology());
  expect(this.observe(kvm(this).vmCheckExtension(session(this).vm, KVM_CAPS.KVM_CAP_MAX_VCPUS))).to.equal(BigInt(topo.cpus));
});

Then(/^vCPU (\d+) is in state (KVM_MP_STATE_[A-Z_]+) \((\d+)\)$/, function (this: TdxWorld, id: string, name: string, state: string) {
  const r = this.observe(kvm(this).mpState(session(this).vm, vcpuFd(this, Number(id))));
  expectOk(r.result, 'KVM_GET_MP_STATE');
  expect(r.state, `mp_state, expected ${name}`).to.equal(Number(state));
});

// ---------------------------------------------------------------- sub-commands

/** The data a VMM passes with a sub-command when the scenario does not say otherwise. */
function defaultData(w: TdxWorld, id: number): TdxCmdData {
  switch (id) {
    case KVM_TDX_CMDS.KVM_TDX_CAPABILITIES: return { kind: 'capabilities', nent: 256 };
    case KVM_TDX_CMDS.KVM_TDX_INIT_VM: return defaultInitVm(capabilities(w), 48);
    case KVM_TDX_CMDS.KVM_TDX_INIT_VCPU: return { kind: 'init-vcpu', rcx: 0n };
    case KVM_TDX_CMDS.KVM_TDX_GET_CPUID: return { kind: 'get-cpuid', nent: 256 };
    default: return { kind: 'none' };
  }
}

/** Issue a sub-command on the descriptor its scope calls for (vCPU sub-commands on vCPU 0). */
function issue(w: TdxWorld, cmd: TdxCmd, on: 'scope' | 'vm' = 'scope'): TdxCmdResult {
  markTrace(w);
  const s = session(w);
  const name = kvmTdxCmdName(cmd.id);
  const vmScope = on === 'vm' || name === undefined || KVM_TDX_VM_SCOPE.includes(name);
  const r = vmScope ? kvm(w).vmTdxCmd(s.vm, cmd) : kvm(w).vcpuTdxCmd(s.vm, vcpuFd(w, 0), cmd);
  return w.remember(LAST_CMD, w.observe(r));
}

When('the VMM issues {tdxcmd}', function (this: TdxWorld, id: number) {
  issue(this, tdxCmd(id, defaultData(this, id)));
});

When('the VMM issues {tdxcmd} with hw_error {hex}', function (this: TdxWorld, id: number, hwError: bigint) {
  issue(this, tdxCmd(id, defaultData(this, id), { hwError }));
});

When('the VMM issues {tdxcmd} with flags {hex}', function (this: TdxWorld, id: number, flags: bigint) {
  issue(this, tdxCmd(id, defaultData(this, id), { flags: Number(flags) }));
});

When('the VMM issues sub-command {int} on the VM', function (this: TdxWorld, id: number) {
  issue(this, tdxCmd(id, { kind: 'none' }), 'vm');
});

When('the VMM issues {tdxcmd} on the VM', function (this: TdxWorld, id: number) {
  issue(this, tdxCmd(id, defaultData(this, id)), 'vm');
});

When('the VMM issues {tdxcmd} on vCPU {int}', function (this: TdxWorld, id: number, vcpu: number) {
  markTrace(this);
  const r = kvm(this).vcpuTdxCmd(session(this).vm, vcpuFd(this, vcpu), tdxCmd(id, defaultData(this, id)));
  this.remember(LAST_CMD, this.observe(r));
});

When('the VMM issues KVM_TDX_CAPABILITIES with room for {int} CPUID entries', function (this: TdxWorld, nent: number) {
  issue(this, tdxCmd(KVM_TDX_CMDS.KVM_TDX_CAPABILITIES, { kind: 'capabilities', nent }));
});

const CAPS_COUNT = 'kvm.caps-count';

Given('KVM_TDX_CAPABILITIES with room for 256 CPUID entries reported N entries', function (this: TdxWorld) {
  const r = expectCmdOk(this.observe(kvm(this).vmTdxCmd(session(this).vm,
    tdxCmd(KVM_TDX_CMDS.KVM_TDX_CAPABILITIES, { kind: 'capabilities', nent: 256 }))), 'KVM_TDX_CAPABILITIES');
  const n = r.capabilities?.cpuid.length;
  expect(n, 'CPUID entries reported').to.be.a('number').and.greaterThan(0);
  this.remember(CAPS_COUNT, n!);
});

When(/^the VMM issues KVM_TDX_CAPABILITIES with room for N([+-]\d+)? CPUID entries$/, function (this: TdxWorld, delta?: string) {
  const n = this.recall<number>(CAPS_COUNT, 'the count KVM_TDX_CAPABILITIES reported') + Number(delta ?? 0);
  issue(this, tdxCmd(KVM_TDX_CMDS.KVM_TDX_CAPABILITIES, { kind: 'capabilities', nent: n }));
});

const SET_CPUID = 'kvm.set-cpuid2-result';

/** Hypervisor leaves 0x40000000 up with zero values: no later check of KVM_SET_CPUID2 refuses them. */
When('the VMM issues KVM_SET_CPUID2 on vCPU {int} with {int} entries', function (this: TdxWorld, id: number, n: number) {
  const entries = Array.from({ length: n }, (_, i) => ({ function: 0x40000000 + i, index: 0, flags: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 }));
  this.remember(SET_CPUID, this.observe(kvm(this).setCpuid(session(this).vm, vcpuFd(this, id), entries)));
});

Then('KVM_SET_CPUID2 succeeds', function (this: TdxWorld) {
  expectOk(this.recall<KernelResult>(SET_CPUID, 'KVM_SET_CPUID2'), 'KVM_SET_CPUID2');
});

Then('KVM_SET_CPUID2 fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<KernelResult>(SET_CPUID, 'KVM_SET_CPUID2')).to.deep.equal({ ok: false, errno });
});

When('the VMM issues KVM_TDX_GET_CPUID on vCPU {int} with room for {int} entries', function (this: TdxWorld, vcpu: number, nent: number) {
  markTrace(this);
  const r = kvm(this).vcpuTdxCmd(session(this).vm, vcpuFd(this, vcpu), tdxCmd(KVM_TDX_CMDS.KVM_TDX_GET_CPUID, { kind: 'get-cpuid', nent }));
  this.remember(LAST_CMD, this.observe(r));
});

/** Changes a scenario makes to the default KVM_TDX_INIT_VM request. */
const INIT_VM_CHANGES: [RegExp, (d: Extract<TdxCmdData, { kind: 'init-vm' }>, m: RegExpExecArray) => void][] = [
  [/^attributes (0x[0-9a-f]+)$/, (d, m) => { d.attributes = BigInt(m[1]); }],
  [/^XFAM (0x[0-9a-f]+)$/, (d, m) => { d.xfam = BigInt(m[1]); }],
  [/^GPA width (\d+)$/, (d, m) => {
    for (const e of d.cpuid) if (e.function === 0x80000008) e.eax = (Number(m[1]) << 16) >>> 0;
  }],
  [/^an extra CPUID entry for leaf (0x[0-9a-f]+)$/, (d, m) => {
    d.cpuid.push({ function: Number(m[1]), index: 0, flags: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 });
  }],
  [/^CPUID 7\.0 (EBX|ECX) reporting [A-Z0-9]+ \(bit (\d+)\)$/, (d, m) => {
    const reg = m[1] === 'EBX' ? 'ebx' : 'ecx';
    for (const e of d.cpuid) if (e.function === 7 && e.index === 0) e[reg] = (e[reg] | (1 << Number(m[2]))) >>> 0;
  }],
  [/^(\d+) CPUID entries$/, (d, m) => {
    while (d.cpuid.length < Number(m[1])) d.cpuid.push({ function: 0x40000000 + d.cpuid.length, index: 0, flags: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 });
  }],
  [/^a non-zero reserved word$/, (d) => {
    d.reserved = Array.from({ length: KVM_TDX_INIT_VM_RESERVED_WORDS }, (_, i) => (i === 3 ? 1n : 0n));
  }],
  [/^CPUID 0x1 EAX = (0x[0-9a-f]+)$/, (d, m) => {
    for (const e of d.cpuid) if (e.function === 1) e.eax = Number(m[1]) >>> 0;
  }],
];

When(/^the VMM issues KVM_TDX_INIT_VM with (?!flags |hw_error )(.+)$/, function (this: TdxWorld, change: string) {
  const data = defaultInitVm(capabilities(this), 48);
  const rule = INIT_VM_CHANGES.map(([re, f]) => ({ m: re.exec(change), f })).find((x) => x.m);
  if (!rule) throw new Error(`no KVM_TDX_INIT_VM change "${change}" known to the steps`);
  rule.f(data, rule.m!);
  issue(this, tdxCmd(KVM_TDX_CMDS.KVM_TDX_INIT_VM, data));
});

When('the VMM issues KVM_TDX_INIT_VM without a CPUID 0x80000008 entry', function (this: TdxWorld) {
  const data = defaultInitVm(capabilities(this), 48);
  data.cpuid = data.cpuid.filter((e) => e.function !== 0x80000008);
  issue(this, tdxCmd(KVM_TDX_CMDS.KVM_TDX_INIT_VM, data));
});

When(/^the VMM issues KVM_TDX_INIT_MEM_REGION for (\d+) pages at GPA (0x[0-9a-f]+) from (?:(0x[0-9a-f]+) bytes into )?its own pages with flags (0x[0-9a-f]+)$/,
  function (this: TdxWorld, pages: string, gpa: string, offset: string | undefined, flags: string) {
    const cmd = tdxCmd(KVM_TDX_CMDS.KVM_TDX_INIT_MEM_REGION,
      { kind: 'init-mem-region', region: { sourceOffset: BigInt(offset ?? 0), gpa: BigInt(gpa), nrPages: BigInt(pages) } },
      { flags: Number(BigInt(flags)) });
    issue(this, cmd);
  });

const lastCmd = (w: TdxWorld): TdxCmdResult => w.recall<TdxCmdResult>(LAST_CMD, 'KVM_MEMORY_ENCRYPT_OP');

Then('the sub-command succeeds', function (this: TdxWorld) {
  expectOk(lastCmd(this).result, 'the sub-command');
});

Then('the sub-command fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(lastCmd(this).result).to.deep.equal({ ok: false, errno });
});

Then('hw_error is {hex}', function (this: TdxWorld, value: bigint) {
  expect(`0x${lastCmd(this).hwError.toString(16)}`).to.equal(`0x${value.toString(16)}`);
});

// ---------------------------------------------------------------- what came back

Then(/^the supported attributes are (0x[0-9a-f]+) \(.*\)$/, function (this: TdxWorld, attrs: string) {
  expect(`0x${(lastCmd(this).capabilities?.supportedAttrs ?? 0n).toString(16)}`).to.equal(attrs);
});

Then('the supported XFAM includes x87 and SSE', function (this: TdxWorld) {
  expect((lastCmd(this).capabilities?.supportedXfam ?? 0n) & 3n).to.equal(3n);
});

Then('there is one CPUID entry per CPUID configuration of the TDX module', function (this: TdxWorld) {
  const n = this.observe(this.host().readMetadata(0x9900000100000004n));
  expect(n.result, 'reading NUM_CPUID_CONFIG').to.deep.equal({ ok: true });
  expect(lastCmd(this).capabilities?.cpuid.length).to.equal(Number(n.value));
  expect(lastCmd(this).nent).to.equal(Number(n.value));
});

Then('CPUID 0x80000008 EAX bits 23:16 are reported as 0xff', function (this: TdxWorld) {
  const e = lastCmd(this).capabilities?.cpuid.find((x) => x.function === 0x80000008);
  expect(e, 'no CPUID 0x80000008 entry').to.not.equal(undefined);
  expect((e!.eax >>> 16) & 0xff).to.equal(0xff);
});

Then(/^no CPUID 7\.0 entry sets EBX bits (\d+) and (\d+) \(HLE, RTM\) or ECX bit (\d+) \(WAITPKG\)$/, function (this: TdxWorld, hle: string, rtm: string, waitpkg: string) {
  const leaf7 = lastCmd(this).capabilities?.cpuid.filter((x) => x.function === 7 && x.index === 0) ?? [];
  for (const e of leaf7) {
    expect(e.ebx & ((1 << Number(hle)) | (1 << Number(rtm))), 'HLE/RTM').to.equal(0);
    expect(e.ecx & (1 << Number(waitpkg)), 'WAITPKG').to.equal(0);
  }
});

Then('the region written back starts at GPA {hex} with {int} pages left', function (this: TdxWorld, gpa: bigint, left: number) {
  const r = lastCmd(this).region;
  expect(r, 'no region written back').to.not.equal(undefined);
  expect([r!.gpa, r!.nrPages]).to.deep.equal([gpa, BigInt(left)]);
});

Then('the CPUID returned has leaf {hex} with EAX bits 23:16 equal to {int}', function (this: TdxWorld, leaf: bigint, value: number) {
  const e = lastCmd(this).cpuid?.find((x) => x.function === Number(leaf));
  expect(e, `no CPUID leaf 0x${leaf.toString(16)} returned`).to.not.equal(undefined);
  expect((e!.eax >>> 16) & 0xff).to.equal(value);
});

Then('nent was set to the number of entries a call with enough room returns', function (this: TdxWorld) {
  const small = lastCmd(this);
  const full = this.observe(kvm(this).vcpuTdxCmd(session(this).vm, vcpuFd(this, 0),
    tdxCmd(KVM_TDX_CMDS.KVM_TDX_GET_CPUID, { kind: 'get-cpuid', nent: 256 })));
  expectCmdOk(full, 'KVM_TDX_GET_CPUID with room for 256 entries');
  expect(small.cpuid, 'entries copied despite E2BIG').to.equal(undefined);
  expect(small.nent).to.equal(full.cpuid?.length);
});

// ---------------------------------------------------------------- KVM_RUN gate, KeyIDs

When('the VMM runs vCPU {int}', function (this: TdxWorld, id: number) {
  markTrace(this);
  run(this, id);
});

Then('KVM_RUN fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(lastRun(this).result).to.deep.equal({ ok: false, errno });
});

Then('running vCPU {int} fails with {errno}', function (this: TdxWorld, id: number, errno: ErrnoName) {
  expect(run(this, id).result).to.deep.equal({ ok: false, errno });
});

Then(/^the next TD KeyID the kernel hands out is its (first|second) one$/, function (this: TdxWorld, which: string) {
  const range = this.target.description.platform.keyIds;
  if (!range) throw new Error('the target does not know its KeyID range');
  const a = this.observe(this.host().allocGuestKeyId());
  expectOk(a.result, 'allocating a TD KeyID');
  // The first KeyID of the range is the global one; TD KeyIDs follow it.
  expect(a.keyId).to.equal(range.start + (which === 'first' ? 1 : 2));
});

Given('every CPU of package {int} is offline', function (this: TdxWorld, pkg: number) {
  const topo = this.observe(this.host().topology());
  for (let cpu = 0; cpu < topo.cpus; cpu++) {
    if (topo.packageOf(cpu) === pkg) expectOk(this.observe(this.host().cpuOffline(cpu)), `offlining CPU ${cpu}`);
  }
});

// ---------------------------------------------------------------- memory attributes

const ATTRIBUTES_RESULT = 'kvm.memory-attributes-result';

When('the VMM issues KVM_SET_MEMORY_ATTRIBUTES with attributes {hex} for {hex} bytes at GPA {hex}',
  function (this: TdxWorld, attributes: bigint, size: bigint, gpa: bigint) {
    this.remember(ATTRIBUTES_RESULT, this.observe(kvm(this).setMemoryAttributes(session(this).vm, gpa, size, attributes)));
  });

Then('KVM_SET_MEMORY_ATTRIBUTES succeeds', function (this: TdxWorld) {
  expect(this.recall<KernelResult>(ATTRIBUTES_RESULT, 'KVM_SET_MEMORY_ATTRIBUTES')).to.deep.equal({ ok: true });
});

Then('KVM_SET_MEMORY_ATTRIBUTES fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<KernelResult>(ATTRIBUTES_RESULT, 'KVM_SET_MEMORY_ATTRIBUTES')).to.deep.equal({ ok: false, errno });
});
