/**
 * The fault catalogue: named, documented deviations of the emulator from the specification.
 *
 * Each fault switches one rule of the model off or bends it, and names the requirements whose
 * scenarios must then fail. A run selects faults through the emulator profile option `faults` or
 * the TDX_FAULTS environment variable (comma-separated), so any failure can be reproduced.
 * `tdx-conformance mutate` runs the suite once per fault and reports which scenarios caught it.
 */

export type FaultKind = 'constant' | 'missing-check' | 'order' | 'route' | 'boundary' | 'era' | 'dialect' | 'value';

export interface FaultSpec {
  kind: FaultKind;
  description: string;
  /** Requirement ids (@req) whose scenarios should fail with this fault on. */
  requirements: readonly string[];
}

const F = (kind: FaultKind, description: string, ...requirements: string[]): FaultSpec => ({ kind, description, requirements });

export const FAULTS = {
  // --- TDX module: constants -------------------------------------------------------------
  'module.sys-rd-leaf-number': F('constant', 'the module serves TDH.SYS.RD on leaf 35 instead of 34 (and LP.INIT on 34)',
    'host.metadata.field-reads', 'host.module.leaf-numbers'),
  'module.not-ready-status': F('constant', 'leaves refused before initialisation return TDX_SYS_BUSY instead of TDX_SYS_NOT_READY',
    'host.module.not-ready-gating'),
  'module.element-size-code': F('constant', 'TDH.SYS.RD returns 32-bit fields as if their element size were 64 bits',
    'host.metadata.element-sizes'),
  // --- TDX module: missing checks and wrong order ------------------------------------------
  'module.config-ignores-lp-init': F('missing-check', 'TDH.SYS.CONFIG accepted before every logical CPU did TDH.SYS.LP.INIT',
    'host.module.config-needs-all-lps', 'host.init.all-cpus-online'),
  'module.sys-init-twice': F('missing-check', 'TDH.SYS.INIT accepted a second time', 'host.module.sys-init-once'),
  'module.lp-init-twice': F('missing-check', 'TDH.SYS.LP.INIT accepted twice on one logical CPU', 'host.module.lp-init-once'),
  'module.key-config-twice': F('missing-check', 'TDH.SYS.KEY.CONFIG on an already configured package configures it again',
    'host.module.key-config-per-package'),
  'module.ready-after-first-package': F('order', 'the module becomes ready after the first package is key-configured',
    'host.module.key-config-per-package'),
  'module.tdmr-init-at-once': F('boundary', 'TDH.SYS.TDMR.INIT initialises a whole TDMR in one call',
    'host.module.tdmr-init-resumable'),
  'module.tdmr-alignment-unchecked': F('missing-check', 'TDH.SYS.CONFIG accepts TDMRs not aligned to 1 GiB',
    'host.module.tdmr-validation'),
  'module.pamt-size-unchecked': F('missing-check', 'TDH.SYS.CONFIG accepts PAMTs smaller than the TDMR needs',
    'host.module.pamt-validation'),
  'module.pamt-overlap-unchecked': F('missing-check', 'TDH.SYS.CONFIG accepts PAMTs that overlap usable TDMR memory',
    'host.module.pamt-validation'),
  'module.metadata-reserved-bits': F('missing-check', 'TDH.SYS.RD ignores reserved bits of the field id',
    'host.metadata.field-id-validation'),
  'module.sys-rd-on-1.0': F('value', 'a TDX 1.0 module serves TDH.SYS.RD', 'host.init.module-1.0-without-sys-rd'),
  'module.rdall-skips-arrays': F('missing-check', 'TDH.SYS.RDALL lists only the first element of array fields',
    'host.metadata.rdall'),
  // --- Linux host: detection, S3, hibernation ---------------------------------------------
  'host.keyid-start-off-by-one': F('boundary', 'TDX KeyIDs start right at the number of MKTME KeyIDs (not one after)',
    'host.detect.keyid-range'),
  'host.single-keyid-accepted': F('missing-check', 'TDX enabled with only one TDX KeyID', 'host.detect.too-few-keyids'),
  'host.zero-keyids-logged': F('missing-check', 'a platform with no TDX KeyIDs still logs a KeyID range', 'host.detect.no-keyids'),
  'host.hibernation-ignored': F('missing-check', 'TDX enabled although hibernation is available', 'host.detect.hibernation'),
  'host.s3-kept': F('missing-check', 'ACPI S3 stays available on a TDX host', 'host.suspend.s3-disabled'),
  'host.erratum-on-all-models': F('value', 'the partial-write erratum bug is set on every CPU model', 'host.erratum.flag'),
  'host.mce-message-missing': F('missing-check', 'a machine check on TDX private memory gets no extra explanation', 'host.erratum.mce-message'),
  // --- Linux host: initialisation ---------------------------------------------------------
  'host.not-loaded-silent': F('missing-check', 'a missing module is not reported in the log', 'host.init.module-not-loaded'),
  'host.not-loaded-errno': F('constant', 'VMfailInvalid maps to EIO instead of ENODEV', 'host.init.module-not-loaded'),
  'host.init-retried-after-error': F('missing-check', 'after a failed initialisation a second request runs it again',
    'host.init.error-is-final'),
  'host.skip-lp-init-on-online': F('order', 'a CPU coming online is not given TDH.SYS.LP.INIT before other SEAMCALLs',
    'host.cpu.online-runs-lp-init'),
  'host.no-rbp-mod-ignored': F('missing-check', 'a module without NO_RBP_MOD is accepted', 'host.metadata.no-rbp-mod'),
  'host.metadata-any-size-early': F('era', 'the 16-bit-only metadata reader accepts fields of any size',
    'host.metadata.16bit-reader'),
  'host.metadata-16bit-late': F('era', 'the any-size metadata reader refuses fields that are not 16 bits',
    'host.metadata.any-size-reader'),
  'host.seamcall-error-format': F('dialect', 'a failing SEAMCALL is logged without its register dump',
    'host.init.seamcall-failure-log'),
  'host.version-print-late': F('order', 'the module version is printed only after a successful initialisation',
    'host.init.version-printed-first'),
  'host.boot-init-preconditions': F('missing-check', 'boot-time initialisation runs without XSAVE or MOVDIR64B',
    'host.init.boot-preconditions'),
  // --- Linux host: TDMR and PAMT -------------------------------------------------------------
  'host.tdmr-2m-alignment': F('boundary', 'TDMRs are aligned to 2 MiB instead of 1 GiB', 'host.tdmr.cover-memory'),
  'host.pamt-no-4k-rounding': F('boundary', 'PAMT parts are not rounded up to 4 KiB', 'host.pamt.size'),
  'host.pamt-entry-size-8': F('constant', 'the kernel sizes PAMTs with 8-byte entries', 'host.pamt.size'),
  'host.tdmr-per-node-merge': F('boundary', 'regions of different NUMA nodes share a TDMR', 'host.tdmr.one-per-region'),
  'host.tdmrs-unbounded': F('missing-check', 'more TDMRs than the module supports are built', 'host.tdmr.exhausted'),
  'host.reserved-unbounded': F('missing-check', 'more reserved areas than a TDMR holds are built', 'host.tdmr.reserved-exhausted'),
  'host.holes-not-reserved': F('missing-check', 'holes between memory regions are not made reserved areas',
    'host.tdmr.reserved-areas'),
  'host.low-1m-included': F('boundary', 'the first 1 MiB is TDX memory', 'host.memory.low-1m-excluded'),
  'host.pamt-kb-unit': F('dialect', 'the PAMT line uses the wording of another kernel (KB vs KBs)', 'host.log.dialect'),
  // --- Linux host: hotplug, kexec -------------------------------------------------------------
  'host.memory-hotplug-accepted': F('missing-check', 'memory outside the TDX memory list may come online', 'host.memory.hotplug'),
  'host.offline-last-cpu-allowed': F('missing-check', 'the last CPU of a package may go offline while TDs hold KeyIDs',
    'host.cpu.offline-last-in-package'),
  'host.kexec-era-mixup': F('era', 'kexec behaves as in the next kernel era', 'host.kexec.erratum-refused', 'host.kexec.sys-disable'),
  'host.kexec-no-cache-flush': F('missing-check', 'CPUs with incoherent caches are not flushed before kexec', 'host.kexec.cache-flush'),
  'host.init-message-dialect': F('dialect', 'the kernel prints the initialisation message of the other era', 'host.init.success'),
} as const satisfies Record<string, FaultSpec>;

export type FaultName = keyof typeof FAULTS;

export const isFaultName = (s: string): s is FaultName => Object.prototype.hasOwnProperty.call(FAULTS, s);

export class Faults {
  private readonly on: ReadonlySet<FaultName>;

  constructor(names: readonly string[] = []) {
    const bad = names.filter((n) => !isFaultName(n));
    if (bad.length) {
      throw new Error(`unknown fault(s): ${bad.join(', ')}; run \`tdx-conformance faults\` for the catalogue`);
    }
    this.on = new Set(names as FaultName[]);
  }

  has(name: FaultName): boolean {
    return this.on.has(name);
  }

  list(): FaultName[] {
    return [...this.on];
  }

  static none = new Faults();
}

/** Faults named in TDX_FAULTS. */
export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.TDX_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
