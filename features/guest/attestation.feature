@guest @src:tdx-rst-guest @src:tdxg-drv @src:tdxg-uapi @src:guest-tdxg-drv-6867
Feature: TDREPORT and quotes from inside a TD
  A TD proves what it is with a TDREPORT: a structure the TDX module fills with the TD's
  measurements and configuration and 64 bytes chosen by the caller (REPORTDATA, typically a
  nonce), protected by a MAC only the platform can check. User space asks for one through the
  tdx_guest driver: the ioctl TDX_CMD_GET_REPORT0 on /dev/tdx_guest takes the REPORTDATA and
  returns the 1024-byte TDREPORT. For a quote that a remote party can verify, the driver is also
  a configfs-tsm report provider: it turns a 64-byte inblob into a TDREPORT and has the VMM turn
  that into a quote (TDVMCALL<GetQuote> on a buffer shared with the VMM). From v6.16 the driver
  also shows the measurement registers in sysfs. How the driver reports a module that refuses the
  request, and how it prefixes its messages, changed over time.

  Everything here can be asked of a real TD without changing it, except what a non-conforming
  kernel could turn into a lasting change: generating a quote (without a quote service on the
  host it leaves later requests refused), an inblob of the wrong size, and a write to an RTMR,
  which a conforming kernel refuses when it is short. Those scenarios are @destructive.

  @req:guest.report.tdreport @needs:guest.report @src:guest-mod15-api-defs
  Rule: TDX_CMD_GET_REPORT0 takes 64 bytes of REPORTDATA and returns the 1024-byte TDREPORT of type TDX (0x81), which carries them, the TD's attributes and its measurements, the same in every report

    Scenario: The TDREPORT carries the caller's REPORTDATA
      Given a TD guest
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x5a
      Then the ioctl succeeded
      And the TDREPORT is 1024 bytes long
      And the TDREPORT carries the REPORTDATA at offset 128
      And the TDREPORT's report type is 0x81

    Scenario: Two TDREPORTs carry the same measurements and each its own REPORTDATA
      Given a TD guest
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x01
      And a process asks /dev/tdx_guest for another TDREPORT with REPORTDATA of 64 bytes 0x02
      Then both TDREPORTs carry the same 384 bytes at offset 0x210 (MRTD, MRCONFIGID, MROWNER, MROWNERCONFIG, RTMR0 to RTMR3)
      And the TDREPORT carries the REPORTDATA at offset 128

    @needs:guest.describe @src:mod-api
    Scenario: TDINFO in the TDREPORT starts with the TD's attributes
      Given a TD guest
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x01
      Then the ioctl succeeded
      And the TDREPORT carries the TD's attributes in the 8 bytes at offset 0x200

  @req:guest.report.ioctl-errors @needs:guest.report
  Rule: Any other command on /dev/tdx_guest fails with ENOTTY, including the right type and number encoded with another structure size; a request the driver cannot read fails with EFAULT

    Scenario Outline: ioctl <cmd> (<what>) fails with ENOTTY
      Given a TD guest
      When a process issues ioctl <cmd> on /dev/tdx_guest
      Then the ioctl failed with ENOTTY

      Examples:
        | cmd        | what                                  |
        | 0xc4405402 | _IOWR('T', 2) of the same size        |
        | 0xc2405401 | _IOWR('T', 1) of a 576-byte structure |
        | 0x84405401 | _IOW('T', 1) of the right size        |
        | 0x5401     | _IO('T', 1), no argument              |

    Scenario: TDX_CMD_GET_REPORT0 with an argument that points to no memory fails with EFAULT
      Given a TD guest
      When a process issues TDX_CMD_GET_REPORT0 on /dev/tdx_guest with an argument that points to no memory
      Then the ioctl failed with EFAULT

  @req:guest.report.errno-era @needs:guest.report @src:guest-ml-report-ebusy @src:guest-c-v63
  Rule: When the module refuses TDG.MR.REPORT, the errno depends on the kernel: an invalid operand is EINVAL, and ENXIO from v6.16; a busy operand is EIO, and EBUSY from v6.16

    @era:guest-report-errno=einval
    Scenario Outline: Before v6.16: <status> gives <errno>
      Given a TD guest whose TDX module answers TDG.MR.REPORT with <status>
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x00
      Then the ioctl failed with <errno>

      Examples:
        | status              | errno  |
        | TDX_OPERAND_INVALID (0xc000010000000000) | EINVAL |
        | TDX_OPERAND_BUSY (0x8000020000000000)    | EIO    |
        | TDX_SYS_BUSY (0x8000020200000000)        | EIO    |

    @era:guest-report-errno=enxio
    Scenario Outline: From v6.16: <status> gives <errno>
      Given a TD guest whose TDX module answers TDG.MR.REPORT with <status>
      When a process asks /dev/tdx_guest for a TDREPORT with REPORTDATA of 64 bytes 0x00
      Then the ioctl failed with <errno>

      Examples:
        | status              | errno |
        | TDX_OPERAND_INVALID (0xc000010000000000) | ENXIO |
        | TDX_OPERAND_BUSY (0x8000020000000000)    | EBUSY |
        | TDX_SYS_BUSY (0x8000020200000000)        | EIO   |

  @req:guest.report.measurements @era:guest-driver=measurements @needs:guest.report @src:guest-ml-tdxg-mr-616
  Rule: From v6.16 the tdx_guest driver shows the TD's measurement registers in sysfs, 48 bytes each and equal to the TDREPORT's; a write to an RTMR of other than 48 bytes is refused with EINVAL before anything is extended

    Scenario Outline: <file> in sysfs holds the 48 bytes at offset <offset> of the TDREPORT
      Given a TD guest
      When a process reads the measurement registers in sysfs
      Then the measurement register <file> is the 48 bytes at offset <offset> of a TDREPORT of the TD

      Examples:
        | file          | offset |
        | mrtd:sha384   | 0x210  |
        | mrconfigid    | 0x240  |
        | mrowner       | 0x270  |
        | mrownerconfig | 0x2a0  |
        | rtmr0:sha384  | 0x2d0  |
        | rtmr1:sha384  | 0x300  |
        | rtmr2:sha384  | 0x330  |
        | rtmr3:sha384  | 0x360  |

    @destructive
    Scenario: A 47-byte write to rtmr2:sha384 is refused, and RTMR2 is unchanged
      Given a TD guest
      When a process writes 47 bytes to the measurement register rtmr2:sha384
      Then the write failed with EINVAL
      And the 48 bytes at offset 0x330 of a TDREPORT of the TD are what they were before the write

  @req:guest.tsm.report @needs:guest.tsm @src:capture-configfs-tsm @src:guest-ml-tdxg-mr-616
  Rule: The tdx_guest provider turns a 64-byte inblob into a quote through TDVMCALL<GetQuote> on a shared buffer; any other inblob length is refused with EINVAL before anything is asked; a failing GetQuote is EIO and logged, with the "tdx_guest: " prefix from v6.16

    Scenario: A report item names the tdx_guest provider
      Given a TD guest
      When a process creates a configfs-tsm report item
      Then the report item's provider is "tdx_guest"

    Scenario: A report item counts the writes to it
      Given a TD guest
      When a process creates a configfs-tsm report item and writes a 64-byte inblob to it
      Then the report item's generation was 0 before the write and 1 after it

    @destructive
    Scenario: A 64-byte inblob gives a quote
      Given a TD guest
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report provider is "tdx_guest"
      And the report succeeded with a non-empty outblob

    @needs:guest.tdvmcall
    Scenario: The quote comes from the VMM through a shared buffer
      Given a TD guest
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the guest asked the VMM with TDVMCALL<GetQuote> (leaf 0x10002) on a shared buffer

    @needs:guest.tdvmcall @src:l6161-tdx-guest-c
    Scenario: The request is an 8 KiB shared buffer with a version-1 header, status 0, in_len 1024 and the TDREPORT
      Given a TD guest
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the guest asked the VMM with TDVMCALL<GetQuote> (leaf 0x10002) and R13 = 0x2000
      And the VMM found a quote request of version 1, status 0x0, in_len 1024 and out_len 0

    @destructive
    Scenario Outline: An inblob of <n> bytes is refused with EINVAL
      Given a TD guest
      When a process requests a configfs-tsm report with a <n>-byte inblob
      Then the report failed with EINVAL

      Examples:
        | n  |
        | 0  |
        | 32 |
        | 63 |

    @needs:guest.tdvmcall
    Scenario: A short inblob is refused without asking the VMM
      Given a TD guest
      When a process requests a configfs-tsm report with a 32-byte inblob
      Then the guest did not ask the VMM for a quote (TDVMCALL leaf 0x10002)

    @needs:guest.tdvmcall @needs:guest.log @era:guest-driver=report
    Scenario: Before v6.16, the VMM fails GetQuote: EIO, and the kernel logs the status
      Given a TD guest whose VMM answers TDVMCALL<GetQuote> with INVALID_OPERAND (0x8000000000000000)
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report failed with EIO
      And the guest log has the line "GetQuote hypercall failed, status:8000000000000000"

    @needs:guest.tdvmcall @needs:guest.log @era:guest-driver=measurements
    Scenario: From v6.16, the VMM fails GetQuote: EIO, and the kernel logs the status with the driver's prefix
      Given a TD guest whose VMM answers TDVMCALL<GetQuote> with INVALID_OPERAND (0x8000000000000000)
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report failed with EIO
      And the guest log has the line "tdx_guest: GetQuote hypercall failed, status:8000000000000000"

  @req:guest.tsm.quote-wait @needs:guest.tsm @kernel:>=6.16 @kernel:<6.17 @src:l6161-tdx-guest-c
  Rule: The provider waits for the VMM a second at a time, 30 times; a request still in flight makes the next one fail with EBUSY (v6.16.1 as written)
    The VMM marks the quote buffer GET_QUOTE_IN_FLIGHT (0xffffffffffffffff) until it has written
    the quote; the driver polls once a second while the buffer is in flight and its count is below
    getquote_timeout (30), and reports -ETIMEDOUT ("GetQuote request timedout") when the count is
    exactly 30. As written in v6.16.1 (and not as its comment says), a quote finished during the
    30th second is reported as timed out, and one never finished ends the wait with a count of 31:
    the read succeeds with the empty data the buffer holds, and the buffer, still in flight, turns
    the next request away with EBUSY. Later kernels were not read.

    Scenario Outline: A VMM that takes <n> seconds: the report <outcome>
      Given a TD guest whose VMM completes a quote <n> seconds after the request
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report <outcome>

      Examples: Below, at and above the 30 seconds
        | n  | outcome                              |
        | 29 | succeeded with a non-empty outblob   |
        | 30 | failed with ETIMEDOUT                |

    @needs:guest.log
    Scenario: A quote done in the 30th second is reported as timed out
      Given a TD guest whose VMM completes a quote 30 seconds after the request
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the guest log has the line "tdx_guest: GetQuote request timedout"

    Scenario: A quote the VMM never finishes: the read succeeds empty, and the next request is busy
      Given a TD guest whose VMM never completes a quote
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report succeeded with an empty outblob
      When a process requests a configfs-tsm report with a 64-byte inblob
      Then the report failed with EBUSY
