/**
 * kexec on a TDX host, in each of its eras (@src:tdx-c-68 Kconfig, @src:tdx-c-618, @src:ml-kexec):
 *  - exclusive: a kernel with TDX host support is built without kexec (INTEL_TDX_HOST depends on
 *    !KEXEC_CORE), so kexec_load is not implemented;
 *  - erratum-refused: loading is refused on platforms with the partial-write erratum; elsewhere
 *    caches that SEAMCALLs dirtied are written back, and the new kernel finds the module already
 *    initialised and cannot use TDX;
 *  - sys-disable: the shutdown path disables the module with TDH.SYS.DISABLE, so the new kernel
 *    can initialise it again; a module without that leaf reports why it could not.
 * The module and the platform survive the jump; the kernel does not.
 */
import { seamcallRax } from '../../../spec/encodings/seamcall';
import { TDX_SW_ERROR } from '../../../spec/abi/status';
import type { KernelResult } from '../../port';
import { err, ok } from '../lib/kernel-result';
import type { EmulatedKernel } from './kernel';
import { rawSeamcall } from './seamcall';

export interface KexecRun {
  load: KernelResult;
  shutdownLog?: string[];
  /** Whether every CPU whose cache SEAMCALLs dirtied was flushed before the jump. */
  cachesFlushed?: boolean;
  next?: EmulatedKernel;
  newKernelInit?: KernelResult;
}

type Era = EmulatedKernel['eras']['kexec'];

function effectiveEra(k: EmulatedKernel): Era {
  const era = k.eras.kexec;
  if (k.faults.has('host.kexec-era-mixup')) {
    return era === 'exclusive' ? 'erratum-refused' : era === 'erratum-refused' ? 'sys-disable' : 'erratum-refused';
  }
  return era;
}

/**
 * tdx_sys_disable(). The kernel calls again while the module answers TDX_INTERRUPTED_RESUMABLE or
 * TDX_SYS_BUSY; the emulated module's TDH.SYS.DISABLE completes in one call and never answers
 * either, so the model makes the one call.
 */
function sysDisable(k: EmulatedKernel): void {
  const cpu = k.cpus.findIndex((c) => c.online);
  const r = rawSeamcall(k, cpu, seamcallRax('TDH.SYS.DISABLE'), {});
  const swError = (r.status & TDX_SW_ERROR) === TDX_SW_ERROR;
  if (r.status !== 0n && !swError) k.log.print('sys-disable-failed', r.status);
}

export function kexec(k: EmulatedKernel, bootNext: () => EmulatedKernel): KexecRun {
  k.boot();
  const from = k.log.lines.length;
  const era = effectiveEra(k);
  if (era === 'exclusive') return { load: err('ENOSYS') };
  if (era === 'erratum-refused' && k.cpuBugs.has('tdx_pw_mce')) {
    k.log.print('kexec-refused');
    return { load: err('EOPNOTSUPP') };
  }
  if (era === 'sys-disable' && k.init.status === 'initialized') sysDisable(k);
  // Write back caches SEAMCALLs left incoherent (tdx_cpu_flush_cache*), unless the fault skips it.
  if (!k.faults.has('host.kexec-no-cache-flush')) {
    for (const c of k.cpus) if (c.online && c.cacheIncoherent) c.cacheIncoherent = false;
  }
  const cachesFlushed = k.cpus.every((c) => !c.cacheIncoherent);
  const shutdownLog = k.log.lines.slice(from);
  const next = bootNext();
  const newKernelInit = next.initTdx();
  return { load: ok, cachesFlushed, shutdownLog, next, newKernelInit };
}
