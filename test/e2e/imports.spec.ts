import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { startJobs } from '../../src/jobs/index.js';
import { fileProcesses } from '../../src/process-log/schema.js';
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
  acme = await newTenant(s.h, { name: 'Acme Cobranzas' });
  admin = await addStaff(s.h, acme, { role: 'admin', name: 'Ana Admin' });
});
afterAll(async () => {
  await s?.h.deps.jobs?.stop();
  await s?.close();
});

describe('uploading clients in a browser', () => {
  it('an admin uploads a file, checks the mapping, sees the summary refresh by itself, applies it and finds it in the Process log', async () => {
    const context = await s.context();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.url(acme.subdomain, '/app/login'));
    await page.getByLabel('Correo electrónico').fill(admin.email);
    await page.getByLabel('Contraseña').fill(admin.password);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await page.waitForURL(/\/app$/);

    await page.goto(s.url(acme.subdomain, '/app/process-log'));
    await page.getByRole('link', { name: 'Cargar archivo' }).click();
    await page.getByLabel('Archivo').setInputFiles(join(import.meta.dirname, '../fixtures/clients-libreoffice.xlsx'));
    await page.getByRole('button', { name: 'Subir' }).click();
    await page.waitForURL(/\/app\/imports\/\d+$/);
    expect(await page.getByLabel('Número de documento *').inputValue()).toBe('1');

    await page.getByRole('button', { name: 'Revisar el archivo' }).click();
    // Should the check not finish in time, the failure says where the upload stood.
    await page
      .getByText('Por crear')
      .waitFor({ timeout: 20_000 })
      .catch(async (error: Error) => {
        const uploads = await s.h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, acme.id));
        throw new Error(`${error.message}\nthe upload: ${JSON.stringify(uploads)}`);
      });
    await page.getByRole('button', { name: 'Aplicar la carga' }).click();
    await page.getByText('La carga se aplicó.').waitFor({ timeout: 20_000 });

    await page.goto(s.url(acme.subdomain, '/app/process-log'));
    expect(await page.locator('tbody tr').first().textContent()).toContain('3 filas: nuevas 3');
    expect(errors).toEqual([]);
    await context.close();
  });
});
