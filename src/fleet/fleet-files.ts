/**
 * The fleet summary's files: fleet.json (the summary, for machines), fleet.md (reads on its own:
 * the machines, the requirements that failed somewhere, what could not be shown) and fleet.html
 * (one self-contained page: the requirement x machine matrix a person can sort and filter).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJson } from '../../backends/common/json';
import { fleetHtml } from './fleet-html';
import { fleetLine, type FleetSummary } from './summary';

const md = (s: string | null | undefined): string => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function fleetMarkdown(s: FleetSummary): string {
  const out: string[] = ['# TDX conformance: fleet summary', ''];
  out.push(`**${fleetLine(s)}**`, '');
  out.push(`Captures under \`${s.fleet}\`; suite tdx-conformance ${s.suite.version}${s.suite.revision ? ` (revision ${s.suite.revision.slice(0, 12)})` : ''}; generated ${s.generatedAt}.`);
  out.push('The matrix of every requirement on every machine is in fleet.html (sortable and filterable) and fleet.json; each machine\'s own reports are in its directory.', '');
  out.push('## Machines', '');
  const gated = s.totals.gateFailed !== undefined;
  out.push(`| Machine | Verdict | Passed | Failed | Skipped | Blocked | Requirements executed | Kernel | Module |${gated ? ' Gate |' : ''}`);
  out.push(`|---|---|---|---|---|---|---|---|---|${gated ? '---|' : ''}`);
  for (const m of s.machines) {
    const sc = m.scenarios;
    const rq = m.requirements;
    const gate = m.gate ? (m.gate.passed ? 'passed' : `FAILED (${m.gate.blocking})`) + (m.gate.changed.length ? `; ${m.gate.changed.join('; ')}` : '') : '-';
    out.push(`| [${md(m.key)}](${encodeURI(m.reports)}/compliance.md) | ${md(m.verdict.line)} | ${sc?.passed ?? '-'} | ${sc?.failed ?? '-'} | ${sc?.skipped ?? '-'} | ${sc?.blocked ?? '-'} | ${rq ? `${rq.executed} of ${rq.applicable}` : '-'} | ${md(m.target?.kernel ?? '-')} | ${md(m.target?.module ?? '-')} |${gated ? ` ${md(gate)} |` : ''}`);
  }
  out.push('');
  const failing = s.requirements.filter((r) => r.failed > 0).sort((a, b) => b.failed - a.failed || (a.id < b.id ? -1 : 1));
  out.push('## Requirements that failed on some machine', '');
  if (!failing.length) out.push('None: no requirement failed on any machine.', '');
  else {
    out.push('| Requirement | Failed on | Machines |', '|---|---|---|');
    for (const r of failing) {
      const on = s.machines.filter((m) => s.matrix[r.id]?.[m.key] === 'failed').map((m) => m.key);
      out.push(`| ${md(r.id)}: ${md(r.rule)} | ${r.failed} | ${md(on.slice(0, 20).join(', '))}${on.length > 20 ? `, and ${on.length - 20} more` : ''} |`);
    }
    out.push('');
  }
  out.push('## Every requirement', '', 'Machines on which each requirement passed, failed, could not be shown (not observed: the capture cannot show it, or a precondition is not met there), or does not apply.', '');
  out.push('| Requirement | Passed | Failed | Not observed | Not applicable |', '|---|---|---|---|---|');
  for (const r of s.requirements) out.push(`| ${md(r.id)} | ${r.passed} | ${r.failed} | ${r.notObserved} | ${r.notApplicable} |`);
  out.push('');
  if (s.ignored.length) {
    out.push('## Not captures', '', `${s.ignored.length} entries under the fleet directory are neither a snapshot directory nor a *.log file and were not evaluated:`, '');
    for (const i of s.ignored.slice(0, 50)) out.push(`- ${md(i)}`);
    if (s.ignored.length > 50) out.push(`- ... and ${s.ignored.length - 50} more`);
    out.push('');
  }
  return out.join('\n');
}

export function writeFleetSummary(outDir: string, s: FleetSummary): void {
  writeFileSync(join(outDir, 'fleet.json'), toJson(s) + '\n');
  writeFileSync(join(outDir, 'fleet.md'), fleetMarkdown(s));
  writeFileSync(join(outDir, 'fleet.html'), fleetHtml(s));
}
