import { bigint, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tenants } from '../../tenants/schema.js';

/** Every message the platform sends, whether through SMTP or kept in the development outbox. */
export const mailMessages = pgTable(
  'mail_messages',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    to: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    html: text(),
    transport: text({ enum: ['outbox', 'smtp'] }).notNull(),
    status: text({ enum: ['sent', 'failed'] }).notNull(),
    error: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('mail_messages_created').on(t.tenantId, t.createdAt)],
);
