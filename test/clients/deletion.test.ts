import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEvents } from '../../src/events/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { addOrder, namesIn, seedClient, storedClient } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

async function setUp() {
  const acme = await newTenant(h);
  const browser = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
  return { acme, browser };
}

describe('deleting and restoring clients', () => {
  it('asks for confirmation before deleting, and the GET changes nothing', async () => {
    const { acme, browser } = await setUp();
    const client = await seedClient(h, acme, { name: 'Mario Borrable' });
    const confirm = await browser.get(`/app/clients/${client.id}/deletion`);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain('¿Eliminar a Mario Borrable?');
    expect(html).toContain(`action="/app/clients/${client.id}/deletion"`);
    expect((await storedClient(h, acme, client.id))!.deletedAt).toBeNull();
  });

  it('a deleted client leaves the tray, shows under status eliminado with nothing lost, and can be restored', async () => {
    const { acme, browser } = await setUp();
    const client = await seedClient(h, acme, { name: 'Mario Borrable' });
    await addOrder(h, acme, client, { dueDate: '2026-03-01', amount: 50_000 });
    await seedClient(h, acme, { name: 'Nora Queda' });

    const deleted = await browser.post(`/app/clients/${client.id}/deletion`);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('Location')).toBe('/app/clients');
    const tray = await (await browser.get('/app/clients')).text();
    expect(tray).toContain('Eliminamos al cliente Mario Borrable.');
    expect(namesIn(tray)).toEqual(['Nora Queda']);
    const eliminated = await (await browser.get('/app/clients?status=eliminado')).text();
    expect(namesIn(eliminated)).toEqual(['Mario Borrable']);
    expect(eliminated).toContain(`action="/app/clients/${client.id}/restoration"`);
    const stored = await storedClient(h, acme, client.id);
    expect(stored!.deletedAt).not.toBeNull();
    expect(stored!.totalBalance).toBe(50_000);
    // Its statement stays readable, with its orders, but takes no payment until it is restored.
    const statement = await browser.get(`/app/clients/${client.id}/statement`);
    expect(statement.status).toBe(200);
    const statementHtml = await statement.text();
    expect(statementHtml).toContain('Este cliente está eliminado');
    expect(statementHtml).toMatch(/S\/\s?500\.00/);
    expect(statementHtml).not.toContain('action="/app/clients/' + client.id + '/statement/payments"');
    expect((await browser.post(`/app/clients/${client.id}/statement/payments`, { amount: '10', paidOn: '2026-03-10', method: 'efectivo' })).status).toBe(404);

    const restored = await browser.post(`/app/clients/${client.id}/restoration`);
    expect(restored.status).toBe(303);
    expect(await (await browser.get(restored.headers.get('Location')!)).text()).toContain('Recuperamos al cliente Mario Borrable.');
    expect(namesIn(await (await browser.get('/app/clients')).text())).toEqual(['Mario Borrable', 'Nora Queda']);
    expect((await storedClient(h, acme, client.id))!.deletedAt).toBeNull();
    const types = (await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, acme.id), eq(clientEvents.clientId, client.id)))).map((e) => e.type);
    expect(types.sort()).toEqual(['client.deleted', 'client.restored']);
  });

  it('a deleted client’s document may be used again, and then the old one cannot be restored', async () => {
    const { acme, browser } = await setUp();
    const old = await seedClient(h, acme, { name: 'Antigua', documentNumber: '33333333' });
    expect((await browser.post(`/app/clients/${old.id}/deletion`)).status).toBe(303);
    const created = await browser.post('/app/clients', { documentType: 'DNI', documentNumber: '33333333', name: 'Nueva' });
    expect(created.status).toBe(303);
    const refused = await browser.post(`/app/clients/${old.id}/restoration`);
    expect(refused.status).toBe(303);
    const page = await (await browser.get(refused.headers.get('Location')!)).text();
    expect(page).toContain('No se puede recuperar: otro cliente activo ya tiene el documento DNI 33333333.');
    expect((await storedClient(h, acme, old.id))!.deletedAt).not.toBeNull();
  });

  it('an advisor without clients.delete cannot delete or restore, and nothing changes', async () => {
    const { acme } = await setUp();
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    const live = await seedClient(h, acme);
    const gone = await seedClient(h, acme, { deletedAt: new Date('2026-03-01T00:00:00Z') });
    expect((await advisor.get(`/app/clients/${live.id}/deletion`)).status).toBe(403);
    expect((await advisor.post(`/app/clients/${live.id}/deletion`)).status).toBe(403);
    expect((await advisor.post(`/app/clients/${gone.id}/restoration`)).status).toBe(403);
    expect((await storedClient(h, acme, live.id))!.deletedAt).toBeNull();
    expect((await storedClient(h, acme, gone.id))!.deletedAt).not.toBeNull();
    const tray = await (await advisor.get('/app/clients')).text();
    expect(tray).not.toContain(`/app/clients/${live.id}/deletion`);
    expect(tray).not.toContain(`/app/clients/${live.id}/edit`);
  });

  it('a deletion without the form’s CSRF token changes nothing', async () => {
    const { acme, browser } = await setUp();
    const client = await seedClient(h, acme);
    expect((await browser.request('POST', `/app/clients/${client.id}/deletion`, { form: {}, csrf: false })).status).toBe(403);
    expect((await storedClient(h, acme, client.id))!.deletedAt).toBeNull();
  });
});
