import { sql } from 'drizzle-orm';
import { bigint, check, date, foreignKey, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import { paymentRecordColumns, type PaymentState } from '../payments/schema.js';
import { tenants } from '../tenants/schema.js';

export const discountTypes = ['porcentaje', 'monto'] as const;
export type DiscountType = (typeof discountTypes)[number];

/**
 * One client in one charged-off campaign. Amounts are minor units; a percentage discount is
 * kept in basis points (12.5 % → 1250). `campaign_amount` is fixed when the entry is written
 * (debt − discount, half-up, within 0…debt); `paid` is the sum of verified campaign payments,
 * and `total_due` follows from both. `closed_at` is set when the entry is paid or found
 * finished: while it is null the entry holds the client's single active slot (unique index).
 */
export const campaignEntries = pgTable(
  'campaign_entries',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    clientId: bigint({ mode: 'number' }).notNull(),
    campaignCode: text().notNull(),
    debtAmount: bigint({ mode: 'number' }).notNull(),
    discountType: text({ enum: discountTypes }).notNull(),
    /** Basis points for `porcentaje`, minor units for `monto`. */
    discountValue: bigint({ mode: 'number' }).notNull(),
    campaignAmount: bigint({ mode: 'number' }).notNull(),
    paid: bigint({ mode: 'number' }).notNull().default(0),
    totalDue: bigint({ mode: 'number' })
      .notNull()
      .generatedAlwaysAs(sql`campaign_amount - paid`),
    endDate: date(),
    paymentCode: text(),
    phone: text(),
    closedAt: timestamp({ withTimezone: true }),
    closedReason: text({ enum: ['paid', 'finished'] }),
    createdBy: bigint({ mode: 'number' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }),
    uniqueIndex('campaign_entries_one_per_campaign').on(t.tenantId, t.campaignCode, t.clientId),
    uniqueIndex('campaign_entries_one_active').on(t.tenantId, t.clientId).where(sql`${t.closedAt} is null`),
    index('campaign_entries_client').on(t.tenantId, t.clientId),
    index('campaign_entries_end').on(t.tenantId, t.endDate),
    check('campaign_entries_amounts', sql`${t.debtAmount} > 0 and ${t.discountValue} >= 0 and ${t.campaignAmount} between 0 and ${t.debtAmount} and ${t.paid} >= 0`),
    check('campaign_entries_percentage', sql`${t.discountType} <> 'porcentaje' or ${t.discountValue} <= 10000`),
    check('campaign_entries_discount_type', sql`${t.discountType} in ('porcentaje', 'monto')`),
  ],
);

/** The same lifecycle as the client's payments ("utiliza los mismos eventos"). */
export type CampaignPaymentState = PaymentState;

/** Payments on a campaign entry: separate from order payments, they never touch the original credit. */
export const campaignPayments = pgTable(
  'campaign_payments',
  {
    ...paymentRecordColumns(),
    entryId: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.entryId], foreignColumns: [campaignEntries.tenantId, campaignEntries.id] }),
    index('campaign_payments_entry').on(t.tenantId, t.entryId),
    index('campaign_payments_to_verify').on(t.tenantId, t.createdAt).where(sql`${t.state} = 'por_verificar'`),
    check('campaign_payments_amount', sql`${t.amount} > 0`),
  ],
);

/** "Compromiso de pago cartera castigada". */
export const campaignPromises = pgTable(
  'campaign_promises',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    entryId: bigint({ mode: 'number' }).notNull(),
    amount: bigint({ mode: 'number' }).notNull(),
    promisedDate: date().notNull(),
    madeOn: date().notNull(),
    source: text({ enum: ['staff', 'portal', 'import', 'api'] }).notNull().default('staff'),
    createdBy: bigint({ mode: 'number' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.entryId], foreignColumns: [campaignEntries.tenantId, campaignEntries.id] }),
    index('campaign_promises_entry').on(t.tenantId, t.entryId),
    check('campaign_promises_amount', sql`${t.amount} > 0`),
  ],
);

export type CampaignEntry = typeof campaignEntries.$inferSelect;
export type CampaignPayment = typeof campaignPayments.$inferSelect;
