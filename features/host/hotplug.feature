@host @module:>=1.5 @src:tdx-rst-host @src:tdx-c-mid
Feature: Memory and CPU hotplug on a TDX host
  The TDX memory configuration is fixed when the module is initialised: memory that was not part
  of it can never be given to TDs, so the kernel refuses to bring such memory online. Logical CPUs
  may come and go, but the module needs a CPU in every package to manage TD keys, so while any TD
  holds a KeyID the last online CPU of a package may not go offline.

  @req:host.memory.hotplug @src:hb-tdx-c-6161
  Rule: After initialisation, memory outside the TDX memory regions may not come online
    The memory notifier lets a range come online only if it lies wholly inside one TDX memory
    region (is_tdx_memory()): up to its end or from its start is inside, across either is not.

    Scenario: Hot-added memory beyond the TDX memory is refused
      Given a TDX host
      When TDX is initialised
      And memory just above the highest TDX memory region is hot-added
      Then onlining the memory is refused

    Scenario: Memory inside a TDX memory region may come online
      Given a TDX host
      When TDX is initialised
      And memory inside the first TDX memory region above 4 GiB is onlined
      Then onlining the memory is accepted

    Scenario Outline: 128 MiB <where> the end of a TDX memory region: <outcome>
      Given a TDX host
      When TDX is initialised
      And 128 MiB of memory ending <by> MiB past the end of the first TDX memory region above 4 GiB is onlined
      Then onlining the memory is <outcome>

      Examples: Inside up to the end, and across it
        | where                 | by | outcome  |
        | ending exactly at     | 0  | accepted |
        | straddling by 64 MiB  | 64 | refused  |

    Scenario Outline: 128 MiB <where> the start of a TDX memory region: <outcome>
      Given a TDX host
      When TDX is initialised
      And 128 MiB of memory starting <by> MiB before the start of the first TDX memory region above 4 GiB is onlined
      Then onlining the memory is <outcome>

      Examples: Inside from the start, and across it
        | where                  | by | outcome  |
        | starting exactly at    | 0  | accepted |
        | straddling by 64 MiB   | 64 | refused  |

    @era:init=on-demand
    Scenario: Before initialisation any memory may come online
      Given a TDX host
      When the kernel boots
      And memory just above the highest TDX memory region is hot-added
      Then onlining the memory is accepted

    # init_tdx_module() frees the TDX memory list on every failure after building it; an empty
    # list lets any memory online.
    @era:init=on-demand @era:host-wording=merged @src:hb-tdx-c-6161
    Scenario: After a failed initialisation any memory may come online
      Given a TDX host
      And logical CPU 3 is offline when TDX is initialised
      When the kernel initialises TDX
      And memory just above the highest TDX memory region is hot-added
      Then initialisation fails with EIO
      And onlining the memory is accepted

  @req:host.cpu.offline-last-in-package @src:kvm-c @era:kvm-tdx=premerge @era:kvm-tdx=mainline
  Rule: While TDs hold KeyIDs, the last online CPU of a package cannot go offline

    @destructive @needs:host.cpu-hotplug
    Scenario Outline: A TD KeyID in use keeps the last CPU of package 1 online
      Given a TDX host
      When TDX is initialised
      And a TD KeyID is allocated
      And every CPU of package 1 but its last goes offline
      And the last online CPU of package 1 is asked to go offline
      Then the request fails with EBUSY
      And the kernel log says "<message>"

      @era:offline-message=one-space @src:kvm-c
      Examples: As merged
        | message |
        | TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package. |

      @era:offline-message=two-spaces @src:ml-kvm-tdx-premerge
      Examples: The KVM series carried before the merge
        | message |
        | TDX requires all packages to have an online CPU.  Delete all TDs in order to offline all CPUs of a package. |

    # Up to v7.0 the check is KVM's CPU-offline callback, printed with KVM's prefix; from v7.1 the
    # host code's own callback makes it, with the host code's prefix.
    @destructive @needs:host.cpu-hotplug
    Scenario Outline: The refusal is printed by <who>, with its prefix
      Given a TDX host
      When TDX is initialised
      And a TD KeyID is allocated
      And every CPU of package 1 but its last goes offline
      And the last online CPU of package 1 is asked to go offline
      Then the request fails with EBUSY
      And the kernel log has the line "<line>"

      @era:init=on-demand @kernel:>=6.16 @src:kvm-tdx-c-616
      Examples: KVM, v6.16 to v7.0
        | who | line |
        | KVM | kvm_intel: TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package. |

      @era:init=boot @src:tdx-c-new
      Examples: The host code, from v7.1
        | who           | line |
        | the host code | virt/tdx: TDX requires all packages to have an online CPU. Delete all TDs in order to offline all CPUs of a package. |

    @destructive @needs:host.cpu-hotplug
    Scenario: With no TD KeyID in use the whole package may go offline
      Given a TDX host
      When TDX is initialised
      And every CPU of package 1 but its last goes offline
      And the last online CPU of package 1 is asked to go offline
      Then the request succeeds

  @req:host.cpu.offline-online
  Rule: A CPU taken offline after initialisation keeps its TDX state and can run SEAMCALLs again when back

    @destructive @needs:host.cpu-hotplug
    Scenario: Offline and online again
      Given a TDX host
      When TDX is initialised
      And logical CPU 7 goes offline
      And logical CPU 7 comes back online
      Then the request succeeds
      And logical CPU 7 is online with TDX enabled
