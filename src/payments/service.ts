import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { refreshClientBalances, refreshOrdersPaid } from '../clients/derived.js';
import type { Db } from '../db/index.js';
import { recordClientEvent } from '../events/record.js';
import { isoDateField, moneyField } from '../payment-orders/fields.js';
import { paymentOrders } from '../payment-orders/schema.js';
import { lockLiveClient } from '../payment-orders/service.js';
import { addDays, dayText, type IsoDate } from '../platform/dates.js';
import { checkedValues, optionalText } from '../platform/forms.js';
import type { Scope } from '../platform/scope.js';
import { settingsOf } from '../settings/queries.js';
import { tenantToday } from '../tenants/queries.js';
import { settlePromises } from './promises.js';
import { paymentAllocations, payments, promises, type Payment, type PaymentState, type Promise_ } from './schema.js';

export type Failure = { ok: false; errors: Record<string, string> };
export type NotFound = { ok: false; notFound: true };
const notFound: NotFound = { ok: false, notFound: true };
const fail = (field: string, message: string): Failure => ({ ok: false, errors: { [field]: message } });

export const paymentMethods = ['transferencia', 'deposito', 'efectivo', 'tarjeta', 'yape_plin', 'otro'] as const;

/** The payment form: amount and orders; per-order amounts are optional (`alloc_<orderId>`). */
export function paymentFieldsSchema({ currency }: { currency: string }) {
  return v.object({
    amount: moneyField(currency, { required: true, positive: true }),
    paidOn: isoDateField(),
    method: v.picklist(paymentMethods, 'receivables.payments.methodInvalid'),
    reference: optionalText(120),
    orders: v.pipe(
      checkedValues,
      v.transform((ids) => [...new Set(ids.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0))]),
      v.minLength(1, 'receivables.payments.ordersRequired'),
    ),
  });
}

export function promiseFieldsSchema({ currency }: { currency: string }) {
  return v.object({
    promiseAmount: moneyField(currency, { required: true, positive: true }),
    promisedDate: isoDateField(),
  });
}

export interface PaymentInput {
  amount: number;
  paidOn: IsoDate;
  method: string;
  reference: string | null;
  /** The orders paid; without `allocations` the amount goes to the oldest due first. */
  orders: number[];
  /** Explicit amount per order (order id → minor units); their sum must be the payment's amount. */
  allocations?: Record<number, number>;
  source?: Payment['source'];
  /** A receipt the debtor uploaded, already in file storage. */
  receiptKey?: string | null;
}

/** What a new payment record holds, on orders or on a campaign entry, before what it pays. */
export function newPaymentRecord(scope: Scope, input: Pick<PaymentInput, 'amount' | 'paidOn' | 'method' | 'reference' | 'source' | 'receiptKey'>) {
  return {
    tenantId: scope.tenantId,
    amount: input.amount,
    paidOn: input.paidOn,
    method: input.method,
    reference: input.reference,
    source: input.source ?? 'staff',
    receiptKey: input.receiptKey ?? null,
    createdBy: scope.actor?.id ?? null,
    createdAt: scope.clock.now(),
    updatedAt: scope.clock.now(),
  };
}

type Allocation = { orderId: number; amount: number };

/**
 * Splits a payment over the chosen orders. Without explicit amounts, the oldest due order is
 * paid first; what is left over stays on the last one as a credit when the tenant allows it.
 */
function allocate(
  orders: { id: number; balance: number }[],
  input: PaymentInput,
  allowOverpayment: boolean,
): { ok: true; allocations: Allocation[] } | Failure {
  const owed = (o: { balance: number }) => Math.max(0, o.balance);
  if (input.allocations) {
    const list = orders.map((o) => ({ orderId: o.id, amount: input.allocations![o.id] ?? 0 })).filter((a) => a.amount > 0);
    const total = list.reduce((s, a) => s + a.amount, 0);
    if (total !== input.amount) return fail('amount', 'receivables.payments.allocationMismatch');
    if (!allowOverpayment && list.some((a) => a.amount > owed(orders.find((o) => o.id === a.orderId)!))) {
      return fail('amount', 'receivables.payments.exceedsBalance');
    }
    return { ok: true, allocations: list };
  }
  const list: Allocation[] = [];
  let remaining = input.amount;
  for (const order of orders) {
    const part = Math.min(remaining, owed(order));
    if (part > 0) list.push({ orderId: order.id, amount: part });
    remaining -= part;
  }
  if (remaining > 0) {
    if (!allowOverpayment) return fail('amount', 'receivables.payments.exceedsBalance');
    const last = orders[orders.length - 1]!;
    const existing = list.find((a) => a.orderId === last.id);
    if (existing) existing.amount += remaining;
    else list.push({ orderId: last.id, amount: remaining });
  }
  return { ok: true, allocations: list };
}

export async function registerPayment(scope: Scope, clientId: number, input: PaymentInput): Promise<{ ok: true; payment: Payment } | Failure | NotFound> {
  return scope.db.transaction(async (tx) => {
    if (!(await lockLiveClient(tx, scope.tenantId, clientId))) return notFound;
    const orders = await tx
      .select({ id: paymentOrders.id, balance: paymentOrders.balance, paymentCode: paymentOrders.paymentCode, issueDate: paymentOrders.issueDate })
      .from(paymentOrders)
      .where(
        and(
          eq(paymentOrders.tenantId, scope.tenantId),
          eq(paymentOrders.clientId, clientId),
          eq(paymentOrders.annulled, false),
          inArray(paymentOrders.id, input.orders),
        ),
      )
      .orderBy(asc(paymentOrders.dueDate), asc(paymentOrders.id));
    if (orders.length === 0 || orders.length !== new Set(input.orders).size) return fail('orders', 'receivables.payments.ordersInvalid');
    // "The oldest first" among the orders already issued that day, then those issued later
    // (which may fall due earlier): money that reaches one of these is refused below, as paid
    // before the order existed, rather than taking an issued order's place.
    orders.sort((a, b) => Number(a.issueDate > input.paidOn) - Number(b.issueDate > input.paidOn));
    // Money not yet paid is a promise, not a payment: a future date would also keep promises it cannot.
    if (input.paidOn > (await tenantToday(scope, tx))) return fail('paidOn', 'receivables.payments.paidInFuture');
    const settings = await settingsOf(tx, scope.tenantId);
    let split: ReturnType<typeof allocate>;
    if (input.source === 'portal') {
      // A debtor reports what they paid: what they already reported and is still to verify
      // counts, so a retry on a slow network or a double tap does not report the same money
      // twice, and they cannot report more than they owe. The money goes to what those
      // reports leave owed (the oldest first), so that every report can be verified. The
      // client's row is locked above, so two reports sent at once are weighed one after the other.
      const reported = await pendingByOrder(tx, scope.tenantId, orders.map((o) => o.id));
      const left = orders.map((o) => ({ ...o, balance: Math.max(0, o.balance) - (reported.get(o.id) ?? 0) }));
      split = allocate(left, input, false);
      if (!split.ok) return fail('amount', 'receivables.payments.exceedsReported');
    } else {
      split = allocate(orders, input, settings.allowOverpayment);
      if (!split.ok) return split;
    }
    // Nothing is paid on an order before it was issued: on the orders the money goes to (a
    // debtor's "oldest first" may pass over orders issued later than the payment).
    const receiving = new Set(split.allocations.map((a) => a.orderId));
    const unissued = orders.find((o) => receiving.has(o.id) && input.paidOn < o.issueDate);
    if (unissued) return fail('paidOn', `receivables.payments.beforeIssue?code=${encodeURIComponent(unissued.paymentCode)}&date=${dayText(unissued.issueDate)}`);
    const [payment] = await tx
      .insert(payments)
      .values({ ...newPaymentRecord(scope, input), clientId })
      .returning();
    await tx.insert(paymentAllocations).values(split.allocations.map((a) => ({ tenantId: scope.tenantId, paymentId: payment!.id, ...a })));
    const codes = new Map(orders.map((o) => [o.id, o.paymentCode]));
    await recordClientEvent(scope, tx, clientId, 'payment.registered', {
      paymentId: payment!.id,
      amount: input.amount,
      paidOn: input.paidOn,
      method: input.method,
      reference: input.reference,
      orders: split.allocations.map((a) => ({ orderId: a.orderId, paymentCode: codes.get(a.orderId), amount: a.amount })),
      from: null,
      to: 'por_verificar',
      source: input.source ?? 'staff',
    });
    return { ok: true, payment: payment! } as const;
  });
}

/** What payments still to verify put on each of these orders, in minor units. */
async function pendingByOrder(db: Db, tenantId: number, orderIds: number[]): Promise<Map<number, number>> {
  const found = await db
    .select({ orderId: paymentAllocations.orderId, amount: sql<number>`sum(${paymentAllocations.amount})::bigint`.mapWith(Number) })
    .from(paymentAllocations)
    .innerJoin(payments, and(eq(payments.tenantId, paymentAllocations.tenantId), eq(payments.id, paymentAllocations.paymentId)))
    .where(and(eq(paymentAllocations.tenantId, tenantId), inArray(paymentAllocations.orderId, orderIds), eq(payments.state, 'por_verificar')))
    .groupBy(paymentAllocations.orderId);
  return new Map(found.map((row) => [row.orderId, row.amount]));
}

/** Which states a payment may move to from each state. A verified payment may still be annulled. */
export const paymentTransitions: Record<PaymentState, readonly PaymentState[]> = {
  por_verificar: ['verificado', 'no_verificado', 'anulado'],
  verificado: ['anulado'],
  no_verificado: [],
  anulado: [],
};

/** The states a payment never leaves (see paymentTransitions): staff confirm before moving one there. */
export type FinalPaymentState = Extract<PaymentState, 'no_verificado' | 'anulado'>;

/** The resource under a payment that makes each change (POST …/<id>/verification), for receivables and campaigns alike. */
export const transitionPaths = { verificado: 'verification', no_verificado: 'rejection', anulado: 'annulment' } as const satisfies Record<Exclude<PaymentState, 'por_verificar'>, string>;

const eventOf: Record<Exclude<PaymentState, 'por_verificar'>, string> = {
  verificado: 'payment.verified',
  no_verificado: 'payment.rejected',
  anulado: 'payment.annulled',
};

export const verifyPayment = (scope: Scope, paymentId: number) => changePaymentState(scope, paymentId, 'verificado');
export const rejectPayment = (scope: Scope, paymentId: number) => changePaymentState(scope, paymentId, 'no_verificado');
export const annulPayment = (scope: Scope, paymentId: number) => changePaymentState(scope, paymentId, 'anulado');

async function changePaymentState(
  scope: Scope,
  paymentId: number,
  to: Exclude<PaymentState, 'por_verificar'>,
): Promise<{ ok: true; payment: Payment } | Failure | NotFound> {
  return scope.db.transaction(async (tx) => {
    const [found] = await tx
      .select({ clientId: payments.clientId })
      .from(payments)
      .where(and(eq(payments.tenantId, scope.tenantId), eq(payments.id, paymentId)));
    if (!found || !(await lockLiveClient(tx, scope.tenantId, found.clientId))) return notFound;
    const [current] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.tenantId, scope.tenantId), eq(payments.id, paymentId)))
      .for('update');
    if (!paymentTransitions[current!.state].includes(to)) return fail('state', 'receivables.payments.transitionNotAllowed');
    const allocations = await tx
      .select({
        orderId: paymentAllocations.orderId,
        amount: paymentAllocations.amount,
        balance: paymentOrders.balance,
        paymentCode: paymentOrders.paymentCode,
        annulled: paymentOrders.annulled,
      })
      .from(paymentAllocations)
      .innerJoin(paymentOrders, and(eq(paymentOrders.tenantId, paymentAllocations.tenantId), eq(paymentOrders.id, paymentAllocations.orderId)))
      .where(and(eq(paymentAllocations.tenantId, scope.tenantId), eq(paymentAllocations.paymentId, paymentId)));
    if (to === 'verificado') {
      // An annulled order is owed nothing: money verified on it would reduce no debt and show nowhere.
      if (allocations.some((a) => a.annulled)) return fail('state', 'receivables.payments.orderAnnulled');
      // Another payment may have been verified since this one was registered.
      const settings = await settingsOf(tx, scope.tenantId);
      if (!settings.allowOverpayment && allocations.some((a) => a.amount > Math.max(0, a.balance))) {
        return fail('state', 'receivables.payments.exceedsBalance');
      }
    }
    const [payment] = await tx
      .update(payments)
      .set({ state: to, updatedAt: scope.clock.now() })
      .where(and(eq(payments.tenantId, scope.tenantId), eq(payments.id, paymentId)))
      .returning();
    const orderIds = allocations.map((a) => a.orderId);
    if (to === 'verificado' || current!.state === 'verificado') {
      await refreshOrdersPaid(tx, scope.tenantId, orderIds);
      await refreshClientBalances(tx, scope.tenantId, [current!.clientId]);
    }
    await recordClientEvent(scope, tx, current!.clientId, eventOf[to], {
      paymentId,
      amount: current!.amount,
      paidOn: current!.paidOn,
      orders: allocations.map((a) => ({ orderId: a.orderId, paymentCode: a.paymentCode, amount: a.amount })),
      from: current!.state,
      to,
    });
    if (to === 'verificado' || current!.state === 'verificado') await settlePromises(scope, tx, current!.clientId);
    return { ok: true, payment: payment! } as const;
  });
}

export async function makePromise(
  scope: Scope,
  clientId: number,
  input: { amount: number; promisedDate: IsoDate; source?: Promise_['source'] },
): Promise<{ ok: true; promise: Promise_ } | Failure | NotFound> {
  return scope.db.transaction(async (tx) => {
    const client = await lockLiveClient(tx, scope.tenantId, clientId);
    if (!client) return notFound;
    const today = await tenantToday(scope, tx);
    const settings = await settingsOf(tx, scope.tenantId);
    if (input.amount <= 0) return fail('amount', 'receivables.money.notPositive');
    if (client.totalBalance <= 0) return fail('amount', 'receivables.promises.nothingOwed');
    if (input.amount > client.totalBalance) return fail('amount', 'receivables.promises.aboveBalance');
    // Promises not yet kept nor due count too: three promises of the whole debt promise it three times.
    const [pending] = await tx
      .select({ total: sql<number>`coalesce(sum(${promises.amount}), 0)::bigint`.mapWith(Number) })
      .from(promises)
      .where(and(eq(promises.tenantId, scope.tenantId), eq(promises.clientId, clientId), isNull(promises.keptOn), sql`${promises.promisedDate} >= ${today}`));
    if (pending!.total > 0 && input.amount + pending!.total > Math.max(0, client.totalBalance)) return fail('amount', 'receivables.promises.aboveBalanceWithPending');
    // Payments still to verify will pay part of the debt: what is promised is what they leave.
    // Only what they put on orders still counting (one on an annulled order can never be verified).
    const [unverified] = await tx
      .select({ total: sql<number>`coalesce(sum(${paymentAllocations.amount}), 0)::bigint`.mapWith(Number) })
      .from(paymentAllocations)
      .innerJoin(payments, and(eq(payments.tenantId, paymentAllocations.tenantId), eq(payments.id, paymentAllocations.paymentId)))
      .innerJoin(paymentOrders, and(eq(paymentOrders.tenantId, paymentAllocations.tenantId), eq(paymentOrders.id, paymentAllocations.orderId)))
      .where(and(eq(paymentAllocations.tenantId, scope.tenantId), eq(payments.clientId, clientId), eq(payments.state, 'por_verificar'), eq(paymentOrders.annulled, false)));
    if (unverified!.total > 0 && input.amount + pending!.total + unverified!.total > Math.max(0, client.totalBalance)) {
      return fail('amount', 'receivables.promises.aboveBalanceWithUnverified');
    }
    if (input.promisedDate < today || input.promisedDate > addDays(today, settings.promiseMaxDays)) {
      return fail('promisedDate', settings.promiseMaxDays === 1 ? 'receivables.promises.dateRangeOne' : `receivables.promises.dateRange?max=${settings.promiseMaxDays}`);
    }
    const [promise] = await tx
      .insert(promises)
      .values({
        tenantId: scope.tenantId,
        clientId,
        amount: input.amount,
        promisedDate: input.promisedDate,
        madeOn: today,
        source: input.source ?? 'staff',
        createdBy: scope.actor?.id ?? null,
        createdAt: scope.clock.now(),
      })
      .returning();
    await recordClientEvent(scope, tx, clientId, 'promise.made', { promiseId: promise!.id, amount: input.amount, promisedDate: input.promisedDate, from: null, to: 'pending', source: input.source ?? 'staff' });
    await settlePromises(scope, tx, clientId);
    const [fresh] = await tx.select().from(promises).where(and(eq(promises.tenantId, scope.tenantId), eq(promises.id, promise!.id)));
    return { ok: true, promise: fresh! } as const;
  });
}
