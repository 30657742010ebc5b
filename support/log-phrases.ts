/**
 * The sentences steps use for kernel log messages, mapped to the message catalogue
 * (spec/kernel/printk.ts). The wording of each kernel is the backend's business; a step only says
 * which message it expects.
 */
import type { MessageId } from '../spec/kernel/printk';

export const LOG_PHRASES: Readonly<Record<string, MessageId>> = {
  'the module is not loaded': 'module-not-loaded',
  'the module is initialised': 'init-done',
  'too few private KeyIDs are available': 'too-few-keyids',
  'hibernation support is enabled': 'hibernation-enabled',
  'ACPI S3 is disabled': 's3-disabled',
  'the TDMRs are exhausted': 'tdmrs-exhausted',
  'the module may clobber RBP': 'no-rbp-mod',
  'TDX needs an online CPU in every package': 'offline-refused',
  'kexec is not allowed with the partial-write erratum': 'kexec-refused',
  'XSAVE is required': 'xsave-required',
  'MOVDIR64B is required': 'movdir64b-required',
  'self-snoop is required': 'selfsnoop-required',
  'TDX is not supported by the host platform': 'platform-unsupported',
  'how many KB the PAMT takes': 'pamt-allocated',
};

export const LOG_PHRASE_PATTERN = Object.keys(LOG_PHRASES)
  .sort((a, b) => b.length - a.length)
  .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');
