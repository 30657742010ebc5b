@kvm @src:kvm-tdx-c-616
Feature: KVM brings up TDX when kvm_intel loads
  KVM offers TDX guests only when kvm_intel is loaded with its "tdx" parameter set (it is off by
  default). It then checks that KVM's own configuration and the CPU give TDX what it needs,
  makes sure the TDX module is initialised (kernels up to v7.0 initialise it at this point;
  from v7.1 the kernel did so at boot), and checks what the module offers TDs. A requirement
  that is not met, or a platform without a TDX module, only turns TDX off: kvm_intel still loads
  for ordinary VMs. A module that cannot give a TD as many vCPUs as the platform has logical CPUs
  makes loading kvm_intel fail.

  @req:kvm.bringup.param-off @era:kvm-tdx=premerge @era:kvm-tdx=mainline @needs:kvm.module
  Rule: TDX stays off unless kvm_intel.tdx is set

    Scenario: kvm_intel loaded with tdx=0
      Given a TDX host
      And the kernel command line sets kvm_intel.tdx=0
      When kvm_intel is loaded
      Then loading kvm_intel succeeds
      And the kvm_intel parameter tdx reads N
      And KVM_CAP_VM_TYPES does not offer VM type 5
      And creating a VM of the TDX type fails with EINVAL

  @req:kvm.bringup.success @era:kvm-tdx=mainline @needs:kvm.module @src:kvm-uapi-sync
  Rule: On a TDX host with tdx=1, KVM offers the TDX VM type, KVM_X86_TDX_VM (5)

    Scenario: TDX brought up
      Given a TDX host
      And the kernel command line sets kvm_intel.tdx=1
      And KVM has everything else TDX needs
      When kvm_intel is loaded
      Then loading kvm_intel succeeds
      And the kvm_intel parameter tdx reads Y
      And KVM_CAP_VM_TYPES offers VM type 5

  @req:kvm.bringup.requirements @era:kvm-tdx=mainline @needs:kvm.module @src:kvm-tdx-c-616 @src:kvm-tdx-c-618 @src:kvm-tdx-c-next @src:kvm-spte-c-616
  Rule: A requirement that is not met turns TDX off with a message, and kvm_intel still loads

    Scenario Outline: Without <requirement>
      Given a TDX host
      And the kernel command line sets kvm_intel.tdx=1
      And <precondition>
      And KVM has everything else TDX needs
      When kvm_intel is loaded
      Then loading kvm_intel succeeds
      And the kvm_intel parameter tdx reads N
      And KVM logs "<message>"

      Examples: Checked by every kernel with KVM TDX
        | requirement      | precondition                                           | message                                                      |
        | EPT              | the kernel command line sets kvm_intel.ept=0           | EPT is required for TDX                                      |
        | the TDP MMU      | the kernel command line sets kvm.tdp_mmu=0             | TDP MMU and MMIO caching and EPT A/D bit is required for TDX |
        | MMIO caching     | the kernel command line sets kvm.mmio_caching=0        | TDP MMU and MMIO caching and EPT A/D bit is required for TDX |
        | EPT A/D bits     | the kernel command line sets kvm_intel.eptad=0         | TDP MMU and MMIO caching and EPT A/D bit is required for TDX |
        | APICv            | the kernel command line sets kvm_intel.enable_apicv=0  | APICv is required for TDX                                    |
        | OSXSAVE          | the CPU lacks xsave                                    | tdx: OSXSAVE is required for TDX                             |

      @era:init=on-demand
      Examples: Checked by KVM up to v7.0 (from v7.1 the host core checks the CPU at boot)
        | requirement      | precondition                                           | message                                      |
        | MOVDIR64B        | the CPU lacks movdir64b                                | tdx: MOVDIR64B is required for TDX           |
        | self-snoop       | the CPU lacks self_snoop                               | Self-snoop is required for TDX               |
        | TDX KeyIDs       | a platform whose BIOS announces no TDX KeyIDs          | tdx: no TDX private KeyIDs available         |
        | virt at load     | the kernel command line sets kvm.enable_virt_at_load=0 | tdx: tdx requires kvm.enable_virt_at_load=1  |

      @era:init=boot
      Examples: From v7.1 a host without TDX is reported by KVM in the host's words
        | requirement      | precondition                                           | message                                      |
        | TDX KeyIDs       | a platform whose BIOS announces no TDX KeyIDs          | TDX not supported by the host platform       |

  @req:kvm.bringup.module-not-loaded @era:kvm-tdx=mainline @needs:kvm.module
  Rule: Without a TDX module KVM turns TDX off but still loads

    Scenario: The BIOS loaded no TDX module
      Given a TDX host whose BIOS loaded no TDX module
      And the kernel command line sets kvm_intel.tdx=1
      When kvm_intel is loaded
      Then loading kvm_intel succeeds
      And the kvm_intel parameter tdx reads N
      And KVM_CAP_VM_TYPES does not offer VM type 5

  @req:kvm.bringup.max-vcpus @era:kvm-tdx=mainline @needs:kvm.module
  Rule: A module whose MAX_VCPUS_PER_TD is below the number of logical CPUs makes kvm_intel fail to load

    Scenario: MAX_VCPUS_PER_TD of 64
      Given a TDX host
      And the kernel command line sets kvm_intel.tdx=1
      And the TDX module reports MAX_VCPUS_PER_TD 64
      And KVM has everything else TDX needs
      When kvm_intel is loaded
      Then loading kvm_intel fails with EINVAL
      And KVM logs "Disable TDX: MAX_VCPU_PER_TD (64) smaller than number of logical CPUs (%u).", the last number being the number of logical CPUs

    Scenario: MAX_VCPUS_PER_TD equal to the number of logical CPUs
      Given a TDX host
      And the kernel command line sets kvm_intel.tdx=1
      And the TDX module reports as many MAX_VCPUS_PER_TD as the platform has logical CPUs
      And KVM has everything else TDX needs
      When kvm_intel is loaded
      Then loading kvm_intel succeeds
      And the kvm_intel parameter tdx reads Y

  @req:kvm.bringup.topology @era:kvm-tdx=mainline @needs:kvm.module @src:kvm-tdx-c-616 @src:kvm-fix-510c47 @src:kvm-tdx-c-618
  Rule: A module without topology enumeration (TDX_FEATURES0 bit 20) gets no TDs; from v6.18 (and 6.17-stable) kvm_intel then fails to load with EINVAL

    @era:kvm-bringup-errcode=einval
    Scenario: TDX_FEATURES0 lacks TOPOLOGY_ENUM: loading fails
      Given a TDX host
      And the TDX module's TDX_FEATURES0 lacks TOPOLOGY_ENUM (bit 20)
      And the kernel command line sets kvm_intel.tdx=1
      And KVM has everything else TDX needs
      When kvm_intel is loaded
      Then loading kvm_intel fails with EINVAL

    # v6.16 and v6.17 before the stable fix tear TDX down but return 0 with enable_tdx still set:
    # the defect 510c47f165f0 fixed. What those kernels do, not what they should do.
    @era:kvm-bringup-errcode=zero
    Scenario: TDX_FEATURES0 lacks TOPOLOGY_ENUM: v6.16 loads and still reports TDX
      Given a TDX host
      And the TDX module's TDX_FEATURES0 lacks TOPOLOGY_ENUM (bit 20)
      And the kernel command line sets kvm_intel.tdx=1
      And KVM has everything else TDX needs
      When kvm_intel is loaded
      Then loading kvm_intel succeeds
      And the kvm_intel parameter tdx reads Y
      And KVM_CAP_VM_TYPES offers VM type 5

  @req:kvm.bringup.premerge-failure @era:kvm-tdx=premerge @needs:kvm.module @src:capture-canonical-tdx-331 @src:ml-kvm-tdx-premerge @src:kvm-mod-sys-config-15
  Rule: The KVM distributions carried before the merge says when initialising the TDX module failed

    Scenario: A logical CPU offline when KVM initialises TDX
      Given a TDX host
      And the kernel command line sets kvm_intel.tdx=1
      And logical CPU 3 is offline when TDX is initialised
      When kvm_intel is loaded
      Then KVM logs "Failed to initialize TDX module."
