/**
 * Debtor portals on a cheap phone: the bytes of each page's first view as they cross the
 * network (compressed, headers included), and how long a slow 3G phone (400 kbit/s each way,
 * 400 ms round trip, CPU 4× slower) waits until the statement, the offer and a solved captcha
 * are on screen. Each timing starts from a cold cache in a fresh browser context.
 * Usage: npm run bench:portal (also run at the end of npm run bench). Target: ≤ 3 s.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { activeCampaign, debtor, newOrder, setPortal } from '../portal/support.js';
import { serveForBrowser, type Served } from '../e2e/support.js';
import { newTenant } from '../support/factories.js';
import sharp from 'sharp';
import { shrinkImage } from '../../src/portal/images.js';
import { newKey, storageFor } from '../../src/storage/index.js';

/**
 * A tenant's logo and banner as they come from a designer and a phone: a photo-like scene
 * (gradients, shapes and grain, which compress as photos do), made small as an upload is.
 */
async function tenantImages(tenantId: number, config: Parameters<typeof storageFor>[0]) {
  const width = 2000;
  const height = 1500;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const grain = ((x * 7919 + y * 104729) % 23) - 11;
      pixels[i] = Math.max(0, Math.min(255, 40 + (x * 180) / width + grain));
      pixels[i + 1] = Math.max(0, Math.min(255, 90 + 60 * Math.sin(y / 90) + grain));
      pixels[i + 2] = Math.max(0, Math.min(255, 200 - (y * 120) / height + grain));
    }
  }
  const photo = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(`<svg width="${width}" height="${height}"><circle cx="1400" cy="500" r="320" fill="#f4c542"/><rect x="200" y="900" width="900" height="380" rx="40" fill="#2e7d32"/><text x="260" y="1150" font-size="160" fill="#fff">Financiera</text></svg>`) }])
    .jpeg({ quality: 88 })
    .toBuffer();
  const storage = storageFor(config);
  const keys: Record<string, string> = {};
  for (const [name, purpose] of [['logo', 'logo'], ['banner', 'banner']] as const) {
    const shrunk = await shrinkImage(new Uint8Array(photo), purpose);
    if (!shrunk.ok) throw new Error(shrunk.error);
    keys[name] = newKey(tenantId, `bench-${name}.webp`);
    await storage.put(keys[name]!, shrunk.bytes);
  }
  return keys;
}

const SLOW_3G = { offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8 };
const RUNS = 3;

async function throttle(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

/**
 * Bytes on the wire for everything a first view loads (the document, its stylesheet and
 * scripts, the tenant's logo and banner) until the page has loaded; what comes later on its
 * own (htmx, when the countdown is first due to refresh; the captcha, at the debtor's first
 * touch) is not counted.
 */
async function firstViewBytes(served: Served, storage: Awaited<ReturnType<BrowserContext['storageState']>>, url: string): Promise<number> {
  const context = await served.browser.newContext({ storageState: storage, viewport: { width: 360, height: 740 }, isMobile: true, locale: 'es-PE' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const types = new Map<string, string>();
  let bytes = 0;
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e) => {
    if (types.has(e.requestId)) bytes += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(500);
  await context.close();
  return bytes;
}

/** Milliseconds from navigation until `selector` is visible, on the slow phone, cold cache. */
async function timeUntil(served: Served, storage: Awaited<ReturnType<BrowserContext['storageState']>>, url: string, selector: string): Promise<number> {
  const context = await served.browser.newContext({ storageState: storage, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'es-PE' });
  const page = await context.newPage();
  await throttle(context, page);
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: 60_000 });
  const ms = performance.now() - started;
  await context.close();
  return Math.round(ms);
}

/** Milliseconds from the first tap on the document number (form on screen) until the captcha is solved, slow phone, cold cache. */
async function captchaAfterTouch(served: Served, url: string): Promise<number> {
  const context = await served.browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'es-PE' });
  const page = await context.newPage();
  await throttle(context, page);
  await page.goto(url, { waitUntil: 'load' });
  const started = performance.now();
  await page.getByLabel('Número de documento').tap();
  await page.locator('altcha-widget .altcha[data-state="verified"]').waitFor({ state: 'attached', timeout: 60_000 });
  const ms = performance.now() - started;
  await context.close();
  return Math.round(ms);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function runPortalBench(): Promise<Record<string, unknown>> {
  const served = await serveForBrowser();
  try {
    const h = served.h;
    const tenant = await newTenant(h, { name: 'Financiera Andina' });
    await setPortal(h, tenant, {
      recoveryActive: true,
      countdownEnabled: true,
      countdownHours: 48,
      bankDetails: 'BCP Cuenta corriente 193-1234567-0-12',
      payLinkTemplate: 'https://pagos.example.pe/pay?ref={code}&monto={amount}',
    });
    // With the images a tenant would upload: they are part of what a debtor's phone loads.
    const images = await tenantImages(tenant.id, h.deps.config);
    await setPortal(h, tenant, { customerLogoKey: images.logo!, recoveryLogoKey: images.logo!, recoveryBannerKey: images.banner! });
    const rosa = await debtor(h, tenant);
    for (let i = 0; i < 6; i++) {
      await newOrder(h, tenant, rosa.id, { paymentCode: `OP-${i}`, product: i % 2 ? 'Tarjeta' : 'Crédito vehicular', amount: 350_00 + i * 1000, issueDate: '2019-12-01', dueDate: i < 3 ? '2020-01-31' : '2099-12-31' });
    }
    const luis = await debtor(h, tenant, { name: 'Luis Rojas', documentNumber: '40404040', phone: '+51911222333', email: 'luis@example.pe' });
    await activeCampaign(h, tenant, luis.id);

    // Identified visits, recorded once and reused by every measured context.
    const browser = await served.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await browser.newPage();
    await page.goto(served.url(tenant.subdomain, '/'));
    await page.getByLabel('Número de documento').fill(rosa.documentNumber);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.waitForURL(/\/verificacion$/);
    const atContactStep = await browser.storageState();
    await page.getByLabel('Celular o correo electrónico').fill(rosa.phone!);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/estado-de-cuenta$/);
    const customer = await browser.storageState();
    await browser.close();

    const recoveryContext = await served.browser.newContext({ viewport: { width: 360, height: 740 } });
    const recoveryPage = await recoveryContext.newPage();
    await recoveryPage.goto(served.url(tenant.subdomain, '/'));
    await recoveryPage.getByLabel('Número de documento').fill(luis.documentNumber);
    await recoveryPage.getByRole('button', { name: 'Continuar' }).click();
    await recoveryPage.waitForURL(/\/verificacion$/);
    await recoveryPage.getByLabel('Celular o correo electrónico').fill(luis.phone!);
    await recoveryPage.getByRole('button', { name: 'Ingresar' }).click();
    await recoveryPage.waitForURL(/\/recovery/);
    const recovery = await recoveryContext.storageState();
    await recoveryContext.close();
    const anonymous = { cookies: [], origins: [] };

    const url = (path: string) => served.url(tenant.subdomain, path);
    const bytes: Record<string, number> = {
      '/': await firstViewBytes(served, anonymous, url('/')),
      '/verificacion': await firstViewBytes(served, atContactStep, url('/verificacion')),
      '/estado-de-cuenta': await firstViewBytes(served, customer, url('/estado-de-cuenta')),
      '/recovery': await firstViewBytes(served, anonymous, url('/recovery')),
      '/recovery/oferta': await firstViewBytes(served, recovery, url('/recovery/oferta')),
      '/recovery/pago': await firstViewBytes(served, recovery, url('/recovery/pago')),
    };

    const timings: Record<string, number[]> = { statement: [], offer: [], recoveryForm: [], captchaSolved: [] };
    for (let run = 0; run < RUNS; run++) {
      timings.statement!.push(await timeUntil(served, customer, url('/estado-de-cuenta'), '.summary h1'));
      timings.offer!.push(await timeUntil(served, recovery, url('/recovery/oferta'), '.offer h1'));
      timings.recoveryForm!.push(await timeUntil(served, anonymous, url('/recovery'), 'form button[type=submit]'));
      // The proof of work loads and solves itself from the debtor's first touch; this is the wait they could notice.
      timings.captchaSolved!.push(await captchaAfterTouch(served, url('/recovery')).catch(() => -1));
    }
    const slow3g = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, { medianMs: median(v), runsMs: v }]));
    return {
      firstViewBytes: bytes,
      budgets: { portalPageBytes: 30 * 1024, statementVisibleMs: 3000 },
      slow3g,
      network: '400 kbit/s down and up, 400 ms RTT, CPU 4× slower, cold cache',
    };
  } finally {
    await served.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = { bench: 'portals', at: new Date().toISOString(), ...(await runPortalBench()) };
  const json = JSON.stringify(result, null, 2);
  console.log(json);
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(`bench-results/portals-${result.at.replace(/[:.]/g, '-')}.json`, json);
  process.exit(0);
}
