/**
 * tdx_early_init() and what follows it at boot (@src:guest-c, @src:guest-c-v63,
 * @src:ml-disable-sept-ve, @src:guest-ml-topology-enum, @src:ml-reduce-ve, @src:ml-tdx-announce,
 * @src:tdx-guest-debug-c).
 *
 * The kernel recognises a TD by the signature of CPUID leaf 0x21, marks the CPU with
 * X86_FEATURE_TDX_GUEST, learns the GPA width and attributes from TDG.VP.INFO (the shared bit is
 * the top GPA bit), turns off notification #VEs, and makes sure SEPT violations cannot reach it
 * as #VE: older kernels require the SEPT_VE_DISABLE attribute (a debug TD only gets a warning);
 * from v6.13 a TD whose VMM allows it sets TD_CTLS.PENDING_VE_DISABLE itself and turns on topology
 * enumeration (which needs x2APIC IDs the VMM configured; a module without the field reads 0
 * there, so on module 1.5.01 the kernel says the VMM did not configure them); from v6.14 it asks
 * for REDUCE_VE first and falls back to topology enumeration. Kernels from v6.14 announce the
 * attributes and TD_CTLS by name after "Guest detected" (bit 29 spelled MIGRTABLE until a 2026 fix).
 */
import { attributeBit, tdCtlBit, TD_ATTRIBUTES, TD_CTLS, TDCS_FIELDS, TDX_CPUID_LEAF_ID, TDX_IDENT } from '../../../../spec/abi/tdcall';
import { KernelPanic, tdxPanic, type KernelEnv } from './env';

const u32le = (v: number): string => String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);

/** Reads a TD-scope field; a failed read yields 0 (the module returns 0 in R8 on failure). */
function vmRead(env: KernelEnv, field: bigint): bigint {
  return env.module.tdcall(0, 'TDG.VM.RD', { rdx: field }).out.r8 ?? 0n;
}

function vmWrite(env: KernelEnv, field: bigint, value: bigint, mask: bigint): bigint {
  return env.module.tdcall(0, 'TDG.VM.WR', { rdx: field, r8: value, r9: mask }).status;
}

/** The misconfiguration message, in this kernel's wording. */
function septVeCheckFailed(env: KernelEnv, debug: boolean): void {
  if (debug) {
    env.log.print('guest-sept-ve-misconfig');
    return;
  }
  if (env.faults.has('guest.sept-check-skipped')) return;
  tdxPanic(env, env.log.text('guest-sept-ve-misconfig'));
}

/** Before disable_sept_ve(): the attribute is the only control. */
function checkSeptVeAttribute(env: KernelEnv, attr: bigint): void {
  if ((attr & attributeBit('SEPT_VE_DISABLE')) !== 0n) return;
  septVeCheckFailed(env, (attr & attributeBit('DEBUG')) !== 0n);
}

/** disable_sept_ve(): use TD_CTLS where the VMM made SEPT #VE a guest decision. */
function disableSeptVe(env: KernelEnv, attr: bigint): void {
  const debug = (attr & attributeBit('DEBUG')) !== 0n;
  const flexible = 1n << 1n;
  if ((vmRead(env, TDCS_FIELDS.CONFIG_FLAGS) & flexible) === 0n) {
    if ((attr & attributeBit('SEPT_VE_DISABLE')) !== 0n) return;
    septVeCheckFailed(env, debug);
    return;
  }
  if ((vmRead(env, TDCS_FIELDS.TD_CTLS) & tdCtlBit('PENDING_VE_DISABLE')) !== 0n) return;
  // A debug TD keeps SEPT #VEs, so that bad accesses show up as splats.
  if (debug) return;
  if (env.faults.has('guest.pending-ve-not-disabled')) return;
  vmWrite(env, TDCS_FIELDS.TD_CTLS, tdCtlBit('PENDING_VE_DISABLE'), tdCtlBit('PENDING_VE_DISABLE'));
}

function enableCpuTopologyEnumeration(env: KernelEnv): void {
  if (vmRead(env, TDCS_FIELDS.TOPOLOGY_ENUM_CONFIGURED) === 0n) {
    env.log.print('guest-x2apic-unconfigured');
    return;
  }
  vmWrite(env, TDCS_FIELDS.TD_CTLS, tdCtlBit('ENUM_TOPOLOGY'), tdCtlBit('ENUM_TOPOLOGY'));
}

/** reduce_unnecessary_ve(): REDUCE_VE includes ENUM_TOPOLOGY; without it, try that alone. */
function reduceUnnecessaryVe(env: KernelEnv): void {
  if (vmWrite(env, TDCS_FIELDS.TD_CTLS, tdCtlBit('REDUCE_VE'), tdCtlBit('REDUCE_VE')) === 0n) return;
  if (env.faults.has('guest.reduce-ve-no-fallback')) return;
  enableCpuTopologyEnumeration(env);
}

/** Names of set bits as debug.c prints them; bits without a name as " unknown:%#llx". */
export function bitNames(value: bigint, names: Readonly<Record<string, number>>, rename: Readonly<Record<string, string>> = {}): string {
  let rest = value;
  let out = '';
  for (const [name, bit] of Object.entries(names).sort((a, b) => a[1] - b[1])) {
    const m = 1n << BigInt(bit);
    if ((rest & m) !== 0n) out += ` ${rename[name] ?? name}`;
    rest &= ~m;
  }
  if (rest !== 0n) out += ` unknown:0x${rest.toString(16)}`;
  return out;
}

function announce(env: KernelEnv, attr: bigint): void {
  env.log.print('guest-detected');
  const era = env.eras['guest-announce'];
  if (era === 'detected-only') return;
  let typo = era === 'attributes-migrtable';
  if (env.faults.has('guest.announce-typo-era')) typo = !typo;
  env.log.print('guest-attributes', bitNames(attr, TD_ATTRIBUTES, typo ? { MIGRATABLE: 'MIGRTABLE' } : {}));
  env.log.print('guest-td-ctls', bitNames(vmRead(env, TDCS_FIELDS.TD_CTLS), TD_CTLS));
}

export interface BootResult {
  tdx: boolean;
}

/** tdx_early_init(). Throws TdFatalReport or KernelPanic when the TD cannot go on. */
export function tdxEarlyInit(env: KernelEnv): BootResult {
  const sig = env.module.cpuid(TDX_CPUID_LEAF_ID, 0);
  if (sig.ve) return { tdx: false };
  // The 12 bytes are read as EBX, EDX, ECX.
  if (u32le(sig.regs.ebx) + u32le(sig.regs.edx) + u32le(sig.regs.ecx) !== TDX_IDENT) return { tdx: false };
  const info = env.module.tdcall(0, 'TDG.VP.INFO');
  if (info.status !== 0n) throw new KernelPanic('TDCALL 1 failed (Buggy TDX module!)');
  const gpaWidth = Number((info.out.rcx ?? 0n) & 0x3fn);
  const attr = info.out.rdx ?? 0n;
  env.sharedMask = 1n << BigInt(env.faults.has('guest.shared-bit-off-by-one') ? gpaWidth : gpaWidth - 1);
  const tdCtlsEra = env.eras['guest-sept-ve'] === 'td-ctls';
  if (!tdCtlsEra) checkSeptVeAttribute(env, attr);
  // The kernel uses no notification #VEs.
  vmWrite(env, TDCS_FIELDS.NOTIFY_ENABLES, 0n, (1n << 64n) - 1n);
  if (tdCtlsEra) disableSeptVe(env, attr);
  const reduce = env.eras['guest-reduce-ve'];
  if (reduce === 'topology-only') enableCpuTopologyEnumeration(env);
  if (reduce === 'reduce-ve') reduceUnnecessaryVe(env);
  announce(env, attr);
  return { tdx: true };
}
