import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import type { ClaimCategory } from './schema.js';

/**
 * Recomputes the client's stored open claims (count and categories) from its claims, which
 * is what its situation reads. Call in the same transaction as any opening or closing.
 */
export async function refreshClientClaims(db: Db, tenantId: number, clientId: number, now: Date): Promise<void> {
  await db.execute(sql`
    update clients c
       set open_claims = s.open,
           open_claim_categories = s.categories,
           updated_at = ${now.toISOString()}::timestamptz
      from (
        select count(*)::int as open,
               coalesce(array_agg(k.category order by k.category), '{}')::text[] as categories
          from claims k
         where k.tenant_id = ${tenantId} and k.client_id = ${clientId} and k.state = 'abierto'
      ) s
     where c.tenant_id = ${tenantId} and c.id = ${clientId}`);
}

/**
 * Segmentation by claims: the clients that have an open claim (of a category, if given),
 * as a condition over `clients` for strategies, reports and filters.
 */
export function clientsWithOpenClaims(tenantId: number, category?: ClaimCategory): SQL {
  return and(
    eq(clients.tenantId, tenantId),
    category ? sql`${category}::text = any(${clients.openClaimCategories})` : gt(clients.openClaims, 0),
  )!;
}
