/**
 * The guest kernel's log: catalogue messages in the wording of the guest's kernel flavour
 * (spec/kernel/printk.ts), on the same clock-stepped buffer the host kernel uses.
 */
import { type KernelFlavour } from '../../../../spec/kernel/flavours';
import { variantFor } from '../../../../spec/kernel/dialects';
import { MESSAGES, type MessageId } from '../../../../spec/kernel/printk';
import { formatMessage } from '../../../common/kernel-log';
import type { Faults } from '../../faults';
import { KernelLogBuffer } from '../../lib/printk';

export class GuestLog {
  private readonly buf: KernelLogBuffer;

  constructor(private readonly flavour: KernelFlavour, private readonly faults: Faults) {
    this.buf = new KernelLogBuffer(flavour, (id) => this.variant(id));
  }

  get lines(): readonly string[] {
    return this.buf.lines;
  }

  /** The wording this kernel uses for a message (the dialect fault swaps the SEPT warning's). */
  variant(id: MessageId): string {
    const v = variantFor(this.flavour, id);
    if (id === 'guest-sept-ve-misconfig' && this.faults.has('guest.sept-wording-swapped')) return v === 'attribute' ? 'code' : 'attribute';
    return v;
  }

  /** The message text without prefix, as this kernel words it. */
  text(id: MessageId, ...args: (number | bigint | string)[]): string {
    const variants = MESSAGES[id].variants as Record<string, string>;
    return formatMessage(variants[this.variant(id)] ?? variants.code, args);
  }

  print(id: MessageId, ...args: (number | bigint | string)[]): void {
    if (MESSAGES[id].subsystem === 'tdx-guest') this.buf.printAs(id, this.driverPrefix(), ...args);
    else this.buf.print(id, ...args);
  }

  /** The tdx_guest driver's prefix: none before v6.16, pr_fmt "tdx_guest: " after (@src:guest-ml-tdxg-mr-616). */
  private driverPrefix(): string {
    const prefixed = (this.flavour.eras['guest-driver'] === 'measurements') !== this.faults.has('guest.driver-prefix-era');
    return prefixed ? 'tdx_guest: ' : '';
  }

  raw(text: string): void {
    this.buf.raw(text);
  }
}
