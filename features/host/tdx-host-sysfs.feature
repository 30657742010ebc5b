@host @src:tdx-host-c
Feature: The tdx_host device in sysfs
  From Linux 7.2 the TDX host services driver gives the TDX module a place in sysfs: a faux device,
  /sys/devices/faux/tdx_host. The driver refuses to load unless the CPU is a TDX host platform and
  the kernel has initialised the module, so the device is there exactly when initialisation
  worked. Its version file, readable by everyone, shows the module's version as
  major.minor.update with the update number in two digits (module 2.0 update 8 is "2.0.08", 1.5
  update 24 is "1.5.24"), the format of the kernel's "Module version" line. Tools that pick module
  updates read it; a conformance run compares it with the log line, an interface of its own. Two
  more files, for root only, serve runtime updates. The firmware-upload interface the driver also
  registers updates the module when written, so it is never touched.

  @req:host.sysfs.tdx-host-version @src:tdx-host-abi @src:ml-tdx-host-version @needs:host.sysfs
  Rule: From 7.2 the tdx_host device's version file shows the initialised module's version as major.minor.update, the update in two digits, and it is the version the module reports

    # No scenario says older kernels lack the device: a distribution kernel that backports the
    # driver conforms all the same.

    @era:tdx-host-sysfs=faux
    Scenario: The device shows the version of the module the kernel initialised, readable by everyone
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the tdx_host device's files include "version (0444)"
      And the tdx_host version file reads "%u.%u.%02u" and a newline
      And the tdx_host version file shows the module version other interfaces report

    @era:tdx-host-sysfs=faux
    Scenario Outline: Update <update> is shown as "<shown>"
      Given a TDX host
      And the TDX module's update version is <update>
      When the kernel initialises TDX
      Then initialisation succeeds
      And the tdx_host version file reads "%u.%u.<shown>" and a newline

      Examples:
        | update | shown |
        | 0      | 00    |
        | 8      | 08    |
        | 24     | 24    |

    @era:tdx-host-sysfs=faux
    Scenario: No device when initialisation fails after the version was read
      Given a TDX host
      And the TDX module's TDX_FEATURES0 lacks NO_RBP_MOD (bit 18)
      When the kernel initialises TDX
      Then initialisation fails with EINVAL
      And the tdx_host device is absent

    @era:tdx-host-sysfs=faux
    Scenario: No device when the BIOS loaded no module
      Given a TDX host whose BIOS loaded no TDX module
      When the kernel initialises TDX
      Then initialisation fails with ENODEV
      And the tdx_host device is absent

    # tdx_host_init() matches the CPU against X86_FEATURE_TDX_HOST_PLATFORM first, which tdx_init()
    # sets only once it found TDX KeyIDs.
    @era:tdx-host-sysfs=faux
    Scenario: No device on a platform whose BIOS announces no TDX KeyIDs
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel boots
      Then the CPU flags lack tdx_host_platform
      And the tdx_host device is absent

  @req:host.sysfs.tdx-host-update-files @src:tdx-host-abi @src:ml-seamldr-update @era:tdx-host-sysfs=faux @needs:host.sysfs
  Rule: The runtime-update files seamldr_version and num_remaining_updates, readable by root only, exist exactly when the module supports runtime update and the CPU keeps its VMCS across SEAMRET
    The module supports runtime update when its TDX_FEATURES0 has TD_PRESERVING (bit 1). A CPU whose
    IA32_VMX_BASIC does not set bit 60 loses the current VMCS when the P-SEAMLDR returns, which would
    break KVM: the kernel then hides both files, since reading them calls the P-SEAMLDR.

    Scenario Outline: TD_PRESERVING <preserving>, VMX_BASIC bit 60 <bit60>: files <files>
      Given a TDX host
      And the TDX module's TDX_FEATURES0 <preserving> TD_PRESERVING (bit 1)
      And the CPU's IA32_VMX_BASIC <bit60> NO_SEAMRET_INVD_VMCS (bit 60)
      When the kernel initialises TDX
      Then initialisation succeeds
      And the tdx_host device's files are "<files>"

      Examples:
        | preserving | bit60  | files                                                                 |
        | has        | sets   | version (0444), seamldr_version (0400), num_remaining_updates (0400) |
        | lacks      | sets   | version (0444)                                                        |
        | has        | clears | version (0444)                                                        |
        | lacks      | clears | version (0444)                                                        |
