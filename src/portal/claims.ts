import { and, eq, isNull, sql } from 'drizzle-orm';
import { alerts } from '../alerts/schema.js';
import { notifyAdvisor, raiseAlert } from '../alerts/service.js';
import { listClaimableOrders, listClientClaims } from '../claims/queries.js';
import { openClaim, type ClaimResult, type DebtorClaim } from '../claims/service.js';
import type { Db } from '../db/index.js';
import type { Jobs } from '../jobs/index.js';
import type { Clock } from '../platform/clock.js';
import type { Tenant } from '../tenants/schema.js';

/** How long a resolved claim stays on the debtor's statement, so they see it was answered. */
const RESOLVED_SHOWN_DAYS = 30;

/**
 * The debtor's claims as the statement shows them: the open ones, and those resolved in the
 * last days. What staff wrote among themselves (comments) is not part of it.
 */
export async function debtorClaimsOf(db: Db, tenantId: number, clientId: number, now: Date) {
  const since = now.getTime() - RESOLVED_SHOWN_DAYS * 86_400_000;
  return (await listClientClaims(db, tenantId, clientId))
    .filter((c) => c.state === 'abierto' || (c.closedAt !== null && c.closedAt.getTime() >= since))
    .map((c) => ({ id: c.id, category: c.category, state: c.state, orderCodes: c.orderCodes, createdAt: c.createdAt, closedAt: c.closedAt }));
}

export type DebtorClaimRow = Awaited<ReturnType<typeof debtorClaimsOf>>[number];

/** The orders a debtor may raise a claim about: their own, not annulled. */
export async function debtorClaimableOrders(db: Db, tenantId: number, clientId: number) {
  return (await listClaimableOrders(db, tenantId, clientId)).filter((o) => !o.annulled);
}

/**
 * The debtor raises a claim from the customer portal, under the same two-open rule as staff.
 * It reaches their advisor as an alert (and an email), in the same transaction as the claim.
 */
export async function claimFromPortal(
  context: { db: Db; tenant: Tenant; clock: Clock; jobs?: Jobs | undefined; clientId: number },
  input: DebtorClaim,
): Promise<ClaimResult> {
  const { db, tenant, clock, clientId } = context;
  const claimable = new Set((await debtorClaimableOrders(db, tenant.id, clientId)).map((o) => o.id));
  if (!input.orderIds.every((id) => claimable.has(id))) return { ok: false, errors: { orderIds: 'claims.ordersOfClient' } };
  const { result, alert } = await db.transaction(async (tx) => {
    const opened = await openClaim({ tenantId: tenant.id, actor: null, db: tx, clock }, { clientId, ...input, comments: null }, { source: 'portal' });
    // A repeat of a claim just raised tells nobody again.
    if (!opened.ok || opened.repeated) return { result: opened, alert: null };
    const raised = await raiseAlert(tx, { tenantId: tenant.id, clientId, kind: 'claim_from_portal', source: 'portal', note: `#${opened.claim.id}`, now: clock.now() });
    // One alert open per client and kind: a second claim while it is open is added to its note.
    if (!raised) await noteOnOpenAlert(tx, tenant.id, clientId, `#${opened.claim.id}`);
    return { result: opened, alert: raised };
  });
  await notifyAdvisor(context.jobs, alert);
  return result;
}

/** Adds a claim's number to the client's open "claim from the portal" alert. */
async function noteOnOpenAlert(db: Db, tenantId: number, clientId: number, claim: string): Promise<void> {
  await db
    .update(alerts)
    .set({ note: sql`coalesce(${alerts.note} || ', ', '') || ${claim}` })
    .where(and(eq(alerts.tenantId, tenantId), eq(alerts.clientId, clientId), eq(alerts.kind, 'claim_from_portal'), isNull(alerts.resolvedAt)));
}
