import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm } from '@rnnkit/cells';
import { createDiagnostics, renderHtmlReport, standardProbes } from '@rnnkit/diagnostics';
import { createRng, type ParamTree } from '@rnnkit/tensor';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from './helpers.js';

// The HTML report in a real browser: Debian's headless Chromium opens the self-contained page from
// a file, with no console errors and no page errors; every SVG chart lays out with a non-zero box and
// has drawn marks; a full-page screenshot goes to a temp dir (its path is printed).
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const CI = process.env.CI === 'true';

describe('HTML report in headless Chromium (playwright-core)', () => {
  let browser: Browser | undefined;
  let skip: string | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      const why = `${CHROMIUM} is missing (apt-get install chromium); skipping the browser check of the HTML report`;
      if (CI) throw new Error(why);
      skip = why;
      console.warn(why);
      return;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('opens without console or page errors, its SVG charts render, and a screenshot is stored', async (ctx) => {
    if (skip !== undefined) ctx.skip(skip);
    // A real report: 6 training steps of an LSTM with every standard probe attached.
    const be = createCpuBackend();
    const cell = lstm({ inputSize: 3, hiddenSize: 6 });
    const rng = createRng(2);
    const diag = createDiagnostics(standardProbes({ rng, cell, params: (p) => (p as { cell: ParamTree }).cell, maxNorm: 1, jacobianEvery: 2 }), { model: 'LSTM 6', task: 'browser test' });
    await train(cell, be, () => createRng(2), 6, 8, 4, diag);
    const html = renderHtmlReport(diag.result(), { title: 'LSTM report in Chromium' });
    diag.dispose();
    expect(be.stats().liveHandles).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'rnnkit-diagnostics-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);

    const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    const response = await page.goto(url, { waitUntil: 'load' });
    expect(response?.ok() ?? true).toBe(true);
    expect(await page.title()).toBe('LSTM report in Chromium');

    // Every SVG lays out with a non-zero box and has drawn marks with a non-zero extent.
    const svgs = page.locator('svg');
    const count = await svgs.count();
    expect(count).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < count; i++) {
      const svg = svgs.nth(i);
      const box = await svg.boundingBox();
      const label = (await svg.getAttribute('aria-label')) ?? (await svg.locator('title').first().textContent().catch(() => null)) ?? `svg #${i}`;
      expect(box, `${label}: no layout box`).not.toBeNull();
      expect(box!.width, `${label}: width`).toBeGreaterThan(0);
      expect(box!.height, `${label}: height`).toBeGreaterThan(0);
      const marks = await svg.evaluate((el) => {
        const drawn = Array.from(el.querySelectorAll<SVGGraphicsElement>('path, polyline, line, rect, circle'));
        return drawn.filter((d) => {
          const b = d.getBBox();
          return b.width > 0 || b.height > 0;
        }).length;
      });
      expect(marks, `${label}: nothing drawn`).toBeGreaterThan(0);
    }
    // Self-contained: the page itself is the only request.
    expect(requests).toEqual([url]);

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    console.log(`diagnostics HTML report screenshot: ${shot} (page: ${file})`);
    await page.close();
    expect(problems).toEqual([]);
  }, 120_000);
});
