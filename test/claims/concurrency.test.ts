import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimCategories, claimEvents, claimOrders, claims } from '../../src/claims/schema.js';
import { closeClaim, openClaim, reopenClaim, type ClaimResult } from '../../src/claims/service.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { clientEvents } from '../../src/events/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { databaseUrlOf } from '../support/db.js';
import { addStaff, newTenant } from '../support/factories.js';
import { claimsOf, clientRow, debtor, scopeFor } from './support.js';

const TWO_OPEN_MESSAGES = ['claims.limitReached', 'claims.sameCategory', 'claims.limitReachedReopen', 'claims.sameCategoryReopen'];

describe.runIf(process.env.DATABASE_URL)('the two-open rule under concurrent staff, on PostgreSQL', () => {
  let h: Harness;
  /** A pool of its own, so that each attempt runs on its own connection and transaction. */
  let many: Database;
  beforeAll(async () => {
    h = await startTestApp();
    many = await openDatabase({ databaseUrl: databaseUrlOf(h.database), poolSize: 25 });
  });
  afterAll(async () => {
    await many?.close();
    await h?.close();
  });

  it('50 attempts to open claims for one client at once leave exactly two open, of different categories, and nothing half-written', async () => {
    const acme = await newTenant(h);
    const staff = await Promise.all([0, 1, 2, 3, 4].map((i) => addStaff(h, acme, { role: 'advisor', name: `Asesor ${i}` })));
    const { client, orders } = await debtor(h, acme);

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        openClaim(scopeFor(h, acme, staff[i % staff.length]!, many.db), {
          clientId: client.id,
          orderIds: [orders[i % 2]!.id],
          category: claimCategories[i % claimCategories.length]!,
          description: `Intento ${i}`,
          comments: null,
        }),
      ),
    );

    const opened = results.filter((r): r is Extract<ClaimResult, { ok: true }> => r.ok).map((r) => r.claim);
    expect(opened).toHaveLength(2);
    expect(new Set(opened.map((c) => c.category)).size).toBe(2);
    expect(opened.map((c) => c.openSlot).sort()).toEqual([1, 2]);
    const openIds = opened.map((c) => c.id).sort((a, b) => a - b);
    for (const failure of results.filter((r) => !r.ok)) {
      expect('errors' in failure && TWO_OPEN_MESSAGES.includes(failure.errors.category!)).toBe(true);
      const named = ('openClaims' in failure ? failure.openClaims ?? [] : []).map((c) => c.id);
      expect(named.length).toBeGreaterThan(0);
      for (const id of named) expect(openIds).toContain(id);
    }

    const stored = await claimsOf(h.db, acme, client.id);
    expect(stored.map((c) => c.id).sort((a, b) => a - b)).toEqual(openIds);
    const links = await h.db.select().from(claimOrders).where(eq(claimOrders.tenantId, acme.id));
    expect(links.map((l) => l.claimId).sort((a, b) => a - b)).toEqual(openIds);
    const history = await h.db.select().from(claimEvents).where(eq(claimEvents.tenantId, acme.id));
    expect(new Set(history.map((e) => e.claimId))).toEqual(new Set(openIds));
    const events = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, acme.id), eq(clientEvents.clientId, client.id)));
    expect(events.map((e) => e.type)).toEqual(['claim.opened', 'claim.opened']);
    const row = await clientRow(h, acme, client.id);
    expect(row.openClaims).toBe(2);
    expect(row.openClaimCategories).toEqual(opened.map((c) => c.category).sort());
  });

  it('reopenings and openings racing for the last slot leave at most two open claims, of different categories', async () => {
    const acme = await newTenant(h);
    const staff = await addStaff(h, acme, { role: 'advisor' });
    const { client, orders } = await debtor(h, acme);
    const scope = scopeFor(h, acme, staff, many.db);
    const input = (category: (typeof claimCategories)[number]) => ({ clientId: client.id, orderIds: [orders[0]!.id], category, description: 'x', comments: null });
    const closed = [];
    for (const category of claimCategories) {
      const result = await openClaim(scope, input(category));
      if (!result.ok) throw new Error('setup failed');
      closed.push(result.claim.id);
      await closeClaim(scope, result.claim.id);
    }
    await openClaim(scope, input('errores_facturacion'));

    const results = await Promise.all([
      ...closed.flatMap((id) => [reopenClaim(scope, id), reopenClaim(scope, id)]),
      ...claimCategories.map((category) => openClaim(scope, input(category))),
    ]);

    const open = (await claimsOf(h.db, acme, client.id)).filter((c) => c.state === 'abierto');
    expect(open).toHaveLength(2);
    expect(new Set(open.map((c) => c.category)).size).toBe(2);
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(0);
    const row = await clientRow(h, acme, client.id);
    expect(row.openClaims).toBe(2);
    expect(row.openClaimCategories).toEqual(open.map((c) => c.category).sort());
  });

  it('closing both open claims at once leaves the client with none, back in its delinquency situation', async () => {
    const acme = await newTenant(h);
    const staff = await addStaff(h, acme, { role: 'advisor' });
    const { client, orders } = await debtor(h, acme);
    const scope = scopeFor(h, acme, staff, many.db);
    const ids = [];
    for (const category of ['errores_facturacion', 'problemas_pago'] as const) {
      const result = await openClaim(scope, { clientId: client.id, orderIds: [orders[0]!.id], category, description: 'x', comments: null });
      if (result.ok) ids.push(result.claim.id);
    }
    await Promise.all([...ids, ...ids].map((id) => closeClaim(scope, id)));
    const row = await clientRow(h, acme, client.id);
    expect(row.openClaims).toBe(0);
    expect(row.openClaimCategories).toEqual([]);
    const closings = await h.db
      .select()
      .from(claimEvents)
      .where(and(eq(claimEvents.tenantId, acme.id), inArray(claimEvents.claimId, ids), eq(claimEvents.field, 'state')));
    expect(closings.filter((e) => e.after === 'cerrado')).toHaveLength(2);
  });

  it('the database alone refuses a third open claim when writers skip the service and its lock', async () => {
    const acme = await newTenant(h);
    const { client } = await debtor(h, acme);
    const attempts = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        many.query(
          `insert into claims (tenant_id, client_id, category, state, open_slot, description)
           select $1, $2, $3, 'abierto', count(*) + 1, 'sin candado'
             from claims where tenant_id = $1 and client_id = $2 and state = 'abierto'`,
          [acme.id, client.id, claimCategories[i % claimCategories.length]],
        ),
      ),
    );
    expect(attempts.some((a) => a.status === 'rejected')).toBe(true);
    const open = (await h.db.select().from(claims).where(and(eq(claims.tenantId, acme.id), eq(claims.clientId, client.id)))).filter((c) => c.state === 'abierto');
    expect(open.length).toBeLessThanOrEqual(2);
    expect(new Set(open.map((c) => c.category)).size).toBe(open.length);
  });
});
