import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { startJobs } from '../../src/jobs/index.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { addStaff, newTenant, type Staff } from '../support/factories.js';
import { serveForBrowser, type Served } from './support.js';

let s: Served;
let acme: Tenant;
let admin: Staff;
beforeAll(async () => {
  s = await serveForBrowser();
  // Workers poll in the same process, as `npm start` runs them.
  s.h.deps.jobs = await startJobs(s.h.deps, { definitions: jobDefinitions, work: true, pollingIntervalSeconds: 0.5 });
  acme = await newTenant(s.h, { name: 'Acme Cobranzas', plan: 'pro' });
  admin = await addStaff(s.h, acme, { role: 'admin', name: 'Ana Admin' });
});
afterAll(async () => {
  await s?.h.deps.jobs?.stop();
  await s?.close();
});

describe('loading a charged-off campaign by file in a browser', () => {
  it('an admin enables the app, uploads a csv from the Cartera castigada tray, applies it and sees the discounted amounts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'campana-')), 'campana.csv');
    writeFileSync(
      file,
      '\uFEFFTipo de documento;Número de documento;Nombre y apellido;Celular;ID de campaña;Monto de deuda castigada;Tipo de descuento;Valor del descuento;Fecha fin de campaña\r\n' +
        'DNI;12345678;Lucía Ramos;987654321;NAVIDAD-2026;1.000,00;porcentaje;30;\r\n' +
        'DNI;87654321;Pedro Salas;;NAVIDAD-2026;500,00;monto;125,50;\r\n',
    );
    const context = await s.context({ javaScript: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.url(acme.subdomain, '/app/login'));
    await page.getByLabel('Correo electrónico').fill(admin.email);
    await page.getByLabel('Contraseña').fill(admin.password);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/app$/);

    const menu = page.getByRole('navigation', { name: 'Menú principal' });
    await menu.getByRole('link', { name: 'Ajustes', exact: true }).click();
    await menu.getByRole('link', { name: 'Mercado de aplicaciones' }).click();
    await page.getByText('Sin costo en tu plan').waitFor();
    await page.getByRole('button', { name: 'Activar' }).click();
    await page.getByText('Activamos Cartera castigada').waitFor();

    await menu.getByRole('link', { name: 'Cuentas por cobrar' }).click();
    await menu.getByRole('link', { name: 'Cartera castigada' }).click();
    await page.waitForURL(/\/app\/campaigns$/);
    expect(await page.getByRole('link', { name: 'Descargar plantilla' }).getAttribute('href')).toBe('/app/imports/template.xlsx?kind=campaign_entries');
    await page.getByRole('link', { name: 'Cargar archivo' }).click();
    await page.getByRole('heading', { name: 'Cargar cartera castigada' }).waitFor();
    await page.getByLabel('Archivo').setInputFiles(file);
    await page.getByRole('button', { name: 'Subir' }).click();
    await page.waitForURL(/\/app\/imports\/\d+$/);
    expect(await page.getByLabel('ID de campaña *').inputValue()).toBe('4');
    expect(await page.getByLabel('Fecha de finalización').inputValue()).toBe('8');

    await page.getByRole('button', { name: 'Revisar el archivo' }).click();
    await page.getByText('Por crear').waitFor({ timeout: 20_000 });
    expect(await page.locator('dl.summary').textContent()).toMatch(/Por crear\s*2/);
    await page.getByRole('button', { name: 'Aplicar la carga' }).click();
    await page.getByText('La carga se aplicó.').waitFor({ timeout: 20_000 });

    await menu.getByRole('link', { name: 'Cartera castigada' }).click();
    const rows = page.locator('#campaign-results tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    const text = (await page.locator('#campaign-results').textContent())!.replace(/\s+/g, ' ');
    expect(text).toContain('Lucía Ramos');
    expect(text).toContain('Pedro Salas');
    expect(text).toContain('NAVIDAD-2026');
    // es-PE writes soles with a decimal point.
    expect(text).toContain('Lucía RamosDNI 12345678NAVIDAD-2026S/ 1,000.0030% (S/ 300.00)S/ 700.00');
    expect(text).toContain('Pedro SalasDNI 87654321NAVIDAD-2026S/ 500.00');
    // A fixed amount leads with the amount.
    expect(text).toContain('S/ 500.00S/ 125.50 (25.1%)S/ 374.50');
    // A filter replaces the results in place, once: no results inside the results.
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await expect.poll(() => page.url()).toContain('?');
    await page.waitForTimeout(300);
    expect(await page.locator('#campaign-results').count()).toBe(1);
    expect(await page.locator('#campaigns-status').textContent()).toBe('2 resultados');
    expect(errors).toEqual([]);
    await context.close();
  });
});
