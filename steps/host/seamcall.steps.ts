/** Raw SEAMCALLs to the TDX module, and what they complete with. */
import { expect } from 'chai';
import type { SeamcallOutcome, TdmrView } from '../../backends/host-facet';
import { seamcallRax } from '../../spec/abi/seamcall';
import { isError, OPERAND_IDS, status as statusValue, statusClass, statusName } from '../../spec/abi/status';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';

const SEAMCALL = 'seamcall';
const GiB = 1n << 30n;
const MiB = 1n << 20n;

function call(w: TdxWorld, cpu: number, rax: bigint, regs = {}): SeamcallOutcome {
  return w.remember(SEAMCALL, w.observe(w.host().seamcall(cpu, rax, regs)));
}

function last(w: TdxWorld): SeamcallOutcome {
  return w.recall<SeamcallOutcome>(SEAMCALL, 'SEAMCALL');
}

const describe = (s: bigint): string => `0x${s.toString(16).padStart(16, '0')} (${statusName(s) ?? 'unknown'})`;

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

When('leaf number {int} is called on CPU {int}', function (this: TdxWorld, n: number, cpu: number) {
  call(this, cpu, BigInt(n));
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

/** Deliberately broken variants of the kernel's own TDMR list. */
const CHANGES: Record<string, (t: TdmrView[]) => void> = {
  "the first TDMR's base moved by 2 MiB": (t) => { t[0].base += 2n * MiB; t[0].size -= 2n * MiB; },
  "the first TDMR's size cut by 2 MiB": (t) => { t[0].size -= 2n * MiB; },
  'the first two TDMRs swapped': (t) => { [t[0], t[1]] = [t[1], t[0]]; },
  "the first TDMR's 4K PAMT shrunk by 4 KiB": (t) => { t[0].pamt.size4k -= 4096n; },
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
  mutate(tdmrs);
  config(this, Number(cpu), tdmrs);
});

function tdmrNamed(w: TdxWorld, which: string): TdmrView {
  const all = proposed(w);
  if (which === 'first') return all[0];
  return all.reduce((a, b) => (b.size > a.size ? b : a));
}

When(/^TDH\.SYS\.TDMR\.INIT is called on CPU (\d+) for the (first|largest) TDMR$/, function (this: TdxWorld, cpu: string, which: string) {
  const t = this.remember('tdmr', tdmrNamed(this, which));
  call(this, Number(cpu), seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: t.base });
  this.remember('tdmr-calls', (this.scratch.get('tdmr-calls') as number | undefined ?? 0) + 1);
});

When(/^TDH\.SYS\.TDMR\.INIT is called on CPU (\d+) for the (first|largest) TDMR until RDX reaches its end$/, function (this: TdxWorld, cpu: string, which: string) {
  const t = this.remember('tdmr', tdmrNamed(this, which));
  let calls = (this.scratch.get('tdmr-calls') as number | undefined) ?? 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const r = call(this, Number(cpu), seamcallRax('TDH.SYS.TDMR.INIT'), { rcx: t.base });
    expectSuccess(this, 'TDH.SYS.TDMR.INIT', r);
    calls++;
    if ((r.out.rdx ?? 0n) >= t.base + t.size) break;
  }
  this.remember('tdmr-calls', calls);
});

Then('RDX is 1 GiB aligned, above the TDMR base and below its end', function (this: TdxWorld) {
  const t = this.recall<TdmrView>('tdmr', 'TDMR');
  const rdx = last(this).out.rdx ?? 0n;
  expect(rdx % GiB, `RDX 0x${rdx.toString(16)}`).to.equal(0n);
  expect(rdx > t.base && rdx < t.base + t.size, `RDX 0x${rdx.toString(16)} within (0x${t.base.toString(16)}, end)`).to.equal(true);
});

Then('the TDMR took more than one call', function (this: TdxWorld) {
  expect(this.recall<number>('tdmr-calls', 'count of TDMR.INIT calls')).to.be.greaterThan(1);
});

// ---- outcomes

Then('the SEAMCALL succeeds', function (this: TdxWorld) {
  expectSuccess(this, 'the SEAMCALL', last(this));
});

Then('the SEAMCALL fails with {status}', function (this: TdxWorld, name: string) {
  const s = last(this).status;
  expect(isError(s), `${describe(s)} is an error`).to.equal(true);
  expect(statusClass(s), describe(s)).to.equal(statusValue(name));
});

Then('the SEAMCALL returns {status}', function (this: TdxWorld, name: string) {
  expect(last(this).status, describe(last(this).status)).to.equal(statusValue(name));
});

Then('the SEAMCALL completes with {status}', function (this: TdxWorld, name: string) {
  const s = last(this).status;
  expect(statusClass(s), describe(s)).to.equal(statusValue(name));
});

Then('the SEAMCALL fails with {status} for TDMR {int}', function (this: TdxWorld, name: string, index: number) {
  const s = last(this).status;
  expect(statusClass(s), describe(s)).to.equal(statusValue(name));
  expect(Number(s & 0xffn), `TDMR index in ${describe(s)}`).to.equal(index);
});

Then('the SEAMCALL fails with TDX_OPERAND_INVALID on operand RAX', function (this: TdxWorld) {
  const s = last(this).status;
  expect(s, describe(s)).to.equal(statusValue('TDX_OPERAND_INVALID') | BigInt(OPERAND_IDS.RAX));
});

export { last as lastSeamcall, call as seamcall };
