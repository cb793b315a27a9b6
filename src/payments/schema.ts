import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, foreignKey, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import { paymentOrders } from '../payment-orders/schema.js';
import { tenants } from '../tenants/schema.js';

export const paymentStates = ['por_verificar', 'verificado', 'no_verificado', 'anulado'] as const;
export type PaymentState = (typeof paymentStates)[number];
export const paymentSources = ['staff', 'portal', 'import', 'api'] as const;

/**
 * The columns every payment record has, on orders (`payments`) and on a charged-off
 * campaign entry (`campaign_payments`): the same lifecycle, the same fields. A function,
 * so that each table gets builders of its own.
 */
export function paymentRecordColumns() {
  return {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    amount: bigint({ mode: 'number' }).notNull(),
    paidOn: date().notNull(),
    method: text().notNull(),
    reference: text(),
    state: text({ enum: paymentStates }).notNull().default('por_verificar'),
    source: text({ enum: paymentSources }).notNull().default('staff'),
    /** A receipt the debtor uploaded, in file storage. */
    receiptKey: text(),
    createdBy: bigint({ mode: 'number' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  };
}

/** A payment on one or more orders (cartera vigente). Only verified payments reduce balances. */
export const payments = pgTable(
  'payments',
  {
    ...paymentRecordColumns(),
    clientId: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }),
    index('payments_client').on(t.tenantId, t.clientId, t.paidOn),
    index('payments_state').on(t.tenantId, t.state),
    // Pagos por verificar: the ones still waiting, the longest waiting first.
    index('payments_to_verify').on(t.tenantId, t.createdAt).where(sql`${t.state} = 'por_verificar'`),
    check('payments_amount', sql`${t.amount} > 0`),
    check('payments_state', sql`${t.state} in ('por_verificar', 'verificado', 'no_verificado', 'anulado')`),
  ],
);

/** How a payment is split over the client's orders. */
export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    tenantId: bigint({ mode: 'number' }).notNull(),
    paymentId: bigint({ mode: 'number' }).notNull(),
    orderId: bigint({ mode: 'number' }).notNull(),
    amount: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.paymentId, t.orderId] }),
    foreignKey({ columns: [t.tenantId, t.paymentId], foreignColumns: [payments.tenantId, payments.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.orderId], foreignColumns: [paymentOrders.tenantId, paymentOrders.id] }),
    index('payment_allocations_order').on(t.tenantId, t.orderId),
    check('payment_allocations_amount', sql`${t.amount} > 0`),
  ],
);

/**
 * A promise to pay ("compromiso de pago"). Kept when verified payments made from the day it
 * was given reach the amount by the date; otherwise broken from the day after, in the
 * tenant's timezone. `keptOn` is set when it is kept; "broken" is derived from the date.
 */
export const promises = pgTable(
  'promises',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    clientId: bigint({ mode: 'number' }).notNull(),
    amount: bigint({ mode: 'number' }).notNull(),
    promisedDate: date().notNull(),
    madeOn: date().notNull(),
    keptOn: date(),
    /**
     * Kept because the client came to owe nothing by its date (orders paid, annulled or
     * lowered) rather than by payments made after promising; such a promise stays kept.
     */
    keptBySettlement: boolean().notNull().default(false),
    /** Set once by the daily run when the promise is found broken, so the event is recorded once. */
    brokenRecordedAt: timestamp({ withTimezone: true }),
    source: text({ enum: paymentSources }).notNull().default('staff'),
    createdBy: bigint({ mode: 'number' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }),
    index('promises_client').on(t.tenantId, t.clientId, t.promisedDate),
    check('promises_amount', sql`${t.amount} > 0`),
  ],
);

export type Payment = typeof payments.$inferSelect;
export type PaymentAllocation = typeof paymentAllocations.$inferSelect;
export type Promise_ = typeof promises.$inferSelect;
