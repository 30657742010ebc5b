/**
 * The compliance report: per requirement, its source, its scenarios and their status on this
 * target, with the reason for every skip; per area and overall, counts of passed, failed,
 * skipped (by reason) and blocked; coverage (requirements with at least one executed scenario
 * against all requirements); and the target's self-description. Written as compliance.json and
 * as compliance.md, which reads on its own (for a certification ticket).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { toJson } from '../../backends/common/json';
import type { TargetDescription } from '../../backends/port';
import { sources, sourceUrl } from '../../spec/sources';
import type { Area } from '../../support/tags';
import { plannedScenarios, scenarioResults, type ScenarioResult, type Status } from './results';

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  blocked: number;
  /** Undefined, pending or ambiguous steps: suite defects (also counted in failed). */
  defects: number;
  skippedByReason: Record<string, number>;
}

export type RequirementStatus = 'passed' | 'failed' | 'skipped' | 'blocked' | 'not-run';

export interface RequirementEntry {
  id: string;
  area: Area | null;
  feature: string;
  rule: string | null;
  source: { id: string; title: string; url: string }[];
  status: RequirementStatus;
  scenarios: { key: string; name: string; status: Status | 'not-run'; skipReason?: string; message?: string }[];
  skipReasons: string[];
}

export interface Compliance {
  schema: 'tdx-conformance/compliance/1';
  generatedAt: string;
  suite: { version: string; revision: string | null };
  target: TargetDescription | null;
  totals: Counts;
  areas: Record<string, Counts>;
  requirements: RequirementEntry[];
  coverage: { executed: number; total: number; notExecuted: string[] };
}

const emptyCounts = (): Counts => ({ passed: 0, failed: 0, skipped: 0, blocked: 0, defects: 0, skippedByReason: {} });

function count(c: Counts, r: ScenarioResult): void {
  if (r.status === 'passed') c.passed++;
  else if (r.status === 'blocked') c.blocked++;
  else if (r.status === 'skipped') {
    c.skipped++;
    const k = r.skip?.kind ?? 'unknown';
    c.skippedByReason[k] = (c.skippedByReason[k] ?? 0) + 1;
  } else {
    c.failed++;
    if (r.status !== 'failed') c.defects++;
  }
}

function requirementStatus(rs: ScenarioResult[]): RequirementStatus {
  if (rs.length === 0) return 'not-run';
  if (rs.some((r) => r.status !== 'passed' && r.status !== 'skipped' && r.status !== 'blocked')) return 'failed';
  if (rs.some((r) => r.status === 'blocked')) return 'blocked';
  if (rs.some((r) => r.status === 'passed')) return 'passed';
  return 'skipped';
}

export function buildCompliance(
  envelopes: readonly Envelope[],
  target: TargetDescription | null,
  suite: { version: string; revision: string | null },
  generatedAt = new Date().toISOString(),
): Compliance {
  const results = scenarioResults(envelopes);
  const planned = plannedScenarios(envelopes);
  const byKey = new Map(results.map((r) => [r.key, r]));
  const totals = emptyCounts();
  const areas: Record<string, Counts> = {};
  for (const r of results) {
    count(totals, r);
    const a = r.area ?? 'other';
    count((areas[a] ??= emptyCounts()), r);
  }
  const reqs = new Map<string, RequirementEntry>();
  const allSources = sources();
  for (const p of planned) {
    if (!p.req) continue;
    let e = reqs.get(p.req);
    if (!e) {
      e = {
        id: p.req, area: p.area, feature: p.feature, rule: p.rule, status: 'not-run', scenarios: [], skipReasons: [],
        source: p.src.map((id) => ({ id, title: allSources[id]?.title ?? '(unregistered source)', url: sourceUrl(id) })),
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
  for (const e of reqs.values()) {
    const rs = e.scenarios.map((s) => byKey.get(s.key)).filter((x): x is ScenarioResult => !!x);
    e.status = requirementStatus(rs);
    e.skipReasons = [...new Set(e.scenarios.filter((s) => s.skipReason).map((s) => s.skipReason!))];
  }
  const requirements = [...reqs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const executed = requirements.filter((e) => e.scenarios.some((s) => s.status !== 'skipped' && s.status !== 'blocked' && s.status !== 'not-run'));
  return {
    schema: 'tdx-conformance/compliance/1',
    generatedAt,
    suite,
    target,
    totals,
    areas,
    requirements,
    coverage: {
      executed: executed.length,
      total: requirements.length,
      notExecuted: requirements.filter((e) => !executed.includes(e)).map((e) => e.id),
    },
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

function describeTarget(t: TargetDescription | null): string[] {
  if (!t) return ['Target: unknown.'];
  const m = t.module;
  const mod = m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build ? `, build ${m.build}` : ''}${m.buildDate ? `, built ${m.buildDate}` : ''}` : 'unknown';
  const rows = [
    ['Target', `${t.kind}: ${t.name}`],
    ['Role', t.role],
    ['Kernel', `${t.kernel.release ?? 'unknown'} (flavour ${t.kernel.flavour ?? 'unknown'})`],
    ['TDX module', mod],
    ['TDX_FEATURES0', hex(m?.features0)],
    ['CPU', `${t.platform.cpuModel ?? 'unknown'}, ${t.platform.packages ?? '?'} package(s), ${t.platform.logicalCpus ?? '?'} logical CPUs`],
    ['Private KeyIDs', t.platform.keyIds ? `[${t.platform.keyIds.start}, ${t.platform.keyIds.end})` : 'none seen'],
    ['Faults switched on', (t.faults ?? []).join(', ') || 'none'],
  ];
  return ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${esc(v)} |`)];
}

export function complianceMarkdown(c: Compliance): string {
  const verdict = c.totals.failed > 0 ? 'DOES NOT CONFORM' : c.totals.blocked > 0 ? 'INCOMPLETE (blocked scenarios)' : 'CONFORMS';
  const out: string[] = [];
  out.push('# TDX conformance report', '');
  out.push(`**Verdict: ${verdict}** — ${c.totals.passed} passed, ${c.totals.failed} failed, ${c.totals.skipped} skipped, ${c.totals.blocked} blocked; ${c.coverage.executed} of ${c.coverage.total} requirements executed.`, '');
  out.push(`Suite tdx-conformance ${c.suite.version}${c.suite.revision ? ` (revision ${c.suite.revision.slice(0, 12)})` : ''}, generated ${c.generatedAt}.`, '');
  out.push('## Target', '', ...describeTarget(c.target), '');
  out.push('## Totals', '', '| Area | Passed | Failed | Skipped | Blocked | Skipped by reason |', '|---|---|---|---|---|---|');
  for (const [a, cnt] of Object.entries(c.areas).sort()) out.push(countsRow(a, cnt));
  out.push(countsRow('**all**', c.totals), '');
  const failed = c.requirements.filter((r) => r.status === 'failed' || r.status === 'blocked');
  if (failed.length) {
    out.push('## Non-conformance and blocked requirements', '');
    for (const r of failed) {
      out.push(`### ${r.id} (${r.status})`, '', r.rule ?? r.feature, '');
      for (const s of r.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped' && x.status !== 'not-run')) {
        out.push(`- ${esc(s.name)}: ${s.status}${s.message ? ` — ${esc(s.message.split('\n')[0])}` : ''}${s.skipReason ? ` — ${esc(s.skipReason)}` : ''}`);
      }
      out.push('');
    }
  }
  out.push('## Requirements', '', '| Requirement | Status | Scenarios (passed/total) | Source | Skip reasons |', '|---|---|---|---|---|');
  for (const r of c.requirements) {
    const passed = r.scenarios.filter((s) => s.status === 'passed').length;
    const src = r.source.map((s) => `[${s.id}](${s.url})`).join(', ');
    out.push(`| ${r.id} | ${r.status} | ${passed}/${r.scenarios.length} | ${src} | ${esc(r.skipReasons.join('; ')) || '-'} |`);
  }
  out.push('');
  if (c.coverage.notExecuted.length) {
    out.push('## Requirements not executed on this target', '', ...c.coverage.notExecuted.map((id) => `- ${id}`), '');
  }
  return out.join('\n');
}

export function writeCompliance(outDir: string, c: Compliance): void {
  writeFileSync(join(outDir, 'compliance.json'), toJson(c) + '\n');
  writeFileSync(join(outDir, 'compliance.md'), complianceMarkdown(c));
}
