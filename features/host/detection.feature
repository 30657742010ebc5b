@host @src:tdx-c-mid
Feature: Boot-time detection of a TDX host
  At boot the kernel learns from the BIOS how many memory-encryption KeyIDs exist and how many of
  them are reserved for TDX, by reading the KeyID partitioning MSR (0x87): the low 32 bits count
  MKTME KeyIDs, the high 32 bits TDX private KeyIDs, which follow the MKTME ones. One TDX KeyID is
  kept for the module itself (the global KeyID), so a usable TDX host needs at least two. When
  everything is in place the kernel marks the platform as a TDX host (cpuinfo flag
  tdx_host_platform); otherwise TDX stays off and the machine keeps working.

  @req:host.detect.keyid-range @src:tdx-rst-host
  Rule: The private KeyID range starts right after the MKTME KeyIDs and is logged at boot

    Scenario Outline: <mktme> MKTME and <tdx> TDX KeyIDs give the range [<start>, <end>)
      Given a TDX host whose BIOS announces <mktme> MKTME KeyIDs and <tdx> TDX KeyIDs
      When the kernel boots
      Then the kernel log says "BIOS enabled: private KeyID range [<start>, <end>)"

      Examples: KeyID splits seen on real hosts
        | mktme | tdx | start | end |
        | 31    | 32  | 32    | 64  |
        | 63    | 64  | 64    | 128 |
        | 0     | 63  | 1     | 64  |

    Scenario: The logged range follows from the partitioning MSR of the running machine
      Given a TDX host
      When the kernel boots
      Then the KeyID range in the kernel log matches the KeyID partitioning MSR

  @req:host.detect.no-keyids
  Rule: A platform whose BIOS reserves no TDX KeyIDs is not a TDX host, silently

    Scenario: No TDX KeyIDs: no KeyID line and no tdx_host_platform flag
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel boots
      Then the kernel log does not say "BIOS enabled: private KeyID range [%u, %u)"
      And the CPU flags lack tdx_host_platform

    Scenario: Without TDX KeyIDs, initialisation is refused with ENODEV
      Given a platform whose BIOS announces no TDX KeyIDs
      When the kernel initialises TDX
      Then initialisation fails with ENODEV

  @req:host.detect.too-few-keyids @src:hb-tdx-c-6161
  Rule: One TDX KeyID is not enough: it would leave none for TDs; two are the fewest a TDX host has
    tdx_init() refuses fewer than two TDX KeyIDs (one is the module's global KeyID), from v6.8 to
    7.1: below the limit TDX stays off with a message, at it the platform is a TDX host.

    Scenario: A single TDX KeyID is reported and TDX stays off
      Given a TDX host whose BIOS announces 31 MKTME KeyIDs and 1 TDX KeyIDs
      When the kernel boots
      Then the kernel log says "BIOS enabled: private KeyID range [32, 33)"
      And the kernel log says "initialization failed: too few private KeyIDs available."
      And the CPU flags lack tdx_host_platform

    Scenario: Two TDX KeyIDs, the fewest allowed, make a TDX host
      Given a TDX host whose BIOS announces 31 MKTME KeyIDs and 2 TDX KeyIDs
      And the kernel command line disables hibernation
      When the kernel boots
      Then the kernel log does not say "initialization failed: too few private KeyIDs available."
      And the CPU flags include tdx_host_platform

  @req:host.detect.platform-flag
  Rule: A host that passes detection is marked with the tdx_host_platform CPU flag

    Scenario: Two or more TDX KeyIDs and no hibernation mark the platform
      Given a TDX host
      And the kernel command line disables hibernation
      When the kernel boots
      Then the CPU flags include tdx_host_platform

  @req:host.detect.hibernation @src:tdx-rst-host
  Rule: TDX and hibernation exclude each other; with hibernation available TDX stays off

    Scenario Outline: Hibernation available: initialisation refused at boot, saying "<message>"
      Given a TDX host with hibernation available
      When the kernel boots
      Then the kernel log says "<message>"
      And the CPU flags lack tdx_host_platform

      @era:host-wording=merged @src:hb-tdx-c-6161
      Examples: As merged (v6.8 on)
        | message                                                 |
        | initialization failed: Hibernation support is enabled |

      @era:host-wording=v14-series @src:ml-host-v14
      Examples: The v14 host series
        | message |
        | initialization failed: Disable TDX due to hibernation is available. Use 'nohibernate' command line to disable hibernation. |

  @req:host.keyid.td-capacity @module:>=1.5 @era:kvm-tdx=mainline @needs:host.keyid-usage @src:hb-tdx-c-6161 @src:kvm-tdx-c-616
  Rule: The kernel offers TDs every private KeyID but the global one (the misc cgroup's "tdx" capacity)

    Scenario: One KeyID fewer than the private KeyID range in the kernel log
      Given a TDX host
      When TDX is initialised
      Then the kernel offers TDs one KeyID fewer than the private KeyID range in the kernel log holds

  @req:host.keyid.guest-range @module:>=1.5 @era:kvm-tdx=premerge @era:kvm-tdx=mainline @needs:host.keyid @src:hb-tdx-c-6161
  Rule: The first TDX KeyID is the module's global KeyID; TDs get the others, lowest first

    Scenario: TD KeyIDs start one above the global KeyID and run out after the last
      Given a TDX host whose BIOS announces 31 MKTME KeyIDs and 4 TDX KeyIDs
      When TDX is initialised
      And TD KeyIDs are allocated until none is left
      Then the TD KeyIDs handed out were 33, 34 and 35
      And the last allocation failed with ENOSPC
