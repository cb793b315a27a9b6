import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import { tenants } from '../tenants/schema.js';
import { users } from '../users/schema.js';

/** Why someone must act on a client: the debtor asked for an advisor, or raised a claim, from a portal. */
export const alertKinds = ['advisor_requested', 'claim_from_portal'] as const;
export type AlertKind = (typeof alertKinds)[number];

/**
 * Something a person must act on for a client, addressed to the client's advisor at the time
 * it was raised (or to nobody in particular when the client has none). One open alert per
 * client and kind: asking again while one is open does not pile up duplicates.
 */
export const alerts = pgTable(
  'alerts',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    clientId: bigint({ mode: 'number' }).notNull(),
    kind: text({ enum: alertKinds }).notNull(),
    /** Where it came from, e.g. `recovery` (the /recovery portal). */
    source: text().notNull(),
    advisorId: bigint({ mode: 'number' }),
    /** The debtor's words or the option they chose. */
    note: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the advisor was emailed about it (at most once). */
    notifiedAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    resolvedById: bigint({ mode: 'number' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.advisorId], foreignColumns: [users.tenantId, users.id] }),
    foreignKey({ columns: [t.tenantId, t.resolvedById], foreignColumns: [users.tenantId, users.id] }),
    uniqueIndex('alerts_one_open').on(t.tenantId, t.clientId, t.kind).where(sql`${t.resolvedAt} is null`),
    index('alerts_open_by_advisor').on(t.tenantId, t.advisorId, t.createdAt).where(sql`${t.resolvedAt} is null`),
    index('alerts_client').on(t.tenantId, t.clientId, t.createdAt),
    check('alerts_kind', sql`${t.kind} in ('advisor_requested', 'claim_from_portal')`),
  ],
);

export type Alert = typeof alerts.$inferSelect;
