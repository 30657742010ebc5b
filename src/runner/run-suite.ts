/**
 * Runs the conformance suite through the cucumber-js API: support code is loaded once per
 * process and reused for every run (several emulator profiles, or every fault of a campaign).
 */
import { mkdirSync } from 'node:fs';
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

let cached: { config: IRunConfiguration; support: Support } | null = null;

const environment = (): IRunEnvironment => ({ cwd: PROJECT_ROOT, stdout: process.stdout, stderr: process.stderr, env: process.env });

/** Load configuration and support code once. */
async function prepared(): Promise<{ config: IRunConfiguration; support: Support }> {
  if (cached) return cached;
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js', profiles: ['default'] }, environment());
  const support = await loadSupport(runConfiguration, environment());
  cached = { config: runConfiguration, support };
  return cached;
}

/** The suite's loaded support code (step definitions, hooks, parameter types). */
export async function supportLibrary(): Promise<Support> {
  return (await prepared()).support;
}

/** Report file -> cucumber formatter that writes it (JUnit is written after the run, with the verdict). */
export function reportFiles(outDir: string): Record<string, string> {
  mkdirSync(join(outDir, 'allure-results'), { recursive: true });
  return {
    [join(outDir, 'messages.ndjson')]: 'message',
    [join(outDir, 'cucumber-report.html')]: 'html',
    [join(outDir, 'allure-results', '.formatter-output')]: join(PROJECT_ROOT, 'src/reports/allure-formatter.js'),
  };
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteResult> {
  const { config, support } = await prepared();
  const files = opts.outDir ? reportFiles(opts.outDir) : {};
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
      options: (opts.outDir ? allureFormatOptions(opts.outDir, opts.world) : {}) as IRunConfiguration['formats']['options'],
    },
  };
  const env = environment();
  if (opts.console === null) env.stdout = new (require('node:stream').Writable)({ write: (_c: unknown, _e: unknown, cb: () => void) => cb() });
  const result = await runCucumber({ ...run, support }, env, opts.onMessage);
  return { success: result.success };
}
