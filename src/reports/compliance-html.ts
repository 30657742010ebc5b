/**
 * compliance.html: the compliance report as one self-contained page (charts inline, no script,
 * no external resource), to open from the file system or attach to a ticket.
 */
import { AUDIT_NOTE, auditText, CHALLENGE, notObservedGroups, targetRows, type AuditLink, type Compliance } from './compliance';
import type { ComplianceCharts } from './charts';

const h = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body { font-family: sans-serif; margin: 2em; color: #212121; max-width: 80em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
.verdict { font-size: 1.2em; padding: 0.6em; border-left: 6px solid #9e9e9e; background: #fafafa; }
.conforms { border-color: #2e7d32; } .fails { border-color: #c62828; } .partial { border-color: #ffb300; } .nothing-executed { border-color: #757575; }
.failed { color: #c62828; font-weight: bold; } .not-observed { color: #8d6e00; } .not-applicable { color: #757575; }
`;

function auditCell(a: AuditLink | null): string {
  return a ? `<code title="${h(a.claim)}">${h(`${a.file}:${a.line}`)}</code><br>${h(a.verdict)}, checked ${h(a.checked)}` : 'no audit record';
}

export function complianceHtml(c: Compliance, charts: ComplianceCharts): string {
  const v = c.verdict;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', `<title>TDX conformance: ${h(v.title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  out.push('<h1>TDX conformance report</h1>');
  out.push(`<p class="verdict ${v.kind}"><strong>Verdict: ${h(v.line)}</strong></p>`);
  out.push(`<p>Scenarios: ${v.scenarios.passed} passed, ${v.scenarios.failed} failed, ${v.scenarios.skipped} skipped, ${v.scenarios.blocked} blocked. ` +
    `Requirements: ${v.requirements.total} in the suite, ${v.requirements.notApplicable} not applicable, ${v.requirements.applicable} applicable, ` +
    `${v.requirements.executed} executed, ${v.requirements.notObserved} not observed.</p>`);
  out.push(`<p>Suite tdx-conformance ${h(c.suite.version)}${c.suite.revision ? ` (revision ${h(c.suite.revision.slice(0, 12))})` : ''}, generated ${h(c.generatedAt)}.</p>`);
  out.push('<h2>Target</h2>', '<table>', ...targetRows(c.target).map(([k, val]) => `<tr><th>${h(k)}</th><td>${h(val)}</td></tr>`), '</table>');
  out.push('<h2>Charts</h2>', `<figure>${charts.scenarios}</figure>`, `<figure>${charts.requirements}</figure>`);
  out.push('<h2>Totals</h2>', '<table>', '<tr><th>Area</th><th>Passed</th><th>Failed</th><th>Skipped</th><th>Blocked</th><th>Skipped by reason</th></tr>');
  const row = (name: string, n: Compliance['totals']) =>
    `<tr><td>${h(name)}</td><td>${n.passed}</td><td>${n.failed}</td><td>${n.skipped}</td><td>${n.blocked}</td><td>${h(Object.entries(n.skippedByReason).map(([k, x]) => `${k} ${x}`).join(', ') || '-')}</td></tr>`;
  for (const [a, n] of Object.entries(c.areas).sort()) out.push(row(a, n));
  out.push(row('all', c.totals), '</table>');
  const failed = c.requirements.filter((r) => r.status === 'failed');
  if (failed.length) {
    out.push('<h2>Non-conformance</h2>');
    for (const r of failed) {
      out.push(`<h3>${h(r.id)}</h3>`, `<p>${h(r.rule ?? r.feature)}</p>`, '<ul>');
      for (const s of r.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped' && x.status !== 'not-run')) {
        out.push(`<li>${h(s.name)}: ${h(s.status)}${s.message ? ` — ${h(s.message.split('\n')[0])}` : ''}</li>`);
      }
      out.push('</ul>', `<p>Audit record: <code>${h(auditText(r.audit))}</code>. ${h(CHALLENGE)}</p>`);
    }
  }
  const groups = notObservedGroups(c);
  if (groups.length) {
    out.push('<h2>Applicable but not observed</h2>', '<p>These requirements apply to the target, but none of their scenarios could be executed; nothing is claimed about them.</p>');
    for (const g of groups) {
      out.push(`<h3>${h(g.label)} (${g.requirements.length})</h3>`, '<ul>');
      for (const r of g.requirements) out.push(`<li><strong>${h(r.id)}</strong> — ${h(r.rule ?? r.feature)}: ${h(r.notObserved.map((n) => `${n.kind}: ${n.reason}`).join('; '))}</li>`);
      out.push('</ul>');
    }
  }
  out.push('<h2>Requirements</h2>', `<p>${h(AUDIT_NOTE)}</p>`, '<table>',
    '<tr><th>Requirement</th><th>What it requires</th><th>Status</th><th>Scenarios passed/total</th><th>Source</th><th>Skip reasons</th><th>Audit record</th></tr>');
  for (const r of c.requirements) {
    const passed = r.scenarios.filter((s) => s.status === 'passed').length;
    const src = r.source.map((s) => `<a href="${h(s.url)}" title="${h(s.title)}">${h(s.id)}</a>`).join(', ');
    out.push(`<tr><td>${h(r.id)}</td><td>${h(r.rule ?? r.feature)}</td><td class="${r.status}">${r.status}</td><td>${passed}/${r.scenarios.length}</td><td>${src}</td><td>${h(r.skipReasons.join('; ')) || '-'}</td><td>${auditCell(r.audit)}</td></tr>`);
  }
  out.push('</table>', '</body>', '</html>');
  return out.join('\n') + '\n';
}
