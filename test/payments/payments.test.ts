import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payments, promises } from '../../src/payments/schema.js';
import { annulOrder, reactivateOrder } from '../../src/payment-orders/service.js';
import { recordBrokenPromises } from '../../src/payments/promises.js';
import { annulPayment, makePromise, registerPayment, rejectPayment, verifyPayment } from '../../src/payments/service.js';
import { tenantSettings } from '../../src/settings/schema.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { clientRow, eventsOf, newClient, newOrder, ordersOf, paymentsOf as paymentsOfClient, scopeFor } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ now: '2026-03-10T15:00:00Z' });
});
afterAll(() => h.close());

async function setup() {
  h.clock.set('2026-03-10T15:00:00Z');
  const acme = await newTenant(h);
  const staff = await addStaff(h, acme, { role: 'supervisor', name: 'Carla Ríos' });
  const supervisor = await loggedIn(h, acme, staff);
  const client = await newClient(h, acme, { name: 'Rosa Quispe' });
  const older = await newOrder(h, acme, client.id, { paymentCode: `OLD-${client.id}`, amount: 100_00, dueDate: '2026-02-01' });
  const newer = await newOrder(h, acme, client.id, { paymentCode: `NEW-${client.id}`, amount: 200_00, dueDate: '2026-04-01' });
  return { acme, staff, supervisor, client, older, newer };
}

const paymentsOf = (tenant: Tenant, clientId: number) => paymentsOfClient(h, tenant, clientId);

describe('Payments', () => {
  it('a registered payment awaits verification and changes no balance until it is verified', async () => {
    const { acme, supervisor, client, older, newer } = await setup();
    const response = await supervisor.post(`/app/clients/${client.id}/statement/payments`, {
      orders: [String(older.id), String(newer.id)],
      amount: '150',
      paidOn: '2026-03-10',
      method: 'transferencia',
      reference: 'OP-BCP-1',
    });
    expect(response.status).toBe(303);
    const [payment] = await paymentsOf(acme, client.id);
    expect(payment).toMatchObject({ state: 'por_verificar', amount: 150_00 });
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(300_00);

    expect((await supervisor.post(`/app/payments/${payment!.id}/verification`)).status).toBe(303);
    const [o1, o2] = await ordersOf(h, acme, client.id);
    // Oldest due first: the overdue order is paid in full, the rest goes to the next one.
    expect(o1).toMatchObject({ paid: 100_00, balance: 0 });
    expect(o2).toMatchObject({ paid: 50_00, balance: 150_00 });
    expect(await clientRow(h, acme, client.id)).toMatchObject({ totalBalance: 150_00, unpaidOrders: 1, oldestUnpaidDueDate: '2026-04-01' });
    // The client's "monto total OP" is its total overdue (SPEC 3, seed 000); the whole balance is "Saldo total", as in the tray.
    const totals = /<dl class="totals[\s\S]*?<\/dl>/.exec(await (await supervisor.get(`/app/clients/${client.id}/statement`)).text())![0];
    expect(totals).toMatch(/<dt>Saldo total<\/dt><dd data-total="balance">S\/\s?150\.00<\/dd>/);
    expect(totals).toMatch(/<dt>Monto total OP \(total vencido\)<\/dt><dd data-total="overdue">S\/\s?0\.00<\/dd>/);

    expect((await supervisor.post(`/app/payments/${payment!.id}/annulment`)).status).toBe(303);
    expect(await clientRow(h, acme, client.id)).toMatchObject({ totalBalance: 300_00, unpaidOrders: 2, oldestUnpaidDueDate: '2026-02-01' });
  });

  it('with one order owing, the fresh form has it ticked; with two, the staff choose', async () => {
    const { acme, supervisor, client } = await setup();
    const ticked = (html: string) => [...html.matchAll(/<input type="checkbox" id="f-orders-(\d+)" name="orders" value="\d+" checked=""/g)].map((m) => Number(m[1]));
    expect(ticked(await (await supervisor.get(`/app/clients/${client.id}/statement`)).text())).toEqual([]);
    const single = await newClient(h, acme, { name: 'Pedro Salas', documentNumber: '07000003' });
    const only = await newOrder(h, acme, single.id, { paymentCode: `ONE-${single.id}`, amount: 80_00 });
    expect(ticked(await (await supervisor.get(`/app/clients/${single.id}/statement`)).text())).toEqual([only.id]);
  });

  it('a rejected payment never reduces the balance and cannot be verified afterwards', async () => {
    const { acme, supervisor, client, older } = await setup();
    await supervisor.post(`/app/clients/${client.id}/statement/payments`, { orders: String(older.id), amount: '100', paidOn: '2026-03-10', method: 'efectivo' });
    const [payment] = await paymentsOf(acme, client.id);
    expect((await supervisor.post(`/app/payments/${payment!.id}/rejection`)).status).toBe(303);
    expect((await supervisor.post(`/app/payments/${payment!.id}/verification`)).status).toBe(303);
    const page = await (await supervisor.get(`/app/clients/${client.id}/statement`)).text();
    expect(page).toContain('El pago ya no admite ese cambio de estado.');
    expect((await paymentsOf(acme, client.id))[0]!.state).toBe('no_verificado');
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(300_00);
  });

  it('explicit amounts per order are kept and must add up to the payment', async () => {
    const { acme, supervisor, client, older, newer } = await setup();
    const bad = await supervisor.post(`/app/clients/${client.id}/statement/payments`, {
      orders: [String(older.id), String(newer.id)], [`alloc_${newer.id}`]: '30', amount: '50', paidOn: '2026-03-10', method: 'deposito',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('deben sumar el monto del pago');
    expect(await paymentsOf(acme, client.id)).toHaveLength(0);
    const ok = await supervisor.post(`/app/clients/${client.id}/statement/payments`, {
      orders: [String(older.id), String(newer.id)], [`alloc_${newer.id}`]: '50', amount: '50', paidOn: '2026-03-10', method: 'deposito',
    });
    expect(ok.status).toBe(303);
    const [payment] = await paymentsOf(acme, client.id);
    await verifyPayment(scopeFor(h, acme), payment!.id);
    const [o1, o2] = await ordersOf(h, acme, client.id);
    expect([o1!.paid, o2!.paid]).toEqual([0, 50_00]);
  });

  it('refuses a payment above what the orders owe unless the tenant allows overpayment, then shows a credit', async () => {
    const { acme, supervisor, client, older, newer } = await setup();
    const form = { orders: String(older.id), amount: '130', paidOn: '2026-03-10', method: 'transferencia' };
    const refused = await supervisor.post(`/app/clients/${client.id}/statement/payments`, form);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('El pago supera lo que deben las órdenes elegidas.');
    expect(await paymentsOf(acme, client.id)).toHaveLength(0);

    await h.db.update(tenantSettings).set({ allowOverpayment: true }).where(eq(tenantSettings.tenantId, acme.id));
    expect((await supervisor.post(`/app/clients/${client.id}/statement/payments`, form)).status).toBe(303);
    const [payment] = await paymentsOf(acme, client.id);
    await supervisor.post(`/app/payments/${payment!.id}/verification`);
    const [o1] = await ordersOf(h, acme, client.id);
    expect(o1).toMatchObject({ paid: 130_00, balance: -30_00 });
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(170_00);
    const page = await (await supervisor.get(`/app/clients/${client.id}/statement`)).text();
    expect(page).toMatch(/<span class="credit">Saldo a favor S\/\s30\.00<\/span>/);
    expect(await (await supervisor.get('/app/orders')).text()).toMatch(/<span class="credit">Saldo a favor S\/\s30\.00<\/span>/);
    // The whole client in credit: the totals say so in words, not with a minus sign.
    await supervisor.post(`/app/clients/${client.id}/statement/payments`, { orders: String(newer.id), amount: '200', paidOn: '2026-03-10', method: 'transferencia' });
    const [, second] = await paymentsOf(acme, client.id);
    await supervisor.post(`/app/payments/${second!.id}/verification`);
    expect((await clientRow(h, acme, client.id)).totalBalance).toBe(-30_00);
    const statement = await (await supervisor.get(`/app/clients/${client.id}/statement`)).text();
    expect(statement).toMatch(/data-total="balance"><span class="credit">Saldo a favor S\/\s30\.00<\/span>/);
    // Nowhere a minus sign: the product's subtotal says it in words too.
    expect(statement).not.toMatch(/-S\//);
    const tray = await (await supervisor.get(`/app/clients?q=${encodeURIComponent(client.documentNumber)}`)).text();
    expect(tray).toMatch(/<span class="credit">Saldo a favor S\/\s30\.00<\/span>/);
    expect(tray).not.toContain('-S/');
  });

  it('refuses verifying a payment that another verified payment has made excessive', async () => {
    const { acme, client, older } = await setup();
    const scope = scopeFor(h, acme);
    const first = await registerPayment(scope, client.id, { amount: 100_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [older.id] });
    const second = await registerPayment(scope, client.id, { amount: 100_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [older.id] });
    expect((await verifyPayment(scope, first.ok ? first.payment.id : 0)).ok).toBe(true);
    expect(await verifyPayment(scope, second.ok ? second.payment.id : 0)).toEqual({ ok: false, errors: { state: 'receivables.payments.exceedsBalance' } });
    expect((await ordersOf(h, acme, client.id))[0]!.paid).toBe(100_00);
  });

  it('refuses a payment dated after today in the tenant timezone', async () => {
    const { acme, client, older } = await setup();
    // 15:00 UTC on 10 March is 10:00 in Lima: the 11th is still tomorrow there.
    const scope = scopeFor(h, acme);
    expect(await registerPayment(scope, client.id, { amount: 10_00, paidOn: '2026-03-11', method: 'efectivo', reference: null, orders: [older.id] })).toEqual({ ok: false, errors: { paidOn: 'receivables.payments.paidInFuture' } });
    expect((await registerPayment(scope, client.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [older.id] })).ok).toBe(true);
  });

  it('refuses a payment dated before its order was issued, naming the order', async () => {
    const { supervisor, client, older } = await setup();
    const response = await supervisor.post(`/app/clients/${client.id}/statement/payments`, { orders: String(older.id), amount: '10', paidOn: '2025-12-31', method: 'efectivo' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain(`La fecha del pago es anterior a la emisión de la orden ${older.paymentCode} (01/01/2026).`);
  });

  it('says a payment was not registered when its orders were annulled while the form was open', async () => {
    const { acme, supervisor, client, older, newer } = await setup();
    for (const order of [older, newer]) expect((await annulOrder(scopeFor(h, acme), order.id)).ok).toBe(true);
    const response = await supervisor.post(`/app/clients/${client.id}/statement/payments`, { orders: String(older.id), amount: '10', paidOn: '2026-03-10', method: 'efectivo' });
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(page).toContain('El pago no se registró: las órdenes de pago elegidas ya no aceptan pagos.');
    expect(page).toContain('Elige órdenes de pago vigentes de este cliente.');
    expect(await paymentsOf(acme, client.id)).toEqual([]);
    // The refused form's address, opened again (a reload), leads back to the statement.
    for (const part of ['payments', 'promises']) {
      const again = await supervisor.get(`/app/clients/${client.id}/statement/${part}`);
      expect(again.status).toBe(303);
      expect(again.headers.get('Location')).toBe(`/app/clients/${client.id}/statement`);
    }
    const order = await supervisor.get(`/app/orders/${older.id}`);
    expect(order.status).toBe(303);
    expect(order.headers.get('Location')).toBe(`/app/clients/${client.id}/statement`);
  });

  it('weighs the issue dates of the orders the money goes to only', async () => {
    const { acme, client, older } = await setup();
    // Issued after the payment's day: the oldest-first split gives it nothing unless the money reaches it.
    const later = await newOrder(h, acme, client.id, { paymentCode: `LATER-${client.id}`, amount: 50_00, issueDate: '2026-03-20', dueDate: '2026-04-20' });
    const scope = scopeFor(h, acme);
    const pay = (amount: number) => registerPayment(scope, client.id, { amount, paidOn: '2026-03-10', method: 'transferencia', reference: null, orders: [older.id, later.id], source: 'portal' });
    expect((await pay(60_00)).ok).toBe(true);
    const reaching = await pay(60_00);
    expect(reaching).toMatchObject({ ok: false, errors: { paidOn: `receivables.payments.beforeIssue?code=LATER-${client.id}&date=20/03/2026` } });
  });

  it('gives the oldest-first money to the orders already issued that day, even when one issued later falls due first', async () => {
    const { acme, client, newer } = await setup();
    const early = await newOrder(h, acme, client.id, { paymentCode: `EARLY-${client.id}`, amount: 50_00, issueDate: '2026-03-12', dueDate: '2026-03-15' });
    const scope = scopeFor(h, acme);
    const paid = await registerPayment(scope, client.id, { amount: 1_00, paidOn: '2026-03-10', method: 'transferencia', reference: null, orders: [early.id, newer.id], source: 'portal' });
    expect(paid.ok).toBe(true);
    const { paymentAllocations } = await import('../../src/payments/schema.js');
    const split = await h.db.select().from(paymentAllocations).where(eq(paymentAllocations.paymentId, paid.ok ? paid.payment.id : 0));
    expect(split.map((a) => [a.orderId, a.amount])).toEqual([[newer.id, 1_00]]);
  });

  it('refuses verifying a payment whose order was annulled since, and it can still be rejected', async () => {
    const { acme, client, older } = await setup();
    const scope = scopeFor(h, acme);
    const made = await registerPayment(scope, client.id, { amount: 30_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [older.id] });
    const id = made.ok ? made.payment.id : 0;
    expect((await annulOrder(scope, older.id)).ok).toBe(true);
    expect(await verifyPayment(scope, id)).toEqual({ ok: false, errors: { state: 'receivables.payments.orderAnnulled' } });
    expect((await ordersOf(h, acme, client.id)).find((o) => o.id === older.id)!.paid).toBe(0);
    expect((await rejectPayment(scope, id)).ok).toBe(true);
  });

  it("refuses payments on another tenant's orders or on a deleted client's", async () => {
    const { acme, supervisor, client } = await setup();
    const other = await newTenant(h);
    const foreignClient = await newClient(h, other);
    const foreignOrder = await newOrder(h, other, foreignClient.id);
    const asForm = { orders: String(foreignOrder.id), amount: '10', paidOn: '2026-03-10', method: 'efectivo' };
    expect((await supervisor.post(`/app/clients/${client.id}/statement/payments`, asForm)).status).toBe(422);
    expect((await supervisor.post(`/app/clients/${foreignClient.id}/statement/payments`, asForm)).status).toBe(404);
    const gone = await newClient(h, acme);
    const goneOrder = await newOrder(h, acme, gone.id);
    const scope = scopeFor(h, acme);
    const pending = await registerPayment(scope, gone.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [goneOrder.id] });
    await h.db.execute(`update clients set deleted_at = now() where tenant_id = ${acme.id} and id = ${gone.id}` as never);
    expect(await registerPayment(scope, gone.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [goneOrder.id] })).toEqual({ ok: false, notFound: true });
    expect((await supervisor.post(`/app/payments/${pending.ok ? pending.payment.id : 0}/verification`)).status).toBe(404);
    expect(await paymentsOf(other, foreignClient.id)).toHaveLength(0);
    expect((await paymentsOf(acme, gone.id)).map((p) => p.state)).toEqual(['por_verificar']);
  });

  it('a payment or a promise sent twice from the same form (a double click, a slow network) is registered once', async () => {
    const { acme, supervisor, client, older } = await setup();
    const page = await (await supervisor.get(`/app/clients/${client.id}/statement`)).text();
    const onceOf = (action: string) => new RegExp(`action="${action}"[^>]*>(?:(?!</form>)[\\s\\S])*?name="_once" value="([0-9a-f-]{36})"`).exec(page)?.[1];
    const paymentOnce = onceOf(`/app/clients/${client.id}/statement/payments`);
    const promiseOnce = onceOf(`/app/clients/${client.id}/statement/promises`);
    expect(paymentOnce).toBeDefined();
    expect(promiseOnce).toBeDefined();
    const payment = { orders: String(older.id), amount: '40', paidOn: '2026-03-09', method: 'efectivo', _once: paymentOnce! };
    const sent = await Promise.all([supervisor.post(`/app/clients/${client.id}/statement/payments`, payment), supervisor.post(`/app/clients/${client.id}/statement/payments`, payment)]);
    expect(sent.map((r) => r.status)).toEqual([303, 303]);
    expect(await paymentsOf(acme, client.id)).toHaveLength(1);
    const promise = { promiseAmount: '20', promisedDate: '2026-03-12', _once: promiseOnce! };
    for (let i = 0; i < 2; i++) expect((await supervisor.post(`/app/clients/${client.id}/statement/promises`, promise)).status).toBe(303);
    expect(await h.db.select().from(promises).where(eq(promises.clientId, client.id))).toHaveLength(1);
    // A refused send gives the form back its name: corrected, it registers.
    const refused = { ...payment, amount: '999999', _once: (await (await supervisor.get(`/app/clients/${client.id}/statement`)).text()).match(/name="_once" value="([0-9a-f-]{36})"/)![1]! };
    expect((await supervisor.post(`/app/clients/${client.id}/statement/payments`, refused)).status).toBe(422);
    expect((await supervisor.post(`/app/clients/${client.id}/statement/payments`, { ...refused, amount: '10' })).status).toBe(303);
    expect(await paymentsOf(acme, client.id)).toHaveLength(2);
  });

  it('a promise cannot take the promises still pending above what the client owes', async () => {
    const { supervisor, client } = await setup();
    const promise = (amount: string, promisedDate: string) => supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: amount, promisedDate });
    expect((await promise('200', '2026-03-15')).status).toBe(303);
    const over = await promise('150', '2026-03-20');
    expect(over.status).toBe(422);
    expect(await over.text()).toContain('Con los compromisos que ya están pendientes');
    expect((await promise('100', '2026-03-20')).status).toBe(303);
    expect((await h.db.select().from(promises).where(eq(promises.clientId, client.id))).map((p) => p.amount).sort()).toEqual([100_00, 200_00]);
    // Once a promise's day has passed it no longer holds the debt.
    h.clock.set('2026-03-21T15:00:00Z');
    expect((await promise('300', '2026-03-25')).status).toBe(303);
  });

  it('records who did what for every payment state change', async () => {
    const { acme, staff, supervisor, client, older } = await setup();
    await supervisor.post(`/app/clients/${client.id}/statement/payments`, { orders: String(older.id), amount: '40', paidOn: '2026-03-09', method: 'yape_plin', reference: 'Y-9' });
    const [payment] = await paymentsOf(acme, client.id);
    await supervisor.post(`/app/payments/${payment!.id}/verification`);
    await supervisor.post(`/app/payments/${payment!.id}/annulment`);
    const events = (await eventsOf(h, acme, client.id)).filter((e) => e.type.startsWith('payment.'));
    expect(events.map((e) => e.type)).toEqual(['payment.registered', 'payment.verified', 'payment.annulled']);
    expect(events.every((e) => e.actorId === staff.id)).toBe(true);
    expect(events[0]!.data).toMatchObject({ amount: 40_00, from: null, to: 'por_verificar', orders: [{ orderId: older.id, amount: 40_00 }] });
    expect(events[2]!.data).toMatchObject({ from: 'verificado', to: 'anulado' });
    // Interacciones says what each was: the amount, the order it went to, the way, reference and day.
    const page = (await (await supervisor.get(`/app/clients/${client.id}/interactions`)).text()).replaceAll('\u00a0', ' ');
    for (const line of ['Monto: S/ 40.00', `Órdenes: ${older.paymentCode} (S/ 40.00)`, 'Medio: Yape / Plin', 'Referencia: Y-9', 'Fecha de pago: 09/03/2026']) {
      expect(page).toContain(`<li>${line}</li>`);
    }
  });

  it('an advisor without clients.edit sees the statement and records promises, but cannot register or verify payments', async () => {
    const { acme, client, older } = await setup();
    const pending = await registerPayment(scopeFor(h, acme), client.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [older.id] });
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    const page = await advisor.get(`/app/clients/${client.id}/statement`);
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('/verification');
    expect((await advisor.post(`/app/clients/${client.id}/statement/payments`, { orders: String(older.id), amount: '5', paidOn: '2026-03-10', method: 'efectivo' })).status).toBe(403);
    expect((await advisor.post(`/app/payments/${pending.ok ? pending.payment.id : 0}/verification`)).status).toBe(403);
    expect((await paymentsOf(acme, client.id)).map((p) => p.state)).toEqual(['por_verificar']);
    // What the debtor promised on the advisor's call, the advisor records.
    expect(await (await advisor.get(`/app/clients/${client.id}/statement`)).text()).toContain(`action="/app/clients/${client.id}/statement/promises"`);
    expect((await advisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '5', promisedDate: '2026-03-12' })).status).toBe(303);
    expect(await h.db.select().from(promises).where(eq(promises.tenantId, acme.id))).toMatchObject([{ amount: 5_00, promisedDate: '2026-03-12' }]);
    const nobody = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor', revoke: ['receivables'] }));
    expect((await nobody.get(`/app/clients/${client.id}/statement`)).status).toBe(403);
  });

  it("answers 404 for another tenant's client or payment on every statement route", async () => {
    const { supervisor } = await setup();
    const other = await newTenant(h);
    const foreignClient = await newClient(h, other);
    const order = await newOrder(h, other, foreignClient.id);
    const pending = await registerPayment(scopeFor(h, other), foreignClient.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [order.id] });
    const id = pending.ok ? pending.payment.id : 0;
    expect((await supervisor.get(`/app/clients/${foreignClient.id}/statement`)).status).toBe(404);
    expect((await supervisor.post(`/app/clients/${foreignClient.id}/statement/promises`, { promiseAmount: '5', promisedDate: '2026-03-12' })).status).toBe(404);
    for (const action of ['verification', 'rejection', 'annulment']) {
      expect((await supervisor.post(`/app/payments/${id}/${action}`)).status).toBe(404);
    }
    expect((await paymentsOf(other, foreignClient.id))[0]!.state).toBe('por_verificar');
  });
});

describe('Promises to pay', () => {
  it('refuses a promise dated before today or beyond the tenant limit, and a zero amount', async () => {
    const { acme, supervisor, client } = await setup();
    for (const [form, message] of [
      [{ promiseAmount: '50', promisedDate: '2026-03-09' }, 'entre hoy y los próximos 30 días'],
      [{ promiseAmount: '50', promisedDate: '2026-04-10' }, 'entre hoy y los próximos 30 días'],
      [{ promiseAmount: '0', promisedDate: '2026-03-12' }, 'mayor que cero'],
    ] as const) {
      const response = await supervisor.post(`/app/clients/${client.id}/statement/promises`, form);
      expect(response.status).toBe(422);
      expect(await response.text()).toContain(message);
    }
    expect(await h.db.select().from(promises).where(eq(promises.tenantId, acme.id))).toHaveLength(0);
    expect((await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '50', promisedDate: '2026-04-09' })).status).toBe(303);
  });

  it('is kept when a verified payment made since reaches the amount, recording the event', async () => {
    const { acme, staff, supervisor, client, older } = await setup();
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '40', promisedDate: '2026-03-12' });
    const scope = scopeFor(h, acme);
    h.clock.set('2026-03-11T20:00:00Z');
    const small = await registerPayment(scope, client.id, { amount: 30_00, paidOn: '2026-03-11', method: 'efectivo', reference: null, orders: [older.id] });
    const before = await registerPayment(scope, client.id, { amount: 60_00, paidOn: '2026-03-01', method: 'efectivo', reference: null, orders: [older.id] });
    await verifyPayment(scope, before.ok ? before.payment.id : 0);
    await verifyPayment(scope, small.ok ? small.payment.id : 0);
    let [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise!.keptOn).toBeNull();
    h.clock.set('2026-03-12T20:00:00Z');
    await supervisor.login(staff);
    const rest = await registerPayment(scope, client.id, { amount: 10_00, paidOn: '2026-03-12', method: 'efectivo', reference: null, orders: [older.id] });
    await supervisor.post(`/app/payments/${rest.ok ? rest.payment.id : 0}/verification`);
    [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise!.keptOn).toBe('2026-03-12');
    expect((await eventsOf(h, acme, client.id)).filter((e) => e.type.startsWith('promise.')).map((e) => e.type)).toEqual(['promise.made', 'promise.kept']);
    expect(await (await supervisor.get(`/app/clients/${client.id}/statement`)).text()).toContain('Cumplido');
  });

  it('uses each payment once: one payment keeps one promise, and money paid before a promise does not keep it', async () => {
    const { acme, staff, supervisor, client, older, newer } = await setup();
    // Owing more than every promise below adds up to, so that each may be made.
    await newOrder(h, acme, client.id, { paymentCode: `MORE-${client.id}`, amount: 1_000_00, dueDate: '2026-05-01' });
    const scope = scopeFor(h, acme);
    const on = async (instant: string) => {
      h.clock.set(instant);
      await supervisor.login(staff);
    };
    const paid = async (amount: number, paidOn: string) => {
      const made = await registerPayment(scope, client.id, { amount, paidOn, method: 'efectivo', reference: null, orders: [older.id, newer.id] });
      await verifyPayment(scope, made.ok ? made.payment.id : 0);
      return made.ok ? made.payment.id : 0;
    };
    const stateOf = async () =>
      (await h.db.select().from(promises).where(eq(promises.clientId, client.id)).orderBy(promises.id)).map((p) => (p.keptOn ? 'kept' : 'pending'));
    // Paid today before promising: the promise is for more money, not for this.
    await paid(100_00, '2026-03-10');
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '100', promisedDate: '2026-03-20' });
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '100', promisedDate: '2026-03-25' });
    expect(await stateOf()).toEqual(['pending', 'pending']);
    // One payment of 100 keeps the older promise only.
    await on('2026-03-11T20:00:00Z');
    const first = await paid(100_00, '2026-03-11');
    expect(await stateOf()).toEqual(['kept', 'pending']);
    // A promise made after that payment is not kept by it either.
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '50', promisedDate: '2026-03-26' });
    expect(await stateOf()).toEqual(['kept', 'pending', 'pending']);
    await on('2026-03-12T20:00:00Z');
    await paid(60_00, '2026-03-12');
    expect(await stateOf()).toEqual(['kept', 'pending', 'kept']);
    // Annulling the first payment hands its money back: the first promise is no longer kept.
    expect((await supervisor.post(`/app/payments/${first}/annulment`)).status).toBe(303);
    expect(await stateOf()).toEqual(['pending', 'pending', 'kept']);
    const events = await eventsOf(h, acme, client.id);
    expect(events.filter((e) => e.type === 'promise.kept')).toHaveLength(2);
    // Interacciones says so when it happens, not only when the day has passed.
    expect(events.filter((e) => e.type === 'promise.unkept').map((e) => e.data)).toMatchObject([{ amount: 100_00, promisedDate: '2026-03-20', from: 'kept', to: 'pending' }]);
  });

  it('a promise kept by a payment annulled after its day is broken then, recorded once', async () => {
    const { acme, staff, supervisor, client, older } = await setup();
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '40', promisedDate: '2026-03-12' });
    h.clock.set('2026-03-11T20:00:00Z');
    const scope = scopeFor(h, acme);
    const made = await registerPayment(scope, client.id, { amount: 40_00, paidOn: '2026-03-11', method: 'efectivo', reference: null, orders: [older.id] });
    await verifyPayment(scope, made.ok ? made.payment.id : 0);
    h.clock.set('2026-03-15T20:00:00Z');
    await supervisor.login(staff);
    expect((await supervisor.post(`/app/payments/${made.ok ? made.payment.id : 0}/annulment`)).status).toBe(303);
    const [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise!.keptOn).toBeNull();
    expect(await (await supervisor.get(`/app/clients/${client.id}/statement`)).text()).toContain('Incumplido');
    expect(await recordBrokenPromises(h.db, acme.id, '2026-03-15')).toBe(0);
    const types = (await eventsOf(h, acme, client.id)).filter((e) => e.type.startsWith('promise.'));
    expect(types.map((e) => e.type)).toEqual(['promise.made', 'promise.kept', 'promise.unkept']);
    expect(types[2]!.data).toMatchObject({ from: 'kept', to: 'broken' });
  });

  it('payments still to verify leave only the rest of the debt to promise', async () => {
    const { acme, supervisor, client, older, newer } = await setup();
    const scope = scopeFor(h, acme);
    expect((await registerPayment(scope, client.id, { amount: 250_00, paidOn: '2026-03-10', method: 'transferencia', reference: null, orders: [older.id, newer.id] })).ok).toBe(true);
    const over = await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '100', promisedDate: '2026-03-20' });
    expect(over.status).toBe(422);
    expect(await over.text()).toContain('Hay pagos por verificar');
    expect(await h.db.select().from(promises).where(eq(promises.clientId, client.id))).toHaveLength(0);
    expect((await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '50', promisedDate: '2026-03-20' })).status).toBe(303);
  });

  it('a tenant whose promises last one day is told "today or tomorrow", not "the next 1 days"', async () => {
    const { acme, staff, client } = await setup();
    const scope = scopeFor(h, acme, { id: staff.id, name: staff.name });
    const { settingsOf } = await import('../../src/settings/queries.js');
    await settingsOf(h.db, acme.id);
    await h.db.update(tenantSettings).set({ promiseMaxDays: 1 }).where(eq(tenantSettings.tenantId, acme.id));
    expect(await makePromise(scope, client.id, { amount: 10_00, promisedDate: '2026-03-12' })).toMatchObject({ ok: false, errors: { promisedDate: 'receivables.promises.dateRangeOne' } });
    expect((await makePromise(scope, client.id, { amount: 10_00, promisedDate: '2026-03-11' })).ok).toBe(true);
  });

  it('a promise kept by a payment stays kept when the client owes nothing and that payment is annulled', async () => {
    const { acme, staff, client, older, newer } = await setup();
    const scope = scopeFor(h, acme, { id: staff.id, name: staff.name });
    await annulOrder(scope, newer.id);
    expect((await makePromise(scope, client.id, { amount: 100_00, promisedDate: '2026-03-20' })).ok).toBe(true);
    h.clock.set('2026-03-11T15:00:00Z');
    const paid = await registerPayment(scope, client.id, { amount: 100_00, paidOn: '2026-03-11', method: 'efectivo', reference: null, orders: [older.id] });
    await verifyPayment(scope, paid.ok ? paid.payment.id : 0);
    await annulOrder(scope, older.id);
    await annulPayment(scope, paid.ok ? paid.payment.id : 0);
    const [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise).toMatchObject({ keptOn: '2026-03-11', keptBySettlement: true });
    expect((await eventsOf(h, acme, client.id)).map((e) => e.type)).not.toContain('promise.unkept');
    h.clock.set('2026-03-10T15:00:00Z');
  });

  it('a receipt on an annulled order, which can never be verified, does not hold back promises', async () => {
    const { acme, staff, client, older, newer } = await setup();
    const scope = scopeFor(h, acme, { id: staff.id, name: staff.name });
    expect((await registerPayment(scope, client.id, { amount: 100_00, paidOn: '2026-03-10', method: 'transferencia', reference: null, orders: [older.id] })).ok).toBe(true);
    await annulOrder(scope, older.id);
    // 200 owed on the other order, all of it promisable.
    expect((await makePromise(scope, client.id, { amount: 200_00, promisedDate: '2026-03-20' })).ok).toBe(true);
    expect(newer.id).toBeGreaterThan(0);
  });

  it('a client who comes to owe nothing keeps the promises still running, and they stay kept', async () => {
    const { acme, staff, supervisor, client, older, newer } = await setup();
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '100', promisedDate: '2026-03-20' });
    const scope = scopeFor(h, acme, { id: staff.id, name: staff.name });
    await annulOrder(scope, older.id);
    let [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise!.keptOn).toBeNull();
    await annulOrder(scope, newer.id);
    [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise).toMatchObject({ keptOn: '2026-03-10', keptBySettlement: true });
    // Owing again later (an order reactivated, a payment changing) does not undo it.
    await reactivateOrder(scope, newer.id);
    const made = await registerPayment(scope, client.id, { amount: 10_00, paidOn: '2026-03-10', method: 'efectivo', reference: null, orders: [newer.id] });
    await verifyPayment(scope, made.ok ? made.payment.id : 0);
    [promise] = await h.db.select().from(promises).where(eq(promises.clientId, client.id));
    expect(promise!.keptOn).toBe('2026-03-10');
    expect(await recordBrokenPromises(h.db, acme.id, '2026-03-25')).toBe(0);
    const kept = (await eventsOf(h, acme, client.id)).filter((e) => e.type.startsWith('promise.'));
    expect(kept.map((e) => e.type)).toEqual(['promise.made', 'promise.kept']);
    expect(kept[1]!.data).toMatchObject({ settled: true, amount: 100_00 });
    const page = await (await supervisor.get(`/app/clients/${client.id}/interactions`)).text();
    expect(page).toContain('El cliente ya no debe nada: sus órdenes están pagadas o anuladas.');
  });

  it('refuses a promise above what the client owes', async () => {
    const { acme, supervisor, client } = await setup();
    const response = await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '300.01', promisedDate: '2026-03-12' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('no puede ser mayor que la deuda pendiente');
    expect(await h.db.select().from(promises).where(eq(promises.tenantId, acme.id))).toHaveLength(0);
    expect((await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '300', promisedDate: '2026-03-12' })).status).toBe(303);
  });

  it('offers no promise for a client who owes nothing, and says why when one is sent', async () => {
    const { acme, supervisor } = await setup();
    const settled = await newClient(h, acme, { name: 'Luz Sin Deuda' });
    const page = await (await supervisor.get(`/app/clients/${settled.id}/statement`)).text();
    expect(page).not.toContain('id="make-promise"');
    const response = await supervisor.post(`/app/clients/${settled.id}/statement/promises`, { promiseAmount: '10', promisedDate: '2026-03-12' });
    expect(response.status).toBe(422);
    const refused = await response.text();
    expect(refused).toContain('El cliente no tiene deuda pendiente: no hay pago que prometer.');
    expect(refused).toContain('id="make-promise"');
    expect(await h.db.select().from(promises).where(eq(promises.clientId, settled.id))).toHaveLength(0);
  });

  it('is broken from the first minute of the day after its date in the tenant timezone, recorded once', async () => {
    const { acme, staff, supervisor, client } = await setup();
    await supervisor.post(`/app/clients/${client.id}/statement/promises`, { promiseAmount: '80', promisedDate: '2026-03-12' });
    // 23:59 on the promised date in Lima is 04:59 UTC the next day: still pending.
    h.clock.set('2026-03-13T04:59:00Z');
    await supervisor.login(staff);
    expect(await (await supervisor.get(`/app/clients/${client.id}/statement`)).text()).toMatch(/badge-warn">Pendiente/);
    expect(await recordBrokenPromises(h.db, acme.id, '2026-03-12')).toBe(0);
    h.clock.set('2026-03-13T05:01:00Z');
    expect(await (await supervisor.get(`/app/clients/${client.id}/statement`)).text()).toContain('Incumplido');
    expect(await recordBrokenPromises(h.db, acme.id, '2026-03-13')).toBe(1);
    expect(await recordBrokenPromises(h.db, acme.id, '2026-03-13')).toBe(0);
    expect(await recordBrokenPromises(h.db, acme.id, '2026-03-14')).toBe(0);
    const broken = (await eventsOf(h, acme, client.id)).filter((e) => e.type === 'promise.broken');
    expect(broken).toHaveLength(1);
    expect(broken[0]!.data).toMatchObject({ amount: 80_00, promisedDate: '2026-03-12' });
  });
});

describe('Pagos por verificar', () => {
  it('lists every payment still to verify, the longest waiting first, an advisor’s own clients by default; a verified one leaves', async () => {
    const acme = await newTenant(h);
    const luis = await addStaff(h, acme, { role: 'advisor', name: 'Luis Asesor' });
    const ana = await addStaff(h, acme, { role: 'advisor', name: 'Ana Asesora' });
    const his = await newClient(h, acme, { name: 'Rosa de Luis', advisorId: luis.id });
    const hers = await newClient(h, acme, { name: 'Pedro de Ana', advisorId: ana.id });
    const scope = scopeFor(h, acme);
    const pay = async (clientId: number, amount: number, source: 'portal' | 'staff', tenant: Tenant = acme) => {
      const order = await newOrder(h, tenant, clientId, { amount: 500_00 });
      const made = await registerPayment(scopeFor(h, tenant), clientId, { amount, paidOn: '2026-03-10', method: 'transferencia', reference: null, orders: [order.id], source });
      if (!made.ok) throw new Error(JSON.stringify(made));
      return made.payment;
    };
    const first = await pay(his.id, 12_50, 'portal');
    h.clock.advance(60_000);
    await pay(hers.id, 30_00, 'staff');
    h.clock.advance(-60_000);
    const other = await newTenant(h);
    await pay((await newClient(h, other, { name: 'Ajeno' })).id, 99_00, 'portal', other);

    const browser = await loggedIn(h, acme, luis);
    const mine = await (await browser.get('/app/payments-to-verify')).text();
    expect(mine).toContain('Pagos por verificar</a>');
    expect(mine).toContain('Rosa de Luis');
    expect(mine).toContain('enviado por el cliente');
    expect(mine).toContain(`href="/app/clients/${his.id}/statement#payments"`);
    expect(mine).not.toContain('Pedro de Ana');
    // Those who verify see everyone's by default.
    const sara = await addStaff(h, acme, { role: 'supervisor' });
    const supervisor = await loggedIn(h, acme, sara);
    const theirs = await (await supervisor.get('/app/payments-to-verify')).text();
    expect(theirs).toContain('Rosa de Luis');
    expect(theirs).toContain('Pedro de Ana');
    expect(theirs).toContain('2 resultados');
    // A supervisor's own are the clients they supervise.
    const { clients } = await import('../../src/clients/schema.js');
    await h.db.update(clients).set({ supervisorId: sara.id }).where(eq(clients.id, hers.id));
    const supervised = await (await supervisor.get('/app/payments-to-verify?scope=mine')).text();
    expect(supervised).toContain('Pedro de Ana');
    expect(supervised).not.toContain('Rosa de Luis');
    const all = await (await browser.get('/app/payments-to-verify?scope=all')).text();
    expect(all.indexOf('Rosa de Luis')).toBeLessThan(all.indexOf('Pedro de Ana'));
    expect(all).not.toContain('Ajeno');

    // With Cartera castigada on, a campaign payment waits here too, leading to its entry.
    const { tenants } = await import('../../src/tenants/schema.js');
    const { campaignEntries, campaignPayments } = await import('../../src/campaigns/schema.js');
    const { forgetTenantCache } = await import('../../src/platform/tenancy.js');
    await h.db.update(tenants).set({ enabledApps: ['charged_off'] }).where(eq(tenants.id, acme.id));
    forgetTenantCache();
    const [entry] = await h.db.insert(campaignEntries).values({ tenantId: acme.id, clientId: his.id, campaignCode: 'C1', debtAmount: 1000_00, discountType: 'monto', discountValue: 0, campaignAmount: 1000_00 }).returning();
    await h.db.insert(campaignPayments).values({ tenantId: acme.id, entryId: entry!.id, amount: 70_00, paidOn: '2026-03-10', method: 'yape', source: 'portal' });
    const withCampaign = await (await browser.get('/app/payments-to-verify')).text();
    expect(withCampaign).toContain(`href="/app/campaigns/${entry!.id}"`);
    expect(withCampaign).toContain('Cartera castigada');
    await h.db.update(campaignPayments).set({ state: 'verificado' }).where(eq(campaignPayments.entryId, entry!.id));

    await verifyPayment(scope, first.id);
    expect(await (await browser.get('/app/payments-to-verify')).text()).toContain('No hay pagos por verificar.');
    const outsider = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor', revoke: ['receivables'] }));
    expect((await outsider.get('/app/payments-to-verify')).status).toBe(403);
  });
});
