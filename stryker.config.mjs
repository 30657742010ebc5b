// @ts-check
/**
 * StrykerJS, the second instrument beside the fault catalogue (README, "Suite strength"): it
 * mutates the code of one directory and counts the mutants the tests kill. Started by
 * `npm run mutate:stryker -- <dir>` (bin/mutate-stryker.js), which sets the variables read here;
 * never part of `npm test`.
 *
 *  - STRYKER_DIR: the directory (or file) to mutate, relative to the project root.
 *  - STRYKER_RUNNER: `cucumber` (the conformance scenarios, in process, one platform profile per
 *    run: TDX_TARGET / TDX_PROFILE / TDX_ROLE) or `tap` (the project's node:test files listed in
 *    STRYKER_TESTS, each a TAP-printing child process).
 *  - STRYKER_MUTATE_EXTRA: optional extra mutate patterns (comma separated), e.g. the line ranges
 *    of the survivors of a previous platform profile.
 *  - STRYKER_REPORTS: the reports directory (reports/stryker/<dir>[/<profile>]).
 */
const dir = (process.env.STRYKER_DIR ?? '').replace(/\/+$/, '');
if (!dir) throw new Error('stryker.config.mjs: STRYKER_DIR is not set; run `npm run mutate:stryker -- <dir>`');
const runner = process.env.STRYKER_RUNNER ?? 'cucumber';
const reports = process.env.STRYKER_REPORTS ?? `reports/stryker/${dir.replace(/\//g, '_')}`;
const only = (process.env.STRYKER_MUTATE_ONLY ?? '').split(',').filter(Boolean);

const mutate = only.length
  ? only
  : [dir.endsWith('.ts') ? dir : `${dir}/**/*.ts`, `!${dir}/**/*.d.ts`];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  mutate,
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `${reports}/incremental.json`,
  reporters: ['json', 'html', 'clear-text', 'progress-append-only'],
  jsonReporter: { fileName: `${reports}/mutation.json` },
  htmlReporter: { fileName: `${reports}/mutation.html` },
  clearTextReporter: { allowColor: false, reportTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
  // Anchored at the root: src/reports is code.
  ignorePatterns: ['/reports', '/.allure-history', '/bench/.floor', '/.stryker-tmp', '*.tsbuildinfo'],
  cleanTempDir: true,
  // The instrumented sources run under ts-node's transpile-only mode: a mutant that does not
  // type-check still runs (and is usually killed), as with Stryker's default of no checker.
  disableTypeChecks: '{backends,src,spec,support,steps,test}/**/*.ts',
  timeoutMS: 10000,
  timeoutFactor: 2,
  logLevel: 'info',
  fileLogLevel: 'off',
  plugins: runner === 'tap' ? ['@stryker-mutator/tap-runner'] : ['@stryker-mutator/cucumber-runner'],
  ...(runner === 'tap'
    ? {
        testRunner: 'tap',
        tap: {
          testFiles: (process.env.STRYKER_TESTS ?? '').split(',').filter(Boolean),
          nodeArgs: ['--require', 'ts-node/register/transpile-only'],
          forceBail: true,
        },
      }
    : {
        testRunner: 'cucumber',
        cucumber: { profile: 'stryker' },
      }),
};

export default config;
