#!/usr/bin/env node
'use strict';
// npm test: type-check, architecture rules, the project's own tests, the spec lint, the
// conformance suite on every emulator profile and on the real-machine path over each profile's
// emulated machine, the two compared, then the fault campaigns. Stops at the first stage that
// fails and exits with its code.
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const node = process.execPath;

function testFiles(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return testFiles(p);
    return n.endsWith('.test.ts') ? [p] : [];
  });
}

const cli = path.join(root, 'bin/tdx-conformance.js');
const stages = [
  ['type-check', node, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', root]],
  ['architecture rules (.dependency-cruiser.cjs)', node, [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--output-type', 'err', 'backends', 'steps', 'support', 'src', 'spec', 'bench', 'examples']],
  ['project tests', node, ['--require', 'ts-node/register/transpile-only', '--test', '--test-reporter=dot', ...testFiles(path.join(root, 'test'))]],
  ['spec lint', node, [cli, 'lint-spec']],
  ['conformance suite on every emulator profile, gated by baselines/', node,
    [cli, 'run', '--profile', 'all', '--out', path.join(root, 'reports/test'), '--baseline', path.join(root, 'baselines'), '--no-allure-report']],
  ['the real-machine path on every profile: the linux backend over each emulated machine (emulated-linux), gated by baselines/emulated-linux/', node,
    [cli, 'run', '--target', 'emulated-linux', '--profile', 'all', '--out', path.join(root, 'reports/test-emulated-linux'), '--baseline', path.join(root, 'baselines'), '--no-allure-report']],
  ['emulated-linux and the emulator: the same status on every scenario both execute', node,
    [cli, 'compare-runs', path.join(root, 'reports/test'), path.join(root, 'reports/test-emulated-linux')]],
  ['fault campaign (every fault must be caught)', node, [cli, 'mutate', '--out', path.join(root, 'reports/test/kill-matrix.json')]],
  ['fault campaign on emulated-linux: every fault of a requirement executed there is caught, or the catalogue says why a real machine cannot show it', node,
    [cli, 'mutate', '--target', 'emulated-linux', '--out', path.join(root, 'reports/test-emulated-linux/kill-matrix.json')]],
  ['fault campaign on emulated-linux --role guest (the TD seen from inside)', node,
    [cli, 'mutate', '--target', 'emulated-linux', '--role', 'guest', '--out', path.join(root, 'reports/test-emulated-linux/kill-matrix-guest.json')]],
];

for (const [name, cmd, args] of stages) {
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } });
  if (r.status !== 0) {
    process.stderr.write(`npm test: stage "${name}" failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status || 1);
  }
  process.stdout.write(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}
