import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/schema.js';
import { users } from '../users/schema.js';

export const processKinds = ['import', 'export'] as const;
export const processStates = ['queued', 'running', 'completed', 'completed_with_errors', 'failed', 'discarded'] as const;
export type ProcessState = (typeof processStates)[number];

/** The counts an upload or a download reports. */
export interface ProcessCounts {
  rows?: number;
  create?: number;
  update?: number;
  unchanged?: number;
  rejected?: number;
}

/**
 * One upload or download (Log de procesos). Imports pass through `stage`: mapping →
 * validating → validated → applying → applied; the files live in storage under the keys.
 */
export const fileProcesses = pgTable(
  'file_processes',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    kind: text({ enum: processKinds }).notNull(),
    /** What is imported or exported: clients, orders, claims… */
    subject: text().notNull(),
    userId: bigint({ mode: 'number' }),
    state: text({ enum: processStates }).notNull().default('queued'),
    stage: text(),
    format: text().notNull(),
    progressDone: integer().notNull().default(0),
    progressTotal: integer(),
    counts: jsonb().$type<ProcessCounts>().notNull().default({}),
    /** Import: the column mapping; export: filters and columns. */
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    originalName: text(),
    originalKey: text(),
    errorReportKey: text(),
    resultKey: text(),
    /** Catalogue key of what went wrong, with params, shown to the user. */
    error: text(),
    scheduledFor: timestamp({ withTimezone: true }),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }),
    index('file_processes_created').on(t.tenantId, t.createdAt),
    index('file_processes_user').on(t.tenantId, t.userId, t.createdAt),
    check('file_processes_state', sql`${t.state} in ('queued', 'running', 'completed', 'completed_with_errors', 'failed', 'discarded')`),
    check('file_processes_kind', sql`${t.kind} in ('import', 'export')`),
  ],
);

export type FileProcess = typeof fileProcesses.$inferSelect;
