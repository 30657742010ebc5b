/** Global metadata: TDH.SYS.RD, TDH.SYS.RDALL and the kernel's own reader. */
import type { DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import type { MetadataRead } from '../../backends/host-facet';
import { decodeFieldId, elementBits, hex64 } from '../../spec/encodings/field-id';
import { seamcallRax } from '../../spec/encodings/seamcall';
import type { ErrnoName } from '../../spec/abi/errno';
import type { Named } from '../../support/parameter-types';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { lastSeamcall, seamcall } from './seamcall.steps';

const RD = (w: TdxWorld, id: bigint) => seamcall(w, 0, seamcallRax('TDH.SYS.RD'), { rdx: id });

When('the host reads field {field} with TDH.SYS.RD', function (this: TdxWorld, field: Named) {
  RD(this, field.value);
});

When('the host reads field identifier {hex} with TDH.SYS.RD', function (this: TdxWorld, id: bigint) {
  RD(this, id);
});

Then('the value read fits in {int} bits', function (this: TdxWorld, bits: number) {
  const v = lastSeamcall(this).out.r8 ?? 0n;
  expect(v < 1n << BigInt(bits), `value 0x${v.toString(16)} fits in ${bits} bits`).to.equal(true);
});

Then('the next field identifier returned is that of {field}', function (this: TdxWorld, next: Named) {
  const rdx = lastSeamcall(this).out.rdx ?? 0n;
  const want = decodeFieldId(next.value);
  const got = decodeFieldId(rdx);
  expect({ classCode: got.classCode, fieldCode: got.fieldCode }, `next id ${hex64(rdx)}`)
    .to.deep.equal({ classCode: want.classCode, fieldCode: want.fieldCode });
});

Then('it encodes {int}-bit elements', function (this: TdxWorld, bits: number) {
  const rdx = lastSeamcall(this).out.rdx ?? 0n;
  expect(elementBits(rdx), `element size of ${hex64(rdx)}`).to.equal(bits);
});

Then('the value read is {hex}', function (this: TdxWorld, want: bigint) {
  const r = lastSeamcall(this);
  expect(hex64(r.status), 'TDH.SYS.RD').to.equal(hex64(0n));
  expect(hex64(r.out.r8 ?? 0n), 'value read').to.equal(hex64(want));
});

Then('the value read is the one TDH.SYS.RD reads for {field}', function (this: TdxWorld, field: Named) {
  const r = lastSeamcall(this);
  expect(hex64(r.status), 'TDH.SYS.RD').to.equal(hex64(0n));
  const got = r.out.r8 ?? 0n;
  expect(hex64(got), `value read, against ${field.name}`).to.equal(hex64(readOk(this, field.value, field.name)));
});

/** One successful TDH.SYS.RD: its value. */
function readOk(w: TdxWorld, id: bigint, what: string): bigint {
  const r = RD(w, id);
  expect(hex64(r.status), `TDH.SYS.RD of ${what} (${hex64(id)})`).to.equal(hex64(0n));
  return r.out.r8 ?? 0n;
}

/**
 * The array elements past the module's configurable CPUID leaves: from element n, n the value of
 * the count field, to element `last`, each element read with TDH.SYS.RD (field i, element e of an
 * array with `per` elements per field is code + i * per + e).
 */
Then(/^TDH\.SYS\.RD of each element of (\S+) \((0x[0-9a-f]{16})\), (\d) per entry, from entry (\S+) \((0x[0-9a-f]{16})\) to entry (\d+), reads (0x[0-9a-f]+)$/,
  function (this: TdxWorld, name: string, id: string, per: string, countName: string, countId: string, last: string, want: string) {
    const first = readOk(this, BigInt(countId), countName);
    expect(Number(first), `${countName} leaves entries past it up to entry ${last}`).to.be.at.most(Number(last));
    for (let i = first; i <= BigInt(last); i++) {
      for (let e = 0n; e < BigInt(per); e++) {
        const at = BigInt(id) + i * BigInt(per) + e;
        expect(hex64(readOk(this, at, `${name}[${i}][${e}]`)), `${name} entry ${i} element ${e} (${hex64(at)})`).to.equal(hex64(BigInt(want)));
      }
    }
  });

Then('TDH.SYS.RD of {field} reads the number of packages', function (this: TdxWorld, field: Named) {
  const packages = this.observe(this.host().topology()).packages;
  expect(Number(readOk(this, field.value, field.name)), field.name).to.equal(packages);
});

/**
 * The family and model a CPUID(1).EAX signature names (Intel SDM vol. 2A, CPUID leaf 1): the
 * family field, plus the extended family when it is 0xF; the model field, preceded by the extended
 * model when the family is 6 or 0xF.
 */
function familyModel(eax: bigint): { family: number; model: number } {
  const fam = Number((eax >> 8n) & 0xfn);
  const extFam = Number((eax >> 20n) & 0xffn);
  const mod = Number((eax >> 4n) & 0xfn);
  const extMod = Number((eax >> 16n) & 0xfn);
  return {
    family: fam === 0xf ? fam + extFam : fam,
    model: fam === 6 || fam === 0xf ? (extMod << 4) | mod : mod,
  };
}

Then(/^TDH\.SYS\.RD of each package's element of (\S+) \((0x[0-9a-f]+)\) gives family (\d+) and model (0x[0-9a-f]+), that is (0x[0-9a-f]+) in bits 31:4$/,
  function (this: TdxWorld, name: string, id: string, family: string, model: string, signature: string) {
    const packages = this.observe(this.host().topology()).packages;
    for (let p = 0; p < packages; p++) {
      const v = readOk(this, BigInt(id) + BigInt(p), `${name}[${p}]`);
      expect(`0x${(v & ~0xfn).toString(16)}`, `${name}[${p}] = 0x${v.toString(16)}, stepping bits left out`).to.equal(signature);
      expect(familyModel(v), `${name}[${p}] = 0x${v.toString(16)}`).to.deep.equal({ family: Number(family), model: Number(model) });
    }
  });

Then("TDH.SYS.RD of the {int} elements of {field} and {field} gives the host's CMRs in its entries of non-zero size", function (this: TdxWorld, n: number, base: Named, size: Named) {
  const cmrs = this.observe(this.host().cmrs());
  const entries: { base: string; end: string }[] = [];
  for (let i = 0n; i < BigInt(n); i++) {
    const b = readOk(this, base.value + i, `${base.name}[${i}]`);
    const sz = readOk(this, size.value + i, `${size.name}[${i}]`);
    if (sz !== 0n) entries.push({ base: hex64(b), end: hex64(b + sz) });
  }
  expect(entries, 'CMR entries of non-zero size').to.deep.equal(cmrs.map((c) => ({ base: hex64(c.base), end: hex64(c.end) })));
});

Then("TDH.SYS.RD of {field}, {field} and {field} gives the target's module version", function (this: TdxWorld, major: Named, minor: Named, update: Named) {
  const fields = [major, minor, update];
  const m = this.target.description.module;
  if (!m || m.update === null) throw new SkipSignal('cannot-observe', 'the target does not know its module version');
  const read = (f: Named): number => {
    const r = RD(this, f.value);
    expect(hex64(r.status), `TDH.SYS.RD of ${f.name}`).to.equal(hex64(0n));
    return Number(r.out.r8);
  };
  expect(fields.map(read), fields.map((f) => f.name).join(', ')).to.deep.equal([m.major, m.minor, m.update]);
});

When('the host lists the global metadata with TDH.SYS.RDALL', function (this: TdxWorld) {
  const dump = this.observe(this.host().metadataDump());
  expect(hex64(dump.status), 'TDH.SYS.RDALL').to.equal(hex64(0n));
  this.remember('dump', dump.elements);
});

/** Field IDs as the host sees them, without the context code (bits 54:52). */
const CONTEXT_BITS = 7n << 52n;
/**
 * An element as an RDALL list can name it: a sequence names its elements after its first, whose
 * bit 63 (non-architectural) they take, and a sequence may run on from an architectural field to a
 * non-architectural one of the same class. Class, code and element size identify the element.
 */
const LISTED_BITS = ~(CONTEXT_BITS | (1n << 63n));
const NULL_ID = (1n << 64n) - 1n;
type Element = { id: bigint; value: bigint };
const listed = (w: TdxWorld) => w.recall<Element[]>('dump', 'metadata list');

/** Where two element-ID lists first differ, said in words (the lists run to hundreds of IDs). */
function firstDifference(got: readonly bigint[], want: readonly bigint[], name: (i: number) => string): string | null {
  const n = Math.min(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) return `element ${i} is ${hex64(got[i])}, expected ${hex64(want[i])} (${name(i)})`;
  }
  if (got.length !== want.length) {
    const extra = got.length > want.length ? `${hex64(got[n])} and on` : `missing from ${hex64(want[n])} (${name(n)}) on`;
    return `${got.length} elements listed, ${want.length} expected: ${extra}`;
  }
  return null;
}

/**
 * TDH.SYS.RD from the null ID (the first field's ID comes back with
 * TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT), then each element in turn: RDX names the next one, and
 * the null ID after the last.
 */
When('the host walks the global metadata with TDH.SYS.RD from the first field, which it names with {status}', function (this: TdxWorld, st: Named) {
  const first = RD(this, NULL_ID);
  expect(hex64(first.status), `TDH.SYS.RD of the null field ID, expected ${st.name}`).to.equal(hex64(st.value));
  const walk: Element[] = [];
  let id = first.out.rdx ?? NULL_ID;
  // No module defines more than a few hundred global elements; a longer walk is a loop.
  for (let guard = 0; id !== NULL_ID && guard < 10_000; guard++) {
    const r = RD(this, id);
    expect(hex64(r.status), `TDH.SYS.RD of ${hex64(id)}, reached by the walk`).to.equal(hex64(0n));
    walk.push({ id: id & ~CONTEXT_BITS, value: r.out.r8 ?? 0n });
    id = r.out.rdx ?? NULL_ID;
  }
  expect(id, 'the walk ends with the null field ID').to.equal(NULL_ID);
  this.remember('walk', walk);
});

const walked = (w: TdxWorld) => w.recall<Element[]>('walk', 'TDH.SYS.RD walk');

Then('the list has the elements of the walk, in the same order', function (this: TdxWorld) {
  const walk = walked(this);
  const diff = firstDifference(listed(this).map((e) => e.id & LISTED_BITS), walk.map((e) => e.id & LISTED_BITS), (i) => `element ${i} of the walk`);
  expect(diff, 'TDH.SYS.RDALL list vs TDH.SYS.RD walk').to.equal(null);
});

Then('each listed value equals the value TDH.SYS.RD read for that element', function (this: TdxWorld) {
  const read = new Map(walked(this).map((e) => [e.id & LISTED_BITS, e.value]));
  const mismatches = listed(this)
    .filter((e) => read.get(e.id & LISTED_BITS) !== e.value)
    .map((e) => `${hex64(e.id)}: list 0x${e.value.toString(16)}, TDH.SYS.RD ${read.has(e.id & LISTED_BITS) ? `0x${read.get(e.id & LISTED_BITS)!.toString(16)}` : 'not reached'}`);
  expect(mismatches).to.deep.equal([]);
});

/** The feature's table, one row per field: its ID and array shape, expanded to element IDs. */
Then('the list has, in this order, every element of exactly these fields:', function (this: TdxWorld, table: DataTable) {
  const want: bigint[] = [];
  const names: string[] = [];
  for (const row of table.hashes()) {
    const id = BigInt(row.id);
    const fields = Number(row.fields);
    const elements = Number(row.elements);
    for (let index = 0; index < fields; index++) {
      for (let element = 0; element < elements; element++) {
        want.push(id + BigInt(index * elements + element));
        names.push(fields > 1 || elements > 1 ? `${row.field}[${index}].${element}` : row.field);
      }
    }
  }
  const diff = firstDifference(listed(this).map((e) => e.id & LISTED_BITS), want.map((id) => id & LISTED_BITS), (i) => names[i]);
  expect(diff, `TDH.SYS.RDALL list vs ${table.hashes().length} fields, ${want.length} elements`).to.equal(null);
});

When('the kernel reads metadata field {field}', function (this: TdxWorld, field: Named) {
  this.remember('kernel-read', this.observe(this.host().readMetadata(field.value)));
});

const kernelRead = (w: TdxWorld) => w.recall<MetadataRead>('kernel-read', 'kernel metadata read');

Then("the kernel's read succeeds", function (this: TdxWorld) {
  expect(kernelRead(this).result).to.deep.equal({ ok: true });
});

Then("the kernel's read fails with {errno}", function (this: TdxWorld, errno: ErrnoName) {
  expect(kernelRead(this).result).to.deep.equal({ ok: false, errno });
});

Then("the kernel's read succeeds with a value that fits in {int} bits", function (this: TdxWorld, bits: number) {
  const r = kernelRead(this);
  expect(r.result).to.deep.equal({ ok: true });
  expect((r.value ?? 0n) < 1n << BigInt(bits), `value 0x${(r.value ?? 0n).toString(16)}`).to.equal(true);
});
