import { sql } from 'drizzle-orm';
import { bigint, boolean, check, foreignKey, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenants } from '../tenants/schema.js';

export const users = pgTable(
  'users',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    email: text().notNull(),
    name: text().notNull(),
    role: text({ enum: ['admin', 'supervisor', 'advisor'] }).notNull(),
    /** Per-user exceptions to the role's defaults: permission → granted. */
    permissionOverrides: jsonb().$type<Record<string, boolean>>().notNull().default({}),
    language: text({ enum: ['es', 'en'] }),
    passwordHash: text().notNull(),
    active: boolean().notNull().default(true),
    passwordChangedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('users_tenant_email').on(t.tenantId, sql`lower(${t.email})`),
    check('users_role', sql`${t.role} in ('admin', 'supervisor', 'advisor')`),
  ],
);

export type User = typeof users.$inferSelect;

/** What a user chose to remember per screen, such as the clients tray's columns. */
export const userPreferences = pgTable(
  'user_preferences',
  {
    tenantId: bigint({ mode: 'number' }).notNull(),
    userId: bigint({ mode: 'number' }).notNull(),
    key: text().notNull(),
    value: jsonb().$type<unknown>().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId, t.key] }),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete('cascade'),
  ],
);
