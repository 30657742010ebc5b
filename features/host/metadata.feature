@host @src:gmd-c @src:mod-gsys
Feature: Global metadata of the TDX module
  The module describes itself through global metadata fields. Each field has a 64-bit identifier
  that encodes, among other things, its class, its code and the size of its elements (8, 16, 32
  or 64 bits); TDH.SYS.RD reads one element and names the next, TDH.SYS.RDALL lists them all.
  Linux reads the fields it needs at initialisation: at first only the five TDMR limits, through
  a reader that accepted nothing but 16-bit fields; from v6.14 any size, and more fields.

  @req:host.metadata.field-reads @module:>=1.5 @needs:host.seamcall @src:mod-gsys-1501 @src:mod-gsys-h-1506 @src:mod-gsys-2008 @src:mod-md-sys-1501 @src:mod-md-generic-1501
  Rule: Every field Linux reads can be read with TDH.SYS.RD and fits the size its identifier encodes
    The module masks every value to the element size the identifier encodes. Which fields exist
    depends on the module version: 1.5.01 does not define MAX_VCPUS_PER_TD and refuses it as an
    unknown field; 1.5.06 and 2.0.08 define it (1.5.02 to 1.5.05 were not checked). Kernels from
    v6.16 read it at initialisation, so they cannot initialise a 1.5.01 module.

    Scenario Outline: <field> (<bits>-bit) is readable
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier <id> with TDH.SYS.RD
      Then the SEAMCALL succeeds
      And the value read fits in <bits> bits

      Examples: Fields every kernel reads
        | field                 | id                 | bits |
        | MAX_TDMRS             | 0x9100000100000008 | 16   |
        | MAX_RESERVED_PER_TDMR | 0x9100000100000009 | 16   |
        | PAMT_4K_ENTRY_SIZE    | 0x9100000100000010 | 16   |
        | PAMT_2M_ENTRY_SIZE    | 0x9100000100000011 | 16   |
        | PAMT_1G_ENTRY_SIZE    | 0x9100000100000012 | 16   |

      Examples: Fields read from v6.14 (features) and v6.16 (TD configuration)
        | field             | id                 | bits |
        | TDX_FEATURES0     | 0x0a00000300000008 | 64   |
        | TDR_BASE_SIZE     | 0x9800000100000000 | 16   |
        | TDCS_BASE_SIZE    | 0x9800000100000100 | 16   |
        | TDVPS_BASE_SIZE   | 0x9800000100000200 | 16   |
        | ATTRIBUTES_FIXED0 | 0x1900000300000000 | 64   |
        | ATTRIBUTES_FIXED1 | 0x1900000300000001 | 64   |
        | XFAM_FIXED0       | 0x1900000300000002 | 64   |
        | XFAM_FIXED1       | 0x1900000300000003 | 64   |
        | NUM_CPUID_CONFIG  | 0x9900000100000004 | 16   |

      @module:>=1.5.06
      Examples: Read from v6.16 (TD configuration), defined from module 1.5.06 on
        | field            | id                 | bits |
        | MAX_VCPUS_PER_TD | 0x9900000100000008 | 16   |

      Examples: Fields read from v7.1 (version)
        | field          | id                 | bits |
        | MAJOR_VERSION  | 0x0800000100000004 | 16   |
        | MINOR_VERSION  | 0x0800000100000003 | 16   |
        | UPDATE_VERSION | 0x0800000100000005 | 16   |

    @module:=1.5.01
    Scenario: Module 1.5.01 does not define MAX_VCPUS_PER_TD
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier 0x9900000100000008 with TDH.SYS.RD
      Then the SEAMCALL completes with TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)

  @req:host.metadata.element-sizes @module:>=1.5 @needs:host.seamcall
  Rule: Walking the fields, TDH.SYS.RD names each next field with the element size of its definition

    Scenario Outline: The field after <field> is <next>, with <bits>-bit elements
      Given a TDX host
      And TDX is initialised
      When the host reads field <field> (<id>) with TDH.SYS.RD
      Then the next field identifier returned is that of <next> (<next id>)
      And it encodes <bits>-bit elements

      Examples: One field of each element size
        | field            | id                 | next             | next id            | bits |
        | VENDOR_ID        | 0x0800000200000000 | BUILD_DATE       | 0x8800000200000001 | 32   |
        | BUILD_DATE       | 0x8800000200000001 | BUILD_NUM        | 0x8800000100000002 | 16   |
        | SYS_ATTRIBUTES   | 0x0a00000200000000 | NUM_TDX_FEATURES | 0x0a00000000000001 | 8    |
        | NUM_TDX_FEATURES | 0x0a00000000000001 | TDX_FEATURES0    | 0x0a00000300000008 | 64   |

  @req:host.metadata.version-fields @module:>=1.5 @needs:host.seamcall @src:mod-md-sys-1501
  Rule: The version fields report the module the platform runs

    Scenario: Major, minor and update version match the loaded module
      Given a TDX host
      And TDX is initialised
      Then TDH.SYS.RD of MAJOR_VERSION (0x0800000100000004), MINOR_VERSION (0x0800000100000003) and UPDATE_VERSION (0x0800000100000005) gives the target's module version

  @req:host.metadata.platform-fields @module:>=1.5 @needs:host.seamcall @src:mod-md-sys-1501 @src:mod-md-sys-2008 @src:mod-api-1501
  Rule: The platform fields report the platform: NUM_PKGS its packages, 32 CMR entries its CMRs
    The values come from what MCHECK recorded: the number of packages, and the CMR table of
    MAX_CMR (32) entries, whatever the number of CMRs the platform has. An entry of size 0 is
    unused. Module 1.5.01's handler was read for the packages and the CMRs; 2.0.08's gives NUM_CMRS
    the same value.

    @module:<2.0
    Scenario: NUM_PKGS is the number of packages
      Given a TDX host
      And TDX is initialised
      Then TDH.SYS.RD of NUM_PKGS (0x0000000200000000) reads the number of packages

    Scenario: NUM_CMRS is 32
      Given a TDX host
      And TDX is initialised
      When the host reads field NUM_CMRS (0x9000000100000000) with TDH.SYS.RD
      Then the value read is 0x20

    @module:<2.0
    Scenario: The CMR entries of non-zero size are the host's CMRs, in order
      Given a TDX host
      And TDX is initialised
      Then TDH.SYS.RD of the 32 elements of CMR_BASE (0x9000000300000080) and CMR_SIZE (0x9000000300000100) gives the host's CMRs in its entries of non-zero size

  @req:host.metadata.build-constants @module:=1.5.01 @needs:host.seamcall @src:mod-md-sys-1501 @src:mod-api-1501 @src:mod-global-data-h-1501 @src:mod-pamt-mgr-1501 @src:mod-td-ctrl-h-1501 @src:mod-tdvps-h-1501 @src:mod-msr-defs-1501 @src:mod-migration-h-1501 @src:mod-servtd-h-1501 @src:mod-sys-init-1501 @src:mod-gsys-1501
  Rule: Module 1.5.01 reports the sizes, limits and fixed masks its source builds in
    Many global fields do not depend on the platform: the module returns a constant of its own
    source. The TDMR limits and PAMT entry size come from its TDMR and PAMT definitions; the sizes
    of the TD control structures are pages counts times 4 KiB (TDR one page, TDCS and TDVPS at least
    six pages, and one TDCS and three TDVPS pages more per L2 VM); the rest are fixed masks and
    counts of the migration, service-TD and TD partitioning features. Fields the module works out
    from the platform or from build options (XFAM_FIXED0, NUM_CPUID_CONFIG, the version and
    handoff fields) are not claimed here. TDH.SYS.INIT sets the ATTRIBUTES and CONFIG_FLAGS masks
    from constants too: a TD may set DEBUG, SEPT_VE_DISABLE, MIGRATABLE, PKS and PERFMON, and any of
    the three TD_PARAMS config flags, and must set none. The CPUID configuration arrays have more
    entries than the module configures: an entry past NUM_CPUID_CONFIG names leaf and sub-leaf all
    ones and has no configurable bit. Only release 1.5.01's source was read.

    Scenario Outline: <field> (<id>) reads <value>
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier <id> with TDH.SYS.RD
      Then the value read is <value>

      Examples: The identity and the TDMR limits
        | field                 | id                 | value  |
        | VENDOR_ID             | 0x0800000200000000 | 0x8086 |
        | NUM_TDX_FEATURES      | 0x0a00000000000001 | 0x1    |
        | MAX_TDMRS             | 0x9100000100000008 | 0x40   |
        | MAX_RESERVED_PER_TDMR | 0x9100000100000009 | 0x10   |
        | PAMT_4K_ENTRY_SIZE    | 0x9100000100000010 | 0x10   |
        | PAMT_2M_ENTRY_SIZE    | 0x9100000100000011 | 0x10   |
        | PAMT_1G_ENTRY_SIZE    | 0x9100000100000012 | 0x10   |

      Examples: Sizes of the TD control structures, in bytes
        | field                | id                 | value  |
        | TDR_BASE_SIZE        | 0x9800000100000000 | 0x1000 |
        | TDCS_BASE_SIZE       | 0x9800000100000100 | 0x6000 |
        | TDCS_SIZE_PER_L2_VM  | 0x9800000100000101 | 0x1000 |
        | TDVPS_BASE_SIZE      | 0x9800000100000200 | 0x6000 |
        | TDVPS_SIZE_PER_L2_VM | 0x9800000100000201 | 0x3000 |

      Examples: What a TD may and must set
        | field               | id                 | value              |
        | ATTRIBUTES_FIXED0   | 0x1900000300000000 | 0x8000000070000001 |
        | ATTRIBUTES_FIXED1   | 0x1900000300000001 | 0x0                |
        | CONFIG_FLAGS_FIXED0 | 0x9900000300000006 | 0x7                |
        | CONFIG_FLAGS_FIXED1 | 0x9900000300000007 | 0x0                |

      Examples: Fixed masks and counts
        | field                              | id                 | value              |
        | XFAM_FIXED1                        | 0x1900000300000003 | 0x3                |
        | IA32_ARCH_CAPABILITIES_CONFIG_MASK | 0x9900000300000600 | 0x1180010          |
        | MIG_ATTRIBUTES                     | 0xa000000300000000 | 0x0                |
        | MIN_EXPORT_VERSION                 | 0x2000000100000001 | 0x0                |
        | MAX_EXPORT_VERSION                 | 0x2000000100000002 | 0x0                |
        | MIN_IMPORT_VERSION                 | 0x2000000100000003 | 0x0                |
        | MAX_IMPORT_VERSION                 | 0x2000000100000004 | 0x0                |
        | MAX_MIGS                           | 0xa000000100000010 | 0x200              |
        | NUM_IMMUTABLE_STATE_PAGES          | 0xa000000000000020 | 0x3                |
        | NUM_TD_STATE_PAGES                 | 0xa000000000000021 | 0x2                |
        | NUM_VP_STATE_PAGES                 | 0xa000000000000022 | 0x5                |
        | MAX_SERV_TDS                       | 0xa100000100000000 | 0x1                |
        | SERVTD_ATTR_FIXED0                 | 0xa100000300000001 | 0x000007ff00000001 |
        | SERVTD_ATTR_FIXED1                 | 0xa100000300000002 | 0x0                |
        | GUEST_L2_GPA_ATTR_MASK             | 0xa200000100000000 | 0x807f             |
        | VM_CTLS_FIXED0                     | 0xa200000300000001 | 0x1                |
        | VM_CTLS_FIXED1                     | 0xa200000300000002 | 0x0                |
        | VPCU_L2_CTLS_FIXED0                | 0xa200000300000003 | 0x3                |
        | VCPU_L2_CTLS_FIXED1                | 0xa200000300000004 | 0x0                |
        | VPCU_L2_DEBUG_CTLS_FIXED0          | 0xa200000300000005 | 0x7                |
        | VCPU_L2_DEBUG_CTLS_FIXED1          | 0xa200000300000006 | 0x0                |

    Scenario: The CPUID configuration entries past NUM_CPUID_CONFIG name no leaf and allow no bit
      Given a TDX host
      And TDX is initialised
      Then TDH.SYS.RD of each element of CPUID_CONFIG_LEAVES (0x9900000300000400), 1 per entry, from entry NUM_CPUID_CONFIG (0x9900000100000004) to entry 31, reads 0xffffffffffffffff
      And TDH.SYS.RD of each element of CPUID_CONFIG_VALUES (0x9900000300000500), 2 per entry, from entry NUM_CPUID_CONFIG (0x9900000100000004) to entry 31, reads 0x0

  @req:host.metadata.pkg-fms @module:>=1.5 @module:<2.0 @needs:host.seamcall @src:mod-md-sys-1501 @src:mod-cpuid-fms-h-1501 @src:guest-mod15-x86-defs @src:mod-sys-init-1501 @src:l6161-intel-family-h
  Rule: PKG_FMS holds, for each package, that package's CPUID(1).EAX: the family, model and stepping signature of its CPU
    MCHECK records the CPUID leaf 1 EAX of every package, and TDH.SYS.RD gives element i of PKG_FMS
    as package i's. The signature packs the stepping in bits 3:0, the model in bits 7:4, the family
    in bits 11:8, the extended model in bits 19:16 and the extended family in bits 27:20; for family
    6 the model a kernel names is the extended model followed by the model. MCHECK makes sure every
    package has the same family and model, so with the stepping left out each element is the one
    signature of the CPU (the module's own list of the CPUs it runs on gives the same values).

    Scenario Outline: On <cpu>, every package's PKG_FMS is family <family>, model <model> (<signature> without the stepping)
      Given a TDX host
      And the CPU is a <cpu>
      And TDX is initialised
      Then TDH.SYS.RD of each package's element of PKG_FMS (0x0000000200000001) gives family <family> and model <model>, that is <signature> in bits 31:4

      Examples: The family and model of intel-family.h; the signature as the module's cpuid_fms.h lists it
        | cpu             | family | model | signature |
        | sapphire-rapids | 6      | 0x8f  | 0x806f0   |
        | emerald-rapids  | 6      | 0xcf  | 0xc06f0   |
        | granite-rapids  | 6      | 0xad  | 0xa06d0   |

  @req:host.metadata.field-id-validation @module:>=1.5 @needs:host.seamcall @src:mod-sys-rd-1501 @src:mod-md-generic-1501 @src:mod-md-generic-2008 @src:mod-err-1501
  Rule: TDH.SYS.RD refuses identifiers with reserved or sequence bits set, and unknown fields

    Scenario Outline: <id> is refused with <status>
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier <id> with TDH.SYS.RD
      Then the SEAMCALL completes with <status>

      Examples:
        | id                 | status                                 |
        | 0x9100000101000008 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)        |
        | 0x9100800100000008 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)        |
        | 0x9100000500000008 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)        |
        | 0x910000010000fff0 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)        |
        | 0xffffffffffffffff | TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT (0x00000c0b00000000) |

      Examples: MAX_TDMRS with one bit of each other reserved or sequence range set
        | id                 | status                                                 |
        | 0x9100004100000008 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)   |
        | 0x9180000100000008 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)   |
        | 0xd100000100000008 | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)   |

    Scenario Outline: A refused read of <id> returns the null identifier in RDX and 0 in R8
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier <id> with TDH.SYS.RD
      Then the SEAMCALL returns TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000)
      And the SEAMCALL's output RDX is 0xffffffffffffffff (the null identifier)
      And the SEAMCALL's output R8 is 0x0

      Examples:
        | id                 |
        | 0x910000010000fff0 |
        | 0x9100000500000008 |

  @req:host.metadata.field-id-ignored-bits @module:>=1.5 @needs:host.seamcall @src:mod-sys-rd-1501 @src:mod-md-generic-1501
  Rule: TDH.SYS.RD finds a field by class and code: the element size, increment size, write-mask, context and non-architectural bits of the identifier are ignored
    md_check_as_single_element_id() ignores the write-mask-valid, element-size, increment-size and
    context bits; the lookup then compares class and field code only, so bit 63 is not compared
    either. The value comes with the field's own element size.

    Scenario Outline: MAX_TDMRS read as <id> (<what>)
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier <id> with TDH.SYS.RD
      Then the value read is the one TDH.SYS.RD reads for MAX_TDMRS (0x9100000100000008)

      Examples:
        | id                 | what                              |
        | 0x9100000300000008 | 64-bit element size               |
        | 0x9104000100000008 | increment size (bit 50) set       |
        | 0x9108000100000008 | write mask valid (bit 51) set     |
        | 0x9110000100000008 | context code 1                    |
        | 0x1100000100000008 | bit 63 clear                      |

  @req:host.metadata.rdall @needs:host.seamcall @src:mod-sys-rdall-1501 @src:mod-md-generic-1501 @src:mod-md-sys-1501
  Rule: TDH.SYS.RDALL lists every element TDH.SYS.RD can read, with the same values
    The list walks the module's own table of global fields in order, every element of every
    field, with the value TDH.SYS.RD reads. The table grew between versions: 65 fields in 1.5.01,
    67 in 1.5.06 (MAX_VCPUS_PER_TD and MIN_VIRT_MAXPA), 72 in 2.0.08 (dynamic PAMT, event filters,
    GPA attributes, TDX Connect). Names are spelled as the module spells them, VPCU typo included.
    TDX 1.0 has neither TDH.SYS.RD nor TDH.SYS.RDALL. The list is read from its 4 KiB page as the
    ABI lays it out: a header with the list's size and number of sequences, then sequences, each a
    field identifier that says how many fields and elements follow, the later ones taking the
    codes that follow. A sequence runs on through fields of one class whose codes, element counts
    and element sizes follow on, from an architectural field to a non-architectural one too, whose
    bit 63 the list then does not show: elements are compared by class, code and element size. A
    list that does not fit in the page stops with TDX_METADATA_LIST_OVERFLOW and R8 naming where
    the next call goes on.

    @module:>=1.5
    Scenario: The list is what walking the fields with TDH.SYS.RD visits
      Given a TDX host
      And TDX is initialised
      When the host lists the global metadata with TDH.SYS.RDALL
      And the host walks the global metadata with TDH.SYS.RD from the first field, which it names with TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT (0x00000c0b00000000)
      Then the list has the elements of the walk, in the same order
      And each listed value equals the value TDH.SYS.RD read for that element

    @module:>=1.5 @needs:platform.arrange
    Scenario: With 128 CPUID configurations the list needs a second page, and the two pages list the walk
      Given a TDX host
      And the TDX module has 128 CPUID configurations
      And TDX is initialised
      When the host lists the global metadata with TDH.SYS.RDALL
      And the host walks the global metadata with TDH.SYS.RD from the first field, which it names with TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT (0x00000c0b00000000)
      Then the list has the elements of the walk, in the same order
      And each listed value equals the value TDH.SYS.RD read for that element

    @module:=1.5.01 @src:mod-gsys-1501
    Scenario: Module 1.5.01 lists its 65 fields, 354 elements
      Given a TDX host
      And TDX is initialised
      When the host lists the global metadata with TDH.SYS.RDALL
      Then the list has, in this order, every element of exactly these fields:
        | field                              | id                 | fields | elements |
        | NUM_PKGS                           | 0x0000000200000000 | 1      | 1        |
        | PKG_FMS                            | 0x0000000200000001 | 8      | 1        |
        | VENDOR_ID                          | 0x0800000200000000 | 1      | 1        |
        | BUILD_DATE                         | 0x8800000200000001 | 1      | 1        |
        | BUILD_NUM                          | 0x8800000100000002 | 1      | 1        |
        | MINOR_VERSION                      | 0x0800000100000003 | 1      | 1        |
        | MAJOR_VERSION                      | 0x0800000100000004 | 1      | 1        |
        | UPDATE_VERSION                     | 0x0800000100000005 | 1      | 1        |
        | INTERNAL_VERSION                   | 0x0800000100000006 | 1      | 1        |
        | MODULE_HV                          | 0x8900000100000000 | 1      | 1        |
        | MIN_UPDATE_HV                      | 0x8900000100000001 | 1      | 1        |
        | NO_DOWNGRADE                       | 0x8900000000000002 | 1      | 1        |
        | NUM_HANDOFF_PAGES                  | 0x8900000100000003 | 1      | 1        |
        | HANDOFF_DATA_VALID                 | 0x8900000000000004 | 1      | 1        |
        | HANDOFF_DATA_HV                    | 0x8900000100000005 | 1      | 1        |
        | HANDOFF_DATA_SIZE                  | 0x8900000200000006 | 1      | 1        |
        | SYS_ATTRIBUTES                     | 0x0a00000200000000 | 1      | 1        |
        | NUM_TDX_FEATURES                   | 0x0a00000000000001 | 1      | 1        |
        | TDX_FEATURES0                      | 0x0a00000300000008 | 1      | 1        |
        | NUM_CMRS                           | 0x9000000100000000 | 1      | 1        |
        | CMR_BASE                           | 0x9000000300000080 | 32     | 1        |
        | CMR_SIZE                           | 0x9000000300000100 | 32     | 1        |
        | MAX_TDMRS                          | 0x9100000100000008 | 1      | 1        |
        | MAX_RESERVED_PER_TDMR              | 0x9100000100000009 | 1      | 1        |
        | PAMT_4K_ENTRY_SIZE                 | 0x9100000100000010 | 1      | 1        |
        | PAMT_2M_ENTRY_SIZE                 | 0x9100000100000011 | 1      | 1        |
        | PAMT_1G_ENTRY_SIZE                 | 0x9100000100000012 | 1      | 1        |
        | TDR_BASE_SIZE                      | 0x9800000100000000 | 1      | 1        |
        | TDCS_BASE_SIZE                     | 0x9800000100000100 | 1      | 1        |
        | TDCS_SIZE_PER_L2_VM                | 0x9800000100000101 | 1      | 1        |
        | TDVPS_BASE_SIZE                    | 0x9800000100000200 | 1      | 1        |
        | TDVPS_SIZE_PER_L2_VM               | 0x9800000100000201 | 1      | 1        |
        | ATTRIBUTES_FIXED0                  | 0x1900000300000000 | 1      | 1        |
        | ATTRIBUTES_FIXED1                  | 0x1900000300000001 | 1      | 1        |
        | XFAM_FIXED0                        | 0x1900000300000002 | 1      | 1        |
        | XFAM_FIXED1                        | 0x1900000300000003 | 1      | 1        |
        | NUM_CPUID_CONFIG                   | 0x9900000100000004 | 1      | 1        |
        | CONFIG_FLAGS_FIXED0                | 0x9900000300000006 | 1      | 1        |
        | CONFIG_FLAGS_FIXED1                | 0x9900000300000007 | 1      | 1        |
        | CPUID_CONFIG_LEAVES                | 0x9900000300000400 | 32     | 1        |
        | CPUID_CONFIG_VALUES                | 0x9900000300000500 | 32     | 2        |
        | IA32_ARCH_CAPABILITIES_CONFIG_MASK | 0x9900000300000600 | 1      | 1        |
        | NUM_ALLOWED_FMS                    | 0x9900000100000800 | 1      | 1        |
        | NUM_DISALLOWED_FMS                 | 0x9900000100000801 | 1      | 1        |
        | ALLOWED_FMS                        | 0x9900000300000810 | 64     | 1        |
        | DISALLOWED_FMS                     | 0x9900000300000850 | 64     | 1        |
        | MIG_ATTRIBUTES                     | 0xa000000300000000 | 1      | 1        |
        | MIN_EXPORT_VERSION                 | 0x2000000100000001 | 1      | 1        |
        | MAX_EXPORT_VERSION                 | 0x2000000100000002 | 1      | 1        |
        | MIN_IMPORT_VERSION                 | 0x2000000100000003 | 1      | 1        |
        | MAX_IMPORT_VERSION                 | 0x2000000100000004 | 1      | 1        |
        | MAX_MIGS                           | 0xa000000100000010 | 1      | 1        |
        | NUM_IMMUTABLE_STATE_PAGES          | 0xa000000000000020 | 1      | 1        |
        | NUM_TD_STATE_PAGES                 | 0xa000000000000021 | 1      | 1        |
        | NUM_VP_STATE_PAGES                 | 0xa000000000000022 | 1      | 1        |
        | MAX_SERV_TDS                       | 0xa100000100000000 | 1      | 1        |
        | SERVTD_ATTR_FIXED0                 | 0xa100000300000001 | 1      | 1        |
        | SERVTD_ATTR_FIXED1                 | 0xa100000300000002 | 1      | 1        |
        | GUEST_L2_GPA_ATTR_MASK             | 0xa200000100000000 | 1      | 1        |
        | VM_CTLS_FIXED0                     | 0xa200000300000001 | 1      | 1        |
        | VM_CTLS_FIXED1                     | 0xa200000300000002 | 1      | 1        |
        | VPCU_L2_CTLS_FIXED0                | 0xa200000300000003 | 1      | 1        |
        | VCPU_L2_CTLS_FIXED1                | 0xa200000300000004 | 1      | 1        |
        | VPCU_L2_DEBUG_CTLS_FIXED0          | 0xa200000300000005 | 1      | 1        |
        | VCPU_L2_DEBUG_CTLS_FIXED1          | 0xa200000300000006 | 1      | 1        |

    # IDs and order from the 1.5.06 header; array shapes as in 1.5.01 and 2.0.08 (its .c was not read).
    @module:=1.5.06 @src:mod-gsys-h-1506
    Scenario: Module 1.5.06 lists its 67 fields, 356 elements
      Given a TDX host
      And TDX is initialised
      When the host lists the global metadata with TDH.SYS.RDALL
      Then the list has, in this order, every element of exactly these fields:
        | field                              | id                 | fields | elements |
        | NUM_PKGS                           | 0x0000000200000000 | 1      | 1        |
        | PKG_FMS                            | 0x0000000200000001 | 8      | 1        |
        | VENDOR_ID                          | 0x0800000200000000 | 1      | 1        |
        | BUILD_DATE                         | 0x8800000200000001 | 1      | 1        |
        | BUILD_NUM                          | 0x8800000100000002 | 1      | 1        |
        | MINOR_VERSION                      | 0x0800000100000003 | 1      | 1        |
        | MAJOR_VERSION                      | 0x0800000100000004 | 1      | 1        |
        | UPDATE_VERSION                     | 0x0800000100000005 | 1      | 1        |
        | INTERNAL_VERSION                   | 0x0800000100000006 | 1      | 1        |
        | MODULE_HV                          | 0x8900000100000000 | 1      | 1        |
        | MIN_UPDATE_HV                      | 0x8900000100000001 | 1      | 1        |
        | NO_DOWNGRADE                       | 0x8900000000000002 | 1      | 1        |
        | NUM_HANDOFF_PAGES                  | 0x8900000100000003 | 1      | 1        |
        | HANDOFF_DATA_VALID                 | 0x8900000000000004 | 1      | 1        |
        | HANDOFF_DATA_HV                    | 0x8900000100000005 | 1      | 1        |
        | HANDOFF_DATA_SIZE                  | 0x8900000200000006 | 1      | 1        |
        | SYS_ATTRIBUTES                     | 0x0a00000200000000 | 1      | 1        |
        | NUM_TDX_FEATURES                   | 0x0a00000000000001 | 1      | 1        |
        | TDX_FEATURES0                      | 0x0a00000300000008 | 1      | 1        |
        | NUM_CMRS                           | 0x9000000100000000 | 1      | 1        |
        | CMR_BASE                           | 0x9000000300000080 | 32     | 1        |
        | CMR_SIZE                           | 0x9000000300000100 | 32     | 1        |
        | MAX_TDMRS                          | 0x9100000100000008 | 1      | 1        |
        | MAX_RESERVED_PER_TDMR              | 0x9100000100000009 | 1      | 1        |
        | PAMT_4K_ENTRY_SIZE                 | 0x9100000100000010 | 1      | 1        |
        | PAMT_2M_ENTRY_SIZE                 | 0x9100000100000011 | 1      | 1        |
        | PAMT_1G_ENTRY_SIZE                 | 0x9100000100000012 | 1      | 1        |
        | TDR_BASE_SIZE                      | 0x9800000100000000 | 1      | 1        |
        | TDCS_BASE_SIZE                     | 0x9800000100000100 | 1      | 1        |
        | TDCS_SIZE_PER_L2_VM                | 0x9800000100000101 | 1      | 1        |
        | TDVPS_BASE_SIZE                    | 0x9800000100000200 | 1      | 1        |
        | TDVPS_SIZE_PER_L2_VM               | 0x9800000100000201 | 1      | 1        |
        | ATTRIBUTES_FIXED0                  | 0x1900000300000000 | 1      | 1        |
        | ATTRIBUTES_FIXED1                  | 0x1900000300000001 | 1      | 1        |
        | XFAM_FIXED0                        | 0x1900000300000002 | 1      | 1        |
        | XFAM_FIXED1                        | 0x1900000300000003 | 1      | 1        |
        | NUM_CPUID_CONFIG                   | 0x9900000100000004 | 1      | 1        |
        | CONFIG_FLAGS_FIXED0                | 0x9900000300000006 | 1      | 1        |
        | CONFIG_FLAGS_FIXED1                | 0x9900000300000007 | 1      | 1        |
        | MAX_VCPUS_PER_TD                   | 0x9900000100000008 | 1      | 1        |
        | MIN_VIRT_MAXPA                     | 0x9900000000000009 | 1      | 1        |
        | CPUID_CONFIG_LEAVES                | 0x9900000300000400 | 32     | 1        |
        | CPUID_CONFIG_VALUES                | 0x9900000300000500 | 32     | 2        |
        | IA32_ARCH_CAPABILITIES_CONFIG_MASK | 0x9900000300000600 | 1      | 1        |
        | NUM_ALLOWED_FMS                    | 0x9900000100000800 | 1      | 1        |
        | NUM_DISALLOWED_FMS                 | 0x9900000100000801 | 1      | 1        |
        | ALLOWED_FMS                        | 0x9900000300000810 | 64     | 1        |
        | DISALLOWED_FMS                     | 0x9900000300000850 | 64     | 1        |
        | MIG_ATTRIBUTES                     | 0xa000000300000000 | 1      | 1        |
        | MIN_EXPORT_VERSION                 | 0x2000000100000001 | 1      | 1        |
        | MAX_EXPORT_VERSION                 | 0x2000000100000002 | 1      | 1        |
        | MIN_IMPORT_VERSION                 | 0x2000000100000003 | 1      | 1        |
        | MAX_IMPORT_VERSION                 | 0x2000000100000004 | 1      | 1        |
        | MAX_MIGS                           | 0xa000000100000010 | 1      | 1        |
        | NUM_IMMUTABLE_STATE_PAGES          | 0xa000000000000020 | 1      | 1        |
        | NUM_TD_STATE_PAGES                 | 0xa000000000000021 | 1      | 1        |
        | NUM_VP_STATE_PAGES                 | 0xa000000000000022 | 1      | 1        |
        | MAX_SERV_TDS                       | 0xa100000100000000 | 1      | 1        |
        | SERVTD_ATTR_FIXED0                 | 0xa100000300000001 | 1      | 1        |
        | SERVTD_ATTR_FIXED1                 | 0xa100000300000002 | 1      | 1        |
        | GUEST_L2_GPA_ATTR_MASK             | 0xa200000100000000 | 1      | 1        |
        | VM_CTLS_FIXED0                     | 0xa200000300000001 | 1      | 1        |
        | VM_CTLS_FIXED1                     | 0xa200000300000002 | 1      | 1        |
        | VPCU_L2_CTLS_FIXED0                | 0xa200000300000003 | 1      | 1        |
        | VCPU_L2_CTLS_FIXED1                | 0xa200000300000004 | 1      | 1        |
        | VPCU_L2_DEBUG_CTLS_FIXED0          | 0xa200000300000005 | 1      | 1        |
        | VCPU_L2_DEBUG_CTLS_FIXED1          | 0xa200000300000006 | 1      | 1        |

    @module:=2.0.08 @src:mod-gsys-2008
    Scenario: Module 2.0.08 lists its 72 fields, 361 elements
      Given a TDX host
      And TDX is initialised
      When the host lists the global metadata with TDH.SYS.RDALL
      Then the list has, in this order, every element of exactly these fields:
        | field                              | id                 | fields | elements |
        | NUM_PKGS                           | 0x0000000200000000 | 1      | 1        |
        | PKG_FMS                            | 0x0000000200000001 | 8      | 1        |
        | VENDOR_ID                          | 0x0800000200000000 | 1      | 1        |
        | BUILD_DATE                         | 0x8800000200000001 | 1      | 1        |
        | BUILD_NUM                          | 0x8800000100000002 | 1      | 1        |
        | MINOR_VERSION                      | 0x0800000100000003 | 1      | 1        |
        | MAJOR_VERSION                      | 0x0800000100000004 | 1      | 1        |
        | UPDATE_VERSION                     | 0x0800000100000005 | 1      | 1        |
        | INTERNAL_VERSION                   | 0x0800000100000006 | 1      | 1        |
        | MODULE_HV                          | 0x8900000100000000 | 1      | 1        |
        | MIN_UPDATE_HV                      | 0x8900000100000001 | 1      | 1        |
        | NO_DOWNGRADE                       | 0x8900000000000002 | 1      | 1        |
        | NUM_HANDOFF_PAGES                  | 0x8900000100000003 | 1      | 1        |
        | HANDOFF_DATA_VALID                 | 0x8900000000000004 | 1      | 1        |
        | HANDOFF_DATA_HV                    | 0x8900000100000005 | 1      | 1        |
        | HANDOFF_DATA_SIZE                  | 0x8900000200000006 | 1      | 1        |
        | SYS_ATTRIBUTES                     | 0x0a00000200000000 | 1      | 1        |
        | NUM_TDX_FEATURES                   | 0x0a00000000000001 | 1      | 1        |
        | TDX_FEATURES0                      | 0x0a00000300000008 | 1      | 1        |
        | NUM_CMRS                           | 0x9000000100000000 | 1      | 1        |
        | CMR_BASE                           | 0x9000000300000080 | 32     | 1        |
        | CMR_SIZE                           | 0x9000000300000100 | 32     | 1        |
        | MAX_TDMRS                          | 0x9100000100000008 | 1      | 1        |
        | MAX_RESERVED_PER_TDMR              | 0x9100000100000009 | 1      | 1        |
        | PAMT_4K_ENTRY_SIZE                 | 0x9100000100000010 | 1      | 1        |
        | PAMT_2M_ENTRY_SIZE                 | 0x9100000100000011 | 1      | 1        |
        | PAMT_1G_ENTRY_SIZE                 | 0x9100000100000012 | 1      | 1        |
        | PAMT_PAGE_BITMAP_ENTRY_BITS        | 0x9100000000000013 | 1      | 1        |
        | MIN_DYNAMIC_PAMT_NUM_HKID_BITS     | 0x9100000000000014 | 1      | 1        |
        | TDR_BASE_SIZE                      | 0x9800000100000000 | 1      | 1        |
        | TDCS_BASE_SIZE                     | 0x9800000100000100 | 1      | 1        |
        | TDCS_SIZE_PER_L2_VM                | 0x9800000100000101 | 1      | 1        |
        | TDVPS_BASE_SIZE                    | 0x9800000100000200 | 1      | 1        |
        | TDVPS_SIZE_PER_L2_VM               | 0x9800000100000201 | 1      | 1        |
        | ATTRIBUTES_FIXED0                  | 0x1900000300000000 | 1      | 1        |
        | ATTRIBUTES_FIXED1                  | 0x1900000300000001 | 1      | 1        |
        | XFAM_FIXED0                        | 0x1900000300000002 | 1      | 1        |
        | XFAM_FIXED1                        | 0x1900000300000003 | 1      | 1        |
        | NUM_CPUID_CONFIG                   | 0x9900000100000004 | 1      | 1        |
        | CONFIG_FLAGS_FIXED0                | 0x9900000300000006 | 1      | 1        |
        | CONFIG_FLAGS_FIXED1                | 0x9900000300000007 | 1      | 1        |
        | MAX_VCPUS_PER_TD                   | 0x9900000100000008 | 1      | 1        |
        | MIN_VIRT_MAXPA                     | 0x9900000000000009 | 1      | 1        |
        | MAX_EVENT_FILTERS                  | 0x990000010000000a | 1      | 1        |
        | CPUID_CONFIG_LEAVES                | 0x9900000300000400 | 32     | 1        |
        | CPUID_CONFIG_VALUES                | 0x9900000300000500 | 32     | 2        |
        | IA32_ARCH_CAPABILITIES_CONFIG_MASK | 0x9900000300000600 | 1      | 1        |
        | NUM_ALLOWED_FMS                    | 0x9900000100000800 | 1      | 1        |
        | NUM_DISALLOWED_FMS                 | 0x9900000100000801 | 1      | 1        |
        | ALLOWED_FMS                        | 0x9900000300000810 | 64     | 1        |
        | DISALLOWED_FMS                     | 0x9900000300000850 | 64     | 1        |
        | GUEST_GPA_ATTR_MASK                | 0x9a00000300000000 | 1      | 1        |
        | MIG_ATTRIBUTES                     | 0xa000000300000000 | 1      | 1        |
        | MIN_EXPORT_VERSION                 | 0x2000000100000001 | 1      | 1        |
        | MAX_EXPORT_VERSION                 | 0x2000000100000002 | 1      | 1        |
        | MIN_IMPORT_VERSION                 | 0x2000000100000003 | 1      | 1        |
        | MAX_IMPORT_VERSION                 | 0x2000000100000004 | 1      | 1        |
        | MAX_MIGS                           | 0xa000000100000010 | 1      | 1        |
        | NUM_IMMUTABLE_STATE_PAGES          | 0xa000000000000020 | 1      | 1        |
        | NUM_TD_STATE_PAGES                 | 0xa000000000000021 | 1      | 1        |
        | NUM_VP_STATE_PAGES                 | 0xa000000000000022 | 1      | 1        |
        | MAX_SERV_TDS                       | 0xa100000100000000 | 1      | 1        |
        | SERVTD_ATTR_FIXED0                 | 0xa100000300000001 | 1      | 1        |
        | SERVTD_ATTR_FIXED1                 | 0xa100000300000002 | 1      | 1        |
        | GUEST_L2_GPA_ATTR_MASK             | 0xa200000100000000 | 1      | 1        |
        | VM_CTLS_FIXED0                     | 0xa200000300000001 | 1      | 1        |
        | VM_CTLS_FIXED1                     | 0xa200000300000002 | 1      | 1        |
        | VPCU_L2_CTLS_FIXED0                | 0xa200000300000003 | 1      | 1        |
        | VCPU_L2_CTLS_FIXED1                | 0xa200000300000004 | 1      | 1        |
        | VPCU_L2_DEBUG_CTLS_FIXED0          | 0xa200000300000005 | 1      | 1        |
        | VCPU_L2_DEBUG_CTLS_FIXED1          | 0xa200000300000006 | 1      | 1        |
        | TDX_CONNECT_FEATURES               | 0x3000000300000000 | 1      | 1        |

    Scenario Outline: TDH.SYS.RDALL (leaf 37) before initialisation fails with <status>
      Given a TDX host
      And the kernel leaves the TDX module untouched
      When leaf number 37 is called on CPU 0
      Then the SEAMCALL fails with <status>

      @module:=1.0 @src:mod-1.0
      Examples: Module 1.0 has no such leaf and refuses it as it refuses any leaf before it is ready
        | status            |
        | TDX_SYS_NOT_READY (0xc000050500000000) |

      @module:>=1.5
      Examples: From 1.5 the leaf exists and first needs TDH.SYS.LP.INIT on the calling CPU
        | status                   |
        | TDX_SYS_LP_INIT_NOT_DONE (0xc000050200000000) |

  @req:host.metadata.rdall-operands @module:>=1.5 @needs:host.seamcall @src:mod-sys-rdall-1501 @src:mod-md-generic-1501 @src:mod-helpers-1501 @src:mod-err-1501
  Rule: TDH.SYS.RDALL wants a 4 KiB-aligned page below MAX_PA in RDX, and in R8 the null identifier or the start of a field it knows
    RDX must be a shared page address: aligned to 4 KiB and below the physical address width
    (bit 52 is above every platform's). R8 names where the list starts: the null identifier
    (all ones) for the first field, or the first element of a field, an array's later fields
    included, written with the field's element size. Anything else is an unknown field identifier.
    The list of these modules fits in one page, so a list that starts anywhere ends the table and
    R8 comes back as the null identifier, as it does after every refusal.

    Scenario Outline: RDX <rdx> and R8 <r8> (<what>): <status>
      Given a TDX host
      And the kernel leaves the TDX module untouched
      And every logical CPU has done TDH.SYS.LP.INIT
      When TDH.SYS.RDALL is called on CPU 0 with RCX 0x0, RDX <rdx>, R8 <r8> and R9 0x0
      Then the SEAMCALL returns <status>
      And the SEAMCALL's output R8 is 0xffffffffffffffff (the null identifier)

      Examples: The page
        | rdx                | r8                 | what                           | status                                                                        |
        | 0x0000000002000000 | 0xffffffffffffffff | page-aligned, from the start   | TDX_SUCCESS (0x0000000000000000)                                              |
        | 0x0000000002000800 | 0xffffffffffffffff | 2 KiB into a page              | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |
        | 0x0010000000000000 | 0xffffffffffffffff | bit 52, above MAX_PA           | TDX_OPERAND_INVALID (0xc000010000000002), whose low bits name operand RDX (2) |

      Examples: Where the list starts
        | rdx                | r8                 | what                                       | status                                               |
        | 0x0000000002000000 | 0x9100000100000008 | MAX_TDMRS                                  | TDX_SUCCESS (0x0000000000000000)                     |
        | 0x0000000002000000 | 0x9000000300000081 | CMR_BASE, its second field                 | TDX_SUCCESS (0x0000000000000000)                     |
        | 0x0000000002000000 | 0x9100000100000007 | class 0x91 code 7, no field                | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000) |
        | 0x0000000002000000 | 0x9100000300000008 | MAX_TDMRS with 64-bit elements             | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000) |
        | 0x0000000002000000 | 0x9900000300000501 | CPUID_CONFIG_VALUES, second element of its first field | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000) |

  @req:host.metadata.16bit-reader @module:>=1.5 @era:metadata=16bit-only @src:tdx-c-68 @src:ml-metadata-rework @needs:host.metadata
  Rule: Up to v6.13 the kernel's metadata reader accepts only 16-bit fields

    Scenario Outline: Reading the <bits>-bit field <field>
      Given a TDX host
      And TDX is initialised
      When the kernel reads metadata field <field> (<id>)
      Then the kernel's read <outcome>

      Examples: Each element size, below, at and above 16 bits
        | field            | id                 | bits | outcome           |
        | NUM_TDX_FEATURES | 0x0a00000000000001 | 8    | fails with EINVAL |
        | MAX_TDMRS        | 0x9100000100000008 | 16   | succeeds          |
        | VENDOR_ID        | 0x0800000200000000 | 32   | fails with EINVAL |
        | TDX_FEATURES0    | 0x0a00000300000008 | 64   | fails with EINVAL |

  @req:host.metadata.any-size-reader @module:>=1.5 @era:metadata=any-size @src:ml-metadata-rework @needs:host.metadata
  Rule: From v6.14 the kernel reads fields of every element size

    Scenario Outline: Reading the <bits>-bit field <field>
      Given a TDX host
      And TDX is initialised
      When the kernel reads metadata field <field> (<id>)
      Then the kernel's read succeeds with a value that fits in <bits> bits

      Examples:
        | field            | id                 | bits |
        | NUM_TDX_FEATURES | 0x0a00000000000001 | 8    |
        | MAX_TDMRS        | 0x9100000100000008 | 16   |
        | VENDOR_ID        | 0x0800000200000000 | 32   |
        | TDX_FEATURES0    | 0x0a00000300000008 | 64   |

  @req:host.metadata.no-rbp-mod @module:>=1.5 @era:feature-check=no-rbp-mod @src:ml-metadata-rework
  Rule: From v6.14 a module without TDX_FEATURES0.NO_RBP_MOD (bit 18) is refused

    Scenario: A module that may clobber RBP
      Given a TDX host
      And the TDX module's TDX_FEATURES0 lacks NO_RBP_MOD (bit 18)
      When the kernel initialises TDX
      Then initialisation fails with EINVAL
      And the kernel log says "frame pointer (RBP) clobber bug present, upgrade TDX module"

  @req:host.metadata.cpuid-config-limit @module:>=1.5 @era:kvm-tdx=mainline @needs:platform.arrange @src:l6161-tdx-global-metadata-c @src:mod-gsys-1501
  Rule: From v6.16 the kernel reads the module's CPUID configurations into arrays of 128 entries and refuses a module that reports more
    get_tdx_sys_info_td_conf() compares NUM_CPUID_CONFIG with the size of its arrays (128) before it
    reads a single configuration: one more than that is EINVAL, and initialisation fails with it.
    The modules read so far have 32 configuration slots; a module with more is what the limit is for.

    Scenario Outline: A module with <n> CPUID configurations: initialisation <outcome>
      Given a TDX host
      And the TDX module has <n> CPUID configurations
      When the kernel initialises TDX
      Then initialisation <outcome>

      Examples: Below, at and above the 128 entries
        | n   | outcome           |
        | 127 | succeeds          |
        | 128 | succeeds          |
        | 129 | fails with EINVAL |

    Scenario Outline: A module with 129 CPUID configurations makes the kernel say "<failed>"
      Given a TDX host
      And the TDX module has 129 CPUID configurations
      When the kernel initialises TDX
      Then the kernel log says "<failed>"

      @era:init=on-demand
      Examples: Up to v7.0
        | failed                             |
        | module initialization failed (-22) |

      @era:init=boot
      Examples: From v7.1
        | failed                                 |
        | TDX-Module initialization failed (-22) |
