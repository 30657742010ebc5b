#!/usr/bin/env node
'use strict';
// Entry point of the tdx-conformance command. The sources are TypeScript, compiled on the fly
// through ts-node (transpile only, cached; type-checking is part of `npm test`).
const path = require('node:path');
process.env.TS_NODE_PROJECT = path.join(__dirname, '..', 'tsconfig.json');
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
require('ts-node/register/transpile-only');
require('../src/cli/main')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((e) => {
    process.stderr.write(`tdx-conformance: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 2;
  });
