@guest @src:tdx-rst-guest @src:guest-c
Feature: A Linux guest recognises that it runs in a TD
  Very early at boot the guest kernel asks CPUID leaf 0x21 for the TDX signature. When it finds
  it, the kernel marks the CPU as a TDX guest (the tdx_guest flag), asks the TDX module for the TD's
  GPA width and attributes, and derives the shared bit from the width: the top bit of a guest
  physical address says whether the page is shared with the VMM. It then makes sure that touching
  private memory the TD has not accepted can never reach it as a #VE, which it could not handle in
  every context: kernels up to v6.12 insist on the SEPT_VE_DISABLE attribute; from v6.13 (and in
  stable kernels that took the change) a kernel switches such #VEs off itself where the VMM allows
  it. v6.13 also turns on topology enumeration, and from v6.14 the kernel first asks the module
  to spare it other needless #VEs (REDUCE_VE). The kernel reports what it found in its log;
  kernels from v6.14 list the TD attributes and TD_CTLS by name.

  A real TD can check most of this from inside: the signature by executing CPUID in a process, the
  attributes in the TDREPORT the tdx_guest driver returns, TD_CTLS in the kernel's own line.

  @req:guest.detect.cpuid-signature @src:capture-guest-cpuid21 @src:guest-mod15-cpuid-config
  Rule: CPUID leaf 0x21 identifies a TD: read as EBX, EDX, ECX its twelve bytes spell "IntelTDX    "

    @needs:guest.cpuid
    Scenario Outline: Leaf 0x21 carries the TDX signature, from <who>
      Given a TD guest
      When <who> executes CPUID leaf 0x21 subleaf 0
      Then EBX, EDX and ECX read "IntelTDX    "

      Examples:
        | who               |
        | the guest kernel  |
        | a user-space task |

    @needs:guest.instructions
    Scenario: The TDX module answers leaf 0x21 itself, without a #VE
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x21 subleaf 0
      Then the TDX module handled it without a #VE

  @req:guest.detect.cpu-flag @needs:guest.files @src:capture-dev-tdx-guest @src:tdxg-drv @src:guest-linux6161-cpufeatures
  Rule: A guest that found the signature carries the tdx_guest CPU flag and offers /dev/tdx_guest

    Scenario: The tdx_guest flag
      Given a TD guest
      When the guest kernel has booted
      Then the guest CPU flags include tdx_guest

    Scenario: The attestation device
      Given a TD guest
      When the guest kernel has booted
      Then /dev/tdx_guest exists in the guest

  @req:guest.detect.log-lines @needs:guest.log @src:capture-guest-dmesg
  Rule: The guest kernel logs that it detected a TD and, later in boot, that Intel TDX memory encryption is active

    Scenario: The guest kernel says it detected a TD
      Given a TD guest
      When the guest kernel has booted
      Then the guest log has the line "tdx: Guest detected"

    Scenario: Later in boot it says Intel TDX memory encryption is active
      Given a TD guest
      When the guest kernel has booted
      Then the guest log has the line "Memory Encryption Features active: Intel TDX"
      And the guest log says "Guest detected" before it says "Memory Encryption Features active: Intel TDX"

  @req:guest.detect.announce @needs:guest.log @src:ml-tdx-announce @src:tdx-guest-debug-c @src:ml-migratable-typo
  Rule: Kernels from v6.14 name the TD attributes and TD_CTLS after "Guest detected"; earlier kernels print no such lines

    @needs:guest.describe
    Scenario Outline: The attribute and TD_CTLS lines name what the TD has, bit 29 as <bit 29>
      Given a TD guest
      When the guest kernel has booted
      Then the guest log says "Attributes:%s"
      And the guest's attribute line names the TD's attributes by these names:
        | bit | name            |
        | 0   | DEBUG           |
        | 4   | HGS_PLUS_PROF   |
        | 5   | PERF_PROF       |
        | 6   | PMT_PROF        |
        | 16  | ICSSD           |
        | 27  | LASS            |
        | 28  | SEPT_VE_DISABLE |
        | 29  | <bit 29>        |
        | 30  | PKS             |
        | 31  | KL              |
        | 62  | TPA             |
        | 63  | PERFMON         |
      And the guest log says "TD_CTLS:%s"
      And the guest's TD_CTLS line names the TD_CTLS the TD reports by these names:
        | bit | name               |
        | 0   | PENDING_VE_DISABLE |
        | 1   | ENUM_TOPOLOGY      |
        | 2   | VIRT_CPUID2        |
        | 3   | REDUCE_VE          |
        | 63  | LOCK               |

      @era:guest-announce=attributes-migrtable
      Examples: Until the 2026 fix
        | bit 29    |
        | MIGRTABLE |

      @era:guest-announce=attributes-migratable
      Examples: After the 2026 fix
        | bit 29     |
        | MIGRATABLE |

    @needs:guest.report
    Scenario Outline: The attribute line names the attributes of the TD's TDREPORT, bit 29 as <bit 29>
      Given a TD guest
      When the guest kernel has booted
      Then the guest's attribute line names the attributes in the TD's TDREPORT (8 bytes at offset 0x200) by these names:
        | bit | name            |
        | 0   | DEBUG           |
        | 4   | HGS_PLUS_PROF   |
        | 5   | PERF_PROF       |
        | 6   | PMT_PROF        |
        | 16  | ICSSD           |
        | 27  | LASS            |
        | 28  | SEPT_VE_DISABLE |
        | 29  | <bit 29>        |
        | 30  | PKS             |
        | 31  | KL              |
        | 62  | TPA             |
        | 63  | PERFMON         |

      @era:guest-announce=attributes-migrtable
      Examples: Until the 2026 fix
        | bit 29    |
        | MIGRTABLE |

      @era:guest-announce=attributes-migratable
      Examples: After the 2026 fix
        | bit 29     |
        | MIGRATABLE |

    @era:guest-announce=attributes-migrtable
    Scenario: Until the 2026 fix, attribute bit 29 is spelled MIGRTABLE
      Given a TD guest with exactly the SEPT_VE_DISABLE (bit 28) and MIGRATABLE (bit 29) attributes
      When the guest kernel has booted
      Then the guest's attribute line lists exactly SEPT_VE_DISABLE,MIGRTABLE

    @era:guest-announce=attributes-migratable
    Scenario: After the 2026 fix, attribute bit 29 is spelled MIGRATABLE
      Given a TD guest with exactly the SEPT_VE_DISABLE (bit 28) and MIGRATABLE (bit 29) attributes
      When the guest kernel has booted
      Then the guest's attribute line lists exactly SEPT_VE_DISABLE,MIGRATABLE

    @era:guest-announce=detected-only
    Scenario: Earlier kernels only say that they detected a TD
      Given a TD guest
      When the guest kernel has booted
      Then the guest log has the line "tdx: Guest detected"
      And the guest log has no attribute line

  @req:guest.detect.shared-bit @needs:guest.describe @needs:guest.memory @needs:guest.tdvmcall
  Rule: The shared bit is the highest bit of the TD's GPA width: bit 47 with a 48-bit width, bit 51 with 52 bits

    Scenario Outline: A <width>-bit GPA width puts the shared bit at bit <bit>
      Given a TD guest with a <width>-bit GPA width
      When the guest converts 1 page at 0x2000000 to shared
      Then the TD reports a GPA width of <width> and a shared bit at bit <bit>
      And the guest asked the VMM with MapGPA for 0x2000000 with bit <bit> set

      Examples:
        | width | bit |
        | 48    | 47  |
        | 52    | 51  |

  @req:guest.setup.sept-ve-attribute @era:guest-sept-ve=attribute @src:guest-c-v63
  Rule: Up to v6.12 a TD must have the SEPT_VE_DISABLE attribute: a non-debug TD without it reports a fatal error to the VMM and stops; a debug TD only warns

    @needs:guest.describe
    Scenario: A non-debug TD without SEPT_VE_DISABLE stops at boot
      Given a TD guest without the DEBUG (bit 0) and SEPT_VE_DISABLE (bit 28) attributes
      And the VMM does not let the TD control pending #VEs
      When the guest kernel boots
      Then the guest kernel stopped at boot reporting "TD misconfiguration: SEPT_VE_DISABLE attribute must be set."
      And the VMM received that message through TDVMCALL<ReportFatalError> (leaf 0x10003) with R12 = 0 and the text in R14, R15, RBX, RDI, RSI, R8, R9, RDX

    @needs:guest.log
    Scenario: A debug TD without SEPT_VE_DISABLE boots with a warning
      Given a TD guest with the DEBUG (bit 0) attribute but without the SEPT_VE_DISABLE (bit 28) attribute
      When the guest kernel boots
      Then the guest kernel booted
      And the guest log has the line "tdx: TD misconfiguration: SEPT_VE_DISABLE attribute must be set."

    @needs:guest.report
    Scenario: A non-debug TD that booted has the SEPT_VE_DISABLE attribute
      Given a TD guest without the DEBUG (bit 0) attribute
      When the guest kernel has booted
      Then the attributes in the TD's TDREPORT (8 bytes at offset 0x200) include SEPT_VE_DISABLE (bit 28)

  @req:guest.setup.sept-ve-td-ctls @era:guest-sept-ve=td-ctls @src:ml-disable-sept-ve @src:guest-ml-sept-ve-stable @src:guest-mod15-tdh-mng-init
  Rule: From v6.13, where the VMM lets the TD control pending #VEs, a non-debug TD sets TD_CTLS.PENDING_VE_DISABLE itself; otherwise the attribute still decides (the module sets the control from it)

    @module:>=1.5 @needs:guest.describe
    Scenario: The kernel disables SEPT #VEs itself when the VMM allows it
      Given a TD guest without the DEBUG (bit 0) and SEPT_VE_DISABLE (bit 28) attributes
      And the VMM lets the TD control pending #VEs
      When the guest kernel boots
      Then the guest kernel booted
      And the TD's TD_CTLS include PENDING_VE_DISABLE (bit 0)

    @module:>=1.5 @needs:guest.describe
    Scenario: A debug TD keeps SEPT #VEs for its backtraces
      Given a TD guest with the DEBUG (bit 0) attribute but without the SEPT_VE_DISABLE (bit 28) attribute
      And the VMM lets the TD control pending #VEs
      When the guest kernel boots
      Then the guest kernel booted
      And the TD's TD_CTLS lack PENDING_VE_DISABLE (bit 0)

    @needs:guest.describe
    Scenario: Without that permission a non-debug TD still needs the attribute
      Given a TD guest without the DEBUG (bit 0) and SEPT_VE_DISABLE (bit 28) attributes
      And the VMM does not let the TD control pending #VEs
      When the guest kernel boots
      Then the guest kernel stopped at boot reporting "TD misconfiguration: SEPT #VE has to be disabled"
      And the VMM received that message through TDVMCALL<ReportFatalError> (leaf 0x10003) with R12 = 0 and the text in R14, R15, RBX, RDI, RSI, R8, R9, RDX

    @needs:guest.log @era:guest-announce=attributes-migrtable @era:guest-announce=attributes-migratable
    Scenario: A non-debug TD that booted has SEPT #VEs disabled in its TD_CTLS
      Given a TD guest without the DEBUG (bit 0) attribute
      When the guest kernel has booted
      Then the guest's TD_CTLS line lists PENDING_VE_DISABLE

  @req:guest.setup.reduce-ve @src:ml-reduce-ve @src:guest-ml-topology-enum @src:guest-mod15-td-ctls @src:guest-mod15-tdg-vm-rd-wr
  Rule: v6.13 turns on topology enumeration, which needs x2APIC IDs configured by the VMM; from v6.14 the kernel asks for REDUCE_VE first and falls back to topology enumeration alone; a module without topology enumeration (1.5.01) reads as unconfigured, so the kernel says the VMM did not configure the x2APIC IDs

    @module:>=2.0 @era:guest-reduce-ve=reduce-ve @needs:guest.describe
    Scenario: A module with REDUCE_VE turns it on, which includes topology enumeration and CPUID leaf 0x2
      Given a TD guest
      When the guest kernel boots
      Then the TD's TD_CTLS include REDUCE_VE (bit 3), ENUM_TOPOLOGY (bit 1) and VIRT_CPUID2 (bit 2)

    @module:>=1.5 @module:<2.0 @era:guest-reduce-ve=topology-only @era:guest-reduce-ve=reduce-ve @needs:guest.describe
    Scenario: A module with topology enumeration but without REDUCE_VE: topology enumeration only
      Given a TD guest
      And the TDX module's TDX_FEATURES0 has TOPOLOGY_ENUM (bit 20)
      When the guest kernel boots
      Then the TD's TD_CTLS include ENUM_TOPOLOGY (bit 1)
      And the TD's TD_CTLS lack REDUCE_VE (bit 3)

    @module:>=1.5 @module:<2.0 @era:guest-reduce-ve=topology-only @era:guest-reduce-ve=reduce-ve @needs:guest.describe @needs:guest.log
    Scenario: A module without topology enumeration: no TD_CTLS beyond SEPT #VEs, and the kernel says the x2APIC IDs are not configured
      Given a TD guest
      And the TDX module's TDX_FEATURES0 lacks TOPOLOGY_ENUM (bit 20)
      When the guest kernel boots
      Then the TD's TD_CTLS lack REDUCE_VE (bit 3)
      And the TD's TD_CTLS lack ENUM_TOPOLOGY (bit 1)
      And the guest log says "VMM did not configure X2APIC_IDs properly"

    @module:>=1.5 @era:guest-reduce-ve=topology-only @era:guest-reduce-ve=reduce-ve @needs:guest.log @needs:guest.describe
    Scenario: Without x2APIC IDs from the VMM the kernel says so and goes without
      Given a TD guest whose VMM did not configure the x2APIC IDs
      When the guest kernel boots
      Then the guest log says "VMM did not configure X2APIC_IDs properly"
      And the TD's TD_CTLS lack ENUM_TOPOLOGY (bit 1)

    @era:guest-reduce-ve=reduce-ve @needs:guest.log @era:guest-announce=attributes-migrtable @era:guest-announce=attributes-migratable
    Scenario: After boot the TD_CTLS line shows REDUCE_VE or topology enumeration on, or the log says why not
      Given a TD guest
      When the guest kernel has booted
      Then the guest's TD_CTLS line lists REDUCE_VE or ENUM_TOPOLOGY, or the guest log says "VMM did not configure X2APIC_IDs properly"

  @req:guest.log.dialect @needs:guest.log @src:ml-disable-sept-ve @src:guest-c-v63 @src:guest-c
  Rule: The guest kernel words its TDX messages as its own kernel version does (the SEPT #VE warning changed in v6.13)

    Scenario Outline: The warning of a debug TD without SEPT_VE_DISABLE is "<warning>"
      Given a TD guest with the DEBUG (bit 0) attribute but without the SEPT_VE_DISABLE (bit 28) attribute
      And the VMM does not let the TD control pending #VEs
      When the guest kernel boots
      Then the guest log has the line "tdx: <warning>"

      @era:guest-sept-ve=attribute
      Examples: Up to v6.12 (the attribute alone decides)
        | warning                                                     |
        | TD misconfiguration: SEPT_VE_DISABLE attribute must be set. |

      @era:guest-sept-ve=td-ctls
      Examples: From v6.13 (disable_sept_ve())
        | warning                                          |
        | TD misconfiguration: SEPT #VE has to be disabled |

    Scenario: The detection line of a TD's boot, with the guest code's prefix
      Given a TD guest
      When the guest kernel has booted
      Then the guest log has the line "tdx: Guest detected"
