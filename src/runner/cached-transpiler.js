'use strict';
// ts-node's transpiler (tsconfig.json "ts-node.transpiler"): TypeScript's own transpileModule
// behind an on-disk cache. Every run otherwise transpiles some 150 TypeScript files before the
// first scenario; with the cache a file is transpiled once per content. Entries are keyed by the
// source text, its path, the compiler options and the TypeScript and ts-node versions, so an edit
// or an upgrade simply misses. A cache that cannot be read or written is ignored: the transpiler
// then behaves like ts-node's own transpile-only mode.
//
// TypeScript rather than swc: @swc/core needs one optional native package per platform, and
// `npm ci` refuses a lock file that does not list them all, which a registry mirror without the
// foreign-platform packages cannot produce.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const CACHE_DIR = path.join(root, 'node_modules', '.cache', 'tdx-conformance', 'ts');

function version(pkg) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function typescriptTranspiler(createOptions) {
  const ts = require('typescript');
  const compilerOptions = createOptions.service.config.options;
  return {
    transpile(input, { fileName }) {
      const out = ts.transpileModule(input, { fileName, compilerOptions, reportDiagnostics: false });
      return { outputText: out.outputText, sourceMapText: out.sourceMapText };
    },
  };
}

exports.create = function create(createOptions) {
  let inner = null;
  const salt = JSON.stringify([version('typescript'), version('ts-node'), createOptions.service.config.options, createOptions.nodeModuleEmitKind]);
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
      inner ??= typescriptTranspiler(createOptions);
      const out = inner.transpile(input, options);
      if (usable) {
        try {
          mkdirSync(path.dirname(file), { recursive: true });
          // Write then rename: parallel workers never read a half-written entry.
          const tmp = `${file}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(out));
          renameSync(tmp, file);
        } catch {
          usable = false;
        }
      }
      return out;
    },
  };
};
