/**
 * The tdx_host faux device in sysfs (Linux 7.2): whether it exists, its files and their modes, the
 * text of its version file, and that version against an interface independent of the device.
 * The expected format, modes and versions are the feature file's.
 */
import { expect } from 'chai';
import type { SysfsAttribute, TdxHostDevice } from '../../backends/host-facet';
import { isUnobservable } from '../../backends/port';
import { eventsWithId } from '../common/log-events';
import { printedWith } from '../common/printf';
import { Given, Then } from '../../support/dsl';
import { SkipSignal, type TdxWorld } from '../../support/world';

const device = (w: TdxWorld): TdxHostDevice => w.observe(w.host().tdxHostDevice());

function versionFile(w: TdxWorld): SysfsAttribute {
  const d = device(w);
  expect(d.present, 'the tdx_host device exists').to.equal(true);
  const v = d.attributes.find((a) => a.name === 'version');
  expect(v, 'the tdx_host device has a version file').to.not.equal(undefined);
  expect(v!.errno, 'reading the version file').to.equal(undefined);
  expect(v!.text, 'the version file was read').to.be.a('string');
  return v!;
}

const octal = (mode: number): string => '0' + mode.toString(8);

/** The number the feature gives for the update version; the words around it are for the reader. */
Given("the TDX module's update version is {int}", function (this: TdxWorld, update: number) {
  this.arrange({ kind: 'module-update-version', update });
});

/** IA32_VMX_BASIC bit 60 (VMX_BASIC_NO_SEAMRET_INVD_VMCS), by the platform's name for it. */
Given(/^the CPU's IA32_VMX_BASIC (sets|clears) NO_SEAMRET_INVD_VMCS \(bit 60\)$/, function (this: TdxWorld, how: string) {
  this.arrange({ kind: 'cpu-feature', feature: 'no_seamret_invd_vmcs', present: how === 'sets' });
});

Then('the tdx_host device is absent', function (this: TdxWorld) {
  const d = device(this);
  expect(d.present, `/sys/devices/faux/tdx_host exists, with ${d.attributes.map((a) => a.name).join(', ') || 'no documented file'}`).to.equal(false);
  // No directory, no file in it.
  expect(d.attributes.map((a) => a.name), 'files of the absent tdx_host device').to.deep.equal([]);
});

/** "version (0444), seamldr_version (0400)": exactly these documented files (or these among them), with these modes. */
Then(/^the tdx_host device's files (are|include) "([^"]*)"$/, function (this: TdxWorld, how: string, list: string) {
  const want = list.split(',').map((x) => {
    const m = /^\s*([a-z_]+) \((0[0-7]+)\)\s*$/.exec(x);
    if (!m) throw new Error(`"${x}" is not "<file> (<octal mode>)"`);
    return `${m[1]} ${m[2]}`;
  });
  const d = device(this);
  expect(d.present, 'the tdx_host device exists').to.equal(true);
  const have = d.attributes.map((a) => `${a.name} ${octal(a.mode)}`).sort();
  if (how === 'are') expect(have, 'the documented files of the tdx_host device and their modes').to.deep.equal(want.sort());
  else expect(have, 'the documented files of the tdx_host device and their modes').to.include.members(want);
});

Then('the tdx_host version file reads {string} and a newline', function (this: TdxWorld, format: string) {
  const v = versionFile(this);
  const r = printedWith(`${format}\n`, v.text!);
  if ('mismatch' in r) expect.fail(`the tdx_host version file: ${r.mismatch}`);
});

/**
 * The version the file shows against every other interface that shows the module's version and
 * does not come from this file: the target's own account of its module (an emulator's profile,
 * an adapter's configuration) and the kernel log's "Module version" line. A real host has only
 * the log (its description of the module is read from this very file).
 */
Then('the tdx_host version file shows the module version other interfaces report', function (this: TdxWorld) {
  const text = versionFile(this).text!;
  const m = /^(\d+)\.(\d+)\.(\d+)\n$/.exec(text);
  expect(m, `the tdx_host version file: ${JSON.stringify(text)}`).to.not.equal(null);
  const shown = [Number(m![1]), Number(m![2]), Number(m![3])];
  let compared = 0;
  const mod = this.target.description.module;
  if (mod && !mod.atLeast && mod.update !== null && mod.source !== 'sysfs' && mod.source !== 'kernel-log') {
    expect(shown, `the tdx_host version against the target's module (from its ${mod.source ?? 'description'})`).to.deep.equal([mod.major, mod.minor, mod.update]);
    compared++;
  }
  const log = this.host().log();
  const lines = isUnobservable(log) ? [] : eventsWithId(log.events, 'module-info').filter((e) => e.variant === 'version');
  if (lines.length > 0) {
    const e = lines[lines.length - 1];
    expect(shown, `the tdx_host version against the log line "${e.text}"`).to.deep.equal(e.values.slice(0, 3).map((x) => Number(x as bigint)));
    compared++;
  }
  if (compared === 0) {
    throw new SkipSignal('cannot-observe', `no interface apart from the tdx_host device shows the module version (${isUnobservable(log) ? log.unobservable : 'the kernel log has no "Module version" line'}; the target knows its module ${mod ? `from ${mod.source}` : 'not at all'})`);
  }
});
