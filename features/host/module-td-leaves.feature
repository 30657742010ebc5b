@host @needs:host.seamcall @module:>=1.5 @module:<2.0
Feature: The TDX module's TD life-cycle leaves, called directly
  KVM creates a TD in the module with TDH.MNG.CREATE (a TDR page and a private KeyID), programs
  the TD's key on every package with TDH.MNG.KEY.CONFIG and hands over control pages with
  TDH.MNG.ADDCX; to tear it down it calls TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB on every
  package and TDH.MNG.KEY.FREEID, then takes its pages back with TDH.PHYMEM.PAGE.RECLAIM and
  TDH.PHYMEM.PAGE.WBINVD. KVM checks its own arguments first, so through KVM these leaves only see
  well-formed calls. Here the kernel leaves the module alone and each leaf is called directly, to
  check the statuses the module gives for a wrong operand, a wrong page or a wrong TD state, in
  the order it checks them. A page is named by its place among the pages of the kernel's first
  TDMR that no reserved area covers ("page 1" is the first); KeyIDs come from the platform's split
  in MSR 0x87 (the first TD KeyID follows the last MKTME KeyID). The handlers were read in module
  1.5.01. A real machine cannot issue raw SEAMCALLs: there these scenarios are skipped.

  Background:
    Given a TDX host
    And the kernel leaves the TDX module untouched
    And the module is ready with the TDMRs the kernel would build
    And TDH.SYS.TDMR.INIT has initialised the first GiB of the first TDMR on CPU 0

  @req:host.module.td-create @src:mod-mng-create-1501 @src:mod-helpers-h-1501 @src:mod-helpers-1501 @src:mod-pamt-manager-1501 @src:mod-sys-init-1501 @src:mod-err-1501
  Rule: TDH.MNG.CREATE checks the KeyID in RDX, then the TDR page in RCX, then that the KeyID is free
    RDX must be a private KeyID, from the first TD KeyID to the last, with bits 63:16 clear, else
    RDX is an invalid operand, whatever RCX holds. RCX must be page aligned with no bit at or above
    the KeyID bits (invalid RCX), have a PAMT entry, which only pages of a TDMR's initialised GiBs
    have (address range error), and that entry must say the page is free (PT_NDA): a page of a
    reserved area (PT_RSVD) or a page the module already holds has the wrong metadata. Only then is
    the KeyID's state looked at: a KeyID another TD holds is not free.

    Scenario Outline: RCX <rcx>, RDX <rdx>
      When TDH.MNG.CREATE is called on CPU 0 with RCX = <rcx>, RDX = <rdx>
      Then the SEAMCALL returns <status>

      Examples: the KeyID, both sides of the private range
        | rcx    | rdx                              | status                                                                        |
        | page 1 | the first TD KeyID               | TDX_SUCCESS (0x0000000000000000)                                              |
        | page 1 | the last TD KeyID                | TDX_SUCCESS (0x0000000000000000)                                              |
        | page 1 | the last MKTME KeyID             | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |
        | page 1 | the last TD KeyID + 0x1          | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |
        | page 1 | the first TD KeyID + 0x10000     | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |

      Examples: the TDR page, after a good KeyID
        | rcx                                           | rdx                | status                                                                                 |
        | page 1 + 0x800                                | the first TD KeyID | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | page 1 + 0x8000000000000 (bit 51)             | the first TD KeyID | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | the end of the last TDMR                      | the first TD KeyID | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | the first page of the first TDMR's second GiB | the first TD KeyID | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | the first TDMR's first reserved page          | the first TD KeyID | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |

      Examples: a bad KeyID is reported before a bad page
        | rcx            | rdx                  | status                                                                        |
        | page 1 + 0x800 | the last MKTME KeyID | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |

    Scenario: A KeyID in use is not free; a page in use is refused before the KeyID is looked at
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 2, RDX = the first TD KeyID
      Then the SEAMCALL returns TDX_HKID_NOT_FREE (0xc000082000000000)
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the last TD KeyID
      Then the SEAMCALL returns TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)

  @req:host.module.td-keys @src:mod-mng-key-config-1501 @src:mod-mng-addcx-1501 @src:mod-err-1501
  Rule: A TD's key is configured once on each package; only then does it take control pages
    TDH.MNG.KEY.CONFIG programs the TD's key on the caller's package. A second call on a package
    that has the key completes with TDX_KEY_CONFIGURED (not an error: bit 63 clear). Once every
    package has it the TD's keys are configured, and TDH.MNG.KEY.CONFIG is refused for the TD's
    state. TDH.MNG.ADDCX checks the TDR in RDX first, then that the keys are configured, before it
    looks at the page in RCX.

    Scenario: Configured twice on one package
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      And TDH.MNG.KEY.CONFIG is called on the first CPU of package 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MNG.KEY.CONFIG is called on the first CPU of package 0 with RCX = page 1
      Then the SEAMCALL returns TDX_KEY_CONFIGURED (0x0000081500000000)

    Scenario: Configured on every package, the TD is past key configuration
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.KEY.CONFIG is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)

    Scenario: A page that is not a TDR
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      And TDH.MNG.KEY.CONFIG is called on CPU 0 with RCX = page 2
      Then the SEAMCALL returns TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)

    Scenario: Control pages before the keys are configured
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      And TDH.MNG.ADDCX is called on CPU 0 with RCX = page 2 + 0x800, RDX = page 1
      Then the SEAMCALL returns TDX_TD_KEYS_NOT_CONFIGURED (0x8000081000000000)

    Scenario: Control pages before the key is configured on the last package
      Given the platform has at least two packages
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      And TDH.MNG.KEY.CONFIG is called on the first CPU of package 0 with RCX = page 1
      And TDH.MNG.ADDCX is called on CPU 0 with RCX = page 2, RDX = page 1
      Then the SEAMCALL returns TDX_TD_KEYS_NOT_CONFIGURED (0x8000081000000000)

    Scenario Outline: TDH.MNG.ADDCX with RCX <rcx>, RDX <rdx>, the keys configured
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.ADDCX is called on CPU 0 with RCX = <rcx>, RDX = <rdx>
      Then the SEAMCALL returns <status>

      Examples:
        | rcx                                  | rdx            | status                                                                                 |
        | page 2                               | page 1         | TDX_SUCCESS (0x0000000000000000)                                                       |
        | page 2 + 0x800                       | page 1         | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | the end of the last TDMR             | page 1         | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | the first TDMR's first reserved page | page 1         | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |
        | page 1                               | page 1         | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |
        | page 2 + 0x800                       | page 3         | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2)  |
        | page 2                               | page 1 + 0x800 | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)          |

  @req:host.module.td-teardown @src:mod-mng-vpflushdone-1501 @src:mod-phymem-cache-wb-1501 @src:mod-key-freeid-1501 @src:mod-mng-key-config-1501 @src:mod-mng-create-1501 @src:mod-err-1501
  Rule: A TD's KeyID is freed only after TDH.MNG.VPFLUSHDONE and a cache write-back on every package
    TDH.MNG.VPFLUSHDONE takes a TD whose KeyID is assigned or whose keys are configured (and whose
    vCPUs are flushed) and blocks it: the KeyID now waits for TDH.PHYMEM.CACHE.WB on every package.
    TDH.MNG.KEY.FREEID takes only a blocked TD, and completes only when every package wrote the
    KeyID's cache lines back; then the KeyID is free for a new TD. TDH.PHYMEM.CACHE.WB takes 0
    (start) or 1 (resume a write-back that TDX_INTERRUPTED_RESUMABLE stopped, as KVM does) in RCX;
    with no KeyID waiting, a start has nothing to do, and a resume with nothing interrupted is
    refused.

    Scenario: The teardown in order, each step refused until its turn
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.KEY.FREEID is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)
      When TDH.PHYMEM.CACHE.WB is called on CPU 0 with RCX = 0x0
      Then the SEAMCALL returns TDX_NO_HKID_READY_TO_WBCACHE (0x0000082100000000)
      When TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)
      When TDH.MNG.KEY.FREEID is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_WBCACHE_NOT_COMPLETE (0x8000081700000000)
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 2, RDX = the first TD KeyID
      Then the SEAMCALL returns TDX_HKID_NOT_FREE (0xc000082000000000)
      When the caches are written back on the first CPU of every package
      And TDH.MNG.KEY.FREEID is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MNG.KEY.FREEID is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 2, RDX = the first TD KeyID
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)

    Scenario: A write-back on one package is not enough
      Given the platform has at least two packages
      And a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      And the caches are written back on the first CPU of package 0
      And TDH.MNG.KEY.FREEID is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_WBCACHE_NOT_COMPLETE (0x8000081700000000)

    Scenario: A TD whose key was never configured can be flushed, and no longer configured
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      And TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MNG.KEY.CONFIG is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)

    Scenario Outline: TDH.PHYMEM.CACHE.WB with RCX <rcx> while a KeyID waits
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      And TDH.PHYMEM.CACHE.WB is called on CPU 0 with RCX = <rcx>
      Then the SEAMCALL returns <status>

      Examples:
        | rcx                   | status                                                                        |
        | 0x1 (resume)          | TDX_WBCACHE_RESUME_ERROR (0xc000082300000000)                                 |
        | 0x2                   | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1) |
        | 0x8000000000000000    | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1) |

  @req:host.module.page-reclaim @src:mod-phymem-reclaim-1501 @src:mod-key-freeid-1501 @src:mod-pamt-manager-1501 @src:mod-err-1501
  Rule: TDH.PHYMEM.PAGE.RECLAIM gives back the pages of a torn-down TD, the TDR last
    RCX must be page aligned with no KeyID bits (invalid RCX) and have a PAMT entry (address range
    error); a free page or a reserved one cannot be reclaimed (wrong metadata). Past these checks
    RCX, RDX and R8 describe the page: its type (PT_TDR 4, PT_TDCX 5), the TDR of the TD that owns
    it (0 for the TDR itself) and its size (0: 4 KiB). A page is given back only once its TD's
    KeyID was freed (TDH.MNG.KEY.FREEID), and the TDR only after every other page of its TD.

    Scenario Outline: Reclaiming <rcx>, which holds nothing
      When TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = <rcx>
      Then the SEAMCALL returns <status>

      Examples:
        | rcx                                           | status                                                                                 |
        | page 1 + 0x800                                | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | page 1 + 0x8000000000000 (bit 51)             | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | the end of the last TDMR                      | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | the first page of the first TDMR's second GiB | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | page 1                                        | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |
        | the first TDMR's first reserved page          | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |

    Scenario: The pages of a TD whose KeyID is still assigned stay with the module
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.ADDCX is called on CPU 0 with RCX = page 2, RDX = page 1
      And TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = page 2
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)
      And the SEAMCALL's RCX is 0x5 (PT_TDCX)
      And the SEAMCALL's RDX is page 1
      When TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_LIFECYCLE_STATE_INCORRECT (0xc000060700000000)

    Scenario: After TDH.MNG.KEY.FREEID, the control page first, then the TDR
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      When TDH.MNG.ADDCX is called on CPU 0 with RCX = page 2, RDX = page 1
      And TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      And the caches are written back on the first CPU of every package
      And TDH.MNG.KEY.FREEID is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_TD_ASSOCIATED_PAGES_EXIST (0xc000040000000000)
      When TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = page 2
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      And the SEAMCALL's RCX is 0x5 (PT_TDCX)
      And the SEAMCALL's RDX is page 1
      And the SEAMCALL's R8 is 0x0 (4 KiB)
      When TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      And the SEAMCALL's RCX is 0x4 (PT_TDR)
      And the SEAMCALL's RDX is 0x0
      And the SEAMCALL's R8 is 0x0 (4 KiB)
      When TDH.PHYMEM.PAGE.RECLAIM is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)

  @req:host.module.page-wbinvd @src:mod-phymem-wbinvd-1501 @src:mod-helpers-1501 @src:mod-pamt-manager-1501 @src:mod-err-1501
  Rule: TDH.PHYMEM.PAGE.WBINVD writes back a free page of a TDMR
    RCX is the page with the KeyID its cache lines carry; the module drops the KeyID bits, then
    checks the page as it checks any page operand, expecting a free page (PT_NDA): page aligned,
    with a PAMT entry, not reserved and not held by a TD.

    Scenario Outline: TDH.PHYMEM.PAGE.WBINVD of <rcx>
      When TDH.MNG.CREATE is called on CPU 0 with RCX = page 1, RDX = the first TD KeyID
      And TDH.PHYMEM.PAGE.WBINVD is called on CPU 0 with RCX = <rcx>
      Then the SEAMCALL returns <status>

      Examples:
        | rcx                                           | status                                                                                 |
        | page 2                                        | TDX_SUCCESS (0x0000000000000000)                                                       |
        | page 2 + 0x40                                 | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | the end of the last TDMR                      | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | the first page of the first TDMR's second GiB | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | the first TDMR's first reserved page          | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |
        | page 1 (the TDR)                              | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |

  @req:host.module.td-build-state @src:mod-helpers-1501 @src:mod-op-state-lookup-1501 @src:mod-metadata-sys-1501 @src:mod-vp-create-1501 @src:mod-mem-sept-add-1501 @src:mod-mem-page-add-1501 @src:mod-mem-page-aug-1501 @src:mod-mem-range-block-1501 @src:mod-mem-page-remove-1501 @src:mod-mr-extend-1501 @src:mod-mem-track-1501 @src:mod-mr-finalize-1501 @src:kvm-mod-mng-init-15 @src:mod-err-1501
  Rule: The leaves that build and run a TD check its TDR, then its build state, before their other operands
    After the TDR operand, each of these leaves checks the TD's state, in this order: its key
    configured on every package (TDX_TD_KEYS_NOT_CONFIGURED), as many TDCS pages added as the
    module's TDCS_BASE_SIZE field asks for (TDX_TDCS_NOT_ALLOCATED), and an operation state that
    allows the leaf (TDX_OP_STATE_INCORRECT). Before TDH.MNG.INIT only TDH.MNG.INIT (and
    TDH.MNG.ADDCX) is allowed. Only then are the other operands looked at, so the malformed ones
    below (an unaligned GPA or page) are never reported. TDH.MNG.INIT itself then checks that its
    TD_PARAMS address in RDX is 1024-byte aligned.

    Scenario Outline: <leaf> on a TD whose key is not configured
      Given a TD created on page 1 with the first TD KeyID
      When <leaf> is called on CPU 0 with <operands>
      Then the SEAMCALL returns TDX_TD_KEYS_NOT_CONFIGURED (0x8000081000000000)

      Examples:
        | leaf                | operands                                                                  |
        | TDH.VP.CREATE       | RCX = page 1 + 0x800, RDX = page 1                                        |
        | TDH.MEM.SEPT.ADD    | RCX = 0x801, RDX = page 1, R8 = page 1 + 0x800                            |
        | TDH.MEM.PAGE.ADD    | RCX = 0x800, RDX = page 1, R8 = page 1 + 0x800, R9 = 0x800                |
        | TDH.MEM.PAGE.AUG    | RCX = 0x800, RDX = page 1, R8 = page 1 + 0x800                            |
        | TDH.MEM.RANGE.BLOCK | RCX = 0x800, RDX = page 1                                                 |
        | TDH.MEM.PAGE.REMOVE | RCX = 0x800, RDX = page 1                                                 |
        | TDH.MR.EXTEND       | RCX = 0x80, RDX = page 1                                                  |
        | TDH.MEM.TRACK       | RCX = page 1                                                              |
        | TDH.MR.FINALIZE     | RCX = page 1                                                              |
        | TDH.MNG.INIT        | RCX = page 1, RDX = page 9 + 0x200                                        |

    Scenario Outline: <leaf> with a TDCS page where its TDR belongs
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      And the TD on page 1 has all of the TDCS pages TDCS_BASE_SIZE (0x9800000100000100) asks for, from page 2 on
      When <leaf> is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | leaf                | operands                                                   | status                                                                                |
        | TDH.VP.CREATE       | RCX = page 10, RDX = page 2                                | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MEM.SEPT.ADD    | RCX = 0x3, RDX = page 2, R8 = page 10                      | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MEM.PAGE.ADD    | RCX = 0x0, RDX = page 2, R8 = page 10, R9 = page 11        | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MEM.PAGE.AUG    | RCX = 0x0, RDX = page 2, R8 = page 10                      | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MEM.RANGE.BLOCK | RCX = 0x0, RDX = page 2                                    | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MEM.PAGE.REMOVE | RCX = 0x0, RDX = page 2                                    | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MR.EXTEND       | RCX = 0x0, RDX = page 2                                    | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2) |
        | TDH.MEM.TRACK       | RCX = page 2                                               | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1) |
        | TDH.MR.FINALIZE     | RCX = page 2                                               | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1) |
        | TDH.MNG.INIT        | RCX = page 2, RDX = page 9 + 0x200                         | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1) |

    Scenario Outline: <leaf> on a TD with a TDCS page missing
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      And the TD on page 1 has all but one of the TDCS pages TDCS_BASE_SIZE (0x9800000100000100) asks for, from page 2 on
      When <leaf> is called on CPU 0 with <operands>
      Then the SEAMCALL returns TDX_TDCS_NOT_ALLOCATED (0xc000060600000000)

      Examples:
        | leaf                | operands                                                                  |
        | TDH.VP.CREATE       | RCX = page 1 + 0x800, RDX = page 1                                        |
        | TDH.MEM.SEPT.ADD    | RCX = 0x801, RDX = page 1, R8 = page 1 + 0x800                            |
        | TDH.MEM.PAGE.ADD    | RCX = 0x800, RDX = page 1, R8 = page 1 + 0x800, R9 = 0x800                |
        | TDH.MEM.PAGE.AUG    | RCX = 0x800, RDX = page 1, R8 = page 1 + 0x800                            |
        | TDH.MEM.RANGE.BLOCK | RCX = 0x800, RDX = page 1                                                 |
        | TDH.MEM.PAGE.REMOVE | RCX = 0x800, RDX = page 1                                                 |
        | TDH.MR.EXTEND       | RCX = 0x80, RDX = page 1                                                  |
        | TDH.MEM.TRACK       | RCX = page 1                                                              |
        | TDH.MR.FINALIZE     | RCX = page 1                                                              |
        | TDH.MNG.INIT        | RCX = page 1, RDX = page 9 + 0x200                                        |

    Scenario Outline: <leaf> before TDH.MNG.INIT
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      And the TD on page 1 has all of the TDCS pages TDCS_BASE_SIZE (0x9800000100000100) asks for, from page 2 on
      When <leaf> is called on CPU 0 with <operands>
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)

      Examples:
        | leaf                | operands                                                                  |
        | TDH.VP.CREATE       | RCX = page 1 + 0x800, RDX = page 1                                        |
        | TDH.MEM.SEPT.ADD    | RCX = 0x801, RDX = page 1, R8 = page 1 + 0x800                            |
        | TDH.MEM.PAGE.ADD    | RCX = 0x800, RDX = page 1, R8 = page 1 + 0x800, R9 = 0x800                |
        | TDH.MEM.PAGE.AUG    | RCX = 0x800, RDX = page 1, R8 = page 1 + 0x800                            |
        | TDH.MEM.RANGE.BLOCK | RCX = 0x800, RDX = page 1                                                 |
        | TDH.MEM.PAGE.REMOVE | RCX = 0x800, RDX = page 1                                                 |
        | TDH.MR.EXTEND       | RCX = 0x80, RDX = page 1                                                  |
        | TDH.MEM.TRACK       | RCX = page 1                                                              |
        | TDH.MR.FINALIZE     | RCX = page 1                                                              |

    Scenario: TDH.MNG.INIT with its TDCS, and TD_PARAMS 512 bytes into a page
      Given a TD created on page 1 with the first TD KeyID, its key configured on every package
      And the TD on page 1 has all of the TDCS pages TDCS_BASE_SIZE (0x9800000100000100) asks for, from page 2 on
      When TDH.MNG.INIT is called on CPU 0 with RCX = page 1, RDX = page 9 + 0x200
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)
