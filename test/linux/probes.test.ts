/**
 * The probe lists (backends/linux/probes.ts, guest-probes.ts): the files each probe reads are the
 * kernel's (Linux 6.16.1 unless said otherwise), and the ids are the keys snapshots store results
 * under, so both are written out here:
 *  - /proc/cmdline, /proc/version, /proc/sys/kernel/osrelease, /proc/cpuinfo, /proc/meminfo (fs/proc);
 *    /sys/power/state and /sys/power/mem_sleep (kernel/power/main.c);
 *  - /sys/module/<module>/parameters/<name> for kvm_intel's tdx, ept, eptad, enable_apicv and kvm's
 *    tdp_mmu, mmio_caching, enable_virt_at_load (module_param in arch/x86/kvm/vmx/main.c, vmx.c, mmu/mmu.c, x86.c);
 *  - /sys/devices/system/cpu/present and online print CPU lists such as "0-3,5" (drivers/base/cpu.c,
 *    cpumap_print_to_pagebuf(true, ...): ranges joined by commas, a newline at the end);
 *    /sys/devices/system/cpu/cpuN/topology/physical_package_id (drivers/base/topology.c);
 *  - misc.capacity and misc.current at the cgroup root (kernel/cgroup/misc.c);
 *  - MSR 0x87 is MSR_IA32_MKTME_KEYID_PARTITIONING (asm/msr-index.h);
 *  - TDX_CMD_GET_REPORT0 is _IOWR('T', 1, struct tdx_report_req), 0xc4405401 (include/uapi/linux/tdx-guest.h);
 *  - the measurement registers are /sys/devices/virtual/misc/tdx_guest/measurements/<name>
 *    (drivers/virt/coco/tdx-guest/tdx-guest.c, v6.16), named mrtd:sha384, rtmr0:sha384 ... .
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sysErr, sysOk } from '../../backends/kernel-interface';
import {
  baseProbes, cpuidProbeId, cpuProbes, kvmParamProbeId, msrProbeId, parseCpuList, type Probe, type ProbeResults,
} from '../../backends/linux/probes';
import {
  describeGuestProbe, guestProbes, insnProbeId, looksLikeTd, measurementProbeId, runGuestProbe, tdreportProbeId, tdxIoctlProbeId, userCpuidProbeId,
  type GuestProbe,
} from '../../backends/linux/guest-probes';
import { FakeKi } from '../support/fake-ki';

const byId = (ps: Probe[]) => new Map(ps.map((p) => [p.id, p]));

test('the base probes read these files, under these ids', () => {
  const files = Object.fromEntries(baseProbes().filter((p) => p.kind === 'file').map((p) => [p.id, (p as { path: string }).path]));
  assert.deepEqual(files, {
    'proc-cmdline': '/proc/cmdline',
    'proc-version': '/proc/version',
    osrelease: '/proc/sys/kernel/osrelease',
    'proc-cpuinfo': '/proc/cpuinfo',
    'proc-meminfo': '/proc/meminfo',
    'power-state': '/sys/power/state',
    'power-mem-sleep': '/sys/power/mem_sleep',
    'kvm-intel-tdx': '/sys/module/kvm_intel/parameters/tdx',
    'param-kvm_intel-ept': '/sys/module/kvm_intel/parameters/ept',
    'param-kvm_intel-eptad': '/sys/module/kvm_intel/parameters/eptad',
    'param-kvm_intel-enable_apicv': '/sys/module/kvm_intel/parameters/enable_apicv',
    'param-kvm-tdp_mmu': '/sys/module/kvm/parameters/tdp_mmu',
    'param-kvm-mmio_caching': '/sys/module/kvm/parameters/mmio_caching',
    'param-kvm-enable_virt_at_load': '/sys/module/kvm/parameters/enable_virt_at_load',
    'cpu-present': '/sys/devices/system/cpu/present',
    'cpu-online': '/sys/devices/system/cpu/online',
    'misc-capacity': '/sys/fs/cgroup/misc.capacity',
    'misc-current': '/sys/fs/cgroup/misc.current',
    'tdx-host-version': '/sys/devices/faux/tdx_host/version',
    'tdx-module-attributes': '/sys/firmware/tdx/tdx_module/attributes',
    'tdx-module-vendor_id': '/sys/firmware/tdx/tdx_module/vendor_id',
    'tdx-module-major_version': '/sys/firmware/tdx/tdx_module/major_version',
    'tdx-module-minor_version': '/sys/firmware/tdx/tdx_module/minor_version',
    'tdx-module-build_num': '/sys/firmware/tdx/tdx_module/build_num',
    'tdx-module-build_date': '/sys/firmware/tdx/tdx_module/build_date',
    'tdx-module-status': '/sys/firmware/tdx/tdx_module/status',
  });
});

test('the base probes: nodes that must exist, the log, CPUID leaves 0, 1, 7, 0x21 and MSR 0x87 on CPU 0, the KVM API', () => {
  const ps = baseProbes();
  const rest = ps.filter((p) => p.kind !== 'file').map((p) => ({ ...p, why: undefined }));
  assert.deepEqual(rest, [
    { id: 'dev-kvm', kind: 'exists', path: '/dev/kvm', why: undefined },
    { id: 'dev-tdx-guest', kind: 'exists', path: '/dev/tdx_guest', why: undefined },
    { id: 'tsm-report', kind: 'exists', path: '/sys/kernel/config/tsm/report', why: undefined },
    { id: 'kernel-log', kind: 'kernel-log', why: undefined },
    { id: 'cpuid-0-0x0-0x0', kind: 'cpuid', cpu: 0, leaf: 0, subleaf: 0, why: undefined },
    { id: 'cpuid-0-0x1-0x0', kind: 'cpuid', cpu: 0, leaf: 1, subleaf: 0, why: undefined },
    { id: 'cpuid-0-0x7-0x0', kind: 'cpuid', cpu: 0, leaf: 7, subleaf: 0, why: undefined },
    { id: 'cpuid-0-0x21-0x0', kind: 'cpuid', cpu: 0, leaf: 0x21, subleaf: 0, why: undefined },
    { id: 'msr-0-0x87', kind: 'msr', cpu: 0, msr: 0x87, why: undefined },
    { id: 'kvm-api', kind: 'kvm-api', why: undefined },
  ]);
  // Every probe says why it is there (the capture's manifest shows it), and ids are unique.
  for (const p of ps) assert.ok(p.why.length >= 3, p.id);
  assert.equal(byId(ps).size, ps.length);
  assert.equal(new Set(ps.map((p) => p.why)).size >= 20, true, 'the reasons are the probes\' own');
});

test('probe ids: CPUID, MSR, module parameters and per-CPU packages', () => {
  assert.equal(cpuidProbeId(3, 0x21, 1), 'cpuid-3-0x21-0x1');
  assert.equal(msrProbeId(2, 0x87), 'msr-2-0x87');
  assert.equal(kvmParamProbeId('kvm_intel', 'tdx'), 'kvm-intel-tdx');
  assert.equal(kvmParamProbeId('kvm', 'tdx'), 'param-kvm-tdx');
  assert.equal(kvmParamProbeId('kvm_intel', 'ept'), 'param-kvm_intel-ept');
  const cpus = cpuProbes([0, 5]);
  assert.deepEqual(cpus.map((p) => ({ ...p, why: undefined })), [
    { id: 'cpu0-package', kind: 'file', path: '/sys/devices/system/cpu/cpu0/topology/physical_package_id', why: undefined },
    { id: 'cpu5-package', kind: 'file', path: '/sys/devices/system/cpu/cpu5/topology/physical_package_id', why: undefined },
  ]);
  assert.ok(cpus.every((p) => p.why.length > 0));
  assert.deepEqual(cpuProbes([]), []);
});

test('parseCpuList reads the kernel\'s CPU lists', () => {
  assert.deepEqual(parseCpuList('0-3,5,7-8\n'), [0, 1, 2, 3, 5, 7, 8]);
  assert.deepEqual(parseCpuList('0\n'), [0]);
  assert.deepEqual(parseCpuList('0-0'), [0]);
  assert.deepEqual(parseCpuList('12-13'), [12, 13]);
  assert.deepEqual(parseCpuList('\n'), []);
  assert.deepEqual(parseCpuList(''), []);
  // Anything that is not a number or a range is skipped, not guessed at.
  assert.deepEqual(parseCpuList('1,x,3-a,4'), [1, 4]);
  assert.deepEqual(parseCpuList('a1,2b,-3,5-'), []);
  assert.deepEqual(parseCpuList(' 1 , 2 '), [1, 2]);
  assert.deepEqual(parseCpuList('3-1'), []);
});

test('looksLikeTd: /dev/tdx_guest exists, or /proc/cpuinfo lists tdx_guest as a whole word', () => {
  const r = (entries: [string, unknown][]) => new Map(entries) as ProbeResults;
  assert.equal(looksLikeTd(r([['dev-tdx-guest', { ok: true, exists: true }]])), true);
  assert.equal(looksLikeTd(r([['dev-tdx-guest', { ok: true, exists: false }]])), false);
  assert.equal(looksLikeTd(r([['dev-tdx-guest', { ok: false, error: 'x' }]])), false);
  assert.equal(looksLikeTd(r([['dev-tdx-guest', { ok: true, text: 'x' }]])), false);
  assert.equal(looksLikeTd(r([])), false);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, text: 'flags\t\t: fpu tdx_guest\nbugs\t\t: x\n' }]])), true);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, text: 'flags\t\t: fpu tdx_guest vmx\n' }]])), true);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, text: 'flags\t\t: fpu tdx_guest' }]])), true);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, text: 'flags\t\t: fpu tdx_guestx vmx\n' }]])), false);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, text: 'flags\t\t: fpu xtdx_guest\n' }]])), false);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, text: 'flags\t\t: tdx_host_platform\n' }]])), false);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: false, error: 'EACCES' }]])), false);
  assert.equal(looksLikeTd(r([['proc-cpuinfo', { ok: true, exists: true }]])), false);
  assert.equal(looksLikeTd(r([['dev-tdx-guest', { ok: true, exists: false }], ['proc-cpuinfo', { ok: true, text: ' tdx_guest\n' }]])), true);
});

test('guest probe ids', () => {
  assert.equal(userCpuidProbeId(0x40000000, 0), 'ucpuid-0x40000000-0x0');
  assert.equal(insnProbeId('VMCALL'), 'insn-vmcall');
  assert.equal(tdreportProbeId(0x5a), 'tdreport-0x5a');
  assert.equal(tdxIoctlProbeId(0xc4405401, true), 'tdx-ioctl-0xc4405401-unmapped');
  assert.equal(tdxIoctlProbeId(0x5401, false), 'tdx-ioctl-0x5401');
  assert.equal(measurementProbeId('rtmr0:sha384'), 'mr-rtmr0');
  assert.equal(measurementProbeId('mrowner'), 'mr-mrowner');
});

test('the guest probes: CPUID by a process, refused instructions, TDREPORTs, refused ioctls, measurement registers, one tsm item, MSRs, meminfo', () => {
  const ps = guestProbes();
  const m = byId(ps);
  assert.equal(m.size, ps.length, 'ids are unique');
  assert.deepEqual(m.get('ucpuid-0x21-0x0'), { id: 'ucpuid-0x21-0x0', kind: 'insn', sequence: 'cpuid', input: ['0x21', '0x0'], why: 'CPUID executed by a process' });
  assert.deepEqual(m.get('ucpuid-0x80000006-0x0'), { id: 'ucpuid-0x80000006-0x0', kind: 'insn', sequence: 'cpuid', input: ['0x80000006', '0x0'], why: 'CPUID executed by a process' });
  assert.deepEqual(m.get('insn-vmcall'), { id: 'insn-vmcall', kind: 'insn', sequence: 'VMCALL', input: [], why: 'VMCALL executed by a process: how it ends' });
  assert.deepEqual(m.get('tdreport-0x1'), { id: 'tdreport-0x1', kind: 'tdreport', fill: 1, why: 'TDX_CMD_GET_REPORT0 on /dev/tdx_guest' });
  assert.deepEqual(m.get('tdx-ioctl-0x5401'), { id: 'tdx-ioctl-0x5401', kind: 'tdx-ioctl', cmd: 0x5401, unmapped: false, why: 'a command /dev/tdx_guest does not know' });
  assert.deepEqual(m.get('tdx-ioctl-0xc4405401-unmapped'), { id: 'tdx-ioctl-0xc4405401-unmapped', kind: 'tdx-ioctl', cmd: 0xc4405401, unmapped: true, why: 'TDX_CMD_GET_REPORT0 with an unmapped argument' });
  assert.deepEqual(m.get('mr-mrtd'), { id: 'mr-mrtd', kind: 'measurement', file: 'mrtd:sha384', why: 'measurement register in sysfs (v6.16)' });
  assert.deepEqual(m.get('mr-rtmr3'), { id: 'mr-rtmr3', kind: 'measurement', file: 'rtmr3:sha384', why: 'measurement register in sysfs (v6.16)' });
  assert.deepEqual(m.get('tsm-item'), { id: 'tsm-item', kind: 'tsm-item', why: 'a configfs-tsm report item made, read, written once and removed (no quote)' });
  assert.deepEqual(m.get('msr-0-0x1b'), { id: 'msr-0-0x1b', kind: 'msr', cpu: 0, msr: 0x1b, why: 'RDMSR through /dev/cpu/0/msr' });
  assert.deepEqual(m.get('proc-meminfo'), { id: 'proc-meminfo', kind: 'file', path: '/proc/meminfo', why: 'memory the TD has not accepted yet (Unaccepted:, v6.5)' });
  const count = (k: string) => ps.filter((p) => p.kind === k).length;
  // 11 CPUID leaves + 17 instructions; 4 TDREPORT fills; 4 refused commands + the unmapped one; 8 registers; 10 MSRs.
  assert.deepEqual([count('insn'), count('tdreport'), count('tdx-ioctl'), count('measurement'), count('tsm-item'), count('msr'), count('file')], [28, 4, 5, 8, 1, 10, 1]);
  // None of the refused commands is GET_REPORT0 itself.
  assert.ok(ps.every((p) => p.kind !== 'tdx-ioctl' || (p as { unmapped: boolean }).unmapped || (p as { cmd: number }).cmd !== 0xc4405401));
  assert.equal(ps[ps.length - 1].id, 'proc-meminfo');
});

test('describeGuestProbe says what each probe does', () => {
  const d = (p: { kind: GuestProbe['kind']; [k: string]: unknown }) => describeGuestProbe({ id: 'x', why: 'y', ...p } as GuestProbe);
  assert.equal(d({ kind: 'insn', sequence: 'cpuid', input: ['0x21', '0x0'] }), 'CPUID 0x21.0 executed by a process');
  assert.equal(d({ kind: 'insn', sequence: 'cpuid', input: ['0x7', '0x1'] }), 'CPUID 0x7.1 executed by a process');
  assert.equal(d({ kind: 'insn', sequence: 'VMXON', input: [] }), 'VMXON executed by a process');
  assert.equal(d({ kind: 'tdreport', fill: 0x5a }), 'TDX_CMD_GET_REPORT0 on /dev/tdx_guest (REPORTDATA of bytes 0x5a)');
  assert.equal(d({ kind: 'tdx-ioctl', cmd: 0x5401, unmapped: false }), 'ioctl 0x5401 on /dev/tdx_guest');
  assert.equal(d({ kind: 'tdx-ioctl', cmd: 0xc4405401, unmapped: true }), 'ioctl 0xc4405401 on /dev/tdx_guest with an unmapped argument');
  assert.equal(d({ kind: 'measurement', file: 'rtmr1:sha384' }), '/sys/devices/virtual/misc/tdx_guest/measurements/rtmr1:sha384');
  assert.equal(d({ kind: 'tsm-item' }), 'a configfs-tsm report item (made and removed)');
});

test('runGuestProbe: each kind through the kernel interface, failures as errors', () => {
  const MR = '/sys/devices/virtual/misc/tdx_guest/measurements';
  const ki = new FakeKi({ [`${MR}/rtmr0:sha384`]: { text: Buffer.alloc(48, 0xab) }, [`${MR}/mrowner`]: { errno: 'EIO' } });
  const run = (p: { kind: GuestProbe['kind']; [k: string]: unknown }, k = ki) => runGuestProbe({ id: 'x', why: 'y', ...p } as GuestProbe, k);
  assert.deepEqual(run({ kind: 'measurement', file: 'rtmr0:sha384' }), { ok: true, bytes: Buffer.alloc(48, 0xab) });
  assert.deepEqual(run({ kind: 'measurement', file: 'mrowner' }), { ok: true, errno: 'EIO' });
  assert.deepEqual(run({ kind: 'measurement', file: 'mrtd:sha384' }), { ok: true, errno: 'ENOENT' });
  // FakeKi opens nothing, runs nothing and makes no directory: each kind reports its failure.
  assert.deepEqual(run({ kind: 'tdreport', fill: 0 }), { ok: false, error: 'ENOENT' });
  assert.deepEqual(run({ kind: 'tdx-ioctl', cmd: 0x5401, unmapped: false }), { ok: false, error: 'ENOENT' });
  assert.deepEqual(run({ kind: 'tsm-item' }), { ok: false, error: 'EPERM' });
  assert.deepEqual(run({ kind: 'insn', sequence: 'cpuid', input: ['0x0', '0x0'] }), { ok: false, error: 'ENOSYS' });
  assert.deepEqual(run({ kind: 'insn', sequence: 'VMCALL', input: [] }), { ok: false, error: 'ENOSYS' });
  assert.deepEqual(run({ kind: 'insn', sequence: 'NOPE', input: [] }), { ok: false, error: 'no instruction sequence named NOPE' });
});

test('runGuestProbe: what a TD answers comes back as the probe result', () => {
  const runs: { code: Uint8Array; input: readonly bigint[] }[] = [];
  class TdKi extends FakeKi {
    override open(path: string) { return path === '/dev/tdx_guest' ? sysOk(7) : sysErr('ENOENT'); }
    override alloc(size: number) { return { addr: 0x1000n, size, bytes: Buffer.alloc(size), setPointer() {}, pointers: new Map() }; }
    override ioctl(_fd: number, cmd: number, arg: unknown) {
      if (cmd !== 0xc4405401) return sysErr('ENOTTY');
      (arg as { bytes: Buffer }).bytes.fill(0xcc, 64);
      return sysOk(0);
    }
    override runInstructions(code: Uint8Array, input: readonly bigint[] = []) {
      runs.push({ code, input });
      return sysOk({ ended: 'returned' as const, out: [1n, 2n, 3n, 4n] });
    }
    gen = 0;
    override read(path: string) {
      if (path.endsWith('/provider')) return sysOk(Buffer.from('tdx_guest\n'));
      if (path.endsWith('/generation')) return sysOk(Buffer.from(`${this.gen}\n`));
      return super.read(path);
    }
    override write(_path: string, data: Buffer) { this.gen++; return sysOk(data.length); }
    override mkdir() { return sysOk(undefined); }
    override rmdir() { return sysOk(undefined); }
  }
  const ki = new TdKi({});
  const rep = runGuestProbe({ id: 'x', why: 'y', kind: 'tdreport', fill: 1 }, ki);
  assert.ok(rep.ok && 'bytes' in rep);
  assert.equal(rep.bytes.length, 1024);
  assert.ok(rep.bytes.every((b) => b === 0xcc));
  assert.deepEqual(runGuestProbe({ id: 'x', why: 'y', kind: 'tdx-ioctl', cmd: 0x5401, unmapped: false }, ki), { ok: true, errno: 'ENOTTY' });
  const cpuid = runGuestProbe({ id: 'x', why: 'y', kind: 'insn', sequence: 'cpuid', input: ['0x21', '0x0'] }, ki);
  assert.deepEqual(cpuid, { ok: true, run: { ended: 'returned', out: [1n, 2n, 3n, 4n] }, log: [] });
  assert.deepEqual(runs[0].input, [0x21n, 0n]);
  const vmcall = runGuestProbe({ id: 'x', why: 'y', kind: 'insn', sequence: 'VMCALL', input: [] }, ki);
  assert.ok(vmcall.ok && 'run' in vmcall);
  assert.notDeepEqual(Buffer.from(runs[1].code), Buffer.from(runs[0].code), 'VMCALL runs its own sequence, not CPUID');
  // 0f 01 c1 is VMCALL (Intel SDM vol. 2B).
  assert.ok(Buffer.from(runs[1].code).includes(Buffer.from([0x0f, 0x01, 0xc1])));
  // GET_REPORT0 refused (the module failed TDG.MR.REPORT: EIO in v6.16 tdx_mcall_get_report0()),
  // and a "refused" command that the device took after all: each result kind as it came.
  const refusing = new (class extends TdKi { override ioctl() { return sysErr('EIO'); } })({});
  assert.deepEqual(runGuestProbe({ id: 'x', why: 'y', kind: 'tdreport', fill: 1 }, refusing), { ok: true, errno: 'EIO' });
  const taken = runGuestProbe({ id: 'x', why: 'y', kind: 'tdx-ioctl', cmd: 0xc4405401, unmapped: false }, ki);
  assert.ok(taken.ok && 'bytes' in taken && taken.bytes.length === 1024);
  const item = runGuestProbe({ id: 'x', why: 'y', kind: 'tsm-item' }, ki);
  // configfs-tsm: each write to inblob counts one generation (Documentation/ABI/testing/configfs-tsm).
  assert.deepEqual(item, { ok: true, text: JSON.stringify({ provider: 'tdx_guest', generations: [0, 1], removed: true }) });
});
