import { campaignEntries } from '../campaigns/schema.js';
import { aliasedTable, and, asc, Column, desc, eq, inArray, is, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import type { IsoDate } from '../platform/dates.js';
import { fold, folded, startsWithFolded } from '../platform/search.js';
import type { MessageKey, Translate } from '../platform/i18n/index.js';
import { tenants } from '../tenants/schema.js';
import { userPreferences, users, type User } from '../users/schema.js';
import { normalizePhone, type ClientVariable } from './fields.js';
import { nameMatches, nameQuery, wordMatchesInOrder, wordMatchIds, type NameQuery } from './search.js';
import { clients, clientStatuses, contactabilities, portfolios, type Client } from './schema.js';
import { isSituation, situationColumn, situationWhere, type Situation } from './situation.js';

export const claimCategories = ['condiciones_contractuales', 'errores_facturacion', 'problemas_pago', 'problemas_producto'] as const;
export type ClaimCategory = (typeof claimCategories)[number];

export const statusFilters = [...clientStatuses, 'eliminado'] as const;
export const sortKeys = ['name', 'document', 'situation', 'balance', 'created'] as const;
export type SortKey = (typeof sortKeys)[number];

/** The tray's filters as the URL carries them; anything not understood is simply absent. */
export interface ClientFilters {
  q?: string;
  /** The search text read as a phone number in the tenant's country, when it is one. */
  qPhone?: string;
  status?: (typeof statusFilters)[number];
  portfolio?: Client['portfolio'];
  supervisorId?: number;
  advisorId?: number;
  situation?: Situation;
  alert?: string;
  contactability?: Client['contactability'];
  segment?: string;
  claimCategory?: ClaimCategory;
  /** Additional variables: key → value, matched regardless of case and accents. */
  variables: Record<string, string>;
}

export interface TrayOrder {
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
}

const VARIABLE_PREFIX = 'var.';
const VARIABLE_KEY = /^[A-Za-z0-9_-]{1,60}$/;

const oneOf = <T extends string>(options: readonly T[], value: string | undefined): T | undefined =>
  value !== undefined && (options as readonly string[]).includes(value) ? (value as T) : undefined;

const positiveId = (value: string | undefined): number | undefined => {
  const n = Number(value);
  return value && /^\d{1,15}$/.test(value) && n > 0 ? n : undefined;
};

const text = (value: string | undefined, max = 120): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, max) : undefined;
};

/**
 * Reads the filters from a query string. Unknown or malformed values are ignored, never an
 * error. With the tenant's country the search also matches phones typed without prefix; with
 * the tenant's variable keys, filters on variables it never defined are dropped.
 */
export function parseClientFilters(
  query: Record<string, string | undefined>,
  options: { country?: string; variableKeys?: readonly string[] } = {},
): ClientFilters {
  const q = text(query.q, 200);
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!name.startsWith(VARIABLE_PREFIX)) continue;
    const key = name.slice(VARIABLE_PREFIX.length);
    const wanted = text(value, 500);
    if (!wanted || !VARIABLE_KEY.test(key)) continue;
    if (options.variableKeys && !options.variableKeys.includes(key)) continue;
    variables[key] = wanted;
  }
  const filters: ClientFilters = { variables };
  const set = <K extends keyof ClientFilters>(key: K, value: ClientFilters[K] | undefined) => {
    if (value !== undefined) filters[key] = value;
  };
  set('q', q);
  set('qPhone', q && options.country ? (normalizePhone(q, options.country) ?? undefined) : undefined);
  set('status', oneOf(statusFilters, query.status));
  set('portfolio', oneOf(portfolios, query.portfolio));
  set('supervisorId', positiveId(query.supervisor));
  set('advisorId', positiveId(query.advisor));
  set('situation', query.situation && isSituation(query.situation) ? query.situation : undefined);
  set('alert', text(query.alert, 80));
  set('contactability', oneOf(contactabilities, query.contactability));
  set('segment', text(query.segment));
  set('claimCategory', oneOf(claimCategories, query.claim));
  return filters;
}

/** The filters back as query parameters (for links that keep them: sorting, pages, downloads). */
export function filterParams(filters: ClientFilters): Record<string, string> {
  const out: Record<string, string> = {};
  if (filters.q) out.q = filters.q;
  if (filters.status) out.status = filters.status;
  if (filters.portfolio) out.portfolio = filters.portfolio;
  if (filters.supervisorId) out.supervisor = String(filters.supervisorId);
  if (filters.advisorId) out.advisor = String(filters.advisorId);
  if (filters.situation) out.situation = filters.situation;
  if (filters.alert) out.alert = filters.alert;
  if (filters.contactability) out.contactability = filters.contactability;
  if (filters.segment) out.segment = filters.segment;
  if (filters.claimCategory) out.claim = filters.claimCategory;
  for (const [key, value] of Object.entries(filters.variables)) out[`${VARIABLE_PREFIX}${key}`] = value;
  return out;
}

export function parseTrayOrder(query: Record<string, string | undefined>): TrayOrder {
  const page = Number(query.page);
  return {
    sort: oneOf(sortKeys, query.sort) ?? 'name',
    dir: query.dir === 'desc' ? 'desc' : 'asc',
    page: Number.isSafeInteger(page) && page > 0 && page <= 100_000 ? page : 1,
  };
}

/**
 * The search box: the start of the name's words (src/clients/search.ts, regardless of case
 * and accents), a document number, an email or a phone.
 */
function searchWhere(tenantId: number, q: string, qPhone: string | undefined, deleted: boolean): SQL {
  return or(nameMatches(tenantId, nameQuery(q), deleted), exactMatches(q, qPhone))!;
}

/** The search box's exact matches: a document number, an email or a phone. */
function exactMatches(q: string, qPhone: string | undefined): SQL {
  const document = q.toUpperCase();
  const compact = document.replace(/[\s.\-]/g, '');
  const digits = q.replace(/\D/g, '');
  const matches: SQL[] = [sql`${clients.documentNumber} in (${document}, ${compact})`, sql`lower(${clients.email}) = ${q.toLowerCase()}`];
  const phones = [qPhone, digits.length >= 6 ? `+${digits}` : undefined].filter((p): p is string => Boolean(p));
  if (phones.length > 0) matches.push(sql`${clients.phone} in (${sql.join(phones.map((p) => sql`${p}`), sql`, `)})`);
  return or(...matches)!;
}

/**
 * A name prefix as a range of the name index. Where text sorts by code point (collations C
 * and C.UTF-8), every name that starts with the prefix lies between the prefix and the
 * prefix with its last character's successor, so the index walks just the matches, in name
 * order; the LIKE keeps the test exact. Other collations weigh letters by more rules than
 * their code points, and keep the plain LIKE (see `searchByRange`).
 */
function namePrefixRange(q: string): SQL {
  const low = fold(q);
  const chars = [...low];
  const last = chars.pop()!.codePointAt(0)!;
  const name = folded(clients.name);
  const like = startsWithFolded(clients.name, q);
  if (last >= 0x10ffff) return sql`${name} >= ${low} and ${like}`;
  const high = chars.join('') + String.fromCodePoint(last + 1);
  return sql`${name} >= ${low} and ${name} < ${high} and ${like}`;
}

const codePointOrder = new WeakMap<Db, Promise<boolean>>();
/** Whether this database sorts text by code point, which makes a name prefix an index range. */
function searchByRange(db: Db): Promise<boolean> {
  let known = codePointOrder.get(db);
  if (!known) {
    known = rows<{ bytes: boolean }>(db, sql`select datcollate in ('C', 'POSIX', 'C.UTF-8', 'C.utf8') as bytes from pg_database where datname = current_database()`)
      .then(([row]) => row?.bytes === true)
      .catch(() => false);
    codePointOrder.set(db, known);
  }
  return known;
}

/** What a search's halves are cut for: a page in name order, or a count that stops past the cap. */
type SearchShape = { page: { dir: 'asc' | 'desc'; upTo: number } } | { count: number };

/**
 * A search's two halves, each cut for `shape`: the name's matches through the words' index
 * (or, for a name prefix, the name index) and the exact matches through theirs. An OR of both
 * in one condition makes the planner fetch every match of a short word (tens of thousands on
 * a big tenant) and sort them for one page. The halves come apart so that a count can tell
 * whether the name half reached its cut.
 */
function searchHalves(filters: ClientFilters, tenantId: number, today: IsoDate, query: NameQuery, shape: SearchShape): { name: SQL; exact: SQL; nameCut: number } {
  const base = clientWhere(tenantId, { ...filters, q: undefined, qPhone: undefined }, today);
  const exact = exactMatches(filters.q!, filters.qPhone);
  const within = { deleted: filters.status === 'eliminado', narrowing: narrowing(filters, today) };
  if ('count' in shape) {
    const cut = shape.count + 1;
    // The words' half holds a client once per word the lead starts: cut at twice as many.
    const nameCut = query.kind === 'words' ? 2 * cut : cut;
    return {
      name: query.kind === 'words' ? wordMatchIds(tenantId, query, within, nameCut) : sql`(select ${clients.id} from ${clients} where ${base} and ${namePrefixRange(query.q)} limit ${nameCut})`,
      exact: sql`(select ${clients.id} from ${clients} where ${base} and ${exact} limit ${cut})`,
      nameCut,
    };
  }
  const { upTo } = shape.page;
  const dir = sql.raw(shape.page.dir);
  const inOrder = (match: SQL) =>
    sql`(select ${clients.id} as id, ${folded(clients.name)} as sort_name from ${clients} where ${base} and ${match}
         order by ${folded(clients.name)} ${dir}, ${clients.id} ${dir} limit ${upTo})`;
  return {
    // A client with two words starting with the lead comes once from each; grouped, once.
    name:
      query.kind === 'words'
        ? sql`(select w.id, w.sort_name from ${wordMatchesInOrder(tenantId, query, within, shape.page.dir, upTo)} w
               group by w.id, w.sort_name order by w.sort_name ${dir}, w.id ${dir} limit ${upTo})`
        : inOrder(namePrefixRange(query.q)),
    exact: inOrder(exact),
    nameCut: upTo,
  };
}

/** The filters as one condition on `clients`, always within the tenant. */
export function clientWhere(tenantId: number, filters: ClientFilters, today: IsoDate): SQL {
  const deleted = filters.status === 'eliminado';
  return and(
    eq(clients.tenantId, tenantId),
    deleted ? isNotNull(clients.deletedAt) : isNull(clients.deletedAt),
    filters.q ? searchWhere(tenantId, filters.q, filters.qPhone, deleted) : undefined,
    ...narrowing(filters, today),
  )!;
}

/** The filters other than the search box and whether the clients are deleted. */
function narrowing(filters: ClientFilters, today: IsoDate): SQL[] {
  const conditions: SQL[] = [];
  if (filters.status && filters.status !== 'eliminado') conditions.push(eq(clients.status, filters.status));
  if (filters.portfolio) conditions.push(eq(clients.portfolio, filters.portfolio));
  if (filters.supervisorId) conditions.push(eq(clients.supervisorId, filters.supervisorId));
  if (filters.advisorId) conditions.push(eq(clients.advisorId, filters.advisorId));
  if (filters.situation) conditions.push(situationWhere(filters.situation, today));
  // Alerts, segments and variables are typed by people: matched regardless of case and accents.
  if (filters.alert) conditions.push(sql`exists (select 1 from unnest(${clients.contactAlerts}) as alert where saldo_fold(alert) = ${fold(filters.alert.trim())})`);
  if (filters.contactability) conditions.push(eq(clients.contactability, filters.contactability));
  if (filters.segment) conditions.push(sql`${folded(clients.segment)} = ${fold(filters.segment.trim())}`);
  if (filters.claimCategory) conditions.push(sql`${clients.openClaimCategories} @> array[${filters.claimCategory}]::text[]`);
  for (const [key, value] of Object.entries(filters.variables)) conditions.push(sql`saldo_fold(${clients.additional} ->> ${key}) = ${fold(value.trim())}`);
  return conditions;
}

const supervisors = aliasedTable(users, 'supervisor');
const advisors = aliasedTable(users, 'advisor');

function rowSelection(today: IsoDate) {
  return {
    id: clients.id,
    documentType: clients.documentType,
    documentNumber: clients.documentNumber,
    name: clients.name,
    email: clients.email,
    phone: clients.phone,
    segment: clients.segment,
    status: clients.status,
    supervisorId: clients.supervisorId,
    advisorId: clients.advisorId,
    supervisorName: supervisors.name,
    advisorName: advisors.name,
    contactability: clients.contactability,
    contactAlerts: clients.contactAlerts,
    portfolio: clients.portfolio,
    additional: clients.additional,
    unpaidOrders: clients.unpaidOrders,
    oldestUnpaidDueDate: clients.oldestUnpaidDueDate,
    totalBalance: clients.totalBalance,
    openClaims: clients.openClaims,
    openClaimCategories: clients.openClaimCategories,
    situation: situationColumn(today),
    daysPastDue: sql<number>`greatest(0, coalesce(${today}::date - ${clients.oldestUnpaidDueDate}, 0))`.mapWith(Number),
    /** "Cartera castigada": an open, unpaid campaign entry whose end date has not passed. */
    activeCampaign: sql<boolean>`exists (
      select 1 from ${campaignEntries} e
       where e.tenant_id = ${clients.tenantId} and e.client_id = ${clients.id}
         and e.closed_at is null and e.total_due > 0 and (e.end_date is null or e.end_date >= ${today}::date))`.mapWith(Boolean),
    deletedAt: clients.deletedAt,
    createdAt: clients.createdAt,
  };
}

function selectRows(db: Db, tenantId: number, today: IsoDate) {
  return db
    .select(rowSelection(today))
    .from(clients)
    .leftJoin(supervisors, and(eq(supervisors.tenantId, tenantId), eq(supervisors.id, clients.supervisorId)))
    .leftJoin(advisors, and(eq(advisors.tenantId, tenantId), eq(advisors.id, clients.advisorId)));
}

/** One client as the tray, the client page and downloads show it. */
export type ClientRow = Awaited<ReturnType<typeof listClientsByIds>>[number];

/** These clients of the tenant, in no particular order. */
function listClientsByIds(db: Db, tenantId: number, today: IsoDate, ids: number[]) {
  return selectRows(db, tenantId, today).where(and(eq(clients.tenantId, tenantId), inArray(clients.id, ids)));
}

/** How values of the computed fields arrive from the driver, to decode rows read outside the query builder. */
const computedDecoders: Record<string, (value: unknown) => unknown> = { situation: String, daysPastDue: Number };

/** A client of the driver that can stream a statement through one server-side cursor. */
interface CursorClient {
  unsafe(query: string, params: unknown[]): { values(): { cursor(rows: number): AsyncIterable<unknown[][]> } };
}

function cursorClientOf(db: Db): CursorClient | undefined {
  const client = (db as unknown as { $client?: { unsafe?: unknown; reserve?: unknown } }).$client;
  return client && typeof client.unsafe === 'function' && typeof client.reserve === 'function' ? (client as unknown as CursorClient) : undefined;
}

/** The one statement an export reads: the filtered clients in the tray's order, only the `fields` its columns read. */
export function exportStatement(db: Db, tenantId: number, filters: ClientFilters, today: IsoDate, order: SortOrder, fields: readonly ColumnField[]) {
  const all = rowSelection(today);
  const selection = Object.fromEntries([...new Set(fields)].map((key) => [key, all[key]])) as Pick<typeof all, ColumnField>;
  const query = db
    .select(selection)
    .from(clients)
    .leftJoin(supervisors, and(eq(supervisors.tenantId, tenantId), eq(supervisors.id, clients.supervisorId)))
    .leftJoin(advisors, and(eq(advisors.tenantId, tenantId), eq(advisors.id, clients.advisorId)))
    .where(clientWhere(tenantId, filters, today))
    .orderBy(...orderFor(order, Boolean(filters.q)))
    .toSQL();
  return { selection, query };
}

/**
 * The whole selection in the tray's order, in batches, with what the columns show. On
 * PostgreSQL it is one statement read through a server-side cursor: planned once, scanned
 * once, only the `fields` the columns read, and the batch after this one is fetched while the
 * caller works (memory stays flat however big the tenant). On the embedded database, which
 * has no cursor to read through, the selection's ids are read first in that order (a
 * snapshot that rows changed meanwhile cannot shift) and the rows then in batches of those
 * ids, each next one read while the caller works. With `map`, batches hold what it makes of
 * each row; the row it is given is only valid during the call (one object serves them all).
 */
export async function* streamClientsForExport<T = ColumnRow>(
  db: Db,
  tenantId: number,
  filters: ClientFilters,
  today: IsoDate,
  order: SortOrder,
  batchSize: number,
  fields: readonly ColumnField[] = columnFields,
  map?: (row: ColumnRow) => T,
): AsyncGenerator<T[]> {
  const client = cursorClientOf(db);
  if (client) {
    const { selection, query } = exportStatement(db, tenantId, filters, today, order, fields);
    const decoders = Object.entries(selection).map(([key, field]): [string, ((value: unknown) => unknown) | null] => {
      // Text arrives as it is stored: no call per value for it.
      if (is(field, Column)) return [key, field.getSQLType() === 'text' ? null : (value: unknown) => field.mapFromDriverValue(value)];
      const decode = computedDecoders[key];
      if (!decode) throw new Error(`no decoder for ${key}`);
      return [key, decode];
    });
    const keys = decoders.map(([key]) => key);
    const decode = decoders.map(([, d]) => d);
    const cursor = client.unsafe(query.sql, query.params).values().cursor(batchSize)[Symbol.asyncIterator]();
    // The next batch is asked for before this one is handed over: the server sends it while
    // the caller writes this one. Stopping early waits for it, then closes the cursor (a
    // cursor left with a batch on the way would hold its connection for good).
    let next: Promise<IteratorResult<unknown[][]>> | null = cursor.next();
    try {
      for (;;) {
        const current: IteratorResult<unknown[][]> = await next;
        next = null;
        if (current.done) return;
        const batch = current.value;
        if (batch.length === batchSize) next = cursor.next();
        const rows = new Array<T>(batch.length);
        let row: Record<string, unknown> = {};
        for (let i = 0; i < batch.length; i++) {
          const values = batch[i]!;
          if (!map) row = {};
          for (let j = 0; j < keys.length; j++) {
            const value = values[j];
            const d = decode[j] as ((value: unknown) => unknown) | null;
            row[keys[j]!] = value === null || d === null ? value : d(value);
          }
          rows[i] = map ? map(row as ColumnRow) : (row as T);
        }
        yield rows;
        if (!next) return;
      }
    } finally {
      if (next) await next.catch(() => undefined);
      await cursor.return?.();
    }
  }
  const ids = (
    await db
      .select({ id: clients.id })
      .from(clients)
      .where(clientWhere(tenantId, filters, today))
      .orderBy(...orderFor(order, Boolean(filters.q)))
  ).map((r) => r.id);
  const fetch = (start: number) => {
    const batch = ids.slice(start, start + batchSize);
    const next = listClientsByIds(db, tenantId, today, batch).then((found) => {
      const byId = new Map(found.map((row) => [row.id, row]));
      // A client removed since its id was read is left out.
      return batch.flatMap((id) => byId.get(id) ?? []);
    });
    // Awaited on the next turn; if the caller stops first, its failure must not go unhandled.
    next.catch(() => undefined);
    return next;
  };
  if (ids.length === 0) return;
  for (let start = 0, pending = fetch(0); start < ids.length; start += batchSize) {
    const page = await pending;
    if (start + batchSize < ids.length) pending = fetch(start + batchSize);
    yield map ? page.map(map) : (page as T[]);
  }
}

/** Tray sizes; the count stops at `countCap` so a huge tenant never counts every row. */
export const trayLimits = { pageSize: 25, countCap: 10_000 };

/** What orders the tray and its download. */
export type SortOrder = Pick<TrayOrder, 'sort' | 'dir'>;

function orderFor(order: SortOrder, searching: boolean): SQL[] {
  const direction = order.dir === 'desc' ? desc : asc;
  const nulls = order.dir === 'desc' ? sql`nulls first` : sql`nulls last`;
  switch (order.sort) {
    case 'name':
      // A search's matches sit together in name order (a name prefix), so walking the name
      // index to find them reads most of the tenant first; the same order written so that no
      // index provides it makes the planner fetch the matches through the search's own indexes
      // and sort those few instead.
      return searching
        ? [direction(sql`${folded(clients.name)} || ''`), direction(clients.id)]
        : [direction(folded(clients.name)), direction(clients.id)];
    case 'document':
      return [direction(clients.documentNumber), direction(clients.documentType), direction(clients.id)];
    case 'situation':
      return [sql`${clients.oldestUnpaidDueDate} ${sql.raw(order.dir)} ${nulls}`, direction(clients.id)];
    case 'balance':
      return [direction(clients.totalBalance), direction(clients.id)];
    case 'created':
      return [direction(clients.createdAt), direction(clients.id)];
  }
}

export async function listClientsPage(db: Db, tenantId: number, filters: ClientFilters, today: IsoDate, order: TrayOrder): Promise<ClientRow[]> {
  const sorting = orderFor(order, Boolean(filters.q));
  const query = filters.q ? nameQuery(filters.q) : undefined;
  if (query && order.sort === 'name' && (query.kind === 'words' || (await searchByRange(db)))) {
    const dir = sql.raw(order.dir);
    const halves = searchHalves(filters, tenantId, today, query, { page: { dir: order.dir, upTo: order.page * trayLimits.pageSize } });
    const pageIds = sql`select m.id from (${halves.name} union ${halves.exact}) m order by m.sort_name ${dir}, m.id ${dir}
      limit ${trayLimits.pageSize} offset ${(order.page - 1) * trayLimits.pageSize}`;
    return selectRows(db, tenantId, today)
      .where(and(eq(clients.tenantId, tenantId), sql`${clients.id} in (${pageIds})`))
      .orderBy(...sorting);
  }
  // The page's ids first, from the index alone where it covers them; names of staff,
  // situation and campaign are then worked out for those rows only, not for every row a
  // deep page skips or a search sorts.
  const page = db
    .select({ id: clients.id })
    .from(clients)
    .where(clientWhere(tenantId, filters, today))
    .orderBy(...sorting)
    .limit(trayLimits.pageSize)
    .offset((order.page - 1) * trayLimits.pageSize)
    .as('page');
  return selectRows(db, tenantId, today)
    .innerJoin(page, eq(page.id, clients.id))
    .where(eq(clients.tenantId, tenantId))
    .orderBy(...sorting);
}

/** How many clients match, counting at most one past the cap. */
export async function countClients(db: Db, tenantId: number, filters: ClientFilters, today: IsoDate, cap = trayLimits.countCap): Promise<{ count: number; capped: boolean }> {
  const query = filters.q ? nameQuery(filters.q) : undefined;
  if (query && (query.kind === 'words' || (await searchByRange(db)))) {
    // Either half reaching its cut means the union passes the cap; below it, the union is
    // exact. The words' half may hold a client more than once, so should its cut rows be
    // fewer than the cap in clients (names full of words alike), the count is made again
    // with no cut.
    const halves = searchHalves(filters, tenantId, today, query, { count: cap });
    const [row] = await rows<{ n: number; cut: boolean }>(
      db,
      sql`with name_half as materialized ${halves.name}
          select (select count(*)::int from (select * from name_half union ${halves.exact}) m) as n,
                 (select count(*) from name_half) >= ${halves.nameCut} as cut`,
    );
    let n = Number(row?.n ?? 0);
    if (row?.cut && n <= cap) {
      const [all] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ${clients} where ${clientWhere(tenantId, filters, today)}`);
      n = Number(all?.n ?? 0);
    }
    return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
  }
  const inner = db.select({ one: sql`1` }).from(clients).where(clientWhere(tenantId, filters, today)).limit(cap + 1);
  const [row] = await db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(inner.as('matching'));
  const n = row?.n ?? 0;
  return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
}

/** A client of the tenant, deleted or not, with everything its page shows. */
export async function findClientRow(db: Db, tenantId: number, clientId: number, today: IsoDate): Promise<ClientRow | undefined> {
  const [row] = await selectRows(db, tenantId, today)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.id, clientId)))
    .limit(1);
  return row;
}

export async function findClient(db: Db, tenantId: number, clientId: number): Promise<Client | undefined> {
  const [client] = await db
    .select()
    .from(clients)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.id, clientId)))
    .limit(1);
  return client;
}

/** A live client by its document, for imports and the API that identify clients that way. */
export async function findClientByDocument(db: Db, tenantId: number, documentType: string, documentNumber: string): Promise<Client | undefined> {
  const [client] = await db
    .select()
    .from(clients)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.documentType, documentType), eq(clients.documentNumber, documentNumber), isNull(clients.deletedAt)))
    .limit(1);
  return client;
}

/** What the columns read of a client; downloads fetch these fields only. */
const columnFields = [
  'documentType', 'documentNumber', 'name', 'email', 'phone', 'segment', 'status', 'deletedAt', 'situation', 'supervisorName',
  'advisorName', 'contactability', 'contactAlerts', 'portfolio', 'totalBalance', 'daysPastDue', 'additional',
] as const satisfies readonly (keyof ClientRow)[];
export type ColumnField = (typeof columnFields)[number];
export type ColumnRow = Pick<ClientRow, ColumnField>;

export interface ClientColumn {
  key: string;
  label: MessageKey;
  /** The fields `value` reads: a download fetches only those of the columns it shows. */
  reads: readonly ColumnField[];
  /** A heading the tenant wrote (additional variables), shown instead of `label`. */
  heading?: string;
  numeric?: boolean;
  /** A plain value for tables and spreadsheets; with `t`, coded values come out in words. */
  value(row: ColumnRow, t?: Translate): string | number;
}

const word = (t: Translate | undefined, key: MessageKey, code: string) => (t ? t(key) : code);

/** Every column of the chooser (additional variables come from `columnsFor`). */
export const clientColumns: readonly ClientColumn[] = [
  { key: 'document', label: 'clients.field.document', reads: ['documentType', 'documentNumber'], value: (r) => `${r.documentType} ${r.documentNumber}` },
  { key: 'name', label: 'clients.field.name', reads: ['name'], value: (r) => r.name },
  { key: 'email', label: 'clients.field.email', reads: ['email'], value: (r) => r.email ?? '' },
  { key: 'phone', label: 'clients.field.phone', reads: ['phone'], value: (r) => r.phone ?? '' },
  { key: 'segment', label: 'clients.field.segment', reads: ['segment'], value: (r) => r.segment ?? '' },
  {
    key: 'status',
    label: 'clients.field.status',
    reads: ['status', 'deletedAt'],
    value: (r, t) => (r.deletedAt ? word(t, 'clients.status.eliminado', 'eliminado') : word(t, `clients.status.${r.status}`, r.status)),
  },
  { key: 'situation', label: 'clients.field.situation', reads: ['situation'], value: (r, t) => word(t, `situation.${r.situation}`, r.situation) },
  { key: 'supervisor', label: 'clients.field.supervisor', reads: ['supervisorName'], value: (r) => r.supervisorName ?? '' },
  { key: 'advisor', label: 'clients.field.advisor', reads: ['advisorName'], value: (r) => r.advisorName ?? '' },
  {
    key: 'contactability',
    label: 'clients.field.contactability',
    reads: ['contactability'],
    value: (r, t) => word(t, `clients.contactability.${r.contactability}`, r.contactability),
  },
  { key: 'alerts', label: 'clients.field.contactAlerts', reads: ['contactAlerts'], value: (r) => r.contactAlerts.join(', ') },
  { key: 'portfolio', label: 'clients.field.portfolio', reads: ['portfolio'], value: (r, t) => word(t, `clients.portfolio.${r.portfolio}`, r.portfolio) },
  { key: 'totalBalance', label: 'clients.field.totalBalance', numeric: true, reads: ['totalBalance'], value: (r) => r.totalBalance },
  { key: 'daysPastDue', label: 'clients.field.daysPastDue', numeric: true, reads: ['daysPastDue'], value: (r) => r.daysPastDue },
];

/** The chooser's columns for a tenant: the fixed ones, then one per additional variable. */
export function columnsFor(variables: readonly ClientVariable[]): ClientColumn[] {
  return [
    ...clientColumns,
    ...variables.map((variable) => ({
      key: `${VARIABLE_PREFIX}${variable.key}`,
      label: 'clients.field.additional' as const,
      heading: variable.label,
      reads: ['additional'] as const,
      value: (r: ColumnRow) => r.additional[variable.key] ?? '',
    })),
  ];
}

export const defaultColumnKeys = ['document', 'name', 'email', 'phone', 'segment', 'status', 'situation', 'totalBalance'];
export const COLUMNS_PREFERENCE = 'clients.columns';

/** The column keys the user saved, or the defaults; read apart so it can run beside other lookups. */
export async function storedColumnChoice(db: Db, tenantId: number, userId: number): Promise<string[]> {
  const [preference] = await db
    .select({ value: userPreferences.value })
    .from(userPreferences)
    .where(and(eq(userPreferences.tenantId, tenantId), eq(userPreferences.userId, userId), eq(userPreferences.key, COLUMNS_PREFERENCE)))
    .limit(1);
  return columnKeys(preference?.value);
}

/** What the tray shows besides its rows: the tenant's variables, its active staff by name, the user's saved columns. */
export interface TraySettings {
  variables: ClientVariable[];
  staff: Pick<User, 'id' | 'name' | 'role'>[];
  columns: string[];
}

// The tray reads these beside its rows and count on every request: one statement (one round
// trip, not three), built once per database and parsed once per connection. The lookups are
// those of clientVariablesFor, listStaff and storedColumnChoice.
const traySettingsStatements = new WeakMap<Db, ReturnType<typeof prepareTraySettings>>();
function prepareTraySettings(db: Db) {
  const tenantId = sql.placeholder('tenantId');
  return db
    .select({
      variables: sql<ClientVariable[]>`(select coalesce(json_agg(json_build_object('key', v.key, 'label', v.label) order by v.position, v.key), '[]')
          from client_variables v where v.tenant_id = ${tenantId})`,
      staff: sql<TraySettings['staff']>`(select coalesce(json_agg(json_build_object('id', u.id, 'name', u.name, 'role', u.role) order by u.name), '[]')
          from users u where u.tenant_id = ${tenantId} and u.active)`,
      columns: sql<unknown>`(select p.value from user_preferences p
          where p.tenant_id = ${tenantId} and p.user_id = ${sql.placeholder('userId')} and p.key = ${COLUMNS_PREFERENCE})`,
    })
    .from(tenants)
    .where(eq(tenants.id, tenantId))
    .prepare('clients_tray_settings');
}

export async function traySettings(db: Db, tenantId: number, userId: number): Promise<TraySettings> {
  let statement = traySettingsStatements.get(db);
  if (!statement) {
    statement = prepareTraySettings(db);
    traySettingsStatements.set(db, statement);
  }
  const [row] = await statement.execute({ tenantId, userId });
  return { variables: row?.variables ?? [], staff: row?.staff ?? [], columns: columnKeys(row?.columns) };
}

/** The saved value of the column preference as keys, or the defaults. */
function columnKeys(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string') : defaultColumnKeys;
}

/** The chosen keys that are known columns, in the chooser's order, or the defaults. */
export function pickColumns(stored: readonly string[], available: readonly ClientColumn[]): ClientColumn[] {
  const picked = available.filter((column) => stored.includes(column.key));
  return picked.length > 0 ? picked : available.filter((column) => defaultColumnKeys.includes(column.key));
}

/** The user's chosen columns (known ones only, in the chooser's order), or the defaults. */
export async function chosenColumns(db: Db, tenantId: number, userId: number, available: readonly ClientColumn[]): Promise<ClientColumn[]> {
  return pickColumns(await storedColumnChoice(db, tenantId, userId), available);
}

export const EVENTS_PAGE_SIZE = 25;

/** The client's history, newest first, with who acted: `limit` events from `offset`. */
export async function clientEventsFrom(db: Db, tenantId: number, clientId: number, offset: number, limit: number) {
  return db
    .select({
      id: clientEvents.id,
      type: clientEvents.type,
      data: clientEvents.data,
      occurredAt: clientEvents.occurredAt,
      actorName: users.name,
    })
    .from(clientEvents)
    .leftJoin(users, and(eq(users.tenantId, tenantId), eq(users.id, clientEvents.actorId)))
    .where(and(eq(clientEvents.tenantId, tenantId), eq(clientEvents.clientId, clientId)))
    .orderBy(desc(clientEvents.occurredAt), desc(clientEvents.id))
    .limit(limit)
    .offset(offset);
}

/** A page of the client's history (one more than the page, to tell whether another follows). */
export function listClientEvents(db: Db, tenantId: number, clientId: number, page: number) {
  return clientEventsFrom(db, tenantId, clientId, (page - 1) * EVENTS_PAGE_SIZE, EVENTS_PAGE_SIZE + 1);
}

export async function countClientEvents(db: Db, tenantId: number, clientId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(clientEvents)
    .where(and(eq(clientEvents.tenantId, tenantId), eq(clientEvents.clientId, clientId)));
  return Number(row?.n ?? 0);
}
