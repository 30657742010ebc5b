/**
 * The emulated machine's renderings held to real ones: /proc/cpuinfo against this machine's and a
 * real TDX host's flags, and a plain host's /dev/kvm against this machine's real KVM (a VM with
 * /dev/kvm and no TDX, as CI has). What a real kernel of the profile's era would show is what the
 * linux backend must be tested on; a rendering that drifts from real output tests nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emulatedMachine } from '../../backends/emulated-linux/target';
import { emulatorFactory } from '../../backends/emulator/target';
import { readTdxHostDevice } from '../../backends/linux/host';
import { Faults } from '../../backends/emulator/faults';
import { profileNamed } from '../../backends/emulator/profile';
import { isOk, type KernelInterface } from '../../backends/kernel-interface';
import { ThisMachine } from '../../backends/linux/real/this-machine';
import { parseProcCpuinfo } from '../../backends/linux/parse/cpuinfo';
import { KVM_CAPS, KVM_X86_TDX_VM } from '../../spec/encodings/kvm';
import { KVM_IOCTLS } from '../../spec/uapi/kvm';
import { PROJECT_ROOT } from '../../src/project-root';

const machineOf = (name: string): KernelInterface => {
  const p = profileNamed(name);
  return emulatedMachine(p, new Faults(p.faults));
};

const text = (ki: KernelInterface, path: string): string => {
  const r = ki.read(path);
  assert.ok(isOk(r), `${ki.describe}: ${path} unreadable: ${JSON.stringify(r)}`);
  return r.value.toString('utf8');
};

/** The "key : value" keys of the first processor block, in order. */
const blockKeys = (cpuinfo: string): string[] =>
  cpuinfo.split('\n\n')[0].split('\n').map((l) => /^([^:]+?)\s*:/.exec(l)?.[1]).filter((k): k is string => !!k);

test('the emulated /proc/cpuinfo is laid out as a real one: every key this machine prints, spelled and tabbed alike', () => {
  const emulated = text(machineOf('spr-2s-mainline-6.18'), '/proc/cpuinfo');
  const real = readFileSync('/proc/cpuinfo', 'utf8');
  const realKeys = blockKeys(real);
  // "vmx flags" only where the CPU has VMX (this machine may be a guest without it).
  const missing = blockKeys(emulated).filter((k) => !realKeys.includes(k) && k !== 'vmx flags');
  assert.deepEqual(missing, [], 'keys the emulated block prints that a real kernel does not');
  // Each key line uses the kernel's tab layout (show_cpuinfo(): "%s\t\t: " or "%s\t: ").
  for (const line of emulated.split('\n\n')[0].split('\n').filter(Boolean)) {
    const key = /^([^\t:]+)/.exec(line)![1];
    const realLine = real.split('\n').find((l) => l.startsWith(key + '\t') || l === key + ':' || l.startsWith(key + ':'));
    if (!realLine) continue;
    assert.equal(line.slice(0, line.indexOf(':') + 1), realLine.slice(0, realLine.indexOf(':') + 1), `layout of "${key}"`);
  }
  assert.ok(parseProcCpuinfo(emulated)?.flags?.complete, 'the parser reads the emulated block as whole');
});

test("the emulated Sapphire Rapids host's flags keep the kernel's order, tdx_host_platform where a real host prints it", () => {
  const fixture = join(PROJECT_ROOT, 'test/fixtures/real/host/cpuinfo-flags-tdx-host-platform.truncated.txt');
  const real = readFileSync(fixture, 'utf8').trim().split(/\s+/);
  const emulated = parseProcCpuinfo(text(machineOf('spr-2s-mainline-6.18'), '/proc/cpuinfo'))!.flags!.flags;
  assert.ok(emulated.includes('tdx_host_platform'), 'a TDX host shows tdx_host_platform');
  const common = emulated.filter((f) => real.includes(f));
  assert.ok(common.length >= 10, `too few flags in common with the real host to compare (${common.length})`);
  assert.deepEqual(common, real.filter((f) => common.includes(f)), 'flags in common appear in the same order');
});

/** What a VMM sees of KVM on a host without TDX: the API version, the VM types, and the two refusals. */
function kvmAnswers(ki: KernelInterface): Record<string, unknown> | null {
  const fd = ki.open('/dev/kvm', 'rw');
  if (!isOk(fd)) return null;
  const out: Record<string, unknown> = {};
  try {
    const api = ki.ioctl(fd.value, KVM_IOCTLS.KVM_GET_API_VERSION, 0);
    out.api = isOk(api) ? api.value : api;
    const types = ki.ioctl(fd.value, KVM_IOCTLS.KVM_CHECK_EXTENSION, KVM_CAPS.KVM_CAP_VM_TYPES);
    out.tdxTypeOffered = isOk(types) ? (types.value & (1 << KVM_X86_TDX_VM)) !== 0 : types;
    out.defaultTypeOffered = isOk(types) ? (types.value & 1) !== 0 : types;
    const td = ki.ioctl(fd.value, KVM_IOCTLS.KVM_CREATE_VM, KVM_X86_TDX_VM, { returnsFd: true });
    out.createTd = isOk(td) ? 'created' : td;
    if (isOk(td)) ki.close(td.value);
    const vm = ki.ioctl(fd.value, KVM_IOCTLS.KVM_CREATE_VM, 0, { returnsFd: true });
    if (isOk(vm)) {
      const arg = ki.alloc(24);
      const op = ki.ioctl(vm.value, KVM_IOCTLS.KVM_MEMORY_ENCRYPT_OP, arg);
      out.encryptOpOnDefaultVm = isOk(op) ? 'accepted' : op;
      ki.close(vm.value);
    } else {
      out.encryptOpOnDefaultVm = vm;
    }
  } finally {
    ki.close(fd.value);
  }
  return out;
}

test("a plain Intel host's emulated /dev/kvm answers as this machine's real KVM (no TDX)", (t) => {
  const real = kvmAnswers(new ThisMachine());
  if (!real) {
    t.skip('this machine has no usable /dev/kvm');
    return;
  }
  if (real.tdxTypeOffered === true) {
    t.skip('this machine offers TDX VMs: it is not a host without TDX');
    return;
  }
  const emulated = kvmAnswers(machineOf('intel-plain-mainline-6.18'));
  assert.deepEqual(emulated, real);
});

/** The TDX host lines of a kernel log, without timestamps. */
const tdxLines = (log: string): string[] =>
  log.split('\n').filter((l) => /(^|\] )(virt\/tdx|tdx): /.test(l)).map((l) => l.replace(/^\[[^\]]*\] /, ''));

for (const [profile, capture] of [
  ['spr-2s-ubuntu-6.8', 'h-spr-8480-module-1.5.698-ok-with-kvm-noise.dmesg'],
  ['emr-2s-ubuntu-6.8', 'h-emr-6.8.0-1006-intel-module-1.5.698-ok.dmesg'],
]) {
  test(`the emulated kernel log of ${profile} has the TDX lines, byte for byte, of the real machine it was taken from (${capture})`, () => {
    const log = machineOf(profile).kernelLog();
    assert.ok(isOk(log));
    const real = readFileSync(join(PROJECT_ROOT, 'test/fixtures/real/host', capture), 'utf8');
    assert.deepEqual(tdxLines(log.value.text), tdxLines(real));
  });
}

test('the tdx_host device: served by the 7.2 machine only, as the emulator facet reports it; the linux backend reads the same', () => {
  const dev = (name: string) => readTdxHostDevice(machineOf(name));
  assert.deepEqual(dev('gnr-2s-mainline-7.1'), { present: false, attributes: [] });
  const m = machineOf('gnr-2s-mainline-7.2');
  assert.deepEqual(m.stat('/sys/devices/faux/tdx_host'), { ok: true, value: { type: 'dir', mode: 0o755 } });
  // Module 2.0.08; the profile's CPU does not set IA32_VMX_BASIC bit 60, so no runtime-update files.
  assert.deepEqual(readTdxHostDevice(m), { present: true, attributes: [{ name: 'version', mode: 0o444, text: '2.0.08\n' }] });
  assert.ok(!isOk(m.write('/sys/devices/faux/tdx_host/version', Buffer.from('1.5.06\n'))));
  assert.deepEqual(emulatorFactory('gnr-2s-mainline-7.2').create().host!.tdxHostDevice(), readTdxHostDevice(machineOf('gnr-2s-mainline-7.2')));
  // Faulted: the update printed without its leading zero, on both.
  const unpadded = emulatorFactory('gnr-2s-mainline-7.2', ['host.tdx-host-update-unpadded']).create().host!.tdxHostDevice();
  assert.deepEqual(unpadded, { present: true, attributes: [{ name: 'version', mode: 0o444, text: '2.0.8\n' }] });
});
