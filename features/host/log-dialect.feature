@host @src:tdx-c-mid @src:ml-host-v14 @src:capture-intel-tdx-linux-5
Feature: The wording of the kernel's TDX messages
  The same events have been logged with different words across kernels: the KeyID line of the
  documentation has a colon the code never printed; pre-merge kernels said "KBs" and "S3 suspend";
  v7.1 says "TDX-Module initialized". Tools that read logs, and this suite, must know which
  kernel says what. A kernel must print every TDX message in its own wording.

  @req:host.log.dialect
  Rule: Every TDX message a kernel prints uses the wording of that kernel

    Scenario: The TDX lines of a boot and an initialisation
      Given a TDX host
      When TDX is initialised
      Then every TDX message in the kernel log is worded as this kernel words it
