import { bigint, boolean, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/schema.js';

/** Per-tenant switches for receivables. One row per tenant, created with defaults when missing. */
export const tenantSettings = pgTable('tenant_settings', {
  tenantId: bigint({ mode: 'number' })
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** When on, a payment may exceed what it pays; the excess shows as a credit. */
  allowOverpayment: boolean().notNull().default(false),
  /** How many days ahead a debtor may promise to pay. */
  promiseMaxDays: integer().notNull().default(30),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** The tenant's document types (DNI, CE, RUC…) with the rule a number must follow. */
export const documentTypes = pgTable(
  'document_types',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    code: text().notNull(),
    label: text().notNull(),
    /** A regular expression the whole number must match, e.g. ^\d{8}$ for DNI. */
    pattern: text().notNull(),
    position: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.code] })],
);

/** Additional client variables the tenant defines (key and label). */
export const clientVariables = pgTable(
  'client_variables',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    label: text().notNull(),
    position: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);
