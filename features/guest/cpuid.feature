@guest @src:tdx-rst-guest @src:guest-mod15-td-cpuid @src:guest-mod15-cpuid-table @src:guest-mod208-td-cpuid @src:guest-mod15-cpuid-config @src:guest-mod208-cpuid-config
Feature: CPUID in a TD
  The TDX module virtualises CPUID for the leaves it knows. In those, some bits are fixed by the
  module, and others the VMM configures when it creates the TD; for those the VMM may only pass
  on or clear what the CPU has, never claim a feature the CPU lacks. The whole range
  0x40000000-0x4FFFFFFF, which hypervisors use to describe themselves, always raises #VE, and the
  guest kernel forwards exactly that range to the VMM. Like a CPU, the module answers a leaf above
  the highest leaf of its range (0x23 for the basic range, from module 1.5) as that highest basic leaf. Other
  leaves the module does not handle raise #VE, and the kernel reads them as all zeros, as an
  unsupported leaf does on a CPU; module 2.0 spares the TD those #VEs once the kernel turned on
  REDUCE_VE (v6.14), and then answers leaf 0x6 itself. Leaf 0x2 (cache and TLB descriptors) is
  answered by the module only once the TD has turned on VIRT_CPUID2, which REDUCE_VE includes.

  User space sees the same CPUID as the kernel: a real TD can execute CPUID in a process and
  compare it with what the module and the VMM are said to answer.

  @req:guest.cpuid.module-handled @src:lkvs-tdx-compliance-cpuid-h
  Rule: The module answers the leaves it virtualises without a #VE, with its fixed bits: leaf 0x1 always reports a hypervisor, and from module 1.5 leaf 0x0 reports 0x23 as the highest basic leaf
    Module 1.0's CPUID table is not public; Intel's guest compliance tests (intel/lkvs) expect 0x21 as
    its highest basic leaf, so the suite asks 0x23 and leaf 0x23 itself only of modules 1.5 and later.

    @needs:guest.instructions
    Scenario Outline: CPUID leaf <leaf> is answered by the module
      Given a TD guest
      When the guest kernel executes CPUID leaf <leaf> subleaf 0
      Then the TDX module handled it without a #VE

      Examples:
        | leaf       |
        | 0x0        |
        | 0x1        |
        | 0x7        |
        | 0xd        |
        | 0x21       |
        | 0x80000008 |

      @module:>=1.5
      Examples: From module 1.5
        | leaf       |
        | 0x23       |

    @needs:guest.instructions @module:>=1.5 @module:<2.0
    Scenario Outline: Module 1.5: CPUID leaf <leaf> subleaf <subleaf>, the last subleaf the module lists for it, is answered by the module
      Given a TD guest
      When the guest kernel executes CPUID leaf <leaf> subleaf <subleaf>
      Then the TDX module handled it without a #VE

      Examples: The last subleaf of each leaf with subleaves in module 1.5.01's CPUID table
        | leaf | subleaf |
        | 0x4  | 4       |
        | 0x7  | 2       |
        | 0xd  | 18      |
        | 0x23 | 3       |

    @needs:guest.instructions
    Scenario: The hypervisor bit of leaf 0x1 stays set whatever the VMM configures
      Given a TD guest whose VMM configures CPUID leaf 0x1 ECX as 0x0
      When the guest kernel executes CPUID leaf 0x1 subleaf 0
      Then ECX bit 31 is set

    @needs:guest.cpuid
    Scenario: From user space, leaf 0x1 reports a hypervisor
      Given a TD guest
      When a user-space task executes CPUID leaf 0x1 subleaf 0
      Then ECX bit 31 is set

    @needs:guest.cpuid @module:>=1.5
    Scenario: From user space, leaf 0x0 reports 0x23 as the highest basic leaf
      Given a TD guest
      When a user-space task executes CPUID leaf 0x0 subleaf 0
      Then EAX is 0x23

  @req:guest.cpuid.vmm-configurable @needs:guest.instructions
  Rule: For configurable bits the VMM's value counts, but it can only keep or clear what the CPU has, never set a bit the CPU lacks

    Scenario: The VMM clears a bit the CPU has
      Given a TD guest whose VMM configures CPUID leaf 0x7 subleaf 0 EBX as 0xfffffff7
      When the guest kernel executes CPUID leaf 0x7 subleaf 0
      Then EBX bit 3 is clear

    Scenario: The VMM asks for every bit: the CPU's bits show
      Given a TD guest whose VMM configures CPUID leaf 0x7 subleaf 0 EBX as 0xffffffff
      When the guest kernel executes CPUID leaf 0x7 subleaf 0
      Then EBX bit 30 is set

    Scenario: The VMM cannot set a bit the CPU lacks
      Given a TD guest on a host CPU without CPUID leaf 0x7 subleaf 0 EBX bit 30
      And the VMM configures CPUID leaf 0x7 subleaf 0 EBX as 0xffffffff
      When the guest kernel executes CPUID leaf 0x7 subleaf 0
      Then EBX bit 30 is clear

  @req:guest.cpuid.range-edges @module:>=1.5 @module:<2.0 @needs:guest.instructions @src:guest-mod15-x86-defs @src:guest-mod15-tdh-mng-init @src:mod-sys-init-1501
  Rule: The highest leaf of each range is answered as itself, the next one up as leaf 0x23: leaf 0x80000008 gives the TD's address widths, leaf 0x24 reads as leaf 0x23
    The module answers a leaf as leaf 0x23 only when it is strictly above the highest leaf of its
    range: above 0x23 in the basic range, above the CPU's highest extended leaf (at least
    0x80000008, or TDH.SYS.INIT refuses the CPU) in the extended range. So leaf 0x80000008 is its
    own: the physical-address width in EAX bits 7:0, and in bits 15:8 the linear-address width the
    module sets when the TD is initialised, 57 if the TD's CPUID(7,0).ECX bit 16 (LA57) is set and
    48 otherwise. Leaf 0x24, the first leaf past the basic range, reads as leaf 0x23.

    Scenario Outline: From <who>, leaf 0x80000008 is answered as itself, with the linear-address width LA57 implies
      Given a TD guest
      When <who> executes CPUID leaf 0x80000008 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX bits 15:8 are 57 if CPUID leaf 0x7 subleaf 0 ECX bit 16 is set, and 48 otherwise

      Examples:
        | who               |
        | the guest kernel  |
        | a user-space task |

    Scenario Outline: From <who>, leaf 0x24, one past the highest basic leaf, is answered as leaf 0x23
      Given a TD guest
      When <who> executes CPUID leaf 0x24 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX, EBX, ECX and EDX equal those of CPUID leaf 0x23 subleaf 0

      Examples:
        | who               |
        | the guest kernel  |
        | a user-space task |

  @req:guest.cpuid.hypervisor-range @src:guest-c @src:guest-mod15-x86-defs
  Rule: Leaves 0x40000000-0x4FFFFFFF always raise #VE and the kernel asks the VMM for them; a leaf above the highest basic leaf (and below the extended range) is answered as leaf 0x23; other leaves the module does not handle raise #VE and read as zeros, in user space as in the kernel, except that module 2.0 answers leaf 0x6 itself once the TD turned on REDUCE_VE

    @needs:guest.instructions
    Scenario Outline: CPUID leaf <leaf> from <who>: the kernel asks the VMM
      Given a TD guest
      When <who> executes CPUID leaf <leaf> subleaf 0
      Then the TDX module raised #VE with exit reason 10 (CPUID)
      And the guest kernel emulated it through TDVMCALL<Instruction.CPUID> (leaf 0xa)

      Examples:
        | who               | leaf       |
        | the guest kernel  | 0x40000000 |
        | the guest kernel  | 0x40000001 |
        | the guest kernel  | 0x4fffffff |
        | a user-space task | 0x40000000 |

    @needs:guest.instructions @needs:guest.tdvmcall
    Scenario Outline: CPUID leaf <leaf> subleaf <subleaf>: the VMM is asked for that leaf in R12 and that subleaf in R13
      Given a TD guest
      When the guest kernel executes CPUID leaf <leaf> subleaf <subleaf>
      Then the guest asked the VMM with TDVMCALL<Instruction.CPUID> (leaf 0xa) and R12 = <leaf>, R13 = <subleaf>

      Examples:
        | leaf       | subleaf |
        | 0x40000000 | 0       |
        | 0x40000001 | 1       |
        | 0x4fffffff | 7       |

    @needs:guest.instructions @needs:guest.tdvmcall
    Scenario: The guest reads what the VMM answered
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x40000000 subleaf 0
      Then EAX, EBX, ECX and EDX are what the VMM answered in R12 to R15

    @needs:guest.cpuid
    Scenario Outline: From user space, leaf <leaf> is the VMM's answer (<what>), not zeros
      Given a TD guest
      When a user-space task executes CPUID leaf <leaf> subleaf 0
      Then EAX, EBX, ECX and EDX are not all zero

      Examples:
        | leaf       | what                               |
        | 0x40000000 | its highest leaf and its signature |
        | 0x40000001 | the first leaf it defines          |

    @needs:guest.instructions
    Scenario Outline: CPUID leaf <leaf> from <who> is answered as leaf 0x23, without a #VE
      Given a TD guest
      When <who> executes CPUID leaf <leaf> subleaf 0
      Then the TDX module handled it without a #VE
      And EAX, EBX, ECX and EDX equal those of CPUID leaf 0x23 subleaf 0

      Examples:
        | who               | leaf       |
        | the guest kernel  | 0x3fffffff |
        | the guest kernel  | 0x50000000 |
        | the guest kernel  | 0x90000000 |
        | a user-space task | 0x50000000 |

    @needs:guest.cpuid
    Scenario: From user space, leaf 0x50000000 reads as leaf 0x23
      Given a TD guest
      When a user-space task executes CPUID leaf 0x50000000 subleaf 0
      Then EAX, EBX, ECX and EDX equal those of CPUID leaf 0x23 subleaf 0

    @needs:guest.instructions @module:>=1.5 @module:<2.0
    Scenario Outline: Module 1.5: CPUID leaf <leaf> from <who> raises #VE and reads as zeros
      Given a TD guest
      When <who> executes CPUID leaf <leaf> subleaf 0
      Then the TDX module raised #VE with exit reason 10 (CPUID)
      And the guest kernel returned zeros

      Examples:
        | who               | leaf       |
        | the guest kernel  | 0x6        |
        | the guest kernel  | 0x80000006 |
        | the guest kernel  | 0x9        |
        | a user-space task | 0x9        |

    @needs:guest.instructions @module:>=1.5 @module:<2.0
    Scenario Outline: Module 1.5: CPUID leaf <leaf> subleaf <subleaf>, past the last subleaf it lists, raises #VE and reads as zeros
      Given a TD guest
      When the guest kernel executes CPUID leaf <leaf> subleaf <subleaf>
      Then the TDX module raised #VE with exit reason 10 (CPUID)
      And the guest kernel returned zeros

      Examples:
        | leaf | subleaf |
        | 0x4  | 5       |
        | 0x7  | 3       |
        | 0xd  | 19      |
        | 0x23 | 4       |

    @needs:guest.cpuid @needs:guest.log @era:guest-announce=attributes-migrtable @era:guest-announce=attributes-migratable
    Scenario: From user space, leaf 0x6 shows EAX bit 2 exactly when the TD_CTLS line lists REDUCE_VE, and reads as zeros otherwise
      Given a TD guest
      When a user-space task executes CPUID leaf 0x6 subleaf 0
      Then EAX bit 2 is set if the guest's TD_CTLS line lists REDUCE_VE, and EAX, EBX, ECX and EDX are zero otherwise

    @needs:guest.instructions @module:>=2.0 @era:guest-reduce-ve=reduce-ve
    Scenario: Module 2.0 with REDUCE_VE answers leaf 0x6 itself
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x6 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX bit 2 is set

  @req:guest.cpuid.leaf2 @src:ml-reduce-ve
  Rule: CPUID leaf 0x2 raises #VE (and reads as zeros) unless VIRT_CPUID2 is on; then the module answers with fixed descriptors

    @needs:guest.instructions @module:>=2.0 @era:guest-reduce-ve=reduce-ve
    Scenario: With REDUCE_VE, which includes VIRT_CPUID2, the module answers leaf 0x2
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x2 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX is 0x00feff01

    @needs:guest.instructions @module:>=2.0
    Scenario: VIRT_CPUID2 set before the kernel starts works the same
      Given a TD guest
      And the TD starts with TD_CTLS.VIRT_CPUID2 (bit 2) already set
      When the guest kernel executes CPUID leaf 0x2 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX is 0x00feff01

    @needs:guest.instructions @module:<2.0
    Scenario: Without VIRT_CPUID2 leaf 0x2 raises #VE and reads as zeros
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x2 subleaf 0
      Then the TDX module raised #VE with exit reason 10 (CPUID)
      And the guest kernel returned zeros

    @needs:guest.cpuid @needs:guest.log @era:guest-announce=attributes-migrtable @era:guest-announce=attributes-migratable
    Scenario: From user space, leaf 0x2 reads the module's descriptors exactly when the TD_CTLS line lists VIRT_CPUID2
      Given a TD guest
      When a user-space task executes CPUID leaf 0x2 subleaf 0
      Then EAX is 0x00feff01 if the guest's TD_CTLS line lists VIRT_CPUID2, and 0x0 otherwise
