import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { registerPayment } from '../../src/payments/service.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { addStaff, newTenant, type Staff } from '../support/factories.js';
import { newClient, newOrder, paymentsOf, scopeFor } from '../payments/support.js';
import { serveForBrowser, type Served } from './support.js';

let s: Served;
let acme: Tenant;
let supervisor: Staff;
beforeAll(async () => {
  s = await serveForBrowser();
  acme = await newTenant(s.h, { name: 'Acme Cobranzas' });
  supervisor = await addStaff(s.h, acme, { role: 'supervisor', name: 'Sara Supervisora' });
});
afterAll(() => s?.close());

async function logIn(page: Page) {
  await page.goto(s.url(acme.subdomain, '/app/login'));
  await page.getByLabel('Correo electrónico').fill(supervisor.email);
  await page.getByLabel('Contraseña').fill(supervisor.password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(/\/app$/);
}

describe('payments that cannot be taken back, in a browser', () => {
  for (const javaScript of [true, false]) {
    it(`are annulled only after staff confirm what it does (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const client = await newClient(s.h, acme);
      const order = await newOrder(s.h, acme, client.id);
      const registered = await registerPayment(scopeFor(s.h, acme), client.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [order.id] });
      expect(registered.ok).toBe(true);
      const context = await s.context({ javaScript });
      const page = await context.newPage();
      await logIn(page);
      await page.goto(s.url(acme.subdomain, `/app/clients/${client.id}/statement`));
      const payments = page.locator('#payments');
      const confirm = payments.getByRole('button', { name: 'Sí, anular el pago' });
      // The first click only opens what annulling does.
      expect(await confirm.isVisible()).toBe(false);
      await payments.getByText('Anular', { exact: true }).click();
      await expect.poll(() => confirm.isVisible()).toBe(true);
      expect(await payments.textContent()).toContain('No se puede deshacer');
      expect((await paymentsOf(s.h, acme, client.id))[0]!.state).toBe('por_verificar');
      await confirm.click();
      await page.waitForLoadState();
      await expect.poll(async () => (await paymentsOf(s.h, acme, client.id))[0]!.state).toBe('anulado');
      await context.close();
    });
  }
});

describe('the orders tray in a browser', () => {
  it('a due date typed into the filter sends it once, when the typing pauses', async () => {
    const context = await s.context();
    const page = await context.newPage();
    await logIn(page);
    await page.goto(s.url(acme.subdomain, '/app/orders'));
    const sent: string[] = [];
    page.on('request', (request) => request.url().includes('dueFrom=') && sent.push(request.url()));
    await page.getByLabel('Vence desde').focus();
    // Digit by digit, as a keyboard types a day: each segment fires a change of its own.
    await page.keyboard.type('02012026', { delay: 60 });
    await expect.poll(() => page.url(), { timeout: 5000 }).toContain('dueFrom=2026-');
    await page.waitForTimeout(1000);
    expect(sent).toHaveLength(1);
    await context.close();
  });
});

