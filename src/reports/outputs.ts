/**
 * Reports built from a run's message stream, all from one analysis (verdict.ts): JUnit XML, the
 * compliance report, the Allure run information (executor and environment, with the verdict),
 * and, after merging shards, cucumber's HTML report.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Envelope } from '@cucumber/messages';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
import type { TargetDescription } from '../../backends/port';
import { writeAllureRunInfo } from './allure-html';
import { buildCompliance, type Compliance } from './compliance';
import { writeCompliance } from './compliance-files';
import { gitRevision, suiteVersion } from './environment';
import { junitXml } from './junit';
import { analyseRun, type RunAnalysis } from './verdict';

export function writeJunit(outDir: string, envelopes: readonly Envelope[], analysis: RunAnalysis, target: TargetDescription | null): void {
  writeFileSync(join(outDir, 'junit.xml'), junitXml(envelopes, analysis.verdict, target));
}

export async function writeHtml(outDir: string, envelopes: readonly Envelope[]): Promise<void> {
  await pipeline(Readable.from(envelopes), new CucumberHtmlStream(), createWriteStream(join(outDir, 'cucumber-report.html')));
}

/** compliance.json/md/html and charts, from an analysis (computed here when not given). */
export function complianceFor(outDir: string, envelopes: readonly Envelope[], target: TargetDescription | null, analysis: RunAnalysis = analyseRun(envelopes)): Compliance {
  const c = buildCompliance(analysis, target, { version: suiteVersion(), revision: gitRevision() });
  writeCompliance(outDir, c);
  return c;
}

/**
 * The reports a run writes after cucumber's own: JUnit, compliance, Allure run information (not
 * when the run's Allure results go to a directory several runs share: `allureInfo: false`).
 */
export function writeRunReports(outDir: string, envelopes: readonly Envelope[], analysis: RunAnalysis, target: TargetDescription | null, opts: { allureInfo?: boolean } = {}): Compliance {
  writeJunit(outDir, envelopes, analysis, target);
  if (opts.allureInfo !== false) writeAllureRunInfo(outDir, analysis.verdict, target);
  return complianceFor(outDir, envelopes, target, analysis);
}

/** Every report of a merged stream (cucumber's HTML included). */
export async function writeReportsFromMessages(outDir: string, envelopes: readonly Envelope[], target: TargetDescription | null): Promise<RunAnalysis> {
  const analysis = analyseRun(envelopes);
  writeRunReports(outDir, envelopes, analysis, target);
  await writeHtml(outDir, envelopes);
  return analysis;
}

/** The target description a run recorded in environment.json, if any. */
export function recordedTarget(dir: string): TargetDescription | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'environment.json'), 'utf8')).target ?? null;
  } catch {
    return null;
  }
}
