/**
 * A TD guest as seen from inside it: the TDX module's reaction to what the guest does, and what
 * the Linux guest kernel then did. See port.ts for the conventions.
 *
 * Two layers show in every outcome. `module` is the architectural reaction of the TDX module
 * (the instruction ran natively, the module emulated it, or it raised #VE, #GP, #UD or, when a
 * #VE arrived while #VE delivery was blocked, #DF). `guest` is what the Linux guest did with it
 * (emulated it through a TDVMCALL, returned zeros, sent SIGSEGV, oopsed or panicked). A real TD
 * can observe the guest layer of some requests (CPUID executed by a process or through
 * /dev/cpu/N/cpuid, MSRs through /dev/cpu/N/msr, one instruction in a child process and how it
 * ended, its own kernel log, /dev/tdx_guest, the measurement registers in sysfs, configfs-tsm) and
 * leaves `module` and the TDVMCALLs out; arbitrary instructions in chosen contexts, in the kernel,
 * are the emulator's (capability guest.instructions).
 */
import type { TdcallLeaf } from '../spec/abi/tdcall';
import type { TdvmcallLeaf } from '../spec/encodings/tdvmcall';
import type { KernelLog, LogEvent } from './host-facet';
import type { KernelResult, ModuleDescription, Observed, Regs } from './port';

export const GUEST_CAPABILITIES = {
  'guest.instructions': 'arbitrary instructions can be executed inside a TD, in kernel or user mode',
  'guest.user-instructions': 'one instruction can be run by a process inside the TD, and how the process ended seen',
  'guest.files': "the TD's own view of itself can be read: its CPU flags, whether /dev/tdx_guest exists, that it booted",
  'guest.cpuid': 'CPUID can be executed inside a TD (by a process, or in the kernel through the cpuid driver)',
  'guest.msr': 'MSRs can be read and written inside a TD',
  'guest.memory': 'guest memory can be accessed and converted private/shared',
  'guest.log': 'the guest kernel log can be read',
  'guest.report': 'TDREPORTs can be requested through /dev/tdx_guest',
  'guest.tsm': 'configfs-tsm reports can be requested',
  'guest.describe': 'the TD describes its configuration (attributes, TD_CTLS, GPA width, module)',
  'guest.tdvmcall': "the TDVMCALLs the guest kernel makes can be seen, and the VMM's answers chosen",
  'guest.tdcall': 'a raw TDCALL can be issued to the TDX module from inside the TD, in the kernel',
} as const;

export type GuestCapability = keyof typeof GUEST_CAPABILITIES;

/** Privilege level the instruction runs at (CPL 0 kernel, CPL 3 user space). */
export type GuestMode = 'kernel' | 'user';

/**
 * Where in the guest's #VE handling the instruction runs. `ve-handler-before-veinfo`: a #VE was
 * just delivered and the handler has not yet called TDG.VP.VEINFO.GET (the module still blocks
 * #VE delivery); `ve-handler-after-veinfo`: the handler has retrieved the #VE information.
 */
export type GuestContext = 'normal' | 've-handler-before-veinfo' | 've-handler-after-veinfo';

/** An instruction to execute on a vCPU of the TD. */
export interface GuestInstruction {
  /** Mnemonic as the guest documentation names it: HLT, IN, OUTS, RDMSR, CPUID, VMXON, MOV... */
  mnemonic: string;
  /** Default: kernel. */
  mode?: GuestMode;
  /** Default: normal. */
  context?: GuestContext;
  /** Registers on entry: CPUID leaf/subleaf in RAX/RCX, MSR index in RCX, WRMSR value in RDX:RAX. */
  regs?: Regs;
  /** Port I/O: the port and the access width in bytes. */
  port?: number;
  size?: 1 | 2 | 4 | 8;
  /** Memory operand: guest physical address, including the shared bit when the mapping is shared. */
  gpa?: bigint;
  /** Raw encoding of a memory instruction, which the #VE handler decodes (MMIO). */
  bytes?: readonly number[];
  /** RFLAGS.IF when the instruction runs (HLT tells the VMM whether interrupts were disabled). */
  interruptsEnabled?: boolean;
}

/** How the TDX module reacted to the instruction or access. */
export type ModuleReaction =
  /** Executed by the CPU, or emulated by the module, without involving the guest kernel. */
  | { kind: 'native' }
  /** A virtualization exception with the information TDG.VP.VEINFO.GET returns. */
  | { kind: 've'; exitReason: number; qualification: bigint; gpa?: bigint }
  | { kind: 'gp' }
  | { kind: 'ud' }
  /** A #VE while #VE delivery was blocked: a double fault, fatal for the TD. */
  | { kind: 'df' }
  /** The access left the TD for the VMM (no #VE): e.g. pending private memory with SEPT #VE disabled. */
  | { kind: 'td-exit'; exitReason: number };

/** What the Linux guest kernel did about the module's reaction. */
export type GuestReaction =
  /** Nothing was left for the kernel to do (native execution). */
  | { kind: 'none' }
  /** Emulated through a TDVMCALL; the VMM answered with `status`. */
  | { kind: 'emulated'; tdvmcall: TdvmcallLeaf | 'unknown'; status: bigint }
  /** Handled inside the guest without the VMM (CPUID outside the hypervisor range: all zeros). */
  | { kind: 'zeros' }
  /** The fault was recovered by an exception fixup: the kernel path that issued it returned an error. */
  | { kind: 'fixup' }
  /** A user-space task got SIGSEGV. */
  | { kind: 'sigsegv' }
  /** A user-space task got SIGILL (invalid opcode). */
  | { kind: 'sigill' }
  /** The kernel oopsed (die()) with this message. */
  | { kind: 'oops'; message: string }
  /** The kernel panicked with this message. */
  | { kind: 'panic'; message: string }
  /** The TD was shut down (after a double fault, or a fatal error report). */
  | { kind: 'shutdown'; reason: string };

/** One TDVMCALL the guest made: the registers it exposed and those the VMM wrote back. */
export interface TdvmcallRecord {
  leaf: bigint;
  name: TdvmcallLeaf | 'unknown';
  in: Regs;
  out: Regs;
}

/** One TDCALL (TDG.*) the guest kernel made while handling a request. */
export interface TdcallRecord {
  leaf: string;
  /** RAX the guest put in for the call: the leaf number (bits 15:0) and version (23:16). */
  rax: bigint;
  in: Regs;
  status: bigint;
}

export interface GuestOutcome {
  /** The module's reaction, where the target sees it (not from inside a real TD). */
  module?: ModuleReaction;
  /** What the kernel did, where the target sees it (a process's end shows SIGILL and SIGSEGV). */
  guest?: GuestReaction;
  /** General registers after the instruction (results: CPUID output, RDMSR value, IN data). */
  regs: Regs;
  /** TDVMCALLs made while handling the instruction, in order, where the target sees them. */
  tdvmcalls?: TdvmcallRecord[];
  /** Kernel log lines printed while handling it. */
  log: string[];
  /** Those lines that are catalogue messages (spec/kernel/printk.ts). */
  events?: LogEvent[];
}

/** RDMSR/WRMSR as the kernel's msr driver does them (a faulting access is an outcome). */
export interface MsrAccess {
  value?: bigint;
  /** The access faulted (#GP): the msr driver returns EIO. */
  faulted: boolean;
  /** The module's reaction, where the target can see it (emulator). */
  module?: ModuleReaction;
  guest?: GuestReaction;
  tdvmcalls?: TdvmcallRecord[];
}

export interface CpuidResult {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  module?: ModuleReaction;
  guest?: GuestReaction;
  tdvmcalls?: TdvmcallRecord[];
}

/** A plain load or store to guest memory. */
export interface MemoryAccess {
  /** Guest physical address without the shared bit. */
  gpa: bigint;
  /** Whether the guest maps the page shared (sets the shared bit in its page tables). */
  shared: boolean;
  access: 'read' | 'write';
  size?: 1 | 2 | 4 | 8;
  mode?: GuestMode;
  /** The value a write stores. */
  value?: bigint;
}

/** Converting a range private<->shared the way set_memory_decrypted()/encrypted() do. */
export interface ConversionOutcome {
  result: KernelResult;
  tdvmcalls: TdvmcallRecord[];
  tdcalls: TdcallRecord[];
}

/** ioctl() on /dev/tdx_guest. */
export interface TdxGuestIoctl {
  /** ioctl command number (TDX_CMD_GET_REPORT0, or anything else). */
  cmd: number;
  /** REPORTDATA the caller places in the request (the kernel copies TDX_REPORTDATA_LEN bytes). */
  reportdata?: Uint8Array;
  /** The argument is an address where the process has no memory (default: a struct tdx_report_req). */
  unmapped?: boolean;
}

export interface TdxGuestIoctlResult {
  result: KernelResult;
  /** TDREPORT the kernel copied back (TDX_REPORT_LEN bytes) on success. */
  tdreport?: Uint8Array;
}

/** One configfs-tsm report: write inblob, read outblob (and provider, generation). */
export interface TsmReportResult {
  provider: string;
  /** The outcome of reading outblob. */
  result: KernelResult;
  outblob?: Uint8Array;
  generation: number;
  /** TDVMCALLs the provider made (GetQuote), where the target sees them. */
  tdvmcalls?: TdvmcallRecord[];
  /** The quote buffer's header as the VMM found it when the GetQuote arrived, where the target sees it. */
  quoteRequest?: { version: bigint; status: bigint; inLen: number; outLen: number };
}

/** A configfs-tsm report item created, written once and removed, without asking for a quote. */
export interface TsmItemObservation {
  provider: string;
  /** The generation before and after one 64-byte write to inblob. */
  generations: [number, number];
  /** The item's directory could be removed again. */
  removed: boolean;
}

/** One measurement register file in sysfs (v6.16): its contents, or the errno of the read. */
export interface MeasurementRead {
  file: string;
  result: KernelResult;
  bytes?: Uint8Array;
}

/** What the TD says about itself. */
export interface TdDescription {
  attributes: bigint;
  /** TDCS.TD_CTLS as the guest reads it; null where the module has no such field (TDX 1.0). */
  tdCtls: bigint | null;
  gpaWidth: number;
  /** The shared bit as an address mask (bit gpaWidth-1). */
  sharedBit: bigint;
  vcpus: number;
  module: ModuleDescription | null;
  /** /proc/cpuinfo flags that matter for a TD (tdx_guest). */
  cpuFlags: string[];
  /** Whether /dev/tdx_guest exists. */
  tdxGuestDevice: boolean;
  /** Whether the guest kernel finished booting, or the panic that stopped it (and, where the
   * target sees it, the ReportFatalError TDVMCALL that told the VMM). */
  boot: { ok: true } | { ok: false; panic: string; fatalReport?: TdvmcallRecord };
}

export interface GuestFacet {
  describe(): Observed<TdDescription>;
  /** Whether the guest kernel finished booting (a TD observing itself from inside has). */
  bootOutcome(): Observed<TdDescription['boot']>;
  /** The /proc/cpuinfo flags of the TD. */
  cpuFlags(): Observed<string[]>;
  /** Whether /dev/tdx_guest exists. */
  tdxGuestDevice(): Observed<boolean>;
  /** Every measurement register file the tdx_guest driver shows in sysfs (v6.16), read once. */
  measurements(): Observed<MeasurementRead[]>;
  /** Write to an RTMR's sysfs file (extends it unless the kernel refuses: changes the TD). */
  writeRtmr(index: number, data: Uint8Array): Observed<KernelResult>;
  /** Create a configfs-tsm report item, read it, write a 64-byte inblob, read it again, remove it. */
  tsmItem(): Observed<TsmItemObservation>;
  /** The provider a configfs-tsm report item names (an item made, read and removed). */
  tsmProvider(): Observed<string>;
  /** The guest kernel log since boot. */
  log(): Observed<KernelLog>;
  /** Execute one instruction on a vCPU (capability guest.instructions). */
  execute(vcpu: number, insn: GuestInstruction): Observed<GuestOutcome>;
  cpuid(vcpu: number, leaf: number, subleaf: number, mode?: GuestMode): Observed<CpuidResult>;
  rdmsr(vcpu: number, msr: number): Observed<MsrAccess>;
  wrmsr(vcpu: number, msr: number, value: bigint): Observed<MsrAccess>;
  access(vcpu: number, a: MemoryAccess): Observed<GuestOutcome>;
  /** Convert [gpa, gpa + pages * 4 KiB) to shared or back to private. */
  convert(gpa: bigint, pages: number, to: 'shared' | 'private'): Observed<ConversionOutcome>;
  /** Whether a private page is accepted (usable without a #VE). */
  pageAccepted(gpa: bigint): Observed<boolean>;
  tdxGuestIoctl(req: TdxGuestIoctl): Observed<TdxGuestIoctlResult>;
  tsmReport(inblob: Uint8Array): Observed<TsmReportResult>;
  /** A TDCALL with this RAX and these registers, from the guest kernel (capability guest.tdcall). */
  tdcall(vcpu: number, rax: bigint, regs: Regs): Observed<{ status: bigint; out: Regs }>;
}

/**
 * Preconditions of guest scenarios (see Arrangement in port.ts). The emulator builds its TD from
 * them; a real TD compares them with what it observes.
 */
export type GuestArrangement =
  /** A TD running a Linux guest. */
  | { kind: 'td-guest' }
  /** TD attributes the VMM set (bits to set and to clear, relative to the default TD). */
  | { kind: 'td-attributes'; set: bigint; clear: bigint }
  /** TDCS.CONFIG_FLAGS.FLEXIBLE_PENDING_VE as the VMM configured it. */
  | { kind: 'td-flexible-pending-ve'; enabled: boolean }
  /** TD_CTLS bits already set before the kernel starts (by firmware or a bootloader). */
  | { kind: 'td-ctls-preset'; bits: bigint }
  /** Whether the VMM configured the x2APIC IDs (TDCS.TOPOLOGY_ENUM_CONFIGURED). */
  | { kind: 'td-topology-configured'; configured: boolean }
  | { kind: 'gpa-width'; bits: 48 | 52 }
  /** A CPUID value the VMM configured for a leaf/subleaf register (subleaf -1: none). */
  | { kind: 'vmm-cpuid'; leaf: number; subleaf: number; reg: 'eax' | 'ebx' | 'ecx' | 'edx'; value: number }
  /** What the VMM answers to the next TDVMCALLs of one sub-function. */
  | { kind: 'vmm-answers'; leaf: TdvmcallLeaf; answers: VmmAnswer[] }
  /** How long the VMM takes to complete a GetQuote: `seconds` after the request, or never (null). */
  | { kind: 'vmm-quote-time'; seconds: number | null }
  /** A range of shared GPAs (without the shared bit) the VMM emulates as MMIO. */
  | { kind: 'vmm-mmio'; gpa: bigint; size: bigint; value: bigint }
  /** Private memory the VMM added but the guest has not accepted. */
  | { kind: 'unaccepted-memory'; gpa: bigint; pages: number }
  /** The host CPU lacks these bits of a CPUID register (subleaf -1: none). */
  | { kind: 'host-cpuid-lacks'; leaf: number; subleaf: number; reg: 'eax' | 'ebx' | 'ecx' | 'edx'; bits: number }
  /** The TDX module answers a TDCALL leaf (TDG.*) with this status instead of serving it. */
  | { kind: 'module-tdcall-status'; leaf: TdcallLeaf; status: bigint };

/**
 * One scripted VMM answer: a status for R10 and, for the RETRY of MapGPA, where to resume (R11),
 * given as an offset in bytes from the start GPA of the call being answered.
 */
export interface VmmAnswer {
  status: bigint;
  r11?: bigint;
  resumeOffset?: bigint;
}
