@guest @src:tdx-rst-guest
Feature: Instructions that raise #GP in a TD
  Some instructions make no sense inside a TD, or would break its isolation: a TD cannot be a
  hypervisor itself, run SGX enclaves, enter SMM or use the other instructions the guest
  documentation lists. The TDX module answers them with a general-protection fault, as a CPU
  does for an instruction it refuses. The guest kernel gets no help from the VMM here: in the
  kernel the fault is an oops, in user space the task gets SIGSEGV.

  @req:guest.gp.instructions @needs:guest.instructions
  Rule: All VMX instructions, ENCLS, ENCLU, GETSEC, RSM and ENQCMD raise #GP: an oops in the kernel, SIGSEGV in user space

    Scenario Outline: <instruction> raises #GP
      Given a TD guest
      When the guest kernel executes <instruction>
      Then the TDX module raised #GP
      And the guest kernel oopsed with "general protection fault"
      When a user-space task executes <instruction>
      Then the TDX module raised #GP
      And the guest kernel sent SIGSEGV

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

      Examples: Enclave, SMX, SMM and enqueue instructions
        | instruction |
        | ENCLS       |
        | ENCLU       |
        | GETSEC      |
        | RSM         |
        | ENQCMD      |
