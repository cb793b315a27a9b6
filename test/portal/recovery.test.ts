import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../src/alerts/schema.js';
import { raiseAlert } from '../../src/alerts/service.js';
import { campaignEntries, campaignPayments, campaignPromises } from '../../src/campaigns/schema.js';
import { verifyPayLink } from '../../src/portal/payment-provider.js';
import { deadlineOf } from '../../src/portal/recovery.js';
import { identificationLimits } from '../../src/portal/identification.js';
import { mailMessages } from '../../src/platform/mail/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { tenants } from '../../src/tenants/schema.js';
import { payments } from '../../src/payments/schema.js';
import { TEST_SECRET, startTestApp, type Harness, type TestClient } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { QUESTION_LIMIT } from '../../src/portal/captcha.js';
import { answerFields, captchaFields } from './captcha-support.js';
import { activeCampaign, debtor, enableChargedOff, eventsOf, multipart, newOrder, setPortal, tinyPng, withoutToken } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ now: '2026-03-10T15:00:00Z', jobs: true });
});
afterAll(() => h.close());

const location = (r: Response) => r.headers.get('Location');
const HOUR = 3_600_000;

type Tenant = Awaited<ReturnType<typeof newTenant>>;

async function recoveryTenant(values: Parameters<typeof setPortal>[2] = {}) {
  const tenant = await newTenant(h);
  await enableChargedOff(h, tenant);
  await setPortal(h, tenant, { recoveryActive: true, payLinkTemplate: 'https://pay.example/checkout?code={code}&amount={amount}', ...values });
  return tenant;
}

async function entryOf(tenant: Tenant, clientId: number) {
  const [entry] = await h.db.select().from(campaignEntries).where(and(eq(campaignEntries.tenantId, tenant.id), eq(campaignEntries.clientId, clientId)));
  return entry!;
}

/** The identification form, as a browser posts it after the captcha is solved. */
async function identifyOnRecovery(browser: TestClient, document: { documentType: string; documentNumber: string }) {
  const page = await browser.get('/recovery');
  expect(page.status).toBe(200);
  const fields = await captchaFields(h, await page.text());
  return browser.post('/recovery/identificacion', { ...document, ...fields });
}

async function onOffer(tenant: Tenant, client: { documentType: string; documentNumber: string }) {
  const browser = h.client(tenant);
  const response = await identifyOnRecovery(browser, client);
  expect(response.status).toBe(303);
  expect(location(response)).toBe('/recovery/oferta');
  return browser;
}

describe('the recovery portal is born inactive', () => {
  it('answers "no disponible" with 404 until an admin switches it on', async () => {
    const acme = await newTenant(h);
    const browser = h.client(acme);
    const page = await browser.get('/recovery');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('Página no disponible');
    expect((await browser.get('/recovery/oferta')).status).toBe(404);
    expect((await browser.post('/recovery/identificacion', { documentType: 'DNI', documentNumber: '12345678' })).status).toBe(404);
    expect((await browser.get('/recovery/captcha')).status).toBe(404);
    await setPortal(h, acme, { recoveryActive: true });
    // Without the Cartera castigada app there are no offers to show: still not available.
    expect((await browser.get('/recovery')).status).toBe(404);
    await enableChargedOff(h, acme);
    const open = await browser.get('/recovery');
    expect(open.status).toBe(200);
    expect(open.headers.get('Cache-Control')).toBe('no-store');
    // A page left open asks for a fresh challenge: signed for this tenant, never cached.
    const fresh = await browser.get('/recovery/captcha');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('Cache-Control')).toBe('no-store');
    const challenge = (await fresh.json()) as { parameters: { data: { t: number } }; signature: string };
    expect(challenge.parameters.data.t).toBe(acme.id);
    expect(challenge.signature).toMatch(/^[0-9a-f]{20,}$/);
  });

  it('closes for identified debtors too when the app is switched off, and the customer portal keeps them', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    await h.db.update(tenants).set({ enabledApps: [] }).where(eq(tenants.id, acme.id));
    forgetTenantCache();
    expect((await browser.get('/recovery/oferta')).status).toBe(404);
    expect((await browser.get('/recovery/pago-en-linea')).status).toBe(404);
    await browser.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(location(await browser.post('/verificacion', { contact: '987654321' }))).toBe('/estado-de-cuenta');
    // Nor does the statement show the campaign staff can no longer see, nor take receipts for it.
    const statement = await (await browser.get('/estado-de-cuenta')).text();
    expect(statement).not.toContain('CAMP-1');
    expect(statement).not.toContain('cartera castigada');
  });
});

describe('identifying on /recovery', () => {
  it('takes the document and the captcha, no contact data, and records how the visit went', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = h.client(acme);
    const form = await browser.get('/recovery');
    const html = await form.text();
    expect(html).toContain('Consulta tu oferta');
    expect(html).not.toContain('Celular o correo');
    const response = await browser.post('/recovery/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber, ...(await captchaFields(h, html)) });
    expect(location(response)).toBe('/recovery/oferta');

    const offer = await browser.get('/recovery/oferta');
    expect(offer.status).toBe(200);
    const text = await offer.text();
    expect(text).toContain('Hola, Rosa');
    expect(text).not.toContain('Quispe');
    expect(text).toMatch(/<s><span class="visually-hidden">Antes: <\/span>S\/\s?1,000\.00<\/s>/);
    expect(text).toContain('50 %');
    expect(text).toMatch(/S\/\s?500\.00/);
    expect(text).toContain('¡Cancelar mi deuda ahora!');
    expect(text).toContain('No me interesa esta oferta');
    expect(text).toContain('Necesito que un asesor me contacte');
    await browser.get('/recovery/oferta');

    const events = await eventsOf(h, acme, rosa.id);
    expect(events.map((e) => e.type)).toEqual(['recovery.entered', 'recovery.identified', 'recovery.offer_viewed']);
    const visits = new Set(events.map((e) => (e.data as { visit?: string }).visit));
    expect(visits.size).toBe(1);
  });

  it('refuses a missing or wrong captcha without opening a visit', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = h.client(acme);
    await browser.get('/recovery');
    const response = await browser.post('/recovery/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('No pudimos comprobar que eres una persona');
    expect(browser.cookies.has('saldo_portal')).toBe(false);
    expect(await eventsOf(h, acme, rosa.id)).toEqual([]);
  });

  it('answers an unknown document exactly as a client without an offer, and limits attempts', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    const unknown = await identifyOnRecovery(h.client(acme), { documentType: 'DNI', documentNumber: '87654321' });
    const noOffer = await identifyOnRecovery(h.client(acme), { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(unknown.status).toBe(422);
    expect(noOffer.status).toBe(422);
    const strip = (html: string) => withoutToken(html).replace(/<altcha-widget[\s\S]*?<\/altcha-widget>|<noscript>[\s\S]*?<\/noscript>|value="[A-Za-z0-9_.~+/=:-]{24,}"/g, '');
    const [a, b] = [strip(await unknown.text()), strip(await noOffer.text())];
    expect(a).toContain('No encontramos una oferta vigente');
    expect(a.replace(/87654321/g, 'X')).toBe(b.replace(new RegExp(rosa.documentNumber, 'g'), 'X'));

    const browser = h.client(acme);
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) last = await identifyOnRecovery(browser, { documentType: 'DNI', documentNumber: '11112222' });
    expect(last!.status).toBe(429);
    // Told what is left of the window it fell in.
    const left = identificationLimits.perDocument.windowMs - (h.clock.now().getTime() % identificationLimits.perDocument.windowMs);
    expect(last!.headers.get('Retry-After')).toBe(String(Math.ceil(left / 1000)));
    const minutes = Math.ceil(left / 60_000);
    expect(await last!.text()).toContain(`Hiciste demasiados intentos. Inténtalo de nuevo en ${minutes} minuto${minutes === 1 ? '' : 's'}.`);
  });

  it('tells an address that guessed the written question too often when to come back', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = h.client(acme);
    const answered = async (answer?: string) => {
      const html = await (await browser.get('/recovery')).text();
      return browser.post('/recovery/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber, ...answerFields(h, html, answer) });
    };
    // No question's answer is 0.
    for (let i = 0; i < QUESTION_LIMIT.max; i++) expect((await answered('0')).status).toBe(422);
    const limited = await answered();
    expect(limited.status).toBe(429);
    const left = QUESTION_LIMIT.windowMs - (h.clock.now().getTime() % QUESTION_LIMIT.windowMs);
    expect(limited.headers.get('Retry-After')).toBe(String(Math.ceil(left / 1000)));
    expect(await limited.text()).toContain('Hiciste demasiados intentos. Inténtalo de nuevo en');
    expect(browser.cookies.has('saldo_portal')).toBe(false);
  });

  it('checks the document number like the customer portal does', async () => {
    const acme = await recoveryTenant();
    const response = await identifyOnRecovery(h.client(acme), { documentType: 'DNI', documentNumber: '12a' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('f-documentNumber');
    // A type the list does not hold (a tampered form) is told in the debtor's words, on both portals.
    for (const path of ['/recovery/identificacion', '/identificacion']) {
      const browser = h.client(acme);
      if (path === '/recovery/identificacion') await browser.get('/recovery');
      const tampered = await browser.post(path, { documentType: 'XX', documentNumber: '12345678' });
      expect(tampered.status).toBe(422);
      const page = await tampered.text();
      expect(page).toContain('Elige tu tipo de documento de la lista.');
      expect(page).not.toContain('Ajustes');
    }
  });

  it('sends a debtor who identified on the customer portal straight to the offer', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = h.client(acme);
    await browser.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    const entered = await browser.post('/verificacion', { contact: '987654321' });
    expect(location(entered)).toBe('/recovery');
    const recovery = await browser.get('/recovery');
    expect(location(recovery)).toBe('/recovery/oferta');
    expect(await (await browser.get('/recovery/oferta')).text()).toContain('¡Cancelar mi deuda ahora!');
  });
});

describe('paying the offer', () => {
  it('offers the statement\'s payment options for the campaign amount and records each step', async () => {
    const acme = await recoveryTenant({ bankDetails: 'BCP 123-456' });
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 1000_00 });
    await activeCampaign(h, acme, rosa.id);
    const entry = await entryOf(acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    await browser.get('/recovery/oferta');

    const pay = await browser.get('/recovery/pago');
    const html = await pay.text();
    expect(pay.status).toBe(200);
    expect(html).toContain('BCP <span class="nowrap">123-456</span>');
    expect(html).toContain('Pagar en línea');
    expect(html).toContain('action="/recovery/comprobante"');
    expect(html).toContain('action="/recovery/compromiso"');

    const online = await browser.get('/recovery/pago-en-linea');
    expect(online.status).toBe(303);
    const url = new URL(location(online)!);
    expect(url.searchParams.get('code')).toBe(`CASTIGO-${entry.id}`);
    expect(url.searchParams.get('amount')).toBe('500.00');
    const link = { tenantId: acme.id, code: `CASTIGO-${entry.id}`, amount: '500.00', expires: url.searchParams.get('expires')!, signature: url.searchParams.get('signature')! };
    expect(verifyPayLink(TEST_SECRET, link, h.clock.now())).toBe(true);

    const upload = (fields: Record<string, string>) =>
      browser.request('POST', '/recovery/comprobante', { body: multipart(browser, fields, { receipt: { bytes: tinyPng, name: 'voucher.png', type: 'image/png' } }) });
    const tooMuch = await upload({ amount: '600' });
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.text()).toContain('no puede ser mayor');

    const receipt = await upload({ amount: '300', reference: 'OP 991' });
    expect(receipt.status).toBe(303);
    // What is still to verify counts: the debtor cannot report more than the offer leaves.
    const again = await upload({ amount: '201' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('contando los pagos por verificar');
    const [payment] = await h.db.select().from(campaignPayments).where(and(eq(campaignPayments.tenantId, acme.id), eq(campaignPayments.entryId, entry.id)));
    expect(payment).toMatchObject({ amount: 300_00, state: 'por_verificar', source: 'portal', reference: 'OP 991' });
    expect(payment!.receiptKey).toBeTruthy();
    // Staff open the file from the campaign entry before they verify the payment; another tenant cannot.
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    expect(await (await staff.get(`/app/campaigns/${entry.id}`)).text()).toContain(`href="/app/campaigns/payments/${payment!.id}/receipt"`);
    const file = await staff.get(`/app/campaigns/payments/${payment!.id}/receipt`);
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('image/png');
    const other = await newTenant(h);
    expect((await (await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }))).get(`/app/campaigns/payments/${payment!.id}/receipt`)).status).toBe(404);
    // The client's own orders are untouched: campaign payments live apart.
    expect(await h.db.select().from(payments).where(eq(payments.tenantId, acme.id))).toEqual([]);

    // The receipt still to verify will pay 300 of the 500: 200 is what is left to promise.
    const promiseTooMuch = await browser.post('/recovery/compromiso', { promiseAmount: '300', promisedDate: '2026-03-15' });
    expect(promiseTooMuch.status).toBe(422);
    expect(await promiseTooMuch.text()).toContain('Hay pagos por verificar');
    const promise = await browser.post('/recovery/compromiso', { promiseAmount: '200', promisedDate: '2026-03-15' });
    expect(promise.status).toBe(303);
    const [made] = await h.db.select().from(campaignPromises).where(eq(campaignPromises.tenantId, acme.id));
    expect(made).toMatchObject({ amount: 200_00, promisedDate: '2026-03-15', source: 'portal' });
    // Back on the offer, the debtor sees what they promised.
    const offer = (await (await browser.get('/recovery/oferta')).text()).replaceAll('\u00a0', ' ');
    expect(offer).toContain('Te comprometiste a pagar S/ 200.00 hasta el 15/03/2026.');
    // Money paid before the promise leaves less than it promised: the debtor is told what is left.
    const { changeCampaignPaymentState, registerCampaignPayment } = await import('../../src/campaigns/service.js');
    const campaignScope = { tenantId: acme.id, tenant: acme, actor: null, db: h.db, clock: h.clock };
    const earlier = await registerCampaignPayment(campaignScope, entry.id, { amount: 100_00, paidOn: '2026-03-09', method: 'efectivo', reference: null });
    expect(earlier.ok).toBe(true);
    for (const id of [payment!.id, earlier.ok ? earlier.payment.id : 0]) expect((await changeCampaignPaymentState(campaignScope, id, 'verificado')).ok).toBe(true);
    const less = (await (await browser.get('/recovery/oferta')).text()).replaceAll('\u00a0', ' ');
    expect(less).toContain('Te comprometiste a pagar S/ 200.00 hasta el 15/03/2026. Con lo que ya pagaste, te falta S/ 100.00: pagándolo cancelas tu deuda.');
    // A receipt for the rest, still to verify: the debtor is not asked for it again.
    const rest = await registerCampaignPayment(campaignScope, entry.id, { amount: 100_00, paidOn: '2026-03-10', method: 'transferencia', reference: null, source: 'portal' });
    expect(rest.ok).toBe(true);
    const covered = (await (await browser.get('/recovery/oferta')).text()).replaceAll('\u00a0', ' ');
    expect(covered).toContain('Con lo que pagaste y el pago en verificación, cancelas tu deuda.');
    expect(covered).not.toContain('te falta S/ 100.00');
    expect((await changeCampaignPaymentState(campaignScope, rest.ok ? rest.payment.id : 0, 'anulado')).ok).toBe(true);
    // Once the day has passed it is no longer shown as pending.
    h.clock.set('2026-03-16T15:00:00Z');
    expect(await (await browser.get('/recovery/oferta')).text()).not.toContain('Te comprometiste');
    h.clock.set('2026-03-10T15:00:00Z');

    const events = await eventsOf(h, acme, rosa.id);
    const steps = events.filter((e) => e.type.startsWith('recovery.')).map((e) => [e.type, (e.data as { method?: string }).method ?? null]);
    expect(steps).toEqual([
      ['recovery.entered', null],
      ['recovery.identified', null],
      ['recovery.offer_viewed', null],
      ['recovery.pay_pressed', null],
      ['recovery.method_chosen', 'online'],
      ['recovery.method_chosen', 'receipt'],
      ['recovery.method_chosen', 'promise'],
    ]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['campaign_payment.registered', 'campaign_promise.made']));
  });

  it('signs a pay link that holds for an open-ended campaign without a countdown', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: null });
    const entry = await entryOf(acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    const url = new URL(location(await browser.get('/recovery/pago-en-linea'))!);
    const expires = url.searchParams.get('expires')!;
    expect(expires).toMatch(/^\d+$/);
    const link = { tenantId: acme.id, code: `CASTIGO-${entry.id}`, amount: '500.00', expires, signature: url.searchParams.get('signature')! };
    expect(verifyPayLink(TEST_SECRET, link, h.clock.now())).toBe(true);
  });

  it('asks only for what the receipts being verified leave, and for nothing once they cover it all', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    const upload = (amount: string) =>
      browser.request('POST', '/recovery/comprobante', { body: multipart(browser, { amount }, { receipt: { bytes: tinyPng, name: `voucher-${amount}.png`, type: 'image/png' } }) });
    expect((await upload('120')).status).toBe(303);
    const pay = (await (await browser.get('/recovery/pago')).text()).replaceAll('\u00a0', ' ');
    expect(pay).toContain('Te falta pagar');
    expect(pay).toContain('S/ 380.00');
    expect(pay).toContain('value="380.00"');
    const online = new URL(location(await browser.get('/recovery/pago-en-linea'))!);
    expect(online.searchParams.get('amount')).toBe('380.00');

    expect((await upload('380')).status).toBe(303);
    const all = (await (await browser.get('/recovery/pago')).text()).replaceAll('\u00a0', ' ');
    expect(all).toContain('Ya nos informaste pagos que cubren lo que falta (S/ 500.00)');
    expect(all).not.toContain('Pagar en línea');
    expect(all).not.toContain('action="/recovery/comprobante');
    expect(all).not.toContain('action="/recovery/compromiso');
    expect(location(await browser.get('/recovery/pago-en-linea'))).toBe('/recovery/pago');
    expect(await (await browser.get('/recovery/oferta')).text()).not.toContain('href="/recovery/pago"');
  });

  it('a debtor on /recovery who opens the customer statement is not told their session ended: it did not', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    expect(location(await browser.get('/estado-de-cuenta'))).toBe('/');
    expect(await (await browser.get('/')).text()).not.toContain('Tu sesión terminó');
    expect((await browser.get('/recovery/oferta')).status).toBe(200);
  });

  it('shows the paid page once the campaign is paid', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    await h.db.update(campaignEntries).set({ paid: 500_00, closedReason: 'paid', closedAt: h.clock.now() }).where(eq(campaignEntries.tenantId, acme.id));
    const page = await (await browser.get('/recovery/oferta')).text();
    expect(page).toContain('¡Tu deuda está cancelada!');
    expect(page).toContain('Recibimos el pago de tu oferta');
    // Coming back later, the debtor is told so again, and it is no failed attempt: six visits in a row get in.
    for (let i = 0; i < 6; i++) {
      const again = await onOffer(acme, rosa);
      expect(await (await again.get('/recovery/oferta')).text()).toContain('¡Tu deuda está cancelada!');
    }
  });

  it('tells a debtor whose discount is the whole debt that nothing is owed, not that a payment came', async () => {
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { discountValue: 10000, campaignAmount: 0, closedReason: 'paid', closedAt: h.clock.now() });
    const text = await (await (await onOffer(acme, rosa)).get('/recovery/oferta')).text();
    expect(text).toContain('¡Tu deuda está cancelada!');
    expect(text).toContain('Tu oferta cubre el total de tu deuda: no tienes nada que pagar.');
    expect(text).not.toContain('Recibimos el pago');
  });
});

describe('"No me interesa esta oferta"', () => {
  it('records the reason, and the advisor option raises one alert for the client\'s advisor', async () => {
    const acme = await recoveryTenant();
    const advisor = await addStaff(h, acme, { role: 'advisor', email: 'ana@acme.pe', name: 'Ana Torres' });
    const rosa = await debtor(h, acme, { advisorId: advisor.id });
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);

    const missing = await browser.post('/recovery/no-me-interesa', { reason: 'Porque sí' });
    expect(missing.status).toBe(422);
    const refusedPage = await missing.text();
    expect(refusedPage).toContain('Elige un motivo de la lista');
    // Said above the form too, where the focus goes, leading to the reasons.
    expect(refusedPage).toMatch(/<div class="error-summary" role="alert" tabindex="-1" id="error-summary" autofocus="">[\s\S]*href="#f-reason"/);

    const plain = await browser.post('/recovery/no-me-interesa', { reason: 'No puedo pagar en este momento' });
    expect(plain.status).toBe(303);
    expect(await (await browser.get(location(plain)!)).text()).toContain('Registramos tu respuesta');
    // The address alone does not say an advisor was asked for.
    expect(await (await browser.get('/recovery/gracias?asesor=1')).text()).not.toContain('Un asesor te contactará pronto');
    expect(await h.db.select().from(alerts).where(eq(alerts.tenantId, acme.id))).toEqual([]);

    await setPortal(h, acme, { recoveryActive: true });
    const asked = await browser.post('/recovery/no-me-interesa', { reason: 'Necesito que un asesor me contacte' });
    expect(location(asked)).toBe('/recovery/gracias?asesor=1');
    expect(await (await browser.get(location(asked)!)).text()).toContain('Un asesor te contactará pronto');
    await browser.post('/recovery/no-me-interesa', { reason: 'Necesito que un asesor me contacte' });
    const open = await h.db.select().from(alerts).where(eq(alerts.tenantId, acme.id));
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ clientId: rosa.id, advisorId: advisor.id, kind: 'advisor_requested', source: 'recovery', resolvedAt: null });

    const events = (await eventsOf(h, acme, rosa.id)).filter((e) => !e.type.startsWith('recovery.entered') && !e.type.startsWith('recovery.identified') && e.type !== 'recovery.offer_viewed');
    expect(events.map((e) => [e.type, (e.data as { reason?: string }).reason ?? null])).toEqual([
      ['recovery.not_interested', 'No puedo pagar en este momento'],
      ['recovery.not_interested', 'Necesito que un asesor me contacte'],
      ['recovery.advisor_requested', null],
      ['alert.raised', null],
      ['recovery.not_interested', 'Necesito que un asesor me contacte'],
      ['recovery.advisor_requested', null],
      ['alert.raised', null],
    ]);

    // The advisor hears about it once, by email, and finds it under Alertas.
    await h.runJobs();
    await h.runJobs();
    const mail = await h.db.select().from(mailMessages).where(and(eq(mailMessages.tenantId, acme.id), eq(mailMessages.to, 'ana@acme.pe')));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('Rosa Quispe');

    const staff = await loggedIn(h, acme, advisor);
    const list = await (await staff.get('/app/alerts')).text();
    expect(list).toContain('Rosa Quispe');
    // SPEC 5: the client in an active campaign carries the label in alerts too.
    expect(list).toContain('badge-charged-off');
    const clientPage = await (await staff.get(`/app/clients/${rosa.id}`)).text();
    expect(clientPage).toContain('Alertas abiertas');
    expect(clientPage).toContain('Pidió que un asesor lo contacte');
    const interactions = await (await staff.get(`/app/clients/${rosa.id}/interactions`)).text();
    expect(interactions).toContain('Motivo: No puedo pagar en este momento');
    const resolved = await staff.post(`/app/alerts/${open[0]!.id}/resolution`, { back: '/app/alerts' });
    expect(resolved.status).toBe(303);
    const [after] = await h.db.select().from(alerts).where(eq(alerts.tenantId, acme.id));
    expect(after!.resolvedById).toBe(advisor.id);
    expect(await (await staff.get('/app/alerts')).text()).toContain('No hay alertas pendientes');
    expect(await (await staff.get(`/app/clients/${rosa.id}`)).text()).not.toContain('Alertas abiertas');
  });
});

describe('alerts nobody owns', () => {
  it('an alert for a client with neither advisor nor supervisor shows to every advisor by default, beside their own', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme, { role: 'advisor', name: 'Ana Asesora' });
    const luis = await addStaff(h, acme, { role: 'advisor', name: 'Luis Asesor' });
    const nobodys = await debtor(h, acme, { name: 'Pedro Sin Asesor', documentNumber: '07000001' });
    const lucias = await debtor(h, acme, { name: 'Lucía De Luis', documentNumber: '07000002', advisorId: luis.id });
    const now = h.clock.now();
    for (const client of [nobodys, lucias]) await raiseAlert(h.db, { tenantId: acme.id, clientId: client.id, kind: 'advisor_requested', source: 'recovery', note: null, now });
    const list = await (await (await loggedIn(h, acme, ana)).get('/app/alerts')).text();
    expect(list).toContain('Mis clientes y sin asesor');
    expect(list).toContain('Pedro Sin Asesor');
    expect(list).toContain('Sin asesor');
    // Another advisor's client stays under "Todas".
    expect(list).not.toContain('Lucía De Luis');
    const luisList = await (await (await loggedIn(h, acme, luis)).get('/app/alerts')).text();
    expect(luisList).toContain('Pedro Sin Asesor');
    expect(luisList).toContain('Lucía De Luis');
    // A supervisor's own are those of the clients they supervise, though addressed to their advisors.
    const sara = await addStaff(h, acme, { role: 'supervisor', name: 'Sara Supervisora' });
    const supervised = await debtor(h, acme, { name: 'Raúl Supervisado', documentNumber: '07000003', advisorId: ana.id, supervisorId: sara.id });
    await raiseAlert(h.db, { tenantId: acme.id, clientId: supervised.id, kind: 'advisor_requested', source: 'recovery', note: null, now });
    const saraList = await (await (await loggedIn(h, acme, sara)).get('/app/alerts?scope=mine')).text();
    expect(saraList).toContain('Raúl Supervisado');
    expect(saraList).not.toContain('Lucía De Luis');
  });
});

describe('the countdown', () => {
  it('runs from the first identified visit and withdraws the offer on the server when it runs out', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant({ countdownEnabled: true, countdownHours: 48 });
    await h.db.update(tenants).set({ whatsappNumber: '+51999888777' }).where(eq(tenants.id, acme.id));
    forgetTenantCache();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);

    const first = await (await browser.get('/recovery/oferta')).text();
    expect(first).toContain('La oferta vence en');
    expect(first).toContain('2 d 00 h 00 min');
    expect(first).toContain('hx-get="/recovery/tiempo"');

    // Two days later the debtor comes back and identifies again: the countdown did not restart.
    h.clock.advance(47 * HOUR);
    expect((await browser.get('/recovery/tiempo', { htmx: true })).headers.get('HX-Refresh')).toBe('true');
    // The page that reloads says why the debtor is asked who they are again.
    expect(await (await browser.get('/recovery')).text()).toContain('Tu sesión terminó tras 30 minutos sin actividad');
    const back = await onOffer(acme, rosa);
    expect(await (await back.get('/recovery/oferta')).text()).toContain('1 h 00 min');
    const fragment = await back.get('/recovery/tiempo', { htmx: true });
    expect(fragment.status).toBe(200);
    const part = await fragment.text();
    expect(part).toContain('1 h 00 min');
    expect(part).not.toContain('<html');

    // The visit stays open while the debtor uses the page (visits close after 30 quiet minutes).
    h.clock.advance(25 * 60_000);
    expect(await (await back.get('/recovery/tiempo', { htmx: true })).text()).toContain('35 min');
    expect(await (await back.get('/recovery/oferta')).text()).toContain('35 min');
    h.clock.advance(25 * 60_000);
    expect(await (await back.get('/recovery/tiempo', { htmx: true })).text()).toContain('10 min');
    expect(await (await back.get('/recovery/oferta')).text()).toContain('10 min');
    h.clock.advance(10 * 60_000);
    const over = await back.get('/recovery/tiempo', { htmx: true });
    expect(over.headers.get('HX-Refresh')).toBe('true');
    const page = await (await back.get('/recovery/oferta')).text();
    expect(page).toContain('La oferta ha concluido, contáctanos para más detalles');
    expect(page).toContain('https://wa.me/51999888777');
    expect(page).toContain('Habla con un asesor');
    expect(page).not.toContain('¡Cancelar mi deuda ahora!');

    // The deadline is the server's: a form opened before it is refused after it.
    const late = await back.request('POST', '/recovery/comprobante', { body: multipart(back, { amount: '500' }, { receipt: { bytes: tinyPng, name: 'v.png', type: 'image/png' } }) });
    expect(late.status).toBe(410);
    expect((await back.post('/recovery/no-me-interesa', { reason: 'Ya pagué mi deuda' })).status).toBe(410);
    expect((await back.get('/recovery/pago-en-linea')).status).toBe(410);
    expect(await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id))).toEqual([]);

    await back.get('/recovery/oferta');
    const expired = (await eventsOf(h, acme, rosa.id)).filter((e) => e.type === 'recovery.countdown_expired');
    expect(expired).toHaveLength(1);

    // Withdrawn stays withdrawn: more hours for everyone later do not bring this debtor's offer back.
    await setPortal(h, acme, { countdownEnabled: true, countdownHours: 96 });
    expect(await (await (await onOffer(acme, rosa)).get('/recovery/oferta')).text()).toContain('La oferta ha concluido');
    // Nor does switching the countdown off; a debtor whose clock never ran out keeps the offer, with no clock.
    await setPortal(h, acme, { countdownEnabled: false });
    expect(await (await (await onOffer(acme, rosa)).get('/recovery/oferta')).text()).toContain('La oferta ha concluido');
    const luis = await debtor(h, acme, { name: 'Luis Rojas' });
    await activeCampaign(h, acme, luis.id, { campaignCode: 'CAMP-2' });
    const open = await (await (await onOffer(acme, luis)).get('/recovery/oferta')).text();
    expect(open).toContain('¡Cancelar mi deuda ahora!');
    expect(open).not.toContain('La oferta vence en');
  });

  it('shows a receipt sent in time while it is verified, and keeps the offer for it past the deadline', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant({ countdownEnabled: true, countdownHours: 2 });
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    await (await onOffer(acme, rosa)).get('/recovery/oferta');
    h.clock.advance(HOUR);
    const browser = await onOffer(acme, rosa);
    const sent = await browser.request('POST', '/recovery/comprobante', { body: multipart(browser, { amount: '200' }, { receipt: { bytes: tinyPng, name: 'v.png', type: 'image/png' } }) });
    expect(sent.status).toBe(303);
    const offer = await (await browser.get('/recovery/oferta')).text();
    expect(offer).toMatch(/Pago en verificación: S\/\s200\.00\./);
    expect(offer).toContain('La oferta vence en');

    // Past the deadline the offer waits for the receipt's verification, with no clock running.
    h.clock.advance(2 * HOUR);
    const late = await onOffer(acme, rosa);
    const page = await (await late.get('/recovery/oferta')).text();
    expect(page).toContain('la mantenemos para el pago que nos informaste');
    expect(page).not.toContain('La oferta vence en');
    // Held for the receipt already sent, the offer takes nothing new.
    expect(page).not.toContain('¡Cancelar mi deuda ahora!');
    expect(page).not.toContain('No me interesa esta oferta');
    const another = await late.request('POST', '/recovery/comprobante', { body: multipart(late, { amount: '100' }, { receipt: { bytes: tinyPng, name: 'v.png', type: 'image/png' } }) });
    expect(location(another)).toBe('/recovery/oferta');
    expect(location(await late.post('/recovery/compromiso', { promiseAmount: '100', promisedDate: '2026-03-20' }))).toBe('/recovery/oferta');
    expect(location(await late.get('/recovery/pago'))).toBe('/recovery/oferta');
    expect(await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id))).toHaveLength(1);

    // The customer portal sends the debtor to the same held offer, not to the debt without its
    // discount; staff are told the offer stands for the receipt.
    const enterOnCustomerPortal = async () => {
      const customer = h.client(acme);
      await customer.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
      return location(await customer.post('/verificacion', { contact: '987654321' }));
    };
    expect(await enterOnCustomerPortal()).toBe('/recovery');
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    const entry = await entryOf(acme, rosa.id);
    expect(await (await staff.get(`/app/campaigns/${entry.id}`)).text()).toContain('la oferta se mantiene en /recovery hasta que se verifique ese pago');

    // Once staff find the receipt was not valid, the offer is withdrawn as the clock said.
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    await h.db.update(campaignPayments).set({ state: 'no_verificado' }).where(eq(campaignPayments.id, payment!.id));
    expect(await (await (await onOffer(acme, rosa)).get('/recovery/oferta')).text()).toContain('La oferta ha concluido');
    expect(await enterOnCustomerPortal()).toBe('/estado-de-cuenta');
    expect(await (await staff.get(`/app/campaigns/${entry.id}`)).text()).toContain('en /recovery ya no ve esta oferta');
  });

  it('keeps a finished campaign’s offer for a receipt sent before its last day was over, while it is verified', async () => {
    // 23:00 in Lima on the campaign's last day.
    h.clock.set('2026-03-11T04:00:00Z');
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: '2026-03-10' });
    const browser = await onOffer(acme, rosa);
    const sent = await browser.request('POST', '/recovery/comprobante', { body: multipart(browser, { amount: '500' }, { receipt: { bytes: tinyPng, name: 'v.png', type: 'image/png' } }) });
    expect(sent.status).toBe(303);

    // The next day the campaign is over; the debtor who comes back is told their payment holds the offer.
    h.clock.set('2026-03-11T15:00:00Z');
    const back = await onOffer(acme, rosa);
    const page = (await (await back.get('/recovery/oferta')).text()).replaceAll('\u00a0', ' ');
    expect(page).toContain('la mantenemos para el pago que nos informaste');
    expect(page).toContain('Pago en verificación: S/ 500.00.');
    expect(page).toContain('S/ 500.00');
    expect(page).not.toContain('La oferta ha concluido');
    expect(page).not.toContain('¡Cancelar mi deuda ahora!');
    expect(location(await back.get('/recovery/pago'))).toBe('/recovery/oferta');
    // The customer portal sends them to the same offer.
    const customer = h.client(acme);
    await customer.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(location(await customer.post('/verificacion', { contact: '987654321' }))).toBe('/recovery');

    // A receipt refused by staff leaves the campaign as it ended.
    await h.db.update(campaignPayments).set({ state: 'no_verificado' }).where(eq(campaignPayments.tenantId, acme.id));
    expect(await (await back.get('/recovery/oferta')).text()).toContain('La oferta ha concluido');
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('does not bring back, once the campaign ends, an offer the countdown withdrew, for money staff registered later', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant({ countdownEnabled: true, countdownHours: 1 });
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: '2026-03-12' });
    await (await onOffer(acme, rosa)).get('/recovery/oferta');
    h.clock.advance(2 * HOUR);
    expect(await (await (await onOffer(acme, rosa)).get('/recovery/oferta')).text()).toContain('La oferta ha concluido');
    // Staff register a transfer they still have to verify; the campaign then ends.
    const entry = await entryOf(acme, rosa.id);
    const { registerCampaignPayment } = await import('../../src/campaigns/service.js');
    const registered = await registerCampaignPayment({ tenantId: acme.id, tenant: acme, actor: null, db: h.db, clock: h.clock }, entry.id, { amount: 100_00, paidOn: '2026-03-10', method: 'transferencia', reference: null });
    expect(registered.ok).toBe(true);
    // Not the debtor's receipt, and after their offer was withdrawn: nothing holds the offer, and
    // the debtor comes in as one without an offer (a receipt of theirs sent in time would let them in).
    h.clock.set('2026-03-13T15:00:00Z');
    const response = await identifyOnRecovery(h.client(acme), rosa);
    expect(response.status).toBe(422);
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('does not keep a visit open by polling alone, and sends an expired debtor to the customer portal', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant({ countdownEnabled: true, countdownHours: 1 });
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 1000_00 });
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    await browser.get('/recovery/oferta');
    h.clock.advance(20 * 60_000);
    expect((await browser.get('/recovery/tiempo', { htmx: true })).status).toBe(200);
    h.clock.advance(20 * 60_000);
    // 40 minutes without the debtor doing anything: the phone may be someone else's now.
    expect((await browser.get('/recovery/tiempo', { htmx: true })).headers.get('HX-Refresh')).toBe('true');
    expect(location(await browser.get('/recovery/oferta'))).toBe('/recovery');

    // Past the deadline the offer is gone for them: the customer portal shows the original debt.
    h.clock.advance(30 * 60_000);
    const customer = h.client(acme);
    await customer.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(location(await customer.post('/verificacion', { contact: '987654321' }))).toBe('/estado-de-cuenta');
    const statement = await (await customer.get('/estado-de-cuenta')).text();
    expect(statement).toMatch(/1[,.]?000\.00/);
    // The charged-off debt is there too, without the discount the offer had.
    expect(statement).toContain('Deuda en cartera castigada');
    expect(statement).not.toContain('Monto de campaña');
    // The page's options pay the orders, never the charged-off debt, which is the advisor's.
    expect(statement).toContain('Las opciones de esta página pagan tus órdenes de pago. Para pagar la deuda en cartera castigada o acordar cómo hacerlo, habla con un asesor.');
    expect(statement).not.toContain('Para pagar esta deuda o acordar cómo hacerlo');
    // Staff see that the offer is gone for this debtor, not only that the campaign runs.
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    const entry = await entryOf(acme, rosa.id);
    expect(await (await staff.get(`/app/campaigns/${entry.id}`)).text()).toContain('La cuenta regresiva del deudor venció el');
  });

  it('shows a finished campaign\'s debt less what was paid on the statement, as the total of a debtor with no orders', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: '2026-03-01', paid: 300_00 });
    const customer = h.client(acme);
    await customer.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(location(await customer.post('/verificacion', { contact: '987654321' }))).toBe('/estado-de-cuenta');
    const page = await (await customer.get('/estado-de-cuenta')).text();
    expect(page).toContain('Campaña CAMP-1');
    expect(page).toMatch(/Deuda castigada<\/dt><dd>S\/\s1,000\.00/);
    expect(page).toMatch(/Pagado<\/dt><dd>S\/\s300\.00/);
    expect(page).toMatch(/Saldo por pagar<\/dt><dd><strong>S\/\s700\.00/);
    expect(page).toMatch(/class="big">S\/\s700\.00/);
    expect(page).not.toContain('No tienes órdenes de pago');
    // Paid, it is gone from the statement.
    await h.db.update(campaignEntries).set({ paid: 500_00, closedReason: 'paid' }).where(eq(campaignEntries.tenantId, acme.id));
    expect(await (await customer.get('/estado-de-cuenta')).text()).not.toContain('Deuda en cartera castigada');
  });

  it('takes promises only up to the offer\'s last day', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: '2026-03-12' });
    const browser = await onOffer(acme, rosa);
    expect(await (await browser.get('/recovery/pago')).text()).toContain('max="2026-03-12"');
    const late = await browser.post('/recovery/compromiso', { promiseAmount: '500', promisedDate: '2026-03-13' });
    expect(late.status).toBe(422);
    expect(await late.text()).toContain('antes de que termine la oferta');
    expect((await browser.post('/recovery/compromiso', { promiseAmount: '500', promisedDate: '2026-03-12' })).status).toBe(303);
  });

  it('names the tenant\'s limit of days, not the end of the offer, when that is what a date passes', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: null });
    const browser = await onOffer(acme, rosa);
    const late = await browser.post('/recovery/compromiso', { promiseAmount: '500', promisedDate: '2026-05-01' });
    expect(late.status).toBe(422);
    const html = await late.text();
    expect(html).toContain('entre hoy y los próximos 30 días');
    expect(html).not.toContain('antes de que termine la oferta');
  });

  it('never runs past the end of the campaign\'s end date, in the tenant\'s timezone', () => {
    const started = new Date('2026-03-10T15:00:00Z');
    // Lima is UTC−5: the 11th ends at 2026-03-12T05:00Z, before start + 48 h.
    expect(deadlineOf(started, 48, '2026-03-11', 'America/Lima').toISOString()).toBe('2026-03-12T05:00:00.000Z');
    expect(deadlineOf(started, 2, '2026-03-11', 'America/Lima').toISOString()).toBe('2026-03-10T17:00:00.000Z');
    expect(deadlineOf(started, 2, null, 'America/Lima').toISOString()).toBe('2026-03-10T17:00:00.000Z');
  });

  it('shows the campaign\'s last day at 23:59 when that ends the offer before the hours do', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant({ countdownEnabled: true, countdownHours: 48 });
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id, { endDate: '2026-03-11' });
    const browser = await onOffer(acme, rosa);
    const page = await (await browser.get('/recovery/oferta')).text();
    // 10:00 in Lima on the 10th: 1 day and 14 hours to the end of the 11th.
    expect(page).toContain('1 d 14 h 00 min');
    const until = /Hasta el ([^<]*)/.exec(page)?.[1] ?? '';
    // es-PE writes "11/03/2026, 11:59 p. m."; before, it showed the next day's 00:00.
    expect(until).toMatch(/^11\/03\/2026, 11:59 p\.\s?m\./);

    // Without a nearer campaign end, the deadline itself is shown: 10:00 + 2 hours.
    h.clock.set('2026-03-10T15:00:00Z');
    const other = await recoveryTenant({ countdownEnabled: true, countdownHours: 2 });
    const ana = await debtor(h, other);
    await activeCampaign(h, other, ana.id, { endDate: '2026-03-11' });
    const second = await (await (await onOffer(other, ana)).get('/recovery/oferta')).text();
    expect(/Hasta el ([^<]*)/.exec(second)?.[1]).toMatch(/^10\/03\/2026, 12:00 p\.\s?m\./);
  });

  it('does not show or start without the setting', async () => {
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await recoveryTenant();
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const browser = await onOffer(acme, rosa);
    const page = await (await browser.get('/recovery/oferta')).text();
    expect(page).not.toContain('La oferta vence en');
    expect(page).not.toContain('htmx');
    h.clock.advance(400 * HOUR);
    const later = await onOffer(acme, rosa);
    expect(await (await later.get('/recovery/oferta')).text()).toContain('¡Cancelar mi deuda ahora!');
  });
});
