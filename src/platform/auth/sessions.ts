import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.js';
import { users, type User } from '../../users/schema.js';
import { sessions } from './schema.js';
import { generateToken, hashToken } from './tokens.js';

const DAY = 86_400_000;
export const SESSION_LIFETIME_MS = 30 * DAY;
const RENEW_WITHIN_MS = 15 * DAY;
const TOUCH_EVERY_MS = 60_000;

export type Session = typeof sessions.$inferSelect;

export async function createSession(db: Db, tenantId: number, userId: number, now: Date): Promise<{ token: string; session: Session }> {
  const token = generateToken();
  const [session] = await db
    .insert(sessions)
    .values({ tenantId, id: hashToken(token), userId, expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS), lastActiveAt: now, createdAt: now })
    .returning();
  return { token, session: session! };
}

export interface ValidSession {
  session: Session;
  user: User;
}

// Every request looks its session up: the statement is built once per database, and the
// server parses it once per connection, instead of both on every request.
const lookups = new WeakMap<Db, ReturnType<typeof prepareLookup>>();
function prepareLookup(db: Db) {
  return db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, and(eq(users.tenantId, sessions.tenantId), eq(users.id, sessions.userId)))
    .where(and(eq(sessions.tenantId, sql.placeholder('tenantId')), eq(sessions.id, sql.placeholder('id'))))
    .limit(1)
    .prepare('session_lookup');
}

/**
 * The Lucia-guide validation: look the hashed token up within the tenant, refuse expired,
 * idle or deactivated ones, and slide the expiry forward in the last 15 days.
 */
export async function validateSession(db: Db, tenantId: number, token: string, now: Date, idleTimeoutMs: number): Promise<ValidSession | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = hashToken(token);
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = prepareLookup(db);
    lookups.set(db, lookup);
  }
  const [found] = await lookup.execute({ tenantId, id });
  if (!found) return null;
  const { session, user } = found;
  const idle = now.getTime() - session.lastActiveAt.getTime() > idleTimeoutMs;
  if (now >= session.expiresAt || idle || !user.active) {
    await db.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)));
    return null;
  }
  const renew = session.expiresAt.getTime() - now.getTime() < RENEW_WITHIN_MS;
  const touch = now.getTime() - session.lastActiveAt.getTime() > TOUCH_EVERY_MS;
  if (renew || touch) {
    const patch = { lastActiveAt: now, ...(renew ? { expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS) } : {}) };
    await db.update(sessions).set(patch).where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)));
    Object.assign(session, patch);
  }
  return { session, user };
}

export async function invalidateSession(db: Db, tenantId: number, sessionId: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, sessionId)));
}

/** Ends every session of a user, except one when given (the one changing the password). */
export async function invalidateUserSessions(db: Db, tenantId: number, userId: number, except?: string): Promise<void> {
  const scope = and(eq(sessions.tenantId, tenantId), eq(sessions.userId, userId));
  await db.delete(sessions).where(except ? and(scope, ne(sessions.id, except)) : scope);
}
