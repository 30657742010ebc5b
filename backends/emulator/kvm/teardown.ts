/**
 * TD teardown by KVM (tdx_mmu_release_hkid(), tdx_reclaim_td_control_pages(), tdx_vm_destroy()
 * of @src:kvm-tdx-c): flush every vCPU off its CPU (TDH.VP.FLUSH), TDH.MNG.VPFLUSHDONE, write
 * back the TD's cache lines with TDH.PHYMEM.CACHE.WB on one CPU of every package, free the HKID
 * in the module (TDH.MNG.KEY.FREEID) and give the KeyID back to the kernel; then the TD's pages
 * can be reclaimed (TDH.PHYMEM.PAGE.RECLAIM), the TDR last, followed by TDH.PHYMEM.PAGE.WBINVD.
 */
import { status as statusOf } from '../../../spec/abi/status';
import type { KvmVm } from './vm';

/** TDX_SEAMCALL_RETRIES */
const RETRIES = 10000;

/** pr_tdx_error(): KVM names the SEAMCALL by its macro. */
export function printSeamcallError(vm: KvmVm, name: string, status: bigint): void {
  vm.kernel.log.print('kvm-seamcall-failed', name, status);
}

/** smp_func_do_phymem_cache_wb() on one CPU. */
function cacheWb(vm: KvmVm, cpu: number): void {
  const sc = vm.kvm.sc;
  let status = 0n;
  for (let i = 0; i < RETRIES; i++) {
    status = sc.call(cpu, 'TDH.PHYMEM.CACHE.WB', { rcx: status === 0n ? 0n : 1n }).status;
    if (status === statusOf('TDX_INTERRUPTED_RESUMABLE')) continue;
    if (status === statusOf('TDX_NO_HKID_READY_TO_WBCACHE')) status = 0n; // done by another CPU
    break;
  }
  if (status !== 0n) printSeamcallError(vm, 'TDH_PHYMEM_CACHE_WB', status);
}

/** tdx_mmu_release_hkid() */
export function releaseHkid(vm: KvmVm): void {
  if (vm.hkid < 0) return;
  const k = vm.kernel;
  const sc = vm.kvm.sc;
  const giveBack = (): void => {
    if (!vm.faults.has('kvm.hkid-not-returned') && !vm.faults.has('kvm.keyid-bypasses-kernel')) {
      k.freeGuestKeyId(vm.hkid);
      vm.kvm.chargeTdKeyId(vm, false);
    }
    vm.hkid = -1;
  };
  if (vm.tdr === null) return giveBack();
  for (const v of vm.vcpus.values()) v.flushFromCpu();
  const cpu = sc.currentCpu();
  const done = sc.call(cpu, 'TDH.MNG.VPFLUSHDONE', { rcx: vm.tdr });
  if (done.status === statusOf('TDX_FLUSHVP_NOT_DONE')) return;
  if (done.status !== 0n) {
    printSeamcallError(vm, 'TDH_MNG_VPFLUSHDONE', done.status);
    return;
  }
  const targets = sc.onePerPackage();
  for (const c of vm.faults.has('kvm.cache-wb-one-package') ? targets.slice(0, 1) : targets) cacheWb(vm, c);
  const freed = sc.call(cpu, 'TDH.MNG.KEY.FREEID', { rcx: vm.tdr });
  if (freed.status !== 0n && !vm.faults.has('kvm.freeid-failure-frees-keyid')) {
    printSeamcallError(vm, 'TDH_MNG_KEY_FREEID', freed.status);
    k.log.print('kvm-hkid-leaked', vm.hkid);
    return;
  }
  giveBack();
}

/** Reclaim one page from the module; a page that cannot be reclaimed is leaked. */
function reclaim(vm: KvmVm, pa: bigint): boolean {
  const r = vm.kvm.sc.call(vm.kvm.sc.currentCpu(), 'TDH.PHYMEM.PAGE.RECLAIM', { rcx: pa });
  if (r.status !== 0n) printSeamcallError(vm, 'TDH_PHYMEM_PAGE_RECLAIM', r.status);
  return r.status === 0n;
}

/** tdx_reclaim_td_control_pages(): TDCS pages, then the TDR and its cache lines. */
export function reclaimControlPages(vm: KvmVm): void {
  if (vm.hkid >= 0) return; // the HKID could not be released: everything is leaked
  for (const p of vm.tdcs) reclaim(vm, p);
  vm.tdcs = [];
  if (vm.tdr === null || !reclaim(vm, vm.tdr)) return;
  const m = vm.kernel.module!;
  const globalKeyId = BigInt(vm.kernel.tdx?.globalKeyId ?? 0);
  const r = vm.kvm.sc.call(vm.kvm.sc.currentCpu(), 'TDH.PHYMEM.PAGE.WBINVD', { rcx: vm.tdr | (globalKeyId << BigInt(m.hkidStartBit)) });
  if (r.status !== 0n) printSeamcallError(vm, 'TDH_PHYMEM_PAGE_WBINVD', r.status);
  vm.tdr = null;
}

/** Closing the last file descriptor of a TD (kvm_destroy_vm()). */
export function destroyTd(vm: KvmVm): void {
  releaseHkid(vm);
  if (vm.hkid >= 0) return;
  // With the HKID released the TD is in teardown: its pages are reclaimed directly.
  for (const leaf of vm.mmu.privateLeaves.values()) reclaim(vm, leaf.hpa);
  vm.mmu.privateLeaves.clear();
  for (const p of vm.mmu.tablePages) reclaim(vm, p);
  for (const v of vm.vcpus.values()) v.freePages(reclaim.bind(null, vm));
  reclaimControlPages(vm);
}
