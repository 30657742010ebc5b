#!/usr/bin/env node
'use strict';
// Declarations of the port (tsconfig.port.json -> types/), so that an adapter outside the
// repository type-checks against `tdx-conformance/port` (package.json "exports"). Run by
// `npm install`/`npm ci` (the "prepare" script) and by the project test that checks such an adapter.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.port.json')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
