import { sql } from 'drizzle-orm';
import { bigint, boolean, check, foreignKey, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { campaignEntries } from '../campaigns/schema.js';
import { clients } from '../clients/schema.js';
import { tenants } from '../tenants/schema.js';

export const portalKinds = ['customer', 'recovery'] as const;
export type PortalKind = (typeof portalKinds)[number];
export const captchaKinds = ['altcha', 'recaptcha'] as const;
export type CaptchaKind = (typeof captchaKinds)[number];

/** The option that must always be offered: it raises an alert for the client's advisor. */
export const ADVISOR_REASON = 'Necesito que un asesor me contacte';
export const defaultNotInterestedReasons = ['Ya pagué mi deuda', 'No reconozco esta deuda', 'No puedo pagar en este momento', ADVISOR_REASON];

/**
 * The two forms of the debtor portals (SPEC 6): the customer portal (cartera vigente) and the
 * recovery portal (cartera castigada). One row per tenant, created with defaults on first read;
 * the recovery portal is born inactive.
 */
export const portalSettings = pgTable(
  'portal_settings',
  {
    tenantId: bigint({ mode: 'number' })
      .primaryKey()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    customerTitle: text().notNull().default('Estado de cuenta'),
    customerWelcome: text().notNull().default('Consulta tus deudas y paga en línea.'),
    customerColor: text().notNull().default('#1f4e8c'),
    customerLogoKey: text(),
    bankDetails: text(),
    payLinkTemplate: text(),
    promisesEnabled: boolean().notNull().default(true),

    recoveryActive: boolean().notNull().default(false),
    recoveryTitle: text().notNull().default('Cancela tu deuda con descuento'),
    recoveryWelcome: text().notNull().default('Tenemos una oferta especial para ti.'),
    recoveryColor: text().notNull().default('#1f4e8c'),
    recoveryLogoKey: text(),
    recoveryBannerKey: text(),
    notInterestedReasons: text()
      .array()
      .notNull()
      .default(sql`array['Ya pagué mi deuda', 'No reconozco esta deuda', 'No puedo pagar en este momento', 'Necesito que un asesor me contacte']::text[]`),
    countdownEnabled: boolean().notNull().default(false),
    countdownHours: integer().notNull().default(48),
    captchaKind: text({ enum: captchaKinds }).notNull().default('altcha'),
    recaptchaSiteKey: text(),
    recaptchaSecret: text(),
    legalText: text(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('portal_settings_colors', sql`${t.customerColor} ~ '^#[0-9a-f]{6}$' and ${t.recoveryColor} ~ '^#[0-9a-f]{6}$'`),
    check('portal_settings_countdown', sql`${t.countdownHours} between 1 and 720`),
    check('portal_settings_captcha', sql`${t.captchaKind} in ('altcha', 'recaptcha')`),
  ],
);

/**
 * A debtor's identified visit: short-lived (sliding 30 minutes), its own cookie, and no
 * relation to staff sessions. Only the SHA-256 of the cookie's token is stored.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text().notNull(),
    clientId: bigint({ mode: 'number' }).notNull(),
    kind: text({ enum: portalKinds }).notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }).onDelete('cascade'),
    index('portal_sessions_client').on(t.tenantId, t.clientId),
    index('portal_sessions_expiry').on(t.tenantId, t.expiresAt),
    check('portal_sessions_kind', sql`${t.kind} in ('customer', 'recovery')`),
  ],
);

export type PortalSettings = typeof portalSettings.$inferSelect;
export type PortalSession = typeof portalSessions.$inferSelect;

/**
 * The recovery portal's countdown of one debtor in one campaign: it starts at their first
 * identified visit while the countdown is on, and the deadline is derived from it and the
 * current settings (hours, and the campaign's end date as a cap), so an extended campaign or
 * a changed number of hours applies to everyone. `expired_at` records, once, when the
 * server first saw the deadline pass.
 */
export const recoveryCountdowns = pgTable(
  'recovery_countdowns',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    entryId: bigint({ mode: 'number' }).notNull(),
    clientId: bigint({ mode: 'number' }).notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    expiredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.entryId] }),
    foreignKey({ columns: [t.tenantId, t.entryId], foreignColumns: [campaignEntries.tenantId, campaignEntries.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }).onDelete('cascade'),
  ],
);


/**
 * Captcha solutions already accepted (SHA-256 of the challenge's identity), kept until the
 * challenge expires: a signed challenge stays valid until then, so without this row the same
 * solution could be replayed.
 */
export const captchaUses = pgTable(
  'captcha_uses',
  {
    tenantId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    id: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index('captcha_uses_expiry').on(t.tenantId, t.expiresAt)],
);
