/**
 * Running the probes (probes.ts) through the kernel-interface seam: each probe is one read, and
 * a failure is a result ("EACCES: ..."), never an exception, so the target declares only what it
 * could read.
 */
import { KVM_IOCTLS } from '../../spec/uapi/kvm';
import { isOk, type KernelInterface } from '../kernel-interface';
import { isUnobservable } from '../port';
import type { CpuidRegs } from './evidence';
import { guestProbes, looksLikeTd, runGuestProbe } from './guest-probes';
import { baseProbes, cpuProbes, parseCpuList, type Probe, type ProbeResult, type ProbeResults } from './probes';

const failed = (r: { errno: string; detail?: string } | { unobservable: string }): ProbeResult =>
  ({ ok: false, error: 'unobservable' in r ? r.unobservable : `${r.errno}${r.detail ? `: ${r.detail.replace(/^[A-Z]+: /, '')}` : ''}` });

/** CPUID through the cpuid driver: the file offset selects the leaf (low 32 bits) and subleaf. */
export function readCpuid(ki: KernelInterface, cpu: number, leaf: number, subleaf: number): ProbeResult {
  const r = ki.read(`/dev/cpu/${cpu}/cpuid`, { offset: (BigInt(subleaf) << 32n) | BigInt(leaf), length: 16 });
  if (!isOk(r)) return failed(r);
  if (r.value.length !== 16) return { ok: false, error: `short read (${r.value.length} bytes)` };
  const b = r.value;
  const regs: CpuidRegs = { eax: b.readUInt32LE(0), ebx: b.readUInt32LE(4), ecx: b.readUInt32LE(8), edx: b.readUInt32LE(12) };
  return { ok: true, regs };
}

/** RDMSR through the msr driver: the offset is the MSR index; a #GP comes back as EIO. */
export function readMsr(ki: KernelInterface, cpu: number, msr: number): ProbeResult {
  const r = ki.read(`/dev/cpu/${cpu}/msr`, { offset: BigInt(msr), length: 8 });
  if (isUnobservable(r)) return failed(r);
  if (!r.ok) return r.errno === 'EIO' ? { ok: true, faulted: true } : failed(r);
  if (r.value.length !== 8) return { ok: false, error: `short read (${r.value.length} bytes)` };
  return { ok: true, value: r.value.readBigUInt64LE(0) };
}

export function runProbe(p: Probe, ki: KernelInterface): ProbeResult {
  switch (p.kind) {
    case 'file': {
      const r = ki.read(p.path);
      return isOk(r) ? { ok: true, text: r.value.toString('utf8') } : failed(r);
    }
    case 'exists': {
      const r = ki.stat(p.path);
      if (isOk(r)) return { ok: true, exists: true };
      return !isUnobservable(r) && r.errno === 'ENOENT' ? { ok: true, exists: false } : failed(r);
    }
    case 'kernel-log': {
      const r = ki.kernelLog();
      return isOk(r) ? { ok: true, text: r.value.text, source: r.value.source } : failed(r);
    }
    case 'cpuid':
      return readCpuid(ki, p.cpu, p.leaf, p.subleaf);
    case 'msr':
      return readMsr(ki, p.cpu, p.msr);
    case 'kvm-api': {
      const fd = ki.open('/dev/kvm', 'rw');
      if (!isOk(fd)) return failed(fd);
      try {
        const v = ki.ioctl(fd.value, KVM_IOCTLS.KVM_GET_API_VERSION, 0);
        return isOk(v) ? { ok: true, value: BigInt(v.value) } : failed(v);
      } finally {
        ki.close(fd.value);
      }
    }
    case 'command':
    case 'kmsg':
      return { ok: false, error: `probe kind ${p.kind} is read from format-1 snapshots only` };
    default:
      return runGuestProbe(p, ki);
  }
}

/** Run every probe, then the per-CPU ones once the present CPUs are known. */
export function runProbes(ki: KernelInterface): { probes: Probe[]; results: ProbeResults } {
  const probes = baseProbes();
  const results: ProbeResults = new Map();
  for (const p of probes) results.set(p.id, runProbe(p, ki));
  const present = results.get('cpu-present');
  if (present && present.ok && 'text' in present) {
    for (const p of cpuProbes(parseCpuList(present.text))) {
      probes.push(p);
      results.set(p.id, runProbe(p, ki));
    }
  }
  // A TD guest: what a process inside it can see of the TDX module and the guest kernel.
  if (looksLikeTd(results)) {
    for (const p of guestProbes()) {
      probes.push(p);
      results.set(p.id, runProbe(p, ki));
    }
  }
  return { probes, results };
}
