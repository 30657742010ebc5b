/**
 * Kernel flavours and the eras they belong to.
 *
 * TDX host behaviour changed across kernels (facts §1.2, §1.8, §7): who initialises the module and
 * when, how global metadata is read, what kexec does, and the wording of the log. An era is one
 * such behaviour, named; a flavour is a kernel family with one value per era dimension and a log
 * dialect. Scenarios name the eras they apply to (`@era:<dimension>=<value>`); the suite derives a
 * target's eras from its flavour here, never from the target's own claims about its behaviour.
 */
export const ERA_DIMENSIONS = {
  /** Who calls tdx_enable(): KVM on demand (v6.8 .. v7.0) or an initcall at boot (2026). */
  init: ['on-demand', 'boot'],
  /** How global metadata is read: only through TDH.SYS.INFO's TDSYSINFO_STRUCT (pre-merge series up
   * to v14), a 16-bit-only TDH.SYS.RD reader (v6.8 .. v6.13) or any element size (v6.14+). */
  metadata: ['sys-info', '16bit-only', 'any-size'],
  /** Whether the kernel refuses modules without TDX_FEATURES0.NO_RBP_MOD (v6.14+). */
  'feature-check': ['none', 'no-rbp-mod'],
  /** When the partial-write erratum bug (tdx_pw_mce) is set on Sapphire and Emerald Rapids: at the
   * end of TDX detection in tdx_init(), so only on TDX hosts, as merged for v6.8 and kept to 7.1
   * (@src:hb-tdx-c-6161); or at CPU identification in early_init_intel(), on every such CPU, as in
   * the v13/v14 postings of the host series the intel-6.6 tree carries (@src:ml-tdx-erratum-in-tdx-c;
   * that tree's own source was not read). */
  'erratum-flag': ['tdx-detection', 'cpu-identification'],
  /** Which module-information line the kernel prints, if any. */
  'module-info': ['none', 'attributes', 'build', 'version'],
  /** kexec: Kconfig-exclusive (v6.8 .. v6.17), refused on erratum platforms (v6.18 .. v7.0),
   * module disabled with TDH.SYS.DISABLE before the jump (2026). */
  kexec: ['exclusive', 'erratum-refused', 'sys-disable'],
  /** KVM's TDX support: none in tree (v6.8 .. v6.15), the pre-merge series distributions carried,
   * or mainline (v6.16+). */
  'kvm-tdx': ['none', 'premerge', 'mainline'],
  /** What KVM answers a TDVMCALL it does not implement: INVALID_OPERAND in the series distributions
   * carried before the merge, SUBFUNC_UNSUPPORTED from the merged v6.16 (@src:ml-kvm-ghci-fixups). */
  'kvm-unsupported-tdvmcall': ['none', 'invalid-operand', 'subfunc-unsupported'],
  /** What tdx_bringup() returns for a module without the attributes, XFAM or TOPOLOGY_ENUM KVM needs:
   * 0 with TDX torn down but enable_tdx left at 1 (v6.16, v6.17 before its stable fix), or -EINVAL,
   * failing the load (510c47f165f0, v6.18 and 6.17-stable) (@src:kvm-tdx-c-616, @src:kvm-fix-510c47). */
  'kvm-bringup-errcode': ['zero', 'einval'],
  /** TD guest: how the kernel keeps SEPT violations from reaching it as #VE: the SEPT_VE_DISABLE
   * attribute only (to v6.12), or TD_CTLS.PENDING_VE_DISABLE where the VMM allows it
   * (disable_sept_ve(), v6.13, and stable backports of it) (@src:ml-disable-sept-ve, @src:guest-ml-sept-ve-stable). */
  'guest-sept-ve': ['attribute', 'td-ctls'],
  /** TD guest: what the kernel asks of TD_CTLS besides SEPT #VEs: nothing (to v6.12, and the stable
   * backports), topology enumeration alone (v6.13, @src:guest-ml-topology-enum), or REDUCE_VE with
   * topology enumeration as the fallback (reduce_unnecessary_ve(), v6.14, @src:ml-reduce-ve). */
  'guest-reduce-ve': ['none', 'topology-only', 'reduce-ve'],
  /** TD guest: HLT with interrupts enabled: told to the VMM in R12 (to v6.14), or refused with a
   * warning and -EIO before any TDVMCALL (v6.15, @src:guest-ml-hlt-irq-warn). */
  'guest-hlt': ['irq-flag', 'refuse-irqs-on'],
  /** TD guest: the tdx_guest driver before the v6.16 rework (TDREPORT ioctl and configfs-tsm only,
   * messages without prefix) or after it (measurement registers in sysfs, "tdx_guest: " prefix,
   * TDG.MR.REPORT at load) (@src:guest-tdxg-drv-6867, @src:guest-ml-tdxg-mr-616). */
  'guest-driver': ['report', 'measurements'],
  /** TD guest: errno of a TDG.MR.REPORT invalid operand: -EINVAL, or -ENXIO (with -EBUSY) from v6.16 (@src:ml-report-errno). */
  'guest-report-errno': ['einval', 'enxio'],
  /** TD guest: what the kernel says at detection: "Guest detected" only, or also the attributes and
   * TD_CTLS by name (v6.14), with bit 29 spelled MIGRTABLE until the 2026 fix (@src:ml-tdx-announce, @src:ml-migratable-typo). */
  'guest-announce': ['detected-only', 'attributes-migrtable', 'attributes-migratable'],
  /** The prefix of the host code's messages: "tdx: " in the series before the merge, "virt/tdx: " from
   * v6.8 (@src:capture-canonical-tdx-33, @src:tdx-c-68). */
  'host-prefix': ['tdx', 'virt/tdx'],
  /** The wording of the host code's boot messages: as merged in v6.8 and kept since, or that of the v14
   * posting Intel's 6.6 tree carries ("KBs allocated for PAMT", "Disable ACPI S3 suspend", the
   * 'nohibernate' hint) (@src:ml-host-v14, @src:capture-intel-tdx-linux-5). */
  'host-wording': ['merged', 'v14-series'],
  /** The refusal to offline a package's last CPU: its two sentences one space apart as merged, or two
   * spaces apart as the pre-merge KVM series that Ubuntu's 6.8-intel and Intel's 6.6 kernels carry
   * prints it (@src:kvm-c, @src:ml-kvm-tdx-premerge). */
  'offline-message': ['one-space', 'two-spaces'],
  /** Whether a failed initialisation clears the PAMTs with MOVDIR64B on every platform (the code
   * merged in v6.8, read in v6.16.1, @src:hb-tdx-c-6161) or only on platforms with the partial-write
   * erratum (tdx_quirk_reset_paddr(), 2026 mainline, @src:tdx-c-new). */
  'pamt-reset': ['always', 'erratum-only'],
  /** The tdx_host faux device in sysfs (/sys/devices/faux/tdx_host: the module's version, and the
   * runtime-update files): none before 7.2, created by the TDX host services driver from 7.2 once
   * the module is initialised (@src:tdx-host-c, @src:tdx-host-abi). */
  'tdx-host-sysfs': ['none', 'faux'],
} as const;

export type EraDimension = keyof typeof ERA_DIMENSIONS;
export type Eras = { [D in EraDimension]: (typeof ERA_DIMENSIONS)[D][number] };

export const isEraDimension = (s: string): s is EraDimension =>
  Object.prototype.hasOwnProperty.call(ERA_DIMENSIONS, s);

export interface KernelFlavour {
  name: string;
  description: string;
  /** Upstream version the flavour is based on (for @kernel: ranges). */
  base: string;
  /** `uname -r` patterns that identify the flavour on a real machine. */
  releases: readonly RegExp[];
  eras: Eras;
  /**
   * Era dimensions the flavour cannot decide, with the reason (a stable or distribution kernel that
   * may carry a backport nobody has checked). Scenarios of these eras skip on it; the emulator,
   * which must play one behaviour, plays the one in `eras`.
   */
  undecided?: Partial<Record<EraDimension, string>>;
  /** Log prefix of the host code and the variant printed for each message (default: `code`). */
  src: readonly string[];
}

const mainlineEras: Eras = {
  init: 'on-demand', metadata: '16bit-only', 'feature-check': 'none', 'erratum-flag': 'tdx-detection', 'module-info': 'none', kexec: 'exclusive',
  'kvm-tdx': 'none', 'kvm-unsupported-tdvmcall': 'none', 'kvm-bringup-errcode': 'zero',
  'guest-sept-ve': 'attribute', 'guest-reduce-ve': 'none', 'guest-hlt': 'irq-flag', 'guest-driver': 'report',
  'guest-report-errno': 'einval', 'guest-announce': 'detected-only',
  'host-prefix': 'virt/tdx', 'host-wording': 'merged', 'offline-message': 'one-space', 'pamt-reset': 'always', 'tdx-host-sysfs': 'none',
};

/** The guest eras of v6.16 and later (HLT refused with IRQs on, the reworked tdx_guest driver). */
const guest616 = {
  'guest-sept-ve': 'td-ctls', 'guest-reduce-ve': 'reduce-ve', 'guest-hlt': 'refuse-irqs-on', 'guest-driver': 'measurements',
  'guest-report-errno': 'enxio',
} as const;

/** When failed initialisation stopped clearing PAMTs on platforms without the erratum is not identified. */
const PAMT_RESET_UNREAD = 'v6.16.1 clears the PAMTs with MOVDIR64B on every platform (@src:hb-tdx-c-6161), the 2026 code only on erratum platforms (@src:tdx-c-new); which release between them changed is not identified';

/** Stable kernels took the v6.13 SEPT #VE change in December 2024; the first releases are not identified. */
const STABLE_SEPT_VE = 'stable kernels from December 2024 carry the v6.13 SEPT #VE change (@src:guest-ml-sept-ve-stable); which release first did is not identified';

/** Mainline 7.1: boot-time initialisation, the version line, TDH.SYS.DISABLE before kexec. */
const mainline71Eras: Eras = {
  init: 'boot', metadata: 'any-size', 'feature-check': 'no-rbp-mod', 'erratum-flag': 'tdx-detection', 'module-info': 'version', kexec: 'sys-disable',
  'kvm-tdx': 'mainline', 'kvm-unsupported-tdvmcall': 'subfunc-unsupported', 'kvm-bringup-errcode': 'einval', ...guest616,
  'guest-announce': 'attributes-migratable', 'host-prefix': 'virt/tdx', 'host-wording': 'merged', 'offline-message': 'one-space',
  'pamt-reset': 'erratum-only', 'tdx-host-sysfs': 'none',
};

export const FLAVOURS: readonly KernelFlavour[] = [
  {
    name: 'mainline-6.8',
    description: 'Mainline v6.8 .. v6.12: first host support; 16-bit metadata reader; kexec excluded by Kconfig; a guest needs SEPT_VE_DISABLE',
    base: '6.8',
    // 6.12.y stable releases are stable-6.12: they may carry the v6.13 guest change.
    releases: [/^6\.(8|9|10|11)(\.\d+)?(-rc\d+)?$/, /^6\.12(\.0)?(-rc\d+)?$/],
    eras: mainlineEras,
    src: ['tdx-c-68', 'tdx-rst-host-kvmgit'],
  },
  {
    name: 'stable-6.12',
    description: 'Stable v6.12.y: as mainline v6.12 on the host; the guest may carry the SEPT #VE backport',
    base: '6.12',
    releases: [/^6\.12\.[1-9]\d*$/],
    eras: mainlineEras,
    undecided: { 'guest-sept-ve': STABLE_SEPT_VE },
    src: ['guest-ml-sept-ve-stable'],
  },
  {
    name: 'mainline-6.13',
    description: 'Mainline v6.13: as v6.8 on the host; the guest disables SEPT #VEs through TD_CTLS where allowed and enables topology enumeration',
    base: '6.13',
    releases: [/^6\.13(\.\d+)?(-rc\d+)?$/],
    eras: { ...mainlineEras, 'guest-sept-ve': 'td-ctls', 'guest-reduce-ve': 'topology-only' },
    src: ['ml-disable-sept-ve', 'guest-ml-topology-enum'],
  },
  {
    name: 'mainline-6.14',
    description: 'Mainline v6.14: metadata of any element size, NO_RBP_MOD check; no KVM TDX yet; the guest asks for REDUCE_VE',
    base: '6.14',
    releases: [/^6\.14(\.\d+)?(-rc\d+)?$/],
    eras: {
      ...mainlineEras, metadata: 'any-size', 'feature-check': 'no-rbp-mod', 'guest-sept-ve': 'td-ctls', 'guest-reduce-ve': 'reduce-ve',
      'guest-announce': 'attributes-migrtable' },
    src: ['ml-metadata-rework', 'tdx-c-mid'],
  },
  {
    name: 'mainline-6.15',
    description: 'Mainline v6.15: as v6.14; the guest refuses HLT with interrupts enabled',
    base: '6.15',
    releases: [/^6\.15(\.\d+)?(-rc\d+)?$/],
    eras: {
      ...mainlineEras, metadata: 'any-size', 'feature-check': 'no-rbp-mod', 'guest-sept-ve': 'td-ctls', 'guest-reduce-ve': 'reduce-ve',
      'guest-hlt': 'refuse-irqs-on', 'guest-announce': 'attributes-migrtable' },
    src: ['ml-metadata-rework', 'guest-ml-hlt-irq-warn'],
  },
  {
    name: 'mainline-6.16',
    description: 'Mainline v6.16 .. v6.17: KVM TDX support merged; kexec still excluded by Kconfig',
    base: '6.16',
    releases: [/^6\.(16|17)(\.\d+)?(-rc\d+)?$/],
    eras: {
      ...mainlineEras, metadata: 'any-size', 'feature-check': 'no-rbp-mod', 'kvm-tdx': 'mainline',
      'kvm-unsupported-tdvmcall': 'subfunc-unsupported', ...guest616, 'guest-announce': 'attributes-migrtable' },
    undecided: { 'pamt-reset': PAMT_RESET_UNREAD },
    src: ['tdx-c-mid', 'kvm-c'],
  },
  {
    name: 'mainline-6.18',
    description: 'Mainline v6.18 .. v7.0: kexec allowed except on platforms with the partial-write erratum',
    base: '6.18',
    releases: [/^6\.(18|19)(\.\d+)?(-rc\d+)?$/, /^7\.0(\.\d+)?(-rc\d+)?$/],
    eras: {
      ...mainlineEras, metadata: 'any-size', 'feature-check': 'no-rbp-mod', kexec: 'erratum-refused', 'kvm-tdx': 'mainline',
      'kvm-unsupported-tdvmcall': 'subfunc-unsupported', 'kvm-bringup-errcode': 'einval', ...guest616, 'guest-announce': 'attributes-migrtable',
      'pamt-reset': 'erratum-only' },
    undecided: { 'pamt-reset': PAMT_RESET_UNREAD },
    src: ['tdx-c-618', 'tdx-rst-host'],
  },
  {
    name: 'mainline-7.1',
    description: 'Mainline 7.1: module initialised at boot, version printed, TDH.SYS.DISABLE before kexec',
    base: '7.1',
    releases: [/^7\.1(\.\d+)?(-rc\d+)?$/],
    eras: mainline71Eras,
    src: ['tdx-c-new', 'ml-vmxon', 'ml-ver', 'ml-kexec'],
  },
  {
    // The tdx_host device and module runtime updates are what 7.2 adds for TDX (@src:tdx-host-c,
    // @src:tdx-host-abi, @src:ml-tdx-host-version). Nothing else that a Rule of the suite states
    // was checked against a 7.2 tree: every other era is kept as in 7.1. Later 7.x releases are
    // claimed too, as 7.1 claimed them before (Dynamic PAMT, queued after 7.2, changes no era here).
    name: 'mainline-7.2',
    description: 'Mainline 7.2 and later 7.x: as 7.1, plus the tdx_host faux device in sysfs (module version, runtime-update files)',
    base: '7.2',
    releases: [/^7\.([2-9]|\d\d)(\.\d+)?(-rc\d+)?$/],
    eras: { ...mainline71Eras, 'tdx-host-sysfs': 'faux' },
    src: ['tdx-host-c', 'tdx-host-abi', 'ml-tdx-host-version'],
  },
  {
    name: 'ubuntu-6.8-intel',
    description: 'Ubuntu 24.04 linux-intel 6.8: KVM TDX backported; prints module attributes and CMRs',
    base: '6.8',
    releases: [/^6\.8\.0-\d+-intel$/],
    eras: { ...mainlineEras, 'module-info': 'attributes', 'kvm-tdx': 'premerge', 'kvm-unsupported-tdvmcall': 'invalid-operand', 'offline-message': 'two-spaces' },
    undecided: { 'guest-sept-ve': "Canonical's 6.8-intel kernels are maintained with backports; whether they took the v6.13 SEPT #VE change (@src:ml-disable-sept-ve) is not checked" },
    src: ['capture-canonical-tdx-135', 'capture-canonical-tdx-331', 'capture-canonical-tdx-285'],
  },
  {
    name: 'intel-6.6',
    description: "Intel's tdx-linux 6.6 tree: as ubuntu-6.8-intel with older S3 and PAMT wording",
    base: '6.6',
    releases: [/^6\.6\.0(-rc\d+)?$/],
    eras: {
      ...mainlineEras, metadata: 'sys-info', 'erratum-flag': 'cpu-identification', 'module-info': 'attributes', 'kvm-tdx': 'premerge',
      'kvm-unsupported-tdvmcall': 'invalid-operand', 'host-wording': 'v14-series', 'offline-message': 'two-spaces' },
    undecided: { 'pamt-reset': "the v14 host series Intel's 6.6 tree carries was not read for its clean-up after a failed initialisation" },
    src: ['capture-intel-tdx-linux-5', 'ml-host-v14'],
  },
  {
    name: 'ubuntu-6.14-intel',
    description: 'Ubuntu 25.04 6.14 kernels with TDX: module version, build number and hex build date printed',
    base: '6.14',
    releases: [/^6\.14\.0-\d+-(intel|generic)$/],
    eras: {
      ...mainlineEras, metadata: 'any-size', 'feature-check': 'no-rbp-mod', 'module-info': 'build', 'kvm-tdx': 'premerge',
      'kvm-unsupported-tdvmcall': 'invalid-operand', 'guest-sept-ve': 'td-ctls', 'guest-reduce-ve': 'reduce-ve', 'guest-announce': 'attributes-migrtable' },
    undecided: { 'guest-hlt': 'whether Ubuntu 6.14 kernels carry the v6.15 HLT change (@src:guest-ml-hlt-irq-warn) is not checked' },
    src: ['capture-canonical-tdx-ubuntu-6.14'],
  },
  {
    name: 'ubuntu-6.5-intel-opt',
    description: 'Ubuntu 23.10 linux-intel-opt 6.5 (pre-merge TDX host code, `tdx:` prefix)',
    base: '6.5',
    releases: [/^6\.5\.0-\d+-intel-opt$/],
    eras: { ...mainlineEras, metadata: 'sys-info', 'module-info': 'attributes', 'kvm-tdx': 'premerge', 'kvm-unsupported-tdvmcall': 'invalid-operand', 'host-prefix': 'tdx' },
    undecided: { 'pamt-reset': "the pre-merge host code of Ubuntu's 6.5 kernel was not read for its clean-up after a failed initialisation" },
    src: ['capture-canonical-tdx-33'],
  },
];

const byName = new Map(FLAVOURS.map((f) => [f.name, f]));

export function flavour(name: string): KernelFlavour {
  const f = byName.get(name);
  if (!f) throw new Error(`unknown kernel flavour "${name}"; known: ${[...byName.keys()].join(', ')}`);
  return f;
}

export const isFlavourName = (s: string): boolean => byName.has(s);

/** The flavour a `uname -r` string belongs to, or null when no flavour claims it. */
export function flavourOfRelease(release: string): KernelFlavour | null {
  return FLAVOURS.find((f) => f.releases.some((r) => r.test(release))) ?? null;
}

/**
 * For a release no flavour claims (a stable kernel with a local version suffix, say), the mainline
 * flavour of its version, marked as an assumption: distribution kernels may backport behaviour.
 */
export function assumedMainlineFlavour(release: string): KernelFlavour | null {
  const version = /^(\d+\.\d+(?:\.\d+)?)/.exec(release)?.[1];
  if (!version) return null;
  // A distribution's suffix says the kernel is the distribution's, not mainline with a label.
  if (/-(generic|intel|intel-opt|azure|aws|gcp|oracle|kvm|lowlatency|virtual|nvidia)$|\.el\d|\.fc\d|-default$/.test(release)) return null;
  return FLAVOURS.find((f) => /^(mainline|stable)-/.test(f.name) && f.releases.some((r) => r.test(version))) ?? null;
}

/** The flavour's value of an era dimension, or why it cannot say (undecided). */
export function eraOf<D extends EraDimension>(f: KernelFlavour, dim: D): { value: Eras[D] } | { undecided: string } {
  const why = f.undecided?.[dim];
  return why ? { undecided: why } : { value: f.eras[dim] };
}
