@host @src:gmd-c @src:mod-gsys
Feature: Global metadata of the TDX module
  The module describes itself through global metadata fields. Each field has a 64-bit identifier
  that encodes, among other things, its class, its code and the size of its elements (8, 16, 32
  or 64 bits); TDH.SYS.RD reads one element and names the next, TDH.SYS.RDALL lists them all.
  Linux reads the fields it needs at initialisation: at first only the five TDMR limits, through
  a reader that accepted nothing but 16-bit fields; from v6.14 any size, and more fields.

  @req:host.metadata.field-reads @module:>=1.5 @needs:host.seamcall
  Rule: Every field Linux reads can be read with TDH.SYS.RD and fits the size its identifier encodes

    Scenario Outline: <field> (<bits>-bit) is readable
      Given a TDX host
      And TDX is initialised
      When the host reads field <field> with TDH.SYS.RD
      Then the SEAMCALL succeeds
      And the value read fits in <bits> bits

      Examples: Fields every kernel reads
        | field                 | bits |
        | MAX_TDMRS             | 16   |
        | MAX_RESERVED_PER_TDMR | 16   |
        | PAMT_4K_ENTRY_SIZE    | 16   |
        | PAMT_2M_ENTRY_SIZE    | 16   |
        | PAMT_1G_ENTRY_SIZE    | 16   |

      Examples: Fields read from v6.14 (features) and v6.16 (TD configuration)
        | field             | bits |
        | TDX_FEATURES0     | 64   |
        | TDR_BASE_SIZE     | 16   |
        | TDCS_BASE_SIZE    | 16   |
        | TDVPS_BASE_SIZE   | 16   |
        | ATTRIBUTES_FIXED0 | 64   |
        | ATTRIBUTES_FIXED1 | 64   |
        | XFAM_FIXED0       | 64   |
        | XFAM_FIXED1       | 64   |
        | NUM_CPUID_CONFIG  | 16   |
        | MAX_VCPUS_PER_TD  | 16   |

      Examples: Fields read from v7.1 (version)
        | field          | bits |
        | MAJOR_VERSION  | 16   |
        | MINOR_VERSION  | 16   |
        | UPDATE_VERSION | 16   |

  @req:host.metadata.element-sizes @module:>=1.5 @needs:host.seamcall
  Rule: Walking the fields, TDH.SYS.RD names each next field with the element size of its definition

    Scenario Outline: The field after <field> is <next>, with <bits>-bit elements
      Given a TDX host
      And TDX is initialised
      When the host reads field <field> with TDH.SYS.RD
      Then the next field identifier returned is that of <next>
      And it encodes <bits>-bit elements

      Examples: One field of each element size
        | field          | next             | bits |
        | VENDOR_ID      | BUILD_DATE       | 32   |
        | BUILD_DATE     | BUILD_NUM        | 16   |
        | SYS_ATTRIBUTES | NUM_TDX_FEATURES | 8    |
        | NUM_TDX_FEATURES | TDX_FEATURES0  | 64   |

  @req:host.metadata.version-fields @module:>=1.5 @needs:host.seamcall
  Rule: The version fields report the module the platform runs

    Scenario: Major, minor and update version match the loaded module
      Given a TDX host
      And TDX is initialised
      Then TDH.SYS.RD of MAJOR_VERSION, MINOR_VERSION and UPDATE_VERSION gives the target's module version

  @req:host.metadata.field-id-validation @module:>=1.5 @needs:host.seamcall @src:mod-sys-leaves
  Rule: TDH.SYS.RD refuses identifiers with reserved or sequence bits set, and unknown fields

    Scenario Outline: <id> is refused with <status>
      Given a TDX host
      And TDX is initialised
      When the host reads field identifier <id> with TDH.SYS.RD
      Then the SEAMCALL completes with <status>

      Examples:
        | id                 | status                                 |
        | 0x9100000101000008 | TDX_METADATA_FIELD_ID_INCORRECT        |
        | 0x9100800100000008 | TDX_METADATA_FIELD_ID_INCORRECT        |
        | 0x9100000500000008 | TDX_METADATA_FIELD_ID_INCORRECT        |
        | 0x910000010000fff0 | TDX_METADATA_FIELD_ID_INCORRECT        |
        | 0xffffffffffffffff | TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT |

  @req:host.metadata.rdall @module:>=1.5 @needs:host.seamcall @src:mod-sys-leaves
  Rule: TDH.SYS.RDALL lists every element TDH.SYS.RD can read, with the same values

    Scenario: The list and the single reads agree
      Given a TDX host
      And TDX is initialised
      When the host lists the global metadata with TDH.SYS.RDALL
      Then the list covers every element of every field, arrays included
      And each listed value equals what TDH.SYS.RD returns for that element

  @req:host.metadata.16bit-reader @module:>=1.5 @era:metadata=16bit-only @src:tdx-c-68 @needs:host.metadata
  Rule: Up to v6.13 the kernel's metadata reader accepts only 16-bit fields

    Scenario Outline: Reading the <bits>-bit field <field>
      Given a TDX host
      And TDX is initialised
      When the kernel reads metadata field <field>
      Then the kernel's read <outcome>

      Examples:
        | field         | bits | outcome           |
        | MAX_TDMRS     | 16   | succeeds          |
        | VENDOR_ID     | 32   | fails with EINVAL |
        | TDX_FEATURES0 | 64   | fails with EINVAL |

  @req:host.metadata.any-size-reader @module:>=1.5 @era:metadata=any-size @src:ml-metadata-rework @needs:host.metadata
  Rule: From v6.14 the kernel reads fields of every element size

    Scenario Outline: Reading the <bits>-bit field <field>
      Given a TDX host
      And TDX is initialised
      When the kernel reads metadata field <field>
      Then the kernel's read succeeds with a value that fits in <bits> bits

      Examples:
        | field            | bits |
        | NUM_TDX_FEATURES | 8    |
        | MAX_TDMRS        | 16   |
        | VENDOR_ID        | 32   |
        | TDX_FEATURES0    | 64   |

  @req:host.metadata.no-rbp-mod @module:>=1.5 @era:feature-check=no-rbp-mod @src:ml-metadata-rework
  Rule: From v6.14 a module without TDX_FEATURES0.NO_RBP_MOD (bit 18) is refused

    Scenario: A module that may clobber RBP
      Given a TDX host
      And a TDX module without the NO_RBP_MOD feature
      When the kernel initialises TDX
      Then initialisation fails with EINVAL
      And the kernel log says the module may clobber RBP
