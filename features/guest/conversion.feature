@guest @src:tdx-rst-guest @src:guest-c @needs:guest.memory @needs:guest.tdvmcall
Feature: Converting guest memory between private and shared
  All of a TD's memory starts private. When the guest needs to share memory with the VMM (DMA
  buffers, the attestation quote buffer), it converts it, and it converts it back when done.
  Each conversion is announced to the VMM with TDVMCALL<MapGPA>: the range starts at the GPA with
  the shared bit set for a conversion to shared, without it for a conversion to private. The VMM
  may do part of the work and answer RETRY with the GPA to resume from; the guest trusts that
  answer only inside the range it asked for, and gives up after three answers in a row that make
  no progress. Memory that becomes private again must be accepted once more before use: the
  guest accepts it with TDG.MEM.PAGE.ACCEPT, trying large pages first and falling back to 4 KiB
  pages when the VMM mapped it in 4 KiB pages.

  @req:guest.convert.map-gpa @src:guest-shared-c
  Rule: To shared: MapGPA on the GPA with the shared bit; back to private: MapGPA without it, then every page is accepted again

    Scenario: Private to shared
      Given a TD guest
      When the guest converts 2 pages at 0x4000000 to shared
      Then the conversion succeeded
      And the guest asked the VMM with MapGPA for 0x4000000 with the shared bit set and 0x2000 bytes
      And the guest made no TDG.MEM.PAGE.ACCEPT
      And the page at 0x4000000 is no longer accepted private memory

    Scenario: Shared back to private: MapGPA, then TDG.MEM.PAGE.ACCEPT page by page
      Given a TD guest
      When the guest converts 2 pages at 0x4000000 to shared
      And the guest converts 2 pages at 0x4000000 to private
      Then the conversion succeeded
      And the guest asked the VMM with MapGPA for 0x4000000 without the shared bit and 0x2000 bytes
      And the guest accepted 2 pages from 0x4000000 with TDG.MEM.PAGE.ACCEPT at 4 KiB (level 0)
      And the page at 0x4000000 is accepted private memory

    Scenario: A 2 MiB range: a 2 MiB accept first, then 4 KiB pages where the VMM maps 4 KiB only
      Given a TD guest
      When the guest converts 512 pages at 0x4200000 to shared
      And the guest converts 512 pages at 0x4200000 to private
      Then the conversion succeeded
      And the first TDG.MEM.PAGE.ACCEPT asked for a 2-MiB page (level 1) at 0x4200000
      And the guest accepted 512 pages from 0x4200000 with TDG.MEM.PAGE.ACCEPT at 4 KiB (level 0)

  @req:guest.convert.retry
  Rule: On RETRY the guest resumes from the GPA the VMM returns if it lies in the range, and fails after three RETRYs in a row without progress

    Scenario: RETRY half way: the guest resumes where the VMM left off
      Given a TD guest whose VMM answers MapGPA with RETRY (0x1) at 0x1000 into the range, then SUCCESS (0x0)
      When the guest converts 2 pages at 0x4000000 to shared
      Then the conversion succeeded
      And the guest asked the VMM with MapGPA 2 times
      And MapGPA call 2 started at 0x4001000 with the shared bit set

    Scenario: Two RETRYs without progress, then SUCCESS
      Given a TD guest whose VMM answers MapGPA with RETRY (0x1) at 0x0 into the range 2 times, then SUCCESS (0x0)
      When the guest converts 2 pages at 0x4000000 to shared
      Then the conversion succeeded
      And the guest asked the VMM with MapGPA 3 times

    Scenario: Three RETRYs without progress: the conversion fails
      Given a TD guest whose VMM answers MapGPA with RETRY (0x1) at 0x0 into the range 3 times
      When the guest converts 2 pages at 0x4000000 to shared
      Then the conversion failed
      And the guest asked the VMM with MapGPA 3 times
      And the page at 0x4000000 is accepted private memory

    Scenario Outline: A resume GPA <where>: the conversion fails at once
      Given a TD guest whose VMM answers MapGPA with RETRY (0x1) at <offset> into the range 1 time
      When the guest converts 2 pages at 0x4000000 to shared
      Then the conversion failed
      And the guest asked the VMM with MapGPA 1 time

      Examples: The range is [start, start + 0x2000): its end and beyond are outside
        | where                   | offset |
        | at the end of the range | 0x2000 |
        | past the end            | 0x3000 |
