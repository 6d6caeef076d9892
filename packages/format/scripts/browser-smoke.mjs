#!/usr/bin/env node
// Browser smoke test of @qint/format in headless Chromium (Debian's `chromium` + playwright-core): not part of
// `pnpm test` because CI machines may lack a browser. Run: node scripts/browser-smoke.mjs
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'tsup';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const packages = fileURLToPath(new URL('../..', import.meta.url));
const alias = {};
for (const folder of readdirSync(packages)) {
  const entry = `${packages}${folder}/src/index.ts`;
  if (folder !== 'format' && existsSync(entry)) alias[`@qint/${folder}`] = entry;
}
await build({
  entry: { smoke: `${pkg}scripts/browser/smoke-entry.ts` },
  outDir: `${pkg}.fuzz-build/browser`,
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  noExternal: [/.*/],
  dts: false,
  silent: true,
  config: false,
  esbuildOptions(o) {
    o.alias = alias;
  },
});
const script = readFileSync(`${pkg}.fuzz-build/browser/smoke.js`);
// The page PUTs the .qint it encoded, then reads it back with range requests.
let file = new Uint8Array(0);
const server = createServer((req, res) => {
  if (req.url === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><script type="module" src="/smoke.js"></script>');
  } else if (req.url === '/smoke.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
  } else if (req.url === '/model.qint' && req.method === 'PUT') {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      file = new Uint8Array(Buffer.concat(parts));
      res.writeHead(204).end();
    });
  } else if (req.url === '/model.qint') {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) return res.writeHead(200, { 'Content-Length': file.length }).end(Buffer.from(file));
    const a = Number(m[1]);
    const b = Math.min(Number(m[2]), file.length - 1);
    res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${file.length}`, 'Content-Length': b - a + 1 }).end(Buffer.from(file.subarray(a, b + 1)));
  } else res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = true;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction(() => globalThis.smoke !== undefined);
  const lines = await page.evaluate(() => globalThis.smoke);
  for (const l of lines) console.log(l);
  console.log(await page.evaluate(() => navigator.userAgent));
  failed = lines.some((l) => l.startsWith('FAIL'));
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
