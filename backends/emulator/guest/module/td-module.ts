/**
 * The TDX module as one TD sees it: the TD's configuration and controls (TDCS), per-vCPU #VE
 * state, the Secure EPT, the module's reaction to each instruction or access, and the TDCALL
 * (TDG.*) leaves the guest kernel uses. TDG.VP.VMCALL hands the guest's registers to the VMM
 * (`TdvmcallSide`) and returns its answer.
 *
 * #VE delivery (@src:tdx-rst-guest, @src:guest-c): when the module raises a #VE it records the
 * exit information and blocks further #VE delivery until the guest reads it with
 * TDG.VP.VEINFO.GET; a #VE raised while it is blocked becomes a #DF.
 */
import { status } from '../../../../spec/abi/status';
import { CONFIG_FLAGS, PAGE_LEVEL, TDCALL_LEAVES, TDCS_FIELDS, attributeBit, tdCtlBit, tdcallLeafName, type TdcallLeaf } from '../../../../spec/abi/tdcall';
import { createHash } from 'node:crypto';
import { MEASUREMENT_LEN } from '../../../../spec/abi/tdx-guest';
import { TDX_REPORTDATA_LEN } from '../../../../spec/uapi/tdx-guest';
import { EXIT_REASONS } from '../../../../spec/abi/vmx-exit-reasons';
import type { GuestInstruction, ModuleReaction, TdcallRecord } from '../../../guest-facet';
import type { Regs } from '../../../port';
import type { Faults } from '../../faults';
import type { ModuleBuild } from '../../module/versions';
import { flexiblePendingVeSupported, tdCtlsSupported, type CpuidOverride, type TdConfig } from '../config';
import type { TdvmcallSide } from '../../module/td-exit';
import { virtualCpuid, type CpuidAnswer } from './cpuid';
import { classifyInstruction, ioQualification } from './instructions';
import { accessVerdict, GuestMemory, PAGE_SIZE } from './memory';
import { classifyMsr } from './msr';
import type { CpuidFeature, MsrTdView } from './msr-table';
import { nativeCpuid, type CpuidRegs } from '../../platform/native-cpuid';
import { buildTdReport } from './tdreport';

export interface VeInfo {
  exitReason: number;
  qualification: bigint;
  gla: bigint;
  gpa: bigint;
  instrLen: number;
}

export interface TdcallResult {
  status: bigint;
  out: Regs;
}

/** The module's part of executing one instruction. */
export interface ModuleStep {
  reaction: ModuleReaction;
  /** Registers after the instruction when the CPU or the module completed it. */
  regs: Regs;
}

const OK = 0n;
const mask64 = (1n << 64n) - 1n;

export class TdModule {
  readonly build: ModuleBuild;
  readonly faults: Faults;
  readonly attributes: bigint;
  readonly xfam: bigint;
  readonly gpaWidth: number;
  readonly vcpuCount: number;
  readonly memory: GuestMemory;
  readonly configFlags: bigint;
  readonly topologyConfigured: boolean;
  tdCtls: bigint;
  notifyEnables = 0n;
  private readonly veInfo: (VeInfo | null)[];
  private readonly native: Map<string, CpuidRegs>;
  private readonly vmmCpuid: readonly CpuidOverride[];
  private readonly msrs = new Map<string, bigint>();
  private readonly tdcallStatus: Record<string, bigint>;
  /** Every TDCALL the guest made, for the requests that report them. */
  readonly tdcalls: TdcallRecord[] = [];
  /** The runtime measurement registers, zero at TD creation. */
  private readonly rtmrs: Uint8Array[] = Array.from({ length: 4 }, () => new Uint8Array(MEASUREMENT_LEN));

  constructor(cfg: TdConfig, private readonly vmm: TdvmcallSide, private readonly afterVmcall: (vcpu: number, regsIn: Regs, regsOut: Regs) => void) {
    this.build = cfg.module;
    this.faults = cfg.faults;
    this.attributes = cfg.attributes;
    this.xfam = cfg.xfam ?? 0xe7n;
    this.gpaWidth = cfg.gpaWidth;
    this.vcpuCount = cfg.vcpus;
    this.memory = new GuestMemory(cfg.ramBytes ?? 2n << 30n);
    const flexible = (cfg.flexiblePendingVe ?? false) && flexiblePendingVeSupported(cfg.module);
    this.configFlags = (cfg.gpaWidth === 52 ? 1n << BigInt(CONFIG_FLAGS.GPAW) : 0n) | (flexible ? 1n << BigInt(CONFIG_FLAGS.FLEXIBLE_PENDING_VE) : 0n);
    const supported = tdCtlsSupported(cfg.module);
    this.topologyConfigured = (supported & tdCtlBit('ENUM_TOPOLOGY')) !== 0n && (cfg.topologyConfigured ?? true);
    // TDH.MNG.INIT sets TD_CTLS.PENDING_VE_DISABLE from the SEPT_VE_DISABLE attribute
    // (@src:guest-mod15-tdh-mng-init); with flexible pending #VE the guest may change it later.
    const initial = (cfg.attributes & attributeBit('SEPT_VE_DISABLE')) !== 0n ? tdCtlBit('PENDING_VE_DISABLE') : 0n;
    this.tdCtls = (cfg.tdCtls | initial) & supported;
    this.veInfo = Array.from({ length: cfg.vcpus }, () => null);
    this.native = nativeCpuid(cfg.cpuModel ?? 'sapphire-rapids', cfg.nativeCpuidClear ?? []);
    this.vmmCpuid = cfg.vmmCpuid ?? [];
    this.tdcallStatus = cfg.tdcallStatus ?? {};
    for (const u of cfg.unaccepted ?? []) {
      for (let i = 0; i < u.pages; i++) this.memory.setPrivate(u.gpa + BigInt(i) * PAGE_SIZE, 'pending');
    }
  }

  get sharedBit(): bigint {
    return 1n << BigInt(this.gpaWidth - 1);
  }

  get flexiblePendingVe(): boolean {
    return (this.configFlags & (1n << BigInt(CONFIG_FLAGS.FLEXIBLE_PENDING_VE))) !== 0n;
  }

  get hasTdCtls(): boolean {
    return tdCtlsSupported(this.build) !== 0n;
  }

  /** The module implements TD_CTLS.ENUM_TOPOLOGY and TDCS.TOPOLOGY_ENUM_CONFIGURED. */
  get hasTopologyEnum(): boolean {
    return (tdCtlsSupported(this.build) & tdCtlBit('ENUM_TOPOLOGY')) !== 0n;
  }

  /** Whether an access to pending private memory exits to the VMM instead of raising #VE. */
  septVeDisabled(): boolean {
    const attr = (this.attributes & attributeBit('SEPT_VE_DISABLE')) !== 0n;
    if (!this.flexiblePendingVe || this.faults.has('guest.sept-ve-attribute-only')) return attr;
    return (this.tdCtls & tdCtlBit('PENDING_VE_DISABLE')) !== 0n;
  }

  /** CPUID(1).ECX.MONITOR as the TD sees it, which decides whether MONITOR/MWAIT exit (@src:guest-mod15-td-vmcs-init). */
  private monitorEnumerated(): boolean {
    const a = this.cpuid(0x1, 0);
    return !a.ve && ((a.regs.ecx >>> 3) & 1) === 1;
  }

  cpuid(leaf: number, subleaf: number): CpuidAnswer {
    return virtualCpuid({ build: this.build, native: this.native, vmm: this.vmmCpuid, tdCtls: this.tdCtls, faults: this.faults }, leaf, subleaf);
  }

  /** TD_CTLS.REDUCE_VE is on (module 2.0 then answers more CPUID leaves and MSRs itself). */
  get reduceVe(): boolean {
    return (this.tdCtls & tdCtlBit('REDUCE_VE')) !== 0n;
  }

  private msrView(): MsrTdView {
    return {
      attributes: this.attributes,
      xfam: this.xfam,
      moduleMajor: this.build.major,
      reduceVe: this.reduceVe,
      hasCpuidFeature: (f: CpuidFeature) => {
        const a = this.cpuid(f.leaf, f.subleaf === -1 ? 0 : f.subleaf);
        return !a.ve && ((a.regs[f.reg] >>> f.bit) & 1) === 1;
      },
    };
  }

  msrCategory(msr: number, write: boolean) {
    return classifyMsr(msr, write, this.msrView(), this.faults);
  }

  /** Record a #VE, or turn it into a #DF when delivery is blocked. */
  private raise(vcpu: number, info: VeInfo): ModuleReaction {
    if (this.veInfo[vcpu] !== null && !this.faults.has('guest.ve-nested-no-df')) return { kind: 'df' };
    this.veInfo[vcpu] = info;
    const r: ModuleReaction = { kind: 've', exitReason: info.exitReason, qualification: info.qualification };
    return info.exitReason === EXIT_REASONS.EPT_VIOLATION ? { ...r, gpa: info.gpa } : r;
  }

  /** Put the vCPU inside a #VE handler that has not yet read the #VE information. */
  enterVeHandler(vcpu: number): void {
    if (this.veInfo[vcpu] === null) this.veInfo[vcpu] = { exitReason: EXIT_REASONS.HLT, qualification: 0n, gla: 0n, gpa: 0n, instrLen: 1 };
  }

  leaveVeHandler(vcpu: number): void {
    this.veInfo[vcpu] = null;
  }

  veBlocked(vcpu: number): boolean {
    return this.veInfo[vcpu] !== null;
  }

  /** The module's reaction to an instruction on `vcpu`. */
  execute(vcpu: number, insn: GuestInstruction): ModuleStep {
    const regs: Regs = { ...(insn.regs ?? {}) };
    const mode = insn.mode ?? 'kernel';
    const len = insn.bytes?.length ?? 2;
    const cls = classifyInstruction(insn.mnemonic, mode, this.faults, { moduleMajor: this.build.major, monitorEnumerated: this.monitorEnumerated() });
    const ve = (exitReason: number, qualification = 0n, gpa = 0n): ModuleStep =>
      ({ reaction: this.raise(vcpu, { exitReason, qualification, gla: 0n, gpa, instrLen: len }), regs });
    switch (cls.kind) {
      case 'gp': return { reaction: { kind: 'gp' }, regs };
      case 'ud': return { reaction: { kind: 'ud' }, regs };
      case 'native': return { reaction: { kind: 'native' }, regs };
      case 've': {
        const q = cls.io ? ioQualification(insn.size ?? 1, cls.io.in, cls.io.string, insn.port ?? 0) : 0n;
        return ve(cls.exitReason, q);
      }
      case 'cpuid': {
        const a = this.cpuid(Number(regs.rax ?? 0n), Number(regs.rcx ?? 0n));
        if (a.ve) return ve(EXIT_REASONS.CPUID);
        return { reaction: { kind: 'native' }, regs: { ...regs, rax: BigInt(a.regs.eax), rbx: BigInt(a.regs.ebx), rcx: BigInt(a.regs.ecx), rdx: BigInt(a.regs.edx) } };
      }
      case 'msr': {
        const msr = Number((regs.rcx ?? 0n) & 0xffffffffn);
        const cat = this.msrCategory(msr, cls.write);
        if (cat === 'gp') return { reaction: { kind: 'gp' }, regs };
        if (cat === 've') return ve(cls.write ? EXIT_REASONS.MSR_WRITE : EXIT_REASONS.MSR_READ);
        const key = `${vcpu}:${msr}`;
        if (cls.write) {
          this.msrs.set(key, (((regs.rdx ?? 0n) & 0xffffffffn) << 32n) | ((regs.rax ?? 0n) & 0xffffffffn));
          return { reaction: { kind: 'native' }, regs };
        }
        const v = this.msrs.get(key) ?? 0n;
        return { reaction: { kind: 'native' }, regs: { ...regs, rax: v & 0xffffffffn, rdx: v >> 32n } };
      }
      case 'memory': {
        const gpa = insn.gpa ?? 0n;
        const verdict = accessVerdict(this.memory, gpa, this.sharedBit, this.septVeDisabled(),
          { sharedMmioNative: this.faults.has('guest.mmio-shared-native') });
        if (verdict === 've') return ve(EXIT_REASONS.EPT_VIOLATION, 0n, gpa);
        if (verdict === 'td-exit') return { reaction: { kind: 'td-exit', exitReason: EXIT_REASONS.EPT_VIOLATION }, regs };
        return { reaction: { kind: 'native' }, regs };
      }
    }
  }

  /** The TD sleeps (msleep() in the guest kernel): time passes for the VMM too. */
  sleep(seconds: number): void {
    this.vmm.advance?.(seconds);
  }

  /** From now on, answer a TDCALL leaf with this status instead of serving it (test hook). */
  forceStatus(leaf: TdcallLeaf, st: bigint): void {
    this.tdcallStatus[leaf] = st;
  }

  /** A TDCALL from the guest kernel, which puts the leaf's number (its own definition) in RAX. */
  tdcall(vcpu: number, leaf: TdcallLeaf, regs: Regs = {}): TdcallResult {
    const version = leaf === 'TDG.MEM.PAGE.ACCEPT' && this.faults.has('guest.accept-leaf-version') ? 1n << 16n : 0n;
    return this.tdcallRaw(vcpu, BigInt(TDCALL_LEAVES[leaf]) | version, regs, leaf);
  }

  /**
   * TDCALL with RAX as given: the TD dispatcher (@src:guest-mod15-td-dispatcher) refuses reserved
   * bits, and a leaf number it does not know, as an invalid RAX; otherwise the leaf that number
   * names in the module's own table serves it.
   */
  tdcallRaw(vcpu: number, rax: bigint, regs: Regs = {}, asked?: TdcallLeaf): TdcallResult {
    const number = Number(rax & 0xffffn);
    const served = (rax >> 16n) === 0n ? this.leafOfNumber(number) : undefined;
    let r: TdcallResult;
    if (!served) r = { status: status('TDX_OPERAND_INVALID'), out: {} };
    else {
      const forced = this.tdcallStatus[served];
      r = forced !== undefined ? { status: forced, out: {} } : this.serve(vcpu, served, regs);
    }
    this.tdcalls.push({ leaf: asked ?? served ?? `leaf ${number}`, rax, in: regs, status: r.status });
    return r;
  }

  /** The leaf a TDCALL number names (the fault swaps TDG.VP.INFO and TDG.VP.VEINFO.GET). */
  private leafOfNumber(n: number): TdcallLeaf | undefined {
    if (this.faults.has('guest.tdcall-leaves-swapped')) {
      if (n === TDCALL_LEAVES['TDG.VP.INFO']) return 'TDG.VP.VEINFO.GET';
      if (n === TDCALL_LEAVES['TDG.VP.VEINFO.GET']) return 'TDG.VP.INFO';
    }
    return tdcallLeafName(n);
  }

  private serve(vcpu: number, leaf: TdcallLeaf, regs: Regs): TdcallResult {
    switch (leaf) {
      case 'TDG.VP.INFO':
        return {
          status: OK,
          out: { rcx: BigInt(this.gpaWidth), rdx: this.attributes, r8: BigInt(this.vcpuCount) | (BigInt(this.vcpuCount) << 32n), r9: BigInt(vcpu) },
        };
      case 'TDG.VP.VEINFO.GET': {
        const v = this.veInfo[vcpu];
        if (!v) return { status: status('TDX_NO_VALID_VE_INFO'), out: {} };
        this.veInfo[vcpu] = null;
        return { status: OK, out: { rcx: BigInt(v.exitReason), rdx: v.qualification, r8: v.gla, r9: v.gpa, r10: BigInt(v.instrLen) } };
      }
      case 'TDG.VM.RD': return this.vmRead(regs.rdx ?? 0n);
      case 'TDG.VM.WR': return this.vmWrite(regs.rdx ?? 0n, regs.r8 ?? 0n, regs.r9 ?? mask64);
      case 'TDG.MEM.PAGE.ACCEPT': return this.accept(regs.rcx ?? 0n);
      case 'TDG.MR.REPORT': return this.report(regs);
      case 'TDG.MR.RTMR.EXTEND': return this.extendRtmr(regs);
      case 'TDG.VP.VMCALL': {
        const out = this.vmm.tdvmcall(vcpu, regs);
        this.afterVmcall(vcpu, regs, out);
        return { status: OK, out };
      }
      default:
        return { status: status('TDX_OPERAND_INVALID'), out: {} };
    }
  }

  private vmRead(field: bigint): TdcallResult {
    const fail = (name: string): TdcallResult => ({ status: status(name), out: { r8: 0n } });
    if (field === TDCS_FIELDS.CONFIG_FLAGS) return { status: OK, out: { r8: this.configFlags } };
    if (field === TDCS_FIELDS.NOTIFY_ENABLES) return { status: OK, out: { r8: this.notifyEnables } };
    if (field === TDCS_FIELDS.TD_CTLS) return this.hasTdCtls ? { status: OK, out: { r8: this.tdCtls } } : fail('TDX_METADATA_FIELD_ID_INCORRECT');
    // Only a module with topology enumeration has the field; a failed TDG.VM.RD leaves R8 = 0
    // (@src:guest-mod15-tdg-vm-rd-wr), which the kernel reads as "not configured".
    if (field === TDCS_FIELDS.TOPOLOGY_ENUM_CONFIGURED) {
      return this.hasTopologyEnum ? { status: OK, out: { r8: this.topologyConfigured ? 1n : 0n } } : fail('TDX_METADATA_FIELD_ID_INCORRECT');
    }
    return fail('TDX_METADATA_FIELD_ID_INCORRECT');
  }

  private vmWrite(field: bigint, value: bigint, mask: bigint): TdcallResult {
    if (field === TDCS_FIELDS.NOTIFY_ENABLES) {
      this.notifyEnables = (this.notifyEnables & ~mask) | (value & mask);
      return { status: OK, out: {} };
    }
    if (field !== TDCS_FIELDS.TD_CTLS) return { status: status('TDX_METADATA_FIELD_NOT_WRITABLE'), out: {} };
    if (!this.hasTdCtls) return { status: status('TDX_METADATA_FIELD_ID_INCORRECT'), out: {} };
    // The guest may write only the bits the module implements; a request for none of them is
    // refused as not writable (md_td_write_element(), @src:guest-mod15-td-ctls).
    const writable = this.faults.has('guest.td-ctls-any-bit-writable') ? mask : tdCtlsSupported(this.build) & mask;
    if (writable === 0n) return { status: status('TDX_METADATA_FIELD_NOT_WRITABLE'), out: {} };
    const set = value & writable;
    const invalid = status('TDX_OPERAND_INVALID');
    // Without FLEXIBLE_PENDING_VE the guest may not change PENDING_VE_DISABLE.
    if (((set ^ this.tdCtls) & writable & tdCtlBit('PENDING_VE_DISABLE')) !== 0n && !this.flexiblePendingVe) return { status: invalid, out: {} };
    const topo = tdCtlBit('ENUM_TOPOLOGY') | tdCtlBit('REDUCE_VE');
    if ((set & topo) !== 0n && !this.topologyConfigured) return { status: invalid, out: {} };
    // REDUCE_VE includes topology enumeration and CPUID leaf 0x2 virtualisation (emulator choice, see the guest docs).
    const implied = (set & tdCtlBit('REDUCE_VE')) !== 0n ? tdCtlBit('ENUM_TOPOLOGY') | tdCtlBit('VIRT_CPUID2') : 0n;
    this.tdCtls = (this.tdCtls & ~writable) | set | implied;
    return { status: OK, out: {} };
  }

  private accept(rcx: bigint): TdcallResult {
    const level = Number(rcx & 7n);
    const gpa = rcx & ~0xfffn;
    // The VMM maps private memory in 4 KiB pages only (as KVM does), so larger accepts mismatch.
    if (level !== PAGE_LEVEL['4K']) return { status: status('TDX_PAGE_SIZE_MISMATCH'), out: {} };
    switch (this.memory.stateOf(gpa)) {
      case 'accepted': return { status: status('TDX_PAGE_ALREADY_ACCEPTED'), out: {} };
      case 'pending':
        this.memory.setPrivate(gpa, 'accepted');
        return { status: OK, out: {} };
      case 'absent': return { status: status('TDX_OPERAND_INVALID'), out: {} };
    }
  }

  /** RTMR[i] = SHA-384(RTMR[i] || 48 bytes at RCX); RCX 64-byte aligned, RDX the index. */
  private extendRtmr(regs: Regs): TdcallResult {
    const gpa = regs.rcx ?? 0n;
    const index = Number(regs.rdx ?? 0n);
    if ((gpa & 63n) !== 0n || index < 0 || index > 3) return { status: status('TDX_OPERAND_INVALID'), out: {} };
    const data = this.memory.read(gpa, MEASUREMENT_LEN);
    this.rtmrs[index] = new Uint8Array(createHash('sha384').update(this.rtmrs[index]).update(data).digest());
    return { status: OK, out: {} };
  }

  private report(regs: Regs): TdcallResult {
    const out = regs.rcx ?? 0n;
    const data = regs.rdx ?? 0n;
    if ((regs.r8 ?? 0n) !== 0n || (out & 1023n) !== 0n || (data & 63n) !== 0n) return { status: status('TDX_OPERAND_INVALID'), out: {} };
    const report = buildTdReport({
      build: this.build, attributes: this.attributes, xfam: this.xfam, identity: `${this.attributes}:${this.xfam}:${this.gpaWidth}`, rtmrs: this.rtmrs,
      reportdata: this.memory.read(data, TDX_REPORTDATA_LEN),
      reportDataOffset: this.faults.has('guest.report-reportdata-offset') ? 64 : undefined,
    });
    this.memory.write(out, report);
    return { status: OK, out: {} };
  }
}
