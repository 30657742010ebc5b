@kvm @era:kvm-tdx=mainline @needs:kvm.ioctl @needs:kvm.test-guest @src:kvm-tdx-c @src:kvm-tdx-c-616 @src:guest-c
Feature: A guest instruction reaches the user-space VMM through KVM
  The whole path: a VMM builds a TD through KVM, the Linux guest in it executes an instruction the
  TDX module does not let it run natively, the guest's #VE handler asks the VMM with a TDVMCALL,
  KVM turns the call into an exit, and the user-space VMM sees it and answers.

  Background:
    Given a TDX host
    And KVM brought TDX up (kvm_intel.tdx=1)
    And a runnable TD with 1 vCPU

  @req:kvm.e2e.port-io
  Rule: Port I/O of the guest kernel reaches the user-space VMM as KVM_EXIT_IO, and the VMM's data reaches the guest

    Scenario: OUT of one byte to port 0x80
      When the guest kernel executes OUT of 1 byte 0x5a to port 0x80 on vCPU 0
      Then the guest kernel emulated it with TDVMCALL<Instruction.IO> (leaf 0x1e), answered SUCCESS (0x0)
      And the last exit the user-space VMM received is an OUT of 1 byte to port 0x80 with data 0x5a

    Scenario: IN of one byte from port 0x71
      Given the user-space VMM answers port reads with 0x42
      When the guest kernel executes IN of 1 byte from port 0x71 on vCPU 0
      Then the guest kernel emulated it with TDVMCALL<Instruction.IO> (leaf 0x1e), answered SUCCESS (0x0)
      And the low byte of the guest's RAX is 0x42
      And the last exit the user-space VMM received is an IN of 1 byte from port 0x71
