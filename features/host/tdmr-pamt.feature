@host @module:>=1.5 @src:tdx-c-mid
Feature: TDX memory regions (TDMRs) and their metadata (PAMTs)
  The kernel hands the module a list of TDMRs that together cover all memory it will ever give to
  TDs. It keeps the construction simple: a TDMR for each memory region the previous TDMR does not
  already cover, widened to 1 GiB boundaries, with the holes between regions and the PAMTs marked
  as reserved areas. Each TDMR needs a PAMT with one 16-byte entry per 4 KiB, 2 MiB and 1 GiB page,
  each part rounded up to 4 KiB: about 1/256 of the memory it covers.

  Background:
    Given a TDX host

  @req:host.tdmr.cover-memory @needs:host.tdmr
  Rule: TDMRs are 1 GiB aligned, do not overlap, and cover every byte of TDX memory

    Scenario: The TDMRs of this platform
      When TDX is initialised
      Then every TDMR starts and ends on a 1 GiB boundary
      And the TDMRs are in ascending order and do not overlap
      And every TDX memory region is covered by consecutive TDMRs

  @req:host.tdmr.one-per-region @needs:host.tdmr @needs:platform.arrange @src:hb-tdx-c-6161
  Rule: A memory region the previous TDMR does not cover starts a new TDMR; nothing else splits them, not even NUMA nodes
    The kernel builds TDMRs from the memory regions alone (fill_out_tdmrs()), from v6.8 to 7.1.
    Regions of different nodes are separate only because memblock keeps them apart, and the node
    matters only for where a PAMT goes. A region inside the previous TDMR adds none; one that
    starts inside it continues in a new TDMR from that TDMR's end, so where two nodes meet off a
    1 GiB boundary the second node's first part lies in the first node's TDMR.

    Scenario: Two nodes meeting at a 1 GiB boundary get two TDMRs
      Given the memory map:
        | base        | end          | node |
        | 0x100000    | 0x80000000   | 0    |
        | 0x100000000 | 0x1000000000 | 0    |
        | 0x1000000000| 0x2000000000 | 1    |
      When TDX is initialised
      Then there are 3 TDMRs
      And TDMR 2 covers [0x1000000000, 0x2000000000)

    Scenario: A region inside a TDMR that already covers it adds no TDMR
      Given the memory map:
        | base        | end         | node |
        | 0x100000    | 0x20000000  | 0    |
        | 0x30000000  | 0x3f000000  | 0    |
        | 0x100000000 | 0x200000000 | 0    |
      When TDX is initialised
      Then there are 2 TDMRs
      And TDMR 0 covers [0x0, 0x40000000)

    Scenario: Two nodes meeting off a 1 GiB boundary share the GiB where they meet
      Given the memory map:
        | base         | end          | node |
        | 0x100000000  | 0x107e000000 | 0    |
        | 0x107e000000 | 0x2000000000 | 1    |
      When TDX is initialised
      Then there are 2 TDMRs
      And TDMR 0 covers [0x100000000, 0x1080000000)
      And TDMR 1 covers [0x1080000000, 0x2000000000)

  @req:host.pamt.node @needs:host.tdmr @needs:platform.arrange @src:hb-tdx-c-6161
  Rule: A TDMR's PAMT is allocated on the NUMA node of the first TDX memory region that ends above the TDMR's start
    tdmr_get_nid() walks the TDX memory regions in address order and takes the node of the first
    one whose end lies above the TDMR's base, whatever share of the TDMR the other nodes hold; the
    PAMT is allocated from that node. A region that ends exactly at the base is not it. (Its
    fallback to node 0, with a warning, cannot be reached: every TDMR is built from a memory region
    that ends above its base, so no scenario can show it.)

    Scenario: Two nodes meeting off a 1 GiB boundary: the GiB they share goes with node 0
      Given the memory map:
        | base         | end          | node |
        | 0x100000000  | 0x107e000000 | 0    |
        | 0x107e000000 | 0x2000000000 | 1    |
      When TDX is initialised
      Then the PAMT of TDMR 0 lies in the memory of node 0
      And the PAMT of TDMR 1 lies in the memory of node 1

    Scenario: Node 0 ending exactly where TDMR 2 starts does not give it the PAMT
      Given the memory map:
        | base         | end          | node |
        | 0x100000     | 0x80000000   | 0    |
        | 0x100000000  | 0x1000000000 | 0    |
        | 0x1000000000 | 0x2000000000 | 1    |
      When TDX is initialised
      Then the PAMT of TDMR 1 lies in the memory of node 0
      And the PAMT of TDMR 2 lies in the memory of node 1

  @req:host.pamt.no-room @needs:platform.arrange @src:hb-tdx-c-6161
  Rule: A PAMT is one contiguous block: a node without room for it leaves it to another node, and with room nowhere initialisation fails with ENOMEM
    tdmr_set_up_pamt() asks alloc_contig_pages() for the whole PAMT of a TDMR in one piece, on the
    node tdmr_get_nid() chose; the allocator walks that node's zonelist, which goes on to the other
    online nodes when the node has no free range that large. A 1 GiB TDMR needs 4 MiB + 8 KiB + 4 KiB
    of PAMT, more than a node of 4 MiB has. When no node has such a range the allocation fails,
    construct_tdmrs() gives up with -ENOMEM, and so does initialisation.

    @needs:host.tdmr
    Scenario: A node of 4 MiB cannot hold its 1 GiB TDMR's PAMT: node 0, all above 4 GiB, does
      Given the memory map:
        | base         | end          | node |
        | 0x100000000  | 0x1000000000 | 0    |
        | 0x1000000000 | 0x1000400000 | 1    |
      When TDX is initialised
      Then initialisation succeeds
      And there are 2 TDMRs
      And the PAMT of TDMR 1 lies in the memory of node 0

    @needs:host.tdmr
    Scenario: A node of 4 MiB cannot hold its 1 GiB TDMR's PAMT: node 0, all below 4 GiB, does
      Given the memory map:
        | base        | end         | node |
        | 0x100000    | 0x80000000  | 0    |
        | 0x100000000 | 0x100400000 | 1    |
      When TDX is initialised
      Then initialisation succeeds
      And there are 2 TDMRs
      And the PAMT of TDMR 1 lies in the memory of node 0

    Scenario: No node has room for a PAMT: initialisation fails with ENOMEM
      Given the memory map:
        | base        | end         | node |
        | 0x100000000 | 0x100400000 | 0    |
        | 0x140000000 | 0x140400000 | 1    |
        | 0x180000000 | 0x180400000 | 2    |
        | 0x1c0000000 | 0x1c0400000 | 3    |
      And the CMRs:
        | base        | end         |
        | 0x100000000 | 0x100400000 |
        | 0x140000000 | 0x140400000 |
        | 0x180000000 | 0x180400000 |
        | 0x1c0000000 | 0x1c0400000 |
      When the kernel initialises TDX
      Then initialisation fails with ENOMEM

  @req:host.tdmr.reserved-areas @needs:host.tdmr
  Rule: Holes between memory regions and every PAMT inside a TDMR are reserved areas of it

    Scenario: Reserved areas of this platform's TDMRs
      When TDX is initialised
      Then every hole between memory regions inside a TDMR is one of its reserved areas
      And every PAMT inside a TDMR is one of its reserved areas
      And the reserved areas of each TDMR are 4 KiB aligned and in ascending order
      And the reserved areas of each TDMR are not empty and lie inside it

    # tdmr_get_nid() gives TDMR 2 node 0, whose memory lies on both sides of node 1's: its PAMT
    # may land in an earlier TDMR, and every TDMR walks every PAMT (tdmr_populate_rsvd_pamts()), so
    # wherever it lands it is reserved there. Node 1 has only TDMR 1's memory, so TDMR 1, fully
    # covered, reserves exactly one area: its own PAMT.
    @needs:platform.arrange @src:hb-tdx-c-6161
    Scenario: A node whose memory lies on both sides of another's: every PAMT is reserved in the TDMR it lands in
      Given the memory map:
        | base        | end         | node |
        | 0x100000000 | 0x1c0000000 | 0    |
        | 0x200000000 | 0x300000000 | 1    |
        | 0x300000000 | 0x400000000 | 0    |
      When TDX is initialised
      Then initialisation succeeds
      And there are 3 TDMRs
      And the PAMT of TDMR 2 lies in the memory of node 0
      And every hole between memory regions inside a TDMR is one of its reserved areas
      And every PAMT inside a TDMR is one of its reserved areas
      And the reserved areas of each TDMR are 4 KiB aligned and in ascending order
      And the reserved areas of each TDMR are not empty and lie inside it
      And TDMR 1 has 1 reserved area

    # Node 1 starts inside node 0's last GiB, so TDMR 0 reaches into node 1's memory and node 1's
    # PAMT may straddle the boundary between the two TDMRs: each reserves only its own part of it.
    @needs:platform.arrange @src:hb-tdx-c-6161
    Scenario: Two nodes meeting off a 1 GiB boundary: each TDMR reserves only the part of a PAMT inside it
      Given the memory map:
        | base         | end          | node |
        | 0x100000000  | 0x107e000000 | 0    |
        | 0x107e000000 | 0x2000000000 | 1    |
      When TDX is initialised
      Then every PAMT inside a TDMR is one of its reserved areas
      And the reserved areas of each TDMR are not empty and lie inside it
      And the reserved areas of each TDMR are 4 KiB aligned and in ascending order

    # for_each_mem_pfn_range() hands build_tdx_memlist() whole pages: a region that ends off a page
    # boundary ends, as TDX memory, at the page below, and the hole after it starts there.
    @needs:platform.arrange @src:hb-tdx-c-6161 @src:l6161-memblock-c
    Scenario: A memory region ending off a page boundary: its TDX memory, and the hole after it, are whole pages
      Given the memory map:
        | base        | end         | node |
        | 0x100000    | 0x7fffec00  | 0    |
        | 0x100000000 | 0x200000000 | 0    |
      And the CMRs:
        | base        | end         |
        | 0x100000    | 0x7fffe000  |
        | 0x100000000 | 0x200000000 |
      When TDX is initialised
      Then initialisation succeeds
      And the reserved areas of each TDMR are 4 KiB aligned and in ascending order
      And the first TDMR reserves [0x7fffe000, 0x80000000)

  @req:host.memory.low-1m-excluded @needs:host.tdmr @needs:platform.arrange @src:tdx-rst-host
  Rule: The first 1 MiB of memory is never TDX memory

    Scenario: Memory starting at address 0 is used from 1 MiB on
      Given the memory map:
        | base        | end         | node |
        | 0x0         | 0x80000000  | 0    |
        | 0x100000000 | 0x200000000 | 0    |
      And the CMRs:
        | base        | end         |
        | 0x100000    | 0x80000000  |
        | 0x100000000 | 0x200000000 |
      When TDX is initialised
      Then initialisation succeeds
      And the first TDMR reserves [0x0, 0x100000)
      And TDMR 0 has 1 reserved area

    # A region that ends at or below 1 MiB leaves nothing once the first MiB is cut off
    # (build_tdx_memlist(): start_pfn >= end_pfn, skipped), so it starts no TDMR of its own.
    @src:hb-tdx-c-6161
    Scenario Outline: Memory wholly below 1 MiB, [0x0, <end>), is no TDX memory and starts no TDMR
      Given the memory map:
        | base        | end         | node |
        | 0x0         | <end>       | 0    |
        | 0x100000000 | 0x200000000 | 0    |
      And the CMRs:
        | base        | end         |
        | 0x100000000 | 0x200000000 |
      When TDX is initialised
      Then initialisation succeeds
      And there are 1 TDMRs
      And TDMR 0 covers [0x100000000, 0x200000000)

      Examples: Conventional memory up to the VGA hole, and the whole first MiB
        | end      |
        | 0x9f000  |
        | 0x100000 |

  @req:host.memory.address-order @needs:host.tdmr @needs:platform.arrange @src:l6161-memblock-c @src:hb-tdx-c-6161
  Rule: TDX memory and the TDMRs follow the addresses, whatever order the firmware listed the memory in
    memblock keeps its regions sorted by address (memblock_add_range() inserts each where it
    belongs), and build_tdx_memlist() copies them in that order; fill_out_tdmrs() relies on it,
    since it only ever compares a region with the TDMR before it. A memory map listed from the top
    down gives the TDMRs of the same map listed from the bottom up.

    Scenario: A memory map listed from the top down
      Given the memory map:
        | base         | end          | node |
        | 0x1000000000 | 0x2000000000 | 1    |
        | 0x100000000  | 0x1000000000 | 0    |
        | 0x100000     | 0x80000000   | 0    |
      And the CMRs:
        | base         | end          |
        | 0x100000     | 0x80000000   |
        | 0x100000000  | 0x1000000000 |
        | 0x1000000000 | 0x2000000000 |
      When TDX is initialised
      Then initialisation succeeds
      And there are 3 TDMRs
      And TDMR 0 covers [0x0, 0x80000000)
      And TDMR 1 covers [0x100000000, 0x1000000000)
      And TDMR 2 covers [0x1000000000, 0x2000000000)

  @req:host.memory.meminfo-within-cmrs @src:l6161-meminfo-c @src:l6161-x86-setup-c @src:hb-tdx-c-6161 @src:mod-sys-config-1501
  Rule: The memory the kernel manages, MemTotal in /proc/meminfo, lies inside the CMRs
    MemTotal counts the pages the page allocator manages. The first MiB is always reserved
    (setup_arch()), and every other memory region is TDX memory, covered by a TDMR whose
    non-reserved parts TDH.SYS.CONFIG accepts only inside CMRs. So once TDX is initialised,
    MemTotal is more than nothing and at most the CMRs' total size, even where memory starts at 0.

    Scenario: MemTotal of this platform
      When TDX is initialised
      Then MemTotal in /proc/meminfo is more than 0 and at most the total size of the CMRs

    @needs:platform.arrange
    Scenario: Memory from address 0 and CMRs from 1 MiB: the first MiB is not counted
      Given the memory map:
        | base        | end         | node |
        | 0x0         | 0x80000000  | 0    |
        | 0x100000000 | 0x200000000 | 0    |
      And the CMRs:
        | base        | end         |
        | 0x100000    | 0x80000000  |
        | 0x100000000 | 0x200000000 |
      When TDX is initialised
      Then initialisation succeeds
      And MemTotal in /proc/meminfo is more than 0 and at most the total size of the CMRs

  @req:host.tdmr.exhausted @needs:platform.arrange @src:hb-tdx-c-6161
  Rule: More memory regions than the module has TDMRs fail initialisation with ENOSPC
    fill_out_tdmrs() gives up when it needs a TDMR past the module's MAX_TDMRS (64 on the
    emulator's modules): at the limit the TDMRs all get used, one region beyond it fails.

    Scenario Outline: <regions> separate regions for a module with 64 TDMRs: <outcome>
      Given a memory map of <regions> regions of 512 MiB, each in its own 2 GiB and NUMA node
      When the kernel initialises TDX
      Then initialisation <outcome>

      Examples: At the limit and one beyond
        | regions | outcome              |
        | 64      | succeeds             |
        | 65      | fails with ENOSPC    |

    Scenario: One region beyond the limit is logged
      Given a memory map of 65 regions of 512 MiB, each in its own 2 GiB and NUMA node
      When the kernel initialises TDX
      Then the kernel log says "initialization failed: TDMRs exhausted."

  @req:host.tdmr.near-limit @needs:platform.arrange @src:tdx-h @src:hb-tdx-c-6161
  Rule: Using all but fewer than four of the module's TDMRs is warned about
    The warning comes when MAX_TDMRS minus the TDMRs used is below TDMR_NR_WARN (4): with 64
    TDMRs, 61 to 64 used are warned about, 60 are not.

    Scenario Outline: <used> TDMRs out of 64 are warned about
      Given a memory map of <used> regions of 512 MiB, each in its own 2 GiB and NUMA node
      When the kernel initialises TDX
      Then initialisation succeeds
      And the kernel log says "consumed TDMRs reaching limit: <used> used out of 64"

      Examples: From the threshold to the limit
        | used |
        | 61   |
        | 64   |

    Scenario: 60 TDMRs out of 64, one below the threshold, are not
      Given a memory map of 60 regions of 512 MiB, each in its own 2 GiB and NUMA node
      When the kernel initialises TDX
      Then initialisation succeeds
      And the kernel log does not say "consumed TDMRs reaching limit: %d used out of %d"

  @req:host.tdmr.reserved-exhausted @needs:platform.arrange @src:hb-tdx-c-6161
  Rule: A TDMR with more holes than reserved areas fails initialisation with ENOSPC
    Each hole takes one reserved area, up to the module's MAX_RESERVED_PER_TDMR (16 on the
    emulator's modules). n small regions inside the first GiB leave n + 1 holes in its TDMR (the
    first MiB, the gaps between them, the rest of the GiB); the PAMTs go elsewhere.

    Scenario Outline: <regions> small regions inside the first GiB leave <holes> holes in its TDMR: <outcome>
      Given a memory map of <regions> regions of 1 MiB inside the first GiB, and 4 GiB from 4 GiB on
      When the kernel initialises TDX
      Then initialisation <outcome>

      Examples: At the limit and one beyond
        | regions | holes | outcome           |
        | 15      | 16    | succeeds          |
        | 16      | 17    | fails with ENOSPC |

    Scenario: 17 small regions inside the first GiB leave 18 holes in its TDMR, and the kernel says which TDMR
      Given a memory map of 17 regions of 1 MiB inside the first GiB, and 4 GiB from 4 GiB on
      When the kernel initialises TDX
      Then initialisation fails with ENOSPC
      And the kernel log says "initialization failed: TDMR [0x0, 0x40000000): reserved areas exhausted."

  @req:host.pamt.size @src:capture-canonical-tdx-135 @src:capture-canonical-tdx-285 @src:capture-intel-tdx-linux-5
  Rule: The PAMT total the kernel logs follows from the TDMRs: 16-byte entries, each part rounded to 4 KiB

    Scenario: The logged total equals the sum over this platform's TDMRs
      When TDX is initialised
      Then each TDMR's PAMT has 16 bytes per 4 KiB, 2 MiB and 1 GiB page, each part rounded up to 4 KiB
      And the PAMT total in the kernel log equals the sum over the TDMRs of their 4K, 2M and 1G parts

    Scenario: The five CMRs of the Emerald Rapids capture give 1050644 KB
      Given the memory map:
        | base         | end          | node |
        | 0x100000     | 0x6f800000   | 0    |
        | 0x100000000  | 0x107a000000 | 0    |
        | 0x1080000000 | 0x207c000000 | 0    |
        | 0x2080000000 | 0x307c000000 | 1    |
        | 0x3080000000 | 0x407c000000 | 1    |
      When TDX is initialised
      Then the kernel log says the PAMT takes 1050644 KB

    Scenario: The three CMRs of the Sapphire Rapids capture give 1050636 KB
      Given the memory map:
        | base         | end          | node |
        | 0x100000     | 0x77800000   | 0    |
        | 0x100000000  | 0x206e000000 | 0    |
        | 0x2080000000 | 0x4070000000 | 1    |
      When TDX is initialised
      Then the kernel log says the PAMT takes 1050636 KB

    @needs:platform.arrange
    Scenario: The 6.6.0-rc2 capture's 1050644 KB needs one more TDMR than its four CMRs
      Given the memory map:
        | base         | end          | node |
        | 0x100000     | 0x77800000   | 0    |
        | 0x100000000  | 0x1000000000 | 0    |
        | 0x1000000000 | 0x1ffe000000 | 1    |
        | 0x4000000000 | 0x6000000000 | 2    |
        | 0x8000000000 | 0x8080000000 | 3    |
      When TDX is initialised
      Then there are 5 TDMRs
      And the kernel log says the PAMT takes 1050644 KB

  @req:host.pamt.cost @src:tdx-rst-host @src:hb-tdx-c-6161
  Rule: PAMTs cost about 1/256 of the memory the TDMRs cover
    The 4 KiB part alone is 16 bytes per 4 KiB page of every TDMR, and TDMRs cover all the memory the
    kernel manages; the 2 MiB and 1 GiB parts and the rounding to 4 KiB add less than 1/250 - 1/256.
    TDMRs are TDX memory rounded out to 1 GiB, and TDX memory lies inside the CMRs, so the CMRs
    rounded out to 1 GiB bound them from above. Both bounds can be checked on a real machine.

    @needs:host.tdmr
    Scenario: The PAMT is between 1/256 and 1/250 of the TDMRs it describes
      When TDX is initialised
      Then the PAMT total is between 1/256 and 1/250 of the memory the TDMRs cover

    Scenario: The PAMT is at least 1/256 of the memory the kernel manages
      When TDX is initialised
      Then the PAMT total in the kernel log is at least 1/256 of MemTotal in /proc/meminfo

    Scenario: The PAMT is at most 1/250 of the CMRs rounded out to 1 GiB
      When TDX is initialised
      Then the PAMT total in the kernel log is at most 1/250 of the CMRs, each rounded out to 1 GiB
