/**
 * The log dialect of each kernel flavour: the prefix of its host messages and the wording variant
 * (spec/kernel/printk.ts) it prints for each message. The emulator prints in this dialect and the
 * linux backend infers a machine's flavour from it. Like printk.ts it is the model's table: the
 * wording a scenario expects is written in the feature files, per era, and steps may not import
 * this module (.dependency-cruiser.cjs).
 */
import { FLAVOURS, type EraDimension, type KernelFlavour } from './flavours';
import type { MessageId } from './printk';

export interface Dialect {
  /** Log prefix of the host code. */
  prefix: 'virt/tdx: ' | 'tdx: ';
  /** The variant printed for each message (default: `code`). */
  variants: Partial<Record<MessageId, string>>;
}

const DIALECTS: Readonly<Record<string, Dialect>> = {
  'mainline-6.8': { prefix: 'virt/tdx: ', variants: { 'guest-sept-ve-misconfig': 'attribute' } },
  'stable-6.12': { prefix: 'virt/tdx: ', variants: {} },
  'mainline-6.13': { prefix: 'virt/tdx: ', variants: {} },
  'mainline-6.14': { prefix: 'virt/tdx: ', variants: {} },
  'mainline-6.15': { prefix: 'virt/tdx: ', variants: {} },
  'mainline-6.16': { prefix: 'virt/tdx: ', variants: {} },
  'mainline-6.18': { prefix: 'virt/tdx: ', variants: {} },
  'mainline-7.1': { prefix: 'virt/tdx: ', variants: { 'init-done': 'boot', 'init-failed': 'boot', 'module-info': 'version' } },
  // 7.2 prints as 7.1 (its "Module version: " line uses TDX_VERSION_FMT, the same %u.%u.%02u, @src:ml-tdx-host-version).
  'mainline-7.2': { prefix: 'virt/tdx: ', variants: { 'init-done': 'boot', 'init-failed': 'boot', 'module-info': 'version' } },
  'ubuntu-6.8-intel': { prefix: 'virt/tdx: ', variants: { 'guest-sept-ve-misconfig': 'attribute', 'module-info': 'attributes', 'offline-refused': 'premerge' } },
  'intel-6.6': {
    prefix: 'virt/tdx: ',
    variants: {
      'guest-sept-ve-misconfig': 'attribute',
      'module-info': 'attributes', 's3-disabled': 'suspend', 'pamt-allocated': 'KBs', 'hibernation-enabled': 'v14',
      'offline-refused': 'premerge',
    },
  },
  'ubuntu-6.14-intel': { prefix: 'virt/tdx: ', variants: { 'module-info': 'build' } },
  'ubuntu-6.5-intel-opt': { prefix: 'tdx: ', variants: { 'guest-sept-ve-misconfig': 'attribute', 'module-info': 'attributes' } },
};

export function dialectOf(f: KernelFlavour): Dialect {
  const d = DIALECTS[f.name];
  if (!d) throw new Error(`no log dialect for kernel flavour "${f.name}"`);
  return d;
}

/**
 * The flavours whose wording and metadata access agree with a log: every message in the wording
 * the flavour uses, with its prefix, and TDH.SYS.RD calls only from kernels that make them.
 */
export function flavoursConsistentWith(events: readonly { id: MessageId; variant: string; prefix: string }[], sysRdSeen: boolean): KernelFlavour[] {
  return FLAVOURS.filter((f) => {
    if (sysRdSeen && f.eras.metadata === 'sys-info') return false;
    return events.every((e) => {
      if (e.prefix === 'virt/tdx: ' || e.prefix === 'tdx: ') {
        if ((e.prefix === 'tdx: ') !== (dialectOf(f).prefix === 'tdx: ') && e.id !== 'guest-detected') return false;
      }
      const w = wordingOf(f, e.id);
      return 'undecided' in w || e.variant === w.variant || e.variant === 'doc';
    });
  });
}

/** Messages whose wording changed with an era: an undecided era leaves their wording undecided too. */
const WORDING_ERA: Partial<Record<MessageId, EraDimension>> = { 'guest-sept-ve-misconfig': 'guest-sept-ve' };

/** The wording variant a flavour prints, or why it cannot say. */
export function wordingOf(f: KernelFlavour, id: MessageId): { variant: string } | { undecided: string } {
  const dim = WORDING_ERA[id];
  const why = dim ? f.undecided?.[dim] : undefined;
  return why ? { undecided: why } : { variant: variantFor(f, id) };
}

export function variantFor(f: KernelFlavour, id: MessageId): string {
  return dialectOf(f).variants[id] ?? 'code';
}
