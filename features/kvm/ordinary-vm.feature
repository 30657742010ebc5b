@kvm @src:kvm-x86-c-616 @src:kvm-main-c-616
Feature: TDX commands on a VM that is not a TD
  KVM_MEMORY_ENCRYPT_OP carries the TDX sub-commands, and only a TD understands them. On Intel
  hosts KVM refuses the ioctl on any other VM with ENOTTY before it looks at the command: the
  TDX code answers so for a VM that is not a TD (v6.16 on), and kernels whose Intel KVM has no
  TDX at all have no handler for it, which ends the same way. This holds whether or not the host
  has TDX, so any Intel machine with KVM can show it.

  # Read in mainline KVM (v6.16 vt_mem_enc_ioctl(), and x86.c without a handler); the pre-merge trees were not.
  @req:kvm.vm.encrypt-op-non-td @needs:kvm.ioctl @era:kvm-tdx=none @era:kvm-tdx=mainline
  Rule: On Intel hosts, KVM_MEMORY_ENCRYPT_OP on a VM that is not a TD fails with ENOTTY

    Scenario: KVM_TDX_CAPABILITIES on a default VM
      Given a host with an Intel CPU
      And KVM is loaded
      When the VMM creates a VM of type 0
      And the VMM issues KVM_TDX_CAPABILITIES on that VM
      Then the sub-command fails with ENOTTY
