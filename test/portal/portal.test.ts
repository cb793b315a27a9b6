import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentAllocations } from '../../src/payments/schema.js';
import { rejectPayment } from '../../src/payments/service.js';
import { ordersOf, scopeFor } from '../payments/support.js';
import { portalSessions } from '../../src/portal/schema.js';
import { payLinkSignature, verifyPayLink } from '../../src/portal/payment-provider.js';
import { statementLink } from '../../src/portal/links.js';
import { identificationLimits } from '../../src/portal/identification.js';
import { tenantSettings } from '../../src/settings/schema.js';
import { mailMessages } from '../../src/platform/mail/schema.js';
import { detailLines } from '../../src/events/describe.js';
import { translator } from '../../src/platform/i18n/index.js';
import { TEST_SECRET, startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import {
  activeCampaign,
  debtor,
  eventsOf,
  identify,
  multipart,
  newOrder,
  paymentsOf,
  promisesOf,
  setPortal,
  signedIn,
  tinyPng,
  withoutToken,
} from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

const location = (r: Response) => r.headers.get('Location');

describe('identifying on the customer portal', () => {
  it('lets a debtor in with their document and the phone on file, and records it', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = h.client(acme);
    const first = await browser.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    expect(first.status).toBe(303);
    expect(location(first)).toBe('/verificacion');
    expect(await (await browser.get('/verificacion')).text()).toContain('Celular o correo electrónico');
    const second = await browser.post('/verificacion', { contact: '987 654 321' });
    expect(second.status).toBe(303);
    expect(location(second)).toBe('/estado-de-cuenta');
    expect(browser.cookies.has('saldo_portal')).toBe(true);
    const page = await browser.get('/estado-de-cuenta');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Hola, Rosa Quispe');
    const types = (await eventsOf(h, acme, rosa.id)).map((e) => e.type);
    expect(types).toEqual(['portal.identified', 'portal.statement_viewed']);
    // Reloading the statement in the same visit records nothing more.
    h.clock.advance(60_000);
    expect((await browser.get('/estado-de-cuenta')).status).toBe(200);
    expect((await eventsOf(h, acme, rosa.id)).map((e) => e.type)).toEqual(types);
  });

  it('accepts the email on file, whatever its capitals', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const response = await identify(h.client(acme), rosa, '  ROSA@Example.pe ');
    expect(response.status).toBe(303);
  });

  it('answers an unknown document exactly as it answers a wrong phone', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const unknown = await identify(h.client(acme), { documentType: 'DNI', documentNumber: '09999999' }, '987654321');
    const wrongPhone = await identify(h.client(acme), rosa, '912345678');
    expect(unknown.status).toBe(422);
    expect(wrongPhone.status).toBe(unknown.status);
    const [a, b] = [withoutToken(await unknown.text()), withoutToken(await wrongPhone.text())];
    expect(a).toContain('Los datos no coinciden con nuestros registros');
    expect(b).toBe(a);
    expect(await eventsOf(h, acme, rosa.id)).toHaveLength(0);
  });

  it('never lets anyone in with a document of another tenant', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const rosa = await debtor(h, other);
    const response = await identify(h.client(acme), rosa, rosa.phone!);
    expect(response.status).toBe(422);
    expect(await h.db.select().from(portalSessions).where(eq(portalSessions.tenantId, acme.id))).toHaveLength(0);
  });

  it('stops guessing for one document after a few failures, with a message to try later', async () => {
    // The start of a 15-minute window: a limited debtor waits all of it.
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = h.client(acme);
    // Sending the form empty is a slip: it asks for the contact and is not counted.
    for (let i = 0; i < identificationLimits.perDocument.max + 1; i++) {
      const empty = await identify(browser, rosa, ' ');
      expect(empty.status).toBe(422);
      expect(await empty.text()).toContain('Escribe tu celular o tu correo electrónico.');
    }
    for (let i = 0; i < identificationLimits.perDocument.max; i++) {
      expect((await identify(browser, rosa, `91234567${i}`)).status).toBe(422);
    }
    const blocked = await identify(browser, rosa, rosa.phone!);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Hiciste demasiados intentos. Inténtalo de nuevo en 15 minutos.');
    expect(browser.cookies.has('saldo_portal')).toBe(false);
    // What is left of the window, not the window: 15:00–15:15, now 15:12.
    h.clock.set('2026-03-10T15:12:00Z');
    const later = await identify(browser, rosa, rosa.phone!);
    expect(later.status).toBe(429);
    expect(later.headers.get('Retry-After')).toBe('180');
    expect(await later.text()).toContain('Hiciste demasiados intentos. Inténtalo de nuevo en 3 minutos.');
    h.clock.set('2026-03-10T15:14:30Z');
    expect(await (await identify(browser, rosa, rosa.phone!)).text()).toContain('Inténtalo de nuevo en 1 minuto.');
    h.clock.set('2026-03-10T15:15:00Z');
    expect((await identify(browser, rosa, rosa.phone!)).status).toBe(303);
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('counts attempts sent all at once: no more than the limit are judged', async () => {
    // The start of a 15-minute window: a limited debtor waits all of it.
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = h.client(acme);
    await browser.post('/identificacion', { documentType: 'DNI', documentNumber: rosa.documentNumber });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => browser.post('/verificacion', { contact: `91234567${i % 10}` })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 422)).toHaveLength(identificationLimits.perDocument.max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12 - identificationLimits.perDocument.max);
    const limited = answers.find((r) => r.status === 429)!;
    expect(limited.headers.get('Retry-After')).toBe(String(identificationLimits.perDocument.windowMs / 1000));
    h.clock.advance(identificationLimits.perDocument.windowMs);
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('stops guessing from one address across many documents', async () => {
    // The start of a 15-minute window: a limited debtor waits all of it.
    h.clock.set('2026-03-10T15:00:00Z');
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = h.client(acme);
    for (let i = 0; i < identificationLimits.perIp.max; i++) {
      await identify(browser, { documentType: 'DNI', documentNumber: String(10_000_000 + i) }, '987654321');
    }
    const blocked = await identify(browser, rosa, rosa.phone!);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Inténtalo de nuevo en 15 minutos');
  });

  it('asks for the document again when the second step comes without the first', async () => {
    const acme = await newTenant(h);
    const response = await h.client(acme).post('/verificacion', { contact: '987654321' });
    expect(response.status).toBe(303);
    expect(location(response)).toBe('/');
  });

  it('shows a format problem of the document on the first step', async () => {
    const acme = await newTenant(h);
    const response = await h.client(acme).post('/identificacion', { documentType: 'DNI', documentNumber: '12' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Número de documento');
  });
});

describe('portal and staff sessions', () => {
  it('a portal cookie is no staff session, and a staff cookie opens no statement', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const debtorBrowser = await signedIn(h, acme, rosa);
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));

    const forged = h.client(acme);
    forged.cookies.set('saldo_session', debtorBrowser.cookies.get('saldo_portal')!);
    const app = await forged.get('/app');
    expect(app.status).toBe(303);
    expect(location(app)).toContain('/app/login');

    const other = h.client(acme);
    other.cookies.set('saldo_portal', staff.cookies.get('saldo_session')!);
    const statement = await other.get('/estado-de-cuenta');
    expect(statement.status).toBe(303);
    expect(location(statement)).toBe('/');
  });

  it('a visit ends after 30 minutes without activity', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = await signedIn(h, acme, rosa);
    h.clock.advance(29 * 60_000);
    expect((await browser.get('/estado-de-cuenta')).status).toBe(200);
    h.clock.advance(29 * 60_000);
    expect((await browser.get('/estado-de-cuenta')).status).toBe(200);
    h.clock.advance(31 * 60_000);
    expect((await browser.get('/estado-de-cuenta')).status).toBe(303);
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('a portal cookie from one tenant opens nothing on another', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = await signedIn(h, acme, rosa);
    const elsewhere = h.client(other);
    elsewhere.cookies.set('saldo_portal', browser.cookies.get('saldo_portal')!);
    expect((await elsewhere.get('/estado-de-cuenta')).status).toBe(303);
  });
});

describe('the statement', () => {
  it('groups orders by product with their balances, the totals and the paid ones', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { paymentCode: 'VEH-1', product: 'Crédito vehicular', amount: 500_00, dueDate: '2026-02-28' });
    await newOrder(h, acme, rosa.id, { paymentCode: 'VEH-2', product: 'Crédito vehicular', amount: 500_00, interest: 20_00, dueDate: '2026-04-30' });
    await newOrder(h, acme, rosa.id, { paymentCode: 'EDU-1', product: 'Préstamo educativo', amount: 300_00, discounts: 300_00, dueDate: '2026-01-31' });
    await newOrder(h, acme, rosa.id, { paymentCode: 'ANU-1', product: 'Préstamo educativo', amount: 999_00, annulled: true });
    const browser = await signedIn(h, acme, rosa);
    const html = await (await browser.get('/estado-de-cuenta')).text();
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/\u00a0/g, ' ');
    expect(text).toContain('Total por pagar S/ 1,020.00');
    expect(text).toContain('Vencido S/ 500.00');
    expect(text).toMatch(/Crédito vehicular VEH-1 Vencida .* VEH-2 Pendiente .* Saldo del producto S\/ 1,020.00/);
    expect(text).toMatch(/Préstamo educativo EDU-1 Pagada .* Saldo del producto S\/ 0.00/);
    expect(text).not.toContain('ANU-1');
    // A date gone by is said in the past, paid or not (today is 10/03/2026).
    expect(text).toMatch(/VEH-1 Vencida Venció el 28\/02\/2026/);
    expect(text).toMatch(/VEH-2 Pendiente Vence el 30\/04\/2026/);
    expect(text).toMatch(/EDU-1 Pagada Venció el 31\/01\/2026/);
  });

  it('sends the debtor to the pay link with a signature that holds only for the exact amount', async () => {
    const acme = await newTenant(h);
    await setPortal(h, acme, { payLinkTemplate: 'https://pagos.example.pe/pay?ref={code}&monto={amount}' });
    const rosa = await debtor(h, acme);
    const order = await newOrder(h, acme, rosa.id, { paymentCode: 'OP-77', amount: 150_00 });
    const browser = await signedIn(h, acme, rosa);
    expect(await (await browser.get('/estado-de-cuenta')).text()).toContain(`href="/pago-en-linea/${order.id}"`);
    const response = await browser.get(`/pago-en-linea/${order.id}`);
    expect(response.status).toBe(303);
    const url = new URL(location(response)!);
    expect(url.origin + url.pathname).toBe('https://pagos.example.pe/pay');
    expect(url.searchParams.get('ref')).toBe('OP-77');
    expect(url.searchParams.get('monto')).toBe('150.00');
    const signature = url.searchParams.get('signature')!;
    const expires = url.searchParams.get('expires')!;
    expect(Number(expires) * 1000).toBe(h.clock.now().getTime() + 3_600_000);
    expect(signature).toBe(payLinkSignature(TEST_SECRET, acme.id, 'OP-77', '150.00', expires));
    const link = { tenantId: acme.id, code: 'OP-77', amount: '150.00', expires, signature };
    expect(verifyPayLink(TEST_SECRET, link, h.clock.now())).toBe(true);
    expect(verifyPayLink(TEST_SECRET, { ...link, amount: '1.00' }, h.clock.now())).toBe(false);
    expect(verifyPayLink(TEST_SECRET, { ...link, code: 'OP-78' }, h.clock.now())).toBe(false);
    expect(verifyPayLink(TEST_SECRET, { ...link, tenantId: acme.id + 1 }, h.clock.now())).toBe(false);
    expect(verifyPayLink(TEST_SECRET, { ...link, expires: String(Number(expires) + 3600) }, h.clock.now())).toBe(false);
    expect(verifyPayLink(TEST_SECRET, link, new Date(Number(expires) * 1000))).toBe(false);
    const total = await browser.get('/pago-en-linea/total');
    expect(new URL(location(total)!).searchParams.get('monto')).toBe('150.00');
    expect((await eventsOf(h, acme, rosa.id)).filter((e) => e.type === 'portal.pay_link_opened')).toHaveLength(2);
  });

  it('never opens a pay link for another client’s order', async () => {
    const acme = await newTenant(h);
    await setPortal(h, acme, { payLinkTemplate: 'https://pagos.example.pe/pay?monto={amount}' });
    const rosa = await debtor(h, acme);
    const luis = await debtor(h, acme, { documentNumber: '70000001', phone: '+51911111111' });
    const hisOrder = await newOrder(h, acme, luis.id);
    const browser = await signedIn(h, acme, rosa);
    expect((await browser.get(`/pago-en-linea/${hisOrder.id}`)).status).toBe(404);
  });

  it('shows the bank-transfer details from the settings', async () => {
    const acme = await newTenant(h);
    await setPortal(h, acme, { bankDetails: 'BCP Cuenta corriente 193-1234567-0-12' });
    const rosa = await debtor(h, acme);
    const browser = await signedIn(h, acme, rosa);
    // The account number is kept whole on a narrow phone: no break at its hyphens.
    expect(await (await browser.get('/estado-de-cuenta')).text()).toContain('BCP Cuenta corriente <span class="nowrap">193-1234567-0-12</span>');
  });
});

describe('receipts from the portal', () => {
  it('an uploaded receipt becomes a payment por verificar from the portal, with its file', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 200_00 });
    const browser = await signedIn(h, acme, rosa);
    const response = await browser.request('POST', '/comprobante', {
      body: multipart(browser, { amount: '120.50', reference: 'OP 998877' }, { receipt: { bytes: tinyPng, name: 'voucher.png', type: 'image/png' } }),
    });
    expect(response.status).toBe(303);
    expect(await (await browser.get('/estado-de-cuenta')).text()).toContain('Recibimos tu comprobante');
    const [payment] = await paymentsOf(h, acme, rosa.id);
    expect(payment).toMatchObject({ amount: 120_50, state: 'por_verificar', source: 'portal', reference: 'OP 998877' });
    expect(payment!.receiptKey).toMatch(/\.png$/);
    expect((await eventsOf(h, acme, rosa.id)).map((e) => e.type)).toContain('portal.receipt_uploaded');
    // Staff open the file from the client's statement before they verify the payment; nobody else can.
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    expect(await (await staff.get(`/app/clients/${rosa.id}/statement`)).text()).toContain(`href="/app/payments/${payment!.id}/receipt"`);
    const file = await staff.get(`/app/payments/${payment!.id}/receipt`);
    expect(file.status).toBe(200);
    expect(file.headers.get('Content-Type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(tinyPng))).toBe(true);
    const other = await newTenant(h);
    const stranger = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect((await stranger.get(`/app/payments/${payment!.id}/receipt`)).status).toBe(404);
    expect((await browser.get(`/app/payments/${payment!.id}/receipt`)).status).not.toBe(200);
  });

  it('refuses a renamed program and a file over 5 MB, and changes nothing', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id);
    const browser = await signedIn(h, acme, rosa);
    const exe = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, ...new Array(64).fill(0)]);
    const renamed = await browser.request('POST', '/comprobante', {
      body: multipart(browser, { amount: '50' }, { receipt: { bytes: exe, name: 'comprobante.png', type: 'image/png' } }),
    });
    expect(renamed.status).toBe(422);
    expect(await renamed.text()).toContain('El archivo debe ser una imagen JPG, PNG o WebP, o un PDF.');
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(tinyPng);
    const oversized = await browser.request('POST', '/comprobante', {
      body: multipart(browser, { amount: '50' }, { receipt: { bytes: big, name: 'foto.png', type: 'image/png' } }),
    });
    expect(oversized.status).toBe(422);
    const html = await oversized.text();
    expect(html).toContain('El archivo pesa más de 5 MB.');
    expect(html).toContain('value="50"');
    // Past the whole upload limit the request is cut short: the page still names the receipt's 5 MB.
    const huge = await browser.request('POST', '/comprobante', {
      body: multipart(browser, { amount: '50' }, { receipt: { bytes: new Uint8Array(h.config.uploadLimitBytes + 1), name: 'video.png', type: 'image/png' } }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('supera el límite de 5 MB');
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(0);
  });

  it('refuses an amount above what is owed', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 100_00 });
    const browser = await signedIn(h, acme, rosa);
    const response = await browser.request('POST', '/comprobante', {
      body: multipart(browser, { amount: '500' }, { receipt: { bytes: tinyPng, name: 'a.png', type: 'image/png' } }),
    });
    expect(response.status).toBe(422);
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(0);
  });

  it('counts the receipts still to verify, so a retry or a double tap does not report the same money twice', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const order = await newOrder(h, acme, rosa.id, { amount: 100_00 });
    const browser = await signedIn(h, acme, rosa);
    const another = new Uint8Array(tinyPng);
    another[another.length - 1]! ^= 1;
    const send = (amount: string, bytes = tinyPng) =>
      browser.request('POST', '/comprobante', { body: multipart(browser, { amount, order: String(order.id) }, { receipt: { bytes, name: 'a.png', type: 'image/png' } }) });
    // The same receipt three times at once is one receipt, whichever send arrives first.
    const answers = await Promise.all([send('100'), send('100'), send('100')]);
    expect(answers.map((r) => r.status)).toEqual([303, 303, 303]);
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(1);
    // Another receipt for the same money is weighed against what is still to verify.
    const refused = await send('100', another);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('contando los pagos que ya informaste y están por verificar');
    expect((await send('0,01', another)).status).toBe(422);
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(1);
  });

  it('tells a debtor whose money would reach an order not issued yet what to send instead', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 100_00, dueDate: '2026-02-01' });
    await newOrder(h, acme, rosa.id, { amount: 200_00, issueDate: '2026-03-15', dueDate: '2026-04-15' });
    const browser = await signedIn(h, acme, rosa);
    const send = (amount: string) => browser.request('POST', '/comprobante', { body: multipart(browser, { amount }, { receipt: { bytes: tinyPng, name: 'a.png', type: 'image/png' } }) });
    const refused = await send('150');
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('Tu pago supera lo que debes hoy');
    expect(html).toContain('15/03/2026');
    // Said of the amount, the form's own field, not of a payment date the form does not ask.
    expect(/<div class="error-summary"[\s\S]*?<\/div>/.exec(html)![0]).toContain('Monto pagado: Tu pago supera lo que debes hoy');
    expect((await send('100')).status).toBe(303);
    // The order not issued yet is not offered to choose, nor taken when sent by hand.
    const later = (await ordersOf(h, acme, rosa.id)).find((o) => o.issueDate === '2026-03-15')!;
    expect(await (await browser.get('/estado-de-cuenta')).text()).not.toContain(`<option value="${later.id}"`);
    const chosen = await browser.request('POST', '/comprobante', { body: multipart(browser, { amount: '50', order: String(later.id) }, { receipt: { bytes: tinyPng, name: 'b.png', type: 'image/png' } }) });
    expect(chosen.status).toBe(422);
    expect(await chosen.text()).toContain('Elige una de tus deudas pendientes.');
  });

  it('offers to pay today only what can be paid today: an order issued later is shown apart, without a pay link, and out of the total', async () => {
    const acme = await newTenant(h);
    await setPortal(h, acme, { payLinkTemplate: 'https://pagos.example.pe/pay?ref={code}&monto={amount}' });
    const rosa = await debtor(h, acme);
    const now = await newOrder(h, acme, rosa.id, { paymentCode: 'CUO-1', amount: 100_00, dueDate: '2026-02-01' });
    const later = await newOrder(h, acme, rosa.id, { paymentCode: 'CUO-2', amount: 200_00, issueDate: '2026-03-15', dueDate: '2026-04-15' });
    const browser = await signedIn(h, acme, rosa);
    const page = await (await browser.get('/estado-de-cuenta')).text();
    const text = page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Total por pagar S/ 100.00');
    expect(text).toContain('Por emitir (se paga cuando se emita) S/ 200.00');
    expect(text).toContain('Se emite el 15/03/2026');
    expect(page).toContain(`href="/pago-en-linea/${now.id}"`);
    expect(page).not.toContain(`href="/pago-en-linea/${later.id}"`);
    expect((await browser.get(`/pago-en-linea/${later.id}`)).status).toBe(404);
    expect(new URL(location(await browser.get('/pago-en-linea/total'))!).searchParams.get('monto')).toBe('100.00');
    // The day it is issued, it is owed and paid like the rest.
    h.clock.set('2026-03-15T15:00:00Z');
    try {
      const again = await signedIn(h, acme, rosa);
      const issued = await (await again.get('/estado-de-cuenta')).text();
      expect(issued).toContain(`href="/pago-en-linea/${later.id}"`);
      expect(new URL(location(await again.get('/pago-en-linea/total'))!).searchParams.get('monto')).toBe('300.00');
    } finally {
      h.clock.set('2026-03-10T15:00:00Z');
    }
  });

  it('takes the same receipt again once staff refused the first one, as the statement asks', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 200_00 });
    const browser = await signedIn(h, acme, rosa);
    const send = () => browser.request('POST', '/comprobante', { body: multipart(browser, { amount: '80' }, { receipt: { bytes: tinyPng, name: 'a.png', type: 'image/png' } }) });
    expect((await send()).status).toBe(303);
    const [first] = await paymentsOf(h, acme, rosa.id);
    expect((await rejectPayment(scopeFor(h, acme), first!.id)).ok).toBe(true);
    expect((await send()).status).toBe(303);
    expect((await paymentsOf(h, acme, rosa.id)).map((p) => p.state).sort()).toEqual(['no_verificado', 'por_verificar']);
  });

  it('puts a second receipt on what the first leaves owed, so staff can verify both', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const older = await newOrder(h, acme, rosa.id, { amount: 100_00, dueDate: '2026-02-01' });
    const newer = await newOrder(h, acme, rosa.id, { amount: 200_00, dueDate: '2026-04-01' });
    const browser = await signedIn(h, acme, rosa);
    const send = (amount: string) =>
      browser.request('POST', '/comprobante', { body: multipart(browser, { amount }, { receipt: { bytes: tinyPng, name: 'a.png', type: 'image/png' } }) });
    expect((await send('100')).status).toBe(303);
    expect((await send('50')).status).toBe(303);
    const allocated = await h.db.select().from(paymentAllocations).where(eq(paymentAllocations.tenantId, acme.id));
    expect(allocated.map((a) => [a.orderId, a.amount]).sort()).toEqual([
      [older.id, 100_00],
      [newer.id, 50_00],
    ].sort());
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    for (const payment of await paymentsOf(h, acme, rosa.id)) expect((await staff.post(`/app/payments/${payment.id}/verification`)).status).toBe(303);
    expect((await paymentsOf(h, acme, rosa.id)).map((p) => p.state)).toEqual(['verificado', 'verificado']);
  });

  it('tells the debtor when staff could not verify a receipt they sent', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 100_00 });
    const browser = await signedIn(h, acme, rosa);
    await browser.request('POST', '/comprobante', { body: multipart(browser, { amount: '40' }, { receipt: { bytes: tinyPng, name: 'a.png', type: 'image/png' } }) });
    const [payment] = await paymentsOf(h, acme, rosa.id);
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    // Interacciones says the client sent it, and that it waits to be verified.
    const history = await (await staff.get(`/app/clients/${rosa.id}/interactions`)).text();
    expect(history).toMatch(/Pago registrado, por verificar[\s\S]{0,200}El cliente, desde el portal/);
    expect((await staff.post(`/app/payments/${payment!.id}/rejection`)).status).toBe(303);
    const page = (await (await browser.get('/estado-de-cuenta')).text()).replaceAll('\u00a0', ' ');
    expect(page).toContain('No pudimos verificar tu pago de S/ 40.00');
    expect(page).not.toContain('Pago por verificar de S/ 40.00');
  });

  it('needs an identified visit', async () => {
    const acme = await newTenant(h);
    const browser = h.client(acme);
    const response = await browser.request('POST', '/comprobante', {
      body: multipart(browser, { amount: '10' }, { receipt: { bytes: tinyPng, name: 'a.png', type: 'image/png' } }),
    });
    expect(response.status).toBe(303);
    expect(location(response)).toBe('/#main');
    expect(await (await browser.get('/')).text()).toContain('Tu sesión terminó por inactividad y no guardamos lo que enviaste.');
  });

  it('says so when a visit ended by itself and the statement is opened again', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = await signedIn(h, acme, rosa);
    expect((await browser.get('/estado-de-cuenta')).status).toBe(200);
    h.clock.advance(31 * 60_000);
    try {
      const after = await browser.get('/estado-de-cuenta');
      expect(location(after)).toBe('/');
      expect(await (await browser.get('/')).text()).toContain('Tu sesión terminó tras 30 minutos sin actividad. Identifícate de nuevo para ver tu estado de cuenta.');
    } finally {
      h.clock.advance(-31 * 60_000);
    }
  });
});

describe('promises from the portal', () => {
  it('offers no promise to a debtor who owes nothing, and says why to one who sends it anyway', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const browser = await signedIn(h, acme, rosa);
    expect(await (await browser.get('/estado-de-cuenta')).text()).not.toContain('action="/compromiso"');
    const sent = await browser.post('/compromiso', { promiseAmount: '50', promisedDate: '2026-03-12' });
    expect(sent.status).toBe(422);
    const page = await sent.text();
    expect(page).toContain('No tienes deuda pendiente: no hay pago que prometer.');
    expect(page).toContain('action="/compromiso"');
    expect(await promisesOf(h, acme, rosa.id)).toHaveLength(0);
  });

  it('accepts a date from today up to the tenant’s limit and a positive amount', async () => {
    const acme = await newTenant(h);
    await h.db.insert(tenantSettings).values({ tenantId: acme.id, promiseMaxDays: 10 });
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id);
    const browser = await signedIn(h, acme, rosa);
    const late = await browser.post('/compromiso', { promiseAmount: '50', promisedDate: '2026-03-21' });
    expect(late.status).toBe(422);
    const latePage = await late.text();
    expect(latePage).toContain('La fecha del compromiso debe estar entre hoy y los próximos 10 días.');
    // The summary names the field as the form does.
    expect(latePage).toContain('<a href="#f-promisedDate">Fecha de pago: La fecha del compromiso');
    const over = await (await browser.post('/compromiso', { promiseAmount: '999999', promisedDate: '2026-03-12' })).text();
    expect(over).toContain('<a href="#f-promiseAmount">Monto: ');
    const past = await browser.post('/compromiso', { promiseAmount: '50', promisedDate: '2026-03-09' });
    expect(past.status).toBe(422);
    const zero = await browser.post('/compromiso', { promiseAmount: '0', promisedDate: '2026-03-15' });
    expect(zero.status).toBe(422);
    expect(await promisesOf(h, acme, rosa.id)).toHaveLength(0);
    const aboveDebt = await browser.post('/compromiso', { promiseAmount: '99999999', promisedDate: '2026-03-20' });
    expect(aboveDebt.status).toBe(422);
    expect(await aboveDebt.text()).toContain('no puede ser mayor que la deuda pendiente');
    expect(await promisesOf(h, acme, rosa.id)).toHaveLength(0);
    const ok = await browser.post('/compromiso', { promiseAmount: '50', promisedDate: '2026-03-20' });
    expect(ok.status).toBe(303);
    const [promise] = await promisesOf(h, acme, rosa.id);
    expect(promise).toMatchObject({ amount: 50_00, promisedDate: '2026-03-20', source: 'portal' });
    expect((await eventsOf(h, acme, rosa.id)).map((e) => e.type)).toContain('portal.promise_made');
    // A second, sooner promise is listed first: the next one to meet.
    expect((await browser.post('/compromiso', { promiseAmount: '20', promisedDate: '2026-03-15' })).status).toBe(303);
    const listed = [...(await (await browser.get('/estado-de-cuenta')).text()).matchAll(/Compromiso de pago de [^<]* para el (\d\d\/\d\d\/\d{4})/g)].map((m) => m[1]);
    expect(listed).toEqual(['15/03/2026', '20/03/2026']);
  });
});

describe('a form sent twice (a double tap on a slow phone)', () => {
  it('registers one receipt and one promise, and both sends land on the statement with the same message', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 200_00 });
    const browser = await signedIn(h, acme, rosa);
    const page = await (await browser.get('/estado-de-cuenta')).text();
    const onces = [...page.matchAll(/name="_once" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    expect(onces).toHaveLength(2);
    expect(page).toContain('action="/comprobante"');
    const receipt = () =>
      browser.request('POST', '/comprobante', {
        body: multipart(browser, { amount: '120.50', reference: 'OP 1', _once: onces[0]! }, { receipt: { bytes: tinyPng, name: 'voucher.png', type: 'image/png' } }),
      });
    const [first, second] = await Promise.all([receipt(), receipt()]);
    for (const response of [first, second]) {
      expect(response.status).toBe(303);
      expect(location(response)).toBe('/estado-de-cuenta#main');
    }
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(1);
    const promise = () => browser.post('/compromiso', { promiseAmount: '50', promisedDate: '2026-03-20', _once: onces[1]! });
    await Promise.all([promise(), promise()]);
    expect(await promisesOf(h, acme, rosa.id)).toHaveLength(1);
    // A new rendering of the form is a new form: a second promise on purpose goes through.
    const again = [...(await (await browser.get('/estado-de-cuenta')).text()).matchAll(/name="_once" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    expect(again).not.toContain(onces[1]);
    await browser.post('/compromiso', { promiseAmount: '20', promisedDate: '2026-03-21', _once: again[1]! });
    expect(await promisesOf(h, acme, rosa.id)).toHaveLength(2);
    // A refused send does not spend the form: sent again, it is refused again, never "registered".
    const third = [...(await (await browser.get('/estado-de-cuenta')).text()).matchAll(/name="_once" value="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const tooMuch = () => browser.post('/compromiso', { promiseAmount: '999999', promisedDate: '2026-03-22', _once: third[1]! });
    expect((await tooMuch()).status).toBe(422);
    expect((await tooMuch()).status).toBe(422);
    // Sent twice at once, the second waits for the first's answer: both are refused, neither told it counted.
    const both = await Promise.all([tooMuch(), tooMuch()]);
    expect(both.map((r) => r.status)).toEqual([422, 422]);
    expect(await promisesOf(h, acme, rosa.id)).toHaveLength(2);
  });

  it('the same receipt sent again from a fresh form (Back, then send) counts once; another file or amount is another receipt', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 200_00 });
    const browser = await signedIn(h, acme, rosa);
    const send = async (amount: string, bytes: Uint8Array) => {
      const once = /name="_once" value="([0-9a-f-]{36})"/.exec(await (await browser.get('/estado-de-cuenta')).text())![1]!;
      return browser.request('POST', '/comprobante', { body: multipart(browser, { amount, reference: '', _once: once }, { receipt: { bytes, name: 'voucher.png', type: 'image/png' } }) });
    };
    for (let i = 0; i < 2; i++) {
      const response = await send('40', tinyPng);
      expect(response.status).toBe(303);
      expect(location(response)).toBe('/estado-de-cuenta#main');
    }
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(1);
    await send('41', tinyPng);
    const other = new Uint8Array(tinyPng);
    other[other.length - 1]! ^= 1;
    await send('40', other);
    expect(await paymentsOf(h, acme, rosa.id)).toHaveLength(3);
  });
});

describe('signed statement links', () => {
  it('opens the statement straight away until it expires', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    const link = statementLink(h.config, acme, rosa.id, TEST_SECRET, new Date('2026-03-11T00:00:00Z'));
    const path = new URL(link).pathname;
    const browser = h.client(acme);
    const response = await browser.get(path);
    expect(response.status).toBe(303);
    expect(location(response)).toBe('/estado-de-cuenta');
    expect((await browser.get('/estado-de-cuenta')).status).toBe(200);

    h.clock.set('2026-03-11T00:00:01Z');
    const late = h.client(acme);
    const expired = await late.get(path);
    expect(expired.status).toBe(200);
    expect(await expired.text()).toContain('El enlace venció o no es válido.');
    expect(late.cookies.has('saldo_portal')).toBe(false);
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('a forged link or one made for another tenant opens nothing', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const rosa = await debtor(h, other);
    const theirs = new URL(statementLink(h.config, other, rosa.id, TEST_SECRET, new Date('2026-04-01T00:00:00Z'))).pathname;
    const browser = h.client(acme);
    expect(await (await browser.get(theirs)).text()).toContain('El enlace venció o no es válido.');
    expect(await (await browser.get(theirs.replace(/^\/s\/\d+/, `/s/${acme.id}`))).text()).toContain('El enlace venció o no es válido.');
    expect(browser.cookies.has('saldo_portal')).toBe(false);
  });
});

describe('sending the statement link from the back office', () => {
  it('emails the client a link that opens their statement for a week, once per tap, recorded in Interacciones', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await newOrder(h, acme, rosa.id, { amount: 150_00 });
    await setPortal(h, acme, { customerColor: '#0b5394' });
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor', name: 'Luis Asesor' }));
    const page = await (await advisor.get(`/app/clients/${rosa.id}/statement`)).text();
    expect(page).toContain(`action="/app/clients/${rosa.id}/statement/link"`);
    const once = /name="_once" value="([^"]+)"/.exec(page.slice(page.indexOf('/statement/link')))?.[1];
    expect(once).toBeDefined();
    // Two taps on the same button send one email.
    for (let i = 0; i < 2; i++) {
      const sent = await advisor.post(`/app/clients/${rosa.id}/statement/link`, { _once: once! });
      expect(sent.status).toBe(303);
    }
    expect(await (await advisor.get(`/app/clients/${rosa.id}/statement`)).text()).toContain('Enviamos el enlace del estado de cuenta a rosa@example.pe.');
    const mails = await h.db.select().from(mailMessages).where(and(eq(mailMessages.tenantId, acme.id), eq(mailMessages.to, 'rosa@example.pe')));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`${acme.name}: tu estado de cuenta`);
    // Sent 2026-03-10 10:00 in Lima: it opens through 17/03.
    expect(mail.text).toContain('El enlace funciona hasta el 17/03/2026.');
    // The button in the colour of the portal it opens.
    expect(mail.html).toMatch(/background:#0b5394[^>]*>Estado de cuenta<\/a>/);
    const link = /https?:\/\/\S+\/s\/\S+/.exec(mail.text)![0];
    // In development the message waits in the outbox; staff see where its link goes, not its key.
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const outbox = await (await admin.get('/app/settings/outbox')).text();
    expect(outbox).not.toContain(link.split('/s/')[1]!);
    expect(outbox).toContain(`${new URL(link).origin}/s/…`);
    // Each mail says where it went, in words, not by the transport's code.
    expect(outbox).toContain('<span class="badge badge-ok">Guardado aquí</span>');
    expect(outbox).not.toContain(' · outbox');
    const path = new URL(link).pathname;
    const debtorBrowser = h.client(acme);
    const opened = await debtorBrowser.get(path);
    expect(location(opened)).toBe('/estado-de-cuenta');
    expect(await (await debtorBrowser.get('/estado-de-cuenta')).text()).toContain('Hola, Rosa Quispe');
    const events = (await eventsOf(h, acme, rosa.id)).filter((e) => e.type === 'statement.link_sent');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({ sentTo: 'rosa@example.pe', expiresOn: '2026-03-17' });
    const history = await (await advisor.get(`/app/clients/${rosa.id}/interactions`)).text();
    expect(history).toContain('Enlace del estado de cuenta enviado por correo');
    expect(history).toContain('Para: rosa@example.pe');
    expect(history).toContain('Vence: 17/03/2026');
    // Only a message's address reads "Para:"; a state change's `to` is not an address.
    const t = translator('es');
    expect(detailLines(t, { from: 'pending', to: 'kept', amount: 100 }, String).join(' ')).not.toContain('Para:');
    expect(detailLines(t, { sentTo: 'rosa@example.pe' }, String)).toEqual(['Para: rosa@example.pe']);
    // It opens through the last day the email names, in Lima, and no longer once the next one begins.
    h.clock.set('2026-03-18T04:59:00Z');
    expect(location(await h.client(acme).get(path))).toBe('/estado-de-cuenta');
    h.clock.set('2026-03-18T05:00:01Z');
    expect(await (await h.client(acme).get(path)).text()).toContain('El enlace venció o no es válido.');
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('says why it cannot send to a client without an email, and sends nothing for a deleted client', async () => {
    const acme = await newTenant(h);
    const pedro = await debtor(h, acme, { email: null, name: 'Pedro Salas', documentNumber: '07777777' });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const page = await (await admin.get(`/app/clients/${pedro.id}/statement`)).text();
    expect(page).not.toContain('/statement/link');
    expect(page).toContain('El cliente no tiene correo registrado');
    expect((await admin.post(`/app/clients/${pedro.id}/statement/link`)).status).toBe(303);
    expect(await (await admin.get(`/app/clients/${pedro.id}/statement`)).text()).toContain('El cliente no tiene correo registrado: agrégalo en su ficha');
    const rosa = await debtor(h, acme);
    await admin.post(`/app/clients/${rosa.id}/deletion`);
    expect((await admin.post(`/app/clients/${rosa.id}/statement/link`)).status).toBe(404);
    const other = await newTenant(h);
    const stranger = await debtor(h, other);
    expect((await admin.post(`/app/clients/${stranger.id}/statement/link`)).status).toBe(404);
    expect(await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id))).toHaveLength(0);
    expect(await eventsOf(h, acme, pedro.id)).toHaveLength(0);
  });
});

describe('debtors with an active charged-off campaign', () => {
  it('go to /recovery only when the recovery portal is active', async () => {
    const acme = await newTenant(h);
    const rosa = await debtor(h, acme);
    await activeCampaign(h, acme, rosa.id);
    const inactive = await identify(h.client(acme), rosa, rosa.phone!);
    expect(location(inactive)).toBe('/estado-de-cuenta');

    await setPortal(h, acme, { recoveryActive: true });
    const browser = h.client(acme);
    const active = await identify(browser, rosa, rosa.phone!);
    expect(location(active)).toBe('/recovery');
    const [session] = await h.db.select().from(portalSessions).where(and(eq(portalSessions.tenantId, acme.id), eq(portalSessions.kind, 'recovery')));
    expect(session?.clientId).toBe(rosa.id);

    const luis = await debtor(h, acme, { documentNumber: '70000002', phone: '+51922222222' });
    expect(location(await identify(h.client(acme), luis, luis.phone!))).toBe('/estado-de-cuenta');
  });
});
