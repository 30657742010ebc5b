/**
 * fleet.html: the fleet summary as one self-contained page (the data and a small script inline,
 * no external resource), to open from the file system. It shows the machines (verdict, counts,
 * kernel, module, gate) and the requirement x machine matrix; both can be sorted (click a column
 * header) and filtered (text filters on requirements and machines, a status filter on each).
 */
import type { FleetSummary } from './summary';
import { fleetLine } from './summary';

const h = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that may sit inside a <script> element. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const STYLE = `
body { font-family: sans-serif; margin: 1.5em; color: #212121; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.45em; text-align: left; vertical-align: top; font-size: 0.9em; }
th { background: #f5f5f5; cursor: pointer; user-select: none; }
th.sorted-asc::after { content: ' \\25B2'; } th.sorted-desc::after { content: ' \\25BC'; }
.verdict { font-size: 1.15em; padding: 0.5em; border-left: 6px solid #9e9e9e; background: #fafafa; }
.controls { margin: 0.6em 0; display: flex; flex-wrap: wrap; gap: 0.8em; align-items: center; }
.controls input[type=search] { width: 18em; }
#matrix td.c { width: 1.1em; min-width: 1.1em; padding: 0; text-align: center; font-size: 0.75em; border-color: #fff; }
#matrix th.m { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: normal; font-size: 0.75em; padding: 0.3em 0; max-height: 14em; white-space: nowrap; overflow: hidden; }
.passed { background: #c8e6c9; } .failed { background: #e53935; color: #fff; font-weight: bold; }
.not-observed { background: #ffe082; } .not-applicable { background: #eeeeee; color: #9e9e9e; }
.k-conforms { color: #2e7d32; } .k-fails { color: #c62828; font-weight: bold; } .k-partial { color: #8d6e00; } .k-unreadable { color: #c62828; }
.legend span { display: inline-block; padding: 0 0.5em; margin-right: 0.4em; }
.count { color: #616161; }
`;

/** The page's script: renders both tables from the embedded summary, with sorting and filtering. */
const SCRIPT = `
(function () {
  var S = JSON.parse(document.getElementById('fleet-data').textContent);
  var esc = function (s) { return String(s == null ? '' : s).replace(/[&<>"]/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]; }); };
  var kindRank = { fails: 0, unreadable: 1, 'nothing-executed': 2, partial: 3, conforms: 4 };
  var cellClass = function (c) { return c ? c.split(':')[0] : 'not-applicable'; };
  var glyph = { passed: '', failed: '\\u2717', 'not-observed': '?', 'not-applicable': '' };
  var state = { mSort: { key: 'key', dir: 1 }, rSort: { key: 'id', dir: 1 } };
  var el = function (id) { return document.getElementById(id); };

  function machineVisible(m) {
    var q = el('machine-filter').value.toLowerCase();
    var v = el('verdict-filter').value;
    if (v && m.verdict.kind !== v && !(v === 'gate-failed' && m.gate && !m.gate.passed)) return false;
    if (!q) return true;
    var t = m.target || {};
    return [m.key, t.kernel, t.module, t.cpu, t.flavour].join(' ').toLowerCase().indexOf(q) >= 0;
  }
  function machineValue(m, key) {
    var sc = m.scenarios || {}, rq = m.requirements || {};
    switch (key) {
      case 'verdict': return kindRank[m.verdict.kind];
      case 'passed': return sc.passed || 0;
      case 'failed': return sc.failed || 0;
      case 'skipped': return sc.skipped || 0;
      case 'executed': return rq.applicable ? rq.executed / rq.applicable : 0;
      case 'kernel': return (m.target && m.target.kernel) || '';
      case 'module': return (m.target && m.target.module) || '';
      case 'gate': return m.gate ? (m.gate.passed ? 1 : 0) : 2;
      default: return m.key;
    }
  }
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function sortedMachines() {
    var s = state.mSort;
    return S.machines.filter(machineVisible).sort(function (a, b) { return s.dir * cmp(machineValue(a, s.key), machineValue(b, s.key)) || cmp(a.key, b.key); });
  }
  function reqVisible(r, machines) {
    var q = el('req-filter').value.toLowerCase();
    if (q && (r.id + ' ' + (r.rule || '') + ' ' + (r.area || '')).toLowerCase().indexOf(q) < 0) return false;
    var f = el('status-filter').value;
    if (!f) return true;
    var row = S.matrix[r.id] || {};
    var cells = machines.map(function (m) { return cellClass(row[m.key]); });
    if (f === 'failed') return cells.indexOf('failed') >= 0;
    if (f === 'not-observed') return cells.indexOf('not-observed') >= 0;
    if (f === 'applicable') return cells.some(function (c) { return c !== 'not-applicable'; });
    if (f === 'passed-everywhere') return cells.indexOf('failed') < 0 && cells.indexOf('not-observed') < 0 && cells.indexOf('passed') >= 0;
    return true;
  }
  function reqValue(r, key) { return key === 'id' ? r.id : key === 'area' ? (r.area || '') : -r[key]; }
  function header(id, cols, sort) {
    return '<tr>' + cols.map(function (c) {
      var cls = (c.cls || '') + (sort.key === c.key ? (sort.dir > 0 ? ' sorted-asc' : ' sorted-desc') : '');
      return '<th data-table="' + id + '" data-key="' + esc(c.key) + '" class="' + cls + '" title="' + esc(c.title || 'sort') + '">' + esc(c.label) + '</th>';
    }).join('') + '</tr>';
  }
  function render() {
    var machines = sortedMachines();
    var mcols = [{ key: 'key', label: 'Machine' }, { key: 'verdict', label: 'Verdict' }, { key: 'passed', label: 'Passed' }, { key: 'failed', label: 'Failed' },
      { key: 'skipped', label: 'Skipped' }, { key: 'executed', label: 'Requirements executed' }, { key: 'kernel', label: 'Kernel' }, { key: 'module', label: 'Module' }];
    if (S.totals.gateFailed !== undefined) mcols.push({ key: 'gate', label: 'Gate' });
    var rows = machines.map(function (m) {
      var sc = m.scenarios || {}, rq = m.requirements, t = m.target || {};
      var gate = m.gate ? (m.gate.passed ? 'passed' : 'FAILED (' + m.gate.blocking + ')') + (m.gate.changed.length ? '; ' + m.gate.changed.join('; ') : '') : '';
      return '<tr><td><a href="' + esc(encodeURI(m.reports)) + '/compliance.html">' + esc(m.key) + '</a></td><td class="k-' + esc(m.verdict.kind) + '">' + esc(m.verdict.line) + '</td>' +
        '<td>' + (sc.passed == null ? '-' : sc.passed) + '</td><td>' + (sc.failed == null ? '-' : sc.failed) + '</td><td>' + (sc.skipped == null ? '-' : sc.skipped) + '</td>' +
        '<td>' + (rq ? rq.executed + ' of ' + rq.applicable : '-') + '</td><td>' + esc(t.kernel || '-') + '</td><td>' + esc(t.module || '-') + '</td>' +
        (S.totals.gateFailed !== undefined ? '<td>' + esc(gate || '-') + '</td>' : '') + '</tr>';
    });
    el('machines').innerHTML = '<thead>' + header('m', mcols, state.mSort) + '</thead><tbody>' + rows.join('') + '</tbody>';
    el('machine-count').textContent = machines.length + ' of ' + S.machines.length + ' machines shown';

    var cols = machines.filter(function (m) { return m.requirements; });
    var rs = state.rSort;
    var reqs = S.requirements.filter(function (r) { return reqVisible(r, cols); })
      .sort(function (a, b) { return rs.dir * cmp(reqValue(a, rs.key), reqValue(b, rs.key)) || cmp(a.id, b.id); });
    var rcols = [{ key: 'id', label: 'Requirement' }, { key: 'passed', label: 'Passed', title: 'machines on which it passed; click to sort' },
      { key: 'failed', label: 'Failed', title: 'machines on which it failed; click to sort' }, { key: 'notObserved', label: 'Not observed', title: 'machines that could not show it; click to sort' },
      { key: 'notApplicable', label: 'N/A', title: 'machines it does not apply to; click to sort' }];
    var head = header('r', rcols, rs).replace('</tr>', cols.map(function (m) { return '<th class="m" title="' + esc(m.key + ': ' + m.verdict.line) + '">' + esc(m.key) + '</th>'; }).join('') + '</tr>');
    var body = reqs.map(function (r) {
      var row = S.matrix[r.id] || {};
      return '<tr><td title="' + esc(r.rule || '') + '">' + esc(r.id) + '</td><td>' + r.passed + '</td><td' + (r.failed ? ' class="failed"' : '') + '>' + r.failed + '</td><td>' + r.notObserved + '</td><td>' + r.notApplicable + '</td>' +
        cols.map(function (m) { var c = row[m.key]; var k = cellClass(c); return '<td class="c ' + k + '" title="' + esc(r.id + ' on ' + m.key + ': ' + (c || 'not-applicable')) + '">' + glyph[k] + '</td>'; }).join('') + '</tr>';
    });
    el('matrix').innerHTML = '<thead>' + head + '</thead><tbody>' + body.join('') + '</tbody>';
    el('req-count').textContent = reqs.length + ' of ' + S.requirements.length + ' requirements shown, on ' + cols.length + ' machines';
  }
  document.addEventListener('click', function (e) {
    var th = e.target.closest && e.target.closest('th[data-key]');
    if (!th) return;
    var s = th.getAttribute('data-table') === 'm' ? state.mSort : state.rSort;
    var key = th.getAttribute('data-key');
    s.dir = s.key === key ? -s.dir : 1;
    s.key = key;
    render();
  });
  ['machine-filter', 'verdict-filter', 'req-filter', 'status-filter'].forEach(function (id) { el(id).addEventListener('input', render); });
  render();
})();
`;

export function fleetHtml(s: FleetSummary): string {
  const t = s.totals;
  const worst = t.fails || t.unreadable || (t.gateFailed ?? 0) ? 'fails' : t.partial || t.nothingExecuted ? 'partial' : 'conforms';
  return [
    '<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
    `<title>TDX conformance: fleet of ${t.machines} machines</title>`, `<style>${STYLE}</style>`, '</head>', '<body>',
    '<h1>TDX conformance: fleet summary</h1>',
    `<p class="verdict k-${worst}"><strong>${h(fleetLine(s))}</strong></p>`,
    `<p>Captures under <code>${h(s.fleet)}</code>; suite tdx-conformance ${h(s.suite.version)}${s.suite.revision ? ` (revision ${h(s.suite.revision.slice(0, 12))})` : ''}; generated ${h(s.generatedAt)}. ` +
      'Each machine links to its own compliance report. The same data is in fleet.json and fleet.md.</p>',
    '<noscript><p>This page draws its tables with a script; without it, read fleet.md or fleet.json.</p></noscript>',
    '<h2>Machines</h2>',
    '<div class="controls"><input type="search" id="machine-filter" placeholder="filter machines (name, kernel, module, CPU)" aria-label="filter machines">',
    '<select id="verdict-filter" aria-label="machine verdict"><option value="">every verdict</option><option value="fails">does not conform</option>' +
      '<option value="partial">partial</option><option value="conforms">conforms</option><option value="nothing-executed">nothing executed</option>' +
      '<option value="unreadable">unreadable</option><option value="gate-failed">gate failed</option></select>',
    '<span id="machine-count" class="count"></span></div>',
    '<table id="machines"></table>',
    '<h2>Requirements x machines</h2>',
    '<p class="legend"><span class="passed">passed</span><span class="failed">\u2717 failed</span><span class="not-observed">? not observed (cannot be shown on this machine)</span><span class="not-applicable">not applicable</span> ' +
      'Click a column header to sort; the machine filters above choose the columns.</p>',
    '<div class="controls"><input type="search" id="req-filter" placeholder="filter requirements (id, rule, area)" aria-label="filter requirements">',
    '<select id="status-filter" aria-label="requirement status"><option value="">every requirement</option><option value="failed">failed on some machine</option>' +
      '<option value="not-observed">not observed on some machine</option><option value="passed-everywhere">passed wherever it applies</option>' +
      '<option value="applicable">applicable to some machine</option></select>',
    '<span id="req-count" class="count"></span></div>',
    '<table id="matrix"></table>',
    `<script type="application/json" id="fleet-data">${scriptJson(s)}</script>`,
    `<script>${SCRIPT}</script>`,
    '</body>', '</html>', '',
  ].join('\n');
}
