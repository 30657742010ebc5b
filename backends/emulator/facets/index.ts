/**
 * The facets the emulator offers. Each plugin adds its capabilities, its arrangements and its
 * facet to every emulator target.
 */
import { guestPlugin } from './guest';
import { hostPlugin } from './host';
import { kvmPlugin } from './kvm';
import type { FacetPlugin } from './plugin';

export type { FacetPlugin } from './plugin';
export const FACET_PLUGINS: readonly FacetPlugin[] = [hostPlugin, guestPlugin, kvmPlugin];
