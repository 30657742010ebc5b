/**
 * The one change the linux target makes to a live machine's configuration, and only with
 * --allow-destructive in a @destructive scenario: taking logical CPUs offline and back online
 * through /sys/devices/system/cpu/cpuN/online. Every change is remembered; restore() puts each CPU
 * back as it found it and reads the state back to verify. A failed restoration is reported, and
 * the suite then blocks the rest of the run.
 */
import { isOk, type KernelInterface } from '../kernel-interface';
import { isUnobservable, type KernelResult } from '../port';

export class CpuHotplug {
  /** CPU -> online state before this scenario first touched it. */
  private readonly original = new Map<number, boolean>();

  constructor(private readonly ki: KernelInterface) {}

  private node(cpu: number): string {
    return `/sys/devices/system/cpu/cpu${cpu}/online`;
  }

  /** A CPU without an online node (often CPU 0) cannot be taken offline: it is always online. */
  isOnline(cpu: number): boolean | null {
    const r = this.ki.read(this.node(cpu));
    if (isOk(r)) return r.value.toString('utf8').trim() === '1';
    return isOk(this.ki.stat(`/sys/devices/system/cpu/cpu${cpu}`)) ? true : null;
  }

  set(cpu: number, online: boolean): KernelResult {
    const before = this.isOnline(cpu);
    if (before === null) return { ok: false, errno: 'ENODEV' };
    if (!isOk(this.ki.stat(this.node(cpu)))) return { ok: false, errno: online ? 'EINVAL' : 'EPERM' };
    if (!this.original.has(cpu)) this.original.set(cpu, before);
    const r = this.ki.write(this.node(cpu), Buffer.from(online ? '1' : '0'));
    if (isUnobservable(r)) return { ok: false, errno: 'EIO' };
    return r.ok ? { ok: true } : { ok: false, errno: r.errno };
  }

  get touched(): boolean {
    return this.original.size > 0;
  }

  /** Put every CPU back and check that it is back. */
  restore(): { restored: boolean; detail?: string } {
    const problems: string[] = [];
    for (const [cpu, online] of this.original) {
      if (this.isOnline(cpu) !== online) {
        const r = this.ki.write(this.node(cpu), Buffer.from(online ? '1' : '0'));
        if (!isOk(r)) {
          problems.push(`CPU ${cpu}: ${isUnobservable(r) ? r.unobservable : r.errno}`);
          continue;
        }
      }
      const now = this.isOnline(cpu);
      if (now !== online) problems.push(`CPU ${cpu} is ${now ? 'online' : 'offline'}, was ${online ? 'online' : 'offline'}`);
    }
    this.original.clear();
    return problems.length ? { restored: false, detail: problems.join('; ') } : { restored: true };
  }
}
