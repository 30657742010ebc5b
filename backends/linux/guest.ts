/**
 * The guest facet of a real TD (live or captured): what a process inside a TD can see of it
 * without the emulator's view of the TDX module. CPUID executed by a process (or in the kernel
 * through the cpuid driver); one instruction run by a child process, and how the child ended
 * (SIGILL for #UD, SIGSEGV for #GP or an unhandled #VE), with the log lines printed meanwhile;
 * RDMSR through the msr driver (a refused MSR reads as EIO); TDREPORTs and refused ioctls on
 * /dev/tdx_guest; the measurement registers in sysfs; configfs-tsm items; its own kernel log.
 *
 * A live TD (or an emulated one) is asked each time; a capture answers from the probes it
 * recorded (guest-probes.ts), and says so when it has no record. The module's reaction and the
 * TDVMCALLs stay unseen (`module` and `tdvmcalls` are left out). Writing an RTMR and asking for a
 * quote change the TD: a live TD does them only for a @destructive scenario of a run that allows
 * it; an emulated machine is fresh per scenario, so there they always run.
 */
import type { ErrnoName } from '../../spec/abi/errno';
import { MEASUREMENT_FILES } from '../../spec/abi/tdx-guest';
import { TDX_CMD_GET_REPORT0, TDX_REPORTDATA_LEN } from '../../spec/uapi/tdx-guest';
import type { CpuidResult, GuestFacet, GuestOutcome, GuestReaction, MeasurementRead, TdxGuestIoctlResult } from '../guest-facet';
import type { KernelInterface } from '../kernel-interface';
import { unobservable, type Capability, type Unobservable } from '../port';
import { cpuidKey, msrKey } from './evidence';
import type { Reading } from './facts';
import { insnProbeId, measurementProbeId, tdreportProbeId, tdxIoctlProbeId, TSM_ITEM_PROBE, userCpuidProbeId } from './guest-probes';
import { parseKernelLog } from '../common/kernel-log';
import { logOf } from './host';
import { cpuidOutput } from './insn-sequences';
import { readCpuid, readMsr } from './live';
import type { ProbeResult } from './probes';
import {
  observeTsmItem, readMeasurement, requestTsmReport, runOneInstruction, tdxGuestIoctl, userCpuid, writeMeasurement,
} from './tdx-guest-client';

export interface GuestFacetContext {
  reading: Reading & { probes: { results: Map<string, ProbeResult> } | null; kind: string };
  /** The seam of this scenario (null for a capture). */
  ki: KernelInterface | null;
  live: boolean;
  /** The scenario may change the TD (a fresh emulated machine, or a @destructive scenario allowed to). */
  mayChange: boolean;
}

const hex = (v: number): string => `0x${v.toString(16)}`;

/** What a process's end says the kernel did. */
function reactionOfSignal(signal: string): GuestReaction | undefined {
  if (signal === 'SIGILL') return { kind: 'sigill' };
  if (signal === 'SIGSEGV') return { kind: 'sigsegv' };
  return undefined;
}

export function linuxGuestFacet(ctx: GuestFacetContext): GuestFacet {
  const r = ctx.reading;
  const ki = ctx.ki;
  const recorded = (id: string): ProbeResult | undefined => r.probes?.results.get(id);
  const notInCapture = (what: string): Unobservable => unobservable(`${what} is not in the capture`);
  const changes = (what: string): Unobservable | null =>
    ctx.mayChange ? null : unobservable(`${what} changes the TD: it runs only in a @destructive scenario with --allow-destructive`);

  const userCpuidOf = (leaf: number, subleaf: number): CpuidResult | Unobservable => {
    const what = `CPUID ${hex(leaf)}.${subleaf} executed by a process`;
    const asked = ki ? userCpuid(ki, leaf, subleaf) : null;
    if (asked && asked.ok) return 'regs' in asked.value ? { ...asked.value.regs } : unobservable(`${what} ended with ${asked.value.signal}`);
    if (asked) return unobservable(`${what} could not run: ${asked.error}`);
    const rec = recorded(userCpuidProbeId(leaf, subleaf));
    if (!rec) return notInCapture(what);
    if (!rec.ok) return unobservable(`${what} could not run: ${rec.error}`);
    if ('run' in rec && rec.run.ended === 'returned') return { ...cpuidOutput(rec.run.out) };
    return unobservable(`${what} did not return`);
  };

  /** An ioctl's answer, from a record or live: a TDREPORT, or the errno. */
  const ioctlAnswer = (v: { errno: ErrnoName } | { tdreport: Buffer }): TdxGuestIoctlResult =>
    'errno' in v ? { result: { ok: false, errno: v.errno } } : { result: { ok: true }, tdreport: new Uint8Array(v.tdreport) };

  return {
    describe: () => unobservable("a TD's TD_CTLS, GPA width and vCPU count are not observable from inside as one description; scenarios read them where the TD shows them"),
    bootOutcome: () => (r.facts.role === 'guest' ? { ok: true } : unobservable('not a TD guest')),
    cpuFlags() {
      const f = r.evidence.cpuFlags;
      if (!f) return unobservable('/proc/cpuinfo is not in the capture');
      // A flag missing from a list that may be cut is not absent: the list is not evidence either way.
      if (!f.complete) return unobservable('the captured CPU flags list may be cut, so flags cannot be checked against it');
      return [...f.flags];
    },
    tdxGuestDevice: () => (r.evidence.devTdxGuest === null ? unobservable('whether /dev/tdx_guest exists is not in the capture') : r.evidence.devTdxGuest),
    log() {
      const l = logOf(r, ctx.live, true);
      if ('unobservable' in l) return l;
      // A capture shows every line of the boot only if it is not an excerpt and reaches the end of the boot.
      const whole = ctx.live || (!r.evidence.log?.excerpt && r.boot.bootEndLine !== null);
      return { ...l, complete: l.complete && whole };
    },
    cpuid(vcpu, leaf, subleaf, mode = 'kernel') {
      if (mode === 'user') return vcpu === 0 ? userCpuidOf(leaf, subleaf) : unobservable('a process runs CPUID on whichever CPU it is scheduled on');
      const known = r.evidence.cpuid[cpuidKey(vcpu, leaf, subleaf)];
      if (known) return { ...known };
      if (!ki) return notInCapture(`CPUID 0x${leaf.toString(16)}.${subleaf} of vCPU ${vcpu} (cpuid driver)`);
      const x = readCpuid(ki, vcpu, leaf, subleaf);
      return x.ok && 'regs' in x ? { ...x.regs } : unobservable(`CPUID cannot be read through /dev/cpu/${vcpu}/cpuid (${x.ok ? 'unexpected' : x.error})`);
    },
    rdmsr(vcpu, msr) {
      const known = r.evidence.msrs[msrKey(vcpu, msr)];
      const got = known ?? (ki ? (() => {
        const x = readMsr(ki, vcpu, msr);
        return x.ok && 'value' in x ? { value: x.value } : x.ok && 'faulted' in x ? { gp: true as const } : { error: x.ok ? 'unexpected' : x.error };
      })() : undefined);
      if (!got) return notInCapture(`MSR 0x${msr.toString(16)} of vCPU ${vcpu}`);
      if ('value' in got) return { value: got.value, faulted: false };
      if ('gp' in got) return { faulted: true };
      return unobservable(`MSR 0x${msr.toString(16)} cannot be read through /dev/cpu/${vcpu}/msr (${got.error})`);
    },
    wrmsr: () => unobservable('writing an MSR changes the TD and is not done on a real TD'),
    execute(vcpu, insn) {
      if ((insn.mode ?? 'kernel') !== 'user') return unobservable(`executing ${insn.mnemonic} in the kernel of a real TD is not possible from user space`);
      if (vcpu !== 0 || insn.context || insn.regs || insn.bytes) return unobservable('a process runs one fixed instruction sequence, with no chosen registers or context');
      const asked = ki ? runOneInstruction(ki, insn.mnemonic) : null;
      const rec = recorded(insnProbeId(insn.mnemonic));
      const run = asked ? (asked.ok ? asked.value : null) : rec?.ok && 'run' in rec ? { run: rec.run, log: rec.log } : null;
      if (!run) {
        if (ki && !asked) return unobservable(`no instruction sequence is written for ${insn.mnemonic} (backends/linux/insn-sequences.ts)`);
        const why = asked && !asked.ok ? asked.error : rec && !rec.ok ? rec.error : null;
        return why ? unobservable(`${insn.mnemonic} could not be run by a process: ${why}`) : notInCapture(`${insn.mnemonic} executed by a process`);
      }
      const out: GuestOutcome = { regs: {}, log: run.log, events: parseKernelLog(run.log).events };
      if (run.run.ended === 'signal') {
        const g = reactionOfSignal(run.run.signal);
        if (g) out.guest = g;
      }
      return out;
    },
    access: () => unobservable('a chosen guest memory access is not possible from user space'),
    convert: () => unobservable('converting memory between private and shared is the kernel\'s, not a process\'s'),
    pageAccepted: () => unobservable('whether a private page is accepted is not observable from user space'),
    tdxGuestIoctl(req) {
      const data = req.reportdata ?? new Uint8Array(TDX_REPORTDATA_LEN);
      if (ki) {
        const x = tdxGuestIoctl(ki, req.cmd, data, !!req.unmapped);
        return x.ok ? ioctlAnswer(x.value) : unobservable(`/dev/tdx_guest could not be asked: ${x.error}`);
      }
      const report = req.cmd === TDX_CMD_GET_REPORT0 && !req.unmapped;
      if (report && !data.every((b) => b === data[0])) return unobservable('a capture holds TDREPORTs of REPORTDATA made of one repeated byte only');
      const id = report ? tdreportProbeId(data[0]) : tdxIoctlProbeId(req.cmd, !!req.unmapped);
      const rec = recorded(id);
      if (!rec) return notInCapture(`ioctl ${hex(req.cmd)} on /dev/tdx_guest (${id})`);
      if (!rec.ok) return unobservable(`/dev/tdx_guest could not be asked: ${rec.error}`);
      if ('errno' in rec) return ioctlAnswer({ errno: rec.errno });
      return 'bytes' in rec ? ioctlAnswer({ tdreport: rec.bytes }) : unobservable(`unexpected record for ${id}`);
    },
    measurements() {
      const out: MeasurementRead[] = [];
      for (const m of MEASUREMENT_FILES) {
        const asked = ki ? readMeasurement(ki, m.file) : null;
        const rec = recorded(measurementProbeId(m.file));
        const v = asked?.ok ? asked.value : rec?.ok && 'bytes' in rec ? { bytes: rec.bytes } : rec?.ok && 'errno' in rec ? { errno: rec.errno } : null;
        if (!v) return asked && !asked.ok ? unobservable(`${m.file} could not be read: ${asked.error}`) : notInCapture(`the measurement register ${m.file}`);
        out.push('errno' in v ? { file: m.file, result: { ok: false, errno: v.errno } } : { file: m.file, result: { ok: true }, bytes: new Uint8Array(v.bytes) });
      }
      return out;
    },
    writeRtmr(index, data) {
      const no = changes(`writing RTMR${index}`);
      if (no) return no;
      if (!ki) return notInCapture(`a write to RTMR${index}`);
      const x = writeMeasurement(ki, `rtmr${index}:sha384`, data);
      if (!x.ok) return unobservable(`rtmr${index}:sha384 could not be written: ${x.error}`);
      return 'errno' in x.value ? { ok: false, errno: x.value.errno } : { ok: true };
    },
    tsmItem() {
      const asked = ki ? observeTsmItem(ki) : null;
      if (asked) return asked.ok ? asked.value : unobservable(`a configfs-tsm report item could not be made: ${asked.error}`);
      const rec = recorded(TSM_ITEM_PROBE);
      if (!rec) return notInCapture('a configfs-tsm report item');
      if (!rec.ok || !('text' in rec)) return unobservable(`a configfs-tsm report item could not be made: ${rec.ok ? 'unexpected record' : rec.error}`);
      return JSON.parse(rec.text);
    },
    tsmProvider() {
      // A capture that shows `cat provider` of an item answers too.
      if (!ki && !recorded(TSM_ITEM_PROBE) && r.evidence.tsmProvider) return r.evidence.tsmProvider;
      const item = this.tsmItem();
      return 'unobservable' in item ? item : item.provider;
    },
    tdcall: () => unobservable('TDCALL is an instruction of the guest kernel; a process cannot issue it'),
    tsmReport(inblob) {
      const no = changes('asking configfs-tsm for a report (a quote, or a refused inblob)');
      if (no) return no;
      if (!ki) return notInCapture('a configfs-tsm report');
      const x = requestTsmReport(ki, inblob);
      if (!x.ok) return unobservable(`a configfs-tsm report could not be asked for: ${x.error}`);
      const v = x.value;
      return { provider: v.provider, generation: v.generation, result: v.errno ? { ok: false, errno: v.errno } : { ok: true }, ...(v.outblob ? { outblob: new Uint8Array(v.outblob) } : {}) };
    },
  };
}

/** The guest capabilities a TD has, by what its probes could do. */
export function guestCapabilitiesOf(r: GuestFacetContext['reading'], interfaces: boolean): Capability[] {
  const caps: Capability[] = ['guest.files'];
  const ok = (id: string) => {
    const x = r.probes?.results.get(id);
    return !!x && x.ok;
  };
  const ev = r.evidence;
  if (ok(userCpuidProbeId(0, 0)) || Object.keys(ev.cpuid).length > 0) caps.push('guest.cpuid');
  if (ok(insnProbeId('VMCALL'))) caps.push('guest.user-instructions');
  const msr = ev.msrs[msrKey(0, 0x48)];
  if (msr && !('error' in msr)) caps.push('guest.msr');
  if (ev.devTdxGuest && (interfaces || ok(tdreportProbeId(0)))) caps.push('guest.report');
  if ((ev.tsmReportDir && (interfaces || ok(TSM_ITEM_PROBE))) || ev.tsmProvider) caps.push('guest.tsm');
  return caps;
}
