/**
 * A real machine's arrangements (backends/linux/arrange.ts, guest-arrange.ts): each precondition is
 * compared with a reading built here by hand, so the test depends on no parser. The machine values
 * are the kernel's (Linux 6.16.1 unless said otherwise):
 *  - MSR 0x87 (MSR_IA32_MKTME_KEYID_PARTITIONING, asm/msr-index.h): bits 31:0 the MKTME KeyIDs,
 *    bits 63:32 the TDX private KeyIDs (arch/x86/virt/vmx/tdx/tdx.c record_keyid_partitioning()).
 *  - CPUID leaf 0 spells the vendor in EBX, EDX, ECX ("Genu" "ineI" "ntel"); TME is CPUID.7.0:ECX[13]
 *    (X86_FEATURE_TME (16*32+13), asm/cpufeatures.h, shown as "tme").
 *  - /proc/cpuinfo names: X86_FEATURE_SELFSNOOP is "ss", MOVDIR64B "movdir64b"; the vmx flags line
 *    names VMX_FEATURE_EPT_5LEVEL "ept_5level" (asm/vmxfeatures.h).
 *  - Sapphire Rapids is family 6 model 0x8f, Emerald Rapids 6/0xcf (asm/intel-family.h).
 *  - TD attributes: DEBUG bit 0, SEPT_VE_DISABLE bit 28, PKS bit 30 (asm/shared/tdx.h); TDINFO.ATTRIBUTES
 *    is at 0x200 of the TDREPORT (/work/shared/spec/real-machine-interfaces.md, TDREPORT layout).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrangeOnReading, cpuVendor, notAHost } from '../../backends/linux/arrange';
import { tdAttributes } from '../../backends/linux/guest-arrange';
import { emptyEvidence, type Evidence } from '../../backends/linux/evidence';
import type { CaptureFacts, HostFacts, Reading } from '../../backends/linux/facts';
import type { Arrangement } from '../../backends/port';
import type { ProbeResult } from '../../backends/linux/probes';

const MSR87 = '0:0x87';
const LEAF0 = '0:0x0:0x0';
const LEAF7 = '0:0x7:0x0';

/** "GenuineIntel" as CPUID leaf 0 returns it: EBX "Genu", EDX "ineI", ECX "ntel", little-endian. */
const INTEL_L0 = { eax: 0x20, ebx: 0x756e6547, edx: 0x49656e69, ecx: 0x6c65746e };
/** "AuthenticAMD": EBX "Auth", EDX "enti", ECX "cAMD". */
const AMD_L0 = { eax: 0x10, ebx: 0x68747541, edx: 0x69746e65, ecx: 0x444d4163 };

function host(h: Partial<HostFacts> = {}): HostFacts {
  return {
    detected: true, keyIdRange: [32, 64], module: { major: 1, minor: 5, update: null } as unknown as HostFacts['module'],
    cmrs: [], cmrsComplete: true, pamtKb: null, init: 'initialized', initErrno: null, failedSeamcall: null, cause: null, s3Disabled: null, ...h,
  };
}

interface Make {
  facts?: Partial<CaptureFacts>;
  kernel?: Partial<CaptureFacts['kernel']>;
  cpu?: Partial<CaptureFacts['platform']['cpu']>;
  ev?: Partial<Evidence>;
  events?: string[];
  probes?: Map<string, ProbeResult>;
}

function mk(m: Make = {}): Reading {
  const facts = {
    role: 'host', roleEvidence: ['kernel log: private KeyID range'], host: host(), guest: null,
    ...m.facts,
    kernel: { release: '6.16.1', flavour: null, eras: null, cmdline: null, ...m.kernel },
    platform: { cpu: { vendor: null, family: null, model: null, modelName: null, ...m.cpu } },
  } as unknown as CaptureFacts;
  const r = {
    evidence: { ...emptyEvidence(), ...m.ev },
    parsed: { events: (m.events ?? []).map((id) => ({ id })), partial: [] },
    boot: {},
    facts,
  } as unknown as Reading;
  return Object.assign(r, { probes: m.probes ? { results: m.probes } : null });
}

const flags = (list: string[], complete: boolean, vmx?: string[], vmxComplete?: boolean): Partial<Evidence> =>
  ({ cpuFlags: { flags: list, bugs: null, complete, bugsComplete: false, source: 'cpuinfo', ...(vmx ? { vmx, vmxComplete } : {}) } });
const go = (r: Reading, a: Arrangement | { kind: string; [k: string]: unknown }) => arrangeOnReading(r, a as Arrangement);
const met = (r: Reading, a: Arrangement | { kind: string; [k: string]: unknown }) => assert.deepEqual(go(r, a), { met: true });
const unmet = (r: Reading, a: Arrangement | { kind: string; [k: string]: unknown }, reason: string) => assert.deepEqual(go(r, a), { met: false, reason });

test('notAHost: a detected host is one; otherwise the reason names the role', () => {
  assert.equal(notAHost(mk()), null);
  assert.equal(notAHost(mk({ facts: { host: host({ detected: false, cause: 'hibernation' }) } })), 'no TDX host platform: the kernel turned TDX off (hibernation)');
  assert.equal(notAHost(mk({ facts: { host: host({ detected: false }) } })), 'no TDX host platform: the kernel turned TDX off (detection refused)');
  assert.equal(notAHost(mk({ facts: { host: null } })), 'no TDX host platform: the kernel turned TDX off (detection refused)');
  assert.equal(notAHost(mk({ facts: { role: 'guest', host: null } })), 'no TDX host platform: this is a TD guest');
  assert.equal(notAHost(mk({ facts: { role: 'none', host: null, roleEvidence: ['a', 'b'] } })), 'no TDX host platform (a; b)');
  assert.equal(notAHost(mk({ facts: { role: 'unknown', host: null, roleEvidence: ['x', 'y'] } })), 'cannot tell whether this is a TDX host: x; y');
});

test('cpuVendor: CPUID leaf 0 in the order EBX, EDX, ECX, else the cpuinfo vendor', () => {
  assert.equal(cpuVendor(mk({ ev: { cpuid: { [LEAF0]: INTEL_L0 } } })), 'GenuineIntel');
  assert.equal(cpuVendor(mk({ ev: { cpuid: { [LEAF0]: AMD_L0 } } })), 'AuthenticAMD');
  // Registers held as negative 32-bit numbers still spell the same bytes.
  assert.equal(cpuVendor(mk({ ev: { cpuid: { [LEAF0]: { ...INTEL_L0, ebx: INTEL_L0.ebx | 0 } } } })), 'GenuineIntel');
  assert.equal(cpuVendor(mk({ ev: { cpuid: { [LEAF0]: { eax: 0, ebx: 0xc8c7c6c5 | 0, edx: 0xccbbaa99 | 0, ecx: 0xfffefdfc | 0 } } } })),
    Buffer.from([0xc5, 0xc6, 0xc7, 0xc8, 0x99, 0xaa, 0xbb, 0xcc, 0xfc, 0xfd, 0xfe, 0xff]).toString('latin1'));
  assert.equal(cpuVendor(mk({ ev: { cpu: { vendor: 'GenuineIntel', family: 6, model: 0x8f, modelName: null } } })), 'GenuineIntel');
  assert.equal(cpuVendor(mk()), null);
});

test('tdx-host: a detected host with a module is met; each way of not being one is unmet with its reason', () => {
  met(mk(), { kind: 'tdx-host' });
  unmet(mk({ facts: { host: host({ init: 'not-loaded' }) } }), { kind: 'tdx-host' }, 'the BIOS loaded no TDX module on this machine');
  met(mk({ facts: { host: host({ init: 'not-loaded' }) } }), { kind: 'tdx-host', moduleLoaded: false });
  unmet(mk(), { kind: 'tdx-host', moduleLoaded: false }, 'a TDX module is loaded on this machine');
  unmet(mk({ facts: { host: host({ init: 'failed' }) } }), { kind: 'tdx-host', moduleLoaded: false }, 'a TDX module is loaded on this machine');
  unmet(mk({ facts: { host: host({ init: 'not-attempted', module: { major: null } as unknown as HostFacts['module'] }) } }),
    { kind: 'tdx-host', moduleLoaded: false }, 'cannot tell whether the BIOS loaded a TDX module: the log does not say');
  unmet(mk({ facts: { role: 'guest', host: null } }), { kind: 'tdx-host' }, 'no TDX host platform: this is a TD guest');
  // A host whose detection refused (too few KeyIDs): enough when the KeyIDs are left to another arrangement.
  const refused = mk({ facts: { host: host({ detected: false, cause: 'no KeyIDs' }) } });
  unmet(refused, { kind: 'tdx-host' }, 'no TDX host platform: the kernel turned TDX off (no KeyIDs)');
  met(refused, { kind: 'tdx-host', anyKeyIds: true });
  unmet(mk({ facts: { role: 'none', host: null, roleEvidence: ['no flags'] } }), { kind: 'tdx-host', anyKeyIds: true }, 'no TDX host platform (no flags)');
  // Other log events are not the hibernation refusal.
  met(mk({ events: ['keyid-range', 'init-done'] }), { kind: 'tdx-host' });
  unmet(mk({ facts: { host: host({ init: 'initialized', module: { major: null } as unknown as HostFacts['module'] }) } }),
    { kind: 'tdx-host', moduleLoaded: false }, 'a TDX module is loaded on this machine');
  unmet(mk({ events: ['hibernation-enabled'] }), { kind: 'tdx-host' }, 'hibernation is available on this machine (the kernel refused TDX for it)');
  unmet(mk({ events: ['hibernation-enabled'] }), { kind: 'tdx-host', anyKeyIds: true }, 'hibernation is available on this machine (the kernel refused TDX for it)');
});

test('tdx-host with hibernation: the refusal in the log, or disk among the sleep states without nohibernate', () => {
  const a = { kind: 'tdx-host', hibernation: true };
  met(mk({ events: ['hibernation-enabled'], facts: { host: host({ detected: false }) } }), a);
  met(mk({ kernel: { cmdline: ['ro', 'quiet'] }, ev: { sleepStates: ['freeze', 'mem', 'disk'] } }), a);
  unmet(mk({ kernel: { cmdline: ['ro'] }, ev: { sleepStates: ['freeze', 'mem'] } }), a, 'cannot tell whether hibernation is available on this machine');
  unmet(mk({ ev: { sleepStates: ['freeze', 'mem', 'disk'] } }), a, 'cannot tell whether hibernation is available on this machine');
  unmet(mk({ kernel: { cmdline: ['ro'] } }), a, 'cannot tell whether hibernation is available on this machine');
  unmet(mk({ kernel: { cmdline: ['nohibernate'] }, ev: { sleepStates: ['mem', 'disk'] } }), a, 'the command line disables hibernation (nohibernate)');
  unmet(mk({ facts: { role: 'guest', host: null } }), a, 'no TDX host platform: this is a TD guest');
  unmet(mk({ facts: { role: 'unknown', host: null, roleEvidence: ['?'] } }), a, 'cannot tell whether this is a TDX host: ?');
});

test('keyid-partitioning from MSR 0x87: low half MKTME, high half TDX', () => {
  // 31 MKTME and 32 TDX KeyIDs: the 6.16.1 log then prints the range [32, 64).
  const r = mk({ ev: { msrs: { [MSR87]: { value: (32n << 32n) | 31n } } } });
  met(r, { kind: 'keyid-partitioning', mktmeKeyIds: 31, tdxKeyIds: 32 });
  unmet(r, { kind: 'keyid-partitioning', mktmeKeyIds: 31, tdxKeyIds: 31 }, 'this machine has 32 TDX KeyIDs, not 31 (MSR 0x87 = 0x200000001f)');
  unmet(r, { kind: 'keyid-partitioning', mktmeKeyIds: 32, tdxKeyIds: 32 }, 'this machine has 31 MKTME KeyIDs, not 32 (MSR 0x87 = 0x200000001f)');
  // Bit 31 belongs to the MKTME count, bit 32 to the TDX count.
  const edge = mk({ ev: { msrs: { [MSR87]: { value: 0x180000000n } } } });
  met(edge, { kind: 'keyid-partitioning', mktmeKeyIds: 0x80000000, tdxKeyIds: 1 });
  // With no TDX KeyIDs, the MKTME count does not matter.
  met(mk({ ev: { msrs: { [MSR87]: { value: 63n } } } }), { kind: 'keyid-partitioning', mktmeKeyIds: 5, tdxKeyIds: 0 });
});

test('keyid-partitioning without a readable MSR: a fault, a CPU that cannot have KeyIDs, or the system report', () => {
  const a0 = { kind: 'keyid-partitioning', mktmeKeyIds: 0, tdxKeyIds: 0 };
  const a32 = { kind: 'keyid-partitioning', mktmeKeyIds: 31, tdxKeyIds: 32 };
  const gp = mk({ ev: { msrs: { [MSR87]: { gp: true } } } });
  met(gp, a0);
  unmet(gp, a32, 'this machine has 0 TDX KeyIDs, not 32 (reading MSR 0x87 faults, so the kernel finds no KeyIDs)');
  const amd = mk({ ev: { cpuid: { [LEAF0]: AMD_L0 } } });
  met(amd, a0);
  unmet(amd, a32, 'this machine has 0 TDX KeyIDs, not 32 (the CPU is AuthenticAMD, which has no TDX KeyIDs)');
  const noTme = mk({ ev: { cpuid: { [LEAF0]: INTEL_L0, [LEAF7]: { eax: 0, ebx: 0, ecx: ~(1 << 13), edx: 0 } } } });
  unmet(noTme, a32, 'this machine has 0 TDX KeyIDs, not 32 (CPUID.7.0:ECX[13] (TME) is clear, so there are no KeyIDs)');
  // TME set in CPUID: the MSR would have to say; without it and without a report, unknown.
  const tme = mk({ ev: { cpuid: { [LEAF0]: INTEL_L0, [LEAF7]: { eax: 0, ebx: 0, ecx: 1 << 13, edx: 0 } } } });
  unmet(tme, a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 is not in the capture');
  const flagsNoTme = (complete: boolean) => mk({ ev: { cpu: { vendor: 'GenuineIntel', family: 6, model: 0x8f, modelName: null },
    cpuFlags: { flags: ['fpu', 'vmx'], bugs: null, complete, bugsComplete: false, source: 'cpuinfo' } } });
  unmet(flagsNoTme(true), a32, 'this machine has 0 TDX KeyIDs, not 32 (the CPU flags lack tme (no TME, or not enabled by the BIOS), so there are no KeyIDs)');
  unmet(flagsNoTme(false), a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 is not in the capture');
  const withTme = mk({ ev: { cpu: { vendor: 'GenuineIntel', family: 6, model: 0x8f, modelName: null },
    cpuFlags: { flags: ['tme'], bugs: null, complete: true, bugsComplete: false, source: 'cpuinfo' } } });
  unmet(withTme, a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 is not in the capture');
  // The system report reads only bits 63:32.
  const report = mk({ ev: { reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 32, production: true } } });
  unmet(report, a32, 'cannot confirm 31 MKTME and 32 TDX KeyIDs: the number of MKTME KeyIDs is not in the capture');
  unmet(report, { kind: 'keyid-partitioning', mktmeKeyIds: 31, tdxKeyIds: 16 }, 'this machine has 32 TDX KeyIDs, not 16 (the system report reads MSR 0x87)');
  const reportZero = mk({ ev: { reportedMsrs: { tmeEnabled: true, seamrrEnabled: true, tdxPrivateKeyIds: 0, production: true } } });
  met(reportZero, a0);
  unmet(mk({ ev: { msrs: { [MSR87]: { error: 'EACCES' } } } }), a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 could not be read (EACCES)');
  unmet(mk(), a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 is not in the capture');
  // With the vendor unknown, neither a clear TME bit nor a flags list without tme rules out KeyIDs.
  unmet(mk({ ev: { cpuid: { [LEAF7]: { eax: 0, ebx: 0, ecx: 0, edx: 0 } } } }), a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 is not in the capture');
  unmet(mk({ ev: flags(['fpu'], true) }), a32, 'the KeyID partitioning cannot be confirmed: MSR 0x87 is not in the capture');
});

test('hibernation-available: the kernel\'s refusal, nohibernate, then /sys/power/state', () => {
  const yes = { kind: 'hibernation-available', available: true };
  const no = { kind: 'hibernation-available', available: false };
  const refused = mk({ events: ['hibernation-enabled'] });
  met(refused, yes);
  unmet(refused, no, 'hibernation is available on this machine (the kernel refused TDX for it)');
  unmet(mk({ events: ['keyid-range'], ev: { sleepStates: ['mem'] } }), yes, '/sys/power/state offers "mem"');
  const nohib = mk({ kernel: { cmdline: ['nohibernate'] }, ev: { sleepStates: ['mem', 'disk'] } });
  met(nohib, no);
  unmet(nohib, yes, 'the command line disables hibernation (nohibernate)');
  const disk = mk({ kernel: { cmdline: ['ro'] }, ev: { sleepStates: ['freeze', 'mem', 'disk'] } });
  met(disk, yes);
  unmet(disk, no, '/sys/power/state offers "freeze mem disk"');
  const noDisk = mk({ ev: { sleepStates: ['freeze', 'mem'] } });
  met(noDisk, no);
  unmet(noDisk, yes, '/sys/power/state offers "freeze mem"');
  unmet(mk({ kernel: { cmdline: ['ro'] } }), yes, 'cannot tell whether hibernation is available: neither the command line nor the sleep states are in the capture');
});

test('memory-map and cmrs: the logged CMRs, whole, compared region by region', () => {
  const cmrs = [{ base: '0x0', end: '0x80000000' }, { base: '0x100000000', end: '0x880000000' }];
  const r = mk({ facts: { host: host({ cmrs }) } });
  const regions = [{ base: 0n, end: 0x80000000n, node: 0 }, { base: 0x100000000n, end: 0x880000000n, node: 1 }];
  met(r, { kind: 'cmrs', regions });
  met(r, { kind: 'memory-map', regions: regions.map((x) => ({ ...x, node: 7 })) });
  const mine = "this machine's CMRs are [0x0, 0x80000000) [0x100000000, 0x880000000)";
  unmet(r, { kind: 'cmrs', regions: regions.slice(0, 1) }, mine);
  unmet(r, { kind: 'cmrs', regions: [regions[0], { ...regions[1], end: 0x800000000n }] }, mine);
  unmet(r, { kind: 'cmrs', regions: [{ ...regions[0], base: 0x1000n }, regions[1]] }, mine);
  unmet(r, { kind: 'cmrs', regions: [...regions, regions[1]] }, mine);
  unmet(mk({ facts: { host: host({ cmrs, cmrsComplete: false }) } }), { kind: 'cmrs', regions }, 'the CMRs cannot be confirmed: the CMR list in the capture may be cut');
  unmet(mk({ facts: { host: host({ cmrs, cmrsComplete: false }) } }), { kind: 'memory-map', regions }, 'the memory map cannot be confirmed: the CMR list in the capture may be cut');
  unmet(mk(), { kind: 'cmrs', regions }, 'the CMRs cannot be confirmed: the log lists no CMRs');
  unmet(mk({ facts: { host: null } }), { kind: 'memory-map', regions }, 'the memory map cannot be confirmed: the log lists no CMRs');
});

test('cpu-feature: by its /proc/cpuinfo name; a missing name proves absence only in a whole list', () => {
  const whole = mk({ ev: flags(['fpu', 'vmx', 'ss', 'xsave', 'ept'], true) });
  met(whole, { kind: 'cpu-feature', feature: 'self_snoop', present: true });
  met(whole, { kind: 'cpu-feature', feature: 'xsave', present: true });
  met(whole, { kind: 'cpu-feature', feature: 'movdir64b', present: false });
  unmet(whole, { kind: 'cpu-feature', feature: 'ept_ad', present: true }, 'the CPU lacks ept_ad');
  unmet(whole, { kind: 'cpu-feature', feature: 'vmx', present: false }, 'the CPU has vmx');
  // Every feature by its cpuinfo name (asm/cpufeatures.h, vmxfeatures.h quoted names).
  const all = mk({ ev: flags(['xsave', 'movdir64b', 'ss', 'vmx', 'ept', 'ept_ad'], true) });
  for (const f of ['xsave', 'movdir64b', 'self_snoop', 'vmx', 'ept', 'ept_ad']) met(all, { kind: 'cpu-feature', feature: f, present: true });
  const none = mk({ ev: flags(['fpu'], true) });
  for (const [f, n] of [['xsave', 'xsave'], ['movdir64b', 'movdir64b'], ['self_snoop', 'ss'], ['vmx', 'vmx'], ['ept', 'ept'], ['ept_ad', 'ept_ad']]) {
    unmet(none, { kind: 'cpu-feature', feature: f, present: true }, `the CPU lacks ${n}`);
  }
  // A feature named like an Object method has no cpuinfo name either.
  unmet(none, { kind: 'cpu-feature', feature: 'toString', present: true } as never, 'whether the CPU has toString is not observable from /proc/cpuinfo');
  const cut = mk({ ev: flags(['fpu', 'ss'], false) });
  met(cut, { kind: 'cpu-feature', feature: 'self_snoop', present: true });
  unmet(cut, { kind: 'cpu-feature', feature: 'self_snoop', present: false }, 'the CPU has ss');
  unmet(cut, { kind: 'cpu-feature', feature: 'movdir64b', present: false }, 'the captured flags list may be cut, so the absence of movdir64b cannot be confirmed');
  unmet(cut, { kind: 'cpu-feature', feature: 'movdir64b', present: true }, 'the captured flags list may be cut, so the absence of movdir64b cannot be confirmed');
  unmet(whole, { kind: 'cpu-feature', feature: 'tdp_mmu', present: true }, 'whether the CPU has tdp_mmu is not observable from /proc/cpuinfo');
  unmet(mk(), { kind: 'cpu-feature', feature: 'xsave', present: true }, 'the CPU flags are not in the capture');
});

test('cpu-model: family and model against the kernel\'s Intel family table', () => {
  const spr = mk({ cpu: { family: 6, model: 0x8f } });
  met(spr, { kind: 'cpu-model', model: 'sapphire-rapids' });
  unmet(spr, { kind: 'cpu-model', model: 'emerald-rapids' }, 'the CPU is family 6 model 0x8f, not emerald-rapids');
  unmet(mk({ cpu: { family: 5, model: 0x8f } }), { kind: 'cpu-model', model: 'sapphire-rapids' }, 'the CPU is family 5 model 0x8f, not sapphire-rapids');
  met(mk({ cpu: { family: 6, model: 0xcf } }), { kind: 'cpu-model', model: 'emerald-rapids' });
  unmet(spr, { kind: 'cpu-model', model: 'no-such-cpu' }, 'unknown CPU model no-such-cpu');
  unmet(mk({ cpu: { family: 6 } }), { kind: 'cpu-model', model: 'sapphire-rapids' }, 'the CPU family and model are not in the capture');
  unmet(mk({ cpu: { model: 0x8f } }), { kind: 'cpu-model', model: 'sapphire-rapids' }, 'the CPU family and model are not in the capture');
});

test('kvm-param kvm_intel.tdx: what the command line asked; sysfs Y only after a request', () => {
  const p = 'kvm_intel.tdx';
  const on = { kind: 'kvm-param', param: p, value: true };
  const off = { kind: 'kvm-param', param: p, value: false };
  met(mk({ kernel: { cmdline: ['kvm_intel.tdx=1'] } }), on);
  met(mk({ kernel: { cmdline: ['kvm_intel.tdx=Y'] } }), on);
  met(mk({ kernel: { cmdline: ['kvm_intel.tdx=on'] } }), on);
  met(mk({ kernel: { cmdline: ['kvm_intel.tdx=true'] } }), on);
  // The last setting wins, as the kernel parses the command line in order.
  met(mk({ kernel: { cmdline: ['kvm_intel.tdx=1', 'kvm_intel.tdx=0'] } }), off);
  unmet(mk({ kernel: { cmdline: ['kvm_intel.tdx=0', 'kvm_intel.tdx=1'] } }), off, 'kvm_intel was asked for TDX on this machine (kvm_intel.tdx=1)');
  unmet(mk({ kernel: { cmdline: ['kvm_intel.tdx=0'] }, ev: { kvmParams: { [p]: 'N' } } }), on, 'kvm_intel was not asked for TDX on this machine (kvm_intel.tdx=0)');
  met(mk({ kernel: { cmdline: ['kvm_intel.tdx=10'] } }), off);
  met(mk({ kernel: { cmdline: ['xkvm_intel.tdx=1'] }, ev: { kvmParams: { [p]: 'Y' } } }), on);
  unmet(mk({ ev: { kvmParams: { [p]: 'Y' } } }), off, 'kvm_intel was asked for TDX on this machine (sysfs kvm_intel.tdx=Y)');
  unmet(mk({ ev: { kvmParams: { [p]: 'N' } } }), off, 'cannot confirm kvm_intel.tdx=0: the command line does not set it, and kvm_intel.tdx reads N, which a failed bring-up shows too');
  unmet(mk(), on, 'cannot confirm kvm_intel.tdx=1: the command line does not set it, and kvm_intel.tdx cannot be read');
});

test('kvm-param: other parameters as sysfs shows them, else as the command line set them', () => {
  const ept = { kind: 'kvm-param', param: 'kvm_intel.ept', value: true };
  met(mk({ ev: { kvmParams: { 'kvm_intel.ept': 'Y' } } }), ept);
  unmet(mk({ ev: { kvmParams: { 'kvm_intel.ept': 'N' } }, kernel: { cmdline: ['kvm_intel.ept=1'] } }), ept, 'kvm_intel.ept is off on this machine');
  unmet(mk({ ev: { kvmParams: { 'kvm_intel.ept': 'Y' } } }), { ...ept, value: false }, 'kvm_intel.ept is on on this machine');
  met(mk({ kernel: { cmdline: ['kvm_intel.ept=0'] } }), { ...ept, value: false });
  unmet(mk(), ept, 'cannot confirm kvm_intel.ept=1: kvm_intel.ept is neither on the command line nor readable in sysfs');
  unmet(mk({ kernel: { cmdline: ['kvm_intel.eptad=1'] } }), ept, 'cannot confirm kvm_intel.ept=1: kvm_intel.ept is neither on the command line nor readable in sysfs');
});

test('kvm-tdx-up: kvm_intel.tdx reads Y only after bring-up', () => {
  met(mk({ ev: { kvmParams: { 'kvm_intel.tdx': 'Y' } } }), { kind: 'kvm-tdx-up' });
  unmet(mk({ ev: { kvmParams: { 'kvm_intel.tdx': 'N' } } }), { kind: 'kvm-tdx-up' }, 'KVM did not bring TDX up on this machine (kvm_intel.tdx reads N)');
  unmet(mk(), { kind: 'kvm-tdx-up' }, 'kvm_intel.tdx cannot be read: kvm_intel is not loaded or has no tdx parameter');
});

test('ept-5level: the vmx flags line, whose absence proves nothing when it may be cut', () => {
  const a = { kind: 'ept-5level', present: true };
  const b = { kind: 'ept-5level', present: false };
  met(mk({ ev: flags([], true, ['ept', 'ept_5level'], true) }), a);
  met(mk({ ev: flags([], true, ['ept', 'ept_5level'], false) }), a);
  unmet(mk({ ev: flags([], true, ['ept', 'ept_5level'], true) }), b, "this CPU's EPT has five levels (vmx flags include ept_5level)");
  met(mk({ ev: flags([], true, ['ept'], true) }), b);
  unmet(mk({ ev: flags([], true, ['ept'], true) }), a, "this CPU's EPT has only four levels (vmx flags lack ept_5level)");
  unmet(mk({ ev: flags([], true, ['ept'], false) }), b, 'the captured "vmx flags" list may be cut, so the absence of ept_5level cannot be confirmed');
  unmet(mk({ ev: flags([], true) }), a, 'the "vmx flags" line of /proc/cpuinfo is not there, so EPT paging levels cannot be confirmed');
  unmet(mk(), a, 'the "vmx flags" line of /proc/cpuinfo is not there, so EPT paging levels cannot be confirmed');
});

test('kvm-tdx-needs: every parameter Y and every feature listed, in KVM\'s order', () => {
  const allY = { 'kvm_intel.ept': 'Y', 'kvm.tdp_mmu': 'Y', 'kvm.mmio_caching': 'Y', 'kvm_intel.eptad': 'Y', 'kvm_intel.enable_apicv': 'Y', 'kvm.enable_virt_at_load': 'Y' };
  const cpu = ['ss', 'xsave', 'movdir64b'];
  const a = { kind: 'kvm-tdx-needs', except: [] as string[] };
  met(mk({ ev: { kvmParams: allY, ...flags(cpu, true) } }), a);
  unmet(mk({ ev: { kvmParams: { ...allY, 'kvm.mmio_caching': 'N' }, ...flags(cpu, true) } }), a, "KVM's TDX needs kvm.mmio_caching, which reads N on this machine");
  met(mk({ ev: { kvmParams: { ...allY, 'kvm.mmio_caching': 'N' }, ...flags(cpu, true) } }), { ...a, except: ['kvm.mmio_caching'] });
  const { 'kvm.tdp_mmu': _drop, ...noTdp } = allY;
  unmet(mk({ ev: { kvmParams: noTdp, ...flags(cpu, true) } }), a, 'whether kvm.tdp_mmu is on cannot be confirmed: it cannot be read');
  unmet(mk({ ev: { kvmParams: allY, ...flags(['ss', 'movdir64b'], true) } }), a, "KVM's TDX needs xsave, which this CPU lacks");
  unmet(mk({ ev: { kvmParams: allY, ...flags(['ss', 'movdir64b'], false) } }), a, 'the captured flags list may be cut, so xsave cannot be confirmed');
  unmet(mk({ ev: { kvmParams: allY } }), a, 'whether the CPU has xsave cannot be confirmed from /proc/cpuinfo');
  // Kernels that bring TDX up at boot leave movdir64b and self-snoop to the host core.
  const boot = { init: 'boot' } as unknown as CaptureFacts['kernel']['eras'];
  met(mk({ kernel: { eras: boot }, ev: { kvmParams: allY, ...flags(['xsave'], true) } }), a);
  const onDemand = { init: 'on-demand' } as unknown as CaptureFacts['kernel']['eras'];
  unmet(mk({ kernel: { eras: onDemand }, ev: { kvmParams: allY, ...flags(['xsave', 'ss'], true) } }), a, "KVM's TDX needs movdir64b, which this CPU lacks");
});

test('cpu-vendor and mem-sleep', () => {
  met(mk({ ev: { cpuid: { [LEAF0]: INTEL_L0 } } }), { kind: 'cpu-vendor', vendor: 'GenuineIntel' });
  unmet(mk({ ev: { cpuid: { [LEAF0]: AMD_L0 } } }), { kind: 'cpu-vendor', vendor: 'GenuineIntel' }, 'the CPU is AuthenticAMD');
  unmet(mk(), { kind: 'cpu-vendor', vendor: 'GenuineIntel' }, 'the CPU vendor is not in the capture');
  const deep = mk({ ev: { memSleep: { offered: ['s2idle', 'deep'], current: 'deep' } } });
  met(deep, { kind: 'mem-sleep', mode: 'deep' });
  unmet(deep, { kind: 'mem-sleep', mode: 's2idle' }, '"mem" means deep on this machine (/sys/power/mem_sleep offers s2idle deep)');
  unmet(mk({ ev: { memSleep: { offered: ['s2idle'], current: null } } }), { kind: 'mem-sleep', mode: 's2idle' }, '"mem" means an unknown mode on this machine (/sys/power/mem_sleep offers s2idle)');
  unmet(mk(), { kind: 'mem-sleep', mode: 'deep' }, '/sys/power/mem_sleep is not in the capture');
});

test('module-update-version, td-guest and the arrangements a real machine cannot make', () => {
  const upd = (u: number | null) => mk({ facts: { host: host({ module: { major: 1, minor: 5, update: u } as unknown as HostFacts['module'] }) } });
  met(upd(6), { kind: 'module-update-version', update: 6 });
  unmet(upd(6), { kind: 'module-update-version', update: 7 }, "the TDX module's update number is 6");
  met(upd(0), { kind: 'module-update-version', update: 0 });
  unmet(upd(null), { kind: 'module-update-version', update: 0 }, "the TDX module's update number is not shown by this machine (no version line in its log, no tdx_host device)");
  unmet(mk({ facts: { host: null } }), { kind: 'module-update-version', update: 0 }, "the TDX module's update number is not shown by this machine (no version line in its log, no tdx_host device)");
  met(mk({ facts: { role: 'guest', host: null } }), { kind: 'td-guest' });
  unmet(mk(), { kind: 'td-guest' }, "not a TD guest (this machine's role: host)");
  unmet(mk({ facts: { role: 'unknown', roleEvidence: ['p', 'q'] } }), { kind: 'td-guest' }, 'not a TD guest (p; q)');
  const cannot: [Record<string, unknown>, string][] = [
    [{ kind: 'cpus-offline-before-init', cpus: [1] }, 'a real machine cannot take CPUs offline before this boot initialised TDX'],
    [{ kind: 'module-feature', bit: 0, present: true }, 'the TDX module features (TDX_FEATURES0) are not observable without SEAMCALLs'],
    [{ kind: 'module-leaf', leaf: 'TDH.SYS.DISABLE', present: true }, 'whether the TDX module implements TDH.SYS.DISABLE is not observable without SEAMCALLs'],
    [{ kind: 'module-lacks-field', field: 'MAX_VCPUS_PER_TD' }, 'whether the TDX module implements MAX_VCPUS_PER_TD is not observable without SEAMCALLs'],
    [{ kind: 'module-untouched' }, 'a real machine cannot keep its kernel from initialising TDX'],
    [{ kind: 'cpu-vmx-off', cpu: 1 }, 'whether a CPU is in VMX operation, and how its SEAMCALL faults, cannot be set from user space'],
    [{ kind: 'seamcall-gp' }, 'whether a CPU is in VMX operation, and how its SEAMCALL faults, cannot be set from user space'],
    [{ kind: 'module-no-entropy', leaf: 'TDH.SYS.INIT', times: 1 }, "a real machine's random-number source cannot be made to fail"],
    [{ kind: 'module-answers', leaf: 'TDH.SYS.INIT', status: 0n }, "what the TDX module answers is the module's; a real machine cannot change it"],
    [{ kind: 'module-cpuid-configs', count: 1 }, "what the TDX module answers is the module's; a real machine cannot change it"],
    [{ kind: 'vmm-script', script: [] }, 'a real machine cannot set up "vmm-script"'],
  ];
  for (const [a, reason] of cannot) unmet(mk(), a as { kind: string }, reason);
});

/** A TDREPORT whose TDINFO.ATTRIBUTES (offset 0x200) holds v. */
const tdreport = (v: bigint, size = 1024): Buffer => {
  const b = Buffer.alloc(size);
  if (size >= 0x208) b.writeBigUInt64LE(v, 0x200);
  return b;
};

test('td-attributes from the TDREPORT probe: TDINFO.ATTRIBUTES at 0x200', () => {
  const SEPT_VE_DISABLE = 1n << 28n;
  const DEBUG = 1n;
  const PKS = 1n << 30n;
  const probes = (b: Buffer) => new Map<string, ProbeResult>([['tdreport-0x0', { ok: true, bytes: b } as unknown as ProbeResult]]);
  const guest = (b: Buffer, attributes: string[] | null = null) =>
    mk({ facts: { role: 'guest', host: null, guest: { attributes } as unknown as CaptureFacts['guest'] }, probes: probes(b) });
  const r = guest(tdreport(SEPT_VE_DISABLE | PKS));
  assert.deepEqual(tdAttributes(r as Parameters<typeof tdAttributes>[0]), { value: SEPT_VE_DISABLE | PKS, how: 'TDINFO.ATTRIBUTES of a TDREPORT' });
  met(r, { kind: 'td-attributes', set: SEPT_VE_DISABLE, clear: DEBUG });
  met(r, { kind: 'td-attributes', set: SEPT_VE_DISABLE | PKS, clear: 0n });
  unmet(r, { kind: 'td-attributes', set: DEBUG, clear: 0n }, "this TD's attributes are 0x50000000 (TDINFO.ATTRIBUTES of a TDREPORT): it lacks DEBUG");
  unmet(r, { kind: 'td-attributes', set: 0n, clear: PKS | SEPT_VE_DISABLE }, "this TD's attributes are 0x50000000 (TDINFO.ATTRIBUTES of a TDREPORT): it has SEPT_VE_DISABLE, PKS");
  unmet(r, { kind: 'td-attributes', set: 1n << 40n, clear: 0n }, "this TD's attributes are 0x50000000 (TDINFO.ATTRIBUTES of a TDREPORT): it lacks 0x10000000000");
  // Exactly 0x208 bytes still hold the field; fewer do not, and the log line is used instead.
  assert.deepEqual(tdAttributes(guest(tdreport(DEBUG, 0x208)) as Parameters<typeof tdAttributes>[0]), { value: DEBUG, how: 'TDINFO.ATTRIBUTES of a TDREPORT' });
  assert.deepEqual(tdAttributes(guest(tdreport(DEBUG, 0x207), ['SEPT_VE_DISABLE']) as Parameters<typeof tdAttributes>[0]), { value: SEPT_VE_DISABLE, how: 'the kernel\'s attribute line' });
  const failed = mk({ facts: { role: 'guest', host: null, guest: { attributes: null } as unknown as CaptureFacts['guest'] },
    probes: new Map<string, ProbeResult>([['tdreport-0x0', { ok: false, error: 'EINVAL' } as unknown as ProbeResult]]) });
  unmet(failed, { kind: 'td-attributes', set: 0n, clear: 0n }, 'the TD attributes are not observable here (no TDREPORT, and no attribute line in the log)');
  const text = mk({ facts: { role: 'guest', host: null, guest: { attributes: null } as unknown as CaptureFacts['guest'] },
    probes: new Map<string, ProbeResult>([['tdreport-0x0', { ok: true, text: 'x' }]]) });
  unmet(text, { kind: 'td-attributes', set: 0n, clear: 0n }, 'the TD attributes are not observable here (no TDREPORT, and no attribute line in the log)');
});

test('td-attributes from the kernel\'s attribute line (v6.14 names, MIGRTABLE spelled as tdx.h spells it)', () => {
  const guest = (attributes: string[] | null) => mk({ facts: { role: 'guest', host: null, guest: { attributes } as unknown as CaptureFacts['guest'] } });
  const r = guest(['SEPT_VE_DISABLE', 'MIGRTABLE']);
  assert.deepEqual(tdAttributes(r as Parameters<typeof tdAttributes>[0]), { value: (1n << 28n) | (1n << 29n), how: 'the kernel\'s attribute line' });
  met(r, { kind: 'td-attributes', set: 1n << 28n, clear: 1n });
  assert.deepEqual(tdAttributes(guest([]) as Parameters<typeof tdAttributes>[0]), { value: 0n, how: 'the kernel\'s attribute line' });
  unmet(guest(['DEBUG', 'FROB']), { kind: 'td-attributes', set: 0n, clear: 0n }, "the kernel's attribute line names FROB, which this suite does not know");
  unmet(guest(null), { kind: 'td-attributes', set: 0n, clear: 0n }, 'the TD attributes are not observable here (no TDREPORT, and no attribute line in the log)');
  unmet(mk({ facts: { role: 'guest', host: null, guest: null } }), { kind: 'td-attributes', set: 0n, clear: 0n }, 'the TD attributes are not observable here (no TDREPORT, and no attribute line in the log)');
});
