/**
 * A minimal VMM that answers a TD's TDVMCALLs with the leaf numbers and statuses of the GHCI as
 * KVM implements them (@src:kvm-c, @src:shared-tdx-h), for guest scenarios that need no KVM. It
 * validates what KVM validates (I/O size and direction, a shared GPA for MMIO and GetQuote, 4 KiB
 * alignment and one private/shared side for MapGPA), emulates a few MSRs, serves MMIO ranges
 * and hypervisor CPUID leaves, answers GetQuote with a stub quote, records fatal error reports,
 * and answers anything else with SUBFUNC_UNSUPPORTED. Scenarios can queue answers per leaf.
 */
import { GET_QUOTE } from '../../../spec/abi/tdx-guest';
import { TDX_REPORT_LEN } from '../../../spec/uapi/tdx-guest';
import { TDVMCALL_STATUS } from '../../../spec/abi/tdvmcall';
import { tdvmcallLeafName, type TdvmcallLeaf } from '../../../spec/encodings/tdvmcall';
import type { VmmAnswer } from '../../guest-facet';
import type { Regs } from '../../port';
import type { SharedMemory, TdvmcallSide } from '../module/td-exit';

export interface MmioRange {
  gpa: bigint;
  size: bigint;
  /** What a read returns where nothing was written. */
  value: bigint;
}

/** MSRs this VMM emulates for the guest (KVM emulates these for TDs), with their reset values. */
const EMULATED_MSRS: ReadonlyMap<number, bigint> = new Map([
  [0x1b, 0xfee00d00n], // IA32_APICBASE: x2APIC enabled
  [0x179, 0x0n], // IA32_MCG_CAP
  [0x1a0, 0x1n], // IA32_MISC_ENABLE (writes are emulated)
  [0x2ff, 0x6n], // IA32_MTRR_DEF_TYPE
  [0x6e0, 0x0n], // IA32_TSC_DEADLINE
  [0x830, 0x0n], // x2APIC ICR
  [0x10, 0x0n], // IA32_TIME_STAMP_COUNTER (writes)
]);

const KVM_SIGNATURE = { ebx: 0x4b4d564bn, ecx: 0x564b4d56n, edx: 0x4dn };

export interface StubVmmOptions {
  /** A quote service answers GetQuote; without one the request stays in flight (default true). */
  quoteService?: boolean;
  /** Seconds the quote service takes for a quote (default 0: done when the GetQuote returns). */
  quoteSeconds?: number;
}

/** The quote buffer's header as the VMM reads it (struct tdx_quote_buf). */
export interface QuoteHeader {
  version: bigint;
  status: bigint;
  inLen: number;
  outLen: number;
}

export class StubVmm implements TdvmcallSide {
  private memory: SharedMemory | null = null;
  private readonly quoteService: boolean;
  private readonly queued = new Map<TdvmcallLeaf, VmmAnswer[]>();
  private readonly msrs = new Map<number, bigint>(EMULATED_MSRS);
  readonly mmio: (MmioRange & { written: Map<bigint, bigint> })[] = [];
  readonly portWrites: { port: number; size: number; value: bigint }[] = [];
  readonly fatalReports: Regs[] = [];
  /** The header of every GetQuote buffer as it arrived, in order. */
  readonly quoteRequests: QuoteHeader[] = [];
  private readonly quoteSeconds: number;
  /** Seconds since the VMM started, and the quotes it is still working on. */
  private now = 0;
  private readonly pending: { gpa: bigint; size: number; inLen: number; due: number }[] = [];

  constructor(opts: StubVmmOptions = {}) {
    this.quoteService = opts.quoteService ?? true;
    this.quoteSeconds = opts.quoteSeconds ?? 0;
  }

  advance(seconds: number): void {
    this.now += seconds;
    for (const q of this.pending.filter((p) => p.due <= this.now)) {
      this.pending.splice(this.pending.indexOf(q), 1);
      this.completeQuote(q.gpa, q.size, q.inLen);
    }
  }

  connect(memory: SharedMemory): void {
    this.memory = memory;
  }

  /** Queue answers for the next TDVMCALLs of a sub-function. */
  script(leaf: TdvmcallLeaf, answers: readonly VmmAnswer[]): void {
    this.queued.set(leaf, [...(this.queued.get(leaf) ?? []), ...answers]);
  }

  addMmio(r: MmioRange): void {
    this.mmio.push({ ...r, written: new Map() });
  }

  tdvmcall(_vcpu: number, regs: Regs): Regs {
    const r10 = regs.r10 ?? 0n;
    const s = TDVMCALL_STATUS;
    // A non-zero R10 is a vendor (KVM) hypercall; this VMM implements none.
    if (r10 !== 0n) return { r10: s.SUBFUNC_UNSUPPORTED };
    const name = tdvmcallLeafName(regs.r11 ?? 0n);
    const scripted = name ? this.queued.get(name)?.shift() : undefined;
    if (!scripted) return this.serve(name, regs);
    const out: Regs = { r10: scripted.status };
    if (scripted.r11 !== undefined) out.r11 = scripted.r11;
    if (scripted.resumeOffset !== undefined) out.r11 = (regs.r12 ?? 0n) + scripted.resumeOffset;
    // A scripted success still does the work, so its outputs are real.
    return scripted.status === s.SUCCESS ? { ...this.serve(name, regs), ...out } : out;
  }

  private serve(name: TdvmcallLeaf | undefined, regs: Regs): Regs {
    const s = TDVMCALL_STATUS;
    switch (name) {
      case 'Instruction.CPUID': return this.cpuid(Number(regs.r12 ?? 0n));
      case 'Instruction.HLT': return { r10: s.SUCCESS };
      case 'Instruction.IO': return this.io(regs);
      case 'Instruction.RDMSR': {
        const v = this.msrs.get(Number(regs.r12 ?? 0n));
        return v === undefined ? { r10: s.INVALID_OPERAND } : { r10: s.SUCCESS, r11: v };
      }
      case 'Instruction.WRMSR': {
        const msr = Number(regs.r12 ?? 0n);
        if (!this.msrs.has(msr)) return { r10: s.INVALID_OPERAND };
        this.msrs.set(msr, regs.r13 ?? 0n);
        return { r10: s.SUCCESS };
      }
      case '#VE.RequestMMIO': return this.mmioAccess(regs);
      case 'MapGPA': return this.mapGpa(regs);
      case 'GetQuote': return this.getQuote(regs);
      case 'ReportFatalError':
        this.fatalReports.push({ ...regs });
        return { r10: s.SUCCESS };
      case 'GetTdVmCallInfo':
        return (regs.r12 ?? 0n) === 0n ? { r10: s.SUCCESS, r11: 0n, r12: 0n, r13: 0n, r14: 0n } : { r10: s.INVALID_OPERAND };
      case 'SetupEventNotifyInterrupt': {
        const v = regs.r12 ?? 0n;
        return v >= 32n && v <= 255n ? { r10: s.SUCCESS } : { r10: s.INVALID_OPERAND };
      }
      default:
        return { r10: s.SUBFUNC_UNSUPPORTED };
    }
  }

  private cpuid(leaf: number): Regs {
    const s = TDVMCALL_STATUS.SUCCESS;
    if (leaf === 0x40000000) return { r10: s, r12: 0x40000001n, r13: KVM_SIGNATURE.ebx, r14: KVM_SIGNATURE.ecx, r15: KVM_SIGNATURE.edx };
    if (leaf === 0x40000001) return { r10: s, r12: 0x01007afbn, r13: 0n, r14: 0n, r15: 0n };
    return { r10: s, r12: 0n, r13: 0n, r14: 0n, r15: 0n };
  }

  private io(regs: Regs): Regs {
    const size = Number(regs.r12 ?? 0n);
    const dir = regs.r13 ?? 0n;
    if (![1, 2, 4].includes(size) || (dir !== 0n && dir !== 1n)) return { r10: TDVMCALL_STATUS.INVALID_OPERAND };
    const mask = (1n << BigInt(8 * size)) - 1n;
    if (dir === 1n) {
      this.portWrites.push({ port: Number(regs.r14 ?? 0n), size, value: (regs.r15 ?? 0n) & mask });
      return { r10: TDVMCALL_STATUS.SUCCESS };
    }
    // No device behind the port: reads float high.
    return { r10: TDVMCALL_STATUS.SUCCESS, r11: mask };
  }

  private mmioAccess(regs: Regs): Regs {
    const size = Number(regs.r12 ?? 0n);
    const dir = regs.r13 ?? 0n;
    const gpa = regs.r14 ?? 0n;
    const bad = { r10: TDVMCALL_STATUS.INVALID_OPERAND };
    if (![1, 2, 4, 8].includes(size) || (dir !== 0n && dir !== 1n) || !this.memory) return bad;
    if ((gpa & this.memory.sharedBit) === 0n) return bad;
    const addr = gpa & ~this.memory.sharedBit;
    const range = this.mmio.find((m) => addr >= m.gpa && addr + BigInt(size) <= m.gpa + m.size);
    if (!range) return bad;
    const mask = size === 8 ? (1n << 64n) - 1n : (1n << BigInt(8 * size)) - 1n;
    if (dir === 1n) {
      range.written.set(addr, (regs.r15 ?? 0n) & mask);
      return { r10: TDVMCALL_STATUS.SUCCESS };
    }
    return { r10: TDVMCALL_STATUS.SUCCESS, r11: (range.written.get(addr) ?? range.value) & mask };
  }

  private mapGpa(regs: Regs): Regs {
    const start = regs.r12 ?? 0n;
    const len = regs.r13 ?? 0n;
    const sharedBit = this.memory?.sharedBit ?? 1n << 47n;
    if ((start & 0xfffn) !== 0n || (len & 0xfffn) !== 0n) return { r10: TDVMCALL_STATUS.ALIGN_ERROR };
    const end = start + len;
    if (len === 0n || (start & sharedBit) !== ((end - 1n) & sharedBit)) return { r10: TDVMCALL_STATUS.INVALID_OPERAND, r11: start };
    return { r10: TDVMCALL_STATUS.SUCCESS };
  }

  private getQuote(regs: Regs): Regs {
    const gpa = regs.r12 ?? 0n;
    const size = Number(regs.r13 ?? 0n);
    const bad = { r10: TDVMCALL_STATUS.INVALID_OPERAND };
    if (!this.memory || (gpa & this.memory.sharedBit) === 0n) return bad;
    const header = this.memory.read(gpa, GET_QUOTE.HEADER_LEN);
    if (!header) return bad;
    const view = new DataView(header.buffer);
    const inLen = view.getUint32(16, true);
    this.quoteRequests.push({ version: view.getBigUint64(0, true), status: view.getBigUint64(8, true), inLen, outLen: view.getUint32(20, true) });
    if (this.quoteService && this.quoteSeconds === 0) return this.completeQuote(gpa, size, inLen) ? { r10: TDVMCALL_STATUS.SUCCESS } : bad;
    // Accepted, and in flight until the quote service is done (never, without one).
    const pending = new Uint8Array(header);
    new DataView(pending.buffer).setBigUint64(8, GET_QUOTE.IN_FLIGHT, true);
    this.memory.write(gpa, pending);
    if (this.quoteService) this.pending.push({ gpa, size, inLen, due: this.now + this.quoteSeconds });
    return { r10: TDVMCALL_STATUS.SUCCESS };
  }

  /** Write a stub quote (a tag and the TDREPORT it was asked to sign) with status SUCCESS; false if it does not fit. */
  private completeQuote(gpa: bigint, size: number, inLen: number): boolean {
    const memory = this.memory!;
    const report = memory.read(gpa + BigInt(GET_QUOTE.HEADER_LEN), Math.min(inLen, TDX_REPORT_LEN)) ?? new Uint8Array();
    const quote = new Uint8Array([...Buffer.from('STUB-QUOTE'), ...report]);
    if (GET_QUOTE.HEADER_LEN + quote.length > size) return false;
    const out = new Uint8Array(GET_QUOTE.HEADER_LEN + quote.length);
    const ov = new DataView(out.buffer);
    ov.setBigUint64(0, GET_QUOTE.CMD_VER, true);
    ov.setBigUint64(8, GET_QUOTE.SUCCESS, true);
    ov.setUint32(16, inLen, true);
    ov.setUint32(20, quote.length, true);
    out.set(quote, GET_QUOTE.HEADER_LEN);
    memory.write(gpa, out);
    return true;
  }

}

