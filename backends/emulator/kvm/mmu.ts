/**
 * KVM's two EPTs of a TD (@src:kvm-tdx-c): private GPAs (shared bit clear) are mapped through
 * the mirror page table, which KVM reflects into the module's secure EPT with TDH.MEM.SEPT.ADD
 * and TDH.MEM.PAGE.ADD (initial image) or TDH.MEM.PAGE.AUG (running TD), at 4 KiB only
 * (tdx_gmem_private_max_mapping_level()); removing a private page takes TDH.MEM.RANGE.BLOCK,
 * TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE and TDH.PHYMEM.PAGE.WBINVD. Shared GPAs go to the ordinary
 * shared EPT, which the CPU walks through the TD VMCS's shared EPT pointer, with no SEAMCALL.
 */
import type { TdMapping } from '../../kvm-facet';
import type { KernelResult } from '../../port';
import { kmalloc } from '../host/module-init';
import { levelSize, tableKey } from '../module/leaves/td-state';
import type { KvmVm } from './vm';

const PAGE = 4096n;
const OPERAND_BUSY_CLASS = 0x8000020000000000n;

export interface PrivateLeaf {
  level: number;
  hpa: bigint;
}

export class TdMmu {
  /** S-EPT pages KVM linked, as `level:gpa`, and the host pages that hold them. */
  readonly tables = new Set<string>();
  readonly tablePages: bigint[] = [];
  readonly privateLeaves = new Map<bigint, PrivateLeaf>();
  /** The shared EPT: 4 KiB pages (GPA without shared bit) mapped; kept where the CPU can walk it. */
  readonly shared = new Set<bigint>();
  private root: bigint | null = null;

  constructor(private readonly vm: KvmVm) {}

  private get kernel() {
    return this.vm.kernel;
  }

  /** Physical address of the shared EPT root (what the TD VMCS points to). */
  get sharedRoot(): bigint {
    if (this.root === null) {
      this.root = kmalloc(this.kernel, PAGE, PAGE);
      this.kernel.platform.store(this.root, this.shared);
    }
    return this.root;
  }

  /** A page of host memory for the module (TDR, TDCS, S-EPT, guest pages). */
  allocPage(): bigint {
    return kmalloc(this.kernel, PAGE, PAGE);
  }

  /** One above the highest S-EPT entry level (see rootLevel() of the module's td-state). */
  private rootLevel(): number {
    return this.vm.gpaw === 52 ? 5 : 4;
  }

  /** tdx_sept_link_private_spt() for every missing level above a leaf of `level`. */
  private linkTables(cpu: number, gpa: bigint, level: number): KernelResult {
    for (let l = this.rootLevel() - 1; l > level; l--) {
      const key = tableKey(l, gpa);
      if (this.tables.has(key)) continue;
      const page = this.allocPage();
      const base = gpa - (gpa % levelSize(l));
      const r = this.vm.kvm.sc.call(cpu, 'TDH.MEM.SEPT.ADD', { rcx: base | BigInt(l), rdx: this.vm.tdr!, r8: page });
      if ((r.status & 0xffffffff00000000n) === OPERAND_BUSY_CLASS) return { ok: false, errno: 'EBUSY' };
      if (r.status !== 0n) return { ok: false, errno: 'EIO' };
      this.tables.add(key);
      this.tablePages.push(page);
    }
    return { ok: true };
  }

  /** Level of a new private mapping: 4 KiB, always. */
  private leafLevel(gpa: bigint): number {
    if (!this.vm.faults.has('kvm.private-2m-mapping')) return 0;
    const base = gpa - (gpa % levelSize(1));
    for (let p = base; p < base + levelSize(1); p += PAGE) {
      if (!this.vm.privatePages.has(p) || this.privateLeaves.has(p)) return 0;
    }
    return 1;
  }

  /** Add the initial page at `gpa` (KVM_TDX_INIT_MEM_REGION): mirror EPT, then TDH.MEM.PAGE.ADD. */
  addInitialPage(cpu: number, gpa: bigint, source: bigint): KernelResult {
    const linked = this.linkTables(cpu, gpa, 0);
    if (!linked.ok) return linked;
    this.vm.premapped++;
    const hpa = this.allocPage();
    const r = this.vm.kvm.sc.call(cpu, 'TDH.MEM.PAGE.ADD', { rcx: gpa, rdx: this.vm.tdr!, r8: hpa, r9: source });
    if (r.status !== 0n) return { ok: false, errno: (r.status & 0xffffffff00000000n) === OPERAND_BUSY_CLASS ? 'EBUSY' : 'EIO' };
    this.vm.premapped--;
    this.privateLeaves.set(gpa, { level: 0, hpa });
    return { ok: true };
  }

  /** Fault a private GPA in on a running TD: TDH.MEM.PAGE.AUG. */
  faultInPrivate(cpu: number, gpa: bigint): KernelResult {
    const level = this.leafLevel(gpa);
    const base = gpa - (gpa % levelSize(level));
    const linked = this.linkTables(cpu, base, level);
    if (!linked.ok) return linked;
    const hpa = level === 0 ? this.allocPage() : kmalloc(this.kernel, levelSize(1), levelSize(1));
    const r = this.vm.kvm.sc.call(cpu, 'TDH.MEM.PAGE.AUG', { rcx: base | BigInt(level), rdx: this.vm.tdr!, r8: hpa });
    if (r.status !== 0n) return { ok: false, errno: (r.status & 0xffffffff00000000n) === OPERAND_BUSY_CLASS ? 'EBUSY' : 'EIO' };
    this.privateLeaves.set(base, { level, hpa });
    return { ok: true };
  }

  /** The private leaf that maps `gpa`, if any. */
  leafOf(gpa: bigint): [bigint, PrivateLeaf] | undefined {
    for (const e of this.privateLeaves) if (gpa >= e[0] && gpa < e[0] + levelSize(e[1].level)) return e;
    return undefined;
  }

  /** Remove the private mapping of `gpa` while the TD holds its KeyID (attribute change). */
  zapPrivate(gpa: bigint): KernelResult {
    const found = this.leafOf(gpa);
    if (!found || this.vm.hkid < 0) return { ok: true };
    const [base, leaf] = found;
    const cpu = this.vm.kvm.sc.currentCpu();
    const sc = this.vm.kvm.sc;
    const tdr = this.vm.tdr!;
    const rcx = base | BigInt(leaf.level);
    const track = (): void => {
      // tdx_track(): only a finalized TD can have vCPUs caching the translation.
      if (this.vm.state === 'RUNNABLE') sc.call(cpu, 'TDH.MEM.TRACK', { rcx: tdr });
    };
    if (sc.call(cpu, 'TDH.MEM.RANGE.BLOCK', { rcx, rdx: tdr }).status !== 0n) return { ok: false, errno: 'EIO' };
    const early = this.vm.faults.has('kvm.remove-before-track');
    if (!early) track();
    if (sc.call(cpu, 'TDH.MEM.PAGE.REMOVE', { rcx, rdx: tdr }).status !== 0n) return { ok: false, errno: 'EIO' };
    if (early) track();
    const m = this.kernel.module!;
    sc.call(cpu, 'TDH.PHYMEM.PAGE.WBINVD', { rcx: leaf.hpa | (BigInt(this.vm.hkid) << BigInt(m.hkidStartBit)) });
    this.privateLeaves.delete(base);
    return { ok: true };
  }

  mapShared(gpa: bigint): void {
    void this.sharedRoot;
    this.shared.add(gpa - (gpa % PAGE));
  }

  zapShared(gpa: bigint): void {
    this.shared.delete(gpa - (gpa % PAGE));
  }

  privateMappings(): TdMapping[] {
    return [...this.privateLeaves].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([gpa, l]) => ({ gpa, size: levelSize(l.level) }));
  }

  sharedMappings(): TdMapping[] {
    return [...this.shared].sort((a, b) => (a < b ? -1 : 1)).map((gpa) => ({ gpa, size: PAGE }));
  }
}
