/**
 * Platform initialisation leaves: TDH.SYS.INIT, TDH.SYS.LP.INIT, TDH.SYS.CONFIG,
 * TDH.SYS.KEY.CONFIG, TDH.SYS.TDMR.INIT, TDH.SYS.LP.SHUTDOWN and TDH.SYS.DISABLE.
 * Order of checks and statuses: the module's api_calls/tdh_sys_*.c (@src:mod-sys-leaves).
 */
import { status, withOperand } from '../../../../spec/abi/status';
import { defineLeaf, fail, ok, type TdmrEntry } from '../module';
import { checkTdmrs, type TdmrInfo } from '../tdmr-checks';

const SZ_1G = 1n << 30n;

defineLeaf('TDH.SYS.INIT', ({ module: m, regs }) => {
  if ((regs.rcx ?? 0n) !== 0n) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  if (m.state !== 'SYSINIT_PENDING' && !m.faults.has('module.sys-init-twice')) return fail(status('TDX_SYS_INIT_NOT_PENDING'));
  m.state = 'SYSINIT_DONE';
  m.numInitLps = 0;
  m.lpInit.fill(false);
  m.numInitPkgs = 0;
  m.pkgConfigured.fill(false);
  return ok();
});

defineLeaf('TDH.SYS.LP.INIT', ({ module: m, cpu }) => {
  if (m.state !== 'SYSINIT_DONE') return fail(status('TDX_SYS_LP_INIT_NOT_PENDING'));
  if (m.lpInit[cpu] && !m.faults.has('module.lp-init-twice')) return fail(status('TDX_SYS_LP_INIT_DONE'));
  if (!m.lpInit[cpu]) m.numInitLps++;
  m.lpInit[cpu] = true;
  return ok();
});

defineLeaf('TDH.SYS.CONFIG', ({ module: m, regs }) => {
  if (m.state !== 'SYSINIT_DONE') return fail(status('TDX_SYS_CONFIG_NOT_PENDING'));
  // Every logical processor the module counted must have done TDH.SYS.LP.INIT.
  if (m.numInitLps < m.numLps && !m.faults.has('module.config-ignores-lp-init')) {
    return fail(status('TDX_SYS_CONFIG_NOT_PENDING'));
  }
  const arrayPa = regs.rcx ?? 0n;
  const count = regs.rdx ?? 0n;
  const hkidReg = regs.r8 ?? 0n;
  if (arrayPa % 512n !== 0n || m.hasKeyIdBits(arrayPa)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'));
  const maxTdmrs = BigInt(m.build.metadata.MAX_TDMRS);
  if (count > maxTdmrs || count < 1n) return fail(withOperand('TDX_OPERAND_INVALID', 'RDX'));
  const hkid = Number(hkidReg & 0xffffn);
  const range = m.privateHkidRange;
  if (hkidReg >> 16n !== 0n || hkid < range.min || hkid > range.max) return fail(withOperand('TDX_OPERAND_INVALID', 'R8'));
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
    initChunk: initChunk(t.size, m.faults.has('module.tdmr-init-at-once')),
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
  if (m.state !== 'SYSCONFIG_DONE') return fail(status('TDX_SYS_KEY_CONFIG_NOT_PENDING'));
  const pkg = m.packageOf(cpu);
  if (m.pkgConfigured[pkg] && !m.faults.has('module.key-config-twice')) return fail(status('TDX_KEY_CONFIGURED'));
  m.pkgConfigured[pkg] = true;
  m.numInitPkgs++;
  const ready = m.faults.has('module.ready-after-first-package') ? m.numInitPkgs >= 1 : m.numInitPkgs >= m.numPkgs;
  if (ready) m.state = 'SYS_READY';
  return ok();
});

/**
 * The real module initialises 4 MiB of a TDMR per call; the model initialises an eighth of the
 * TDMR (at least 1 GiB) so the number of calls, and the cost, grows with regions, not bytes.
 * The contract software sees is the same: progress in RDX, repeat until the TDMR is done.
 */
function initChunk(size: bigint, atOnce: boolean): bigint {
  if (atOnce) return size;
  const eighth = size / 8n - ((size / 8n) % SZ_1G);
  return eighth > SZ_1G ? eighth : SZ_1G;
}

defineLeaf('TDH.SYS.TDMR.INIT', ({ module: m, regs }) => {
  const base = regs.rcx ?? 0n;
  if (base % SZ_1G !== 0n || m.hasKeyIdBits(base)) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'), { rdx: 0n });
  const tdmr = m.tdmrByBase.get(base);
  if (!tdmr) return fail(withOperand('TDX_OPERAND_INVALID', 'RCX'), { rdx: 0n });
  const end = tdmr.base + tdmr.size;
  if (tdmr.lastInitialized >= end) return fail(status('TDX_TDMR_ALREADY_INITIALIZED'), { rdx: 0n });
  const chunk = tdmr.initChunk;
  tdmr.lastInitialized = tdmr.lastInitialized + chunk > end ? end : tdmr.lastInitialized + chunk;
  // RDX reports the next address to initialise, rounded down to 1 GiB (whole TDMR once done).
  const next = tdmr.lastInitialized >= end ? end : tdmr.lastInitialized - (tdmr.lastInitialized % SZ_1G);
  return ok({ rdx: next });
});

defineLeaf('TDH.SYS.LP.SHUTDOWN', ({ module: m }) => {
  // 1.5 keeps it as a no-op; TDX 1.0 shut the module down.
  if (m.isTdx10) m.state = 'SYS_SHUTDOWN';
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
