/**
 * The TDX host services driver of Linux 7.2 (drivers/virt/coco/tdx-host/tdx-host.c,
 * @src:tdx-host-c; its files in @src:tdx-host-abi): a faux device, tdx_host, under
 * /sys/devices/faux/. Its init returns -ENODEV unless the CPU has X86_FEATURE_TDX_HOST_PLATFORM and
 * tdx_get_sysinfo() answers, which it does only once the module is initialised; so on a 7.2
 * kernel, which initialises the module at boot, the device exists exactly when that worked.
 *
 * Files: `version` (DEVICE_ATTR_RO, 0444), the module version as TDX_VERSION_FMT "%u.%u.%02u"
 * and a newline (@src:ml-tdx-host-version); `seamldr_version` and `num_remaining_updates`
 * (DEVICE_ATTR_ADMIN_RO, 0400), visible only when the module supports runtime update
 * (TDX_FEATURES0.TD_PRESERVING) and the CPU lacks X86_BUG_SEAMRET_INVD_VMCS (@src:ml-seamldr-update).
 * Their contents come from a P-SEAMLDR call, which the emulator does not model; the firmware-upload
 * interface the driver also registers (writing a module image updates the module) is out of scope.
 */
import { TDX_FEATURES0 } from '../../../spec/abi/global-metadata';
import type { SysfsAttribute, TdxHostDevice } from '../../host-facet';
import type { EmulatedKernel } from './kernel';

export const TDX_HOST_DIR = '/sys/devices/faux/tdx_host';

/** The driver's attributes and their modes (DEVICE_ATTR_RO: 0444; DEVICE_ATTR_ADMIN_RO: 0400). */
export const TDX_HOST_ATTRIBUTES = [
  { name: 'version', mode: 0o444, updateOnly: false },
  { name: 'seamldr_version', mode: 0o400, updateOnly: true },
  { name: 'num_remaining_updates', mode: 0o400, updateOnly: true },
] as const;

export type TdxHostAttributeName = (typeof TDX_HOST_ATTRIBUTES)[number]['name'];

/** tdx_host_init(): whether the device was created when the driver loaded (after boot-time initialisation). */
export function tdxHostDeviceCreated(k: EmulatedKernel): boolean {
  if (k.eras['tdx-host-sysfs'] !== 'faux' || !k.hostPlatform) return false;
  if (k.init.status === 'initialized') return true;
  // The fault: the device is made as soon as the version was read, whatever initialisation did then.
  return k.faults.has('host.tdx-host-before-init') && k.init.sysinfo?.version != null;
}

/** supports_runtime_update(): TDX_FEATURES0.TD_PRESERVING, unless the CPU's SEAMRET clobbers the current VMCS. */
function supportsRuntimeUpdate(k: EmulatedKernel): boolean {
  // Asked only while the device exists, hence after get_tdx_sys_info() (tdxHostDeviceCreated()).
  const f0 = k.init.sysinfo!.features0 ?? 0n;
  if ((f0 & (1n << BigInt(TDX_FEATURES0.TD_PRESERVING))) === 0n) return false;
  return !k.seamretInvdVmcs || k.faults.has('host.tdx-host-seamret-bug-ignored');
}

/** Whether a file of the device exists now. */
export function tdxHostAttributeVisible(k: EmulatedKernel, name: TdxHostAttributeName): boolean {
  const a = TDX_HOST_ATTRIBUTES.find((x) => x.name === name)!;
  return k.tdxHostDevice && (!a.updateOnly || supportsRuntimeUpdate(k));
}

/** TDX_VERSION_FMT: major and minor as they are, the update zero-padded to two digits. */
function versionText(k: EmulatedKernel, v: { major: number; minor: number; update: number }): string {
  const update = k.faults.has('host.tdx-host-update-unpadded') ? String(v.update) : String(v.update).padStart(2, '0');
  return `${v.major}.${v.minor}.${update}\n`;
}

/**
 * version_show(): the version tdx_get_sysinfo() holds. The driver's -ENXIO for a NULL sysinfo
 * cannot happen in the model: the device exists only once the module is initialised, when
 * tdx_get_sysinfo() answers (tdx_host_init()), and the model has no runtime update that could take
 * that back; so the file is read only while the version is there (the fault that makes the
 * device early does so only once the version was read).
 */
export function readTdxHostVersion(k: EmulatedKernel): { text: string } {
  return { text: versionText(k, k.init.sysinfo!.version!) };
}

/** The device as user space finds it: its files, and what the world-readable one reads. */
export function tdxHostDevice(k: EmulatedKernel): TdxHostDevice {
  if (!k.tdxHostDevice) return { present: false, attributes: [] };
  const attributes: SysfsAttribute[] = [];
  for (const a of TDX_HOST_ATTRIBUTES) {
    if (!tdxHostAttributeVisible(k, a.name)) continue;
    if (a.name !== 'version') {
      attributes.push({ name: a.name, mode: a.mode });
      continue;
    }
    attributes.push({ name: a.name, mode: a.mode, text: readTdxHostVersion(k).text });
  }
  return { present: true, attributes };
}
