/** What a facet of the emulator is: its capabilities, the arrangements it handles, the facet. */
import type { GuestFacet } from '../../guest-facet';
import type { HostFacet } from '../../host-facet';
import type { KvmFacet } from '../../kvm-facet';
import type { Arrangement, ArrangeResult, Capability } from '../../port';
import type { EmulatorScenario } from '../system';

export interface FacetPlugin {
  readonly capabilities: readonly Capability[];
  /** Apply an arrangement, or return undefined when it is not this facet's. */
  arrange?(s: EmulatorScenario, a: Arrangement): ArrangeResult | undefined;
  attach(s: EmulatorScenario): { host?: HostFacet; kvm?: KvmFacet; guest?: GuestFacet };
}
