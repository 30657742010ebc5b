@kvm @era:kvm-tdx=mainline @needs:kvm.ioctl @needs:kvm.test-guest @src:kvm-tdx-c @src:kvm-tdx-c-616
Feature: Private and shared memory of a TD
  A TD's GPA width fixes its shared bit: bit 47 for a width of 48 (4-level EPT), bit 51 for 52
  (5-level EPT). GPAs with the bit clear are private: KVM maps them in a mirror page table that it
  reflects into the TDX module's secure EPT with SEAMCALLs, at 4 KiB only. GPAs with the bit set
  are shared: KVM maps them in an ordinary EPT the CPU walks, without the module. User space
  decides, per page, whether memory is private (KVM_SET_MEMORY_ATTRIBUTES); an access of the
  other kind goes to user space as KVM_EXIT_MEMORY_FAULT so that it can convert the page, and
  making a private page shared removes it from the secure EPT.

  Background:
    Given a TDX host
    And KVM brought TDX up (kvm_intel.tdx=1)

  @req:kvm.ept.shared-bit
  Rule: The shared bit is GPA bit 47 for a GPA width of 48 and bit 51 for 52, and KVM strips it from the GPAs user space sees

    Scenario Outline: GPA width <width>
      Given a runnable TD with 1 vCPU and GPA width <width>
      When the guest issues TDVMCALL<#VE.RequestMMIO> with R12 = 0x4, R13 = 0x0, R14 = <gpa>
      Then the vCPU exits to user space with KVM_EXIT_MMIO
      And kvm_run.mmio is a read of 4 bytes at 0xfeb00000

      Examples:
        | width | gpa              |
        | 48    | 0x8000feb00000   |
        | 52    | 0x80000feb00000  |

    Scenario: With a GPA width of 52, bit 47 is an ordinary private address bit
      Given a runnable TD with 1 vCPU and GPA width 52
      When the guest issues TDVMCALL<#VE.RequestMMIO> with R12 = 0x4, R13 = 0x0, R14 = 0x8000feb00000
      Then no exit reaches user space
      And the guest's TDVMCALL returns INVALID_OPERAND (0x8000000000000000)

  @req:kvm.ept.split @needs:kvm.mmu @needs:kvm.seamcall-trace @src:kvm-mmu-616 @src:kvm-api-rst-616
  Rule: A private access is mapped through the secure EPT, a shared one in the shared EPT without the module; an access that disagrees with the memory attributes goes to user space as KVM_EXIT_MEMORY_FAULT

    Scenario: A private page the guest touches first
      Given a runnable TD with 1 vCPU
      And the VMM made GPAs 0x100000 to 0x101000 private
      When the guest reads GPA 0x100000
      Then no exit reaches user space
      And the TD maps private GPA 0x100000 with a 4 KiB page
      And KVM issued TDH.MEM.PAGE.AUG 1 times

    Scenario: A shared page the guest touches first
      Given a runnable TD with 1 vCPU
      When the guest writes GPA 0x800000200000
      Then no exit reaches user space
      And the TD's shared EPT maps GPA 0x200000
      And KVM issued TDH.MEM.PAGE.AUG 0 times
      And KVM issued TDH.MEM.SEPT.ADD 0 times

    Scenario: A private access to memory user space keeps shared
      Given a runnable TD with 1 vCPU
      When the guest reads GPA 0x100000
      Then KVM_RUN fails with EFAULT and kvm_run reports KVM_EXIT_MEMORY_FAULT
      And kvm_run.memory_fault reports a private access (flags 0x8) to GPA 0x100000 of 4096 bytes
      When the VMM makes GPAs 0x100000 to 0x101000 private and runs the vCPU again
      Then no exit reaches user space
      And the TD maps private GPA 0x100000 with a 4 KiB page

    Scenario: A shared access to memory user space keeps private
      Given a runnable TD with 1 vCPU
      When the guest reads GPA 0x800000002000
      Then KVM_RUN fails with EFAULT and kvm_run reports KVM_EXIT_MEMORY_FAULT
      And kvm_run.memory_fault reports a shared access (flags 0x0) to GPA 0x2000 of 4096 bytes

  @req:kvm.ept.exit-qualification @needs:kvm.mmu @needs:kvm.seamcall-trace @src:mod-td-exit-1501 @src:guest-mod15-td-ept-violation @src:l6161-vmx-h @src:kvm-tdx-c-616
  Rule: A TD's access to a page not yet mapped leaves the TD through TDH.VP.ENTER with exit reason 48 (EPT_VIOLATION), the access type in the exit qualification (RCX) and the GPA in R8
    The module passes on the CPU's exit qualification unchanged: bit 0 is set for a data read,
    bit 1 for a data write, bit 2 for an instruction fetch. KVM reads these bits for a shared GPA
    (and refuses a fetch there); for a private GPA it treats every violation as a write. The
    scenarios look at the TDH.VP.ENTER that returned the exit, as KVM received it.

    Scenario Outline: The guest <access> a <kind> page it has not touched: qualification bit <set> set, bits <clear> clear
      Given a runnable TD with 1 vCPU
      And the VMM made GPAs 0x100000 to 0x101000 private
      When the guest <access> GPA <gpa>
      Then a TDH.VP.ENTER KVM issued returned exit reason 48 (EPT_VIOLATION) with GPA <gpa> in R8
      And the exit qualification in its RCX has bit <set> set and bits <clear> clear

      Examples: Bits 0 (EPT_VIOLATION_ACC_READ), 1 (EPT_VIOLATION_ACC_WRITE), 2 (EPT_VIOLATION_ACC_INSTR)
        | access | kind    | gpa            | set | clear |
        | reads  | private | 0x100000       | 0   | 1, 2  |
        | writes | private | 0x100000       | 1   | 2     |
        | reads  | shared  | 0x800000200000 | 0   | 1, 2  |
        | writes | shared  | 0x800000200000 | 1   | 2     |

  @req:kvm.ept.private-4k @needs:kvm.mmu
  Rule: KVM maps private memory with 4 KiB pages only, even where a 2 MiB page would fit

    Scenario: A whole private 2 MiB region touched at its start
      Given a runnable TD with 1 vCPU
      And the VMM made GPAs 0x200000 to 0x400000 private
      When the guest reads GPA 0x200000
      Then no exit reaches user space
      And every private mapping of the TD is a 4 KiB page

    Scenario: The initial image
      Given a runnable TD with 1 vCPU
      Then every private mapping of the TD is a 4 KiB page

  @req:kvm.ept.private-zap @needs:kvm.seamcall-trace @needs:kvm.mmu
  Rule: Making a private page shared removes it from the secure EPT: TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE, then TDH.PHYMEM.PAGE.WBINVD of its cache lines

    Scenario: A page the guest gives back
      Given a runnable TD with 1 vCPU
      And the VMM made GPAs 0x100000 to 0x101000 private
      And the guest has touched GPA 0x100000
      When the VMM makes GPAs 0x100000 to 0x101000 shared
      Then KVM issued, in this order: TDH.MEM.RANGE.BLOCK, TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE, TDH.PHYMEM.PAGE.WBINVD
      And every SEAMCALL KVM issued succeeded
      And the TD has no private mapping of GPA 0x100000
