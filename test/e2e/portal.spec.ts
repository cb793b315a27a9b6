import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Client } from '../../src/clients/schema.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { newTenant } from '../support/factories.js';
import { debtor, newOrder, paymentsOf, promisesOf, setPortal, tinyPng } from '../portal/support.js';
import { firstViewWeight, phoneContext, serveForBrowser, type Served } from './support.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let s: Served;
let acme: Tenant;
beforeAll(async () => {
  s = await serveForBrowser();
  acme = await newTenant(s.h, { name: 'Financiera Andina' });
  await setPortal(s.h, acme, { bankDetails: 'BCP Cuenta corriente 193-1234567-0-12', payLinkTemplate: 'https://pagos.example.pe/pay?ref={code}&monto={amount}' });
});
afterAll(() => s?.close());

let sequence = 0;
async function debtorWithOrders(): Promise<Client> {
  sequence++;
  const client = await debtor(s.h, acme, { documentNumber: String(45_000_000 + sequence), phone: `+5198765${String(4000 + sequence)}` });
  await newOrder(s.h, acme, client.id, { paymentCode: `VEH-${sequence}`, product: 'Crédito vehicular', amount: 800_00, issueDate: '2019-12-01', dueDate: '2020-01-31' });
  await newOrder(s.h, acme, client.id, { paymentCode: `EDU-${sequence}`, product: 'Préstamo educativo', amount: 200_00, dueDate: '2099-12-31' });
  return client;
}

const phone = (options: { javaScript: boolean; bypassCSP?: boolean }) => phoneContext(s.browser, options);

async function identify(page: Page, client: Client) {
  await page.goto(s.url(acme.subdomain, '/'));
  await page.getByLabel('Tipo de documento').selectOption('DNI');
  await page.getByLabel('Número de documento').fill(client.documentNumber);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.waitForURL(/\/verificacion$/);
  await page.getByLabel('Celular o correo electrónico').fill(client.phone!.slice(3));
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(/\/estado-de-cuenta$/);
}


describe('the customer portal on a phone', () => {
  for (const javaScript of [false, true]) {
    it(`a debtor identifies, sees the statement, sends a receipt and makes a promise (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const client = await debtorWithOrders();
      const context = await phone({ javaScript });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // The deliberate invalid document answers 422, which Chromium logs; anything else is a fault.
      page.on('console', (m) => m.type() === 'error' && !m.text().includes('status of 422') && errors.push(m.text()));

      await page.goto(s.url(acme.subdomain, '/'));
      await page.getByLabel('Número de documento').fill('0000');
      await page.getByRole('button', { name: 'Continuar' }).click();
      await expect.poll(() => page.locator('.error-summary').count()).toBe(1);

      await identify(page, client);
      const main = page.locator('main');
      await expect.poll(() => main.textContent()).toContain('Crédito vehicular');
      const text = (await main.textContent())!.replace(/\s+/g, ' ');
      expect(text).toContain('Préstamo educativo');
      expect(text).toContain('Vencida');
      expect(text).toContain('BCP Cuenta corriente');
      expect(await page.getByRole('link', { name: 'Pagar el total en línea' }).count()).toBe(1);

      await page.getByLabel('Monto pagado').fill('100');
      if (javaScript) {
        // A photo over the limit is refused on the phone, before minutes of upload.
        const sent: string[] = [];
        page.on('request', (request) => request.method() === 'POST' && sent.push(request.url()));
        await page.locator('#f-receipt').setInputFiles({ name: 'foto.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(5 * 1024 * 1024 + 1) });
        await expect.poll(() => page.locator('#f-receipt-size').textContent()).toBe('El archivo pesa más de 5 MB.');
        await page.getByRole('button', { name: 'Enviar comprobante' }).click();
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-receipt');
        expect(sent).toEqual([]);
      }
      await page.locator('#f-receipt').setInputFiles({ name: 'voucher.png', mimeType: 'image/png', buffer: Buffer.from(tinyPng) });
      if (javaScript) expect(await page.locator('#f-receipt-size').count()).toBe(0);
      await page.getByRole('button', { name: 'Enviar comprobante' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Recibimos tu comprobante');
      expect(await paymentsOf(s.h, acme, client.id)).toHaveLength(1);

      await page.getByLabel('Monto', { exact: true }).fill('50');
      await page.getByLabel('Fecha de pago').fill(await page.getByLabel('Fecha de pago').getAttribute('min').then((d) => d!));
      await page.getByRole('button', { name: 'Registrar compromiso' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Registramos tu compromiso de pago');
      expect(await promisesOf(s.h, acme, client.id)).toHaveLength(1);

      // Something is wrong with a debt: the debtor raises a claim about it.
      await page.getByRole('link', { name: 'Presentar un reclamo' }).click();
      await page.waitForURL(/\/reclamo$/);
      await page.getByRole('button', { name: 'Enviar reclamo' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
      await page.locator('input[name="orderIds"]').first().check();
      await page.getByLabel('¿Qué pasó?').selectOption('errores_facturacion');
      await page.getByLabel('Cuéntanos qué pasó').fill('Me cobran intereses que no corresponden.');
      await page.getByRole('button', { name: 'Enviar reclamo' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Recibimos tu reclamo');
      await expect.poll(() => main.textContent()).toContain('Esta orden tiene un reclamo en revisión.');

      const width = await page.evaluate(() => document.documentElement.scrollWidth).catch(() => 360);
      expect(width).toBeLessThanOrEqual(360);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('has no serious or critical accessibility problems on any portal page', async () => {
    const client = await debtorWithOrders();
    const context = await phone({ javaScript: true, bypassCSP: true });
    const page = await context.newPage();
    const audit = async (name: string) => {
      await page.addScriptTag({ path: axePath });
      const result = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as {
        violations: { id: string; impact: string; nodes: unknown[] }[];
      };
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${name}: ${v.id}`);
      expect(bad).toEqual([]);
    };
    await page.goto(s.url(acme.subdomain, '/'));
    await audit('identificación');
    await page.getByLabel('Número de documento').fill(client.documentNumber);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.waitForURL(/\/verificacion$/);
    await audit('verificación');
    await page.getByLabel('Celular o correo electrónico').fill('999999999');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expect.poll(() => page.locator('.notice').count()).toBe(1);
    await audit('datos que no coinciden');
    await page.getByLabel('Celular o correo electrónico').fill(client.phone!);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/estado-de-cuenta$/);
    await audit('estado de cuenta');
    await page.getByRole('button', { name: 'Enviar comprobante' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await audit('estado de cuenta con errores');
    await page.goto(s.url(acme.subdomain, '/reclamo'));
    await audit('reclamo');
    await page.getByRole('button', { name: 'Enviar reclamo' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await audit('reclamo con errores');
    await context.close();
  });

  it('keeps the first view of every portal page within 30 KB compressed', async () => {
    const client = await debtorWithOrders();
    const context = await phone({ javaScript: true });
    const weights: Record<string, number> = {};
    weights['/'] = await firstViewWeight(context, s.url(acme.subdomain, '/'));
    const page = await context.newPage();
    await page.goto(s.url(acme.subdomain, '/'));
    await page.getByLabel('Número de documento').fill(client.documentNumber);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.waitForURL(/\/verificacion$/);
    weights['/verificacion'] = await firstViewWeight(context, s.url(acme.subdomain, '/verificacion'));
    await page.getByLabel('Celular o correo electrónico').fill(client.phone!);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/estado-de-cuenta$/);
    weights['/estado-de-cuenta'] = await firstViewWeight(context, s.url(acme.subdomain, '/estado-de-cuenta'));
    weights['/reclamo'] = await firstViewWeight(context, s.url(acme.subdomain, '/reclamo'));
    console.info('portal first-view weight (gzip bytes: HTML + CSS + JS):', JSON.stringify(weights));
    for (const [path, bytes] of Object.entries(weights)) expect(bytes, path).toBeLessThanOrEqual(30 * 1024);
    await context.close();
  });
});
