/**
 * The TD's guest-physical address space as the module and the VMM hold it (@src:tdx-rst-guest).
 *
 * Each 4 KiB page of guest RAM is private (in the Secure EPT: accepted, or pending until the guest
 * accepts it) or was converted to shared (then the private page is gone and the VMM maps the
 * shared alias). Whether an access is private or shared is chosen by the guest's page tables
 * through the shared bit. A shared access to a GPA the VMM backs with memory (a page the guest
 * converted) just works; any other shared GPA is under VMM control and raises #VE (the VMM
 * emulates it as MMIO). A private access to an accepted page just works; to a pending page it
 * raises #VE, unless SEPT #VEs are disabled, in which case it exits to the VMM instead.
 */
export const PAGE_SIZE = 4096n;
export const pfnOf = (gpa: bigint): bigint => gpa >> 12n;

export type PrivatePageState = 'accepted' | 'pending' | 'absent';

export class GuestMemory {
  private readonly privateState = new Map<bigint, PrivatePageState>();
  private readonly sharedPages = new Set<bigint>();
  private readonly bytes = new Map<bigint, Uint8Array>();

  constructor(readonly ramBytes: bigint) {}

  isRam(gpa: bigint): boolean {
    return gpa >= 0n && gpa < this.ramBytes;
  }

  /** RAM is accepted at boot (firmware and the kernel accept it) unless arranged otherwise. */
  stateOf(gpa: bigint): PrivatePageState {
    const pfn = pfnOf(gpa);
    return this.privateState.get(pfn) ?? (this.isRam(gpa) ? 'accepted' : 'absent');
  }

  /** Bytes of private memory the VMM added that the guest has not accepted yet. */
  pendingBytes(): bigint {
    let n = 0n;
    for (const st of this.privateState.values()) if (st === 'pending') n += 4096n;
    return n;
  }

  setPrivate(gpa: bigint, state: PrivatePageState): void {
    this.privateState.set(pfnOf(gpa), state);
  }

  isSharedBacked(gpa: bigint): boolean {
    return this.sharedPages.has(pfnOf(gpa));
  }

  /** The VMM's half of a private->shared conversion: the private page goes, the shared alias is backed. */
  makeShared(gpa: bigint): void {
    this.privateState.set(pfnOf(gpa), 'absent');
    this.sharedPages.add(pfnOf(gpa));
    this.bytes.delete(pfnOf(gpa));
  }

  /** The VMM's half of a shared->private conversion: the shared alias goes; a private page will be
   * added on demand (pending) for the guest to accept. */
  makePrivate(gpa: bigint): void {
    this.sharedPages.delete(pfnOf(gpa));
    this.privateState.set(pfnOf(gpa), 'pending');
    this.bytes.delete(pfnOf(gpa));
  }

  read(gpa: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const a = gpa + BigInt(i);
      out[i] = this.bytes.get(pfnOf(a))?.[Number(a & (PAGE_SIZE - 1n))] ?? 0;
    }
    return out;
  }

  write(gpa: bigint, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const a = gpa + BigInt(i);
      let page = this.bytes.get(pfnOf(a));
      if (!page) {
        page = new Uint8Array(Number(PAGE_SIZE));
        this.bytes.set(pfnOf(a), page);
      }
      page[Number(a & (PAGE_SIZE - 1n))] = data[i];
    }
  }
}

export type MemoryVerdict = 'native' | 've' | 'td-exit';

/** The module's rule for one access. `gpa` includes the shared bit when the mapping is shared. */
export function accessVerdict(mem: GuestMemory, gpa: bigint, sharedBit: bigint, septVeDisabled: boolean,
  opts: { sharedMmioNative: boolean }): MemoryVerdict {
  if ((gpa & sharedBit) !== 0n) {
    const page = gpa & ~sharedBit;
    if (mem.isSharedBacked(page)) return 'native';
    return opts.sharedMmioNative ? 'native' : 've';
  }
  switch (mem.stateOf(gpa)) {
    case 'accepted': return 'native';
    case 'pending': return septVeDisabled ? 'td-exit' : 've';
    case 'absent': return 'td-exit';
  }
}
