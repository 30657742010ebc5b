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
      And the kernel log does not say "tdh_mng_key_freeid() failed. HKID %d is leaked."

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

  @req:kvm.teardown.freeid-failure @needs:platform.arrange @src:kvm-tdx-c-616 @src:mod-err-1501
  Rule: A KeyID the module does not free at teardown (TDH.MNG.KEY.FREEID fails) is leaked: KVM says so and the kernel never hands it out again
    tdx_mmu_release_hkid() prints the failed SEAMCALL and "tdh_mng_key_freeid() failed. HKID %d is
    leaked." and keeps the KeyID instead of giving it back; the TD's pages stay with the module.
    The module fails FREEID when the TD's cache lines were not written back on every package
    (TDX_WBCACHE_NOT_COMPLETE); KVM treats any failure alike.

    Scenario: FREEID fails with TDX_WBCACHE_NOT_COMPLETE: KVM says the KeyID is leaked
      Given the TDX module answers TDH.MNG.KEY.FREEID with TDX_WBCACHE_NOT_COMPLETE (0x8000081700000000)
      And a runnable TD with 1 vCPU
      When the VMM closes the TD
      Then KVM logs "SEAMCALL TDH_MNG_KEY_FREEID failed: 0x8000081700000000"
      And KVM logs "tdh_mng_key_freeid() failed. HKID %d is leaked."

    @needs:host.keyid
    Scenario: The leaked KeyID is not handed out again
      Given the TDX module answers TDH.MNG.KEY.FREEID with TDX_WBCACHE_NOT_COMPLETE (0x8000081700000000)
      And a runnable TD with 1 vCPU
      When the VMM closes the TD
      Then the next TD KeyID the kernel hands out is its second one

    @needs:host.keyid-usage
    Scenario: The leaked KeyID stays counted as in use
      Given the TDX module answers TDH.MNG.KEY.FREEID with TDX_WBCACHE_NOT_COMPLETE (0x8000081700000000)
      And the TD KeyIDs in use are counted
      And a runnable TD with 1 vCPU
      When the VMM closes the TD
      Then 1 more TD KeyID is in use than counted

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
