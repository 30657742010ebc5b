@host @module:>=1.5 @src:tdx-rst-host
Feature: kexec on a TDX host
  kexec jumps into a new kernel without a reset, so TDX state left by the old kernel survives it:
  the module stays initialised and caches may hold lines written with TDX KeyIDs. How the kernel
  deals with that changed with each release: at first the two were not allowed together; then
  kexec was allowed except on platforms with the partial-write erratum, and the new kernel could
  not use TDX; since v7.1 the old kernel disables the module first, so the new one can
  initialise it again.

  @req:host.kexec.exclusive @era:kexec=exclusive @src:tdx-c-68 @needs:host.kexec @destructive
  Rule: Up to v6.17 a kernel with TDX host support has no kexec

    Scenario: Loading a kexec image is not implemented
      Given a TDX host
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel fails with ENOSYS

  @req:host.kexec.erratum-refused @era:kexec=erratum-refused @src:ml-kexec-618 @needs:host.kexec @destructive
  Rule: v6.18 to v7.0 refuse kexec on platforms with the partial-write erratum; elsewhere the new kernel cannot use TDX

    @needs:platform.arrange
    Scenario: A Sapphire Rapids host refuses to load a kexec image
      Given a TDX host
      And the CPU is a sapphire-rapids
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel fails with EOPNOTSUPP
      And the kernel log says "Not allowed on platform with tdx_pw_mce bug"

    @needs:platform.arrange
    Scenario: A Granite Rapids host kexecs, and the new kernel cannot initialise TDX
      Given a TDX host
      And the CPU is a granite-rapids
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel succeeds
      And the old kernel did not log "TDH.SYS.DISABLE failed: 0x%016llx"
      And TDX initialisation in the new kernel fails with EIO

  @req:host.kexec.cache-flush @era:kexec=erratum-refused @era:kexec=sys-disable @src:tdx-c-618 @needs:host.kexec @destructive
  Rule: Before the jump, every CPU whose cache SEAMCALLs may have dirtied is flushed

    @needs:platform.arrange
    Scenario: Caches are written back before the new kernel starts
      Given a TDX host
      And the CPU is a granite-rapids
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel succeeds
      And every CPU's cache was flushed before the jump

    # From v7.1 the host code's CPU-offline callback writes the cache back when it lets a CPU go,
    # so a CPU that left before the jump has nothing dirty either.
    @era:init=boot @needs:platform.arrange @needs:host.cpu-hotplug
    Scenario: CPUs taken offline before the jump had their caches written back when they went
      Given a TDX host
      And the CPU is a granite-rapids
      When TDX is initialised
      And every CPU of package 1 but its last goes offline
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel succeeds
      And every CPU's cache was flushed before the jump

  @req:host.kexec.sys-disable @era:kexec=sys-disable @src:ml-kexec @needs:host.kexec @destructive
  Rule: From v7.1 the module is disabled before kexec, so the new kernel can initialise it again

    Scenario: A module with TDH.SYS.DISABLE is initialised again by the new kernel
      Given a TDX host
      And a TDX module that implements TDH.SYS.DISABLE
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel succeeds
      And the old kernel did not log "TDH.SYS.DISABLE failed: 0x%016llx"
      And TDX initialisation in the new kernel succeeds

    # The series dropped the partial-write erratum check from machine_kexec_prepare().
    @needs:platform.arrange
    Scenario: A Sapphire Rapids host, with the partial-write erratum, kexecs too
      Given a TDX host
      And the CPU is a sapphire-rapids
      And a TDX module that implements TDH.SYS.DISABLE
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then loading the new kernel succeeds
      And the kernel log does not say "Not allowed on platform with tdx_pw_mce bug"
      And TDX initialisation in the new kernel succeeds

    # tdx_enable() registers the shutdown hook that disables the module only once initialisation
    # succeeded: after a failure nothing asks for TDH.SYS.DISABLE, so nothing reports its absence.
    Scenario: After a failed initialisation the old kernel does not disable the module
      Given a TDX host
      And a TDX module that does not implement TDH.SYS.DISABLE
      And the TDX module's TDX_FEATURES0 lacks NO_RBP_MOD (bit 18)
      When the kernel initialises TDX
      And the kernel is asked to kexec into a new kernel
      Then initialisation fails with EINVAL
      And loading the new kernel succeeds
      And the old kernel did not log "TDH.SYS.DISABLE failed: 0x%016llx"

    Scenario: A module without TDH.SYS.DISABLE says so, and the new kernel cannot use TDX
      Given a TDX host
      And a TDX module that does not implement TDH.SYS.DISABLE
      When TDX is initialised
      And the kernel is asked to kexec into a new kernel
      Then the old kernel logged "TDH.SYS.DISABLE failed: 0xc000010000000000"
      And TDX initialisation in the new kernel fails with EIO
