/**
 * The boundary between the emulated TD and whatever answers its TDVMCALLs. The guest model calls
 * `tdvmcall` with the registers the guest exposed; the other side (a minimal VMM stub, or the
 * emulator's KVM with a scripted user-space VMM behind it) returns the registers it writes back:
 * R10 the status (spec/abi/tdvmcall.ts), R11 and up the outputs.
 */
import type { Regs } from '../../port';

export interface TdvmcallSide {
  tdvmcall(vcpu: number, regs: Regs): Regs;
}
