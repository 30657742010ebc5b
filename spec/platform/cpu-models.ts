/**
 * CPU models the emulator can play. Family/model numbers from the kernel's intel-family.h;
 * `partialWriteErratum`: the models check_tdx_erratum() forces X86_BUG_TDX_PW_MCE on
 * (@src:tdx-c-mid).
 */
export interface CpuModel {
  name: string;
  displayName: string;
  family: number;
  model: number;
  partialWriteErratum: boolean;
}

export const CPU_MODELS: readonly CpuModel[] = [
  { name: 'sapphire-rapids', displayName: 'Intel(R) Xeon(R) Platinum 8480CTDX', family: 6, model: 0x8f, partialWriteErratum: true },
  { name: 'emerald-rapids', displayName: 'Intel(R) Xeon(R) Platinum 8592+', family: 6, model: 0xcf, partialWriteErratum: true },
  { name: 'granite-rapids', displayName: 'Intel(R) Xeon(R) 6980P', family: 6, model: 0xad, partialWriteErratum: false },
];

export function cpuModel(name: string): CpuModel {
  const m = CPU_MODELS.find((c) => c.name === name);
  if (!m) throw new Error(`unknown CPU model "${name}"; known: ${CPU_MODELS.map((c) => c.name).join(', ')}`);
  return m;
}
