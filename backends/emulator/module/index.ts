/** The emulated TDX module, with every leaf group registered. */
import './leaves/platform-init';
import './leaves/metadata-leaves';
import './leaves/phymem';

export { TdxModule, type SeamcallResult, type SysState } from './module';
export { moduleBuild, MODULE_BUILDS, type ModuleBuild } from './versions';
