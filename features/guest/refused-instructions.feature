@guest @src:tdx-rst-guest @src:guest-mod15-td-dispatcher @src:guest-mod208-td-dispatcher @src:guest-mod15-td-vmcs-init @src:guest-sdm-enclu
Feature: Instructions a TD may not execute
  Some instructions make no sense inside a TD, or would break its isolation: a TD cannot be a
  hypervisor itself, run SGX enclaves, enter SMM or measure a late launch. The TDX module refuses
  them: its TD dispatcher answers the VM exit of every VMX instruction, of GETSEC, RSM, ENCLS and
  ENCLV with an invalid-opcode exception (#UD), as a CPU does for an instruction it does not
  have, in module 1.5.01 and 2.0.08 alike. ENQCMD is the exception: the TD's PASID translation
  tables are the zero page, so its PASID translation fails and the module injects a
  general-protection fault (#GP); without a valid IA32_PASID the CPU raises the same #GP itself.
  ENCLU causes no VM exit at all: in the kernel the CPU raises #UD, in user space the outcome
  depends on how the platform configured SGX, so only the kernel's case is stated here. The guest
  kernel gets no help from the VMM: in the kernel the exception is an oops, in user space the
  task gets a signal (SIGILL for #UD, SIGSEGV for #GP).

  The kernel's guest documentation (Documentation/arch/x86/tdx.rst, "Instructions that cause
  #GP") says all of these raise #GP. The module's code does not agree for any but ENQCMD; this
  suite states what the implementations do. A real TD shows the difference: a process that runs
  VMXON dies of SIGILL, not SIGSEGV.

  @req:guest.gp.instructions
  Rule: VMX instructions, ENCLS, GETSEC and RSM raise #UD (an invalid-opcode oops in the kernel, SIGILL in user space); ENQCMD raises #GP (an oops, SIGSEGV); tdx.rst lists them all as #GP

    @needs:guest.instructions
    # The module injects the #UD for every row but ENCLU, which the CPU raises itself (no VM exit).
    Scenario Outline: <instruction> in the kernel raises #UD: an invalid-opcode oops
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the TD got #UD
      And the guest kernel oopsed with "invalid opcode"

      Examples: VMX instructions
        | instruction |
        | INVEPT      |
        | INVVPID     |
        | VMCLEAR     |
        | VMFUNC      |
        | VMLAUNCH    |
        | VMPTRLD     |
        | VMPTRST     |
        | VMREAD      |
        | VMRESUME    |
        | VMWRITE     |
        | VMXOFF      |
        | VMXON       |

      Examples: Enclave, SMX and SMM instructions
        | instruction |
        | ENCLS       |
        | ENCLU       |
        | GETSEC      |
        | RSM         |

    @needs:guest.user-instructions
    Scenario Outline: <instruction> in user space: the process dies of SIGILL
      Given a TD guest
      When a user-space task executes <instruction>
      Then the guest kernel sent SIGILL

      Examples: VMX instructions
        | instruction |
        | INVEPT      |
        | INVVPID     |
        | VMCLEAR     |
        | VMFUNC      |
        | VMLAUNCH    |
        | VMPTRLD     |
        | VMPTRST     |
        | VMREAD      |
        | VMRESUME    |
        | VMWRITE     |
        | VMXOFF      |
        | VMXON       |

      Examples: Enclave, SMX and SMM instructions
        | instruction |
        | ENCLS       |
        | GETSEC      |
        | RSM         |

    @needs:guest.instructions
    Scenario: ENQCMD in the kernel raises #GP: a general-protection oops
      Given a TD guest
      When the guest kernel executes ENQCMD
      Then the TDX module raised #GP
      And the guest kernel oopsed with "general protection fault"

    @needs:guest.user-instructions
    Scenario: ENQCMD in user space: the process dies of SIGSEGV
      Given a TD guest
      When a user-space task executes ENQCMD
      Then the guest kernel sent SIGSEGV
