/**
 * The few libc calls Node does not offer (ioctl, and memory whose address an ioctl can carry),
 * through koffi, loaded on first use. Where koffi cannot load (no prebuilt binary for this
 * platform), the calls are absent and say why: the ioctl-based capabilities are then missing, with
 * that reason, and everything read from files still works.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

export interface Libc {
  /** ioctl(fd, request, arg) -> return value, and errno when it is -1. */
  ioctl(fd: number, request: number, arg: bigint): { ret: number; errno: number };
  /** Zeroed memory of `size` bytes; its address and a live view of it. */
  alloc(size: number): { addr: bigint; bytes: Buffer };
}

let loaded: Libc | { unavailable: string } | null = null;

export function libc(): Libc | { unavailable: string } {
  if (loaded) return loaded;
  try {
    const koffi = require('koffi') as typeof import('koffi');
    // Stryker disable next-line StringLiteral: koffi.load('') opens the program itself (dlopen(NULL)), whose global scope has libc's ioctl: the same function (equivalent)
    const lib = koffi.load('libc.so.6');
    // Declared variadic, as ioctl is: the third argument goes in a register whatever its C type.
    const ioctl = lib.func('int ioctl(int, unsigned long, ...)');
    // Stryker disable next-line ArrayDeclaration: the array only holds references so the memory stays alive; an extra first element changes nothing (equivalent)
    const keep: unknown[] = [];
    loaded = {
      ioctl(fd, request, arg) {
        const ret = ioctl(fd, request, 'uint64_t', arg) as number;
        return { ret, errno: ret < 0 ? koffi.errno() : 0 };
      },
      alloc(size) {
        // Page-aligned for page multiples: INIT_MEM_REGION sources and guest memory need it.
        const n = Math.max(size, 1);
        const ptr = koffi.alloc('uint8_t', n + 4096);
        keep.push(ptr); // freed with the process: probes allocate little and briefly
        const base = koffi.address(ptr) as bigint;
        const aligned = n % 4096 === 0 ? (base + 4095n) & ~4095n : base;
        const off = Number(aligned - base);
        const bytes = Buffer.from(koffi.view(ptr, n + 4096) as ArrayBuffer).subarray(off, off + n);
        bytes.fill(0);
        return { addr: aligned, bytes };
      },
    };
  } catch (e) {
    loaded = { unavailable: `koffi, which issues ioctls, cannot load here (${(e as Error).message.split('\n')[0]})` };
  }
  return loaded;
}
