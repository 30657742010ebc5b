/**
 * The host facet of a real machine (live or captured): answers from what the machine showed.
 * Initialisation is reported as it went on this boot, read from the log; the log, the CPU flags,
 * MSRs (through /dev/cpu/N/msr, live) and sysfs are read; CPUs go offline and online only with
 * --allow-destructive. Everything else returns the reason it cannot be observed.
 */
import type { CpuInfo, HostFacet, KernelLog, SysfsAttribute, TdxHostDevice } from '../host-facet';
import { parseKernelLog, splitLines } from '../common/kernel-log';
import { isOk, type KernelInterface } from '../kernel-interface';
import { isUnobservable, unobservable, type KernelResult, type Observed } from '../port';
import type { CpuHotplug } from './cpu-hotplug';
import { msrKey } from './evidence';
import { INIT_PHASE, type Reading } from './facts';
import { readMsr } from './live';
import { TDX_HOST_ATTRIBUTE_NAMES, TDX_HOST_DIR } from './parse/sysfs';

export interface HostFacetContext {
  reading: Reading;
  /** The machine is observed as it is now (not a capture of it). */
  live: boolean;
  /** The kernel-interface seam to ask the machine now; null for a pasted file. */
  ki: KernelInterface | null;
  /** Present only on a live machine, with --allow-destructive, in a @destructive scenario. */
  hotplug: CpuHotplug | null;
  /** The run allows changes (--allow-destructive). */
  allowDestructive: boolean;
  /** The machine is thrown away after the scenario (an emulated one, or a capture's replay): changing it cannot outlive the scenario. */
  disposable?: boolean;
  /** Set once the scenario moved past boot (kvm_intel loaded): the log then shows what came after. */
  pastBoot?: { reached: boolean };
}

const NOT_SEAMCALL = 'a real machine is observed through the kernel; raw SEAMCALLs are not issued';

/**
 * The kernel log at the point the scenario has reached. A real machine is observed after the
 * fact: its log holds the whole boot and whatever came later (KVM loading and initialising TDX
 * on demand). Until a scenario asks for initialisation, the log is shown as it stood when the
 * kernel's own boot ended ("Run /sbin/init as init process"); a capture that does not show where
 * boot ended, yet already holds initialisation messages, shows every boot-time line but cannot
 * show what was absent at that point (its log is then not `complete`).
 */
export function logOf(r: Reading, live: boolean, afterInit: boolean): Observed<KernelLog> {
  const log = r.evidence.log;
  if (!log) {
    const why = r.evidence.unreadable.filter((u) => /dmesg|kmsg|journalctl|kernel log/.test(u.what)).map((u) => `${u.what}: ${u.why}`);
    return unobservable(`the kernel log is not available${why.length ? ` (${why.join('; ')})` : live ? '' : ' in this capture'}`);
  }
  // A live log that does not start at boot has lost its beginning (the ring buffer wrapped).
  // Whole means: not cut at the end, from the first line of the boot on, and not a selection. A
  // pasted capture counts as whole only if it also reaches the end of boot; it may be a grep otherwise.
  const complete = !!r.facts.log?.complete && r.boot.startsAtBoot && !log.excerpt && (live || r.boot.bootEndLine !== null);
  const events = r.parsed.events.map((e) => ({ ...e }));
  if (afterInit) return { lines: [...log.lines], events, complete };
  const end = r.boot.bootEndLine;
  if (end !== null) return { lines: log.lines.slice(0, end + 1), events: events.filter((e) => e.line <= end), complete };
  // Where boot ended is not in the capture: the whole log stands for the state after boot, which
  // shows every boot-time line; it cannot show that a later line was absent then, so it is not
  // whole for that purpose (absence checks skip).
  const init = events.some((e) => INIT_PHASE.includes(e.id));
  return { lines: [...log.lines], events, complete: complete && !init };
}

/**
 * A machine observed now, once the scenario moved past boot: its log read again, since what the
 * scenario did (load KVM, build a TD, take CPUs offline) may have added lines. The boot part is
 * the one the reading saw, so whether the log is whole is decided as for the reading.
 */
function logNow(r: Reading, ki: KernelInterface): Observed<KernelLog> | null {
  const now = ki.kernelLog();
  if (!isOk(now)) return null;
  const lines = splitLines(now.value.text);
  const complete = !!r.facts.log?.complete && r.boot.startsAtBoot && !r.evidence.log?.excerpt;
  return { lines, events: parseKernelLog(lines).events.map((e) => ({ ...e })), complete };
}

export function cpuinfoOf(r: Reading): Observed<CpuInfo> {
  const f = r.evidence.cpuFlags;
  if (!f) return unobservable('the CPU flags are not in the capture');
  if (!f.complete) return unobservable('the captured CPU flags list may be cut, so flags cannot be checked against it');
  if (!f.bugs) return unobservable('the capture has the CPU flags but not the bugs line');
  if (!f.bugsComplete) return unobservable('the captured bugs list may be cut, so bugs cannot be checked against it');
  return { flags: [...f.flags], bugs: [...f.bugs] };
}

/**
 * The tdx_host faux device (7.2), read now: whether its directory exists, which documented
 * attribute files it has and their modes, and the text of those anyone may read (the version).
 * The admin-only runtime-update files are only looked at: reading one makes the kernel call the
 * P-SEAMLDR. Nothing is written (writing the firmware-upload interface would update the module).
 */
export function readTdxHostDevice(ki: KernelInterface): Observed<TdxHostDevice> {
  const dir = ki.stat(TDX_HOST_DIR);
  if (isUnobservable(dir)) return dir;
  if (!dir.ok) return dir.errno === 'ENOENT' ? { present: false, attributes: [] } : unobservable(`${TDX_HOST_DIR} cannot be looked at (${dir.errno})`);
  const attributes: SysfsAttribute[] = [];
  for (const name of TDX_HOST_ATTRIBUTE_NAMES) {
    const path = `${TDX_HOST_DIR}/${name}`;
    const st = ki.stat(path);
    if (isUnobservable(st)) return st;
    if (!st.ok) {
      if (st.errno === 'ENOENT') continue;
      return unobservable(`${path} cannot be looked at (${st.errno})`);
    }
    const a: SysfsAttribute = { name, mode: st.value.mode };
    if ((st.value.mode & 0o004) !== 0) {
      const r = ki.read(path);
      if (isUnobservable(r)) return r;
      if (r.ok) a.text = r.value.toString('utf8');
      else a.errno = r.errno;
    }
    attributes.push(a);
  }
  return { present: true, attributes };
}

export function linuxHostFacet(ctx: HostFacetContext): HostFacet {
  const r = ctx.reading;
  const facts = r.facts;
  let initAsked = 0;
  const destructive = (what: string): Observed<KernelResult> | null => {
    if (!ctx.live && !ctx.disposable) return unobservable(`a snapshot cannot ${what}`);
    if (!ctx.hotplug) {
      return unobservable(ctx.allowDestructive || ctx.disposable
        ? `${what} changes the machine, which only a @destructive scenario may do`
        : `${what} changes the machine; rerun with --allow-destructive`);
    }
    return null;
  };
  // Whatever the scenario changed happened after boot: the log is read again from then on.
  const changed = <T>(x: T): T => {
    if (ctx.pastBoot) ctx.pastBoot.reached = true;
    return x;
  };
  return {
    log: () => {
      const pastBoot = initAsked > 0 || !!ctx.pastBoot?.reached;
      // A machine, or a capture's record of one, is asked again; a pasted log only has what it has.
      return (pastBoot && ctx.ki ? logNow(r, ctx.ki) : null) ?? logOf(r, ctx.live, pastBoot);
    },
    cpuinfo: () => cpuinfoOf(r),
    initTdx() {
      initAsked++;
      const h = facts.host;
      if (!h || !h.detected) {
        return unobservable(facts.kernel.eras?.init === 'boot'
          ? 'boot-time initialisation gave up on this machine without a TDX host platform; the errno it returned is not shown to user space'
          : 'initialisation not attempted on this boot (no TDX host platform)');
      }
      // How this kernel initialised the module is read from its log; sysfs only shows the state.
      if (!r.evidence.log) {
        return unobservable(`the capture has no kernel log to show how initialisation went${h.init === 'initialized' ? ' (its sysfs says the module is initialized)' : ''}`);
      }
      // Boot-time kernels keep the result of the one initialisation; earlier ones are not asked twice.
      if (initAsked > 1 && facts.kernel.eras?.init !== 'boot') return unobservable('a repeated initialisation request cannot be observed on a real machine');
      switch (h.init) {
        case 'initialized':
          return { ok: true };
        case 'failed':
        case 'not-loaded':
        case 'not-enabled':
          return h.initErrno ? { ok: false, errno: h.initErrno } : unobservable(`initialisation failed (${h.cause ?? 'no reason logged'}), but the log does not give the errno`);
        case 'not-attempted':
          return unobservable('initialisation not attempted on this boot');
        case 'incomplete':
          return unobservable(facts.log ? 'the capture is cut before the outcome of initialisation' : 'the capture has no kernel log to show how initialisation went');
      }
    },
    rdmsr(cpu, msr) {
      const known = r.evidence.msrs[msrKey(cpu, msr)];
      const got = known ?? (ctx.ki ? (() => {
        const x = readMsr(ctx.ki, cpu, msr);
        return x.ok && 'value' in x ? { value: x.value } : x.ok && 'faulted' in x ? { gp: true as const } : { error: x.ok ? 'unexpected' : x.error };
      })() : undefined);
      if (!got) return unobservable(`MSR 0x${msr.toString(16)} of CPU ${cpu} is not in the capture`);
      if ('value' in got) return { value: got.value };
      if ('gp' in got) return { gp: true };
      return unobservable(`MSR 0x${msr.toString(16)} of CPU ${cpu} cannot be read (${got.error})`);
    },
    seamcall: () => unobservable(NOT_SEAMCALL),
    proposedTdmrs: () => unobservable('the TDMRs the kernel would build are not observable on a real machine'),
    sysConfig: () => unobservable(NOT_SEAMCALL),
    mngInit: () => unobservable(NOT_SEAMCALL),
    readMetadata: () => unobservable("the kernel's global metadata reader cannot be called from user space"),
    tdxCpuEnable: () => unobservable('tdx_cpu_enable() is a kernel function; user space cannot call it'),
    initCleanup: () => unobservable('what the kernel did with the PAMT memory of a failed initialisation is not shown to user space'),
    metadataDump: () => unobservable(NOT_SEAMCALL),
    tdmrs() {
      const kb = facts.host?.pamtKb;
      return unobservable(`the kernel does not log its TDMRs${kb != null ? ` (the log gives only the PAMT total, ${kb} KB)` : ''}`);
    },
    tdxMemory() {
      const cmrs = facts.host?.cmrs ?? [];
      return unobservable(`the kernel does not log its TDX memory list${cmrs.length ? `; the CMRs bound it: ${cmrs.map((c) => `[${c.base}, ${c.end})`).join(' ')}` : ''}`);
    },
    tdKeyIds() {
      if (!ctx.ki) return unobservable('the capture has no kernel interface to read the misc cgroup');
      const line = (file: string): Observed<number | null> => {
        const r = ctx.ki!.read(`/sys/fs/cgroup/${file}`);
        if (isUnobservable(r)) return r;
        if (!r.ok) return unobservable(`/sys/fs/cgroup/${file} cannot be read (${r.errno}): no cgroup v2 misc controller at the root`);
        const m = /^tdx (\d+)$/m.exec(r.value.toString('utf8'));
        return m ? Number(m[1]) : null;
      };
      const capacity = line('misc.capacity');
      if (isUnobservable(capacity)) return capacity;
      if (capacity === null) return unobservable('the misc cgroup has no "tdx" resource: KVM did not bring up TDX, or this kernel (before v6.16) does not account TD KeyIDs there');
      const current = line('misc.current');
      if (isUnobservable(current)) return current;
      return { inUse: current ?? 0, capacity };
    },
    cmrs() {
      const c = facts.host?.cmrs ?? [];
      if (c.length === 0) return unobservable('the kernel log lists no CMRs (only kernels before v6.14 and the Ubuntu and Intel trees print them)');
      if (!facts.host!.cmrsComplete) return unobservable('the CMR list in the capture may be cut, so the CMRs cannot be checked against it');
      return c.map((x) => ({ base: BigInt(x.base), end: BigInt(x.end), node: 0 }));
    },
    memTotalKb() {
      const kb = r.evidence.memTotalKb;
      return kb === null ? unobservable('/proc/meminfo is not in the capture') : kb;
    },
    allocGuestKeyId: () => unobservable('TD KeyIDs are allocated only by KVM creating TDs'),
    freeGuestKeyId: () => unobservable('TD KeyIDs are freed only by KVM destroying TDs'),
    cpuOffline(cpu) {
      return destructive(`take CPU ${cpu} offline`) ?? changed(ctx.hotplug!.set(cpu, false));
    },
    cpuOnline(cpu) {
      return destructive(`bring CPU ${cpu} online`) ?? changed(ctx.hotplug!.set(cpu, true));
    },
    onlineMemory: () => unobservable('memory hotplug is never attempted on a real machine'),
    kexec: () => unobservable('kexec is out of scope for a live run'),
    suspend(state) {
      // A real machine is never put to sleep: s2idle needs a wake-up source, and deep S3 on a
      // machine that still has it would really suspend.
      if (!ctx.disposable || !ctx.ki || !ctx.hotplug) return unobservable('the machine is never put to sleep by the suite');
      const r = ctx.ki.write('/sys/power/state', Buffer.from(state));
      return isUnobservable(r) ? r : changed(r.ok ? { ok: true } : { ok: false, errno: r.errno });
    },
    sleepStates() {
      const s = r.evidence.sleepStates;
      return s ? [...s] : unobservable('/sys/power/state is not in the capture');
    },
    tdxHostDevice() {
      if (ctx.ki) return readTdxHostDevice(ctx.ki);
      return unobservable(`the capture has no record of the tdx_host device's files${r.evidence.tdxHostVersion !== null ? ` (only its version: ${r.evidence.tdxHostVersion})` : ''}`);
    },
    machineCheck: () => unobservable('machine checks are never injected on a real machine'),
    privatePage: () => unobservable('physical addresses of TDX private pages are not observable from user space'),
    cpuState(cpu) {
      if (!ctx.hotplug) return unobservable('per-CPU TDX state is not observable');
      const online = ctx.hotplug.isOnline(cpu);
      if (online === null) return unobservable(`no logical CPU ${cpu}`);
      return unobservable(`CPU ${cpu} is ${online ? 'online' : 'offline'}; whether TDX is enabled on it is not observable`);
    },
    topology() {
      const t = r.evidence.topology;
      if (!t || t.present.some((c) => t.packageOf[c] === undefined)) return unobservable('the CPU topology is not in the capture');
      const packages = new Set(Object.values(t.packageOf)).size;
      return { cpus: t.present.length, packages, packageOf: (cpu: number) => t.packageOf[cpu] ?? -1 };
    },
  };
}

