@guest @src:tdx-rst-guest @src:guest-c @src:guest-traps-ve-fault
Feature: The guest's #VE handler
  When the TDX module delivers a #VE it records why (exit reason, qualification, addresses) and
  holds back further #VEs (and NMIs) until the guest has read that information with
  TDG.VP.VEINFO.GET. The guest's handler therefore reads it first, before touching anything that
  could itself cause a #VE: a #VE that arrives while delivery is held back becomes a double
  fault, which the TD cannot survive. After that the handler is an ordinary exception handler. It
  serves user space only for CPUID; a #VE it does not handle sends SIGSEGV to a user task and is
  an oops in the kernel, and either way the kernel logs the unexpected exit reason.

  @req:guest.ve.blocked-until-veinfo @needs:guest.instructions @src:guest-mod15-td-other-exits
  Rule: Until the handler reads TDG.VP.VEINFO.GET, #VE delivery is blocked: a #VE in that window becomes a #DF, fatal for the TD; after it, a nested #VE is handled normally

    Scenario: A #VE before the handler read its #VE information is a double fault
      Given a TD guest
      When the guest kernel executes HLT inside its #VE handler before reading the #VE information
      Then the TDX module raised #DF
      And the guest kernel panicked

    Scenario: After TDG.VP.VEINFO.GET a nested #VE is delivered and handled
      Given a TD guest
      When the guest kernel executes IN inside its #VE handler after reading the #VE information
      Then the TDX module raised #VE with exit reason 30 (IO_INSTRUCTION)
      And the guest kernel emulated it through TDVMCALL<Instruction.IO> (leaf 0x1e)

    Scenario: An instruction that raises no #VE is harmless in that window
      Given a TD guest
      When the guest kernel executes NOP inside its #VE handler before reading the #VE information
      Then the instruction ran natively

  @req:guest.ve.user-vs-kernel @needs:guest.log
  Rule: An unhandled #VE is logged as unexpected; it sends SIGSEGV to a user task and is an oops in the kernel

    @needs:guest.user-instructions
    Scenario: VMCALL from user space: logged as unexpected, then SIGSEGV
      Given a TD guest
      When a user-space task executes VMCALL
      Then the guest kernel logged "Unexpected #VE: 18" while handling it
      And the guest kernel sent SIGSEGV

    @needs:guest.instructions
    Scenario: VMCALL in the kernel: logged as unexpected, then an oops
      Given a TD guest
      When the guest kernel executes VMCALL
      Then the guest kernel logged "Unexpected #VE: 18" while handling it
      And the guest kernel oopsed with "VE fault"

    @needs:guest.instructions
    Scenario: CPUID is the one #VE user space gets served
      Given a TD guest
      When a user-space task executes CPUID leaf 0x40000000 subleaf 0
      Then the guest kernel emulated it through TDVMCALL<Instruction.CPUID> (leaf 0xa)
