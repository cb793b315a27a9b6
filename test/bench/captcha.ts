/**
 * Captcha work-factor benchmark (decision 0010): how long the recovery portal's ALTCHA
 * challenge takes to solve, in Node with altcha-lib's solver and in Chromium with the widget
 * as served, at several CPU slow-downs (CDP Emulation.setCPUThrottlingRate).
 * Usage: npx tsx test/bench/captcha.ts [--runs 10] [--rates 1,4,6] [--workers 1,0]
 * (`--workers 0` leaves the widget's default, one worker per core.)
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { Hono } from 'hono';
import { chromium } from 'playwright-core';
import { ALTCHA_COST, COUNTER_MAX, COUNTER_MIN, newAltchaChallenge } from '../../src/portal/captcha.js';
import { loadAssets } from '../../src/platform/assets.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    rates: { type: 'string', default: '1,4,6' },
    workers: { type: 'string', default: '1,0' },
  },
});
const RUNS = Number(values.runs);
const SECRET = 'bench-secret-bench-secret-bench-secret-0';

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length), p50: Math.round(pick(0.5)), p90: Math.round(pick(0.9)), max: Math.round(sorted.at(-1)!) };
};

// Node: one thread, altcha-lib's own solver.
const node: number[] = [];
const counters: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const challenge = await newAltchaChallenge({ secret: SECRET, tenantId: 1, now: new Date() });
  const started = performance.now();
  const solution = await solveChallenge({ challenge, deriveKey });
  node.push(performance.now() - started);
  counters.push(solution!.counter);
}
const meanCounter = counters.reduce((a, b) => a + b, 0) / counters.length;
const nodeStats = stats(node);
console.log(JSON.stringify({ where: 'node, 1 thread', cost: ALTCHA_COST, counter: [COUNTER_MIN, COUNTER_MAX], ms: nodeStats, iterationsPerSecond: Math.round((meanCounter * ALTCHA_COST) / (nodeStats.mean / 1000)) }));

// Chromium: the widget as the portal serves it, under the app's strict policy.
const assets = loadAssets();
const app = new Hono();
app.use(async (c, next) => {
  await next();
  c.header('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'");
});
app.get('/static/:file', (c) => {
  const asset = assets.get(c.req.param('file'));
  return asset ? c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type }) : c.text('Not found', 404);
});
app.get('/', async (c) => {
  const challenge = JSON.stringify(await newAltchaChallenge({ secret: SECRET, tenantId: 1, now: new Date() }));
  const workers = c.req.query('workers');
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return c.html(`<!doctype html><html lang="es"><head><meta charset="utf-8"><link rel="stylesheet" href="${assets.url('altcha.css')}"></head><body>
<form class="captcha"><altcha-widget challenge="${attr(challenge)}" auto="onload" language="es" ${workers && workers !== '0' ? `workers="${workers}"` : ''}
 configuration="${attr(JSON.stringify({ hideFooter: true, humanInteractionSignature: false, minDuration: 0 }))}" data-worker="${assets.url('altcha-worker.js')}" data-strings="{}"></altcha-widget></form>
<script type="module" src="${assets.url('altcha.js')}"></script></body></html>`);
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const { port } = server.address() as AddressInfo;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  for (const workers of values.workers.split(',')) {
    for (const rate of values.rates.split(',').map(Number)) {
      const page = await browser.newPage();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      const wall: number[] = [];
      const solver: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = Date.now();
        await page.goto(`http://localhost:${port}/?workers=${workers}`);
        await page.locator('altcha-widget .altcha[data-state="verified"]').waitFor({ state: 'attached', timeout: 120_000 });
        wall.push(Date.now() - started);
        const payload = await page.locator('altcha-widget input[name="altcha"]').inputValue();
        solver.push(JSON.parse(Buffer.from(payload, 'base64').toString()).solution.time);
      }
      console.log(JSON.stringify({ where: 'chromium', cpuSlowdown: rate, workers: workers === '0' ? 'default (one per core)' : Number(workers), loadToVerifiedMs: stats(wall), solverMs: stats(solver) }));
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
