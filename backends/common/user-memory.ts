/**
 * User memory for interfaces that are not a real process (the emulated machine, the replayer of
 * captures): buffers at made-up addresses in a private address space, and the lookup a kernel does
 * in copy_from_user(): an address outside every buffer is a fault (EFAULT).
 */
import type { UserBuffer } from '../kernel-interface';

const PAGE = 4096;

class HeapBuffer implements UserBuffer {
  private data: Buffer | null = null;
  readonly pointers = new Map<number, { target: UserBuffer; delta: number }>();
  constructor(readonly addr: bigint, readonly size: number) {}
  /**
   * The contents, made (zeroed) when first used: a TD's guest memory (megabytes) is often only
   * passed to KVM by address and never read or written here.
   */
  get bytes(): Buffer {
    return (this.data ??= Buffer.alloc(this.size));
  }
  /** Whether the contents were ever used: if not, they are all zero. */
  get untouched(): boolean {
    return this.data === null;
  }
  setPointer(offset: number, target: UserBuffer, delta = 0): void {
    this.bytes.writeBigUInt64LE(target.addr + BigInt(delta), offset);
    this.pointers.set(offset, { target, delta });
  }
}

export class UserMemory {
  private next = 0x7f00_0000_0000n;
  private readonly buffers: HeapBuffer[] = [];

  alloc(size: number): UserBuffer {
    const at = this.next;
    // Page-aligned for page multiples (guest memory, INIT_MEM_REGION sources); a guard page between buffers.
    this.next += BigInt(Math.ceil(Math.max(size, 1) / PAGE) * PAGE + PAGE);
    const b = new HeapBuffer(at, size);
    this.buffers.push(b);
    return b;
  }

  /** The bytes at [addr, addr + len), as a live view, or undefined (a fault) when not all mapped. */
  view(addr: bigint, len: number): Buffer | undefined {
    for (const b of this.buffers) {
      if (addr >= b.addr && addr + BigInt(len) <= b.addr + BigInt(b.size)) {
        const off = Number(addr - b.addr);
        return b.bytes.subarray(off, off + len);
      }
    }
    return undefined;
  }
}
