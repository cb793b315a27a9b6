import { campaignEntries } from '../../src/campaigns/schema.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/tenants/schema.js';
import { trayLimits } from '../../src/clients/queries.js';
import { addStaff, newTenant, type Staff } from '../support/factories.js';
import { addOrder, seedClient } from '../clients/support.js';
import { serveForBrowser, type Served } from './support.js';

let s: Served;
let acme: Tenant;
let sara: Staff;

beforeAll(async () => {
  s = await serveForBrowser();
  acme = await newTenant(s.h, { name: 'Acme Cobranzas' });
  sara = await addStaff(s.h, acme, { role: 'supervisor', name: 'Sara Supervisora' });
  const today = new Date().toISOString().slice(0, 10);
  const overdue = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
  const ana = await seedClient(s.h, acme, { name: 'Ana Puntual', segment: 'Premium' });
  await addOrder(s.h, acme, ana, { dueDate: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` });
  const beto = await seedClient(s.h, acme, { name: 'Beto Moroso', email: 'beto@correo.pe' });
  await addOrder(s.h, acme, beto, { dueDate: overdue, amount: 25_000 });
  const carla = await seedClient(s.h, acme, { name: 'Carla Castigada', portfolio: 'castigada' });
  await s.h.db.insert(campaignEntries).values({ tenantId: acme.id, clientId: carla.id, campaignCode: 'C1', debtAmount: 1000, discountType: 'monto', discountValue: 0, campaignAmount: 1000 });
});
afterAll(() => s?.close());

async function logIn(page: Page, staff: Staff) {
  await page.goto(s.url(acme.subdomain, '/app/login'));
  await page.getByLabel('Correo electrónico').fill(staff.email);
  await page.getByLabel('Contraseña').fill(staff.password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(/\/app$/);
}

const rowNames = (page: Page) => page.locator('.clients-table tbody tr td a[href^="/app/clients/"]:not(.icon-link)').allTextContents();

describe('the clients tray in a browser', () => {
  for (const javaScript of [true, false]) {
    it(`staff filter the tray and open a client (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const context = await s.context({ javaScript });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await logIn(page, sara);
      await page.goto(s.url(acme.subdomain, '/app/clients'));
      expect(await rowNames(page)).toEqual(['Ana Puntual', 'Beto Moroso', 'Carla Castigada']);

      // A mark on the window survives only if htmx swapped the results instead of loading a page.
      await page.evaluate(() => Object.assign(window, { stayed: true }));
      await page.getByRole('search').getByLabel('Situación').selectOption('mora_1_30');
      if (!javaScript) await page.getByRole('button', { name: 'Filtrar' }).click();
      await expect.poll(() => page.url()).toContain('situation=mora_1_30');
      await expect.poll(() => rowNames(page)).toEqual(['Beto Moroso']);
      expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true)).toBe(javaScript);
      // A screen reader hears the new count from the region that stays, not the whole table.
      expect(await page.locator('#clients-status').textContent()).toBe(javaScript ? '1 resultado' : '');
      expect(await page.locator('#clients-results[aria-live]').count()).toBe(0);

      await page.getByRole('link', { name: 'Limpiar filtros' }).click();
      const searches: string[] = [];
      page.on('request', (request) => request.url().includes('q=beto') && searches.push(request.url()));
      await page.getByRole('search').getByLabel('Buscar').fill('beto@correo.pe');
      await page.getByRole('search').getByLabel('Buscar').press('Enter');
      await expect.poll(() => page.url()).toContain('q=beto');
      await expect.poll(() => rowNames(page)).toEqual(['Beto Moroso']);
      // Enter fires the text's change and the form's submit: the search goes out once.
      await page.waitForTimeout(300);
      expect(searches).toHaveLength(1);

      await page.getByRole('link', { name: 'Beto Moroso', exact: true }).click();
      await page.waitForURL(/\/app\/clients\/\d+$/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Beto Moroso');
      expect(await page.locator('.badge', { hasText: 'Mora 1-30 días' }).count()).toBe(1);
      expect(await page.getByRole('link', { name: 'Interacciones' }).first().getAttribute('href')).toMatch(/\/interactions$/);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('pages by keyboard and keeps the focus on the pager, on the first and last pages too', async () => {
    const saved = trayLimits.pageSize;
    trayLimits.pageSize = 2;
    try {
      const context = await s.context();
      const page = await context.newPage();
      await logIn(page, sara);
      await page.goto(s.url(acme.subdomain, '/app/clients'));
      const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
      expect(await page.locator('#page-previous').getAttribute('aria-disabled')).toBe('true');
      await page.locator('#page-next').focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => rowNames(page)).toEqual(['Carla Castigada']);
      // The last page has no "Siguiente" link: the focus stays where it was, not at the page's start.
      await expect.poll(focused).toBe('page-next');
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('page-previous');
      await page.keyboard.press('Enter');
      await expect.poll(() => rowNames(page)).toEqual(['Ana Puntual', 'Beto Moroso']);
      await expect.poll(focused).toBe('page-previous');
      await context.close();
    } finally {
      trayLimits.pageSize = saved;
    }
  });

  it('has no serious or critical accessibility problems on the tray, its icon actions included', async () => {
    const context = await s.context();
    const page = await context.newPage();
    await logIn(page, sara);
    await page.goto(s.url(acme.subdomain, '/app/clients'));
    // Evaluated rather than added as a script tag: the page's policy allows only its own scripts.
    await page.evaluate(readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
    const result = (await page.evaluate(() => (window as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as { violations: { id: string; impact: string }[] };
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    expect(await page.getByRole('link', { name: 'Ver órdenes de pago de Beto Moroso' }).getAttribute('href')).toMatch(/\/statement$/);
    await context.close();
  });

  it('staff change their columns and the choice stays', async () => {
    const context = await s.context();
    const page = await context.newPage();
    await logIn(page, sara);
    await page.goto(s.url(acme.subdomain, '/app/clients'));
    await page.getByText('Agregar/quitar columnas').click();
    await page.locator('.column-chooser').getByLabel('Correo electrónico').uncheck();
    await page.locator('.column-chooser').getByLabel('Tipo de cartera').check();
    await page.getByRole('button', { name: 'Guardar columnas' }).click();
    await page.waitForURL(/\/app\/clients$/);
    const headings = await page.locator('.clients-table thead th').allTextContents();
    expect(headings).toContain('Tipo de cartera');
    expect(headings).not.toContain('Correo electrónico');
    await page.reload();
    expect(await page.locator('.clients-table thead th').allTextContents()).toContain('Tipo de cartera');
    await context.close();
  });

  it('staff delete a client after confirming, find it under Eliminado and restore it', async () => {
    const context = await s.context();
    const page = await context.newPage();
    await logIn(page, sara);
    await page.goto(s.url(acme.subdomain, '/app/clients'));
    await page.getByRole('link', { name: 'Eliminar a Carla Castigada' }).click();
    await page.waitForURL(/\/deletion$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('¿Eliminar a Carla Castigada?');
    await page.getByRole('button', { name: 'Sí, eliminar' }).click();
    await page.waitForURL(/\/app\/clients$/);
    expect(await page.locator('.flash').textContent()).toContain('Eliminamos al cliente Carla Castigada');
    expect(await rowNames(page)).not.toContain('Carla Castigada');

    await page.getByRole('search').getByLabel('Estado').selectOption('eliminado');
    await expect.poll(() => rowNames(page)).toEqual(['Carla Castigada']);
    await page.getByRole('button', { name: 'Recuperar a Carla Castigada' }).click();
    await page.waitForURL(/\/app\/clients\/\d+$/);
    expect(await page.locator('.flash').textContent()).toContain('Recuperamos al cliente Carla Castigada');
    expect(await page.getByText('Cartera castigada').count()).toBeGreaterThan(0);
    await context.close();
  });
});
