/** Parameter types of the KVM step sentences. Each validates its value against the UAPI tables. */
import { defineParameterType } from '@cucumber/cucumber';
import { isKvmExitName, isKvmTdxCmdName, KVM_TDX_CMDS, type KvmExitName } from '../spec/encodings/kvm';
import { isVcpuIoctl, type VcpuIoctl } from '../backends/kvm-facet';

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
    if (!isKvmExitName(s)) throw new Error(`unknown exit reason ${s} (see spec/encodings/kvm.ts)`);
    return s;
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
