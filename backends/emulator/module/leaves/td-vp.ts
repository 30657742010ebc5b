/**
 * TD vCPU leaves: TDH.VP.CREATE, TDH.VP.ADDCX, TDH.VP.INIT, TDH.VP.FLUSH, TDH.VP.RD, TDH.VP.WR
 * and TDH.VP.ENTER (@src:mod-td-leaves).
 *
 * TDH.VP.ENTER runs the emulator's test guest: the actions a scenario queued in the vCPU's TDVPS
 * (a TDVMCALL, a memory access, a TD exit). It hands the outputs of the previous TDVMCALL to the
 * guest, then runs actions until one leaves the TD: a TDVMCALL (exit reason TDCALL, with the
 * registers the guest exposed), an access the EPTs do not map (EPT violation, GPA in R8), or the
 * chosen exit. A guest with nothing left to do idles: it halts with interrupts enabled.
 */
import { status, withOperand } from '../../../../spec/abi/status';
import { TDVMCALL_LEAVES } from '../../../../spec/encodings/tdvmcall';
import { EXIT_REASONS } from '../../../../spec/abi/vmx-exit-reasons';
import type { Regs } from '../../../port';
import { defineLeaf, fail, ok, type TdxModule } from '../module';
import { PAGE_TYPES } from './phymem';
import { builtTd, checkPage, isResult, levelSize, setPageType, type TdRecord, tdInState, tdSharedBit, TDVPS_SHARED_EPT_POINTER, vpOf, type VpRecord } from './td-state';

/** TDVMCALL_EXPOSE_REGS_MASK: RDX, RBX, RSI, RDI, R8..R15 (@src:shared-tdx-h). */
const EXPOSE_REGS_MASK = 0xffccn;

/** TDVPS pages (the TDVPR and its TDCX pages) a vCPU needs: TDVPS_BASE_SIZE, and TDVPS_SIZE_PER_L2_VM for each L2 VM (map_tdvps()). */
const tdvpsPages = (m: TdxModule, td: TdRecord): number =>
  (Number(m.build.metadata.TDVPS_BASE_SIZE) + (td.config?.numL2Vms ?? 0) * Number(m.build.metadata.TDVPS_SIZE_PER_L2_VM)) / 4096;
/** MAX_TDVPS_PAGES: the TDVPR and up to 14 TDCX pages (enough for three L2 VMs). */
const MAX_TDVPS_PAGES = 15;

defineLeaf('TDH.VP.CREATE', ({ module: m, regs }) => {
  const page = regs.rcx ?? 0n;
  const td = builtTd(m, regs.rdx ?? 0n, 'RDX', ['INITIALIZED']);
  if (isResult(td)) return td;
  const bad = checkPage(m, page, 'RCX', PAGE_TYPES.PT_NDA);
  if (bad) return bad;
  setPageType(m, page, PAGE_TYPES.PT_TDVPR);
  td.vcpus.set(page, {
    tdvpr: page, tdcx: [], state: 'CREATED', index: td.vcpus.size, apicId: null, initialRcx: 0n, associatedCpu: null,
    fields: new Map(), program: [], inTdvmcall: false, guestView: {}, completed: 0,
  });
  return ok();
});

defineLeaf('TDH.VP.ADDCX', ({ module: m, regs }) => {
  const page = regs.rcx ?? 0n;
  const found = vpOf(m, regs.rdx ?? 0n, 'RDX');
  if (isResult(found)) return found;
  const { td, vp } = found;
  // tdh_vp_addcx.c: the TDVPR, its TD's state, the vCPU's, the page count, then the new page.
  const state = tdInState(m, td, ['INITIALIZED']);
  if (state) return state;
  if (vp.state !== 'CREATED') return fail(status('TDX_VCPU_STATE_INCORRECT'));
  if (1 + vp.tdcx.length >= MAX_TDVPS_PAGES) return fail(status('TDX_TDCX_NUM_INCORRECT'));
  const bad = checkPage(m, page, 'RCX', PAGE_TYPES.PT_NDA);
  if (bad) return bad;
  setPageType(m, page, PAGE_TYPES.PT_TDCX);
  vp.tdcx.push(page);
  return ok();
});

defineLeaf('TDH.VP.INIT', ({ module: m, cpu, version, regs }) => {
  const found = vpOf(m, regs.rcx ?? 0n);
  if (isResult(found)) return found;
  const { td, vp } = found;
  // tdh_vp_init.c: the TDVPR, its TD's state, the TDVPS pages, the vCPU's state, then a vCPU index below MAX_VCPUS.
  const state = tdInState(m, td, ['INITIALIZED']);
  if (state) return state;
  if (1 + vp.tdcx.length < tdvpsPages(m, td)) return fail(status('TDX_TDCX_NUM_INCORRECT'));
  if (vp.state !== 'CREATED') return fail(status('TDX_VCPU_STATE_INCORRECT'));
  if (td.numVcpus >= (td.config?.maxVcpus ?? 0) && !m.faults.has('module.vp-init-past-max-vcpus')) return fail(status('TDX_MAX_VCPUS_EXCEEDED'));
  // Version 1 takes the vCPU's x2APIC ID in R8.
  if (version === 1) {
    const apicId = regs.r8 ?? 0n;
    if (apicId >> 32n !== 0n) return fail(withOperand('TDX_OPERAND_INVALID', 'R8'));
    vp.apicId = Number(apicId);
  }
  vp.initialRcx = regs.rdx ?? 0n;
  vp.index = td.numVcpus++;
  vp.state = 'INITIALIZED';
  // associate_vcpu_initial(): the vCPU is associated with this LP from TDH.VP.INIT on (tdh_vp_init.c, @src:kvm-mod-vp-init-15).
  vp.associatedCpu = cpu;
  return ok();
});

defineLeaf('TDH.VP.FLUSH', ({ module: m, cpu, regs }) => {
  const found = vpOf(m, regs.rcx ?? 0n);
  if (isResult(found)) return found;
  const { td, vp } = found;
  // tdh_vp_flush.c: the TDVPR, its TD's keys (no other TD state), the TDVPS pages, then the vCPU
  // associated with this very logical processor: elsewhere or nowhere, it is not associated.
  if (td.lifecycle !== 'KEYS_CONFIGURED') return fail(status('TDX_TD_KEYS_NOT_CONFIGURED'));
  if (1 + vp.tdcx.length < tdvpsPages(m, td)) return fail(status('TDX_TDCX_NUM_INCORRECT'));
  if (vp.associatedCpu !== cpu) return fail(status(vp.associatedCpu !== null && m.faults.has('module.vp-flush-elsewhere-associated') ? 'TDX_VCPU_ASSOCIATED' : 'TDX_VCPU_NOT_ASSOCIATED'));
  vp.associatedCpu = null;
  return ok();
});

defineLeaf('TDH.VP.WR', ({ module: m, regs }) => {
  const found = vpOf(m, regs.rcx ?? 0n);
  if (isResult(found)) return found;
  const field = regs.rdx ?? 0n;
  const mask = regs.r9 ?? (1n << 64n) - 1n;
  const old = found.vp.fields.get(field) ?? 0n;
  found.vp.fields.set(field, (old & ~mask) | ((regs.r8 ?? 0n) & mask));
  return ok({ r8: old });
});

defineLeaf('TDH.VP.RD', ({ module: m, regs }) => {
  const found = vpOf(m, regs.rcx ?? 0n);
  if (isResult(found)) return found;
  return ok({ r8: found.vp.fields.get(regs.rdx ?? 0n) ?? 0n });
});

/** Whether a private access hits a usable S-EPT leaf; the test guest accepts pending pages itself. */
function privateMapped(td: TdRecord, gpa: bigint): boolean {
  for (const [base, leaf] of td.septLeaves) {
    if (gpa < base || gpa >= base + levelSize(leaf.level)) continue;
    if (leaf.state === 'PENDING') leaf.state = 'MAPPED';
    return leaf.state === 'MAPPED';
  }
  return false;
}

/** Whether the shared EPT that KVM pointed the vCPU at maps the page. */
function sharedMapped(m: TdxModule, vp: VpRecord, gpa: bigint): boolean {
  const root = vp.fields.get(TDVPS_SHARED_EPT_POINTER);
  const table = root === undefined ? undefined : m.platform.load<Set<bigint>>(root);
  return table?.has(gpa - (gpa % 4096n)) ?? false;
}

/** Outputs of a TDVMCALL as the guest sees them on return (the registers it exposed). */
function tdvmcallOutputs(regs: Regs): Regs {
  const { r10, r11, r12, r13, r14, r15, rbx, rdi, rsi, r8, r9, rdx } = regs;
  return Object.fromEntries(Object.entries({ r10, r11, r12, r13, r14, r15, rbx, rdi, rsi, r8, r9, rdx }).filter(([, v]) => v !== undefined)) as Regs;
}

defineLeaf('TDH.VP.ENTER', ({ module: m, cpu, regs }) => {
  const found = vpOf(m, regs.rcx ?? 0n);
  if (isResult(found)) return found;
  const { td, vp } = found;
  // tdh_vp_enter.c: the TDVPR, its TD's state (runnable), the TDVPS pages, then
  // check_and_associate_vcpu(): an initialised vCPU, not associated with another logical processor.
  const state = tdInState(m, td, ['RUNNABLE']);
  if (state) return state;
  if (1 + vp.tdcx.length < tdvpsPages(m, td)) return fail(status('TDX_TDCX_NUM_INCORRECT'));
  if (vp.state !== 'INITIALIZED' && !m.faults.has('module.vp-enter-uninitialized')) return fail(status('TDX_VCPU_STATE_INCORRECT'));
  if (vp.associatedCpu !== null && vp.associatedCpu !== cpu) return fail(status('TDX_VCPU_ASSOCIATED'));
  vp.associatedCpu = cpu;
  if (vp.inTdvmcall) {
    vp.inTdvmcall = false;
    vp.guestView = tdvmcallOutputs(regs);
    const done = vp.program.shift();
    if (done && !(done.kind === 'tdvmcall' && done.idle)) vp.completed++;
  }
  for (;;) {
    const next = vp.program[0];
    if (!next) {
      // Nothing left to run: the guest's idle loop halts with interrupts enabled.
      vp.program.push({ kind: 'tdvmcall', regs: { r10: 0n, r11: TDVMCALL_LEAVES['Instruction.HLT'], r12: 0n }, idle: true });
      continue;
    }
    if (next.kind === 'tdvmcall') {
      vp.inTdvmcall = true;
      return fail(BigInt(EXIT_REASONS.TDCALL), { rcx: EXPOSE_REGS_MASK, ...next.regs });
    }
    if (next.kind === 'td-exit') {
      vp.program.shift();
      vp.completed++;
      return fail(BigInt(next.exitReason), {});
    }
    const shared = (next.gpa & tdSharedBit(td)) !== 0n;
    const mapped = shared ? sharedMapped(m, vp, next.gpa & ~tdSharedBit(td)) : privateMapped(td, next.gpa);
    if (!mapped) {
      // EPT violation: exit qualification bit 0 read, bit 1 write; the faulting GPA in R8. The
      // faulty module exchanges the two bits.
      const write = next.write !== m.faults.has('module.ept-qual-read-write-swapped');
      return fail(BigInt(EXIT_REASONS.EPT_VIOLATION), { rcx: write ? 2n : 1n, rdx: 0n, r8: next.gpa, r9: 0n });
    }
    vp.program.shift();
    vp.completed++;
  }
});
