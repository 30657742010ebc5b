/** Raw SEAMCALLs to the TDX module, and what they complete with. */
import { expect } from 'chai';
import type { SeamcallOutcome, TdmrView } from '../../backends/host-facet';
import type { Regs } from '../../backends/port';
import { seamcallRax } from '../../spec/encodings/seamcall';
import type { Named } from '../../support/parameter-types';
import { Given, Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';

const SEAMCALL = 'seamcall';
const MiB = 1n << 20n;

function call(w: TdxWorld, cpu: number, rax: bigint, regs = {}): SeamcallOutcome {
  return w.remember(SEAMCALL, w.observe(w.host().seamcall(cpu, rax, regs)));
}

function last(w: TdxWorld): SeamcallOutcome {
  return w.recall<SeamcallOutcome>(SEAMCALL, 'SEAMCALL');
}

const describe = (s: bigint): string => `0x${s.toString(16).padStart(16, '0')}`;

/** A completion status is an error when bit 63 is set; bits 63:32 are its class, 31:0 its details (an operand id). */
const isError = (s: bigint): boolean => (s >> 63n) === 1n;
const statusClass = (s: bigint): bigint => s & 0xffffffff00000000n;

function topology(w: TdxWorld) {
  return w.observe(w.host().topology());
}

function cpusOfPackage(w: TdxWorld, pkg: number): number[] {
  const t = topology(w);
  return Array.from({ length: t.cpus }, (_, i) => i).filter((c) => t.packageOf(c) === pkg);
}

function expectSuccess(w: TdxWorld, what: string, r: SeamcallOutcome): void {
  expect(r.status, `${what} completed with ${describe(r.status)}`).to.equal(0n);
}

When('{leaf} is called on CPU {int}', function (this: TdxWorld, leaf: string, cpu: number) {
  call(this, cpu, seamcallRax(leaf));
});

When('{leaf} is called on CPU {int} with RCX {hex}', function (this: TdxWorld, leaf: string, cpu: number, rcx: bigint) {
  call(this, cpu, seamcallRax(leaf), { rcx });
});

When('{leaf} is called on CPU {int} with RCX {hex}, RDX {hex}, R8 {hex} and R9 {hex}', function (this: TdxWorld, leaf: string, cpu: number, rcx: bigint, rdx: bigint, r8: bigint, r9: bigint) {
  call(this, cpu, seamcallRax(leaf), { rcx, rdx, r8, r9 });
});

When('leaf number {int} is called on CPU {int}', function (this: TdxWorld, n: number, cpu: number) {
  call(this, cpu, BigInt(n));
});

When('the SEAMCALL with RAX {hex} is made on CPU {int}', function (this: TdxWorld, rax: bigint, cpu: number) {
  call(this, cpu, rax);
});

/** Call a leaf on many CPUs; one assertion over all of them (a large host has 1,920 CPUs). */
function callOnAll(w: TdxWorld, leaf: string, cpus: number[]): void {
  const rax = seamcallRax(leaf);
  const failures: string[] = [];
  for (const c of cpus) {
    const r = call(w, c, rax);
    if (r.status !== 0n && failures.length < 5) failures.push(`CPU ${c}: ${describe(r.status)}`);
  }
  expect(failures, `${leaf} on ${cpus.length} CPUs`).to.deep.equal([]);
}

const allCpus = (w: TdxWorld): number[] => Array.from({ length: topology(w).cpus }, (_, i) => i);

When('{leaf} is called on every logical CPU', function (this: TdxWorld, leaf: string) {
  callOnAll(this, leaf, allCpus(this));
});

When('{leaf} is called on every logical CPU except CPU {int}', function (this: TdxWorld, leaf: string, skip: number) {
  callOnAll(this, leaf, allCpus(this).filter((c) => c !== skip));
});

When('{leaf} is called on the first CPU of package {int}', function (this: TdxWorld, leaf: string, pkg: number) {
  call(this, cpusOfPackage(this, pkg)[0], seamcallRax(leaf));
});

When('{leaf} is called on the last CPU of package {int}', function (this: TdxWorld, leaf: string, pkg: number) {
  const cpus = cpusOfPackage(this, pkg);
  call(this, cpus[cpus.length - 1], seamcallRax(leaf));
});

When('{leaf} is called on the first CPU of every package', function (this: TdxWorld, leaf: string) {
  for (let p = 0; p < topology(this).packages; p++) {
    expectSuccess(this, `${leaf} on package ${p}`, call(this, cpusOfPackage(this, p)[0], seamcallRax(leaf)));
  }
});

// ---- bringing the module to a state through its own interface

function initAllLps(w: TdxWorld): void {
  expectSuccess(w, 'TDH.SYS.INIT', call(w, 0, seamcallRax('TDH.SYS.INIT')));
  callOnAll(w, 'TDH.SYS.LP.INIT', allCpus(w));
}

function proposed(w: TdxWorld): TdmrView[] {
  return w.observe(w.host().proposedTdmrs());
}

function config(w: TdxWorld, cpu: number, tdmrs: readonly TdmrView[]): SeamcallOutcome {
  return w.remember(SEAMCALL, w.observe(w.host().sysConfig(cpu, tdmrs)));
}

Given('every logical CPU has done TDH.SYS.LP.INIT', function (this: TdxWorld) {
  initAllLps(this);
});

Given('the module has accepted the TDMRs the kernel would build', function (this: TdxWorld) {
  initAllLps(this);
  expectSuccess(this, 'TDH.SYS.CONFIG', config(this, 0, proposed(this)));
});

Given('the module is ready with the TDMRs the kernel would build', function (this: TdxWorld) {
  initAllLps(this);
  expectSuccess(this, 'TDH.SYS.CONFIG', config(this, 0, proposed(this)));
  for (let p = 0; p < topology(this).packages; p++) {
    expectSuccess(this, `TDH.SYS.KEY.CONFIG on package ${p}`, call(this, cpusOfPackage(this, p)[0], seamcallRax('TDH.SYS.KEY.CONFIG')));
  }
});

When('TDH.SYS.CONFIG is called on CPU {int} with the TDMRs the kernel would build', function (this: TdxWorld, cpu: number) {
  config(this, cpu, proposed(this));
});

const KiB = 1n << 10n;
const GiB = 1n << 30n;
/** 8 PiB: past the largest physical address width x86 has (52 bits), so past any platform's. */
const PiB8 = 1n << 53n;

type Region = { base: bigint; end: bigint };
/** Whether [base, end) lies in one region, adjacent regions counting as one (as the module merges CMRs). */
function inside(base: bigint, end: bigint, regions: readonly Region[]): boolean {
  const merged: Region[] = [];
  for (const r of [...regions].sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0))) {
    const last = merged[merged.length - 1];
    if (last && last.end === r.base) last.end = r.end;
    else merged.push({ base: r.base, end: r.end });
  }
  return merged.some((r) => base >= r.base && end <= r.end);
}

/** A premise of a change that the platform's own TDMRs do not meet: the scenario cannot ask its question. */
function premise(ok: boolean, what: string): void {
  if (!ok) throw new Error(`the kernel's TDMRs do not fit this change: ${what}`);
}

When('TDH.SYS.CONFIG is called on CPU {int} with no TDMR', function (this: TdxWorld, cpu: number) {
  config(this, cpu, []);
});

/**
 * A global KeyID placed against the TDX KeyID range, which the kernel works out from
 * IA32_MKTME_KEYID_PARTITIONING (MSR 0x87): bits 31:0 the MKTME KeyIDs, 63:32 the TDX ones,
 * which start right after the MKTME ones (record_keyid_partitioning()).
 */
When(/^TDH\.SYS\.CONFIG is called on CPU (\d+) with the TDMRs the kernel would build and, as global KeyID, (the KeyID before the first TDX KeyID|the first TDX KeyID|the last TDX KeyID|the KeyID after the last TDX KeyID|the first TDX KeyID with bit 16 set)$/, function (this: TdxWorld, cpu: string, which: string) {
  const msr = this.observe(this.host().rdmsr(0, 0x87));
  if (msr.gp || msr.value === undefined) throw new SkipSignal('cannot-observe', 'MSR 0x87 faulted on this machine');
  const first = Number(msr.value & 0xffffffffn) + 1;
  const last = first + Number(msr.value >> 32n) - 1;
  const keyId = { 'the KeyID before the first TDX KeyID': first - 1, 'the first TDX KeyID': first, 'the last TDX KeyID': last, 'the KeyID after the last TDX KeyID': last + 1,
    'the first TDX KeyID with bit 16 set': first | 0x10000 }[which]!;
  this.remember(SEAMCALL, this.observe(this.host().sysConfig(Number(cpu), proposed(this), keyId)));
});

When('TDH.SYS.CONFIG is called on CPU {int} with the TDMRs the kernel would build and global KeyID {int}', function (this: TdxWorld, cpu: number, keyId: number) {
  this.remember(SEAMCALL, this.observe(this.host().sysConfig(cpu, proposed(this), keyId)));
});

Given('TDH.SYS.TDMR.INIT has initialised the first GiB of the first TDMR on CPU {int}', function (this: TdxWorld, cpu: number) {
  const t = proposed(this)[0];
  // Each call initialises 4 MiB (TDMR_4K_PAMT_INIT_COUNT pages); RDX says how far, rounded down to 1 GiB.
  let r = call(this, cpu, seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: t.base });
  for (let i = 1; r.status === 0n && (r.out.rdx ?? 0n) < t.base + GiB && i < 4096; i++) r = call(this, cpu, seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: t.base });
  expectSuccess(this, 'TDH.SYS.TDMR.INIT', r);
  expect((r.out.rdx ?? 0n) >= t.base + GiB, `RDX 0x${(r.out.rdx ?? 0n).toString(16)} after initialising the first GiB`).to.equal(true);
});

Given('TDH.SYS.TDMR.INIT has initialised the whole first TDMR on CPU {int}', function (this: TdxWorld, cpu: number) {
  const t = proposed(this)[0];
  const end = t.base + t.size;
  // 4 MiB a call: a TDMR of up to 256 GiB takes at most 65536 calls.
  let r = call(this, cpu, seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: t.base });
  for (let i = 1; r.status === 0n && (r.out.rdx ?? 0n) < end && i < 65536; i++) r = call(this, cpu, seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: t.base });
  expectSuccess(this, 'TDH.SYS.TDMR.INIT', r);
  expect(describe(r.out.rdx ?? 0n), 'RDX once the first TDMR is initialised').to.equal(describe(end));
});

/** Pages of the kernel's first TDMR, for TDH.PHYMEM.PAGE.RDMD. */
const PAGES: Record<string, (t: TdmrView) => bigint> = {
  "the first TDMR's first page": (t) => {
    premise(t.reserved[0]?.offset === 0n, "the first TDMR's first reserved area must start at its base");
    return t.base;
  },
  "the first TDMR's first page, 8 bytes in": (t) => t.base + 8n,
  "the first page after the first TDMR's first reserved area": (t) => {
    const [r, next] = t.reserved;
    premise(r !== undefined, 'the first TDMR has no reserved area');
    const at = t.base + r.offset + r.size;
    premise(at < t.base + GiB && (next === undefined || t.base + next.offset > at), 'the page must be usable and in the first GiB');
    return at;
  },
  "the first page of the first TDMR's last reserved area": (t) => {
    const used = t.reserved.filter((r) => r.size > 0n);
    premise(used.length > 1, 'the first TDMR must have more than one reserved area');
    return t.base + used[used.length - 1].offset;
  },
  "the first page after the first TDMR": (t) => t.base + t.size,
  "the first page of the first TDMR's second GiB": (t) => {
    premise(t.size > GiB, 'the first TDMR must be larger than 1 GiB');
    return t.base + GiB;
  },
};

When(/^TDH\.PHYMEM\.PAGE\.RDMD is called on CPU (\d+) for (.+)$/, function (this: TdxWorld, cpu: string, name: string) {
  const page = PAGES[name];
  if (!page) throw new Error(`no such page "${name}"; known: ${Object.keys(PAGES).join('; ')}`);
  call(this, Number(cpu), seamcallRax('TDH.PHYMEM.PAGE.RDMD'), { rcx: page(proposed(this)[0]) });
});

Then(/^RCX is (0x[0-9a-fA-F]+) \(([A-Z_]+)\)$/, function (this: TdxWorld, value: string, name: string) {
  const rcx = last(this).out.rcx;
  expect(rcx === undefined ? 'not returned' : describe(rcx), `RCX, expected ${name}`).to.equal(describe(BigInt(value)));
});

/** An output register of the last SEAMCALL (a leaf that does not write it fails the check). */
Then(/^the SEAMCALL's output (RCX|RDX|R8|R9|R10) is (0x[0-9a-fA-F]+)(?: \(([^)]+)\))?$/, function (this: TdxWorld, reg: string, value: string, name?: string) {
  const v = last(this).out[reg.toLowerCase() as keyof Regs];
  expect(v === undefined ? 'not returned' : describe(v), `${reg}${name ? `, expected ${name}` : ''}`).to.equal(describe(BigInt(value)));
});

/** Deliberately broken variants of the kernel's own TDMR list (with the host's CMRs for the premises). */
const CHANGES: Record<string, (t: TdmrView[], cmrs: readonly Region[]) => void> = {
  "the first TDMR's base moved by 2 MiB": (t) => { t[0].base += 2n * MiB; t[0].size -= 2n * MiB; },
  "the first TDMR's size cut by 2 MiB": (t) => { t[0].size -= 2n * MiB; },
  "the first TDMR's size set to 0": (t) => { t[0].size = 0n; },
  "the first TDMR's size set to 8 PiB": (t) => { t[0].size = PiB8; },
  'the first two TDMRs swapped': (t) => { [t[0], t[1]] = [t[1], t[0]]; },
  "the second TDMR's start moved 1 GiB below the first TDMR's end": (t) => {
    const start = t[0].base + t[0].size - GiB;
    premise(start > t[0].base, 'the first TDMR must be larger than 1 GiB');
    t[1].size += t[1].base - start;
    t[1].base = start;
  },
  "the first TDMR's first reserved area dropped": (t, cmrs) => {
    const [r] = t[0].reserved;
    premise(r !== undefined, 'the first TDMR has no reserved area');
    premise(!inside(t[0].base + r.offset, t[0].base + r.offset + r.size, cmrs), 'its first reserved area must not be convertible memory');
    const p = t[0].pamt;
    premise(p.base4k >= t[0].base + t[0].size || p.base1g + p.size1g <= t[0].base, "the first TDMR's PAMT must lie outside it");
    t[0].reserved.shift();
  },
  "the first TDMR's 4K PAMT shrunk by 4 KiB": (t) => { t[0].pamt.size4k -= 4096n; },
  "the first TDMR's 1G PAMT moved by 2 KiB": (t) => { t[0].pamt.base1g += 2n * KiB; },
  "the first TDMR's 2M PAMT moved to 8 PiB": (t) => { t[0].pamt.base2m = PiB8; },
  "the first TDMR's 1G PAMT moved to the end of its first reserved area": (t, cmrs) => {
    const [r] = t[0].reserved;
    const p = t[0].pamt;
    premise(r !== undefined && r.size >= p.size1g, "the first TDMR has no reserved area that holds its 1G PAMT");
    p.base1g = t[0].base + r.offset + r.size - p.size1g;
    premise(!inside(p.base1g, p.base1g + p.size1g, cmrs), 'its first reserved area must not be convertible memory');
  },
  "an empty reserved area put before the first TDMR's others": (t) => {
    premise(t[0].reserved.length > 0, 'the first TDMR has no reserved area');
    t[0].reserved.unshift({ offset: 0n, size: 0n });
  },
  "two empty reserved areas put between the first TDMR's first reserved area and a later one": (t) => {
    const r = t[0].reserved;
    premise(r.length > 0, 'the first TDMR has no reserved area');
    // A later area: the TDMR's own next one, or its last 4 KiB.
    if (r.length === 1) r.push({ offset: t[0].size - 4n * KiB, size: 4n * KiB });
    r.splice(1, 0, { offset: 0n, size: 0n }, { offset: 0n, size: 0n });
  },
  "the first TDMR's first reserved area repeated": (t) => {
    premise(t[0].reserved.length > 0, 'the first TDMR has no reserved area');
    t[0].reserved.splice(1, 0, { ...t[0].reserved[0] });
  },
  "the first TDMR's first reserved area cut by 2 KiB": (t) => {
    premise(t[0].reserved.length > 0 && t[0].reserved[0].size > 4n * KiB, 'the first TDMR has no reserved area larger than 4 KiB');
    t[0].reserved[0].size -= 2n * KiB;
  },
  "the first TDMR's first reserved area stretched 4 KiB past the TDMR's end": (t) => {
    premise(t[0].reserved.length > 0, 'the first TDMR has no reserved area');
    const r = t[0].reserved[0];
    r.size = t[0].size - r.offset + 4n * KiB;
  },
  "the first TDMR's 2M PAMT moved onto its 4K PAMT": (t) => { t[0].pamt.base2m = t[0].pamt.base4k; },
  "the first TDMR's 1G PAMT moved onto its 4K PAMT": (t) => { t[0].pamt.base1g = t[0].pamt.base4k; },
  "the first TDMR's 2M PAMT moved onto its 1G PAMT": (t) => { t[0].pamt.base2m = t[0].pamt.base1g; },
  "the second TDMR's 4K PAMT moved onto the first TDMR's 4K PAMT": (t) => { t[1].pamt.base4k = t[0].pamt.base4k; },
  "the first TDMR's PAMT placed in the second TDMR's usable memory": (t) => {
    // Lowest 2 MiB-aligned address of the second TDMR that no reserved area covers.
    let at = t[1].base;
    for (const r of t[1].reserved) if (t[1].base + r.offset <= at && at < t[1].base + r.offset + r.size) at = t[1].base + r.offset + r.size;
    at = (at + (1n << 21n) - 1n) & ~((1n << 21n) - 1n);
    const p = t[0].pamt;
    p.base4k = at;
    p.base2m = at + p.size4k;
    p.base1g = p.base2m + p.size2m;
  },
};

When(/^TDH\.SYS\.CONFIG is called on CPU (\d+) with the kernel's TDMRs but (.+)$/, function (this: TdxWorld, cpu: string, change: string) {
  const mutate = CHANGES[change];
  if (!mutate) throw new Error(`no such change "${change}"; known: ${Object.keys(CHANGES).join('; ')}`);
  const tdmrs = structuredClone(proposed(this));
  if (tdmrs.length < 2) throw new Error('the platform has fewer than two TDMRs; this scenario needs two');
  mutate(tdmrs, this.observe(this.host().cmrs()));
  config(this, Number(cpu), tdmrs);
});

When('TDH.SYS.TDMR.INIT is called on CPU {int} for the first TDMR', function (this: TdxWorld, cpu: number) {
  call(this, cpu, seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: proposed(this)[0].base });
});

/** The same call `times` times; the failures before the last are kept for the next step. */
When('TDH.SYS.TDMR.INIT is called {int} times on CPU {int} for the TDMR at {hex}', function (this: TdxWorld, times: number, cpu: number, base: bigint) {
  const failures: string[] = [];
  for (let i = 1; i <= times; i++) {
    const r = call(this, cpu, seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: base });
    if (i < times && r.status !== 0n && failures.length < 5) failures.push(`call ${i}: ${describe(r.status)}`);
  }
  this.remember('failures-before-last', failures);
});

Then('every call before the last succeeded', function (this: TdxWorld) {
  expect(this.recall<string[]>('failures-before-last', 'calls before the last')).to.deep.equal([]);
});

Then('the last call returned {status} with RDX {hex}', function (this: TdxWorld, st: Named, rdx: bigint) {
  const r = last(this);
  expect(describe(r.status), st.name).to.equal(describe(st.value));
  expect(r.out.rdx === undefined ? 'RDX not returned' : describe(r.out.rdx), 'RDX').to.equal(describe(rdx));
});

Given('the platform has at least two packages', function (this: TdxWorld) {
  const packages = topology(this).packages;
  if (packages < 2) {
    throw new SkipSignal('not-applicable', `the platform has ${packages} package: its first TDH.SYS.KEY.CONFIG makes the module ready`);
  }
});

// ---- outcomes

Then('the SEAMCALL succeeds', function (this: TdxWorld) {
  expectSuccess(this, 'the SEAMCALL', last(this));
});

Then('the SEAMCALL fails with {status}', function (this: TdxWorld, st: Named) {
  const s = last(this).status;
  expect(isError(s), `${describe(s)} is an error`).to.equal(true);
  expect(describe(statusClass(s)), `${describe(s)}, expected ${st.name}`).to.equal(describe(st.value));
});

Then(/^the SEAMCALL returns (TDX_[A-Z0-9_]+ \(0x[0-9a-fA-F]+\))(?:, whose low bits name operand [A-Z0-9_]+ \(\d+\))?$/, function (this: TdxWorld, st: Named) {
  const s = last(this).status;
  expect(describe(s), `expected ${st.name}`).to.equal(describe(st.value));
});

Then('the SEAMCALL completes with {status}', function (this: TdxWorld, st: Named) {
  const s = last(this).status;
  expect(describe(statusClass(s)), `${describe(s)}, expected ${st.name}`).to.equal(describe(st.value));
});


/** Keep an outcome a step got from another port method (TDH.MNG.INIT with its TD_PARAMS placed) as the last SEAMCALL. */
const rememberSeamcall = (w: TdxWorld, r: SeamcallOutcome): SeamcallOutcome => w.remember(SEAMCALL, r);

export { last as lastSeamcall, call as seamcall, rememberSeamcall };
