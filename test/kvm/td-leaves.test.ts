/** The TD-management leaves of the emulated module, called the way KVM calls them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seamcallRax } from '../../spec/encodings/seamcall';
import { statusName } from '../../spec/abi/status';
import { tds } from '../../backends/emulator/module/leaves/td-state';
import { buildTd } from './helpers';

const name = (s: bigint): string => statusName(s) ?? `0x${s.toString(16)}`;

test('an HKID already assigned cannot be given to a second TD', () => {
  const td = buildTd();
  const { module, kernel } = td.target.scenario.system();
  const hkid = td.model.hkid;
  const page = 0x40000000n;
  const cpu = kernel.cpus.findIndex((c) => c.tdxEnabled);
  const r = module!.seamcall(cpu, seamcallRax('TDH.MNG.CREATE'), { rcx: page, rdx: BigInt(hkid) });
  assert.equal(name(r.status), 'TDX_HKID_NOT_FREE');
});

test('KEY.CONFIG twice on a package is refused; KEY.FREEID waits for CACHE.WB on every package', () => {
  const td = buildTd();
  const { module: m, platform } = td.target.scenario.system();
  const call = (cpu: number, leaf: string, regs = {}) => m!.seamcall(cpu, seamcallRax(leaf), regs);
  const tdr = td.model.tdr!;
  // The TD's keys are configured already (KVM did it on every package).
  assert.equal(name(call(0, 'TDH.MNG.KEY.CONFIG', { rcx: tdr }).status), 'TDX_LIFECYCLE_STATE_INCORRECT');
  // TDH.VP.INIT associated the vCPU with its CPU: flush it there, then end the TD's vCPUs.
  const vp = [...td.model.vcpus.values()][0];
  assert.equal(name(call(0, 'TDH.MNG.VPFLUSHDONE', { rcx: tdr }).status), 'TDX_FLUSHVP_NOT_DONE');
  assert.equal(call(0, 'TDH.VP.FLUSH', { rcx: vp.tdvpr! }).status, 0n);
  assert.equal(call(0, 'TDH.MNG.VPFLUSHDONE', { rcx: tdr }).status, 0n);
  assert.equal(name(call(0, 'TDH.MNG.KEY.FREEID', { rcx: tdr }).status), 'TDX_WBCACHE_NOT_COMPLETE');
  assert.equal(call(0, 'TDH.PHYMEM.CACHE.WB', { rcx: 0n }).status, 0n);
  assert.equal(name(call(0, 'TDH.MNG.KEY.FREEID', { rcx: tdr }).status), 'TDX_WBCACHE_NOT_COMPLETE');
  const other = platform.cpus.findIndex((c) => c.pkg === 1);
  assert.equal(call(other, 'TDH.PHYMEM.CACHE.WB', { rcx: 0n }).status, 0n);
  assert.equal(call(0, 'TDH.MNG.KEY.FREEID', { rcx: tdr }).status, 0n);
  assert.equal(tds(m!).get(tdr)?.lifecycle, 'TEARDOWN');
  assert.equal(name(call(0, 'TDH.PHYMEM.CACHE.WB', { rcx: 0n }).status), 'TDX_NO_HKID_READY_TO_WBCACHE');
});

test('pages of the initial image only before TDH.MR.FINALIZE, augmented pages only after', () => {
  const td = buildTd();
  const { module: m } = td.target.scenario.system();
  const tdr = td.model.tdr!;
  const call = (leaf: string, regs = {}) => m!.seamcall(0, seamcallRax(leaf), regs);
  // The TD is finalized: no more PAGE.ADD; the tables for GPA 0 exist, so AUG of a free page works.
  assert.equal(name(call('TDH.MEM.PAGE.ADD', { rcx: 0x3000n, rdx: tdr, r8: 0x40000000n, r9: 0x40001000n }).status), 'TDX_OP_STATE_INCORRECT');
  assert.equal(call('TDH.MEM.PAGE.AUG', { rcx: 0x3000n, rdx: tdr, r8: 0x40000000n }).status, 0n);
  assert.equal(name(call('TDH.MEM.PAGE.AUG', { rcx: 0x3000n, rdx: tdr, r8: 0x40002000n }).status), 'TDX_EPT_ENTRY_STATE_INCORRECT');
  // A GPA whose S-EPT tables were never added cannot be mapped.
  assert.equal(name(call('TDH.MEM.PAGE.AUG', { rcx: 0x40000000n, rdx: tdr, r8: 0x40003000n }).status), 'TDX_EPT_WALK_FAILED');
  assert.equal(name(call('TDH.MR.FINALIZE', { rcx: tdr }).status), 'TDX_OP_STATE_INCORRECT');
});

test('a removed page must be blocked first', () => {
  const td = buildTd();
  const { module: m } = td.target.scenario.system();
  const tdr = td.model.tdr!;
  const call = (leaf: string, regs = {}) => m!.seamcall(0, seamcallRax(leaf), regs);
  // 1.5.01 tdh_mem_page_remove.c: a MAPPED leaf passes the state lookup; once the TD runs it must be blocked.
  assert.equal(name(call('TDH.MEM.PAGE.REMOVE', { rcx: 0x1000n, rdx: tdr }).status), 'TDX_GPA_RANGE_NOT_BLOCKED');
  assert.equal(call('TDH.MEM.RANGE.BLOCK', { rcx: 0x1000n, rdx: tdr }).status, 0n);
  assert.equal(call('TDH.MEM.TRACK', { rcx: tdr }).status, 0n);
  assert.equal(call('TDH.MEM.PAGE.REMOVE', { rcx: 0x1000n, rdx: tdr }).status, 0n);
});
