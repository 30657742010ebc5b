/**
 * /proc/meminfo's MemTotal for the emulated kernel: the RAM of the memory map less the first MiB,
 * which the kernel never hands out. A real kernel also holds back its image, the memmap and what
 * firmware reserved, so its MemTotal is somewhat lower; the model does not reserve those.
 */
import type { EmulatedKernel } from './kernel';

const MIB = 1n << 20n;

export function memTotalKb(k: EmulatedKernel): number {
  const low = k.faults.has('host.meminfo-low-1m-counted') ? 0n : MIB;
  let bytes = 0n;
  for (const r of k.platform.config.memory) {
    const base = r.base < low ? low : r.base;
    if (r.end > base) bytes += r.end - base;
  }
  return Number(bytes / 1024n);
}
