import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { paymentAllocations, payments } from '../payments/schema.js';
import { dayText, type IsoDate } from '../platform/dates.js';
import type { Db } from '../db/index.js';
import { clients } from '../clients/schema.js';
import { recordClientEvent } from '../events/record.js';
import { refreshClientBalances } from '../clients/derived.js';
import { settlePromises } from '../payments/promises.js';
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

/** What an order's history records of its fields: the payment code as `orderCode`, money in minor units. */
function terms(order: Pick<PaymentOrder, 'paymentCode' | 'product' | 'amount' | 'interest' | 'discounts' | 'issueDate' | 'dueDate'>) {
  return {
    orderCode: order.paymentCode,
    product: order.product ?? null,
    amount: order.amount,
    interest: order.interest,
    discounts: order.discounts,
    issueDate: order.issueDate,
    dueDate: order.dueDate,
  };
}

function changesBetween(before: ReturnType<typeof terms> | null, after: ReturnType<typeof terms>): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(after) as (keyof typeof after)[]) {
    const was = before ? before[key] : null;
    if (was !== after[key]) changes[key] = [was, after[key]];
  }
  return changes;
}

/** An order's event in its client's Interacciones. */
function recordOrderEvent(scope: Scope, db: Db, order: PaymentOrder, type: string, data: Record<string, unknown> = {}): Promise<void> {
  return recordClientEvent(scope, db, order.clientId, type, { orderId: order.id, paymentCode: order.paymentCode, ...data });
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
      // The code is the event's own line ("Orden: …"); the changes say the rest.
      const { orderCode: _, ...created } = changesBetween(null, terms(order!));
      await recordOrderEvent(scope, tx, order!, 'order.created', { changes: created });
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
      // What was already paid stays paid: the order may not be lowered below it unless the tenant
      // keeps credits. An order that already holds a credit (kept while the tenant allowed them)
      // can still be edited in everything that does not lower it further.
      const total = fields.amount + fields.interest - fields.discounts;
      const before = current.amount + current.interest - current.discounts;
      if (total < current.paid && total < before && !(await settingsOf(tx, scope.tenantId)).allowOverpayment) {
        return { ok: false, errors: { amount: 'receivables.orders.belowPaid' } as Record<string, string> } as const;
      }
      // Money is never paid on an order before it was issued: the payment form's rule, kept on edits.
      const [firstPayment] = await tx
        .select({ paidOn: sql<string>`min(${payments.paidOn})` })
        .from(paymentAllocations)
        .innerJoin(payments, and(eq(payments.tenantId, paymentAllocations.tenantId), eq(payments.id, paymentAllocations.paymentId)))
        .where(and(eq(paymentAllocations.tenantId, scope.tenantId), eq(paymentAllocations.orderId, orderId), inArray(payments.state, ['por_verificar', 'verificado'])));
      if (firstPayment?.paidOn && fields.issueDate > firstPayment.paidOn) {
        return { ok: false, errors: { issueDate: `receivables.orders.issueAfterPayment?date=${dayText(firstPayment.paidOn as IsoDate)}` } as Record<string, string> } as const;
      }
      // Annulling and reactivating are actions of their own, confirmed and recorded: an edit keeps the order's state.
      const [order] = await tx
        .update(paymentOrders)
        .set({ ...columns(fields), annulled: current.annulled, updatedAt: scope.clock.now() })
        .where(and(eq(paymentOrders.tenantId, scope.tenantId), eq(paymentOrders.id, orderId)))
        .returning();
      await refreshClientBalances(tx, scope.tenantId, [current.clientId]);
      const changes = changesBetween(terms(current), terms(order!));
      if (Object.keys(changes).length > 0) await recordOrderEvent(scope, tx, order!, 'order.updated', { changes });
      await settlePromises(scope, tx, current.clientId);
      return { ok: true, order: order! } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'payment_orders_code')) return codeTaken;
    throw error;
  }
}

/** Annulled orders leave the balance and the situation; payments already allocated stay recorded. */
export const annulOrder = (scope: Scope, orderId: number) => setAnnulled(scope, orderId, true);

/** An order annulled by mistake counts again, with what was paid on it. */
export const reactivateOrder = (scope: Scope, orderId: number) => setAnnulled(scope, orderId, false);

async function setAnnulled(scope: Scope, orderId: number, annulled: boolean): Promise<OrderResult> {
  return scope.db.transaction(async (tx) => {
    const current = await orderOfLiveClient(tx, scope.tenantId, orderId);
    if (!current) return notFound;
    if (current.annulled === annulled) return { ok: false, errors: { annulled: annulled ? 'receivables.orders.alreadyAnnulled' : 'receivables.orders.notAnnulled' } } as const;
    const [order] = await tx
      .update(paymentOrders)
      .set({ annulled, updatedAt: scope.clock.now() })
      .where(and(eq(paymentOrders.tenantId, scope.tenantId), eq(paymentOrders.id, orderId)))
      .returning();
    await refreshClientBalances(tx, scope.tenantId, [current.clientId]);
    await recordOrderEvent(scope, tx, order!, annulled ? 'order.annulled' : 'order.reactivated');
    await settlePromises(scope, tx, current.clientId);
    return { ok: true, order: order! } as const;
  });
}
