import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../src/clients/schema.js';
import { situationOf, situations } from '../../src/clients/situation.js';
import { rows } from '../../src/db/index.js';
import { generateDemo } from '../../src/demo/generate.js';
import { ensureDemoStaff, seedDemoClaims } from '../../src/demo/staff.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

describe('Demo data', () => {
  it('comes with a team: every client has a supervisor and an advisor, and some have open or closed claims', async () => {
    const tenant = await newTenant(h);
    const staff = await ensureDemoStaff(h.db, tenant);
    expect(await ensureDemoStaff(h.db, tenant)).toEqual(staff);
    await generateDemo(h.database, { tenantId: tenant.id, clients: 300, today: '2026-03-10', seed: 1, ...staff });
    const all = await h.db.select().from(clients).where(eq(clients.tenantId, tenant.id));
    expect(all.every((c) => staff.supervisorIds.includes(c.supervisorId!) && staff.advisorIds.includes(c.advisorId!))).toBe(true);
    expect(new Set(all.map((c) => c.advisorId)).size).toBe(staff.advisorIds.length);
    const opened = await seedDemoClaims(h.db, tenant);
    expect(opened).toBeGreaterThan(10);
    const states = await rows<{ state: string; n: number }>(h.db, sql`select state, count(*)::int as n from claims where tenant_id = ${tenant.id} group by state order by state`);
    expect(states.map((s) => s.state)).toEqual(['abierto', 'cerrado']);
    const withClaims = (await h.db.select().from(clients).where(eq(clients.tenantId, tenant.id))).filter((c) => situationOf(c, '2026-03-10') === 'con_reclamo');
    expect(withClaims.length).toBe(states.find((s) => s.state === 'abierto')!.n);
  });

  it('is the same for the same seed, covers every situation but con_reclamo, and its derived columns are exact', async () => {
    const a = await newTenant(h);
    const b = await newTenant(h);
    const totals = await generateDemo(h.database, { tenantId: a.id, clients: 400, today: '2026-03-10', seed: 7, batchSize: 150 });
    await generateDemo(h.database, { tenantId: b.id, clients: 400, today: '2026-03-10', seed: 7, batchSize: 150 });
    expect(totals.clients).toBe(400);
    expect(totals.orders).toBeGreaterThan(800);
    const names = async (tenantId: number) => (await h.db.select({ name: clients.name }).from(clients).where(eq(clients.tenantId, tenantId)).orderBy(clients.id)).map((r) => r.name);
    expect(await names(a.id)).toEqual(await names(b.id));
    const all = await h.db.select().from(clients).where(eq(clients.tenantId, a.id));
    const seen = new Set(all.map((c) => situationOf(c, '2026-03-10')));
    expect([...seen].sort()).toEqual(situations.filter((s) => s !== 'con_reclamo').sort());
    expect(all.every((c) => /^\d{8}$|^\d{11}$/.test(c.documentNumber) && (c.phone === null || /^\+519\d{8}$/.test(c.phone)))).toBe(true);
    const states = await rows<{ state: string }>(h.db, sql`select distinct state from payments where tenant_id = ${a.id} order by state`);
    expect(states.map((s) => s.state)).toEqual(['anulado', 'no_verificado', 'por_verificar', 'verificado']);
    const drift = await rows(
      h.db,
      sql`select c.id from clients c
           left join lateral (select coalesce(sum(balance) filter (where not annulled), 0) as balance,
                                     min(due_date) filter (where not annulled and balance > 0) as oldest
                                from payment_orders o where o.tenant_id = c.tenant_id and o.client_id = c.id) s on true
          where c.tenant_id = ${a.id} and (s.balance <> c.total_balance or s.oldest is distinct from c.oldest_unpaid_due_date)`,
    );
    expect(drift).toEqual([]);
    // Its promises follow the product's rules: none left unkept by a client who owes nothing, and
    // none kept by money paid before (or, with no time of day to tell, the day) it was made.
    expect(totals.promises).toBeGreaterThan(0);
    const [counted] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from promises where tenant_id = ${a.id}`);
    expect(counted!.n).toBe(totals.promises);
    const idle = await rows(h.db, sql`select pr.id from promises pr join clients c on c.tenant_id = pr.tenant_id and c.id = pr.client_id
                                        where pr.tenant_id = ${a.id} and pr.kept_on is null and c.total_balance <= 0`);
    expect(idle).toEqual([]);
    const keptEarly = await rows(
      h.db,
      sql`select pr.id from promises pr
           where pr.tenant_id = ${a.id} and pr.kept_on is not null
             and (select coalesce(sum(p.amount), 0) from payments p
                   where p.tenant_id = pr.tenant_id and p.client_id = pr.client_id and p.state = 'verificado'
                     and p.paid_on > pr.made_on and p.paid_on <= pr.promised_date) < pr.amount`,
    );
    expect(keptEarly).toEqual([]);
    // Each client's history holds what its orders, payments and promises recorded.
    const events = await rows<{ type: string; n: number }>(h.db, sql`select type, count(*)::int as n from client_events where tenant_id = ${a.id} group by type`);
    const count = (type: string) => events.find((e) => e.type === type)?.n ?? 0;
    const [made] = await rows<{ payments: number; settled: number; kept: number }>(
      h.db,
      sql`select (select count(*)::int from payments where tenant_id = ${a.id}) as payments,
                 (select count(*)::int from payments where tenant_id = ${a.id} and state <> 'por_verificar') as settled,
                 (select count(*)::int from promises where tenant_id = ${a.id} and kept_on is not null) as kept`,
    );
    expect(count('order.created')).toBe(totals.orders);
    expect(count('payment.registered')).toBe(made!.payments);
    expect(count('payment.verified') + count('payment.rejected') + count('payment.annulled')).toBe(made!.settled);
    expect(count('promise.made')).toBe(totals.promises);
    expect(count('promise.kept')).toBe(made!.kept);
    const [late] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from client_events where tenant_id = ${a.id} and occurred_at > now()`);
    expect(late!.n).toBe(0);
    const staff = await loggedIn(h, a, await addStaff(h, a, { role: 'supervisor' }));
    const [someone] = await rows<{ client_id: number; payment_code: string }>(h.db, sql`select client_id, payment_code from payment_orders where tenant_id = ${a.id} order by id limit 1`);
    const history = await staff.get(`/app/clients/${someone!.client_id}/interactions`);
    expect(history.status).toBe(200);
    expect(await history.text()).toContain(someone!.payment_code);
    // Sequences stay ahead of the copied rows: an ordinary insert afterwards works.
    await h.db.insert(clients).values({ tenantId: a.id, documentType: 'CE', documentNumber: '001', name: 'Después' });
  });
});
