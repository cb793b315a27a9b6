import type { Db } from '../db/index.js';
import type { Scope } from '../platform/scope.js';
import { clientEvents } from './schema.js';

/**
 * Writes one event to a client's history (Interacciones), by the scope's actor, in the
 * transaction `db` of the change it records: at the scope's now unless `at` says otherwise.
 */
export async function recordClientEvent(scope: Scope, db: Db, clientId: number, type: string, data: Record<string, unknown> = {}, at: Date = scope.clock.now()): Promise<void> {
  await db.insert(clientEvents).values({ tenantId: scope.tenantId, clientId, type, actorId: scope.actor?.id ?? null, data, occurredAt: at });
}
