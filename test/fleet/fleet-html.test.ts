/**
 * fleet.html opened from the file system in a real headless Chromium (as browser.test.ts does):
 * the machines and the requirement x machine matrix are drawn, a column header sorts, and the
 * filters choose rows and columns. Skipped, saying so, where Chromium is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fleetHtml } from '../../src/fleet/fleet-html';
import { FleetAccumulator } from '../../src/fleet/summary';
import type { Compliance, RequirementStatus } from '../../src/reports/compliance';
import { tempDir } from '../support/suite';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** A compliance report with just what the fleet summary reads. */
function compliance(kind: 'fails' | 'partial' | 'conforms', statuses: Record<string, RequirementStatus>): Compliance {
  const n = (s: RequirementStatus) => Object.values(statuses).filter((x) => x === s).length;
  return {
    target: null,
    verdict: {
      kind, title: kind.toUpperCase(), line: `${kind.toUpperCase()}: made up`, executedPercent: 50,
      scenarios: { total: 4, passed: n('passed'), failed: n('failed'), skipped: n('not-observed') + n('not-applicable'), blocked: 0, defects: 0, skippedByReason: {} },
      requirements: { total: 4, applicable: 4 - n('not-applicable'), notApplicable: n('not-applicable'), executed: n('passed') + n('failed'), failed: n('failed'), notObserved: n('not-observed'), notObservedByReason: {} },
    },
    requirements: Object.entries(statuses).map(([id, status]) => ({
      id, area: 'host', feature: 'f', rule: `rule of ${id}`, source: [], status, applicable: status !== 'not-applicable', executed: status === 'passed' || status === 'failed',
      scenarios: [], skipReasons: [], notObserved: status === 'not-observed' ? [{ kind: 'cannot-observe' as const, reason: 'r' }] : [],
    })),
  } as unknown as Compliance;
}

test('fleet.html draws the machines and the matrix, sorts by a column, and filters rows and columns', async (t) => {
  const acc = new FleetAccumulator('/fleet', { version: '0.1.0', revision: null });
  acc.add('alpha', '/fleet/alpha', 'alpha', compliance('fails', { 'r.a': 'failed', 'r.b': 'passed', 'r.c': 'not-observed', 'r.d': 'not-applicable' }));
  acc.add('beta', '/fleet/beta', 'beta', compliance('fails', { 'r.a': 'failed', 'r.b': 'failed', 'r.c': 'passed', 'r.d': 'not-applicable' }));
  acc.add('gamma', '/fleet/gamma', 'gamma', compliance('conforms', { 'r.a': 'passed', 'r.b': 'passed', 'r.c': 'passed', 'r.d': 'passed' }));
  const s = acc.summary();
  assert.deepEqual(s.requirements.map((r) => [r.id, r.passed, r.failed, r.notObserved, r.notApplicable]),
    [['r.a', 1, 2, 0, 0], ['r.b', 2, 1, 0, 0], ['r.c', 2, 0, 1, 0], ['r.d', 1, 0, 0, 2]]);
  if (!CHROMIUM) return t.skip('Chromium not installed (apt install chromium)');
  const file = join(tempDir('fleet-html'), 'fleet.html');
  writeFileSync(file, fleetHtml(s));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.locator('#matrix tbody tr').first().waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#machines tbody tr').count(), 3);
    assert.equal(await page.locator('#matrix tbody tr').count(), 4);
    assert.equal(await page.locator('#matrix tbody tr').first().locator('td.c').count(), 3, 'a column per machine');
    // Sort the requirements by how many machines failed them (most first).
    await page.locator('#matrix th[data-key="failed"]').click();
    assert.equal(await page.locator('#matrix tbody tr td').first().innerText(), 'r.a');
    // Only requirements that failed somewhere.
    await page.selectOption('#status-filter', 'failed');
    assert.equal(await page.locator('#matrix tbody tr').count(), 2);
    // Machines filtered by name choose the matrix's columns too.
    await page.fill('#machine-filter', 'gamma');
    assert.equal(await page.locator('#machines tbody tr').count(), 1);
    assert.equal(await page.locator('#matrix tbody tr').count(), 0, 'gamma failed nothing');
    await page.selectOption('#status-filter', '');
    assert.equal(await page.locator('#matrix tbody tr').first().locator('td.c').count(), 1);
    // Machines sorted by verdict: the failing ones first.
    await page.fill('#machine-filter', '');
    await page.locator('#machines th[data-key="verdict"]').click();
    assert.match(await page.locator('#machines tbody tr').first().innerText(), /^(alpha|beta)/);
  } finally {
    await browser.close();
  }
});
