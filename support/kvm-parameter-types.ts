/** Parameter types of the KVM step sentences. Each validates its value against the UAPI tables. */
import { defineParameterType } from '@cucumber/cucumber';
import { isKvmExitName, isKvmTdxCmdName, KVM_TDX_CMDS, type KvmExitName } from '../spec/encodings/kvm';
import type { MessageId } from '../spec/kernel/printk';
import { TDVMCALL_STATUS, type TdvmcallStatus } from '../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES, type TdvmcallLeaf } from '../spec/encodings/tdvmcall';
import { isVcpuIoctl, type VcpuIoctl } from '../backends/kvm-facet';

/** Sentences for the messages KVM prints, mapped to the log catalogue (spec/kernel/printk.ts). */
export const KVM_LOG_PHRASES: Readonly<Record<string, MessageId>> = {
  'EPT is required': 'kvm-ept-required',
  'the TDP MMU, MMIO caching and EPT A/D bits are required': 'kvm-mmu-required',
  'APICv is required': 'kvm-apicv-required',
  'OSXSAVE is required': 'kvm-osxsave-required',
  'MOVDIR64B is required': 'kvm-movdir64b-required',
  'self-snoop is required': 'kvm-selfsnoop-required',
  'no TDX private KeyIDs are available': 'kvm-no-keyids',
  'TDX is not supported by the host platform': 'kvm-platform-unsupported',
  'kvm.enable_virt_at_load=1 is required': 'kvm-virt-at-load',
  'TDX module initialisation failed': 'kvm-init-failed',
  'every package needs an online CPU to create a TD': 'kvm-all-packages-online',
  'a TD KeyID is leaked': 'kvm-hkid-leaked',
};

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

defineParameterType({
  name: 'kvmmsg',
  regexp: new RegExp(Object.keys(KVM_LOG_PHRASES).sort((a, b) => b.length - a.length).map(escape).join('|')),
  transformer: (s: string): MessageId => KVM_LOG_PHRASES[s],
});

defineParameterType({
  name: 'tdxcmd',
  regexp: /KVM_TDX_[A-Z_]+/,
  transformer: (s: string): number => {
    if (!isKvmTdxCmdName(s)) throw new Error(`unknown KVM_TDX sub-command ${s}; known: ${Object.keys(KVM_TDX_CMDS).join(', ')}`);
    return KVM_TDX_CMDS[s];
  },
});

defineParameterType({
  name: 'kvmexit',
  regexp: /KVM_EXIT_[A-Z0-9_]+/,
  transformer: (s: string): KvmExitName => {
    if (!isKvmExitName(s)) throw new Error(`unknown exit reason ${s} (see spec/abi/kvm-uapi.ts)`);
    return s;
  },
});

defineParameterType({
  name: 'tdvmcallStatus',
  regexp: /SUCCESS|RETRY|INVALID_OPERAND|ALIGN_ERROR|SUBFUNC_UNSUPPORTED/,
  transformer: (s: string): TdvmcallStatus => s as TdvmcallStatus,
});

defineParameterType({
  name: 'tdvmcall',
  regexp: /TDVMCALL<[A-Za-z#.]+>/,
  transformer: (s: string): TdvmcallLeaf => {
    const name = s.slice('TDVMCALL<'.length, -1);
    if (!Object.prototype.hasOwnProperty.call(TDVMCALL_LEAVES, name)) {
      throw new Error(`unknown TDVMCALL ${name}; known: ${Object.keys(TDVMCALL_LEAVES).join(', ')}`);
    }
    return name as TdvmcallLeaf;
  },
});

defineParameterType({
  name: 'vcpuioctl',
  regexp: /KVM_(?!TDX_)[A-Z_]+(?:\([A-Z_]+\))?/,
  transformer: (s: string): VcpuIoctl => {
    if (!isVcpuIoctl(s)) throw new Error(`no vCPU ioctl ${s} in the KVM facet`);
    return s;
  },
});

export const statusValue = (s: TdvmcallStatus): bigint => TDVMCALL_STATUS[s];
