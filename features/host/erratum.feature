@host @src:tdx-rst-host @src:tdx-c-mid
Feature: The partial-write machine-check erratum
  On the first TDX CPUs a write of less than a cache line to TDX private memory (by MOVNTI, through
  an uncached mapping, or by a device) silently poisons the line, and a later read raises a
  machine check. The kernel flags these CPUs with the tdx_pw_mce bug and, when a memory machine
  check hits TDX private memory, adds a line saying that a kernel bug is the likely cause.

  @req:host.erratum.flag
  Rule: Sapphire Rapids and Emerald Rapids carry the tdx_pw_mce bug; later CPUs do not

    @needs:platform.arrange
    Scenario Outline: A <model> host <has> the bug
      Given a TDX host
      And the CPU is a <model>
      When the kernel boots
      Then the CPU bugs <has> tdx_pw_mce

      Examples:
        | model           | has     |
        | sapphire-rapids | include |
        | emerald-rapids  | include |
        | granite-rapids  | lack    |

  @req:host.erratum.mce-message @module:>=1.5 @needs:host.mce @destructive
  Rule: A machine check on TDX private memory gets an extra line blaming a likely kernel bug

    Scenario: A machine check in a PAMT page
      Given a TDX host
      When TDX is initialised
      And a memory machine check hits a PAMT page
      Then the machine check report says TDX private memory error. Possible kernel bug.

    Scenario: A machine check in ordinary memory
      Given a TDX host
      When TDX is initialised
      And a memory machine check hits ordinary kernel memory
      Then the machine check report has no TDX line
