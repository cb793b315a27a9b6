import { sql, type SQL } from 'drizzle-orm';
import type { IsoDate } from '../platform/dates.js';
import { paymentOrders, type PaymentOrder } from './schema.js';

export const orderStatuses = ['pendiente', 'vencida', 'pagada', 'anulada'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export function isOrderStatus(value: string): value is OrderStatus {
  return (orderStatuses as readonly string[]).includes(value);
}

/** SPEC section 3: annulled first, then paid (balance ≤ 0), then overdue when the due date is before today. */
export function orderStatusOf(order: Pick<PaymentOrder, 'annulled' | 'balance' | 'dueDate'>, today: IsoDate): OrderStatus {
  if (order.annulled) return 'anulada';
  if (order.balance <= 0) return 'pagada';
  return order.dueDate < today ? 'vencida' : 'pendiente';
}

/** The same rule as a WHERE, for the tray's filter. */
export function orderStatusWhere(status: OrderStatus, today: IsoDate): SQL {
  const o = paymentOrders;
  switch (status) {
    case 'anulada':
      return sql`${o.annulled}`;
    case 'pagada':
      return sql`not ${o.annulled} and ${o.balance} <= 0`;
    case 'vencida':
      return sql`not ${o.annulled} and ${o.balance} > 0 and ${o.dueDate} < ${today}::date`;
    case 'pendiente':
      return sql`not ${o.annulled} and ${o.balance} > 0 and ${o.dueDate} >= ${today}::date`;
  }
}
