import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaff, newTenant, type Staff } from '../support/factories.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { serveForBrowser, type Served } from './support.js';

let s: Served;
let acme: Tenant;
let admin: Staff;
beforeAll(async () => {
  s = await serveForBrowser();
  acme = await newTenant(s.h, { name: 'Acme Cobranzas' });
  admin = await addStaff(s.h, acme, { role: 'admin', name: 'Ana Admin' });
});
afterAll(() => s?.close());

describe('the back-office shell in a browser', () => {
  for (const javaScript of [true, false]) {
    it(`an admin logs in and opens every page of the menu (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const context = await s.context({ javaScript });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(s.url(acme.subdomain, '/app'));
      expect(page.url()).toContain('/app/login');
      await page.getByLabel('Correo electrónico').fill(admin.email);
      await page.getByLabel('Contraseña').fill(admin.password);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.waitForURL(/\/app$/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hola, Ana Admin');

      const links = await page.locator('nav.sidebar a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
      expect(links).toContain('/app/settings/users');
      for (const href of new Set(links)) {
        const response = await page.goto(s.url(acme.subdomain, href));
        expect(response?.status(), href).toBe(200);
        expect(await page.locator('h1').count(), href).toBe(1);
      }
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('an admin creates a user, gives a permission and the user logs in, all on a phone', async () => {
    const context = await s.context({ phone: true });
    const page = await context.newPage();
    await page.goto(s.url(acme.subdomain, '/app/login'));
    await page.getByLabel('Correo electrónico').fill(admin.email);
    await page.getByLabel('Contraseña').fill(admin.password);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/app$/);
    await page.goto(s.url(acme.subdomain, '/app/settings/users/new'));
    await page.getByLabel('Nombre').fill('Luis Pérez');
    await page.getByLabel('Correo electrónico').fill('luis@acme.pe');
    await page.getByLabel('Rol').selectOption('advisor');
    await page.getByLabel('Contraseña inicial').fill('short');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await expect.poll(() => page.locator('.error-summary').textContent()).toContain('al menos 10 caracteres');
    expect(await page.getByLabel('Nombre').inputValue()).toBe('Luis Pérez');
    await page.getByLabel('Contraseña inicial').fill('luis-password-1');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.waitForURL(/\/app\/settings\/users$/);
    expect(await page.locator('.flash').textContent()).toContain('luis@acme.pe');
    await page.getByRole('row', { name: /Luis Pérez/ }).getByRole('link', { name: 'Permisos' }).click();
    await page.getByLabel(/Descargar reportes/).check();
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.waitForURL(/\/app\/settings\/users$/);
    await page.locator('details.account summary').click();
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForURL(/\/app\/login$/);
    // A refused login puts the focus on why, before the fields.
    await page.getByLabel('Correo electrónico').fill('luis@acme.pe');
    await page.getByLabel('Contraseña').fill('no-es-la-clave');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className ?? '')).toBe('flash flash-error');
    await page.getByLabel('Correo electrónico').fill('luis@acme.pe');
    await page.getByLabel('Contraseña').fill('luis-password-1');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/app$/);
    expect(await page.locator('nav.sidebar').textContent()).not.toContain('Usuarios');
    await context.close();
  });
});
