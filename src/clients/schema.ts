import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/schema.js';
import { users } from '../users/schema.js';

export const clientStatuses = ['activo', 'inactivo'] as const;
export const contactabilities = ['contactable', 'no_contactable', 'problemas_contactabilidad'] as const;
export const portfolios = ['vigente', 'castigada'] as const;

/**
 * The debtors. Besides what staff type in, each row carries what its situation needs,
 * kept exact in the same transaction as every change to orders, payments and claims
 * (see ./derived.ts): the count of unpaid orders, the oldest unpaid due date, the total
 * balance, and the open claims.
 */
export const clients = pgTable(
  'clients',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    documentType: text().notNull(),
    documentNumber: text().notNull(),
    name: text().notNull(),
    email: text(),
    /** E.164, e.g. +51987654321. */
    phone: text(),
    segment: text(),
    status: text({ enum: clientStatuses }).notNull().default('activo'),
    supervisorId: bigint({ mode: 'number' }),
    advisorId: bigint({ mode: 'number' }),
    contactability: text({ enum: contactabilities }).notNull().default('contactable'),
    contactAlerts: text().array().notNull().default(sql`'{}'::text[]`),
    portfolio: text({ enum: portfolios }).notNull().default('vigente'),
    /** Tenant-defined variables (Ajustes): key → value. */
    additional: jsonb().$type<Record<string, string>>().notNull().default({}),

    // Derived, never typed in.
    unpaidOrders: integer().notNull().default(0),
    oldestUnpaidDueDate: date(),
    totalBalance: bigint({ mode: 'number' }).notNull().default(0),
    openClaims: integer().notNull().default(0),
    openClaimCategories: text().array().notNull().default(sql`'{}'::text[]`),

    deletedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.advisorId], foreignColumns: [users.tenantId, users.id] }),
    foreignKey({ columns: [t.tenantId, t.supervisorId], foreignColumns: [users.tenantId, users.id] }),
    uniqueIndex('clients_document').on(t.tenantId, t.documentType, t.documentNumber).where(sql`${t.deletedAt} is null`),
    // Situation ranges and the tray's sort by situation (oldest due date, then id, either way) read from here;
    // without the id a page sorted by situation re-sorted every client sharing its first date (all the finalizados).
    index('clients_situation').on(t.tenantId, t.oldestUnpaidDueDate, t.id).where(sql`${t.deletedAt} is null`),
    index('clients_advisor_situation').on(t.tenantId, t.advisorId, t.oldestUnpaidDueDate).where(sql`${t.deletedAt} is null`),
    // Names are searched and sorted folded, regardless of case and accents (src/platform/search.ts).
    index('clients_name').on(t.tenantId, sql`saldo_fold(${t.name}) text_pattern_ops`),
    // The tray's default order (name, then id) read from an index: no sort of the whole tenant, and deep pages stay cheap.
    // The name itself ends the key (the id already decides the order) so that PostgreSQL can walk past the rows a deep
    // page skips in the index alone, without reading each from the table.
    index('clients_tray_name').on(t.tenantId, sql`saldo_fold(${t.name})`, t.id, t.name).where(sql`${t.deletedAt} is null`),
    // Clients with an open claim are few: "con reclamo" reads them here instead of scanning the tenant.
    index('clients_open_claims').on(t.tenantId, sql`saldo_fold(${t.name})`, t.id).where(sql`${t.deletedAt} is null and ${t.openClaims} > 0`),
    // The delinquency buckets also require no open claim; with it in the predicate their capped count is index-only.
    index('clients_owing').on(t.tenantId, t.oldestUnpaidDueDate).where(sql`${t.deletedAt} is null and ${t.openClaims} = 0`),
    index('clients_document_number').on(t.tenantId, t.documentNumber),
    index('clients_email').on(t.tenantId, sql`lower(${t.email})`),
    index('clients_phone').on(t.tenantId, t.phone),
    check('clients_status', sql`${t.status} in ('activo', 'inactivo')`),
    check('clients_portfolio', sql`${t.portfolio} in ('vigente', 'castigada')`),
    check('clients_contactability', sql`${t.contactability} in ('contactable', 'no_contactable', 'problemas_contactabilidad')`),
    check('clients_derived', sql`${t.unpaidOrders} >= 0 and ${t.openClaims} >= 0`),
  ],
);

export type Client = typeof clients.$inferSelect;

/**
 * Every word of every client's name, folded (src/platform/search.ts), so that the search box
 * finds "Pérez" in "José Pérez Quispe" through an index (decision 0018). Kept by triggers on
 * `clients` (migration 0020) in the same statement as every insert, rename, soft delete,
 * restore and removal, whoever writes the row: forms, uploads, campaign files, the demo's
 * COPY. `deleted` follows `clients.deleted_at`, so the tray's live clients and its Eliminado
 * are each one range. `word` sorts by code point (COLLATE "C" in the migration), so a word
 * prefix is a range of the key; within one word the rows sit in the tray's name order
 * (`sort_name` is `saldo_fold(name)`), so a page of matches is read from the index, not
 * sorted, and without visiting `clients` unless other filters need it.
 */
export const clientNameWords = pgTable(
  'client_name_words',
  {
    tenantId: bigint({ mode: 'number' }).notNull(),
    deleted: boolean().notNull(),
    word: text().notNull(),
    sortName: text().notNull(),
    clientId: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.deleted, t.word, t.sortName, t.clientId] })],
);
