/** Writes the compliance report's files: compliance.json, compliance.md, charts/*.svg, compliance.html. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../../backends/common/json';
import { complianceCharts } from './charts';
import { CHART_FILES, complianceMarkdown, type Compliance } from './compliance';
import { complianceHtml } from './compliance-html';

export function writeCompliance(outDir: string, c: Compliance): void {
  const charts = complianceCharts(c);
  mkdirSync(join(outDir, 'charts'), { recursive: true });
  writeFileSync(join(outDir, CHART_FILES.scenarios), charts.scenarios);
  writeFileSync(join(outDir, CHART_FILES.requirements), charts.requirements);
  writeFileSync(join(outDir, 'compliance.json'), toJson(c) + '\n');
  writeFileSync(join(outDir, 'compliance.md'), complianceMarkdown(c));
  writeFileSync(join(outDir, 'compliance.html'), complianceHtml(c, charts));
}
