import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignEntries, campaignPayments, campaignPromises } from '../../src/campaigns/schema.js';
import { closeFinishedCampaigns, updateCampaignEntry } from '../../src/campaigns/service.js';
import { refreshClientBalances } from '../../src/clients/derived.js';
import { clients } from '../../src/clients/schema.js';
import { clientEvents } from '../../src/events/schema.js';
import { appActivations } from '../../src/marketplace/schema.js';
import { paymentOrders } from '../../src/payment-orders/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { tenantSettings } from '../../src/settings/schema.js';
import { tenants, type Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { runningCampaignPromises } from '../../src/campaigns/service.js';

let h: Harness;
beforeAll(async () => {
  // 15:00 UTC is 10:00 in Lima.
  h = await startTestApp({ now: '2026-03-10T15:00:00Z', env: { SESSION_IDLE_TIMEOUT_MINUTES: String(60 * 24 * 60) } });
});
afterAll(() => h.close());

async function withApp(attributes: Parameters<typeof newTenant>[1] = {}): Promise<Tenant> {
  const tenant = await newTenant(h, attributes);
  const [updated] = await h.db.update(tenants).set({ enabledApps: ['charged_off'] }).where(eq(tenants.id, tenant.id)).returning();
  forgetTenantCache();
  return updated!;
}

async function vigenteClient(tenant: Tenant, documentNumber: string, orders: { code: string; amount: number; due: string }[] = []) {
  const [client] = await h.db.insert(clients).values({ tenantId: tenant.id, documentType: 'DNI', documentNumber, name: 'Rosa Quispe' }).returning();
  for (const o of orders) {
    await h.db.insert(paymentOrders).values({ tenantId: tenant.id, clientId: client!.id, paymentCode: o.code, amount: o.amount, issueDate: '2025-01-01', dueDate: o.due });
  }
  await refreshClientBalances(h.db, tenant.id, [client!.id]);
  return client!;
}

const entryForm = (overrides: Record<string, string> = {}) => ({
  documentType: 'DNI',
  documentNumber: '07654321',
  name: 'Rosa Quispe',
  phone: '987 654 321',
  campaignCode: 'NAVIDAD-2026',
  debtAmount: '1.000,00',
  discountType: 'porcentaje',
  discountValue: '30',
  endDate: '2026-03-31',
  ...overrides,
});

const entriesOf = (tenantId: number) => h.db.select().from(campaignEntries).where(eq(campaignEntries.tenantId, tenantId));

describe('the Cartera castigada app', () => {
  it('is off until an admin enables it: no tab, and its pages answer 404', async () => {
    const acme = await newTenant(h, { plan: 'pro' });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect(await (await admin.get('/app')).text()).not.toContain('href="/app/campaigns"');
    expect((await admin.get('/app/campaigns')).status).toBe(404);
    expect((await admin.post('/app/settings/apps/charged_off/activation')).status).toBe(303);
    forgetTenantCache();
    const home = await (await admin.get('/app')).text();
    expect(home).toContain('href="/app/campaigns"');
    // Right after Órdenes de pago (SPEC 5): the next link of the menu is the campaigns'.
    const afterOrders = home.slice(home.indexOf('href="/app/orders"') + 1);
    expect(afterOrders.indexOf('href="/app/campaigns"')).toBe(afterOrders.indexOf('href="/app/'));
    expect((await admin.get('/app/campaigns')).status).toBe(200);
    const [activation] = await h.db.select().from(appActivations).where(eq(appActivations.tenantId, acme.id));
    expect(activation).toMatchObject({ app: 'charged_off', action: 'enabled', plan: 'pro', priceUsdCents: 0 });
  });

  it('costs 25 USD a month on Essential: the admin must accept the price, and it is recorded', async () => {
    const acme = await newTenant(h, { plan: 'essential' });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const page = await (await admin.get('/app/settings/apps')).text();
    expect(page).toContain('25 USD al mes');
    const refused = await admin.post('/app/settings/apps/charged_off/activation');
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('confirma que aceptas su costo mensual');
    expect(await h.db.select().from(appActivations).where(eq(appActivations.tenantId, acme.id))).toHaveLength(0);
    expect((await admin.post('/app/settings/apps/charged_off/activation', { acceptedPrice: '2500' })).status).toBe(303);
    const [activation] = await h.db.select().from(appActivations).where(eq(appActivations.tenantId, acme.id));
    expect(activation).toMatchObject({ plan: 'essential', priceUsdCents: 2500, actorId: expect.any(Number) });
  });

  it('hides again when disabled, keeping every entry', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.post('/app/campaigns', entryForm())).status).toBe(303);
    expect((await admin.post('/app/settings/apps/charged_off/deactivation')).status).toBe(303);
    forgetTenantCache();
    expect((await admin.get('/app/campaigns')).status).toBe(404);
    expect(await entriesOf(acme.id)).toHaveLength(1);
  });

  it('is managed only by users with the settings permission', async () => {
    const acme = await newTenant(h);
    const supervisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    expect((await supervisor.post('/app/settings/apps/charged_off/activation')).status).toBe(403);
    const [tenant] = await h.db.select().from(tenants).where(eq(tenants.id, acme.id));
    expect(tenant!.enabledApps).toEqual([]);
  });
});

describe('loading a client into a campaign', () => {
  it('creates an unknown client in the charged-off portfolio with the computed amounts', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.post('/app/campaigns', entryForm({ discountValue: '12,5', debtAmount: '123.45' }));
    expect(response.status).toBe(303);
    const [entry] = await entriesOf(acme.id);
    expect(entry).toMatchObject({ debtAmount: 12_345, discountType: 'porcentaje', discountValue: 1250, campaignAmount: 10_802, totalDue: 10_802, endDate: '2026-03-31' });
    const [client] = await h.db.select().from(clients).where(eq(clients.tenantId, acme.id));
    expect(client).toMatchObject({ documentNumber: '07654321', portfolio: 'castigada', phone: '+51987654321' });
    const page = await (await admin.get(response.headers.get('location')!)).text();
    expect(page).toContain('Creamos el cliente');
    expect(page).toContain('<s>');
  });

  it('says every missing field at once, the discount’s value among them, and creates nothing', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const empty = await admin.post('/app/campaigns', { documentType: 'DNI' });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(html).toContain('Escribe el valor del descuento (0 si no hay descuento).');
    expect(html).not.toContain('El porcentaje de descuento debe estar entre 0 y 100');
    const noValue = await admin.post('/app/campaigns', entryForm({ discountValue: '' }));
    expect(noValue.status).toBe(422);
    expect(await noValue.text()).toContain('Escribe el valor del descuento');
    expect(await entriesOf(acme.id)).toEqual([]);
  });

  it('moves a client already in cartera vigente instead of duplicating it', async () => {
    const acme = await withApp();
    const existing = await vigenteClient(acme, '07654321', [{ code: 'OP-1', amount: 50_000, due: '2025-06-01' }]);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.post('/app/campaigns', entryForm({ documentNumber: '07.654.321' }))).status).toBe(303);
    const all = await h.db.select().from(clients).where(eq(clients.tenantId, acme.id));
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: existing.id, portfolio: 'castigada' });
    expect((await entriesOf(acme.id))[0]!.clientId).toBe(existing.id);
  });

  it('refuses a second active campaign for the client, naming the active one', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    await admin.post('/app/campaigns', entryForm());
    const second = await admin.post('/app/campaigns', entryForm({ campaignCode: 'VERANO-2026' }));
    expect(second.status).toBe(422);
    expect(await second.text()).toContain('ya tiene una campaña activa (NAVIDAD-2026)');
    const again = await admin.post('/app/campaigns', entryForm());
    expect(await again.text()).toContain('ya está cargado en la campaña NAVIDAD-2026');
    expect(await entriesOf(acme.id)).toHaveLength(1);
  });

  it('loads the same unknown client from eight requests at once: one client, one entry, and a message for the others', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const codes = ['NAVIDAD-2026', 'VERANO-2026', 'OTONO-2026', 'INVIERNO-2026'].flatMap((code) => [code, code]);
    const responses = await Promise.all(codes.map((campaignCode) => admin.post('/app/campaigns', entryForm({ campaignCode }))));
    expect(responses.map((r) => r.status).sort()).toEqual([303, ...Array(7).fill(422)]);
    const refusals = await Promise.all(responses.filter((r) => r.status === 422).map((r) => r.text()));
    for (const page of refusals) expect(page).toMatch(/ya está cargado en la campaña|ya tiene una campaña activa/);
    expect(await h.db.select().from(clients).where(eq(clients.tenantId, acme.id))).toHaveLength(1);
    expect(await entriesOf(acme.id)).toHaveLength(1);
  });

  it('loads a discount of the whole debt as paid, leaving room for the client\'s next campaign', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.post('/app/campaigns', entryForm({ discountValue: '100' }))).status).toBe(303);
    const [forgiven] = await entriesOf(acme.id);
    expect(forgiven).toMatchObject({ campaignAmount: 0, totalDue: 0, closedReason: 'paid' });
    expect(forgiven!.closedAt).not.toBeNull();
    // A fixed discount above the debt leaves nothing to pay, never less (SPEC 5).
    expect((await admin.post('/app/campaigns', entryForm({ campaignCode: 'VERANO-2026', discountType: 'monto', discountValue: '1.500,00' }))).status).toBe(303);
    expect((await entriesOf(acme.id)).find((e) => e.campaignCode === 'VERANO-2026')).toMatchObject({ campaignAmount: 0, totalDue: 0 });
    expect((await admin.post('/app/campaigns', entryForm({ campaignCode: 'OTONO-2026' }))).status).toBe(303);
    expect((await entriesOf(acme.id)).map((e) => [e.campaignCode, e.closedReason]).sort()).toEqual([
      ['NAVIDAD-2026', 'paid'],
      ['OTONO-2026', null],
      ['VERANO-2026', 'paid'],
    ]);
  });

  it('lets the database refuse a second active entry even when the service is bypassed', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    await admin.post('/app/campaigns', entryForm());
    const [entry] = await entriesOf(acme.id);
    await expect(
      h.db.insert(campaignEntries).values({ tenantId: acme.id, clientId: entry!.clientId, campaignCode: 'OTRA', debtAmount: 100, discountType: 'monto', discountValue: 0, campaignAmount: 100 }),
    ).rejects.toThrow();
  });

  it('accepts a new campaign once the previous one has finished, recording the end once', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    await admin.post('/app/campaigns', entryForm({ endDate: '2026-03-10' }));
    h.clock.set('2026-03-11T05:30:00Z'); // 00:30 on the 11th in Lima
    try {
      const response = await admin.post('/app/campaigns', entryForm({ campaignCode: 'MARZO-2', endDate: '' }));
      expect(response.status).toBe(303);
      expect(await closeFinishedCampaigns(h.db, { tenantId: acme.id, today: '2026-03-11', now: h.clock.now() })).toBe(0);
      const finished = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, acme.id), eq(clientEvents.type, 'campaign.finished')));
      expect(finished).toHaveLength(1);
    } finally {
      h.clock.set('2026-03-10T15:00:00Z');
    }
  });

  it.each([
    [{ discountValue: '120' }, 'discountValue', 'entre 0 y 100'],
    [{ discountType: 'monto', discountValue: '-5' }, 'discountValue', 'sin signo negativo'],
    [{ endDate: '2026-03-09' }, 'endDate', 'no puede ser anterior a hoy'],
    [{ paymentCode: 'NO-EXISTE' }, 'paymentCode', 'no corresponde a ninguna orden'],
    [{ documentNumber: '123' }, 'documentNumber', 'DNI'],
    [{ debtAmount: 'mil' }, 'debtAmount', 'monto de deuda castigada'],
    [{ discountType: 'regalo' }, 'discountType', 'porcentaje o monto'],
  ])('refuses %o with a message on %s and writes nothing', async (overrides, _field, message) => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.post('/app/campaigns', entryForm(overrides as Record<string, string>));
    expect(response.status).toBe(422);
    expect(await response.text()).toContain(message);
    expect(await entriesOf(acme.id)).toHaveLength(0);
    expect(await h.db.select().from(clients).where(eq(clients.tenantId, acme.id))).toHaveLength(0);
  });

  it('needs the clients.edit permission, and changes nothing without it; an advisor still records what the debtor promised', async () => {
    const acme = await withApp();
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect((await advisor.get('/app/campaigns')).status).toBe(200);
    expect((await advisor.post('/app/campaigns', entryForm())).status).toBe(403);
    expect(await entriesOf(acme.id)).toHaveLength(0);

    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    await admin.post('/app/campaigns', entryForm());
    const [entry] = await entriesOf(acme.id);
    expect((await advisor.post(`/app/campaigns/${entry!.id}/payments`, { amount: '100,00', paidOn: '2026-03-10', method: 'Yape' })).status).toBe(403);
    expect((await advisor.post(`/app/campaigns/${entry!.id}/promises`, { promiseAmount: '100,00', promisedDate: '2026-03-12' })).status).toBe(303);
    expect(await h.db.select().from(campaignPromises).where(eq(campaignPromises.tenantId, acme.id))).toMatchObject([{ amount: 100_00 }]);
  });
});

describe('campaign payments', () => {
  async function setup() {
    const acme = await withApp();
    const client = await vigenteClient(acme, '07654321', [{ code: 'OP-9', amount: 100_000, due: '2025-06-01' }]);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    await admin.post('/app/campaigns', entryForm({ paymentCode: 'OP-9' }));
    const [entry] = await entriesOf(acme.id);
    return { acme, client, admin, entry: entry! };
  }

  it('a promise kept by the payments made since no longer holds back what is left to promise', async () => {
    const { acme, admin, entry } = await setup();
    // The offer is S/ 700.00, until 31/03/2026: past that day the discount is gone, and so is the promise's amount.
    const late = await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '500,00', promisedDate: '2026-04-01' });
    expect(late.status).toBe(422);
    expect(await late.text()).toContain('no puede pasar del último día de la campaña (31/03/2026)');
    expect(await runningCampaignPromises(h.db, acme.id, entry.id, '2026-03-10')).toEqual([]);
    expect((await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '500,00', promisedDate: '2026-03-12' })).status).toBe(303);
    // Paid the same day, after promising.
    h.clock.advance(60_000);
    expect((await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '500,00', paidOn: '2026-03-10', method: 'Transferencia' })).status).toBe(303);
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    // Before it is verified, the promise still runs and the receipt counts too: nothing is left.
    const refused = await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '200,00', promisedDate: '2026-03-20' });
    expect(refused.status).toBe(422);
    // Said on the promise form's field, not on the payment form's.
    expect(await refused.text()).toContain('href="#f-promiseAmount"');
    expect((await admin.post(`/app/campaign-payments/${payment!.id}/verification`)).status).toBe(303);
    expect((await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '200,00', promisedDate: '2026-03-20' })).status).toBe(303);
    expect((await runningCampaignPromises(h.db, acme.id, entry.id, '2026-03-10')).map((p) => p.amount)).toEqual([200_00]);
    // The entry's page says which promise was kept.
    const page = (await (await admin.get(`/app/campaigns/${entry.id}`)).text()).replaceAll('\u00a0', ' ');
    expect(page).toMatch(/S\/ 500\.00 · 12\/03\/2026 <span class="badge badge-ok">Cumplido<\/span>/);
    expect(page).toMatch(/S\/ 200\.00 · 20\/03\/2026 <span class="badge badge-warn">Pendiente<\/span>/);
  });

  it('never change the original credit: orders and the client balance stay as they were', async () => {
    const { acme, client, admin, entry } = await setup();
    const [before] = await h.db.select().from(paymentOrders).where(eq(paymentOrders.tenantId, acme.id));
    const [clientBefore] = await h.db.select().from(clients).where(eq(clients.id, client.id));
    expect((await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '700,00', paidOn: '2026-03-10', method: 'Transferencia', reference: 'OP123' })).status).toBe(303);
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    expect((await admin.post(`/app/campaign-payments/${payment!.id}/verification`)).status).toBe(303);
    const [after] = await h.db.select().from(paymentOrders).where(eq(paymentOrders.tenantId, acme.id));
    const [clientAfter] = await h.db.select().from(clients).where(eq(clients.id, client.id));
    expect(after).toEqual(before);
    expect(clientAfter!.totalBalance).toBe(clientBefore!.totalBalance);
    const [paidEntry] = await entriesOf(acme.id);
    expect(paidEntry).toMatchObject({ paid: 70_000, totalDue: 0, closedReason: 'paid' });
  });

  it('follow the tenant\'s overpayment rule as payments on orders do, and promises stay within what is owed', async () => {
    const { acme, admin, entry } = await setup();
    // The offer is S/ 700.00 (30 % off S/ 1,000.00).
    const above = await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '800,00', paidOn: '2026-03-10', method: 'Transferencia' });
    expect(above.status).toBe(422);
    expect(await above.text()).toContain('El pago supera lo que falta pagar de la campaña.');
    const promise = await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '700,01', promisedDate: '2026-03-12' });
    expect(promise.status).toBe(422);
    expect(await promise.text()).toContain('no puede ser mayor que lo que falta pagar de la campaña');

    for (let i = 0; i < 2; i++) await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '400,00', paidOn: '2026-03-10', method: 'Yape' });
    const [first, second] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id)).orderBy(campaignPayments.id);
    await admin.post(`/app/campaign-payments/${first!.id}/verification`);
    // The second one now pays more than is left (S/ 300.00): it is not verified.
    const refused = await admin.post(`/app/campaign-payments/${second!.id}/verification`);
    expect(await (await admin.get(refused.headers.get('location')!)).text()).toContain('El pago supera lo que falta pagar de la campaña.');
    expect((await h.db.select().from(campaignPayments).where(eq(campaignPayments.id, second!.id)))[0]!.state).toBe('por_verificar');
    expect((await entriesOf(acme.id))[0]).toMatchObject({ paid: 40_000, totalDue: 30_000 });
    // The receipt still to verify would pay more than is left: nothing is left to promise.
    const overPromise = await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '0,01', promisedDate: '2026-03-12' });
    expect(overPromise.status).toBe(422);
    expect(await overPromise.text()).toContain('Hay pagos por verificar');

    // Where the tenant keeps credits, it is verified and what goes beyond shows as one.
    await h.db.update(tenantSettings).set({ allowOverpayment: true }).where(eq(tenantSettings.tenantId, acme.id));
    await admin.post(`/app/campaign-payments/${second!.id}/verification`);
    expect((await entriesOf(acme.id))[0]).toMatchObject({ paid: 80_000, totalDue: -10_000, closedReason: 'paid' });
    expect(await (await admin.get(`/app/campaigns/${entry.id}`)).text()).toMatch(/<dt>Saldo a favor<\/dt>\s*<dd>S\/\s100\.00<\/dd>/);
  });

  it('a change of terms may not leave the campaign amount below what was paid, unless the tenant keeps credits', async () => {
    const { acme, admin, entry } = await setup();
    await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '400,00', paidOn: '2026-03-10', method: 'Yape' });
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    await admin.post(`/app/campaign-payments/${payment!.id}/verification`);
    const scope = { tenantId: acme.id, tenant: acme, actor: null, db: h.db, clock: h.clock };
    const lower = { ...entry, documentType: 'DNI', documentNumber: '07654321', name: null, email: null, phone: null, debtAmount: 50_000, discountType: 'porcentaje' as const, discountValue: 3000, endDate: null, paymentCode: null };
    expect(await updateCampaignEntry(scope, entry.id, lower)).toMatchObject({ ok: false, errors: { debtAmount: 'campaigns.error.belowPaid' } });
    expect((await entriesOf(acme.id))[0]).toMatchObject({ debtAmount: 100_000, campaignAmount: 70_000 });
    await h.db.update(tenantSettings).set({ allowOverpayment: true }).where(eq(tenantSettings.tenantId, acme.id));
    expect(await updateCampaignEntry(scope, entry.id, lower)).toMatchObject({ ok: true });
    expect((await entriesOf(acme.id))[0]).toMatchObject({ campaignAmount: 35_000, paid: 40_000, totalDue: -5_000, closedReason: 'paid', endDate: '2026-03-31', paymentCode: 'OP-9' });
  });

  it('move through the same states as the client\'s payments: a rejected one stays rejected', async () => {
    const { acme, admin, entry } = await setup();
    await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '100,00', paidOn: '2026-03-10', method: 'Yape' });
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    expect(await (await admin.get(`/app/campaigns/${entry.id}`)).text()).toContain(`/app/campaign-payments/${payment!.id}/rejection`);
    await admin.post(`/app/campaign-payments/${payment!.id}/rejection`);
    const page = await (await admin.get(`/app/campaigns/${entry.id}`)).text();
    expect(page).not.toContain(`/app/campaign-payments/${payment!.id}/verification`);
    await admin.post(`/app/campaign-payments/${payment!.id}/verification`);
    const [after] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    expect(after!.state).toBe('no_verificado');
    expect((await entriesOf(acme.id))[0]!.paid).toBe(0);
  });

  it('refuses taking a payment back from a paid campaign when the client has another active one, changing nothing', async () => {
    const { acme, client, admin, entry } = await setup();
    await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '700,00', paidOn: '2026-03-10', method: 'Transferencia' });
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    await admin.post(`/app/campaign-payments/${payment!.id}/verification`);
    expect((await admin.post('/app/campaigns', entryForm({ campaignCode: 'VERANO-2026' }))).status).toBe(303);
    const annul = await admin.post(`/app/campaign-payments/${payment!.id}/annulment`);
    expect(annul.status).toBe(303);
    expect(annul.headers.get('Location')).toBe(`/app/campaigns/${entry.id}`);
    expect(await (await admin.get(`/app/campaigns/${entry.id}`)).text()).toContain('el cliente ya tiene otra campaña activa');
    const [after] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    expect(after!.state).toBe('verificado');
    const entries = await h.db.select().from(campaignEntries).where(and(eq(campaignEntries.tenantId, acme.id), eq(campaignEntries.clientId, client.id)));
    expect(entries.map((e) => [e.campaignCode, e.closedReason]).sort()).toEqual([['NAVIDAD-2026', 'paid'], ['VERANO-2026', null]]);
  });

  it('records the four charged-off events under their own names', async () => {
    const { acme, admin, entry } = await setup();
    await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '100,00', paidOn: '2026-03-10', method: 'Yape' });
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, acme.id));
    await admin.post(`/app/campaign-payments/${payment!.id}/verification`);
    await admin.post(`/app/campaign-payments/${payment!.id}/annulment`);
    await admin.post(`/app/campaigns/${entry.id}/promises`, { promiseAmount: '600,00', promisedDate: '2026-03-20' });
    const types = (await h.db.select().from(clientEvents).where(eq(clientEvents.tenantId, acme.id))).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['campaign_payment.registered', 'campaign_payment.verified', 'campaign_payment.annulled', 'campaign_promise.made']));
    const page = await (await admin.get(`/app/campaigns/${entry.id}`)).text();
    for (const label of ['Pago a verificar cartera castigada', 'Pago cartera castigada', 'Anulación de pago cartera castigada', 'Compromiso de pago cartera castigada']) {
      expect(page).toContain(label);
    }
    const [reverted] = await entriesOf(acme.id);
    expect(reverted!.paid).toBe(0);
  });

  it('shows the original debt without discount once the campaign ends at midnight tenant time', async () => {
    const { admin, entry } = await setup();
    h.clock.set('2026-04-01T04:59:00Z'); // 23:59 on 31 March in Lima: still active
    try {
      let page = await (await admin.get(`/app/campaigns/${entry.id}`)).text();
      expect(page).toContain('Activa');
      expect(page).toContain('30%');
      h.clock.set('2026-04-01T05:01:00Z'); // 00:01 on 1 April in Lima
      page = await (await admin.get(`/app/campaigns/${entry.id}`)).text();
      expect(page).toContain('Finalizada');
      expect(page).not.toContain('30%');
      expect(page).not.toContain('<s>');
      const refused = await admin.post(`/app/campaigns/${entry.id}/payments`, { amount: '10,00', paidOn: '2026-04-01', method: 'Yape' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('no está activa');
    } finally {
      h.clock.set('2026-03-10T15:00:00Z');
    }
  });

  it('answers 404 for another tenant’s entries and payments, changing nothing', async () => {
    const { entry } = await setup();
    const other = await withApp();
    const stranger = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect((await stranger.get(`/app/campaigns/${entry.id}`)).status).toBe(404);
    expect((await stranger.post(`/app/campaigns/${entry.id}/payments`, { amount: '10,00', paidOn: '2026-03-10', method: 'x' })).status).toBe(404);
    expect(await h.db.select().from(campaignPayments).where(eq(campaignPayments.entryId, entry.id))).toHaveLength(0);
  });
});

describe('the tray', () => {
  it('filters by campaign, state and discount type, from the URL', async () => {
    const acme = await withApp();
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    await admin.post('/app/campaigns', entryForm({ documentNumber: '11111111', name: 'Ana Uno', campaignCode: 'A' }));
    await admin.post('/app/campaigns', entryForm({ documentNumber: '22222222', name: 'Beto Dos', campaignCode: 'B', discountType: 'monto', discountValue: '100' }));
    const byCampaign = await (await admin.get('/app/campaigns?campaign=A')).text();
    expect(byCampaign).toContain('Ana Uno');
    expect(byCampaign).not.toContain('Beto Dos');
    const byType = await (await admin.get('/app/campaigns?discountType=monto')).text();
    expect(byType).toContain('Beto Dos');
    expect(byType).not.toContain('Ana Uno');
    const fragment = await (await admin.get('/app/campaigns?state=0&bogus=1', { htmx: true })).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('Ana Uno');
    expect(fragment).toContain('Beto Dos');
    expect(await (await admin.get('/app/campaigns?state=2')).text()).not.toContain('Ana Uno');
    expect(await (await admin.get('/app/campaigns?campaign=a')).text()).toContain('Ana Uno');
    // The search box finds a debtor by any word of the name, or by the document.
    const byWord = await (await admin.get('/app/campaigns?q=dos')).text();
    expect(byWord).toContain('Beto Dos');
    expect(byWord).not.toContain('Ana Uno');
    expect(await (await admin.get('/app/campaigns?q=1111')).text()).toContain('Ana Uno');
    // An entry whose end date has passed is finished from the next day on, before any job closes it.
    await h.db.update(campaignEntries).set({ endDate: '2026-03-09' }).where(and(eq(campaignEntries.tenantId, acme.id), eq(campaignEntries.campaignCode, 'B')));
    const finished = await (await admin.get('/app/campaigns?state=2')).text();
    expect(finished).toContain('Beto Dos');
    expect(finished).not.toContain('Ana Uno');
    expect(await (await admin.get('/app/campaigns?state=0')).text()).not.toContain('Beto Dos');
    // The back button restores from history with an htmx request that needs the whole page.
    const restored = await (await admin.get('/app/campaigns?state=0', { htmx: true, headers: { 'HX-History-Restore-Request': 'true' } })).text();
    expect(restored).toContain('<html');
  });
});
