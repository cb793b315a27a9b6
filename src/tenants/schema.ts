import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The tenant directory. It and its alias table are the only tables not keyed by
 * tenant: they are how a request finds its tenant (reference tables on a sharded setup).
 */
export const tenants = pgTable(
  'tenants',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    name: text().notNull(),
    subdomain: text().notNull().unique(),
    timezone: text().notNull(),
    currency: text().notNull(),
    locale: text().notNull(),
    country: text().notNull(),
    plan: text({ enum: ['essential', 'pro'] }).notNull().default('essential'),
    whatsappNumber: text(),
    /** Marketplace apps switched on (e.g. `charged_off`); see src/marketplace. */
    enabledApps: text().array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('tenants_subdomain_label', sql`${t.subdomain} ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'`),
    check('tenants_plan', sql`${t.plan} in ('essential', 'pro')`),
  ],
);

/** Former subdomains: requests to them are answered with a 301 to the tenant's current one. */
export const tenantSubdomainAliases = pgTable(
  'tenant_subdomain_aliases',
  {
    subdomain: text().primaryKey(),
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('tenant_subdomain_aliases_tenant').on(t.tenantId)],
);

export type Tenant = typeof tenants.$inferSelect;
