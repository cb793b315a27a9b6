import { gzipSync } from 'node:zlib';
import { jsx } from 'hono/jsx';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Captcha } from '../../views/portal/captcha.js';
import { captchaCsp, captchaFor, verifyCaptcha } from '../../src/portal/captcha.js';
import { portalSettingsFor } from '../../src/portal/queries.js';
import { portalPage } from '../../src/portal/page.js';
import { formValues } from '../../src/platform/forms.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { newTenant } from '../support/factories.js';
import { enableChargedOff, setPortal } from '../portal/support.js';
import { answerCaptchaQuestion, passCaptchaInBrowser, solveCaptchaInBrowser } from './captcha-browser.js';
import { serveForBrowser, type Served } from './support.js';

let s: Served;
let acme: Tenant;
beforeAll(async () => {
  s = await serveForBrowser();
  // A portal page whose form carries the captcha, and the action that checks it, as /recovery's identification does.
  s.h.app.get('/captcha-form', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    const captcha = await captchaFor(c, settings);
    captchaCsp(c, captcha);
    const form = jsx(
      'form',
      { method: 'post', action: '/captcha-form' },
      jsx('input', { type: 'hidden', name: '_csrf', value: c.var.csrfToken }),
      jsx(Captcha, { ...captcha, invalid: c.req.query('invalid') === '1' }),
      jsx('button', { type: 'submit', class: 'button' }, 'Ver mi oferta'),
    );
    return portalPage(c, { settings, kind: 'recovery', title: 'Captcha', body: jsx('section', { class: 'card' }, form) });
  });
  s.h.app.post('/captcha-form', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    const verdict = await verifyCaptcha(c, settings, await formValues(c));
    return c.text(verdict.ok ? 'accepted' : 'refused', verdict.ok ? 200 : verdict.retryAfterMs === undefined ? 422 : 429);
  });
  acme = await newTenant(s.h, { name: 'Financiera Andina' });
  await setPortal(s.h, acme, { recoveryActive: true });
  // The page's fresh challenges come from /recovery, open only with the app on.
  await enableChargedOff(s.h, acme);
});
afterAll(() => s?.close());

const phone = (javaScript: boolean): Promise<BrowserContext> => s.context({ phone: true, javaScript });

/** Everything the page could not do: script errors, console errors, and CSP refusals. */
async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && !/status of 4\d\d/.test(m.text()) && problems.push(`console: ${m.text()}`));
  await page.exposeFunction('reportViolation', (text: string) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return problems;
}

/** The paths the page asks for from now on, as they are asked. */
function requestedPaths(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (r) => paths.push(new URL(r.url()).pathname));
  return paths;
}

async function submit(page: Page): Promise<string> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Ver mi oferta' }).click()]);
  await page.waitForLoadState('load');
  expect(await response.text()).toBe(await page.locator('body').textContent());
  return (await response.text()).trim();
}

describe('the captcha in a phone browser', () => {
  it('loads at the first touch, solves itself under the strict CSP, says so in Spanish, and the form passes', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const problems = await watch(page);
    const fetched = requestedPaths(page);
    await page.goto(s.url(acme.subdomain, '/captcha-form'), { waitUntil: 'load' });
    await page.waitForTimeout(300);
    // The first view has the glue only: the widget waits for the debtor.
    expect(fetched.filter((path) => /altcha/.test(path))).toEqual([]);
    expect(await page.evaluate(() => Boolean(customElements.get('altcha-widget')))).toBe(false);
    const waited = await solveCaptchaInBrowser(page);
    console.info(`captcha verified ${waited} ms after load (unthrottled Chromium, widget minimum 500 ms)`);
    await expect.poll(() => page.locator('altcha-widget').textContent()).toContain('Verificado');
    expect(await page.locator('noscript').count()).toBe(1);
    expect(await page.locator('.captcha-question').count()).toBe(0);
    expect(await submit(page)).toBe('accepted');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps the form from being sent while the widget is still working', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/altcha-worker\.[0-9a-f]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await page.goto(s.url(acme.subdomain, '/captcha-form'));
    await page.getByRole('button', { name: 'Ver mi oferta' }).focus();
    await page.locator('altcha-widget .altcha[data-state="verifying"]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Ver mi oferta' }).click();
    await page.waitForTimeout(300);
    expect(posts).toEqual([]);
    expect(await page.locator('form').evaluate((f: HTMLFormElement) => f.checkValidity())).toBe(false);
    release();
    await solveCaptchaInBrowser(page);
    expect(await submit(page)).toBe('accepted');
    await context.close();
  });

  it('sends a form pressed before anything else (filled by the browser) once the widget, loaded then, has solved it', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const problems = await watch(page);
    await page.goto(s.url(acme.subdomain, '/captcha-form'), { waitUntil: 'load' });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 30_000 }),
      page.getByRole('button', { name: 'Ver mi oferta' }).click(),
    ]);
    expect(await response.text()).toBe('accepted');
    expect(problems).toEqual([]);
    await context.close();
  });

  describe('on a page left open past the challenge\'s ten minutes', () => {
    /** Lets the test move the page's monotonic timer on, as the minutes a debtor leaves a page open would. */
    async function movableTimer(page: Page) {
      await page.addInitScript(() => {
        const real = performance.now.bind(performance);
        const w = window as unknown as { __ahead: number };
        w.__ahead = 0;
        performance.now = () => real() + w.__ahead;
      });
      return async (ms: number) => {
        await page.evaluate((by) => ((window as unknown as { __ahead: number }).__ahead += by), ms);
        s.h.clock.advance(ms);
      };
    }

    it('fetches a fresh challenge when the widget starts late, and the form passes', async () => {
      const context = await phone(true);
      const page = await context.newPage();
      const problems = await watch(page);
      const wait = await movableTimer(page);
      const fetched = requestedPaths(page);
      await page.goto(s.url(acme.subdomain, '/captcha-form'), { waitUntil: 'load' });
      await wait(11 * 60_000);
      await solveCaptchaInBrowser(page);
      expect(fetched).toContain('/recovery/captcha');
      expect(await submit(page)).toBe('accepted');
      expect(problems).toEqual([]);
      await context.close();
    });

    it('solves again before sending a solution that has grown old, and the form passes', async () => {
      const context = await phone(true);
      const page = await context.newPage();
      const wait = await movableTimer(page);
      await page.goto(s.url(acme.subdomain, '/captcha-form'), { waitUntil: 'load' });
      await solveCaptchaInBrowser(page);
      const fetched = requestedPaths(page);
      await wait(11 * 60_000);
      expect(await submit(page)).toBe('accepted');
      expect(fetched).toContain('/recovery/captcha');
      await context.close();
    });
  });

  it('sends the form once when a slow network makes the debtor tap again', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && posts.push(r.url()));
    await page.route('**/captcha-form', async (route) => {
      if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await page.goto(s.url(acme.subdomain, '/captcha-form'), { waitUntil: 'load' });
    await solveCaptchaInBrowser(page);
    // Two taps on the button, the second while the first send is on its way.
    const box = (await page.getByRole('button', { name: 'Ver mi oferta' }).boundingBox())!;
    const responded = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(300);
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await (await responded).text()).toBe('accepted');
    await page.waitForLoadState('load');
    expect(await page.locator('body').textContent()).toBe('accepted');
    expect(posts).toHaveLength(1);
    await context.close();
  });

  it('shows the question at once, and loads nothing, where the widget could not work (no Web Crypto)', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const fetched = requestedPaths(page);
    await page.addInitScript(() => Object.defineProperty(window, 'isSecureContext', { value: false }));
    await page.goto(s.url(acme.subdomain, '/captcha-form'));
    await page.locator('.captcha-question').waitFor();
    expect(await page.locator('altcha-widget').count()).toBe(0);
    await page.getByLabel(/¿Cuánto es/).focus();
    await page.waitForTimeout(200);
    expect(fetched.filter((path) => /altcha/.test(path))).toEqual([]);
    await answerCaptchaQuestion(page, s.h.clock);
    expect(await submit(page)).toBe('accepted');
    await context.close();
  });

  it('without JavaScript shows a labelled question in words, which passes after a few seconds, once', async () => {
    const context = await phone(false);
    const page = await context.newPage();
    await page.goto(s.url(acme.subdomain, '/captcha-form'));
    const question = page.locator('label[for="f-captchaAnswer"]');
    expect(await question.textContent()).toMatch(/^¿Cuánto es \p{L}+ (más|menos) \p{L}+\?$/u);
    expect(await page.getByLabel(/¿Cuánto es/).getAttribute('inputmode')).toBe('numeric');
    await page.getByLabel(/¿Cuánto es/).fill('99');
    s.h.clock.advance(5_000);
    expect(await submit(page)).toBe('refused');
    await page.goto(s.url(acme.subdomain, '/captcha-form'));
    await passCaptchaInBrowser(page, false, s.h.clock);
    const answer = await page.getByLabel(/¿Cuánto es/).inputValue();
    expect(await submit(page)).toBe('accepted');
    // The same question again (the page kept in history): spent.
    await page.goBack();
    await page.getByLabel(/¿Cuánto es/).fill(String(answer));
    expect(await submit(page)).toBe('refused');
    await context.close();
  });

  it('shows the question when the widget cannot work (its worker blocked), and the question passes', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    await page.route(/altcha-worker\.[0-9a-f]+\.js$/, (route) => route.abort());
    await page.goto(s.url(acme.subdomain, '/captcha-form'));
    await page.getByRole('button', { name: 'Ver mi oferta' }).focus();
    await page.locator('.captcha-question').waitFor({ timeout: 30_000 });
    expect(await page.locator('altcha-widget').count()).toBe(0);
    await answerCaptchaQuestion(page, s.h.clock);
    expect(await submit(page)).toBe('accepted');
    await context.close();
  });

  it('weighs little: a first view within 30 KB, then the widget script and stylesheet, gzipped as served', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    const bodies: { url: string; type: string; bytes: number; gzip: number }[] = [];
    page.on('response', async (r) => {
      const body = await r.body().catch(() => Buffer.alloc(0));
      const url = new URL(r.url()).pathname;
      // Each worker the widget starts asks for the same file; the browser fetches it once.
      if (!bodies.some((b) => b.url === url)) bodies.push({ url, type: r.request().resourceType(), bytes: body.length, gzip: gzipSync(body).length });
    });
    await page.goto(s.url(acme.subdomain, '/captcha-form'), { waitUntil: 'load' });
    await page.waitForTimeout(300);
    const firstView = bodies.filter((b) => ['document', 'stylesheet', 'script'].includes(b.type)).reduce((sum, b) => sum + b.gzip, 0);
    await solveCaptchaInBrowser(page);
    await page.waitForTimeout(200);
    const of = (pattern: RegExp) => bodies.filter((b) => pattern.test(b.url)).reduce((sum, b) => sum + b.gzip, 0);
    const widget = of(/\/static\/altcha\.[0-9a-f]+\.(js|css)$/);
    const worker = of(/\/static\/altcha-worker\.[0-9a-f]+\.js$/);
    const page_ = bodies.filter((b) => ['document', 'stylesheet', 'script'].includes(b.type)).reduce((sum, b) => sum + b.gzip, 0);
    console.info('captcha weight (gzip bytes):', JSON.stringify({ firstView, widgetJsCss: widget, worker, wholeTestPage: page_, files: bodies.map((b) => `${b.url} ${b.type} ${b.gzip}`) }));
    expect(firstView).toBeLessThanOrEqual(30 * 1024);
    expect(widget).toBeGreaterThan(20_000);
    expect(widget).toBeLessThanOrEqual(36 * 1024);
    expect(worker).toBeLessThanOrEqual(3 * 1024);
    expect(page_).toBeLessThanOrEqual(60 * 1024);
    await context.close();
  });
});
