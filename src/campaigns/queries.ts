import { and, asc, desc, eq, gte, ilike, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import { nameMatches, nameQuery } from '../clients/search.js';
import type { Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import { isIsoDate, type IsoDate } from '../platform/dates.js';
import { parseMoney } from '../platform/money.js';
import { fold, folded, likeEscape } from '../platform/search.js';
import { users } from '../users/schema.js';
import { activeCampaignCondition } from './service.js';
import { campaignEntries, campaignPayments, discountTypes, type DiscountType } from './schema.js';
import { ordered } from '../platform/forms.js';

export const PAGE_SIZE = 25;
export const COUNT_CAP = 10_000;

export interface CampaignFilters {
  q?: string;
  campaign?: string;
  state?: '0' | '1' | '2';
  discountType?: DiscountType;
  endFrom?: IsoDate;
  endTo?: IsoDate;
  amountFrom?: number;
  amountTo?: number;
  /** The amounts were typed the wrong way round (and are searched swapped): the form shows them swapped. */
  amountsSwapped?: boolean;
  advisor?: number;
  page: number;
}

/** Filters from the query string; anything unknown or malformed is ignored. */
export function parseCampaignFilters(query: Record<string, string | undefined>, currency: string): CampaignFilters {
  const text = (s: string | undefined) => (s && s.trim() ? s.trim().slice(0, 100) : undefined);
  const date = (s: string | undefined) => (s && isIsoDate(s) ? s : undefined);
  const money = (s: string | undefined) => (s && s.trim() ? (parseMoney(s, currency) ?? undefined) : undefined);
  const page = Number(query.page);
  const advisor = Number(query.advisor);
  const [endFrom, endTo] = ordered(date(query.endFrom), date(query.endTo));
  const typedFrom = money(query.amountFrom);
  const [amountFrom, amountTo] = ordered(typedFrom, money(query.amountTo));
  return {
    q: text(query.q),
    campaign: text(query.campaign),
    state: query.state === '0' || query.state === '1' || query.state === '2' ? query.state : undefined,
    discountType: (discountTypes as readonly string[]).includes(query.discountType ?? '') ? (query.discountType as DiscountType) : undefined,
    endFrom,
    endTo,
    amountFrom,
    amountTo,
    amountsSwapped: amountFrom !== typedFrom,
    advisor: Number.isSafeInteger(advisor) && advisor > 0 ? advisor : undefined,
    page: Number.isSafeInteger(page) && page > 0 && page <= 100_000 ? page : 1,
  };
}

function stateCondition(state: '0' | '1' | '2', today: IsoDate): SQL {
  // "is not distinct from": an open entry has no closed reason, and a plain "=" would make the
  // finished entries' "not paid" unknown, dropping them until the nightly close.
  const paid = sql`(${campaignEntries.closedReason} is not distinct from 'paid' or ${campaignEntries.totalDue} <= 0)`;
  if (state === '0') return activeCampaignCondition(today);
  if (state === '1') return paid;
  return sql`(not ${paid} and (${campaignEntries.closedReason} = 'finished' or ${campaignEntries.endDate} < ${today}::date))`;
}

export function campaignWhere(tenantId: number, f: CampaignFilters, today: IsoDate): SQL {
  return and(
    eq(campaignEntries.tenantId, tenantId),
    sql`${clients.deletedAt} is null`,
    f.q ? or(nameMatches(tenantId, nameQuery(f.q)), ilike(clients.documentNumber, `${likeEscape(f.q)}%`)) : undefined,
    // A campaign ID as staff type it: any case, with or without accents.
    f.campaign ? sql`${folded(campaignEntries.campaignCode)} = ${fold(f.campaign.trim())}` : undefined,
    f.state ? stateCondition(f.state, today) : undefined,
    f.discountType ? eq(campaignEntries.discountType, f.discountType) : undefined,
    f.endFrom ? gte(campaignEntries.endDate, f.endFrom) : undefined,
    f.endTo ? lte(campaignEntries.endDate, f.endTo) : undefined,
    f.amountFrom !== undefined ? gte(campaignEntries.campaignAmount, f.amountFrom) : undefined,
    f.amountTo !== undefined ? lte(campaignEntries.campaignAmount, f.amountTo) : undefined,
    f.advisor ? eq(clients.advisorId, f.advisor) : undefined,
  )!;
}

const rowColumns = {
  entry: campaignEntries,
  clientName: clients.name,
  clientEmail: clients.email,
  documentType: clients.documentType,
  documentNumber: clients.documentNumber,
  advisorName: users.name,
};

function fromEntries(db: Db) {
  return db
    .select(rowColumns)
    .from(campaignEntries)
    .innerJoin(clients, and(eq(clients.tenantId, campaignEntries.tenantId), eq(clients.id, campaignEntries.clientId)))
    .leftJoin(users, and(eq(users.tenantId, clients.tenantId), eq(users.id, clients.advisorId)));
}

export type CampaignRow = Awaited<ReturnType<typeof listCampaignEntries>>['rows'][number];

/** How many entries the filters select, counted up to `cap` (then `capped`). */
export async function countCampaignEntries(db: Db, tenantId: number, f: CampaignFilters, today: IsoDate, cap = COUNT_CAP): Promise<{ total: number; capped: boolean }> {
  const counted = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(
      db
        .select({ one: sql`1` })
        .from(campaignEntries)
        .innerJoin(clients, and(eq(clients.tenantId, campaignEntries.tenantId), eq(clients.id, campaignEntries.clientId)))
        .where(campaignWhere(tenantId, f, today))
        .limit(cap + 1)
        .as('capped'),
    );
  const n = Number(counted[0]?.n ?? 0);
  return { total: Math.min(n, cap), capped: n > cap };
}

export async function listCampaignEntries(db: Db, tenantId: number, f: CampaignFilters, today: IsoDate) {
  const [rows, { total, capped }] = await Promise.all([
    fromEntries(db)
      .where(campaignWhere(tenantId, f, today))
      .orderBy(desc(campaignEntries.createdAt), desc(campaignEntries.id))
      .limit(PAGE_SIZE)
      .offset((f.page - 1) * PAGE_SIZE),
    countCampaignEntries(db, tenantId, f, today),
  ]);
  return { rows, total, capped };
}

/**
 * The entries the filters select, newest first as the tray lists them, from before
 * `beforeId`: the download's batches.
 */
export async function listCampaignEntriesForExport(db: Db, tenantId: number, f: CampaignFilters, today: IsoDate, batch: { beforeId?: number | undefined; limit: number }) {
  return fromEntries(db)
    .where(and(campaignWhere(tenantId, f, today), batch.beforeId === undefined ? undefined : lt(campaignEntries.id, batch.beforeId)))
    .orderBy(desc(campaignEntries.id))
    .limit(batch.limit);
}

export type CampaignExportRow = Awaited<ReturnType<typeof listCampaignEntriesForExport>>[number];

export async function findCampaignEntry(db: Db, tenantId: number, entryId: number) {
  const [row] = await fromEntries(db).where(and(eq(campaignEntries.tenantId, tenantId), eq(campaignEntries.id, entryId)));
  return row;
}

export async function entryPayments(db: Db, tenantId: number, entryId: number) {
  return db
    .select()
    .from(campaignPayments)
    .where(and(eq(campaignPayments.tenantId, tenantId), eq(campaignPayments.entryId, entryId)))
    .orderBy(desc(campaignPayments.paidOn), desc(campaignPayments.id));
}

/** The campaign events of the entry's client, newest first. */
export async function entryEvents(db: Db, tenantId: number, clientId: number, entryId: number) {
  return db
    .select({ event: clientEvents, actorName: users.name })
    .from(clientEvents)
    .leftJoin(users, and(eq(users.tenantId, clientEvents.tenantId), eq(users.id, clientEvents.actorId)))
    .where(and(eq(clientEvents.tenantId, tenantId), eq(clientEvents.clientId, clientId), sql`(${clientEvents.data}->>'entryId')::bigint = ${entryId}`))
    .orderBy(desc(clientEvents.occurredAt), desc(clientEvents.id));
}

/** The active campaign of a client today, if any: what the portal and templates show. */
export async function activeEntryForClient(db: Db, tenantId: number, clientId: number, today: IsoDate) {
  const [entry] = await db
    .select()
    .from(campaignEntries)
    .where(and(eq(campaignEntries.tenantId, tenantId), eq(campaignEntries.clientId, clientId), activeCampaignCondition(today)))
    .orderBy(asc(campaignEntries.id))
    .limit(1);
  return entry;
}

/** A client's latest campaign entry, whatever its state. */
export async function latestEntryForClient(db: Db, tenantId: number, clientId: number) {
  const [entry] = await db
    .select()
    .from(campaignEntries)
    .where(and(eq(campaignEntries.tenantId, tenantId), eq(campaignEntries.clientId, clientId)))
    .orderBy(desc(campaignEntries.id))
    .limit(1);
  return entry;
}

/** One campaign payment of the tenant (its receipt, for staff to open). */
export async function findCampaignPayment(db: Db, tenantId: number, paymentId: number) {
  const [payment] = await db
    .select()
    .from(campaignPayments)
    .where(and(eq(campaignPayments.tenantId, tenantId), eq(campaignPayments.id, paymentId)));
  return payment;
}
