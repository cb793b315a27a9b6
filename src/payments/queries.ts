import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { paymentOrders, type PaymentOrder } from '../payment-orders/schema.js';
import { orderStatusOf, type OrderStatus } from '../payment-orders/status.js';
import type { IsoDate } from '../platform/dates.js';
import { paymentAllocations, payments, promises, type Payment, type Promise_ } from './schema.js';
import { promiseState, type PromiseState } from './promises.js';

export type StatementOrder = PaymentOrder & { status: OrderStatus };
export interface StatementGroup {
  product: string | null;
  orders: StatementOrder[];
  balance: number;
}
export interface Statement {
  groups: StatementGroup[];
  /** Orders that can still receive a payment (not annulled), oldest due first. */
  payable: StatementOrder[];
  totalBalance: number;
  totalOverdue: number;
  oldestOverdueDueDate: IsoDate | null;
  payments: (Payment & { allocations: { orderId: number; paymentCode: string; amount: number }[] })[];
  promises: (Promise_ & { state: PromiseState })[];
}

/**
 * What the statement's debt leaves for later: the balances of orders issued after today,
 * which no payment made today can reach (a payment is never dated before its order's issue).
 */
export function owedLater(statement: Pick<Statement, 'payable'>, today: IsoDate): number {
  return statement.payable.reduce((sum, o) => (o.issueDate > today && o.balance > 0 ? sum + o.balance : sum), 0);
}

/** The client's statement ("Estado de cuenta"): orders by product, totals, payments and promises. */
export async function statementOf(db: Db, tenantId: number, clientId: number, today: IsoDate): Promise<Statement> {
  const orders = await db
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.clientId, clientId)))
    .orderBy(asc(paymentOrders.product), asc(paymentOrders.dueDate), asc(paymentOrders.id));
  const withStatus = orders.map((o) => ({ ...o, status: orderStatusOf(o, today) }));
  const groups = new Map<string, StatementGroup>();
  for (const order of withStatus) {
    const key = order.product ?? '';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { product: order.product, orders: [], balance: 0 }));
    group.orders.push(order);
    if (!order.annulled) group.balance += order.balance;
  }
  const live = withStatus.filter((o) => !o.annulled);
  const overdue = live.filter((o) => o.status === 'vencida');
  const paymentRows = await db
    .select()
    .from(payments)
    .where(and(eq(payments.tenantId, tenantId), eq(payments.clientId, clientId)))
    .orderBy(desc(payments.paidOn), desc(payments.id));
  const allocationRows = await db
    .select({ paymentId: paymentAllocations.paymentId, orderId: paymentAllocations.orderId, amount: paymentAllocations.amount, paymentCode: paymentOrders.paymentCode })
    .from(paymentAllocations)
    .innerJoin(paymentOrders, and(eq(paymentOrders.tenantId, paymentAllocations.tenantId), eq(paymentOrders.id, paymentAllocations.orderId)))
    .where(and(eq(paymentAllocations.tenantId, tenantId), eq(paymentOrders.clientId, clientId)));
  const promiseRows = await db
    .select()
    .from(promises)
    .where(and(eq(promises.tenantId, tenantId), eq(promises.clientId, clientId)))
    .orderBy(desc(promises.promisedDate), desc(promises.id));
  return {
    groups: [...groups.values()],
    payable: [...live].sort((a, b) => (a.dueDate === b.dueDate ? a.id - b.id : a.dueDate < b.dueDate ? -1 : 1)),
    totalBalance: live.reduce((s, o) => s + o.balance, 0),
    totalOverdue: overdue.reduce((s, o) => s + o.balance, 0),
    oldestOverdueDueDate: overdue.reduce<IsoDate | null>((min, o) => (min === null || o.dueDate < min ? o.dueDate : min), null),
    payments: paymentRows.map((p) => ({ ...p, allocations: allocationRows.filter((a) => a.paymentId === p.id) })),
    promises: promiseRows.map((p) => ({ ...p, state: promiseState(p, today) })),
  };
}

export async function findPayment(db: Db, tenantId: number, paymentId: number) {
  const [payment] = await db.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
  return payment;
}
