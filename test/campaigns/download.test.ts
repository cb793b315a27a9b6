import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileProcesses } from '../../src/process-log/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { tenants } from '../../src/tenants/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { downloadCsv } from '../exports/support.js';

let h: Harness;
beforeAll(async () => {
  // 15:00 UTC is 10:00 in Lima.
  h = await startTestApp({ jobs: true, now: '2026-03-10T15:00:00Z' });
});
afterAll(() => h.close());

const entry = (documentNumber: string, name: string, campaignCode: string, discount: Record<string, string>) => ({
  documentType: 'DNI',
  documentNumber,
  name,
  campaignCode,
  debtAmount: '1.000,00',
  endDate: '2026-03-31',
  ...discount,
});

describe('downloading the Cartera castigada tray', () => {
  it('the file holds the entries of the tray’s filters, and only those, with the offer as it stands', async () => {
    const acme = await newTenant(h, { plan: 'pro' });
    await h.db.update(tenants).set({ enabledApps: ['charged_off'] }).where(eq(tenants.id, acme.id));
    forgetTenantCache();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.post('/app/campaigns', entry('11111111', 'Ana Uno', 'NAVIDAD', { discountType: 'porcentaje', discountValue: '30' }))).status).toBe(303);
    expect((await admin.post('/app/campaigns', entry('22222222', 'Beto Dos', 'VERANO', { discountType: 'monto', discountValue: '100' }))).status).toBe(303);

    const tray = await (await admin.get('/app/campaigns?campaign=NAVIDAD')).text();
    expect(tray).toContain('name="kind" value="campaigns"');
    expect(tray).toContain('name="query" value="campaign=NAVIDAD"');
    const { lines } = await downloadCsv(h, admin, acme.id, 'campaigns', 'campaign=NAVIDAD');
    expect(lines).toEqual([
      'Tipo de documento,Número de documento,Nombre y apellido,Correo electrónico,Celular,ID de campaña,Monto de deuda castigada,Tipo de descuento,Valor del descuento,Fecha de finalización,Código de pago asociado,% de descuento,Monto de la campaña,Monto total,Estado,Asesor',
      // Amounts with the currency's two decimals; a percentage as typed.
      'DNI,11111111,Ana Uno,,,NAVIDAD,1000.00,porcentaje,30.00,2026-03-31,,30,700.00,700.00,Activa,',
    ]);
    expect(await (await admin.get('/app/process-log')).text()).toContain('Descarga de cartera castigada');
  });

  it('a download queued before the app was switched off fails as gone, with no file', async () => {
    const acme = await newTenant(h, { plan: 'pro' });
    await h.db.update(tenants).set({ enabledApps: ['charged_off'] }).where(eq(tenants.id, acme.id));
    forgetTenantCache();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.post('/app/exports', { kind: 'campaigns', format: 'csv', query: '' })).status).toBe(303);
    await h.db.update(tenants).set({ enabledApps: [] }).where(eq(tenants.id, acme.id));
    forgetTenantCache();
    await h.runJobs();
    const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, acme.id));
    expect(process).toMatchObject({ state: 'failed', error: 'exports.error.gone', resultKey: null });
  });

  it('is not found for a tenant without the app', async () => {
    const acme = await newTenant(h, { plan: 'pro' });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.post('/app/exports', { kind: 'campaigns', format: 'csv', query: '' })).status).toBe(404);
    expect(await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, acme.id))).toEqual([]);
  });
});
