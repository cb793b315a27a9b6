import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import { checkDocument, documentTypesFor, normalizeDocumentNumber, normalizePhone, type DocumentType } from '../clients/fields.js';
import { preferHashJoins, rows, type Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import { addDays, dayText, todayIn, type IsoDate } from '../platform/dates.js';
import { formatMoney } from '../platform/money.js';
import { isUniqueViolation, type Scope } from '../platform/scope.js';
import { paymentOrders } from '../payment-orders/schema.js';
import { newPaymentRecord, paymentTransitions } from '../payments/service.js';
import { settingsOf } from '../settings/queries.js';
import { tenantSettings } from '../settings/schema.js';
import type { Tenant } from '../tenants/schema.js';
import { campaignAmountOf, campaignStateOf } from './compute.js';
import type { CampaignFields } from './fields.js';
import { campaignEntries, campaignPayments, campaignPromises, type CampaignEntry, type CampaignPaymentState } from './schema.js';
import { keptPromiseIds, promiseState } from '../payments/promises.js';

export type Failure = { ok: false; errors: Record<string, string> };
const fail = (field: string, message: string): Failure => ({ ok: false, errors: { [field]: message } });

/**
 * `batch`: the caller's transaction holds a whole file, which any refusal fails whole (an
 * upload's apply). Its rows then run in that transaction, not each in a savepoint of its own:
 * PostgreSQL keeps a lock for every savepoint that writes until the end, and a file of
 * twenty thousand rows ran out of them (decision 0008). `documentTypes` spares each row
 * reading the tenant's list again.
 */
type CampaignScope = Scope & { tenant: Tenant; batch?: { documentTypes: DocumentType[] } };

/** A load's statements in a transaction of their own, or in the caller's for a whole file (CampaignScope.batch). */
function atomically<T>(scope: CampaignScope, run: (tx: Db) => Promise<T>): Promise<T> {
  return scope.batch ? run(scope.db) : scope.db.transaction(run);
}

function event(scope: Scope, clientId: number, type: string, data: Record<string, unknown>) {
  return { tenantId: scope.tenantId, clientId, type, actorId: scope.actor?.id ?? null, data, occurredAt: scope.clock.now() };
}

/**
 * Closes the tenant's (or one client's) entries whose end date has passed, recording
 * "campaign.finished" once per entry. The daily run calls it; loading a new campaign for a
 * client calls it first so an expired entry never blocks the client's single active slot.
 */
export async function closeFinishedCampaigns(db: Db, options: { tenantId: number; today: IsoDate; clientId?: number; now: Date }): Promise<number> {
  const closed = await db
    .update(campaignEntries)
    .set({ closedAt: options.now, closedReason: 'finished', updatedAt: options.now })
    .where(
      and(
        eq(campaignEntries.tenantId, options.tenantId),
        isNull(campaignEntries.closedAt),
        lt(campaignEntries.endDate, options.today),
        sql`${campaignEntries.totalDue} > 0`,
        options.clientId ? eq(campaignEntries.clientId, options.clientId) : undefined,
      ),
    )
    .returning({ id: campaignEntries.id, clientId: campaignEntries.clientId, campaignCode: campaignEntries.campaignCode });
  if (closed.length > 0) {
    await db.insert(clientEvents).values(
      closed.map((e) => ({ tenantId: options.tenantId, clientId: e.clientId, type: 'campaign.finished', actorId: null, data: { entryId: e.id, campaign: e.campaignCode }, occurredAt: options.now })),
    );
  }
  return closed.length;
}

export type EntryResult = { ok: true; entry: CampaignEntry; clientCreated: boolean; clientMoved: boolean } | Failure;

/**
 * Loads one client into a campaign. A client already in cartera vigente is the same client,
 * moved to the charged-off portfolio; an unknown one is created. The database refuses a
 * second active campaign and a second entry in the same campaign; both become messages.
 */
export async function createCampaignEntry(scope: CampaignScope, input: CampaignFields): Promise<EntryResult> {
  const today = todayIn(scope.tenant.timezone, scope.clock);
  const normalised = normalisedEntry(scope, await documentTypesFor(scope.db, scope.tenantId), input, today);
  if (!normalised.ok) return fail(normalised.field, normalised.message);
  try {
    return await loadEntry(scope, input, normalised);
  } catch (error) {
    // Two loads of the same unknown client at once: the one that lost the race to create it
    // runs again and finds the client the other created.
    if (!isUniqueViolation(error, 'clients_document')) throw error;
    return await loadEntry(scope, input, normalised);
  }
}

type Normalised = { today: string; documentType: string; documentNumber: string; phone: string | null };

/**
 * What a load checks of an entry before anything is read or written, the same for one entry
 * and for a file: an end date not past, the document by its type's rule (kept as stored:
 * type in capitals, the number normalised), a phone the tenant's country can read.
 */
function normalisedEntry(scope: CampaignScope, types: readonly DocumentType[], input: CampaignFields, today: string): ({ ok: true } & Normalised) | { ok: false; field: string; message: string } {
  if (input.endDate !== null && input.endDate < today) return { ok: false, field: 'endDate', message: 'campaigns.error.endDatePast' };
  const documentError = checkDocument(types, input.documentType, input.documentNumber);
  if (documentError) return { ok: false, field: 'documentNumber', message: documentError };
  const documentType = input.documentType.trim().toUpperCase();
  const documentNumber = normalizeDocumentNumber(types.find((t) => t.code === documentType)!, input.documentNumber);
  const phone = input.phone ? normalizePhone(input.phone, scope.tenant.country) : null;
  if (input.phone && !phone) return { ok: false, field: 'phone', message: 'campaigns.error.phone' };
  return { ok: true, today, documentType, documentNumber, phone };
}

async function loadEntry(scope: CampaignScope, input: CampaignFields, { today, documentType, documentNumber, phone }: Normalised): Promise<EntryResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(clients)
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.documentType, documentType), eq(clients.documentNumber, documentNumber), isNull(clients.deletedAt)))
        .for('update');
      // Checked before anything is written (a client the load would create has no orders).
      if (input.paymentCode && !(existing && (await isOrderOf(tx, scope.tenantId, existing.id, input.paymentCode)))) return fail('paymentCode', 'campaigns.error.unknownPaymentCode');
      let clientId: number;
      let clientCreated = false;
      let clientMoved = false;
      if (existing) {
        clientId = existing.id;
        clientMoved = existing.portfolio !== 'castigada';
        await tx
          .update(clients)
          .set({
            portfolio: 'castigada',
            ...(phone && !existing.phone ? { phone } : {}),
            ...(input.email && !existing.email ? { email: input.email } : {}),
            updatedAt: scope.clock.now(),
          })
          .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, existing.id)));
      } else {
        const [created] = await tx
          .insert(clients)
          .values({
            tenantId: scope.tenantId,
            documentType,
            documentNumber,
            name: input.name ?? `${documentType} ${documentNumber}`,
            email: input.email,
            phone,
            portfolio: 'castigada',
          })
          .returning({ id: clients.id });
        clientId = created!.id;
        clientCreated = true;
        await tx.insert(clientEvents).values(event(scope, clientId, 'client.created', { via: 'campaign' }));
      }
      await closeFinishedCampaigns(tx, { tenantId: scope.tenantId, today, clientId, now: scope.clock.now() });
      const campaignAmount = campaignAmountOf(input.debtAmount, input.discountType, input.discountValue);
      const [entry] = await tx
        .insert(campaignEntries)
        .values({
          // A discount of the whole debt leaves nothing to pay: the entry is paid (state 1) from
          // the start, and does not hold the client's one active slot.
          ...(campaignAmount === 0 ? { closedAt: scope.clock.now(), closedReason: 'paid' as const } : {}),
          tenantId: scope.tenantId,
          clientId,
          campaignCode: input.campaignCode,
          debtAmount: input.debtAmount,
          discountType: input.discountType,
          discountValue: input.discountValue,
          campaignAmount,
          endDate: input.endDate,
          paymentCode: input.paymentCode,
          phone,
          createdBy: scope.actor?.id ?? null,
          createdAt: scope.clock.now(),
          updatedAt: scope.clock.now(),
        })
        .returning();
      await tx.insert(clientEvents).values(event(scope, clientId, 'campaign.entry_created', { entryId: entry!.id, campaign: input.campaignCode, debt: input.debtAmount, campaignAmount: entry!.campaignAmount }));
      return { ok: true, entry: entry!, clientCreated, clientMoved } as const;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'campaign_entries_one_active') || isUniqueViolation(error, 'campaign_entries_one_per_campaign')) {
      const active = await activeEntryOf(scope.db, scope.tenantId, documentType, documentNumber);
      if (isUniqueViolation(error, 'campaign_entries_one_per_campaign')) return fail('campaignCode', `campaigns.error.duplicate?campaign=${encodeURIComponent(input.campaignCode)}`);
      return fail('campaignCode', `campaigns.error.secondActive?campaign=${encodeURIComponent(active?.campaignCode ?? '')}`);
    }
    throw error;
  }
}

/** Rows from which a load refreshes the clients' statistics first (see loadCampaignEntries). */
const ANALYZE_FROM = 1_000;

/** A row of a file that loads a new entry: its line, for a refusal to name. */
export interface EntryRow {
  line: number;
  fields: CampaignFields;
}

/**
 * Loads the new entries of a file at once, with the rules of createCampaignEntry for each:
 * a client already in cartera vigente moves to the charged-off portfolio (its phone and
 * email filled where it had none), an unknown one is created, an associated payment code
 * must be one of the client's orders, and each load is in the client's history. A handful
 * of statements for the whole file, in the caller's transaction (an upload's apply, which a
 * refused row fails whole): row by row, twenty thousand rows took minutes. The check has
 * refused what it could see (a second active campaign, a client twice in the file); a
 * database rule broken since then fails the whole load.
 */
export async function loadCampaignEntries(scope: CampaignScope, entries: readonly EntryRow[]): Promise<{ ok: true; created: number } | { ok: false; line: number; message: string }> {
  if (entries.length === 0) return { ok: true, created: 0 };
  const today = todayIn(scope.tenant.timezone, scope.clock);
  const types = scope.batch?.documentTypes ?? (await documentTypesFor(scope.db, scope.tenantId));
  const load: Record<string, unknown>[] = [];
  for (const { line, fields } of entries) {
    const normalised = normalisedEntry(scope, types, fields, today);
    if (!normalised.ok) return { ok: false, line, message: normalised.message };
    load.push({
      line,
      document_type: normalised.documentType,
      document_number: normalised.documentNumber,
      name: fields.name,
      email: fields.email,
      phone: normalised.phone,
      campaign_code: fields.campaignCode,
      debt_amount: fields.debtAmount,
      discount_type: fields.discountType,
      discount_value: fields.discountValue,
      campaign_amount: campaignAmountOf(fields.debtAmount, fields.discountType, fields.discountValue),
      end_date: fields.endDate,
      payment_code: fields.paymentCode,
    });
  }
  const db = scope.db;
  const tenantId = scope.tenantId;
  const now = scope.clock.now();
  const at = sql`${now.toISOString()}::timestamptz`;
  await db.execute(sql`create temporary table campaign_load on commit drop as
    select * from jsonb_to_recordset(${JSON.stringify(load)}::jsonb) as l(line int, document_type text, document_number text, name text, email text, phone text,
      campaign_code text, debt_amount bigint, discount_type text, discount_value bigint, campaign_amount bigint, end_date date, payment_code text)`);
  // Its size for the planner, and joins that stay linear whatever the clients' statistics say.
  await db.execute(sql`analyze campaign_load`);
  await preferHashJoins(db);
  // New clients, entries and their history each check their client (foreign keys): PostgreSQL
  // plans those lookups once per connection, and a plan made while the clients were a few
  // pages scans them all for every row (20,000 rows took 70 s instead of half a second).
  // Fresh statistics make it plan them again, through the index, for a large file.
  if (entries.length >= ANALYZE_FROM) await db.execute(sql`analyze clients`);
  const sameClient = sql`c.tenant_id = ${tenantId} and c.deleted_at is null and c.document_type = l.document_type and c.document_number = l.document_number`;
  // A client the load would create has no orders: its code cannot be one of them.
  const [unknownCode] = await rows<{ line: number }>(
    db,
    sql`select l.line from campaign_load l left join clients c on ${sameClient}
         where l.payment_code is not null
           and not exists (select 1 from payment_orders po where po.tenant_id = ${tenantId} and po.client_id = c.id and po.payment_code = l.payment_code)
         order by l.line limit 1`,
  );
  if (unknownCode) return { ok: false, line: unknownCode.line, message: 'campaigns.error.unknownPaymentCode' };
  await db.execute(sql`
    update clients c set portfolio = 'castigada', phone = coalesce(c.phone, l.phone), email = coalesce(c.email, l.email), updated_at = ${at}
      from campaign_load l where ${sameClient}`);
  await db.execute(sql`
    with created as (
      insert into clients (tenant_id, document_type, document_number, name, email, phone, portfolio)
      select ${tenantId}, l.document_type, l.document_number, coalesce(l.name, l.document_type || ' ' || l.document_number), l.email, l.phone, 'castigada'
        from campaign_load l
       where not exists (select 1 from clients c where ${sameClient})
       order by l.line
      returning id)
    insert into client_events (tenant_id, client_id, type, actor_id, data, occurred_at)
    select ${tenantId}, id, 'client.created', ${scope.actor?.id ?? null}, '{"via":"campaign"}'::jsonb, ${at} from created`);
  // An expired entry never holds a client's one active slot.
  await closeFinishedCampaigns(db, { tenantId, today, now });
  // What the database would refuse (an active campaign, or this one already, loaded since the check), said for its row.
  const [taken] = await rows<{ line: number; campaign_code: string; same: boolean }>(
    db,
    sql`select l.line, e.campaign_code, e.same
          from campaign_load l join clients c on ${sameClient}
          cross join lateral (
            select e.campaign_code, e.campaign_code = l.campaign_code as same from campaign_entries e
             where e.tenant_id = ${tenantId} and e.client_id = c.id and (e.closed_at is null or e.campaign_code = l.campaign_code)
             order by same desc limit 1) e
         order by l.line limit 1`,
  );
  if (taken) {
    const campaign = encodeURIComponent(taken.campaign_code);
    return { ok: false, line: taken.line, message: taken.same ? `campaigns.error.duplicate?campaign=${campaign}` : `campaigns.error.secondActive?campaign=${campaign}` };
  }
  const [created] = await rows<{ n: number }>(
    db,
    sql`
    with written as (
      insert into campaign_entries (tenant_id, client_id, campaign_code, debt_amount, discount_type, discount_value, campaign_amount,
                                    end_date, payment_code, phone, closed_at, closed_reason, created_by, created_at, updated_at)
      select ${tenantId}, c.id, l.campaign_code, l.debt_amount, l.discount_type, l.discount_value, l.campaign_amount,
             l.end_date, l.payment_code, l.phone,
             -- A discount of the whole debt leaves nothing to pay: paid from the start (see loadEntry).
             case when l.campaign_amount = 0 then ${at} end, case when l.campaign_amount = 0 then 'paid' end,
             ${scope.actor?.id ?? null}, ${at}, ${at}
        from campaign_load l join clients c on ${sameClient}
       order by l.line
      returning id, client_id, campaign_code, debt_amount, campaign_amount),
    events as (
      insert into client_events (tenant_id, client_id, type, actor_id, data, occurred_at)
      select ${tenantId}, client_id, 'campaign.entry_created', ${scope.actor?.id ?? null},
             jsonb_build_object('entryId', id, 'campaign', campaign_code, 'debt', debt_amount, 'campaignAmount', campaign_amount), ${at}
        from written
      returning 1)
    select count(*)::int as n from written`,
  );
  if (created!.n !== entries.length) throw new Error(`campaign load: ${created!.n} entries written for ${entries.length} rows; the data changed meanwhile`);
  return { ok: true, created: created!.n };
}

/**
 * Changes an active entry's terms from a file row that names it (same client, same campaign
 * ID): debt, discount, end date, associated payment code, phone. A blank end date, payment
 * code or phone keeps the stored one, as a blank cell keeps a client's detail. The campaign
 * amount is worked out again; when payments already cover it the entry is paid, and it may
 * not fall below them unless the tenant keeps credits. A paid or finished entry is not
 * changed. Each change is recorded, before and after, in the client's history.
 */
export async function updateCampaignEntry(scope: CampaignScope, entryId: number, input: CampaignFields): Promise<EntryResult | NotFoundResult> {
  const today = todayIn(scope.tenant.timezone, scope.clock);
  if (input.endDate !== null && input.endDate < today) return fail('endDate', 'campaigns.error.endDatePast');
  let phone: string | null = null;
  if (input.phone) {
    phone = normalizePhone(input.phone, scope.tenant.country);
    if (!phone) return fail('phone', 'campaigns.error.phone');
  }
  return atomically(scope, async (tx) => {
    const entry = await lockedEntry(tx, scope.tenantId, entryId);
    if (!entry) return { ok: false, notFound: true } as const;
    if (campaignStateOf(entry, today) !== 0) return fail('campaignCode', `campaigns.error.closedEntry?campaign=${encodeURIComponent(entry.campaignCode)}`);
    if (input.paymentCode && !(await isOrderOf(tx, scope.tenantId, entry.clientId, input.paymentCode))) return fail('paymentCode', 'campaigns.error.unknownPaymentCode');
    const next = {
      debtAmount: input.debtAmount,
      discountType: input.discountType,
      discountValue: input.discountValue,
      campaignAmount: campaignAmountOf(input.debtAmount, input.discountType, input.discountValue),
      endDate: input.endDate ?? entry.endDate,
      paymentCode: input.paymentCode ?? entry.paymentCode,
      phone: phone ?? entry.phone,
    };
    if (next.campaignAmount < entry.paid && !(await settingsOf(tx, scope.tenantId)).allowOverpayment) return fail('debtAmount', 'campaigns.error.belowPaid');
    // Shown in Interacciones as staff read them: money with its sign, a discount as typed.
    const { currency, locale } = scope.tenant;
    const shownValue = (type: string, value: number) => (type === 'porcentaje' ? `${value / 100} %` : formatMoney(value, currency, locale));
    const terms = (e: typeof next) => ({
      debtAmount: formatMoney(e.debtAmount, currency, locale),
      discountType: e.discountType,
      discountValue: shownValue(e.discountType, e.discountValue),
      endDate: e.endDate,
      paymentCode: e.paymentCode,
      entryPhone: e.phone,
    });
    const before = terms(entry);
    const after = terms(next);
    const changes: Record<string, [unknown, unknown]> = {};
    for (const key of Object.keys(before) as (keyof typeof before)[]) if (before[key] !== after[key]) changes[key] = [before[key], after[key]];
    const [updated] = await tx
      .update(campaignEntries)
      .set({ ...next, updatedAt: scope.clock.now() })
      .where(and(eq(campaignEntries.tenantId, scope.tenantId), eq(campaignEntries.id, entry.id)))
      .returning();
    // As loading does: a phone fills the client's only when the client has none.
    if (phone) await tx.update(clients).set({ phone, updatedAt: scope.clock.now() }).where(and(eq(clients.tenantId, scope.tenantId), eq(clients.id, entry.clientId), isNull(clients.phone)));
    await tx.insert(clientEvents).values(event(scope, entry.clientId, 'campaign.entry_updated', { entryId: entry.id, campaign: entry.campaignCode, changes }));
    // A lower amount that payments already cover pays the entry; a higher one reopens nothing
    // (a paid entry is not changed).
    await settleEntry(scope, tx, updated!);
    const [settled] = await tx.select().from(campaignEntries).where(and(eq(campaignEntries.tenantId, scope.tenantId), eq(campaignEntries.id, entry.id)));
    return { ok: true, entry: settled!, clientCreated: false, clientMoved: false } as const;
  });
}

type NotFoundResult = { ok: false; notFound: true };

/** Whether the payment code is one of the client's orders (an entry's associated code must be). */
async function isOrderOf(db: Db, tenantId: number, clientId: number, paymentCode: string): Promise<boolean> {
  const [order] = await db
    .select({ id: paymentOrders.id })
    .from(paymentOrders)
    .where(and(eq(paymentOrders.tenantId, tenantId), eq(paymentOrders.clientId, clientId), eq(paymentOrders.paymentCode, paymentCode)));
  return order !== undefined;
}

async function activeEntryOf(db: Db, tenantId: number, documentType: string, documentNumber: string) {
  const [row] = await db
    .select({ campaignCode: campaignEntries.campaignCode })
    .from(campaignEntries)
    .innerJoin(clients, and(eq(clients.tenantId, campaignEntries.tenantId), eq(clients.id, campaignEntries.clientId)))
    .where(and(eq(campaignEntries.tenantId, tenantId), eq(clients.documentType, documentType), eq(clients.documentNumber, documentNumber), isNull(campaignEntries.closedAt), isNull(clients.deletedAt)));
  return row;
}

async function lockedEntry(db: Db, tenantId: number, entryId: number) {
  const [entry] = await db
    .select()
    .from(campaignEntries)
    .where(and(eq(campaignEntries.tenantId, tenantId), eq(campaignEntries.id, entryId)))
    .for('update');
  return entry;
}

/** Recomputes what an entry has been paid and closes it as paid (or reopens it) accordingly. */
async function settleEntry(scope: Scope, db: Db, entry: CampaignEntry): Promise<void> {
  const [{ paid }] = (await db
    .select({ paid: sql<string>`coalesce(sum(${campaignPayments.amount}), 0)` })
    .from(campaignPayments)
    .where(and(eq(campaignPayments.tenantId, scope.tenantId), eq(campaignPayments.entryId, entry.id), eq(campaignPayments.state, 'verificado')))) as [{ paid: string }];
  const total = Number(paid);
  const nowPaid = total >= entry.campaignAmount;
  const patch: Partial<CampaignEntry> = { paid: total, updatedAt: scope.clock.now() };
  if (nowPaid && entry.closedReason !== 'paid') Object.assign(patch, { closedAt: scope.clock.now(), closedReason: 'paid' });
  if (!nowPaid && entry.closedReason === 'paid') Object.assign(patch, { closedAt: null, closedReason: null });
  await db.update(campaignEntries).set(patch).where(and(eq(campaignEntries.tenantId, scope.tenantId), eq(campaignEntries.id, entry.id)));
  if (nowPaid && entry.closedReason !== 'paid') {
    await db.insert(clientEvents).values(event(scope, entry.clientId, 'campaign.paid', { entryId: entry.id, campaign: entry.campaignCode }));
  }
}

export interface CampaignPaymentInput {
  amount: number;
  paidOn: IsoDate;
  method: string;
  reference: string | null;
  source?: 'staff' | 'portal' | 'import' | 'api';
  receiptKey?: string | null;
  /**
   * The debtor's own reports may not add up to more than the offer leaves to pay, counting
   * the ones still to verify; staff may record what actually arrived.
   */
  limitToOutstanding?: boolean;
}

/**
 * Registers a campaign payment to be verified ("Pago a verificar cartera castigada"). It is
 * recorded against the campaign only: the client's payment orders stay exactly as they were.
 */
export async function registerCampaignPayment(scope: CampaignScope, entryId: number, input: CampaignPaymentInput) {
  const today = todayIn(scope.tenant.timezone, scope.clock);
  if (input.paidOn > today) return fail('paidOn', 'campaigns.error.paymentDate');
  return scope.db.transaction(async (tx) => {
    const entry = await lockedEntry(tx, scope.tenantId, entryId);
    if (!entry) return { ok: false, notFound: true } as const;
    if (campaignStateOf(entry, today) !== 0) return fail('amount', 'campaigns.error.notActive');
    if (input.limitToOutstanding) {
      if (input.amount > entry.totalDue - (await reportedOn(tx, scope.tenantId, entryId))) return fail('amount', 'campaigns.error.aboveOutstanding');
    } else if (input.amount > Math.max(0, entry.totalDue) && !(await settingsOf(tx, scope.tenantId)).allowOverpayment) {
      // The same rule as payments on orders: no more than is owed, unless the tenant keeps credits.
      return fail('amount', 'campaigns.error.aboveDue');
    }
    const [payment] = await tx
      .insert(campaignPayments)
      .values({ ...newPaymentRecord(scope, input), entryId })
      .returning();
    await tx.insert(clientEvents).values(event(scope, entry.clientId, 'campaign_payment.registered', { entryId, paymentId: payment!.id, amount: input.amount, campaign: entry.campaignCode, source: input.source ?? 'staff' }));
    return { ok: true, payment: payment! } as const;
  });
}

const eventFor: Record<Exclude<CampaignPaymentState, 'por_verificar'>, string> = {
  verificado: 'campaign_payment.verified',
  no_verificado: 'campaign_payment.rejected',
  anulado: 'campaign_payment.annulled',
};

/** Verifies, rejects or annuls a campaign payment; only verified ones count towards the campaign. */
export async function changeCampaignPaymentState(scope: CampaignScope, paymentId: number, to: Exclude<CampaignPaymentState, 'por_verificar'>) {
  try {
    return await changeCampaignPayment(scope, paymentId, to);
  } catch (error) {
    // Taking a payment back from a paid campaign reopens it; the client may have another
    // active campaign since, and has room for one only. Nothing is changed.
    if (isUniqueViolation(error, 'campaign_entries_one_active')) {
      const [payment] = await scope.db.select({ entryId: campaignPayments.entryId }).from(campaignPayments).where(and(eq(campaignPayments.tenantId, scope.tenantId), eq(campaignPayments.id, paymentId)));
      return { ...fail('state', 'campaigns.error.reopenWithOtherActive'), entryId: payment!.entryId };
    }
    throw error;
  }
}

function changeCampaignPayment(scope: CampaignScope, paymentId: number, to: Exclude<CampaignPaymentState, 'por_verificar'>) {
  return scope.db.transaction(async (tx) => {
    const [payment] = await tx
      .select()
      .from(campaignPayments)
      .where(and(eq(campaignPayments.tenantId, scope.tenantId), eq(campaignPayments.id, paymentId)))
      .for('update');
    if (!payment) return { ok: false, notFound: true } as const;
    const entry = await lockedEntry(tx, scope.tenantId, payment.entryId);
    if (!paymentTransitions[payment.state].includes(to)) return { ...fail('state', 'campaigns.error.transition'), entryId: entry!.id };
    // Another payment may have been verified since this one was registered.
    if (to === 'verificado' && payment.amount > Math.max(0, entry!.totalDue) && !(await settingsOf(tx, scope.tenantId)).allowOverpayment) {
      return { ...fail('state', 'campaigns.error.aboveDue'), entryId: entry!.id };
    }
    await tx
      .update(campaignPayments)
      .set({ state: to, updatedAt: scope.clock.now() })
      .where(and(eq(campaignPayments.tenantId, scope.tenantId), eq(campaignPayments.id, paymentId)));
    await tx.insert(clientEvents).values(event(scope, entry!.clientId, eventFor[to], { entryId: entry!.id, paymentId, amount: payment.amount, from: payment.state, to, campaign: entry!.campaignCode }));
    if (to === 'verificado' || payment.state === 'verificado') await settleEntry(scope, tx, entry!);
    return { ok: true, entryId: entry!.id } as const;
  });
}

/** "Compromiso de pago cartera castigada": a date within the tenant's limit and an amount. */
/**
 * An entry's promises, newest date first, each kept, broken or pending by the rule of
 * promises on orders (keptPromiseIds): kept once the verified campaign payments made since
 * reach it; otherwise broken from the day after its date.
 */
export async function campaignPromisesOf(db: Db, tenantId: number, entryId: number, today: IsoDate) {
  const [list, verified] = await Promise.all([
    db
      .select()
      .from(campaignPromises)
      .where(and(eq(campaignPromises.tenantId, tenantId), eq(campaignPromises.entryId, entryId)))
      .orderBy(desc(campaignPromises.promisedDate), desc(campaignPromises.id)),
    db
      .select({ id: campaignPayments.id, amount: campaignPayments.amount, paidOn: campaignPayments.paidOn, createdAt: campaignPayments.createdAt })
      .from(campaignPayments)
      .where(and(eq(campaignPayments.tenantId, tenantId), eq(campaignPayments.entryId, entryId), eq(campaignPayments.state, 'verificado'))),
  ]);
  const kept = keptPromiseIds(list, verified);
  return list.map((p) => ({ ...p, state: kept.has(p.id) ? ('kept' as const) : promiseState({ keptOn: null, promisedDate: p.promisedDate }, today) }));
}

/** An entry's promises still running, soonest first: the promise rules count them, and the debtor's offer page lists them. */
export async function runningCampaignPromises(db: Db, tenantId: number, entryId: number, today: IsoDate) {
  return (await campaignPromisesOf(db, tenantId, entryId, today))
    .filter((p) => p.state === 'pending')
    .sort((a, b) => a.promisedDate.localeCompare(b.promisedDate) || a.id - b.id);
}

/** What an entry's receipts still to verify add up to: money reported, not yet counted. */
async function reportedOn(db: Db, tenantId: number, entryId: number): Promise<number> {
  const [row] = await db
    .select({ total: sql<number>`coalesce(sum(${campaignPayments.amount}), 0)::bigint`.mapWith(Number) })
    .from(campaignPayments)
    .where(and(eq(campaignPayments.tenantId, tenantId), eq(campaignPayments.entryId, entryId), eq(campaignPayments.state, 'por_verificar')));
  return row?.total ?? 0;
}

/** A campaign promise; its refusals name the promise form's fields (promiseAmount, promisedDate). */
export async function makeCampaignPromise(scope: CampaignScope, entryId: number, input: { amount: number; promisedDate: IsoDate; source?: 'staff' | 'portal' }) {
  const today = todayIn(scope.tenant.timezone, scope.clock);
  const [settings] = await scope.db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, scope.tenantId));
  const maxDays = settings?.promiseMaxDays ?? 30;
  if (input.promisedDate < today || input.promisedDate > addDays(today, maxDays)) return fail('promisedDate', 'campaigns.error.promiseDate');
  return scope.db.transaction(async (tx) => {
    const entry = await lockedEntry(tx, scope.tenantId, entryId);
    if (!entry) return { ok: false, notFound: true } as const;
    if (campaignStateOf(entry, today) !== 0) return fail('promiseAmount', 'campaigns.error.notActive');
    // Past the campaign's last day the discount is gone: a promise of the campaign's amount then promises too little.
    if (entry.endDate && input.promisedDate > entry.endDate) return fail('promisedDate', `campaigns.error.promiseAfterEnd?date=${dayText(entry.endDate)}`);
    if (input.amount > Math.max(0, entry.totalDue)) return fail('promiseAmount', 'campaigns.error.promiseAboveDue');
    // Promises not yet due count too: three promises of what is left promise it three times.
    const pending = { total: (await runningCampaignPromises(tx, scope.tenantId, entryId, today)).reduce((sum, p) => sum + p.amount, 0) };
    if (pending.total > 0 && input.amount + pending.total > Math.max(0, entry.totalDue)) return fail('promiseAmount', 'campaigns.error.promiseAboveDueWithPending');
    // Receipts still to verify will pay part of it: what is promised is what they leave.
    const unverified = await reportedOn(tx, scope.tenantId, entryId);
    if (unverified > 0 && input.amount + pending.total + unverified > Math.max(0, entry.totalDue)) {
      return fail('promiseAmount', 'receivables.promises.aboveBalanceWithUnverified');
    }
    const [promise] = await tx
      .insert(campaignPromises)
      .values({ tenantId: scope.tenantId, entryId, amount: input.amount, promisedDate: input.promisedDate, madeOn: today, source: input.source ?? 'staff', createdBy: scope.actor?.id ?? null, createdAt: scope.clock.now() })
      .returning();
    await tx.insert(clientEvents).values(event(scope, entry.clientId, 'campaign_promise.made', { entryId, promiseId: promise!.id, amount: input.amount, date: input.promisedDate, campaign: entry.campaignCode, source: input.source ?? 'staff' }));
    return { ok: true, promise: promise! } as const;
  });
}

/** Ids of clients that have an active campaign today (for labels in trays and pages). */
export async function clientsWithActiveCampaign(db: Db, tenantId: number, clientIds: readonly number[], today: IsoDate): Promise<Set<number>> {
  if (clientIds.length === 0) return new Set();
  const rows = await db
    .select({ clientId: campaignEntries.clientId })
    .from(campaignEntries)
    .where(and(eq(campaignEntries.tenantId, tenantId), inArray(campaignEntries.clientId, [...clientIds]), activeCampaignCondition(today)));
  return new Set(rows.map((r) => r.clientId));
}

/** An entry is active while open, not fully paid and within its end date (tenant's today). */
export function activeCampaignCondition(today: IsoDate) {
  return sql`(${campaignEntries.closedAt} is null and ${campaignEntries.totalDue} > 0 and (${campaignEntries.endDate} is null or ${campaignEntries.endDate} >= ${today}::date))`;
}
