import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumPath } from '../../vitest.config.js';
import { startTestApp, type Harness } from '../support/app.js';

export interface Served {
  h: Harness;
  browser: Browser;
  port: number;
  /** The base URL of a tenant's host on the served port (*.localhost resolves to loopback). */
  url(subdomain: string, path?: string): string;
  /** A desktop, or a 360×740 phone, with JavaScript on or off. */
  context(options?: { phone?: boolean; javaScript?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** The real app on a real port, driven by Debian's Chromium. */
export async function serveForBrowser(options: { now?: string } = {}): Promise<Served> {
  // Cookies expire by the browser's real clock, so the app's clock starts at the real now.
  const h = await startTestApp({ now: options.now ?? new Date().toISOString(), env: { PORT: '0' } });
  const server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  (h.config as { port: number }).port = port;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
  return {
    h,
    browser,
    port,
    url: (subdomain, path = '/') => `http://${subdomain}.localhost:${port}${path}`,
    context: ({ phone = false, javaScript = true } = {}) =>
      browser.newContext({
        javaScriptEnabled: javaScript,
        viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 800 },
        ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
        locale: 'es-PE',
      }),
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await h.close();
    },
  };
}

/** A cheap phone: 360×740, touch, Spanish (Peru), JavaScript on or off. */
export function phoneContext(browser: Browser, options: { javaScript: boolean; bypassCSP?: boolean }): Promise<BrowserContext> {
  return browser.newContext({
    javaScriptEnabled: options.javaScript,
    bypassCSP: options.bypassCSP ?? false,
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
    locale: 'es-PE',
  });
}

/** gzip of the page and of every stylesheet and script it loads: what a first visit downloads. */
export async function firstViewWeight(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  const bodies: Promise<Buffer>[] = [];
  page.on('response', (r) => {
    if (['document', 'stylesheet', 'script'].includes(r.request().resourceType())) bodies.push(r.body().catch(() => Buffer.alloc(0)));
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(300);
  await page.close();
  return (await Promise.all(bodies)).reduce((sum, body) => sum + gzipSync(body).length, 0);
}
