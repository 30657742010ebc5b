#!/usr/bin/env node
'use strict';
// npm test: type-check, the project's own tests, the spec lint, then the conformance suite on
// every emulator profile. Stops at the first stage that fails and exits with its code.
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
  ['architecture rules (.dependency-cruiser.cjs)', node, [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--output-type', 'err', 'backends', 'steps', 'support', 'src', 'spec', 'bench']],
  ['project tests', node, ['--require', 'ts-node/register/transpile-only', '--test', '--test-reporter=dot', ...testFiles(path.join(root, 'test'))]],
  ['spec lint', node, [cli, 'lint-spec']],
  ['conformance suite on every emulator profile, gated by baselines/', node,
    [cli, 'run', '--profile', 'all', '--out', path.join(root, 'reports/test'), '--baseline', path.join(root, 'baselines'), '--no-allure-report']],
  ['fault campaign (every fault must be caught)', node, [cli, 'mutate', '--out', path.join(root, 'reports/test/kill-matrix.json')]],
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
