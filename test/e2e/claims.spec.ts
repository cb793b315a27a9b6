import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Tenant } from '../../src/tenants/schema.js';
import { and, eq } from 'drizzle-orm';
import { forgetRecentSessions } from '../../src/platform/auth/sessions.js';
import { users } from '../../src/users/schema.js';
import { debtor } from '../claims/support.js';
import { addStaff, newTenant, type Staff } from '../support/factories.js';
import { serveForBrowser, type Served } from './support.js';

let s: Served;
let acme: Tenant;
let advisor: Staff;
let codes: string[];
beforeAll(async () => {
  s = await serveForBrowser();
  acme = await newTenant(s.h, { name: 'Acme Cobranzas' });
  advisor = await addStaff(s.h, acme, { role: 'advisor', name: 'Ana Asesora' });
  const { orders } = await debtor(s.h, acme, { name: 'Rosa Huamán', contactAlerts: ['No llamar de noche'] });
  codes = orders.map((o) => o.paymentCode);
});
afterAll(() => s?.close());

async function logIn(page: Page) {
  await page.goto(s.url(acme.subdomain, '/app/login'));
  await page.getByLabel('Correo electrónico').fill(advisor.email);
  await page.getByLabel('Contraseña').fill(advisor.password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page.waitForURL(/\/app$/);
}

describe('Reclamos in a browser', () => {
  it('an advisor creates a claim, edits it inline, closes it and finds it among the closed ones (JavaScript on)', async () => {
    const context = await s.context();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page);
    await page.goto(s.url(acme.subdomain, '/app/claims'));
    await page.getByRole('link', { name: 'Crear' }).click();
    await page.getByLabel('Busca al cliente').fill('rosa');
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByRole('link', { name: /Rosa Huamán/ }).click();
    await page.getByLabel('Categoría').selectOption('errores_facturacion');
    await page.getByLabel(codes[0]!).check();
    await page.getByLabel('Descripción').fill('Cobro duplicado en febrero');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.waitForURL(/\/app\/claims$/);
    expect(await page.locator('.flash').textContent()).toContain('Creamos el reclamo');
    const row = page.locator('tbody tr', { hasText: 'Rosa Huamán' });
    expect(await row.textContent()).toContain('Errores de facturación');
    expect(await row.textContent()).toContain('No llamar de noche');

    await row.getByRole('link', { name: 'Editar' }).click();
    const editor = page.locator('tr.claim-editing');
    await editor.waitFor();
    expect(page.url()).toMatch(/\/app\/claims$/);
    // The pressed link is gone: the keyboard goes on in the editor, and back to "Editar" when it closes.
    const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim().slice(0, 20)}`);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('category');
    await editor.getByRole('link', { name: 'Cancelar' }).click();
    await expect.poll(focused).toBe('A Editar');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('category');
    // A refused edit keeps the row open and puts the focus on what to fix, not on the page's start.
    await editor.getByLabel('Descripción').fill('');
    await editor.getByRole('button', { name: 'Guardar' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className ?? '')).toBe('error-summary');
    expect(await page.evaluate(() => document.activeElement?.textContent ?? '')).toContain('Revisa los siguientes campos');
    await editor.getByLabel('Descripción').fill('Cobro duplicado en febrero');
    await editor.getByLabel('Categoría').selectOption('problemas_pago');
    await editor.getByLabel(codes[1]!).check();
    await editor.getByRole('button', { name: 'Guardar' }).click();
    await editor.waitFor({ state: 'detached' });
    const saved = page.locator('tbody tr', { hasText: 'Rosa Huamán' });
    expect(await saved.textContent()).toContain('Problemas con el pago');
    expect(await saved.textContent()).toContain(codes[1]!);

    await expect.poll(focused).toBe('A Editar');
    await saved.getByRole('button', { name: 'Cerrar reclamo' }).click();
    await expect.poll(() => page.locator('tbody tr', { hasText: 'Rosa Huamán' }).textContent()).toContain('Cerrado');
    await expect.poll(focused).toBe('BUTTON Reabrir');

    await page.getByLabel('Estado del reclamo').selectOption('cerrado');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await page.waitForURL(/state=cerrado/);
    await expect.poll(() => page.locator('#claims-results').textContent()).toContain('Rosa Huamán');
    await page.getByLabel('Categoría').selectOption('condiciones_contractuales');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await page.waitForURL(/category=condiciones_contractuales/);
    await expect.poll(() => page.locator('#claims-results').textContent()).toContain('No hay resultados');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('on a phone, the row edited in place shows its form where the table was scrolled to', async () => {
    const context = await s.context({ phone: true });
    const page = await context.newPage();
    await logIn(page);
    await page.goto(s.url(acme.subdomain, '/app/claims?state=todos'));
    const row = page.locator('tbody tr', { hasText: 'Rosa Huamán' });
    // "Editar" sits at the table's far end: the table is scrolled there to reach it.
    await row.getByRole('link', { name: 'Editar' }).scrollIntoViewIfNeeded();
    await row.getByRole('link', { name: 'Editar' }).click();
    const form = page.locator('tr.claim-editing form');
    await form.waitFor();
    const width = page.viewportSize()!.width;
    const box = (await form.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    await context.close();
  });

  it('without JavaScript, an advisor edits a claim on its own page and comes back to the filtered tray', async () => {
    const context = await s.context({ javaScript: false });
    const page = await context.newPage();
    await logIn(page);
    await page.goto(s.url(acme.subdomain, '/app/claims?state=todos'));
    const row = page.locator('tbody tr', { hasText: 'Rosa Huamán' }).first();
    await row.getByRole('link', { name: 'Editar' }).click();
    await page.waitForURL(/\/edit\?back=/);
    await page.getByLabel('Descripción').fill('Cobro duplicado en febrero y marzo');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.waitForURL(/\/app\/claims\?state=todos$/);
    expect(await page.locator('.flash').textContent()).toContain('Guardamos los cambios del reclamo');
    await page.locator('tbody tr', { hasText: 'Rosa Huamán' }).first().getByRole('button', { name: 'Reabrir' }).click();
    await page.waitForURL(/\/app\/claims\?state=todos$/);
    expect(await page.locator('.flash').textContent()).toContain('Reabrimos el reclamo');
    await page.getByLabel('Estado del reclamo').selectOption('abierto');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await page.waitForURL(/\/app\/claims\?/);
    expect(await page.locator('#claims-results').textContent()).toContain('Rosa Huamán');
    await context.close();
  });

  it('an action refused after the page loaded, or lost on the way, is said in the page\'s notice and the row stays as it was', async () => {
    const context = await s.context();
    const page = await context.newPage();
    await logIn(page);
    await page.goto(s.url(acme.subdomain, '/app/claims?state=todos'));
    const row = page.locator('tbody tr', { hasText: 'Rosa Huamán' }).first();
    const notice = page.locator('#request-error');
    await expect.poll(() => notice.isVisible()).toBe(false);

    // An administrator takes claims.edit away while the tray is open.
    const setOverrides = async (overrides: Record<string, boolean>) => {
      await s.h.db.update(users).set({ permissionOverrides: overrides }).where(and(eq(users.tenantId, acme.id), eq(users.id, advisor.id)));
      forgetRecentSessions();
    };
    await setOverrides({ 'claims.edit': false });
    try {
      await row.getByRole('link', { name: 'Editar' }).click();
      await expect.poll(() => notice.textContent()).toContain('Sin permiso');
      expect(await notice.getAttribute('role')).toBe('alert');
      expect(await notice.getByRole('link', { name: 'Volver a cargar la página' }).getAttribute('href')).toBe('/app/claims?state=todos');
      expect(page.url()).toMatch(/\/app\/claims\?state=todos$/);
      expect(await page.locator('tr.claim-editing').count()).toBe(0);
      expect(await row.getByRole('link', { name: 'Editar' }).count()).toBe(1);
    } finally {
      await setOverrides({});
    }

    // The network drops: the notice says nothing was sent through, and the next try clears it.
    await page.route('**/edit**', (route) => route.abort('internetdisconnected'));
    await row.getByRole('link', { name: 'Editar' }).click();
    await expect.poll(() => notice.textContent()).toContain('No pudimos comunicarnos con Saldo');
    await page.unroute('**/edit**');
    await row.getByRole('link', { name: 'Editar' }).click();
    await page.locator('tr.claim-editing').waitFor();
    await expect.poll(() => notice.isVisible()).toBe(false);
    await context.close();
  });
});
