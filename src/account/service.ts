import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { verifyPassword } from '../platform/auth/passwords.js';
import { clearLimit, hit, together, unhit, type Limit } from '../platform/auth/rate-limit.js';
import { passwordResetTokens } from '../platform/auth/schema.js';
import { createSession } from '../platform/auth/sessions.js';
import { generateToken, hashToken } from '../platform/auth/tokens.js';
import { languageOf, translator } from '../platform/i18n/index.js';
import type { Mailer } from '../platform/mail/index.js';
import type { Tenant } from '../tenants/schema.js';
import { findUserByEmail } from '../users/queries.js';
import { users } from '../users/schema.js';
import { changePassword, setPassword, type ChangePasswordSchema, type Failure } from '../users/service.js';
import type { Scope } from '../platform/scope.js';
import type * as v from 'valibot';

const WINDOW = 15 * 60_000;
export const loginLimits = {
  perIp: (ip: string): Limit => ({ key: `login:ip:${ip}`, max: 30, windowMs: WINDOW }),
  perAccount: (email: string): Limit => ({ key: `login:account:${email.trim().toLowerCase()}`, max: 5, windowMs: WINDOW }),
};

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; userId: number }
  | { ok: false; error: 'login.invalid' }
  | { ok: false; error: 'errors.rateLimited'; retryAfterMs: number };

/**
 * Checks the credentials under two limits (per address and per account). A wrong email and
 * a wrong password get the same answer, after the same amount of work.
 */
export async function logIn(db: Db, options: { tenantId: number; email: string; password: string; ip: string; now: Date }): Promise<LoginResult> {
  const { tenantId, email, password, ip, now } = options;
  const perIp = loginLimits.perIp(ip);
  const perAccount = loginLimits.perAccount(email);
  // Every attempt is counted before the password is checked, so attempts sent at once cannot
  // all slip under the limit while the (slow, on purpose) hash is computed.
  const byIp = await hit(db, tenantId, perIp, now);
  const byAccount = await hit(db, tenantId, perAccount, now);
  const limited = together([byIp, byAccount]);
  if (limited.limited) return { ok: false, error: 'errors.rateLimited', retryAfterMs: limited.retryAfterMs };
  const user = await findUserByEmail(db, tenantId, email);
  const valid = await verifyPassword(user?.active ? user.passwordHash : null, password);
  if (!user || !valid) return { ok: false, error: 'login.invalid' };
  // Only failures are limited: a whole office behind one address logs in every morning.
  await unhit(db, tenantId, perIp, now);
  await clearLimit(db, tenantId, perAccount.key);
  const { token, session } = await createSession(db, tenantId, user.id, now);
  return { ok: true, token, expiresAt: session.expiresAt, userId: user.id };
}

/**
 * Mi cuenta's password change, under the account's login limit: a session left open is not
 * a way to guess the password, and failures here count with the login's.
 */
export async function changeOwnPassword(
  scope: Scope & { actor: { email: string } },
  input: v.InferOutput<typeof ChangePasswordSchema>,
): Promise<{ ok: true } | Failure | { ok: false; retryAfterMs: number }> {
  const now = scope.clock.now();
  const limit = loginLimits.perAccount(scope.actor.email);
  const counted = await hit(scope.db, scope.tenantId, limit, now);
  if (counted.limited) return { ok: false, retryAfterMs: counted.retryAfterMs };
  const result = await changePassword(scope, input);
  if (result.ok) await clearLimit(scope.db, scope.tenantId, limit.key);
  return result;
}

export const RESET_TTL_MINUTES = 60;

/** Emails a reset link when the address belongs to an active user; says nothing either way. */
export async function requestPasswordReset(
  db: Db,
  mailer: Mailer,
  options: { tenant: Tenant; email: string; ip: string; now: Date; linkFor: (token: string) => string },
): Promise<{ ok: true } | { ok: false; error: 'errors.rateLimited'; retryAfterMs: number }> {
  const { tenant, email, now } = options;
  const limited = together([
    await hit(db, tenant.id, { key: `reset:ip:${options.ip}`, max: 20, windowMs: 3_600_000 }, now),
    await hit(db, tenant.id, { key: `reset:account:${email.trim().toLowerCase()}`, max: 3, windowMs: 3_600_000 }, now),
  ]);
  if (limited.limited) return { ok: false, error: 'errors.rateLimited', retryAfterMs: limited.retryAfterMs };
  const user = await findUserByEmail(db, tenant.id, email);
  if (!user || !user.active) return { ok: true };
  const token = generateToken();
  await db.insert(passwordResetTokens).values({
    tenantId: tenant.id,
    id: hashToken(token),
    userId: user.id,
    expiresAt: new Date(now.getTime() + RESET_TTL_MINUTES * 60_000),
    createdAt: now,
  });
  // In the language the user chose, as every email to staff (the request itself is anonymous).
  const t = translator(user.language ?? languageOf(tenant.locale));
  await mailer.send(db, tenant.id, {
    to: user.email,
    subject: t('reset.mail.subject'),
    text: t('reset.mail.body', { name: user.name, minutes: RESET_TTL_MINUTES, url: options.linkFor(token) }),
  });
  return { ok: true };
}

/** A reset link that still opens an account: unused, not expired, and its user active. */
export async function findResetToken(db: Db, tenantId: number, token: string, now: Date) {
  const [row] = await db
    .select({ token: passwordResetTokens })
    .from(passwordResetTokens)
    .innerJoin(users, and(eq(users.tenantId, passwordResetTokens.tenantId), eq(users.id, passwordResetTokens.userId)))
    .where(
      and(
        eq(passwordResetTokens.tenantId, tenantId),
        eq(passwordResetTokens.id, hashToken(token)),
        isNull(passwordResetTokens.usedAt),
        gt(passwordResetTokens.expiresAt, now),
        eq(users.active, true),
      ),
    )
    .limit(1);
  return row?.token;
}

/** Sets the new password, spends the token and ends every session of the user. */
export async function resetPassword(db: Db, options: { tenantId: number; token: string; password: string; now: Date }): Promise<boolean> {
  const row = await findResetToken(db, options.tenantId, options.token, options.now);
  if (!row) return false;
  const spent = await db
    .update(passwordResetTokens)
    .set({ usedAt: options.now })
    .where(and(eq(passwordResetTokens.tenantId, options.tenantId), eq(passwordResetTokens.id, row.id), isNull(passwordResetTokens.usedAt)))
    .returning({ id: passwordResetTokens.id });
  if (spent.length === 0) return false;
  await setPassword(db, options.tenantId, row.userId, options.password, options.now);
  return true;
}
