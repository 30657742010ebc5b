@host @src:tdx-c-mid
Feature: A machine without TDX
  A kernel built with TDX host support boots on many machines that have no TDX at all: CPUs of
  another vendor, Intel CPUs without memory encryption, or platforms whose BIOS reserves no KeyIDs
  for TDX. Detection starts from the KeyID partitioning MSR; when reading it faults, or when it
  announces no TDX KeyIDs, detection stops there without a word: no KeyID range, no withdrawn
  sleep state, no CPU flag and no erratum bug. Kernels that initialise the module at boot (v7.1)
  then add a single line saying the platform does not support TDX. KVM, whatever its
  parameters, offers no TDX VM type and refuses to create one. These behaviours need no TDX
  hardware, so they are checked on any machine the suite runs on, including a plain virtual
  machine.

  @req:host.no-tdx.silent
  Rule: Without TDX KeyIDs detection says nothing: no KeyID range, no withdrawn S3, no module

    Scenario: The only TDX host line a kernel may print says the platform does not support TDX
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel boots
      Then every kernel log line beginning "virt/tdx: " says "TDX not supported by the host platform"
      And the kernel log does not say "Disable ACPI S3%s"

    @era:init=on-demand @era:host-prefix=virt/tdx
    Scenario: Kernels that initialise on demand (up to v7.0) print no TDX host line at all
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel boots
      Then the kernel log has no line beginning "virt/tdx: "

  @req:host.no-tdx.boot-init-refused @era:init=boot @src:tdx-c-new
  Rule: From v7.1 boot-time initialisation on a machine without TDX says so once and gives up with ENODEV

    Scenario: No TDX KeyIDs: boot says "TDX not supported by the host platform" once
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel boots
      Then the kernel log has the line "virt/tdx: TDX not supported by the host platform"

    # The errno is the initcall's return value: user space sees it only through a model.
    Scenario: No TDX KeyIDs: initialisation gives up with ENODEV
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel initialises TDX
      Then initialisation fails with ENODEV

  @req:host.no-tdx.kvm-vm-type @src:kvm-tdx-c
  Rule: Without TDX, KVM neither offers the TDX VM type nor creates a VM of it

    Scenario: A VMM asks a KVM on a machine without TDX for a TD
      Given a platform whose BIOS announces no TDX KeyIDs
      When a VMM opens /dev/kvm
      Then KVM_CAP_VM_TYPES does not offer VM type 5
      And creating a VM of the TDX type fails with EINVAL

  @req:host.no-tdx.no-erratum-flag @src:hb-tdx-c-6161 @src:ml-tdx-erratum-in-tdx-c
  Rule: Since the merge the partial-write erratum is flagged only once detection found a TDX host; the series before it flagged every affected CPU
    From v6.8 the kernel sets the tdx_pw_mce bug at the end of tdx_init(), after the KeyID and
    sleep-state checks, so a Sapphire or Emerald Rapids without TDX KeyIDs is not flagged. The v13
    and v14 postings of the host series, on which Intel's 6.6 tree is built, set it while
    identifying the CPU, on every such CPU (that tree's own source was not read).

    @era:erratum-flag=tdx-detection
    Scenario: No TDX KeyIDs, no tdx_pw_mce bug
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel boots
      Then the CPU bugs lack tdx_pw_mce

    @era:erratum-flag=tdx-detection
    Scenario Outline: A <model> without TDX KeyIDs is not flagged
      Given a platform whose BIOS announces no TDX KeyIDs
      And the CPU is a <model>
      When the kernel boots
      Then the CPU bugs lack tdx_pw_mce

      Examples: The models the kernel knows to have the erratum
        | model           |
        | sapphire-rapids |
        | emerald-rapids  |

    @era:erratum-flag=cpu-identification
    Scenario Outline: A <model> without TDX KeyIDs is flagged all the same before the merge
      Given a platform whose BIOS announces no TDX KeyIDs
      And the CPU is a <model>
      When the kernel boots
      Then the CPU bugs include tdx_pw_mce

      Examples: The models the series knew to have the erratum
        | model           |
        | sapphire-rapids |
        | emerald-rapids  |
