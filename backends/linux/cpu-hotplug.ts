/**
 * The one change the linux target makes to a live machine, and only with --allow-destructive:
 * taking logical CPUs offline and back online through /sys/devices/system/cpu/cpuN/online. Every
 * change is remembered; restore() puts each CPU back as it found it and reads the state back to
 * verify. A failed restoration is reported, and the suite then blocks the rest of the run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isErrnoName } from '../../spec/abi/errno';
import type { KernelResult } from '../port';

export class CpuHotplug {
  /** CPU -> online state before this scenario first touched it. */
  private readonly original = new Map<number, boolean>();

  constructor(private readonly root: string = '/') {}

  private node(cpu: number): string {
    const p = `/sys/devices/system/cpu/cpu${cpu}/online`;
    return this.root === '/' ? p : join(this.root, p);
  }

  /** A CPU without an online node (often CPU 0) cannot be taken offline: it is always online. */
  isOnline(cpu: number): boolean | null {
    const n = this.node(cpu);
    if (!existsSync(n)) return existsSync(this.node(cpu).replace(/\/online$/, '')) ? true : null;
    return readFileSync(n, 'utf8').trim() === '1';
  }

  set(cpu: number, online: boolean): KernelResult {
    const before = this.isOnline(cpu);
    if (before === null) return { ok: false, errno: 'ENODEV' };
    if (!existsSync(this.node(cpu))) return { ok: false, errno: online ? 'EINVAL' : 'EPERM' };
    if (!this.original.has(cpu)) this.original.set(cpu, before);
    try {
      writeFileSync(this.node(cpu), online ? '1' : '0');
      return { ok: true };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      return { ok: false, errno: isErrnoName(code) ? code : 'EIO' };
    }
  }

  get touched(): boolean {
    return this.original.size > 0;
  }

  /** Put every CPU back and check that it is back. */
  restore(): { restored: boolean; detail?: string } {
    const problems: string[] = [];
    for (const [cpu, online] of this.original) {
      try {
        if (this.isOnline(cpu) !== online) writeFileSync(this.node(cpu), online ? '1' : '0');
      } catch (e) {
        problems.push(`CPU ${cpu}: ${(e as Error).message}`);
        continue;
      }
      const now = this.isOnline(cpu);
      if (now !== online) problems.push(`CPU ${cpu} is ${now ? 'online' : 'offline'}, was ${online ? 'online' : 'offline'}`);
    }
    this.original.clear();
    return problems.length ? { restored: false, detail: problems.join('; ') } : { restored: true };
  }
}
