/**
 * CPU models the emulator can play. Family/model numbers from the kernel's intel-family.h. Which
 * of them have the partial-write erratum is the kernel model's to decide (check_tdx_erratum(), in
 * backends/emulator/host/kernel.ts), from these numbers, not a flag here.
 */
export interface CpuModel {
  name: string;
  displayName: string;
  family: number;
  model: number;
  /**
   * The /proc/cpuinfo flags of a host of this model before TDX detection, in cpufeatures.h order
   * (the kernel adds tdx_host_platform). Sapphire Rapids: the real host of
   * @src:capture-dstack-103 (its list is cut after "serialize"); other models: only the flags
   * the suite's rules read, as no capture of them is at hand.
   */
  cpuinfoFlags: readonly string[];
  /** The bugs line the kernel prints on any CPU of the model, before the TDX erratum. */
  cpuinfoBugs: readonly string[];
  /** MSR 0x87 (KeyID partitioning) exists: the CPU has TME-MK. Reading it faults on CPUs without. */
  keyIdMsr: boolean;
}

const SPR_FLAGS = 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf tsc_known_freq pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cat_l2 cdp_l3 intel_ppin cdp_l2 ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow flexpriority ept vpid ept_ad fsgsbase tsc_adjust sgx bmi1 avx2 smep bmi2 erms invpcid cqm rdt_a avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb intel_pt avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local split_lock_detect user_shstk avx_vnni avx512_bf16 wbnoinvd dtherm ida arat pln pts hfi vnmi avx512vbmi umip pku ospke waitpkg avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme avx512_vpopcntdq la57 rdpid bus_lock_detect cldemote movdiri movdir64b enqcmd sgx_lc fsrm md_clear serialize'.split(' ');
const FEW_FLAGS = ['fpu', 'tsc', 'msr', 'ss', 'vmx', 'xsave', 'tpr_shadow', 'ept', 'vpid', 'ept_ad', 'tme', 'movdir64b'];
const NO_TME_FLAGS = FEW_FLAGS.filter((f) => f !== 'tme');
const BUGS = ['spectre_v1', 'spectre_v2', 'spec_store_bypass', 'swapgs'];

export const CPU_MODELS: readonly CpuModel[] = [
  { name: 'sapphire-rapids', displayName: 'Intel(R) Xeon(R) Platinum 8480CTDX', family: 6, model: 0x8f, cpuinfoFlags: SPR_FLAGS, cpuinfoBugs: BUGS, keyIdMsr: true },
  { name: 'emerald-rapids', displayName: 'Intel(R) Xeon(R) Platinum 8592+', family: 6, model: 0xcf, cpuinfoFlags: FEW_FLAGS, cpuinfoBugs: BUGS, keyIdMsr: true },
  { name: 'granite-rapids', displayName: 'Intel(R) Xeon(R) 6980P', family: 6, model: 0xad, cpuinfoFlags: FEW_FLAGS, cpuinfoBugs: BUGS, keyIdMsr: true },
  // A server CPU without TME-MK (and so without TDX), as the VMs CI runs on show themselves.
  { name: 'intel-no-tme', displayName: 'Intel(R) Xeon(R) Processor', family: 6, model: 0xa7, cpuinfoFlags: NO_TME_FLAGS, cpuinfoBugs: BUGS, keyIdMsr: false },
];

export function cpuModel(name: string): CpuModel {
  const m = CPU_MODELS.find((c) => c.name === name);
  if (!m) throw new Error(`unknown CPU model "${name}"; known: ${CPU_MODELS.map((c) => c.name).join(', ')}`);
  return m;
}
