import { bigint, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import { tenants } from '../tenants/schema.js';

/**
 * The client's history: every payment state change, promise, claim change, campaign event,
 * message and portal visit, appended with who and when. It feeds Interacciones,
 * Conversaciones, event messages and the audit trail.
 */
export const clientEvents = pgTable(
  'client_events',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    clientId: bigint({ mode: 'number' }).notNull(),
    /** Dotted name such as `payment.verified`, `promise.made`, `claim.opened`, `portal.identified`. */
    type: text().notNull(),
    /** The staff user who acted; null for the debtor, the system or an import. */
    actorId: bigint({ mode: 'number' }),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }),
    index('client_events_client').on(t.tenantId, t.clientId, t.occurredAt),
    index('client_events_type').on(t.tenantId, t.type, t.occurredAt),
  ],
);

export type ClientEvent = typeof clientEvents.$inferSelect;
