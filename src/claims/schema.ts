import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import { paymentOrders } from '../payment-orders/schema.js';
import { tenants } from '../tenants/schema.js';
import { users } from '../users/schema.js';

/** SPEC section 4: the four kinds of dispute. */
export const claimCategories = ['condiciones_contractuales', 'errores_facturacion', 'problemas_pago', 'problemas_producto'] as const;
export type ClaimCategory = (typeof claimCategories)[number];
export const claimStates = ['abierto', 'cerrado'] as const;
export type ClaimState = (typeof claimStates)[number];

export function isClaimCategory(value: string): value is ClaimCategory {
  return (claimCategories as readonly string[]).includes(value);
}

/** Who raised a claim: staff, or the debtor from the customer portal. */
export const claimSources = ['staff', 'portal'] as const;
export type ClaimSource = (typeof claimSources)[number];

/**
 * A client's dispute. The two-open rule lives in the indexes: an open claim holds one of the
 * client's two slots (`open_slot` 1 or 2, unique among open claims) and its category is
 * unique among the client's open claims, so no code path can make a third open claim or
 * two open claims of one category, whatever the concurrency.
 */
export const claims = pgTable(
  'claims',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    clientId: bigint({ mode: 'number' }).notNull(),
    category: text({ enum: claimCategories }).notNull(),
    state: text({ enum: claimStates }).notNull().default('abierto'),
    openSlot: smallint(),
    description: text().notNull(),
    /** Internal comments: staff notes that are not part of the client's description. */
    comments: text(),
    createdById: bigint({ mode: 'number' }),
    /** Who raised it: staff, or the debtor from the customer portal (then createdById is null). */
    source: text({ enum: claimSources }).notNull().default('staff'),
    closedById: bigint({ mode: 'number' }),
    /** When it was first opened (the tray's date range). */
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When it was last opened or reopened. */
    openedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp({ withTimezone: true }),
    /** Time to resolve: the seconds it has spent open, over every opening, counted at each closing. */
    resolutionSeconds: integer(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }),
    foreignKey({ columns: [t.tenantId, t.createdById], foreignColumns: [users.tenantId, users.id] }),
    foreignKey({ columns: [t.tenantId, t.closedById], foreignColumns: [users.tenantId, users.id] }),
    uniqueIndex('claims_open_category').on(t.tenantId, t.clientId, t.category).where(sql`${t.state} = 'abierto'`),
    uniqueIndex('claims_open_slot').on(t.tenantId, t.clientId, t.openSlot).where(sql`${t.state} = 'abierto'`),
    index('claims_client').on(t.tenantId, t.clientId, t.createdAt),
    index('claims_tray').on(t.tenantId, t.state, t.createdAt, t.id),
    check('claims_category', sql`${t.category} in ('condiciones_contractuales', 'errores_facturacion', 'problemas_pago', 'problemas_producto')`),
    check(
      'claims_state_slot',
      sql`(${t.state} = 'abierto' and ${t.openSlot} is not null and ${t.openSlot} in (1, 2) and ${t.closedAt} is null)
       or (${t.state} = 'cerrado' and ${t.openSlot} is null and ${t.closedAt} is not null)`,
    ),
    check('claims_resolution', sql`${t.resolutionSeconds} is null or ${t.resolutionSeconds} >= 0`),
    // A debtor's claim has no staff author.
    check('claims_source', sql`${t.source} in ('staff', 'portal') and (${t.source} = 'staff' or ${t.createdById} is null)`),
  ],
);

export type Claim = typeof claims.$inferSelect;

/** The payment orders a claim is about; the service admits only orders of the claim's client. */
export const claimOrders = pgTable(
  'claim_orders',
  {
    tenantId: bigint({ mode: 'number' }).notNull(),
    claimId: bigint({ mode: 'number' }).notNull(),
    orderId: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.claimId, t.orderId] }),
    foreignKey({ columns: [t.tenantId, t.claimId], foreignColumns: [claims.tenantId, claims.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.orderId], foreignColumns: [paymentOrders.tenantId, paymentOrders.id] }),
    index('claim_orders_order').on(t.tenantId, t.orderId),
  ],
);

/** A claim's history: one row per changed field, with who, when, and the value before and after. */
export const claimEvents = pgTable(
  'claim_events',
  {
    tenantId: bigint({ mode: 'number' }).notNull(),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    claimId: bigint({ mode: 'number' }).notNull(),
    actorId: bigint({ mode: 'number' }),
    /** `state`, `category`, `description`, `comments` or `orders` (payment codes). */
    field: text().notNull(),
    before: jsonb().$type<string | string[] | null>(),
    after: jsonb().$type<string | string[] | null>(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.claimId], foreignColumns: [claims.tenantId, claims.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.actorId], foreignColumns: [users.tenantId, users.id] }),
    index('claim_events_claim').on(t.tenantId, t.claimId, t.occurredAt),
  ],
);

export type ClaimEvent = typeof claimEvents.$inferSelect;
