/**
 * Running probes on this machine. Files are read, device nodes tested for existence, commands run
 * from an argument vector (never through a shell) with a timeout, CPUID and MSRs read through
 * /dev/cpu/N/{cpuid,msr}. Nothing is written. A failure is a result ("EACCES: permission
 * denied"), never an exception: the target then declares only what it could read.
 *
 * `root` prefixes every path so that tests can point the probes at a fake tree.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuidRegs } from './evidence';
import { baseProbes, cpuProbes, parseCpuList, type Probe, type ProbeResult, type ProbeResults } from './probes';

export interface LiveOptions {
  /** Prefix of every path (tests); '/' on a real machine. */
  root?: string;
  /** Commands are looked up on this PATH (tests); the process PATH otherwise. */
  path?: string;
}

const errorText = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code) return `${err.code}: ${(err.message ?? '').replace(/^[A-Z]+: /, '').replace(/, (open|read|stat) '.*'$/, '')}`;
  return String(e);
};

function under(root: string, path: string): string {
  return root === '/' ? path : join(root, path);
}

function readFile(path: string): ProbeResult {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

/** /dev/kmsg: one record per read(); O_NONBLOCK ends the loop with EAGAIN at the end of the buffer. */
function readKmsg(path: string): ProbeResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
  const records: string[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (let i = 0; i < 1_000_000; i++) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') break;
        if (code === 'EPIPE') continue; // records overwritten while reading: skip to the next
        return { ok: false, error: errorText(e) };
      }
      if (n === 0) break;
      records.push(buf.subarray(0, n).toString('utf8'));
    }
  } finally {
    closeSync(fd);
  }
  return { ok: true, text: records.join('') };
}

function runCommand(argv: readonly string[], timeoutMs: number, path?: string): ProbeResult {
  const r = spawnSync(argv[0], argv.slice(1), {
    timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, shell: false,
    env: { ...process.env, ...(path ? { PATH: path } : {}), LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return { ok: false, error: `timed out after ${timeoutMs} ms` };
    return { ok: false, error: errorText(r.error) };
  }
  if (r.status !== 0) return { ok: false, error: `exit ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n')[0] ?? ''}`.trim() };
  return { ok: true, text: r.stdout };
}

/** CPUID through the cpuid driver: the file offset selects the leaf (low 32 bits) and subleaf. */
export function readCpuid(root: string, cpu: number, leaf: number, subleaf: number): ProbeResult {
  let fd: number;
  try {
    fd = openSync(under(root, `/dev/cpu/${cpu}/cpuid`), 'r');
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
  try {
    const b = Buffer.alloc(16);
    const n = readSync(fd, b, 0, 16, (BigInt(subleaf) << 32n) | BigInt(leaf));
    if (n !== 16) return { ok: false, error: `short read (${n} bytes)` };
    const regs: CpuidRegs = { eax: b.readUInt32LE(0), ebx: b.readUInt32LE(4), ecx: b.readUInt32LE(8), edx: b.readUInt32LE(12) };
    return { ok: true, regs };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  } finally {
    closeSync(fd);
  }
}

/** RDMSR through the msr driver: the offset is the MSR index; a #GP comes back as EIO. */
export function readMsr(root: string, cpu: number, msr: number): ProbeResult {
  let fd: number;
  try {
    fd = openSync(under(root, `/dev/cpu/${cpu}/msr`), 'r');
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
  try {
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, msr);
    if (n !== 8) return { ok: false, error: `short read (${n} bytes)` };
    return { ok: true, value: b.readBigUInt64LE(0) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EIO') return { ok: true, faulted: true };
    return { ok: false, error: errorText(e) };
  } finally {
    closeSync(fd);
  }
}

export function runProbe(p: Probe, opts: LiveOptions = {}): ProbeResult {
  const root = opts.root ?? '/';
  switch (p.kind) {
    case 'file':
      return readFile(under(root, p.path));
    case 'exists':
      return { ok: true, exists: existsSync(under(root, p.path)) };
    case 'kmsg':
      return readKmsg(under(root, p.path));
    case 'command':
      return runCommand(p.argv, p.timeoutMs, opts.path);
    case 'cpuid':
      return readCpuid(root, p.cpu, p.leaf, p.subleaf);
    case 'msr':
      return readMsr(root, p.cpu, p.msr);
  }
}

/**
 * Run every probe. The kernel log fallbacks run only while no earlier source worked, so a
 * machine where dmesg works is not also asked for /dev/kmsg and the journal.
 */
export function runProbes(opts: LiveOptions = {}): { probes: Probe[]; results: ProbeResults } {
  const probes = baseProbes();
  const results: ProbeResults = new Map();
  const logIds = ['dmesg', 'kmsg', 'journalctl-k'];
  for (const p of probes) {
    if (logIds.includes(p.id) && logIds.some((id) => {
      const r = results.get(id);
      return r && r.ok && 'text' in r && r.text.trim() !== '';
    })) continue;
    results.set(p.id, runProbe(p, opts));
  }
  const present = results.get('cpu-present');
  if (present && present.ok && 'text' in present) {
    for (const p of cpuProbes(parseCpuList(present.text))) {
      probes.push(p);
      results.set(p.id, runProbe(p, opts));
    }
  }
  return { probes, results };
}
