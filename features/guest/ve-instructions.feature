@guest @src:tdx-rst-guest @src:guest-c @src:vmx-h @src:guest-mod15-td-dispatcher @src:guest-mod208-td-dispatcher
Feature: Instructions that raise a virtualization exception in a TD
  In a TD the VMM cannot see or change the guest's registers, so instructions a hypervisor would
  normally intercept are turned by the TDX module into a #VE inside the guest instead. The #VE
  carries the VMX exit reason the instruction would have caused, plus an exit qualification. The
  guest kernel's #VE handler then decides: some of these it emulates by asking the VMM through a
  TDVMCALL whose sub-function is that same exit reason (HLT, port I/O); the rest it cannot handle,
  logs as unexpected, and fails like any other fault in the kernel.

  MONITOR and MWAIT changed with the module: they exit only when the TD's CPUID does not enumerate
  MONITOR (the module sets the VMCS exiting controls to the inverse of that bit), and module 1.5
  turns the exit into a #VE while module 2.0 turns it into a #UD. HLT changed with the kernel:
  from v6.15 a HLT with interrupts enabled is refused before the VMM is asked.

  @req:guest.ve.instructions @src:guest-mod15-td-vmcs-init
  Rule: Port I/O, HLT, WBINVD, INVD and VMCALL always raise #VE with their VMX exit reason; MONITOR and MWAIT, where the TD's CPUID does not enumerate MONITOR, raise #VE on module 1.5 and #UD on module 2.0

    @needs:guest.instructions
    Scenario Outline: <instruction> in the kernel raises #VE with exit reason <reason>
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the TDX module raised #VE with exit reason <reason>

      Examples:
        | instruction | reason              |
        | IN          | 30 (IO_INSTRUCTION) |
        | OUT         | 30 (IO_INSTRUCTION) |
        | INS         | 30 (IO_INSTRUCTION) |
        | OUTS        | 30 (IO_INSTRUCTION) |
        | HLT         | 12 (HLT)            |
        | WBINVD      | 54 (WBINVD)         |
        | INVD        | 13 (INVD)           |
        | VMCALL      | 18 (VMCALL)         |

    @needs:guest.instructions @module:>=1.5 @module:<2.0
    Scenario Outline: Module 1.5: <instruction> raises #VE with exit reason <reason>
      Given a TD guest whose VMM configures CPUID leaf 0x1 ECX as 0xfffffff7
      When the guest kernel executes <instruction>
      Then the TDX module raised #VE with exit reason <reason>

      Examples:
        | instruction | reason                   |
        | MONITOR     | 39 (MONITOR_INSTRUCTION) |
        | MWAIT       | 36 (MWAIT_INSTRUCTION)   |

    @needs:guest.instructions @module:>=2.0
    Scenario Outline: Module 2.0: <instruction> raises #UD
      Given a TD guest whose VMM configures CPUID leaf 0x1 ECX as 0xfffffff7
      When the guest kernel executes <instruction>
      Then the TDX module raised #UD

      Examples:
        | instruction |
        | MONITOR     |
        | MWAIT       |

    @needs:guest.user-instructions @needs:guest.log
    Scenario: VMCALL from user space raises #VE: the kernel logs its exit reason
      Given a TD guest
      When a user-space task executes VMCALL
      Then the guest kernel logged "Unexpected #VE: 18" while handling it

  @req:guest.ve.kernel-handling @needs:guest.instructions
  Rule: The kernel emulates HLT and port I/O through the VMM, refuses string port I/O, and treats the other #VE instructions as unexpected

    Scenario: HLT with interrupts disabled in the kernel: emulated through the VMM
      Given a TD guest
      When the guest kernel executes HLT with interrupts disabled
      Then the guest kernel emulated it through TDVMCALL<Instruction.HLT> (leaf 0xc)

    Scenario Outline: <instruction> in the kernel: the kernel <outcome>
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the guest kernel <outcome>

      Examples: Emulated through the VMM
        | instruction | outcome                                      |
        | IN          | emulated it through TDVMCALL<Instruction.IO> (leaf 0x1e) |
        | OUT         | emulated it through TDVMCALL<Instruction.IO> (leaf 0x1e) |

      Examples: String I/O is refused
        | instruction | outcome                |
        | INS         | oopsed with "VE fault" |
        | OUTS        | oopsed with "VE fault" |

    Scenario Outline: <instruction> in the kernel is an unexpected #VE: logged, then an oops
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the guest kernel logged "Unexpected #VE: <reason>" while handling it
      And the guest kernel oopsed with "VE fault"

      Examples:
        | instruction | reason |
        | WBINVD      | 54     |
        | INVD        | 13     |
        | VMCALL      | 18     |

    @module:>=1.5 @module:<2.0
    Scenario Outline: Module 1.5: <instruction> is an unexpected #VE: logged, then an oops
      Given a TD guest whose VMM configures CPUID leaf 0x1 ECX as 0xfffffff7
      When the guest kernel executes <instruction>
      Then the guest kernel logged "Unexpected #VE: <reason>" while handling it
      And the guest kernel oopsed with "VE fault"

      Examples:
        | instruction | reason |
        | MONITOR     | 39     |
        | MWAIT       | 36     |

    @module:>=2.0
    Scenario Outline: Module 2.0: <instruction> is an invalid-opcode oops, with no unexpected #VE
      Given a TD guest whose VMM configures CPUID leaf 0x1 ECX as 0xfffffff7
      When the guest kernel executes <instruction>
      Then the guest kernel oopsed with "invalid opcode"
      And the guest kernel logged nothing saying "Unexpected #VE: %lld" while handling it

      Examples:
        | instruction |
        | MONITOR     |
        | MWAIT       |

  @req:guest.ve.hlt @needs:guest.instructions @needs:guest.tdvmcall @src:guest-ml-hlt-irq-warn
  Rule: HLT is emulated with TDVMCALL<Instruction.HLT>, which tells the VMM in R12 whether interrupts were disabled; from v6.15 a HLT with interrupts enabled is refused with a warning and never reaches the VMM

    Scenario: HLT with interrupts disabled: R12 = 1
      Given a TD guest
      When the guest kernel executes HLT with interrupts disabled
      Then the guest asked the VMM with TDVMCALL<Instruction.HLT> (leaf 0xc) and R12 = 1

    @era:guest-hlt=irq-flag
    Scenario: Up to v6.14, HLT with interrupts enabled: R12 = 0
      Given a TD guest
      When the guest kernel executes HLT with interrupts enabled
      Then the guest asked the VMM with TDVMCALL<Instruction.HLT> (leaf 0xc) and R12 = 0

    @era:guest-hlt=refuse-irqs-on @needs:guest.log
    Scenario: From v6.15, HLT with interrupts enabled is refused: a warning, no TDVMCALL, an oops
      Given a TD guest
      When the guest kernel executes HLT with interrupts enabled
      Then the guest did not ask the VMM with TDVMCALL<Instruction.HLT> (leaf 0xc)
      And the guest log says "HLT emulation with IRQs enabled"
      And the guest kernel oopsed with "VE fault"

  @req:guest.ve.port-io @needs:guest.instructions @needs:guest.tdvmcall @src:guest-ml-portio-fix-2026
  Rule: Port I/O is emulated with TDVMCALL<Instruction.IO>: size in R12, direction in R13 (0 in, 1 out), port in R14, the value out in R15; IN replaces the bytes it reads and keeps the rest of RAX (the kernel's mask reaches one bit beyond the operand, which these values leave clear)

    Scenario: IN of one byte puts the VMM's answer in AL
      Given a TD guest
      When the guest kernel executes IN of 1 byte from port 0x71 with RAX = 0x12345678
      Then the guest asked the VMM with TDVMCALL<Instruction.IO> (leaf 0x1e) and R12 = 1, R13 = 0, R14 = 0x71
      And RAX holds the VMM's answer in its low 1 byte and the rest of the old value

    Scenario: IN of four bytes replaces EAX
      Given a TD guest
      When the guest kernel executes IN of 4 bytes from port 0xcfc with RAX = 0x1122334455667788
      Then the guest asked the VMM with TDVMCALL<Instruction.IO> (leaf 0x1e) and R12 = 4, R13 = 0, R14 = 0xcfc
      And RAX holds the VMM's answer in its low 4 bytes and the rest of the old value

    Scenario: OUT of two bytes sends AX
      Given a TD guest
      When the guest kernel executes OUT of 2 bytes to port 0x80 with RAX = 0xdeacbeef
      Then the guest asked the VMM with TDVMCALL<Instruction.IO> (leaf 0x1e) and R12 = 2, R13 = 1, R14 = 0x80, R15 = 0xbeef
