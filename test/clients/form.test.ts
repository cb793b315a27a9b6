import { campaignEntries } from '../../src/campaigns/schema.js';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEvents } from '../../src/events/schema.js';
import { clientVariables, documentTypes } from '../../src/settings/schema.js';
import { users } from '../../src/users/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { clientsOf, seedClient, storedClient } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

const valid = { documentType: 'DNI', documentNumber: '01234567', name: 'Rosa Quispe', email: 'rosa@correo.pe', phone: '987 654 321', status: 'activo', contactability: 'contactable', portfolio: 'vigente' };

async function setUp(role: 'admin' | 'supervisor' | 'advisor' = 'supervisor') {
  const acme = await newTenant(h);
  const staff = await addStaff(h, acme, { role, name: 'Sara Supervisora' });
  return { acme, staff, browser: await loggedIn(h, acme, staff) };
}

describe('creating and editing a client', () => {
  it('creates a client with the phone in E.164 and the document’s leading zeros kept', async () => {
    const { acme, browser } = await setUp();
    const response = await browser.post('/app/clients', { ...valid, contactAlerts: 'No llamar de noche, Número equivocado' });
    expect(response.status).toBe(303);
    const [client] = await clientsOf(h, acme);
    expect(response.headers.get('Location')).toBe(`/app/clients/${client!.id}`);
    expect(client).toMatchObject({ documentNumber: '01234567', phone: '+51987654321', email: 'rosa@correo.pe', contactAlerts: ['No llamar de noche', 'Número equivocado'] });
    const page = await (await browser.get(`/app/clients/${client!.id}`)).text();
    expect(page).toContain('Creamos el cliente Rosa Quispe.');
    expect(page).toContain('DNI 01234567');
    expect(page).toContain('+51987654321');
  });

  it('shows a message per wrong field, keeps what was typed and creates nothing', async () => {
    const { acme, browser } = await setUp();
    const response = await browser.post('/app/clients', { ...valid, documentNumber: '1234', email: 'no-es-correo', phone: '12', name: 'Rosa Quispe' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Un número de DNI tiene 8 dígitos y este tiene 4.');
    expect(html).toContain('Escribe un correo válido');
    expect(html).toContain('El teléfono no es válido');
    expect(html).toContain('value="Rosa Quispe"');
    expect(html).toContain('value="no-es-correo"');
    expect(html).toContain('value="1234"');
    expect(await clientsOf(h, acme)).toHaveLength(0);
  });

  it('requires a name', async () => {
    const { acme, browser } = await setUp();
    const response = await browser.post('/app/clients', { ...valid, name: '  ' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('Escribe el nombre del cliente.');
    expect(await clientsOf(h, acme)).toHaveLength(0);
  });

  it('says how long a text may be when it is too long', async () => {
    const { acme, browser } = await setUp();
    const response = await browser.post('/app/clients', { ...valid, name: 'a'.repeat(201), segment: 'b'.repeat(121) });
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(page).toContain('El texto es demasiado largo: escribe hasta 200 caracteres.');
    expect(page).toContain('El texto es demasiado largo: escribe hasta 120 caracteres.');
    expect(await clientsOf(h, acme)).toHaveLength(0);
  });

  it('refuses a second client with the same document in the tenant, but not in another tenant', async () => {
    const { acme, browser } = await setUp();
    const { acme: other, browser: otherBrowser } = await setUp();
    expect((await otherBrowser.post('/app/clients', valid)).status).toBe(303);
    expect((await browser.post('/app/clients', valid)).status).toBe(303);
    const again = await browser.post('/app/clients', { ...valid, documentNumber: '01.234.567', name: 'Otra Rosa' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('Ya existe un cliente con este tipo y número de documento.');
    expect(await clientsOf(h, acme)).toHaveLength(1);
    expect(await clientsOf(h, other)).toHaveLength(1);
  });

  it('uses the tenant’s own document types when it has configured them', async () => {
    const { acme, browser } = await setUp();
    await h.db.insert(documentTypes).values({ tenantId: acme.id, code: 'RUT', label: 'RUT', pattern: '^\\d{7,8}-[\\dK]$' });
    expect((await browser.post('/app/clients', valid)).status).toBe(422);
    const form = await (await browser.get('/app/clients/new')).text();
    expect(form).toContain('<option value="RUT"');
    expect(form).not.toContain('<option value="DNI"');
    expect((await browser.post('/app/clients', { ...valid, documentType: 'RUT', documentNumber: '12345678-k' })).status).toBe(303);
    expect((await clientsOf(h, acme))[0]!.documentNumber).toBe('12345678-K');
  });

  it('names every field in the summary of what to fix, the tenant\'s own variables by their names', async () => {
    const { acme, browser } = await setUp();
    await h.db.insert(clientVariables).values({ tenantId: acme.id, key: 'sucursal', label: 'Sucursal' });
    const response = await browser.post('/app/clients', { ...valid, segment: 'b'.repeat(121), contactAlerts: 'c'.repeat(81), 'additional.sucursal': 'd'.repeat(501) });
    expect(response.status).toBe(422);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(await response.text())?.[0] ?? '';
    expect(summary).toContain('Segmento: El texto es demasiado largo');
    expect(summary).toContain('Alertas de contacto: El texto es demasiado largo');
    expect(summary).toContain('Sucursal: El texto es demasiado largo');
  });

  it('keeps only the additional variables the tenant defined', async () => {
    const { acme, browser } = await setUp();
    await h.db.insert(clientVariables).values({ tenantId: acme.id, key: 'region', label: 'Región' });
    expect((await browser.post('/app/clients', { ...valid, 'additional.region': 'Norte', 'additional.hack': 'x' })).status).toBe(303);
    expect((await clientsOf(h, acme))[0]!.additional).toEqual({ region: 'Norte' });
  });

  it('assigns only active staff of the same tenant as supervisor or advisor', async () => {
    const { acme, browser } = await setUp();
    const other = await newTenant(h);
    const stranger = await addStaff(h, other, { role: 'advisor' });
    const luis = await addStaff(h, acme, { role: 'advisor', name: 'Luis Asesor' });
    const refused = await browser.post('/app/clients', { ...valid, advisorId: String(stranger.id) });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Elige un usuario activo de la lista.');
    expect(await clientsOf(h, acme)).toHaveLength(0);
    expect((await browser.post('/app/clients', { ...valid, advisorId: String(luis.id) })).status).toBe(303);
    expect((await clientsOf(h, acme))[0]!.advisorId).toBe(luis.id);
  });

  it('edits a client and records what changed, before and after, in its interactions', async () => {
    const { acme, browser, staff } = await setUp();
    const client = await seedClient(h, acme, { name: 'Pedro Ramos', documentNumber: '07654321' });
    const form = await (await browser.get(`/app/clients/${client.id}/edit`)).text();
    expect(form).toContain('value="Pedro Ramos"');
    const response = await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '07654321', name: 'Pedro Ramos Díaz', phone: '+51 912 345 678', contactability: 'no_contactable' });
    expect(response.status).toBe(303);
    expect(await storedClient(h, acme, client.id)).toMatchObject({ name: 'Pedro Ramos Díaz', phone: '+51912345678', documentNumber: '07654321' });
    const events = await h.db
      .select()
      .from(clientEvents)
      .where(and(eq(clientEvents.tenantId, acme.id), eq(clientEvents.clientId, client.id)))
      .orderBy(asc(clientEvents.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'client.updated', actorId: staff.id });
    expect((events[0]!.data as { changes: Record<string, unknown> }).changes.name).toEqual(['Pedro Ramos', 'Pedro Ramos Díaz']);
    const interactions = await (await browser.get(`/app/clients/${client.id}/interactions`)).text();
    expect(interactions).toContain('Datos del cliente editados');
    expect(interactions).toContain('Pedro Ramos → Pedro Ramos Díaz');
    // Values of closed lists are shown by their labels, not their codes.
    expect(interactions).toContain('Contactabilidad: Contactable → No contactable');
    expect(interactions).not.toContain('no_contactable');
    expect(interactions).toContain('Sara Supervisora');
  });

  it('an edit may keep an advisor who has since been deactivated, but not assign a deactivated one anew', async () => {
    const { acme, browser } = await setUp();
    const former = await addStaff(h, acme, { role: 'advisor', name: 'Ex Asesor' });
    const client = await seedClient(h, acme, { name: 'Con Ex', documentNumber: '55555555', advisorId: former.id });
    const other = await seedClient(h, acme, { name: 'Sin Asesor', documentNumber: '66666666' });
    await h.db.update(users).set({ active: false }).where(and(eq(users.tenantId, acme.id), eq(users.id, former.id)));
    const form = await (await browser.get(`/app/clients/${client.id}/edit`)).text();
    expect(form).toContain(`<option value="${former.id}" selected="">Ex Asesor</option>`);
    expect((await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '55555555', name: 'Con Ex Editado', advisorId: String(former.id) })).status).toBe(303);
    expect(await storedClient(h, acme, client.id)).toMatchObject({ name: 'Con Ex Editado', advisorId: former.id });
    expect((await browser.post(`/app/clients/${other.id}`, { ...valid, documentNumber: '66666666', advisorId: String(former.id) })).status).toBe(422);
    expect((await storedClient(h, acme, other.id))!.advisorId).toBeNull();
  });

  it('refuses an advisor as a client’s supervisor, as the form never offers one', async () => {
    const { acme, browser } = await setUp();
    const advisor = await addStaff(h, acme, { role: 'advisor', name: 'Ana Asesora' });
    const supervisor = await addStaff(h, acme, { role: 'supervisor', name: 'Sara Supervisora' });
    const client = await seedClient(h, acme, { name: 'Pedro', documentNumber: '22222222' });
    const refused = await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '22222222', supervisorId: String(advisor.id) });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Un asesor no puede ser supervisor');
    expect((await storedClient(h, acme, client.id))!.supervisorId).toBeNull();
    expect((await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '22222222', supervisorId: String(supervisor.id), advisorId: String(advisor.id) })).status).toBe(303);
    expect(await storedClient(h, acme, client.id)).toMatchObject({ supervisorId: supervisor.id, advisorId: advisor.id });
  });

  it('keeps the values and shows the error when an edit takes another client’s document', async () => {
    const { acme, browser } = await setUp();
    await seedClient(h, acme, { documentNumber: '11111111' });
    const client = await seedClient(h, acme, { name: 'Pedro', documentNumber: '22222222' });
    const response = await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '11111111', name: 'Pedro Cambiado' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Ya existe un cliente con este tipo y número de documento.');
    expect(html).toContain('value="Pedro Cambiado"');
    expect((await storedClient(h, acme, client.id))!.name).toBe('Pedro');
  });

  it('keeps a client in cartera castigada while its campaign is active, and lets it go back once the campaign ended', async () => {
    const { acme, browser } = await setUp();
    const client = await seedClient(h, acme, { name: 'Pedro', documentNumber: '22222222', portfolio: 'castigada' });
    await h.db.insert(campaignEntries).values({ tenantId: acme.id, clientId: client.id, campaignCode: 'CAMP-1', debtAmount: 1000_00, discountType: 'porcentaje', discountValue: 5000, campaignAmount: 500_00, endDate: '2026-03-31' });
    const refused = await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '22222222', name: 'Pedro Paredes', portfolio: 'vigente' });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('El cliente tiene una campaña activa de cartera castigada: sigue en cartera castigada mientras dure.');
    expect(html).toContain('value="Pedro Paredes"');
    expect(await storedClient(h, acme, client.id)).toMatchObject({ name: 'Pedro', portfolio: 'castigada' });
    // Other edits of the same client go through.
    expect((await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '22222222', name: 'Pedro Paredes', portfolio: 'castigada' })).status).toBe(303);
    // The day after its end date (harness today: 2026-03-10 in Lima) the campaign is over.
    await h.db.update(campaignEntries).set({ endDate: '2026-03-09' }).where(eq(campaignEntries.clientId, client.id));
    expect((await browser.post(`/app/clients/${client.id}`, { ...valid, documentNumber: '22222222', name: 'Pedro Paredes', portfolio: 'vigente' })).status).toBe(303);
    expect(await storedClient(h, acme, client.id)).toMatchObject({ portfolio: 'vigente' });
  });

  it('shows an event type no catalogue names as the type itself, newest first', async () => {
    const { acme, browser } = await setUp();
    const client = await seedClient(h, acme);
    await h.db.insert(clientEvents).values([
      { tenantId: acme.id, clientId: client.id, type: 'client.deleted', occurredAt: new Date('2026-03-01T10:00:00Z') },
      { tenantId: acme.id, clientId: client.id, type: 'robot.visited', occurredAt: new Date('2026-03-02T10:00:00Z') },
    ]);
    const html = await (await browser.get(`/app/clients/${client.id}/interactions`)).text();
    expect(html).toContain('robot.visited');
    expect(html.indexOf('robot.visited')).toBeLessThan(html.indexOf('Cliente eliminado'));
  });

  it('shows the client page with situation, totals and the charged-off label', async () => {
    const { acme, browser } = await setUp();
    const client = await seedClient(h, acme, { name: 'Carla Castigada', portfolio: 'castigada' });
    await h.db.insert(campaignEntries).values({ tenantId: acme.id, clientId: client.id, campaignCode: 'C1', debtAmount: 1000, discountType: 'monto', discountValue: 0, campaignAmount: 1000 });
    const html = await (await browser.get(`/app/clients/${client.id}`)).text();
    expect(html).toContain('<h1>Carla Castigada</h1>');
    expect(html).toContain('<span class="badge badge-charged-off">Cartera castigada</span>');
    expect(html).toContain('Finalizado');
    expect(html).toContain(`/app/clients/${client.id}/statement`);
    expect(html).toContain(`/app/clients/${client.id}/interactions`);
    expect(html).toContain(`/app/clients/${client.id}/edit`);
  });
});
