/**
 * The kernel log messages the suite knows, with every wording found in a kernel or a capture.
 * Each message has variants; a kernel flavour (flavours.ts) says which variant it prints. The
 * formats are printk formats; the shared parser turns them into patterns, so one table serves the
 * emulator (which prints them) and the parsers (which read real logs).
 */
import { isKeyOf } from '../encodings/keys';

export type Subsystem = 'tdx-host' | 'kvm' | 'kvm-premerge' | 'kexec' | 'guest' | 'tdx-guest' | 'plain' | 'any';

export interface MessageSpec {
  subsystem: Subsystem;
  /** Variant name -> printk format. `code` is what mainline prints. */
  variants: Readonly<Record<string, string>>;
  /** Source ids (spec/sources.yaml) that show the wording. */
  src: readonly string[];
}

const M = (subsystem: Subsystem, variants: Record<string, string>, ...src: string[]): MessageSpec =>
  ({ subsystem, variants, src });

export const MESSAGES = {
  'keyid-range': M('tdx-host', {
    code: 'BIOS enabled: private KeyID range [%u, %u)',
    doc: 'BIOS enabled: private KeyID range: [%u, %u)',
  }, 'tdx-c-mid', 'tdx-rst-host'),
  'too-few-keyids': M('tdx-host', {
    code: 'initialization failed: too few private KeyIDs available.',
  }, 'tdx-c-mid', 'tdx-c-68'),
  'hibernation-enabled': M('tdx-host', {
    code: 'initialization failed: Hibernation support is enabled',
    v14: "initialization failed: Disable TDX due to hibernation is available. Use 'nohibernate' command line to disable hibernation.",
  }, 'tdx-c-mid', 'ml-host-v14'),
  'memory-notifier-failed': M('tdx-host', {
    code: 'initialization failed: register_memory_notifier() failed (%d)',
  }, 'tdx-c-mid'),
  's3-disabled': M('tdx-host', {
    code: 'Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.',
    suspend: 'Disable ACPI S3 suspend. Turn off TDX in the BIOS to use ACPI S3.',
  }, 'tdx-c-mid', 'ml-host-v14', 'capture-intel-tdx-linux-5'),
  'module-not-loaded': M('tdx-host', {
    code: 'module not loaded',
    premerge: 'TDX module is not loaded.',
  }, 'tdx-c-mid', 'tdx-rst-host', 'ml-host-premerge-2022'),
  'module-info': M('tdx-host', {
    attributes: 'TDX module: attributes 0x%x, vendor_id 0x%x, major_version %u, minor_version %u, build_date %u, build_num %u',
    build: 'TDX module %u.%u.%02u.%02u, build number %u, build date %08x',
    version: 'Module version: %u.%u.%02u',
  }, 'capture-canonical-tdx-135', 'capture-canonical-tdx-ubuntu-6.14', 'ml-ver'),
  'cmr': M('tdx-host', { code: 'CMR: [0x%llx, 0x%llx)' }, 'capture-canonical-tdx-135'),
  'pamt-allocated': M('tdx-host', {
    code: '%lu KB allocated for PAMT',
    KBs: '%lu KBs allocated for PAMT',
  }, 'tdx-c-mid', 'tdx-rst-host', 'ml-host-v14', 'capture-intel-tdx-linux-5'),
  'init-done': M('tdx-host', {
    code: 'module initialized',
    boot: 'TDX-Module initialized',
    premerge: 'TDX module initialized.',
  }, 'tdx-c-618', 'tdx-c-new', 'ml-host-premerge-2022'),
  'init-failed': M('tdx-host', {
    code: 'module initialization failed (%d)',
    boot: 'TDX-Module initialization failed (%d)',
  }, 'tdx-c-618', 'tdx-c-new'),
  // The 2022 host series (before the v6.8 merge): on-demand init, shut down on any error.
  'init-failed-premerge': M('tdx-host', {
    shutdown: 'Failed to initialize TDX module. Shut it down.',
    'shutdown-2sp': 'Failed to initialize TDX module.  Shut it down.',
    plain: 'Failed to initialize TDX module.',
  }, 'ml-host-premerge-2022', 'ml-kvm-tdx-premerge-2022'),
  'offline-cpus-premerge': M('tdx-host', {
    code: "Unable to initialize the TDX module when there's offline CPU(s).",
  }, 'ml-host-premerge-2022'),
  // KVM's TDX setup of the 2022 (v5.19-era) series, printed with pr_fmt "tdx: ".
  'kvm-platform-tdx-disabled': M('kvm-premerge', {
    code: 'Cannot enable TDX on TDX disabled platform',
    period: 'Cannot enable TDX on TDX disabled platform.',
  }, 'ml-kvm-tdx-premerge-2022'),
  'kvm-seamrr-disabled': M('kvm-premerge', { code: 'Cannot enable TDX with SEAMRR disabled' }, 'ml-kvm-tdx-premerge-2022'),
  'kvm-ept-disabled-premerge': M('kvm-premerge', { code: 'Cannot enable TDX with EPT disabled' }, 'ml-kvm-tdx-premerge-2022'),
  'kvm-tdx-supported-premerge': M('kvm-premerge', {
    hkid: 'kvm: TDX is supported. hkid start pos %d mask 0x%llx',
    'phys-bits': 'kvm: TDX is supported. x86 phys bits %d',
  }, 'ml-kvm-tdx-premerge-2022'),
  'seamcall-failed': M('tdx-host', { code: 'SEAMCALL (0x%016llx) failed: 0x%016llx' }, 'tdx-c-mid'),
  'seamcall-regs-1': M('tdx-host', { code: 'RCX 0x%016llx RDX 0x%016llx R08 0x%016llx' }, 'tdx-c-mid'),
  'seamcall-regs-2': M('tdx-host', { code: 'R09 0x%016llx R10 0x%016llx R11 0x%016llx' }, 'tdx-c-mid'),
  'tdmrs-exhausted': M('tdx-host', { code: 'initialization failed: TDMRs exhausted.' }, 'tdx-c-mid'),
  'tdmrs-near-limit': M('tdx-host', { code: 'consumed TDMRs reaching limit: %d used out of %d' }, 'tdx-c-mid'),
  'reserved-areas-exhausted': M('tdx-host', {
    code: 'initialization failed: TDMR [0x%llx, 0x%llx): reserved areas exhausted.',
  }, 'tdx-c-mid'),
  'pamt-node-fallback': M('tdx-host', {
    code: 'TDMR [0x%llx, 0x%llx): unable to find local NUMA node for PAMT allocation, fallback to use node 0.',
  }, 'tdx-c-mid'),
  'no-rbp-mod': M('tdx-host', { code: 'frame pointer (RBP) clobber bug present, upgrade TDX module' }, 'tdx-c-mid'),
  'platform-unsupported': M('tdx-host', { code: 'TDX not supported by the host platform' }, 'tdx-c-new'),
  'xsave-required': M('tdx-host', { code: 'XSAVE is required for TDX' }, 'tdx-c-new'),
  'movdir64b-required': M('tdx-host', { code: 'MOVDIR64B is required for TDX' }, 'tdx-c-new'),
  'selfsnoop-required': M('tdx-host', { code: 'Self-snoop is required for TDX' }, 'tdx-c-new'),
  'sys-disable-failed': M('tdx-host', { code: 'TDH.SYS.DISABLE failed: 0x%016llx' }, 'tdx-c-new', 'ml-kexec'),
  'not-enabled-by-bios': M('tdx-host', { code: 'not enabled by BIOS.' }, 'capture-canonical-tdx-33'),
  // Printed by KVM (kvm_intel: prefix) in v6.16 .. v7.0 and by the host code (virt/tdx:) from v7.1.
  'offline-refused': M('any', {
    code: 'TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package.',
    premerge: 'TDX requires all packages to have an online CPU.  Delete all TDs in order to offline all CPUs of a package.',
  }, 'tdx-c-new', 'kvm-c', 'ml-kvm-tdx-premerge'),
  // Pre-merge KVM TDX (Intel and Ubuntu 6.8-intel kernels); mainline KVM prints nothing itself.
  'kvm-init-failed': M('kvm', { code: 'Failed to initialize TDX module.' }, 'capture-canonical-tdx-331', 'ml-kvm-tdx-premerge'),
  'kvm-max-vcpus': M('kvm', {
    code: 'Disable TDX: MAX_VCPU_PER_TD (%u) smaller than number of logical CPUs (%u).',
  }, 'kvm-c', 'kvm-tdx-c-616'),
  // tdx_bringup() of KVM: each unmet requirement disables TDX and lets kvm_intel load.
  'kvm-ept-required': M('kvm', { code: 'EPT is required for TDX' }, 'kvm-tdx-c'),
  'kvm-mmu-required': M('kvm', { code: 'TDP MMU and MMIO caching and EPT A/D bit is required for TDX' }, 'kvm-tdx-c'),
  'kvm-apicv-required': M('kvm', { code: 'APICv is required for TDX' }, 'kvm-tdx-c'),
  'kvm-osxsave-required': M('kvm', { code: 'tdx: OSXSAVE is required for TDX' }, 'kvm-tdx-c'),
  'kvm-movdir64b-required': M('kvm', { code: 'tdx: MOVDIR64B is required for TDX' }, 'kvm-tdx-c'),
  'kvm-selfsnoop-required': M('kvm', { code: 'Self-snoop is required for TDX' }, 'kvm-tdx-c'),
  'kvm-no-keyids': M('kvm', { code: 'tdx: no TDX private KeyIDs available' }, 'kvm-tdx-c'),
  'kvm-virt-at-load': M('kvm', { code: 'tdx: tdx requires kvm.enable_virt_at_load=1' }, 'kvm-tdx-c'),
  // From v7.1 tdx_bringup() reports a host without TDX in the host core's words, with KVM's prefix.
  'kvm-platform-unsupported': M('kvm', { code: 'TDX not supported by the host platform' }, 'kvm-tdx-c-next'),
  'kvm-all-packages-online': M('kvm', {
    code: 'All packages need to have online CPU to create TD. Online CPU and retry.',
  }, 'kvm-tdx-c'),
  'kvm-seamcall-failed': M('kvm', { code: 'SEAMCALL %s failed: 0x%llx' }, 'kvm-tdx-c'),
  'kvm-hkid-leaked': M('kvm', { code: 'tdh_mng_key_freeid() failed. HKID %d is leaked.' }, 'kvm-tdx-c'),
  'kexec-refused': M('kexec', { code: 'Not allowed on platform with tdx_pw_mce bug' }, 'tdx-c-618'),
  'mce-tdx-private': M('plain', { code: 'TDX private memory error. Possible kernel bug.' }, 'tdx-c-mid'),
  'guest-detected': M('guest', { code: 'Guest detected' }, 'guest-c'),
  'memory-encryption': M('plain', { code: 'Memory Encryption Features active: Intel TDX' }, 'guest-c'),
  // TD guest (arch/x86/coco/tdx and drivers/virt/coco/tdx-guest).
  'guest-sept-ve-misconfig': M('guest', {
    code: 'TD misconfiguration: SEPT #VE has to be disabled',
    attribute: 'TD misconfiguration: SEPT_VE_DISABLE attribute must be set.',
  }, 'ml-disable-sept-ve', 'guest-c-v63'),
  'guest-x2apic-unconfigured': M('guest', { code: 'VMM did not configure X2APIC_IDs properly' }, 'guest-ml-topology-enum'),
  // WARN_ONCE() texts print without the subsystem prefix (from v6.15 and v6.16).
  'guest-hlt-irqs-on': M('plain', { code: 'HLT emulation with IRQs enabled' }, 'guest-ml-hlt-irq-warn'),
  'guest-report-warn': M('plain', { code: 'tdx_mcall_get_report0() failed: %d' }, 'guest-ml-tdxg-mr-616'),
  'guest-unexpected-ve': M('guest', { code: 'Unexpected #VE: %lld' }, 'guest-c'),
  // The tdx_guest driver printed without a prefix until v6.16 defined pr_fmt "tdx_guest: ".
  'guest-getreport-failed': M('tdx-guest', { code: 'GetReport call failed' }, 'guest-tdxg-drv-6867'),
  'guest-getquote-failed': M('tdx-guest', { code: 'GetQuote hypercall failed, status:%llx' }, 'guest-tdxg-drv-6867', 'guest-ml-tdxg-mr-616'),
  'guest-getquote-timedout': M('tdx-guest', { code: 'GetQuote request timedout' }, 'l6161-tdx-guest-c'),
  'kernel-panic': M('plain', { code: 'Kernel panic - not syncing: %s' }, 'panic-c'),
  // The TD attributes and TD_CTLS the guest announces at boot, as names (coco/tdx/debug.c).
  'guest-attributes': M('guest', { code: 'Attributes:%s' }, 'tdx-guest-debug-c'),
  'guest-td-ctls': M('guest', { code: 'TD_CTLS:%s' }, 'tdx-guest-debug-c'),
} as const satisfies Record<string, MessageSpec>;

export type MessageId = keyof typeof MESSAGES;

export const isMessageId: (s: string) => s is MessageId = isKeyOf(MESSAGES);

/** Log prefixes per subsystem; `tdx-host` also appears as plain `tdx: ` in kernels before 6.8. */
export const SUBSYSTEM_PREFIXES: Readonly<Record<Subsystem, readonly string[]>> = {
  'tdx-host': ['virt/tdx: ', 'tdx: '],
  kvm: ['kvm_intel: '],
  'kvm-premerge': ['tdx: '],
  kexec: ['kexec: '],
  guest: ['tdx: '],
  'tdx-guest': ['tdx_guest: ', ''],
  plain: [''],
  any: ['virt/tdx: ', 'kvm_intel: ', ''],
};
