/**
 * configfs-tsm report items (v6.7, @src:capture-configfs-tsm, @src:guest-tdxg-drv-6867): a
 * directory made under /sys/kernel/config/tsm/report is one report request. Its `provider` names
 * the registered provider ("tdx_guest"); every write to `inblob` (at most 64 bytes) bumps its
 * `generation`, which starts at 0; reading `outblob` asks the provider for a report of the inblob
 * (for TDX a quote). Removing the directory ends the request.
 */
import type { ErrnoName } from '../../../../spec/abi/errno';
import { TSM_PROVIDER } from '../../../../spec/abi/tdx-guest';
import { TDX_REPORTDATA_LEN } from '../../../../spec/uapi/tdx-guest';
import type { KernelResult } from '../../../port';
import type { Faults } from '../../faults';
import type { TdxGuestDriver } from './tdx-guest-driver';

/** TSM_INBLOB_MAX: the largest inblob the core accepts. */
const INBLOB_MAX = TDX_REPORTDATA_LEN;

export class TsmReportItem {
  inblob = new Uint8Array();
  generation = 0;

  constructor(private readonly driver: TdxGuestDriver, private readonly faults: Faults) {}

  get provider(): string | null {
    return this.driver.registered ? TSM_PROVIDER : null;
  }

  writeInblob(data: Uint8Array): number | { errno: ErrnoName } {
    if (data.length > INBLOB_MAX) return { errno: 'EFBIG' };
    this.inblob = new Uint8Array(data);
    if (!this.faults.has('guest.tsm-generation-unchanged')) this.generation++;
    return data.length;
  }

  readOutblob(vcpu: number): { result: KernelResult; outblob?: Uint8Array } {
    return this.driver.quote(vcpu, this.inblob);
  }
}

export class TsmReports {
  private readonly items = new Map<string, TsmReportItem>();

  constructor(private readonly driver: TdxGuestDriver, private readonly faults: Faults) {}

  names(): string[] {
    return [...this.items.keys()].sort();
  }

  item(name: string): TsmReportItem | undefined {
    return this.items.get(name);
  }

  mkdir(name: string): KernelResult {
    if (!/^[^/]{1,255}$/.test(name)) return { ok: false, errno: 'EINVAL' };
    if (this.items.has(name)) return { ok: false, errno: 'EEXIST' };
    this.items.set(name, new TsmReportItem(this.driver, this.faults));
    return { ok: true };
  }

  rmdir(name: string): KernelResult {
    if (!this.items.delete(name)) return { ok: false, errno: 'ENOENT' };
    return { ok: true };
  }
}
