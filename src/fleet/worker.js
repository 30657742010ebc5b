'use strict';
// A worker thread of `run --fleet --jobs N`: TypeScript through the same transpiler as the command
// (bin/tdx-conformance.js), then the worker's own code (worker-main.ts).
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
require('ts-node/register/transpile-only');
require('./worker-main.ts');
