@kvm @needs:kvm.ioctl @needs:kvm.test-guest @src:kvm-tdx-c @src:kvm-tdx-c-616
Feature: How KVM routes the TDVMCALLs of a TD
  A TD asks its VMM for services with TDG.VP.VMCALL: R10 = 0 selects a call the GHCI defines,
  with the sub-function in R11 and its operands from R12 on; the VMM returns a status in R10 and
  values in R11 and up. KVM answers the instruction-like sub-functions itself (CPUID from the
  vCPU's CPUID table, HLT, RDMSR/WRMSR after the MSR filter), sends port I/O and MMIO without an
  in-kernel device to user space as KVM_EXIT_IO and KVM_EXIT_MMIO, forwards MapGPA as
  KVM_EXIT_HYPERCALL and GetQuote, GetTdVmCallInfo and SetupEventNotifyInterrupt as KVM_EXIT_TDX,
  and turns ReportFatalError into a system event. It checks the operands it can check first
  and answers bad ones without involving user space. A non-zero R10 makes the call a KVM
  hypercall. In these scenarios the TD has a GPA width of 48, so its shared bit is bit 47
  (0x800000000000); GPAs below it are private.

  Background:
    Given a TDX host
    And KVM brought TDX up (kvm_intel.tdx=1)
    And a runnable TD with 1 vCPU

  @req:kvm.tdvmcall.cpuid @era:kvm-tdx=mainline
  Rule: CPUID is answered in the kernel from the CPUID table the VMM gave the vCPU

    Scenario: The hypervisor leaf
      Given the VMM gave vCPU 0 CPUID leaf 0x40000000 as 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d
      When the guest issues TDVMCALL<Instruction.CPUID> with R12 = 0x40000000, R13 = 0x0
      Then no exit reaches user space
      And the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R12 = 0x40000001, R13 = 0x4b4d564b, R14 = 0x564b4d56, R15 = 0x4d

  @req:kvm.tdvmcall.hlt @era:kvm-tdx=mainline
  Rule: HLT is handled in the kernel: the vCPU sleeps until an interrupt is pending, without an exit to user space

    Scenario: HLT with interrupts enabled
      When the guest issues TDVMCALL<Instruction.HLT> with R12 = 0x0
      Then KVM_RUN is interrupted while the vCPU is halted
      And vCPU 0 is in state KVM_MP_STATE_HALTED (3)
      And the guest's TDVMCALL has not returned
      When the VMM signals interrupt vector 0xec to vCPU 0 and runs it again
      Then the guest's TDVMCALL returns SUCCESS (0x0)

  @req:kvm.tdvmcall.io @era:kvm-tdx=mainline
  Rule: Port I/O of 1, 2 or 4 bytes goes to user space as KVM_EXIT_IO; other sizes and directions are invalid operands

    Scenario: A one-byte OUT
      When the guest issues TDVMCALL<Instruction.IO> with R12 = 0x1, R13 = 0x1, R14 = 0x80, R15 = 0x5a
      Then the vCPU exits to user space with KVM_EXIT_IO
      And kvm_run.io is an OUT of 1 byte to port 0x80 with data 0x5a
      When the VMM runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)

    Scenario: A two-byte IN
      When the guest issues TDVMCALL<Instruction.IO> with R12 = 0x2, R13 = 0x0, R14 = 0x3f8
      Then the vCPU exits to user space with KVM_EXIT_IO
      And kvm_run.io is an IN of 2 bytes from port 0x3f8
      When the VMM answers the read with 0xbeef and runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R11 = 0xbeef

    # tdx_complete_pio_in(): KVM copies only the access size from the data user space wrote.
    Scenario Outline: A <size>-byte IN answered with the wider <answer> gives the guest <seen>
      When the guest issues TDVMCALL<Instruction.IO> with R12 = <size>, R13 = 0x0, R14 = 0x3f8
      Then the vCPU exits to user space with KVM_EXIT_IO
      When the VMM answers the read with <answer> and runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R11 = <seen>

      Examples:
        | size | answer             | seen       |
        | 0x1  | 0x1234             | 0x34       |
        | 0x2  | 0x123456           | 0x3456     |
        | 0x4  | 0x123456789a       | 0x3456789a |

    Scenario Outline: <what>
      When the guest issues TDVMCALL<Instruction.IO> with R12 = <size>, R13 = <direction>, R14 = 0x80
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

      Examples:
        | what                | size | direction |
        | an 8-byte access    | 0x8  | 0x0       |
        | a 3-byte access     | 0x3  | 0x1       |
        | direction 2         | 0x1  | 0x2       |

  @req:kvm.tdvmcall.msr @era:kvm-tdx=mainline
  Rule: RDMSR and WRMSR are emulated in the kernel for the MSRs KVM emulates for TDs, after the VMM's MSR filter; anything else is an invalid operand

    Scenario: Write then read IA32_PAT
      When the guest issues TDVMCALL<Instruction.WRMSR> with R12 = 0x277, R13 = 0x7010600070106
      Then no exit reaches user space
      And the guest's TDVMCALL returns SUCCESS (0x0)
      When the guest issues TDVMCALL<Instruction.RDMSR> with R12 = 0x277
      Then no exit reaches user space
      And the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R11 = 0x7010600070106

    Scenario: An MSR the VMM's filter denies
      Given the VMM denies the guest read access to MSR 0x277
      When the guest issues TDVMCALL<Instruction.RDMSR> with R12 = 0x277
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

    Scenario Outline: <what>
      When the guest issues <call> with R12 = <msr>, R13 = 0x0
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

      Examples:
        | what                          | call                         | msr        |
        | an MSR KVM does not emulate   | TDVMCALL<Instruction.RDMSR>  | 0x10       |
        | writing the read-only IA32_APIC_BASE | TDVMCALL<Instruction.WRMSR>  | 0x1b |
        | writing the read-only IA32_FEAT_CTL  | TDVMCALL<Instruction.WRMSR>  | 0x3a |
        | writing the read-only EFER    | TDVMCALL<Instruction.WRMSR>  | 0xc0000080 |
        | the TPR the CPU virtualizes   | TDVMCALL<Instruction.RDMSR>  | 0x808      |

  @req:kvm.tdvmcall.mmio @era:kvm-tdx=mainline
  Rule: MMIO requests on shared GPAs go to user space as KVM_EXIT_MMIO with the shared bit removed; private GPAs and bad sizes are invalid operands

    Scenario: A 4-byte read of a shared GPA
      When the guest issues TDVMCALL<#VE.RequestMMIO> with R12 = 0x4, R13 = 0x0, R14 = 0x8000feb00000
      Then the vCPU exits to user space with KVM_EXIT_MMIO
      And kvm_run.mmio is a read of 4 bytes at 0xfeb00000
      When the VMM answers the read with 0x12345678 and runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R11 = 0x12345678

    Scenario: An 8-byte write of a shared GPA
      When the guest issues TDVMCALL<#VE.RequestMMIO> with R12 = 0x8, R13 = 0x1, R14 = 0x8000feb00008, R15 = 0x1122334455667788
      Then the vCPU exits to user space with KVM_EXIT_MMIO
      And kvm_run.mmio is a write of 8 bytes at 0xfeb00008 with data 0x1122334455667788

    Scenario Outline: <what>
      When the guest issues TDVMCALL<#VE.RequestMMIO> with R12 = <size>, R13 = 0x0, R14 = <gpa>
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

      Examples:
        | what                                  | size | gpa            |
        | a private GPA                         | 0x4  | 0xfeb00000     |
        | a read crossing into the shared range | 0x4  | 0x7ffffffffffe |
        | a 3-byte access                       | 0x3  | 0x8000feb00000 |

  @req:kvm.tdvmcall.map-gpa @era:kvm-tdx=mainline @src:kvm-uapi-sync
  Rule: MapGPA goes to user space as KVM_EXIT_HYPERCALL (KVM_HC_MAP_GPA_RANGE) in pieces of at most 2 MiB, with the GPA stripped of the shared bit, the page count, the direction, ret preset to 0 and the long-mode flag

    Scenario: 5 MiB made shared
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x800000200000, R13 = 0x500000
      And the VMM answers each piece with ret 0 until the guest's call returns
      Then user space received these hypercall exits:
        | nr | gpa      | pages | attributes | ret | flags |
        | 12 | 0x200000 | 512   | 0x0        | 0   | 0x1   |
        | 12 | 0x400000 | 512   | 0x0        | 0   | 0x1   |
        | 12 | 0x600000 | 256   | 0x0        | 0   | 0x1   |
      And the guest's TDVMCALL returns SUCCESS (0x0)

    Scenario Outline: <size> made shared: <n> piece(s)
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x800000200000, R13 = <bytes>
      And the VMM answers each piece with ret 0 until the guest's call returns
      Then user space received <n> hypercall exits
      And the guest's TDVMCALL returns SUCCESS (0x0)

      Examples: At and just above the 2 MiB a piece may hold
        | size             | bytes    | n |
        | exactly 2 MiB    | 0x200000 | 1 |
        | 2 MiB and 4 KiB  | 0x201000 | 2 |

    Scenario: 8 KiB made private again
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x300000, R13 = 0x2000
      And the VMM answers each piece with ret 0 until the guest's call returns
      Then user space received these hypercall exits:
        | nr | gpa      | pages | attributes | ret | flags |
        | 12 | 0x300000 | 2     | 0x10       | 0   | 0x1   |
      And the guest's TDVMCALL returns SUCCESS (0x0)

  @req:kvm.tdvmcall.map-gpa-operands @era:kvm-tdx=mainline
  Rule: MapGPA needs a VMM that takes KVM_HC_MAP_GPA_RANGE exits and a range that is 4 KiB aligned, legal for the vCPU's MAXPHYADDR, all private or all shared; a piece user space fails makes the call fail with R11 at that piece

    Scenario Outline: <what>
      When the guest issues TDVMCALL<MapGPA> with R12 = <gpa>, R13 = <size>
      Then no exit reaches user space
      And the guest's TDVMCALL returns <status>
      And the guest sees R11 = <gpa>

      Examples:
        | what                               | gpa            | size     | status           |
        | an unaligned start                 | 0x800000200800 | 0x1000   | ALIGN_ERROR (0x8000000000000002)      |
        | an unaligned size                  | 0x800000200000 | 0x1800   | ALIGN_ERROR (0x8000000000000002)      |
        | a range from private into shared   | 0x7ffffff00000 | 0x200000 | INVALID_OPERAND (0x8000000000000000)  |
        | a range beyond the GPA width       | 0xfffffff00000 | 0x200000 | INVALID_OPERAND (0x8000000000000000)  |
        | an empty range                     | 0x800000200000 | 0x0      | INVALID_OPERAND (0x8000000000000000)  |
        | an unaligned start of a range from private into shared | 0x7ffffff00800 | 0x200000 | INVALID_OPERAND (0x8000000000000000) |
        | an unaligned size of a range beyond the GPA width | 0xfffffff00000 | 0x200800 | INVALID_OPERAND (0x8000000000000000) |

    Scenario: A shared range above the vCPU's MAXPHYADDR, though inside the GPA width
      Given the VMM set vCPU 0's CPUID to a MAXPHYADDR of 40 bits
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x800000200000, R13 = 0x1000
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)
      And the guest sees R11 = 0x800000200000

    Scenario: A VMM that turned KVM_HC_MAP_GPA_RANGE exits off
      Given the VMM turned KVM_HC_MAP_GPA_RANGE exits off
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x800000200000, R13 = 0x1000
      Then no exit reaches user space
      And the guest's TDVMCALL returns SUBFUNC_UNSUPPORTED (0x8000000000000003)

    # 22 is EINVAL, the failure every release takes (from 7.2 KVM accepts only 0, EINVAL and EAGAIN).
    Scenario: User space fails the second piece
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x800000200000, R13 = 0x400000
      And the VMM sets kvm_run.hypercall.ret to 0 and runs the vCPU again
      And the VMM sets kvm_run.hypercall.ret to 22 and runs the vCPU again
      Then the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)
      And the guest sees R11 = 0x800000400000

  @req:kvm.tdvmcall.map-gpa-retry @era:kvm-tdx=mainline
  Rule: An interrupt pending between MapGPA pieces ends the call with RETRY and R11 at the next piece

    Scenario: An interrupt arrives during the first piece
      When the guest issues TDVMCALL<MapGPA> with R12 = 0x800000200000, R13 = 0x600000
      And the VMM signals interrupt vector 0xec to vCPU 0
      And the VMM sets kvm_run.hypercall.ret to 0 and runs the vCPU again
      Then the guest's TDVMCALL returns RETRY (0x1)
      And the guest sees R11 = 0x800000400000

  @req:kvm.tdvmcall.get-quote @era:kvm-tdx=mainline @src:kvm-uapi-sync
  Rule: GetQuote on a shared buffer goes to user space as KVM_EXIT_TDX with the buffer GPA stripped of the shared bit and ret preset to SUBFUNC_UNSUPPORTED; user space's ret becomes the status; a private buffer is an invalid operand

    Scenario: A quote request
      When the guest issues TDVMCALL<GetQuote> with R12 = 0x800000100000, R13 = 0x2000
      Then the vCPU exits to user space with KVM_EXIT_TDX
      And kvm_run.tdx has nr 0x10002 and flags 0
      And kvm_run.tdx.get_quote has ret SUBFUNC_UNSUPPORTED (0x8000000000000003), gpa 0x100000 and size 0x2000
      When the VMM sets the kvm_run.tdx return code to SUCCESS (0x0) and runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)

    Scenario: A VMM that leaves the preset return code
      When the guest issues TDVMCALL<GetQuote> with R12 = 0x800000100000, R13 = 0x2000
      And the VMM runs the vCPU again
      Then the guest's TDVMCALL returns SUBFUNC_UNSUPPORTED (0x8000000000000003)

    Scenario: A private buffer
      When the guest issues TDVMCALL<GetQuote> with R12 = 0x100000, R13 = 0x2000
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

  @req:kvm.tdvmcall.get-tdvmcall-info @era:kvm-tdx=mainline @src:ml-kvm-ghci-fixups
  Rule: GetTdVmCallInfo leaf 0 is answered by KVM (SUCCESS, R11 to R14 zero); leaf 1 goes to user space as KVM_EXIT_TDX; other leaves are invalid operands

    Scenario: Leaf 0
      When the guest issues TDVMCALL<GetTdVmCallInfo> with R12 = 0x0, R13 = 0x5, R14 = 0x6
      Then no exit reaches user space
      And the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R11 = 0x0, R12 = 0x0, R13 = 0x0, R14 = 0x0

    Scenario: Leaf 1
      When the guest issues TDVMCALL<GetTdVmCallInfo> with R12 = 0x1
      Then the vCPU exits to user space with KVM_EXIT_TDX
      And kvm_run.tdx has nr 0x10000 and flags 0
      And kvm_run.tdx.get_tdvmcall_info has ret SUCCESS (0x0), leaf 1 and zero R11 to R14
      When the VMM answers GetTdVmCallInfo with SUCCESS (0x0) and R11 = 0x2 and runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)
      And the guest sees R11 = 0x2

    Scenario: Leaf 2
      When the guest issues TDVMCALL<GetTdVmCallInfo> with R12 = 0x2
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

  @req:kvm.tdvmcall.setup-event-notify @era:kvm-tdx=mainline @src:kvm-uapi-sync
  Rule: SetupEventNotifyInterrupt with a vector from 32 to 255 goes to user space as KVM_EXIT_TDX with ret preset to SUBFUNC_UNSUPPORTED; other vectors are invalid operands

    Scenario: Vector 0xf3
      When the guest issues TDVMCALL<SetupEventNotifyInterrupt> with R12 = 0xf3
      Then the vCPU exits to user space with KVM_EXIT_TDX
      And kvm_run.tdx has nr 0x10004 and flags 0
      And kvm_run.tdx.setup_event_notify has ret SUBFUNC_UNSUPPORTED (0x8000000000000003) and vector 0xf3
      When the VMM sets the kvm_run.tdx return code to SUCCESS (0x0) and runs the vCPU again
      Then the guest's TDVMCALL returns SUCCESS (0x0)

    Scenario Outline: Vector <vector>, <where>, goes to user space
      When the guest issues TDVMCALL<SetupEventNotifyInterrupt> with R12 = <vector>
      Then the vCPU exits to user space with KVM_EXIT_TDX
      And kvm_run.tdx.setup_event_notify has ret SUBFUNC_UNSUPPORTED (0x8000000000000003) and vector <vector>

      Examples: The ends of the range
        | vector | where      |
        | 0x20   | the lowest  |
        | 0xff   | the highest |

    Scenario Outline: Vector <vector>, just outside the range, is an invalid operand
      When the guest issues TDVMCALL<SetupEventNotifyInterrupt> with R12 = <vector>
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

      Examples:
        | vector |
        | 0x1f   |
        | 0x100  |

  @req:kvm.tdvmcall.report-fatal @era:kvm-tdx=mainline @src:kvm-uapi-sync
  Rule: ReportFatalError reaches user space as KVM_EXIT_SYSTEM_EVENT of type KVM_SYSTEM_EVENT_TDX_FATAL whose 16 data words are the guest's registers RAX to R15 in that order, RAX holding the TD exit status and RSP and RBP zero

    Scenario: A guest reports a fatal error
      When the guest issues TDVMCALL<ReportFatalError> with R12 = 0x0, R13 = 0x0, R14 = 0x74656c6f6f66, R15 = 0x15, RBX = 0x13, RDX = 0x12, RSI = 0x16, RDI = 0x17, R8 = 0x8, R9 = 0x9
      Then the vCPU exits to user space with KVM_EXIT_SYSTEM_EVENT
      And kvm_run.system_event has type KVM_SYSTEM_EVENT_TDX_FATAL (7) and 16 data words
      And the system event data words are:
        | RAX | RCX    | RDX  | RBX  | RSP | RBP | RSI  | RDI  | R8  | R9  | R10 | R11     | R12 | R13 | R14            | R15  |
        | 0x4d | 0xffcc | 0x12 | 0x13 | 0x0 | 0x0 | 0x16 | 0x17 | 0x8 | 0x9 | 0x0 | 0x10003 | 0x0 | 0x0 | 0x74656c6f6f66 | 0x15 |

  @req:kvm.tdvmcall.leaf-numbers @era:kvm-tdx=mainline @src:shared-tdx-h @src:vmx-h
  Rule: KVM routes a TDVMCALL by the sub-function number in R11 alone
    The instruction-like sub-functions are the VMX exit reasons of their instructions (CPUID 0xa,
    HLT 0xc, I/O 0x1e, RDMSR 0x1f, WRMSR 0x20, EPT violation 0x30 for MMIO); the GHCI's own are
    0x10000 GetTdVmCallInfo, 0x10001 MapGPA, 0x10002 GetQuote, 0x10003 ReportFatalError and
    0x10004 SetupEventNotifyInterrupt. Each row gives only the number.

    Scenario Outline: Sub-function <leaf> (<name>) goes to user space as <exit>
      When the guest issues a TDVMCALL with R10 = 0x0, R11 = <leaf>, <operands>
      Then the vCPU exits to user space with <exit>

      Examples:
        | leaf    | name                      | operands                                        | exit                  |
        | 0x1e    | Instruction.IO            | R12 = 0x1, R13 = 0x1, R14 = 0x80, R15 = 0x5a    | KVM_EXIT_IO           |
        | 0x30    | #VE.RequestMMIO           | R12 = 0x4, R13 = 0x0, R14 = 0x8000feb00000      | KVM_EXIT_MMIO         |
        | 0x10000 | GetTdVmCallInfo           | R12 = 0x1                                       | KVM_EXIT_TDX          |
        | 0x10001 | MapGPA                    | R12 = 0x800000200000, R13 = 0x1000              | KVM_EXIT_HYPERCALL    |
        | 0x10002 | GetQuote                  | R12 = 0x800000100000, R13 = 0x2000              | KVM_EXIT_TDX          |
        | 0x10003 | ReportFatalError          | R12 = 0x0                                       | KVM_EXIT_SYSTEM_EVENT |
        | 0x10004 | SetupEventNotifyInterrupt | R12 = 0xf3                                      | KVM_EXIT_TDX          |

    Scenario: Sub-function 0xc (Instruction.HLT) halts the vCPU in the kernel
      When the guest issues a TDVMCALL with R10 = 0x0, R11 = 0xc, R12 = 0x0
      Then KVM_RUN is interrupted while the vCPU is halted
      And the guest's TDVMCALL has not returned

    Scenario: Sub-function 0xa (Instruction.CPUID) is answered from the vCPU's CPUID table
      Given the VMM gave vCPU 0 CPUID leaf 0x40000000 as 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d
      When the guest issues a TDVMCALL with R10 = 0x0, R11 = 0xa, R12 = 0x40000000, R13 = 0x0
      Then no exit reaches user space
      And the guest sees R12 = 0x40000001, R13 = 0x4b4d564b, R14 = 0x564b4d56, R15 = 0x4d

    Scenario: Sub-functions 0x20 (Instruction.WRMSR) and 0x1f (Instruction.RDMSR) write and read an MSR in the kernel
      When the guest issues a TDVMCALL with R10 = 0x0, R11 = 0x20, R12 = 0x277, R13 = 0x7010600070106
      And the guest issues a TDVMCALL with R10 = 0x0, R11 = 0x1f, R12 = 0x277
      Then no exit reaches user space
      And the guest sees R11 = 0x7010600070106

  @req:kvm.tdvmcall.vendor @era:kvm-tdx=mainline @src:kvm-x86-c
  Rule: A TDVMCALL with R10 != 0 is a KVM hypercall numbered by R10, whatever R11 holds; an unknown one returns -KVM_ENOSYS

    Scenario: An unknown KVM hypercall
      When the guest issues a TDVMCALL with R10 = 0x1234, R11 = 0x10002, R12 = 0x800000100000, R13 = 0x1000
      Then no exit reaches user space
      And the guest sees R10 = 0xfffffffffffffc18

    Scenario: KVM_HC_VAPIC_POLL_IRQ
      When the guest issues a TDVMCALL with R10 = 0x1, R11 = 0x10002, R12 = 0x800000100000, R13 = 0x1000
      Then no exit reaches user space
      And the guest sees R10 = 0x0

  @req:kvm.tdvmcall.unsupported @src:ml-kvm-ghci-fixups @src:kvm-ml-subfunc
  Rule: A sub-function KVM does not implement is answered without an exit: SUBFUNC_UNSUPPORTED since the merge, INVALID_OPERAND in the series carried before it

    @era:kvm-unsupported-tdvmcall=subfunc-unsupported
    Scenario Outline: Leaf <leaf>
      When the guest issues TDVMCALL leaf <leaf>
      Then no exit reaches user space
      And the guest's TDVMCALL returns SUBFUNC_UNSUPPORTED (0x8000000000000003)

      Examples:
        | leaf    |
        | 0x36    |
        | 0x41    |
        | 0x10005 |
        | 0x20000 |

    @era:kvm-unsupported-tdvmcall=invalid-operand @module:>=1.5
    Scenario: Leaf 0x10005 before the merge
      When the guest issues TDVMCALL leaf 0x10005
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)
