@host @src:tdx-c-mid @src:ml-host-v14 @src:capture-intel-tdx-linux-5
Feature: The wording of the kernel's TDX messages
  The same events have been logged with different words across kernels: the KeyID line of the
  documentation has a colon the code never printed; pre-merge kernels said "KBs" and "S3 suspend";
  v7.1 says "TDX-Module initialized". Tools that read logs, and this suite, must know which
  kernel says what. A kernel must print every TDX message in its own wording.

  @req:host.log.dialect @module:>=1.5 @era:host-prefix=virt/tdx @src:hb-tdx-c-6161 @src:tdx-c-new @src:capture-canonical-tdx-135 @src:capture-canonical-tdx-ubuntu-6.14 @src:ml-ver
  Rule: Every TDX message a kernel prints uses the wording of that kernel
    Each line below is the whole message as the kernel's source or a capture of it prints it,
    with the host code's prefix ("virt/tdx: " from v6.8); %u and the like stand for the numbers.

    Scenario Outline: After initialisation the kernel log has the line "<line>"
      Given a TDX host
      When TDX is initialised
      Then the kernel log has the line "<line>"

      Examples: Every kernel since v6.8
        | line                                                 |
        | virt/tdx: BIOS enabled: private KeyID range [%u, %u) |

      @era:host-wording=merged
      Examples: The PAMT line as merged
        | line                                |
        | virt/tdx: %lu KB allocated for PAMT |

      @era:host-wording=v14-series
      Examples: The PAMT line of the v14 host series
        | line                                 |
        | virt/tdx: %lu KBs allocated for PAMT |

      @era:init=on-demand
      Examples: Up to v7.0
        | line                         |
        | virt/tdx: module initialized |

      @era:init=boot
      Examples: From v7.1
        | line                             |
        | virt/tdx: TDX-Module initialized |

      @era:module-info=attributes
      Examples: Kernels that print the module's attributes and the CMRs
        | line                                                                                                              |
        | virt/tdx: TDX module: attributes 0x%x, vendor_id 0x%x, major_version %u, minor_version %u, build_date %u, build_num %u |
        | virt/tdx: CMR: [0x%llx, 0x%llx)                                                                                   |

      @era:module-info=build
      Examples: Kernels that print the module's version, build number and date
        | line                                                                    |
        | virt/tdx: TDX module %u.%u.%02u.%02u, build number %u, build date %08x |

      @era:module-info=version
      Examples: Kernels that print the module's version
        | line                                 |
        | virt/tdx: Module version: %u.%u.%02u |
