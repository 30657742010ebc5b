/**
 * Opens the generated reports from the file system, as a user opens the printed path, in a real
 * headless Chromium (Debian's package; .ci/run installs it) and checks that the numbers they show
 * match the run. Skipped, with the reason, where Chromium or Java (for the Allure HTML) is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allureReportName, generateAllureHtml, javaAvailable } from '../../src/reports/allure-html';
import { runInto, tempDir } from '../support/suite';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

test('the Allure, cucumber and compliance reports open from the file system and show the numbers of the run', async (t) => {
  if (!CHROMIUM) return t.skip('Chromium not installed (apt install chromium)');
  if (!javaAvailable()) return t.skip('Java not installed: no Allure HTML report to open');
  const dir = tempDir('browser');
  const results = await runInto(dir, { target: 'emulator' }, { paths: ['features/host/erratum.feature', 'features/host/kexec.feature'] });
  const passed = results.filter((r) => r.status === 'passed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  assert.ok(passed > 0 && skipped > 0, 'the sample run should have passes and skips');
  const verdict = JSON.parse(readFileSync(join(dir, 'compliance.json'), 'utf8')).verdict;
  const html = generateAllureHtml(dir, { reportName: allureReportName(verdict) });
  assert.ok(html.generated, 'Allure HTML generated');

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage();
    // As printed at the end of a run: a path, opened from the file system (no web server).
    await page.goto(pathToFileURL(html.file).href);
    await page.getByText('test cases').first().waitFor({ timeout: 30000 });
    const overview = await page.innerText('body');
    assert.match(overview, new RegExp(`\\b${results.length}\\s+test cases`), overview.slice(0, 400));
    assert.match(overview, new RegExp(`Not applicable to this target\\s+${skipped}\\b`), 'skips counted under their category');
    assert.ok(overview.includes(verdict.title), 'the report is named by the verdict');

    await page.goto(pathToFileURL(join(dir, 'cucumber-report.html')).href);
    await page.getByText('passed').first().waitFor({ timeout: 30000 });
    const cucumber = await page.innerText('body');
    assert.match(cucumber, new RegExp(`\\(${passed} / ${results.length}\\) passed`));
    assert.match(cucumber, new RegExp(`PASSED\\s+${passed}\\b`));
    assert.match(cucumber, new RegExp(`SKIPPED\\s+${skipped}\\b`));

    await page.goto(pathToFileURL(join(dir, 'compliance.html')).href);
    const charts = await page.locator('figure svg').count();
    assert.equal(charts, 2, 'both charts shown');
    const box = await page.locator('figure svg').first().boundingBox();
    assert.ok(box && box.width > 100 && box.height > 40, 'the chart is drawn');
    assert.ok((await page.innerText('body')).includes(verdict.line));
  } finally {
    await browser.close();
  }
});
