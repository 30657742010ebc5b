/**
 * The guest model's path through KVM: a TdvmcallSide (guest/vmm.ts) that hands each TDVMCALL of
 * the emulated TD guest to KVM's TDVMCALL routing, and a scripted user-space VMM that receives
 * the exits KVM returns, records them and answers them as a GHCI-conforming VMM would (convert
 * memory for MapGPA and succeed, return a quote, ...) unless the scenario's VMM script says
 * otherwise. KVM completes each exit with the answer, as on the next KVM_RUN.
 */
import { KVM_HC_MAP_GPA_RANGE, KVM_MAP_GPA_RANGE_ENCRYPTED } from '../../../spec/abi/kvm-uapi';
import { KVM_MEMORY_ATTRIBUTE_PRIVATE } from '../../../spec/encodings/kvm';
import { TDVMCALL_STATUS } from '../../../spec/abi/tdvmcall';
import type { ExitAnswer, KvmExit, VmmScript } from '../../kvm-facet';
import type { Regs } from '../../port';
import type { TdvmcallSide } from '../module/td-exit';
import { handleTdvmcall } from './tdvmcall';
import type { TdVcpu } from './vcpu';
import type { KvmVm } from './vm';

/** Vector the scripted VMM uses when it raises an interrupt. */
const VMM_INTERRUPT_VECTOR = 0xec;

/** What the scripted VMM writes into kvm_run for an exit (`piece`: index of this MapGPA piece). */
export function scriptedAnswer(vm: KvmVm, v: TdVcpu, exit: KvmExit, piece: number, script: VmmScript): ExitAnswer {
  switch (exit.reason) {
    case 'KVM_EXIT_HYPERCALL': {
      if (exit.nr !== KVM_HC_MAP_GPA_RANGE) return {};
      // A VMM converts the range (KVM_SET_MEMORY_ATTRIBUTES) before answering.
      const [gpa, pages, attrs] = exit.args;
      const failed = script.mapGpaFailPiece === piece;
      if (!failed) vm.setMemoryAttributes(gpa, pages * 4096n, attrs & KVM_MAP_GPA_RANGE_ENCRYPTED ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0n);
      if (script.interruptAtMapGpaPiece === piece) v.signalMsi(VMM_INTERRUPT_VECTOR);
      return { hypercallRet: failed ? 1n : script.mapGpaRet ?? 0n };
    }
    case 'KVM_EXIT_TDX':
      if (exit.tdx.getQuote) return { tdxRet: script.quoteRet ?? TDVMCALL_STATUS.SUCCESS };
      if (exit.tdx.setupEventNotify) return { tdxRet: script.eventNotifyRet ?? TDVMCALL_STATUS.SUCCESS };
      if (exit.tdx.getTdvmcallInfo) return { tdxRet: TDVMCALL_STATUS.SUCCESS, tdvmcallInfo: { r11: 0n, r12: 0n, r13: 0n, r14: 0n } };
      return {};
    case 'KVM_EXIT_IO':
      return exit.direction === 'in' ? { data: script.ioInData ?? (1n << 64n) - 1n } : {};
    case 'KVM_EXIT_MMIO':
      return exit.isWrite ? {} : { data: script.mmioReadData ?? 0n };
    default:
      return {};
  }
}

/** The TdvmcallSide the guest model of a TD calls: KVM, then the scripted VMM for user exits. */
export class KvmTdvmcallSide implements TdvmcallSide {
  constructor(private readonly vm: KvmVm) {}

  tdvmcall(vcpu: number, regs: Regs): Regs {
    const v = this.vm.vcpuByIndex(vcpu);
    if (!v || v.state !== 'INITIALIZED' || this.vm.state !== 'RUNNABLE') {
      throw new Error(`vCPU ${vcpu} of the TD cannot run (not initialised, or the TD is not finalized)`);
    }
    const script = this.vm.kvm.setup.vmmScript;
    let step = handleTdvmcall(v, regs);
    let piece = 0;
    for (;;) {
      if (step.kind !== 'exit') {
        // Back into the guest: a pending interrupt is delivered, and a halted vCPU is woken at
        // once by the VMM's timer interrupt.
        v.pendingInterrupt = null;
        return step.regs;
      }
      this.vm.vmmExits.push(step.exit);
      const answer = scriptedAnswer(this.vm, v, step.exit, step.exit.reason === 'KVM_EXIT_HYPERCALL' ? piece++ : 0, script);
      step = step.complete(answer);
    }
  }
}
