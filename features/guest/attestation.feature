@guest @src:tdx-rst-guest @src:tdxg-drv @src:tdxg-uapi
Feature: TDREPORT and quotes from inside a TD
  A TD proves what it is with a TDREPORT: a structure the TDX module fills with the TD's
  measurements and configuration and 64 bytes chosen by the caller (REPORTDATA, typically a
  nonce), protected by a MAC only the platform can check. User space asks for one through the
  tdx_guest driver: the ioctl TDX_CMD_GET_REPORT0 on /dev/tdx_guest takes the REPORTDATA and
  returns the 1024-byte TDREPORT. For a quote that a remote party can verify, the driver is also
  a configfs-tsm report provider: it turns a 64-byte inblob into a TDREPORT and has the VMM turn
  that into a quote (TDVMCALL<GetQuote> on a buffer shared with the VMM). How the driver reports
  a module that refuses the request changed over time.

  @req:guest.report.tdreport @needs:guest.report
  Rule: TDX_CMD_GET_REPORT0 takes 64 bytes of REPORTDATA and returns the 1024-byte TDREPORT, which carries them and the TD's attributes

    Scenario: The TDREPORT carries the caller's REPORTDATA
      Given a TD guest
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x5a
      Then the ioctl succeeded
      And the TDREPORT is 1024 bytes long
      And the TDREPORT carries the REPORTDATA at offset 128

    @needs:guest.describe @src:mod-api
    Scenario: TDINFO in the TDREPORT starts with the TD's attributes
      Given a TD guest
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x01
      Then the ioctl succeeded
      And the TDREPORT's TDINFO carries the TD's attributes

  @req:guest.report.ioctl-errors @needs:guest.report
  Rule: Any other command on /dev/tdx_guest fails with ENOTTY, including the right type and number encoded with another structure size

    Scenario Outline: ioctl <cmd> (<what>) fails with ENOTTY
      Given a TD guest
      When a process issues ioctl <cmd> on /dev/tdx_guest
      Then the ioctl failed with ENOTTY

      Examples:
        | cmd        | what                                        |
        | 0xc4405402 | _IOWR('T', 2) of the same size              |
        | 0xc2405401 | _IOWR('T', 1) of a 576-byte structure       |
        | 0x84405401 | _IOW('T', 1) of the right size               |
        | 0x5401     | _IO('T', 1), no argument                    |

  @req:guest.report.errno-era @needs:guest.report @src:ml-report-errno @src:guest-c-v63
  Rule: When the module refuses TDG.MR.REPORT, the errno depends on the kernel: an invalid operand is EINVAL, and ENXIO from v6.16; a busy operand is EIO, and EBUSY from v6.16

    @era:guest-report-errno=einval
    Scenario Outline: Before v6.16: <status> gives <errno>
      Given a TD guest whose TDX module answers TDG.MR.REPORT with <status>
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x00
      Then the ioctl failed with <errno>

      Examples:
        | status              | errno  |
        | TDX_OPERAND_INVALID | EINVAL |
        | TDX_OPERAND_BUSY    | EIO    |
        | TDX_SYS_BUSY        | EIO    |

    @era:guest-report-errno=enxio
    Scenario Outline: From v6.16: <status> gives <errno>
      Given a TD guest whose TDX module answers TDG.MR.REPORT with <status>
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x00
      Then the ioctl failed with <errno>

      Examples:
        | status              | errno |
        | TDX_OPERAND_INVALID | ENXIO |
        | TDX_OPERAND_BUSY    | EBUSY |
        | TDX_SYS_BUSY        | EIO   |

  @req:guest.tsm.report @needs:guest.tsm @src:capture-configfs-tsm
  Rule: The tdx_guest provider turns a 64-byte inblob into a quote through TDVMCALL<GetQuote> on a shared buffer; any other inblob length is refused with EINVAL before anything is asked

    Scenario: A 64-byte inblob gives a quote
      Given a TD guest
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report provider is "tdx_guest"
      And the report succeeded with a non-empty outblob

    @needs:guest.tdvmcall
    Scenario: The quote comes from the VMM through a shared buffer
      Given a TD guest
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the guest asked the VMM with TDVMCALL<GetQuote> on a shared buffer

    @needs:guest.tdvmcall
    Scenario Outline: An inblob of <n> bytes is refused with EINVAL, without asking the VMM
      Given a TD guest
      When a process requests a configfs-tsm report with a <n>-byte inblob
      Then the report failed with EINVAL
      And the guest did not ask the VMM for a quote

      Examples:
        | n  |
        | 0  |
        | 32 |
        | 63 |

    @needs:guest.tdvmcall @needs:guest.log
    Scenario: The VMM fails GetQuote: EIO, and the kernel logs the status
      Given a TD guest whose VMM answers TDVMCALL<GetQuote> with INVALID_OPERAND
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report failed with EIO
      And the guest log says the GetQuote hypercall failed with status 0x8000000000000000
