@guest @src:tdx-rst-guest @src:mod-cpuid-config
Feature: CPUID in a TD
  The TDX module virtualises CPUID for the leaves it knows. In those, some bits are fixed by the
  module, and others the VMM configures when it creates the TD; for those the VMM may only pass
  on or clear what the CPU really has, never claim a feature the CPU lacks. Leaves the module
  does not handle raise #VE, and so does the whole range 0x40000000-0x4FFFFFFF that hypervisors
  use to describe themselves. The guest kernel forwards only that hypervisor range to the VMM;
  every other leaf that reaches its #VE handler reads as all zeros, as an unsupported leaf does
  on a CPU. Leaf 0x2 (cache and TLB descriptors) is answered by the module only once the TD has
  turned on VIRT_CPUID2, which REDUCE_VE includes.

  @req:guest.cpuid.module-handled @needs:guest.instructions
  Rule: The module answers the leaves it virtualises without a #VE, with its fixed bits: leaf 0x1 always reports a hypervisor

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

    Scenario: The hypervisor bit of leaf 0x1 stays set whatever the VMM configures
      Given a TD guest whose VMM configures CPUID leaf 0x1 ECX as 0x0
      When the guest kernel executes CPUID leaf 0x1 subleaf 0
      Then ECX bit 31 is set

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

  @req:guest.cpuid.hypervisor-range @needs:guest.instructions @src:guest-c
  Rule: Leaves the module does not handle raise #VE; the kernel asks the VMM only for 0x40000000-0x4FFFFFFF and reads any other such leaf as zeros, in user space as in the kernel

    Scenario Outline: CPUID leaf <leaf> from <who>: the kernel <outcome>
      Given a TD guest
      When <who> executes CPUID leaf <leaf> subleaf 0
      Then the TDX module raised #VE with exit reason 10 (CPUID)
      And the guest kernel <outcome>

      Examples: The hypervisor range goes to the VMM
        | who               | leaf       | outcome                                         |
        | the guest kernel  | 0x40000000 | emulated it through TDVMCALL<Instruction.CPUID> |
        | the guest kernel  | 0x40000001 | emulated it through TDVMCALL<Instruction.CPUID> |
        | the guest kernel  | 0x4fffffff | emulated it through TDVMCALL<Instruction.CPUID> |
        | a user-space task | 0x40000000 | emulated it through TDVMCALL<Instruction.CPUID> |

      Examples: Any other leaf reads as zeros
        | who               | leaf       | outcome        |
        | the guest kernel  | 0x3fffffff | returned zeros |
        | the guest kernel  | 0x50000000 | returned zeros |
        | the guest kernel  | 0x6        | returned zeros |
        | a user-space task | 0x50000000 | returned zeros |

    @needs:guest.tdvmcall
    Scenario: The guest reads what the VMM answered
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x40000000 subleaf 0
      Then EAX, EBX, ECX and EDX are what the VMM answered in R12 to R15

  @req:guest.cpuid.leaf2 @needs:guest.instructions @src:ml-reduce-ve
  Rule: CPUID leaf 0x2 raises #VE (and reads as zeros) unless VIRT_CPUID2 is on; then the module answers with fixed descriptors

    @module:>=2.0 @era:guest-sept-ve=td-ctls
    Scenario: With REDUCE_VE, which includes VIRT_CPUID2, the module answers leaf 0x2
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x2 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX is 0x00feff01

    @module:>=2.0
    Scenario: VIRT_CPUID2 set before the kernel starts works the same
      Given a TD guest
      And the TD starts with TD_CTLS.VIRT_CPUID2 already set
      When the guest kernel executes CPUID leaf 0x2 subleaf 0
      Then the TDX module handled it without a #VE
      And EAX is 0x00feff01

    @module:<2.0
    Scenario: Without VIRT_CPUID2 leaf 0x2 raises #VE and reads as zeros
      Given a TD guest
      When the guest kernel executes CPUID leaf 0x2 subleaf 0
      Then the TDX module raised #VE with exit reason 10 (CPUID)
      And the guest kernel returned zeros
