/**
 * Reports rebuilt from a message stream (after merging shards): JUnit XML and cucumber HTML with
 * cucumber's own libraries, and the compliance report.
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Envelope } from '@cucumber/messages';
import { JUnitXmlPrinter } from '@cucumber/junit-xml-formatter';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
import type { TargetDescription } from '../../backends/port';
import { buildCompliance, writeCompliance, type Compliance } from './compliance';
import { gitRevision, suiteVersion } from './environment';

export function writeJunit(outDir: string, envelopes: readonly Envelope[]): void {
  let xml = '';
  const printer = new JUnitXmlPrinter({ suiteName: 'tdx-conformance' }, (s) => { xml += s; });
  for (const e of envelopes) printer.update(e);
  writeFileSync(join(outDir, 'junit.xml'), xml);
}

export async function writeHtml(outDir: string, envelopes: readonly Envelope[]): Promise<void> {
  await pipeline(Readable.from(envelopes), new CucumberHtmlStream(), createWriteStream(join(outDir, 'cucumber-report.html')));
}

export function complianceFor(outDir: string, envelopes: readonly Envelope[], target: TargetDescription | null): Compliance {
  const c = buildCompliance(envelopes, target, { version: suiteVersion(), revision: gitRevision() });
  writeCompliance(outDir, c);
  return c;
}

export async function writeReportsFromMessages(outDir: string, envelopes: readonly Envelope[], target: TargetDescription | null): Promise<void> {
  writeJunit(outDir, envelopes);
  await writeHtml(outDir, envelopes);
  complianceFor(outDir, envelopes, target);
}

/** The target description a run recorded in environment.json, if any. */
export function recordedTarget(dir: string): TargetDescription | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'environment.json'), 'utf8')).target ?? null;
  } catch {
    return null;
  }
}
