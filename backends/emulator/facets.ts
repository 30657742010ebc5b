/**
 * The facets the emulator offers. Each plugin adds its capabilities, its arrangements and its
 * facet to every emulator target.
 */
import { guestPlugin } from './guest/plugin';
import { hostPlugin } from './host/facet';
import { kvmPlugin } from './kvm/plugin';
import type { FacetPlugin } from './target';

export const FACET_PLUGINS: readonly FacetPlugin[] = [hostPlugin, guestPlugin, kvmPlugin];
