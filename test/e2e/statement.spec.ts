import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../src/platform/dates.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { addStaff, newTenant, type Staff } from '../support/factories.js';
import { newClient, newOrder } from '../payments/support.js';
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

describe("the client's statement in a browser", () => {
  for (const javaScript of [true, false]) {
    it(`a supervisor registers a payment, verifies it and sees the balance drop (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const today = todayIn(acme.timezone, s.h.clock);
      const client = await newClient(s.h, acme, { name: `Rosa Quispe ${javaScript ? 'A' : 'B'}` });
      const order = await newOrder(s.h, acme, client.id, { product: 'Crédito vehicular', amount: 500_00, issueDate: addDays(today, -60), dueDate: addDays(today, -10) });
      const context = await s.context({ javaScript });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(s.url(acme.subdomain, '/app/login'));
      await page.getByLabel('Correo electrónico').fill(supervisor.email);
      await page.getByLabel('Contraseña').fill(supervisor.password);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.waitForURL(/\/app$/);

      await page.goto(s.url(acme.subdomain, `/app/clients/${client.id}/statement`));
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Estado de cuenta');
      expect(await page.locator('[data-total="balance"]').textContent()).toMatch(/500\.00/);
      expect(await page.getByText('Vencida').count()).toBeGreaterThan(0);

      await page.getByLabel(new RegExp(order.paymentCode)).first().check();
      await page.getByLabel('Monto del pago', { exact: true }).fill('200');
      await page.getByLabel('Referencia').fill('BCP-123');
      await page.getByRole('button', { name: 'Registrar pago' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Registramos el pago');
      expect(await page.getByText('Por verificar').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-total="balance"]').textContent()).toMatch(/500\.00/);

      await page.getByRole('button', { name: 'Verificar' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Verificamos el pago');
      expect(await page.locator('[data-total="balance"]').textContent()).toMatch(/300\.00/);
      expect(await page.locator('[data-total="overdue"]').textContent()).toMatch(/300\.00/);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('an invalid payment keeps what was typed and explains the problem', async () => {
    const today = todayIn(acme.timezone, s.h.clock);
    const client = await newClient(s.h, acme, { name: 'Jorge Huamán' });
    await newOrder(s.h, acme, client.id, { amount: 100_00, issueDate: addDays(today, -30), dueDate: addDays(today, 5) });
    const context = await s.context({ javaScript: false });
    const page = await context.newPage();
    await page.goto(s.url(acme.subdomain, '/app/login'));
    await page.getByLabel('Correo electrónico').fill(supervisor.email);
    await page.getByLabel('Contraseña').fill(supervisor.password);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/app$/);
    await page.goto(s.url(acme.subdomain, `/app/clients/${client.id}/statement`));
    // The one order owing comes ticked; unticked, the form says so beside the amount's problem.
    const order = page.locator('input[name="orders"]');
    expect(await order.isChecked()).toBe(true);
    await order.uncheck();
    await page.getByLabel('Monto del pago', { exact: true }).fill('12,345.678');
    await page.getByRole('button', { name: 'Registrar pago' }).click();
    await expect.poll(() => page.locator('.error-summary').first().textContent()).toContain('al menos una orden');
    expect(await page.locator('.error-summary').first().textContent()).toContain('más decimales de los que admite la moneda');
    // Without JavaScript too, the summary is what has the focus, on screen, wherever the form sits.
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
    expect(await page.locator('.error-summary').first().evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < window.innerHeight)).toBe(true);
    // The orders' group says its error to whoever reads its legend.
    expect(await page.locator('#f-orders').getAttribute('aria-describedby')).toBe('f-orders-error');
    expect(await page.locator('#f-orders-error').textContent()).toContain('al menos una orden');
    expect(await page.getByLabel('Monto del pago', { exact: true }).inputValue()).toBe('12,345.678');
    // What was typed is kept, the untouched order too.
    expect(await order.isChecked()).toBe(false);
    await context.close();
  });
});
