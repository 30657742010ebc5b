@guest @src:tdx-rst-guest @src:guest-c @needs:guest.memory @needs:guest.instructions
Feature: MMIO in a TD
  Device registers the VMM emulates are shared memory the VMM does not back, so every access to
  them raises a #VE. The VMM cannot see the guest's registers, so it cannot decode the faulting
  instruction itself: the guest kernel does, and asks the VMM to carry out the access with
  TDVMCALL<#VE.RequestMMIO>. It only understands the plain moves the kernel's MMIO accessors
  produce, and refuses anything it cannot emulate safely: other instructions, string moves,
  accesses split across pages, and MMIO from user space (a 2024 series that would allow MMIO from
  user space and MOVS was not merged, as far as the versions read show).

  Background:
    Given a TD guest whose VMM emulates MMIO at 0xfe000000 (size 0x2000) reading as 0x8899aabbccddeeff

  @req:guest.mmio.emulation @needs:guest.tdvmcall @needs:guest.describe
  Rule: Loads and stores of the accessor forms go to the VMM with size, direction (0 read, 1 write) and the GPA with its shared bit; a load's result is extended as the kernel's MMIO decoder does (operand-size bytes; a 32-bit MOV clears the whole register)

    Scenario Outline: <form>: <size> bytes, direction <dir>, RAX becomes <rax>
      When the guest kernel executes the MMIO instruction <bytes> at 0xfe000010 with RAX = 0x1122334455667788
      Then the guest asked the VMM with TDVMCALL<#VE.RequestMMIO> (leaf 0x30) and R12 = <size>, R13 = <dir>
      And the MMIO request was for 0xfe000010 with the shared bit set
      And RAX is <rax>

      Examples: Loads
        | form                     | bytes    | size | dir | rax                |
        | MOV r64, [mem]           | 48 8b 07 | 8    | 0   | 0x8899aabbccddeeff |
        | MOV r32, [mem]           | 8b 07    | 4    | 0   | 0xccddeeff         |
        | MOV r16, [mem]           | 66 8b 07 | 2    | 0   | 0x112233445566eeff |
        | MOV r8, [mem]            | 8a 07    | 1    | 0   | 0x11223344556677ff |
        | MOVZX r32, byte [mem]    | 0f b6 07 | 1    | 0   | 0x11223344000000ff |
        | MOVSX r32, byte [mem]    | 0f be 07 | 1    | 0   | 0x11223344ffffffff |
        | MOVSX r32, word [mem]    | 0f bf 07 | 2    | 0   | 0x11223344ffffeeff |

    Scenario Outline: <form> sends <value>
      When the guest kernel executes the MMIO instruction <bytes> at 0xfe000010 with RAX = 0x1122334455667788
      Then the guest asked the VMM with TDVMCALL<#VE.RequestMMIO> (leaf 0x30) and R12 = <size>, R13 = 1, R15 = <value>

      Examples: Stores
        | form                 | bytes             | size | value              |
        | MOV [mem], r64       | 48 89 07          | 8    | 0x1122334455667788 |
        | MOV [mem], r32       | 89 07             | 4    | 0x55667788         |
        | MOV [mem], r8        | 88 07             | 1    | 0x88               |
        | MOV dword [mem], imm | c7 07 44 33 22 11 | 4    | 0x11223344         |

  @req:guest.mmio.refused @src:guest-ml-userspace-mmio
  Rule: The kernel refuses MMIO it cannot emulate safely, without asking the VMM: other instructions, MOVS, accesses that cross a page, and MMIO from user space

    Scenario Outline: <what>: an oops, and no request to the VMM
      When the guest kernel executes the MMIO instruction <bytes> at <gpa>
      Then the guest did not ask the VMM with TDVMCALL<#VE.RequestMMIO> (leaf 0x30)
      And the guest kernel oopsed with "VE fault"

      Examples:
        | what                           | bytes | gpa        |
        | MOVS                           | a5    | 0xfe000010 |
        | ADD, which it cannot decode    | 01 07 | 0xfe000010 |
        | a 4-byte load crossing a page  | 8b 07 | 0xfe000ffe |

    Scenario: MMIO from user space gets SIGSEGV
      When a user-space task reads 4 bytes of shared memory at 0xfe000010
      Then the guest did not ask the VMM with TDVMCALL<#VE.RequestMMIO> (leaf 0x30)
      And the guest kernel sent SIGSEGV
