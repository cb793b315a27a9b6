import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsWithOpenClaims } from '../../src/claims/derived.js';
import { claimColumns, listClaimsForExport, listClientClaims } from '../../src/claims/queries.js';
import { claimEvents, claims } from '../../src/claims/schema.js';
import { openClaim } from '../../src/claims/service.js';
import { clients } from '../../src/clients/schema.js';
import { situationOf } from '../../src/clients/situation.js';
import { clientEvents } from '../../src/events/schema.js';
import { todayIn } from '../../src/platform/dates.js';
import { translator } from '../../src/platform/i18n/index.js';
import { pgError } from '../../src/platform/scope.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness, type TestClient } from '../support/app.js';
import { addStaff, loggedIn, newTenant, type Staff } from '../support/factories.js';
import { claimsFootprint, claimsOf, clientRow, debtor, scopeFor } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

interface World {
  acme: Tenant;
  advisor: Staff;
  ana: TestClient;
}

async function world(): Promise<World> {
  const acme = await newTenant(h);
  const advisor = await addStaff(h, acme, { role: 'advisor', name: 'Ana Asesora' });
  return { acme, advisor, ana: await loggedIn(h, acme, advisor) };
}

const today = (tenant: Tenant) => todayIn(tenant.timezone, h.clock);

/** Opens a claim through the HTTP app and returns its id. */
async function open(w: World, clientId: number, orderIds: number[], category: string, description = 'Cobro duplicado en la cuota de febrero') {
  const response = await w.ana.post('/app/claims', { clientId, orderIds: orderIds.map(String), category, description });
  expect(response.status, await response.clone().text()).toBe(303);
  expect(response.headers.get('Location')).toBe('/app/claims');
  const [latest] = await h.db
    .select({ id: claims.id })
    .from(claims)
    .where(eq(claims.tenantId, w.acme.id))
    .orderBy(sql`${claims.id} desc`)
    .limit(1);
  return latest!.id;
}

async function claimById(tenant: Tenant, id: number) {
  const [claim] = await h.db.select().from(claims).where(and(eq(claims.tenantId, tenant.id), eq(claims.id, id)));
  return claim!;
}

describe('opening a claim', () => {
  it('an advisor opens a claim about some of the client’s orders and the client becomes con_reclamo', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    expect(situationOf(await clientRow(h, w.acme, client.id), today(w.acme))).toBe('mora_31_60');

    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion');

    const stored = await clientRow(h, w.acme, client.id);
    expect(stored.openClaims).toBe(1);
    expect(stored.openClaimCategories).toEqual(['errores_facturacion']);
    expect(situationOf(stored, today(w.acme))).toBe('con_reclamo');
    const claim = await claimById(w.acme, id);
    expect(claim.state).toBe('abierto');
    expect(claim.createdById).toBe(w.advisor.id);
    const events = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, w.acme.id), eq(clientEvents.clientId, client.id)));
    expect(events.map((e) => e.type)).toEqual(['claim.opened']);
    const tray = await (await w.ana.get('/app/claims')).text();
    expect(tray).toContain(`Creamos el reclamo #${id}.`);
    expect(tray).toContain('Errores de facturación');
    expect(tray).toContain(orders[0].paymentCode);
    const page = await (await w.ana.get(`/app/clients/${client.id}`)).text();
    expect(page).toContain('Con reclamo');
    expect(page).toContain(`href="/app/claims/${id}"`);
  });

  it('a claim of a client deleted since stays in the tray, marked as the client’s', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'problemas_pago');
    const row = (page: string) => new RegExp(`<tr id="claim-${id}"[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    expect(row(await (await w.ana.get('/app/claims')).text())).not.toContain('Cliente eliminado');
    await h.db.update(clients).set({ deletedAt: new Date() }).where(eq(clients.id, client.id));
    expect(row(await (await w.ana.get('/app/claims')).text())).toContain('Cliente eliminado');
  });

  it('a client has at most two open claims, and the third is refused naming the open ones, with nothing written', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const first = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const second = await open(w, client.id, [orders[1].id], 'problemas_pago');
    const before = await claimsFootprint(h.db, w.acme);

    const third = await w.ana.post('/app/claims', { clientId: client.id, orderIds: [orders[0].id].map(String), category: 'problemas_producto', description: 'No funciona' });

    expect(third.status).toBe(422);
    const html = await third.text();
    expect(html).toContain('Este cliente ya tiene dos reclamos abiertos');
    expect(html).toContain(`#${first} Errores de facturación`);
    expect(html).toContain(`#${second} Problemas con el pago`);
    expect(html).toContain('No funciona');
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);
  });

  it('the two open claims of a client must be of different categories', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const first = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const before = await claimsFootprint(h.db, w.acme);
    const again = await w.ana.post('/app/claims', { clientId: client.id, orderIds: [orders[1].id].map(String), category: 'errores_facturacion', description: 'Otro cobro' });
    expect(again.status).toBe(422);
    const html = await again.text();
    expect(html).toContain('ya tiene un reclamo abierto de esta categoría');
    expect(html).toContain(`#${first} Errores de facturación`);
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);
  });

  it('a claim can only be linked to orders of its own client, never another client’s or another tenant’s', async () => {
    const w = await world();
    const { client } = await debtor(h, w.acme);
    const neighbour = await debtor(h, w.acme, { name: 'Otro Cliente' });
    const other = await newTenant(h);
    const foreign = await debtor(h, other);
    const before = await claimsFootprint(h.db, w.acme);
    for (const orderId of [neighbour.orders[0].id, foreign.orders[0].id]) {
      const response = await w.ana.post('/app/claims', { clientId: client.id, orderIds: [orderId].map(String), category: 'problemas_pago', description: 'Pago no reconocido' });
      expect(response.status).toBe(422);
      expect(await response.text()).toContain('Solo puedes asociar órdenes de pago de este cliente.');
    }
    const stranger = await w.ana.post('/app/claims', { clientId: foreign.client.id, orderIds: [foreign.orders[0].id].map(String), category: 'problemas_pago', description: 'x' });
    expect(stranger.status).toBe(422);
    expect(await stranger.text()).toContain('Elige el cliente del reclamo.');
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);
    expect((await claimsOf(h.db, other, foreign.client.id)).length).toBe(0);
  });

  it('the same form sent twice (a double click, a slow network) opens one claim and answers both sends as opened', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const form = { clientId: client.id, orderIds: [orders[0].id].map(String), category: 'problemas_pago', description: 'Pagué y sigue figurando' };
    const [first, second] = await Promise.all([w.ana.post('/app/claims', form), w.ana.post('/app/claims', form)]);
    expect([first.status, second.status]).toEqual([303, 303]);
    const stored = await claimsOf(h.db, w.acme, client.id);
    expect(stored).toHaveLength(1);
    expect(await (await w.ana.get('/app/claims')).text()).toContain(`Creamos el reclamo #${stored[0]!.id}.`);
    // Sent again later, by another user, or saying something else, it is a new claim under the rule.
    const colleague = await loggedIn(h, w.acme, await addStaff(h, w.acme, { role: 'advisor', name: 'Beto Asesor' }));
    const byColleague = await colleague.post('/app/claims', form);
    expect(byColleague.status).toBe(422);
    expect(await byColleague.text()).toContain('ya tiene un reclamo abierto de esta categoría');
    const otherOrders = await w.ana.post('/app/claims', { ...form, orderIds: [orders[1].id].map(String) });
    expect(otherOrders.status).toBe(422);
    h.clock.advance(11 * 60_000);
    expect((await w.ana.post('/app/claims', form)).status).toBe(422);
    expect(await claimsOf(h.db, w.acme, client.id)).toHaveLength(1);
  });

  it('counts a line break as one character, as the text box does, and stores it so', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const lines = Array.from({ length: 10 }, () => 'x'.repeat(399)).join('\r\n');
    expect(lines.replaceAll('\r\n', '\n')).toHaveLength(3999);
    const id = await open(w, client.id, [orders[0].id], 'problemas_pago', lines);
    expect((await claimById(w.acme, id)).description).toBe(lines.replaceAll('\r\n', '\n'));
    const tooLong = await w.ana.post('/app/claims', { clientId: client.id, orderIds: [orders[1].id].map(String), category: 'errores_facturacion', description: `${lines}\r\nxx` });
    expect(tooLong.status).toBe(422);
    expect(await tooLong.text()).toContain('escribe hasta 4000 caracteres');
  });

  it('shows every missing field, keeps what was typed and opens nothing', async () => {
    const w = await world();
    const { client } = await debtor(h, w.acme);
    const response = await w.ana.post('/app/claims', { clientId: client.id, category: 'nada', description: '', comments: 'Llamó el martes' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Elige la categoría del reclamo.');
    expect(html).toContain('Marca al menos una orden de pago del cliente.');
    expect(html).toContain('Describe el reclamo.');
    expect(html).toContain('Llamó el martes');
    expect(await claimsOf(h.db, w.acme, client.id)).toHaveLength(0);
  });

  it('finds the client by name with a plain GET search and lists only that client’s orders', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme, { name: 'Rosa Huamán' });
    const neighbour = await debtor(h, w.acme, { name: 'Pedro Salas' });
    const search = await (await w.ana.get('/app/claims/new?clientQ=huam')).text();
    expect(search).toContain(`href="/app/claims/new?clientId=${client.id}"`);
    expect(search).not.toContain('Pedro Salas');
    expect(await (await w.ana.get('/app/claims/new?clientQ=huaman%20ros')).text()).toContain(`href="/app/claims/new?clientId=${client.id}"`);
    const form = await (await w.ana.get(`/app/claims/new?clientId=${client.id}`)).text();
    expect(form).toContain(orders[0].paymentCode);
    expect(form).toContain(orders[1].paymentCode);
    expect(form).not.toContain(neighbour.orders[0].paymentCode);
    const fragment = await (await w.ana.get('/app/claims/new?clientQ=huam', { htmx: true })).text();
    expect(fragment.startsWith('<div id="client-picker"')).toBe(true);
    // The count goes to the live region beside the picker, for screen readers.
    expect(fragment).toContain('<p id="picker-status" class="visually-hidden" role="status" hx-swap-oob="innerHTML">1 resultado</p>');
  });
});

describe('closing and reopening', () => {
  it('closing the last open claim returns the client to its delinquency situation and records the time to resolve', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    h.clock.set('2026-03-10T15:00:00Z');
    const first = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const second = await open(w, client.id, [orders[1].id], 'problemas_pago');
    h.clock.set('2026-03-12T18:30:00Z');
    try {
      w.ana = await loggedIn(h, w.acme, w.advisor);
      expect((await w.ana.post(`/app/claims/${first}/closure`)).status).toBe(303);
      expect(situationOf(await clientRow(h, w.acme, client.id), todayIn(w.acme.timezone, h.clock))).toBe('con_reclamo');
      expect((await w.ana.post(`/app/claims/${second}/closure`, { back: `/app/claims/${second}` })).status).toBe(303);
      const stored = await clientRow(h, w.acme, client.id);
      expect(stored.openClaims).toBe(0);
      expect(stored.openClaimCategories).toEqual([]);
      expect(situationOf(stored, todayIn(w.acme.timezone, h.clock))).toBe('mora_31_60');
      const closed = await claimById(w.acme, first);
      expect(closed.state).toBe('cerrado');
      expect(closed.resolutionSeconds).toBe(2 * 86_400 + 3.5 * 3600);
      expect(closed.closedById).toBe(w.advisor.id);
      const page = await (await w.ana.get(`/app/claims/${first}`)).text();
      expect(page).toContain('2 d 3 h');
      const closedTray = await (await w.ana.get('/app/claims?state=cerrado')).text();
      expect(closedTray).toContain(`#${first}`);
      expect(closedTray).toContain('2 d 3 h');
      const types = (await h.db.select().from(clientEvents).where(eq(clientEvents.clientId, client.id))).map((e) => e.type);
      expect(types).toEqual(['claim.opened', 'claim.opened', 'claim.closed', 'claim.closed']);
      expect((await w.ana.post(`/app/claims/${first}/closure`)).status).toBe(303);
      expect((await claimById(w.acme, first)).resolutionSeconds).toBe(2 * 86_400 + 3.5 * 3600);
    } finally {
      h.clock.set('2026-03-10T15:00:00Z');
    }
  });

  it('reopening a closed claim obeys the same two-open rule', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const a = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    await w.ana.post(`/app/claims/${a}/closure`);
    const b = await open(w, client.id, [orders[0].id], 'problemas_pago');
    const c = await open(w, client.id, [orders[1].id], 'problemas_producto');
    const before = await claimsFootprint(h.db, w.acme);

    const refused = await w.ana.post(`/app/claims/${a}/reopening`);
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('No se puede reabrir: este cliente ya tiene dos reclamos abiertos');
    expect(html).toContain(`#${b} Problemas con el pago`);
    expect(html).toContain(`#${c} Problemas con producto/servicio`);
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);

    await w.ana.post(`/app/claims/${c}/closure`);
    const reopened = await w.ana.post(`/app/claims/${a}/reopening`);
    expect(reopened.status).toBe(303);
    expect((await claimById(w.acme, a)).state).toBe('abierto');
    expect((await clientRow(h, w.acme, client.id)).openClaimCategories).toEqual(['errores_facturacion', 'problemas_pago']);

    await w.ana.post(`/app/claims/${b}/closure`);
    const d = await open(w, client.id, [orders[1].id], 'problemas_pago');
    const sameCategory = await w.ana.post(`/app/claims/${b}/reopening`);
    expect(sameCategory.status).toBe(422);
    expect(await sameCategory.text()).toContain(`ya tiene un reclamo abierto de esta categoría (#${d} Problemas con el pago)`);
  });

  it("does not reopen a deleted client's claim, nor take a client number past what a number holds", async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const a = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    await w.ana.post(`/app/claims/${a}/closure`);
    await h.db.update(clients).set({ deletedAt: new Date() }).where(and(eq(clients.tenantId, w.acme.id), eq(clients.id, client.id)));
    const refused = await w.ana.post(`/app/claims/${a}/reopening`);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('el cliente fue eliminado');
    expect((await claimById(w.acme, a)).state).toBe('cerrado');
    const huge = await w.ana.post('/app/claims', { clientId: '99999999999999999999', category: 'problemas_pago', orderIds: [String(orders[0].id)], description: 'x' });
    expect(huge.status).toBe(422);
    expect(await huge.text()).toContain('Elige el cliente del reclamo');
  });
});

describe('editing', () => {
  it('records every change in the history: who, when, before and after', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion', 'Cobro duplicado');
    h.clock.advance(3600_000);
    const response = await w.ana.post(`/app/claims/${id}`, {
      category: 'problemas_pago',
      orderIds: [orders[0].id, orders[1].id].map(String),
      description: 'Cobro duplicado en dos cuotas',
      comments: 'Pidió respuesta por correo',
    });
    expect(response.status).toBe(303);
    const history = await h.db
      .select()
      .from(claimEvents)
      .where(and(eq(claimEvents.tenantId, w.acme.id), eq(claimEvents.claimId, id), eq(claimEvents.occurredAt, h.clock.now())));
    const byField = Object.fromEntries(history.map((e) => [e.field, e]));
    expect(byField.category).toMatchObject({ before: 'errores_facturacion', after: 'problemas_pago', actorId: w.advisor.id });
    expect(byField.orders).toMatchObject({ before: [orders[0].paymentCode], after: [orders[0].paymentCode, orders[1].paymentCode].sort() });
    expect(byField.description).toMatchObject({ before: 'Cobro duplicado', after: 'Cobro duplicado en dos cuotas' });
    expect(byField.comments).toMatchObject({ before: null, after: 'Pidió respuesta por correo' });
    expect((await clientRow(h, w.acme, client.id)).openClaimCategories).toEqual(['problemas_pago']);
    const page = await (await w.ana.get(`/app/claims/${id}`)).text();
    expect(page).toContain('Ana Asesora');
    expect(page).toContain('Errores de facturación → Problemas con el pago');
    const types = (await h.db.select().from(clientEvents).where(eq(clientEvents.clientId, client.id))).map((e) => e.type);
    expect(types).toContain('claim.updated');
    // Interacciones says what the edit changed.
    const interactions = await (await w.ana.get(`/app/clients/${client.id}/interactions`)).text();
    expect(interactions).toContain('Cambió: Categoría, Órdenes de pago, Descripción, Comentarios internos');
  });

  it('an open claim cannot take the category of the client’s other open claim', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const first = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const second = await open(w, client.id, [orders[1].id], 'problemas_pago');
    const before = await claimsFootprint(h.db, w.acme);
    const response = await w.ana.post(`/app/claims/${second}`, { category: 'errores_facturacion', orderIds: [orders[1].id].map(String), description: 'x' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain(`(#${first} Errores de facturación)`);
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);
  });

  it('a closed claim can still change its category, description and orders, but nothing else', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion', 'Cobro duplicado');
    await w.ana.post(`/app/claims/${id}`, { category: 'errores_facturacion', orderIds: [orders[0].id].map(String), description: 'Cobro duplicado', comments: 'Nota interna' });
    await w.ana.post(`/app/claims/${id}/closure`);

    const form = await (await w.ana.get(`/app/claims/${id}/edit`)).text();
    expect(form).toContain('Este reclamo está cerrado');
    expect(form).not.toContain('name="comments"');

    const before = await claimsFootprint(h.db, w.acme);
    const refused = await w.ana.post(`/app/claims/${id}`, { category: 'problemas_pago', orderIds: [orders[1].id].map(String), description: 'Otra', comments: 'Cambiada' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Un reclamo cerrado solo admite cambios en la categoría, la descripción y las órdenes de pago.');
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);

    const allowed = await w.ana.post(`/app/claims/${id}`, { category: 'problemas_pago', orderIds: [orders[1].id].map(String), description: 'Pago no aplicado' });
    expect(allowed.status).toBe(303);
    const claim = await claimById(w.acme, id);
    expect(claim).toMatchObject({ state: 'cerrado', category: 'problemas_pago', description: 'Pago no aplicado', comments: 'Nota interna' });
    expect((await clientRow(h, w.acme, client.id)).openClaims).toBe(0);
  });
});

describe('permissions', () => {
  it('a user with claims.edit but without receivables or clients.edit creates, edits and closes claims without seeing the client’s sensitive data', async () => {
    const acme = await newTenant(h);
    const user = await addStaff(h, acme, { role: 'advisor', revoke: ['receivables'] });
    const luis = await loggedIn(h, acme, user);
    const { client, orders } = await debtor(h, acme, { name: 'Rosa Huamán', documentNumber: '70112233', email: 'rosa@correo.pe', phone: '+51987654321' });
    const secrets = ['70112233', 'rosa@correo.pe', '+51987654321', '987654321', 'S/', '1,500.00', '1500.00'];
    const expectNoSecrets = (html: string) => {
      for (const secret of secrets) expect(html, secret).not.toContain(secret);
    };

    expect((await luis.get('/app/clients')).status).toBe(403);
    const search = await (await luis.get('/app/claims/new?clientQ=rosa')).text();
    expect(search).toContain('Rosa Huamán');
    expectNoSecrets(search);
    expect(await (await luis.get('/app/claims/new?clientQ=70112233')).text()).toContain('No encontramos clientes');
    const form = await (await luis.get(`/app/claims/new?clientId=${client.id}`)).text();
    expect(form).toContain(orders[0].paymentCode);
    expectNoSecrets(form);

    expect((await luis.post('/app/claims', { clientId: client.id, orderIds: [orders[0].id].map(String), category: 'problemas_pago', description: 'Pago no reconocido' })).status).toBe(303);
    const [claim] = await claimsOf(h.db, acme, client.id);
    const tray = await (await luis.get('/app/claims')).text();
    expect(tray).toContain('Rosa Huamán');
    expectNoSecrets(tray);
    // A document number finds nothing for someone who may not see it, in the tray and its download.
    expect(await (await luis.get('/app/claims?q=70112233')).text()).not.toContain('Rosa Huamán');
    expect(await (await luis.get('/app/claims?client=70112233')).text()).not.toContain('Rosa Huamán');
    const edit = await (await luis.get(`/app/claims/${claim!.id}/edit`)).text();
    expectNoSecrets(edit);
    expect((await luis.post(`/app/claims/${claim!.id}`, { category: 'problemas_pago', orderIds: [orders[0].id, orders[1].id].map(String), description: 'Pago no aplicado' })).status).toBe(303);
    expect((await luis.post(`/app/claims/${claim!.id}/closure`)).status).toBe(303);
    const page = await (await luis.get(`/app/claims/${claim!.id}`)).text();
    expectNoSecrets(page);
    expect(page).not.toContain(`/app/clients/${client.id}`);
    expect(await claimById(acme, claim!.id)).toMatchObject({ state: 'cerrado', description: 'Pago no aplicado' });
  });

  it('a user who may only view claims sees them but cannot create, edit, close or reopen, and nothing changes', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const openId = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const closedId = await open(w, client.id, [orders[1].id], 'problemas_pago');
    await w.ana.post(`/app/claims/${closedId}/closure`);
    const viewer = await loggedIn(h, w.acme, await addStaff(h, w.acme, { role: 'advisor', revoke: ['claims.edit'] }));
    const before = await claimsFootprint(h.db, w.acme);

    const tray = await viewer.get('/app/claims');
    expect(tray.status).toBe(200);
    const html = await tray.text();
    expect(html).toContain(`#${openId}`);
    expect(html).not.toContain('href="/app/claims/new"');
    expect(html).not.toContain('/closure');
    expect((await viewer.get(`/app/claims/${openId}`)).status).toBe(200);
    expect((await viewer.get('/app/claims/new')).status).toBe(403);
    expect((await viewer.get(`/app/claims/${openId}/edit`)).status).toBe(403);
    expect((await viewer.post('/app/claims', { clientId: client.id, orderIds: [orders[0].id].map(String), category: 'problemas_producto', description: 'x' })).status).toBe(403);
    expect((await viewer.post(`/app/claims/${openId}`, { category: 'problemas_producto', orderIds: [orders[0].id].map(String), description: 'x' })).status).toBe(403);
    expect((await viewer.post(`/app/claims/${openId}/closure`)).status).toBe(403);
    expect((await viewer.post(`/app/claims/${closedId}/reopening`)).status).toBe(403);
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);
  });

  it('a user without any claims permission cannot open the tray or a claim', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const outsider = await loggedIn(h, w.acme, await addStaff(h, w.acme, { role: 'advisor', revoke: ['claims.view', 'claims.edit'] }));
    const before = await claimsFootprint(h.db, w.acme);
    expect((await outsider.get('/app/claims')).status).toBe(403);
    expect((await outsider.get(`/app/claims/${id}`)).status).toBe(403);
    expect((await outsider.get(`/app/claims/${id}/row`)).status).toBe(403);
    expect((await outsider.post(`/app/claims/${id}/closure`)).status).toBe(403);
    expect(await (await outsider.get('/app')).text()).not.toContain('href="/app/claims"');
    expect(await claimsFootprint(h.db, w.acme)).toBe(before);
  });

  it('a user with claims.edit but not claims.view can still work the tray', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const editor = await loggedIn(h, w.acme, await addStaff(h, w.acme, { role: 'advisor', revoke: ['claims.view'] }));
    expect((await editor.get('/app/claims')).status).toBe(200);
    expect((await editor.post(`/app/claims/${id}/closure`)).status).toBe(303);
  });

  it('another tenant’s claim ids answer 404 on every route and nothing changes', async () => {
    const w = await world();
    const other = await newTenant(h);
    const { client, orders } = await debtor(h, other);
    const result = await openClaim(scopeFor(h, other, null), { clientId: client.id, orderIds: [orders[0].id], category: 'problemas_pago', description: 'Ajeno', comments: null });
    expect(result.ok).toBe(true);
    const id = (result as { claim: { id: number } }).claim.id;
    const before = await claimsFootprint(h.db, other);
    for (const path of [`/app/claims/${id}`, `/app/claims/${id}/edit`, `/app/claims/${id}/row`]) {
      expect((await w.ana.get(path)).status, path).toBe(404);
      expect((await w.ana.get(path, { htmx: true })).status, path).toBe(404);
    }
    expect((await w.ana.post(`/app/claims/${id}`, { category: 'errores_facturacion', orderIds: [orders[0].id].map(String), description: 'Cambiada' })).status).toBe(404);
    expect((await w.ana.post(`/app/claims/${id}/closure`)).status).toBe(404);
    expect((await w.ana.post(`/app/claims/${id}/reopening`)).status).toBe(404);
    expect((await w.ana.get(`/app/claims/new?clientId=${client.id}`)).status).toBe(200);
    expect(await (await w.ana.get(`/app/claims/new?clientId=${client.id}`)).text()).not.toContain(orders[0].paymentCode);
    expect(await (await w.ana.get(`/app/claims?state=todos&q=${id}`)).text()).not.toContain('Ajeno');
    expect(await claimsFootprint(h.db, other)).toBe(before);
  });
});

describe('the tray', () => {
  it('filters by state (open by default), category, client, dates, advisor, alerts and search, from the query string', async () => {
    const w = await world();
    const luisa = await addStaff(h, w.acme, { role: 'advisor', name: 'Luisa Ramos' });
    const rosa = await debtor(h, w.acme, { name: 'Rosa Huamán', advisorId: luisa.id, contactAlerts: ['No llamar de noche'] });
    const sara = await addStaff(h, w.acme, { role: 'supervisor', name: 'Sara Supervisora' });
    const pedro = await debtor(h, w.acme, { name: 'Pedro Salas', supervisorId: sara.id });
    h.clock.set('2026-03-01T15:00:00Z');
    const early = await open(w, rosa.client.id, [rosa.orders[0].id], 'errores_facturacion', 'Cobro duplicado');
    h.clock.set('2026-03-10T15:00:00Z');
    const late = await open(w, pedro.client.id, [pedro.orders[0].id], 'problemas_pago', 'Pago no aplicado');
    const closed = await open(w, pedro.client.id, [pedro.orders[1].id], 'problemas_producto', 'Producto defectuoso');
    await w.ana.post(`/app/claims/${closed}/closure`);

    const ids = async (query: string) => {
      const html = await (await w.ana.get(`/app/claims${query}`)).text();
      return [...html.matchAll(/<tr id="claim-(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
    };
    expect(await ids('')).toEqual([early, late]);
    expect(await ids('?state=cerrado')).toEqual([closed]);
    expect(await ids('?state=todos')).toEqual([early, late, closed]);
    expect(await ids('?state=todos&category=problemas_pago')).toEqual([late]);
    expect(await ids('?client=rosa')).toEqual([early]);
    // As the Clients tray: the start of the name's words, in any order and without accents.
    expect(await ids('?client=huaman%20ros')).toEqual([early]);
    expect(await ids(`?state=todos&clientId=${pedro.client.id}`)).toEqual([late, closed]);
    expect(await ids('?from=2026-03-05')).toEqual([late]);
    expect(await ids('?to=2026-03-05')).toEqual([early]);
    // A range typed the wrong way round is the range meant, and the form shows it so.
    expect(await ids('?from=2026-03-12&to=2026-03-05')).toEqual([late]);
    expect(await (await w.ana.get('/app/claims?from=2026-03-12&to=2026-03-05')).text()).toMatch(/name="from"[^>]*value="2026-03-05"/);
    expect(await ids(`?advisor=${luisa.id}`)).toEqual([early]);
    expect(await ids(`?supervisor=${sara.id}`)).toEqual([late]);
    expect(await ids(`?supervisor=${sara.id}&advisor=${luisa.id}`)).toEqual([]);
    expect(await ids('?alerts=yes')).toEqual([early]);
    expect(await ids('?alerts=no')).toEqual([late]);
    expect(await ids('?q=duplicado')).toEqual([early]);
    expect(await ids(`?q=${late}`)).toEqual([late]);
    // Staff who see documents find a claim by its client's document number, in either box.
    expect(await ids(`?state=todos&q=${pedro.client.documentNumber}`)).toEqual([late, closed]);
    expect(await ids(`?client=${rosa.client.documentNumber}`)).toEqual([early]);
    expect(await ids('?state=raro&category=otra&from=ayer&advisor=x&alerts=quizas&page=-3')).toEqual([early, late]);
    const tray = await (await w.ana.get('/app/claims')).text();
    expect(tray).toContain('No llamar de noche');
    expect(tray).toContain('hx-get="/app/claims"');
    expect(tray).toContain('hx-push-url="true"');
  });

  it('answers an htmx filter request with the results only, and pages through them', async () => {
    const w = await world();
    const created: number[] = [];
    for (let i = 0; i < 27; i++) {
      const { client, orders } = await debtor(h, w.acme, { name: `Cliente ${i}` });
      const result = await openClaim(scopeFor(h, w.acme, w.advisor), { clientId: client.id, orderIds: [orders[0].id], category: 'problemas_pago', description: `Reclamo ${i}`, comments: null });
      created.push((result as { claim: { id: number } }).claim.id);
    }
    const fragment = await w.ana.get('/app/claims?category=problemas_pago', { htmx: true });
    const html = await fragment.text();
    expect(html.startsWith('<div id="claims-results"')).toBe(true);
    expect(html).not.toContain('<html');
    expect(html).toContain('27 resultados');
    // The count goes, out of band, to the live region that stays on the page.
    expect(html).toContain('<p id="claims-status" class="visually-hidden" role="status" hx-swap-oob="innerHTML">27 resultados</p>');
    expect(html).toContain('href="/app/claims?category=problemas_pago&amp;page=2"');
    const second = await (await w.ana.get('/app/claims?category=problemas_pago&page=2')).text();
    expect([...second.matchAll(/<tr id="claim-(\d+)"/g)]).toHaveLength(2);
    // A page past the last (an old link) says where the results end, with a way back.
    const past = await (await w.ana.get('/app/claims?category=problemas_pago&page=9')).text();
    expect(past).toContain('Esta página no existe: los resultados llegan hasta la página 2.');
    expect(past).toContain('href="/app/claims?category=problemas_pago">Ir a la primera página');
    expect(past).toMatch(/<a id="page-previous" href="\/app\/claims\?category=problemas_pago&amp;page=2" rel="prev"/);
    const restore = await (await w.ana.get('/app/claims', { htmx: true, headers: { 'HX-History-Restore-Request': 'true' } })).text();
    expect(restore).toContain('<html');
  });

  it('edits a row inline with htmx: the row becomes its form, and saving or cancelling swaps it back', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion', 'Cobro duplicado');
    const tray = '/app/claims?category=errores_facturacion';
    const headers = { 'HX-Current-URL': `http://${w.acme.subdomain}.localhost${tray}` };

    const editor = await (await w.ana.get(`/app/claims/${id}/edit`, { htmx: true, headers })).text();
    expect(editor.startsWith(`<tr id="claim-${id}" class="claim-editing"`)).toBe(true);
    expect(editor).toContain(`hx-post="/app/claims/${id}"`);
    expect(editor).toContain(`value="${tray.replace('?', '?').replace(/&/g, '&amp;')}"`);

    const invalid = await w.ana.post(`/app/claims/${id}`, { category: 'errores_facturacion', orderIds: [], description: 'Cobro duplicado', back: tray }, { htmx: true });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain('Marca al menos una orden de pago del cliente.');

    const saved = await w.ana.post(`/app/claims/${id}`, { category: 'problemas_pago', orderIds: [orders[0].id].map(String), description: 'Cobro duplicado', back: tray }, { htmx: true });
    expect(saved.status).toBe(200);
    const row = await saved.text();
    expect(row.startsWith(`<tr id="claim-${id}">`)).toBe(true);
    expect(row).toContain('Problemas con el pago');

    const closedRow = await (await w.ana.post(`/app/claims/${id}/closure`, { back: tray }, { htmx: true })).text();
    expect(closedRow).toContain('Cerrado');
    expect(closedRow).toContain(`/app/claims/${id}/reopening`);
    const cancelled = await (await w.ana.get(`/app/claims/${id}/row`, { htmx: true, headers })).text();
    expect(cancelled.startsWith(`<tr id="claim-${id}">`)).toBe(true);
  });

  it('without javascript, editing goes through its own page and returns to the filtered tray', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const id = await open(w, client.id, [orders[0].id], 'errores_facturacion', 'Cobro duplicado');
    const tray = '/app/claims?category=errores_facturacion';
    const page = await (await w.ana.get(`/app/claims/${id}/edit?back=${encodeURIComponent(tray)}`)).text();
    expect(page).toContain('<html');
    expect(page).toContain('Editar reclamo');
    const saved = await w.ana.post(`/app/claims/${id}`, { category: 'errores_facturacion', orderIds: [orders[1].id].map(String), description: 'Cobro duplicado', back: tray });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('Location')).toBe(tray);
    const evil = await w.ana.post(`/app/claims/${id}/closure`, { back: 'https://evil.example/app/claims' });
    expect(evil.headers.get('Location')).toBe('/app/claims');
  });
});

describe('claims for other features', () => {
  it('lists a client’s claims for the client page, open ones first', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    const first = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    await w.ana.post(`/app/claims/${first}/closure`);
    const second = await open(w, client.id, [orders[1].id], 'problemas_pago');
    const rows = await listClientClaims(h.db, w.acme.id, client.id);
    expect(rows.map((r) => r.id)).toEqual([second, first]);
  });

  it('segments clients by open claims, optionally of one category', async () => {
    const w = await world();
    const rosa = await debtor(h, w.acme);
    const pedro = await debtor(h, w.acme);
    await debtor(h, w.acme);
    await open(w, rosa.client.id, [rosa.orders[0].id], 'errores_facturacion');
    const closed = await open(w, pedro.client.id, [pedro.orders[0].id], 'errores_facturacion');
    await open(w, pedro.client.id, [pedro.orders[1].id], 'problemas_pago');
    await w.ana.post(`/app/claims/${closed}/closure`);
    const segment = async (category?: 'errores_facturacion' | 'problemas_pago') =>
      (await h.db.select({ id: clients.id }).from(clients).where(clientsWithOpenClaims(w.acme.id, category))).map((c) => c.id).sort((a, b) => a - b);
    expect(await segment()).toEqual([rosa.client.id, pedro.client.id].sort((a, b) => a - b));
    expect(await segment('errores_facturacion')).toEqual([rosa.client.id]);
    expect(await segment('problemas_pago')).toEqual([pedro.client.id]);
  });

  it('reads the download in batches with the tray’s filters', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme, { name: 'Rosa Huamán' });
    const a = await open(w, client.id, [orders[0].id], 'errores_facturacion');
    const b = await open(w, client.id, [orders[1].id], 'problemas_pago');
    // Newest first, as the tray lists them.
    const first = await listClaimsForExport(h.db, w.acme.id, { state: 'abierto' }, { limit: 1 });
    const rest = await listClaimsForExport(h.db, w.acme.id, { state: 'abierto' }, { beforeId: first[0]!.id, limit: 10 });
    expect([...first, ...rest].map((r) => r.id)).toEqual([b, a]);
    const t = translator('es');
    const cells = Object.fromEntries(claimColumns.map((col) => [col.key, col.value(rest[0]!, t, 'America/Lima')]));
    expect(cells).toMatchObject({ id: a, client: 'Rosa Huamán', category: 'Errores de facturación', state: 'Abierto', orders: orders[0].paymentCode, closedAt: null, resolutionMinutes: null });
    // Opened at the harness's clock, written as the tenant reads it (Lima is UTC−5), to the minute.
    expect(cells.createdAt).toBe(new Date(rest[0]!.createdAt.getTime() - 5 * 3_600_000).toISOString().slice(0, 16).replace('T', ' '));
    // Closed and reopened: open again, it has no time to resolve (the tray shows "—").
    await w.ana.post(`/app/claims/${a}/closure`);
    await w.ana.post(`/app/claims/${a}/reopening`);
    const [reopened] = await listClaimsForExport(h.db, w.acme.id, { state: 'abierto' }, { beforeId: b, limit: 1 });
    expect(reopened!.id).toBe(a);
    expect(claimColumns.find((c) => c.key === 'resolutionMinutes')!.value(reopened!, t, 'America/Lima')).toBeNull();
  });
});

describe('the database keeps the two-open rule by itself', () => {
  it('refuses a third open claim, a repeated slot or a repeated open category even when a writer skips the service', async () => {
    const w = await world();
    const { client, orders } = await debtor(h, w.acme);
    await open(w, client.id, [orders[0].id], 'errores_facturacion');
    await open(w, client.id, [orders[1].id], 'problemas_pago');
    const insert = (category: string, slot: number | null) =>
      h.database
        .query(`insert into claims (tenant_id, client_id, category, state, open_slot, description) values ($1, $2, $3, 'abierto', $4, 'x')`, [w.acme.id, client.id, category, slot])
        .then(
          () => 'inserted',
          (error) => pgError(error)?.code,
        );
    expect(await insert('problemas_producto', 3)).toBe('23514');
    expect(await insert('problemas_producto', null)).toBe('23514');
    expect(await insert('problemas_producto', 1)).toBe('23505');
    expect(await insert('errores_facturacion', 2)).toBe('23505');
    expect(await claimsOf(h.db, w.acme, client.id)).toHaveLength(2);
  });
});
