/**
 * A real machine cannot make a precondition true; it can only say whether what it observed
 * matches it. Each arrangement kind is compared with the evidence, and anything the capture or
 * the machine cannot confirm is unmet, with the reason (which becomes the scenario's skip
 * reason). Node ids of memory regions are not observable and are ignored.
 */
import type { MemoryRegion, ArrangeResult, Arrangement } from '../port';
import { CPU_MODELS } from '../../spec/platform/cpu-models';
import { cpuidKey, msrKey } from './evidence';
import type { Reading } from './facts';
import type { GuestArrangement } from '../guest-facet';
import { arrangeGuestOnReading } from './guest-arrange';

const met: ArrangeResult = { met: true };
const unmet = (reason: string): ArrangeResult => ({ met: false, reason });
const hex = (v: bigint): string => '0x' + v.toString(16);

/** Why this machine is not a TDX host, in the words the reports use. */
export function notAHost(r: Reading): string | null {
  const f = r.facts;
  if (f.role === 'host' && f.host?.detected) return null;
  if (f.role === 'host') return `no TDX host platform: the kernel turned TDX off (${f.host?.cause ?? 'detection refused'})`;
  if (f.role === 'guest') return 'no TDX host platform: this is a TD guest';
  if (f.role === 'none') return `no TDX host platform (${f.roleEvidence.join('; ')})`;
  return `cannot tell whether this is a TDX host: ${f.roleEvidence.join('; ')}`;
}

/** CPUID vendor string (leaf 0: EBX, EDX, ECX). */
export function cpuVendor(r: Reading): string | null {
  const l0 = r.evidence.cpuid[cpuidKey(0, 0, 0)];
  if (l0) {
    const b = Buffer.alloc(12);
    b.writeUInt32LE(l0.ebx >>> 0, 0);
    b.writeUInt32LE(l0.edx >>> 0, 4);
    b.writeUInt32LE(l0.ecx >>> 0, 8);
    return b.toString('latin1');
  }
  return r.evidence.cpu.vendor;
}

/**
 * What the machine says about KeyIDs: the partitioning MSR when readable; a faulting read (the
 * kernel then finds no TDX, silently); or, with the MSR unreadable, a CPU that cannot have any
 * KeyIDs (not Intel, or no TME in CPUID.7.0:ECX[13]); else the KeyID range the kernel logged.
 */
function keyIds(r: Reading): { mktme: number | null; tdx: number; how: string } | { unknown: string } {
  const msr = r.evidence.msrs[msrKey(0, 0x87)];
  if (msr && 'value' in msr) return { mktme: Number(msr.value & 0xffffffffn), tdx: Number(msr.value >> 32n), how: `MSR 0x87 = ${hex(msr.value)}` };
  if (msr && 'gp' in msr) return { mktme: 0, tdx: 0, how: 'reading MSR 0x87 faults, so the kernel finds no KeyIDs' };
  const vendor = cpuVendor(r);
  if (vendor !== null && vendor !== 'GenuineIntel') return { mktme: 0, tdx: 0, how: `the CPU is ${vendor}, which has no TDX KeyIDs` };
  const l7 = r.evidence.cpuid[cpuidKey(0, 7, 0)];
  if (vendor === 'GenuineIntel' && l7 && (l7.ecx & (1 << 13)) === 0) return { mktme: 0, tdx: 0, how: 'CPUID.7.0:ECX[13] (TME) is clear, so there are no KeyIDs' };
  const range = r.facts.host?.keyIdRange;
  if (range) return { mktme: range[0] - 1, tdx: range[1] - range[0], how: `the kernel logged the private KeyID range [${range[0]}, ${range[1]})` };
  if (r.evidence.reportedMsrs?.tdxPrivateKeyIds != null) return { mktme: null, tdx: r.evidence.reportedMsrs.tdxPrivateKeyIds, how: 'the system report reads MSR 0x87' };
  const why = msr && 'error' in msr ? `MSR 0x87 could not be read (${msr.error})` : 'MSR 0x87 is not in the capture';
  return { unknown: `the KeyID partitioning cannot be confirmed: ${why} and the log has no KeyID range` };
}

const sameRegions = (a: readonly MemoryRegion[], b: readonly { base: bigint; end: bigint }[]): boolean =>
  a.length === b.length && a.every((x, i) => x.base === b[i].base && x.end === b[i].end);

const listRegions = (rs: readonly { base: bigint; end: bigint }[]): string => rs.map((x) => `[${hex(x.base)}, ${hex(x.end)})`).join(' ');

/** cpuinfo names of the CPU features the emulator's profiles list. */
const CPUINFO_NAME: Record<string, string> = { xsave: 'xsave', movdir64b: 'movdir64b', self_snoop: 'ss', vmx: 'vmx', ept: 'ept', ept_ad: 'ept_ad' };

export function arrangeOnReading(r: Reading, a: Arrangement): ArrangeResult {
  const f = r.facts;
  const log = r.parsed.events;
  switch (a.kind) {
    case 'tdx-host': {
      const why = notAHost(r);
      return why ? unmet(why) : met;
    }
    case 'keyid-partitioning': {
      const k = keyIds(r);
      if ('unknown' in k) return unmet(k.unknown);
      const want = `${a.mktmeKeyIds} MKTME and ${a.tdxKeyIds} TDX KeyIDs`;
      if (k.tdx !== a.tdxKeyIds) return unmet(`this machine has ${k.tdx} TDX KeyIDs, not ${a.tdxKeyIds} (${k.how})`);
      if (a.tdxKeyIds === 0) return met; // without TDX KeyIDs the MKTME count does not matter to TDX
      if (k.mktme === null) return unmet(`cannot confirm ${want}: the number of MKTME KeyIDs is not in the capture`);
      if (k.mktme !== a.mktmeKeyIds) return unmet(`this machine has ${k.mktme} MKTME KeyIDs, not ${a.mktmeKeyIds} (${k.how})`);
      return met;
    }
    case 'module-loaded': {
      const notLoaded = log.some((e) => e.id === 'module-not-loaded');
      const loaded = log.some((e) => ['module-info', 'cmr', 'init-done', 'pamt-allocated'].includes(e.id)) || !!r.evidence.sysfsModule || !!r.evidence.tdxHostVersion;
      if (a.loaded ? loaded : notLoaded) return met;
      if (a.loaded ? notLoaded : loaded) return unmet(a.loaded ? 'the kernel log says no TDX module is loaded' : 'a TDX module is loaded on this machine');
      return unmet(`cannot tell whether the BIOS loaded a TDX module: ${f.log ? 'the log does not say' : 'no kernel log'}`);
    }
    case 'hibernation-available': {
      const cmd = f.kernel.cmdline;
      const offered = r.evidence.sleepStates;
      if (log.some((e) => e.id === 'hibernation-enabled')) return a.available ? met : unmet('hibernation is available on this machine (the kernel refused TDX for it)');
      if (cmd?.includes('nohibernate')) return a.available ? unmet('the command line disables hibernation (nohibernate)') : met;
      if (offered) return offered.includes('disk') === a.available ? met : unmet(`/sys/power/state offers "${offered.join(' ')}"`);
      return unmet('cannot tell whether hibernation is available: neither the command line nor the sleep states are in the capture');
    }
    case 'memory-map':
    case 'cmrs': {
      const cmrs = f.host?.cmrs.map((c) => ({ base: BigInt(c.base), end: BigInt(c.end) })) ?? [];
      if (cmrs.length === 0) return unmet(`the ${a.kind === 'cmrs' ? 'CMRs' : 'memory map'} cannot be confirmed: the log lists no CMRs`);
      // Only the CMRs are observable; they stand for the memory map (node ids are not observable).
      return sameRegions(a.regions, cmrs) ? met : unmet(`this machine's CMRs are ${listRegions(cmrs)}`);
    }
    case 'cpu-feature': {
      const flags = r.evidence.cpuFlags;
      const name = CPUINFO_NAME[a.feature];
      if (!name) return unmet(`whether the CPU has ${a.feature} is not observable from /proc/cpuinfo`);
      if (!flags) return unmet('the CPU flags are not in the capture');
      const has = flags.flags.includes(name);
      if (has === a.present) return met;
      if (!has && !flags.complete) return unmet(`the captured flags list may be cut, so the absence of ${name} cannot be confirmed`);
      return unmet(`the CPU ${has ? 'has' : 'lacks'} ${name}`);
    }
    case 'cpu-model': {
      const m = CPU_MODELS.find((c) => c.name === a.model);
      const { family, model } = f.platform.cpu;
      if (!m) return unmet(`unknown CPU model ${a.model}`);
      if (family === null || model === null) return unmet('the CPU family and model are not in the capture');
      return family === m.family && model === m.model ? met : unmet(`the CPU is family ${family} model 0x${model.toString(16)}, not ${a.model}`);
    }
    case 'kvm-param': {
      const tok = [...(f.kernel.cmdline ?? [])].reverse().find((t) => t.startsWith(`${a.param}=`));
      const asked = tok ? /=(1|y|on|true)$/i.test(tok) : null;
      const sysfs = r.evidence.kvmParams[a.param];
      const want = `${a.param}=${a.value ? 1 : 0}`;
      if (a.param === 'kvm_intel.tdx') {
        // sysfs shows whether bring-up succeeded, not what was asked; Y can only follow a request.
        const on = asked ?? (sysfs === 'Y' ? true : null);
        if (on === null) return unmet(`cannot confirm ${want}: the command line does not set it, and kvm_intel.tdx ${sysfs ? `reads ${sysfs}, which a failed bring-up shows too` : 'cannot be read'}`);
        return on === a.value ? met : unmet(`kvm_intel was ${on ? '' : 'not '}asked for TDX on this machine (${tok ?? 'sysfs kvm_intel.tdx=Y'})`);
      }
      // The other parameters read back as they are in force.
      const on = sysfs !== undefined ? sysfs === 'Y' : asked;
      if (on === null) return unmet(`cannot confirm ${want}: ${a.param} is neither on the command line nor readable in sysfs`);
      return on === a.value ? met : unmet(`${a.param} is ${on ? 'on' : 'off'} on this machine`);
    }
    case 'cpus-offline-before-init':
      return unmet('a real machine cannot take CPUs offline before this boot initialised TDX');
    case 'module-feature':
      return unmet('the TDX module features (TDX_FEATURES0) are not observable without SEAMCALLs');
    case 'module-leaf':
      return unmet(`whether the TDX module implements ${a.leaf} is not observable without SEAMCALLs`);
    case 'module-lacks-field':
      return unmet(`whether the TDX module implements ${a.field} is not observable without SEAMCALLs`);
    case 'td-guest':
      return f.role === 'guest' ? met : unmet(`not a TD guest (${f.role === 'unknown' ? f.roleEvidence.join('; ') : `this machine's role: ${f.role}`})`);
    case 'module-untouched':
      return unmet('a real machine cannot keep its kernel from initialising TDX');
    default:
      return arrangeGuestOnReading(r as Parameters<typeof arrangeGuestOnReading>[0], a as GuestArrangement)
        ?? unmet(`a real machine cannot set up "${(a as { kind: string }).kind}"`);
  }
}
