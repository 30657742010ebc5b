/**
 * Converting guest memory between private and shared (@src:guest-c tdx_map_gpa(),
 * tdx_enc_status_changed(); @src:guest-shared-c tdx_accept_memory()).
 *
 * The kernel tells the VMM with TDVMCALL<MapGPA> (R12 = start, with the shared bit for a
 * conversion to shared; R13 = length). The VMM may answer RETRY with the GPA to resume from in
 * R11: the kernel accepts it only inside the range, and gives up after three answers in a row that
 * make no progress. A conversion back to private also accepts the memory again with
 * TDG.MEM.PAGE.ACCEPT, trying 1 GiB, then 2 MiB, then 4 KiB pages.
 */
import { PAGE_LEVEL } from '../../../../spec/abi/tdcall';
import { TDVMCALL_STATUS } from '../../../../spec/abi/tdvmcall';
import { hypercall, type KernelEnv } from './env';

const SZ_4K = 1n << 12n;
const SZ_2M = 1n << 21n;
const SZ_1G = 1n << 30n;

export function tdxMapGpa(env: KernelEnv, vcpu: number, startIn: bigint, endIn: bigint, enc: boolean): boolean {
  const maxRetries = env.faults.has('guest.mapgpa-retry-unbounded') ? 4 : 3;
  let retries = 0;
  let start = startIn;
  let end = endIn;
  if (!enc) {
    start |= env.sharedMask;
    end |= env.sharedMask;
  }
  while (retries < maxRetries) {
    const r = hypercall(env, vcpu, 'MapGPA', { r12: start, r13: end - start });
    if (r.status !== TDVMCALL_STATUS.RETRY) return r.status === 0n;
    // The resume address comes from the untrusted VMM.
    const resume = r.out.r11 ?? 0n;
    if ((resume < start || resume >= end) && !env.faults.has('guest.mapgpa-r11-unchecked')) return false;
    if (resume === start) {
      retries++;
      continue;
    }
    start = resume;
    retries = 0;
  }
  return false;
}

/** One TDG.MEM.PAGE.ACCEPT at the largest size that fits; the number of bytes accepted, 0 on failure. */
function tryAcceptOne(env: KernelEnv, vcpu: number, start: bigint, len: bigint, size: bigint, level: number): bigint {
  if (start % size !== 0n || len < size) return 0n;
  const r = env.module.tdcall(vcpu, 'TDG.MEM.PAGE.ACCEPT', { rcx: start | BigInt(level) });
  return r.status === 0n ? size : 0n;
}

export function tdxAcceptMemory(env: KernelEnv, vcpu: number, startIn: bigint, end: bigint): boolean {
  let start = startIn;
  while (start < end) {
    const len = end - start;
    let accepted = tryAcceptOne(env, vcpu, start, len, SZ_1G, PAGE_LEVEL['1G']);
    if (!accepted) accepted = tryAcceptOne(env, vcpu, start, len, SZ_2M, PAGE_LEVEL['2M']);
    if (!accepted) accepted = tryAcceptOne(env, vcpu, start, len, SZ_4K, PAGE_LEVEL['4K']);
    if (!accepted) return false;
    start += accepted;
  }
  return true;
}

/** tdx_enc_status_changed(): MapGPA, then, for shared->private, accept. */
export function encStatusChanged(env: KernelEnv, vcpu: number, start: bigint, pages: number, enc: boolean): boolean {
  const end = start + BigInt(pages) * SZ_4K;
  if (!tdxMapGpa(env, vcpu, start, end, enc)) return false;
  if (enc && !env.faults.has('guest.convert-no-accept')) return tdxAcceptMemory(env, vcpu, start, end);
  return true;
}
