@host @needs:host.seamcall @src:mod-sys-leaves
Feature: The TDX module's initialisation state machine
  Seen from the SEAMCALL interface, the module moves through fixed states: waiting for
  TDH.SYS.INIT, then for TDH.SYS.LP.INIT on every logical processor and for TDH.SYS.CONFIG, then
  for TDH.SYS.KEY.CONFIG on every package, after which it is ready. Until it is ready it accepts
  only the platform-initialisation and metadata leaves. The kernel here stays out of the way so
  each leaf can be called directly.

  Background:
    Given a TDX host
    And the kernel leaves the TDX module untouched

  @req:host.module.not-ready-gating @src:mod-dispatcher
  Rule: Before the module is ready, leaves other than initialisation and metadata are refused

    Scenario Outline: <leaf> before initialisation gets TDX_SYS_NOT_READY
      When <leaf> is called on CPU 0
      Then the SEAMCALL fails with TDX_SYS_NOT_READY

      Examples: TD management and memory leaves
        | leaf                 |
        | TDH.MNG.CREATE       |
        | TDH.MEM.PAGE.ADD     |
        | TDH.VP.CREATE        |
        | TDH.SYS.TDMR.INIT    |
        | TDH.PHYMEM.CACHE.WB  |
        | TDH.PHYMEM.PAGE.RDMD |

    Scenario: TDH.SYS.INIT is accepted before initialisation
      When TDH.SYS.INIT is called on CPU 0
      Then the SEAMCALL succeeds

  @req:host.module.leaf-numbers @src:tdx-h @src:mod-api
  Rule: The platform-initialisation leaves have the numbers the kernel uses

    Scenario Outline: Leaf <number> answers as <leaf> does before initialisation
      When leaf number <number> is called on CPU 0
      Then the SEAMCALL completes with <status>

      Examples:
        | number | leaf               | status                         |
        | 33     | TDH.SYS.INIT       | TDX_SUCCESS                    |
        | 35     | TDH.SYS.LP.INIT    | TDX_SYS_LP_INIT_NOT_PENDING    |
        | 45     | TDH.SYS.CONFIG     | TDX_SYS_CONFIG_NOT_PENDING     |
        | 31     | TDH.SYS.KEY.CONFIG | TDX_SYS_KEY_CONFIG_NOT_PENDING |

      @module:>=1.5
      Examples: Metadata reads need TDH.SYS.LP.INIT on the calling CPU
        | number | leaf       | status                   |
        | 34     | TDH.SYS.RD | TDX_SYS_LP_INIT_NOT_DONE |

  @req:host.module.sys-init-once
  Rule: TDH.SYS.INIT is done once; a second call is refused

    Scenario: The second TDH.SYS.INIT
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.INIT is called on CPU 1
      Then the SEAMCALL fails with TDX_SYS_INIT_NOT_PENDING

  @req:host.module.lp-init-once
  Rule: TDH.SYS.LP.INIT is done once per logical CPU

    Scenario: The second TDH.SYS.LP.INIT on the same CPU
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on CPU 2
      And TDH.SYS.LP.INIT is called on CPU 2
      Then the SEAMCALL fails with TDX_SYS_LP_INIT_DONE

    Scenario: TDH.SYS.LP.INIT before TDH.SYS.INIT
      When TDH.SYS.LP.INIT is called on CPU 0
      Then the SEAMCALL fails with TDX_SYS_LP_INIT_NOT_PENDING

  @req:host.module.config-needs-all-lps
  Rule: TDH.SYS.CONFIG is accepted only once every logical CPU the module counted did TDH.SYS.LP.INIT

    Scenario: One logical CPU short
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on every logical CPU except CPU 5
      And TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build
      Then the SEAMCALL fails with TDX_SYS_CONFIG_NOT_PENDING

    Scenario: Every logical CPU initialised
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on every logical CPU
      And TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build
      Then the SEAMCALL succeeds

  @req:host.module.key-config-per-package
  Rule: The global KeyID is configured once per package; the module is ready when every package has it

    Scenario: Configured on one package only, the module is not ready
      Given the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of package 0
      And TDH.SYS.TDMR.INIT is called on CPU 0 for the first TDMR
      Then the SEAMCALL fails with TDX_SYS_NOT_READY

    Scenario: Configured on every package, the module is ready
      Given the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of every package
      And TDH.SYS.TDMR.INIT is called on CPU 0 for the first TDMR
      Then the SEAMCALL succeeds

    Scenario: A second key configuration on the same package is reported as already done
      Given the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of package 0
      And TDH.SYS.KEY.CONFIG is called on the last CPU of package 0
      Then the SEAMCALL returns TDX_KEY_CONFIGURED

  @req:host.module.tdmr-init-resumable @src:tdx-c-mid
  Rule: TDH.SYS.TDMR.INIT initialises part of a TDMR per call and reports where to resume in RDX

    Scenario: A TDMR larger than one GiB takes several calls
      Given the module is ready with the TDMRs the kernel would build
      When TDH.SYS.TDMR.INIT is called on CPU 0 for the largest TDMR
      Then the SEAMCALL succeeds
      And RDX is 1 GiB aligned, above the TDMR base and below its end
      When TDH.SYS.TDMR.INIT is called on CPU 0 for the largest TDMR until RDX reaches its end
      Then the TDMR took more than one call
      When TDH.SYS.TDMR.INIT is called on CPU 0 for the largest TDMR
      Then the SEAMCALL returns TDX_TDMR_ALREADY_INITIALIZED

  @req:host.module.tdmr-validation @src:tdx-c-mid
  Rule: TDH.SYS.CONFIG rejects TDMRs that are misaligned, empty or out of order

    Scenario Outline: <change> is rejected with <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the kernel's TDMRs but <change>
      Then the SEAMCALL fails with <status> for TDMR <index>

      Examples:
        | change                                 | status               | index |
        | the first TDMR's base moved by 2 MiB   | TDX_INVALID_TDMR     | 0     |
        | the first TDMR's size cut by 2 MiB     | TDX_INVALID_TDMR     | 0     |
        | the first two TDMRs swapped            | TDX_NON_ORDERED_TDMR | 1     |

  @req:host.module.pamt-validation @src:tdx-c-mid
  Rule: TDH.SYS.CONFIG rejects PAMTs that are too small or overlap memory a TDMR makes usable

    Scenario Outline: <change> is rejected with <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the kernel's TDMRs but <change>
      Then the SEAMCALL fails with <status> for TDMR <index>

      Examples:
        | change                                                     | status           | index |
        | the first TDMR's 4K PAMT shrunk by 4 KiB                   | TDX_INVALID_PAMT | 0     |
        | the first TDMR's PAMT placed in the second TDMR's usable memory | TDX_PAMT_OVERLAP | 0     |

  @req:host.module.unknown-leaf @src:mod-dispatcher
  Rule: Once the module is ready, a leaf number it does not implement is an invalid RAX operand

    Scenario: Leaf 255 after initialisation
      Given the module is ready with the TDMRs the kernel would build
      When leaf number 255 is called on CPU 0
      Then the SEAMCALL fails with TDX_OPERAND_INVALID on operand RAX
