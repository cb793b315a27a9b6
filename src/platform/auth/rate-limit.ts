import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../db/index.js';
import type { AppContext } from '../context.js';

export interface Limit {
  /** What is being counted, e.g. `login:ip:203.0.113.9`. */
  key: string;
  max: number;
  windowMs: number;
}

export interface Hit {
  limited: boolean;
  hits: number;
  /** Until the window ends: when a limited caller may try again. */
  retryAfterMs: number;
}

/**
 * Counts one hit in a fixed window shared by every process (the counter lives in the
 * database) and says whether the limit is now exceeded.
 */
export async function hit(db: Db, tenantId: number, limit: Limit, now: Date): Promise<Hit> {
  const windowStart = new Date(Math.floor(now.getTime() / limit.windowMs) * limit.windowMs);
  const [row] = await rows<{ hits: number }>(
    db,
    sql`insert into rate_limit_hits (tenant_id, key, window_start, hits)
        values (${tenantId}, ${limit.key}, ${windowStart.toISOString()}, 1)
        on conflict (tenant_id, key, window_start) do update set hits = rate_limit_hits.hits + 1
        returning hits`,
  );
  const hits = Number(row?.hits ?? 1);
  return { limited: hits > limit.max, hits, retryAfterMs: windowStart.getTime() + limit.windowMs - now.getTime() };
}

/**
 * Several limits counted for one attempt: limited when any is, until the last of those
 * that are limited lets go.
 */
export function together(hits: Hit[]): { limited: boolean; retryAfterMs: number } {
  const limited = hits.filter((h) => h.limited);
  return { limited: limited.length > 0, retryAfterMs: Math.max(0, ...limited.map((h) => h.retryAfterMs)) };
}

/**
 * Tells a limited caller when to come back: `Retry-After` in seconds on the response, and
 * the whole minutes (at least one) for the message, as `count` so that "1 minuto" reads right.
 */
export function waitFor(c: AppContext, retryAfterMs: number): { count: number } {
  c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return { count: Math.max(1, Math.ceil(retryAfterMs / 60_000)) };
}

/**
 * Takes back a hit that `hit` counted in this window, for an attempt that turned out not to
 * count (a successful one, where only failures are limited). Counting first and taking back
 * after is what keeps attempts sent at once from all slipping under the limit.
 */
export async function unhit(db: Db, tenantId: number, limit: Limit, now: Date): Promise<void> {
  const windowStart = new Date(Math.floor(now.getTime() / limit.windowMs) * limit.windowMs);
  await db.execute(
    sql`update rate_limit_hits set hits = greatest(hits - 1, 0) where tenant_id = ${tenantId} and key = ${limit.key} and window_start = ${windowStart.toISOString()}`,
  );
}

export async function clearLimit(db: Db, tenantId: number, key: string): Promise<void> {
  await db.execute(sql`delete from rate_limit_hits where tenant_id = ${tenantId} and key = ${key}`);
}

/** Old windows are of no use; the daily maintenance job calls this. */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db.execute(sql`delete from rate_limit_hits where window_start < ${before.toISOString()}`);
}
