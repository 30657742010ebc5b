/**
 * Evidence from probe results (live, or stored in a snapshot bundle): each probe's text goes to
 * its parser; what failed is recorded as unreadable, with the reason.
 */
import { splitLines } from '../common/kernel-log';
import { cpuidKey, emptyEvidence, mergeEvidence, msrKey, type Evidence, type SysfsModuleInfo } from './evidence';
import { journalToLines, kmsgToLines } from './log-sources';
import { parseLscpu, parseProcCpuinfo } from './parse/cpuinfo';
import { moduleInfoFromNodes, type TdxModuleNode } from './parse/sysfs';
import { describeGuestProbe } from './guest-probes';
import { CPUID_LEAVES, cpuidProbeId, KVM_PARAM_FILES, kvmParamProbeId, parseCpuList, TDX_MODULE_NODES, type Probe, type ProbeResult, type ProbeResults } from './probes';

const text = (r: ProbeResult | undefined): string | null => (r && r.ok && 'text' in r ? r.text : null);

export function describeProbe(p: Probe): string {
  switch (p.kind) {
    case 'file':
    case 'exists':
    case 'kmsg':
      return p.path;
    case 'kernel-log':
      return 'the kernel log';
    case 'kvm-api':
      return 'KVM_GET_API_VERSION on /dev/kvm';
    case 'command':
      return p.argv.join(' ');
    case 'cpuid':
      return `CPUID 0x${p.leaf.toString(16)}.${p.subleaf} on CPU ${p.cpu} (/dev/cpu/${p.cpu}/cpuid)`;
    case 'msr':
      return `MSR 0x${p.msr.toString(16)} on CPU ${p.cpu} (/dev/cpu/${p.cpu}/msr)`;
    default:
      return describeGuestProbe(p);
  }
}

export function evidenceFromProbes(probes: readonly Probe[], results: ProbeResults): Evidence {
  const ev = emptyEvidence();
  const byId = new Map(probes.map((p) => [p.id, p]));
  const get = (id: string) => results.get(id);

  // What could not be read, and why: except the kernel log fallbacks when an earlier one worked.
  // ('kernel-log' is the seam's; the others are the probes of format-1 snapshots.)
  const logIds = ['kernel-log', 'dmesg', 'kmsg', 'journalctl-k'];
  const logFrom = logIds.find((id) => {
    const t = text(get(id));
    return t !== null && t.trim() !== '';
  });
  for (const [id, r] of results) {
    if (r.ok || (logFrom && logIds.includes(id))) continue;
    // Absent nodes of other kernel families are expected; they are still listed, as absent.
    const p = byId.get(id);
    ev.unreadable.push({ what: p ? describeProbe(p) : id, why: r.error });
  }

  if (logFrom) {
    const raw = text(get(logFrom))!;
    const lines = logFrom === 'kmsg' ? kmsgToLines([raw]) : logFrom === 'journalctl-k' ? journalToLines(raw) : splitLines(raw);
    const r = get(logFrom);
    const source = r && r.ok && 'source' in r && r.source ? r.source : byId.get(logFrom) ? describeProbe(byId.get(logFrom)!) : logFrom;
    // dmesg-shaped text (the seam's log, format-1 dmesg) ends with a newline unless its last line was cut.
    const dmesgShaped = logFrom === 'kernel-log' || logFrom === 'dmesg';
    mergeEvidence(ev, { formats: ['kernel-log'], log: { lines, source, excerpt: false, lastLineCut: dmesgShaped && raw !== '' && !raw.endsWith('\n') } });
  }

  const cmdline = text(get('proc-cmdline'));
  if (cmdline !== null) ev.cmdline = cmdline.trim().split(/\s+/).filter(Boolean);
  const uname = text(get('osrelease')) ?? text(get('uname-r'));
  if (uname !== null && uname.trim()) ev.unameRelease = uname.trim();

  const cpuinfo = text(get('proc-cpuinfo'));
  const pc = cpuinfo !== null ? parseProcCpuinfo(cpuinfo) : null;
  if (pc) mergeEvidence(ev, { formats: ['cpuinfo'], cpuFlags: pc.flags, cpu: pc.cpu });
  const lscpu = text(get('lscpu'));
  const pl = lscpu !== null ? parseLscpu(lscpu) : null;
  if (pl) {
    mergeEvidence(ev, { cpu: pl.cpu });
    if (!ev.cpuFlags && pl.flags) ev.cpuFlags = pl.flags;
  }

  const states = text(get('power-state'));
  if (states !== null) ev.sleepStates = states.trim().split(/\s+/).filter(Boolean);
  const kvm = text(get('kvm-intel-tdx'));
  if (kvm !== null) ev.kvmIntelTdx = /^[Y1]/.test(kvm.trim());
  for (const [mod, name] of KVM_PARAM_FILES) {
    const t = text(get(kvmParamProbeId(mod, name)));
    if (t !== null) ev.kvmParams[`${mod}.${name}`] = t.trim();
  }
  const meminfo = text(get('proc-meminfo'));
  const memTotal = meminfo !== null ? /^MemTotal:\s+(\d+) kB$/m.exec(meminfo) : null;
  if (memTotal) ev.memTotalKb = Number(memTotal[1]);
  const memSleep = text(get('power-mem-sleep'));
  if (memSleep !== null) {
    const words = memSleep.trim().split(/\s+/).filter(Boolean);
    ev.memSleep = { offered: words.map((w) => w.replace(/^\[|\]$/g, '')), current: words.find((w) => w.startsWith('['))?.slice(1, -1) ?? null };
  }
  const miscLine = (t: string | null): number | null | undefined => {
    if (t === null) return undefined;
    const m = /^tdx (\d+)$/m.exec(t);
    return m ? Number(m[1]) : null;
  };
  const cap = miscLine(text(get('misc-capacity')));
  const cur = miscLine(text(get('misc-current')));
  if (cap !== undefined || cur !== undefined) ev.miscTdx = { capacity: cap ?? null, current: cur ?? null };
  const devKvm = get('dev-kvm');
  if (devKvm && devKvm.ok && 'exists' in devKvm) ev.devKvm = devKvm.exists;
  const api = get('kvm-api');
  if (api && api.ok && 'value' in api) ev.kvmApiVersion = Number(api.value);

  const hostVersion = text(get('tdx-host-version'));
  if (hostVersion !== null) {
    ev.tdxHostVersion = hostVersion.trim();
    ev.formats.push('sysfs');
  }
  const nodes: Partial<Record<TdxModuleNode, string>> = {};
  for (const n of TDX_MODULE_NODES) {
    const t = text(get(`tdx-module-${n}`));
    if (t !== null) nodes[n as TdxModuleNode] = t;
  }
  const mod: SysfsModuleInfo | null = moduleInfoFromNodes(nodes);
  if (mod) {
    ev.sysfsModule = mod;
    ev.formats.push('sysfs');
  }

  const exists = (id: string): boolean | null => {
    const r = get(id);
    return r && r.ok && 'exists' in r ? r.exists : null;
  };
  ev.devTdxGuest = exists('dev-tdx-guest');
  ev.tsmReportDir = exists('tsm-report');

  for (const leaf of CPUID_LEAVES) {
    const r = get(cpuidProbeId(0, leaf, 0));
    if (r && r.ok && 'regs' in r) ev.cpuid[cpuidKey(0, leaf, 0)] = r.regs;
  }
  for (const p of probes) {
    if (p.kind !== 'msr') continue;
    const r = get(p.id);
    if (!r) continue;
    if (r.ok && 'value' in r) ev.msrs[msrKey(p.cpu, p.msr)] = { value: r.value };
    else if (r.ok && 'faulted' in r) ev.msrs[msrKey(p.cpu, p.msr)] = { gp: true };
    else if (!r.ok) ev.msrs[msrKey(p.cpu, p.msr)] = { error: r.error };
  }

  const present = text(get('cpu-present'));
  if (present !== null) {
    const cpus = parseCpuList(present);
    const online = text(get('cpu-online'));
    const packageOf: Record<number, number> = {};
    for (const c of cpus) {
      const t = text(get(`cpu${c}-package`));
      if (t !== null && /^\d+$/.test(t.trim())) packageOf[c] = Number(t.trim());
    }
    ev.topology = { present: cpus, online: online !== null ? parseCpuList(online) : [], packageOf };
  }
  return ev;
}
