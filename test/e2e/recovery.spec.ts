import { createRequire } from 'node:module';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { alerts } from '../../src/alerts/schema.js';
import { campaignPayments } from '../../src/campaigns/schema.js';
import type { Client } from '../../src/clients/schema.js';
import { recoveryCountdowns } from '../../src/portal/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { tenants, type Tenant } from '../../src/tenants/schema.js';
import { addStaff, newTenant } from '../support/factories.js';
import { activeCampaign, debtor, eventsOf, newOrder, setPortal, tinyPng } from '../portal/support.js';
import { passCaptchaInBrowser } from './captcha-browser.js';
import { firstViewWeight, phoneContext, serveForBrowser, type Served } from './support.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let s: Served;
let acme: Tenant;
let timed: Tenant;
beforeAll(async () => {
  s = await serveForBrowser();
  acme = await newTenant(s.h, { name: 'Financiera Andina' });
  await setPortal(s.h, acme, { recoveryActive: true, bankDetails: 'BCP Cuenta corriente 193-1234567-0-12', payLinkTemplate: 'https://pagos.example.pe/pay?ref={code}&monto={amount}' });
  timed = await newTenant(s.h, { name: 'Caja Sur' });
  await setPortal(s.h, timed, { recoveryActive: true, countdownEnabled: true, countdownHours: 1 });
  await s.h.db.update(tenants).set({ whatsappNumber: '+51999888777' }).where(eq(tenants.id, timed.id));
  forgetTenantCache();
});
afterAll(() => s?.close());

let sequence = 0;
async function debtorWithCampaign(tenant: Tenant, attributes: Partial<Client> = {}): Promise<Client> {
  sequence++;
  const client = await debtor(s.h, tenant, { documentNumber: String(46_000_000 + sequence), phone: `+5198766${String(4000 + sequence)}`, ...attributes });
  await newOrder(s.h, tenant, client.id, { paymentCode: `TAR-${sequence}`, product: 'Tarjeta', amount: 1000_00, issueDate: '2019-12-01', dueDate: '2020-01-31' });
  await activeCampaign(s.h, tenant, client.id);
  return client;
}

const phone = (options: { javaScript: boolean; bypassCSP?: boolean }) => phoneContext(s.browser, options);

async function identify(page: Page, tenant: Tenant, client: Client, javaScript: boolean) {
  await page.goto(s.url(tenant.subdomain, '/recovery'));
  await page.getByLabel('Tipo de documento').selectOption('DNI');
  await page.getByLabel('Número de documento').fill(client.documentNumber);
  await passCaptchaInBrowser(page, javaScript, s.h.clock);
  await page.getByRole('button', { name: 'Ver mi oferta' }).click();
  await page.waitForURL(/\/recovery\/oferta$/);
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Deliberate refusals answer 4xx, which Chromium logs; anything else is a fault.
  page.on('console', (m) => m.type() === 'error' && !/status of 4\d\d/.test(m.text()) && errors.push(m.text()));
  return errors;
}


describe('the recovery portal on a phone', () => {
  for (const javaScript of [false, true]) {
    it(`a debtor sees the offer, sends a receipt for it and asks for an advisor (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const advisor = await addStaff(s.h, acme, { role: 'advisor', name: `Asesora ${sequence}`, email: `asesora${sequence}-${javaScript}@acme.pe` });
      const client = await debtorWithCampaign(acme, { advisorId: advisor.id });
      const context = await phone({ javaScript });
      const page = await context.newPage();
      const errors = watchErrors(page);

      await identify(page, acme, client, javaScript);
      const main = page.locator('main');
      const offer = (await main.textContent())!.replace(/\s+/g, ' ');
      expect(offer).toContain('Hola, Rosa');
      expect(offer).toContain('50 %');
      expect(await page.locator('s').textContent()).toMatch(/1[.,]000\.00/);

      await page.getByRole('link', { name: '¡Cancelar mi deuda ahora!' }).click();
      await page.waitForURL(/\/recovery\/pago$/);
      expect(await main.textContent()).toContain('BCP Cuenta corriente');
      expect(await page.getByLabel('Monto pagado').inputValue()).toMatch(/^500[.,]00$/);
      await page.locator('#f-receipt').setInputFiles({ name: 'voucher.png', mimeType: 'image/png', buffer: Buffer.from(tinyPng) });
      await page.getByRole('button', { name: 'Enviar comprobante' }).click();
      await expect.poll(() => page.locator('.flash').textContent()).toContain('Recibimos tu comprobante');
      const paid = await s.h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
      expect(paid.some((p) => p.amount === 500_00 && p.state === 'por_verificar')).toBe(true);

      await page.getByText('No me interesa esta oferta').click();
      await page.getByLabel('Necesito que un asesor me contacte').check();
      await page.getByRole('button', { name: 'Enviar' }).click();
      await expect.poll(() => main.textContent()).toContain('Un asesor te contactará pronto');
      const [alert] = await s.h.db.select().from(alerts).where(and(eq(alerts.tenantId, acme.id), eq(alerts.clientId, client.id)));
      expect(alert?.advisorId).toBe(advisor.id);

      const steps = (await eventsOf(s.h, acme, client.id)).map((e) => e.type).filter((t) => t.startsWith('recovery.'));
      expect(steps).toEqual([
        'recovery.entered',
        'recovery.identified',
        'recovery.offer_viewed',
        'recovery.pay_pressed',
        'recovery.method_chosen',
        'recovery.not_interested',
        'recovery.advisor_requested',
      ]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`the countdown runs out and the offer is withdrawn (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const client = await debtorWithCampaign(timed);
      const context = await phone({ javaScript });
      const page = await context.newPage();
      const errors = watchErrors(page);
      await identify(page, timed, client, javaScript);
      const main = page.locator('main');
      expect((await main.textContent())!.replace(/\s+/g, ' ')).toMatch(/La oferta vence en\s*1 h 00 min/);

      // Move the debtor's start back so that seconds are left, then let the server's clock pass the deadline.
      await s.h.db
        .update(recoveryCountdowns)
        .set({ startedAt: new Date(s.h.clock.now().getTime() - 3_600_000 + 10_000) })
        .where(and(eq(recoveryCountdowns.tenantId, timed.id), eq(recoveryCountdowns.clientId, client.id)));
      if (javaScript) {
        await page.reload();
        expect(await main.textContent()).toContain('menos de 1 minuto');
        s.h.clock.advance(15_000);
        // htmx asks the server every few seconds in the last minutes; the server reloads the page when it is over.
        await expect.poll(() => main.textContent(), { timeout: 20_000, interval: 500 }).toContain('La oferta ha concluido, contáctanos para más detalles');
      } else {
        s.h.clock.advance(15_000);
        await page.getByRole('link', { name: 'Actualizar' }).click();
        await expect.poll(() => main.textContent()).toContain('La oferta ha concluido, contáctanos para más detalles');
      }
      const link = page.getByRole('link', { name: 'Habla con un asesor' });
      expect(await link.getAttribute('href')).toMatch(/^https:\/\/wa\.me\/51999888777\?/);
      expect(await page.getByRole('link', { name: '¡Cancelar mi deuda ahora!' }).count()).toBe(0);
      const types = (await eventsOf(s.h, timed, client.id)).map((e) => e.type);
      expect(types.filter((t) => t === 'recovery.countdown_expired')).toHaveLength(1);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('has no serious or critical accessibility problems on any recovery page', async () => {
    const client = await debtorWithCampaign(timed);
    const context = await phone({ javaScript: true, bypassCSP: true });
    const page = await context.newPage();
    const audit = async (name: string) => {
      await page.addScriptTag({ path: axePath });
      const result = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as {
        violations: { id: string; impact: string }[];
      };
      expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${name}: ${v.id}`)).toEqual([]);
    };
    await page.goto(s.url(timed.subdomain, '/recovery'));
    await audit('identificación');
    await identify(page, timed, client, true);
    await audit('oferta con cuenta regresiva');
    await page.getByText('No me interesa esta oferta').click();
    await audit('motivos');
    await page.getByRole('link', { name: '¡Cancelar mi deuda ahora!' }).click();
    await page.waitForURL(/\/recovery\/pago$/);
    await audit('opciones de pago');
    await page.getByRole('button', { name: 'Enviar comprobante' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await audit('opciones de pago con errores');
    await context.close();
  });

  it('keeps the identification page with its captcha within 60 KB and the offer pages within 30 KB', async () => {
    const client = await debtorWithCampaign(timed);
    const context = await phone({ javaScript: true });
    const weights: Record<string, number> = {};
    weights['/recovery'] = await firstViewWeight(context, s.url(timed.subdomain, '/recovery'));
    const page = await context.newPage();
    await identify(page, timed, client, true);
    weights['/recovery/oferta'] = await firstViewWeight(context, s.url(timed.subdomain, '/recovery/oferta'));
    weights['/recovery/pago'] = await firstViewWeight(context, s.url(timed.subdomain, '/recovery/pago'));
    console.info('recovery first-view weight (gzip bytes: HTML + CSS + JS):', JSON.stringify(weights));
    expect(weights['/recovery']).toBeLessThanOrEqual(60 * 1024);
    expect(weights['/recovery/oferta']).toBeLessThanOrEqual(30 * 1024);
    expect(weights['/recovery/pago']).toBeLessThanOrEqual(30 * 1024);
    await context.close();
  });
});
