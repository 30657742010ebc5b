/**
 * The emulated kernel's log buffer. Messages of the catalogue are printed in the dialect of the
 * kernel flavour (prefix and wording variant); the clock advances by a fixed step per line so
 * logs are identical run to run.
 */
import { type KernelFlavour } from '../../../spec/kernel/flavours';
import { dialectOf, variantFor } from '../../../spec/kernel/dialects';
import { MESSAGES, type MessageId } from '../../../spec/kernel/printk';
import { formatMessage } from '../../common/kernel-log';

const SUBSYSTEM_PREFIX = { kvm: 'kvm_intel: ', 'kvm-premerge': 'tdx: ', kexec: 'kexec: ', guest: 'tdx: ', 'tdx-guest': '', plain: '', any: '' } as const;

export class KernelLogBuffer {
  readonly lines: string[] = [];
  private micros = 0;

  constructor(private readonly flavour: KernelFlavour, private readonly override: (id: MessageId) => string | undefined = () => undefined) {}

  /** Advance the clock (a boot stage that takes time). */
  tick(seconds: number): void {
    this.micros += Math.round(seconds * 1e6);
  }

  raw(text: string): void {
    // The first line is at 0.000000, as a real boot's "Linux version" line.
    if (this.lines.length > 0) this.micros += 37;
    const s = Math.floor(this.micros / 1e6);
    const us = this.micros % 1e6;
    this.lines.push(`[${String(s).padStart(5, ' ')}.${String(us).padStart(6, '0')}] ${text}`);
  }

  print(id: MessageId, ...args: (number | bigint | string)[]): void {
    this.printAs(id, undefined, ...args);
  }

  /** Print with an explicit prefix (messages whose printer moved between subsystems). */
  printAs(id: MessageId, prefixOverride: string | undefined, ...args: (number | bigint | string)[]): void {
    const spec = MESSAGES[id];
    const variant = this.override(id) ?? variantFor(this.flavour, id);
    const format = (spec.variants as Record<string, string>)[variant] ?? spec.variants.code;
    const prefix = prefixOverride ?? (spec.subsystem === 'tdx-host' ? dialectOf(this.flavour).prefix : SUBSYSTEM_PREFIX[spec.subsystem]);
    this.raw(prefix + formatMessage(format, args));
  }
}
