/**
 * Architecture rules, checked by `npm test` (dependency-cruiser). Layers import only downward:
 *
 *   spec/ (facts, ABI encodings)  <  backends/ (port, common, linux, emulator)  <  support/, steps/  <  src/ (CLI, reports)
 *
 * Steps talk to a target only through the port. Backends never reach up into the suite. The linux
 * backend knows nothing of the emulator (the emulated-linux composition lives above both), and the
 * emulator's model is layered: platform < module < host kernel < KVM; the TD guest sits on the
 * module and reaches KVM only through the module's TD-exit interface; the system, the facets and
 * the emulated machine sit on top.
 */
const emu = 'backends/emulator/';
/** What each model layer of the emulator must not import (anything above it or beside it). */
const layer = (name, dir, forbidden) => ({
  name: `emulator-layer-${name}`,
  comment: `${dir} may import only the layers below it`,
  severity: 'error',
  from: { path: `^${emu}${dir}` },
  to: { path: `^${emu}(${forbidden.join('|')})` },
});
const ABOVE_MODEL = ['system\\.ts', 'target\\.ts', 'facets/', 'machine/', 'profile\\.ts'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular', severity: 'error',
      comment: 'no import cycles at run time (a type may name its peer: a VM knows its vCPUs and a vCPU its VM)',
      from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'steps-through-port-only', severity: 'error',
      comment: 'steps reach a target only through the port (port.ts and the facet interfaces)',
      from: { path: '^steps/' },
      to: { path: '^backends/', pathNot: '^backends/(port|host-facet|kvm-facet|guest-facet)\\.ts$' },
    },
    {
      name: 'backends-not-upward', severity: 'error',
      comment: 'backends import the port and spec/, never the suite (steps, support) or the tools (src)',
      from: { path: '^backends/' },
      to: { path: '^(steps|support|src|bench)/' },
    },
    {
      name: 'spec-is-leaf', severity: 'error',
      comment: 'spec/ holds facts and encodings; it imports nothing of the project above it',
      from: { path: '^spec/' },
      to: { path: '^(backends|steps|support|src|bench)/' },
    },
    {
      name: 'linux-not-emulator', severity: 'error',
      comment: 'the linux backend reads a machine through the kernel interface; it never consults the emulator',
      from: { path: '^backends/linux/' },
      to: { path: `^${emu}` },
    },
    {
      name: 'emulator-not-linux', severity: 'error',
      comment: 'the emulator is a model of a platform; it never reads a real machine',
      from: { path: `^${emu}` },
      to: { path: '^backends/linux/' },
    },
    {
      name: 'wire-bridge-through-port-only', severity: 'error',
      comment: 'the wire bridge serves the port over a protocol: it knows the port (and the facet interfaces), shared helpers and spec/, no backend',
      from: { path: '^backends/wire/' },
      to: { path: '^backends/', pathNot: '^backends/(port|host-facet|kvm-facet|guest-facet)\\.ts$|^backends/(wire|common)/' },
    },
    {
      name: 'adapters-through-port-only', severity: 'error',
      comment: 'loading an adapter needs the port, spec/ and the wire bridge, nothing of a built-in backend',
      from: { path: '^support/adapters\\.ts$' },
      to: { path: '^backends/', pathNot: '^backends/(port|host-facet|kvm-facet|guest-facet)\\.ts$|^backends/wire/' },
    },
    {
      name: 'fleet-on-reports', severity: 'error',
      comment: 'the fleet summary is built from compliance reports: it reads no backend but the shared helpers',
      from: { path: '^src/fleet/' },
      to: { path: '^backends/(emulator|linux|emulated-linux|wire)/' },
    },
    {
      name: 'examples-from-the-docs-only', severity: 'error',
      comment: 'an example adapter is written from docs/targets.md alone: it imports nothing of the suite but the published port',
      from: { path: '^examples/' },
      to: { path: '^(backends|steps|support|src|spec|bench)/', pathNot: '^backends/(port|host-facet|kvm-facet|guest-facet)\\.ts$' },
    },
    layer('platform', 'platform/', ['module/', 'host/', 'kvm/', 'guest/', 'lib/', ...ABOVE_MODEL]),
    layer('lib', 'lib/', ['platform/', 'module/', 'host/', 'kvm/', 'guest/', ...ABOVE_MODEL]),
    layer('module', 'module/', ['host/', 'kvm/', 'guest/', ...ABOVE_MODEL]),
    layer('host', 'host/', ['kvm/', 'guest/', ...ABOVE_MODEL]),
    layer('kvm', 'kvm/', ['guest/', ...ABOVE_MODEL]),
    layer('guest', 'guest/', ['host/', 'kvm/', ...ABOVE_MODEL]),
    layer('faults', 'faults/', ['platform/', 'module/', 'host/', 'kvm/', 'guest/', 'lib/', ...ABOVE_MODEL]),
    layer('system', 'system\\.ts', ['target\\.ts', 'facets/', 'machine/']),
    layer('facets', 'facets/', ['target\\.ts', 'machine/']),
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports|vendor)/' },
  },
};
