import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, foreignKey, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import { tenants } from '../tenants/schema.js';

/**
 * One debt of a client. `paid` is the sum of verified payments allocated to it, kept in the
 * same transaction as the payment's state changes; `balance` ("monto total OP" of the order)
 * is computed by the database from the others.
 */
export const paymentOrders = pgTable(
  'payment_orders',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    clientId: bigint({ mode: 'number' }).notNull(),
    paymentCode: text().notNull(),
    product: text(),
    amount: bigint({ mode: 'number' }).notNull(),
    interest: bigint({ mode: 'number' }).notNull().default(0),
    discounts: bigint({ mode: 'number' }).notNull().default(0),
    paid: bigint({ mode: 'number' }).notNull().default(0),
    balance: bigint({ mode: 'number' })
      .notNull()
      .generatedAlwaysAs(sql`amount + interest - discounts - paid`),
    issueDate: date().notNull(),
    dueDate: date().notNull(),
    annulled: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }),
    uniqueIndex('payment_orders_code').on(t.tenantId, t.paymentCode),
    index('payment_orders_client').on(t.tenantId, t.clientId, t.dueDate),
    index('payment_orders_due').on(t.tenantId, t.dueDate),
    index('payment_orders_product').on(t.tenantId, t.product),
    check('payment_orders_amounts', sql`${t.amount} >= 0 and ${t.interest} >= 0 and ${t.discounts} >= 0 and ${t.paid} >= 0`),
    check('payment_orders_dates', sql`${t.dueDate} >= ${t.issueDate}`),
  ],
);

export type PaymentOrder = typeof paymentOrders.$inferSelect;
