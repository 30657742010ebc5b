/**
 * KVM's SEAMCALL wrappers: the kernel's SEAMCALL path (sc_retry() retries TDX_RND_NO_ENTROPY),
 * on a chosen logical CPU, with a trace of every call so scenarios can check what KVM asked the
 * module and in which order (@src:kvm-tdx-c).
 */
import { seamcallRax } from '../../../spec/encodings/seamcall';
import type { Regs } from '../../port';
import type { SeamcallTraceEntry } from '../../kvm-facet';
import type { EmulatedKernel } from '../host/kernel';
import { seamcallRetry } from '../host/seamcall';

export interface SeamcallOut {
  status: bigint;
  out: Regs;
}

export class KvmSeamcalls {
  readonly trace: SeamcallTraceEntry[] = [];

  constructor(private readonly kernel: () => EmulatedKernel) {}

  call(cpu: number, leaf: string, regs: Regs = {}, version = 0): SeamcallOut {
    const r = seamcallRetry(this.kernel(), cpu, seamcallRax(leaf, version), regs);
    // Outputs are kept for the calls whose registers a scenario reads: the TD exits of TDH.VP.ENTER.
    this.trace.push(leaf === 'TDH.VP.ENTER' ? { leaf, cpu, status: r.status, out: { ...r.out } } : { leaf, cpu, status: r.status });
    return r;
  }

  /** The CPU a KVM ioctl runs on: the first online CPU that can make SEAMCALLs. */
  currentCpu(): number {
    const cpus = this.kernel().cpus;
    const i = cpus.findIndex((c) => c.online && c.vmxOn && c.tdxEnabled);
    return i < 0 ? 0 : i;
  }

  /** The first online CPU of every package (one SEAMCALL per package). */
  onePerPackage(): number[] {
    const k = this.kernel();
    const seen = new Set<number>();
    const out: number[] = [];
    k.cpus.forEach((c, i) => {
      if (!c.online) return;
      const pkg = k.platform.packageOf(i);
      if (seen.has(pkg)) return;
      seen.add(pkg);
      out.push(i);
    });
    return out;
  }
}
