'use strict';
// ts-node's swc transpiler with an on-disk cache (tsconfig.json "ts-node.transpiler"). Every run
// otherwise transpiles some 150 TypeScript files before the first scenario; with the cache a file
// is transpiled once per content. Entries are keyed by the source text, its path, the compiler
// options and the swc and ts-node versions, so an edit or an upgrade simply misses. A cache that
// cannot be read or written is ignored: the transpiler then behaves exactly like ts-node's own.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const swcTranspiler = require('ts-node/transpilers/swc');

const root = path.join(__dirname, '..', '..');
const CACHE_DIR = path.join(root, 'node_modules', '.cache', 'tdx-conformance', 'swc');

function version(pkg) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

exports.create = function create(createOptions) {
  // Loading swc itself (a native module) is only needed on a cache miss.
  let inner = null;
  const salt = JSON.stringify([version('@swc/core'), version('ts-node'), createOptions.service.config.options, createOptions.nodeModuleEmitKind]);
  let usable = true;
  return {
    transpile(input, options) {
      const key = createHash('sha1').update(salt).update('\0').update(options.fileName).update('\0').update(input).digest('hex');
      const file = path.join(CACHE_DIR, key.slice(0, 2), `${key}.json`);
      if (usable) {
        try {
          return JSON.parse(readFileSync(file, 'utf8'));
        } catch {
          // Not cached yet (or unreadable): transpile below.
        }
      }
      inner ??= swcTranspiler.create(createOptions);
      const out = inner.transpile(input, options);
      if (usable) {
        try {
          mkdirSync(path.dirname(file), { recursive: true });
          // Write then rename: parallel workers never read a half-written entry.
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify({ outputText: out.outputText, sourceMapText: out.sourceMapText }));
          renameSync(tmp, file);
        } catch {
          usable = false;
        }
      }
      return out;
    },
  };
};
