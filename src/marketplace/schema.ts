import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/schema.js';

/**
 * Every activation and deactivation of a marketplace app, with the price the tenant accepted:
 * what billing reads. The current state lives on `tenants.enabled_apps`.
 */
export const appActivations = pgTable(
  'app_activations',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    app: text().notNull(),
    action: text({ enum: ['enabled', 'disabled'] }).notNull(),
    plan: text().notNull(),
    /** Monthly price in US cents accepted at activation (0 when free on the plan). */
    priceUsdCents: integer().notNull(),
    actorId: bigint({ mode: 'number' }),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('app_activations_app').on(t.tenantId, t.app, t.occurredAt)],
);
