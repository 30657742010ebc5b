'use strict';
// Entry point of a mutation-campaign worker: compiles the TypeScript sources on the fly.
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
require('ts-node/register/transpile-only');
require('./worker.ts');
