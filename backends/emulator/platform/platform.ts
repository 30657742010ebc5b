/**
 * The hardware the emulated kernel and module run on: packages and logical CPUs, the memory
 * map, the CMRs the BIOS reports, the KeyID partitioning MSR, CPU features, and a physical memory
 * that holds the structures software hands to the module by physical address.
 */
import type { MemoryRegion } from '../../port';
import { cpuModel, type CpuModel } from '../../../spec/platform/cpu-models';

export const MSR_IA32_MKTME_KEYID_PARTITIONING = 0x87;

export interface PlatformConfig {
  cpuModel: string;
  packages: number;
  cpusPerPackage: number;
  memory: MemoryRegion[];
  cmrs: MemoryRegion[];
  mktmeKeyIds: number;
  tdxKeyIds: number;
  /** CPU features by kernel name (xsave, movdir64b, self_snoop, vmx, ...). */
  cpuFeatures: string[];
  physAddrBits: number;
  /**
   * Requests for randomness that find no entropy (RDRAND, RDSEED or PCONFIG key generation fail),
   * by the TDX module leaf that makes them: the first n requests of that leaf fail.
   */
  entropyShortfalls?: Readonly<Record<string, number>>;
  /** SEAMCALL raises #GP on every logical CPU. */
  seamcallGp?: boolean;
}

export interface LogicalCpu {
  id: number;
  pkg: number;
}

/** CPU lists by topology: immutable, so shared by every platform of that shape. */
const topologies = new Map<string, readonly LogicalCpu[]>();

function cpuList(packages: number, perPackage: number): readonly LogicalCpu[] {
  const key = `${packages}x${perPackage}`;
  let list = topologies.get(key);
  if (!list) {
    list = Object.freeze(Array.from({ length: packages * perPackage }, (_, id) => Object.freeze({ id, pkg: Math.floor(id / perPackage) })));
    topologies.set(key, list);
  }
  return list;
}

export class Platform {
  readonly model: CpuModel;
  readonly cpus: readonly LogicalCpu[];
  /** Structures stored at physical addresses (TDMR arrays, TDMR_INFO, TDSYSINFO buffers). */
  private readonly phys = new Map<bigint, unknown>();

  /** What is left of the arranged entropy shortfalls. */
  private readonly shortfalls: Map<string, number>;

  constructor(readonly config: PlatformConfig) {
    this.model = cpuModel(config.cpuModel);
    this.cpus = cpuList(config.packages, config.cpusPerPackage);
    this.shortfalls = new Map(Object.entries(config.entropyShortfalls ?? {}));
  }

  /** Whether this request for randomness from `leaf` finds no entropy (each shortfall is used once). */
  noEntropy(leaf: string): boolean {
    const n = this.shortfalls.get(leaf) ?? 0;
    if (n <= 0) return false;
    this.shortfalls.set(leaf, n - 1);
    return true;
  }

  get packages(): number {
    return this.config.packages;
  }

  packageOf(cpu: number): number {
    const c = this.cpus[cpu];
    if (!c) throw new RangeError(`no logical CPU ${cpu} (platform has ${this.cpus.length})`);
    return c.pkg;
  }

  hasFeature(name: string): boolean {
    return this.config.cpuFeatures.includes(name);
  }

  /** RDMSR; undefined models a #GP (the MSR does not exist on this platform). */
  rdmsr(msr: number): bigint | undefined {
    if (msr === MSR_IA32_MKTME_KEYID_PARTITIONING) {
      if (!this.model.keyIdMsr) return undefined;
      if (this.config.mktmeKeyIds === 0 && this.config.tdxKeyIds === 0) return 0n;
      return (BigInt(this.config.tdxKeyIds) << 32n) | BigInt(this.config.mktmeKeyIds);
    }
    return undefined;
  }

  store(pa: bigint, value: unknown): void {
    this.phys.set(pa, value);
  }

  load<T>(pa: bigint): T | undefined {
    return this.phys.get(pa) as T | undefined;
  }

  totalMemory(): bigint {
    return this.config.memory.reduce((s, r) => s + (r.end - r.base), 0n);
  }
}
