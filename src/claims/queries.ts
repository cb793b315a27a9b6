import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { clients } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { dateTimeIn, endOfDayIn, isDayWithinYears, startOfDayIn } from '../platform/dates.js';
import type { MessageKey, Translate } from '../platform/i18n/index.js';
import { containsFolded, folded } from '../platform/search.js';
import { paymentOrders } from '../payment-orders/schema.js';
import { users } from '../users/schema.js';
import { claimEvents, claimOrders, claims, isClaimCategory, type ClaimCategory } from './schema.js';
import { ordered } from '../platform/forms.js';
import { nameMatches, nameQuery } from '../clients/search.js';

export const PAGE_SIZE = 25;
/** Counting stops here: the tray says "more than 10 000" instead of counting every row. */
export const COUNT_CAP = 10_000;

export interface ClaimFilters {
  state: 'abierto' | 'cerrado' | 'todos';
  category?: ClaimCategory;
  /** Part of the client's name. */
  client?: string;
  clientId?: number;
  from?: string;
  to?: string;
  advisorId?: number;
  supervisorId?: number;
  alerts?: 'yes' | 'no';
  q?: string;
  /** Whether the search box and the client filter also take a document number: only for users who may see them (SPEC 1). */
  byDocument?: boolean;
  page: number;
}

const positiveInt = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value && Number.isSafeInteger(n) && n > 0 ? n : undefined;
};
const text = (value: string | undefined, max = 100): string | undefined => {
  const trimmed = (value ?? '').trim().slice(0, max);
  return trimmed === '' ? undefined : trimmed;
};

/** The tray's filters from the query string; values it does not know are ignored, never errors. */
export function parseClaimFilters(query: Record<string, string | undefined>): ClaimFilters {
  const state = query.state === 'cerrado' || query.state === 'todos' ? query.state : 'abierto';
  const filters: ClaimFilters = { state, page: Math.min(positiveInt(query.page) ?? 1, 10_000) };
  if (query.category && isClaimCategory(query.category)) filters.category = query.category;
  const client = text(query.client);
  if (client) filters.client = client;
  const clientId = positiveInt(query.clientId);
  if (clientId) filters.clientId = clientId;
  const [from, to] = ordered(query.from && isDayWithinYears(query.from) ? query.from : undefined, query.to && isDayWithinYears(query.to) ? query.to : undefined);
  if (from) filters.from = from;
  if (to) filters.to = to;
  const advisorId = positiveInt(query.advisor);
  if (advisorId) filters.advisorId = advisorId;
  const supervisorId = positiveInt(query.supervisor);
  if (supervisorId) filters.supervisorId = supervisorId;
  if (query.alerts === 'yes' || query.alerts === 'no') filters.alerts = query.alerts;
  const q = text(query.q);
  if (q) filters.q = q;
  return filters;
}

/** The filters back as query parameters (defaults left out), for links and downloads. */
export function claimFilterParams(filters: ClaimFilters): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.state !== 'abierto') params.state = filters.state;
  if (filters.category) params.category = filters.category;
  if (filters.client) params.client = filters.client;
  if (filters.clientId) params.clientId = String(filters.clientId);
  if (filters.from) params.from = filters.from;
  if (filters.to) params.to = filters.to;
  if (filters.advisorId) params.advisor = String(filters.advisorId);
  if (filters.supervisorId) params.supervisor = String(filters.supervisorId);
  if (filters.alerts) params.alerts = filters.alerts;
  if (filters.q) params.q = filters.q;
  return params;
}

/** The filters as a query string with its `?` (and the page when past the first), for links. */
export function claimFiltersQuery(filters: ClaimFilters, page?: number): string {
  const query = new URLSearchParams({ ...claimFilterParams(filters), ...(page && page > 1 ? { page: String(page) } : {}) }).toString();
  return query ? `?${query}` : '';
}

/**
 * A client by name as the Clients tray finds one (the start of any of its words, in any order:
 * "salazar maria" finds "María Salazar"), or by any part of it ("huam" finds "Rosa Huamán").
 */
function clientNamed(tenantId: number, q: string, deleted?: boolean): SQL {
  return or(containsFolded(clients.name, q), nameMatches(tenantId, nameQuery(q), deleted))!;
}

function filtersWhere(tenantId: number, filters: ClaimFilters, timeZone: string): SQL {
  const conditions: (SQL | undefined)[] = [eq(claims.tenantId, tenantId)];
  if (filters.state !== 'todos') conditions.push(eq(claims.state, filters.state));
  if (filters.category) conditions.push(eq(claims.category, filters.category));
  if (filters.clientId) conditions.push(eq(claims.clientId, filters.clientId));
  const document = (text: string) => (filters.byDocument ? inArray(clients.documentNumber, [text, text.toUpperCase()]) : undefined);
  if (filters.client) conditions.push(or(clientNamed(tenantId, filters.client), document(filters.client)));
  if (filters.from) conditions.push(gte(claims.createdAt, startOfDayIn(timeZone, filters.from)));
  if (filters.to) conditions.push(lt(claims.createdAt, endOfDayIn(timeZone, filters.to)));
  if (filters.advisorId) conditions.push(eq(clients.advisorId, filters.advisorId));
  if (filters.supervisorId) conditions.push(eq(clients.supervisorId, filters.supervisorId));
  if (filters.alerts === 'yes') conditions.push(sql`cardinality(${clients.contactAlerts}) > 0`);
  if (filters.alerts === 'no') conditions.push(sql`cardinality(${clients.contactAlerts}) = 0`);
  if (filters.q) {
    const id = /^#?\d{1,15}$/.test(filters.q) ? Number(filters.q.replace('#', '')) : undefined;
    conditions.push(or(containsFolded(claims.description, filters.q), containsFolded(clients.name, filters.q), id ? eq(claims.id, id) : undefined, document(filters.q)));
  }
  return and(...conditions)!;
}

const advisors = alias(users, 'advisors');

/** What the tray and the download show of a claim: nothing of the client but its name and alerts. */
function claimRowColumns() {
  return {
    id: claims.id,
    clientId: claims.clientId,
    clientName: clients.name,
    /** A claim stays when its client is deleted (nothing is lost); the tray says so. */
    clientDeleted: sql<boolean>`${clients.deletedAt} is not null`,
    contactAlerts: clients.contactAlerts,
    advisorName: advisors.name,
    category: claims.category,
    state: claims.state,
    source: claims.source,
    description: claims.description,
    comments: claims.comments,
    createdAt: claims.createdAt,
    openedAt: claims.openedAt,
    closedAt: claims.closedAt,
    resolutionSeconds: claims.resolutionSeconds,
    orderCodes: sql<string[]>`coalesce((
      select array_agg(o.payment_code order by o.payment_code)
        from ${claimOrders} co
        join ${paymentOrders} o on o.tenant_id = co.tenant_id and o.id = co.order_id
       where co.tenant_id = ${claims.tenantId} and co.claim_id = ${claims.id}), '{}')`,
  };
}

function claimRows(db: Db) {
  return db
    .select(claimRowColumns())
    .from(claims)
    .innerJoin(clients, and(eq(clients.tenantId, claims.tenantId), eq(clients.id, claims.clientId)))
    .leftJoin(advisors, and(eq(advisors.tenantId, clients.tenantId), eq(advisors.id, clients.advisorId)));
}

export type ClaimRow = NonNullable<Awaited<ReturnType<typeof findClaimRow>>>;

export async function listClaims(db: Db, tenantId: number, filters: ClaimFilters, timeZone: string) {
  const rows = await claimRows(db)
    .where(filtersWhere(tenantId, filters, timeZone))
    .orderBy(desc(claims.createdAt), desc(claims.id))
    .limit(PAGE_SIZE)
    .offset((filters.page - 1) * PAGE_SIZE);
  const total = await countClaims(db, tenantId, filters, timeZone, COUNT_CAP + 1);
  return { rows, total: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP };
}

/** How many claims match, counting no further than `cap`. */
export async function countClaims(db: Db, tenantId: number, filters: ClaimFilters, timeZone: string, cap: number): Promise<number> {
  const [counted] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(
      db
        .select({ one: sql`1` })
        .from(claims)
        .innerJoin(clients, and(eq(clients.tenantId, claims.tenantId), eq(clients.id, claims.clientId)))
        .where(filtersWhere(tenantId, filters, timeZone))
        .limit(cap)
        .as('capped'),
    );
  return counted?.n ?? 0;
}

export async function findClaimRow(db: Db, tenantId: number, claimId: number) {
  const [row] = await claimRows(db)
    .where(and(eq(claims.tenantId, tenantId), eq(claims.id, claimId)))
    .limit(1);
  return row;
}

/** A claim with the ids of its orders, for editing. */
export async function findClaim(db: Db, tenantId: number, claimId: number) {
  const [claim] = await db
    .select()
    .from(claims)
    .where(and(eq(claims.tenantId, tenantId), eq(claims.id, claimId)))
    .limit(1);
  if (!claim) return undefined;
  const orders = await db
    .select({ orderId: claimOrders.orderId })
    .from(claimOrders)
    .where(and(eq(claimOrders.tenantId, tenantId), eq(claimOrders.claimId, claimId)));
  return { ...claim, orderIds: orders.map((o) => o.orderId).sort((a, b) => a - b) };
}

export type ClaimWithOrders = NonNullable<Awaited<ReturnType<typeof findClaim>>>;

/** The client's open claims, oldest first: what the two-open rule counts and names. */
export async function openClaimsOf(db: Db, tenantId: number, clientId: number) {
  return db
    .select({ id: claims.id, category: claims.category, openSlot: claims.openSlot })
    .from(claims)
    .where(and(eq(claims.tenantId, tenantId), eq(claims.clientId, clientId), eq(claims.state, 'abierto')))
    .orderBy(asc(claims.id));
}

/** The client as the claims screens may show it; the document only for those who see receivables. */
export async function findClaimClient(db: Db, tenantId: number, clientId: number) {
  const [client] = await db
    .select({
      id: clients.id,
      name: clients.name,
      documentType: clients.documentType,
      documentNumber: clients.documentNumber,
      contactAlerts: clients.contactAlerts,
    })
    .from(clients)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.id, clientId), sql`${clients.deletedAt} is null`))
    .limit(1);
  return client;
}

export type ClaimClient = NonNullable<Awaited<ReturnType<typeof findClaimClient>>>;

/** Clients whose name (or, when allowed, document number) matches, for the claim form's picker. */
export async function searchClaimClients(db: Db, tenantId: number, query: string, options: { byDocument: boolean }) {
  const q = query.trim().slice(0, 100);
  if (q === '') return [];
  return db
    .select({ id: clients.id, name: clients.name, documentType: clients.documentType, documentNumber: clients.documentNumber })
    .from(clients)
    .where(
      and(
        eq(clients.tenantId, tenantId),
        sql`${clients.deletedAt} is null`,
        or(clientNamed(tenantId, q, false), options.byDocument ? eq(clients.documentNumber, q) : undefined),
      ),
    )
    .orderBy(folded(clients.name), asc(clients.id))
    .limit(20);
}

/** The client's payment orders a claim may be linked to. */
export async function listClaimableOrders(db: Db, tenantId: number, clientId: number) {
  return db
    .select({
      id: paymentOrders.id,
      paymentCode: paymentOrders.paymentCode,
      product: paymentOrders.product,
      dueDate: paymentOrders.dueDate,
      balance: paymentOrders.balance,
      annulled: paymentOrders.annulled,
    })
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.clientId, clientId)))
    .orderBy(asc(paymentOrders.dueDate), asc(paymentOrders.id));
}

export type ClaimableOrder = Awaited<ReturnType<typeof listClaimableOrders>>[number];

/** Orders among `orderIds` that belong to the client (the others are someone else's or do not exist). */
export async function ordersOfClient(db: Db, tenantId: number, clientId: number, orderIds: readonly number[]) {
  if (orderIds.length === 0) return [];
  return db
    .select({ id: paymentOrders.id, paymentCode: paymentOrders.paymentCode })
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.clientId, clientId), inArray(paymentOrders.id, [...orderIds])))
    .orderBy(asc(paymentOrders.paymentCode));
}

export async function listClaimEvents(db: Db, tenantId: number, claimId: number) {
  return db
    .select({
      id: claimEvents.id,
      field: claimEvents.field,
      before: claimEvents.before,
      after: claimEvents.after,
      occurredAt: claimEvents.occurredAt,
      actorName: users.name,
    })
    .from(claimEvents)
    .leftJoin(users, and(eq(users.tenantId, claimEvents.tenantId), eq(users.id, claimEvents.actorId)))
    .where(and(eq(claimEvents.tenantId, tenantId), eq(claimEvents.claimId, claimId)))
    .orderBy(desc(claimEvents.occurredAt), desc(claimEvents.id));
}

export type ClaimHistoryEntry = Awaited<ReturnType<typeof listClaimEvents>>[number];

/** Every claim of a client, open ones first, for the client's page. */
export async function listClientClaims(db: Db, tenantId: number, clientId: number) {
  return claimRows(db)
    .where(and(eq(claims.tenantId, tenantId), eq(claims.clientId, clientId)))
    .orderBy(asc(claims.state), desc(claims.createdAt), desc(claims.id));
}

/**
 * The download's rows, in id order from `afterId`, so a large download reads in batches
 * that do not shift while new claims arrive.
 */
export async function listClaimsForExport(
  db: Db,
  tenantId: number,
  filters: Omit<ClaimFilters, 'page'> & { page?: number },
  options: { beforeId?: number | undefined; limit: number; timeZone?: string },
) {
  const where = filtersWhere(tenantId, { ...filters, page: 1 }, options.timeZone ?? 'UTC');
  return claimRows(db)
    .where(and(where, options.beforeId === undefined ? undefined : sql`${claims.id} < ${options.beforeId}`))
    .orderBy(desc(claims.id))
    .limit(options.limit);
}

export type ClaimExportRow = Awaited<ReturnType<typeof listClaimsForExport>>[number];

/** The download's columns: dates and times in the tenant's timezone, as the tray shows them; the time to resolve in whole minutes. */
export const claimColumns: { key: string; label: MessageKey; value: (row: ClaimExportRow, t: Translate, timeZone: string) => string | number | null }[] = [
  { key: 'id', label: 'claims.number', value: (r) => r.id },
  { key: 'client', label: 'claims.client', value: (r) => r.clientName },
  { key: 'alerts', label: 'claims.alerts', value: (r) => r.contactAlerts.join(', ') },
  { key: 'category', label: 'claims.category', value: (r, t) => t(`claims.category.${r.category}`) },
  { key: 'state', label: 'claims.state', value: (r, t) => t(`claims.state.${r.state}`) },
  { key: 'orders', label: 'claims.orders', value: (r) => r.orderCodes.join(', ') },
  { key: 'description', label: 'claims.description', value: (r) => r.description },
  { key: 'comments', label: 'claims.comments', value: (r) => r.comments },
  { key: 'advisor', label: 'claims.advisor', value: (r) => r.advisorName },
  { key: 'createdAt', label: 'claims.createdAt', value: (r, _t, zone) => dateTimeIn(zone, r.createdAt) },
  { key: 'closedAt', label: 'claims.closedAt', value: (r, _t, zone) => (r.closedAt ? dateTimeIn(zone, r.closedAt) : null) },
  { key: 'resolutionMinutes', label: 'claims.timeToResolveMinutes', value: (r) => (r.state !== 'cerrado' || r.resolutionSeconds === null ? null : Math.round(r.resolutionSeconds / 60)) },
];
