import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { jsx } from 'hono/jsx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Captcha } from '../../views/portal/captcha.js';
import { maintenanceJob } from '../../src/jobs/maintenance.js';
import { CAPTCHA_FIELDS, CAPTCHA_TTL_MS, COUNTER_MAX, COUNTER_MIN, QUESTION_LIMIT, QUESTION_MIN_MS, captchaCsp, captchaFor, newAltchaChallenge, verifyCaptcha, withCspSources } from '../../src/portal/captcha.js';
import { portalSettingsFor } from '../../src/portal/queries.js';
import { captchaUses } from '../../src/portal/schema.js';
import { formValues } from '../../src/platform/forms.js';
import { render } from '../../src/platform/render.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness, type TestClient } from '../support/app.js';
import { newTenant } from '../support/factories.js';
import { answerTo, challengeIn, questionIn, solvedPayload } from './captcha-support.js';
import { setPortal } from './support.js';

/** Google's siteverify, played by a local server: `good` passes with the right secret, `drop` loses the connection. */
interface SiteVerifyCall {
  secret: string | null;
  response: string | null;
}
const SECRET = 'recaptcha-secret-of-acme';
const calls: SiteVerifyCall[] = [];
let google: Server;

let h: Harness;
beforeAll(async () => {
  google = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const call = { secret: form.get('secret'), response: form.get('response') };
      calls.push(call);
      if (call.response === 'drop') return req.socket.destroy();
      if (call.response === 'broken') return res.writeHead(500).end('oops');
      const success = call.secret === SECRET && call.response === 'good';
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(success ? { success, hostname: 'localhost' } : { success, 'error-codes': ['invalid-input-response'] }));
    });
  });
  await new Promise<void>((resolve) => google.listen(0, '127.0.0.1', resolve));
  const { port } = google.address() as AddressInfo;
  h = await startTestApp({ env: { RECAPTCHA_VERIFY_URL: `http://127.0.0.1:${port}/recaptcha/api/siteverify` } });

  // A form with the captcha and the action that checks it: what /recovery's identification does.
  h.app.get('/captcha-form', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    const captcha = await captchaFor(c, settings);
    captchaCsp(c, captcha);
    const widget = jsx(Captcha, { ...captcha, invalid: c.req.query('invalid') === '1' });
    return render(c, { title: 'captcha', layout: 'none', body: jsx('form', { method: 'post', action: '/captcha-form' }, widget, jsx('button', { type: 'submit' }, 'Enviar')) });
  });
  h.app.post('/captcha-form', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    const verdict = await verifyCaptcha(c, settings, await formValues(c));
    return c.text(verdict.ok ? 'accepted' : 'refused', verdict.ok ? 200 : verdict.retryAfterMs === undefined ? 422 : 429);
  });
});
afterAll(async () => {
  await h.close();
  await new Promise((resolve) => google.close(resolve));
});

async function tenantWith(values: Parameters<typeof setPortal>[2] = {}, attributes: Parameters<typeof newTenant>[1] = {}) {
  const tenant = await newTenant(h, attributes);
  await setPortal(h, tenant, { recoveryActive: true, ...values });
  return tenant;
}

async function formOf(browser: TestClient, query = '') {
  const response = await browser.get(`/captcha-form${query}`);
  expect(response.status).toBe(200);
  return { html: await response.text(), csp: response.headers.get('Content-Security-Policy')! };
}

const post = (browser: TestClient, fields: Record<string, string>) => browser.post('/captcha-form', fields);
const decoded = (payload: string) => JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const quick = (tenant: Pick<Tenant, 'id'>, now = h.clock.now()) => newAltchaChallenge({ secret: h.deps.secret, tenantId: tenant.id, now, counter: 0 }).then(solvedPayload);

describe('ALTCHA, the built-in proof of work', () => {
  it('renders the widget with a challenge signed for the tenant, auto-solving, with its files and the question in <noscript>', async () => {
    const acme = await tenantWith();
    const { html, csp } = await formOf(h.client(acme));
    const challenge = challengeIn(html)!;
    expect(challenge.parameters).toMatchObject({ algorithm: 'PBKDF2/SHA-256', cost: 1000, data: { t: acme.id, e: Math.floor((h.clock.now().getTime() + CAPTCHA_TTL_MS) / 1000) } });
    expect(challenge.parameters).not.toHaveProperty('expiresAt');
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(html).toMatch(/<altcha-widget[^>]* auto="onload"[^>]* name="altcha"[^>]* language="es"/);
    // The widget's files are named for the glue, which loads them at the debtor's first touch.
    expect(html).toMatch(/data-script="\/static\/altcha\.[0-9a-f]{12}\.js"/);
    expect(html).toMatch(/data-style="\/static\/altcha\.[0-9a-f]{12}\.css"/);
    expect(html).toMatch(/<script src="\/static\/captcha\.[0-9a-f]{12}\.js" defer="">/);
    expect(html).not.toMatch(/<script type="module"|<link rel="stylesheet" href="\/static\/altcha/);
    expect(html).toMatch(/data-worker="\/static\/altcha-worker\.[0-9a-f]{12}\.js"/);
    expect(html).toContain('No soy un robot');
    expect(html).toMatch(/<noscript><div class="captcha-question">[\s\S]*<label for="f-captchaAnswer">¿Cuánto es \p{L}+ (más|menos) \p{L}+\?<\/label>/u);
    // Nothing to relax: script, stylesheet and worker are same-origin files.
    const plain = (await h.client(acme).get('/captcha-form-missing')).headers.get('Content-Security-Policy');
    expect(csp).toBe(plain);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe');
  });

  it('accepts the solved challenge of the page once and refuses it the second time', async () => {
    const acme = await tenantWith();
    const browser = h.client(acme);
    const { html } = await formOf(browser);
    const started = performance.now();
    const payload = await solvedPayload(challengeIn(html)!);
    const solved = decoded(payload).solution;
    expect(solved.counter).toBeGreaterThanOrEqual(COUNTER_MIN);
    expect(solved.counter).toBeLessThanOrEqual(COUNTER_MAX);
    console.info(`ALTCHA: the page's challenge solved in Node in ${Math.round(performance.now() - started)} ms (counter ${solved.counter})`);

    expect((await post(browser, { altcha: payload })).status).toBe(200);
    expect((await post(browser, { altcha: payload })).status).toBe(422);
    expect((await post(h.client(acme), { altcha: payload })).status).toBe(422);
    const uses = await h.db.select().from(captchaUses).where(eq(captchaUses.tenantId, acme.id));
    expect(uses).toHaveLength(1);
    expect(uses[0]!.expiresAt.getTime()).toBe(Math.floor((h.clock.now().getTime() + CAPTCHA_TTL_MS) / 1000) * 1000);
  });

  it('refuses tampered payloads: other parameters, a wrong key or counter, no signature, garbage', async () => {
    const acme = await tenantWith();
    const browser = h.client(acme);
    const good = decoded(await quick(acme));
    const variants = [
      { ...good, challenge: { ...good.challenge, parameters: { ...good.challenge.parameters, cost: 1 } } },
      { ...good, challenge: { ...good.challenge, parameters: { ...good.challenge.parameters, data: { ...good.challenge.parameters.data, e: good.challenge.parameters.data.e + 3600 } } } },
      { ...good, solution: { ...good.solution, counter: -1 } },
      { ...good, solution: { ...good.solution, derivedKey: good.solution.derivedKey.replace(/^./, (c: string) => (c === '0' ? '1' : '0')) } },
      { ...good, challenge: { parameters: good.challenge.parameters } },
      { ...good, challenge: { ...good.challenge, signature: 'f'.repeat(64) } },
    ];
    for (const [i, variant] of variants.entries()) expect([i, (await post(browser, { altcha: encoded(variant) })).status]).toEqual([i, 422]);
    for (const garbage of ['', 'not base64 at all', encoded({}), encoded('x'), 'A'.repeat(5000)]) expect((await post(browser, { altcha: garbage })).status).toBe(422);
    // The genuine one still passes: the refusals spent nothing.
    expect((await post(browser, { altcha: encoded(good) })).status).toBe(200);
  });

  it('refuses an expired challenge by the server clock, and one signed for another tenant', async () => {
    const acme = await tenantWith();
    const other = await tenantWith();
    const browser = h.client(acme);
    const almost = await quick(acme);
    const late = await quick(acme);
    h.clock.advance(CAPTCHA_TTL_MS - 1000);
    expect((await post(browser, { altcha: almost })).status).toBe(200);
    h.clock.advance(2000);
    expect((await post(browser, { altcha: late })).status).toBe(422);
    expect((await post(browser, { altcha: await quick(other) })).status).toBe(422);
    const signedWithAnotherSecret = await newAltchaChallenge({ secret: 'another-secret-another-secret-another-secret', tenantId: acme.id, now: h.clock.now(), counter: 0 }).then(solvedPayload);
    expect((await post(browser, { altcha: signedWithAnotherSecret })).status).toBe(422);
  });

  it('forgets spent challenges in the maintenance job once they have expired, and they stay refused', async () => {
    const acme = await tenantWith();
    const browser = h.client(acme);
    const payload = await quick(acme);
    expect((await post(browser, { altcha: payload })).status).toBe(200);
    const count = async () => (await h.db.select().from(captchaUses).where(eq(captchaUses.tenantId, acme.id))).length;
    await maintenanceJob.run(h.deps, {});
    expect(await count()).toBe(1);
    h.clock.advance(CAPTCHA_TTL_MS + 1000);
    await maintenanceJob.run(h.deps, {});
    expect(await count()).toBe(0);
    expect((await post(browser, { altcha: payload })).status).toBe(422);
  });
});

describe('the question, for browsers without JavaScript', () => {
  async function question(browser: TestClient) {
    const { html } = await formOf(browser);
    const found = questionIn(html)!;
    return { token: found.token, answer: String(answerTo(found.question)) };
  }
  const fields = (q: { token: string; answer: string }) => ({ [CAPTCHA_FIELDS.token]: q.token, [CAPTCHA_FIELDS.answer]: q.answer });

  it('accepts the right answer once, after the minimum time a person needs', async () => {
    const acme = await tenantWith();
    const browser = h.client(acme);
    const q = await question(browser);
    expect((await post(browser, fields(q))).status).toBe(422);
    h.clock.advance(QUESTION_MIN_MS);
    expect((await post(browser, { ...fields(q), [CAPTCHA_FIELDS.answer]: ` ${q.answer} ` })).status).toBe(200);
    expect((await post(browser, fields(q))).status).toBe(422);
  });

  it('gives one guess per question: a wrong answer spends it', async () => {
    const acme = await tenantWith();
    const browser = h.client(acme);
    const q = await question(browser);
    h.clock.advance(QUESTION_MIN_MS);
    expect((await post(browser, { ...fields(q), [CAPTCHA_FIELDS.answer]: String(Number(q.answer) + 1) })).status).toBe(422);
    expect((await post(browser, fields(q))).status).toBe(422);
    const words = await question(browser);
    h.clock.advance(QUESTION_MIN_MS);
    expect((await post(browser, { ...fields(words), [CAPTCHA_FIELDS.answer]: 'once' })).status).toBe(422);
  });

  it('refuses an expired question, a tampered token and the question of another tenant', async () => {
    const acme = await tenantWith();
    const other = await tenantWith();
    const browser = h.client(acme);
    const old = await question(browser);
    const foreign = await question(h.client(other));
    const fresh = await question(browser);
    h.clock.advance(CAPTCHA_TTL_MS + 1000);
    expect((await post(browser, fields(old))).status).toBe(422);
    const another = await question(browser);
    h.clock.advance(QUESTION_MIN_MS);
    expect((await post(browser, fields(foreign))).status).toBe(422);
    expect((await post(browser, fields(fresh))).status).toBe(422);
    const [payload, exp, signature] = another.token.split('.');
    const forged = payload!.replace(/^\d+-[0-9a-z]+/, (m) => `${m.split('-')[0]}-${(h.clock.now().getTime() - 60_000).toString(36)}`);
    expect((await post(browser, { ...fields(another), [CAPTCHA_FIELDS.token]: `${forged}.${exp}.${signature}` })).status).toBe(422);
    expect((await post(browser, fields(another))).status).toBe(200);
  });

  it(`limits wrong answers to ${QUESTION_LIMIT.max} an hour from one address, and right ones not at all`, async () => {
    const acme = await tenantWith();
    const browser = h.client(acme);
    const asked = [];
    for (let i = 0; i < 2 * QUESTION_LIMIT.max + 2; i++) asked.push(await question(browser));
    h.clock.advance(QUESTION_MIN_MS);
    // Debtors behind one address who answer right are never held back by each other.
    for (const q of asked.splice(0, QUESTION_LIMIT.max + 1)) expect((await post(browser, fields(q))).status).toBe(200);
    const wrong = (q: { token: string; answer: string }) => fields({ ...q, answer: String((Number(q.answer) + 1) % 100) });
    for (const q of asked.splice(0, QUESTION_LIMIT.max)) expect((await post(browser, wrong(q))).status).toBe(422);
    // Past the limit even a right answer waits for the hour's end, and is told so.
    expect((await post(browser, fields(asked.shift()!))).status).toBe(429);
    // The widget is not counted.
    expect((await post(browser, { altcha: await quick(acme) })).status).toBe(200);
    h.clock.advance(3_600_000);
    const next = await question(browser);
    h.clock.advance(QUESTION_MIN_MS);
    expect((await post(browser, fields(next))).status).toBe(200);
  });

  it('is asked in the tenant language, and shown to everyone after a failed attempt', async () => {
    const globex = await tenantWith({}, { locale: 'en-US' });
    const { html } = await formOf(h.client(globex), '?invalid=1');
    const found = questionIn(html)!;
    expect(found.question).toMatch(/^What is \p{L}+ (plus|minus) \p{L}+\?$/u);
    expect(answerTo(found.question)).toBeGreaterThan(0);
    expect(html).toContain("I&#39;m not a robot");
    expect(html).toContain('We could not check that you are a person');
    expect(html).not.toContain('<noscript>');
    expect(html).toMatch(/<input id="f-captchaAnswer" name="captchaAnswer" type="text" inputmode="numeric" autocomplete="off" maxlength="2" required="" aria-describedby="f-captchaAnswer-hint" aria-invalid="true"/);
  });
});

describe('Google reCAPTCHA, when the tenant chose it', () => {
  const recaptcha = { captchaKind: 'recaptcha' as const, recaptchaSiteKey: 'site-key-of-acme', recaptchaSecret: SECRET };

  it('renders Google’s widget with the site key, its script origins allowed by the policy of that page only', async () => {
    const acme = await tenantWith(recaptcha);
    const { html, csp } = await formOf(h.client(acme));
    expect(html).toContain('<div class="g-recaptcha" data-sitekey="site-key-of-acme" data-script="https://www.google.com/recaptcha/api.js?hl=es">');
    expect(html).not.toContain('<altcha-widget');
    expect(html).toContain('<noscript><div class="captcha-question">');
    expect(html).not.toContain(SECRET);
    const plain = (await h.client(acme).get('/captcha-form-missing')).headers.get('Content-Security-Policy')!;
    expect(plain).not.toContain('google');
    expect(csp).toBe(
      withCspSources(plain, {
        'script-src': ['https://www.google.com/recaptcha/', 'https://www.gstatic.com/recaptcha/'],
        'frame-src': ["'self'", 'https://www.google.com/recaptcha/', 'https://recaptcha.google.com/recaptcha/'],
      }),
    );
    expect(csp).toMatch(/script-src 'self' https:\/\/www\.google\.com\/recaptcha\/ https:\/\/www\.gstatic\.com\/recaptcha\/(;|$)/);
    expect(csp).toMatch(/frame-src 'self' https:\/\/www\.google\.com\/recaptcha\/ https:\/\/recaptcha\.google\.com\/recaptcha\/(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('verifies the token with Google, sending the tenant secret: success, failure, a wrong secret, errors', async () => {
    const acme = await tenantWith(recaptcha);
    const wrong = await tenantWith({ ...recaptcha, recaptchaSecret: 'not-the-secret' });
    const browser = h.client(acme);
    calls.length = 0;
    expect((await post(browser, { [CAPTCHA_FIELDS.recaptcha]: 'good' })).status).toBe(200);
    expect(calls).toEqual([{ secret: SECRET, response: 'good' }]);
    expect((await post(browser, { [CAPTCHA_FIELDS.recaptcha]: 'bad' })).status).toBe(422);
    expect((await post(h.client(wrong), { [CAPTCHA_FIELDS.recaptcha]: 'good' })).status).toBe(422);
    expect(calls.at(-1)).toEqual({ secret: 'not-the-secret', response: 'good' });
    expect((await post(browser, { [CAPTCHA_FIELDS.recaptcha]: 'broken' })).status).toBe(422);
    expect((await post(browser, { [CAPTCHA_FIELDS.recaptcha]: 'drop' })).status).toBe(422);
    const before = calls.length;
    expect((await post(browser, {})).status).toBe(422);
    // An ALTCHA solution is not what this tenant asks for.
    expect((await post(browser, { altcha: await quick(acme) })).status).toBe(422);
    expect(calls.length).toBe(before);
  });

  it('refuses when Google cannot be reached at all', async () => {
    const acme = await tenantWith(recaptcha);
    const config = h.config as { recaptchaVerifyUrl: string };
    const url = config.recaptchaVerifyUrl;
    config.recaptchaVerifyUrl = 'http://127.0.0.1:9/recaptcha/api/siteverify';
    try {
      expect((await post(h.client(acme), { [CAPTCHA_FIELDS.recaptcha]: 'good' })).status).toBe(422);
    } finally {
      config.recaptchaVerifyUrl = url;
    }
    expect((await post(h.client(acme), { [CAPTCHA_FIELDS.recaptcha]: 'good' })).status).toBe(200);
  });

  it('still takes the question, and falls back to ALTCHA when a key is missing', async () => {
    const acme = await tenantWith(recaptcha);
    const browser = h.client(acme);
    const { html } = await formOf(browser);
    const found = questionIn(html)!;
    h.clock.advance(QUESTION_MIN_MS);
    expect((await post(browser, { [CAPTCHA_FIELDS.token]: found.token, [CAPTCHA_FIELDS.answer]: String(answerTo(found.question)) })).status).toBe(200);

    const halfway = await tenantWith({ captchaKind: 'recaptcha', recaptchaSiteKey: 'site-key', recaptchaSecret: null });
    const page = await formOf(h.client(halfway));
    expect(challengeIn(page.html)).not.toBeNull();
    expect(page.html).not.toContain('g-recaptcha');
    expect((await post(h.client(halfway), { altcha: await quick(halfway) })).status).toBe(200);
    const stored = await h.db.select().from(captchaUses).where(and(eq(captchaUses.tenantId, halfway.id)));
    expect(stored).toHaveLength(1);
  });
});
