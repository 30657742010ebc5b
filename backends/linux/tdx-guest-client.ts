/**
 * What a process inside a TD can ask of its kernel, as operations through the kernel-interface
 * seam: CPUID and single instructions executed by a child process (insn-sequences.ts, with the
 * kernel log lines printed meanwhile), TDX_CMD_GET_REPORT0 on /dev/tdx_guest (struct
 * tdx_report_req in user memory), the measurement registers in sysfs (v6.16), and configfs-tsm
 * report items. Failures are errno names; nothing throws. The probes (guest-probes.ts) and the
 * guest facet (guest.ts) both use these, so a capture and a live TD answer alike.
 */
import type { ErrnoName } from '../../spec/abi/errno';
import { MEASUREMENTS_DIR, TSM_REPORT_DIR } from '../../spec/abi/tdx-guest';
import { TDX_CMD_GET_REPORT0, TDX_GUEST_DEVICE, TDX_REPORT_LEN, TDX_REPORTDATA_LEN } from '../../spec/uapi/tdx-guest';
import { tdx_report_req } from '../../spec/uapi/tdx-guest';
import { isOk, type InstructionRun, type KernelInterface, type SysResult } from '../kernel-interface';
import { isUnobservable } from '../port';
import { CPUID, cpuidInput, cpuidOutput, oneInstruction } from './insn-sequences';
import type { CpuidRegs } from './evidence';

/** An address no process maps (the first page): a pointer the kernel cannot copy from. */
const UNMAPPED = 0x10;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

const failure = (r: { errno: ErrnoName; detail?: string } | { unobservable: string }): { ok: false; error: string } =>
  ({ ok: false, error: 'unobservable' in r ? r.unobservable : `${r.errno}${r.detail ? `: ${r.detail}` : ''}` });

/** The kernel log's lines now, or null where it cannot be read. */
function logLines(ki: KernelInterface): string[] | null {
  const l = ki.kernelLog();
  return isOk(l) ? l.value.text.split('\n').filter((x) => x !== '') : null;
}

/** The lines `after` has beyond `before` (the log only grows; a wrapped ring keeps its tail). */
export function newLines(before: readonly string[] | null, after: readonly string[] | null): string[] {
  if (!before || !after) return [];
  const last = before[before.length - 1];
  const at = last === undefined ? -1 : after.lastIndexOf(last);
  return after.slice(at + 1);
}

/** How a child that ran a sequence ended, and what the kernel logged meanwhile. */
export interface ChildRun {
  run: InstructionRun;
  log: string[];
}

export function runSequence(ki: KernelInterface, code: Uint8Array, input: readonly bigint[] = []): Outcome<ChildRun> {
  const before = logLines(ki);
  const r = ki.runInstructions(code, input);
  if (!isOk(r)) return failure(r as { errno: ErrnoName } | { unobservable: string });
  return { ok: true, value: { run: r.value, log: newLines(before, logLines(ki)) } };
}

/** CPUID executed by a process: the registers, or the signal that ended it. */
export function userCpuid(ki: KernelInterface, leaf: number, subleaf: number): Outcome<{ regs: CpuidRegs } | { signal: string }> {
  const r = runSequence(ki, CPUID.code, cpuidInput(leaf, subleaf));
  if (!r.ok) return r;
  const run = r.value.run;
  return { ok: true, value: run.ended === 'returned' ? { regs: cpuidOutput(run.out) } : { signal: run.signal } };
}

/** One instruction in a child process; null when no sequence is written for the mnemonic. */
export function runOneInstruction(ki: KernelInterface, mnemonic: string): Outcome<ChildRun> | null {
  const s = oneInstruction(mnemonic);
  return s ? runSequence(ki, s.code) : null;
}

/** ioctl on /dev/tdx_guest with a struct tdx_report_req (or an unmapped pointer, or no argument for _IO commands). */
export function tdxGuestIoctl(ki: KernelInterface, cmd: number, reportdata: Uint8Array, unmapped = false): Outcome<{ errno: ErrnoName } | { tdreport: Buffer }> {
  const fd = ki.open(TDX_GUEST_DEVICE, 'rw');
  if (!isOk(fd)) return failure(fd as { errno: ErrnoName });
  try {
    const noArg = ((cmd >>> 30) & 3) === 0;
    const buf = ki.alloc(tdx_report_req.size);
    buf.bytes.set(reportdata.subarray(0, TDX_REPORTDATA_LEN), tdx_report_req.fields.reportdata.offset);
    const r = ki.ioctl(fd.value, cmd >>> 0, unmapped ? UNMAPPED : noArg ? 0 : buf);
    if (isUnobservable(r)) return failure(r);
    if (!r.ok) return { ok: true, value: { errno: r.errno } };
    const at = tdx_report_req.fields.tdreport.offset;
    return { ok: true, value: { tdreport: Buffer.from(buf.bytes.subarray(at, at + TDX_REPORT_LEN)) } };
  } finally {
    ki.close(fd.value);
  }
}

export const getReport0 = (ki: KernelInterface, reportdata: Uint8Array) => tdxGuestIoctl(ki, TDX_CMD_GET_REPORT0, reportdata);

/** One measurement register file (v6.16 sysfs): its bytes, or the errno of the read. */
export function readMeasurement(ki: KernelInterface, file: string): Outcome<{ bytes: Buffer } | { errno: ErrnoName }> {
  const r = ki.read(`${MEASUREMENTS_DIR}/${file}`);
  if (isUnobservable(r)) return failure(r);
  return { ok: true, value: r.ok ? { bytes: r.value } : { errno: r.errno } };
}

export function writeMeasurement(ki: KernelInterface, file: string, data: Uint8Array): Outcome<{ written: number } | { errno: ErrnoName }> {
  const r = ki.write(`${MEASUREMENTS_DIR}/${file}`, Buffer.from(data));
  if (isUnobservable(r)) return failure(r);
  return { ok: true, value: r.ok ? { written: r.value } : { errno: r.errno } };
}

let items = 0;
const itemDir = (): string => `${TSM_REPORT_DIR}/tdx-conformance-${process.pid}-${items++}`;

const text = (r: SysResult<Buffer>): string | null => (isOk(r) ? r.value.toString('utf8').trim() : null);

/** A report item made, read, given one 64-byte inblob, read again and removed; no quote is asked for. */
export function observeTsmItem(ki: KernelInterface): Outcome<{ provider: string; generations: [number, number]; removed: boolean }> {
  const dir = itemDir();
  const made = ki.mkdir(dir);
  if (!isOk(made)) return failure(made as { errno: ErrnoName });
  try {
    const provider = text(ki.read(`${dir}/provider`));
    const g0 = text(ki.read(`${dir}/generation`));
    const w = ki.write(`${dir}/inblob`, Buffer.alloc(TDX_REPORTDATA_LEN, 0xa5));
    const g1 = text(ki.read(`${dir}/generation`));
    if (provider === null || g0 === null || g1 === null || !isOk(w)) {
      return { ok: false, error: `the report item ${dir} could not be read or written (provider ${provider}, generation ${g0}/${g1})` };
    }
    return { ok: true, value: { provider, generations: [Number(g0), Number(g1)], removed: isOk(ki.rmdir(dir)) } };
  } finally {
    ki.rmdir(dir);
  }
}

/** A configfs-tsm report: an item, its inblob, its outblob (a quote: changes the TD), then rmdir. */
export function requestTsmReport(ki: KernelInterface, inblob: Uint8Array): Outcome<{ provider: string; generation: number; errno?: ErrnoName; outblob?: Buffer }> {
  const dir = itemDir();
  const made = ki.mkdir(dir);
  if (!isOk(made)) return failure(made as { errno: ErrnoName });
  try {
    if (inblob.length > 0) {
      const w = ki.write(`${dir}/inblob`, Buffer.from(inblob));
      if (!isOk(w)) return failure(w as { errno: ErrnoName });
    }
    const out = ki.read(`${dir}/outblob`);
    if (isUnobservable(out)) return failure(out);
    const provider = text(ki.read(`${dir}/provider`)) ?? '';
    const generation = Number(text(ki.read(`${dir}/generation`)) ?? 0);
    return { ok: true, value: out.ok ? { provider, generation, outblob: out.value } : { provider, generation, errno: out.errno } };
  } finally {
    ki.rmdir(dir);
  }
}
