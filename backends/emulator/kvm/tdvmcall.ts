/**
 * KVM's handling of a TDVMCALL exit (handle_tdvmcall() and the tdx_emulate_*() of
 * @src:kvm-tdx-c). R10 != 0 makes it a KVM hypercall. The instruction-like leaves (CPUID, HLT,
 * port I/O, RDMSR/WRMSR, #VE.RequestMMIO) are emulated in the kernel, the latter two after the
 * MSR filter and the shared-GPA check; port I/O and MMIO without an in-kernel device go to user
 * space as KVM_EXIT_IO / KVM_EXIT_MMIO. MapGPA goes to user space as KVM_EXIT_HYPERCALL
 * (KVM_HC_MAP_GPA_RANGE) in 2 MiB pieces; GetQuote, GetTdVmCallInfo leaf 1 and
 * SetupEventNotifyInterrupt as KVM_EXIT_TDX with a preset status; ReportFatalError as a system
 * event carrying the guest's registers. Anything else is answered SUBFUNC_UNSUPPORTED
 * (INVALID_OPERAND before the merge, @src:ml-kvm-ghci-fixups).
 *
 * The result is a Step: resume the guest with these registers, halt, or exit to user space with
 * a completion that runs when user space calls KVM_RUN again (complete_userspace_io).
 */
import { KVM_ENOSYS, KVM_EXIT_HYPERCALL_LONG_MODE, KVM_HC_MAP_GPA_RANGE, KVM_HC_VAPIC_POLL_IRQ, KVM_MAP_GPA_RANGE_DECRYPTED, KVM_MAP_GPA_RANGE_ENCRYPTED, KVM_SYSTEM_EVENT_TDX_FATAL, TDX_MAP_GPA_MAX_LEN } from '../../../spec/abi/kvm-uapi';
import { KVM_EXITS } from '../../../spec/encodings/kvm';
import { TDVMCALL_STATUS } from '../../../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES } from '../../../spec/encodings/tdvmcall';
import { EXIT_REASONS } from '../../../spec/abi/vmx-exit-reasons';
import type { ExitAnswer, KvmExit } from '../../kvm-facet';
import type { Regs } from '../../port';
import type { TdVcpu } from './vcpu';

export type Step =
  | { kind: 'resume'; regs: Regs }
  | { kind: 'halt'; regs: Regs }
  | { kind: 'exit'; exit: KvmExit; complete: (a: ExitAnswer) => Step };

const U64 = (1n << 64n) - 1n;
const PAGE = 4096n;
const mask = (size: bigint): bigint => (size >= 8n ? U64 : (1n << (size * 8n)) - 1n);

const resume = (regs: Regs): Step => ({ kind: 'resume', regs });
const withStatus = (a: Regs, status: bigint): Step => resume({ ...a, r10: status });

/** tdx_emulate_vmcall(): RAX = R10 (the hypercall number), RBX..RSI = R11..R14. */
function kvmHypercall(a: Regs): Step {
  const nr = a.r10 ?? 0n;
  // Only hypercalls KVM knows do something; the others return -KVM_ENOSYS.
  const ret = nr === KVM_HC_VAPIC_POLL_IRQ ? 0n : (U64 + 1n - KVM_ENOSYS) & U64;
  return withStatus(a, ret);
}

/** tdx_emulate_cpuid(): the vCPU's CPUID table as KVM_SET_CPUID2 filled it. */
function cpuid(v: TdVcpu, a: Regs): Step {
  const fn = Number((a.r12 ?? 0n) & 0xffffffffn);
  const index = Number((a.r13 ?? 0n) & 0xffffffffn);
  const e = v.cpuid.find((x) => x.function === fn && (((x.flags ?? 0) & 1) === 0 || x.index === index));
  return resume({ ...a, r12: BigInt(e?.eax ?? 0), r13: BigInt(e?.ebx ?? 0), r14: BigInt(e?.ecx ?? 0), r15: BigInt(e?.edx ?? 0) });
}

/** tdx_emulate_io(): size 1, 2 or 4 and direction 0 or 1; no in-kernel device, so user space answers. */
function io(v: TdVcpu, a: Regs): Step {
  const size = a.r12 ?? 0n;
  const write = a.r13 ?? 0n;
  const port = a.r14 ?? 0n;
  const sizeOk = size === 1n || size === 2n || size === 4n || (v.vm.faults.has('kvm.io-size-unchecked') && size <= 8n && size > 0n);
  if ((write !== 0n && write !== 1n) || !sizeOk) return withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
  const shownPort = v.vm.faults.has('kvm.io-exit-port-wrong') ? a.r15 ?? 0n : port;
  const exit: KvmExit = {
    reason: 'KVM_EXIT_IO', code: KVM_EXITS.KVM_EXIT_IO, direction: write ? 'out' : 'in', size: Number(size),
    port: Number(shownPort & 0xffffn), count: 1, ...(write ? { data: (a.r15 ?? 0n) & mask(size) } : {}),
  };
  return {
    kind: 'exit', exit,
    complete: (ans) => (write ? resume(a) : resume({ ...a, r11: (ans.data ?? 0n) & mask(size) })),
  };
}

/** tdx_emulate_mmio(): a shared GPA only; user space sees the GPA without the shared bit. */
function mmio(v: TdVcpu, a: Regs): Step {
  const vm = v.vm;
  const size = a.r12 ?? 0n;
  const write = a.r13 ?? 0n;
  const gpa = a.r14 ?? 0n;
  if (![1n, 2n, 4n, 8n].includes(size) || (write !== 0n && write !== 1n)) return withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
  const privateGpa = vm.isPrivateGpa(gpa) || vm.isPrivateGpa(gpa + size - 1n);
  if (privateGpa && !vm.faults.has('kvm.mmio-private-accepted')) return withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
  const physAddr = vm.faults.has('kvm.mmio-shared-bit-kept') ? gpa : gpa & ~vm.sharedBit;
  const exit: KvmExit = {
    reason: 'KVM_EXIT_MMIO', code: KVM_EXITS.KVM_EXIT_MMIO, physAddr, len: Number(size), isWrite: write === 1n,
    ...(write ? { data: (a.r15 ?? 0n) & mask(size) } : {}),
  };
  return {
    kind: 'exit', exit,
    complete: (ans) => (write ? resume(a) : resume({ ...a, r11: (ans.data ?? 0n) & mask(size) })),
  };
}

/** One KVM_EXIT_HYPERCALL piece of a MapGPA in progress (__tdx_map_gpa()). */
function mapGpaPiece(v: TdVcpu, a: Regs): Step {
  const vm = v.vm;
  const st = v.mapGpa!;
  const left = st.end - st.next;
  // A piece holds at most TDX_MAP_GPA_MAX_LEN (the fault splits a range of exactly that size too).
  const max = vm.faults.has('kvm.map-gpa-piece-boundary') ? TDX_MAP_GPA_MAX_LEN - 0x1000n : TDX_MAP_GPA_MAX_LEN;
  const size = vm.faults.has('kvm.map-gpa-not-split') || left < max ? left : max;
  const gpa = st.next;
  const exit: KvmExit = {
    reason: 'KVM_EXIT_HYPERCALL', code: KVM_EXITS.KVM_EXIT_HYPERCALL, nr: KVM_HC_MAP_GPA_RANGE,
    args: [gpa & ~vm.sharedBit, size / PAGE, vm.isPrivateGpa(gpa) ? KVM_MAP_GPA_RANGE_ENCRYPTED : KVM_MAP_GPA_RANGE_DECRYPTED, 0n, 0n, 0n],
    // hypercall.ret is preset to 0 for VMMs that never wrote it.
    ret: 0n, flags: KVM_EXIT_HYPERCALL_LONG_MODE,
  };
  return {
    kind: 'exit', exit,
    complete: (ans) => {
      // tdx_complete_vmcall_map_gpa()
      if ((ans.hypercallRet ?? exit.ret) !== 0n) return resume({ ...a, r10: TDVMCALL_STATUS.INVALID_OPERAND, r11: st.next });
      st.next += size;
      if (st.next >= st.end) return resume(a);
      if (v.pendingInterrupt !== null && !vm.faults.has('kvm.map-gpa-no-retry')) {
        return resume({ ...a, r10: TDVMCALL_STATUS.RETRY, r11: st.next });
      }
      return mapGpaPiece(v, a);
    },
  };
}

/** tdx_map_gpa() */
function mapGpa(v: TdVcpu, a: Regs): Step {
  const vm = v.vm;
  const gpa = a.r12 ?? 0n;
  const size = a.r13 ?? 0n;
  const error = (status: bigint): Step => resume({ ...a, r10: status, r11: gpa });
  // MapGPA is a base call, but only a VMM that asked for KVM_HC_MAP_GPA_RANGE exits can do it.
  if ((vm.hypercallExitMask & (1n << KVM_HC_MAP_GPA_RANGE)) === 0n) return error(TDVMCALL_STATUS.SUBFUNC_UNSUPPORTED);
  const last = gpa + size - 1n;
  if (gpa + size <= gpa || !v.legalGpa(gpa) || !v.legalGpa(last) || vm.isPrivateGpa(gpa) !== vm.isPrivateGpa(last)) {
    return error(TDVMCALL_STATUS.INVALID_OPERAND);
  }
  if ((gpa % PAGE !== 0n || size % PAGE !== 0n) && !vm.faults.has('kvm.map-gpa-align-unchecked')) return error(TDVMCALL_STATUS.ALIGN_ERROR);
  v.mapGpa = { next: gpa, end: gpa + size };
  return mapGpaPiece(v, a);
}

/** tdx_report_fatal_error(): the 16 GPRs in ascending order, RAX being the TD exit status. */
function reportFatal(v: TdVcpu, a: Regs): Step {
  const r = (x: bigint | undefined): bigint => x ?? 0n;
  const [second, third] = v.vm.faults.has('kvm.fatal-regs-order') ? [a.rbx, a.rdx] : [a.rdx, a.rbx];
  const data = [BigInt(EXIT_REASONS.TDCALL), r(a.rcx), r(second), r(third), 0n, 0n, r(a.rsi), r(a.rdi),
    r(a.r8), r(a.r9), r(a.r10), r(a.r11), r(a.r12), r(a.r13), r(a.r14), r(a.r15)];
  return {
    kind: 'exit',
    exit: { reason: 'KVM_EXIT_SYSTEM_EVENT', code: KVM_EXITS.KVM_EXIT_SYSTEM_EVENT, type: KVM_SYSTEM_EVENT_TDX_FATAL, ndata: 16, data },
    complete: () => resume(a),
  };
}

function tdxExit(tdx: Extract<KvmExit, { reason: 'KVM_EXIT_TDX' }>['tdx'], complete: (ans: ExitAnswer) => Step): Step {
  return { kind: 'exit', exit: { reason: 'KVM_EXIT_TDX', code: KVM_EXITS.KVM_EXIT_TDX, tdx }, complete };
}

/** tdx_get_td_vm_call_info(): leaf 0 answered by KVM, leaf 1 by user space. */
function getTdVmCallInfo(v: TdVcpu, a: Regs): Step {
  const leaf = a.r12 ?? 0n;
  if (leaf === 0n || (leaf === 1n && v.vm.faults.has('kvm.tdvmcall-info-leaf1-in-kernel'))) {
    return resume({ ...a, r10: TDVMCALL_STATUS.SUCCESS, r11: 0n, r12: 0n, r13: 0n, r14: 0n });
  }
  if (leaf !== 1n) return withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
  const info = { ret: TDVMCALL_STATUS.SUCCESS, leaf, r11: 0n, r12: 0n, r13: 0n, r14: 0n };
  return tdxExit({ flags: 0n, nr: TDVMCALL_LEAVES.GetTdVmCallInfo, getTdvmcallInfo: info }, (ans) => {
    const out = ans.tdvmcallInfo ?? info;
    return resume({ ...a, r10: ans.tdxRet ?? info.ret, r11: out.r11, r12: out.r12, r13: out.r13, r14: out.r14 });
  });
}

/** tdx_get_quote(): the buffer must be shared; user space sees its GPA without the shared bit. */
function getQuote(v: TdVcpu, a: Regs): Step {
  const vm = v.vm;
  const gpa = a.r12 ?? 0n;
  if (vm.isPrivateGpa(gpa) && !vm.faults.has('kvm.quote-private-accepted')) return withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
  const preset = vm.faults.has('kvm.quote-ret-preset-success') ? TDVMCALL_STATUS.SUCCESS : TDVMCALL_STATUS.SUBFUNC_UNSUPPORTED;
  const getQuote = { ret: preset, gpa: gpa & ~vm.sharedBit, size: a.r13 ?? 0n };
  return tdxExit({ flags: 0n, nr: TDVMCALL_LEAVES.GetQuote, getQuote }, (ans) => withStatus(a, ans.tdxRet ?? preset));
}

/** SetupEventNotifyInterrupt: vectors 32..255, forwarded with a preset SUBFUNC_UNSUPPORTED. */
function setupEventNotify(v: TdVcpu, a: Regs): Step {
  const vector = a.r12 ?? 0n;
  const low = v.vm.faults.has('kvm.event-notify-vector-unchecked') ? 0n : 32n;
  const ends = v.vm.faults.has('kvm.event-notify-vector-ends-excluded') ? 1n : 0n;
  if (vector < low + ends || vector > 255n - ends) return withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
  const setupEventNotify = { ret: TDVMCALL_STATUS.SUBFUNC_UNSUPPORTED, vector };
  return tdxExit({ flags: 0n, nr: TDVMCALL_LEAVES.SetupEventNotifyInterrupt, setupEventNotify },
    (ans) => withStatus(a, ans.tdxRet ?? setupEventNotify.ret));
}

/** What KVM answers a TDVMCALL it does not implement, in this kernel's era. */
function unsupported(v: TdVcpu, a: Regs): Step {
  let early = v.vm.kernel.eras['kvm-unsupported-tdvmcall'] === 'invalid-operand';
  if (v.vm.faults.has('kvm.unsupported-status-era')) early = !early;
  return withStatus(a, early ? TDVMCALL_STATUS.INVALID_OPERAND : TDVMCALL_STATUS.SUBFUNC_UNSUPPORTED);
}

/** Route one TDVMCALL exit; `regs` are the registers the guest exposed. */
export function handleTdvmcall(v: TdVcpu, regs: Regs): Step {
  const a: Regs = { ...regs };
  const f = v.vm.faults;
  if ((a.r10 ?? 0n) !== 0n && !f.has('kvm.vendor-call-ignored')) return kvmHypercall(a);
  const L = TDVMCALL_LEAVES;
  let leaf = a.r11 ?? 0n;
  // The fault swaps the numbers of GetQuote and ReportFatalError.
  if (f.has('kvm.tdvmcall-quote-fatal-swapped') && (leaf === L.GetQuote || leaf === L.ReportFatalError)) leaf = leaf === L.GetQuote ? L.ReportFatalError : L.GetQuote;
  switch (leaf) {
    case L['Instruction.CPUID']:
      if (f.has('kvm.cpuid-exits-to-user')) return tdxExit({ flags: 0n, nr: L['Instruction.CPUID'] }, () => resume(a));
      return cpuid(v, a);
    case L['Instruction.HLT']:
      // kvm_emulate_halt_noskip(): the vCPU sleeps until an interrupt is pending.
      return v.pendingInterrupt !== null || f.has('kvm.hlt-not-blocking') ? resume(a) : { kind: 'halt', regs: a };
    case L['Instruction.IO']:
      return io(v, a);
    case L['Instruction.RDMSR']: {
      const value = v.readMsr(Number((a.r12 ?? 0n) & 0xffffffffn));
      return value === null ? withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND) : resume({ ...a, r11: value });
    }
    case L['Instruction.WRMSR']: {
      const done = v.writeMsr(Number((a.r12 ?? 0n) & 0xffffffffn), a.r13 ?? 0n);
      return done ? resume(a) : withStatus(a, TDVMCALL_STATUS.INVALID_OPERAND);
    }
    case L['#VE.RequestMMIO']:
      return mmio(v, a);
    case L.MapGPA:
      return mapGpa(v, a);
    case L.ReportFatalError:
      return reportFatal(v, a);
    case L.GetTdVmCallInfo:
      return getTdVmCallInfo(v, a);
    case L.GetQuote:
      return getQuote(v, a);
    case L.SetupEventNotifyInterrupt:
      return setupEventNotify(v, a);
    default:
      return unsupported(v, a);
  }
}
