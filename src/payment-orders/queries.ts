import { and, asc, desc, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import { nameMatches, nameQuery } from '../clients/search.js';
import type { Db } from '../db/index.js';
import { parseTypedDay, type IsoDate } from '../platform/dates.js';
import { isAmbiguousAmount, parseMoney } from '../platform/money.js';
import { ambiguousAmountMessage } from './fields.js';
import { paymentOrders } from './schema.js';
import { isOrderStatus, orderStatusWhere, type OrderStatus } from './status.js';
import { ordered } from '../platform/forms.js';

export const PAGE_SIZE = 50;
/** Counting stops here: "more than 10,000" is all anyone needs, and an exact count of millions is slow. */
export const COUNT_CAP = 10_000;

export const orderSorts = ['due', '-due', 'amount', '-amount', 'balance', '-balance', 'code', '-code'] as const;
export type OrderSort = (typeof orderSorts)[number];

export interface OrderFilters {
  q: string;
  client: number | null;
  /** The client's supervisor and advisor (SPEC 1: filters by them exist everywhere). */
  supervisor: number | null;
  advisor: number | null;
  product: string;
  status: OrderStatus | null;
  dueFrom: IsoDate | null;
  dueTo: IsoDate | null;
  amountMin: number | null;
  amountMax: number | null;
  sort: OrderSort;
  page: number;
  /** Typed filters that could not be read: left out of the search, and the page says why. */
  unread: UnreadFilter[];
  /** The amounts were typed the wrong way round (and are searched swapped): the form shows them swapped. */
  amountsSwapped: boolean;
}

export interface UnreadFilter {
  field: 'dueFrom' | 'dueTo' | 'amountMin' | 'amountMax';
  value: string;
  /** A message key: why the value could not be read. */
  reason: string;
}

/** Filters from the query string; values that make no sense are ignored, never an error. */
export function orderFiltersFrom(query: Record<string, string | undefined>, currency: string): OrderFilters {
  const text = (key: string) => (query[key] ?? '').trim();
  const unread: UnreadFilter[] = [];
  const date = (key: UnreadFilter['field']) => {
    const day = parseTypedDay(text(key));
    if (day) return day;
    if (day === null) unread.push({ field: key, value: text(key).slice(0, 40), reason: 'receivables.date.invalid' });
    return null;
  };
  const money = (key: UnreadFilter['field']) => {
    const value = text(key) ? parseMoney(text(key), currency) : null;
    if (value !== null && value >= 0) return value;
    if (text(key)) {
      const reason = value !== null ? 'receivables.money.negative' : isAmbiguousAmount(text(key), currency) ? ambiguousAmountMessage(currency) : 'receivables.money.notANumber';
      unread.push({ field: key, value: text(key).slice(0, 40), reason });
    }
    return null;
  };
  const client = Number(text('client'));
  const id = (key: string) => {
    const value = Number(text(key));
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  };
  const page = Number(text('page'));
  const sort = text('sort');
  const status = text('status');
  const [dueFrom, dueTo] = ordered(date('dueFrom'), date('dueTo'));
  const typedMin = money('amountMin');
  const [amountMin, amountMax] = ordered(typedMin, money('amountMax'));
  return {
    q: text('q').slice(0, 100),
    client: Number.isSafeInteger(client) && client > 0 ? client : null,
    supervisor: id('supervisor'),
    advisor: id('advisor'),
    product: text('product').slice(0, 120),
    status: isOrderStatus(status) ? status : null,
    dueFrom: dueFrom ?? null,
    dueTo: dueTo ?? null,
    amountMin: amountMin ?? null,
    amountMax: amountMax ?? null,
    sort: (orderSorts as readonly string[]).includes(sort) ? (sort as OrderSort) : 'due',
    page: Number.isSafeInteger(page) && page > 0 && page <= 10_000 ? page : 1,
    unread,
    amountsSwapped: amountMin !== (typedMin ?? undefined),
  };
}

function conditions(tenantId: number, f: OrderFilters, today: IsoDate): SQL {
  const list: (SQL | undefined)[] = [eq(paymentOrders.tenantId, tenantId), isNull(clients.deletedAt)];
  if (f.client) list.push(eq(paymentOrders.clientId, f.client));
  if (f.supervisor) list.push(eq(clients.supervisorId, f.supervisor));
  if (f.advisor) list.push(eq(clients.advisorId, f.advisor));
  if (f.q) {
    // Codes and documents are stored as loaded, nearly always in capitals: what staff type
    // is looked up as typed, in capitals and in small letters, through the unique indexes.
    const upper = f.q.toUpperCase();
    const lower = f.q.toLowerCase();
    list.push(
      sql`(${clients.documentNumber} in (${f.q}, ${upper}) or ${nameMatches(tenantId, nameQuery(f.q))} or ${paymentOrders.paymentCode} in (${f.q}, ${upper}, ${lower}))`,
    );
  }
  if (f.product) list.push(eq(paymentOrders.product, f.product));
  if (f.status) list.push(orderStatusWhere(f.status, today));
  if (f.dueFrom) list.push(gte(paymentOrders.dueDate, f.dueFrom));
  if (f.dueTo) list.push(lte(paymentOrders.dueDate, f.dueTo));
  if (f.amountMin !== null) list.push(gte(paymentOrders.amount, f.amountMin));
  if (f.amountMax !== null) list.push(lte(paymentOrders.amount, f.amountMax));
  return and(...list)!;
}

const sortColumns = {
  due: paymentOrders.dueDate,
  amount: paymentOrders.amount,
  balance: paymentOrders.balance,
  code: paymentOrders.paymentCode,
} as const;

const ordersJoin = and(eq(clients.tenantId, paymentOrders.tenantId), eq(clients.id, paymentOrders.clientId));

/** What the tray and its download show of each order. */
const orderRowSelection = {
  id: paymentOrders.id,
  paymentCode: paymentOrders.paymentCode,
  product: paymentOrders.product,
  amount: paymentOrders.amount,
  interest: paymentOrders.interest,
  discounts: paymentOrders.discounts,
  paid: paymentOrders.paid,
  balance: paymentOrders.balance,
  issueDate: paymentOrders.issueDate,
  dueDate: paymentOrders.dueDate,
  annulled: paymentOrders.annulled,
  clientId: clients.id,
  clientName: clients.name,
  documentType: clients.documentType,
  documentNumber: clients.documentNumber,
};

/** How many orders the filters select, counted up to `cap` (then `capped`). */
export async function countOrders(db: Db, tenantId: number, f: OrderFilters, today: IsoDate, cap = COUNT_CAP): Promise<{ count: number; capped: boolean }> {
  const capped = db
    .select({ one: sql`1` })
    .from(paymentOrders)
    .innerJoin(clients, ordersJoin)
    .where(conditions(tenantId, f, today))
    .limit(cap + 1)
    .as('capped');
  const [{ count }] = (await db.select({ count: sql<number>`count(*)::int` }).from(capped)) as [{ count: number }];
  return { count: Math.min(count, cap), capped: count > cap };
}

/** The tray's sort: its column and direction, the id after it so that no two rows tie. */
function sortOf(f: OrderFilters) {
  const descending = f.sort.startsWith('-');
  const key = f.sort.replace('-', '') as keyof typeof sortColumns;
  const column = sortColumns[key];
  const direction = descending ? desc : asc;
  return { key, column, descending, orderBy: [direction(column), direction(paymentOrders.id)] };
}

export async function listOrders(db: Db, tenantId: number, f: OrderFilters, today: IsoDate) {
  const [items, { count, capped }] = await Promise.all([
    db
      .select(orderRowSelection)
      .from(paymentOrders)
      .innerJoin(clients, ordersJoin)
      .where(conditions(tenantId, f, today))
      .orderBy(...sortOf(f).orderBy)
      .limit(PAGE_SIZE)
      .offset((f.page - 1) * PAGE_SIZE),
    countOrders(db, tenantId, f, today),
  ]);
  return { items, count, capped };
}

/** The row's field that holds each sort's value, to resume a walk after it. */
const sortFields = { due: 'dueDate', amount: 'amount', balance: 'balance', code: 'paymentCode' } as const;

/**
 * The orders the filters select in the tray's order, from after `after` (the last row of the
 * batch before): the download's batches. The sort's value and the id, compared as one row,
 * say where the walk resumes; none of the sorted columns is ever null.
 */
export async function listOrdersForExport(db: Db, tenantId: number, f: OrderFilters, today: IsoDate, batch: { after?: SortedPlace | undefined; limit: number }) {
  const { key, column, descending, orderBy } = sortOf(f);
  const after = batch.after
    ? sql`(${column}, ${paymentOrders.id}) ${sql.raw(descending ? '<' : '>')} (${sql.param(batch.after[sortFields[key]], column)}, ${batch.after.id})`
    : undefined;
  return db
    .select(orderRowSelection)
    .from(paymentOrders)
    .innerJoin(clients, ordersJoin)
    .where(and(conditions(tenantId, f, today), after))
    .orderBy(...orderBy)
    .limit(batch.limit);
}

/** Where an order sits in every order the tray sorts by. */
type SortedPlace = { id: number; dueDate: string; amount: number; balance: number; paymentCode: string };

export type OrderExportRow = Awaited<ReturnType<typeof listOrdersForExport>>[number];

export async function listProducts(db: Db, tenantId: number): Promise<string[]> {
  const found = await db
    .selectDistinct({ product: paymentOrders.product })
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), sql`${paymentOrders.product} is not null`))
    .orderBy(asc(paymentOrders.product))
    .limit(200);
  return found.map((r) => r.product!);
}

export async function findOrder(db: Db, tenantId: number, orderId: number) {
  const [order] = await db
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.id, orderId)));
  return order;
}

/** A client of the tenant that is not deleted, with what the order and statement pages show of it. */
export async function findLiveClient(db: Db, tenantId: number, clientId: number, options: { deletedToo?: boolean } = {}) {
  const [client] = await db
    .select({
      id: clients.id,
      name: clients.name,
      email: clients.email,
      documentType: clients.documentType,
      documentNumber: clients.documentNumber,
      totalBalance: clients.totalBalance,
      unpaidOrders: clients.unpaidOrders,
      oldestUnpaidDueDate: clients.oldestUnpaidDueDate,
      openClaims: clients.openClaims,
      deletedAt: clients.deletedAt,
    })
    .from(clients)
    .where(and(eq(clients.tenantId, tenantId), eq(clients.id, clientId), options.deletedToo ? undefined : isNull(clients.deletedAt)));
  return client;
}
