/** Boot, initialisation and their outcomes. */
import { expect } from 'chai';
import type { ErrnoName } from '../../spec/abi/errno';
import type { KernelResult } from '../../backends/port';
import { Then, When } from '../../support/dsl';
import type { TdxWorld } from '../../support/world';

export const INIT = 'init-result';

When('the kernel boots', function (this: TdxWorld) {
  // Booting happens when the target is first looked at; reading the log makes that happen.
  this.observe(this.host().log());
});

When(/^(?:the kernel initialises TDX|TDX is initialised)$/, function (this: TdxWorld) {
  this.remember(INIT, this.observe(this.host().initTdx()));
});

When('TDX initialisation is requested again', function (this: TdxWorld) {
  this.remember(INIT, this.observe(this.host().initTdx()));
});

export function expectResult(r: KernelResult, errno: ErrnoName | null, what: string): void {
  if (errno === null) expect(r, `${what}: ${JSON.stringify(r)}`).to.deep.equal({ ok: true });
  else expect(r, what).to.deep.equal({ ok: false, errno });
}

/** tdx_cpu_enable() as a TDX user calls it (KVM up to v7.0): after VMXON on that CPU, or without. */
When(/^a TDX user calls tdx_cpu_enable\(\) on CPU (\d+) (after|without) VMXON$/, function (this: TdxWorld, cpu: string, how: string) {
  this.remember('request', this.observe(this.host().tdxCpuEnable(Number(cpu), how === 'after')));
});

Then('initialisation succeeds', function (this: TdxWorld) {
  expectResult(this.recall<KernelResult>(INIT, 'initialisation result'), null, 'TDX initialisation');
});

Then('initialisation fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expectResult(this.recall<KernelResult>(INIT, 'initialisation result'), errno, 'TDX initialisation');
});

Then('the request fails with {errno}', function (this: TdxWorld, errno: ErrnoName) {
  expectResult(this.recall<KernelResult>('request', 'request'), errno, 'the request');
});

Then('the request succeeds', function (this: TdxWorld) {
  expectResult(this.recall<KernelResult>('request', 'request'), null, 'the request');
});

Then('the CPU flags {has} tdx_host_platform', function (this: TdxWorld, has: boolean) {
  const info = this.observe(this.host().cpuinfo());
  expect(info.flags.includes('tdx_host_platform'), `flags: ${info.flags.join(' ')}`).to.equal(has);
});

Then('the CPU bugs {has} tdx_pw_mce', function (this: TdxWorld, has: boolean) {
  const info = this.observe(this.host().cpuinfo());
  expect(info.bugs.includes('tdx_pw_mce'), `bugs: ${info.bugs.join(' ')}`).to.equal(has);
});
