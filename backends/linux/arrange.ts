/**
 * A real machine cannot make a precondition true; it can only say whether what it observed
 * matches it. Each arrangement kind is compared with the evidence, and anything the capture or
 * the machine cannot confirm is unmet, with the reason (which becomes the scenario's skip
 * reason). Node ids of memory regions are not observable and are ignored.
 */
import type { MemoryRegion, ArrangeResult, Arrangement } from '../port';
import { CPU_MODELS } from '../../spec/platform/cpu-models';
import { kvmTdxNeeds } from '../../spec/kernel/kvm-tdx-needs';
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
 * KeyIDs (not Intel, or no TME in CPUID.7.0:ECX[13]); or what a system report read from the MSR.
 */
function keyIds(r: Reading): { mktme: number | null; tdx: number; how: string } | { unknown: string } {
  const msr = r.evidence.msrs[msrKey(0, 0x87)];
  if (msr && 'value' in msr) return { mktme: Number(msr.value & 0xffffffffn), tdx: Number(msr.value >> 32n), how: `MSR 0x87 = ${hex(msr.value)}` };
  if (msr && 'gp' in msr) return { mktme: 0, tdx: 0, how: 'reading MSR 0x87 faults, so the kernel finds no KeyIDs' };
  const vendor = cpuVendor(r);
  if (vendor !== null && vendor !== 'GenuineIntel') return { mktme: 0, tdx: 0, how: `the CPU is ${vendor}, which has no TDX KeyIDs` };
  const l7 = r.evidence.cpuid[cpuidKey(0, 7, 0)];
  if (vendor === 'GenuineIntel' && l7 && (l7.ecx & (1 << 13)) === 0) return { mktme: 0, tdx: 0, how: 'CPUID.7.0:ECX[13] (TME) is clear, so there are no KeyIDs' };
  // TDX KeyIDs are a share of the TME-MK KeyIDs; the kernel drops the tme flag when the CPU lacks TME
  // or the BIOS did not enable it (detect_tme_early(), @src:l6161-intel-c).
  const flags = r.evidence.cpuFlags;
  if (vendor === 'GenuineIntel' && flags?.complete && !flags.flags.includes('tme')) {
    return { mktme: 0, tdx: 0, how: 'the CPU flags lack tme (no TME, or not enabled by the BIOS), so there are no KeyIDs' };
  }
  if (r.evidence.reportedMsrs?.tdxPrivateKeyIds != null) return { mktme: null, tdx: r.evidence.reportedMsrs.tdxPrivateKeyIds, how: 'the system report reads MSR 0x87' };
  const why = msr && 'error' in msr ? `MSR 0x87 could not be read (${msr.error})` : 'MSR 0x87 is not in the capture';
  // The kernel's own KeyID line is not evidence here: the scenarios check that line against the partitioning.
  return { unknown: `the KeyID partitioning cannot be confirmed: ${why}` };
}

const sameRegions = (a: readonly MemoryRegion[], b: readonly { base: bigint; end: bigint }[]): boolean =>
  a.length === b.length && a.every((x, i) => x.base === b[i].base && x.end === b[i].end);

const listRegions = (rs: readonly { base: bigint; end: bigint }[]): string => rs.map((x) => `[${hex(x.base)}, ${hex(x.end)})`).join(' ');

/** cpuinfo names of the CPU features the emulator's profiles list. */
// No prototype: a feature named like an Object method ("toString") must find no name.
const CPUINFO_NAME: Record<string, string | undefined> = Object.assign(Object.create(null) as Record<string, string | undefined>, { xsave: 'xsave', movdir64b: 'movdir64b', self_snoop: 'ss', vmx: 'vmx', ept: 'ept', ept_ad: 'ept_ad' });

export function arrangeOnReading(r: Reading, a: Arrangement): ArrangeResult {
  const f = r.facts;
  const log = r.parsed.events;
  switch (a.kind) {
    case 'tdx-host': {
      const h = f.host;
      // With the KeyIDs left to another arrangement, detection may have refused them: what matters is a host's log.
      const refusedForHibernation = r.parsed.events.some((e) => e.id === 'hibernation-enabled');
      if (a.hibernation) {
        if (f.role !== 'host') return unmet(notAHost(r) ?? 'not a TDX host');
        if (refusedForHibernation || (f.kernel.cmdline && !f.kernel.cmdline.includes('nohibernate') && r.evidence.sleepStates?.includes('disk'))) return met;
        return unmet(f.kernel.cmdline?.includes('nohibernate') ? 'the command line disables hibernation (nohibernate)' : 'cannot tell whether hibernation is available on this machine');
      }
      const why = a.anyKeyIds ? (f.role === 'host' ? null : notAHost(r)) : notAHost(r);
      if (why) return unmet(why);
      if (refusedForHibernation) return unmet('hibernation is available on this machine (the kernel refused TDX for it)');
      const notLoaded = h?.init === 'not-loaded';
      if (a.moduleLoaded === false) return notLoaded ? met : unmet(h?.init === 'initialized' || h?.module.major != null ? 'a TDX module is loaded on this machine' : 'cannot tell whether the BIOS loaded a TDX module: the log does not say');
      return notLoaded ? unmet('the BIOS loaded no TDX module on this machine') : met;
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
      if (!f.host!.cmrsComplete) return unmet(`the ${a.kind === 'cmrs' ? 'CMRs' : 'memory map'} cannot be confirmed: the CMR list in the capture may be cut`);
      // Only the CMRs are observable; they stand for the memory map (node ids are not observable).
      return sameRegions(a.regions, cmrs) ? met : unmet(`this machine's CMRs are ${listRegions(cmrs)}`);
    }
    case 'cpu-feature': {
      const flags = r.evidence.cpuFlags;
      const name = CPUINFO_NAME[a.feature];
      if (!name) return unmet(`whether the CPU has ${a.feature} is not observable from /proc/cpuinfo`);
      if (!flags) return unmet('the CPU flags are not in the capture');
      const has = flags.flags.includes(name);
      // A name missing from a list that may be cut proves nothing, whichever way the scenario wants it.
      if (!has && !flags.complete) return unmet(`the captured flags list may be cut, so the absence of ${name} cannot be confirmed`);
      if (has === a.present) return met;
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
    case 'kvm-tdx-up': {
      // enable_tdx is what bring-up left it: Y only after KVM brought TDX up.
      const sysfs = r.evidence.kvmParams['kvm_intel.tdx'];
      if (sysfs === undefined) return unmet('kvm_intel.tdx cannot be read: kvm_intel is not loaded or has no tdx parameter');
      return sysfs === 'Y' ? met : unmet(`KVM did not bring TDX up on this machine (kvm_intel.tdx reads ${sysfs})`);
    }
    case 'ept-5level': {
      // show_cpuinfo() lists VMX capabilities; ept_5level is the EPT 4/5-level bit KVM checks for a 52-bit GPA width.
      const vmx = r.evidence.cpuFlags?.vmx;
      if (!vmx) return unmet('the "vmx flags" line of /proc/cpuinfo is not there, so EPT paging levels cannot be confirmed');
      const five = vmx.includes('ept_5level');
      if (!five && !r.evidence.cpuFlags?.vmxComplete) return unmet('the captured "vmx flags" list may be cut, so the absence of ept_5level cannot be confirmed');
      if (five === a.present) return met;
      return unmet(`this CPU's EPT ${a.present ? 'has only four levels' : 'has five levels'} (vmx flags${a.present ? ' lack' : ' include'} ept_5level)`);
    }
    case 'kvm-tdx-needs': {
      for (const n of kvmTdxNeeds(f.kernel.eras, a.except)) {
        if (n.param) {
          const v = r.evidence.kvmParams[n.param];
          if (v === undefined) return unmet(`whether ${n.param} is on cannot be confirmed: it cannot be read`);
          if (v !== 'Y') return unmet(`KVM's TDX needs ${n.param}, which reads ${v} on this machine`);
        } else if (n.cpuFeature) {
          const flags = r.evidence.cpuFlags;
          const name = CPUINFO_NAME[n.cpuFeature];
          if (!flags || !name) return unmet(`whether the CPU has ${n.cpuFeature} cannot be confirmed from /proc/cpuinfo`);
          if (!flags.flags.includes(name)) {
            return unmet(flags.complete ? `KVM's TDX needs ${name}, which this CPU lacks` : `the captured flags list may be cut, so ${name} cannot be confirmed`);
          }
        }
      }
      return met;
    }
    case 'cpu-vendor': {
      const v = cpuVendor(r);
      if (v === null) return unmet('the CPU vendor is not in the capture');
      return v === a.vendor ? met : unmet(`the CPU is ${v}`);
    }
    case 'mem-sleep': {
      const m = r.evidence.memSleep;
      if (!m) return unmet('/sys/power/mem_sleep is not in the capture');
      if (m.current === a.mode) return met;
      return unmet(`"mem" means ${m.current ?? 'an unknown mode'} on this machine (/sys/power/mem_sleep offers ${m.offered.join(' ')})`);
    }
    case 'cpus-offline-before-init':
      return unmet('a real machine cannot take CPUs offline before this boot initialised TDX');
    case 'module-feature':
      return unmet('the TDX module features (TDX_FEATURES0) are not observable without SEAMCALLs');
    case 'module-update-version': {
      const u = f.host?.module?.update ?? null;
      if (u === null) return unmet("the TDX module's update number is not shown by this machine (no version line in its log, no tdx_host device)");
      return u === a.update ? met : unmet(`the TDX module's update number is ${u}`);
    }
    case 'module-leaf':
      return unmet(`whether the TDX module implements ${a.leaf} is not observable without SEAMCALLs`);
    case 'module-lacks-field':
      return unmet(`whether the TDX module implements ${a.field} is not observable without SEAMCALLs`);
    case 'td-guest':
      return f.role === 'guest' ? met : unmet(`not a TD guest (${f.role === 'unknown' ? f.roleEvidence.join('; ') : `this machine's role: ${f.role}`})`);
    case 'module-untouched':
      return unmet('a real machine cannot keep its kernel from initialising TDX');
    case 'cpu-vmx-off':
    case 'seamcall-gp':
      return unmet('whether a CPU is in VMX operation, and how its SEAMCALL faults, cannot be set from user space');
    case 'module-no-entropy':
      return unmet("a real machine's random-number source cannot be made to fail");
    case 'module-answers':
    case 'module-cpuid-configs':
      return unmet('what the TDX module answers is the module\'s; a real machine cannot change it');
    default:
      return arrangeGuestOnReading(r as Parameters<typeof arrangeGuestOnReading>[0], a as GuestArrangement)
        ?? unmet(`a real machine cannot set up "${(a as { kind: string }).kind}"`);
  }
}
