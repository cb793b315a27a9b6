import { sql } from 'drizzle-orm';
import { idArray, type Db } from '../db/index.js';

/**
 * Recomputes what each order has been paid: the verified payments allocated to it.
 * Call in the same transaction as any change to a payment's state or allocations.
 */
export async function refreshOrdersPaid(db: Db, tenantId: number, orderIds: readonly number[]): Promise<void> {
  if (orderIds.length === 0) return;
  await db.execute(sql`
    update payment_orders o
       set paid = coalesce((
             select sum(a.amount)
               from payment_allocations a
               join payments p on p.tenant_id = a.tenant_id and p.id = a.payment_id
              where a.tenant_id = o.tenant_id and a.order_id = o.id and p.state = 'verificado'), 0)
     where o.tenant_id = ${tenantId}
       and o.id = any(${idArray(orderIds)})`);
}

/**
 * Recomputes the stored receivables state of clients from their orders: how many are unpaid,
 * the oldest unpaid due date (which drives the situation), and the total balance. Call in
 * the same transaction as any change to orders or to what they have been paid.
 */
export async function refreshClientBalances(db: Db, tenantId: number, clientIds: readonly number[]): Promise<void> {
  if (clientIds.length === 0) return;
  await db.execute(sql`
    update clients c
       set unpaid_orders = s.unpaid,
           oldest_unpaid_due_date = s.oldest,
           total_balance = s.balance
      from (
        select ids.id,
               count(o.id) filter (where not o.annulled and o.balance > 0)::int as unpaid,
               min(o.due_date) filter (where not o.annulled and o.balance > 0) as oldest,
               coalesce(sum(o.balance) filter (where not o.annulled), 0)::bigint as balance
          from unnest(${idArray(clientIds)}) as ids(id)
          left join payment_orders o on o.tenant_id = ${tenantId} and o.client_id = ids.id
         group by ids.id
      ) s
     where c.tenant_id = ${tenantId} and c.id = s.id`);
}
