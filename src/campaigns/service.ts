import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { clients } from '../clients/schema.js';
import { checkDocument, documentTypesFor, normalizeDocumentNumber, normalizePhone } from '../clients/fields.js';
import type { Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import { addDays, todayIn, type IsoDate } from '../platform/dates.js';
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

export type Failure = { ok: false; errors: Record<string, string> };
const fail = (field: string, message: string): Failure => ({ ok: false, errors: { [field]: message } });

type CampaignScope = Scope & { tenant: Tenant };

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
  if (input.endDate !== null && input.endDate < today) return fail('endDate', 'campaigns.error.endDatePast');
  const types = await documentTypesFor(scope.db, scope.tenantId);
  const documentError = checkDocument(types, input.documentType, input.documentNumber);
  if (documentError) return fail('documentNumber', documentError);
  const documentType = input.documentType.trim().toUpperCase();
  const documentNumber = normalizeDocumentNumber(types.find((t) => t.code === documentType)!, input.documentNumber);
  let phone: string | null = null;
  if (input.phone) {
    phone = normalizePhone(input.phone, scope.tenant.country);
    if (!phone) return fail('phone', 'campaigns.error.phone');
  }
  try {
    return await loadEntry(scope, input, { today, documentType, documentNumber, phone });
  } catch (error) {
    // Two loads of the same unknown client at once: the one that lost the race to create it
    // runs again and finds the client the other created.
    if (!isUniqueViolation(error, 'clients_document')) throw error;
    return await loadEntry(scope, input, { today, documentType, documentNumber, phone });
  }
}

type Normalised = { today: string; documentType: string; documentNumber: string; phone: string | null };

async function loadEntry(scope: CampaignScope, input: CampaignFields, { today, documentType, documentNumber, phone }: Normalised): Promise<EntryResult> {
  try {
    return await scope.db.transaction(async (tx) => {
      const [existing] = await tx
        .select()
        .from(clients)
        .where(and(eq(clients.tenantId, scope.tenantId), eq(clients.documentType, documentType), eq(clients.documentNumber, documentNumber), isNull(clients.deletedAt)))
        .for('update');
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
      if (input.paymentCode && !(await isOrderOf(tx, scope.tenantId, clientId, input.paymentCode))) tx.rollback();
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
    if (error instanceof Error && error.constructor.name === 'TransactionRollbackError') return fail('paymentCode', 'campaigns.error.unknownPaymentCode');
    if (isUniqueViolation(error, 'campaign_entries_one_active') || isUniqueViolation(error, 'campaign_entries_one_per_campaign')) {
      const active = await activeEntryOf(scope.db, scope.tenantId, documentType, documentNumber);
      if (isUniqueViolation(error, 'campaign_entries_one_per_campaign')) return fail('campaignCode', `campaigns.error.duplicate?campaign=${encodeURIComponent(input.campaignCode)}`);
      return fail('campaignCode', `campaigns.error.secondActive?campaign=${encodeURIComponent(active?.campaignCode ?? '')}`);
    }
    throw error;
  }
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
  return scope.db.transaction(async (tx) => {
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
      const [pending] = await tx
        .select({ total: sql<string>`coalesce(sum(${campaignPayments.amount}), 0)` })
        .from(campaignPayments)
        .where(and(eq(campaignPayments.tenantId, scope.tenantId), eq(campaignPayments.entryId, entryId), eq(campaignPayments.state, 'por_verificar')));
      if (input.amount > entry.totalDue - Number(pending?.total ?? 0)) return fail('amount', 'campaigns.error.aboveOutstanding');
    } else if (input.amount > Math.max(0, entry.totalDue) && !(await settingsOf(tx, scope.tenantId)).allowOverpayment) {
      // The same rule as payments on orders: no more than is owed, unless the tenant keeps credits.
      return fail('amount', 'campaigns.error.aboveDue');
    }
    const [payment] = await tx
      .insert(campaignPayments)
      .values({ ...newPaymentRecord(scope, input), entryId })
      .returning();
    await tx.insert(clientEvents).values(event(scope, entry.clientId, 'campaign_payment.registered', { entryId, paymentId: payment!.id, amount: input.amount, campaign: entry.campaignCode }));
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
export async function makeCampaignPromise(scope: CampaignScope, entryId: number, input: { amount: number; promisedDate: IsoDate; source?: 'staff' | 'portal' }) {
  const today = todayIn(scope.tenant.timezone, scope.clock);
  const [settings] = await scope.db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, scope.tenantId));
  const maxDays = settings?.promiseMaxDays ?? 30;
  if (input.promisedDate < today || input.promisedDate > addDays(today, maxDays)) return fail('promisedDate', 'campaigns.error.promiseDate');
  return scope.db.transaction(async (tx) => {
    const entry = await lockedEntry(tx, scope.tenantId, entryId);
    if (!entry) return { ok: false, notFound: true } as const;
    if (campaignStateOf(entry, today) !== 0) return fail('amount', 'campaigns.error.notActive');
    if (input.amount > Math.max(0, entry.totalDue)) return fail('amount', 'campaigns.error.promiseAboveDue');
    const [promise] = await tx
      .insert(campaignPromises)
      .values({ tenantId: scope.tenantId, entryId, amount: input.amount, promisedDate: input.promisedDate, madeOn: today, source: input.source ?? 'staff', createdBy: scope.actor?.id ?? null, createdAt: scope.clock.now() })
      .returning();
    await tx.insert(clientEvents).values(event(scope, entry.clientId, 'campaign_promise.made', { entryId, promiseId: promise!.id, amount: input.amount, date: input.promisedDate, campaign: entry.campaignCode }));
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
