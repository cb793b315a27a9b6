/**
 * What both debtor portals share before a debtor is known: the limits on failed
 * identification attempts (per address and per document) and the record of the steps a
 * debtor takes, in the client's history.
 */
import { and, eq, gte } from 'drizzle-orm';
import { checkDocument, type DocumentType } from '../clients/fields.js';
import type { Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import { clearLimit, hit, together, unhit, type Limit } from '../platform/auth/rate-limit.js';
import { hashToken } from '../platform/auth/tokens.js';

export type Failure = { ok: false; errors: Record<string, string> };

/**
 * What is wrong with the document a debtor typed to identify, on either portal, and on which
 * field: the number is judged as staff's forms judge it, but a type the list does not hold
 * (only a tampered form sends one) is told in the debtor's words, not the back office's.
 */
export function documentProblem(types: readonly DocumentType[], documentType: string, documentNumber: string): Record<string, string> | null {
  const error = checkDocument(types, documentType, documentNumber);
  if (!error) return null;
  return error === 'clients.error.documentTypeInvalid' ? { documentType: 'portal.identify.documentTypeInvalid' } : { documentNumber: error };
}

/** The portal's steps recorded in the client's history (labels: `events.portal.*`). */
export type PortalEvent = 'portal.identified' | 'portal.statement_viewed' | 'portal.pay_link_opened' | 'portal.receipt_uploaded' | 'portal.promise_made';

export async function recordPortalEvent(db: Db, tenantId: number, clientId: number, type: PortalEvent | `portal.${string}` | `recovery.${string}`, data: Record<string, unknown>, now: Date): Promise<void> {
  await db.insert(clientEvents).values({ tenantId, clientId, type, actorId: null, data, occurredAt: now });
}

/** Failed identifications allowed per address and per document in a window; the recovery portal shares them. */
export const identificationLimits = {
  perIp: { max: 20, windowMs: 15 * 60_000 },
  perDocument: { max: 5, windowMs: 15 * 60_000 },
};

function limitsFor(ip: string, documentType: string, documentNumber: string): Limit[] {
  // The document is hashed: the counters table is no place for personal data.
  const document = hashToken(`${documentType}:${documentNumber}`).slice(0, 32);
  return [
    { key: `portal:ip:${ip}`, ...identificationLimits.perIp },
    { key: `portal:doc:${document}`, ...identificationLimits.perDocument },
  ];
}

/**
 * Counts an attempt against the address and the document before it is judged, and says
 * whether either limit is now passed. Counting before judging is what keeps attempts sent at
 * once from all slipping under the limit; a success then takes its count back.
 */
export async function beginIdentification(db: Db, tenantId: number, ip: string, documentType: string, documentNumber: string, now: Date): Promise<{ limited: boolean; retryAfterMs: number }> {
  const hits = [];
  for (const limit of limitsFor(ip, documentType, documentNumber)) hits.push(await hit(db, tenantId, limit, now));
  return together(hits);
}

/** A successful identification forgives the document's failed attempts and is not counted against the address. */
export async function forgiveIdentification(db: Db, tenantId: number, ip: string, documentType: string, documentNumber: string, now: Date): Promise<void> {
  const [ipLimit, documentLimit] = limitsFor(ip, documentType, documentNumber);
  await unhit(db, tenantId, ipLimit!, now);
  await clearLimit(db, tenantId, documentLimit!.key);
}

/** Whether the client has an event of this type since the given moment (a visit's start). */
export async function eventSince(db: Db, tenantId: number, clientId: number, type: PortalEvent, since: Date): Promise<boolean> {
  const [found] = await db
    .select({ id: clientEvents.id })
    .from(clientEvents)
    .where(and(eq(clientEvents.tenantId, tenantId), eq(clientEvents.clientId, clientId), eq(clientEvents.type, type), gte(clientEvents.occurredAt, since)))
    .limit(1);
  return found !== undefined;
}
