/**
 * What a user-space VMM does to build and drive a TD through the KVM facet, shared by the KVM
 * steps: the TD of the scenario (VM and vCPU descriptors), the requests a VMM sends by default,
 * and the documented creation flow. Only port calls and assertions on their records.
 */
import { expect } from 'chai';
import { KVM_CAPS, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_TDX_CMDS, KVM_TDX_MEASURE_MEMORY_REGION, KVM_X86_TDX_VM, sharedBit } from '../../spec/encodings/kvm';
import type {
  CpuidEntry, KvmExit, KvmFacet, RunResult, TdxCapabilities, TdxCmd, TdxCmdData, TdxCmdResult,
} from '../../backends/kvm-facet';
import type { KernelResult } from '../../backends/port';
import { SkipSignal, type TdxWorld } from '../../support/world';

export interface TdSession {
  vm: number;
  /** vCPU id -> file descriptor. */
  vcpus: Map<number, number>;
  caps?: TdxCapabilities;
  gpaw: 48 | 52;
  /** What KVM_TDX_GET_CPUID reported for the vCPUs (the base of their KVM_SET_CPUID2). */
  vcpuCpuid?: CpuidEntry[];
}

const SESSION = 'kvm.td';
export const LAST_CMD = 'kvm.last-cmd';
export const LAST_RUN = 'kvm.last-run';
export const LAST_RESULT = 'kvm.last-result';

export function kvm(w: TdxWorld): KvmFacet {
  const k = w.target.kvm;
  if (!k) throw new SkipSignal('cannot-observe', 'target has no KVM facet');
  return k;
}

export function session(w: TdxWorld): TdSession {
  return w.recall<TdSession>(SESSION, 'TD created through KVM');
}

export const startSession = (w: TdxWorld, vm: number): TdSession =>
  w.remember<TdSession>(SESSION, { vm, vcpus: new Map(), gpaw: 48 });

export function vcpuFd(w: TdxWorld, id: number): number {
  const fd = session(w).vcpus.get(id);
  if (fd === undefined) throw new Error(`step order: vCPU ${id} was not created in this scenario`);
  return fd;
}

export function expectOk(r: KernelResult, what: string): void {
  expect(r, `${what}: ${JSON.stringify(r)}`).to.deep.equal({ ok: true });
}

export function expectCmdOk(r: TdxCmdResult, what: string): TdxCmdResult {
  expectOk(r.result, what);
  return r;
}

export const tdxCmd = (id: number, data: TdxCmdData, extra: Partial<TdxCmd> = {}): TdxCmd => ({ id, data, ...extra });

/** CPUID leaves whose sub-leaf matters (KVM's cpuid_function_is_indexed()). */
const INDEXED_LEAVES = new Set([4, 7, 0xb, 0xd, 0xf, 0x10, 0x12, 0x14, 0x17, 0x18, 0x1d, 0x1e, 0x1f, 0x20, 0x23, 0x24,
  0x8000001d, 0x80000020, 0x80000026]);

/**
 * The CPUID a VMM passes to KVM_TDX_INIT_VM: one entry per configurable slot KVM reported,
 * no optional feature configured, and the GPA width in CPUID 0x80000008 EAX[23:16].
 */
export function defaultCpuid(caps: TdxCapabilities, gpaw: number): CpuidEntry[] {
  return caps.cpuid.map((e) => ({
    function: e.function, index: e.index, flags: INDEXED_LEAVES.has(e.function) ? 1 : 0,
    eax: e.function === 0x80000008 ? (gpaw << 16) >>> 0 : 0, ebx: 0, ecx: 0, edx: 0,
  }));
}

/** The attribute the suite's VMM asks for, where KVM supports it: SEPT_VE_DISABLE, bit 28 of the TD attributes. */
const SEPT_VE_DISABLE = 1n << 28n;

export function defaultInitVm(caps: TdxCapabilities, gpaw: number): Extract<TdxCmdData, { kind: 'init-vm' }> {
  return { kind: 'init-vm', attributes: SEPT_VE_DISABLE & caps.supportedAttrs, xfam: caps.supportedXfam & 0xe7n, cpuid: defaultCpuid(caps, gpaw) };
}

/** KVM_CREATE_VM for a TD, with the split IRQ chip and MapGPA exits a TD VMM enables. */
export function createTdVm(w: TdxWorld): TdSession {
  const k = kvm(w);
  const vm = w.observe(k.createVm(KVM_X86_TDX_VM));
  expectOk(vm.result, 'KVM_CREATE_VM(KVM_X86_TDX_VM)');
  const s = startSession(w, vm.fd!);
  expectOk(w.observe(k.enableCap(s.vm, KVM_CAPS.KVM_CAP_SPLIT_IRQCHIP, [24n])), 'KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)');
  expectOk(w.observe(k.enableCap(s.vm, KVM_CAPS.KVM_CAP_EXIT_HYPERCALL, [1n << 12n])), 'KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL)');
  expectOk(w.observe(k.addGuestMemory(s.vm, GUEST_MEMORY.gpa, GUEST_MEMORY.size)), 'guest memory (KVM_CREATE_GUEST_MEMFD, KVM_SET_USER_MEMORY_REGION2)');
  return s;
}

export function capabilities(w: TdxWorld): TdxCapabilities {
  const s = session(w);
  if (s.caps) return s.caps;
  const r = expectCmdOk(w.observe(kvm(w).vmTdxCmd(s.vm, tdxCmd(KVM_TDX_CMDS.KVM_TDX_CAPABILITIES, { kind: 'capabilities', nent: 256 }))),
    'KVM_TDX_CAPABILITIES');
  return (s.caps = r.capabilities!);
}

export function initVm(w: TdxWorld, gpaw: 48 | 52): void {
  const s = session(w);
  const r = w.observe(kvm(w).vmTdxCmd(s.vm, tdxCmd(KVM_TDX_CMDS.KVM_TDX_INIT_VM, defaultInitVm(capabilities(w), gpaw))));
  expectCmdOk(r, 'KVM_TDX_INIT_VM');
  s.gpaw = gpaw;
}

export function createVcpu(w: TdxWorld, id: number): number {
  const s = session(w);
  const r = w.observe(kvm(w).createVcpu(s.vm, id));
  expectOk(r.result, `KVM_CREATE_VCPU(${id})`);
  s.vcpus.set(id, r.fd!);
  return r.fd!;
}

export function initVcpu(w: TdxWorld, id: number): void {
  const s = session(w);
  const fd = s.vcpus.get(id) ?? createVcpu(w, id);
  expectCmdOk(w.observe(kvm(w).vcpuTdxCmd(s.vm, fd, tdxCmd(KVM_TDX_CMDS.KVM_TDX_INIT_VCPU, { kind: 'init-vcpu', rcx: 0n }))),
    `KVM_TDX_INIT_VCPU(${id})`);
}

/** KVM_SET_CPUID2 with what KVM_TDX_GET_CPUID reports, as a VMM does before running the vCPU (KVM takes MAXPHYADDR from it). */
export function setVcpuCpuid(w: TdxWorld, id: number, maxPhysAddr?: number): void {
  const s = session(w);
  const fd = vcpuFd(w, id);
  // KVM_TDX_GET_CPUID works only before the TD is finalized: later calls reuse what it gave.
  s.vcpuCpuid ??= expectCmdOk(w.observe(kvm(w).vcpuTdxCmd(s.vm, fd, tdxCmd(KVM_TDX_CMDS.KVM_TDX_GET_CPUID, { kind: 'get-cpuid', nent: 256 }))),
    `KVM_TDX_GET_CPUID(${id})`).cpuid ?? [];
  const r = { cpuid: s.vcpuCpuid };
  // The VMM gives the vCPU a MAXPHYADDR (CPUID 0x80000008 EAX[7:0]) equal to the TD's GPA width.
  const entries = (r.cpuid ?? []).map((e) => (e.function === 0x80000008 ? { ...e, eax: ((e.eax & ~0xff) | (maxPhysAddr ?? s.gpaw)) >>> 0 } : e));
  expectOk(w.observe(kvm(w).setCpuid(s.vm, fd, entries)), `KVM_SET_CPUID2(${id})`);
}

/** Guest memory a VMM gives the TD before copying its image: 4 MiB at GPA 0, private pages from a guest_memfd. */
export const GUEST_MEMORY = { gpa: 0n, size: 0x400000n };

export function markPrivate(w: TdxWorld, gpa: bigint, size: bigint, isPrivate = true): KernelResult {
  return w.observe(kvm(w).setMemoryAttributes(session(w).vm, gpa, size, isPrivate ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0n));
}

export function initMemRegion(w: TdxWorld, gpa: bigint, pages: bigint, measure: boolean, sourceOffset = 0n): TdxCmdResult {
  const s = session(w);
  const cmd = tdxCmd(KVM_TDX_CMDS.KVM_TDX_INIT_MEM_REGION,
    { kind: 'init-mem-region', region: { sourceOffset, gpa, nrPages: pages } },
    { flags: measure ? Number(KVM_TDX_MEASURE_MEMORY_REGION) : 0 });
  return w.observe(kvm(w).vcpuTdxCmd(s.vm, vcpuFd(w, 0), cmd));
}

export function finalize(w: TdxWorld): TdxCmdResult {
  return w.observe(kvm(w).vmTdxCmd(session(w).vm, tdxCmd(KVM_TDX_CMDS.KVM_TDX_FINALIZE_VM, { kind: 'none' })));
}

/** The documented creation flow up to a TD whose vCPUs can run (@src:kvm-tdx-rst). */
export function buildRunnableTd(w: TdxWorld, vcpus: number, gpaw: 48 | 52): TdSession {
  const s = createTdVm(w);
  capabilities(w);
  initVm(w, gpaw);
  for (let id = 0; id < vcpus; id++) {
    initVcpu(w, id);
    setVcpuCpuid(w, id);
  }
  expectOk(markPrivate(w, 0n, 0x10000n), 'KVM_SET_MEMORY_ATTRIBUTES(private)');
  expectCmdOk(initMemRegion(w, 0n, 4n, true), 'KVM_TDX_INIT_MEM_REGION');
  expectCmdOk(finalize(w), 'KVM_TDX_FINALIZE_VM');
  return s;
}

/** The TD's shared bit as a GPA mask. */
export const tdSharedBit = (w: TdxWorld): bigint => sharedBit(session(w).gpaw);

export function run(w: TdxWorld, vcpu = 0): RunResult {
  return w.remember(LAST_RUN, w.observe(kvm(w).run(session(w).vm, vcpuFd(w, vcpu))));
}

export function lastRun(w: TdxWorld): RunResult {
  return w.recall<RunResult>(LAST_RUN, 'KVM_RUN');
}

/** The exit of the last KVM_RUN, which must be `name`. */
export function lastExit<N extends KvmExit['reason']>(w: TdxWorld, name: N): Extract<KvmExit, { reason: N }> {
  const r = lastRun(w);
  expect(r.exit?.reason, `KVM_RUN returned ${JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`).to.equal(name);
  return r.exit as Extract<KvmExit, { reason: N }>;
}
