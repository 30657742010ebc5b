@host @src:tdx-c-mid
Feature: Initialisation of the TDX module
  The kernel talks to the module with SEAMCALL. It first initialises the module globally
  (TDH.SYS.INIT) and each logical CPU (TDH.SYS.LP.INIT), reads the module's global metadata, builds
  the TDX memory regions (TDMRs) and their metadata (PAMTs), hands them to the module
  (TDH.SYS.CONFIG), programs the module's global KeyID on every package (TDH.SYS.KEY.CONFIG) and
  initialises the TDMRs (TDH.SYS.TDMR.INIT). Until v7.0 this happens when the first user (KVM)
  asks for it; from v7.1 it happens at boot. The outcome is logged either way.

  @req:host.init.module-not-loaded @src:tdx-rst-host
  Rule: A platform whose BIOS loaded no module says so and refuses TDX with ENODEV
    A real machine shows that no module was loaded only through the very line this Rule checks,
    so the scenario needs a platform whose state is known apart from the log (the emulator's).

    @needs:platform.arrange
    Scenario: The first SEAMCALL fails with VMfailInvalid
      Given a TDX host whose BIOS loaded no TDX module
      When the kernel initialises TDX
      Then initialisation fails with ENODEV
      And the kernel log says the module is not loaded

  @req:host.init.success @module:>=1.5
  Rule: Successful initialisation is logged with the PAMT size, in the wording of the kernel's era

    Scenario: A healthy host initialises TDX
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the kernel log says how many KB the PAMT takes
      And the kernel log says the module is initialised

    @era:init=on-demand
    Scenario: Kernels up to v7.0 say "module initialized"
      Given a TDX host
      When the kernel initialises TDX
      Then the kernel log contains the line "module initialized"

    @era:init=boot
    Scenario: Kernels from v7.1 say "TDX-Module initialized"
      Given a TDX host
      When the kernel initialises TDX
      Then the kernel log contains the line "TDX-Module initialized"

  @req:host.init.on-demand @module:>=1.5 @era:init=on-demand @src:tdx-rst-host-kvmgit
  Rule: Up to v7.0 the module is initialised only when its first user asks, not at boot

    Scenario: After boot alone the module is not initialised
      Given a TDX host
      When the kernel boots
      Then the kernel log does not say the module is initialised
      When the kernel initialises TDX
      Then initialisation succeeds

  @req:host.init.at-boot @era:init=boot @src:ml-vmxon @src:tdx-c-new
  Rule: From v7.1 the module is initialised during boot, before any user asks

    Scenario: Initialisation is attempted before boot ends, whatever the module
      Given a TDX host
      When the kernel boots
      Then the kernel log says how initialising the module ended

    @module:>=1.5
    Scenario: Boot alone initialises the module
      Given a TDX host
      When the kernel boots
      Then the kernel log says the module is initialised

  @req:host.init.boot-preconditions @era:init=boot @src:tdx-c-new
  Rule: Boot-time initialisation first checks the CPU features TDX relies on

    Scenario Outline: Without <feature> the kernel refuses with <errno>
      Given a TDX host
      But the CPU lacks <feature>
      When the kernel initialises TDX
      Then initialisation fails with <errno>
      And the kernel log says <message>

      Examples:
        | feature    | errno  | message                      |
        | xsave      | EINVAL | XSAVE is required            |
        | movdir64b  | EINVAL | MOVDIR64B is required        |
        | self_snoop | ENODEV | self-snoop is required       |

  @req:host.init.all-cpus-online @module:>=1.5 @src:tdx-rst-host-kvmgit @src:mod-sys-leaves
  Rule: Every logical CPU the module counted must be initialised, so all CPUs must be online

    Scenario: One offline CPU makes TDH.SYS.CONFIG fail and initialisation with it
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel log says TDH.SYS.CONFIG failed with TDX_SYS_CONFIG_NOT_PENDING

  @req:host.init.error-is-final @module:>=1.5 @era:init=on-demand @src:tdx-c-618
  Rule: After a failed initialisation the kernel does not try again; later requests get EINVAL

    Scenario: A second request after a failure
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      Then initialisation fails with EIO
      When TDX initialisation is requested again
      Then initialisation fails with EINVAL

  @req:host.init.module-1.0-without-sys-rd @module:=1.0 @era:metadata=16bit-only @era:metadata=any-size @src:capture-canonical-tdx-331 @src:mod-1.0
  Rule: A TDX 1.0 module has no TDH.SYS.RD, so kernels that read metadata with it cannot use it

    Scenario: TDH.SYS.RD is refused as not ready and initialisation fails with EIO
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel log says TDH.SYS.RD failed with TDX_SYS_NOT_READY
      And the kernel log says initialisation failed with EIO

  @req:host.init.seamcall-failure-log @module:>=1.5 @src:seamcall-internal-h
  Rule: A failing SEAMCALL is logged with leaf and status; leaves with outputs also dump RCX..R11

    @era:metadata=16bit-only @era:metadata=any-size
    Scenario: A failed metadata read is followed by the register dump
      Given a TDX host
      And a TDX module that does not implement MAX_TDMRS
      When the kernel initialises TDX
      Then the kernel log shows SEAMCALL 0x22 failing with status 0xc0000c0000000000
      And the failure line is followed by the RCX..R11 register dump

    Scenario: A failed TDH.SYS.CONFIG, which has no outputs, prints no register dump
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      Then the kernel log shows SEAMCALL 0x2d failing with status 0xc000050c00000000
      And the failure line is not followed by a register dump

  @req:host.init.version-printed-first @module:>=1.5 @era:module-info=version @src:ml-ver
  Rule: From v7.1 the module version is logged as soon as it is read, even if initialisation then fails

    Scenario: The version line appears although initialisation fails later
      Given a TDX host
      And a TDX module without the NO_RBP_MOD feature
      When the kernel initialises TDX
      Then initialisation fails with EINVAL
      And the kernel log reports the module version of the target as major.minor.update

    Scenario: On a host that initialises, the version comes before the PAMT
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the module version line comes before the PAMT line

  @req:host.init.module-info @src:capture-canonical-tdx-135 @src:capture-canonical-tdx-ubuntu-6.14
  Rule: Kernels that print module information report the version and build of the loaded module
    A target that knows its module only from that very line cannot check it (see the next Rule).

    @era:module-info=attributes
    Scenario: Pre-merge kernels print attributes, vendor, version and build, then the CMRs
      Given a TDX host
      When the kernel initialises TDX
      Then the module information line reports the target's module version and build
      And the kernel log lists the CMRs of the platform

    @era:module-info=build
    Scenario: Ubuntu 6.14 kernels print version, build number and a hex build date
      Given a TDX host
      When the kernel initialises TDX
      Then the module information line reports the target's module version and build

  @req:host.init.module-info-shape @module:>=1.5 @src:capture-canonical-tdx-135 @src:mod-gsys
  Rule: Pre-merge kernels print the module information line, naming the module's vendor (Intel, 0x8086), before the CMRs and the PAMT

    @era:module-info=attributes
    Scenario: Pre-merge kernels name the module's vendor before the CMRs and the PAMT
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the module information line names vendor_id 0x8086
      And the module information line comes before the CMR and PAMT lines

