@kvm @era:kvm-tdx=mainline @needs:kvm.ioctl
Feature: What KVM does not do for a TD vCPU
  The TDX module keeps a TD's vCPU state away from the host, and a TD has neither INIT/SIPI nor
  SMM. KVM therefore refuses the vCPU ioctls that would read or change that state, and TD exits
  it does not know how to handle go to user space as errors instead of being ignored.

  Background:
    Given a TDX host
    And KVM brought TDX up (kvm_intel.tdx=1)
    And a runnable TD with 1 vCPU

  @req:kvm.refused.registers @src:kvm-x86-c-616 @src:kvm-tdx-c-616
  Rule: The register state of a TD vCPU is protected: register and debug-register ioctls fail with EINVAL

    Scenario Outline: <ioctl>
      When the VMM calls <ioctl> on vCPU 0
      Then the ioctl fails with EINVAL

      Examples:
        | ioctl             |
        | KVM_GET_REGS      |
        | KVM_SET_REGS      |
        | KVM_GET_SREGS     |
        | KVM_SET_SREGS     |
        | KVM_GET_DEBUGREGS |
        | KVM_SET_DEBUGREGS |

  @req:kvm.refused.init @src:kvm-main-c-616 @src:kvm-x86-c-616
  Rule: INIT is always blocked for a TD vCPU, so KVM_SET_MP_STATE cannot force INIT_RECEIVED

    Scenario: Forcing INIT_RECEIVED
      When the VMM calls KVM_SET_MP_STATE(INIT_RECEIVED) on vCPU 0
      Then the ioctl fails with EINVAL
      And vCPU 0 is in state KVM_MP_STATE_RUNNABLE (0)

  @req:kvm.refused.smm @src:kvm-x86-c-616 @src:kvm-smm-h-616 @src:kvm-main-c-616
  Rule: A TD vCPU has no SMM: KVM_SMI is refused with ENOTTY

    Scenario: KVM_SMI
      When the VMM calls KVM_SMI on vCPU 0
      Then the ioctl fails with ENOTTY

  @req:kvm.run.unexpected-exit @needs:kvm.test-guest @src:kvm-tdx-c
  Rule: A TD exit KVM does not handle reaches user space as KVM_EXIT_INTERNAL_ERROR (unexpected exit reason, with the exit status and the CPU); a triple fault as KVM_EXIT_SHUTDOWN

    Scenario: A TD exit with basic exit reason 55
      When the guest causes a TD exit with basic exit reason 55
      Then the vCPU exits to user space with KVM_EXIT_INTERNAL_ERROR
      And kvm_run.internal has suberror KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON (4) with the TD exit 0x37 and the CPU in its data

    Scenario: A triple fault
      When the guest causes a TD exit with basic exit reason 2
      Then the vCPU exits to user space with KVM_EXIT_SHUTDOWN
