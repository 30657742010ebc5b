/**
 * What a person reading a capture concludes from it: the machine's role, its kernel, and for a
 * host the KeyIDs, module, CMRs, PAMT and how initialisation went, for a guest what the kernel
 * said about the TD. Every conclusion is drawn from evidence.ts, never guessed: what the capture
 * does not say stays null, a cut capture is "incomplete", and conflicts become warnings.
 *
 * Kernel behaviour used to read the log (@src:tdx-c-mid, @src:tdx-c-618, @src:tdx-c-new):
 * detection prints the KeyID range and then either refuses (too few KeyIDs, hibernation) or
 * marks the platform; initialisation ends with "module initialized" / "TDX-Module initialized"
 * or "... initialization failed (%d)"; a first SEAMCALL failing with VMfailInvalid prints
 * "module not loaded" (ENODEV); pre-merge kernels printed "not enabled by BIOS." when it raised
 * #GP (ENODEV, @src:ml-host-premerge-seamcall-gp, seen in @src:capture-canonical-tdx-33).
 * A host log with detection lines and nothing after them shows a boot that never initialised
 * the module (@src:capture-canonical-tdx-382); one whose last line is cut shows nothing about
 * how initialisation ended, whatever the fragment suggests (@src:capture-canonical-tdx-135-truncated).
 * Lines typed by hand carry no timestamps and may be shortened (@src:capture-canonical-tdx-425);
 * guest logs may carry printk caller ids (@src:capture-guest-dmesg). A log that does not end with
 * a newline may be cut in its last line, which is then never a fact. A log whose initialisation
 * started (module information, CMRs, PAMT printed) but shows no outcome is "incomplete".
 * The 2022 series before the v6.8 merge printed with a plain "tdx: " prefix: the host's
 * "TDX module initialized." and "Failed to initialize TDX module. Shut it down."
 * (@src:ml-host-premerge-2022), KVM's "Cannot enable TDX on TDX disabled platform" when the BIOS
 * did not enable TDX (@src:ml-kvm-tdx-premerge-2022).
 */
import { errnoName, type ErrnoName } from '../../spec/abi/errno';
import { fieldKey } from '../../spec/encodings/field-id';
import { GLOBAL_FIELDS } from '../../spec/abi/global-metadata';
import { leafByNumber } from '../../spec/encodings/seamcall';
import { statusName } from '../../spec/abi/status';
import { assumedMainlineFlavour, flavourOfRelease, type Eras } from '../../spec/kernel/flavours';
import { flavoursConsistentWith } from '../../spec/kernel/dialects';
import type { MessageId } from '../../spec/kernel/printk';
import type { Role } from '../port';
import { demoteLine, parseKernelLog, type LogEvent, type ParsedLog, type PartialEvent } from '../common/kernel-log';
import { cpuidKey, msrKey, type CpuFlags, type Evidence, type Unreadable } from './evidence';
import { parseBootLines, type BootLines, type NodeSpan } from './parse/boot-lines';
import { parseTdxHostVersion } from './parse/sysfs';

export type InitOutcome = 'initialized' | 'failed' | 'not-loaded' | 'not-enabled' | 'not-attempted' | 'incomplete';

export interface ModuleFacts {
  major: number | null;
  minor: number | null;
  update: number | null;
  build: number | null;
  buildDate: number | null;
}

export interface FailedSeamcall {
  leaf: number;
  leafName: string | null;
  status: string;
  statusName: string | null;
}

export interface HostFacts {
  /** Detection passed: the kernel marked the platform a TDX host. */
  detected: boolean;
  keyIdRange: [number, number] | null;
  module: ModuleFacts;
  cmrs: { base: string; end: string }[];
  /**
   * The capture shows the whole CMR list: it neither starts nor ends inside the run of CMR lines
   * (the kernel prints them one after another) nor leaves lines out next to it.
   */
  cmrsComplete: boolean;
  pamtKb: number | null;
  init: InitOutcome;
  initErrno: ErrnoName | null;
  failedSeamcall: FailedSeamcall | null;
  cause: string | null;
  s3Disabled: boolean | null;
}

export interface GuestFacts {
  detected: boolean;
  memoryEncryption: string | null;
  attributes: string[] | null;
  tdCtls: string[] | null;
  devTdxGuest: boolean | null;
  tsmProvider: string | null;
  cpuidSignature: string | null;
}

export interface CaptureFacts {
  role: Role;
  roleEvidence: string[];
  kernel: { release: string | null; flavour: string | null; eras: Eras | null; cmdline: string[] | null };
  host: HostFacts | null;
  guest: GuestFacts | null;
  platform: {
    cpu: { vendor: string | null; family: number | null; model: number | null; modelName: string | null };
    firmware: string | null;
    numaNodes: { node: number; base: string; end: string }[] | null;
    keyIdPartitioning: { mktme: number | null; tdx: number; source: string } | null;
    cpuFlags: { tdxHostPlatform: boolean | null; tdxGuest: boolean | null; tdxPwMce: boolean | null; complete: boolean } | null;
    sleepStates: string[] | null;
  };
  log: { source: string; lines: number; tdxMessages: number; complete: boolean; excerpt: boolean } | null;
  formats: string[];
  unreadable: Unreadable[];
  warnings: string[];
}

/** Everything derived, kept together so the target and the CLI read the same conclusions. */
export interface Reading {
  evidence: Evidence;
  parsed: ParsedLog;
  boot: BootLines;
  facts: CaptureFacts;
}

const hex = (v: bigint): string => '0x' + v.toString(16);
const TDX_SIGNATURE = 'IntelTDX    ';

/** The 12-character CPUID 0x21 signature, in the order EBX, EDX, ECX (@src:guest-c). */
export function cpuidSignature(ebx: number, ecx: number, edx: number): string {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(ebx >>> 0, 0);
  b.writeUInt32LE(edx >>> 0, 4);
  b.writeUInt32LE(ecx >>> 0, 8);
  return b.toString('latin1');
}

const last = (events: readonly LogEvent[], id: MessageId): LogEvent | undefined => [...events].reverse().find((e) => e.id === id);
const has = (events: readonly LogEvent[], id: MessageId): boolean => events.some((e) => e.id === id);
const num = (e: LogEvent, i: number): number => Number(e.values[i] as bigint);

/** Messages that only a kernel that passed TDX detection and tried to initialise prints. */
export const INIT_PHASE: readonly MessageId[] = [
  'module-info', 'cmr', 'pamt-allocated', 'init-done', 'init-failed', 'seamcall-failed', 'module-not-loaded',
  'not-enabled-by-bios', 'tdmrs-exhausted', 'reserved-areas-exhausted', 'no-rbp-mod', 'kvm-init-failed',
  'init-failed-premerge', 'offline-cpus-premerge', 'kvm-tdx-supported-premerge',
];
const DETECTION_REFUSED: MessageId[] = ['too-few-keyids', 'hibernation-enabled', 'memory-notifier-failed', 'kvm-platform-tdx-disabled', 'kvm-seamrr-disabled'];
/** Printed while the module is being initialised, before the outcome. */
const INIT_STARTED: readonly MessageId[] = ['module-info', 'cmr', 'pamt-allocated', 'tdmrs-near-limit', 'pamt-node-fallback'];
/** KVM's TDX setup of the 2022 series: only a kernel built as a TDX host prints them. */
const KVM_SETUP_PREMERGE: readonly MessageId[] = ['kvm-platform-tdx-disabled', 'kvm-seamrr-disabled', 'kvm-ept-disabled-premerge', 'kvm-tdx-supported-premerge'];

function moduleFacts(events: readonly LogEvent[], ev: Evidence, warnings: string[]): ModuleFacts {
  const m: ModuleFacts = { major: null, minor: null, update: null, build: null, buildDate: null };
  const set = (k: keyof ModuleFacts, v: number | null, from: string): void => {
    if (v === null) return;
    if (m[k] !== null && m[k] !== v) warnings.push(`module ${k} differs between sources: ${m[k]} and ${v} (${from})`);
    else m[k] = v;
  };
  // sysfs first: where it shows the module, the target's version is sysfs's, and the log's module
  // line is then checked against it (a differing log value is a warning here, a failure there).
  if (ev.sysfsModule) {
    set('major', ev.sysfsModule.major, 'sysfs'); set('minor', ev.sysfsModule.minor, 'sysfs');
    set('build', ev.sysfsModule.buildNum, 'sysfs'); set('buildDate', ev.sysfsModule.buildDate, 'sysfs');
  }
  const hv = ev.tdxHostVersion ? parseTdxHostVersion(ev.tdxHostVersion) : null;
  if (hv) {
    set('major', hv.major, 'tdx_host'); set('minor', hv.minor, 'tdx_host'); set('update', hv.update, 'tdx_host');
  }
  const info = last(events, 'module-info');
  if (info) {
    const v = info.values.map((x) => Number(x as bigint));
    if (info.variant === 'attributes') {
      // attributes, vendor_id, major, minor, build_date (decimal), build_num
      set('major', v[2], 'log'); set('minor', v[3], 'log'); set('buildDate', v[4], 'log'); set('build', v[5], 'log');
    } else if (info.variant === 'build') {
      // The 6.14 line prints the yyyymmdd number with %08x ("0134fed5" is 20250325).
      set('major', v[0], 'log'); set('minor', v[1], 'log'); set('update', v[2], 'log'); set('build', v[4], 'log'); set('buildDate', v[5], 'log');
    } else {
      set('major', v[0], 'log'); set('minor', v[1], 'log'); set('update', v[2], 'log');
    }
  }
  return m;
}

interface InitReading {
  init: InitOutcome;
  errno: ErrnoName | null;
  failed: FailedSeamcall | null;
  cause: string | null;
}

function describeSeamcall(e: LogEvent, events: readonly LogEvent[], module: ModuleFacts): { failed: FailedSeamcall; cause: string } {
  const leafNo = Number(e.values[0] as bigint);
  const st = e.values[1] as bigint;
  const l = leafByNumber(leafNo & 0xffff);
  const failed: FailedSeamcall = { leaf: leafNo, leafName: l?.name ?? null, status: '0x' + st.toString(16).padStart(16, '0'), statusName: statusName(st) ?? null };
  let cause = `${failed.leafName ?? `SEAMCALL leaf ${leafNo}`} returned ${failed.statusName ?? failed.status}`;
  // The register dump right after a failed TDH.SYS.RD carries the field id in RDX.
  const regs = events.find((x) => x.id === 'seamcall-regs-1' && x.line === e.line + 1);
  if (l?.name === 'TDH.SYS.RD' && regs) {
    const id = regs.values[1] as bigint;
    const f = GLOBAL_FIELDS.find((g) => fieldKey(g.baseId) === fieldKey(id));
    cause += ` while the kernel read global metadata field ${hex(id)}${f ? ` (${f.name})` : ''}`;
  }
  if (l && module.major !== null && module.minor !== null) {
    const [sMaj, sMin] = l.since.split('.').map(Number);
    if (module.major < sMaj || (module.major === sMaj && module.minor < sMin)) {
      cause += `; TDX module ${module.major}.${module.minor} does not implement ${l.name} (first in ${l.since})`;
    }
  }
  return { failed, cause };
}

/** What the 2022 series' messages say by themselves about initialisation. */
const PREMERGE_OUTCOMES: Partial<Record<MessageId, InitReading>> = {
  'offline-cpus-premerge': { init: 'failed', errno: 'EINVAL', failed: null, cause: 'initialisation was refused because not every CPU was online' },
  'kvm-platform-tdx-disabled': { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'KVM found TDX not enabled on this platform (no TDX private KeyIDs from the BIOS)' },
  'kvm-seamrr-disabled': { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'KVM found SEAMRR disabled: the BIOS did not enable TDX' },
};

function initReading(parsed: ParsedLog, cutAtEnd: PartialEvent | null, module: ModuleFacts, detected: boolean, hasLog: boolean): InitReading {
  const ev = parsed.events;
  // Without a kernel log the capture cannot show how initialisation went.
  if (!hasLog) return { init: 'incomplete', errno: null, failed: null, cause: null };
  let out: InitReading = { init: detected ? 'not-attempted' : 'not-enabled', errno: null, failed: null, cause: null };
  let seamcall: { failed: FailedSeamcall; cause: string } | null = null;
  for (const e of ev) {
    const settled = PREMERGE_OUTCOMES[e.id];
    if (settled) {
      out = settled;
      continue;
    }
    switch (e.id) {
      case 'seamcall-failed':
        seamcall = describeSeamcall(e, ev, module);
        out = { init: 'failed', errno: 'EIO', failed: seamcall.failed, cause: seamcall.cause };
        break;
      case 'init-done':
        out = { init: 'initialized', errno: null, failed: null, cause: null };
        break;
      case 'init-failed': {
        const n = Number(e.values[0] as bigint);
        out = { init: 'failed', errno: errnoName(n) ?? null, failed: seamcall?.failed ?? out.failed, cause: seamcall?.cause ?? out.cause ?? `initialisation failed (${n})` };
        break;
      }
      case 'kvm-init-failed':
        if (out.init !== 'failed') out = { init: 'failed', errno: null, failed: null, cause: 'KVM reported that the TDX module could not be initialised' };
        break;
      case 'init-failed-premerge':
        out = {
          init: 'failed', errno: e.variant === 'plain' ? null : 'EFAULT', failed: seamcall?.failed ?? null,
          cause: seamcall?.cause ?? (e.variant === 'plain' ? 'initialisation failed' : 'initialisation failed and the kernel shut the module down'),
        };
        break;
      case 'kvm-ept-disabled-premerge':
        if (out.init === 'not-attempted') out = { init: 'not-attempted', errno: 'EINVAL', failed: null, cause: 'KVM did not set up TDX because EPT is disabled' };
        break;
      case 'module-not-loaded':
        out = { init: 'not-loaded', errno: 'ENODEV', failed: null, cause: 'the BIOS loaded no TDX module: the first SEAMCALL failed with VMfailInvalid' };
        break;
      case 'not-enabled-by-bios':
        out = { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'the first SEAMCALL raised #GP, which this kernel reports as TDX not enabled by the BIOS' };
        break;
      case 'too-few-keyids':
        out = { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'detection refused TDX: fewer than two TDX KeyIDs' };
        break;
      case 'hibernation-enabled':
        out = { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'detection refused TDX: hibernation is available (boot with nohibernate)' };
        break;
      case 'memory-notifier-failed':
        out = { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'detection refused TDX: the memory hotplug notifier could not be registered' };
        break;
      case 'platform-unsupported':
        out = { init: 'not-enabled', errno: 'ENODEV', failed: null, cause: 'the kernel found no TDX host platform' };
        break;
      case 'xsave-required':
      case 'movdir64b-required':
        out = { init: 'failed', errno: 'EINVAL', failed: null, cause: e.text.slice(e.prefix.length) };
        break;
      case 'selfsnoop-required':
        out = { init: 'failed', errno: 'ENODEV', failed: null, cause: e.text.slice(e.prefix.length) };
        break;
      case 'no-rbp-mod':
        out = { init: 'failed', errno: 'EINVAL', failed: null, cause: 'the module lacks NO_RBP_MOD (frame pointer clobber bug)' };
        break;
      case 'tdmrs-exhausted':
      case 'reserved-areas-exhausted':
        out = { init: 'failed', errno: 'ENOSPC', failed: null, cause: e.text.slice(e.prefix.length) };
        break;
    }
  }
  // A log cut before its outcome (the last line could be any of several messages), or one whose
  // initialisation started and shows no end: it does not say how initialisation went.
  const started = ev.some((e) => INIT_STARTED.includes(e.id));
  if ((cutAtEnd || started) && out.init === 'not-attempted') {
    return { init: 'incomplete', errno: null, failed: out.failed, cause: started ? 'initialisation started (module information, CMRs or PAMT printed) but the capture ends before its outcome' : null };
  }
  return out;
}

function roleOf(ev: Evidence, parsed: ParsedLog, boot: BootLines, flags: CpuFlags | null): { role: Role; because: string[] } {
  const events = parsed.events;
  const guest: string[] = [];
  const host: string[] = [];
  if (has(events, 'guest-detected')) guest.push('kernel log: "tdx: Guest detected"');
  if (has(events, 'memory-encryption')) guest.push('kernel log: memory encryption active with Intel TDX');
  if (flags?.flags.includes('tdx_guest')) guest.push('CPU flag tdx_guest');
  if (ev.devTdxGuest) guest.push('/dev/tdx_guest exists');
  if (ev.tdxGuestModule) guest.push('tdx_guest module loaded');
  if (ev.tsmProvider === 'tdx_guest') guest.push('configfs-tsm provider is tdx_guest');
  const sig = ev.cpuid[cpuidKey(0, 0x21, 0)];
  if (sig && cpuidSignature(sig.ebx, sig.ecx, sig.edx) === TDX_SIGNATURE) guest.push('CPUID 0x21 says "IntelTDX    "');
  if (has(events, 'keyid-range')) host.push('kernel log: private KeyID range');
  if (INIT_PHASE.some((id) => has(events, id))) host.push('kernel log: TDX module initialisation messages');
  if (KVM_SETUP_PREMERGE.some((id) => has(events, id))) host.push("kernel log: KVM's TDX setup messages (2022 series)");
  if (flags?.flags.includes('tdx_host_platform')) host.push('CPU flag tdx_host_platform');
  if (ev.sysfsModule) host.push('TDX module sysfs information');
  if (ev.tdxHostVersion) host.push('tdx_host sysfs device');
  if (guest.length && host.length) return { role: 'unknown', because: [...guest, ...host, 'both host and guest signs: contradictory capture'] };
  if (guest.length) return { role: 'guest', because: guest };
  if (host.length) return { role: 'host', because: host };
  // "none" needs positive evidence that TDX is absent, not just silence.
  const none: string[] = [];
  if (flags?.complete && !flags.flags.includes('tdx_host_platform') && !flags.flags.includes('tdx_guest')) none.push('CPU flags have neither tdx_host_platform nor tdx_guest');
  if (ev.cpuinfoMentionsTdx === false) none.push('system report: no "tdx" anywhere in /proc/cpuinfo');
  const wholeLog = ev.log && boot.startsAtBoot && boot.release !== null && !ev.log.excerpt;
  if (wholeLog && parsed.events.length === 0 && parsed.partial.length === 0) none.push('the kernel log from boot on has no TDX message');
  if (ev.log?.excerpt && ev.log.source.startsWith('system-report') && ev.log.lines.length === 0) none.push('system report: dmesg has no line mentioning tdx');
  if (none.length) return { role: 'none', because: none };
  return { role: 'unknown', because: ['nothing in the capture says whether this machine is a TDX host or guest'] };
}

function keyIdPartitioning(ev: Evidence): CaptureFacts['platform']['keyIdPartitioning'] {
  const msr = ev.msrs[msrKey(0, 0x87)];
  if (msr && 'value' in msr) return { mktme: Number(msr.value & 0xffffffffn), tdx: Number(msr.value >> 32n), source: 'MSR 0x87' };
  if (ev.reportedMsrs?.tdxPrivateKeyIds != null) return { mktme: null, tdx: ev.reportedMsrs.tdxPrivateKeyIds, source: 'system report (rdmsr 0x87 -f 63:32)' };
  return null;
}

/** The one flavour a log without a release is consistent with, or null when several or none are. */
function inferFlavour(parsed: ParsedLog) {
  const tdxEvents = parsed.events.filter((e) => e.prefix === 'virt/tdx: ' || e.prefix === 'tdx: ');
  if (tdxEvents.length === 0) return null;
  const sysRdSeen = parsed.events.some((e) => e.id === 'seamcall-failed' && e.values[0] === 0x22n);
  const candidates = flavoursConsistentWith(tdxEvents, sysRdSeen);
  return candidates.length === 1 ? candidates[0] : null;
}

/** Draw the conclusions from the evidence. */
export function readEvidence(ev: Evidence): Reading {
  const lines = ev.log?.lines ?? [];
  const parsed = parseKernelLog(lines);
  if (ev.log?.lastLineCut && lines.length) demoteLine(parsed, lines.length - 1);
  const boot = parseBootLines(lines);
  const warnings = [...ev.notes.filter((n) => n.startsWith('warning: ')).map((n) => n.slice(9))];
  const flags = ev.cpuFlags;
  const { role, because } = roleOf(ev, parsed, boot, flags);

  const release = ev.unameRelease ?? boot.release;
  if (ev.unameRelease && boot.release && ev.unameRelease !== boot.release) warnings.push(`kernel release differs: uname says ${ev.unameRelease}, the log ${boot.release}`);
  const claimed = release ? flavourOfRelease(release) : null;
  const assumed = release && !claimed ? assumedMainlineFlavour(release) : null;
  const inferred = !release ? inferFlavour(parsed) : null;
  const fl = claimed ?? assumed ?? inferred;
  if (assumed) warnings.push(`kernel ${release} is not a known flavour: assuming ${assumed.name} from its version (a distribution kernel may differ)`);
  if (inferred) warnings.push(`kernel release not in the capture: ${inferred.name} inferred from the log's wording and SEAMCALLs (the only flavour consistent with them)`);
  const cmdline = ev.cmdline ?? boot.cmdline;
  if (boot.cmdlineCut && !ev.cmdline) warnings.push('the two copies of the command line in the log differ (cut by a terminal?): only the tokens both show are used');
  if (release && !fl) warnings.push(`kernel ${release} belongs to no known flavour: era-specific behaviour cannot be decided`);

  // The last line cut short: the capture stops before its end.
  const lastLine = lines.length ? lines.length - 1 : -1;
  const cutAtEnd = parsed.partial.find((p) => p.line === lastLine) ?? null;
  for (const p of parsed.partial) {
    const where = p.line === lastLine ? 'the last line is cut' : `line ${p.line + 1} is shortened`;
    warnings.push(`${where}: "${p.text}" could be ${p.candidates.join(' or ')}; not read as either`);
  }

  let host: HostFacts | null = null;
  if (role === 'host') {
    const events = parsed.events;
    const refused = DETECTION_REFUSED.some((id) => has(events, id));
    const detected = !refused && (has(events, 'keyid-range') || INIT_PHASE.some((id) => has(events, id)) || !!flags?.flags.includes('tdx_host_platform') || !!ev.sysfsModule || !!ev.tdxHostVersion);
    const k = last(events, 'keyid-range');
    const module = moduleFacts(events, ev, warnings);
    let init = initReading(parsed, cutAtEnd, module, detected, ev.log !== null);
    if (ev.sysfsModule?.status && (init.init === 'not-attempted' || (init.init === 'incomplete' && !ev.log))) {
      // The Intel kernels' sysfs says how the module is, whatever the log shows.
      if (ev.sysfsModule.status === 'initialized') init = { init: 'initialized', errno: null, failed: null, cause: null };
    }
    const pamt = last(events, 'pamt-allocated');
    const cmrCut = cmrListCut(events, ev.log, cutAtEnd);
    if (cmrCut) warnings.push(`the CMR list may be cut (${cmrCut}): the machine may have more CMRs than the capture shows`);
    host = {
      detected,
      keyIdRange: k ? [num(k, 0), num(k, 1)] : null,
      module,
      cmrs: events.filter((e) => e.id === 'cmr').map((e) => ({ base: hex(e.values[0] as bigint), end: hex(e.values[1] as bigint) })),
      cmrsComplete: cmrCut === null,
      pamtKb: pamt ? num(pamt, 0) : null,
      init: init.init,
      initErrno: init.errno,
      failedSeamcall: init.failed,
      cause: init.cause,
      s3Disabled: has(events, 's3-disabled') ? true : null,
    };
    if (!ev.log && host.init === 'incomplete') warnings.push('the capture has no kernel log: it cannot show how TDX initialisation went');
    const msrPart = keyIdPartitioning(ev);
    if (k && msrPart && msrPart.mktme !== null && (msrPart.mktme + 1 !== num(k, 0) || msrPart.mktme + 1 + msrPart.tdx !== num(k, 1))) {
      warnings.push(`the logged KeyID range [${num(k, 0)}, ${num(k, 1)}) disagrees with MSR 0x87 (${msrPart.mktme} MKTME, ${msrPart.tdx} TDX KeyIDs)`);
    }
  }

  let guest: GuestFacts | null = null;
  if (role === 'guest') {
    const events = parsed.events;
    const words = (id: MessageId): string[] | null => {
      const e = last(events, id);
      return e ? String(e.values[0]).trim().split(/\s+/).filter(Boolean) : null;
    };
    const sig = ev.cpuid[cpuidKey(0, 0x21, 0)];
    guest = {
      detected: has(events, 'guest-detected') || because.length > 0,
      memoryEncryption: has(events, 'memory-encryption') ? 'Intel TDX' : null,
      attributes: words('guest-attributes'),
      tdCtls: words('guest-td-ctls'),
      devTdxGuest: ev.devTdxGuest,
      tsmProvider: ev.tsmProvider,
      cpuidSignature: sig ? cpuidSignature(sig.ebx, sig.ecx, sig.edx) : null,
    };
  }

  if (role === 'none' && ev.reportedMsrs?.tdxPrivateKeyIds) {
    warnings.push(`the BIOS reserves ${ev.reportedMsrs.tdxPrivateKeyIds} TDX private KeyIDs (MSR 0x87), but this kernel (${release ?? 'unknown'}) does not act as a TDX host`);
  }
  if (boot.dmi && /tdx\d/i.test(boot.dmi)) {
    warnings.push(`firmware "${boot.dmi}" names a TDX-enabled firmware package; its version is not a TDX module version`);
  }

  const part = keyIdPartitioning(ev);
  const facts: CaptureFacts = {
    role,
    roleEvidence: because,
    kernel: { release: release ?? null, flavour: fl?.name ?? null, eras: fl?.eras ?? null, cmdline },
    host,
    guest,
    platform: {
      cpu: {
        vendor: ev.cpu.vendor, family: ev.cpu.family ?? boot.cpu?.family ?? null, model: ev.cpu.model ?? boot.cpu?.model ?? null,
        modelName: ev.cpu.modelName ?? boot.cpu?.modelName ?? null,
      },
      firmware: boot.dmi,
      numaNodes: boot.numa.length ? mergeNodes(boot.numa).map((n) => ({ node: n.node, base: hex(n.base), end: hex(n.end) })) : null,
      keyIdPartitioning: part,
      cpuFlags: flags ? {
        tdxHostPlatform: presence(flags, 'tdx_host_platform'), tdxGuest: presence(flags, 'tdx_guest'),
        tdxPwMce: flags.bugs === null ? null : flags.bugs.includes('tdx_pw_mce') ? true : flags.bugsComplete ? false : null, complete: flags.complete,
      } : null,
      sleepStates: ev.sleepStates,
    },
    log: ev.log ? {
      source: ev.log.source, lines: lines.length, tdxMessages: parsed.events.length, complete: !cutAtEnd, excerpt: ev.log.excerpt,
    } : null,
    formats: [...new Set(ev.formats)],
    unreadable: ev.unreadable,
    warnings,
  };
  return { evidence: ev, parsed, boot, facts };
}

/** Why the run of CMR lines may not be the whole list, or null when nothing says so. */
function cmrListCut(events: readonly LogEvent[], log: Evidence['log'], cutAtEnd: PartialEvent | null): string | null {
  const at = events.filter((e) => e.id === 'cmr').map((e) => e.line);
  if (at.length === 0 || !log) return null;
  const first = Math.min(...at);
  const lastLine = Math.max(...at);
  const omitted = log.omittedBefore ?? [];
  if (first === 0) return 'the capture starts with a CMR line';
  if (omitted.some((o) => o >= first && o <= lastLine + 1)) return 'lines are left out next to or among the CMR lines';
  if (lastLine === log.lines.length - 1) return 'the capture ends with a CMR line';
  // A cut last line right after them could have been another, unless what is left of it is
  // recognisably some other message.
  if (log.lastLineCut && lastLine === log.lines.length - 2 && (!cutAtEnd || cutAtEnd.line !== lastLine + 1 || cutAtEnd.candidates.includes('cmr'))) {
    return 'the capture ends in what may be another CMR line';
  }
  return null;
}

/** A listed flag is present; an unlisted one is absent only if the list is complete. */
function presence(f: CpuFlags, flag: string): boolean | null {
  if (f.flags.includes(flag)) return true;
  return f.complete ? false : null;
}

/**
 * SRAT prints one line per memory affinity range; memblock merges the ranges of one node that
 * touch or overlap into one region unless one is hot-pluggable and the other not
 * (memblock_merge_regions() compares node and flags).
 */
export function mergeNodes(spans: readonly NodeSpan[]): NodeSpan[] {
  const sorted = [...spans].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const out: NodeSpan[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.node === s.node && prev.hotplug === s.hotplug && prev.end >= s.base) prev.end = prev.end > s.end ? prev.end : s.end;
    else out.push({ ...s });
  }
  return out;
}
