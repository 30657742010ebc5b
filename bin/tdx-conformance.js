#!/usr/bin/env node
'use strict';
// Entry point of the tdx-conformance command. The sources are TypeScript, compiled on the fly
// through ts-node (transpile only, cached; type-checking is part of `npm test`).
const path = require('node:path');
process.env.TS_NODE_PROJECT = path.join(__dirname, '..', 'tsconfig.json');
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
require('ts-node/register/transpile-only');
// A reader that goes away (`tdx-conformance faults | head -1`) ends the output quietly: the command
// itself carries on (a run still writes its reports) and exits with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) return;
    throw e;
  });
}
require('../src/cli/main')
  .main(process.argv.slice(2))
  .then((code) => { process.exitCode = code; })
  .catch((e) => {
    process.stderr.write(`tdx-conformance: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 2;
  });
