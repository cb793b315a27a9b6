import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { registerPayment, verifyPayment } from '../../src/payments/service.js';
import { clientRow, newClient, newOrder, ordersOf, scopeFor } from '../payments/support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

const form = { paymentCode: 'OP-001', product: 'Crédito vehicular', amount: '1.234,50', interest: '10', discounts: '', issueDate: '2026-01-05', dueDate: '2026-02-05' };

async function setup() {
  const acme = await newTenant(h);
  const supervisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
  const client = await newClient(h, acme, { name: 'Rosa Quispe Mamani' });
  return { acme, supervisor, client };
}

describe('Órdenes de pago', () => {
  it('in English, days stay day-first as the tenant writes them', async () => {
    const { acme, client } = await setup();
    await newOrder(h, acme, client.id, { paymentCode: 'EN-1', dueDate: '2026-02-05' });
    const english = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor', language: 'en' }));
    const page = await (await english.get(`/app/orders?client=${client.id}`)).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('05/02/2026');
    expect(page).not.toContain('02/05/2026');
  });

  it('creates an order in minor units and the client becomes overdue with its balance', async () => {
    const { acme, supervisor, client } = await setup();
    const response = await supervisor.post('/app/orders', { ...form, clientId: client.id });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`/app/clients/${client.id}/statement`);
    const [order] = await ordersOf(h, acme, client.id);
    expect(order).toMatchObject({ amount: 123450, interest: 1000, discounts: 0, balance: 124450, product: 'Crédito vehicular' });
    const stored = await clientRow(h, acme, client.id);
    expect(stored).toMatchObject({ unpaidOrders: 1, oldestUnpaidDueDate: '2026-02-05', totalBalance: 124450 });
  });

  it.each([
    ['a non-numeric amount', { amount: 'mil soles' }, 'Escribe un monto'],
    ['a negative amount', { amount: '-5' }, 'no puede ser negativo'],
    ['too many decimals', { amount: '12.3456' }, 'más decimales'],
    ['a due date before the issue date', { dueDate: '2026-01-01' }, 'no puede ser anterior a la fecha de emisión'],
    ['no payment code', { paymentCode: '  ' }, 'Este campo es obligatorio'],
    ['discounts above the amount plus interest', { amount: '100', interest: '10', discounts: '110.01' }, 'Los descuentos no pueden ser mayores'],
    ['an amount of 0,001 (a leading 0 never groups thousands)', { amount: '0,001' }, 'más decimales'],
    ['an amount of 0', { amount: '0' }, 'El monto debe ser mayor que cero.'],
    ['an amount that reads two ways a thousand times apart', { amount: '1.500' }, 'No sabemos si el punto separa miles o decimales'],
    ['an amount of eleven digits before the decimals', { amount: '10000000000' }, 'como máximo 10 cifras antes de los decimales'],
    ['interest past what a number holds exactly', { interest: '90071992547409.92' }, 'como máximo 10 cifras antes de los decimales'],
    ['a year typed wrong', { issueDate: '01/01/1900', dueDate: '02/01/1900' }, 'Revisa el año: la fecha debe estar entre 1950 y 2199.'],
  ])('refuses %s, keeps the values and changes nothing', async (_, change, message) => {
    const { acme, supervisor, client } = await setup();
    const response = await supervisor.post('/app/orders', { ...form, ...change, clientId: client.id });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain(message);
    expect(html).toContain('value="Crédito vehicular"');
    expect(await ordersOf(h, acme, client.id)).toHaveLength(0);
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(0);
  });

  it('names each field in the summary of what to fix', async () => {
    const { supervisor, client } = await setup();
    const response = await supervisor.post('/app/orders', { ...form, paymentCode: '', amount: '', clientId: client.id });
    expect(response.status).toBe(422);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(await response.text())?.[0] ?? '';
    expect(summary).toContain('Código de pago: Este campo es obligatorio.');
    expect(summary).toContain('Monto: Este campo es obligatorio.');
  });

  it('says what is wrong with an amount: marks in the wrong places are no number, more decimals than the currency has are decimals', async () => {
    const { supervisor, client } = await setup();
    const said = async (amount: string) => {
      const response = await supervisor.post('/app/orders', { ...form, amount, clientId: client.id });
      expect(response.status, amount).toBe(422);
      return /<div class="error-summary"[\s\S]*?<\/div>/.exec(await response.text())?.[0] ?? '';
    };
    for (const amount of ['12,34,567', '1.5.0', '1+1', '=10+5', '75%']) expect(await said(amount), amount).toContain('Monto: Escribe un monto, por ejemplo 1234.50.');
    for (const amount of ['1.2345', '1,234.567']) expect(await said(amount), amount).toContain('Monto: El monto tiene más decimales de los que admite la moneda.');
  });

  it('refuses a payment code already used in the tenant, but not one used by another tenant', async () => {
    const { acme, supervisor, client } = await setup();
    const other = await newTenant(h);
    await newOrder(h, other, (await newClient(h, other)).id, { paymentCode: 'OP-001' });
    expect((await supervisor.post('/app/orders', { ...form, clientId: client.id })).status).toBe(303);
    const again = await supervisor.post('/app/orders', { ...form, amount: '99', clientId: client.id });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('Ya existe una orden de pago con este código de pago.');
    // The same code in small letters is the same code: debtors type it either way.
    const lower = await supervisor.post('/app/orders', { ...form, paymentCode: ' op-001 ', amount: '99', clientId: client.id });
    expect(lower.status).toBe(422);
    expect(await lower.text()).toContain('Ya existe una orden de pago con este código de pago.');
    const orders = await ordersOf(h, acme, client.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.amount).toBe(123450);
    // A new code typed in small letters is kept in capitals.
    expect((await supervisor.post('/app/orders', { ...form, paymentCode: 'op-002', clientId: client.id })).status).toBe(303);
    expect((await ordersOf(h, acme, client.id)).map((o) => o.paymentCode).sort()).toEqual(['OP-001', 'OP-002']);
  });

  it('puts stored codes in capitals once, leaving a code whose capitals another order holds as it was', async () => {
    const { acme, client } = await setup();
    const kept = await newOrder(h, acme, client.id, { paymentCode: 'AB-1' });
    const clash = await newOrder(h, acme, client.id, { paymentCode: 'AB-1-TMP' });
    const lone = await newOrder(h, acme, client.id, { paymentCode: 'CD-2-TMP' });
    // Codes written before capitals were kept (the forms no longer write such codes).
    await h.database.query(`update payment_orders set payment_code = $1 where id = $2`, ['ab-1', clash.id]);
    await h.database.query(`update payment_orders set payment_code = $1 where id = $2`, ['cd-2', lone.id]);
    const { readFileSync } = await import('node:fs');
    const migration = readFileSync(new URL('../../migrations/0026_payment_codes_in_capitals.sql', import.meta.url), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint')) await h.database.exec(statement);
    const codes = new Map((await ordersOf(h, acme, client.id)).map((o) => [o.id, o.paymentCode]));
    expect(codes.get(kept.id)).toBe('AB-1');
    expect(codes.get(clash.id)).toBe('ab-1');
    expect(codes.get(lone.id)).toBe('CD-2');
  });

  it("refuses an order for another tenant's client or a deleted client", async () => {
    const { acme, supervisor } = await setup();
    const other = await newTenant(h);
    const foreign = await newClient(h, other);
    const deleted = await newClient(h, acme, { deletedAt: new Date('2026-03-01T00:00:00Z') });
    expect((await supervisor.post('/app/orders', { ...form, clientId: foreign.id })).status).toBe(404);
    expect((await supervisor.post('/app/orders', { ...form, clientId: deleted.id })).status).toBe(404);
    expect((await supervisor.get(`/app/orders/new?client=${foreign.id}`)).status).toBe(404);
    expect(await ordersOf(h, other, foreign.id)).toHaveLength(0);
    expect(await ordersOf(h, acme, deleted.id)).toHaveLength(0);
  });

  it('edits an order and recomputes the client; annulling it leaves the client finalizado', async () => {
    const { acme, supervisor, client } = await setup();
    const order = await newOrder(h, acme, client.id, { amount: 500_00, dueDate: '2026-02-01' });
    const edit = await supervisor.get(`/app/orders/${order.id}/edit`);
    expect(await edit.text()).toContain('value="500.00"');
    expect((await supervisor.post(`/app/orders/${order.id}`, { ...form, paymentCode: order.paymentCode, amount: '300' })).status).toBe(303);
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(310_00);
    expect((await supervisor.post(`/app/orders/${order.id}/annulment`)).status).toBe(303);
    const stored = await clientRow(h, acme, client.id);
    expect(stored).toMatchObject({ unpaidOrders: 0, oldestUnpaidDueDate: null, totalBalance: 0 });
    // An annulled order owes nothing: the tray and the statement show no balance for it.
    const rowOf = (page: string) => new RegExp(`<tr>(?:(?!</tr>)[\\s\\S])*?${order.paymentCode}(?:(?!</tr>)[\\s\\S])*</tr>`).exec(page)?.[0] ?? '';
    for (const path of ['/app/orders?status=anulada', `/app/clients/${client.id}/statement`]) {
      const row = rowOf(await (await supervisor.get(path)).text());
      expect(row, path).toContain('Anulada');
      expect(row, path).toContain('<td class="num">—</td>');
      expect(row, path).not.toContain('310.00');
    }

    // Editing an annulled order keeps it annulled; it counts again only when reactivated, after confirming.
    const annulledForm = await (await supervisor.get(`/app/orders/${order.id}/edit`)).text();
    expect(annulledForm).not.toContain('name="annulled"');
    expect(annulledForm).toContain('Esta orden está anulada');
    expect((await supervisor.post(`/app/orders/${order.id}`, { ...form, paymentCode: order.paymentCode, amount: '300', product: 'Tarjeta' })).status).toBe(303);
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(0);
    expect(annulledForm).toContain(`action="/app/orders/${order.id}/reactivation"`);
    expect((await supervisor.post(`/app/orders/${order.id}/reactivation`)).status).toBe(303);
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(310_00);

    // Each change is in the client's Interacciones, with what changed.
    const page = (await (await supervisor.get(`/app/clients/${client.id}/interactions`)).text()).replaceAll('\u00a0', ' ');
    const titles = [...page.matchAll(/<strong>([^<]+)<\/strong>/g)].map((m) => m[1]);
    expect(titles.slice(0, 4)).toEqual(['Orden de pago reactivada', 'Orden de pago editada', 'Orden de pago anulada', 'Orden de pago editada']);
    expect(page).toContain('<li>Monto: S/ 500.00 → S/ 300.00</li>');
    expect(page).toContain(`<li>Orden: ${order.paymentCode}</li>`);
    expect(page).toContain('<li>Producto: Crédito vehicular → Tarjeta</li>');
  });

  it('refuses editing an order below what was already paid on it', async () => {
    const { acme, supervisor, client } = await setup();
    const order = await newOrder(h, acme, client.id, { amount: 500_00, dueDate: '2026-02-01' });
    const paid = await registerPayment(scopeFor(h, acme), client.id, { amount: 200_00, paidOn: '2026-02-01', method: 'efectivo', reference: null, orders: [order.id] });
    await verifyPayment(scopeFor(h, acme), paid.ok ? paid.payment.id : 0);
    const below = await supervisor.post(`/app/orders/${order.id}`, { ...form, paymentCode: order.paymentCode, amount: '150', interest: '0' });
    expect(below.status).toBe(422);
    expect(await below.text()).toContain('no puede quedar por debajo de lo ya pagado');
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(300_00);
    expect((await supervisor.post(`/app/orders/${order.id}`, { ...form, paymentCode: order.paymentCode, amount: '200', interest: '0' })).status).toBe(303);
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(0);
  });

  it('an order holding a credit, once credits are switched off, still takes edits that do not lower it; none moves its issue after a payment', async () => {
    const { acme, supervisor, client } = await setup();
    const { tenantSettings } = await import('../../src/settings/schema.js');
    const { settingsOf } = await import('../../src/settings/queries.js');
    await settingsOf(h.db, acme.id);
    const { eq } = await import('drizzle-orm');
    await h.db.update(tenantSettings).set({ allowOverpayment: true }).where(eq(tenantSettings.tenantId, acme.id));
    const order = await newOrder(h, acme, client.id, { amount: 100_00, dueDate: '2026-02-01' });
    const paid = await registerPayment(scopeFor(h, acme), client.id, { amount: 150_00, paidOn: '2026-02-01', method: 'efectivo', reference: null, orders: [order.id] });
    expect(paid.ok).toBe(true);
    await verifyPayment(scopeFor(h, acme), paid.ok ? paid.payment.id : 0);
    await h.db.update(tenantSettings).set({ allowOverpayment: false }).where(eq(tenantSettings.tenantId, acme.id));
    const edit = { ...form, paymentCode: order.paymentCode, amount: '100', interest: '0', issueDate: '2026-01-05', dueDate: '2026-02-01' };
    expect((await supervisor.post(`/app/orders/${order.id}`, { ...edit, product: 'Tarjeta' })).status).toBe(303);
    const lower = await supervisor.post(`/app/orders/${order.id}`, { ...edit, amount: '90' });
    expect(lower.status).toBe(422);
    expect(await lower.text()).toContain('no puede quedar por debajo de lo ya pagado');
    const late = await supervisor.post(`/app/orders/${order.id}`, { ...edit, issueDate: '2026-02-02', dueDate: '2026-03-01' });
    expect(late.status).toBe(422);
    expect(await late.text()).toContain('La orden ya tiene un pago del 01/02/2026: su emisión no puede ser posterior.');
    expect((await supervisor.post(`/app/orders/${order.id}`, { ...edit, issueDate: '2026-02-01' })).status).toBe(303);
    // An order is never created annulled, whatever a crafted form sends: that is an action of its own.
    expect((await supervisor.post('/app/orders', { ...form, paymentCode: 'OP-NUEVA', annulled: 'on', clientId: client.id })).status).toBe(303);
    expect((await ordersOf(h, acme, client.id)).find((o) => o.paymentCode === 'OP-NUEVA')).toMatchObject({ annulled: false });
  });

  it('an advisor without clients.edit sees the tray but cannot create, edit or annul, and nothing changes', async () => {
    const { acme, client } = await setup();
    const order = await newOrder(h, acme, client.id);
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect((await advisor.get('/app/orders')).status).toBe(200);
    expect((await advisor.get(`/app/orders/new?client=${client.id}`)).status).toBe(403);
    expect((await advisor.post('/app/orders', { ...form, clientId: client.id })).status).toBe(403);
    expect((await advisor.post(`/app/orders/${order.id}`, { ...form, amount: '1' })).status).toBe(403);
    expect((await advisor.post(`/app/orders/${order.id}/annulment`)).status).toBe(403);
    const orders = await ordersOf(h, acme, client.id);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ amount: order.amount, annulled: false });
  });

  it('a user without receivables cannot open the tray', async () => {
    const { acme } = await setup();
    const nobody = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor', revoke: ['receivables'] }));
    expect((await nobody.get('/app/orders')).status).toBe(403);
  });

  it("answers 404 for another tenant's order on every route and changes nothing", async () => {
    const { supervisor } = await setup();
    const other = await newTenant(h);
    const foreignClient = await newClient(h, other);
    const foreign = await newOrder(h, other, foreignClient.id);
    expect((await supervisor.get(`/app/orders/${foreign.id}/edit`)).status).toBe(404);
    expect((await supervisor.post(`/app/orders/${foreign.id}`, { ...form, amount: '1' })).status).toBe(404);
    expect((await supervisor.post(`/app/orders/${foreign.id}/annulment`)).status).toBe(404);
    expect((await ordersOf(h, other, foreignClient.id))[0]).toMatchObject({ amount: foreign.amount, annulled: false });
  });

  it('names the client a statement narrowed the tray to, as a filter that can be taken off', async () => {
    const { acme, supervisor, client } = await setup();
    const other = await newClient(h, acme, { name: 'Luis González' });
    await newOrder(h, acme, client.id, { paymentCode: 'ROSA-1' });
    await newOrder(h, acme, other.id, { paymentCode: 'LUIS-1' });
    const narrowed = await (await supervisor.get(`/app/orders?client=${client.id}`)).text();
    expect(narrowed).toMatch(new RegExp(`<input type="checkbox" id="f-client" name="client" value="${client.id}" checked=""/><label for="f-client">Solo las órdenes de Rosa Quispe Mamani \\(DNI \\d+\\)</label>`));
    expect(narrowed).toContain('ROSA-1');
    expect(narrowed).not.toContain('LUIS-1');
    // Unticked, the form no longer sends it: another client's name finds that client's orders.
    const widened = await (await supervisor.get('/app/orders?q=gonzalez')).text();
    expect(widened).toContain('LUIS-1');
    expect(widened).not.toContain('f-client');
    expect(await (await supervisor.get('/app/orders?client=999999999')).text()).toContain('Solo las órdenes de un cliente que ya no existe');
  });

  it('filters the tray by the clients\' supervisor and advisor', async () => {
    const { acme, supervisor } = await setup();
    const sara = await addStaff(h, acme, { role: 'supervisor', name: 'Sara Supervisora' });
    const luis = await addStaff(h, acme, { role: 'advisor', name: 'Luis Asesor' });
    const rosa = await newClient(h, acme, { name: 'Rosa Asignada', supervisorId: sara.id, advisorId: luis.id });
    const jorge = await newClient(h, acme, { name: 'Jorge Solo', advisorId: luis.id });
    const nadie = await newClient(h, acme, { name: 'Nadie Asignado' });
    await newOrder(h, acme, rosa.id, { paymentCode: 'S-1' });
    await newOrder(h, acme, jorge.id, { paymentCode: 'A-1' });
    await newOrder(h, acme, nadie.id, { paymentCode: 'N-1' });
    const codes = async (query: string) => {
      const html = await (await supervisor.get(`/app/orders?${query}`, { htmx: true })).text();
      return ['S-1', 'A-1', 'N-1'].filter((c) => html.includes(`>${c}<`));
    };
    expect(await codes(`supervisor=${sara.id}`)).toEqual(['S-1']);
    expect(await codes(`advisor=${luis.id}`)).toEqual(['S-1', 'A-1']);
    expect(await codes(`advisor=${luis.id}&supervisor=${sara.id}`)).toEqual(['S-1']);
    expect(await codes('advisor=abc&supervisor=-1')).toEqual(['S-1', 'A-1', 'N-1']);
    const page = await (await supervisor.get(`/app/orders?advisor=${luis.id}`)).text();
    expect(page).toMatch(new RegExp(`<option value="${luis.id}" selected[^>]*>Luis Asesor</option>`));
    // Advisors supervise no one: the supervisor filter does not offer them.
    expect(page.slice(page.indexOf('name="supervisor"'), page.indexOf('name="advisor"'))).not.toContain('Luis Asesor');
  });

  it('filters the tray by client, product, status computed in the tenant timezone, due dates and amounts', async () => {
    const { acme, supervisor, client } = await setup();
    const other = await newClient(h, acme, { name: 'Jorge Huamán', documentNumber: '70112233' });
    await newOrder(h, acme, client.id, { paymentCode: 'A-VENC', product: 'Tarjeta', dueDate: '2026-03-09', amount: 50_00 });
    await newOrder(h, acme, client.id, { paymentCode: 'A-PEND', product: 'Tarjeta', dueDate: '2026-03-10', amount: 70_00 });
    await newOrder(h, acme, other.id, { paymentCode: 'B-VEH', product: 'Crédito vehicular', dueDate: '2026-04-01', amount: 900_00 });
    await newOrder(h, acme, other.id, { paymentCode: 'B-ANUL', product: 'Crédito vehicular', annulled: true });
    const codes = async (query: string) => {
      const html = await (await supervisor.get(`/app/orders?${query}`, { htmx: true })).text();
      return ['A-VENC', 'A-PEND', 'B-VEH', 'B-ANUL'].filter((c) => html.includes(`>${c}<`));
    };
    expect(await codes('status=vencida')).toEqual(['A-VENC']);
    expect(await codes('status=pendiente')).toEqual(['A-PEND', 'B-VEH']);
    expect(await codes('status=anulada')).toEqual(['B-ANUL']);
    expect(await codes('q=70112233')).toEqual(['B-VEH', 'B-ANUL']);
    expect(await codes('q=rosa')).toEqual(['A-VENC', 'A-PEND']);
    // Any word of the client's name, as the clients tray finds it.
    expect(await codes('q=mamani%20ros')).toEqual(['A-VENC', 'A-PEND']);
    expect(await codes('q=huaman')).toEqual(['B-VEH', 'B-ANUL']);
    // A code typed in small letters finds the code loaded in capitals.
    expect(await codes('q=B-VEH')).toEqual(['B-VEH']);
    expect(await codes('q=b-veh')).toEqual(['B-VEH']);
    expect(await codes(`product=${encodeURIComponent('Crédito vehicular')}&status=pendiente`)).toEqual(['B-VEH']);
    expect(await codes('dueFrom=2026-03-10&dueTo=2026-03-31')).toEqual(['A-PEND', 'B-ANUL']);
    expect(await codes('amountMin=60&amountMax=100')).toEqual(['A-PEND', 'B-ANUL']);
    // A range typed the wrong way round is the range meant, and the form without JavaScript shows it so.
    expect(await codes('amountMin=100&amountMax=60')).toEqual(['A-PEND', 'B-ANUL']);
    const swapped = await (await supervisor.get('/app/orders?amountMin=100&amountMax=60')).text();
    expect(swapped).toMatch(/name="amountMin"[^>]*value="60"/);
    expect(swapped).toMatch(/name="amountMax"[^>]*value="100"/);
    expect(await codes('dueFrom=2026-03-31&dueTo=2026-03-10')).toEqual(['A-PEND', 'B-ANUL']);
    // A page past the last says where the results end.
    const past = await (await supervisor.get('/app/orders?page=9')).text();
    expect(past).toContain('Esta página no existe: los resultados llegan hasta la página 1.');
    // "Anterior" leads to the last page there is, not to the empty page before this one.
    expect(past).toMatch(/<a id="page-previous" href="\/app\/orders" rel="prev"/);
    expect(await codes('status=nonsense&sort=bogus&page=-1')).toHaveLength(4);
    // A day typed as people write it filters too; a value that cannot be read is left out, and the page says so.
    expect(await codes('dueFrom=10/03/2026&dueTo=31/03/2026')).toEqual(['A-PEND', 'B-ANUL']);
    const unread = await (await supervisor.get('/app/orders?amountMin=1.500&dueTo=2026-13-45&amountMax=100', { htmx: true })).text();
    expect(unread).toContain('No se aplicó el filtro «Monto desde: 1.500».');
    expect(unread).toContain('No sabemos si el punto separa miles o decimales');
    expect(unread).toContain('No se aplicó el filtro «Vence hasta: 2026-13-45».');
    expect(['A-VENC', 'A-PEND', 'B-VEH', 'B-ANUL'].filter((c) => unread.includes(`>${c}<`))).toEqual(['A-VENC', 'A-PEND', 'B-ANUL']);
    expect(await (await supervisor.get('/app/orders?amountMin=-5')).text()).toContain('No se aplicó el filtro «Monto desde: -5». El monto no puede ser negativo.');
    const fragment = await (await supervisor.get('/app/orders?status=vencida', { htmx: true })).text();
    expect(fragment).not.toContain('<html');
  });
});
