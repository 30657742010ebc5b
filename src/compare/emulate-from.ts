/**
 * A capture replayed on the emulator: an emulator profile derived from what the capture shows
 * (KeyID split, module build, CMRs as the memory map, kernel flavour), the emulated host booted
 * and initialised with it, and the emulated kernel log compared with the captured one fact by
 * fact. What the capture does not show is filled with a stated assumption; a fact the capture
 * lacks is "not-comparable"; a difference comes with its likely reason.
 *
 * The model builds one TDMR per memory region and the kernel splits regions where NUMA nodes
 * meet (@src:tdx-c-mid); the CMR lines say nothing about nodes, so without the SRAT lines of a
 * full boot log a node boundary inside a CMR is invisible, and each such boundary costs one more
 * TDMR and 4 KB of PAMT (its 1 GiB part) (@src:capture-intel-tdx-linux-5).
 */
import { stringify } from 'yaml';
import { FLAVOURS, type KernelFlavour } from '../../spec/kernel/flavours';
import { flavoursConsistentWith } from '../../spec/kernel/dialects';
import { Faults } from '../../backends/emulator/faults';
import { CPU_MODELS } from '../../spec/platform/cpu-models';
import { MODULE_BUILDS, type ModuleBuild } from '../../backends/emulator/module/versions';
import { parseProfile, type Profile } from '../../backends/emulator/profile';
import { describeProfile, EmulatorTarget } from '../../backends/emulator/target';
import { isUnobservable, type KernelResult } from '../../backends/port';
import { parseKernelLog, type LogEvent } from '../../backends/common/kernel-log';
import { mergeNodes, type CaptureFacts, type ModuleFacts, type Reading } from '../../backends/linux/facts';
import type { NodeSpan } from '../../backends/linux/parse/boot-lines';

export type Agreement =
  | { status: 'exact'; value: unknown; note?: string }
  | { status: 'differs'; captured: unknown; emulated: unknown; likelyReason: string }
  | { status: 'not-comparable'; reason: string; captured?: unknown; emulated?: unknown };

export interface EmulatedFacts {
  init: KernelResult;
  pamtKb: number | null;
  tdmrs: { base: string; end: string; pamtKb: number }[];
  log: string[];
}

export interface EmulationReport {
  profile: { name: string; yaml: string; assumptions: string[] };
  emulated: EmulatedFacts;
  captured: CaptureFacts;
  agreement: Record<string, Agreement>;
}

export class NotAHostCapture extends Error {
  constructor(readonly file: string, why: string) {
    super(`${file}: ${why}`);
    this.name = 'SnapshotError';
  }
}

const hex = (v: bigint): string => '0x' + v.toString(16);

/** Kernel flavours whose wording and SEAMCALLs match every TDX line of the log. */
function flavoursByWording(events: readonly LogEvent[]): KernelFlavour[] {
  const host = events.filter((e) => e.prefix === 'virt/tdx: ' || e.prefix === 'tdx: ');
  if (host.length === 0) return [];
  return flavoursConsistentWith(host, host.some((e) => e.id === 'seamcall-failed' && e.values[0] === 0x22n));
}

function pickBuild(m: ModuleFacts, notes: string[]): ModuleBuild {
  const same = MODULE_BUILDS.filter((b) => b.major === m.major && b.minor === m.minor);
  const exact = same.find((b) => m.build !== null && b.build === m.build);
  if (exact) return exact;
  if (same.length) {
    const b = same[same.length - 1];
    notes.push(`module build ${m.build ?? 'unknown'} of ${m.major}.${m.minor} is not in the emulator's catalogue: playing ${b.id}`);
    return b;
  }
  const b = MODULE_BUILDS.find((x) => x.id === '1.5.698')!;
  notes.push(`module version ${m.major ?? '?'}.${m.minor ?? '?'} not in the capture or the catalogue: playing ${b.id}`);
  return b;
}

interface Piece { base: bigint; end: bigint; node: number; hotplug: boolean; nodeKnown: boolean }

/**
 * The memory regions the kernel builds TDMRs from, as far as the capture shows them: the CMRs
 * split where NUMA nodes meet when the capture has the SRAT lines to say where, then pieces that
 * touch joined when SRAT puts them in one node with the same hot-plug flag, because memblock
 * merges such ranges into one region (memblock_merge_regions()) and the kernel builds one TDMR
 * per region. Without SRAT lines each CMR is one region, as the assumptions say.
 */
function regionsFrom(cmrs: { base: bigint; end: bigint }[], nodes: NodeSpan[]): { base: bigint; end: bigint; node: number }[] {
  if (nodes.length === 0) return cmrs.map((c) => ({ ...c, node: 0 }));
  const pieces: Piece[] = [];
  for (const c of [...cmrs].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))) {
    let cur = c.base;
    for (const n of nodes) {
      if (n.end <= cur || n.base >= c.end) continue;
      const b = cur > n.base ? cur : n.base;
      const e = c.end < n.end ? c.end : n.end;
      if (e > b) pieces.push({ base: b, end: e, node: n.node, hotplug: n.hotplug, nodeKnown: true });
      cur = e;
    }
    if (cur < c.end) pieces.push({ base: cur, end: c.end, node: 0, hotplug: false, nodeKnown: false });
  }
  const out: Piece[] = [];
  for (const p of pieces) {
    const prev = out[out.length - 1];
    if (prev && prev.nodeKnown && p.nodeKnown && prev.end === p.base && prev.node === p.node && prev.hotplug === p.hotplug) prev.end = p.end;
    else out.push({ ...p });
  }
  return out.map(({ base, end, node }) => ({ base, end, node }));
}

export function deriveProfile(r: Reading, label: string): { profile: Profile; yaml: string; assumptions: string[] } {
  const f = r.facts;
  const h = f.host;
  if (f.role !== 'host' || !h) throw new NotAHostCapture(label, `not a TDX host capture (role: ${f.role}); emulate --from needs a host's kernel log`);
  if (h.cmrs.length === 0) throw new NotAHostCapture(label, 'the capture lists no CMRs, so there is no memory map to emulate');
  const notes: string[] = [];

  let flavour = FLAVOURS.find((x) => x.name === f.kernel.flavour) ?? null;
  if (flavour && f.kernel.release === null) {
    notes.push(`kernel release not in the capture: flavour ${flavour.name} assumed from the log's wording (the only flavour it fits)`);
  }
  if (!flavour) {
    const fits = flavoursByWording(r.parsed.events);
    flavour = fits.find((x) => x.name !== 'ubuntu-6.5-intel-opt') ?? FLAVOURS.find((x) => x.name === 'ubuntu-6.8-intel')!;
    notes.push(`kernel ${f.kernel.release ?? 'release not in the capture'}: flavour ${flavour.name} assumed${fits.length ? ` from the log's wording (fits: ${fits.map((x) => x.name).join(', ')})` : ''}`);
  }
  const build = pickBuild(h.module, notes);

  let mktme = 31;
  let tdx = 32;
  if (h.keyIdRange) {
    mktme = h.keyIdRange[0] - 1;
    tdx = h.keyIdRange[1] - h.keyIdRange[0];
  } else if (f.platform.keyIdPartitioning?.mktme != null) {
    mktme = f.platform.keyIdPartitioning.mktme;
    tdx = f.platform.keyIdPartitioning.tdx;
  } else notes.push('KeyID range not in the capture: 31 MKTME and 32 TDX KeyIDs assumed');

  const cpu = CPU_MODELS.find((m) => m.family === f.platform.cpu.family && m.model === f.platform.cpu.model);
  if (!cpu) notes.push('CPU model not in the capture: sapphire-rapids assumed (it matters only for the erratum flag)');
  notes.push('CPU count not in the capture: 2 packages of 8 logical CPUs assumed (it does not change TDMRs or PAMT)');

  const cmrs = h.cmrs.map((c) => ({ base: BigInt(c.base), end: BigInt(c.end) }));
  if (!h.cmrsComplete) notes.push('the CMR list in the capture may be cut: the model has only the CMRs it shows');
  const nodes = mergeNodes(r.boot.numa);
  if (nodes.length === 0) notes.push('NUMA node boundaries are not in the capture (no SRAT lines): each CMR is taken as one memory region');
  const regions = regionsFrom(cmrs, nodes);

  const cmdline = (f.kernel.cmdline ?? []).filter((t) => t === 'nohibernate' || t.startsWith('kvm_intel.tdx='));
  const refusedForHibernation = r.parsed.events.some((e) => e.id === 'hibernation-enabled');
  if (!cmdline.includes('nohibernate') && h.detected && !refusedForHibernation) {
    cmdline.push('nohibernate');
    notes.push('hibernation taken as off (nohibernate): the log shows TDX enabled, which needs it');
  }
  const doc = {
    name: 'from-capture',
    description: `derived from ${label}`,
    cpu: { model: cpu?.name ?? 'sapphire-rapids', packages: 2, cpusPerPackage: 8 },
    bios: { mktmeKeyIds: mktme, tdxKeyIds: tdx, moduleLoaded: !r.parsed.events.some((e) => e.id === 'module-not-loaded') },
    module: build.id,
    kernel: { flavour: flavour.name, release: f.kernel.release ?? `unknown (${flavour.name})`, cmdline },
    // The CMRs as the module reports them; the memory map is the same memory split at node boundaries.
    memory: {
      regions: regions.map((x) => ({ base: hex(x.base), end: hex(x.end), node: x.node })),
      cmrs: cmrs.map((x) => ({ base: hex(x.base), end: hex(x.end) })),
    },
  };
  const yaml = stringify(doc);
  return { profile: parseProfile(yaml, 'from-capture.yaml'), yaml, assumptions: notes };
}

function emulate(profile: Profile): EmulatedFacts {
  const faults = new Faults([]);
  const t = new EmulatorTarget(profile, faults, describeProfile(profile, faults));
  const init = t.host!.initTdx();
  const log = t.host!.log();
  const tdmrs = t.host!.tdmrs();
  const r = isUnobservable(tdmrs) ? null : tdmrs;
  return {
    init: isUnobservable(init) ? { ok: false, errno: 'EIO' } : init,
    pamtKb: r && r.tdmrs.length ? r.pamtKb : null,
    tdmrs: r ? r.tdmrs.map((x) => ({ base: hex(x.base), end: hex(x.base + x.size), pamtKb: Number((x.pamt.size4k + x.pamt.size2m + x.pamt.size1g) / 1024n) })) : [],
    log: isUnobservable(log) ? [] : log.lines,
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function emulateFrom(r: Reading, label: string): EmulationReport {
  const { profile, yaml, assumptions } = deriveProfile(r, label);
  const em = emulate(profile);
  const emEvents = parseKernelLog(em.log).events;
  const c = r.facts;
  const h = c.host!;
  const a: Record<string, Agreement> = {};
  const given = 'given to the model from the capture';

  // KeyIDs, module and CMRs are inputs: their agreement checks that the model printed them back.
  const emKey = emEvents.find((e) => e.id === 'keyid-range');
  const emRange = emKey ? emKey.values.map((v) => Number(v as bigint)) : null;
  a.keyIdRange = !h.keyIdRange ? { status: 'not-comparable', reason: 'the capture does not show the KeyID range', emulated: emRange }
    : same(h.keyIdRange, emRange) ? { status: 'exact', value: h.keyIdRange, note: given }
    : { status: 'differs', captured: h.keyIdRange, emulated: emRange, likelyReason: 'the model printed a different range from the one it was given' };

  const emCmrs = emEvents.filter((e) => e.id === 'cmr').map((e) => ({ base: hex(e.values[0] as bigint), end: hex(e.values[1] as bigint) }));
  a.cmrs = emCmrs.length === 0 ? { status: 'not-comparable', reason: `the emulated kernel (${profile.kernel.flavour.name}) does not print CMRs`, captured: h.cmrs }
    : same(h.cmrs, emCmrs) ? { status: 'exact', value: h.cmrs, note: given }
    : { status: 'differs', captured: h.cmrs, emulated: emCmrs, likelyReason: 'the model printed CMRs other than those it was given' };

  const nodesKnown = r.boot.numa.length > 0;
  if (h.pamtKb === null) {
    a.pamtKb = { status: 'not-comparable', reason: 'the capture does not show the PAMT total', emulated: em.pamtKb };
  } else if (!h.cmrsComplete) {
    a.pamtKb = { status: 'not-comparable', reason: 'the capture\'s CMR list may be cut, so the model did not see all the memory the PAMT covers', captured: h.pamtKb, emulated: em.pamtKb };
  } else if (em.pamtKb === h.pamtKb) {
    a.pamtKb = { status: 'exact', value: h.pamtKb, note: nodesKnown ? 'computed from the CMRs split at the SRAT node boundaries' : 'computed from the CMRs' };
  } else {
    const diff = h.pamtKb - (em.pamtKb ?? 0);
    const reason = em.pamtKb === null ? 'the emulated initialisation built no PAMT'
      : !nodesKnown && diff > 0 && diff % 4 === 0
        ? `${diff} KB more in the capture: consistent with ${diff / 4} NUMA node boundar${diff === 4 ? 'y' : 'ies'} inside the CMRs (one more TDMR, 4 KB of 1 GiB-page PAMT, each); the capture lacks the node boundaries the model needs`
        : 'the real memory map differs from the CMRs (holes or node boundaries the capture does not show)';
    a.pamtKb = { status: 'differs', captured: h.pamtKb, emulated: em.pamtKb, likelyReason: reason };
  }

  const emInit = em.init.ok ? 'initialized' : em.init.errno === 'ENODEV' && !profile.bios.moduleLoaded ? 'not-loaded' : 'failed';
  if (h.init === 'incomplete' || h.init === 'not-attempted') {
    const cut = r.parsed.partial.find((p) => p.line === (c.log?.lines ?? 0) - 1);
    a.init = {
      status: 'not-comparable', emulated: emInit,
      reason: h.init === 'not-attempted' ? 'the capture shows no initialisation on its boot'
        : cut ? `the capture is cut at "${cut.text}" (could be ${cut.candidates.join(' or ')}); the CMRs alone do not show the holes or node boundaries of the real memory map that such a failure depends on`
        : 'the capture does not show how initialisation ended',
    };
  } else {
    const capturedInit = { init: h.init, errno: h.initErrno };
    const emulatedInit = { init: emInit, errno: em.init.ok ? null : em.init.errno };
    a.init = same(capturedInit, emulatedInit) ? { status: 'exact', value: capturedInit }
      : { status: 'differs', captured: capturedInit, emulated: emulatedInit, likelyReason: h.failedSeamcall ? `the capture's failure (${h.cause}) depends on the module build, which the model plays as ${profile.module.id}` : 'the model and the capture disagree on the outcome' };
  }

  if (h.failedSeamcall) {
    const e = emEvents.find((x) => x.id === 'seamcall-failed');
    const emS = e ? { leaf: Number(e.values[0] as bigint), status: '0x' + (e.values[1] as bigint).toString(16).padStart(16, '0') } : null;
    const capS = { leaf: h.failedSeamcall.leaf, status: h.failedSeamcall.status };
    a.failedSeamcall = same(capS, emS) ? { status: 'exact', value: h.failedSeamcall }
      : { status: 'differs', captured: capS, emulated: emS, likelyReason: 'the model does not fail the same SEAMCALL with this module build' };
  }

  const emModule = emEvents.find((x) => x.id === 'module-info');
  const capModule = r.parsed.events.find((x) => x.id === 'module-info');
  a.moduleInfo = !capModule ? { status: 'not-comparable', reason: 'the capture has no module information line' }
    : !emModule ? { status: 'not-comparable', reason: `the emulated kernel (${profile.kernel.flavour.name}) prints no module information line`, captured: capModule.text }
    : capModule.text.slice(capModule.prefix.length) === emModule.text.slice(emModule.prefix.length) ? { status: 'exact', value: capModule.text.slice(capModule.prefix.length), note: given }
    : { status: 'differs', captured: capModule.text, emulated: emModule.text, likelyReason: `the catalogue build ${profile.module.id} differs from the captured module in a field the capture shows` };

  const s3Cap = h.s3Disabled === true;
  const s3Em = emEvents.some((x) => x.id === 's3-disabled');
  a.s3Disabled = !r.parsed.events.some((x) => x.id === 'keyid-range') ? { status: 'not-comparable', reason: 'the capture does not include the detection lines' }
    : s3Cap === s3Em ? { status: 'exact', value: s3Cap } : { status: 'differs', captured: s3Cap, emulated: s3Em, likelyReason: 'the captured kernel was built without ACPI sleep support, or the capture omits the line' };

  // Wording: every message both logs have, in the same variant.
  const capVariants = new Map(r.parsed.events.filter((e) => e.prefix !== '').map((e) => [e.id, e.variant]));
  const emVariants = new Map(emEvents.map((e) => [e.id, e.variant]));
  const both = [...capVariants.keys()].filter((id) => emVariants.has(id));
  const wording = both.filter((id) => capVariants.get(id) !== emVariants.get(id)).map((id) => `${id}: captured ${capVariants.get(id)}, emulated ${emVariants.get(id)}`);
  a.wording = both.length === 0 ? { status: 'not-comparable', reason: 'no message appears in both logs' }
    : wording.length === 0 ? { status: 'exact', value: both }
    : { status: 'differs', captured: Object.fromEntries(capVariants), emulated: Object.fromEntries(emVariants), likelyReason: `the kernel flavour assumed for the capture words ${wording.join('; ')} differently` };

  a.tdmrs = { status: 'not-comparable', reason: 'the kernel does not log its TDMRs; only their PAMT total can be compared', emulated: em.tdmrs };
  return { profile: { name: profile.name, yaml, assumptions }, emulated: em, captured: c, agreement: a };
}
