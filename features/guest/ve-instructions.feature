@guest @src:tdx-rst-guest @src:guest-c @src:vmx-h
Feature: Instructions that raise a virtualization exception in a TD
  In a TD the VMM cannot see or change the guest's registers, so instructions a hypervisor would
  normally intercept are turned by the TDX module into a #VE inside the guest instead. The #VE
  carries the VMX exit reason the instruction would have caused, plus an exit qualification. The
  guest kernel's #VE handler then decides: some of these it emulates by asking the VMM through a
  TDVMCALL whose sub-function is that same exit reason (HLT, port I/O); the rest it cannot handle,
  logs as unexpected, and fails like any other fault in the kernel.

  @req:guest.ve.instructions @needs:guest.instructions
  Rule: Port I/O, HLT, MONITOR, MWAIT, WBINVD, INVD and VMCALL always raise #VE with their VMX exit reason

    Scenario Outline: <instruction> in the kernel raises #VE with exit reason <reason>
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the TDX module raised #VE with exit reason <reason>

      Examples:
        | instruction | reason                   |
        | IN          | 30 (IO_INSTRUCTION)      |
        | OUT         | 30 (IO_INSTRUCTION)      |
        | INS         | 30 (IO_INSTRUCTION)      |
        | OUTS        | 30 (IO_INSTRUCTION)      |
        | HLT         | 12 (HLT)                 |
        | MONITOR     | 39 (MONITOR_INSTRUCTION) |
        | MWAIT       | 36 (MWAIT_INSTRUCTION)   |
        | WBINVD      | 54 (WBINVD)              |
        | INVD        | 13 (INVD)                |
        | VMCALL      | 18 (VMCALL)              |

  @req:guest.ve.kernel-handling @needs:guest.instructions
  Rule: The kernel emulates HLT and port I/O through the VMM, refuses string port I/O, and treats the other #VE instructions as unexpected

    Scenario Outline: <instruction> in the kernel: the kernel <outcome>
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the guest kernel <outcome>

      Examples: Emulated through the VMM
        | instruction | outcome                                         |
        | HLT         | emulated it through TDVMCALL<Instruction.HLT>   |
        | IN          | emulated it through TDVMCALL<Instruction.IO>    |
        | OUT         | emulated it through TDVMCALL<Instruction.IO>    |

      Examples: String I/O is refused
        | instruction | outcome                 |
        | INS         | oopsed with "VE fault"  |
        | OUTS        | oopsed with "VE fault"  |

    Scenario Outline: <instruction> in the kernel is an unexpected #VE: logged, then an oops
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the guest log reports an unexpected #VE with exit reason <reason>
      And the guest kernel oopsed with "VE fault"

      Examples:
        | instruction | reason |
        | MONITOR     | 39     |
        | MWAIT       | 36     |
        | WBINVD      | 54     |
        | INVD        | 13     |
        | VMCALL      | 18     |

  @req:guest.ve.hlt @needs:guest.instructions @needs:guest.tdvmcall
  Rule: HLT is emulated with TDVMCALL<Instruction.HLT>, which tells the VMM in R12 whether interrupts were disabled

    Scenario Outline: HLT with interrupts <state>
      Given a TD guest
      When the guest kernel executes HLT with interrupts <state>
      Then the guest asked the VMM with TDVMCALL<Instruction.HLT> and R12 = <r12>

      Examples:
        | state    | r12 |
        | enabled  | 0   |
        | disabled | 1   |

  @req:guest.ve.port-io @needs:guest.instructions @needs:guest.tdvmcall
  Rule: Port I/O is emulated with TDVMCALL<Instruction.IO>: size in R12, direction in R13 (0 in, 1 out), port in R14, the value out in R15; IN changes only the bytes it reads

    Scenario: IN of one byte puts the VMM's answer in AL
      Given a TD guest
      When the guest kernel executes IN of 1 byte from port 0x71 with RAX = 0x12345678
      Then the guest asked the VMM with TDVMCALL<Instruction.IO> and R12 = 1, R13 = 0, R14 = 0x71
      And RAX holds the VMM's answer in its low 1 byte and the rest of the old value

    Scenario: IN of four bytes replaces EAX
      Given a TD guest
      When the guest kernel executes IN of 4 bytes from port 0xcfc with RAX = 0x1122334455667788
      Then the guest asked the VMM with TDVMCALL<Instruction.IO> and R12 = 4, R13 = 0, R14 = 0xcfc
      And RAX holds the VMM's answer in its low 4 bytes and the rest of the old value

    Scenario: OUT of two bytes sends AX
      Given a TD guest
      When the guest kernel executes OUT of 2 bytes to port 0x80 with RAX = 0xdeadbeef
      Then the guest asked the VMM with TDVMCALL<Instruction.IO> and R12 = 2, R13 = 1, R14 = 0x80, R15 = 0xbeef
