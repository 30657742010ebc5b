/**
 * The boundary between the emulated TD and whatever answers its TDVMCALLs. The guest model calls
 * `tdvmcall` with the registers the guest exposed; the other side (a minimal VMM stub, or the
 * emulator's KVM with a scripted user-space VMM behind it) returns the registers it writes back:
 * R10 the status (spec/abi/tdvmcall.ts), R11 and up the outputs.
 *
 * A VMM that needs the guest's shared memory (GetQuote writes the quote into a shared buffer)
 * implements `connect`: the TD calls it once with a view of its shared memory. The view refuses
 * private pages, as the hardware does.
 */
import type { Regs } from '../../port';

export interface SharedMemory {
  /** The shared bit of this TD's GPAs. */
  readonly sharedBit: bigint;
  /** Read `len` bytes at a shared GPA (with or without the shared bit); undefined if not shared. */
  read(gpa: bigint, len: number): Uint8Array | undefined;
  /** Write bytes at a shared GPA; false if the page is not shared. */
  write(gpa: bigint, bytes: Uint8Array): boolean;
}

export interface TdvmcallSide {
  tdvmcall(vcpu: number, regs: Regs): Regs;
  connect?(memory: SharedMemory): void;
  /** Time passes for the VMM while the TD sleeps (work it finishes in that time is done). */
  advance?(seconds: number): void;
}
