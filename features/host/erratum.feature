@host @src:tdx-rst-host @src:tdx-c-mid
Feature: The partial-write machine-check erratum
  On the first TDX CPUs a write of less than a cache line to TDX private memory (by MOVNTI, through
  an uncached mapping, or by a device) silently poisons the line, and a later read raises a
  machine check. The kernel flags these CPUs with the tdx_pw_mce bug and, when a machine check on
  TDX private memory brings the machine down, adds a line saying that a kernel bug is the likely
  cause.

  @req:host.erratum.flag
  Rule: Sapphire Rapids and Emerald Rapids carry the tdx_pw_mce bug; later CPUs do not

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

  @req:host.erratum.mce-message @module:>=1.5 @needs:host.mce @needs:platform.arrange @destructive @src:l6161-mce-core-c @src:hb-tdx-c-6161 @src:mod-pamt-manager-1501
  Rule: On CPUs with the partial-write erratum, a machine check that panics on TDX private memory gets a line blaming a likely kernel bug
    The line comes from the machine-check panic path only, and only when the CPU has the tdx_pw_mce
    bug (Sapphire Rapids, Emerald Rapids): a Granite Rapids host, or a machine check the kernel
    recovers from, prints nothing about TDX. Private means what TDH.PHYMEM.PAGE.RDMD says; a
    reserved page counts only if it is a PAMT page. The same from v6.8 to 7.1.

    Scenario Outline: A fatal machine check in a PAMT page on <model>
      Given a TDX host
      And the CPU is a <model>
      When TDX is initialised
      And a fatal memory machine check hits a PAMT page
      Then the machine check report says [Hardware Error]: Machine check: TDX private memory error. Possible kernel bug.

      Examples: The models with the erratum
        | model           |
        | sapphire-rapids |
        | emerald-rapids  |

    Scenario: A fatal machine check in the last byte of a PAMT block gets the line
      Given a TDX host
      And the CPU is a sapphire-rapids
      When TDX is initialised
      And a fatal memory machine check hits the last byte of the first TDMR's PAMT
      Then the machine check report says [Hardware Error]: Machine check: TDX private memory error. Possible kernel bug.

    Scenario: A fatal machine check in a reserved page that is no PAMT page has no TDX line
      Given a TDX host
      And the CPU is a sapphire-rapids
      When TDX is initialised
      And a fatal memory machine check hits the first TDMR's first reserved page, which is no PAMT page
      Then the machine check report has no TDX line

    Scenario: A fatal machine check in a PAMT page on granite-rapids has no TDX line
      Given a TDX host
      And the CPU is a granite-rapids
      When TDX is initialised
      And a fatal memory machine check hits a PAMT page
      Then the machine check report has no TDX line

    Scenario: A machine check in a PAMT page that the kernel recovers from has no TDX line
      Given a TDX host
      And the CPU is a sapphire-rapids
      When TDX is initialised
      And a recoverable memory machine check hits a PAMT page
      Then the machine check report has no TDX line

    Scenario: A fatal machine check in ordinary memory has no TDX line
      Given a TDX host
      And the CPU is a sapphire-rapids
      When TDX is initialised
      And a fatal memory machine check hits ordinary kernel memory
      Then the machine check report has no TDX line
