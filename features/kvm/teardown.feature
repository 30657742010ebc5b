@kvm @era:kvm-tdx=mainline @needs:kvm.ioctl @src:kvm-tdx-c-616 @src:kvm-x86-c-616
Feature: Tearing a TD down
  When user space closes a TD, KVM takes the TD's vCPUs off the CPUs they last ran on, tells the
  module they are done (TDH.MNG.VPFLUSHDONE), writes back the caches of the TD's KeyID with
  TDH.PHYMEM.CACHE.WB on one CPU of every package, frees the KeyID in the module
  (TDH.MNG.KEY.FREEID) and gives it back to the kernel. Only then are the TD's pages reclaimed
  from the module, the TDR last. While a TD holds its KeyID the kernel keeps an online CPU in
  every package, since freeing the KeyID needs one there.

  Background:
    Given a TDX host
    And KVM brought TDX up (kvm_intel.tdx=1)

  @req:kvm.teardown.order @needs:kvm.seamcall-trace
  Rule: TDH.VP.FLUSH for every initialised vCPU, VPFLUSHDONE, then TDH.PHYMEM.CACHE.WB once on one CPU of every package, then KEY.FREEID, then page reclaim ending with the TDR

    Scenario: Closing a TD that ran
      Given a runnable TD with 2 vCPUs
      And vCPU 0 has run
      When the VMM closes the TD
      Then KVM issued TDH.VP.FLUSH 2 times
      And KVM issued TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB and TDH.MNG.KEY.FREEID in that order
      And TDH.PHYMEM.CACHE.WB ran once on one CPU of each package
      And every TDH.PHYMEM.PAGE.RECLAIM came after TDH.MNG.KEY.FREEID
      And the teardown ended with TDH.PHYMEM.PAGE.RECLAIM then TDH.PHYMEM.PAGE.WBINVD
      And every SEAMCALL KVM issued succeeded
      And KVM did not log that a TD KeyID is leaked

  @req:kvm.teardown.keyid
  Rule: Once the TD is closed its KeyID is back in the kernel's pool

    @needs:host.keyid-usage
    Scenario: The count of TD KeyIDs in use goes back when the TD is closed
      Given the TD KeyIDs in use are counted
      And a runnable TD with 1 vCPU
      When the VMM closes the TD
      Then 0 more TD KeyIDs are in use than counted

    @needs:host.keyid
    Scenario: The KeyID of a closed TD
      Given a runnable TD with 1 vCPU
      When the VMM closes the TD
      Then the next TD KeyID the kernel hands out is its first one

  @req:kvm.td.keyid-blocks-offline @needs:host.cpu-hotplug @destructive
  Rule: While a TD holds a KeyID the last online CPU of a package cannot go offline; once the TD is closed it can

    Scenario Outline: A live TD keeps the last CPU of package 1 online
      Given a runnable TD with 1 vCPU
      When every CPU of package 1 but its last goes offline
      And the last online CPU of package 1 is asked to go offline
      Then the request fails with EBUSY
      And the kernel log says "<message>"

      @era:offline-message=one-space @src:kvm-c
      Examples: As merged
        | message |
        | TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package. |


    Scenario: After the TD is closed
      Given a runnable TD with 1 vCPU
      When the VMM closes the TD
      And every CPU of package 1 but its last goes offline
      And the last online CPU of package 1 is asked to go offline
      Then the request succeeds
