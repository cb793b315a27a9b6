import { and, eq, inArray, sql } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { rows } from '../db/index.js';
import { recordClientEvent } from '../events/record.js';
import { clientEvents } from '../events/schema.js';
import type { IsoDate } from '../platform/dates.js';
import type { Scope } from '../platform/scope.js';
import { tenantToday } from '../tenants/queries.js';
import { payments, promises, type Payment, type Promise_ } from './schema.js';

export type PromiseState = 'kept' | 'broken' | 'pending';

/** Kept once covered; broken from the day after its date (in the tenant's timezone); pending until then. */
export function promiseState(p: Pick<Promise_, 'keptOn' | 'promisedDate'>, today: IsoDate): PromiseState {
  if (p.keptOn) return 'kept';
  return today > p.promisedDate ? 'broken' : 'pending';
}

/**
 * Which of a client's promises verified payments keep. Each payment's money is used once:
 * promises are served oldest first, each from the earliest payments made between the day it
 * was given and its date. A payment made on the day of the promise counts only if it was
 * registered after the promise (money paid before promising more does not keep the promise).
 */
export function keptPromiseIds(
  list: Pick<Promise_, 'id' | 'amount' | 'madeOn' | 'promisedDate' | 'createdAt'>[],
  verified: Pick<Payment, 'id' | 'amount' | 'paidOn' | 'createdAt'>[],
): Set<number> {
  const left = new Map(verified.map((p) => [p.id, p.amount]));
  const byDate = [...verified].sort((a, b) => (a.paidOn < b.paidOn ? -1 : a.paidOn > b.paidOn ? 1 : a.id - b.id));
  const kept = new Set<number>();
  for (const promise of [...list].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id)) {
    const usable = byDate.filter(
      (p) => left.get(p.id)! > 0 && p.paidOn <= promise.promisedDate && (p.paidOn > promise.madeOn || (p.paidOn === promise.madeOn && p.createdAt > promise.createdAt)),
    );
    if (usable.reduce((sum, p) => sum + left.get(p.id)!, 0) < promise.amount) continue;
    let owed = promise.amount;
    for (const p of usable) {
      const used = Math.min(owed, left.get(p.id)!);
      left.set(p.id, left.get(p.id)! - used);
      owed -= used;
      if (owed === 0) break;
    }
    kept.add(promise.id);
  }
  return kept;
}

/**
 * Brings the client's promises in line with what is now paid and owed, recording each change
 * in Interacciones:
 * - promises verified payments keep are marked kept;
 * - a client who owes nothing any more (every order paid or annulled) has nothing left to
 *   promise: promises still running are kept by that settlement, and stay kept;
 * - promises kept by payments that no longer keep them (a payment annulled) are kept no more,
 *   and one whose day has passed is broken from then on; unless the client owes nothing,
 *   when the cleared debt keeps them instead.
 * Runs with the client's row locked, in the transaction of the change, after the client's
 * balances were refreshed.
 */
export async function settlePromises(scope: Scope, db: Db, clientId: number): Promise<void> {
  const today = await tenantToday(scope, db);
  const ofClient = and(eq(promises.tenantId, scope.tenantId), eq(promises.clientId, clientId));
  const list = await db.select().from(promises).where(ofClient);
  if (list.length === 0) return;
  const verified = await db
    .select({ id: payments.id, amount: payments.amount, paidOn: payments.paidOn, createdAt: payments.createdAt })
    .from(payments)
    .where(and(eq(payments.tenantId, scope.tenantId), eq(payments.clientId, clientId), eq(payments.state, 'verificado')));
  const kept = keptPromiseIds(
    list.filter((p) => !p.keptBySettlement),
    verified,
  );
  const [client] = await db
    .select({ unpaidOrders: clients.unpaidOrders })
    .from(clients)
    .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, clientId)));
  const owesNothing = client?.unpaidOrders === 0;
  const byPayments = list.filter((p) => !p.keptOn && kept.has(p.id));
  const bySettlement = owesNothing ? list.filter((p) => !p.keptOn && !kept.has(p.id) && p.promisedDate >= today) : [];
  const unkept = list.filter((p) => p.keptOn && !p.keptBySettlement && !kept.has(p.id));
  // A client who owes nothing keeps what was kept: the payment no longer keeps it, the cleared debt does.
  const noLonger = owesNothing ? [] : unkept;
  const ids = (list: Promise_[]) => list.map((p) => p.id);
  if (owesNothing && unkept.length > 0) await db.update(promises).set({ keptBySettlement: true }).where(and(ofClient, inArray(promises.id, ids(unkept))));
  if (byPayments.length > 0) await db.update(promises).set({ keptOn: today }).where(and(ofClient, inArray(promises.id, ids(byPayments))));
  if (bySettlement.length > 0) {
    await db.update(promises).set({ keptOn: today, keptBySettlement: true }).where(and(ofClient, inArray(promises.id, ids(bySettlement))));
  }
  for (const p of [...byPayments, ...bySettlement]) {
    await recordClientEvent(scope, db, clientId, 'promise.kept', {
      promiseId: p.id,
      amount: p.amount,
      promisedDate: p.promisedDate,
      from: 'pending',
      to: 'kept',
      ...(bySettlement.includes(p) ? { settled: true } : {}),
    });
  }
  if (noLonger.length > 0) {
    // One past its day is broken now: this event says so, and the hourly run does not again.
    const past = noLonger.filter((p) => p.promisedDate < today);
    await db.update(promises).set({ keptOn: null }).where(and(ofClient, inArray(promises.id, ids(noLonger))));
    if (past.length > 0) await db.update(promises).set({ brokenRecordedAt: scope.clock.now() }).where(and(ofClient, inArray(promises.id, ids(past))));
    for (const p of noLonger) {
      await recordClientEvent(scope, db, clientId, 'promise.unkept', {
        promiseId: p.id,
        amount: p.amount,
        promisedDate: p.promisedDate,
        from: 'kept',
        to: p.promisedDate < today ? 'broken' : 'pending',
      });
    }
  }
}

/**
 * Records one `promise.broken` event per promise found broken on `today` (the tenant's date),
 * once: a second run the same day, or the next, finds nothing new.
 */
export async function recordBrokenPromises(db: Db, tenantId: number, today: IsoDate): Promise<number> {
  return db.transaction(async (tx) => {
    const broken = await rows<{ id: number; client_id: number; amount: number; promised_date: string }>(
      tx,
      sql`update promises p set broken_recorded_at = now()
            from clients c
           where p.tenant_id = ${tenantId} and p.kept_on is null and p.broken_recorded_at is null
             and p.promised_date < ${today}::date
             and c.tenant_id = p.tenant_id and c.id = p.client_id and c.deleted_at is null
       returning p.id, p.client_id, p.amount, p.promised_date::text as promised_date`,
    );
    if (broken.length > 0) {
      await tx.insert(clientEvents).values(
        broken.map((p) => ({
          tenantId,
          clientId: Number(p.client_id),
          type: 'promise.broken',
          actorId: null,
          data: { promiseId: Number(p.id), amount: Number(p.amount), promisedDate: p.promised_date, from: 'pending', to: 'broken' },
        })),
      );
    }
    return broken.length;
  });
}
