@host @src:tdx-rst-host
Feature: TDX and system sleep states
  Entering S3 or a deeper sleep state resets TDX in hardware: the module and every TD are lost.
  The kernel therefore keeps TDX and these states apart. On a TDX host it disables the ACPI S3 entry
  point at boot and says so, but it withdraws nothing from what it offers: /sys/power/state still
  lists mem, and a request for deep S3 goes as far as the firmware call, which then fails with
  ENOSYS, leaving TDX as it was. Suspend-to-idle does not touch TDX and keeps working. Hibernation
  has to be switched off (nohibernate) for TDX to be enabled at all.

  The kernel's documentation speaks of TDX and S3 being "mutually exclusive"; what the code does is
  the narrower thing above (the S3 entry point cleared), and that is what these scenarios check.

  @req:host.suspend.s3-disabled @src:tdx-c-mid @src:l6161-pm-suspend-c @src:l6161-pm-main-c @src:l6161-acpi-sleep-c @src:acpi-s3-enosys-patch
  Rule: On a TDX host the kernel disables entering ACPI S3 at boot and says how to get it back; mem stays offered

    Scenario Outline: The message at boot: "<message>"
      Given a TDX host
      When the kernel boots
      Then the kernel log says "<message>"

      @era:host-wording=merged @src:hb-tdx-c-6161
      Examples: As merged (v6.8 on)
        | message                                                   |
        | Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3. |

      @era:host-wording=v14-series @src:ml-host-v14 @src:capture-intel-tdx-linux-5
      Examples: The v14 host series
        | message                                                           |
        | Disable ACPI S3 suspend. Turn off TDX in the BIOS to use ACPI S3. |

    Scenario: mem and freeze are still offered
      Given a TDX host
      When the kernel boots
      Then the sleep states offered include freeze and mem

    @needs:host.suspend @destructive
    Scenario: Entering deep S3 fails with ENOSYS
      Given a TDX host
      And "mem" means deep
      When the system is asked to enter the mem sleep state
      Then the request fails with ENOSYS

    @needs:host.suspend @destructive
    Scenario: Suspend-to-idle still works
      Given a TDX host
      And "mem" means s2idle
      When the system is asked to enter the mem sleep state
      Then the request succeeds

  @req:host.suspend.hibernation-off @src:l6161-pm-main-c @src:l6161-pm-hibernate-c
  Rule: A TDX host runs with hibernation switched off, so hibernation is neither offered nor accepted

    Scenario: disk is not offered
      Given a TDX host
      And the kernel command line disables hibernation
      When the kernel boots
      Then the sleep states offered do not include disk

    # The other side: state_show() lists disk whenever hibernation_available(); TDX then stays off.
    Scenario: With hibernation available, disk is offered and the platform is no TDX host
      Given a TDX host with hibernation available
      When the kernel boots
      Then the sleep states offered include disk and freeze
      And the CPU flags lack tdx_host_platform

    @needs:host.suspend @destructive
    Scenario: Asking to hibernate fails with EPERM
      Given a TDX host
      And the kernel command line disables hibernation
      When the system is asked to enter the disk sleep state
      Then the request fails with EPERM
