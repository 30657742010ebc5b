@guest @src:guest-mod15-td-dispatcher @src:mod-api-1501 @src:shared-tdx-h
Feature: The TDCALL leaves a TD guest calls the TDX module with
  A TD asks the TDX module for services with TDCALL, the leaf number in RAX (bits 15:0, a version
  in 23:16, the rest reserved): TDG.VP.VMCALL is 0, TDG.VP.INFO 1, TDG.MR.RTMR.EXTEND 2,
  TDG.VP.VEINFO.GET 3, TDG.MR.REPORT 4, TDG.VP.CPUIDVE.SET 5, TDG.MEM.PAGE.ACCEPT 6, TDG.VM.RD 7,
  TDG.VM.WR 8. The module's dispatcher (tdx_api_defs.h) and the kernel (asm/shared/tdx.h) number
  them alike; a number the module does not know is an invalid RAX operand.

  @req:guest.tdcall.leaf-numbers @needs:guest.tdcall
  Rule: Each TDCALL leaf number is served as the leaf it names; an unknown number is refused as an invalid RAX
    Each row calls a leaf by its number alone and checks an answer only that leaf gives.

    Scenario Outline: TDCALL leaf <number> answers as <leaf>
      Given a TD guest with a 48-bit GPA width
      When the guest kernel issues TDCALL with RAX = <number> and <operands>
      Then the TDCALL completes with <answer>

      Examples:
        | number | leaf              | operands          | answer                                               |
        | 0x1    | TDG.VP.INFO       | no operands       | TDX_SUCCESS (0x0000000000000000) and RCX = 0x30      |
        | 0x3    | TDG.VP.VEINFO.GET | no operands       | TDX_NO_VALID_VE_INFO (0xc000070400000000)            |
        | 0x7    | TDG.VM.RD         | RDX = 0xf000000   | TDX_METADATA_FIELD_ID_INCORRECT (0xc0000c0000000000) |
        | 0xff   | no leaf           | no operands       | TDX_OPERAND_INVALID (0xc000010000000000)             |

  @req:guest.tdcall.kernel-leaves @needs:guest.memory @needs:guest.tdcall @src:guest-c
  Rule: The guest kernel calls each leaf by its number: accepting memory is TDCALL 6 (TDG.MEM.PAGE.ACCEPT)

    Scenario: Converting pages back to private accepts them with TDCALL 6
      Given a TD guest
      When the guest converts 2 pages at 0x4000000 to shared
      And the guest converts 2 pages at 0x4000000 to private
      Then every TDCALL of the conversion was TDG.MEM.PAGE.ACCEPT with RAX = 0x6
