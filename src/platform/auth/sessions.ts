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
 * Sessions checked in the last few seconds, by tenant and token hash: every page view
 * looks its session up, and most come seconds after the previous one. A change made
 * through this process (logout, deactivation, new permissions or password) forgets them
 * at once; one made by another process is seen within `RECHECK_MS`, as with tenants
 * (decision 0012). Only sessions that need no write are served from here.
 */
const RECHECK_MS = 5_000;
const RECENT_MAX = 10_000;
const recent = new Map<string, { checkedAt: number; found: ValidSession }>();

/** Forgets every recently checked session: the next request of each looks it up again. */
export function forgetRecentSessions(): void {
  recent.clear();
}

/**
 * The Lucia-guide validation: look the hashed token up within the tenant, refuse expired,
 * idle or deactivated ones, and slide the expiry forward in the last 15 days.
 */
export async function validateSession(db: Db, tenantId: number, token: string, now: Date, idleTimeoutMs: number): Promise<ValidSession | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = hashToken(token);
  const key = `${tenantId}:${id}`;
  const cached = recent.get(key);
  if (cached) {
    const age = now.getTime() - cached.checkedAt;
    if (age >= 0 && age < RECHECK_MS && standing(cached.found.session, now, idleTimeoutMs) === 'current') return cached.found;
    recent.delete(key);
  }
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = prepareLookup(db);
    lookups.set(db, lookup);
  }
  const [found] = await lookup.execute({ tenantId, id });
  if (!found) return null;
  const { session, user } = found;
  const state = standing(session, now, idleTimeoutMs);
  if (state === 'ended' || !user.active) {
    await db.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)));
    return null;
  }
  if (state !== 'current') {
    const patch = { lastActiveAt: now, ...(state === 'renew' ? { expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS) } : {}) };
    await db.update(sessions).set(patch).where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, id)));
    Object.assign(session, patch);
  }
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(key, { checkedAt: now.getTime(), found });
  return found;
}

/**
 * Where a session stands at `now`: ended (expired or idle too long), due for a new expiry,
 * due for its once-a-minute touch, or current. Only a current one needs no database write.
 */
function standing(session: Session, now: Date, idleTimeoutMs: number): 'ended' | 'renew' | 'touch' | 'current' {
  const time = now.getTime();
  const idleFor = time - session.lastActiveAt.getTime();
  if (time >= session.expiresAt.getTime() || idleFor > idleTimeoutMs) return 'ended';
  if (session.expiresAt.getTime() - time < RENEW_WITHIN_MS) return 'renew';
  return idleFor > TOUCH_EVERY_MS ? 'touch' : 'current';
}

export async function invalidateSession(db: Db, tenantId: number, sessionId: string): Promise<void> {
  forgetRecentSessions();
  await db.delete(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.id, sessionId)));
}

/** Ends every session of a user, except one when given (the one changing the password). */
export async function invalidateUserSessions(db: Db, tenantId: number, userId: number, except?: string): Promise<void> {
  forgetRecentSessions();
  const scope = and(eq(sessions.tenantId, tenantId), eq(sessions.userId, userId));
  await db.delete(sessions).where(except ? and(scope, ne(sessions.id, except)) : scope);
}
