@host @needs:host.seamcall
Feature: The TDX module's initialisation state machine
  Seen from the SEAMCALL interface, the module moves through fixed states: waiting for
  TDH.SYS.INIT, then for TDH.SYS.LP.INIT on every logical processor and for TDH.SYS.CONFIG, then
  for TDH.SYS.KEY.CONFIG on every package, after which it is ready. Until it is ready it accepts
  only the TDH.SYS leaves that set it up, describe it or shut it down. The kernel here stays out
  of the way so each leaf can be called directly. The handlers were read in modules 1.5.01 and
  2.0.08; of TDX 1.0 only the dispatcher was, so Rules about the handlers apply from 1.5.

  Background:
    Given a TDX host
    And the kernel leaves the TDX module untouched

  @req:host.module.not-ready-gating @src:mod-dispatcher @src:mod-dispatcher-1501 @src:mod-dispatcher-2008 @src:mod-1.0 @src:mod-sys-init-1501 @src:capture-canonical-tdx-331
  Rule: Before the module is ready, only the TDH.SYS set-up, information and shutdown leaves are accepted
    Modules 1.5 and 2.0 accept TDH.SYS.INFO, RD, RDALL, INIT, LP.INIT, CONFIG, KEY.CONFIG,
    LP.SHUTDOWN and UPDATE; TDX 1.0 the same without RD, RDALL and UPDATE. Everything else, TD
    leaves and TDH.SYS.TDMR.INIT included, gets TDX_SYS_NOT_READY. (A 1.0 module accepting
    TDH.SYS.INIT is seen in a capture: the kernel got on to TDH.SYS.INFO.)

    Scenario Outline: <leaf> before initialisation gets TDX_SYS_NOT_READY
      When <leaf> is called on CPU 0
      Then the SEAMCALL fails with TDX_SYS_NOT_READY (0xc000050500000000)

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

  @req:host.module.leaf-numbers @module:>=1.5 @src:tdx-h @src:mod-api @src:mod-api-1501 @src:mod-sys-init-1501 @src:mod-lp-init-1501 @src:mod-sys-config-1501 @src:mod-key-config-1501 @src:mod-sys-rd-1501
  Rule: The platform-initialisation leaves have the numbers the kernel uses

    Scenario Outline: Leaf <number> answers as <leaf> does before initialisation
      When leaf number <number> is called on CPU 0
      Then the SEAMCALL completes with <status>

      Examples:
        | number | leaf               | status                         |
        | 33     | TDH.SYS.INIT       | TDX_SUCCESS (0x0000000000000000)                    |
        | 35     | TDH.SYS.LP.INIT    | TDX_SYS_LP_INIT_NOT_PENDING (0xc000050b00000000)    |
        | 45     | TDH.SYS.CONFIG     | TDX_SYS_CONFIG_NOT_PENDING (0xc000050c00000000)     |
        | 31     | TDH.SYS.KEY.CONFIG | TDX_SYS_KEY_CONFIG_NOT_PENDING (0xc000050700000000) |

      Examples: Metadata reads need TDH.SYS.LP.INIT on the calling CPU
        | number | leaf       | status                   |
        | 34     | TDH.SYS.RD | TDX_SYS_LP_INIT_NOT_DONE (0xc000050200000000) |

  @req:host.module.sys-init-once @module:>=1.5 @src:mod-sys-init-1501 @src:mod-sys-init-2008
  Rule: TDH.SYS.INIT is done once; a second call is refused

    Scenario: The second TDH.SYS.INIT
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.INIT is called on CPU 1
      Then the SEAMCALL fails with TDX_SYS_INIT_NOT_PENDING (0xc000050000000000)

  @req:host.module.sys-init-attributes @module:>=1.5 @module:<2.0 @src:mod-sys-init-1501 @src:mod-dispatcher-1501 @src:mod-api-1501 @src:mod-err-1501
  Rule: In module 1.5, TDH.SYS.INIT takes no attribute: any bit set in RCX is refused, before the state is looked at
    RCX carries the module's system attributes, all of which are reserved in 1.5.01. The check
    comes before the state check, so a second call with RCX set is refused for its operand, not
    for the state.

    Scenario: RCX 0x1 is refused and the module still waits for TDH.SYS.INIT
      When TDH.SYS.INIT is called on CPU 0 with RCX 0x1
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)
      When TDH.SYS.INIT is called on CPU 0
      Then the SEAMCALL succeeds

    Scenario: After TDH.SYS.INIT, a second call with RCX 0x1 is refused for its operand
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.INIT is called on CPU 1 with RCX 0x1
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)

  @req:host.module.lp-init-once @module:>=1.5 @src:mod-lp-init-1501 @src:mod-lp-init-2008
  Rule: TDH.SYS.LP.INIT is done once per logical CPU
    It is accepted only between TDH.SYS.INIT and TDH.SYS.CONFIG: a CPU that was not initialised by
    then cannot be later.

    Scenario: The second TDH.SYS.LP.INIT on the same CPU
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on CPU 2
      And TDH.SYS.LP.INIT is called on CPU 2
      Then the SEAMCALL fails with TDX_SYS_LP_INIT_DONE (0xc000050300000000)

    Scenario: TDH.SYS.LP.INIT before TDH.SYS.INIT
      When TDH.SYS.LP.INIT is called on CPU 0
      Then the SEAMCALL fails with TDX_SYS_LP_INIT_NOT_PENDING (0xc000050b00000000)

    Scenario: TDH.SYS.LP.INIT after TDH.SYS.CONFIG
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on every logical CPU
      And TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build
      And TDH.SYS.LP.INIT is called on CPU 1
      Then the SEAMCALL fails with TDX_SYS_LP_INIT_NOT_PENDING (0xc000050b00000000)

  @req:host.module.config-needs-all-lps @module:>=1.5 @src:mod-sys-config-1501 @src:mod-sys-config-2008 @src:mod-sys-leaves
  Rule: TDH.SYS.CONFIG is accepted only once every logical CPU the module counted did TDH.SYS.LP.INIT
    The module counts every logical processor of the platform, not the ones the kernel brought
    online: a host booted with CPUs left offline cannot complete TDH.SYS.CONFIG.

    Scenario: One logical CPU short
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on every logical CPU except CPU 5
      And TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build
      Then the SEAMCALL fails with TDX_SYS_CONFIG_NOT_PENDING (0xc000050c00000000)

    Scenario: Every logical CPU initialised
      When TDH.SYS.INIT is called on CPU 0
      And TDH.SYS.LP.INIT is called on every logical CPU
      And TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build
      Then the SEAMCALL succeeds

  @req:host.module.sys-config-once @module:>=1.5 @src:mod-sys-config-1501 @src:mod-sys-config-2008 @src:mod-err-1501
  Rule: TDH.SYS.CONFIG is accepted once: after it succeeded, a second call is not pending
    The leaf wants the module in the state TDH.SYS.INIT left it in; a successful TDH.SYS.CONFIG
    moves it on, every logical CPU still initialised.

    Scenario: The second TDH.SYS.CONFIG
      Given the module has accepted the TDMRs the kernel would build
      When TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build
      Then the SEAMCALL returns TDX_SYS_CONFIG_NOT_PENDING (0xc000050c00000000)

  @req:host.module.key-config-per-package @module:>=1.5 @src:mod-key-config-1501 @src:mod-key-config-2008
  Rule: The global KeyID is configured once per package; the module is ready when every package has it
    TDH.SYS.KEY.CONFIG is accepted only between TDH.SYS.CONFIG and readiness; on a package that
    already has the key it reports TDX_KEY_CONFIGURED. On a platform with one package the first
    call makes the module ready, so there is nothing in between to observe.

    Scenario: Configured on one package of several, the module is not ready
      Given the platform has at least two packages
      And the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of package 0
      And TDH.SYS.TDMR.INIT is called on CPU 0 for the first TDMR
      Then the SEAMCALL fails with TDX_SYS_NOT_READY (0xc000050500000000)

    Scenario: Configured on every package, the module is ready
      Given the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of every package
      And TDH.SYS.TDMR.INIT is called on CPU 0 for the first TDMR
      Then the SEAMCALL succeeds

    Scenario: A second key configuration on a package while others wait is reported as already done
      Given the platform has at least two packages
      And the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of package 0
      And TDH.SYS.KEY.CONFIG is called on the last CPU of package 0
      Then the SEAMCALL returns TDX_KEY_CONFIGURED (0x0000081500000000)

    Scenario: Once every package has the key, a further key configuration is not pending
      Given the module has accepted the TDMRs the kernel would build
      When TDH.SYS.KEY.CONFIG is called on the first CPU of every package
      And TDH.SYS.KEY.CONFIG is called on the last CPU of package 0
      Then the SEAMCALL fails with TDX_SYS_KEY_CONFIG_NOT_PENDING (0xc000050700000000)

  @req:host.module.tdmr-init-resumable @module:>=1.5 @needs:platform.arrange @src:mod-tdmr-init-1501 @src:mod-tdmr-init-2008 @src:tdx-c-mid
  Rule: TDH.SYS.TDMR.INIT initialises part of a TDMR per call and reports where to resume in RDX
    Each call initialises the PAMT entries of the next 4 MiB of the TDMR and returns in RDX how far
    the TDMR is initialised, rounded down to 1 GiB so that no partly initialised GiB is used: after
    the first call RDX is still the TDMR's base, it moves on by 1 GiB every 256 calls, the last call
    returns the TDMR's end, and a call after that returns TDX_TDMR_ALREADY_INITIALIZED with RDX 0.
    The kernel calls until RDX reaches the end. Module 2.0 takes 16 MiB per call when
    TDH.SYS.CONFIG enables dynamic PAMT, which kernels up to 7.1 do not ask for.

    Scenario Outline: Call <calls> on the 8 GiB TDMR at 4 GiB returns <status> and RDX <rdx>
      Given the memory map:
        | base        | end         | node |
        | 0x100000    | 0x80000000  | 0    |
        | 0x100000000 | 0x300000000 | 0    |
      And the module is ready with the TDMRs the kernel would build
      When TDH.SYS.TDMR.INIT is called <calls> times on CPU 0 for the TDMR at 0x100000000
      Then every call before the last succeeded
      And the last call returned <status> with RDX <rdx>

      Examples: RDX moves on by 1 GiB every 256 calls, below, at and above each step
        | calls | status      | rdx         |
        | 1     | TDX_SUCCESS (0x0000000000000000) | 0x100000000 |
        | 255   | TDX_SUCCESS (0x0000000000000000) | 0x100000000 |
        | 256   | TDX_SUCCESS (0x0000000000000000) | 0x140000000 |
        | 257   | TDX_SUCCESS (0x0000000000000000) | 0x140000000 |
        | 2047  | TDX_SUCCESS (0x0000000000000000) | 0x2c0000000 |
        | 2048  | TDX_SUCCESS (0x0000000000000000) | 0x300000000 |

      Examples: A call after the last
        | calls | status                       | rdx |
        | 2049  | TDX_TDMR_ALREADY_INITIALIZED (0x00000a0300000000) | 0x0 |

  @req:host.module.sys-info-operands @module:>=1.5 @module:<2.0 @src:mod-sys-info-1501 @src:mod-api-1501 @src:mod-err-1501
  Rule: TDH.SYS.INFO wants room for the whole TDSYSINFO_STRUCT (1024 bytes in RDX) and for 32 CMR entries (R9)
    After TDH.SYS.LP.INIT on the calling CPU, the TDSYSINFO buffer's address is checked, then RDX
    against the size of TDSYSINFO_STRUCT, then the CMR array's address, then R9 against MAX_CMR.

    Scenario Outline: RDX <rdx> and R9 <r9> are refused with <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.INFO is called on CPU 0 with RCX 0x100000, RDX <rdx>, R8 0x200000 and R9 <r9>
      Then the SEAMCALL returns <status>

      Examples:
        | rdx   | r9   | status                                                                        |
        | 0x3ff | 0x20 | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |
        | 0x400 | 0x1f | TDX_OPERAND_INVALID (0xc000010000000009), whose low bits name operand R9 (9)  |

  @req:host.module.tdmr-init-address @module:>=1.5 @needs:platform.arrange @src:mod-tdmr-init-1501 @src:mod-tdmr-init-2008 @src:mod-err-1501
  Rule: TDH.SYS.TDMR.INIT takes only the base address of a TDMR
    RCX must be 1 GiB aligned and the base of one of the TDMRs TDH.SYS.CONFIG accepted; any other
    address, even one inside a TDMR, is an invalid RCX, with RDX 0.

    Scenario Outline: RCX <rcx>, <what>, is refused
      Given the memory map:
        | base        | end         | node |
        | 0x100000    | 0x80000000  | 0    |
        | 0x100000000 | 0x300000000 | 0    |
      And the module is ready with the TDMRs the kernel would build
      When TDH.SYS.TDMR.INIT is called 1 times on CPU 0 for the TDMR at <rcx>
      Then the last call returned TDX_OPERAND_INVALID (0xc000010000000001) with RDX 0x0

      Examples:
        | rcx         | what                                  |
        | 0x140000000 | 1 GiB into the TDMR at 4 GiB          |
        | 0x100200000 | 2 MiB into the TDMR at 4 GiB          |
        | 0xc0000000  | 1 GiB past the end of the TDMR at 0   |

  @req:host.module.tdmr-validation @module:>=1.5 @src:tdx-c-mid @src:mod-sys-config-1501 @src:mod-sys-config-2008 @src:mod-err-1501 @src:mod-api-1501
  Rule: TDH.SYS.CONFIG rejects TDMRs that are misaligned, empty, out of order, out of range or not convertible where usable
    The module checks the TDMRs one by one, in order, and names the first one that fails in bits
    7:0 of the status. Within a TDMR: order and overlap with the one before it, then its 1 GiB
    alignment, size and address range (the maximum physical address, no KeyID bits), then its
    reserved areas and PAMTs, and last that its usable (non-reserved) memory lies in one CMR.

    Scenario Outline: <change> is rejected with <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the kernel's TDMRs but <change>
      Then the SEAMCALL returns <status>

      Examples:
        | change                                                        | status                                    |
        | the first TDMR's base moved by 2 MiB                          | TDX_INVALID_TDMR (0xc0000a0000000000)     |
        | the first TDMR's size cut by 2 MiB                            | TDX_INVALID_TDMR (0xc0000a0000000000)     |
        | the first TDMR's size set to 0                                | TDX_INVALID_TDMR (0xc0000a0000000000)     |
        | the first TDMR's size set to 8 PiB                            | TDX_INVALID_TDMR (0xc0000a0000000000)     |
        | the first two TDMRs swapped                                   | TDX_NON_ORDERED_TDMR (0xc0000a0100000001) |
        | the second TDMR's start moved 1 GiB below the first TDMR's end | TDX_NON_ORDERED_TDMR (0xc0000a0100000001) |
        | the first TDMR's first reserved area dropped                  | TDX_TDMR_OUTSIDE_CMRS (0xc0000a0200000000) |

  @req:host.module.reserved-area-validation @module:>=1.5 @src:mod-sys-config-1501 @src:mod-sys-config-2008 @src:mod-err-1501 @src:mod-api-1501
  Rule: TDH.SYS.CONFIG rejects reserved areas that are out of order, misaligned or outside their TDMR
    Reserved areas are checked entry by entry: an empty entry may only be followed by an empty one;
    the others must be in ascending order without overlap, 4 KiB aligned in offset and size, and
    inside their TDMR. The status names the TDMR in bits 7:0 and the entry in bits 15:8.

    Scenario Outline: <change> is rejected with <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the kernel's TDMRs but <change>
      Then the SEAMCALL returns <status>

      Examples:
        | change                                                                              | status                                                |
        | an empty reserved area put before the first TDMR's others                           | TDX_NON_ORDERED_RESERVED_IN_TDMR (0xc0000a2100000000) |
        | two empty reserved areas put between the first TDMR's first reserved area and a later one | TDX_NON_ORDERED_RESERVED_IN_TDMR (0xc0000a2100000200) |
        | the first TDMR's first reserved area repeated                                       | TDX_NON_ORDERED_RESERVED_IN_TDMR (0xc0000a2100000100) |
        | the first TDMR's first reserved area cut by 2 KiB                                   | TDX_INVALID_RESERVED_IN_TDMR (0xc0000a2000000000)     |
        | the first TDMR's first reserved area stretched 4 KiB past the TDMR's end            | TDX_INVALID_RESERVED_IN_TDMR (0xc0000a2000000000)     |

  @req:host.module.pamt-validation @module:>=1.5 @src:tdx-c-mid @src:mod-sys-config-1501 @src:mod-sys-config-2008 @src:mod-err-1501 @src:mod-api-1501
  Rule: TDH.SYS.CONFIG rejects PAMTs that are misaligned, out of range, too small, outside convertible memory or overlap memory a TDMR makes usable
    Each PAMT level is checked 1G, then 2M, then 4K for alignment, address range and size, then
    for overlaps, then for lying in one CMR. The status names the TDMR in bits 7:0 and the PAMT
    level (0 for 4K, 1 for 2M, 2 for 1G) in bits 15:8; an overlap with another TDMR's usable
    memory names that TDMR in bits 23:16.

    Scenario Outline: <change> is rejected with <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the kernel's TDMRs but <change>
      Then the SEAMCALL returns <status>

      Examples:
        | change                                                          | status                                     |
        | the first TDMR's 1G PAMT moved by 2 KiB                         | TDX_INVALID_PAMT (0xc0000a1000000200)      |
        | the first TDMR's 2M PAMT moved to 8 PiB                         | TDX_INVALID_PAMT (0xc0000a1000000100)      |
        | the first TDMR's 4K PAMT shrunk by 4 KiB                        | TDX_INVALID_PAMT (0xc0000a1000000000)      |
        | the first TDMR's 2M PAMT moved onto its 4K PAMT                 | TDX_PAMT_OVERLAP (0xc0000a1200000000)      |
        | the first TDMR's 1G PAMT moved onto its 4K PAMT                 | TDX_PAMT_OVERLAP (0xc0000a1200000000)      |
        | the first TDMR's 2M PAMT moved onto its 1G PAMT                 | TDX_PAMT_OVERLAP (0xc0000a1200000100)      |
        | the second TDMR's 4K PAMT moved onto the first TDMR's 4K PAMT   | TDX_PAMT_OVERLAP (0xc0000a1200000001)      |
        | the first TDMR's PAMT placed in the second TDMR's usable memory | TDX_PAMT_OVERLAP (0xc0000a1200010000)      |
        | the first TDMR's 1G PAMT moved to the end of its first reserved area | TDX_PAMT_OUTSIDE_CMRS (0xc0000a1100000200) |

  @req:host.module.sys-config-operands @module:>=1.5 @src:mod-sys-config-1501 @src:mod-sys-config-2008 @src:mod-err-1501
  Rule: TDH.SYS.CONFIG refuses an empty TDMR list and a global KeyID outside the private range
    After its state checks, TDH.SYS.CONFIG wants 1 to MAX_TDMRS entries in RDX and a private
    KeyID in R8, before it reads a single TDMR. KeyID 0 is never private.

    Scenario: No TDMR
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with no TDMR
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)

    Scenario: KeyID 0 as the global KeyID
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build and global KeyID 0
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8)

    Scenario Outline: <keyid> as the global KeyID: <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with the TDMRs the kernel would build and, as global KeyID, <keyid>
      Then the SEAMCALL returns <status>

      Examples: The private range from both ends, and R8's bits above the KeyID (63:16, reserved)
        | keyid                               | status                                                                       |
        | the KeyID before the first TDX KeyID | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8) |
        | the first TDX KeyID                 | TDX_SUCCESS (0x0000000000000000)                                             |
        | the last TDX KeyID                  | TDX_SUCCESS (0x0000000000000000)                                             |
        | the KeyID after the last TDX KeyID  | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8) |
        | the first TDX KeyID with bit 16 set | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8) |

  @req:host.module.sys-config-array-operands @module:>=1.5 @module:<2.0 @src:mod-sys-config-1501 @src:mod-helpers-1501 @src:mod-err-1501
  Rule: TDH.SYS.CONFIG wants the TDMR address array 512-byte aligned below MAX_PA in RCX and 1 to 64 TDMRs in RDX, before it looks at R8
    The array of TDMR_INFO addresses must be aligned to 512 bytes and be a shared address; the
    number of entries must be between 1 and MAX_TDMRS (64). Both are checked before the global
    KeyID in R8 and before any entry is read, so with KeyID 0 in R8 a call that passes them is
    refused on R8 instead.

    Scenario Outline: RCX <rcx> and RDX <rdx> (<what>): <status>
      Given every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.CONFIG is called on CPU 0 with RCX <rcx>, RDX <rdx>, R8 0x0 and R9 0x0
      Then the SEAMCALL returns <status>

      Examples:
        | rcx                | rdx  | what                              | status                                                                        |
        | 0x0000000000100100 | 0x1  | the array 256 bytes off alignment | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1) |
        | 0x0010000000000000 | 0x1  | the array at bit 52, above MAX_PA | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1) |
        | 0x0000000000100200 | 0x1  | 512-aligned, one TDMR             | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8)  |
        | 0x0000000000100000 | 0x40 | 64 TDMRs, MAX_TDMRS               | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8)  |
        | 0x0000000000100000 | 0x41 | 65 TDMRs, one past MAX_TDMRS      | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |

  @req:host.module.rax-checks @module:>=1.5 @src:mod-dispatcher-1501 @src:mod-dispatcher-2008 @src:mod-api-1501 @src:mod-err-1501
  Rule: Reserved RAX bits, or a version the leaf does not have, make RAX an invalid operand before any state check
    RAX holds the leaf in bits 15:0, its version in bits 23:16, and reserved bits 63:24 that must
    be 0. Only a few leaves have versions above 0 (TDH.SYS.LP.INIT has none; TDH.VP.INIT has one
    in 2.0.08, not in 1.5.01). The module checks this first, so even TDH.SYS.INIT, the first leaf,
    is refused, while a version the leaf has gets as far as the state check.

    Scenario Outline: RAX <rax>, <what>, before TDH.SYS.INIT
      When the SEAMCALL with RAX <rax> is made on CPU 0
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000000), whose low bits name operand RAX (0)

      Examples:
        | rax                | what                                  |
        | 0x0000000001000021 | TDH.SYS.INIT (leaf 33) with bit 24 set |
        | 0x0000000100000021 | TDH.SYS.INIT (leaf 33) with bit 32 set |
        | 0x0000000000010023 | TDH.SYS.LP.INIT (leaf 35) version 1    |

      @module:=1.5.01
      Examples: Module 1.5.01 has no version 1 of TDH.VP.INIT
        | rax                | what                                  |
        | 0x0000000000010016 | TDH.VP.INIT (leaf 22) version 1        |

    Scenario Outline: RAX <rax>, <what>, before TDH.SYS.INIT, passes the RAX checks and meets the state check
      When the SEAMCALL with RAX <rax> is made on CPU 0
      Then the SEAMCALL returns TDX_SYS_NOT_READY (0xc000050500000000)

      Examples: The leaves every module from 1.5.01 has a version 1 of
        | rax                | what                                      |
        | 0x0000000000010017 | TDH.MEM.PAGE.PROMOTE (leaf 23) version 1  |
        | 0x0000000000010003 | TDH.MEM.SEPT.ADD (leaf 3) version 1       |
        | 0x000000000001001e | TDH.MEM.SEPT.REMOVE (leaf 30) version 1   |
        | 0x000000000001000b | TDH.MNG.RD (leaf 11) version 1            |
        | 0x000000000001001a | TDH.VP.RD (leaf 26) version 1             |

      @module:>=2.0
      Examples: Module 2.0.08 adds a version 1 of TDH.VP.INIT (it takes the vCPU's x2APIC ID)
        | rax                | what                                      |
        | 0x0000000000010016 | TDH.VP.INIT (leaf 22) version 1           |

  @req:host.module.rax-whole-on-1.0 @module:=1.0 @src:mod-1.0 @src:mod-err-1501
  Rule: TDX 1.0 takes RAX whole as the leaf number: a bit set above the leaf's number names a leaf it does not have
    Module 1.0's RAX has no version field and no reserved bits: the dispatcher compares the whole
    register with its leaf numbers. TDH.SYS.INIT with a bit set above bit 15 is then no leaf the
    module knows, refused as such: TDX_SYS_NOT_READY before the module is ready (it is not on the
    list of leaves accepted before), an invalid RAX operand after.

    Scenario Outline: RAX <rax>, <what>, before TDH.SYS.INIT
      When the SEAMCALL with RAX <rax> is made on CPU 0
      Then the SEAMCALL returns TDX_SYS_NOT_READY (0xc000050500000000)

      Examples:
        | rax                | what                                   |
        | 0x0000000000010021 | TDH.SYS.INIT (leaf 33) with bit 16 set |
        | 0x0000000001000021 | TDH.SYS.INIT (leaf 33) with bit 24 set |

    Scenario: RAX 0x0000000000010021, TDH.SYS.INIT with bit 16 set, once the module is ready
      Given the module is ready with the TDMRs the kernel would build
      When the SEAMCALL with RAX 0x0000000000010021 is made on CPU 0
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000000), whose low bits name operand RAX (0)

  @req:host.module.phymem-rdmd @module:>=1.5 @module:<2.0 @src:mod-phymem-rdmd-1501 @src:mod-pamt-manager-1501 @src:mod-err-1501
  Rule: TDH.PHYMEM.PAGE.RDMD gives the type of a page TDH.SYS.TDMR.INIT has reached, and refuses other addresses
    Initialising a TDMR's PAMT marks each page in a reserved area PT_RSVD (1) and every other page
    PT_NDA (0); RDMD returns that type in RCX. An address that is not page aligned is an invalid
    RCX; a page outside every TDMR, or in a GiB of its TDMR that TDH.SYS.TDMR.INIT has not reached,
    is an address range error. Read in module 1.5.01.

    Scenario Outline: <page> is <type>
      Given the module is ready with the TDMRs the kernel would build
      And TDH.SYS.TDMR.INIT has initialised the first GiB of the first TDMR on CPU 0
      When TDH.PHYMEM.PAGE.RDMD is called on CPU 0 for <page>
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      And RCX is <type>

      Examples:
        | page                                                      | type          |
        | the first TDMR's first page                               | 0x1 (PT_RSVD) |
        | the first page after the first TDMR's first reserved area | 0x0 (PT_NDA)  |

    Scenario Outline: <page> is refused
      Given the module is ready with the TDMRs the kernel would build
      And TDH.SYS.TDMR.INIT has initialised the first GiB of the first TDMR on CPU 0
      When TDH.PHYMEM.PAGE.RDMD is called on CPU 0 for <page>
      Then the SEAMCALL returns <status>

      Examples:
        | page                                          | status                                                                          |
        | the first TDMR's first page, 8 bytes in       | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | the first page of the first TDMR's second GiB | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |

    Scenario: With the whole first TDMR initialised, its last reserved area is PT_RSVD
      Given the module is ready with the TDMRs the kernel would build
      And TDH.SYS.TDMR.INIT has initialised the whole first TDMR on CPU 0
      When TDH.PHYMEM.PAGE.RDMD is called on CPU 0 for the first page of the first TDMR's last reserved area
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      And RCX is 0x1 (PT_RSVD)

    Scenario: With the whole first TDMR initialised, the page right after it is still refused
      Given the module is ready with the TDMRs the kernel would build
      And TDH.SYS.TDMR.INIT has initialised the whole first TDMR on CPU 0
      When TDH.PHYMEM.PAGE.RDMD is called on CPU 0 for the first page after the first TDMR
      Then the SEAMCALL returns TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1)

  @req:host.module.unknown-leaf @src:mod-dispatcher @src:mod-dispatcher-1501 @src:mod-1.0 @src:mod-err-1501
  Rule: Once the module is ready, a leaf number it does not implement is an invalid RAX operand

    Scenario: Leaf 255 after initialisation
      Given the module is ready with the TDMRs the kernel would build
      When leaf number 255 is called on CPU 0
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000000), whose low bits name operand RAX (0)

  @req:host.module.lp-shutdown-no-op @module:=1.5.01 @src:mod-lp-shutdown-1501 @src:mod-dispatcher-1501
  Rule: In module 1.5.01, TDH.SYS.LP.SHUTDOWN succeeds and does nothing
    The leaf is kept for VMMs that still call it: it returns success and leaves the module in the
    state it was in, so initialisation can go on after it.

    Scenario: TDH.SYS.LP.SHUTDOWN before initialisation, then TDH.SYS.INIT
      When TDH.SYS.LP.SHUTDOWN is called on CPU 0
      Then the SEAMCALL succeeds
      When TDH.SYS.INIT is called on CPU 0
      Then the SEAMCALL succeeds

