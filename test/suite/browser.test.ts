/**
 * Opens the generated reports in a real headless Chromium (Debian's package; .ci/run installs
 * it) and checks that the numbers they show match the run. Skipped, with the reason, where
 * Chromium or Java (for the Allure HTML) is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateAllureHtml, javaAvailable } from '../../src/reports/allure-html';
import { runInto, tempDir } from '../support/suite';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    let p = join(root, decodeURIComponent((req.url ?? '/').split('?')[0]));
    if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'index.html');
    if (!existsSync(p)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(readFileSync(p));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the Allure and cucumber HTML reports show the numbers of the run', async (t) => {
  if (!CHROMIUM) return t.skip('Chromium not installed (apt install chromium)');
  if (!javaAvailable()) return t.skip('Java not installed: no Allure HTML report to open');
  const dir = tempDir('browser');
  const results = await runInto(dir, { target: 'emulator' }, { paths: ['features/host/erratum.feature', 'features/host/kexec.feature'] });
  const passed = results.filter((r) => r.status === 'passed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  assert.ok(passed > 0 && skipped > 0, 'the sample run should have passes and skips');
  const html = generateAllureHtml(dir);
  assert.ok(html.generated, 'Allure HTML generated');

  const { chromium } = await import('playwright-core');
  const server = await serve(dir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    await page.goto(`${base}/allure-report/index.html`);
    await page.getByText('test cases').first().waitFor({ timeout: 30000 });
    const overview = await page.innerText('body');
    assert.match(overview, new RegExp(`\\b${results.length}\\s+test cases`), overview.slice(0, 400));
    assert.match(overview, new RegExp(`Not applicable to this target\\s+${skipped}\\b`), 'skips counted under their category');

    await page.goto(`${base}/cucumber-report.html`);
    await page.getByText('passed').first().waitFor({ timeout: 30000 });
    const cucumber = await page.innerText('body');
    assert.match(cucumber, new RegExp(`\\(${passed} / ${results.length}\\) passed`));
    assert.match(cucumber, new RegExp(`PASSED\\s+${passed}\\b`));
    assert.match(cucumber, new RegExp(`SKIPPED\\s+${skipped}\\b`));
  } finally {
    await browser.close();
    server.close();
  }
});
