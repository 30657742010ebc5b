/**
 * The compliance report's charts, as standalone SVG (no script, no external font or style), so
 * compliance.md can link them and compliance.html can inline them: per area, scenarios passed,
 * failed, blocked and skipped by reason; per area, requirements executed out of applicable.
 */
import type { Compliance } from './compliance';

interface Segment {
  key: string;
  value: number;
}

interface Row {
  label: string;
  segments: Segment[];
  note: string;
}

interface LegendEntry {
  key: string;
  label: string;
  color: string;
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LABEL_W = 70;
const BAR_W = 420;
const NOTE_W = 330;
const ROW_H = 26;
const FONT = 'font-family="sans-serif" font-size="12"';

/** Horizontal stacked bars, one per row, scaled to the longest row, with a legend below. */
export function stackedBars(title: string, rows: readonly Row[], legend: readonly LegendEntry[]): string {
  const color = new Map(legend.map((l) => [l.key, l.color]));
  const max = Math.max(1, ...rows.map((r) => r.segments.reduce((a, s) => a + s.value, 0)));
  const width = LABEL_W + BAR_W + NOTE_W;
  const legendTop = 34 + rows.length * ROW_H + 8;
  const perLine = 3;
  const height = legendTop + Math.ceil(legend.length / perLine) * 18 + 6;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${xml(title)}">`,
    `<title>${xml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="4" y="18" ${FONT} font-weight="bold">${xml(title)}</text>`,
  ];
  rows.forEach((r, i) => {
    const y = 30 + i * ROW_H;
    out.push(`<text x="4" y="${y + 14}" ${FONT}>${xml(r.label)}</text>`);
    out.push(`<rect x="${LABEL_W}" y="${y}" width="${BAR_W}" height="18" fill="#f5f5f5"/>`);
    let x = LABEL_W;
    for (const s of r.segments) {
      if (s.value <= 0) continue;
      const w = (BAR_W * s.value) / max;
      out.push(`<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="18" fill="${color.get(s.key) ?? '#9e9e9e'}"><title>${xml(`${r.label}: ${s.key} ${s.value}`)}</title></rect>`);
      x += w;
    }
    out.push(`<text x="${LABEL_W + BAR_W + 8}" y="${y + 14}" ${FONT}>${xml(r.note)}</text>`);
  });
  legend.forEach((l, i) => {
    const x = 4 + (i % perLine) * 270;
    const y = legendTop + Math.floor(i / perLine) * 18;
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${l.color}"/>`, `<text x="${x + 16}" y="${y + 10}" ${FONT}>${xml(l.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const SKIP_COLORS: Record<string, string> = {
  'not-applicable': '#cfd8dc',
  'cannot-observe': '#90a4ae',
  'precondition-unmet': '#b39ddb',
  'needs-opt-in': '#80cbc4',
  unknown: '#e0e0e0',
};

export interface ComplianceCharts {
  scenarios: string;
  requirements: string;
}

export function complianceCharts(c: Compliance): ComplianceCharts {
  const areas = Object.keys(c.areas).sort();
  const skipKinds = [...new Set(areas.flatMap((a) => Object.keys(c.areas[a].skippedByReason)))].sort((a, b) =>
    (Object.keys(SKIP_COLORS).indexOf(a) + 1 || 99) - (Object.keys(SKIP_COLORS).indexOf(b) + 1 || 99));
  const scenarioRows: Row[] = areas.map((a) => {
    const n = c.areas[a];
    return {
      label: a,
      segments: [
        { key: 'passed', value: n.passed }, { key: 'failed', value: n.failed }, { key: 'blocked', value: n.blocked },
        ...skipKinds.map((k) => ({ key: `skipped: ${k}`, value: n.skippedByReason[k] ?? 0 })),
      ],
      note: `${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped${n.blocked ? `, ${n.blocked} blocked` : ''}`,
    };
  });
  const scenarios = stackedBars('Scenarios per area: passed, failed, skipped by reason', scenarioRows, [
    { key: 'passed', label: 'passed', color: '#2e7d32' },
    { key: 'failed', label: 'failed', color: '#c62828' },
    { key: 'blocked', label: 'blocked', color: '#ef6c00' },
    ...skipKinds.map((k) => ({ key: `skipped: ${k}`, label: `skipped: ${k}`, color: SKIP_COLORS[k] ?? '#e0e0e0' })),
  ]);
  const reqAreas = Object.keys(c.areaRequirements).sort();
  const requirementRows: Row[] = reqAreas.map((a) => {
    const n = c.areaRequirements[a];
    return {
      label: a,
      segments: [
        { key: 'executed, none failed', value: n.executed - n.failed }, { key: 'failed', value: n.failed },
        { key: 'not observed', value: n.applicable - n.executed }, { key: 'not applicable', value: n.total - n.applicable },
      ],
      note: `${n.executed} of ${n.applicable} applicable executed (${n.total - n.applicable} not applicable)`,
    };
  });
  const requirements = stackedBars('Requirements executed out of applicable, per area', requirementRows, [
    { key: 'executed, none failed', label: 'executed, none failed', color: '#2e7d32' },
    { key: 'failed', label: 'executed, failed', color: '#c62828' },
    { key: 'not observed', label: 'applicable, not observed', color: '#ffb300' },
    { key: 'not applicable', label: 'not applicable', color: '#cfd8dc' },
  ]);
  return { scenarios, requirements };
}
