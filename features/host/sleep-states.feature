@host @src:tdx-rst-host
Feature: TDX and system sleep states
  Entering S3 or a deeper sleep state resets TDX in hardware: the module and every TD are lost.
  The kernel therefore makes TDX and these states mutually exclusive. On a TDX host it withdraws
  ACPI S3 at boot and says so; hibernation has to be switched off (nohibernate) for TDX to be
  enabled at all.

  @req:host.suspend.s3-disabled @src:tdx-c-mid
  Rule: On a TDX host ACPI S3 is withdrawn at boot, with a message saying how to get it back

    Scenario: S3 is no longer offered after detection
      Given a TDX host
      When the kernel boots
      Then the kernel log says ACPI S3 is disabled
      And the sleep states offered do not include mem

    Scenario: A request to enter S3 is refused
      Given a TDX host
      When the system is asked to enter the mem sleep state
      Then the request fails with EINVAL

  @req:host.suspend.hibernation-off
  Rule: A TDX host runs with hibernation switched off, so hibernation cannot be requested

    Scenario: Hibernation is neither offered nor accepted
      Given a TDX host
      And the kernel command line disables hibernation
      When the system is asked to enter the disk sleep state
      Then the request fails with EPERM
      And the sleep states offered do not include disk
