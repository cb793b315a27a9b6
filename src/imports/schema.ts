import { bigint, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/schema.js';

/** The header → field mapping a tenant last used for an import subject, offered next time. */
export const importMappings = pgTable(
  'import_mappings',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    subject: text().notNull(),
    /** Normalised header → field key. */
    mapping: jsonb().$type<Record<string, string>>().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.subject] })],
);

/**
 * The valid rows of an upload, checked and normalised, waiting to be applied. Staging is
 * outside the apply transaction (so progress shows while a big file is read); applying is
 * one set-wise transaction that also removes them, so an interrupted apply leaves nothing.
 * They carry no foreign key: PostgreSQL checks a foreign key once per staged row, which
 * made a 100,000-row upload's staging three to four times slower (about a second more) to
 * guard rows that only the import jobs write, for a Process log entry those jobs have just
 * read. The hourly maintenance removes rows whose entry is gone or can no longer be applied.
 *
 * Nor do they carry a primary key: a line is staged once by the one check that holds its
 * upload, and every statement reads an upload's rows whole. A BRIN index (a summary per
 * block range, next to nothing to keep up per row) finds them: rows are appended upload
 * by upload, and the table holds only the uploads under way. A b-tree on every staged
 * row cost a third of the COPY's time.
 */
export const importRows = pgTable(
  'import_rows',
  {
    tenantId: bigint({ mode: 'number' }).notNull(),
    processId: bigint({ mode: 'number' }).notNull(),
    line: integer().notNull(),
    /** Whether this row is the first of its client in the file (its client columns count). */
    firstOfClient: boolean().notNull(),
    documentType: text().notNull(),
    documentNumber: text().notNull(),
    name: text(),
    email: text(),
    phone: text(),
    segment: text(),
    status: text(),
    contactability: text(),
    portfolio: text(),
    contactAlerts: text().array(),
    /** The assignees the file names (null: the cell was blank or the column absent, and the stored ones stay). */
    supervisorId: bigint({ mode: 'number' }),
    advisorId: bigint({ mode: 'number' }),
    /** The additional variables the row fills (key → value); null when it fills none, and the stored ones stay. */
    additional: jsonb().$type<Record<string, string>>(),
    /** Null in a file of clients only. */
    paymentCode: text(),
    product: text(),
    amount: bigint({ mode: 'number' }),
    interest: bigint({ mode: 'number' }),
    discounts: bigint({ mode: 'number' }),
    issueDate: date(),
    dueDate: date(),
    annulled: boolean(),
    /**
     * On a client's first row, when the check worked them out: what the client's staged
     * orders add up to (unpaid orders, the oldest unpaid due date, the balance), which a new
     * client is written with. Null where the apply works them out itself.
     */
    clientUnpaid: integer(),
    clientOldest: date(),
    clientBalance: bigint({ mode: 'number' }),
  },
  (t) => [index('import_rows_process').using('brin', t.tenantId, t.processId)],
);
