/**
 * TD leaves of the TDX module called directly, with operands named in the feature's words: pages
 * of the kernel's first TDMR, KeyIDs of the platform's split, places outside the TDMRs. Every value
 * comes from an observation of the target (the TDMRs it configured, MSR 0x87), never from a table
 * the model reads.
 */
import type { DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { SeamcallOutcome, TdmrView, TdParamsCpuid, TdParamsReserved, TdParamsView } from '../../backends/host-facet';
import { seamcallRax } from '../../spec/encodings/seamcall';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { lastSeamcall, rememberSeamcall, seamcall } from './seamcall.steps';

const PAGE = 4096n;
const GiB = 1n << 30n;
/** IA32_MKTME_KEYID_PARTITIONING: bits 31:0 the MKTME KeyIDs, 63:32 the TDX private KeyIDs after them (SDM; the kernel's tdx.c reads it the same way). */
const MSR_KEYID_PARTITIONING = 0x87;

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function tdmrs(w: TdxWorld): TdmrView[] {
  const t = w.observe(w.host().proposedTdmrs());
  if (t.length === 0) throw new Error('the kernel would build no TDMR on this platform');
  return t;
}

function premise(ok: boolean, what: string): void {
  if (!ok) throw new Error(`the kernel's first TDMR does not fit this scenario: ${what}`);
}

const inReserved = (t: TdmrView, pa: bigint) => t.reserved.find((r) => pa >= t.base + r.offset && pa < t.base + r.offset + r.size);

/** The n-th (from 1) page of the first TDMR's first GiB outside its reserved areas. */
function usablePage(w: TdxWorld, n: number): bigint {
  const t = tdmrs(w)[0];
  let at = t.base;
  for (let found = 0; ; ) {
    premise(at < t.base + GiB && at < t.base + t.size, `it has fewer than ${n} usable pages in its first GiB`);
    const r = inReserved(t, at);
    if (r) {
      at = (t.base + r.offset + r.size + PAGE - 1n) & ~(PAGE - 1n);
      continue;
    }
    if (++found === n) return at;
    at += PAGE;
  }
}

function keyIds(w: TdxWorld): { mktme: bigint; tdx: bigint } {
  const r = w.observe(w.host().rdmsr(0, MSR_KEYID_PARTITIONING));
  if (r.value === undefined) throw new Error('RDMSR 0x87 (IA32_MKTME_KEYID_PARTITIONING) faulted: the platform has no KeyID split');
  const tdx = r.value >> 32n;
  if (tdx === 0n) throw new Error('the platform has no TDX private KeyID');
  return { mktme: r.value & 0xffffffffn, tdx };
}

/** Named operand values. */
const TERMS: [RegExp, (w: TdxWorld, m: RegExpMatchArray) => bigint][] = [
  [/^page (\d+)$/, (w, m) => usablePage(w, Number(m[1]))],
  [/^the first TD KeyID$/, (w) => keyIds(w).mktme + 1n],
  [/^the last TD KeyID$/, (w) => { const k = keyIds(w); return k.mktme + k.tdx; }],
  [/^the last MKTME KeyID$/, (w) => keyIds(w).mktme],
  [/^the end of the last TDMR$/, (w) => { const t = tdmrs(w); const l = t[t.length - 1]; return l.base + l.size; }],
  [/^the first page of the first TDMR's second GiB$/, (w) => {
    const t = tdmrs(w)[0];
    premise(t.size > GiB, 'it must be larger than 1 GiB');
    return t.base + GiB;
  }],
  [/^the first TDMR's first reserved page$/, (w) => {
    const t = tdmrs(w)[0];
    const r = t.reserved[0];
    premise(r !== undefined && r.size >= PAGE && r.offset % PAGE === 0n && r.offset < GiB, 'its first reserved area must hold a page in its first GiB');
    return t.base + r.offset;
  }],
  [/^(0x[0-9a-fA-F]+)$/, (_w, m) => BigInt(m[1])],
];

/** `<term>`, `<term> + 0x<hex>`, either followed by a name in parentheses for the reader. */
function value(w: TdxWorld, text: string): bigint {
  const m = /^(.+?)(?: \+ (0x[0-9a-fA-F]+))?(?: \([^()]+\))?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read the operand "${text}"`);
  for (const [re, f] of TERMS) {
    const t = re.exec(m[1]);
    if (t) return f(w, t) + (m[2] === undefined ? 0n : BigInt(m[2]));
  }
  throw new Error(`unknown operand "${m[1]}"; known: page N, the first TD KeyID, the last TD KeyID, the last MKTME KeyID, the end of the last TDMR, the first page of the first TDMR's second GiB, the first TDMR's first reserved page, 0x...; each optionally "+ 0x..."`);
}

type Reg = 'rcx' | 'rdx' | 'r8' | 'r9';

/** `RCX = page 1, RDX = the first TD KeyID`. */
function operands(w: TdxWorld, text: string): Partial<Record<Reg, bigint>> {
  const regs: Partial<Record<Reg, bigint>> = {};
  for (const part of text.split(/, | and (?=(?:RCX|RDX|R8|R9) = )/)) {
    const m = /^(RCX|RDX|R8|R9) = (.+)$/.exec(part);
    if (!m) throw new Error(`cannot read "${part}": write REG = value`);
    regs[m[1].toLowerCase() as Reg] = value(w, m[2]);
  }
  return regs;
}

function topology(w: TdxWorld) {
  return w.observe(w.host().topology());
}

function firstCpuOfPackage(w: TdxWorld, pkg: number): number {
  const t = topology(w);
  for (let c = 0; c < t.cpus; c++) if (t.packageOf(c) === pkg) return c;
  throw new Error(`package ${pkg} has no CPU`);
}

function expectSuccess(what: string, r: SeamcallOutcome): void {
  expect(hex(r.status), `${what} completed with ${hex(r.status)}`).to.equal('0x0');
}

function onEveryPackage(w: TdxWorld, leaf: string, regs: Partial<Record<Reg, bigint>>): void {
  for (let p = 0; p < topology(w).packages; p++) expectSuccess(`${leaf} on package ${p}`, seamcall(w, firstCpuOfPackage(w, p), seamcallRax(leaf), regs));
}

When(/^(TDH(?:\.[A-Z0-9]+)+) is called on CPU (\d+) with ((?:RCX|RDX|R8|R9) = .+)$/, function (this: TdxWorld, leaf: string, cpu: string, ops: string) {
  seamcall(this, Number(cpu), seamcallRax(leaf), operands(this, ops));
});

When(/^(TDH(?:\.[A-Z0-9]+)+) is called on the first CPU of package (\d+) with ((?:RCX|RDX|R8|R9) = .+)$/, function (this: TdxWorld, leaf: string, pkg: string, ops: string) {
  seamcall(this, firstCpuOfPackage(this, Number(pkg)), seamcallRax(leaf), operands(this, ops));
});

const INTERRUPTED_RESUMABLE = 0x8000000300000000n;

/** TDH.PHYMEM.CACHE.WB on one CPU, resumed (RCX 1) while the module reports TDX_INTERRUPTED_RESUMABLE, as KVM does. */
function cacheWb(w: TdxWorld, cpu: number): void {
  let r = seamcall(w, cpu, seamcallRax('TDH.PHYMEM.CACHE.WB'), { rcx: 0n });
  for (let i = 0; r.status === INTERRUPTED_RESUMABLE && i < 10000; i++) r = seamcall(w, cpu, seamcallRax('TDH.PHYMEM.CACHE.WB'), { rcx: 1n });
  expectSuccess(`TDH.PHYMEM.CACHE.WB on CPU ${cpu}`, r);
}

When('the caches are written back on the first CPU of every package', function (this: TdxWorld) {
  for (let p = 0; p < topology(this).packages; p++) cacheWb(this, firstCpuOfPackage(this, p));
});

When('the caches are written back on the first CPU of package {int}', function (this: TdxWorld, pkg: number) {
  cacheWb(this, firstCpuOfPackage(this, pkg));
});

Given(/^a TD created on page (\d+) with the first TD KeyID, its key configured on every package$/, function (this: TdxWorld, page: string) {
  const tdr = usablePage(this, Number(page));
  expectSuccess('TDH.MNG.CREATE', seamcall(this, 0, seamcallRax('TDH.MNG.CREATE'), { rcx: tdr, rdx: keyIds(this).mktme + 1n }));
  onEveryPackage(this, 'TDH.MNG.KEY.CONFIG', { rcx: tdr });
});

Given(/^a TD created on page (\d+) with the first TD KeyID$/, function (this: TdxWorld, page: string) {
  expectSuccess('TDH.MNG.CREATE', seamcall(this, 0, seamcallRax('TDH.MNG.CREATE'), { rcx: usablePage(this, Number(page)), rdx: keyIds(this).mktme + 1n }));
});

/** TDCS pages from page `from` on: as many as the module's own TDCS_BASE_SIZE field asks for (read with TDH.SYS.RD), or one fewer. */
Given(/^the TD on page (\d+) has (all|all but one) of the TDCS pages [A-Z_]+ \((0x[0-9a-f]{16})\) asks for, from page (\d+) on$/, function (this: TdxWorld, tdr: string, which: string, field: string, from: string) {
  const rd = seamcall(this, 0, seamcallRax('TDH.SYS.RD'), { rdx: BigInt(field) });
  expectSuccess(`TDH.SYS.RD of ${field}`, rd);
  const bytes = rd.out.r8 ?? 0n;
  if (bytes === 0n || bytes % PAGE !== 0n || bytes > 7n * PAGE) throw new Error(`the module asks for ${hex(bytes)} bytes of TDCS: this scenario expects 1 to 7 pages`);
  const pages = Number(bytes / PAGE) - (which === 'all' ? 0 : 1);
  for (let i = 0; i < pages; i++) {
    const r = seamcall(this, 0, seamcallRax('TDH.MNG.ADDCX'), { rcx: usablePage(this, Number(from) + i), rdx: usablePage(this, Number(tdr)) });
    expectSuccess(`TDH.MNG.ADDCX of TDCS page ${i + 1}`, r);
  }
});

Then(/^the SEAMCALL's (RCX|RDX|R8) is (.+)$/, function (this: TdxWorld, reg: string, text: string) {
  const got = lastSeamcall(this).out[reg.toLowerCase() as Reg];
  expect(got === undefined ? 'not returned' : hex(got), `${reg}, expected ${text}`).to.equal(hex(value(this, text)));
});

// ---- TD_PARAMS for TDH.MNG.INIT, placed in memory by the target

const TD_PARAMS = 'td-params';
const CPUID_SLOTS = 'cpuid-config-slots';

type Draft = { -readonly [K in keyof TdParamsView]: TdParamsView[K] } & { cpuidConfig: (TdParamsCpuid | null)[]; nonZeroReserved: TdParamsReserved[] };

const SCALARS: Record<string, (d: Draft, v: bigint) => void> = {
  ATTRIBUTES: (d, v) => { d.attributes = v; },
  XFAM: (d, v) => { d.xfam = v; },
  MAX_VCPUS: (d, v) => { d.maxVcpus = Number(v); },
  NUM_L2_VMS: (d, v) => { d.numL2Vms = Number(v); },
  MSR_CONFIG_CTLS: (d, v) => { d.msrConfigCtls = Number(v); },
  EPTP_CONTROLS: (d, v) => { d.eptpControls = v; },
  CONFIG_FLAGS: (d, v) => { d.configFlags = v; },
  TSC_FREQUENCY: (d, v) => { d.tscFrequency = Number(v); },
};

/** `0x1e`, `100`, either followed by a name in parentheses for the reader. */
function number(text: string): bigint {
  const m = /^(0x[0-9a-fA-F]+|\d+)(?: \([^()]+\))?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read the number "${text}"`);
  return BigInt(m[1]);
}

/** The module's CPUID_CONFIG slots (leaf in bits 31:0, sub-leaf in 63:32), read with TDH.SYS.RD from the field ids the feature gives. */
function cpuidSlots(w: TdxWorld): bigint[] {
  return w.recall<bigint[]>(CPUID_SLOTS, "the module's CPUID_CONFIG slots");
}

function slotOf(w: TdxWorld, leaf: bigint, subleaf: bigint): number {
  const want = (subleaf << 32n) | leaf;
  const i = cpuidSlots(w).indexOf(want);
  if (i < 0) throw new Error(`the module has no CPUID_CONFIG slot for leaf ${hex(leaf)}, sub-leaf ${hex(subleaf)}: this scenario needs one`);
  return i;
}

/** One change: `FIELD value`, `RESERVED_n not zero`, or `CPUID_CONFIG of leaf 0x.. [sub-leaf 0x..] REG value`. */
function apply(w: TdxWorld, d: Draft, text: string): void {
  const t = text.trim();
  const reserved = /^(RESERVED_[0-3]) not zero$/.exec(t);
  if (reserved) { d.nonZeroReserved.push(reserved[1] as TdParamsReserved); return; }
  const cpuid = /^CPUID_CONFIG of leaf (0x[0-9a-fA-F]+)(?: sub-leaf (0x[0-9a-fA-F]+))? (EAX|EBX|ECX|EDX) (.+)$/.exec(t);
  if (cpuid) {
    const i = slotOf(w, BigInt(cpuid[1]), cpuid[2] === undefined ? 0xffffffffn : BigInt(cpuid[2]));
    while (d.cpuidConfig.length <= i) d.cpuidConfig.push(null);
    const v = d.cpuidConfig[i] ?? { eax: 0, ebx: 0, ecx: 0, edx: 0 };
    v[cpuid[3].toLowerCase() as keyof TdParamsCpuid] = Number(number(cpuid[4]));
    d.cpuidConfig[i] = v;
    return;
  }
  const field = /^([A-Z0-9_]+) (.+)$/.exec(t);
  const set = field && SCALARS[field[1]];
  if (!field || !set) throw new Error(`cannot read the TD_PARAMS change "${t}"; write FIELD value (${Object.keys(SCALARS).join(', ')}), RESERVED_n not zero, or CPUID_CONFIG of leaf 0x.. [sub-leaf 0x..] REG value`);
  set(d, number(field[2]));
}

function draft(w: TdxWorld): Draft {
  const d = w.recall<Draft>(TD_PARAMS, 'the TD_PARAMS to pass');
  return { ...d, cpuidConfig: d.cpuidConfig.map((c) => c && { ...c }), nonZeroReserved: [...d.nonZeroReserved] };
}

Given(/^the module's CPUID_CONFIG slots are read from NUM_CPUID_CONFIG \((0x[0-9a-f]{16})\) and CPUID_CONFIG_LEAVES \((0x[0-9a-f]{16})\)$/, function (this: TdxWorld, num: string, leaves: string) {
  const rd = (id: bigint): bigint => {
    const r = seamcall(this, 0, seamcallRax('TDH.SYS.RD'), { rdx: id });
    expectSuccess(`TDH.SYS.RD of ${hex(id)}`, r);
    return r.out.r8 ?? 0n;
  };
  const n = rd(BigInt(num));
  if (n === 0n || n > 32n) throw new Error(`the module reports ${n} CPUID configurations: this scenario expects 1 to 32`);
  this.remember(CPUID_SLOTS, Array.from({ length: Number(n) }, (_, i) => rd(BigInt(leaves) + BigInt(i))));
});

Given('the TD_PARAMS to pass are, every other field and CPUID_CONFIG value zero:', function (this: TdxWorld, table: DataTable) {
  const d: Draft = { attributes: 0n, xfam: 0n, maxVcpus: 0, numL2Vms: 0, msrConfigCtls: 0, eptpControls: 0n, configFlags: 0n, tscFrequency: 0, cpuidConfig: [], nonZeroReserved: [] };
  for (const [name, v] of table.raw()) apply(this, d, `${name} ${v}`);
  this.remember(TD_PARAMS, d);
});

/** `nothing changed`, or changes joined by " and ". */
When(/^TDH\.MNG\.INIT is called on CPU (\d+) for the TD on (.+?) with those TD_PARAMS and (.+)$/, function (this: TdxWorld, cpu: string, rcx: string, changes: string) {
  const d = draft(this);
  if (changes !== 'nothing changed') for (const c of changes.split(' and ')) apply(this, d, c);
  rememberSeamcall(this, this.observe(this.host().mngInit(Number(cpu), value(this, rcx), d)));
});

Given(/^the TD on (page \d+) is initialised with those TD_PARAMS(?: and (.+))?$/, function (this: TdxWorld, tdr: string, changes: string | null | undefined) {
  const d = draft(this);
  if (changes) for (const c of changes.split(' and ')) apply(this, d, c);
  expectSuccess('TDH.MNG.INIT', rememberSeamcall(this, this.observe(this.host().mngInit(0, value(this, tdr), d))));
});

/** TDCX pages, one TDH.VP.ADDCX each, every one expected to succeed. */
function addTdcx(w: TdxWorld, tdvpr: bigint, from: number, count: number): void {
  for (let i = 0; i < count; i++) {
    expectSuccess(`TDH.VP.ADDCX of TDCX page ${i + 1}`, seamcall(w, 0, seamcallRax('TDH.VP.ADDCX'), { rcx: usablePage(w, from + i), rdx: tdvpr }));
  }
}

/** A vCPU (TDH.VP.CREATE) with as many TDCX pages as the module's TDVPS_BASE_SIZE field asks for (less the TDVPR), or one fewer. */
Given(/^the TD on page (\d+) has a vCPU on page (\d+) with (all|all but one) of the TDCX pages [A-Z_]+ \((0x[0-9a-f]{16})\) asks for, from page (\d+) on$/, function (this: TdxWorld, tdr: string, tdvpr: string, which: string, field: string, from: string) {
  const rd = seamcall(this, 0, seamcallRax('TDH.SYS.RD'), { rdx: BigInt(field) });
  expectSuccess(`TDH.SYS.RD of ${field}`, rd);
  const bytes = rd.out.r8 ?? 0n;
  if (bytes < 2n * PAGE || bytes % PAGE !== 0n || bytes > 15n * PAGE) throw new Error(`the module asks for ${hex(bytes)} bytes of TDVPS: this scenario expects 2 to 15 pages`);
  const vp = usablePage(this, Number(tdvpr));
  expectSuccess('TDH.VP.CREATE', seamcall(this, 0, seamcallRax('TDH.VP.CREATE'), { rcx: vp, rdx: usablePage(this, Number(tdr)) }));
  addTdcx(this, vp, Number(from), Number(bytes / PAGE) - 1 - (which === 'all' ? 0 : 1));
});

Given(/^the vCPU on page (\d+) has (\d+) TDCX pages added, from page (\d+) on$/, function (this: TdxWorld, tdvpr: string, count: string, from: string) {
  addTdcx(this, usablePage(this, Number(tdvpr)), Number(from), Number(count));
});

/** S-EPT pages, one TDH.MEM.SEPT.ADD a level from the highest down, each expected to succeed. */
Given(/^the TD on page (\d+) has the S-EPT pages of GPA (0x[0-9a-f]+) from level (\d) down to level (\d), from page (\d+) on$/, function (this: TdxWorld, tdr: string, gpa: string, top: string, bottom: string, from: string) {
  for (let level = Number(top), page = Number(from); level >= Number(bottom); level--, page++) {
    const r = seamcall(this, 0, seamcallRax('TDH.MEM.SEPT.ADD'), { rcx: BigInt(gpa) | BigInt(level), rdx: usablePage(this, Number(tdr)), r8: usablePage(this, page) });
    expectSuccess(`TDH.MEM.SEPT.ADD at level ${level}`, r);
  }
});

Given(/^the TD on page (\d+) has (\d+) more TDCS pages?, from page (\d+) on$/, function (this: TdxWorld, tdr: string, count: string, from: string) {
  for (let i = 0; i < Number(count); i++) {
    const r = seamcall(this, 0, seamcallRax('TDH.MNG.ADDCX'), { rcx: usablePage(this, Number(from) + i), rdx: usablePage(this, Number(tdr)) });
    expectSuccess(`TDH.MNG.ADDCX of extra TDCS page ${i + 1}`, r);
  }
});
