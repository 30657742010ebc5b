/**
 * The guest facet of a real TD (live or captured): what a TD can answer about itself from the
 * inside without changing anything. Its kernel log; CPUID and RDMSR through the cpuid and msr
 * drivers (which run the instruction in the kernel on the chosen CPU, so only the guest layer of
 * the outcome is seen, and a faulting RDMSR is EIO); a snapshot answers with the leaves and MSRs
 * it holds. Writing MSRs, converting memory, TDREPORTs and configfs-tsm reports would change
 * the TD or need chosen instructions, and are not done.
 */
import type { GuestFacet } from '../guest-facet';
import { unobservable } from '../port';
import { cpuidKey, msrKey } from './evidence';
import type { Reading } from './facts';
import { logOf } from './host';
import { readCpuid, readMsr } from './live';
import type { KernelInterface } from '../kernel-interface';

export function linuxGuestFacet(r: Reading, live: boolean, ki: KernelInterface | null): GuestFacet {
  const notDone = (what: string) => () => unobservable(`${what} is not done on a real TD`);
  return {
    describe: () => unobservable("a TD's attributes, TD_CTLS, GPA width and vCPU count are not all observable from inside without a TDREPORT"),
    log: () => logOf(r, live, true),
    cpuid(vcpu, leaf, subleaf, mode = 'kernel') {
      if (mode === 'user') return unobservable('the cpuid driver executes CPUID in the kernel, not in user mode');
      const known = r.evidence.cpuid[cpuidKey(vcpu, leaf, subleaf)];
      if (known) return { ...known };
      if (!ki) return unobservable(`CPUID 0x${leaf.toString(16)}.${subleaf} of vCPU ${vcpu} is not in the capture`);
      const x = readCpuid(ki, vcpu, leaf, subleaf);
      return x.ok && 'regs' in x ? { ...x.regs } : unobservable(`CPUID cannot be read through /dev/cpu/${vcpu}/cpuid (${x.ok ? 'unexpected' : x.error})`);
    },
    rdmsr(vcpu, msr) {
      const known = r.evidence.msrs[msrKey(vcpu, msr)];
      const got = known ?? (ki ? (() => {
        const x = readMsr(ki, vcpu, msr);
        return x.ok && 'value' in x ? { value: x.value } : x.ok && 'faulted' in x ? { gp: true as const } : { error: x.ok ? 'unexpected' : x.error };
      })() : undefined);
      if (!got) return unobservable(`MSR 0x${msr.toString(16)} of vCPU ${vcpu} is not in the capture`);
      if ('value' in got) return { value: got.value, faulted: false };
      if ('gp' in got) return { faulted: true };
      return unobservable(`MSR 0x${msr.toString(16)} cannot be read through /dev/cpu/${vcpu}/msr (${got.error})`);
    },
    wrmsr: notDone('writing an MSR'),
    execute: notDone('executing chosen instructions'),
    access: notDone('a chosen guest memory access'),
    convert: notDone('converting memory between private and shared'),
    pageAccepted: () => unobservable('whether a private page is accepted is not observable from user space'),
    tdxGuestIoctl: notDone('requesting a TDREPORT'),
    tsmReport: notDone('creating a configfs-tsm report'),
  };
}
