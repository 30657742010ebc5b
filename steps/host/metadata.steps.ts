/** Global metadata: TDH.SYS.RD, TDH.SYS.RDALL and the kernel's own reader. */
import { expect } from 'chai';
import type { MetadataRead } from '../../backends/host-facet';
import { decodeFieldId, elementBits, hex64 } from '../../spec/abi/field-id';
import { allFieldElementIds, globalField } from '../../spec/abi/global-metadata';
import { seamcallRax } from '../../spec/abi/seamcall';
import { status, statusName } from '../../spec/abi/status';
import type { ErrnoName } from '../../spec/abi/errno';
import { Then, When } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';
import { lastSeamcall, seamcall } from './seamcall.steps';

const RD = (w: TdxWorld, id: bigint) => seamcall(w, 0, seamcallRax('TDH.SYS.RD'), { rdx: id });

When('the host reads field {field} with TDH.SYS.RD', function (this: TdxWorld, field: string) {
  this.remember('field', field);
  RD(this, globalField(field).baseId);
});

When('the host reads field identifier {hex} with TDH.SYS.RD', function (this: TdxWorld, id: bigint) {
  RD(this, id);
});

Then('the value read fits in {int} bits', function (this: TdxWorld, bits: number) {
  const v = lastSeamcall(this).out.r8 ?? 0n;
  expect(v < 1n << BigInt(bits), `value 0x${v.toString(16)} fits in ${bits} bits`).to.equal(true);
});

Then('the next field identifier returned is that of {field}', function (this: TdxWorld, next: string) {
  const rdx = lastSeamcall(this).out.rdx ?? 0n;
  const want = decodeFieldId(globalField(next).baseId);
  const got = decodeFieldId(rdx);
  expect({ classCode: got.classCode, fieldCode: got.fieldCode }, `next id ${hex64(rdx)}`)
    .to.deep.equal({ classCode: want.classCode, fieldCode: want.fieldCode });
});

Then('it encodes {int}-bit elements', function (this: TdxWorld, bits: number) {
  const rdx = lastSeamcall(this).out.rdx ?? 0n;
  expect(elementBits(rdx), `element size of ${hex64(rdx)}`).to.equal(bits);
});

Then("TDH.SYS.RD of MAJOR_VERSION, MINOR_VERSION and UPDATE_VERSION gives the target's module version", function (this: TdxWorld) {
  const m = this.target.description.module;
  if (!m || m.update === null) throw new SkipSignal('cannot-observe', 'the target does not know its module version');
  const read = (f: string): number => {
    const r = RD(this, globalField(f).baseId);
    expect(r.status, `${f}: ${statusName(r.status)}`).to.equal(0n);
    return Number(r.out.r8);
  };
  expect([read('MAJOR_VERSION'), read('MINOR_VERSION'), read('UPDATE_VERSION')]).to.deep.equal([m.major, m.minor, m.update]);
});

When('the host lists the global metadata with TDH.SYS.RDALL', function (this: TdxWorld) {
  const dump = this.observe(this.host().metadataDump());
  expect(dump.status, `TDH.SYS.RDALL: ${statusName(dump.status)}`).to.equal(0n);
  this.remember('dump', dump.elements);
});

Then('the list covers every element of every field, arrays included', function (this: TdxWorld) {
  const listed = this.recall<{ id: bigint }[]>('dump', 'metadata list').map((e) => hex64(e.id & ~(7n << 52n)));
  const all = [...allFieldElementIds()].map((e) => hex64(e.id));
  expect(listed).to.deep.equal(all);
});

Then('each listed value equals what TDH.SYS.RD returns for that element', function (this: TdxWorld) {
  const mismatches: string[] = [];
  for (const e of this.recall<{ id: bigint; value: bigint }[]>('dump', 'metadata list')) {
    const r = RD(this, e.id);
    if (r.status === status('TDX_METADATA_FIELD_SKIP') || r.status === status('TDX_METADATA_FIELD_ID_INCORRECT')) continue;
    if (r.status !== 0n || r.out.r8 !== e.value) mismatches.push(`${hex64(e.id)}: list 0x${e.value.toString(16)}, TDH.SYS.RD ${statusName(r.status)} 0x${(r.out.r8 ?? 0n).toString(16)}`);
  }
  expect(mismatches).to.deep.equal([]);
});

When('the kernel reads metadata field {field}', function (this: TdxWorld, field: string) {
  this.remember('kernel-read', this.observe(this.host().readMetadata(globalField(field).baseId)));
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
