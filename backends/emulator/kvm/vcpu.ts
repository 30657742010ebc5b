/**
 * A TD vCPU file descriptor of the emulated KVM (@src:kvm-tdx-c): the vCPU-scope KVM_TDX_*
 * sub-commands (INIT_VCPU, INIT_MEM_REGION, GET_CPUID), KVM_RUN — TDH.VP.ENTER, then the TD exit
 * handled in the kernel or returned to user space — and completion of a user-space exit on the
 * next KVM_RUN, plus the vCPU ioctls KVM refuses for TDs.
 */
import { KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, KVM_MEMORY_EXIT_FLAG_PRIVATE, KVM_MP_STATES, TDX_EXTENDMR_CHUNKSIZE } from '../../../spec/abi/kvm-uapi';
import { KVM_EXITS, KVM_MAX_CPUID_ENTRIES, KVM_TDX_CMDS, KVM_TDX_MEASURE_MEMORY_REGION } from '../../../spec/encodings/kvm';
import { EXIT_REASONS } from '../../../spec/abi/vmx-exit-reasons';
import type { CpuidEntry, ExitAnswer, GuestAction, GuestView, KvmExit, RunResult, TdxCmd, TdxCmdResult, VcpuIoctl } from '../../kvm-facet';
import type { KernelResult, Regs } from '../../port';
import { cpuidFieldId, tds, TDVPS_SHARED_EPT_POINTER, type VpRecord } from '../module/leaves/td-state';
import { printSeamcallError } from './teardown';
import { handleTdvmcall, type Step } from './tdvmcall';
import { cmdResult, err, ok } from './results';
import type { KvmVm } from './vm';

const PAGE = 4096n;
/** TDX_MD_UNREADABLE_LEAF_MASK: leaf bits 30:7, which a CPUID_VALUES field ID cannot carry. */
const UNREADABLE_LEAF_MASK = 0x7fffff80;
/** x2APIC mode, enabled, at the default base (LAPIC_MODE_X2APIC | APIC_DEFAULT_PHYS_BASE), BSP bit for vCPU 0. */
const APIC_BASE_X2APIC = 0xfee00000n | 0xc00n;

/** MSRs KVM emulates for a TD (tdx_has_emulated_msr()); APICBASE, EFER and FEAT_CTL are read-only. */
const EMULATED_MSRS = new Set([0x8b, 0x10a, 0x1fc, 0x277, 0xfe, 0x2ff, 0x6e0, 0x1a0, 0xce, 0x140, 0x1b, 0xc0000080, 0x3a,
  0x179, 0x17a, 0x17b, 0x4d0, 0x4b564d05]);
const READ_ONLY_MSRS = new Set([0x1b, 0xc0000080, 0x3a]);
/** x2APIC registers the CPU virtualizes, so KVM cannot emulate them: TPR, PPR, EOI, ISR, TMR, IRR. */
const x2apicVirtualized = (msr: number): boolean =>
  msr === 0x808 || msr === 0x80a || msr === 0x80b || (msr >= 0x810 && msr <= 0x827);

interface PendingExit {
  exit: KvmExit;
  complete: (a: ExitAnswer) => Step;
}

export class TdVcpu {
  state: 'UNINITIALIZED' | 'INITIALIZED' = 'UNINITIALIZED';
  tdvpr: bigint | null = null;
  tdcx: bigint[] = [];
  cpuid: CpuidEntry[] = [];
  private mpState: number = KVM_MP_STATES.KVM_MP_STATE_UNINITIALIZED;
  /** Vector of an interrupt waiting to be delivered (kvm_vcpu_has_events()). */
  pendingInterrupt: number | null = null;
  halted = false;
  /** vp_enter_args: the registers the next TDH.VP.ENTER hands the guest. */
  private args: Regs = {};
  private pending: PendingExit | null = null;
  private answerBuf: ExitAnswer = {};
  /** MapGPA in progress: next piece and end (tdx->map_gpa_next/_end). */
  mapGpa: { next: bigint; end: bigint } | null = null;
  /** The CPU the vCPU last entered the TD on (vcpu->cpu), null when flushed. */
  private lastCpu: number | null = null;
  private sharedEptLoaded = false;
  readonly msrs = new Map<number, bigint>();

  constructor(readonly vm: KvmVm, readonly fd: number, readonly id: number) {
    this.msrs.set(0x1b, APIC_BASE_X2APIC | (id === 0 ? 0x100n : 0n));
    this.msrs.set(0xc0000080, 0xd01n);
    this.msrs.set(0x3a, 1n);
    this.msrs.set(0x277, 0x0007040600070406n);
  }

  private get sc() {
    return this.vm.kvm.sc;
  }

  /** The module's record of this vCPU (the emulator's view into the TDVPS). */
  private vp(): VpRecord | undefined {
    const m = this.vm.kernel.module;
    if (!m || this.vm.tdr === null || this.tdvpr === null) return undefined;
    return tds(m).get(this.vm.tdr)?.vcpus.get(this.tdvpr);
  }

  /** KVM_MEMORY_ENCRYPT_OP on the vCPU (tdx_vcpu_ioctl()). */
  tdxCmd(cmd: TdxCmd): TdxCmdResult {
    const vm = this.vm;
    if (vm.dead) return cmdResult(err('EIO'));
    const afterFinalize = vm.state === 'RUNNABLE' && !vm.faults.has('kvm.mem-region-after-finalize');
    if (vm.hkid < 0 || afterFinalize) return cmdResult(err('EINVAL'));
    if ((cmd.hwError ?? 0n) !== 0n && !vm.faults.has('kvm.hw-error-accepted')) return cmdResult(err('EINVAL'));
    switch (cmd.id) {
      case KVM_TDX_CMDS.KVM_TDX_INIT_VCPU: return this.initVcpu(cmd);
      case KVM_TDX_CMDS.KVM_TDX_INIT_MEM_REGION: return this.initMemRegion(cmd);
      case KVM_TDX_CMDS.KVM_TDX_GET_CPUID: return this.getCpuid(cmd);
      default: return cmdResult(err('EINVAL'));
    }
  }

  /** tdx_vcpu_init() and tdx_td_vcpu_init(): TDVPR and TDCX pages, TDH.VP.CREATE/ADDCX/INIT. */
  private initVcpu(cmd: TdxCmd): TdxCmdResult {
    const vm = this.vm;
    if ((cmd.flags ?? 0) !== 0 && !vm.faults.has('kvm.flags-ignored')) return cmdResult(err('EINVAL'));
    if (this.state !== 'UNINITIALIZED' && !vm.faults.has('kvm.init-vcpu-twice')) return cmdResult(err('EINVAL'));
    const rcx = cmd.data.kind === 'init-vcpu' ? cmd.data.rcx : 0n;
    const cpu = this.sc.currentCpu();
    const tdvpr = vm.mmu.allocPage();
    const created = this.sc.call(cpu, 'TDH.VP.CREATE', { rcx: tdvpr, rdx: vm.tdr! });
    if (created.status !== 0n) {
      printSeamcallError(vm, 'TDH_VP_CREATE', created.status);
      return cmdResult(err('EIO'));
    }
    this.tdvpr = tdvpr;
    for (let i = 0; i < vm.kvm.conf.tdcxPages; i++) {
      const page = vm.mmu.allocPage();
      const r = this.sc.call(cpu, 'TDH.VP.ADDCX', { rcx: page, rdx: tdvpr });
      if (r.status !== 0n) {
        printSeamcallError(vm, 'TDH_VP_ADDCX', r.status);
        return cmdResult(err('EIO'));
      }
      this.tdcx.push(page);
    }
    // With topology enumeration the module takes the x2APIC ID (leaf version 1).
    const topology = ((vm.kvm.conf.features0 >> 20n) & 1n) === 1n;
    const init = topology
      ? this.sc.call(cpu, 'TDH.VP.INIT', { rcx: tdvpr, rdx: rcx, r8: BigInt(this.id) }, 1)
      : this.sc.call(cpu, 'TDH.VP.INIT', { rcx: tdvpr, rdx: rcx });
    if (init.status !== 0n) {
      printSeamcallError(vm, 'TDH_VP_INIT', init.status);
      return cmdResult(err('EIO'));
    }
    this.mpState = KVM_MP_STATES.KVM_MP_STATE_RUNNABLE;
    this.state = 'INITIALIZED';
    // TDH.VP.INIT associates the vCPU with the CPU that ran it (vcpu_load() of the ioctl): teardown flushes it there.
    if (!vm.faults.has('kvm.flush-only-vcpus-that-ran')) this.lastCpu = cpu;
    return cmdResult(ok);
  }

  /** tdx_vcpu_init_mem_region(): copy pages into private memory before the TD is finalized. */
  private initMemRegion(cmd: TdxCmd): TdxCmdResult {
    const vm = this.vm;
    const f = vm.faults;
    if (this.state !== 'INITIALIZED') return cmdResult(err('EINVAL'));
    if (vm.state === 'RUNNABLE' && !f.has('kvm.mem-region-after-finalize')) return cmdResult(err('EINVAL'));
    if ((BigInt(cmd.flags ?? 0) & ~KVM_TDX_MEASURE_MEMORY_REGION) !== 0n) return cmdResult(err('EINVAL'));
    if (cmd.data.kind !== 'init-mem-region') return cmdResult(err('EFAULT'));
    const region = { ...cmd.data.region, sourceAddr: cmd.data.region.sourceAddr ?? 0n };
    const end = region.gpa + region.nrPages * PAGE;
    const aligned = (region.sourceAddr % PAGE === 0n && region.gpa % PAGE === 0n) || f.has('kvm.mem-region-unaligned');
    if (!aligned || region.nrPages === 0n || end <= region.gpa || !vm.isPrivateGpa(region.gpa) || !vm.isPrivateGpa(end - 1n)) {
      return cmdResult(err('EINVAL'));
    }
    const cpu = this.sc.currentCpu();
    // The faulty KVM also tests the GPA after the region (not only its last byte) for the shared bit.
    if (f.has('kvm.mem-region-end-tested') && !vm.isPrivateGpa(end)) return cmdResult(err('EINVAL'));
    const chunk = f.has('kvm.measure-chunk-512') ? 2n * TDX_EXTENDMR_CHUNKSIZE : TDX_EXTENDMR_CHUNKSIZE;
    let result: KernelResult = ok;
    while (region.nrPages > 0n) {
      const gpa = region.gpa - (region.gpa % PAGE);
      // kvm_gmem_populate() fills only pages whose memory attribute is private.
      if (!vm.privatePages.has(gpa) && !f.has('kvm.mem-region-attr-unchecked')) {
        result = err('EINVAL');
        break;
      }
      const source = vm.mmu.allocPage();
      const added = vm.mmu.addInitialPage(cpu, gpa, source);
      if (!added.ok) {
        result = added;
        break;
      }
      if ((BigInt(cmd.flags ?? 0) & KVM_TDX_MEASURE_MEMORY_REGION) !== 0n) {
        for (let off = 0n; off < PAGE; off += chunk) {
          if (this.sc.call(cpu, 'TDH.MR.EXTEND', { rcx: gpa + off, rdx: vm.tdr! }).status !== 0n) {
            result = err('EIO');
            break;
          }
        }
        if (!result.ok) break;
      }
      region.sourceAddr += PAGE;
      region.gpa += PAGE;
      region.nrPages--;
    }
    return { ...cmdResult(result), region: f.has('kvm.mem-region-not-advanced') ? { ...cmd.data.region } : region };
  }

  /**
   * tdx_read_cpuid(): one leaf/sub-leaf of the TD's virtual CPUID through TDH.MNG.RD, into entry
   * `index` of a table of KVM_MAX_CPUID_ENTRIES; a full table, or a leaf or sub-leaf the field ID
   * cannot name, is EINVAL before any SEAMCALL.
   */
  private readCpuid(leaf: number, subleaf: number | null, index: number): CpuidEntry | 'EIO' | 'EINVAL' {
    if (subleaf !== null && subleaf > 0x7f) return 'EINVAL';
    if (index >= KVM_MAX_CPUID_ENTRIES) return 'EINVAL';
    if ((leaf & UNREADABLE_LEAF_MASK) !== 0) return 'EINVAL';
    const cpu = this.sc.currentCpu();
    const rd = (element: 0 | 1) => this.sc.call(cpu, 'TDH.MNG.RD', { rcx: this.vm.tdr!, rdx: cpuidFieldId(leaf, subleaf, element) });
    const lo = rd(0);
    if (lo.status !== 0n) return 'EIO';
    const hi = rd(1);
    if (hi.status !== 0n) return 'EIO';
    const a = lo.out.r8 ?? 0n;
    const b = hi.out.r8 ?? 0n;
    const e: CpuidEntry = {
      function: leaf, index: subleaf ?? 0, flags: subleaf === null ? 0 : 1,
      eax: Number(a & 0xffffffffn), ebx: Number(a >> 32n), ecx: Number(b & 0xffffffffn), edx: Number(b >> 32n),
    };
    // Old modules do not report the guest's physical-address width: KVM fills it from the shared bit.
    if (leaf === 0x80000008 && !this.vm.faults.has('kvm.get-cpuid-gpaw-missing')) {
      e.eax = ((e.eax & ~0xff0000) | (this.vm.gpaw << 16)) >>> 0;
    }
    return e;
  }

  /**
   * tdx_vcpu_get_cpuid_leaf(): without sub-leaf first, else sub-leaves until one fails, appended to
   * `entries`. False where the source returns non-zero: the leaf refused (EINVAL) or not one entry read.
   */
  private cpuidLeaf(leaf: number, entries: CpuidEntry[]): boolean {
    const first = this.readCpuid(leaf, null, entries.length);
    if (first === 'EINVAL') return false;
    if (first !== 'EIO') {
      entries.push(first);
      return true;
    }
    for (let sub = 0; ; sub++) {
      const e = this.readCpuid(leaf, sub, entries.length);
      if (typeof e === 'string') return sub > 0;
      entries.push(e);
    }
  }

  /**
   * tdx_vcpu_get_cpuid(): leaf 0 and 0x80000000 give the last leaf of each range. KVM walks every
   * leaf up to it, but tdx_read_cpuid() refuses those with bits 30:7 set before any SEAMCALL, so
   * the walk past 0x7f (0x8000007f) changes nothing and is cut there: a wild maximum leaf (a
   * module reporting "Genu" as EAX) costs at most 128 leaves per range, as on a real machine.
   */
  private getCpuid(cmd: TdxCmd): TdxCmdResult {
    const nent = cmd.data.kind === 'get-cpuid' ? cmd.data.nent : 0;
    const entries: CpuidEntry[] = [];
    if (!this.cpuidLeaf(0, entries)) return cmdResult(err('EIO'));
    const walk = (first: number, level: number): void => {
      const lastReadable = ((first & ~UNREADABLE_LEAF_MASK) | 0x7f) >>> 0;
      const last = Math.min(level >>> 0, lastReadable);
      for (let leaf = first; leaf <= last; leaf++) this.cpuidLeaf(leaf, entries);
    };
    walk(1, entries[0].eax);
    if (!this.cpuidLeaf(0x80000000, entries)) return cmdResult(err('EIO'));
    walk(0x80000001, entries[entries.length - 1].eax);
    if (nent < entries.length && !this.vm.faults.has('kvm.get-cpuid-nent-unchecked')) {
      return { ...cmdResult(err('E2BIG')), nent: entries.length };
    }
    return { ...cmdResult(ok), nent: entries.length, cpuid: entries };
  }

  /** KVM_SET_CPUID2: kvm_vcpu_ioctl_set_cpuid2() takes at most KVM_MAX_CPUID_ENTRIES, for TD vCPUs as for others. */
  setCpuid(entries: CpuidEntry[]): KernelResult {
    if (this.vm.dead) return err('EIO');
    if (entries.length > KVM_MAX_CPUID_ENTRIES && !this.vm.faults.has('kvm.set-cpuid-max-unchecked')) return err('E2BIG');
    this.cpuid = entries.map((e) => ({ ...e }));
    return ok;
  }

  /**
   * kvm_vcpu_is_legal_gpa(): below the vCPU's MAXPHYADDR, which KVM takes from CPUID 0x80000008
   * EAX[7:0] as user space set it with KVM_SET_CPUID2, and 36 bits without it (cpuid.c,
   * @src:kvm-x86-c-616). The TD's GPA width does not enter into it.
   */
  legalGpa(gpa: bigint): boolean {
    const e = this.cpuid.find((x) => x.function === 0x80000008);
    const maxPhys = e && !this.vm.faults.has('kvm.map-gpa-legal-by-gpaw') ? e.eax & 0xff : this.vm.faults.has('kvm.map-gpa-legal-by-gpaw') ? this.vm.gpaw : 36;
    return gpa < 1n << BigInt(maxPhys);
  }

  /** KVM_GET_MP_STATE */
  mp(): { result: KernelResult; state?: number } {
    if (this.vm.dead) return { result: err('EIO') };
    return { result: ok, state: this.halted ? KVM_MP_STATES.KVM_MP_STATE_HALTED : this.mpState };
  }

  /** vCPU ioctls KVM refuses for TDs. */
  ioctl(name: VcpuIoctl): KernelResult {
    const f = this.vm.faults;
    if (this.vm.dead) return err('EIO');
    // guest_state_protected: KVM cannot create DEBUG TDs, so the state is always protected.
    const protectedState = (this.vm.attributes & 1n) === 0n;
    switch (name) {
      case 'KVM_SMI':
        return f.has('kvm.smi-accepted') ? ok : err('ENOTTY');
      case 'KVM_SET_MP_STATE(INIT_RECEIVED)':
        // INIT is always blocked for TD vCPUs (vt_apic_init_signal_blocked()).
        return f.has('kvm.init-accepted') ? ok : err('EINVAL');
      default:
        return protectedState && !f.has('kvm.regs-accessible') ? err('EINVAL') : ok;
    }
  }

  /** KVM_SIGNAL_MSI aimed at this vCPU: an interrupt becomes pending. */
  signalMsi(vector: number): KernelResult {
    if (this.vm.dead) return err('EIO');
    if (vector < 16 || vector > 255) return err('EINVAL');
    this.pendingInterrupt = vector;
    return ok;
  }

  // ---------------------------------------------------------------- MSRs

  /** kvm_emulate_rdmsr() for a TD: the MSR filter, then what KVM emulates. */
  readMsr(msr: number): bigint | null {
    if (this.filtered(msr, 'read')) return null;
    if (!EMULATED_MSRS.has(msr) && !(msr >= 0x800 && msr <= 0x8ff && !x2apicVirtualized(msr))) return null;
    return this.msrs.get(msr) ?? 0n;
  }

  writeMsr(msr: number, value: bigint): boolean {
    if (this.filtered(msr, 'write')) return false;
    if (READ_ONLY_MSRS.has(msr)) return false;
    if (!EMULATED_MSRS.has(msr) && !(msr >= 0x800 && msr <= 0x8ff && !x2apicVirtualized(msr))) return false;
    this.msrs.set(msr, value);
    return true;
  }

  private filtered(msr: number, how: 'read' | 'write'): boolean {
    if (this.vm.faults.has('kvm.msr-filter-ignored')) return false;
    return this.vm.msrDeny.some((d) => d.msr === msr && d[how]);
  }

  // ---------------------------------------------------------------- KVM_RUN

  /** The exit record user space finds in kvm_run after KVM_RUN returned. */
  get pendingExit(): KvmExit | null {
    return this.pending?.exit ?? null;
  }

  answer(a: ExitAnswer): KernelResult {
    if (!this.pending) return err('EINVAL');
    this.answerBuf = { ...this.answerBuf, ...a };
    return ok;
  }

  /** tdx_flush_vp_on_cpu(): TDH.VP.FLUSH on the CPU the vCPU last ran on. */
  flushFromCpu(): void {
    if (this.lastCpu === null) return;
    if (this.state !== 'UNINITIALIZED') {
      const r = this.sc.call(this.lastCpu, 'TDH.VP.FLUSH', { rcx: this.tdvpr! });
      if (r.status !== 0n && r.status >> 32n !== 0x80000702n) printSeamcallError(this.vm, 'TDH_VP_FLUSH', r.status);
    }
    this.lastCpu = null;
  }

  /** tdx_vcpu_free(): reclaim TDCX then TDVPR once the HKID is gone. */
  freePages(reclaim: (pa: bigint) => boolean): void {
    for (const p of this.tdcx) reclaim(p);
    this.tdcx = [];
    if (this.tdvpr !== null) reclaim(this.tdvpr);
    this.tdvpr = null;
  }

  private internalError(status: bigint, cpu: number): RunResult {
    const exit: KvmExit = {
      reason: 'KVM_EXIT_INTERNAL_ERROR', code: KVM_EXITS.KVM_EXIT_INTERNAL_ERROR,
      suberror: KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, ndata: 2, data: [status, BigInt(cpu)],
    };
    this.pending = { exit, complete: () => ({ kind: 'resume', regs: {} }) };
    return { result: ok, exit };
  }

  /** Return to user space with an exit, keeping its completion for the next KVM_RUN. */
  private toUser(step: Extract<Step, { kind: 'exit' }>): RunResult {
    this.pending = { exit: step.exit, complete: step.complete };
    this.answerBuf = {};
    // A memory fault exit comes with KVM_RUN failing with EFAULT, not 0 (@src:kvm-mmu-616, api.rst).
    const faulted = step.exit.reason === 'KVM_EXIT_MEMORY_FAULT' && !this.vm.faults.has('kvm.memory-fault-returns-zero');
    return { result: faulted ? err('EFAULT') : ok, exit: step.exit };
  }

  /** tdx_handle_ept_violation(): fault the GPA in through the EPT its shared bit selects. */
  private eptViolation(cpu: number, gpa: bigint): Step | KernelResult {
    const vm = this.vm;
    const isPrivate = vm.isPrivateGpa(gpa);
    const page = (gpa & ~vm.sharedBit) - ((gpa & ~vm.sharedBit) % PAGE);
    // The access must agree with the memory attributes; otherwise user space has to convert.
    if (isPrivate !== vm.privatePages.has(page) && !vm.faults.has('kvm.memory-fault-skipped')) {
      const exit: KvmExit = {
        reason: 'KVM_EXIT_MEMORY_FAULT', code: KVM_EXITS.KVM_EXIT_MEMORY_FAULT,
        flags: isPrivate ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0n, gpa: page, size: PAGE,
      };
      return { kind: 'exit', exit, complete: () => ({ kind: 'resume', regs: {} }) };
    }
    if (isPrivate) return vm.mmu.faultInPrivate(cpu, page);
    vm.mmu.mapShared(page);
    return ok;
  }

  /** KVM_RUN: complete a pending user exit, then enter the TD until an exit needs user space. */
  run(): RunResult {
    const vm = this.vm;
    if (vm.dead) return { result: err('EIO') };
    const runnable = this.state === 'INITIALIZED' && (vm.state === 'RUNNABLE' || vm.faults.has('kvm.run-before-finalize'));
    if (!runnable || this.tdvpr === null) return { result: err('EINVAL') };
    if (this.pending) {
      const step = this.pending.complete(this.answerBuf);
      this.pending = null;
      const r = this.apply(step);
      if (r) return r;
    }
    const cpu = this.sc.currentCpu();
    if (!this.sharedEptLoaded) {
      // tdx_load_mmu_pgd(): point the TD VMCS at the shared EPT root.
      this.sc.call(cpu, 'TDH.VP.WR', { rcx: this.tdvpr, rdx: TDVPS_SHARED_EPT_POINTER, r8: vm.mmu.sharedRoot, r9: (1n << 64n) - 1n });
      this.sharedEptLoaded = true;
    }
    for (let guard = 0; guard < 10_000; guard++) {
      if (this.halted) {
        if (this.pendingInterrupt === null) return { result: err('EINTR'), halted: true };
        this.halted = false;
      }
      this.lastCpu = cpu;
      // The pending interrupt is posted to the vCPU as it enters.
      this.pendingInterrupt = null;
      const r = this.sc.call(cpu, 'TDH.VP.ENTER', { ...this.args, rcx: this.tdvpr });
      this.args = {};
      const status = r.status;
      if ((status >> 32n) !== 0n) return this.internalError(status, cpu);
      const reason = Number(status & 0xffffn);
      if (reason === EXIT_REASONS.TDCALL) {
        const out = this.apply(handleTdvmcall(this, r.out));
        if (out) return out;
        continue;
      }
      if (reason === EXIT_REASONS.EPT_VIOLATION) {
        const s = this.eptViolation(cpu, r.out.r8 ?? 0n);
        if ('kind' in s) return this.toUser(s as Extract<Step, { kind: 'exit' }>);
        if (!s.ok) return { result: s };
        continue;
      }
      if (reason === 2) {
        // Triple fault: the TD is shut down.
        const exit: KvmExit = { reason: 'KVM_EXIT_SHUTDOWN', code: KVM_EXITS.KVM_EXIT_SHUTDOWN };
        this.pending = { exit, complete: () => ({ kind: 'resume', regs: {} }) };
        return { result: ok, exit };
      }
      if (vm.faults.has('kvm.unexpected-exit-ignored')) continue;
      return this.internalError(status, cpu);
    }
    throw new Error('the emulated TD did not leave KVM_RUN (model loop)');
  }

  /** Act on the result of handling an exit; a RunResult when KVM_RUN returns to user space. */
  private apply(step: Step): RunResult | null {
    switch (step.kind) {
      case 'resume':
        this.args = step.regs;
        return null;
      case 'halt':
        this.args = step.regs;
        this.halted = true;
        return null;
      case 'exit':
        return this.toUser(step);
    }
  }

  // ---------------------------------------------------------------- test guest

  guestDo(action: GuestAction): KernelResult {
    const vp = this.vp();
    if (!vp) return err('EINVAL');
    vp.program.push(action.kind === 'tdvmcall' ? { kind: 'tdvmcall', regs: { ...action.regs } } : { ...action });
    // A test guest idling in HLT leaves its idle loop to do the new work.
    this.halted = false;
    return ok;
  }

  guestView(): GuestView | null {
    const vp = this.vp();
    return vp ? { regs: { ...vp.guestView }, completed: vp.completed } : null;
  }
}
