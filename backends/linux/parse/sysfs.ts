/**
 * The TDX host sysfs nodes of each kernel family:
 *  - Intel kernels: /sys/firmware/tdx/tdx_module/{attributes,vendor_id,major_version,
 *    minor_version,build_num,build_date,status}; numbers printed as 0x%08x except build_date,
 *    which is decimal yyyymmdd (@src:capture-intel-tdx-tools-455);
 *  - 2026 mainline: the tdx_host faux device, /sys/devices/faux/tdx_host/version, "%u.%u.%02u"
 *    (@src:tdx-host-c).
 * Also the one-line dump intel/tdx-tools' host checker prints from the former.
 */
import type { SysfsModuleInfo } from '../evidence';

export const TDX_MODULE_SYSFS_DIR = '/sys/firmware/tdx/tdx_module';
export const TDX_MODULE_SYSFS_NODES = ['attributes', 'vendor_id', 'major_version', 'minor_version', 'build_num', 'build_date', 'status'] as const;
export type TdxModuleNode = (typeof TDX_MODULE_SYSFS_NODES)[number];

export const TDX_HOST_DIR = '/sys/devices/faux/tdx_host';
export const TDX_HOST_VERSION_NODE = `${TDX_HOST_DIR}/version`;
/** The attribute files the kernel documents for the device (@src:tdx-host-abi). */
export const TDX_HOST_ATTRIBUTE_NAMES = ['version', 'seamldr_version', 'num_remaining_updates'] as const;

/** 0x-prefixed values are hex, bare digits decimal: each node says which by how it prints. */
export function sysfsNumber(v: string): number | null {
  const t = v.trim();
  if (/^0x[0-9a-fA-F]+$/.test(t)) return parseInt(t, 16);
  if (/^\d+$/.test(t)) return Number(t);
  return null;
}

export function moduleInfoFromNodes(values: Partial<Record<TdxModuleNode, string>>): SysfsModuleInfo | null {
  if (Object.keys(values).length === 0) return null;
  const n = (k: TdxModuleNode): number | null => (values[k] === undefined ? null : sysfsNumber(values[k]!));
  return {
    attributes: n('attributes'), vendorId: n('vendor_id'), major: n('major_version'), minor: n('minor_version'),
    buildNum: n('build_num'), buildDate: n('build_date'), status: values.status?.trim() ?? null,
  };
}

/** "... attributes: 0x00000000 build_date: 20220420 build_num: 0x00000156 ... status: initialized ..." */
export function parseModuleInfoDump(text: string): SysfsModuleInfo | null {
  for (const line of text.split('\n')) {
    if (!/\bmajor_version:\s/.test(line) || !/\bminor_version:\s/.test(line)) continue;
    const values: Partial<Record<TdxModuleNode, string>> = {};
    for (const node of TDX_MODULE_SYSFS_NODES) {
      const m = new RegExp(`\\b${node}:\\s*(\\S+)`).exec(line);
      if (m) values[node] = m[1];
    }
    return moduleInfoFromNodes(values);
  }
  return null;
}

/** "1.5.24" from the tdx_host version node. */
export function parseTdxHostVersion(text: string): { major: number; minor: number; update: number } | null {
  const m = /^\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), update: Number(m[3]) } : null;
}
