/** Refused vCPU ioctls, closing a TD, and the order of KVM's teardown SEAMCALLs. */
import { expect } from 'chai';
import type { ErrnoName } from '../../spec/abi/errno';
import type { VcpuIoctl } from '../../backends/kvm-facet';
import type { KernelResult } from '../../backends/port';
import { Given, Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';
import { expectOk, kvm, run, session, vcpuFd } from './td';
import { leavesOf, markTrace, traceSinceMark } from './trace';

const IOCTL = 'kvm.ioctl-result';

When('the VMM calls {vcpuioctl} on vCPU {int}', function (this: TdxWorld, ioctl: VcpuIoctl, id: number) {
  this.remember(IOCTL, this.observe(kvm(this).vcpuIoctl(session(this).vm, vcpuFd(this, id), ioctl)));
});

Then('the ioctl fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expect(this.recall<KernelResult>(IOCTL, 'vCPU ioctl')).to.deep.equal({ ok: false, errno });
});

Given('vCPU {int} has run', function (this: TdxWorld, id: number) {
  const r = run(this, id);
  // The test guest has nothing to do: it halts and KVM_RUN is interrupted.
  expect(r, 'KVM_RUN of an idle guest').to.deep.equal({ result: { ok: false, errno: 'EINTR' }, halted: true });
});

When('the VMM closes the TD', function (this: TdxWorld) {
  markTrace(this);
  expectOk(this.observe(kvm(this).destroyVm(session(this).vm)), 'closing the TD');
});

const indexes = (leaves: string[], leaf: string): number[] => leaves.flatMap((l, i) => (l === leaf ? [i] : []));

Then('KVM issued TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB and TDH.MNG.KEY.FREEID in that order', function (this: TdxWorld) {
  const leaves = traceSinceMark(this).map((e) => e.leaf);
  const done = indexes(leaves, 'TDH.MNG.VPFLUSHDONE');
  const wb = indexes(leaves, 'TDH.PHYMEM.CACHE.WB');
  const free = indexes(leaves, 'TDH.MNG.KEY.FREEID');
  expect([done.length, free.length], leaves.join(', ')).to.deep.equal([1, 1]);
  expect(wb.length, leaves.join(', ')).to.be.greaterThan(0);
  expect(Math.min(...wb) > done[0] && Math.max(...wb) < free[0], leaves.join(', ')).to.equal(true);
});

Then('TDH.PHYMEM.CACHE.WB ran once on one CPU of each package', function (this: TdxWorld) {
  const topo = this.observe(this.host().topology());
  const pkgs = traceSinceMark(this).filter((e) => e.leaf === 'TDH.PHYMEM.CACHE.WB').map((e) => topo.packageOf(e.cpu));
  expect([...pkgs].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: topo.packages }, (_, i) => i));
});

Then('every TDH.PHYMEM.PAGE.RECLAIM came after TDH.MNG.KEY.FREEID', function (this: TdxWorld) {
  const leaves = traceSinceMark(this).map((e) => e.leaf);
  const free = leaves.indexOf('TDH.MNG.KEY.FREEID');
  const reclaims = indexes(leaves, 'TDH.PHYMEM.PAGE.RECLAIM');
  expect(reclaims.length, leaves.join(', ')).to.be.greaterThan(0);
  expect(free >= 0 && Math.min(...reclaims) > free, leaves.join(', ')).to.equal(true);
});

Then('the teardown ended with TDH.PHYMEM.PAGE.RECLAIM then TDH.PHYMEM.PAGE.WBINVD', function (this: TdxWorld) {
  const t = traceSinceMark(this);
  expect(leavesOf(t.slice(-2))).to.equal('TDH.PHYMEM.PAGE.RECLAIM, TDH.PHYMEM.PAGE.WBINVD');
});

