import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { clients } from '../clients/schema.js';
import { refreshClientBalances } from '../clients/derived.js';
import { isUniqueViolation, type Scope } from '../platform/scope.js';
import { settingsOf } from '../settings/queries.js';
import type { OrderFields } from './fields.js';
import { paymentOrders, type PaymentOrder } from './schema.js';

export type Failure = { ok: false; errors: Record<string, string> };
export type NotFound = { ok: false; notFound: true };
export type OrderResult = { ok: true; order: PaymentOrder } | Failure | NotFound;

const notFound: NotFound = { ok: false, notFound: true };
const codeTaken: Failure = { ok: false, errors: { paymentCode: 'receivables.orders.codeTaken' } };

/**
 * Locks a live client of the tenant for the rest of the transaction, so that concurrent
 * changes to its orders and payments recompute its stored balances one after another.
 * Returns its total balance as it stands under the lock.
 */
export async function lockLiveClient(db: Db, tenantId: number, clientId: number): Promise<{ id: number; totalBalance: number } | undefined> {
  const [client] = await db
    .select({ id: clients.id, totalBalance: clients.totalBalance })
    .from(clients)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.id, clientId), isNull(clients.deletedAt)))
    .for('update');
  return client;
}

function columns(fields: OrderFields) {
  return {
    paymentCode: fields.paymentCode,
    product: fields.product,
    amount: fields.amount,
    interest: fields.interest,
    discounts: fields.discounts,
    issueDate: fields.issueDate,
    dueDate: fields.dueDate,
    annulled: fields.annulled,
  };
}

export async function createOrder(scope: Scope, clientId: number, fields: OrderFields): Promise<OrderResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      if (!(await lockLiveClient(tx, scope.tenantId, clientId))) return { ok: false, errors: { clientId: 'receivables.orders.clientMissing' } } as const;
      const [order] = await tx
        .insert(paymentOrders)
        .values({ tenantId: scope.tenantId, clientId, ...columns(fields) })
        .returning();
      await refreshClientBalances(tx, scope.tenantId, [clientId]);
      return { ok: true, order: order! } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'payment_orders_code')) return codeTaken;
    throw error;
  }
}

async function orderOfLiveClient(db: Db, tenantId: number, orderId: number): Promise<PaymentOrder | undefined> {
  const [order] = await db
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.id, orderId)));
  if (!order || !(await lockLiveClient(db, tenantId, order.clientId))) return undefined;
  return order;
}

export async function updateOrder(scope: Scope, orderId: number, fields: OrderFields): Promise<OrderResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      const current = await orderOfLiveClient(tx, scope.tenantId, orderId);
      if (!current) return notFound;
      // What was already paid stays paid: the order may not fall below it unless the tenant keeps credits.
      if (fields.amount + fields.interest - fields.discounts < current.paid && !(await settingsOf(tx, scope.tenantId)).allowOverpayment) {
        return { ok: false, errors: { amount: 'receivables.orders.belowPaid' } } as const;
      }
      const [order] = await tx
        .update(paymentOrders)
        .set({ ...columns(fields), updatedAt: scope.clock.now() })
        .where(and(eq(paymentOrders.tenantId, scope.tenantId), eq(paymentOrders.id, orderId)))
        .returning();
      await refreshClientBalances(tx, scope.tenantId, [current.clientId]);
      return { ok: true, order: order! } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'payment_orders_code')) return codeTaken;
    throw error;
  }
}

/** Annulled orders leave the balance and the situation; payments already allocated stay recorded. */
export async function annulOrder(scope: Scope, orderId: number): Promise<OrderResult> {
  return scope.db.transaction(async (tx) => {
    const current = await orderOfLiveClient(tx, scope.tenantId, orderId);
    if (!current) return notFound;
    if (current.annulled) return { ok: false, errors: { annulled: 'receivables.orders.alreadyAnnulled' } } as const;
    const [order] = await tx
      .update(paymentOrders)
      .set({ annulled: true, updatedAt: scope.clock.now() })
      .where(and(eq(paymentOrders.tenantId, scope.tenantId), eq(paymentOrders.id, orderId)))
      .returning();
    await refreshClientBalances(tx, scope.tenantId, [current.clientId]);
    return { ok: true, order: order! } as const;
  });
}
