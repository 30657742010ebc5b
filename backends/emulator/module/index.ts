/** The emulated TDX module, with every leaf group registered. */
import './leaves/platform-init';
import './leaves/metadata-leaves';
import './leaves/phymem';
import './leaves/td-mng';
import './leaves/td-vp';
import './leaves/td-mem';
import './leaves/td-phymem';

export { NO_OUTPUT, TdxModule, type RepeatWhile, type SeamcallResult, type SysState } from './module';
export { moduleBuild, MODULE_BUILDS, type ModuleBuild } from './versions';
