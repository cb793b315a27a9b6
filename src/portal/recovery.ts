import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { activeEntryForClient, latestEntryForClient } from '../campaigns/queries.js';
import { campaignStateOf, offerOf, type Offer } from '../campaigns/compute.js';
import { campaignPayments, type CampaignEntry } from '../campaigns/schema.js';
import { makeCampaignPromise, registerCampaignPayment, runningCampaignPromises } from '../campaigns/service.js';
import { findClientByDocument } from '../clients/queries.js';
import type { Client } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { clientEvents } from '../events/schema.js';
import type { Clock } from '../platform/clock.js';
import { addDays, dateIn, endOfDayIn, todayIn, type IsoDate } from '../platform/dates.js';
import { newKey, type Storage } from '../storage/index.js';
import type { Tenant } from '../tenants/schema.js';
import { extensionOf, type FileKind } from './files.js';
import { recoveryCountdowns, type PortalSettings } from './schema.js';
import { beginIdentification, forgiveIdentification, recordPortalEvent, type Failure } from './identification.js';

/**
 * The steps of a recovery visit, recorded in the client's history (labels `events.recovery.*`):
 * how far each visit got, tied together by the visit's id.
 */
export type RecoveryStep =
  | 'recovery.entered'
  | 'recovery.identified'
  | 'recovery.offer_viewed'
  | 'recovery.pay_pressed'
  | 'recovery.method_chosen'
  | 'recovery.not_interested'
  | 'recovery.advisor_requested'
  | 'recovery.countdown_expired';


/**
 * Records a step once per visit: a reload of the same page does not repeat it. The lookup
 * reads the client's recent history through its (tenant, client, time) index.
 */
export async function recordStep(db: Db, tenantId: number, clientId: number, step: RecoveryStep, data: Record<string, unknown> & { visit: string | null }, now: Date, options: { once?: boolean } = {}): Promise<void> {
  if (options.once !== false && data.visit) {
    const [seen] = await db
      .select({ id: clientEvents.id })
      .from(clientEvents)
      .where(
        and(
          eq(clientEvents.tenantId, tenantId),
          eq(clientEvents.clientId, clientId),
          gt(clientEvents.occurredAt, new Date(now.getTime() - 24 * 3_600_000)),
          eq(clientEvents.type, step),
          sql`${clientEvents.data}->>'visit' = ${data.visit}`,
        ),
      )
      .limit(1);
    if (seen) return;
  }
  await recordPortalEvent(db, tenantId, clientId, step, data, now);
}

// ---- Identification -------------------------------------------------------------------

/**
 * Document and captcha, no contact check (SPEC 6): the debtor gets in when the document
 * belongs to a live client with an active campaign, or whose latest campaign they paid. Anything else — an unknown document, a
 * client without an offer — takes the same path and the same answer, and counts against the
 * address and the document like a failed identification on the customer portal.
 */
export async function identifyForRecovery(
  db: Db,
  input: { tenant: Tenant; ip: string; documentType: string; documentNumber: string; now: Date },
): Promise<{ ok: true; client: Client; entry: CampaignEntry } | { ok: false; reason: 'limited'; retryAfterMs: number } | { ok: false; reason: 'noOffer' }> {
  const { tenant, ip, documentType, documentNumber, now } = input;
  const counted = await beginIdentification(db, tenant.id, ip, documentType, documentNumber, now);
  if (counted.limited) return { ok: false, reason: 'limited', retryAfterMs: counted.retryAfterMs };
  const client = await findClientByDocument(db, tenant.id, documentType, documentNumber);
  // The same lookups whether or not the document exists (no client has id 0), so timing tells nothing.
  const today = todayIn(tenant.timezone, { now: () => now });
  let entry = await activeEntryForClient(db, tenant.id, client?.id ?? 0, today);
  // A debtor who paid their offer comes in to be told so, as the offer page would tell them;
  // one whose receipt, sent in time, holds a finished campaign's offer, to be told that.
  if (!entry) {
    const latest = await latestEntryForClient(db, tenant.id, client?.id ?? 0);
    const held = await heldForReceipts(db, tenant, latest);
    if (latest && (campaignStateOf(latest, today) === 1 || held)) entry = latest;
  }
  if (!client || !entry) {
    return { ok: false, reason: 'noOffer' };
  }
  await forgiveIdentification(db, tenant.id, ip, documentType, documentNumber, now);
  return { ok: true, client, entry };
}

// ---- The offer and its countdown ------------------------------------------------------

export interface Countdown {
  startedAt: Date;
  deadline: Date;
  /**
   * The moment to show as "Hasta el …": the deadline, or 23:59 of the campaign's end date
   * when that day's end is what ends the offer (its deadline is the next day's 00:00).
   */
  shownUntil: Date;
  remainingMs: number;
  expired: boolean;
}

/** First identified visit + the hours, never later than the end of the campaign's end date (tenant time). */
export function deadlineOf(startedAt: Date, hours: number, endDate: IsoDate | null, timezone: string): Date {
  const byHours = startedAt.getTime() + hours * 3_600_000;
  const byCampaign = endDate ? endOfDayIn(timezone, endDate).getTime() : Number.POSITIVE_INFINITY;
  return new Date(Math.min(byHours, byCampaign));
}

/**
 * The debtor's countdown for an active campaign, when the tenant has it on. `start` begins it
 * at this visit if it has not begun (only an identified visit to the offer does that). The
 * first time the server sees it run out, it records `recovery.countdown_expired`, once.
 */
export async function countdownOf(
  db: Db,
  options: { tenant: Tenant; settings: PortalSettings; entry: CampaignEntry; now: Date; start: boolean; visit: string | null },
): Promise<Countdown | null> {
  const { tenant, settings, entry, now } = options;
  if (campaignStateOf(entry, todayIn(tenant.timezone, { now: () => now })) !== 0) return null;
  const where = and(eq(recoveryCountdowns.tenantId, tenant.id), eq(recoveryCountdowns.entryId, entry.id));
  let [row] = await db.select().from(recoveryCountdowns).where(where);
  if (!settings.countdownEnabled) {
    // Switching the countdown off brings back no more than raising its hours does: an offer
    // the server has seen withdrawn stays withdrawn. Other debtors have no clock.
    if (!row?.expiredAt) return null;
    const deadline = new Date(Math.min(deadlineOf(row.startedAt, settings.countdownHours, entry.endDate, tenant.timezone).getTime(), row.expiredAt.getTime()));
    return { startedAt: row.startedAt, deadline, shownUntil: deadline, remainingMs: 0, expired: true };
  }
  if (!row) {
    if (!options.start) return null;
    await db.insert(recoveryCountdowns).values({ tenantId: tenant.id, entryId: entry.id, clientId: entry.clientId, startedAt: now }).onConflictDoNothing();
    [row] = await db.select().from(recoveryCountdowns).where(where);
  }
  const deadline = deadlineOf(row!.startedAt, settings.countdownHours, entry.endDate, tenant.timezone);
  // Once the server has seen the offer withdrawn, it stays withdrawn: raising the tenant's
  // hours afterwards does not bring it back.
  const remainingMs = row!.expiredAt ? 0 : Math.max(0, deadline.getTime() - now.getTime());
  const expired = remainingMs === 0;
  if (expired && !row!.expiredAt) {
    const [first] = await db.update(recoveryCountdowns).set({ expiredAt: now }).where(and(where, isNull(recoveryCountdowns.expiredAt))).returning();
    if (first) {
      await recordStep(db, tenant.id, entry.clientId, 'recovery.countdown_expired', { visit: options.visit, entryId: entry.id, campaign: entry.campaignCode, deadline: deadline.toISOString() }, now, { once: false });
    }
  }
  const endsWithCampaign = entry.endDate !== null && deadline.getTime() === endOfDayIn(tenant.timezone, entry.endDate).getTime();
  const shownUntil = endsWithCampaign ? new Date(deadline.getTime() - 60_000) : deadline;
  return { startedAt: row!.startedAt, deadline, shownUntil, remainingMs, expired };
}

/** A payment the debtor reported (a receipt), or staff registered, that staff have not verified yet. */
export interface ReportedPayment {
  amount: number;
  reportedAt: Date;
  source: string;
}

/** A promise to pay the debtor made that is not yet due. */
export interface PendingPromise {
  amount: number;
  promisedDate: IsoDate;
}

/** What the recovery portal shows an identified debtor. */
export type RecoveryState =
  | {
      kind: 'offer';
      entry: CampaignEntry;
      offer: Offer;
      countdown: Countdown | null;
      /** Receipts awaiting verification, oldest first. */
      reported: ReportedPayment[];
      /** Promises not yet due, soonest first: what the debtor said they will pay. */
      promised: PendingPromise[];
      /**
       * The countdown ran out after a receipt was sent: the offer stands for that receipt while
       * staff verify it, and takes nothing new (no payment, receipt, promise or answer).
       */
      held: boolean;
    }
  /** The countdown ran out: the offer is withdrawn for this debtor. */
  | { kind: 'expired'; entry: CampaignEntry; countdown: Countdown }
  /** The campaign was paid in full. */
  | { kind: 'paid'; entry: CampaignEntry }
  /** No active campaign any more (finished, or removed). */
  | { kind: 'concluded' };

export async function recoveryStateOf(
  db: Db,
  options: { tenant: Tenant; settings: PortalSettings; clientId: number; now: Date; start: boolean; visit: string | null },
): Promise<RecoveryState> {
  const { tenant, clientId, now } = options;
  const today = todayIn(tenant.timezone, { now: () => now });
  const entry = await activeEntryForClient(db, tenant.id, clientId, today);
  if (!entry) {
    const latest = await latestEntryForClient(db, tenant.id, clientId);
    if (latest && campaignStateOf(latest, today) === 1) return { kind: 'paid', entry: latest };
    const reported = await heldForReceipts(db, tenant, latest);
    if (latest?.endDate && reported) {
      const onLastDay = offerOf({ ...latest, closedReason: null }, latest.endDate);
      return { kind: 'offer', entry: latest, offer: onLastDay, countdown: null, reported, promised: [], held: true };
    }
    return { kind: 'concluded' };
  }
  const [countdown, reported, promised] = await Promise.all([
    countdownOf(db, { ...options, entry }),
    reportedPayments(db, tenant.id, entry.id),
    pendingPromises(db, tenant.id, entry.id, today),
  ]);
  if (countdown?.expired) {
    if (!reportedInTime(reported, countdown)) return { kind: 'expired', entry, countdown };
    return { kind: 'offer', entry, offer: offerOf(entry, today), countdown, reported, promised, held: true };
  }
  return { kind: 'offer', entry, offer: offerOf(entry, today), countdown, reported, promised, held: false };
}

/**
 * Whether money reported before the debtor's countdown ran out, and still to verify, holds the
 * offer past it: it is not lost to the clock, and the offer waits for its verification. Both portals and the staff's
 * campaign page ask this one question.
 */
export function reportedInTime(toVerify: readonly Pick<ReportedPayment, 'reportedAt'>[], countdown: Pick<Countdown, 'deadline'>): boolean {
  return toVerify.some((r) => r.reportedAt.getTime() < countdown.deadline.getTime());
}

/**
 * What the debtor is still asked to pay: the offer's amount owed less the receipts still being
 * verified. A debtor who reported paying it all is not asked, nor sent to pay online, again.
 */
export function leftToPay(state: { offer: Offer; reported: readonly ReportedPayment[] }): number {
  return Math.max(0, state.offer.owed - state.reported.reduce((sum, r) => sum + r.amount, 0));
}

/**
 * The receipts still to verify of a campaign that finished, when one was sent before its last
 * day was over: that receipt is not lost to the calendar, as it is not to a countdown, and the
 * offer as it stood on that day waits for its verification. Null when nothing holds it.
 */
async function heldForReceipts(db: Db, tenant: Tenant, entry: CampaignEntry | undefined): Promise<ReportedPayment[] | null> {
  const entryId = entry?.id ?? 0;
  const [reported, [countdown]] = await Promise.all([
    reportedPayments(db, tenant.id, entryId),
    db.select({ expiredAt: recoveryCountdowns.expiredAt }).from(recoveryCountdowns).where(and(eq(recoveryCountdowns.tenantId, tenant.id), eq(recoveryCountdowns.entryId, entryId))),
  ]);
  if (!entry?.endDate || entry.closedReason === 'paid') return null;
  // The debtor's own receipt, sent while the offer stood: before the campaign's last day was
  // over, and before their countdown ran out if it did (an offer withdrawn stays withdrawn).
  const over = Math.min(endOfDayIn(tenant.timezone, entry.endDate).getTime(), countdown?.expiredAt?.getTime() ?? Number.POSITIVE_INFINITY);
  return reported.some((r) => r.source === 'portal' && r.reportedAt.getTime() < over) ? reported : null;
}

/** The entry's pending promises, soonest first. */
async function pendingPromises(db: Db, tenantId: number, entryId: number, today: IsoDate): Promise<PendingPromise[]> {
  return (await runningCampaignPromises(db, tenantId, entryId, today)).map((p) => ({ amount: p.amount, promisedDate: p.promisedDate }));
}

/** The entry's payments still to verify, as the debtor sees them. */
async function reportedPayments(db: Db, tenantId: number, entryId: number): Promise<ReportedPayment[]> {
  return db
    .select({ amount: campaignPayments.amount, reportedAt: campaignPayments.createdAt, source: campaignPayments.source })
    .from(campaignPayments)
    .where(and(eq(campaignPayments.tenantId, tenantId), eq(campaignPayments.entryId, entryId), eq(campaignPayments.state, 'por_verificar')))
    .orderBy(campaignPayments.id);
}

/** The code a provider receives for a campaign's payment: never an order's own code, so the two are not confused. */
export const campaignPayCode = (entry: Pick<CampaignEntry, 'id'>) => `CASTIGO-${entry.id}`;

/** The WhatsApp address of "Habla con un asesor": the tenant's number, digits only. */
export function whatsappUrl(number: string | null, text: string): string | null {
  if (!number) return null;
  return `https://wa.me/${number.replace(/\D/g, '')}?text=${encodeURIComponent(text)}`;
}

// ---- Paying the campaign from the portal ----------------------------------------------

interface DebtorOptions {
  db: Db;
  tenant: Tenant;
  clock: Clock;
  entry: CampaignEntry;
}

const debtorScope = (o: DebtorOptions) => ({ tenantId: o.tenant.id, tenant: o.tenant, actor: null, db: o.db, clock: o.clock });

/**
 * "Pago a verificar cartera castigada" with the debtor's receipt. The file is stored first
 * and removed again if the payment is refused, so a refusal leaves nothing behind.
 */
export async function uploadCampaignReceipt(
  options: DebtorOptions & { storage: Storage },
  input: { amount: number; reference: string | null; file: { bytes: Uint8Array; kind: FileKind } },
): Promise<{ ok: true } | Failure> {
  const { tenant, clock, storage, entry } = options;
  const key = newKey(tenant.id, `receipt.${extensionOf(input.file.kind)}`);
  await storage.put(key, input.file.bytes);
  try {
    const result = await registerCampaignPayment(debtorScope(options), entry.id, {
      amount: input.amount,
      paidOn: todayIn(tenant.timezone, clock),
      method: 'transferencia',
      reference: input.reference,
      source: 'portal',
      receiptKey: key,
      limitToOutstanding: true,
    });
    if (!result.ok) {
      await storage.remove(key);
      return 'errors' in result && result.errors ? { ok: false, errors: result.errors } : { ok: false, errors: { amount: 'recovery.notActive' } };
    }
    return { ok: true };
  } catch (error) {
    await storage.remove(key);
    throw error;
  }
}

/** The last day a debtor may promise to pay the offer, and what to tell them of a later date. */
export interface PromiseLimit {
  date: IsoDate;
  /** Catalogue key (with its parameters) for a date after `date`. */
  beyond: string;
}

/**
 * The last day a debtor may promise to pay the offer: the tenant's limit of days, but never
 * after the campaign's end date nor after their countdown's deadline (tenant time).
 */
export function lastPromiseDate(options: { today: IsoDate; maxDays: number; endDate: IsoDate | null; deadline: Date | null; timezone: string }): PromiseLimit {
  const byDays = addDays(options.today, options.maxDays);
  const offerEnds = [options.endDate, options.deadline && dateIn(options.timezone, new Date(options.deadline.getTime() - 1))].filter((d): d is IsoDate => !!d).sort()[0];
  return offerEnds !== undefined && offerEnds < byDays
    ? { date: offerEnds, beyond: 'recovery.promise.afterOffer' }
    : { date: byDays, beyond: options.maxDays === 1 ? 'receivables.promises.dateRangeOne' : `receivables.promises.dateRange?max=${options.maxDays}` };
}

/** "Compromiso de pago cartera castigada" typed by the debtor, by the offer's last day. */
export async function campaignPromiseFromPortal(options: DebtorOptions & { limit: PromiseLimit }, input: { amount: number; promisedDate: IsoDate }): Promise<{ ok: true } | Failure> {
  if (input.amount > options.entry.totalDue) return { ok: false, errors: { promiseAmount: 'recovery.receipt.tooMuch' } };
  if (input.promisedDate > options.limit.date) return { ok: false, errors: { promisedDate: options.limit.beyond } };
  const made = await makeCampaignPromise(debtorScope(options), options.entry.id, { ...input, source: 'portal' });
  if (made.ok) return { ok: true };
  if ('errors' in made && made.errors) {
    const errors = Object.fromEntries(Object.entries(made.errors).map(([field, message]) => [field === 'amount' ? 'promiseAmount' : field, message]));
    return { ok: false, errors };
  }
  return { ok: false, errors: { promisedDate: 'recovery.notActive' } };
}
