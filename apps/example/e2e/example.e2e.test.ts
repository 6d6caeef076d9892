// End to end in a real browser (Debian's Chromium through playwright-core): the built page quantizes mnist-8 in a
// Web Worker, shows the results table and chart, and predicts a digit drawn with the mouse.
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFolder } from './static-server';

const app = join(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;
let server: Server;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(app, 'dist-web', 'index.html'))) throw new Error('dist-web/ is missing: run `pnpm build` first');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const served = await serveFolder(join(app, 'dist-web'));
  server = served.server;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(served.url);
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function drawOne(p: Page): Promise<void> {
  // A "1": one vertical stroke through the middle of the pad.
  const box = (await p.locator('#pad').boundingBox())!;
  await p.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.15);
  await p.mouse.down();
  for (let i = 1; i <= 20; i++) await p.mouse.move(box.x + box.width * (0.5 - i * 0.002), box.y + box.height * (0.15 + i * 0.035));
  await p.mouse.up();
}

describe('the example page', () => {
  it('quantizes mnist-8 in the browser and shows a sane table', async () => {
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('done') || document.querySelector('#status')?.textContent?.startsWith('error'), undefined, { timeout: 540_000 });
    expect(await page.textContent('#status')).toMatch(/^done/);
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0])).toEqual(['float32 (ONNX)', 'int8 per-channel', 'int4 per-block 32', 'int4 per-channel GPTQ', 'uniform 3-bit', 'mixed @ 50% of int8', 'mixed @ uniform-3-bit size']);
    for (const row of rows) {
      const accuracy = Number(row[3].replace('%', ''));
      expect(accuracy).toBeGreaterThan(95);
      expect(row[5]).toMatch(/ms$/);
    }
    expect(await page.locator('#chart svg polyline').count()).toBeGreaterThan(0);
    expect(errors, errors.join("\n")).toEqual([]);
  });

  it('predicts a digit drawn with the mouse, float and quantized side by side', async () => {
    await drawOne(page);
    await page.waitForFunction(() => document.querySelectorAll('#predictions tbody tr').length === 3, undefined, { timeout: 30_000 });
    const predictions = await page.$$eval('#predictions tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(predictions.map((p) => p[0])).toEqual(['float32 (ONNX)', 'int8 per-channel', 'mixed @ 50% of int8']);
    for (const p of predictions) expect(p[1]).toBe('1');
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('inspects and quantizes a dropped .onnx file', async () => {
    // A real drop event carrying the model file, as a user dragging mnist-8.onnx onto the page would send.
    await page.evaluate(async () => {
      const bytes = await (await fetch('./data/mnist-8.onnx')).arrayBuffer();
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.onnx'));
      document.querySelector('#drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.querySelector('#drop-result')?.textContent?.includes('int8 dynamic'), undefined, { timeout: 60_000 });
    const text = (await page.textContent('#drop-result')) ?? '';
    expect(text).toMatch(/^dropped\.onnx: 12 nodes, 5,994 parameters/);
    expect(text).toMatch(/int8 dynamic: 3 layers quantized, 0 kept float/);
    mkdirSync(join(app, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(app, 'test-results', 'example-page.png'), fullPage: true });
    expect(errors, errors.join("\n")).toEqual([]);
  });
});
