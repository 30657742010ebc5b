/**
 * The compliance report: the run's verdict (verdict.ts); per requirement, what it requires (its
 * Rule), its source, where its source audit record is (spec/audit/, the claim's primary sources
 * and the releases they hold for), its scenarios and their status on this target, with the
 * reason for every skip and for every applicable requirement not observed; per area and overall, counts of
 * passed, failed, skipped (by reason) and blocked; and the target's self-description. Written as
 * compliance.json, as compliance.md, which reads on its own (for a certification ticket) and
 * links its charts (charts/*.svg), and as compliance.html with the charts inline.
 */
import type { Envelope } from '@cucumber/messages';
import type { TargetDescription } from '../../backends/port';
import { auditRecords, type AuditVerdict } from '../../spec/audit/records';
import { sources, sourceUrl } from '../../spec/sources';
import type { Area } from '../../support/tags';
import type { Status } from './results';
import { analyseRun, countScenario, emptyCounts, NOT_OBSERVED_LABEL, type NotObservedKind, type RunAnalysis, type ScenarioCounts, type Verdict } from './verdict';

export type Counts = ScenarioCounts;

/** Where the charts go, relative to the results directory (compliance.md links them). */
export const CHART_FILES = { scenarios: 'charts/scenarios-by-area.svg', requirements: 'charts/requirements-by-area.svg' } as const;

/** passed: executed, none failed; not-observed: applicable, not executed; see verdict.ts. */
export type RequirementStatus = 'passed' | 'failed' | 'not-observed' | 'not-applicable';

export interface RequirementEntry {
  id: string;
  area: Area | null;
  feature: string;
  /** The Rule's sentence: what the requirement says. */
  rule: string | null;
  source: { id: string; title: string; url: string }[];
  /** The requirement's source audit record, or null when it has none. */
  audit: AuditLink | null;
  status: RequirementStatus;
  applicable: boolean;
  executed: boolean;
  scenarios: { key: string; name: string; status: Status | 'not-run'; skipReason?: string; message?: string }[];
  skipReasons: string[];
  /** Applicable and not executed: why, main reason first. */
  notObserved: { kind: NotObservedKind; reason: string }[];
}

/**
 * Where a requirement's audit record is, relative to the suite's source tree at the revision the
 * report names: the claim as the scenarios check it, and (in the file) each checked value's
 * primary source, commit and lines, and the releases it holds for.
 */
export interface AuditLink {
  /** spec/audit/<area>.yaml#<requirement id> */
  record: string;
  file: string;
  line: number;
  claim: string;
  verdict: AuditVerdict;
  /** YYYY-MM-DD: when the values were last read against their sources. */
  checked: string;
}

/** The audit record of each requirement, as the report links it. */
export function auditLink(req: string): AuditLink | null {
  const a = auditRecords().get(req);
  if (!a) return null;
  const claim = typeof a.record.claim === 'string' ? a.record.claim.trim() : '';
  return { record: `${a.file}#${req}`, file: a.file, line: a.line, claim, verdict: a.record.verdict, checked: a.record.checked };
}

/** The audit record as one line of text: where it is, its verdict and when it was checked. */
export function auditText(a: AuditLink | null): string {
  return a ? `${a.file}:${a.line} (${a.verdict}, checked ${a.checked})` : 'no audit record';
}

export interface Compliance {
  schema: 'tdx-conformance/compliance/2';
  generatedAt: string;
  suite: { version: string; revision: string | null };
  target: TargetDescription | null;
  verdict: Verdict;
  totals: Counts;
  areas: Record<string, Counts>;
  /** Per area: requirements applicable, executed, not observed (for the charts). */
  areaRequirements: Record<string, { total: number; applicable: number; executed: number; failed: number }>;
  requirements: RequirementEntry[];
}

export function buildCompliance(
  source: readonly Envelope[] | RunAnalysis,
  target: TargetDescription | null,
  suite: { version: string; revision: string | null },
  generatedAt = new Date().toISOString(),
): Compliance {
  const { results, planned, outcomes, verdict } = 'verdict' in source ? source : analyseRun(source);
  const byKey = new Map(results.map((r) => [r.key, r]));
  const areas: Record<string, Counts> = {};
  for (const r of results) countScenario((areas[r.area ?? 'other'] ??= emptyCounts()), r);
  const reqs = new Map<string, RequirementEntry>();
  const allSources = sources();
  for (const p of planned) {
    if (!p.req) continue;
    let e = reqs.get(p.req);
    if (!e) {
      e = {
        id: p.req, area: p.area, feature: p.feature, rule: p.rule, status: 'not-observed', applicable: true, executed: false,
        scenarios: [], skipReasons: [], notObserved: [],
        source: p.src.map((id) => ({ id, title: allSources[id]?.title ?? '(unregistered source)', url: sourceUrl(id) })),
        audit: auditLink(p.req),
      };
      reqs.set(p.req, e);
    }
    const r = byKey.get(p.key);
    e.scenarios.push({
      key: p.key, name: p.name, status: r?.status ?? 'not-run',
      ...(r?.skip ? { skipReason: `${r.skip.kind}: ${r.skip.reason}` } : {}),
      ...(r?.message ? { message: r.message } : {}),
    });
  }
  const areaRequirements: Compliance['areaRequirements'] = {};
  for (const o of outcomes) {
    const e = reqs.get(o.id);
    if (!e) continue;
    e.applicable = o.applicable;
    e.executed = o.executed;
    e.notObserved = o.notObserved;
    e.status = o.failed ? 'failed' : !o.applicable ? 'not-applicable' : o.executed ? 'passed' : 'not-observed';
    e.skipReasons = [...new Set(e.scenarios.filter((s) => s.skipReason).map((s) => s.skipReason!))];
    const a = (areaRequirements[e.area ?? 'other'] ??= { total: 0, applicable: 0, executed: 0, failed: 0 });
    a.total++;
    if (o.applicable) a.applicable++;
    if (o.executed) a.executed++;
    if (o.failed) a.failed++;
  }
  return {
    schema: 'tdx-conformance/compliance/2',
    generatedAt,
    suite,
    target,
    verdict,
    totals: verdict.scenarios,
    areas,
    areaRequirements,
    requirements: [...reqs.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

// ------------------------------------------------------------------------------ Markdown

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function countsRow(name: string, c: Counts): string {
  const reasons = Object.entries(c.skippedByReason).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  return `| ${name} | ${c.passed} | ${c.failed} | ${c.skipped} | ${c.blocked} | ${esc(reasons)} |`;
}

/** A 64-bit value from a live description (bigint) or a recorded one (hex string). */
function hex(v: bigint | string | null | undefined): string {
  if (v === null || v === undefined) return 'unknown';
  return typeof v === 'bigint' ? '0x' + v.toString(16) : String(v);
}

/** The target's self-description as label/value rows (Markdown and HTML). */
export function targetRows(t: TargetDescription | null): [string, string][] {
  if (!t) return [['Target', 'unknown']];
  const m = t.module;
  const mod = m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build ? `, build ${m.build}` : ''}${m.buildDate ? `, built ${m.buildDate}` : ''}` : 'unknown';
  return [
    ['Target', `${t.kind}: ${t.name}`],
    ['Role', t.role],
    ['Kernel', `${t.kernel.release ?? 'unknown'} (flavour ${t.kernel.flavour ?? 'unknown'})`],
    ['TDX module', mod],
    ['TDX_FEATURES0', hex(m?.features0)],
    ['CPU', `${t.platform.cpuModel ?? 'unknown'}, ${t.platform.packages ?? '?'} package(s), ${t.platform.logicalCpus ?? '?'} logical CPUs`],
    ['Private KeyIDs', t.platform.keyIds ? `[${t.platform.keyIds.start}, ${t.platform.keyIds.end})` : 'none seen'],
    ['Faults switched on', (t.faults ?? []).join(', ') || 'none'],
  ];
}

/** Requirements not observed, grouped by their main reason. */
export function notObservedGroups(c: Compliance): { kind: NotObservedKind; label: string; requirements: RequirementEntry[] }[] {
  const groups = new Map<NotObservedKind, RequirementEntry[]>();
  for (const r of c.requirements.filter((x) => x.status === 'not-observed')) {
    const k = r.notObserved[0]?.kind ?? 'cannot-observe';
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.entries()].map(([kind, requirements]) => ({ kind, label: NOT_OBSERVED_LABEL[kind], requirements }));
}

/** What the audit record column is, for a reader of the report. */
export const AUDIT_NOTE =
  'Audit record: where, in the suite\'s source tree at the revision above, the requirement\'s source audit is: the claim as ' +
  'the scenarios check it, the primary source of each checked value (repository, commit and lines, or document and ' +
  'section), the releases it holds for, the verdict (true, or version-bound: tagged per release) and when it was checked.';

/** How to dispute a claim the suite makes. */
export const CHALLENGE =
  'If the claim is false for the implementation under test, challenge the record (README, "Challenging a claim"): ' +
  'name the requirement, the implementation and version, and the source line that contradicts it.';

export function complianceMarkdown(c: Compliance): string {
  const v = c.verdict;
  const out: string[] = [];
  out.push('# TDX conformance report', '');
  out.push(`**Verdict: ${v.line}**`, '');
  out.push(`Scenarios: ${v.scenarios.passed} passed, ${v.scenarios.failed} failed, ${v.scenarios.skipped} skipped, ${v.scenarios.blocked} blocked. ` +
    `Requirements: ${v.requirements.total} in the suite, ${v.requirements.notApplicable} not applicable to this target, ${v.requirements.applicable} applicable, ${v.requirements.executed} executed, ${v.requirements.notObserved} not observed.`, '');
  out.push(`Suite tdx-conformance ${c.suite.version}${c.suite.revision ? ` (revision ${c.suite.revision.slice(0, 12)})` : ''}, generated ${c.generatedAt}. ` +
    'The same report with the charts inline: [compliance.html](compliance.html).', '');
  out.push('## Target', '', '| | |', '|---|---|', ...targetRows(c.target).map(([k, val]) => `| ${k} | ${esc(val)} |`), '');
  out.push('## Charts', '', `![Scenarios per area: passed, failed, skipped by reason](${CHART_FILES.scenarios})`, '',
    `![Requirements executed out of applicable, per area](${CHART_FILES.requirements})`, '');
  out.push('## Totals', '', '| Area | Passed | Failed | Skipped | Blocked | Skipped by reason |', '|---|---|---|---|---|---|');
  for (const [a, cnt] of Object.entries(c.areas).sort()) out.push(countsRow(a, cnt));
  out.push(countsRow('**all**', c.totals), '');
  const failed = c.requirements.filter((r) => r.status === 'failed');
  if (failed.length) {
    out.push('## Non-conformance', '');
    for (const r of failed) {
      out.push(`### ${r.id}`, '', r.rule ?? r.feature, '');
      for (const s of r.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped' && x.status !== 'not-run')) {
        out.push(`- ${esc(s.name)}: ${s.status}${s.message ? ` — ${esc(s.message.split('\n')[0])}` : ''}${s.skipReason ? ` — ${esc(s.skipReason)}` : ''}`);
      }
      out.push('', `Audit record: \`${auditText(r.audit)}\`. ${CHALLENGE}`, '');
    }
  }
  const groups = notObservedGroups(c);
  if (groups.length) {
    out.push('## Applicable but not observed', '', 'These requirements apply to the target, but none of their scenarios could be executed; nothing is claimed about them.', '');
    for (const g of groups) {
      out.push(`### ${g.label} (${g.requirements.length})`, '');
      for (const r of g.requirements) out.push(`- **${r.id}** — ${esc(r.rule ?? r.feature)}: ${esc(r.notObserved.map((n) => `${n.kind}: ${n.reason}`).join('; '))}`);
      out.push('');
    }
  }
  out.push('## Requirements', '', AUDIT_NOTE, '',
    '| Requirement | What it requires | Status | Scenarios passed/total | Source | Skip reasons | Audit record |', '|---|---|---|---|---|---|---|');
  for (const r of c.requirements) {
    const passed = r.scenarios.filter((s) => s.status === 'passed').length;
    const src = r.source.map((s) => `[${s.id}](${s.url})`).join(', ');
    out.push(`| ${r.id} | ${esc(r.rule ?? r.feature)} | ${r.status} | ${passed}/${r.scenarios.length} | ${src} | ${esc(r.skipReasons.join('; ')) || '-'} | \`${esc(auditText(r.audit))}\` |`);
  }
  out.push('');
  return out.join('\n');
}
