/**
 * CPUID as the host CPU answers it, before the TDX module virtualises it. Representative values
 * of a server CPU of the chosen model: vendor, family/model signature, and feature words with the
 * bits the guest documentation and the module's tables mention. Leaves not listed read as zero.
 */
import { cpuModel } from '../../../spec/platform/cpu-models';

/** Bits of one CPUID register (subleaf -1: a leaf without subleaves). */
export interface CpuidOverride {
  leaf: number;
  /** -1: the leaf has no subleaves. */
  subleaf: number;
  reg: 'eax' | 'ebx' | 'ecx' | 'edx';
  value: number;
}

export interface CpuidRegs {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

export const ZERO: CpuidRegs = { eax: 0, ebx: 0, ecx: 0, edx: 0 };

export const cpuidKey = (leaf: number, subleaf: number): string => `${leaf >>> 0}:${subleaf}`;

/** "GenuineIntel" in EBX, EDX, ECX. */
const VENDOR = { ebx: 0x756e6547, edx: 0x49656e69, ecx: 0x6c65746e };

export function nativeCpuid(modelName: string, clear: readonly CpuidOverride[] = []): Map<string, CpuidRegs> {
  const m = cpuModel(modelName);
  const signature = ((m.model >> 4) << 16) | (m.family << 8) | ((m.model & 0xf) << 4) | 0x8;
  const t = new Map<string, CpuidRegs>();
  const put = (leaf: number, subleaf: number, r: Partial<CpuidRegs>) => t.set(cpuidKey(leaf, subleaf), { ...ZERO, ...r });
  put(0x0, -1, { eax: 0x20, ...VENDOR });
  // Leaf 1: ECX has TSC-deadline (24), DCA (18) and VMX (5); bit 31 (hypervisor) is clear on bare metal.
  put(0x1, -1, { eax: signature, ebx: 0x00800800, ecx: 0x7ffefbff, edx: 0xbfebfbff });
  put(0x2, -1, { eax: 0x00feff01 });
  for (let i = 0; i < 4; i++) put(0x4, i, { eax: 0x1c004121 + 0x20 * i, ebx: 0x02c0003f, ecx: 0x3f, edx: 0 });
  put(0x5, -1, { eax: 0x40, ebx: 0x40, ecx: 0x3, edx: 0x2020 });
  put(0x6, -1, { eax: 0x77, ebx: 0x2, ecx: 0x9, edx: 0 });
  // Leaf 7: EBX has BMI1 (3), HLE (4), RTM (11) and AVX512BW (30); ECX has WAITPKG (5) and TME_EN (13).
  put(0x7, 0, { eax: 0x2, ebx: 0xf3bfbffb, ecx: 0x1bc1ffbe | (1 << 13), edx: 0xffd9c432 });
  put(0x7, 1, { eax: 0x1c30 });
  put(0xa, -1, { eax: 0x08300805, ebx: 0, ecx: 0xf, edx: 0x8603 });
  put(0xb, 0, { eax: 0x1, ebx: 0x2, ecx: 0x100, edx: 0 });
  put(0xb, 1, { eax: 0x7, ebx: 0x80, ecx: 0x201, edx: 0 });
  put(0xd, 0, { eax: 0x2e7, ebx: 0xa88, ecx: 0x2b00, edx: 0 });
  put(0xd, 1, { eax: 0x1f, ebx: 0x240, ecx: 0x1900, edx: 0 });
  put(0x15, -1, { eax: 0x2, ebx: 0xbc, ecx: 0x017d7840, edx: 0 });
  put(0x1f, 0, { eax: 0x1, ebx: 0x2, ecx: 0x100, edx: 0 });
  // Granite Rapids has the architectural performance-monitoring extended leaf 0x23: subleaves 0
  // and 1 valid, four counters (the emulator's representative values).
  if (m.name === 'granite-rapids') put(0x23, 0, { eax: 0x3, ebx: 0xf });
  put(0x80000000, -1, { eax: 0x80000008 });
  put(0x80000001, -1, { ecx: 0x121, edx: 0x2c100800 });
  put(0x80000008, -1, { eax: 0x3934 });
  for (const c of clear) {
    const k = cpuidKey(c.leaf, c.subleaf);
    const cur = t.get(k) ?? { ...ZERO };
    t.set(k, { ...cur, [c.reg]: (cur[c.reg] & ~c.value) >>> 0 });
  }
  return t;
}

/** A leaf's native value; leaves with subleaves fall back to subleaf 0 on a miss, others to zero. */
export function lookupNative(t: Map<string, CpuidRegs>, leaf: number, subleaf: number): CpuidRegs {
  return t.get(cpuidKey(leaf, -1)) ?? t.get(cpuidKey(leaf, subleaf)) ?? ZERO;
}
