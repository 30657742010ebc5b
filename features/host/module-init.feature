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
      And the kernel log says "module not loaded"

  @req:host.init.success @module:>=1.5 @src:tdx-c-618 @src:tdx-c-new @src:ml-host-v14
  Rule: Successful initialisation is logged with the PAMT size, in the wording of the kernel's era
    The wording is the kernel's (arch/x86/virt/vmx/tdx/tdx.c): "module initialized" up to v7.0,
    "TDX-Module initialized" from v7.1; the v14 host series said "KBs" where the merged code says "KB".

    Scenario: A healthy host initialises TDX
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds

    Scenario: A healthy host does not log that the module is not loaded
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the kernel log does not say "module not loaded"

    Scenario Outline: A healthy host initialises TDX and says "<done>"
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the kernel log says "<pamt>"
      And the kernel log says "<done>"

      @era:init=on-demand @era:host-wording=merged
      Examples: Kernels up to v7.0 (tdx_enable() on demand)
        | pamt                      | done               |
        | %lu KB allocated for PAMT | module initialized |

      @era:init=on-demand @era:host-wording=v14-series
      Examples: The v14 host series of Intel's 6.6 tree
        | pamt                       | done               |
        | %lu KBs allocated for PAMT | module initialized |

      @era:init=boot
      Examples: From v7.1 (at boot)
        | pamt                      | done                   |
        | %lu KB allocated for PAMT | TDX-Module initialized |

  @req:host.init.on-demand @module:>=1.5 @era:init=on-demand @src:tdx-rst-host-kvmgit
  Rule: Up to v7.0 the module is initialised only when its first user asks, not at boot

    Scenario: After boot alone the module is not initialised
      Given a TDX host
      When the kernel boots
      Then the kernel log does not say "module initialized"
      When the kernel initialises TDX
      Then initialisation succeeds

  @req:host.init.at-boot @era:init=boot @src:ml-vmxon @src:tdx-c-new
  Rule: From v7.1 the module is initialised during boot, before any user asks

    Scenario: Initialisation is attempted before boot ends, whatever the module
      Given a TDX host
      When the kernel boots
      Then the kernel log says "TDX-Module initialized" or "TDX-Module initialization failed (%d)"

    @module:>=1.5
    Scenario: Boot alone initialises the module
      Given a TDX host
      When the kernel boots
      Then the kernel log says "TDX-Module initialized"

  @req:host.init.boot-preconditions @era:init=boot @src:tdx-c-new
  Rule: Boot-time initialisation first checks the CPU features TDX relies on

    Scenario Outline: Without <feature> the kernel refuses with <errno>
      Given a TDX host
      But the CPU lacks <feature>
      When the kernel initialises TDX
      Then initialisation fails with <errno>
      And the kernel log says "<message>"

      Examples:
        | feature    | errno  | message                       |
        | xsave      | EINVAL | XSAVE is required for TDX     |
        | movdir64b  | EINVAL | MOVDIR64B is required for TDX |
        | self_snoop | ENODEV | Self-snoop is required for TDX |

  @req:host.init.all-cpus-online @module:>=1.5 @src:tdx-rst-host-kvmgit @src:mod-sys-leaves
  Rule: Every logical CPU the module counted must be initialised, so all CPUs must be online

    Scenario Outline: One offline CPU makes TDH.SYS.CONFIG fail and initialisation with it: "<failed>"
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel log says "SEAMCALL (0x000000000000002d) failed: 0xc000050c00000000"
      And the kernel log says "<failed>"

      @era:init=on-demand
      Examples: Up to v7.0
        | failed                            |
        | module initialization failed (-5) |

      @era:init=boot @src:tdx-c-new
      Examples: From v7.1
        | failed                                |
        | TDX-Module initialization failed (-5) |

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
      And the kernel log says "SEAMCALL (0x0000000000000022) failed: 0xc000050500000000"

    @era:init=on-demand
    Scenario: Kernels up to v7.0 log the failure with its errno
      Given a TDX host
      When the kernel initialises TDX
      Then the kernel log says "module initialization failed (-5)"

    # The module has no TDH.SYS.RD to change a register: the dump shows what the kernel passed in,
    # the field ID of MAX_TDMRS (the first field a v6.8 kernel reads) in RDX and zeros elsewhere.
    @era:metadata=16bit-only
    Scenario: The dump after the refused read shows the registers as the kernel passed them
      Given a TDX host
      When the kernel initialises TDX
      Then the kernel log says "SEAMCALL (0x0000000000000022) failed: 0xc000050500000000"
      And the lines that follow it say:
        | RCX 0x0000000000000000 RDX 0x9100000100000008 R08 0x0000000000000000 |
        | R09 0x0000000000000000 R10 0x0000000000000000 R11 0x0000000000000000 |

  @req:host.init.seamcall-failure-log @module:>=1.5 @src:seamcall-internal-h
  Rule: A failing SEAMCALL is logged with leaf and status; leaves with outputs also dump RCX..R11

    @era:metadata=16bit-only @era:metadata=any-size
    Scenario: A failed metadata read is followed by the register dump
      Given a TDX host
      And a TDX module that does not implement MAX_TDMRS
      When the kernel initialises TDX
      Then the kernel log says "SEAMCALL (0x0000000000000022) failed: 0xc0000c0000000000"
      And the lines that follow it say:
        | RCX 0x%016llx RDX 0x%016llx R08 0x%016llx |
        | R09 0x%016llx R10 0x%016llx R11 0x%016llx |

    # TDH.SYS.RD of module 1.5 sets RDX to MD_FIELD_ID_NA (all ones) and R8 to 0 before it looks at
    # the field, and writes the next field ID to RDX only on success.
    @era:metadata=16bit-only @era:metadata=any-size @module:<2.0 @src:mod-sys-rd-1501
    Scenario: A module 1.5 that lacks the field leaves no next field ID and no value
      Given a TDX host
      And a TDX module that does not implement MAX_TDMRS
      When the kernel initialises TDX
      Then the kernel log says "SEAMCALL (0x0000000000000022) failed: 0xc0000c0000000000"
      And the lines that follow it say:
        | RCX 0x%016llx RDX 0xffffffffffffffff R08 0x0000000000000000 |

    # get_tdx_sys_info() of v6.16 reads the TD control fields (TDR_BASE_SIZE first) after the TDMR
    # ones, and any failed read ends initialisation.
    @era:init=on-demand @era:kvm-tdx=mainline @src:l6161-tdx-global-metadata-c
    Scenario: A module without TDR_BASE_SIZE, a field kernels with KVM's TDX support read, is not initialised
      Given a TDX host
      And a TDX module that does not implement TDR_BASE_SIZE
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel log says "SEAMCALL (0x0000000000000022) failed: 0xc0000c0000000000"

    Scenario: A failed TDH.SYS.CONFIG, which has no outputs, prints no register dump
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      Then the kernel log says "SEAMCALL (0x000000000000002d) failed: 0xc000050c00000000"
      And the line that follows it does not say "RCX 0x%016llx RDX 0x%016llx R08 0x%016llx"

  @req:host.init.version-printed-first @module:>=1.5 @era:module-info=version @src:ml-ver
  Rule: From v7.1 the module version is logged as soon as it is read, even if initialisation then fails

    Scenario: The version line appears although initialisation fails later
      Given a TDX host
      And the TDX module's TDX_FEATURES0 lacks NO_RBP_MOD (bit 18)
      When the kernel initialises TDX
      Then initialisation fails with EINVAL
      And the kernel log says "Module version: %u.%u.%02u"
      And the kernel log reports the module version of the target as major.minor.update
      And the kernel log says "TDX-Module initialization failed (-22)"

    Scenario: On a host that initialises, the version comes before the PAMT
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the kernel log says "Module version: %u.%u.%02u" before it says "%lu KB allocated for PAMT"

  @req:host.init.module-info @src:capture-canonical-tdx-135 @src:capture-canonical-tdx-ubuntu-6.14
  Rule: Kernels that print module information report the version and build of the loaded module
    A target that knows its module only from that very line cannot check it (see the next Rule).

    @era:module-info=attributes
    Scenario: Pre-merge kernels print attributes, vendor, version and build, then the CMRs
      Given a TDX host
      When the kernel initialises TDX
      Then the kernel log says "TDX module: attributes 0x%x, vendor_id 0x%x, major_version %u, minor_version %u, build_date %u, build_num %u"
      And the module information line reports the target's module version and build
      And the kernel log says "CMR: [0x%llx, 0x%llx)"
      And the kernel log lists the CMRs of the platform

    @era:module-info=build
    Scenario: Ubuntu 6.14 kernels print version, build number and a hex build date
      Given a TDX host
      When the kernel initialises TDX
      Then the kernel log says "TDX module %u.%u.%02u.%02u, build number %u, build date %08x"
      And the module information line reports the target's module version and build

  @req:host.init.module-info-shape @module:>=1.5 @src:capture-canonical-tdx-135 @src:mod-gsys
  Rule: Pre-merge kernels print the module information line, naming the module's vendor (Intel, 0x8086), before the CMRs and the PAMT

    @era:module-info=attributes
    Scenario: Pre-merge kernels name the module's vendor before the CMRs and the PAMT
      Given a TDX host
      When the kernel initialises TDX
      Then initialisation succeeds
      And the module information line names vendor_id 0x8086
      And the module information line comes before the CMR and PAMT lines

  @req:host.init.seamcall-faults @needs:platform.arrange @src:hb-tdx-c-6161 @src:l6161-tdxcall-s @src:l6161-asm-tdx-h @src:tdx-rst-host-kvmgit
  Rule: A SEAMCALL that faults is no module error: without VMXON it raises #UD and the kernel reports EACCES, a #GP becomes EOPNOTSUPP, and neither is printed as a failed SEAMCALL
    The kernel's SEAMCALL wrapper catches the trap and returns a software status, TDX_SW_ERROR
    (bit 63 and bits 47:40) ORed with the trap number (6 for #UD, 13 for #GP); sc_retry_prerr()
    turns those into EACCES and EOPNOTSUPP, where a status from the module is printed and becomes
    EIO. A SEAMCALL needs VMXON on its CPU first: tdx_cpu_enable() relies on its caller for that.

    @needs:host.seamcall
    Scenario Outline: A raw SEAMCALL on CPU 2 <when> completes with <status>
      Given a TDX host
      And the kernel leaves the TDX module untouched
      And <premise>
      When TDH.SYS.INIT is called on CPU 2
      Then the SEAMCALL returns <status>

      Examples:
        | when                      | premise                               | status                               |
        | without VMXON             | logical CPU 2 is not in VMX operation | TDX_SEAMCALL_UD (0x8000ff0000000006) |
        | on a CPU where it faults  | SEAMCALL raises #GP on this platform  | TDX_SEAMCALL_GP (0x8000ff000000000d) |

    @needs:host.kernel-api @era:init=on-demand
    Scenario: tdx_cpu_enable() without VMXON fails with EACCES and prints no failed SEAMCALL
      Given a TDX host
      When the kernel boots
      And a TDX user calls tdx_cpu_enable() on CPU 2 without VMXON
      Then the request fails with EACCES
      And the kernel log does not say "SEAMCALL (0x%016llx) failed: 0x%016llx"

    @needs:host.kernel-api @era:init=on-demand
    Scenario: tdx_cpu_enable() where SEAMCALL raises #GP fails with EOPNOTSUPP and prints no failed SEAMCALL
      Given a TDX host
      And SEAMCALL raises #GP on this platform
      When the kernel boots
      And a TDX user calls tdx_cpu_enable() on CPU 2 after VMXON
      Then the request fails with EOPNOTSUPP
      And the kernel log does not say "SEAMCALL (0x%016llx) failed: 0x%016llx"

    @needs:host.kernel-api @era:init=on-demand
    Scenario: tdx_cpu_enable() after VMXON on a sound platform succeeds
      Given a TDX host
      When the kernel boots
      And a TDX user calls tdx_cpu_enable() on CPU 2 after VMXON
      Then the request succeeds

  @req:host.init.entropy-retry @module:>=1.5 @kernel:>=6.8 @needs:platform.arrange @src:hb-tdx-c-6161 @src:l6161-asm-tdx-h @src:l6161-archrandom-h @src:mod-sys-init-1501
  Rule: A SEAMCALL that finds no entropy (TDX_RND_NO_ENTROPY) is made again, ten times in all, before the kernel gives up
    sc_retry() repeats a call while the module answers TDX_RND_NO_ENTROPY, RDRAND_RETRY_LOOPS (10)
    calls in all; the tenth such answer is the result, an error like any other (printed, EIO).
    The module's TDH.SYS.INIT asks RDRAND for its stack canary before it changes state, so it can
    be asked again.

    Scenario Outline: TDH.SYS.INIT finds no entropy <n> times: initialisation <outcome>
      Given a TDX host
      And the TDX module finds no entropy the first <n> times TDH.SYS.INIT is called
      When the kernel initialises TDX
      Then initialisation <outcome>

      Examples: Below, at and above the ten calls sc_retry() makes
        | n  | outcome           |
        | 9  | succeeds          |
        | 10 | fails with EIO    |
        | 11 | fails with EIO    |

    Scenario: The tenth answer without entropy is printed as the failed SEAMCALL
      Given a TDX host
      And the TDX module finds no entropy the first 10 times TDH.SYS.INIT is called
      When the kernel initialises TDX
      Then the kernel log says "SEAMCALL (0x0000000000000021) failed: 0x8000020300000000"

  @req:host.init.pamt-reset @module:>=1.5 @needs:platform.arrange @needs:host.kernel-api @src:hb-tdx-c-6161 @src:tdx-c-new @src:mod-key-config-1501 @src:mod-helpers-1501
  Rule: When initialisation fails after the module took the PAMTs, the kernel writes back every cache and clears the PAMTs with MOVDIR64B before freeing them (on erratum platforms always; v6.16.1 on every platform)
    Past TDH.SYS.CONFIG the module may have written the PAMTs with its global KeyID; a failure of
    TDH.SYS.KEY.CONFIG (its key generation finds no entropy: TDX_KEY_GENERATION_FAILED) or of
    TDH.SYS.TDMR.INIT takes init_tdx_module() to err_reset_pamts: WBINVD on every CPU, then 64-byte
    MOVDIR64B writes over every PAMT. v6.16.1 does that on every platform ("as suggested by the TDX
    spec"); the 2026 code only where the partial-write erratum makes a later partial write poison
    the line. A failure of TDH.SYS.CONFIG itself frees the PAMTs as they are.

    Scenario: Key configuration fails on a Sapphire Rapids host: caches written back, PAMTs cleared, then freed
      Given a TDX host
      And the CPU is a sapphire-rapids
      And the TDX module finds no entropy the first 1 time TDH.SYS.KEY.CONFIG is called
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel log says "SEAMCALL (0x000000000000001f) failed: 0x8000080000000000"
      And the line that follows it does not say "RCX 0x%016llx RDX 0x%016llx R08 0x%016llx"
      And the kernel log does not say "SEAMCALL (0x0000000000000024) failed: 0x%016llx"
      And the kernel wrote back every CPU's cache, then cleared every PAMT with MOVDIR64B before freeing it

    Scenario: TDMR initialisation fails on a Sapphire Rapids host: caches written back, PAMTs cleared, then freed
      Given a TDX host
      And the CPU is a sapphire-rapids
      And the TDX module answers TDH.SYS.TDMR.INIT with TDX_OPERAND_BUSY (0x8000020000000001)
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel log says "SEAMCALL (0x0000000000000024) failed: 0x8000020000000001"
      And the lines that follow it say:
        | RCX 0x%016llx RDX 0x%016llx R08 0x%016llx |
        | R09 0x%016llx R10 0x%016llx R11 0x%016llx |
      And the kernel wrote back every CPU's cache, then cleared every PAMT with MOVDIR64B before freeing it

    Scenario Outline: Key configuration fails on a Granite Rapids host, which has no erratum (<which>)
      Given a TDX host
      And the CPU is a granite-rapids
      And the TDX module finds no entropy the first 1 time TDH.SYS.KEY.CONFIG is called
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel <done>

      @era:pamt-reset=always
      Examples: v6.16.1 clears them on every platform
        | which          | done                                                                                   |
        | cleared anyway | wrote back every CPU's cache, then cleared every PAMT with MOVDIR64B before freeing it |

      @era:pamt-reset=erratum-only
      Examples: The 2026 code only on erratum platforms
        | which       | done                                  |
        | not cleared | freed the PAMTs without clearing them |

    Scenario: TDH.SYS.CONFIG itself fails: the PAMTs are freed as they are
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      Then initialisation fails with EIO
      And the kernel freed the PAMTs without clearing them
      And the kernel did not write back the caches before freeing them
