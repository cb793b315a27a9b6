import { and, eq, gte, inArray, isNull } from 'drizzle-orm';
import * as v from 'valibot';
import { clients } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { recordClientEvent } from '../events/record.js';
import { checkedValues, oneCharLineBreaks, optionalText, requiredText, tooLong } from '../platform/forms.js';
import { isUniqueViolation, type Scope } from '../platform/scope.js';
import { refreshClientClaims } from './derived.js';
import { findClaim, openClaimsOf, ordersOfClient, type ClaimWithOrders } from './queries.js';
import { claimCategories, claimEvents, claimOrders, claims, type Claim, type ClaimCategory, type ClaimSource } from './schema.js';

const Category = v.picklist(claimCategories, 'claims.categoryRequired');

const OrderIds = v.pipe(
  checkedValues,
  v.transform((ids) => [...new Set(ids.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0))].sort((a, b) => a - b)),
  v.minLength(1, 'claims.ordersRequired'),
);

const Description = requiredText(4000, 'claims.descriptionRequired');

export const NewClaimSchema = v.object({
  clientId: v.pipe(
    v.optional(v.string(), ''),
    v.transform(Number),
    v.check((n) => Number.isSafeInteger(n) && n >= 1, 'claims.clientRequired'),
  ),
  category: Category,
  orderIds: OrderIds,
  description: Description,
  comments: optionalText(4000),
});

/** A claim as a debtor raises it from the customer portal: the client is theirs, and there are no internal comments. */
export const DebtorClaimSchema = v.object({ category: Category, orderIds: OrderIds, description: Description });
export type DebtorClaim = v.InferOutput<typeof DebtorClaimSchema>;

/**
 * An edit. `comments` is absent when the form did not offer it (a closed claim's form), so
 * that "not sent" and "emptied" stay different things.
 */
export const ClaimChangesSchema = v.object({
  category: Category,
  orderIds: OrderIds,
  description: Description,
  comments: v.optional(
    v.pipe(
      v.string(),
      oneCharLineBreaks,
      v.trim(),
      v.maxLength(4000, tooLong(4000)),
      v.transform((s) => (s === '' ? null : s)),
    ),
  ),
});

export type NewClaim = v.InferOutput<typeof NewClaimSchema>;
export type ClaimChanges = v.InferOutput<typeof ClaimChangesSchema>;

export interface OpenClaimRef {
  id: number;
  category: ClaimCategory;
}

/** An expected refusal: messages per field, and the open claims when the two-open rule said no. */
export interface ClaimFailure {
  ok: false;
  errors: Record<string, string>;
  openClaims?: OpenClaimRef[];
}
export type NotFound = { ok: false; notFound: true };
/** `repeated`: the same claim sent again a moment later, answered with the one its first send opened. */
export type ClaimResult = { ok: true; claim: Claim; repeated?: boolean } | ClaimFailure | NotFound;

const notFound: NotFound = { ok: false, notFound: true };
const fail = (field: string, message: string, openClaims?: OpenClaimRef[]): ClaimFailure => ({
  ok: false,
  errors: { [field]: message },
  ...(openClaims ? { openClaims } : {}),
});

/**
 * Serialises everything that changes a client's claims: the client row is locked first, so
 * the open claims counted afterwards are the committed truth and the stored counters stay exact.
 */
async function lockClient(db: Db, tenantId: number, clientId: number) {
  const [client] = await db
    .select({ id: clients.id, deletedAt: clients.deletedAt })
    .from(clients)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.id, clientId)))
    .for('update');
  return client;
}

/** The claim, locked, after its client: always in this order, so two changes cannot deadlock. */
async function lockClaim(db: Db, tenantId: number, claimId: number): Promise<ClaimWithOrders | undefined> {
  const [head] = await db
    .select({ clientId: claims.clientId })
    .from(claims)
    .where(and(eq(claims.tenantId, tenantId), eq(claims.id, claimId)));
  if (!head) return undefined;
  await lockClient(db, tenantId, head.clientId);
  await db
    .select({ id: claims.id })
    .from(claims)
    .where(and(eq(claims.tenantId, tenantId), eq(claims.id, claimId)))
    .for('update');
  return findClaim(db, tenantId, claimId);
}

/**
 * The two-open rule for a claim about to be open with `category`: at most two open per
 * client, of different categories. Returns the free slot, or the refusal naming the open claims.
 */
async function openSlotFor(db: Db, tenantId: number, clientId: number, category: ClaimCategory, reopening: boolean, ignoreId?: number) {
  const open = (await openClaimsOf(db, tenantId, clientId)).filter((c) => c.id !== ignoreId);
  const named = open.map(({ id, category }) => ({ id, category }));
  const same = open.filter((c) => c.category === category);
  if (same.length > 0) return fail('category', reopening ? 'claims.sameCategoryReopen' : 'claims.sameCategory', same.map(({ id, category }) => ({ id, category })));
  if (open.length >= 2) return fail('category', reopening ? 'claims.limitReachedReopen' : 'claims.limitReached', named);
  const taken = new Set(open.map((c) => c.openSlot));
  return { ok: true as const, slot: taken.has(1) ? 2 : 1 };
}

/** Turns a violation of the database's two-open rule (a race that slipped past the lock) into the user's message. */
async function explainViolation(scope: Scope, error: unknown, clientId: number, reopening: boolean): Promise<ClaimFailure> {
  const open = (await openClaimsOf(scope.db, scope.tenantId, clientId)).map(({ id, category }) => ({ id, category }));
  if (isUniqueViolation(error, 'claims_open_category')) return fail('category', reopening ? 'claims.sameCategoryReopen' : 'claims.sameCategory', open);
  return fail('category', reopening ? 'claims.limitReachedReopen' : 'claims.limitReached', open);
}

const isTwoOpenViolation = (error: unknown) => isUniqueViolation(error, 'claims_open_slot') || isUniqueViolation(error, 'claims_open_category');

type HistoryValue = string | string[] | null;

async function recordHistory(db: Db, scope: Scope, claimId: number, changes: { field: string; before: HistoryValue; after: HistoryValue }[], at: Date) {
  if (changes.length === 0) return;
  await db.insert(claimEvents).values(
    changes.map((change) => ({
      tenantId: scope.tenantId,
      claimId,
      actorId: scope.actor?.id ?? null,
      field: change.field,
      before: change.before,
      after: change.after,
      occurredAt: at,
    })),
  );
}

async function codesOf(db: Db, tenantId: number, clientId: number, orderIds: readonly number[]): Promise<string[]> {
  return (await ordersOfClient(db, tenantId, clientId, orderIds)).map((o) => o.paymentCode);
}

/** How long a second send of the same new claim is taken for the first: a double click, or a slow network's retry. */
const REPEAT_WINDOW_MS = 10 * 60_000;

/**
 * The open claim this one repeats, if the same user opened it a moment ago with the same
 * category, orders and text. A form sent twice waits on the client's lock behind the first,
 * and then finds it: it answers as the first did instead of refusing its own claim under the
 * two-open rule.
 */
async function sameClaimJustOpened(db: Db, scope: Scope, input: NewClaim): Promise<Claim | undefined> {
  const since = new Date(scope.clock.now().getTime() - REPEAT_WINDOW_MS);
  const [candidate] = await db
    .select()
    .from(claims)
    .where(
      and(
        eq(claims.tenantId, scope.tenantId),
        eq(claims.clientId, input.clientId),
        eq(claims.state, 'abierto'),
        eq(claims.category, input.category),
        eq(claims.description, input.description),
        scope.actor ? eq(claims.createdById, scope.actor.id) : isNull(claims.createdById),
        gte(claims.createdAt, since),
      ),
    );
  if (!candidate || (candidate.comments ?? null) !== (input.comments ?? null)) return undefined;
  const linked = await findClaim(db, scope.tenantId, candidate.id);
  return linked && linked.orderIds.join(',') === input.orderIds.join(',') ? candidate : undefined;
}

/**
 * Opens a claim for a client about some of its orders; the client's situation becomes
 * con_reclamo. From the customer portal (`source: 'portal'`) the debtor raises it: no staff
 * user, and the client's history says it was them.
 */
export async function openClaim(scope: Scope, input: NewClaim, options: { source?: ClaimSource } = {}): Promise<ClaimResult> {
  const source = options.source ?? 'staff';
  try {
    return await scope.db.transaction(async (tx) => {
      const client = await lockClient(tx, scope.tenantId, input.clientId);
      if (!client || client.deletedAt) return fail('clientId', 'claims.clientRequired');
      const orders = await ordersOfClient(tx, scope.tenantId, input.clientId, input.orderIds);
      if (orders.length !== input.orderIds.length) return fail('orderIds', 'claims.ordersOfClient');
      const repeated = await sameClaimJustOpened(tx, scope, input);
      if (repeated) return { ok: true as const, claim: repeated, repeated: true };
      const slot = await openSlotFor(tx, scope.tenantId, input.clientId, input.category, false);
      if (!slot.ok) return slot;
      const now = scope.clock.now();
      const [claim] = await tx
        .insert(claims)
        .values({
          tenantId: scope.tenantId,
          clientId: input.clientId,
          category: input.category,
          state: 'abierto',
          openSlot: slot.slot,
          description: input.description,
          comments: input.comments,
          createdById: scope.actor?.id ?? null,
          source,
          createdAt: now,
          openedAt: now,
          updatedAt: now,
        })
        .returning();
      await tx.insert(claimOrders).values(input.orderIds.map((orderId) => ({ tenantId: scope.tenantId, claimId: claim!.id, orderId })));
      await recordHistory(
        tx,
        scope,
        claim!.id,
        [
          { field: 'state', before: null, after: 'abierto' },
          { field: 'category', before: null, after: input.category },
          { field: 'orders', before: null, after: orders.map((o) => o.paymentCode) },
          { field: 'description', before: null, after: input.description },
          ...(input.comments ? [{ field: 'comments', before: null, after: input.comments }] : []),
        ],
        now,
      );
      await recordClientEvent(scope, tx, input.clientId, 'claim.opened', { claimId: claim!.id, category: input.category, ...(source === 'portal' ? { source } : {}) }, now);
      await refreshClientClaims(tx, scope.tenantId, input.clientId, now);
      return { ok: true as const, claim: claim! };
    });
  } catch (error) {
    if (isTwoOpenViolation(error)) return explainViolation(scope, error, input.clientId, false);
    throw error;
  }
}

/**
 * Edits a claim. A closed claim keeps its comments: only its category, description and
 * orders may change. An open claim's new category must still differ from the other open one's.
 */
export async function updateClaim(scope: Scope, claimId: number, changes: ClaimChanges): Promise<ClaimResult> {
  let clientId: number | undefined;
  try {
    return await scope.db.transaction(async (tx) => {
      const claim = await lockClaim(tx, scope.tenantId, claimId);
      if (!claim) return notFound;
      clientId = claim.clientId;
      const comments = changes.comments === undefined ? claim.comments : changes.comments;
      if (claim.state === 'cerrado' && comments !== claim.comments) return fail('comments', 'claims.closedEditable');
      const orders = await ordersOfClient(tx, scope.tenantId, claim.clientId, changes.orderIds);
      if (orders.length !== changes.orderIds.length) return fail('orderIds', 'claims.ordersOfClient');
      if (claim.state === 'abierto' && changes.category !== claim.category) {
        const slot = await openSlotFor(tx, scope.tenantId, claim.clientId, changes.category, false, claim.id);
        if (!slot.ok) return slot;
      }

      const history: { field: string; before: HistoryValue; after: HistoryValue }[] = [];
      if (changes.category !== claim.category) history.push({ field: 'category', before: claim.category, after: changes.category });
      const ordersChanged = changes.orderIds.join(',') !== claim.orderIds.join(',');
      if (ordersChanged) {
        history.push({ field: 'orders', before: await codesOf(tx, scope.tenantId, claim.clientId, claim.orderIds), after: orders.map((o) => o.paymentCode) });
      }
      if (changes.description !== claim.description) history.push({ field: 'description', before: claim.description, after: changes.description });
      if (comments !== claim.comments) history.push({ field: 'comments', before: claim.comments, after: comments });
      if (history.length === 0) {
        const { orderIds: _ignored, ...unchanged } = claim;
        return { ok: true as const, claim: unchanged };
      }

      const now = scope.clock.now();
      const [updated] = await tx
        .update(claims)
        .set({ category: changes.category, description: changes.description, comments, updatedAt: now })
        .where(and(eq(claims.tenantId, scope.tenantId), eq(claims.id, claim.id)))
        .returning();
      if (ordersChanged) {
        const removed = claim.orderIds.filter((id) => !changes.orderIds.includes(id));
        const added = changes.orderIds.filter((id) => !claim.orderIds.includes(id));
        if (removed.length > 0) {
          await tx
            .delete(claimOrders)
            .where(and(eq(claimOrders.tenantId, scope.tenantId), eq(claimOrders.claimId, claim.id), inArray(claimOrders.orderId, removed)));
        }
        if (added.length > 0) await tx.insert(claimOrders).values(added.map((orderId) => ({ tenantId: scope.tenantId, claimId: claim.id, orderId })));
      }
      await recordHistory(tx, scope, claim.id, history, now);
      await recordClientEvent(scope, tx, claim.clientId, 'claim.updated', { claimId: claim.id, fields: history.map((h) => h.field) }, now);
      if (claim.state === 'abierto' && changes.category !== claim.category) await refreshClientClaims(tx, scope.tenantId, claim.clientId, now);
      return { ok: true as const, claim: updated! };
    });
  } catch (error) {
    if (clientId !== undefined && isTwoOpenViolation(error)) return explainViolation(scope, error, clientId, false);
    throw error;
  }
}

/**
 * Closes a claim and records how long it took to resolve; closing the client's last open
 * claim returns it to its delinquency situation. Closing a closed claim changes nothing.
 */
export async function closeClaim(scope: Scope, claimId: number): Promise<ClaimResult> {
  return scope.db.transaction(async (tx) => {
    const claim = await lockClaim(tx, scope.tenantId, claimId);
    if (!claim) return notFound;
    const { orderIds: _ignored, ...current } = claim;
    if (claim.state === 'cerrado') return { ok: true as const, claim: current };
    const now = scope.clock.now();
    const openFor = Math.max(0, Math.floor((now.getTime() - claim.openedAt.getTime()) / 1000));
    const resolutionSeconds = (claim.resolutionSeconds ?? 0) + openFor;
    const [closed] = await tx
      .update(claims)
      .set({ state: 'cerrado', openSlot: null, closedAt: now, closedById: scope.actor?.id ?? null, resolutionSeconds, updatedAt: now })
      .where(and(eq(claims.tenantId, scope.tenantId), eq(claims.id, claim.id)))
      .returning();
    await recordHistory(tx, scope, claim.id, [{ field: 'state', before: 'abierto', after: 'cerrado' }], now);
    await recordClientEvent(scope, tx, claim.clientId, 'claim.closed', { claimId: claim.id, category: claim.category, resolutionSeconds }, now);
    await refreshClientClaims(tx, scope.tenantId, claim.clientId, now);
    return { ok: true as const, claim: closed! };
  });
}

/** Reopens a closed claim, under the same two-open rule as opening one. */
export async function reopenClaim(scope: Scope, claimId: number): Promise<ClaimResult> {
  let clientId: number | undefined;
  try {
    return await scope.db.transaction(async (tx) => {
      const claim = await lockClaim(tx, scope.tenantId, claimId);
      if (!claim) return notFound;
      clientId = claim.clientId;
      const { orderIds: _ignored, ...current } = claim;
      if (claim.state === 'abierto') return { ok: true as const, claim: current };
      // As for a new claim: a deleted client's claims stay as they are until the client is restored.
      if ((await lockClient(tx, scope.tenantId, claim.clientId))?.deletedAt) return fail('category', 'claims.clientDeletedReopen');
      const slot = await openSlotFor(tx, scope.tenantId, claim.clientId, claim.category, true);
      if (!slot.ok) return slot;
      const now = scope.clock.now();
      const [reopened] = await tx
        .update(claims)
        .set({ state: 'abierto', openSlot: slot.slot, openedAt: now, closedAt: null, closedById: null, updatedAt: now })
        .where(and(eq(claims.tenantId, scope.tenantId), eq(claims.id, claim.id)))
        .returning();
      await recordHistory(tx, scope, claim.id, [{ field: 'state', before: 'cerrado', after: 'abierto' }], now);
      await recordClientEvent(scope, tx, claim.clientId, 'claim.reopened', { claimId: claim.id, category: claim.category }, now);
      await refreshClientClaims(tx, scope.tenantId, claim.clientId, now);
      return { ok: true as const, claim: reopened! };
    });
  } catch (error) {
    if (clientId !== undefined && isTwoOpenViolation(error)) return explainViolation(scope, error, clientId, true);
    throw error;
  }
}
