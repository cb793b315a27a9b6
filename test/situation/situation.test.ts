import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../src/clients/schema.js';
import { situationOf, situations, situationWhere } from '../../src/clients/situation.js';
import { rows } from '../../src/db/index.js';
import { addDays, todayIn } from '../../src/platform/dates.js';
import { annulOrder } from '../../src/payment-orders/service.js';
import { annulPayment, registerPayment, rejectPayment, verifyPayment } from '../../src/payments/service.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { newTenant } from '../support/factories.js';
import { clientRow, newClient, newOrder, scopeFor } from '../payments/support.js';

let h: Harness;
let lima: Tenant;
beforeAll(async () => {
  h = await startTestApp({ now: '2026-06-15T17:00:00Z' });
  lima = await newTenant(h, { timezone: 'America/Lima' });
});
afterAll(() => h.close());

async function situationNow(clientId: number) {
  const today = todayIn(lima.timezone, h.clock);
  const stored = await clientRow(h, lima, clientId);
  const fromFilter = [];
  for (const s of situations) {
    const hit = await h.db.select({ id: clients.id }).from(clients).where(and(eq(clients.tenantId, lima.id), eq(clients.id, clientId), situationWhere(s, today)));
    if (hit.length) fromFilter.push(s);
  }
  const situation = situationOf(stored, today);
  expect(fromFilter).toEqual([situation]);
  return situation;
}

describe('Situation', () => {
  it.each([
    [0, 'al_dia'],
    [-5, 'al_dia'],
    [1, 'mora_1_30'],
    [30, 'mora_1_30'],
    [31, 'mora_31_60'],
    [60, 'mora_31_60'],
    [61, 'mora_61_90'],
    [90, 'mora_61_90'],
    [91, 'mora_90_mas'],
  ] as const)('%i days past due of the oldest unpaid order is %s', async (days, expected) => {
    h.clock.set('2026-06-15T17:00:00Z');
    const client = await newClient(h, lima);
    await newOrder(h, lima, client.id, { issueDate: '2025-01-01', dueDate: addDays('2026-06-15', -days) });
    await newOrder(h, lima, client.id, { issueDate: '2025-01-01', dueDate: '2026-12-31' });
    expect(await situationNow(client.id)).toBe(expected);
  });

  it('23:30 in Lima on the due date is still al_dia; one minute after midnight it is mora_1_30, with no job running', async () => {
    h.clock.set('2026-06-16T04:30:00Z');
    const client = await newClient(h, lima);
    await newOrder(h, lima, client.id, { dueDate: '2026-06-15' });
    expect(await situationNow(client.id)).toBe('al_dia');
    h.clock.set('2026-06-16T05:01:00Z');
    expect(await situationNow(client.id)).toBe('mora_1_30');
  });

  it('is finalizado with no orders, with every order paid, and with paid and annulled orders', async () => {
    h.clock.set('2026-06-15T17:00:00Z');
    const scope = scopeFor(h, lima);
    const none = await newClient(h, lima);
    expect(await situationNow(none.id)).toBe('finalizado');

    const paid = await newClient(h, lima);
    const order = await newOrder(h, lima, paid.id, { dueDate: '2026-01-01', amount: 80_00 });
    expect(await situationNow(paid.id)).toBe('mora_90_mas');
    const payment = await registerPayment(scope, paid.id, { amount: 80_00, paidOn: '2026-06-15', method: 'efectivo', reference: null, orders: [order.id] });
    await verifyPayment(scope, payment.ok ? payment.payment.id : 0);
    expect(await situationNow(paid.id)).toBe('finalizado');

    const mixed = await newClient(h, lima);
    const a = await newOrder(h, lima, mixed.id, { dueDate: '2026-05-01', amount: 10_00 });
    const b = await newOrder(h, lima, mixed.id, { dueDate: '2026-02-01' });
    const p2 = await registerPayment(scope, mixed.id, { amount: 10_00, paidOn: '2026-06-15', method: 'efectivo', reference: null, orders: [a.id] });
    await verifyPayment(scope, p2.ok ? p2.payment.id : 0);
    expect(await situationNow(mixed.id)).toBe('mora_90_mas');
    await annulOrder(scope, b.id);
    expect(await situationNow(mixed.id)).toBe('finalizado');
  });

  it('an open claim takes precedence over delinquency, but not over finalizado', async () => {
    h.clock.set('2026-06-15T17:00:00Z');
    const client = await newClient(h, lima);
    await newOrder(h, lima, client.id, { dueDate: '2026-01-01' });
    await h.db.update(clients).set({ openClaims: 1 }).where(and(eq(clients.tenantId, lima.id), eq(clients.id, client.id)));
    expect(await situationNow(client.id)).toBe('con_reclamo');
    const settled = await newClient(h, lima, { openClaims: 2 });
    expect(await situationNow(settled.id)).toBe('finalizado');
  });

  it('the stored filter agrees with the rule for every client, on several days', async () => {
    for (const at of ['2026-06-15T17:00:00Z', '2026-07-20T04:59:00Z', '2026-09-30T05:01:00Z']) {
      h.clock.set(at);
      const today = todayIn(lima.timezone, h.clock);
      const all = await h.db.select().from(clients).where(eq(clients.tenantId, lima.id));
      for (const s of situations) {
        const filtered = await h.db.select({ id: clients.id }).from(clients).where(and(eq(clients.tenantId, lima.id), situationWhere(s, today)));
        expect(filtered.map((r) => r.id).sort()).toEqual(all.filter((c) => situationOf(c, today) === s).map((c) => c.id).sort());
      }
    }
  });
});

/** A small deterministic generator, so a failure can be replayed. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Derived columns', () => {
  it('after 300 random operations, recomputing every client from scratch in SQL equals what is stored', async () => {
    const tenant = await newTenant(h, { timezone: 'America/Lima' });
    const scope = scopeFor(h, tenant);
    const random = mulberry32(20260315);
    const pick = <T,>(list: T[]) => list[Math.floor(random() * list.length)]!;
    h.clock.set('2026-06-01T15:00:00Z');
    const clientIds: number[] = [];
    for (let i = 0; i < 6; i++) clientIds.push((await newClient(h, tenant)).id);
    const orders: { id: number; clientId: number }[] = [];
    const paymentIds: { id: number; clientId: number }[] = [];
    for (let step = 0; step < 300; step++) {
      const today = todayIn(tenant.timezone, h.clock);
      const roll = random();
      if (roll < 0.3 || orders.length === 0) {
        const clientId = pick(clientIds);
        const due = addDays(today, Math.floor(random() * 200) - 120);
        orders.push({ clientId, id: (await newOrder(h, tenant, clientId, { issueDate: addDays(due, -30), dueDate: due, amount: 1 + Math.floor(random() * 50_000), interest: Math.floor(random() * 1000) })).id });
      } else if (roll < 0.55) {
        const order = pick(orders);
        const chosen = orders.filter((o) => o.clientId === order.clientId && random() < 0.5).map((o) => o.id);
        const result = await registerPayment(scope, order.clientId, { amount: 1 + Math.floor(random() * 30_000), paidOn: today, method: 'efectivo', reference: null, orders: [...new Set([order.id, ...chosen])] });
        if (result.ok) paymentIds.push({ id: result.payment.id, clientId: order.clientId });
      } else if (roll < 0.75 && paymentIds.length) {
        await verifyPayment(scope, pick(paymentIds).id);
      } else if (roll < 0.82 && paymentIds.length) {
        await rejectPayment(scope, pick(paymentIds).id);
      } else if (roll < 0.9 && paymentIds.length) {
        await annulPayment(scope, pick(paymentIds).id);
      } else if (roll < 0.95) {
        await annulOrder(scope, pick(orders).id);
      } else {
        h.clock.advance(Math.floor(random() * 20) * 86_400_000 + Math.floor(random() * 86_400_000));
      }
    }
    const mismatches = await rows(
      h.db,
      sql`with recomputed as (
            select c.id,
                   count(o.id) filter (where not o.annulled and o.amount + o.interest - o.discounts - coalesce(v.paid, 0) > 0)::int as unpaid,
                   min(o.due_date) filter (where not o.annulled and o.amount + o.interest - o.discounts - coalesce(v.paid, 0) > 0) as oldest,
                   coalesce(sum(o.amount + o.interest - o.discounts - coalesce(v.paid, 0)) filter (where not o.annulled), 0)::bigint as balance,
                   coalesce(sum(coalesce(v.paid, 0)), 0)::bigint as paid,
                   coalesce(sum(o.paid), 0)::bigint as stored_paid
              from clients c
              left join payment_orders o on o.tenant_id = c.tenant_id and o.client_id = c.id
              left join lateral (
                select sum(a.amount) as paid from payment_allocations a
                  join payments p on p.tenant_id = a.tenant_id and p.id = a.payment_id and p.state = 'verificado'
                 where a.tenant_id = o.tenant_id and a.order_id = o.id) v on true
             where c.tenant_id = ${tenant.id}
             group by c.id)
          select r.id from recomputed r join clients c on c.tenant_id = ${tenant.id} and c.id = r.id
           where r.unpaid <> c.unpaid_orders or r.oldest is distinct from c.oldest_unpaid_due_date
              or r.balance <> c.total_balance or r.paid <> r.stored_paid`,
    );
    expect(mismatches).toEqual([]);
    const totals = await rows<{ n: number; states: string }>(h.db, sql`select count(*)::int as n, string_agg(distinct state, ',' order by state) as states from payments where tenant_id = ${tenant.id}`);
    expect(totals[0]!.n).toBeGreaterThan(20);
    expect(totals[0]!.states).toBe('anulado,no_verificado,por_verificar,verificado');
  });
});
