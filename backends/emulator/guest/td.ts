/**
 * An emulated TD: the TDX module's TD side (module/) with a Linux guest kernel (linux/) running
 * in it, and a VMM on the other side of every TDVMCALL.
 *
 * Public API, kept stable for the emulator's KVM (which runs TDs behind its own VMM):
 *
 *   new EmulatedTd(config: TdConfig, vmm: TdvmcallSide)
 *     config: { attributes, tdCtls, gpaWidth: 48 | 52, vcpus, module: ModuleBuild,
 *               flavour: KernelFlavour, faults: Faults } plus optional fields (config.ts).
 *     vmm:    answers each TDVMCALL (vmm.ts); `vmm.connect(sharedMemory)` is called once if present.
 *   td.execute(vcpu, insn: GuestInstruction): GuestOutcome
 *     runs one instruction on a vCPU: the module's reaction, what the guest kernel did, the
 *     registers after it, the TDVMCALLs it made (in order) and the log lines it printed.
 *   td.boot()  boots the guest kernel; every other method boots it first if needed.
 *   td.describe(), td.logLines(), td.cpuid(), td.rdmsr(), td.wrmsr(), td.access(), td.convert(),
 *   td.pageAccepted(), td.ioctl(), td.tsmReport(): the guest facet's questions.
 *
 * The TD boots on `boot()` or on the first request; booting makes TDVMCALLs of its own (the
 * tdx_guest driver converts its quote buffer to shared), so a VMM scripted for a scenario should
 * be scripted after `boot()`. Once the guest kernel panicked, requests throw (the scenario
 * fails): a dead TD answers nothing.
 *
 * The VMM's side of MapGPA (removing private pages it is told are now shared, and adding private
 * pages on demand for memory that is private again) is applied here, from the TDVMCALL and its
 * answer, since it is what any conforming VMM does through KVM's Secure-EPT operations.
 */
import { TDCS_FIELDS } from '../../../spec/abi/tdcall';
import { parseKernelLog } from '../../common/kernel-log';
import { TDVMCALL_STATUS } from '../../../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES, tdvmcallLeafName } from '../../../spec/encodings/tdvmcall';
import { MEASUREMENT_FILES, MEASUREMENT_LEN, TDREPORT_LAYOUT } from '../../../spec/abi/tdx-guest';
import { TDX_REPORTDATA_LEN } from '../../../spec/uapi/tdx-guest';
import type {
  ConversionOutcome, CpuidResult, GuestInstruction, GuestMode, GuestOutcome, GuestReaction, MeasurementRead, MemoryAccess, ModuleReaction, MsrAccess,
  TdDescription, TdvmcallRecord, TdxGuestIoctl, TdxGuestIoctlResult, TsmItemObservation, TsmReportResult,
} from '../../guest-facet';
import type { KernelResult } from '../../port';
import type { Regs } from '../../port';
import type { TdConfig } from './config';
import { MMIO_ENCODINGS } from './linux/insn-decode';
import { LinuxGuest } from './linux/kernel';
import { PAGE_SIZE } from './module/memory';
import { TdModule } from './module/td-module';
import type { SharedMemory, TdvmcallSide } from '../module/td-exit';

export type { TdConfig } from './config';

/** An outcome as the emulator sees it: the module's reaction, the kernel's, and every TDVMCALL. */
export type TdOutcome = GuestOutcome & { module: ModuleReaction; guest: GuestReaction; tdvmcalls: TdvmcallRecord[] };

export class EmulatedTd {
  readonly module: TdModule;
  readonly kernel: LinuxGuest;
  /** TDVMCALLs made during boot, and the recorder of the request in progress. */
  readonly bootTdvmcalls: TdvmcallRecord[] = [];
  private recording: TdvmcallRecord[] = this.bootTdvmcalls;

  constructor(readonly config: TdConfig, readonly vmm: TdvmcallSide) {
    this.module = new TdModule(config, vmm, (vcpu, regsIn, regsOut) => this.afterVmcall(vcpu, regsIn, regsOut));
    this.kernel = new LinuxGuest(this.module, config);
    vmm.connect?.(this.sharedMemory());
  }

  boot(): void {
    if (this.kernel.state.kind !== 'not-booted') return;
    this.recording = this.bootTdvmcalls;
    this.kernel.boot();
  }

  private ensureRunning(): void {
    this.boot();
    const s = this.kernel.state;
    if (s.kind === 'panicked') throw new Error(`the TD is not running: its guest kernel panicked (${s.message})`);
  }

  /** Run `f` recording its TDVMCALLs and log lines. */
  private record<T>(f: () => T): { value: T; tdvmcalls: TdvmcallRecord[]; log: string[] } {
    this.ensureRunning();
    const tdvmcalls: TdvmcallRecord[] = [];
    this.recording = tdvmcalls;
    const before = this.kernel.log.lines.length;
    const value = f();
    return { value, tdvmcalls, log: this.kernel.log.lines.slice(before) };
  }

  private run(vcpu: number, insn: GuestInstruction, safe: boolean): TdOutcome {
    if (vcpu < 0 || vcpu >= this.config.vcpus) throw new Error(`the TD has no vCPU ${vcpu} (it has ${this.config.vcpus})`);
    const r = this.record(() => {
      if (insn.context === 've-handler-before-veinfo') this.module.enterVeHandler(vcpu);
      const step = this.module.execute(vcpu, insn);
      const handled = this.kernel.handle(vcpu, insn, step, safe);
      // The interrupted handler goes on to read its own #VE information.
      if (insn.context === 've-handler-before-veinfo' && step.reaction.kind !== 'df') this.module.leaveVeHandler(vcpu);
      return { module: step.reaction, ...handled };
    });
    return { module: r.value.module, guest: r.value.guest, regs: r.value.regs, tdvmcalls: r.tdvmcalls, log: r.log, events: parseKernelLog(r.log).events };
  }

  execute(vcpu: number, insn: GuestInstruction): TdOutcome {
    return this.run(vcpu, insn, false);
  }

  cpuid(vcpu: number, leaf: number, subleaf: number, mode: GuestMode = 'kernel'): CpuidResult {
    const o = this.run(vcpu, { mnemonic: 'CPUID', mode, regs: { rax: BigInt(leaf >>> 0), rcx: BigInt(subleaf >>> 0) } }, false);
    const n = (r: bigint | undefined) => Number((r ?? 0n) & 0xffffffffn);
    return { eax: n(o.regs.rax), ebx: n(o.regs.rbx), ecx: n(o.regs.rcx), edx: n(o.regs.rdx), module: o.module, guest: o.guest, tdvmcalls: o.tdvmcalls };
  }

  /** RDMSR the way the msr driver does it (rdmsr_safe: a fault becomes EIO). */
  rdmsr(vcpu: number, msr: number): MsrAccess {
    const o = this.run(vcpu, { mnemonic: 'RDMSR', regs: { rcx: BigInt(msr >>> 0) } }, true);
    const faulted = o.guest.kind === 'fixup';
    const value = (((o.regs.rdx ?? 0n) & 0xffffffffn) << 32n) | ((o.regs.rax ?? 0n) & 0xffffffffn);
    return { ...(faulted ? {} : { value }), faulted, module: o.module, guest: o.guest, tdvmcalls: o.tdvmcalls };
  }

  wrmsr(vcpu: number, msr: number, value: bigint): MsrAccess {
    const regs: Regs = { rcx: BigInt(msr >>> 0), rax: value & 0xffffffffn, rdx: (value >> 32n) & 0xffffffffn };
    const o = this.run(vcpu, { mnemonic: 'WRMSR', regs }, true);
    return { faulted: o.guest.kind === 'fixup', module: o.module, guest: o.guest, tdvmcalls: o.tdvmcalls };
  }

  /** A plain load or store, encoded as the io.h accessors do, through the guest's own page tables. */
  access(vcpu: number, a: MemoryAccess): TdOutcome {
    this.boot();
    const size = a.size ?? 4;
    const bytes = MMIO_ENCODINGS[`${a.access} ${size}`];
    const gpa = a.shared ? a.gpa | this.kernel.env.sharedMask : a.gpa;
    const regs: Regs = { rdi: gpa, ...(a.access === 'write' ? { rax: a.value ?? 0n } : { rax: 0n }) };
    return this.run(vcpu, { mnemonic: 'MOV', mode: a.mode ?? 'kernel', bytes, gpa, regs, size }, false);
  }

  convert(gpa: bigint, pages: number, to: 'shared' | 'private'): ConversionOutcome {
    const first = this.module.tdcalls.length;
    const r = this.record(() => this.kernel.convert(gpa, pages, to === 'private'));
    return {
      result: r.value ? { ok: true } : { ok: false, errno: 'EIO' },
      tdvmcalls: r.tdvmcalls,
      tdcalls: this.module.tdcalls.slice(first).filter((c) => c.leaf !== 'TDG.VP.VMCALL'),
    };
  }

  pageAccepted(gpa: bigint): boolean {
    this.boot();
    return this.module.memory.stateOf(gpa) === 'accepted';
  }

  ioctl(req: TdxGuestIoctl): TdxGuestIoctlResult {
    const reportdata = req.unmapped ? undefined : req.reportdata ?? new Uint8Array(TDX_REPORTDATA_LEN);
    return this.record(() => this.kernel.driver.ioctl(0, req.cmd, reportdata)).value;
  }

  /** A quote the way a process asks configfs-tsm for one: an item, its inblob, its outblob, then rmdir. */
  tsmReport(inblob: Uint8Array): TsmReportResult & { tdvmcalls: TdvmcallRecord[] } {
    const r = this.record((): TsmReportResult => {
      const tsm = this.kernel.tsm;
      const name = 'tdx-conformance';
      if (!tsm || !tsm.mkdir(name).ok) return { provider: '', result: { ok: false, errno: 'ENOENT' }, generation: 0 };
      const item = tsm.item(name)!;
      if (inblob.length > 0) item.writeInblob(inblob);
      const out = item.readOutblob(0);
      const report = { provider: item.provider ?? '', generation: item.generation, ...out };
      tsm.rmdir(name);
      return report;
    });
    return { ...r.value, tdvmcalls: r.tdvmcalls };
  }

  /** An item created, read, written once (64 bytes), read again and removed: no quote is asked for. */
  tsmItem(): TsmItemObservation | { errno: 'ENOENT' } {
    this.ensureRunning();
    const tsm = this.kernel.tsm;
    const name = 'tdx-conformance';
    if (!tsm || !tsm.mkdir(name).ok) return { errno: 'ENOENT' };
    const item = tsm.item(name)!;
    const before = item.generation;
    item.writeInblob(new Uint8Array(TDX_REPORTDATA_LEN).fill(0xa5));
    return { provider: item.provider ?? '', generations: [before, item.generation], removed: tsm.rmdir(name).ok };
  }

  /** The measurement register files of the v6.16 driver, each read as sysfs reads it (a fresh TDREPORT). */
  measurements(): MeasurementRead[] {
    this.ensureRunning();
    const d = this.kernel.driver;
    return MEASUREMENT_FILES.map((m) => {
      if (!d.registered || !d.measurements) return { file: m.file, result: { ok: false, errno: 'ENOENT' } };
      const r = d.report(0);
      if (!r.ok) return { file: m.file, result: r };
      const at = TDREPORT_LAYOUT[m.field];
      return { file: m.file, result: { ok: true }, bytes: r.tdreport.slice(at, at + MEASUREMENT_LEN) };
    });
  }

  writeRtmr(index: number, data: Uint8Array): KernelResult {
    this.ensureRunning();
    const d = this.kernel.driver;
    if (!d.registered || !d.measurements) return { ok: false, errno: 'ENOENT' };
    return d.extendRtmr(0, index, data, 0);
  }

  logLines(): string[] {
    this.boot();
    return [...this.kernel.log.lines];
  }

  describe(): TdDescription {
    this.boot();
    const m = this.config.module;
    const s = this.kernel.state;
    const info = this.module.tdcall(0, 'TDG.VP.INFO');
    const ctls = this.module.tdcall(0, 'TDG.VM.RD', { rdx: TDCS_FIELDS.TD_CTLS });
    const gpaWidth = Number((info.out.rcx ?? 0n) & 0x3fn);
    const fatal = this.bootTdvmcalls.find((c) => c.name === 'ReportFatalError');
    return {
      attributes: info.out.rdx ?? 0n,
      tdCtls: ctls.status === 0n ? ctls.out.r8 ?? 0n : null,
      gpaWidth,
      sharedBit: 1n << BigInt(gpaWidth - 1),
      vcpus: this.config.vcpus,
      module: { major: m.major, minor: m.minor, update: m.update, build: m.build, buildDate: m.buildDate, features0: m.features0 },
      cpuFlags: this.cpuFlags(),
      tdxGuestDevice: this.kernel.driver.registered,
      boot: s.kind === 'panicked' ? { ok: false, panic: s.message, ...(fatal ? { fatalReport: fatal } : {}) } : { ok: true },
    };
  }

  /** The flags /proc/cpuinfo shows for a TD: hypervisor from CPUID leaf 0x1, tdx_guest from the kernel. */
  private cpuFlags(): string[] {
    const leaf1 = this.module.cpuid(0x1, 0);
    const flags = !leaf1.ve && (leaf1.regs.ecx >>> 31) === 1 ? ['hypervisor'] : [];
    return this.kernel.tdxGuest ? [...flags, 'tdx_guest'] : flags;
  }

  private afterVmcall(_vcpu: number, regsIn: Regs, regsOut: Regs): void {
    const leaf = regsIn.r11 ?? 0n;
    const standard = (regsIn.r10 ?? 0n) === 0n;
    this.recording.push({ leaf, name: (standard && tdvmcallLeafName(leaf)) || 'unknown', in: { ...regsIn }, out: { ...regsOut } });
    if (standard && leaf === TDVMCALL_LEAVES.MapGPA) this.applyMapGpa(regsIn, regsOut);
  }

  /** What the VMM does to the Secure EPT for the part of a MapGPA it completed. */
  private applyMapGpa(regsIn: Regs, regsOut: Regs): void {
    const shared = this.module.sharedBit;
    const start = regsIn.r12 ?? 0n;
    const end = start + (regsIn.r13 ?? 0n);
    const st = regsOut.r10 ?? 0n;
    let done = st === TDVMCALL_STATUS.SUCCESS ? end : st === TDVMCALL_STATUS.RETRY ? regsOut.r11 ?? start : start;
    if (done < start || done > end) done = start;
    const toShared = (start & shared) !== 0n;
    const mem = this.module.memory;
    for (let gpa = start & ~shared; gpa < (done & ~shared); gpa += PAGE_SIZE) {
      if (toShared && !mem.isSharedBacked(gpa)) mem.makeShared(gpa);
      if (!toShared && (mem.isSharedBacked(gpa) || mem.stateOf(gpa) === 'absent')) mem.makePrivate(gpa);
    }
  }

  private sharedMemory(): SharedMemory {
    const mem = this.module.memory;
    const bit = this.module.sharedBit;
    const allShared = (gpa: bigint, len: number) => {
      for (let p = gpa & ~0xfffn; p < gpa + BigInt(len); p += PAGE_SIZE) if (!mem.isSharedBacked(p)) return false;
      return true;
    };
    return {
      sharedBit: bit,
      read: (gpa, len) => (allShared(gpa & ~bit, len) ? mem.read(gpa & ~bit, len) : undefined),
      write: (gpa, bytes) => {
        if (!allShared(gpa & ~bit, bytes.length)) return false;
        mem.write(gpa & ~bit, bytes);
        return true;
      },
    };
  }
}
