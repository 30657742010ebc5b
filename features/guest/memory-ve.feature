@guest @src:tdx-rst-guest @needs:guest.memory @needs:guest.instructions
Feature: Memory accesses and #VE in a TD
  A TD's memory is private by default; a bit in the guest's page tables (the shared bit) marks
  pages it shares with the VMM. Shared memory stays under the VMM's control: what the VMM backs
  with memory is simply read and written, anything else raises a #VE (an EPT violation) that the
  guest handles, typically as MMIO. Private memory must be accepted by the guest before use. An
  access to private memory the guest has not accepted raises #VE, unless SEPT #VEs are disabled
  (by the SEPT_VE_DISABLE attribute, or by the guest through TD_CTLS where the VMM allows it), in
  which case the access leaves the TD for the VMM instead. The guest kernel cannot recover from a
  #VE on private memory and panics.

  @req:guest.memory.shared
  Rule: Shared memory the VMM backs just works; any other shared GPA raises #VE as an EPT violation, reporting the GPA with its shared bit

    Scenario: A page converted to shared is read without a #VE
      Given a TD guest
      When the guest converts 1 page at 0x3000000 to shared
      And the guest kernel reads 4 bytes of shared memory at 0x3000000
      Then the access just worked

    @needs:guest.describe
    Scenario: A shared GPA the VMM emulates raises #VE with the GPA
      Given a TD guest whose VMM emulates MMIO at 0xfe000000 (size 0x1000) reading as 0x0
      When the guest kernel reads 4 bytes of shared memory at 0xfe000010
      Then the TDX module raised #VE with exit reason 48 (EPT_VIOLATION)
      And the #VE reports GPA 0xfe000010 with the shared bit set

  @req:guest.memory.unaccepted-private @src:guest-c @src:ml-disable-sept-ve @src:guest-mod15-td-ept-violation @src:guest-mod15-tdh-mng-init
  Rule: Unaccepted private memory raises #VE unless SEPT #VEs are disabled, then the access exits to the VMM instead; the kernel panics on a #VE on private memory

    Scenario: Accepted private memory just works
      Given a TD guest
      When the guest kernel reads 4 bytes of private memory at 0x3000000
      Then the access just worked

    Scenario: With SEPT_VE_DISABLE an unaccepted page exits to the VMM without a #VE
      Given a TD guest with the SEPT_VE_DISABLE (bit 28) attribute
      And 1 page of private memory at 0x5000000 that the guest has not accepted
      When the guest kernel reads 4 bytes of private memory at 0x5000000
      Then the access left the TD for the VMM without a #VE

    Scenario: A debug TD keeps SEPT #VEs: the #VE arrives and the kernel panics
      Given a TD guest with the DEBUG (bit 0) attribute but without the SEPT_VE_DISABLE (bit 28) attribute
      And 1 page of private memory at 0x5000000 that the guest has not accepted
      When the guest kernel reads 4 bytes of private memory at 0x5000000
      Then the TDX module raised #VE with exit reason 48 (EPT_VIOLATION)
      And the guest kernel panicked with "Unexpected EPT-violation on private memory."

    @era:guest-sept-ve=td-ctls @module:>=1.5
    Scenario: Where the TD controls pending #VEs, its TD_CTLS decide, not the attribute
      Given a TD guest without the DEBUG (bit 0) and SEPT_VE_DISABLE (bit 28) attributes
      And the VMM lets the TD control pending #VEs
      And 1 page of private memory at 0x5000000 that the guest has not accepted
      When the guest kernel reads 4 bytes of private memory at 0x5000000
      Then the access left the TD for the VMM without a #VE
