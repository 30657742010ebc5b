/**
 * KVM's TDX support as a user-space VMM sees it: the kvm_intel module and its parameters, the
 * ioctls a VMM issues on /dev/kvm, a VM and its vCPUs (each answering with a kernel-style result
 * and the structure the kernel wrote back), KVM_RUN with the exit it returns in kvm_run, and the
 * answer a VMM writes into kvm_run before running the vCPU again. See port.ts for the conventions.
 *
 * Numbers follow the UAPI (spec/abi/kvm-uapi.ts): VM types, KVM_TDX_* ids and exit reasons are
 * passed as the numbers a VMM would pass, so a scenario can also pass a number KVM does not know.
 */
import type { GuestInstruction, GuestOutcome } from './guest-facet';
import type { KernelResult, Observed, Regs } from './port';

export const KVM_CAPABILITIES = {
  'kvm.ioctl': 'KVM ioctls can be issued as a VMM would',
  'kvm.module': 'the kvm_intel module can be loaded with chosen parameters and its parameters read',
  'kvm.test-guest': 'a test guest inside a TD can be made to issue chosen TDVMCALLs, memory accesses and TD exits',
  'kvm.seamcall-trace': 'the SEAMCALLs KVM issues for a TD can be traced',
  'kvm.mmu': "KVM's private (S-EPT) and shared mappings of a TD can be inspected",
} as const;

/** Module parameters of kvm and kvm_intel that decide whether KVM brings up TDX. */
export const KVM_PARAMS = [
  'kvm_intel.tdx', 'kvm_intel.ept', 'kvm_intel.eptad', 'kvm_intel.enable_apicv',
  'kvm.tdp_mmu', 'kvm.mmio_caching', 'kvm.enable_virt_at_load',
] as const;

export type KvmParam = (typeof KVM_PARAMS)[number];
export const isKvmParam = (s: string): s is KvmParam => (KVM_PARAMS as readonly string[]).includes(s);

/**
 * How the user-space VMM answers the exits it receives while a guest runs inside a TD without a
 * scenario answering each exit by hand (the guest model's path). Unset fields take the answer a
 * VMM that implements the GHCI would give (convert memory and succeed, return a quote...).
 */
export interface VmmScript {
  /** kvm_run.hypercall.ret for MapGPA pieces. */
  mapGpaRet?: bigint;
  /** Fail (ret 1) the MapGPA piece with this index (0 = first). */
  mapGpaFailPiece?: number;
  /** Make an interrupt pending on the vCPU while answering this MapGPA piece (0 = first). */
  interruptAtMapGpaPiece?: number;
  /** kvm_run.tdx.get_quote.ret. */
  quoteRet?: bigint;
  /** kvm_run.tdx.setup_event_notify.ret. */
  eventNotifyRet?: bigint;
  /** Data returned for port reads and MMIO reads. */
  ioInData?: bigint;
  mmioReadData?: bigint;
}

/** Preconditions of KVM scenarios (see Arrangement in port.ts). */
export type KvmArrangement =
  /** A kvm or kvm_intel module parameter, as given on the kernel command line. */
  | { kind: 'kvm-param'; param: KvmParam; value: boolean }
  /** KVM brought TDX up: it offers TDs on this machine (kvm_intel.tdx reads Y). */
  | { kind: 'kvm-tdx-up' }
  /** Everything KVM's TDX bring-up checks is on, apart from what the scenario turned off (spec/kernel/kvm-tdx-needs.ts). */
  | { kind: 'kvm-tdx-needs'; except: string[] }
  /** Whether the CPU's EPT supports 5-level paging (needed for a GPA width of 52). */
  | { kind: 'ept-5level'; present: boolean }
  /** The TDX module reports this MAX_VCPUS_PER_TD. */
  | { kind: 'module-max-vcpus-per-td'; value: number }
  /** How the user-space VMM answers exits while the guest model runs. */
  | { kind: 'vmm-script'; script: VmmScript };

/** A file descriptor a KVM ioctl returned, or the errno it failed with. */
export interface FdResult {
  result: KernelResult;
  fd?: number;
}

export interface CpuidEntry {
  function: number;
  index: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  /** KVM_CPUID_FLAG_SIGNIFCANT_INDEX and friends. */
  flags?: number;
}

/** struct kvm_tdx_init_mem_region */
export interface InitMemRegion {
  /** The source address; absent: pages of the VMM's own memory (page-aligned, plus `sourceOffset`). */
  sourceAddr?: bigint;
  sourceOffset?: bigint;
  gpa: bigint;
  nrPages: bigint;
}

/** The `data` a sub-command points to, by sub-command. */
export type TdxCmdData =
  | { kind: 'capabilities'; nent: number }
  | {
      kind: 'init-vm';
      attributes: bigint;
      xfam: bigint;
      cpuid: CpuidEntry[];
      /** kvm_tdx_init_vm.reserved[12]; absent means all zero. */
      reserved?: bigint[];
      mrconfigid?: bigint[];
    }
  | { kind: 'init-vcpu'; rcx: bigint }
  | { kind: 'init-mem-region'; region: InitMemRegion }
  | { kind: 'get-cpuid'; nent: number }
  | { kind: 'none'; data?: bigint };

/** struct kvm_tdx_cmd as user space fills it. */
export interface TdxCmd {
  /** A KVM_TDX_* id (spec/abi/kvm-uapi.ts), or any other number. */
  id: number;
  flags?: number;
  /** Must be 0 on input; KVM writes the SEAMCALL status into it. */
  hwError?: bigint;
  data: TdxCmdData;
}

export interface TdxCapabilities {
  supportedAttrs: bigint;
  supportedXfam: bigint;
  cpuid: CpuidEntry[];
  /** The GetTdVmCallInfo leaf-1 bits KVM reports (kernel_/user_tdvmcallinfo_1_r11/r12), where it has them. */
  tdvmcallinfo?: { kernelR11: bigint; userR11: bigint; kernelR12: bigint; userR12: bigint };
}

/** What KVM_MEMORY_ENCRYPT_OP returned and wrote back. */
export interface TdxCmdResult {
  result: KernelResult;
  /** kvm_tdx_cmd.hw_error after the call. */
  hwError: bigint;
  capabilities?: TdxCapabilities;
  /** kvm_cpuid2.nent after the call (capabilities and get-cpuid). */
  nent?: number;
  cpuid?: CpuidEntry[];
  /** The region after the call: KVM advances it as pages are added. */
  region?: InitMemRegion;
}

/** The exit KVM_RUN left in kvm_run, by exit reason. */
export type KvmExit =
  | { reason: 'KVM_EXIT_IO'; code: number; direction: 'in' | 'out'; size: number; port: number; count: number; data?: bigint }
  | { reason: 'KVM_EXIT_HYPERCALL'; code: number; nr: bigint; args: bigint[]; ret: bigint; flags: bigint }
  | { reason: 'KVM_EXIT_MMIO'; code: number; physAddr: bigint; len: number; isWrite: boolean; data?: bigint }
  | { reason: 'KVM_EXIT_SYSTEM_EVENT'; code: number; type: number; ndata: number; data: bigint[] }
  | { reason: 'KVM_EXIT_TDX'; code: number; tdx: KvmExitTdx }
  | { reason: 'KVM_EXIT_INTERNAL_ERROR'; code: number; suberror: number; ndata: number; data: bigint[] }
  | { reason: 'KVM_EXIT_MEMORY_FAULT'; code: number; flags: bigint; gpa: bigint; size: bigint }
  | { reason: 'KVM_EXIT_SHUTDOWN'; code: number };

/** kvm_run.tdx: flags, the TDVMCALL leaf in nr, and the union member that leaf uses. */
export interface KvmExitTdx {
  flags: bigint;
  nr: bigint;
  getQuote?: { ret: bigint; gpa: bigint; size: bigint };
  getTdvmcallInfo?: { ret: bigint; leaf: bigint; r11: bigint; r12: bigint; r13: bigint; r14: bigint };
  setupEventNotify?: { ret: bigint; vector: bigint };
}

/** What KVM_RUN returned. */
export interface RunResult {
  result: KernelResult;
  exit?: KvmExit;
  /** The vCPU is halted waiting for an interrupt (KVM_RUN was interrupted by a signal). */
  halted?: boolean;
}

/** The fields of kvm_run user space writes before the next KVM_RUN. */
export interface ExitAnswer {
  hypercallRet?: bigint;
  /** kvm_run.tdx.<member>.ret (the union members share it). */
  tdxRet?: bigint;
  tdvmcallInfo?: { r11: bigint; r12: bigint; r13: bigint; r14: bigint };
  /** Data for an IN or an MMIO read. */
  data?: bigint;
}

/** vCPU ioctls KVM refuses for TDs (or that a scenario wants to see refused). */
export const TD_REFUSED_IOCTLS = [
  'KVM_GET_REGS', 'KVM_SET_REGS', 'KVM_GET_SREGS', 'KVM_SET_SREGS', 'KVM_GET_DEBUGREGS', 'KVM_SET_DEBUGREGS',
  'KVM_SMI', 'KVM_SET_MP_STATE(INIT_RECEIVED)',
] as const;

export type VcpuIoctl = (typeof TD_REFUSED_IOCTLS)[number];
export const isVcpuIoctl = (s: string): s is VcpuIoctl => (TD_REFUSED_IOCTLS as readonly string[]).includes(s);

/** What the test guest inside the TD does next. */
export type GuestAction =
  /** TDG.VP.VMCALL with these registers (R10, R11 = leaf, R12..). */
  | { kind: 'tdvmcall'; regs: Regs }
  /** A load or store to a guest physical address. */
  | { kind: 'access'; gpa: bigint; write: boolean }
  /** A TD exit with this basic exit reason that is not a TDVMCALL (e.g. a triple fault). */
  | { kind: 'td-exit'; exitReason: number };

/** What the test guest saw when its last TDVMCALL returned. */
export interface GuestView {
  /** Output registers of the last completed TDVMCALL: R10 status, R11..R15 values. */
  regs: Regs;
  /** Actions the guest completed so far. */
  completed: number;
}

/** One SEAMCALL KVM issued. */
export interface SeamcallTraceEntry {
  leaf: string;
  cpu: number;
  status: bigint;
  /**
   * The output registers the call returned, where the target records them (optional): for a
   * TDH.VP.ENTER that ended in a TD exit, the exit qualification in RCX and the GPA in R8.
   */
  out?: Regs;
}

/** A private mapping of a TD (S-EPT leaf) or a shared one. */
export interface TdMapping {
  gpa: bigint;
  /** Page size of the mapping in bytes. */
  size: bigint;
}

export interface KvmFacet {
  /** modprobe kvm_intel with the parameters the command line gives. Repeated calls see the loaded module. */
  load(): Observed<KernelResult>;
  /** /sys/module/<module>/parameters/<name>, e.g. `kvm_intel.tdx` → "Y" or "N". */
  param(param: KvmParam): Observed<string>;
  /** KVM_CHECK_EXTENSION on /dev/kvm. */
  checkExtension(cap: number): Observed<bigint>;
  createVm(type: number): Observed<FdResult>;
  /** KVM_CHECK_EXTENSION on a VM. */
  vmCheckExtension(vm: number, cap: number): Observed<bigint>;
  enableCap(vm: number, cap: number, args: bigint[]): Observed<KernelResult>;
  /** KVM_X86_SET_MSR_FILTER: deny these MSR accesses to the guest. */
  setMsrFilter(vm: number, deny: { msr: number; read: boolean; write: boolean }[]): Observed<KernelResult>;
  /** KVM_SET_MEMORY_ATTRIBUTES */
  setMemoryAttributes(vm: number, gpa: bigint, size: bigint, attributes: bigint): Observed<KernelResult>;
  /**
   * Give the VM guest memory at [gpa, gpa + size): shared pages from the VMM's memory and private
   * pages from a guest_memfd (KVM_CREATE_GUEST_MEMFD, KVM_SET_USER_MEMORY_REGION2).
   */
  addGuestMemory(vm: number, gpa: bigint, size: bigint): Observed<KernelResult>;
  /** KVM_MEMORY_ENCRYPT_OP on the VM. */
  vmTdxCmd(vm: number, cmd: TdxCmd): Observed<TdxCmdResult>;
  createVcpu(vm: number, id: number): Observed<FdResult>;
  /** KVM_MEMORY_ENCRYPT_OP on a vCPU. */
  vcpuTdxCmd(vm: number, vcpu: number, cmd: TdxCmd): Observed<TdxCmdResult>;
  /** KVM_SET_CPUID2 */
  setCpuid(vm: number, vcpu: number, entries: CpuidEntry[]): Observed<KernelResult>;
  /** A vCPU ioctl by name (register access, KVM_SMI, forcing INIT). */
  vcpuIoctl(vm: number, vcpu: number, ioctl: VcpuIoctl): Observed<KernelResult>;
  /** KVM_GET_MP_STATE */
  mpState(vm: number, vcpu: number): Observed<{ result: KernelResult; state?: number }>;
  /** Make an interrupt pending on the vCPU (KVM_SIGNAL_MSI to its APIC). */
  signalMsi(vm: number, vcpu: number, vector: number): Observed<KernelResult>;
  /** KVM_RUN */
  run(vm: number, vcpu: number): Observed<RunResult>;
  /** Write the answer to the pending exit into kvm_run. */
  answer(vm: number, vcpu: number, answer: ExitAnswer): Observed<KernelResult>;
  /** Close the VM and its vCPUs: KVM tears the TD down. */
  destroyVm(vm: number): Observed<KernelResult>;
  /** Queue what the test guest does next on this vCPU. */
  guestDo(vm: number, vcpu: number, action: GuestAction): Observed<KernelResult>;
  guestView(vm: number, vcpu: number): Observed<GuestView>;
  /** SEAMCALLs KVM issued for TDs since the scenario started, in order. */
  seamcallTrace(): Observed<SeamcallTraceEntry[]>;
  privateMappings(vm: number): Observed<TdMapping[]>;
  sharedMappings(vm: number): Observed<TdMapping[]>;
  /** Exits the user-space VMM received and answered while the guest model ran in this TD. */
  vmmExits(vm: number): Observed<KvmExit[]>;
  /**
   * Run one instruction of the guest model (the emulated TD guest) on a vCPU of this TD; its
   * TDVMCALLs go through KVM and the VMM script. Returns the guest model's outcome record.
   */
  guestExecute(vm: number, vcpu: number, instruction: GuestInstruction): Observed<GuestOutcome>;
}
