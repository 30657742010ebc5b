/**
 * The KVM facet of the emulator: KVM capabilities, the KVM arrangements (module parameters, EPT
 * capabilities, the module's vCPU limit, the VMM script), and the port's KvmFacet answered by the
 * emulated KVM (kvm/kvm.ts) on the scenario's kernel and TDX module. Ioctls on a VM or vCPU the
 * scenario never created are a scenario error (thrown); architectural outcomes are records.
 */
import { unobservable, type Arrangement, type ArrangeResult, type KernelResult } from '../../port';
import type { KvmArrangement, KvmFacet } from '../../kvm-facet';
import { kvmTdxNeeds } from '../../../spec/kernel/kvm-tdx-needs';
import { kvmParam, type KvmSetup } from '../kvm/setup';
import { EmulatedKvm } from '../kvm/kvm';
import type { EmulatorScenario } from '../system';
import { guestModel } from './kvm-guest';
import type { FacetPlugin } from './plugin';

const KEY = 'kvm.device';
/** Where the emulated VMM keeps the pages it copies into a TD (a user-space address). */
const VMM_MEMORY = 0x7f0000000000n;
const SETUP = 'kvm.setup';

export function kvmSetup(t: EmulatorScenario): KvmSetup {
  let s = t.ext.get(SETUP) as KvmSetup | undefined;
  if (!s) t.ext.set(SETUP, (s = { ept5Level: true, vmmScript: {} }));
  return s;
}

export function emulatedKvm(t: EmulatorScenario): EmulatedKvm {
  let k = t.ext.get(KEY) as EmulatedKvm | undefined;
  if (!k) t.ext.set(KEY, (k = new EmulatedKvm({ kernel: () => t.system().kernel, faults: t.faults, setup: kvmSetup(t) })));
  return k;
}

const NOT_LOADED: KernelResult = { ok: false, errno: 'ENOENT' };

export function kvmFacet(t: EmulatorScenario): KvmFacet {
  const kvm = () => emulatedKvm(t);
  /** A loaded kvm_intel, or the reason /dev/kvm cannot be used. */
  const dev = () => {
    const k = kvm();
    return k.loaded ? k : null;
  };
  const vm = (fd: number) => kvm().vm(fd);
  const vcpu = (fd: number, v: number) => vm(fd).vcpu(v);
  return {
    load: () => kvm().load(),
    param(param) {
      const k = kvm();
      if (!k.loaded && param.startsWith('kvm_intel.')) return unobservable('kvm_intel is not loaded');
      const on = param === 'kvm_intel.tdx' ? k.tdxEnabled : kvmParam(k.kernel.config.cmdline, param);
      return on ? 'Y' : 'N';
    },
    checkExtension(cap) {
      const k = dev();
      return k ? k.checkExtension(cap) : unobservable('kvm_intel is not loaded: there is no /dev/kvm');
    },
    createVm(type) {
      const k = dev();
      return k ? k.createVm(type) : { result: NOT_LOADED };
    },
    vmCheckExtension: (fd, cap) => vm(fd).checkExtension(cap),
    enableCap: (fd, cap, args) => vm(fd).enableCap(cap, args),
    setMsrFilter(fd, deny) {
      const v = vm(fd);
      if (v.dead) return { ok: false, errno: 'EIO' };
      v.msrDeny = deny.map((d) => ({ ...d }));
      return { ok: true };
    },
    setMemoryAttributes: (fd, gpa, size, attributes) => vm(fd).setMemoryAttributes(gpa, size, attributes),
    vmTdxCmd: (fd, cmd) => vm(fd).tdxCmd(cmd),
    createVcpu: (fd, id) => vm(fd).createVcpu(id),
    vcpuTdxCmd(fd, v, cmd) {
      // The VMM's own memory, where a scenario gives no source address: page-aligned, as a VMM allocates it.
      if (cmd.data.kind === 'init-mem-region' && cmd.data.region.sourceAddr === undefined) {
        cmd = { ...cmd, data: { ...cmd.data, region: { ...cmd.data.region, sourceAddr: VMM_MEMORY + (cmd.data.region.sourceOffset ?? 0n) } } };
      }
      return vcpu(fd, v).tdxCmd(cmd);
    },
    addGuestMemory(fd, gpa, size) {
      const v = vm(fd);
      if (v.dead) return { ok: false, errno: 'EIO' };
      // KVM_SET_USER_MEMORY_REGION2 checks alignment; the model keeps no memory slots beyond that.
      return gpa % 4096n === 0n && size % 4096n === 0n && size > 0n ? { ok: true } : { ok: false, errno: 'EINVAL' };
    },
    setCpuid: (fd, v, entries) => vcpu(fd, v).setCpuid(entries),
    vcpuIoctl: (fd, v, name) => vcpu(fd, v).ioctl(name),
    mpState: (fd, v) => vcpu(fd, v).mp(),
    signalMsi: (fd, v, vector) => vcpu(fd, v).signalMsi(vector),
    run: (fd, v) => vcpu(fd, v).run(),
    answer: (fd, v, a) => vcpu(fd, v).answer(a),
    destroyVm: (fd) => vm(fd).destroy(),
    guestDo: (fd, v, action) => vcpu(fd, v).guestDo(action),
    guestView(fd, v) {
      const view = vcpu(fd, v).guestView();
      return view ?? unobservable('the vCPU has no TDVPS yet (KVM_TDX_INIT_VCPU not done)');
    },
    seamcallTrace: () => [...kvm().sc.trace],
    privateMappings: (fd) => vm(fd).mmu.privateMappings(),
    sharedMappings: (fd) => vm(fd).mmu.sharedMappings(),
    vmmExits: (fd) => [...vm(fd).vmmExits],
    guestExecute(fd, v, insn) {
      const target = vm(fd);
      if (target.state !== 'RUNNABLE') return unobservable('the TD is not finalized: no guest runs in it yet');
      return guestModel(target).execute(v, insn);
    },
  };
}

const KVM_KINDS = new Set<KvmArrangement['kind']>(['kvm-param', 'kvm-tdx-up', 'kvm-tdx-needs', 'ept-5level', 'module-max-vcpus-per-td', 'vmm-script']);

function arrange(t: EmulatorScenario, a: Arrangement): ArrangeResult | undefined {
  if (!KVM_KINDS.has(a.kind as KvmArrangement['kind'])) return undefined;
  const k = a as KvmArrangement;
  const s = t.setup;
  switch (k.kind) {
    case 'kvm-param':
      // Module parameters come from the command line, read when kvm_intel loads at boot.
      t.beforeStart(k.kind);
      s.cmdline = s.cmdline.filter((x) => !x.startsWith(`${k.param}=`)).concat([`${k.param}=${k.value ? 1 : 0}`]);
      break;
    case 'kvm-tdx-up':
    case 'kvm-tdx-needs': {
      // The profile's KVM configuration is the premise: one that turns off what TDX needs is not
      // turned into one that brings TDX up.
      const eras = t.profile.kernel.flavour.eras;
      const off = kvmTdxNeeds(eras, k.kind === 'kvm-tdx-needs' ? k.except : []).find((n) =>
        (n.param && s.cmdline.includes(`${n.param}=0`)) || (n.cpuFeature && !s.platform.cpuFeatures.includes(n.cpuFeature)));
      if (off) {
        return { met: false, reason: `KVM's TDX needs ${off.param ? `${off.param}, which the profile's command line turns off` : `${off.cpuFeature}, which the profile's CPU lacks`}` };
      }
      break;
    }
    case 'ept-5level':
      kvmSetup(t).ept5Level = k.present;
      break;
    case 'module-max-vcpus-per-td':
      t.beforeStart(k.kind);
      s.build = { ...s.build, metadata: { ...s.build.metadata, MAX_VCPUS_PER_TD: k.value } };
      break;
    case 'vmm-script':
      kvmSetup(t).vmmScript = { ...kvmSetup(t).vmmScript, ...k.script };
      break;
  }
  return { met: true };
}

export const kvmPlugin: FacetPlugin = {
  capabilities: ['kvm.ioctl', 'kvm.module', 'kvm.test-guest', 'kvm.seamcall-trace', 'kvm.mmu'],
  arrange,
  attach: (t) => ({ kvm: kvmFacet(t) }),
};
