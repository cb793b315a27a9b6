import type { Db } from '../db/index.js';
import type { Clock } from './clock.js';

/** Who acts, for which tenant, on which database or transaction: every use case takes one. */
export interface Scope {
  tenantId: number;
  actor: { id: number; name: string } | null;
  db: Db;
  clock: Clock;
}

/** The PostgreSQL error behind a Drizzle error, whichever driver raised it. */
export function pgError(error: unknown): { code?: string; constraint?: string; constraint_name?: string; detail?: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate as never;
    current = candidate.cause;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg = pgError(error);
  if (pg?.code !== '23505') return false;
  if (!constraint) return true;
  const name = pg.constraint ?? pg.constraint_name ?? '';
  return name === constraint || (pg.detail ?? '').includes(constraint) || String((error as Error).message ?? '').includes(constraint);
}
