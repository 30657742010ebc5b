/**
 * The guest facet of a TD read from a capture (backends/linux/guest.ts, no kernel interface):
 * each question answered from the probe it recorded, or the reason it cannot be. Facts used:
 *  - a process that executes an instruction the TD cannot emulate for it ends with SIGILL (#UD)
 *    or SIGSEGV (#GP, or a #VE the kernel does not handle in user mode) (Linux 6.16.1
 *    arch/x86/kernel/traps.c do_error_trap()/exc_general_protection(); arch/x86/coco/tdx/tdx.c
 *    virt_exception_user()).
 *  - TDX_CMD_GET_REPORT0 is _IOWR('T', 1, struct tdx_report_req) (64-byte REPORTDATA + 1024-byte
 *    TDREPORT): 0xc4405401 (include/uapi/linux/tdx-guest.h).
 *  - the measurement files of v6.16: mrconfigid, mrowner, mrownerconfig, mrtd:sha384,
 *    rtmr0..3:sha384 (drivers/virt/coco/tdx-guest/tdx-guest.c, tdx_mr_info[]).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyEvidence, mergeEvidence, msrKey, cpuidKey, type Evidence } from '../../backends/linux/evidence';
import { readEvidence } from '../../backends/linux/facts';
import { guestCapabilitiesOf, linuxGuestFacet, type GuestFacetContext } from '../../backends/linux/guest';
import type { ProbeResult } from '../../backends/linux/probes';
import { isUnobservable } from '../../backends/port';

const GET_REPORT0 = 0xc4405401;
const GUEST = ['[    0.000000] Linux version 6.16.1 (b@h) (gcc) #1 SMP', '[    0.100000] tdx: Guest detected', '[    4.000000] Run /sbin/init as init process'];

type Ctx = GuestFacetContext['reading'];
const reading = (extra: Partial<Evidence> = {}, results: Record<string, ProbeResult> | null = {}, log: Partial<NonNullable<Evidence['log']>> | null = {}): Ctx => ({
  ...readEvidence(mergeEvidence(emptyEvidence(), { formats: ['kernel-log'], ...(log ? { log: { lines: GUEST, source: 'dmesg', excerpt: false, ...log } } : {}), ...extra })),
  kind: 'snapshot', probes: results ? { results: new Map(Object.entries(results)) } : null,
});
const facet = (r: Ctx, o: Partial<GuestFacetContext> = {}) => linuxGuestFacet({ reading: r, ki: null, live: false, mayChange: false, ...o });
const why = (x: unknown): string => {
  assert.ok(isUnobservable(x), `expected unobservable, got ${JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return x.unobservable;
};
const run = (ended: 'returned' | 'signal', v: bigint[] | string, log: string[] = []): ProbeResult =>
  ({ ok: true, run: ended === 'returned' ? { ended, out: v as bigint[] } : { ended, signal: v as string }, log });

test('what the TD is: booted as a guest; its flags only from a whole list; /dev/tdx_guest as recorded', () => {
  const g = facet(reading({ cpuFlags: { flags: ['fpu', 'tdx_guest'], bugs: null, complete: true, bugsComplete: false, source: 't' }, devTdxGuest: true }));
  assert.deepEqual(g.bootOutcome(), { ok: true });
  assert.deepEqual(g.cpuFlags(), ['fpu', 'tdx_guest']);
  assert.equal(g.tdxGuestDevice(), true);
  assert.match(why(g.describe()), /not observable from inside/);
  assert.equal(why(facet(reading({}, {}, null)).bootOutcome()), 'not a TD guest');
  assert.equal(why(facet(reading()).cpuFlags()), '/proc/cpuinfo is not in the capture');
  assert.match(why(facet(reading({ cpuFlags: { flags: ['fpu'], bugs: null, complete: false, bugsComplete: false, source: 't' } })).cpuFlags()), /may be cut/);
  assert.equal(why(facet(reading()).tdxGuestDevice()), 'whether /dev/tdx_guest exists is not in the capture');
  assert.equal(facet(reading({ devTdxGuest: false })).tdxGuestDevice(), false);
});

test('the log: whole only if it is not an excerpt and reaches the end of boot (a live TD: from boot on)', () => {
  const l = facet(reading()).log();
  assert.ok(!isUnobservable(l));
  assert.deepEqual(l.lines, GUEST);
  assert.equal(l.complete, true);
  const excerpt = facet(reading({}, {}, { excerpt: true })).log();
  assert.ok(!isUnobservable(excerpt));
  assert.equal(excerpt.complete, false);
  const noEnd = reading({}, {}, { lines: GUEST.slice(0, 2) });
  const pasted = facet(noEnd).log();
  assert.ok(!isUnobservable(pasted));
  assert.equal(pasted.complete, false);
  const live = facet(noEnd, { live: true }).log();
  assert.ok(!isUnobservable(live));
  assert.equal(live.complete, true);
  assert.match(why(facet(reading({ devTdxGuest: true }, {}, null)).log()), /kernel log is not available/);
});

test('CPUID: through the cpuid driver from the capture\'s values; executed by a process from its recorded run', () => {
  const regs = { eax: 0, ebx: 0x65746e49, ecx: 0x20202020, edx: 0x5844546c };
  const g = facet(reading({ cpuid: { [cpuidKey(0, 0x21, 0)]: regs } }, {
    'ucpuid-0x21-0x0': run('returned', [0n, 0x65746e49n, 0x20202020n, 0x5844546cn]),
    'ucpuid-0x1-0x0': run('signal', 'SIGSEGV'),
    'ucpuid-0x2-0x0': { ok: false, error: 'ENOEXEC' },
  }));
  assert.deepEqual(g.cpuid(0, 0x21, 0), regs);
  assert.deepEqual(g.cpuid(0, 0x21, 0, 'user'), regs);
  assert.equal(why(g.cpuid(0, 0x1, 0, 'user')), 'CPUID 0x1.0 executed by a process did not return');
  assert.equal(why(g.cpuid(0, 0x2, 0, 'user')), 'CPUID 0x2.0 executed by a process could not run: ENOEXEC');
  assert.equal(why(g.cpuid(0, 0x6, 0, 'user')), 'CPUID 0x6.0 executed by a process is not in the capture');
  assert.equal(why(g.cpuid(1, 0x21, 0, 'user')), 'a process runs CPUID on whichever CPU it is scheduled on');
  assert.equal(why(g.cpuid(0, 0x40000000, 0)), 'CPUID 0x40000000.0 of vCPU 0 (cpuid driver) is not in the capture');
  // The answer is a copy.
  const got = g.cpuid(0, 0x21, 0);
  assert.ok(!isUnobservable(got));
  (got as { eax: number }).eax = 7;
  assert.equal(regs.eax, 0);
});

test('RDMSR through the msr driver: a value, a refused MSR (#GP, EIO), or why not', () => {
  const g = facet(reading({ msrs: { [msrKey(0, 0x48)]: { value: 1n }, [msrKey(0, 0x277)]: { gp: true }, [msrKey(0, 0x10a)]: { error: 'EACCES' } } }));
  assert.deepEqual(g.rdmsr(0, 0x48), { value: 1n, faulted: false });
  assert.deepEqual(g.rdmsr(0, 0x277), { faulted: true });
  assert.equal(why(g.rdmsr(0, 0x10a)), 'MSR 0x10a cannot be read through /dev/cpu/0/msr (EACCES)');
  assert.equal(why(g.rdmsr(1, 0x48)), 'MSR 0x48 of vCPU 1 is not in the capture');
  assert.match(why(g.wrmsr(0, 0x48, 0n)), /changes the TD/);
});

test('an instruction executed by a process: how it ended and what the kernel logged meanwhile', () => {
  const ve = '[  100.000000] traps: insn[123] general protection fault';
  const g = facet(reading({}, {
    'insn-vmcall': run('signal', 'SIGILL'), 'insn-hlt': run('signal', 'SIGSEGV', [ve]), 'insn-pause': run('returned', []),
    'insn-wbinvd': run('signal', 'SIGBUS'), 'insn-rdpmc': { ok: false, error: 'ENOEXEC' },
  }));
  assert.deepEqual(g.execute(0, { mnemonic: 'VMCALL', mode: 'user' }), { regs: {}, log: [], events: [], guest: { kind: 'sigill' } });
  const hlt = g.execute(0, { mnemonic: 'HLT', mode: 'user' });
  assert.ok(!isUnobservable(hlt));
  assert.deepEqual([hlt.guest, hlt.log], [{ kind: 'sigsegv' }, [ve]]);
  assert.deepEqual(g.execute(0, { mnemonic: 'PAUSE', mode: 'user' }), { regs: {}, log: [], events: [] });
  assert.deepEqual(g.execute(0, { mnemonic: 'WBINVD', mode: 'user' }), { regs: {}, log: [], events: [] });
  assert.equal(why(g.execute(0, { mnemonic: 'RDPMC', mode: 'user' })), 'RDPMC could not be run by a process: ENOEXEC');
  assert.equal(why(g.execute(0, { mnemonic: 'CPUID', mode: 'user' })), 'CPUID executed by a process is not in the capture');
  assert.equal(why(g.execute(0, { mnemonic: 'HLT' })), 'executing HLT in the kernel of a real TD is not possible from user space');
  assert.equal(why(g.execute(0, { mnemonic: 'HLT', mode: 'kernel' })), 'executing HLT in the kernel of a real TD is not possible from user space');
  const fixed = 'a process runs one fixed instruction sequence, with no chosen registers or context';
  assert.equal(why(g.execute(1, { mnemonic: 'HLT', mode: 'user' })), fixed);
  assert.equal(why(g.execute(0, { mnemonic: 'HLT', mode: 'user', context: 'irqs-off' } as never)), fixed);
  assert.equal(why(g.execute(0, { mnemonic: 'HLT', mode: 'user', regs: {} })), fixed);
  assert.equal(why(g.execute(0, { mnemonic: 'HLT', mode: 'user', bytes: new Uint8Array([0xf4]) } as never)), fixed);
});

test('/dev/tdx_guest from a capture: TDREPORTs of one-byte REPORTDATA, refused ioctls by their errno', () => {
  const report = Buffer.alloc(1024, 0xab);
  const g = facet(reading({}, {
    'tdreport-0x5a': { ok: true, bytes: report }, 'tdreport-0x1': { ok: false, error: 'EIO' },
    'tdx-ioctl-0xc4405401-unmapped': { ok: true, errno: 'EFAULT' }, 'tdx-ioctl-0x5401': { ok: true, errno: 'ENOTTY' }, 'tdx-ioctl-0x84405401': { ok: true, text: 'odd' },
  }));
  const got = g.tdxGuestIoctl({ cmd: GET_REPORT0, reportdata: new Uint8Array(64).fill(0x5a) });
  assert.ok(!isUnobservable(got));
  assert.deepEqual(got.result, { ok: true });
  assert.deepEqual(Buffer.from(got.tdreport!), report);
  assert.equal(why(g.tdxGuestIoctl({ cmd: GET_REPORT0, reportdata: new Uint8Array(64).fill(1) })), '/dev/tdx_guest could not be asked: EIO');
  assert.equal(why(g.tdxGuestIoctl({ cmd: GET_REPORT0 })), 'ioctl 0xc4405401 on /dev/tdx_guest (tdreport-0x0) is not in the capture');
  const mixed = new Uint8Array(64).fill(0x5a);
  mixed[63] = 0;
  assert.equal(why(g.tdxGuestIoctl({ cmd: GET_REPORT0, reportdata: mixed })), 'a capture holds TDREPORTs of REPORTDATA made of one repeated byte only');
  assert.deepEqual(g.tdxGuestIoctl({ cmd: GET_REPORT0, unmapped: true }), { result: { ok: false, errno: 'EFAULT' } });
  assert.deepEqual(g.tdxGuestIoctl({ cmd: 0x5401 }), { result: { ok: false, errno: 'ENOTTY' } });
  assert.equal(why(g.tdxGuestIoctl({ cmd: 0x84405401 })), 'unexpected record for tdx-ioctl-0x84405401');
  assert.equal(why(g.tdxGuestIoctl({ cmd: 0xc2405401, unmapped: true })), 'ioctl 0xc2405401 on /dev/tdx_guest (tdx-ioctl-0xc2405401-unmapped) is not in the capture');
});

test('the measurement registers: every file, as bytes or the errno its read gave; one missing makes them all unknown', () => {
  const files = ['mrconfigid', 'mrowner', 'mrownerconfig', 'mrtd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'];
  const all: Record<string, ProbeResult> = Object.fromEntries(files.map((f, i) => [`mr-${f}`, { ok: true, bytes: Buffer.alloc(48, i) }]));
  all['mr-rtmr3'] = { ok: true, errno: 'EACCES' };
  const got = facet(reading({}, all)).measurements();
  assert.ok(!isUnobservable(got));
  assert.deepEqual(got.map((m) => m.file), ['mrconfigid', 'mrowner', 'mrownerconfig', 'mrtd:sha384', 'rtmr0:sha384', 'rtmr1:sha384', 'rtmr2:sha384', 'rtmr3:sha384']);
  assert.deepEqual(got[7], { file: 'rtmr3:sha384', result: { ok: false, errno: 'EACCES' } });
  assert.deepEqual(got[1].result, { ok: true });
  assert.deepEqual(Buffer.from(got[1].bytes!), Buffer.alloc(48, 1));
  delete all['mr-rtmr2'];
  assert.equal(why(facet(reading({}, all)).measurements()), 'the measurement register rtmr2:sha384 is not in the capture');
  all['mr-rtmr2'] = { ok: false, error: 'ENOENT' };
  assert.equal(why(facet(reading({}, all)).measurements()), 'the measurement register rtmr2:sha384 is not in the capture');
});

test('what changes the TD is refused unless the scenario may change it; a capture cannot do it either', () => {
  const g = facet(reading());
  assert.equal(why(g.writeRtmr(2, new Uint8Array(48))), 'writing RTMR2 changes the TD: it runs only in a @destructive scenario with --allow-destructive');
  assert.match(why(g.tsmReport(new Uint8Array(64))), /^asking configfs-tsm for a report .* changes the TD/);
  const may = facet(reading(), { mayChange: true });
  assert.equal(why(may.writeRtmr(3, new Uint8Array(48))), 'a write to RTMR3 is not in the capture');
  assert.equal(why(may.tsmReport(new Uint8Array(64))), 'a configfs-tsm report is not in the capture');
  for (const x of [g.access(0, {} as never), g.convert(0n, 1, 'shared'), g.pageAccepted(0n), g.tdcall(0, 0n, {})]) assert.ok(why(x).length > 20);
});

test('configfs-tsm: the recorded item, its provider; a capture\'s `cat provider` answers too', () => {
  const item = { provider: 'tdx_guest', generation: 1, attributes: ['inblob', 'outblob', 'provider', 'generation'] };
  const g = facet(reading({}, { 'tsm-item': { ok: true, text: JSON.stringify(item) } }));
  assert.deepEqual(g.tsmItem(), item);
  assert.equal(g.tsmProvider(), 'tdx_guest');
  assert.equal(why(facet(reading()).tsmItem()), 'a configfs-tsm report item is not in the capture');
  assert.equal(why(facet(reading()).tsmProvider()), 'a configfs-tsm report item is not in the capture');
  assert.equal(facet(reading({ tsmProvider: 'tdx_guest' })).tsmProvider(), 'tdx_guest');
  assert.equal(why(facet(reading({}, { 'tsm-item': { ok: false, error: 'EACCES' } })).tsmItem()), 'a configfs-tsm report item could not be made: EACCES');
  assert.equal(why(facet(reading({}, { 'tsm-item': { ok: true, exists: true } })).tsmItem()), 'a configfs-tsm report item could not be made: unexpected record');
  // A recorded item wins over the bare provider line.
  assert.equal(facet(reading({ tsmProvider: 'other' }, { 'tsm-item': { ok: true, text: JSON.stringify(item) } })).tsmProvider(), 'tdx_guest');
});

test('guest capabilities: by what the probes could do', () => {
  const caps = (extra: Partial<Evidence>, results: Record<string, ProbeResult>, interfaces = false) => guestCapabilitiesOf(reading(extra, results), interfaces).sort();
  assert.deepEqual(caps({}, {}), ['guest.files']);
  assert.deepEqual(caps({}, { 'ucpuid-0x0-0x0': run('returned', []) }), ['guest.cpuid', 'guest.files']);
  assert.deepEqual(caps({}, { 'ucpuid-0x0-0x0': { ok: false, error: 'x' } }), ['guest.files']);
  assert.deepEqual(caps({ cpuid: { [cpuidKey(0, 0, 0)]: { eax: 0, ebx: 0, ecx: 0, edx: 0 } } }, {}), ['guest.cpuid', 'guest.files']);
  assert.deepEqual(caps({}, { 'insn-vmcall': run('signal', 'SIGILL') }), ['guest.files', 'guest.user-instructions']);
  assert.deepEqual(caps({ msrs: { [msrKey(0, 0x48)]: { gp: true } } }, {}), ['guest.files', 'guest.msr']);
  assert.deepEqual(caps({ msrs: { [msrKey(0, 0x48)]: { error: 'EIO' } } }, {}), ['guest.files']);
  assert.deepEqual(caps({ devTdxGuest: true }, {}), ['guest.files']);
  assert.deepEqual(caps({ devTdxGuest: true }, {}, true), ['guest.files', 'guest.report']);
  assert.deepEqual(caps({ devTdxGuest: true }, { 'tdreport-0x0': { ok: true, bytes: Buffer.alloc(1) } }), ['guest.files', 'guest.report']);
  assert.deepEqual(caps({ devTdxGuest: false }, {}, true), ['guest.files']);
  assert.deepEqual(caps({ tsmReportDir: true }, {}), ['guest.files']);
  assert.deepEqual(caps({ tsmReportDir: true }, {}, true), ['guest.files', 'guest.tsm']);
  assert.deepEqual(caps({ tsmReportDir: true }, { 'tsm-item': { ok: true, text: '{}' } }), ['guest.files', 'guest.tsm']);
  assert.deepEqual(caps({ tsmProvider: 'tdx_guest' }, {}), ['guest.files', 'guest.tsm']);
});
