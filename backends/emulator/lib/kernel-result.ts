/** The kernel's way of answering: 0, or a negative errno (by name). */
import type { ErrnoName } from '../../../spec/abi/errno';
import type { KernelResult } from '../../port';

export const ok: KernelResult = { ok: true };
export const err = (errno: ErrnoName): KernelResult => ({ ok: false, errno });
