@kvm @era:kvm-tdx=mainline @needs:kvm.ioctl @src:kvm-tdx-rst @src:kvm-tdx-c-616
Feature: Building a TD through KVM
  A VMM creates a TD as a VM of type KVM_X86_TDX_VM and then drives it through
  KVM_MEMORY_ENCRYPT_OP, each call carrying a struct kvm_tdx_cmd (id, flags, data, hw_error).
  The documented order is: query KVM_TDX_CAPABILITIES, initialise the TD with KVM_TDX_INIT_VM,
  create the vCPUs and initialise each with KVM_TDX_INIT_VCPU, copy the initial image into
  private memory with KVM_TDX_INIT_MEM_REGION, seal the TD with KVM_TDX_FINALIZE_VM, then run
  the vCPUs. KVM refuses each step out of order or with malformed input; where the TDX module
  refuses an operand, KVM reports the module's status in hw_error.

  Background:
    Given a TDX host
    And KVM brought TDX up (kvm_intel.tdx=1)

  @req:kvm.vm.create
  Rule: KVM_CREATE_VM accepts the TDX VM type (5) and refuses types KVM does not offer

    Scenario Outline: VM type <type>
      When the VMM creates a VM of type <type>
      Then <outcome>

      Examples:
        | type | outcome                             |
        | 5    | the VM is created                   |
        | 0    | the VM is created                   |
        | 6    | creating the VM fails with EINVAL   |
        | 63   | creating the VM fails with EINVAL   |

  @req:kvm.vm.max-vcpus
  Rule: A TD may have as many vCPUs as the platform has logical CPUs, whatever MAX_VCPUS_PER_TD says

    Scenario: KVM_CAP_MAX_VCPUS of a TD
      Given a TD VM created by the VMM
      Then KVM_CAP_MAX_VCPUS of the VM equals the number of logical CPUs

  @req:kvm.cmd.header
  Rule: user space must leave hw_error zero and may not set flags the sub-command does not define

    Scenario Outline: <cmd> with a non-zero hw_error
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created
      When the VMM issues <cmd> with hw_error 0x1
      Then the sub-command fails with EINVAL

      Examples:
        | cmd                      |
        | KVM_TDX_CAPABILITIES     |
        | KVM_TDX_FINALIZE_VM      |
        | KVM_TDX_INIT_VCPU        |
        | KVM_TDX_GET_CPUID        |

    Scenario Outline: <cmd> with flags 0x1
      Given a TD VM created by the VMM
      When the VMM issues <cmd> with flags 0x1
      Then the sub-command fails with EINVAL

      Examples:
        | cmd                  |
        | KVM_TDX_CAPABILITIES |
        | KVM_TDX_INIT_VM      |

    Scenario: KVM_TDX_INIT_VCPU with flags 0x1
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created
      When the VMM issues KVM_TDX_INIT_VCPU with flags 0x1
      Then the sub-command fails with EINVAL

    Scenario: An unknown sub-command
      Given a TD VM created by the VMM
      When the VMM issues sub-command 7 on the VM
      Then the sub-command fails with EINVAL

    Scenario: A vCPU sub-command on the VM descriptor
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      When the VMM issues KVM_TDX_INIT_VCPU on the VM
      Then the sub-command fails with EINVAL

  @req:kvm.capabilities.report
  Rule: KVM_TDX_CAPABILITIES reports the attributes and XFAM KVM supports and every configurable CPUID, with the GPA width bits of CPUID 0x80000008 marked configurable

    Scenario: The capabilities of the TDX module, as KVM offers them
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_CAPABILITIES with room for 256 CPUID entries
      Then the sub-command succeeds
      And the supported attributes are 0x10000000 (SEPT_VE_DISABLE, bit 28, only)
      And the supported XFAM includes x87 and SSE
      And CPUID 0x80000008 EAX bits 23:16 are reported as 0xff
      And no CPUID 7.0 entry sets EBX bits 4 and 11 (HLE, RTM) or ECX bit 5 (WAITPKG)

    # The module's NUM_CPUID_CONFIG is global metadata: a real machine does not show it to user space.
    Scenario: One CPUID entry per CPUID configuration of the module
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_CAPABILITIES with room for 256 CPUID entries
      Then the sub-command succeeds
      And there is one CPUID entry per CPUID configuration of the TDX module

    Scenario: Too little room for the CPUID entries
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_CAPABILITIES with room for 1 CPUID entries
      Then the sub-command fails with E2BIG

    # N is what the module's NUM_CPUID_CONFIG makes it: KVM wants room for all N entries, no more.
    Scenario Outline: Room for <room> CPUID entries, N being the count KVM reports
      Given a TD VM created by the VMM
      And KVM_TDX_CAPABILITIES with room for 256 CPUID entries reported N entries
      When the VMM issues KVM_TDX_CAPABILITIES with room for <room> CPUID entries
      Then the sub-command <outcome>

      Examples: Both sides of the count
        | room | outcome          |
        | N-1  | fails with E2BIG |
        | N    | succeeds         |
        | N+1  | succeeds         |

  @req:kvm.vcpu.after-init-vm
  Rule: vCPUs can be created only after KVM_TDX_INIT_VM

    Scenario: KVM_CREATE_VCPU before KVM_TDX_INIT_VM
      Given a TD VM created by the VMM
      When the VMM creates vCPU 0
      Then creating the vCPU fails with EIO

    Scenario: KVM_CREATE_VCPU after KVM_TDX_INIT_VM
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      When the VMM creates vCPU 0
      Then the vCPU is created

  @req:kvm.vcpu.split-irqchip
  Rule: A TD vCPU needs the local APIC in the kernel and the I/O APIC in user space (a split IRQ chip)

    Scenario: No split IRQ chip
      Given a TD VM created by the VMM without a split IRQ chip
      And the TD was initialised with KVM_TDX_INIT_VM
      When the VMM creates vCPU 0
      Then creating the vCPU fails with EINVAL

  @req:kvm.init-vm.once
  Rule: KVM_TDX_INIT_VM runs once, before any vCPU exists

    Scenario: KVM_TDX_INIT_VM again after a vCPU was created
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command fails with EINVAL

  @req:kvm.init-vm.attributes-xfam
  Rule: KVM_TDX_INIT_VM accepts only the attributes and XFAM bits KVM_TDX_CAPABILITIES reported

    Scenario Outline: <what>
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM with <change>
      Then <outcome>

      Examples:
        | what                               | change                       | outcome                            |
        | SEPT_VE_DISABLE                    | attributes 0x10000000        | the sub-command succeeds           |
        | the DEBUG attribute                | attributes 0x10000001        | the sub-command fails with EINVAL  |
        | an attribute the module lacks      | attributes 0x10000000000     | the sub-command fails with EINVAL  |
        | an XFAM bit KVM does not support   | XFAM 0x80000000000000e7      | the sub-command fails with EINVAL  |

  @req:kvm.init-vm.gpa-width
  Rule: The GPA width comes from CPUID 0x80000008 EAX[23:16] and may only be 48, or 52 where EPT has five levels

    Scenario Outline: GPA width <width>
      Given a TD VM created by the VMM
      And <ept>
      When the VMM issues KVM_TDX_INIT_VM with GPA width <width>
      Then <outcome>

      Examples:
        | width | ept                                    | outcome                           |
        | 48    | the CPU's EPT has five levels          | the sub-command succeeds          |
        | 52    | the CPU's EPT has five levels          | the sub-command succeeds          |
        | 52    | the CPU's EPT has only four levels     | the sub-command fails with EINVAL |
        | 50    | the CPU's EPT has five levels          | the sub-command fails with EINVAL |
        | 40    | the CPU's EPT has five levels          | the sub-command fails with EINVAL |

    Scenario: No CPUID 0x80000008 entry at all
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM without a CPUID 0x80000008 entry
      Then the sub-command fails with EINVAL

  @req:kvm.init-vm.cpuid
  Rule: Every CPUID entry of KVM_TDX_INIT_VM must fit a configurable slot, without TSX or WAITPKG, at most 256 entries and the reserved words zero

    Scenario Outline: <what>
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM with <change>
      Then the sub-command fails with <errno>

      Examples:
        | what                              | change                              | errno  |
        | a leaf the module cannot configure | an extra CPUID entry for leaf 0x2  | EINVAL |
        | TSX                               | CPUID 7.0 EBX reporting RTM (bit 11) | EINVAL |
        | WAITPKG                           | CPUID 7.0 ECX reporting WAITPKG (bit 5) | EINVAL |
        | 256 CPUID entries, the most KVM takes, some for no slot (refused as unconfigurable, not as too many) | 256 CPUID entries | EINVAL |
        | 257 CPUID entries, one too many   | 257 CPUID entries                   | E2BIG  |
        | a reserved word set               | a non-zero reserved word            | EINVAL |

  @req:kvm.init-vm.module-status @src:capture-qemu-kvm-errors @src:kvm-mod-mng-init-15 @src:kvm-mod-err-15 @src:kvm-mod-cpuid-15
  Rule: When TDH.MNG.INIT refuses an operand, KVM_TDX_INIT_VM fails with EINVAL and hw_error holds the module's status

    # The module takes for CPUID 0x1 EAX only 0 or the CPU's own family/model/stepping; family 0 is no CPU's.
    # 0xc000010000000045: TDX_OPERAND_INVALID on operand 69 (CPUID_CONFIG).
    Scenario: A CPUID 0x1 EAX value the module does not accept
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM with CPUID 0x1 EAX = 0x1
      Then the sub-command fails with EINVAL
      And hw_error is 0xc000010000000045

  @req:kvm.init-vm.keyid
  Rule: Each TD takes a private KeyID from the kernel when KVM_TDX_INIT_VM succeeds

    @needs:host.keyid-usage
    Scenario: KVM_TDX_INIT_VM takes one TD KeyID
      Given the TD KeyIDs in use are counted
      And a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command succeeds
      And 1 more TD KeyID is in use than counted

    @needs:host.keyid
    Scenario: A TD holds a KeyID the kernel handed out
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command succeeds
      And the next TD KeyID the kernel hands out is its second one

  @req:kvm.init-vm.entropy @needs:platform.arrange @module:>=1.5 @src:kvm-tdx-c-616 @src:l6161-asm-tdx-h @src:mod-mng-create-1501
  Rule: A TDH.MNG.CREATE that finds no entropy is made again by the kernel, ten times in all; one that never finds any fails KVM_TDX_INIT_VM with EAGAIN, without a warning, and the KeyID goes back
    The module draws the TD's UUID from RDRAND before it assigns the KeyID, and answers
    TDX_RND_NO_ENTROPY when there is none; sc_retry() asks again up to ten calls in all. KVM then
    returns -EAGAIN for user space to try again, and frees the KeyID it had taken.

    Scenario Outline: TDH.MNG.CREATE finds no entropy <n> times: KVM_TDX_INIT_VM <outcome>
      Given the TDX module finds no entropy the first <n> times TDH.MNG.CREATE is called
      And a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command <outcome>

      Examples: Below, at and above the ten calls sc_retry() makes
        | n  | outcome           |
        | 9  | succeeds          |
        | 10 | fails with EAGAIN |
        | 11 | fails with EAGAIN |

    @needs:host.keyid
    Scenario: Ten times without entropy: no warning, and the KeyID is free again
      Given the TDX module finds no entropy the first 10 times TDH.MNG.CREATE is called
      And a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command fails with EAGAIN
      And the kernel log does not say "SEAMCALL TDH_MNG_CREATE failed: 0x%llx"
      And the next TD KeyID the kernel hands out is its first one

  @req:kvm.init-vm.keyid-exhausted @needs:host.keyid
  Rule: With no TD KeyID left, KVM_TDX_INIT_VM fails with ENOSPC

    Scenario: All TD KeyIDs in use
      Given TD KeyIDs are allocated until none is left
      And a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command fails with ENOSPC

  @req:kvm.init-vm.packages-online @needs:host.cpu-hotplug @destructive
  Rule: A TD can be created only while every package has an online CPU

    Scenario: All CPUs of package 1 offline
      Given kvm_intel was loaded with TDX enabled
      And every CPU of package 1 is offline
      And a TD VM created by the VMM
      When the VMM issues KVM_TDX_INIT_VM
      Then the sub-command fails with EIO
      And KVM logs "All packages need to have online CPU to create TD. Online CPU and retry."

  @req:kvm.init-vcpu.once
  Rule: KVM_TDX_INIT_VCPU initialises a vCPU once and makes it runnable

    Scenario: The first KVM_TDX_INIT_VCPU
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created
      When the VMM issues KVM_TDX_INIT_VCPU on vCPU 0
      Then the sub-command succeeds
      And vCPU 0 is in state KVM_MP_STATE_RUNNABLE (0)

    Scenario: A second KVM_TDX_INIT_VCPU
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      When the VMM issues KVM_TDX_INIT_VCPU on vCPU 0
      Then the sub-command fails with EINVAL

  @req:kvm.mem-region.validation @src:kvm-gmem-c-616
  Rule: KVM_TDX_INIT_MEM_REGION wants page-aligned addresses, at least one page, private GPAs whose memory attribute is private, and no unknown flag

    Scenario Outline: <what>
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      And the VMM made GPAs 0x0 to 0x100000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for <pages> pages at GPA <gpa> from <offset> bytes into its own pages with flags <flags>
      Then the sub-command fails with EINVAL

      Examples:
        | what                          | pages | gpa             | offset | flags |
        | an unaligned GPA              | 1     | 0x1800          | 0x0    | 0x0   |
        | an unaligned source           | 1     | 0x1000          | 0x10   | 0x0   |
        | no page                       | 0     | 0x1000          | 0x0    | 0x0   |
        | a shared GPA                  | 1     | 0x800000001000  | 0x0    | 0x0   |
        | memory not marked private     | 1     | 0x200000        | 0x0    | 0x0   |
        | an unknown flag               | 1     | 0x1000          | 0x0    | 0x2   |

    Scenario: Before KVM_TDX_INIT_VCPU
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created
      And the VMM made GPAs 0x0 to 0x100000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for 1 pages at GPA 0x1000 from its own pages with flags 0x0
      Then the sub-command fails with EINVAL

  @req:kvm.mem-region.last-page @src:kvm-tdx-c-616
  Rule: KVM_TDX_INIT_MEM_REGION checks the region's last byte against the shared bit, not the byte after it
    KVM refuses a region that starts or ends above the TD's private range: it tests the first GPA
    and the last byte of the last page (GPA + pages * 4096 - 1) for the shared bit. A region whose
    last page is the highest private page, so that the region ends exactly where the shared half
    begins, is accepted; one more page reaches into the shared half and is refused with EINVAL. With
    the default 48-bit GPA width the shared bit is bit 47 (0x800000000000).

    Scenario Outline: A region of <pages> pages ending at the shared bit (<what>) is accepted
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      And the VMM added guest memory at GPA 0x7fffffff0000 of 0x10000 bytes
      And the VMM made GPAs 0x7fffffff0000 to 0x800000000000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for <pages> pages at GPA <gpa> from its own pages with flags 0x0
      Then the sub-command succeeds
      And the region written back starts at GPA 0x800000000000 with 0 pages left

      Examples:
        | what                                | pages | gpa            |
        | the highest private page alone      | 1     | 0x7ffffffff000 |
        | two pages, the last the highest one | 2     | 0x7fffffffe000 |

    Scenario Outline: A region of <pages> pages at <gpa> reaching past the shared bit (<what>) is refused
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      And the VMM added guest memory at GPA 0x7fffffff0000 of 0x10000 bytes
      And the VMM made GPAs 0x7fffffff0000 to 0x800000000000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for <pages> pages at GPA <gpa> from its own pages with flags 0x0
      Then the sub-command fails with EINVAL

      Examples:
        | what                                         | pages | gpa            |
        | the highest private page and the one above   | 2     | 0x7ffffffff000 |
        | three pages, the last one above the boundary | 3     | 0x7fffffffe000 |

  @req:kvm.mem-region.add
  Rule: KVM_TDX_INIT_MEM_REGION adds each page to the TD with TDH.MEM.PAGE.ADD and advances the region it was given

    Scenario: The region written back after four pages
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      And the VMM made GPAs 0x0 to 0x100000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for 4 pages at GPA 0x10000 from its own pages with flags 0x1
      Then the sub-command succeeds
      And the region written back starts at GPA 0x14000 with 0 pages left

    @needs:kvm.seamcall-trace
    Scenario: One TDH.MEM.PAGE.ADD per page
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      And the VMM made GPAs 0x0 to 0x100000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for 2 pages at GPA 0x10000 from its own pages with flags 0x0
      Then the sub-command succeeds
      And KVM issued TDH.MEM.PAGE.ADD 2 times

  @req:kvm.mem-region.measure @needs:kvm.seamcall-trace
  Rule: With the measure flag, KVM_TDX_INIT_MEM_REGION extends the TD's measurement 256 bytes at a time (TDH.MR.EXTEND 16 times a page); without it, not at all

    Scenario Outline: <pages> pages with flags <flags>
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      And the VMM made GPAs 0x0 to 0x100000 private
      When the VMM issues KVM_TDX_INIT_MEM_REGION for <pages> pages at GPA 0x10000 from its own pages with flags <flags>
      Then the sub-command succeeds
      And KVM issued TDH.MR.EXTEND <extends> times

      Examples:
        | pages | flags | extends |
        | 4     | 0x1   | 64      |
        | 1     | 0x1   | 16      |
        | 2     | 0x0   | 0       |

  @req:kvm.finalize.once
  Rule: KVM_TDX_FINALIZE_VM needs an initialised TD, runs once, and ends the build: vCPU sub-commands are refused after it

    Scenario: Before KVM_TDX_INIT_VM
      Given a TD VM created by the VMM
      When the VMM issues KVM_TDX_FINALIZE_VM
      Then the sub-command fails with EINVAL

    Scenario: Finalized once
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      When the VMM issues KVM_TDX_FINALIZE_VM
      Then the sub-command succeeds
      And hw_error is 0x0

    Scenario: Finalized twice
      Given a runnable TD with 1 vCPU
      When the VMM issues KVM_TDX_FINALIZE_VM
      Then the sub-command fails with EINVAL

    Scenario: KVM_TDX_INIT_MEM_REGION after KVM_TDX_FINALIZE_VM
      Given a runnable TD with 1 vCPU
      When the VMM issues KVM_TDX_INIT_MEM_REGION for 1 pages at GPA 0x8000 from its own pages with flags 0x0
      Then the sub-command fails with EINVAL

  @req:kvm.run.gate
  Rule: KVM_RUN needs an initialised vCPU of a finalized TD

    Scenario: KVM_RUN before KVM_TDX_FINALIZE_VM
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      When the VMM runs vCPU 0
      Then KVM_RUN fails with EINVAL

    # vCPU 0 is the boot CPU: an application processor that never got INIT_VCPU would wait for
    # INIT-SIPI in KVM_RUN instead of reaching the check. Kernels after v7.0 moved the check
    # (9fd7a4433d74), which is not verified here.
    @kernel:<7.1
    Scenario: KVM_RUN of a vCPU never initialised
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created
      And vCPU 1 was created and initialised
      And the TD was finalized
      When the VMM runs vCPU 0
      Then KVM_RUN fails with EINVAL

  @req:kvm.get-cpuid
  Rule: KVM_TDX_GET_CPUID returns the CPUID the module virtualises, with the GPA width in CPUID 0x80000008 EAX[23:16], or E2BIG and the needed count when nent is too small

    Scenario Outline: GPA width <width>
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM with GPA width <width>
      And vCPU 0 was created and initialised
      When the VMM issues KVM_TDX_GET_CPUID on vCPU 0 with room for 256 entries
      Then the sub-command succeeds
      And the CPUID returned has leaf 0x80000008 with EAX bits 23:16 equal to <width>

      Examples:
        | width |
        | 48    |
        | 52    |

    Scenario: Too little room
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      When the VMM issues KVM_TDX_GET_CPUID on vCPU 0 with room for 1 entries
      Then the sub-command fails with E2BIG
      And nent was set to the number of entries a call with enough room returns

  @req:kvm.vcpu.set-cpuid-max @src:kvm-cpuid-c-616
  Rule: KVM_SET_CPUID2 gives a TD vCPU at most 256 CPUID entries (KVM_MAX_CPUID_ENTRIES); a larger count fails with E2BIG

    # KVM's generic check (kvm_vcpu_ioctl_set_cpuid2()): TD vCPUs take the ioctl like any other, and
    # KVM answers TDVMCALL<Instruction.CPUID> from the table it sets. The entries are hypervisor
    # leaves 0x40000000 up with zero values, which none of KVM's later checks of the table refuse.
    Scenario Outline: <entries> entries
      Given a TD VM created by the VMM
      And the TD was initialised with KVM_TDX_INIT_VM
      And vCPU 0 was created and initialised
      When the VMM issues KVM_SET_CPUID2 on vCPU 0 with <entries> entries
      Then KVM_SET_CPUID2 <outcome>

      Examples: At and just above the limit
        | entries | outcome          |
        | 256     | succeeds         |
        | 257     | fails with E2BIG |

  @req:kvm.terminate @src:kvm-ml-terminate-dropped @src:kvm-tdx-c-616 @src:kvm-tdx-c-618 @src:kvm-tdx-c-next
  Rule: The VM sub-commands are CAPABILITIES, INIT_VM and FINALIZE_VM; the proposed KVM_TDX_TERMINATE_VM (6) was never merged and is refused

    Scenario: Sub-command 6 on a runnable TD
      Given a runnable TD with 1 vCPU
      When the VMM issues sub-command 6 on the VM
      Then the sub-command fails with EINVAL

  @req:kvm.mem-attributes.operands @src:kvm-main-c-616 @src:kvm-uapi-616
  Rule: KVM_SET_MEMORY_ATTRIBUTES on a TD takes only the PRIVATE attribute, over a range that is not empty, does not wrap and is page aligned
    A VM with private memory, as a TD is, supports one memory attribute, PRIVATE (bit 3); a TD VM
    accepts it, and 0 to make memory shared, as soon as it exists. Any other attribute bit, a size
    of 0, an address and size whose sum wraps past 2^64, and an address or size that is not a
    multiple of 4 KiB are refused with EINVAL before anything changes.

    Scenario Outline: Attributes <attributes> for <size> bytes at GPA <gpa> (<what>): <outcome>
      Given a TD VM created by the VMM
      When the VMM issues KVM_SET_MEMORY_ATTRIBUTES with attributes <attributes> for <size> bytes at GPA <gpa>
      Then KVM_SET_MEMORY_ATTRIBUTES <outcome>

      Examples: The attribute bits
        | attributes | gpa      | size   | what                 | outcome           |
        | 0x8        | 0x100000 | 0x1000 | PRIVATE              | succeeds          |
        | 0x0        | 0x100000 | 0x1000 | shared               | succeeds          |
        | 0x4        | 0x100000 | 0x1000 | bit 2                | fails with EINVAL |
        | 0x10       | 0x100000 | 0x1000 | bit 4                | fails with EINVAL |
        | 0x9        | 0x100000 | 0x1000 | PRIVATE and bit 0    | fails with EINVAL |

      Examples: The range: empty, one page, wrapping or not
        | attributes | gpa                | size   | what                          | outcome           |
        | 0x8        | 0x100000           | 0x0    | empty                         | fails with EINVAL |
        | 0x8        | 0x100000           | 0x1000 | one page                      | succeeds          |
        | 0x8        | 0xffffffffffffe000 | 0x1000 | ends one page below 2^64      | succeeds          |
        | 0x8        | 0xfffffffffffff000 | 0x1000 | ends exactly at 2^64          | fails with EINVAL |
        | 0x8        | 0xfffffffffffff000 | 0x2000 | runs one page past 2^64       | fails with EINVAL |

      Examples: Page alignment
        | attributes | gpa      | size   | what                     | outcome           |
        | 0x8        | 0x100800 | 0x1000 | address not page aligned | fails with EINVAL |
        | 0x8        | 0x100000 | 0x800  | size not page aligned    | fails with EINVAL |
        | 0x8        | 0x100000 | 0x2000 | two pages                | succeeds          |
