/**
 * Runs the conformance suite through the cucumber-js API: support code is loaded once per
 * process and reused for every run (several emulator profiles, or every fault of a campaign).
 */
import { mkdirSync, statSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { join } from 'node:path';
import { loadConfiguration, loadSupport, runCucumber, type IRunConfiguration, type IRunEnvironment } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import type { WorldParameters } from '../../support/targets';
import { PROJECT_ROOT } from '../project-root';
import { allureFormatOptions } from '../reports/allure-config';

export { PROJECT_ROOT };

export interface SuiteOptions {
  world: WorldParameters;
  tags?: string;
  shard?: string;
  parallel?: number;
  order?: string;
  /** Output directory; undefined: no report files (used by the mutation campaign). */
  outDir?: string;
  /**
   * Allure results of the run: the directory (default `<outDir>/allure-results`) and, when several
   * runs share one directory (`--profile all`, `--fleet`), the run's name as parent suite; null: none.
   */
  allure?: { resultsDir: string; parentSuite?: string; executedOnly?: boolean } | null;
  /** Cucumber's own HTML report in outDir (default: true). */
  html?: boolean;
  /** Console output: a cucumber formatter name, or null for none. */
  console?: string | null;
  paths?: string[];
  dryRun?: boolean;
  onMessage?: (e: Envelope) => void;
}

export interface SuiteResult {
  success: boolean;
}

type Support = Awaited<ReturnType<typeof loadSupport>>;

/** What several runs of one process share: step matches and parsed features (see below). */
export function shareRunWork(support: Support): void {
  shareStepMatches(support);
  shareParsedSources();
}

let cached: { config: IRunConfiguration; support: Support } | null = null;

const environment = (): IRunEnvironment => ({ cwd: PROJECT_ROOT, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Load configuration and support code once. */
async function prepared(): Promise<{ config: IRunConfiguration; support: Support }> {
  if (cached) return cached;
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js', profiles: ['default'] }, environment());
  const support = await loadSupport(runConfiguration, environment());
  shareRunWork(support);
  cached = { config: runConfiguration, support };
  return cached;
}

/** The suite's loaded support code (step definitions, hooks, parameter types). */
export async function supportLibrary(): Promise<Support> {
  return (await prepared()).support;
}

/**
 * Report file -> cucumber formatter that writes it (JUnit is written after the run, with the
 * verdict). Allure results go to `allureDir` (default `<outDir>/allure-results`; null: none).
 */
export function reportFiles(outDir: string, opts: { allureDir?: string | null; html?: boolean } = {}): Record<string, string> {
  const allureDir = opts.allureDir === undefined ? join(outDir, 'allure-results') : opts.allureDir;
  const files: Record<string, string> = { [join(outDir, 'messages.ndjson')]: 'message' };
  if (opts.html !== false) files[join(outDir, 'cucumber-report.html')] = 'html';
  if (allureDir) {
    mkdirSync(allureDir, { recursive: true });
    // Cucumber gives each formatter a file; the Allure formatter writes its own files beside it,
    // so each run that shares a results directory names its own.
    files[join(allureDir, `.formatter-output-${process.pid}-${threadId}-${++formatterRuns}`)] = join(PROJECT_ROOT, 'src/reports/allure-formatter.js');
  }
  return files;
}

let formatterRuns = 0;

/** The part of cucumber's support code library this needs (its public type does not list it). */
type MatchFn = (text: string) => readonly unknown[] | null;
interface StepDefinition {
  expression: { match: MatchFn };
}

/**
 * Cucumber matches every step's text against every step definition's expression in every run
 * (to assemble the test cases, then again to run each step). The support code is loaded once
 * per process, so the matches are too: each distinct text is matched against the definitions
 * once, and later runs (other profiles, other machines of a fleet, a fault campaign) reuse the
 * arguments found. Argument values are still computed per step (cucumber transforms them on
 * each call with the scenario's World), so nothing of one scenario reaches another.
 */
const matchesShared = new WeakSet<object>();

function shareStepMatches(support: Support): void {
  if (matchesShared.has(support)) return;
  matchesShared.add(support);
  const defs = (support as unknown as { stepDefinitions: StepDefinition[] }).stepDefinitions;
  const original = defs.map((d) => d.expression.match.bind(d.expression));
  // Per text, each definition's arguments (null: no match). Cucumber asks every definition about
  // one text in turn, so the last text's row is kept at hand.
  const byText = new Map<string, (ReturnType<MatchFn>)[]>();
  let lastText: string | null = null;
  let lastRow: (ReturnType<MatchFn>)[] = [];
  const rowOf = (text: string) => {
    if (text === lastText) return lastRow;
    let row = byText.get(text);
    if (!row) {
      row = original.map((match) => match(text));
      byText.set(text, row);
    }
    lastText = text;
    lastRow = row;
    return row;
  };
  defs.forEach((d, i) => {
    d.expression.match = ((text: string) => rowOf(text)[i]) as MatchFn;
  });
}

/**
 * The feature files are parsed into pickles once per process while they are unchanged (same
 * paths, sizes and modification times): cucumber otherwise reads and compiles every feature
 * file in every run. Each run is still handed every source, document and pickle message, and its
 * own copy of the pickle list, which its filters (tags, shard) and order plugins work on.
 */
let sourcesShared = false;

function shareParsedSources(): void {
  if (sourcesShared) return;
  sourcesShared = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gherkin = require('@cucumber/cucumber/lib/api/gherkin') as {
    getPicklesAndErrors: (o: { sourcePaths: string[]; coordinates: { defaultDialect?: string }; onEnvelope?: (e: Envelope) => void }) => Promise<{ filterablePickles: unknown[]; parseErrors: unknown[] }>;
  };
  const parse = gherkin.getPicklesAndErrors;
  let last: { key: string; envelopes: Envelope[]; result: { filterablePickles: unknown[]; parseErrors: unknown[] } } | null = null;
  gherkin.getPicklesAndErrors = async (o) => {
    const key = JSON.stringify([o.coordinates.defaultDialect ?? null, o.sourcePaths.map((p) => {
      const st = statSync(p, { throwIfNoEntry: false });
      return [p, st?.size ?? -1, st?.mtimeMs ?? -1];
    })]);
    if (!last || last.key !== key) {
      const envelopes: Envelope[] = [];
      const result = await parse({ ...o, onEnvelope: (e) => envelopes.push(e) });
      last = { key, envelopes, result };
    }
    for (const e of last.envelopes) o.onEnvelope?.(e);
    return { filterablePickles: [...last.result.filterablePickles], parseErrors: [...last.result.parseErrors] };
  };
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const { config, support } = await prepared();
  const allureDir = opts.allure === null ? null : opts.allure?.resultsDir;
  const files = opts.outDir ? reportFiles(opts.outDir, { allureDir, html: opts.html }) : {};
  const reverse = opts.order === 'reverse';
  const run: IRunConfiguration = {
    ...config,
    plugins: reverse ? { specifiers: [join(PROJECT_ROOT, 'src/runner/reverse-order-plugin.js')], options: {} } : config.plugins,
    sources: {
      ...config.sources,
      paths: opts.paths ?? config.sources.paths,
      tagExpression: opts.tags ?? '',
      order: (reverse ? 'defined' : opts.order ?? 'defined') as IRunConfiguration['sources']['order'],
      shard: opts.shard ?? '',
    },
    runtime: {
      ...config.runtime,
      dryRun: opts.dryRun ?? false,
      parallel: opts.parallel ?? 0,
      worldParameters: opts.world as IRunConfiguration['runtime']['worldParameters'],
    },
    formats: {
      ...config.formats,
      stdout: opts.console === null ? 'summary' : opts.console ?? 'progress',
      files,
      options: (opts.outDir && opts.allure !== null ? allureFormatOptions(opts.allure?.resultsDir ?? join(opts.outDir, 'allure-results'), opts.world, opts.allure ?? {}) : {}) as IRunConfiguration['formats']['options'],
    },
  };
  const env = environment();
  if (opts.console === null) env.stdout = new (require('node:stream').Writable)({ write: (_c: unknown, _e: unknown, cb: () => void) => cb() });
  const result = await runCucumber({ ...run, support }, env, opts.onMessage);
  return { success: result.success };
}
