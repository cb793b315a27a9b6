import { and, eq, isNull, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { Db } from '../db/index.js';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from '../platform/auth/passwords.js';
import { passwordResetTokens } from '../platform/auth/schema.js';
import { forgetRecentSessions, invalidateUserSessions } from '../platform/auth/sessions.js';
import { checkbox, checkedValues, requiredText } from '../platform/forms.js';
import { can, isPermission, overridesFor, roles, type Permission, type Role } from '../platform/permissions.js';
import { isUniqueViolation, type Scope } from '../platform/scope.js';
import { tenants } from '../tenants/schema.js';
import { findUser, listUsers } from './queries.js';
import { users, type User } from './schema.js';

export const PasswordSchema = v.pipe(
  v.optional(v.string(), ''),
  // Spaces are allowed inside a passphrase, but do not count towards its length.
  v.check((password) => password.replace(/\s/g, '').length >= PASSWORD_MIN, `password.tooShort?min=${PASSWORD_MIN}`),
  v.maxLength(PASSWORD_MAX, `password.tooLong?max=${PASSWORD_MAX}`),
);

const EmailSchema = v.pipe(v.optional(v.string(), ''), v.trim(), v.toLowerCase(), v.email('users.emailInvalid'), v.maxLength(254, 'users.emailInvalid'));

const RoleSchema = v.picklist(roles as Role[], 'users.roleInvalid');

export const NewUserSchema = v.object({
  name: requiredText(120, 'users.nameRequired'),
  email: EmailSchema,
  role: RoleSchema,
  password: PasswordSchema,
});

export const UserChangesSchema = v.object({
  name: requiredText(120, 'users.nameRequired'),
  email: EmailSchema,
  role: RoleSchema,
  active: checkbox,
});

export const PermissionsSchema = v.object({
  permissions: v.pipe(checkedValues, v.transform((list) => list.filter(isPermission))),
});

export type Failure = { ok: false; errors: Record<string, string> };
export type UserResult = { ok: true; user: User } | Failure;

const fail = (field: string, message: string): Failure => ({ ok: false, errors: { [field]: message } });

/**
 * Serialises user administration within a tenant, so that two admins demoting each other
 * at once cannot leave the tenant with nobody able to manage users.
 */
async function lockTenantUsers(db: Db, tenantId: number): Promise<void> {
  await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).for('update');
}

async function someoneCanManageUsers(db: Db, tenantId: number): Promise<boolean> {
  return (await listUsers(db, tenantId)).some((u) => can(u, 'users'));
}

export async function createUser(scope: Scope, input: v.InferOutput<typeof NewUserSchema>): Promise<UserResult> {
  const passwordHash = await hashPassword(input.password);
  try {
    const [user] = await scope.db
      .insert(users)
      .values({ tenantId: scope.tenantId, name: input.name, email: input.email, role: input.role, passwordHash })
      .returning();
    return { ok: true, user: user! };
  } catch (error) {
    if (isUniqueViolation(error, 'users_tenant_email')) return fail('email', 'users.emailTaken');
    throw error;
  }
}

export async function updateUser(scope: Scope, userId: number, input: v.InferOutput<typeof UserChangesSchema>): Promise<UserResult | { ok: false; notFound: true }> {
  if (scope.actor?.id === userId && !input.active) return fail('active', 'users.selfDeactivate');
  try {
    return await scope.db.transaction(async (tx) => {
      await lockTenantUsers(tx, scope.tenantId);
      const before = await findUser(tx, scope.tenantId, userId);
      const [user] = await tx
        .update(users)
        .set({ name: input.name, email: input.email, role: input.role, active: input.active, updatedAt: scope.clock.now() })
        .where(and(eq(users.tenantId, scope.tenantId), eq(users.id, userId)))
        .returning();
      if (!user) return { ok: false, notFound: true } as const;
      if (!(await someoneCanManageUsers(tx, scope.tenantId))) {
        tx.rollback();
      }
      if (!user.active) await invalidateUserSessions(tx, scope.tenantId, userId);
      // Deactivating someone, or moving their account to another mailbox, cuts them off: a
      // reset link already sent (to the old mailbox) opens nothing, now or after reactivation.
      if (!user.active || before?.email.toLowerCase() !== user.email.toLowerCase()) await spendResetLinks(tx, scope.tenantId, userId, scope.clock.now());
      return { ok: true, user } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_tenant_email')) return fail('email', 'users.emailTaken');
    if (isRollback(error)) return fail('role', 'users.lastAdmin');
    throw error;
  } finally {
    // The user's sessions carry the user: they are looked up again after the commit.
    forgetRecentSessions();
  }
}

export async function setPermissions(scope: Scope, userId: number, granted: Permission[]): Promise<UserResult | { ok: false; notFound: true }> {
  try {
    return await scope.db.transaction(async (tx) => {
      await lockTenantUsers(tx, scope.tenantId);
      const current = await findUser(tx, scope.tenantId, userId);
      if (!current) return { ok: false, notFound: true } as const;
      const [user] = await tx
        .update(users)
        .set({ permissionOverrides: overridesFor(current.role, new Set(granted)), updatedAt: scope.clock.now() })
        .where(and(eq(users.tenantId, scope.tenantId), eq(users.id, userId)))
        .returning();
      if (!(await someoneCanManageUsers(tx, scope.tenantId))) tx.rollback();
      return { ok: true, user: user! } as const;
    });
  } catch (error) {
    if (isRollback(error)) return fail('permissions', 'users.lastAdmin');
    throw error;
  } finally {
    forgetRecentSessions();
  }
}

function isRollback(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'TransactionRollbackError';
}

export const ChangePasswordSchema = v.pipe(
  v.object({
    current: v.optional(v.string(), ''),
    password: PasswordSchema,
    confirm: v.optional(v.string(), ''),
  }),
  v.forward(
    v.check((f) => f.password === f.confirm, 'password.mismatch'),
    ['confirm'],
  ),
);

/** Changes the actor's password and ends every session they had; the caller starts a fresh one. */
export async function changePassword(scope: Scope, input: v.InferOutput<typeof ChangePasswordSchema>): Promise<{ ok: true } | Failure> {
  const user = await findUser(scope.db, scope.tenantId, scope.actor!.id);
  if (!user || !(await verifyPassword(user.passwordHash, input.current))) return fail('current', 'password.wrongCurrent');
  await setPassword(scope.db, scope.tenantId, user.id, input.password, scope.clock.now());
  return { ok: true };
}

export async function setPassword(db: Db, tenantId: number, userId: number, password: string, now: Date): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, passwordChangedAt: now, updatedAt: now })
      .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
    await invalidateUserSessions(tx, tenantId, userId);
    // A reset link sent earlier no longer opens the account: the password it was for is gone.
    await spendResetLinks(tx, tenantId, userId, now);
  });
  forgetRecentSessions();
}

/** Every reset link of the user still unused stops working (spent now, kept for the record). */
async function spendResetLinks(db: Db, tenantId: number, userId: number, now: Date): Promise<void> {
  await db
    .update(passwordResetTokens)
    .set({ usedAt: now })
    .where(and(eq(passwordResetTokens.tenantId, tenantId), eq(passwordResetTokens.userId, userId), isNull(passwordResetTokens.usedAt)));
}

export async function setLanguage(scope: Scope, language: 'es' | 'en'): Promise<void> {
  await scope.db
    .update(users)
    .set({ language, updatedAt: sql`now()` })
    .where(and(eq(users.tenantId, scope.tenantId), eq(users.id, scope.actor!.id)));
  forgetRecentSessions();
}
