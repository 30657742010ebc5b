/**
 * SEAMCALL leaf numbers (RAX bits 15:0; bits 23:16 carry the leaf version).
 * Numbers from the TDX module's tdx_api_defs.h (@src:mod-api) and the kernel's tdx.h (@src:tdx-h).
 * `since` is the first module major.minor that implements the leaf (TDX 1.0 lacks TDH.SYS.RD/RDALL,
 * @src:mod-1.0).
 */
export interface SeamcallLeaf {
  name: string;
  number: number;
  since: string;
  /** Present only in module builds that list it (TDH.SYS.DISABLE, @src:ml-kexec). */
  optional?: boolean;
}

const L = (name: string, number: number, since = '1.0', optional = false): SeamcallLeaf =>
  ({ name, number, since, ...(optional ? { optional } : {}) });

export const SEAMCALL_LEAVES: readonly SeamcallLeaf[] = [
  L('TDH.VP.ENTER', 0), L('TDH.MNG.ADDCX', 1), L('TDH.MEM.PAGE.ADD', 2), L('TDH.MEM.SEPT.ADD', 3),
  L('TDH.VP.ADDCX', 4), L('TDH.MEM.PAGE.RELOCATE', 5), L('TDH.MEM.PAGE.AUG', 6),
  L('TDH.MEM.RANGE.BLOCK', 7), L('TDH.MNG.KEY.CONFIG', 8), L('TDH.MNG.CREATE', 9),
  L('TDH.VP.CREATE', 10), L('TDH.MNG.RD', 11), L('TDH.MEM.RD', 12), L('TDH.MNG.WR', 13),
  L('TDH.MEM.WR', 14), L('TDH.MEM.PAGE.DEMOTE', 15), L('TDH.MR.EXTEND', 16), L('TDH.MR.FINALIZE', 17),
  L('TDH.VP.FLUSH', 18), L('TDH.MNG.VPFLUSHDONE', 19), L('TDH.MNG.KEY.FREEID', 20),
  L('TDH.MNG.INIT', 21), L('TDH.VP.INIT', 22), L('TDH.MEM.PAGE.PROMOTE', 23),
  L('TDH.PHYMEM.PAGE.RDMD', 24), L('TDH.MEM.SEPT.RD', 25), L('TDH.VP.RD', 26),
  L('TDH.MNG.KEY.RECLAIMID', 27), L('TDH.PHYMEM.PAGE.RECLAIM', 28), L('TDH.MEM.PAGE.REMOVE', 29),
  L('TDH.MEM.SEPT.REMOVE', 30), L('TDH.SYS.KEY.CONFIG', 31), L('TDH.SYS.INFO', 32),
  L('TDH.SYS.INIT', 33), L('TDH.SYS.RD', 34, '1.5'), L('TDH.SYS.LP.INIT', 35),
  L('TDH.SYS.TDMR.INIT', 36), L('TDH.SYS.RDALL', 37, '1.5'), L('TDH.MEM.TRACK', 38),
  L('TDH.MEM.RANGE.UNBLOCK', 39), L('TDH.PHYMEM.CACHE.WB', 40), L('TDH.PHYMEM.PAGE.WBINVD', 41),
  L('TDH.MEM.SEPT.WR', 42), L('TDH.VP.WR', 43), L('TDH.SYS.LP.SHUTDOWN', 44), L('TDH.SYS.CONFIG', 45),
  L('TDH.SYS.SHUTDOWN', 52, '1.5'), L('TDH.SYS.UPDATE', 53, '1.5'),
  L('TDH.SYS.DISABLE', 69, '1.5', true),
];

const byName = new Map(SEAMCALL_LEAVES.map((l) => [l.name, l]));
const byNumber = new Map(SEAMCALL_LEAVES.map((l) => [l.number, l]));

export function leaf(name: string): SeamcallLeaf {
  const l = byName.get(name);
  if (!l) throw new Error(`unknown SEAMCALL leaf ${name}; known: ${[...byName.keys()].join(', ')}`);
  return l;
}

export function leafByNumber(n: number): SeamcallLeaf | undefined {
  return byNumber.get(n);
}

/** RAX for a SEAMCALL: leaf number in 15:0, version in 23:16. */
export function seamcallRax(name: string, version = 0): bigint {
  if (version === 0) return raxOf(name);
  return BigInt(leaf(name).number) | (BigInt(version) << 16n);
}

// Version-0 RAX by leaf name: the kernel model issues thousands of these per initialisation.
const raxByName = new Map<string, bigint>();
function raxOf(name: string): bigint {
  let rax = raxByName.get(name);
  if (rax === undefined) raxByName.set(name, (rax = BigInt(leaf(name).number)));
  return rax;
}

export function splitRax(rax: bigint): { number: number; version: number; reserved: bigint } {
  // The usual RAX fits in 24 bits: one conversion instead of three BigInt operations.
  if (rax >= 0n && rax <= 0xffffffn) {
    const n = Number(rax);
    return { number: n & 0xffff, version: n >>> 16, reserved: 0n };
  }
  return {
    number: Number(rax & 0xffffn),
    version: Number((rax >> 16n) & 0xffn),
    reserved: rax >> 24n,
  };
}
