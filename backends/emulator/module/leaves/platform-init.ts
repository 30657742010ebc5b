/**
 * Platform initialisation leaves: TDH.SYS.INIT, TDH.SYS.LP.INIT, TDH.SYS.CONFIG,
 * TDH.SYS.KEY.CONFIG, TDH.SYS.TDMR.INIT, TDH.SYS.LP.SHUTDOWN and TDH.SYS.DISABLE.
 * Order of checks and statuses: the module's api_calls/tdh_sys_*.c of 1.5.01 (@src:mod-sys-init-1501,
 * @src:mod-lp-init-1501, @src:mod-sys-config-1501, @src:mod-key-config-1501; 1.5.06's
 * tdh_sys_config.c @src:mod-sys-leaves), the same in 2.0.08.
 */
import { status, withOperand } from '../../../../spec/abi/status';
import type { Regs } from '../../../port';
import { defineLeaf, fail, ok, type SeamcallResult, type TdmrEntry, type TdxModule } from '../module';
import { checkTdmrs, type TdmrInfo } from '../tdmr-checks';

const SZ_1G = 1n << 30n;

defineLeaf('TDH.SYS.INIT', ({ module: m, regs }) => {
  if ((regs.rcx ?? 0n) !== 0n && !m.faults.has('module.sys-init-attributes-ignored')) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  if (m.state !== 'SYSINIT_PENDING' && !m.faults.has('module.sys-init-twice')) return fail(status('TDX_SYS_INIT_NOT_PENDING'));
  // tdx_init_stack_canary(): RDRAND, before the state moves on (so the call can be made again).
  if (m.platform.noEntropy('TDH.SYS.INIT')) return fail(status('TDX_RND_NO_ENTROPY'));
  m.state = 'SYSINIT_DONE';
  m.numInitLps = 0;
  m.lpInit.fill(false);
  m.numInitPkgs = 0;
  m.pkgConfigured.fill(false);
  return ok();
});

defineLeaf('TDH.SYS.LP.INIT', ({ module: m, cpu }) => {
  const pending = m.state === 'SYSINIT_DONE' || (m.state === 'SYSCONFIG_DONE' && m.faults.has('module.lp-init-after-config'));
  if (!pending) return fail(status('TDX_SYS_LP_INIT_NOT_PENDING'));
  if (m.lpInit[cpu] && !m.faults.has('module.lp-init-twice')) return fail(status('TDX_SYS_LP_INIT_DONE'));
  // lfsr_init_seed(): RDRAND for the LP's single-step state.
  if (m.platform.noEntropy('TDH.SYS.LP.INIT')) return fail(status('TDX_RND_NO_ENTROPY'));
  if (!m.lpInit[cpu]) m.numInitLps++;
  m.lpInit[cpu] = true;
  return ok();
});

defineLeaf('TDH.SYS.CONFIG', ({ module: m, regs }) => {
  if (m.state !== 'SYSINIT_DONE' && !(m.state === 'SYSCONFIG_DONE' && m.faults.has('module.sys-config-twice'))) return fail(status('TDX_SYS_CONFIG_NOT_PENDING'));
  // Every logical processor the module counted must have done TDH.SYS.LP.INIT.
  if (m.numInitLps < m.numLps && !m.faults.has('module.config-ignores-lp-init')) {
    return fail(status('TDX_SYS_CONFIG_NOT_PENDING'));
  }
  const arrayPa = regs.rcx ?? 0n;
  const count = regs.rdx ?? 0n;
  const hkidReg = regs.r8 ?? 0n;
  const arrayUnchecked = m.faults.has('module.sys-config-array-unchecked');
  if ((arrayPa % 512n !== 0n || m.hasKeyIdBits(arrayPa)) && !arrayUnchecked) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  const maxTdmrs = arrayUnchecked ? 1n << 16n : BigInt(m.build.metadata.MAX_TDMRS);
  const operandsUnchecked = m.faults.has('module.sys-config-operands-unchecked');
  if ((count > maxTdmrs || count < 1n) && !operandsUnchecked) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'));
  const hkid = Number(hkidReg & 0xffffn);
  const range = m.privateHkidRange;
  if ((hkidReg >> 16n !== 0n || hkid < range.min || hkid > range.max) && !operandsUnchecked) return fail(withOperand('TDX_OPERAND_INVALID', 'R8'));
  // Reserving the global HKID sticks even when TDMR validation fails below.
  m.globalHkid = hkid;
  const pas = m.platform.load<bigint[]>(arrayPa);
  if (!pas) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  const infos: TdmrInfo[] = [];
  for (let i = 0; i < Number(count); i++) {
    const pa = pas[i];
    const info = pa === undefined || pa % 512n !== 0n ? undefined : m.platform.load<TdmrInfo>(pa);
    if (!info) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
    infos.push(info);
  }
  const bad = checkTdmrs(infos, m);
  if (bad !== null) return fail(bad);
  m.tdmrs = infos.map((t): TdmrEntry => ({
    base: t.base,
    size: t.size,
    lastInitialized: t.base,
    pamt: [
      { base: t.pamt4kBase, size: t.pamt4kSize },
      { base: t.pamt2mBase, size: t.pamt2mSize },
      { base: t.pamt1gBase, size: t.pamt1gSize },
    ],
    reserved: t.reserved.filter((r) => r.size !== 0n),
  }));
  m.tdmrByBase = new Map(m.tdmrs.map((t) => [t.base, t]));
  m.pkgConfigured.fill(false);
  m.numInitPkgs = 0;
  m.state = 'SYSCONFIG_DONE';
  return ok();
});

defineLeaf('TDH.SYS.KEY.CONFIG', ({ module: m, cpu }) => {
  const pkg = m.packageOf(cpu);
  const configured = m.pkgConfigured[pkg] && !m.faults.has('module.key-config-twice');
  // The state comes first: once the module is ready every call is "not pending".
  if (configured && m.faults.has('module.key-config-after-ready')) return fail(status('TDX_KEY_CONFIGURED'));
  if (m.state !== 'SYSCONFIG_DONE') return fail(status('TDX_SYS_KEY_CONFIG_NOT_PENDING'));
  if (configured) return fail(status('TDX_KEY_CONFIGURED'));
  // program_mktme_keys(): PCONFIG with a random key; an entropy error fails key generation (helpers.c).
  if (m.platform.noEntropy('TDH.SYS.KEY.CONFIG')) return fail(status('TDX_KEY_GENERATION_FAILED'));
  m.pkgConfigured[pkg] = true;
  m.numInitPkgs++;
  const ready = m.faults.has('module.ready-after-first-package') ? m.numInitPkgs >= 1 : m.numInitPkgs >= m.numPkgs;
  if (ready) m.state = 'SYS_READY';
  return ok();
});

/**
 * TDH.SYS.TDMR.INIT (@src:mod-tdmr-init-1501, the same in 2.0.08 @src:mod-tdmr-init-2008): each
 * call initialises the PAMT entries of 1024 4 KiB pages, i.e. the next 4 MiB of the TDMR, and
 * returns in RDX how far the TDMR is initialised, rounded down to 1 GiB (so after the first call
 * RDX is the TDMR's base; once the last call returns base + size, the next returns
 * TDX_TDMR_ALREADY_INITIALIZED with RDX 0). 2.0.08 steps 16 MiB when TDH.SYS.CONFIG enabled
 * dynamic PAMT, which no kernel up to 7.1 asks for.
 */
const TDMR_INIT_STEP = 4n << 20n;

/** The TDMR a call names (RCX), or the refusal of the call. */
function tdmrOf(m: TdxModule, regs: Regs): TdmrEntry | SeamcallResult {
  const base = regs.rcx ?? 0n;
  // Fault: any address names the TDMR that covers it, or else the first one.
  if (m.faults.has('module.tdmr-init-any-address') && m.tdmrs.length > 0) {
    return m.tdmrs.find((t) => base >= t.base && base < t.base + t.size) ?? m.tdmrs[0];
  }
  // The module first refuses an address that is not 1 GiB aligned, at or above MAX_PA or with
  // KeyID bits, then one that is no TDMR's base, alike: TDH.SYS.CONFIG took only TDMRs whose bases
  // pass the first test, so looking the base up answers both.
  return m.tdmrByBase.get(base) ?? fail(withOperand('TDX_OPERAND_INVALID', 'RCX'), { rdx: 0n });
}

/** `calls` successful calls on a TDMR not yet done: the state after them and the last RDX. */
function initialise(m: TdxModule, tdmr: TdmrEntry, calls: bigint): SeamcallResult {
  const step = m.faults.has('module.tdmr-init-at-once') ? tdmr.size : TDMR_INIT_STEP;
  tdmr.lastInitialized += step * calls;
  const rdx = m.faults.has('module.tdmr-init-rdx-not-rounded') ? tdmr.lastInitialized : tdmr.lastInitialized & ~(SZ_1G - 1n);
  return ok({ rdx });
}

const alreadyInitialized = (m: TdxModule): SeamcallResult =>
  m.faults.has('module.tdmr-init-done-succeeds') ? ok({ rdx: 0n }) : fail(status('TDX_TDMR_ALREADY_INITIALIZED'), { rdx: 0n });

const done = (t: TdmrEntry): boolean => t.lastInitialized >= t.base + t.size;

defineLeaf('TDH.SYS.TDMR.INIT', ({ module: m, regs }) => {
  const tdmr = tdmrOf(m, regs);
  if ('status' in tdmr) return tdmr;
  return done(tdmr) ? alreadyInitialized(m) : initialise(m, tdmr, 1n);
}, ({ module: m, regs }, loop) => {
  // The loop's calls, counted rather than made: RDX moves only every 256 calls, and a 64 TiB
  // platform's TDMRs take 16 million of them.
  const tdmr = tdmrOf(m, regs);
  if ('status' in tdmr) return { last: tdmr, calls: 1 };
  if (done(tdmr)) return { last: alreadyInitialized(m), calls: 1 };
  // Only RDX is an output: a loop on another register sees 0 there and runs until the refusal.
  const below = loop.reg === 'rdx' ? loop.below : 1n << 64n;
  const first = initialise(m, tdmr, 1n);
  if ((first.out.rdx ?? 0n) >= below) return { last: first, calls: 1 };
  const step = m.faults.has('module.tdmr-init-at-once') ? tdmr.size : TDMR_INIT_STEP;
  const left = (tdmr.base + tdmr.size - tdmr.lastInitialized + step - 1n) / step;
  // RDX is last_initialized rounded down to 1 GiB: below the bound until last_initialized reaches
  // the bound rounded up to 1 GiB (or just the bound, with the fault that leaves RDX unrounded).
  const target = m.faults.has('module.tdmr-init-rdx-not-rounded') ? below : (below + SZ_1G - 1n) & ~(SZ_1G - 1n);
  const needed = (target - tdmr.lastInitialized + step - 1n) / step;
  if (needed <= left) return { last: initialise(m, tdmr, needed), calls: 1 + Number(needed) };
  // The TDMR is done before RDX reaches the bound: the loop's next call finds it initialised
  // (with the fault that lets that call succeed, the loop by hand would never end; this stops).
  initialise(m, tdmr, left);
  return { last: alreadyInitialized(m), calls: 2 + Number(left) };
});

defineLeaf('TDH.SYS.LP.SHUTDOWN', ({ module: m }) => {
  // 1.5 keeps it as a no-op (@src:mod-lp-shutdown-1501); TDX 1.0 shut the module down.
  if (m.isTdx10 || m.faults.has('module.lp-shutdown-shuts-down')) m.state = 'SYS_SHUTDOWN';
  return ok();
});

/**
 * TDH.SYS.DISABLE (leaf 69, 2026 modules): put the module back to its uninitialised state so a
 * kexec'ed kernel can initialise it again (@src:ml-kexec). The module clears all TDs and keys.
 */
defineLeaf('TDH.SYS.DISABLE', ({ module: m }) => {
  m.state = 'SYSINIT_PENDING';
  m.lpInit.fill(false);
  m.numInitLps = 0;
  m.pkgConfigured.fill(false);
  m.numInitPkgs = 0;
  m.globalHkid = null;
  m.tdmrs = [];
  m.tdmrByBase = new Map();
  m.ext.clear();
  return ok();
});
