@guest @src:tdx-rst-guest @src:mod-msr-lookup @src:guest-mod15-td-msr-access @src:guest-mod208-td-msr-access @src:guest-mod208-msr-lookup
Feature: MSR access in a TD
  The TDX module decides, MSR by MSR and separately for reads and writes, what a TD's RDMSR and
  WRMSR do. Some MSRs are the TD's own and just work, passed to the CPU or emulated by the module
  itself. Some raise #GP, as if the MSR did not exist. The rest raise #VE, which lets the guest
  ask the VMM to emulate the access. An MSR the module's table does not list raises #VE on module
  1.5; module 2.0 raises #GP for it instead once the TD turned on REDUCE_VE (kernels from v6.14
  do), and does the same for IA32_VMX_PINBASED_CTLS. A few MSRs depend on how the TD was
  configured: performance-monitoring MSRs need the PERFMON attribute, and some raise #VE only when
  the TD's CPUID enumerates the feature they belong to (on module 2.0 also MCG_CAP with MCA and
  MTRR_DEF_TYPE with MTRR). The scenarios read MSRs the way the msr driver does, where a fault
  becomes an error (EIO) instead of an oops: through /dev/cpu/N/msr a real TD shows the #GP
  category as EIO, and reads the others (a #VE-class MSR is answered by the VMM).

  @req:guest.msr.categories @needs:guest.msr
  Rule: Each MSR access falls in one of three categories: it just works, it raises #VE, or it raises #GP; on module 2.0 with REDUCE_VE, MSRs the module does not list and IA32_VMX_PINBASED_CTLS raise #GP instead of #VE

    Scenario Outline: RDMSR of <msr> (<name>) <category>
      Given a TD guest
      When the guest kernel reads MSR <msr>
      Then the MSR access <category>

      Examples: Just works (passed through, or emulated by the module)
        | msr        | name                   | category   |
        | 0x48       | IA32_SPEC_CTRL         | just works |
        | 0x277      | IA32_PAT               | just works |
        | 0x808      | IA32_X2APIC_TPR        | just works |
        | 0xc0000080 | IA32_EFER              | just works |
        | 0x10a      | IA32_ARCH_CAPABILITIES | just works |
        | 0x480      | IA32_VMX_BASIC         | just works |

      Examples: Raises #VE
        | msr   | name              | category   |
        | 0x1b  | IA32_APICBASE     | raises #VE with exit reason 31 (MSR_READ) |
        | 0x830 | IA32_X2APIC_ICR   | raises #VE with exit reason 31 (MSR_READ) |

      Examples: Raises #GP
        | msr   | name                  | category   |
        | 0x9e  | IA32_SMBASE           | raises #GP |
        | 0x8c  | IA32_SGXLEPUBKEYHASH0 | raises #GP |
        | 0xd90 | IA32_BNDCFGS          | raises #GP |
        | 0xd93 | IA32_PASID            | raises #GP |
        | 0x804 | reserved x2APIC MSR   | raises #GP |

    @module:>=1.5 @module:<2.0
    Scenario Outline: Module 1.5: RDMSR of <msr> (<name>) raises #VE
      Given a TD guest
      When the guest kernel reads MSR <msr>
      Then the MSR access raises #VE with exit reason 31 (MSR_READ)

      Examples:
        | msr   | name                             |
        | 0x179 | IA32_MCG_CAP, not listed         |
        | 0x2ff | IA32_MTRR_DEF_TYPE, not listed   |
        | 0x1a2 | MSR_TEMPERATURE_TARGET, not listed |
        | 0x481 | IA32_VMX_PINBASED_CTLS           |

    @module:>=2.0 @era:guest-reduce-ve=reduce-ve
    Scenario Outline: Module 2.0 with REDUCE_VE: RDMSR of <msr> (<name>) raises #GP
      Given a TD guest
      When the guest kernel reads MSR <msr>
      Then the MSR access raises #GP

      Examples:
        | msr   | name                               |
        | 0x1a2 | MSR_TEMPERATURE_TARGET, not listed |
        | 0x481 | IA32_VMX_PINBASED_CTLS             |

    Scenario Outline: WRMSR of <msr> (<name>) <category>
      Given a TD guest
      When the guest kernel writes 0x0 to MSR <msr>
      Then the MSR access <category>

      Examples:
        | msr   | name                    | category   |
        | 0x48  | IA32_SPEC_CTRL          | just works |
        | 0xda0 | IA32_XSS                | just works |
        | 0x10  | IA32_TIME_STAMP_COUNTER | raises #VE with exit reason 32 (MSR_WRITE) |
        | 0xbc  | IA32_MISC_PACKAGE_CTLS  | raises #VE with exit reason 32 (MSR_WRITE) |
        | 0x480 | IA32_VMX_BASIC          | raises #GP |
        | 0x9e  | IA32_SMBASE             | raises #GP |

    Scenario Outline: Through the msr driver, RDMSR of <msr> (<name>) <result>
      Given a TD guest
      When the guest kernel reads MSR <msr>
      Then the msr driver <result>

      Examples: Passed through or emulated by the module
        | msr   | name                   | result        |
        | 0x48  | IA32_SPEC_CTRL         | read a value  |
        | 0x277 | IA32_PAT               | read a value  |
        | 0x10a | IA32_ARCH_CAPABILITIES | read a value  |

      Examples: #VE, which the kernel has the VMM emulate
        | msr  | name          | result       |
        | 0x1b | IA32_APICBASE | read a value |

      Examples: #GP, which the msr driver reports as EIO
        | msr   | name                  | result         |
        | 0x9e  | IA32_SMBASE           | failed with EIO |
        | 0x8c  | IA32_SGXLEPUBKEYHASH0 | failed with EIO |
        | 0xd90 | IA32_BNDCFGS          | failed with EIO |
        | 0xd93 | IA32_PASID            | failed with EIO |
        | 0x804 | reserved x2APIC MSR   | failed with EIO |

  @req:guest.msr.ve-emulation @needs:guest.msr @needs:guest.tdvmcall @src:guest-c
  Rule: The kernel emulates a #VE on RDMSR and WRMSR with TDVMCALL<Instruction.RDMSR> and <Instruction.WRMSR>; when the VMM refuses, the access fails

    Scenario: RDMSR of IA32_APICBASE returns what the VMM answered
      Given a TD guest
      When the guest kernel reads MSR 0x1b
      Then the guest asked the VMM with TDVMCALL<Instruction.RDMSR> (leaf 0x1f) and R12 = 0x1b
      And the MSR value is what the VMM answered in R11

    Scenario: WRMSR of IA32_TSC_DEADLINE passes the MSR and the value
      Given a TD guest whose CPUID has leaf 0x1 ECX bit 24
      When the guest kernel writes 0x123456789 to MSR 0x6e0
      Then the TDX module raised #VE with exit reason 32 (MSR_WRITE)
      And the guest asked the VMM with TDVMCALL<Instruction.WRMSR> (leaf 0x20) and R12 = 0x6e0, R13 = 0x123456789

    Scenario: The VMM refuses to emulate an MSR: the read fails
      Given a TD guest whose VMM answers TDVMCALL<Instruction.RDMSR> with INVALID_OPERAND (0x8000000000000000)
      When the guest kernel reads MSR 0x1b
      Then the TDX module raised #VE with exit reason 31 (MSR_READ)
      And the MSR access failed

  @req:guest.msr.feature-dependent @needs:guest.msr
  Rule: Some MSRs follow the TD's configuration: performance-monitoring MSRs work only with the PERFMON attribute; TSC_DEADLINE, and on module 2.0 MCG_CAP and MTRR_DEF_TYPE, raise #VE only if the TD's CPUID enumerates their feature (#GP otherwise)

    Scenario: Without PERFMON, IA32_PERFEVTSEL0 raises #GP
      Given a TD guest without the PERFMON (bit 63) attribute
      When the guest kernel reads MSR 0x186
      Then the MSR access raises #GP

    Scenario: With PERFMON, IA32_PERFEVTSEL0 just works
      Given a TD guest with the PERFMON (bit 63) attribute
      When the guest kernel reads MSR 0x186
      Then the MSR access just works

    Scenario: Without PERFMON, the msr driver cannot read IA32_PERFEVTSEL0
      Given a TD guest without the PERFMON (bit 63) attribute
      When the guest kernel reads MSR 0x186
      Then the msr driver failed with EIO

    Scenario: With PERFMON, the msr driver reads IA32_PERFEVTSEL0
      Given a TD guest with the PERFMON (bit 63) attribute
      When the guest kernel reads MSR 0x186
      Then the msr driver read a value

    Scenario: A TD whose CPUID has TSC-deadline gets #VE on IA32_TSC_DEADLINE
      Given a TD guest whose CPUID has leaf 0x1 ECX bit 24
      When the guest kernel reads MSR 0x6e0
      Then the MSR access raises #VE with exit reason 31 (MSR_READ)

    Scenario: A TD whose CPUID lacks TSC-deadline gets #GP on IA32_TSC_DEADLINE
      Given a TD guest on a host CPU without CPUID leaf 0x1 ECX bit 24
      When the guest kernel reads MSR 0x6e0
      Then the MSR access raises #GP

    @module:>=2.0
    Scenario Outline: Module 2.0: RDMSR of <msr> (<name>) raises #VE where the TD's CPUID enumerates <feature>
      Given a TD guest
      When the guest kernel reads MSR <msr>
      Then the MSR access raises #VE with exit reason 31 (MSR_READ)

      Examples:
        | msr   | name               | feature |
        | 0x179 | IA32_MCG_CAP       | MCA     |
        | 0x2ff | IA32_MTRR_DEF_TYPE | MTRR    |

    @module:>=2.0
    Scenario Outline: Module 2.0: RDMSR of <msr> (<name>) raises #GP where the TD's CPUID lacks <feature>
      Given a TD guest on a host CPU without CPUID leaf 0x1 EDX bit <bit>
      When the guest kernel reads MSR <msr>
      Then the MSR access raises #GP

      Examples:
        | msr   | name               | feature | bit |
        | 0x179 | IA32_MCG_CAP       | MCA     | 14  |
        | 0x2ff | IA32_MTRR_DEF_TYPE | MTRR    | 12  |

  @req:guest.msr.table-1.5 @needs:guest.msr @module:>=1.5 @module:<2.0 @src:guest-mod15-msr-lookup
  Rule: Module 1.5: every MSR its table fixes to one category answers in that category, reads and writes alike
    Module 1.5.01's MSR table (msr_config_lookup.c) gives each MSR range, for reads and for writes,
    whether the MSR bitmap intercepts the access and what an intercepted access does. Every row
    whose answer does not depend on the TD's configuration is below, with the first and the last
    MSR of each range: not intercepted, intercepted to #GP, or intercepted to #VE.
    An access the module does not intercept goes to the CPU, and what the CPU then does is the
    CPU's business, not the table's: reading a write-only MSR (IA32_PRED_CMD, IA32_FLUSH_CMD) or
    writing a read-only one (IA32_ARCH_CAPABILITIES, a read-only x2APIC register) raises #GP on
    real hardware without the module taking part. So these rows check only that the module lets
    the access through (no #VE, no #GP of its own), not that the access succeeds.
    Rows that depend on the PERFMON attribute, an XFAM bit, the TD's CPUID, or that the module
    emulates in its own way are the other Rules' business.

    Scenario Outline: RDMSR of <msr> (<name>) <category>
      Given a TD guest
      When the guest kernel reads MSR <msr>
      Then the MSR access <category>

      Examples:
        | msr        | name                                           | category                                  |
        | 0x10       | IA32_TIME_STAMP_COUNTER                        | is not intercepted                        |
        | 0x48       | IA32_SPEC_CTRL                                 | is not intercepted                        |
        | 0x49       | IA32_PRED_CMD                                  | is not intercepted                        |
        | 0x8c       | IA32_SGXLEPUBKEYHASHx (first of 0x8c-0x8f)     | raises #GP                                |
        | 0x8f       | IA32_SGXLEPUBKEYHASHx (last of 0x8c-0x8f)      | raises #GP                                |
        | 0x98       | MSR_WBINVDP                                    | raises #GP                                |
        | 0x99       | MSR_WBNOINVDP                                  | raises #GP                                |
        | 0x9a       | MSR_INTR_PENDING                               | raises #GP                                |
        | 0x9b       | IA32_SMM_MONITOR_CTL                           | raises #GP                                |
        | 0x9e       | IA32_SMBASE                                    | raises #GP                                |
        | 0xbc       | IA32_MISC_PACKAGE_CTLS                         | is not intercepted                        |
        | 0x10b      | IA32_FLUSH_CMD                                 | is not intercepted                        |
        | 0x174      | IA32_SYSENTER_CS                               | is not intercepted                        |
        | 0x175      | IA32_SYSENTER_ESP                              | is not intercepted                        |
        | 0x176      | IA32_SYSENTER_EIP                              | is not intercepted                        |
        | 0x195      | IA32_OVERCLOCKING_STATUS                       | raises #GP                                |
        | 0x276      | MSR_SLAM_ENABLE                                | raises #GP                                |
        | 0x277      | IA32_PAT                                       | is not intercepted                        |
        | 0x481      | IA32_VMX_PINBASED_CTLS                         | raises #VE with exit reason 31 (MSR_READ) |
        | 0x482      | IA32_VMX_PROCBASED_CTLS                        | raises #VE with exit reason 31 (MSR_READ) |
        | 0x483      | IA32_VMX_EXIT_CTLS                             | raises #VE with exit reason 31 (MSR_READ) |
        | 0x484      | IA32_VMX_ENTRY_CTLS                            | raises #VE with exit reason 31 (MSR_READ) |
        | 0x48a      | IA32_VMX_VMCS_ENUM                             | raises #VE with exit reason 31 (MSR_READ) |
        | 0x500      | IA32_SGX_SVN_STATUS                            | raises #GP                                |
        | 0x600      | IA32_DS_AREA                                   | is not intercepted                        |
        | 0x800      | Reserved for xAPIC MSRs (first of 0x800-0x801) | raises #GP                                |
        | 0x801      | Reserved for xAPIC MSRs (last of 0x800-0x801)  | raises #GP                                |
        | 0x804      | Reserved for xAPIC MSRs (first of 0x804-0x807) | raises #GP                                |
        | 0x807      | Reserved for xAPIC MSRs (last of 0x804-0x807)  | raises #GP                                |
        | 0x808      | IA32_X2APIC_TPR                                | is not intercepted                        |
        | 0x809      | Reserved for xAPIC MSRs                        | is not intercepted                        |
        | 0x80a      | IA32_X2APIC_PPR                                | is not intercepted                        |
        | 0x80b      | IA32_X2APIC_EOI                                | is not intercepted                        |
        | 0x80c      | Reserved for xAPIC MSRs                        | is not intercepted                        |
        | 0x80e      | Reserved for xAPIC MSRs                        | is not intercepted                        |
        | 0x810      | IA32_X2APIC_ISRx (first of 0x810-0x817)        | is not intercepted                        |
        | 0x817      | IA32_X2APIC_ISRx (last of 0x810-0x817)         | is not intercepted                        |
        | 0x818      | IA32_X2APIC_TMRx (first of 0x818-0x81f)        | is not intercepted                        |
        | 0x81f      | IA32_X2APIC_TMRx (last of 0x818-0x81f)         | is not intercepted                        |
        | 0x820      | IA32_X2APIC_IRRx (first of 0x820-0x827)        | is not intercepted                        |
        | 0x827      | IA32_X2APIC_IRRx (last of 0x820-0x827)         | is not intercepted                        |
        | 0x829      | Reserved for xAPIC MSRs (first of 0x829-0x82e) | raises #GP                                |
        | 0x82e      | Reserved for xAPIC MSRs (last of 0x829-0x82e)  | raises #GP                                |
        | 0x831      | Reserved for xAPIC MSRs                        | raises #GP                                |
        | 0x83f      | IA32_X2APIC_SELF_IPI                           | is not intercepted                        |
        | 0x840      | Reserved for xAPIC MSRs (first of 0x840-0x87f) | raises #GP                                |
        | 0x87f      | Reserved for xAPIC MSRs (last of 0x840-0x87f)  | raises #GP                                |
        | 0x880      | Reserved for xAPIC MSRs (first of 0x880-0x8bf) | raises #GP                                |
        | 0x8bf      | Reserved for xAPIC MSRs (last of 0x880-0x8bf)  | raises #GP                                |
        | 0x8c0      | Reserved for xAPIC MSRs (first of 0x8c0-0x8ff) | raises #GP                                |
        | 0x8ff      | Reserved for xAPIC MSRs (last of 0x8c0-0x8ff)  | raises #GP                                |
        | 0xc80      | IA32_DEBUG_INTERFACE                           | is not intercepted                        |
        | 0xd90      | IA32_BNDCFGS                                   | raises #GP                                |
        | 0xd93      | IA32_PASID                                     | raises #GP                                |
        | 0xda0      | IA32_XSS                                       | is not intercepted                        |
        | 0x1b01     | IA32_UARCH_MISC_CTL                            | is not intercepted                        |
        | 0xc0000080 | IA32_EFER                                      | is not intercepted                        |
        | 0xc0000081 | IA32_STAR                                      | is not intercepted                        |
        | 0xc0000082 | IA32_LSTAR                                     | is not intercepted                        |
        | 0xc0000084 | IA32_FMASK                                     | is not intercepted                        |
        | 0xc0000100 | IA32_FSBASE                                    | is not intercepted                        |
        | 0xc0000101 | IA32_GSBASE                                    | is not intercepted                        |
        | 0xc0000102 | IA32_KERNEL_GS_BASE                            | is not intercepted                        |
        | 0xc0000103 | IA32_TSC_AUX                                   | is not intercepted                        |

    Scenario Outline: WRMSR of <msr> (<name>) <category>
      Given a TD guest
      When the guest kernel writes 0x0 to MSR <msr>
      Then the MSR access <category>

      Examples:
        | msr        | name                                           | category                                   |
        | 0x10       | IA32_TIME_STAMP_COUNTER                        | raises #VE with exit reason 32 (MSR_WRITE) |
        | 0x48       | IA32_SPEC_CTRL                                 | is not intercepted                         |
        | 0x49       | IA32_PRED_CMD                                  | is not intercepted                         |
        | 0x8c       | IA32_SGXLEPUBKEYHASHx (first of 0x8c-0x8f)     | raises #GP                                 |
        | 0x8f       | IA32_SGXLEPUBKEYHASHx (last of 0x8c-0x8f)      | raises #GP                                 |
        | 0x98       | MSR_WBINVDP                                    | raises #GP                                 |
        | 0x99       | MSR_WBNOINVDP                                  | raises #GP                                 |
        | 0x9a       | MSR_INTR_PENDING                               | raises #GP                                 |
        | 0x9b       | IA32_SMM_MONITOR_CTL                           | raises #GP                                 |
        | 0x9e       | IA32_SMBASE                                    | raises #GP                                 |
        | 0xbc       | IA32_MISC_PACKAGE_CTLS                         | raises #VE with exit reason 32 (MSR_WRITE) |
        | 0xbd       | IA32_XAPIC_DISABLE_STATUS                      | is not intercepted                         |
        | 0x10a      | IA32_ARCH_CAPABILITIES                         | is not intercepted                         |
        | 0x10b      | IA32_FLUSH_CMD                                 | is not intercepted                         |
        | 0x174      | IA32_SYSENTER_CS                               | is not intercepted                         |
        | 0x175      | IA32_SYSENTER_ESP                              | is not intercepted                         |
        | 0x176      | IA32_SYSENTER_EIP                              | is not intercepted                         |
        | 0x195      | IA32_OVERCLOCKING_STATUS                       | raises #GP                                 |
        | 0x1a0      | IA32_MISC_ENABLE                               | raises #VE with exit reason 32 (MSR_WRITE) |
        | 0x276      | MSR_SLAM_ENABLE                                | raises #GP                                 |
        | 0x277      | IA32_PAT                                       | is not intercepted                         |
        | 0x480      | IA32_VMX_BASIC                                 | raises #GP                                 |
        | 0x481      | IA32_VMX_PINBASED_CTLS                         | raises #GP                                 |
        | 0x482      | IA32_VMX_PROCBASED_CTLS                        | raises #GP                                 |
        | 0x483      | IA32_VMX_EXIT_CTLS                             | raises #GP                                 |
        | 0x484      | IA32_VMX_ENTRY_CTLS                            | raises #GP                                 |
        | 0x485      | IA32_VMX_MISC                                  | raises #GP                                 |
        | 0x486      | IA32_VMX_CR0_FIXED0                            | raises #GP                                 |
        | 0x487      | IA32_VMX_CR0_FIXED1                            | raises #GP                                 |
        | 0x488      | IA32_VMX_CR4_FIXED0                            | raises #GP                                 |
        | 0x489      | IA32_VMX_CR4_FIXED1                            | raises #GP                                 |
        | 0x48a      | IA32_VMX_VMCS_ENUM                             | raises #GP                                 |
        | 0x48b      | IA32_VMX_PROCBASED_CTLS2                       | raises #GP                                 |
        | 0x48c      | IA32_VMX_EPT_VPID_CAP                          | raises #GP                                 |
        | 0x48d      | IA32_VMX_TRUE_PINBASED_CTLS                    | raises #GP                                 |
        | 0x48e      | IA32_VMX_TRUE_PROCBASED_CTLS                   | raises #GP                                 |
        | 0x48f      | IA32_VMX_TRUE_EXIT_CTLS                        | raises #GP                                 |
        | 0x490      | IA32_VMX_TRUE_ENTRY_CTLS                       | raises #GP                                 |
        | 0x491      | IA32_VMX_VMFUNC                                | raises #GP                                 |
        | 0x492      | IA32_VMX_PROCBASED_CTLS3                       | raises #GP                                 |
        | 0x500      | IA32_SGX_SVN_STATUS                            | raises #GP                                 |
        | 0x600      | IA32_DS_AREA                                   | is not intercepted                         |
        | 0x800      | Reserved for xAPIC MSRs (first of 0x800-0x801) | raises #GP                                 |
        | 0x801      | Reserved for xAPIC MSRs (last of 0x800-0x801)  | raises #GP                                 |
        | 0x804      | Reserved for xAPIC MSRs (first of 0x804-0x807) | raises #GP                                 |
        | 0x807      | Reserved for xAPIC MSRs (last of 0x804-0x807)  | raises #GP                                 |
        | 0x808      | IA32_X2APIC_TPR                                | is not intercepted                         |
        | 0x809      | Reserved for xAPIC MSRs                        | is not intercepted                         |
        | 0x80a      | IA32_X2APIC_PPR                                | is not intercepted                         |
        | 0x80b      | IA32_X2APIC_EOI                                | is not intercepted                         |
        | 0x80c      | Reserved for xAPIC MSRs                        | is not intercepted                         |
        | 0x80e      | Reserved for xAPIC MSRs                        | is not intercepted                         |
        | 0x810      | IA32_X2APIC_ISRx (first of 0x810-0x817)        | is not intercepted                         |
        | 0x817      | IA32_X2APIC_ISRx (last of 0x810-0x817)         | is not intercepted                         |
        | 0x818      | IA32_X2APIC_TMRx (first of 0x818-0x81f)        | is not intercepted                         |
        | 0x81f      | IA32_X2APIC_TMRx (last of 0x818-0x81f)         | is not intercepted                         |
        | 0x820      | IA32_X2APIC_IRRx (first of 0x820-0x827)        | is not intercepted                         |
        | 0x827      | IA32_X2APIC_IRRx (last of 0x820-0x827)         | is not intercepted                         |
        | 0x829      | Reserved for xAPIC MSRs (first of 0x829-0x82e) | raises #GP                                 |
        | 0x82e      | Reserved for xAPIC MSRs (last of 0x829-0x82e)  | raises #GP                                 |
        | 0x831      | Reserved for xAPIC MSRs                        | raises #GP                                 |
        | 0x83f      | IA32_X2APIC_SELF_IPI                           | is not intercepted                         |
        | 0x840      | Reserved for xAPIC MSRs (first of 0x840-0x87f) | raises #GP                                 |
        | 0x87f      | Reserved for xAPIC MSRs (last of 0x840-0x87f)  | raises #GP                                 |
        | 0x880      | Reserved for xAPIC MSRs (first of 0x880-0x8bf) | raises #GP                                 |
        | 0x8bf      | Reserved for xAPIC MSRs (last of 0x880-0x8bf)  | raises #GP                                 |
        | 0x8c0      | Reserved for xAPIC MSRs (first of 0x8c0-0x8ff) | raises #GP                                 |
        | 0x8ff      | Reserved for xAPIC MSRs (last of 0x8c0-0x8ff)  | raises #GP                                 |
        | 0xc80      | IA32_DEBUG_INTERFACE                           | raises #VE with exit reason 32 (MSR_WRITE) |
        | 0xd90      | IA32_BNDCFGS                                   | raises #GP                                 |
        | 0xd93      | IA32_PASID                                     | raises #GP                                 |
        | 0x1b01     | IA32_UARCH_MISC_CTL                            | is not intercepted                         |
        | 0xc0000081 | IA32_STAR                                      | is not intercepted                         |
        | 0xc0000082 | IA32_LSTAR                                     | is not intercepted                         |
        | 0xc0000084 | IA32_FMASK                                     | is not intercepted                         |
        | 0xc0000100 | IA32_FSBASE                                    | is not intercepted                         |
        | 0xc0000101 | IA32_GSBASE                                    | is not intercepted                         |
        | 0xc0000102 | IA32_KERNEL_GS_BASE                            | is not intercepted                         |
        | 0xc0000103 | IA32_TSC_AUX                                   | is not intercepted                         |
