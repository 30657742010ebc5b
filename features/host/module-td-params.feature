@host @needs:host.seamcall @module:>=1.5 @module:<2.0
Feature: TDH.MNG.INIT and the TD_PARAMS it reads, called directly
  TDH.MNG.INIT takes a TD whose keys are configured and whose TDCS pages are added (RCX: its TDR)
  and a TD_PARAMS structure in memory (RDX: its address, 1024-byte aligned) that sets the TD's
  attributes, extended-state features, vCPU limit, secure EPT, virtual TSC frequency and the
  CPUID values the VMM may choose. KVM builds TD_PARAMS from its own checked arguments, so a wrong
  field only reaches the module when called directly. Here the TD_PARAMS is written in memory for
  the call and one field at a time is made wrong, to check the status and the operand id the
  module reports, and, where two fields are wrong, which one it reports first. The handler was read
  in module 1.5.01. Pages are named as in the TD leaves feature ("page 1" is the first page of the
  kernel's first TDMR that no reserved area covers). A real machine cannot issue raw SEAMCALLs:
  there these scenarios are skipped.

  Background:
    Given a TDX host
    And the kernel leaves the TDX module untouched
    And the module is ready with the TDMRs the kernel would build
    And TDH.SYS.TDMR.INIT has initialised the first GiB of the first TDMR on CPU 0
    And the module's CPUID_CONFIG slots are read from NUM_CPUID_CONFIG (0x9900000100000004) and CPUID_CONFIG_LEAVES (0x9900000300000400)
    And the TD_PARAMS to pass are, every other field and CPUID_CONFIG value zero:
      | ATTRIBUTES    | 0x0                         |
      | XFAM          | 0x3 (x87, SSE)              |
      | MAX_VCPUS     | 1                           |
      | EPTP_CONTROLS | 0x1e (write-back, 4 levels) |
      | CONFIG_FLAGS  | 0x0                         |
      | TSC_FREQUENCY | 100 (2.5 GHz)               |
    And a TD created on page 1 with the first TD KeyID, its key configured on every package
    And the TD on page 1 has all of the TDCS pages TDCS_BASE_SIZE (0x9800000100000100) asks for, from page 2 on

  @req:host.module.td-params @src:mod-mng-init-1501 @src:mod-helpers-1501 @src:mod-api-1501 @src:mod-td-ctrl-h-1501 @src:mod-cpuid-config-1501 @src:mod-x86-defs-1501 @src:mod-gsys-h-1501 @src:mod-sys-init-1501 @src:mod-err-1501
  Rule: TDH.MNG.INIT checks each TD_PARAMS field in turn and names the first wrong one
    In this order: ATTRIBUTES (only bits ATTRIBUTES_FIXED0 allows, 0x8000000070000001 in 1.5.01:
    DEBUG 0, SEPT_VE_DISABLE 28, MIGRATABLE 29, PKS 30, PERFMON 63; a migratable TD neither DEBUG
    nor PERFMON); XFAM (x87 and SSE set, nothing outside 0x6dbe7 nor the CPU's, AVX-512's three
    components together and with AVX, CET's two together, AMX's two together); MAX_VCPUS (not 0);
    NUM_L2_VMS (at most 3); then, without an operand id, that the TD has the TDCS pages of its L2
    VMs too; the first reserved bytes (reported as RDX); CONFIG_FLAGS (bits 2:0 only);
    EPTP_CONTROLS (write-back, 4 or 5 levels, no A/D or shadow-stack control, reserved bits and root
    address zero, 5 levels when CONFIG_FLAGS asks for a 52-bit GPA); TSC_FREQUENCY (4 to 400, in
    units of 25 MHz); the other reserved bytes and MSR_CONFIG_CTLS bits 7:1 (RDX); then each CPUID
    value, which may set only bits the module lets the VMM configure: a wrong one is reported as
    CPUID_CONFIG with its leaf (bits 31:0) and sub-leaf (63:32, all ones for none) in RCX; last the
    reserved bytes after the CPUID values. RCX is 0 unless a CPUID value is wrong.

    Scenario Outline: TD_PARAMS with <changes>
      When TDH.MNG.INIT is called on CPU 0 for the TD on page 1 with those TD_PARAMS and <changes>
      Then the SEAMCALL returns <status>
      And the SEAMCALL's RCX is <rcx>

      Examples: well-formed
        | changes                                 | status                           | rcx |
        | nothing changed                         | TDX_SUCCESS (0x0000000000000000) | 0x0 |
        | ATTRIBUTES 0x1 (DEBUG)                  | TDX_SUCCESS (0x0000000000000000) | 0x0 |
        | CONFIG_FLAGS 0x4 (NO_RBP_MOD)           | TDX_SUCCESS (0x0000000000000000) | 0x0 |
        | TSC_FREQUENCY 4                         | TDX_SUCCESS (0x0000000000000000) | 0x0 |
        | TSC_FREQUENCY 400                       | TDX_SUCCESS (0x0000000000000000) | 0x0 |
        | CPUID_CONFIG of leaf 0x1 ECX 0x8 (MONITOR) | TDX_SUCCESS (0x0000000000000000) | 0x0 |

      Examples: ATTRIBUTES, XFAM, MAX_VCPUS, NUM_L2_VMS
        | changes                                          | status                                                                               | rcx |
        | ATTRIBUTES 0x2                                   | TDX_OPERAND_INVALID (0xc000010000000040), whose low bits name operand ATTRIBUTES (64) | 0x0 |
        | ATTRIBUTES 0x100000000                           | TDX_OPERAND_INVALID (0xc000010000000040), whose low bits name operand ATTRIBUTES (64) | 0x0 |
        | ATTRIBUTES 0x20000001 (MIGRATABLE, DEBUG)        | TDX_OPERAND_INVALID (0xc000010000000040), whose low bits name operand ATTRIBUTES (64) | 0x0 |
        | ATTRIBUTES 0x8000000020000000 (PERFMON, MIGRATABLE) | TDX_OPERAND_INVALID (0xc000010000000040), whose low bits name operand ATTRIBUTES (64) | 0x0 |
        | XFAM 0x1 (no SSE)                                | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0xb (MPX BNDREGS)                           | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0xe3 (AVX-512 without AVX)                  | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0x67 (AVX-512 without Hi16_ZMM)             | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0xa7 (AVX-512 without ZMM_Hi256)            | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0x803 (CET user state only)                 | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0x1003 (CET supervisor state only)          | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0x20003 (AMX TILECFG only)                  | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | XFAM 0x40003 (AMX TILEDATA only)                 | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)       | 0x0 |
        | MAX_VCPUS 0                                      | TDX_OPERAND_INVALID (0xc000010000000044), whose low bits name operand MAX_VCPUS (68)  | 0x0 |
        | NUM_L2_VMS 4                                     | TDX_OPERAND_INVALID (0xc000010000000047), whose low bits name operand NUM_L2_VMS (71) | 0x0 |
        | NUM_L2_VMS 3                                     | TDX_TDCS_NOT_ALLOCATED (0xc000060600000000)                                          | 0x0 |
        | NUM_L2_VMS 1                                     | TDX_TDCS_NOT_ALLOCATED (0xc000060600000000)                                          | 0x0 |

      Examples: reserved bytes, CONFIG_FLAGS, EPTP_CONTROLS, TSC_FREQUENCY
        | changes                                       | status                                                                                   | rcx |
        | RESERVED_0 not zero                           | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0 |
        | CONFIG_FLAGS 0x8                              | TDX_OPERAND_INVALID (0xc000010000000042), whose low bits name operand EXEC_CONTROLS (66)  | 0x0 |
        | EPTP_CONTROLS 0x18 (uncacheable)              | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x16 (3 levels)                 | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x2e (6 levels)                 | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x5e (A/D flags)                | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x9e (shadow-stack control)     | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x11e (bit 8)                   | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x101e (a root address)         | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | EPTP_CONTROLS 0x100000000000001e (bit 60)     | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | CONFIG_FLAGS 0x1 (GPAW 52)                    | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0 |
        | TSC_FREQUENCY 3                               | TDX_OPERAND_INVALID (0xc000010000000046), whose low bits name operand TSC_FREQUENCY (70)  | 0x0 |
        | TSC_FREQUENCY 401                             | TDX_OPERAND_INVALID (0xc000010000000046), whose low bits name operand TSC_FREQUENCY (70)  | 0x0 |
        | RESERVED_1 not zero                           | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0 |
        | MSR_CONFIG_CTLS 0x2                           | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0 |
        | MSR_CONFIG_CTLS 0x80                          | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0 |
        | RESERVED_2 not zero                           | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0 |
        | RESERVED_3 not zero                           | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0 |

      Examples: CPUID values
        | changes                                             | status                                                                                 | rcx                |
        | CPUID_CONFIG of leaf 0x1 EDX 0x1 (FPU)              | TDX_OPERAND_INVALID (0xc000010000000045), whose low bits name operand CPUID_CONFIG (69) | 0xffffffff00000001 |
        | CPUID_CONFIG of leaf 0x7 sub-leaf 0x0 EAX 0x1       | TDX_OPERAND_INVALID (0xc000010000000045), whose low bits name operand CPUID_CONFIG (69) | 0x7                |

      Examples: two fields wrong, the first in the module's order reported
        | changes                                                          | status                                                                                   | rcx                |
        | ATTRIBUTES 0x2 and XFAM 0x1                                      | TDX_OPERAND_INVALID (0xc000010000000040), whose low bits name operand ATTRIBUTES (64)    | 0x0                |
        | XFAM 0x1 and MAX_VCPUS 0                                         | TDX_OPERAND_INVALID (0xc000010000000041), whose low bits name operand XFAM (65)          | 0x0                |
        | MAX_VCPUS 0 and NUM_L2_VMS 4                                     | TDX_OPERAND_INVALID (0xc000010000000044), whose low bits name operand MAX_VCPUS (68)     | 0x0                |
        | NUM_L2_VMS 1 and RESERVED_0 not zero                             | TDX_TDCS_NOT_ALLOCATED (0xc000060600000000)                                              | 0x0                |
        | RESERVED_0 not zero and CONFIG_FLAGS 0x8                         | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0                |
        | CONFIG_FLAGS 0x8 and EPTP_CONTROLS 0x18                          | TDX_OPERAND_INVALID (0xc000010000000042), whose low bits name operand EXEC_CONTROLS (66)  | 0x0                |
        | EPTP_CONTROLS 0x18 and TSC_FREQUENCY 3                           | TDX_OPERAND_INVALID (0xc000010000000043), whose low bits name operand EPTP_CONTROLS (67)  | 0x0                |
        | TSC_FREQUENCY 401 and RESERVED_1 not zero                        | TDX_OPERAND_INVALID (0xc000010000000046), whose low bits name operand TSC_FREQUENCY (70)  | 0x0                |
        | RESERVED_2 not zero and CPUID_CONFIG of leaf 0x1 EDX 0x1         | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)            | 0x0                |
        | CPUID_CONFIG of leaf 0x1 EDX 0x1 and RESERVED_3 not zero         | TDX_OPERAND_INVALID (0xc000010000000045), whose low bits name operand CPUID_CONFIG (69)   | 0xffffffff00000001 |
        | CPUID_CONFIG of leaf 0x7 sub-leaf 0x0 EAX 0x1 and CPUID_CONFIG of leaf 0x1 EDX 0x1 | TDX_OPERAND_INVALID (0xc000010000000045), whose low bits name operand CPUID_CONFIG (69) | 0xffffffff00000001 |

    Scenario: TDH.MNG.INIT once only
      When TDH.MNG.INIT is called on CPU 0 for the TD on page 1 with those TD_PARAMS and nothing changed
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MNG.INIT is called on CPU 0 for the TD on page 1 with those TD_PARAMS and nothing changed
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)

  @req:host.module.td-vcpus @src:mod-vp-create-1501 @src:mod-vp-addcx-1501 @src:mod-vp-init-1501 @src:mod-mr-finalize-1501 @src:mod-helpers-1501 @src:mod-tdvps-h-1501 @src:mod-op-state-lookup-1501 @src:mod-gsys-h-1501 @src:mod-err-1501
  Rule: After TDH.MNG.INIT a TD takes vCPUs, and TDH.MR.FINALIZE needs one initialised
    TDH.VP.CREATE checks the TDR in RDX, then the TD's state, then the free page in RCX that becomes
    the vCPU's TDVPR. TDH.VP.ADDCX checks the TDVPR in RDX, the TD's state, that the vCPU is not yet
    initialised (TDX_VCPU_STATE_INCORRECT) and has fewer than 15 TDVPS pages (the TDVPR and 14 TDCX
    pages; more: TDX_TDCX_NUM_INCORRECT), and only then the free page in RCX. TDH.VP.INIT checks the
    TDVPR in RCX, the TD's state, that the vCPU has the TDVPS pages TDVPS_BASE_SIZE asks for
    (TDX_TDCX_NUM_INCORRECT), that it is not initialised yet, and that the TD has fewer initialised
    vCPUs than its MAX_VCPUS (TDX_MAX_VCPUS_EXCEEDED). TDH.MR.FINALIZE refuses a TD with no
    initialised vCPU (TDX_NO_VCPUS); once it succeeds the TD runs, and none of these leaves, nor
    TDH.MNG.INIT, is allowed any more (TDX_OP_STATE_INCORRECT).

    Scenario Outline: TDH.VP.CREATE with <operands>
      Given the TD on page 1 is initialised with those TD_PARAMS
      When TDH.VP.CREATE is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | operands                                     | status                                                                                 |
        | RCX = page 10, RDX = page 1                  | TDX_SUCCESS (0x0000000000000000)                                                       |
        | RCX = page 10 + 0x800, RDX = page 1          | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = the end of the last TDMR, RDX = page 1 | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | RCX = page 2, RDX = page 1                   | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |
        | RCX = page 10, RDX = page 2                  | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2)  |
        | RCX = page 10 + 0x800, RDX = page 1 + 0x800  | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)          |

    Scenario Outline: TDH.VP.ADDCX with <operands>
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has a vCPU on page 10 with all but one of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      When TDH.VP.ADDCX is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | operands                                      | status                                                                                 |
        | RCX = page 30, RDX = page 10                  | TDX_SUCCESS (0x0000000000000000)                                                       |
        | RCX = page 30 + 0x800, RDX = page 10          | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = the end of the last TDMR, RDX = page 10 | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000001), whose low bits name operand RCX (1) |
        | RCX = page 11, RDX = page 10                  | TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)  |
        | RCX = page 30, RDX = page 1                   | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2)  |
        | RCX = page 30, RDX = page 31                  | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2)  |
        | RCX = page 30 + 0x800, RDX = page 10 + 0x800  | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2)          |

    Scenario: TDH.VP.INIT needs every TDCX page, and initialises a vCPU once
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has a vCPU on page 10 with all but one of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_TDCX_NUM_INCORRECT (0xc000061000000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)
      When TDH.VP.ADDCX is called on CPU 0 with RCX = page 30, RDX = page 10
      And TDH.VP.INIT is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_VCPU_STATE_INCORRECT (0xc000070000000000)
      When TDH.VP.ADDCX is called on CPU 0 with RCX = page 31 + 0x800, RDX = page 10
      Then the SEAMCALL returns TDX_VCPU_STATE_INCORRECT (0xc000070000000000)

    Scenario: A vCPU takes 14 TDCX pages, not 15; more than TDVPS_BASE_SIZE asks for is no harm
      Given the TD on page 1 is initialised with those TD_PARAMS
      When TDH.VP.CREATE is called on CPU 0 with RCX = page 10, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      Given the vCPU on page 10 has 14 TDCX pages added, from page 11 on
      When TDH.VP.ADDCX is called on CPU 0 with RCX = page 30 + 0x800, RDX = page 10
      Then the SEAMCALL returns TDX_TDCX_NUM_INCORRECT (0xc000061000000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)

    Scenario Outline: MAX_VCPUS <max> and two vCPUs
      Given the TD on page 1 is initialised with those TD_PARAMS and MAX_VCPUS <max>
      And the TD on page 1 has a vCPU on page 10 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      And the TD on page 1 has a vCPU on page 20 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 21 on
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 20
      Then the SEAMCALL returns <second>

      Examples:
        | max | second                                      |
        | 1   | TDX_MAX_VCPUS_EXCEEDED (0xc000070500000000) |
        | 2   | TDX_SUCCESS (0x0000000000000000)            |

    Scenario: TDH.MR.FINALIZE after the first TDH.VP.INIT, then the build leaves are refused
      Given the TD on page 1 is initialised with those TD_PARAMS
      When TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_NO_VCPUS (0xc000060900000000)
      Given the TD on page 1 has a vCPU on page 10 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      When TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_NO_VCPUS (0xc000060900000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      And TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.VP.CREATE is called on CPU 0 with RCX = page 20, RDX = page 1
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.VP.ADDCX is called on CPU 0 with RCX = page 20, RDX = page 10
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.MNG.INIT is called on CPU 0 for the TD on page 1 with those TD_PARAMS and nothing changed
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)

  @req:host.module.td-memory-build @src:mod-mem-sept-add-1501 @src:mod-mem-page-add-1501 @src:mod-mem-page-aug-1501 @src:mod-mr-extend-1501 @src:mod-mr-finalize-1501 @src:mod-helpers-1501 @src:mod-helpers-h-1501 @src:mod-api-1501 @src:mod-op-state-lookup-1501 @src:mod-err-1501
  Rule: After TDH.MNG.INIT the initial image is built under the secure EPT, checked operand by operand
    RCX of TDH.MEM.SEPT.ADD and TDH.MEM.PAGE.ADD holds a GPA (bits 51:12) and an EPT level (bits
    2:0); the other bits are reserved. Both leaves check the TDR in RDX and the TD's state first. Then
    TDH.MEM.SEPT.ADD takes levels 1 to 3 of a 4-level EPT, a GPA aligned to the level, below 2^48 and
    private (bit 47, the shared bit, clear); the walk must reach the entry (TDX_EPT_WALK_FAILED), the
    entry must be free (TDX_EPT_ENTRY_STATE_INCORRECT), and only then the new page in R8 is looked
    at. TDH.MEM.PAGE.ADD takes level 0 only, the same GPA checks, a walk down to level 1 and a free
    entry, then checks the source page in R9 (4 KiB aligned) before the TD page in R8. TDH.MR.EXTEND
    measures 256 bytes of a private GPA that a page maps; a GPA no page maps is
    TDX_EPT_ENTRY_NOT_PRESENT. TDH.MEM.PAGE.AUG, allowed already before TDH.MR.FINALIZE, takes levels
    0 and 1 with the same GPA checks, a reachable and free entry. After TDH.MR.FINALIZE, TDH.MEM.PAGE.ADD and TDH.MR.EXTEND are refused
    (TDX_OP_STATE_INCORRECT) while TDH.MEM.SEPT.ADD is still allowed.

    Scenario Outline: TDH.MEM.SEPT.ADD with <operands>
      Given the TD on page 1 is initialised with those TD_PARAMS
      When TDH.MEM.SEPT.ADD is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | operands                                                      | status                                                                                 |
        | RCX = 0x3, RDX = page 1, R8 = page 30                         | TDX_SUCCESS (0x0000000000000000)                                                       |
        | RCX = 0x4, RDX = page 1, R8 = page 30                         | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x0, RDX = page 1, R8 = page 30                         | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x40000003, RDX = page 1, R8 = page 30                  | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x13, RDX = page 1, R8 = page 30                        | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x10000000000003, RDX = page 1, R8 = page 30            | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x800000000003, RDX = page 1, R8 = page 30              | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x1000000000003, RDX = page 1, R8 = page 30             | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x1, RDX = page 1, R8 = page 30                         | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x1, RDX = page 1, R8 = page 30 + 0x800                 | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x3, RDX = page 1, R8 = page 30 + 0x800                 | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8)           |
        | RCX = 0x3, RDX = page 1, R8 = the end of the last TDMR        | TDX_OPERAND_ADDR_RANGE_ERROR (0xc000010100000008), whose low bits name operand R8 (8)  |
        | RCX = 0x3, RDX = page 1, R8 = page 1                          | TDX_PAGE_METADATA_INCORRECT (0xc000030000000008), whose low bits name operand R8 (8)   |
        | RCX = 0x4, RDX = page 2, R8 = page 30                         | TDX_PAGE_METADATA_INCORRECT (0xc000030000000002), whose low bits name operand RDX (2)  |

    Scenario Outline: TDH.MEM.PAGE.ADD with <operands>
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has the S-EPT pages of GPA 0x0 from level 3 down to level 1, from page 30 on
      When TDH.MEM.PAGE.ADD is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | operands                                                        | status                                                                                 |
        | RCX = 0x1000, RDX = page 1, R8 = page 33, R9 = page 40          | TDX_SUCCESS (0x0000000000000000)                                                       |
        | RCX = 0x200001, RDX = page 1, R8 = page 33, R9 = page 40        | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x1800, RDX = page 1, R8 = page 33, R9 = page 40          | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x800000001000, RDX = page 1, R8 = page 33, R9 = page 40  | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x40000000, RDX = page 1, R8 = page 33, R9 = page 40      | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x40000000, RDX = page 1, R8 = page 33, R9 = page 40 + 0x800 | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)       |
        | RCX = 0x1000, RDX = page 1, R8 = page 33, R9 = page 40 + 0x800  | TDX_OPERAND_INVALID (0xc000010000000009), whose low bits name operand R9 (9)           |
        | RCX = 0x1000, RDX = page 1, R8 = page 33 + 0x800, R9 = page 40 + 0x800 | TDX_OPERAND_INVALID (0xc000010000000009), whose low bits name operand R9 (9)    |
        | RCX = 0x1000, RDX = page 1, R8 = page 33 + 0x800, R9 = page 40  | TDX_OPERAND_INVALID (0xc000010000000008), whose low bits name operand R8 (8)           |
        | RCX = 0x1000, RDX = page 1, R8 = page 30, R9 = page 40          | TDX_PAGE_METADATA_INCORRECT (0xc000030000000008), whose low bits name operand R8 (8)   |
        | RCX = 0x1000, RDX = page 1, R8 = page 1, R9 = page 40           | TDX_PAGE_METADATA_INCORRECT (0xc000030000000008), whose low bits name operand R8 (8)   |

    Scenario: A table added once, a page added once, then measured
      Given the TD on page 1 is initialised with those TD_PARAMS
      When TDH.MEM.SEPT.ADD is called on CPU 0 with RCX = 0x3, RDX = page 1, R8 = page 30
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.SEPT.ADD is called on CPU 0 with RCX = 0x3, RDX = page 1, R8 = page 31 + 0x800
      Then the SEAMCALL returns TDX_EPT_ENTRY_STATE_INCORRECT (0xc0000b0d00000001), whose low bits name operand RCX (1)
      When TDH.MEM.SEPT.ADD is called on CPU 0 with RCX = 0x2, RDX = page 1, R8 = page 31
      And TDH.MEM.SEPT.ADD is called on CPU 0 with RCX = 0x1, RDX = page 1, R8 = page 32
      And TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 34 + 0x800, R9 = page 40
      Then the SEAMCALL returns TDX_EPT_ENTRY_STATE_INCORRECT (0xc0000b0d00000001), whose low bits name operand RCX (1)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0xf00, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x80, RDX = page 1
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x800000000000, RDX = page 1
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x1000, RDX = page 1
      Then the SEAMCALL returns TDX_EPT_ENTRY_NOT_PRESENT (0xc0000b0300000001), whose low bits name operand RCX (1)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x40000000, RDX = page 1
      Then the SEAMCALL returns TDX_EPT_ENTRY_NOT_PRESENT (0xc0000b0300000001), whose low bits name operand RCX (1)

    Scenario Outline: TDH.MEM.PAGE.AUG before TDH.MR.FINALIZE with <operands>
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has the S-EPT pages of GPA 0x0 from level 3 down to level 1, from page 30 on
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      And TDH.MEM.PAGE.AUG is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | operands                                       | status                                                                                 |
        | RCX = 0x1000, RDX = page 1, R8 = page 34       | TDX_SUCCESS (0x0000000000000000)                                                       |
        | RCX = 0x0, RDX = page 1, R8 = page 34          | TDX_EPT_ENTRY_STATE_INCORRECT (0xc0000b0d00000001), whose low bits name operand RCX (1) |
        | RCX = 0x40000000, RDX = page 1, R8 = page 34   | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x2, RDX = page 1, R8 = page 34          | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x1800, RDX = page 1, R8 = page 34       | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)          |
        | RCX = 0x800000001000, RDX = page 1, R8 = page 34 | TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)        |

    Scenario: After TDH.MR.FINALIZE the image is closed, the S-EPT is not
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has the S-EPT pages of GPA 0x0 from level 3 down to level 1, from page 30 on
      And the TD on page 1 has a vCPU on page 10 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      And TDH.VP.INIT is called on CPU 0 with RCX = page 10
      And TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x1000, RDX = page 1, R8 = page 34, R9 = page 40
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.MEM.SEPT.ADD is called on CPU 0 with RCX = 0x200001, RDX = page 1, R8 = page 35
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)

  @req:host.module.vp-flush @src:mod-vp-flush-1501 @src:mod-vp-init-1501 @src:mod-helpers-1501 @src:mod-mng-vpflushdone-1501 @src:mod-err-1501
  Rule: TDH.VP.FLUSH flushes a vCPU only on the logical processor it is associated with
    TDH.VP.FLUSH checks the TDVPR in RCX, that the TD's keys are configured, that the vCPU has its
    TDVPS pages (TDX_TDCX_NUM_INCORRECT), and that it is associated with the calling logical
    processor: TDH.VP.INIT associates it with the one that initialised it, and a flush ends the
    association. A vCPU never initialised, already flushed, or associated with another logical
    processor is not associated (TDX_VCPU_NOT_ASSOCIATED, not an error: bit 63 clear). While a vCPU
    is associated TDH.MNG.VPFLUSHDONE refuses the TD (TDX_FLUSHVP_NOT_DONE); once it has blocked the
    TD the keys are no longer configured for TDH.VP.FLUSH.

    Scenario: TDH.VP.FLUSH before and after TDH.VP.INIT, on the right and the wrong CPU
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has a vCPU on page 10 with all but one of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      When TDH.VP.FLUSH is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_TDCX_NUM_INCORRECT (0xc000061000000000)
      When TDH.VP.ADDCX is called on CPU 0 with RCX = page 30, RDX = page 10
      And TDH.VP.FLUSH is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_VCPU_NOT_ASSOCIATED (0x8000070200000000)
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      And TDH.VP.FLUSH is called on CPU 1 with RCX = page 10
      Then the SEAMCALL returns TDX_VCPU_NOT_ASSOCIATED (0x8000070200000000)
      When TDH.VP.FLUSH is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)
      When TDH.VP.FLUSH is called on CPU 0 with RCX = page 10 + 0x800
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)
      When TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_FLUSHVP_NOT_DONE (0x8000082400000000)
      When TDH.VP.FLUSH is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.VP.FLUSH is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_VCPU_NOT_ASSOCIATED (0x8000070200000000)
      When TDH.MNG.VPFLUSHDONE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.VP.FLUSH is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_TD_KEYS_NOT_CONFIGURED (0x8000081000000000)

  @req:host.module.td-page-remove @src:mod-mem-range-block-1501 @src:mod-mem-page-remove-1501 @src:mod-mem-track-1501 @src:mod-mr-extend-1501 @src:mod-sept-state-lookup-1501 @src:mod-op-state-lookup-1501 @src:mod-helpers-h-1501 @src:mod-err-1501
  Rule: While the image is built a page leaves at once; once the TD can run, only blocked and tracked
    TDH.MEM.RANGE.BLOCK blocks a mapped leaf; a blocked one is already blocked (a warning, bit 63
    clear, naming RCX) and a free entry is in the wrong state; for both leaves an entry the walk does
    not reach is TDX_EPT_WALK_FAILED, and TDH.MEM.PAGE.REMOVE refuses an entry that maps a table, not
    a page (TDX_EPT_ENTRY_STATE_INCORRECT). A blocked page is not present for
    TDH.MR.EXTEND. Before TDH.MR.FINALIZE, TDH.MEM.PAGE.REMOVE takes a mapped or a blocked page at
    once. Once the TD is runnable a mapped page must first be blocked (TDX_GPA_RANGE_NOT_BLOCKED) and
    then TDH.MEM.TRACK must start a new TLB epoch after the block (TDX_TLB_TRACKING_NOT_DONE).

    Scenario: Blocking and removing while the image is built
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has the S-EPT pages of GPA 0x0 from level 3 down to level 1, from page 30 on
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      And TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x1000, RDX = page 1, R8 = page 34, R9 = page 40
      And TDH.MEM.RANGE.BLOCK is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.RANGE.BLOCK is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_GPA_RANGE_ALREADY_BLOCKED (0x00000b0700000001), whose low bits name operand RCX (1)
      When TDH.MEM.RANGE.BLOCK is called on CPU 0 with RCX = 0x2000, RDX = page 1
      Then the SEAMCALL returns TDX_EPT_ENTRY_STATE_INCORRECT (0xc0000b0d00000001), whose low bits name operand RCX (1)
      When TDH.MR.EXTEND is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_EPT_ENTRY_NOT_PRESENT (0xc0000b0300000001), whose low bits name operand RCX (1)
      When TDH.MEM.PAGE.REMOVE is called on CPU 0 with RCX = 0x1000, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.PAGE.REMOVE is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.PAGE.REMOVE is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_EPT_ENTRY_STATE_INCORRECT (0xc0000b0d00000001), whose low bits name operand RCX (1)
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)

    Scenario Outline: <leaf> of an entry that is not a page, or not reached
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has the S-EPT pages of GPA 0x0 from level 3 down to level 1, from page 30 on
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      And <leaf> is called on CPU 0 with <operands>
      Then the SEAMCALL returns <status>

      Examples:
        | leaf                | operands                       | status                                                                                 |
        | TDH.MEM.PAGE.REMOVE | RCX = 0x1, RDX = page 1        | TDX_EPT_ENTRY_STATE_INCORRECT (0xc0000b0d00000001), whose low bits name operand RCX (1) |
        | TDH.MEM.PAGE.REMOVE | RCX = 0x40000000, RDX = page 1 | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)          |
        | TDH.MEM.RANGE.BLOCK | RCX = 0x40000000, RDX = page 1 | TDX_EPT_WALK_FAILED (0xc0000b0000000001), whose low bits name operand RCX (1)          |

    Scenario: Removing a page of a runnable TD: blocked, then tracked
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has the S-EPT pages of GPA 0x0 from level 3 down to level 1, from page 30 on
      And the TD on page 1 has a vCPU on page 10 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      When TDH.MEM.PAGE.ADD is called on CPU 0 with RCX = 0x0, RDX = page 1, R8 = page 33, R9 = page 40
      And TDH.VP.INIT is called on CPU 0 with RCX = page 10
      And TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.PAGE.REMOVE is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_GPA_RANGE_NOT_BLOCKED (0xc0000b0600000001), whose low bits name operand RCX (1)
      When TDH.MEM.RANGE.BLOCK is called on CPU 0 with RCX = 0x0, RDX = page 1
      And TDH.MEM.PAGE.REMOVE is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_TLB_TRACKING_NOT_DONE (0xc0000b0800000001), whose low bits name operand RCX (1)
      When TDH.MEM.TRACK is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.MEM.PAGE.REMOVE is called on CPU 0 with RCX = 0x0, RDX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)

  @req:host.module.td-l2-tdcs @src:mod-mng-addcx-1501 @src:mod-mng-init-1501 @src:mod-td-ctrl-h-1501 @src:mod-tdvps-h-1501 @src:mod-gsys-h-1501 @src:mod-op-state-lookup-1501 @src:mod-err-1501
  Rule: Before TDH.MNG.INIT a TD takes one more TDCS page for each of up to three L2 VMs
    TDH.MNG.ADDCX takes the TDCS pages TDCS_BASE_SIZE asks for and three more, one per L2 VM (nine in
    1.5.01); a tenth is refused by count (TDX_TDCX_NUM_INCORRECT) before its page is looked at.
    TD_PARAMS.NUM_L2_VMS then asks for as many of these extra pages as it names. A page past the
    base ones is taken only before TDH.MNG.INIT: afterwards the page is checked first, then the TD's
    operation state refuses it.

    Scenario: Three more TDCS pages, not four
      Given the TD on page 1 has 3 more TDCS pages, from page 20 on
      When TDH.MNG.ADDCX is called on CPU 0 with RCX = page 23 + 0x800, RDX = page 1
      Then the SEAMCALL returns TDX_TDCX_NUM_INCORRECT (0xc000061000000000)

    Scenario Outline: NUM_L2_VMS <l2> with <extra> TDCS pages past the base ones
      Given the TD on page 1 has <extra> more TDCS pages, from page 20 on
      When TDH.MNG.INIT is called on CPU 0 for the TD on page 1 with those TD_PARAMS and NUM_L2_VMS <l2>
      Then the SEAMCALL returns <status>

      Examples:
        | l2 | extra | status                                                                                 |
        | 1  | 1     | TDX_SUCCESS (0x0000000000000000)                                                       |
        | 2  | 1     | TDX_TDCS_NOT_ALLOCATED (0xc000060600000000)                                            |
        | 0  | 3     | TDX_SUCCESS (0x0000000000000000)                                                       |
        | 3  | 3     | TDX_SUCCESS (0x0000000000000000)                                                       |
        | 4  | 3     | TDX_OPERAND_INVALID (0xc000010000000047), whose low bits name operand NUM_L2_VMS (71)  |

    Scenario: A TDCS page after TDH.MNG.INIT: the page first, then the state
      Given the TD on page 1 is initialised with those TD_PARAMS
      When TDH.MNG.ADDCX is called on CPU 0 with RCX = page 20 + 0x800, RDX = page 1
      Then the SEAMCALL returns TDX_OPERAND_INVALID (0xc000010000000001), whose low bits name operand RCX (1)
      When TDH.MNG.ADDCX is called on CPU 0 with RCX = page 20, RDX = page 1
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)

  @req:host.module.vp-enter @src:mod-vp-enter-1501 @src:mod-helpers-1501 @src:mod-op-state-lookup-1501 @src:mod-err-1501
  Rule: TDH.VP.ENTER enters only an initialised vCPU of a runnable TD, on the logical processor it is associated with
    TDH.VP.ENTER checks the TDVPR in RCX, then that the TD is runnable (after TDH.MR.FINALIZE;
    before it TDX_OP_STATE_INCORRECT), that the vCPU has its TDVPS pages (TDX_TDCX_NUM_INCORRECT),
    that TDH.VP.INIT initialised it (TDX_VCPU_STATE_INCORRECT), and that no other logical processor
    holds it (TDX_VCPU_ASSOCIATED, not an error: bit 63 clear). TDH.VP.INIT associates the vCPU with
    the logical processor that initialised it.

    Scenario: TDH.VP.ENTER refused, each check in turn
      Given the TD on page 1 is initialised with those TD_PARAMS
      And the TD on page 1 has a vCPU on page 10 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 11 on
      And the TD on page 1 has a vCPU on page 20 with all of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 21 on
      And the TD on page 1 has a vCPU on page 30 with all but one of the TDCX pages TDVPS_BASE_SIZE (0x9800000100000200) asks for, from page 31 on
      When TDH.VP.INIT is called on CPU 0 with RCX = page 10
      And TDH.VP.ENTER is called on CPU 0 with RCX = page 10
      Then the SEAMCALL returns TDX_OP_STATE_INCORRECT (0xc000060800000000)
      When TDH.MR.FINALIZE is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_SUCCESS (0x0000000000000000)
      When TDH.VP.ENTER is called on CPU 0 with RCX = page 30
      Then the SEAMCALL returns TDX_TDCX_NUM_INCORRECT (0xc000061000000000)
      When TDH.VP.ENTER is called on CPU 0 with RCX = page 20
      Then the SEAMCALL returns TDX_VCPU_STATE_INCORRECT (0xc000070000000000)
      When TDH.VP.ENTER is called on CPU 1 with RCX = page 10
      Then the SEAMCALL returns TDX_VCPU_ASSOCIATED (0x8000070100000000)
      When TDH.VP.ENTER is called on CPU 0 with RCX = page 1
      Then the SEAMCALL returns TDX_PAGE_METADATA_INCORRECT (0xc000030000000001), whose low bits name operand RCX (1)
