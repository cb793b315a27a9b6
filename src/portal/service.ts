import { and, count, eq, inArray, sql } from 'drizzle-orm';
import * as v from 'valibot';
import { campaignStateOf, offerOf, type Offer } from '../campaigns/compute.js';
import { activeEntryForClient, latestEntryForClient } from '../campaigns/queries.js';
import { campaignPayments } from '../campaigns/schema.js';
import { payments } from '../payments/schema.js';
import { isAppEnabled } from '../marketplace/service.js';
import { recoveryStateOf } from './recovery.js';
import { findClientByDocument } from '../clients/queries.js';
import { normalizePhone } from '../clients/fields.js';
import type { Client } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { isoDateField, moneyField } from '../payment-orders/fields.js';
import { statementOf } from '../payments/queries.js';
import { makePromise, registerPayment } from '../payments/service.js';
import { todayIn, type IsoDate } from '../platform/dates.js';
import { checkbox, optionalText, requiredText, tooLong } from '../platform/forms.js';
import type { Scope } from '../platform/scope.js';
import { forgetTenantCache } from '../platform/tenancy.js';
import { newKey, type Storage } from '../storage/index.js';
import { tenants, type Tenant } from '../tenants/schema.js';
import { isHexColor } from './colors.js';
import { beginIdentification, forgiveIdentification, recordPortalEvent, type Failure } from './identification.js';
import { extensionOf, type FileKind } from './files.js';
import { portalSettingsFor, withAdvisorReason } from './queries.js';
import { captchaKinds, portalSettings, type PortalKind, type PortalSettings } from './schema.js';

function contactMatches(client: Pick<Client, 'phone' | 'email'> | undefined, typed: string, country: string): boolean {
  const text = typed.trim();
  if (text.includes('@')) return !!client?.email && client.email.trim().toLowerCase() === text.toLowerCase();
  const phone = normalizePhone(text, country);
  return !!client?.phone && phone !== null && client.phone === phone;
}

export interface IdentifyInput {
  tenant: Tenant;
  ip: string;
  documentType: string;
  documentNumber: string;
  contact: string;
  now: Date;
}

/**
 * Step 2 of the customer portal: the document and the phone or email on file must belong to
 * the same live client. Every attempt is counted first; an unknown document and wrong contact
 * data then take the same path (one lookup, nothing more), so neither the answer nor its
 * timing tells them apart.
 */
export async function identifyDebtor(db: Db, input: IdentifyInput): Promise<{ ok: true; client: Client } | { ok: false; reason: 'limited'; retryAfterMs: number } | { ok: false; reason: 'mismatch' }> {
  const { tenant, ip, documentType, documentNumber, now } = input;
  const counted = await beginIdentification(db, tenant.id, ip, documentType, documentNumber, now);
  if (counted.limited) return { ok: false, reason: 'limited', retryAfterMs: counted.retryAfterMs };
  const client = await findClientByDocument(db, tenant.id, documentType, documentNumber);
  if (!client || !contactMatches(client, input.contact, tenant.country)) {
    return { ok: false, reason: 'mismatch' };
  }
  await forgiveIdentification(db, tenant.id, ip, documentType, documentNumber, now);
  return { ok: true, client };
}

/**
 * Where an identified debtor belongs: a client with an active charged-off campaign goes to
 * /recovery while that portal is available (SPEC 6, no setting), unless their countdown has
 * run out; everyone else to the statement.
 */
export async function portalKindFor(db: Db, tenant: Tenant, clientId: number, settings: PortalSettings, now: Date): Promise<PortalKind> {
  if (!recoveryAvailable(tenant, settings)) return 'customer';
  // Where /recovery would show an offer: an active campaign whose countdown has not run out, or
  // one that a receipt sent in time holds past its countdown or its last day. Once the offer is
  // gone for this debtor (withdrawn, finished, paid) their original debt is on the statement.
  const state = await recoveryStateOf(db, { tenant, settings, clientId, now, start: false, visit: null });
  return state.kind === 'offer' ? 'recovery' : 'customer';
}

/** A charged-off debt as the statement shows it: the campaign, and what is owed on it. */
export interface ChargedOffDebt {
  campaignCode: string;
  offer: Offer;
}

/**
 * The charged-off debt a debtor on the statement still carries: their latest campaign entry,
 * unless it is paid. The offer is not theirs to take here once the campaign has finished, or
 * while /recovery is on and they are on the statement (their countdown ran out): it shows as
 * the debt less what they paid, without the discount (SPEC 5). Only while /recovery is off
 * does an active campaign show its discount on the statement.
 */
export async function chargedOffDebtFor(db: Db, tenant: Tenant, clientId: number, settings: PortalSettings, today: IsoDate): Promise<ChargedOffDebt | null> {
  // With the Cartera castigada app off, staff neither see nor work campaigns: the debtor is not
  // shown one, nor sent to report payments to it (its data stays, for when the app is back).
  if (!isAppEnabled(tenant, 'charged_off')) return null;
  const entry = await latestEntryForClient(db, tenant.id, clientId);
  if (!entry) return null;
  const state = campaignStateOf(entry, today);
  if (state === 1) return null;
  const withdrawn = state === 0 && recoveryAvailable(tenant, settings);
  return { campaignCode: entry.campaignCode, offer: offerOf(withdrawn ? { ...entry, closedReason: 'finished' } : entry, today) };
}

/**
 * How many of a debt's payments staff refused or annulled. It is part of what names a sent
 * receipt (registerOnce's `sameAs`): the same file sent again after staff refused it, as the
 * statement asks, is a new report, not a repeat.
 */
export async function refusedPaymentsOf(db: Db, tenantId: number, debt: { clientId: number } | { entryId: number }): Promise<number> {
  const settled = ['no_verificado', 'anulado'] as const;
  const [row] =
    'clientId' in debt
      ? await db.select({ n: count() }).from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.clientId, debt.clientId), inArray(payments.state, settled)))
      : await db
          .select({ n: count() })
          .from(campaignPayments)
          .where(and(eq(campaignPayments.tenantId, tenantId), eq(campaignPayments.entryId, debt.entryId), inArray(campaignPayments.state, settled)));
  return Number(row?.n ?? 0);
}

/** /recovery exists while the admin has it on and the tenant has the Cartera castigada app. */
export function recoveryAvailable(tenant: Tenant, settings: PortalSettings): boolean {
  return settings.recoveryActive && isAppEnabled(tenant, 'charged_off');
}

// ---- Payments from the portal ---------------------------------------------------------

const debtorScope = (db: Db, tenantId: number, clock: Scope['clock']): Scope => ({ tenantId, actor: null, db, clock });

export function receiptFieldsSchema(currency: string) {
  return v.object({
    amount: moneyField(currency, { required: true, positive: true }),
    order: v.pipe(
      v.optional(v.string(), ''),
      v.trim(),
      v.transform((s) => (/^[1-9]\d{0,15}$/.test(s) ? Number(s) : null)),
    ),
    reference: optionalText(120),
  });
}

export interface ReceiptInput {
  amount: number;
  order: number | null;
  reference: string | null;
  file: { bytes: Uint8Array; kind: FileKind };
}

/**
 * The debtor reports a payment with its receipt: a "pago por verificar" from the portal,
 * on the chosen order or on the oldest unpaid ones first. The file is stored first and
 * removed again when the payment is refused, so a refusal leaves nothing behind.
 */
export async function uploadReceipt(
  options: { db: Db; tenant: Tenant; clock: Scope['clock']; storage: Storage; clientId: number },
  input: ReceiptInput,
): Promise<{ ok: true; paymentId: number } | Failure> {
  const { db, tenant, clock, storage, clientId } = options;
  const today = todayIn(tenant.timezone, clock);
  const statement = await statementOf(db, tenant.id, clientId, today);
  const open = statement.payable.filter((o) => o.balance > 0);
  // A receipt names an order issued by today: one not issued yet is not offered to choose.
  const chosen = input.order === null ? open : open.filter((o) => o.id === input.order && o.issueDate <= today);
  if (chosen.length === 0) return { ok: false, errors: { order: open.length === 0 ? 'portal.receipt.nothingOwed' : 'portal.receipt.orderInvalid' } };
  const key = newKey(tenant.id, `receipt.${extensionOf(input.file.kind)}`);
  await storage.put(key, input.file.bytes);
  try {
    const result = await db.transaction(async (tx) => {
      const scope = debtorScope(tx, tenant.id, clock);
      const registered = await registerPayment(scope, clientId, {
        amount: input.amount,
        paidOn: today,
        method: 'transferencia',
        reference: input.reference,
        orders: chosen.map((o) => o.id),
        source: 'portal',
        receiptKey: key,
      });
      if (!registered.ok) return registered;
      await recordPortalEvent(tx, tenant.id, clientId, 'portal.receipt_uploaded', { paymentId: registered.payment.id, amount: input.amount }, clock.now());
      return { ok: true as const, paymentId: registered.payment.id };
    });
    if (!result.ok) {
      await storage.remove(key);
      if ('notFound' in result) return { ok: false, errors: { order: 'portal.receipt.orderInvalid' } };
      // The form has no date: an order not issued yet that the money would reach is said in the debtor's words.
      const early = result.errors.paidOn?.startsWith('receivables.payments.beforeIssue?') ? result.errors.paidOn.split('?')[1] : undefined;
      return { ok: false, errors: early ? { amount: `portal.receipt.beforeIssue?${early}` } : result.errors };
    }
    return result;
  } catch (error) {
    await storage.remove(key);
    throw error;
  }
}

export function promiseFieldsSchema(currency: string) {
  return v.object({
    promiseAmount: moneyField(currency, { required: true, positive: true }),
    promisedDate: isoDateField(),
  });
}

/** A promise to pay typed by the debtor, within the tenant's limit of days (the payments rules decide). */
export async function promiseFromPortal(
  options: { db: Db; tenant: Tenant; clock: Scope['clock']; clientId: number },
  input: { amount: number; promisedDate: IsoDate },
): Promise<{ ok: true } | Failure> {
  const { db, tenant, clock, clientId } = options;
  const settings = await portalSettingsFor(db, tenant.id);
  if (!settings.promisesEnabled) return { ok: false, errors: { promisedDate: 'portal.promise.disabled' } };
  return db.transaction(async (tx) => {
    const made = await makePromise(debtorScope(tx, tenant.id, clock), clientId, { ...input, source: 'portal' });
    if (!made.ok) {
      if ('notFound' in made) return { ok: false as const, errors: { promisedDate: 'portal.promise.failed' } };
      // The debtor is told in their own words that there is nothing to promise.
      const said = (message: string) => (message === 'receivables.promises.nothingOwed' ? 'portal.promise.nothingOwed' : message);
      const errors = Object.fromEntries(Object.entries(made.errors).map(([field, message]) => [field === 'amount' ? 'promiseAmount' : field, said(message)]));
      return { ok: false as const, errors };
    }
    await recordPortalEvent(tx, tenant.id, clientId, 'portal.promise_made', { promiseId: made.promise.id, amount: input.amount, promisedDate: input.promisedDate }, clock.now());
    return { ok: true as const };
  });
}

// ---- Back-office settings -------------------------------------------------------------

const color = v.pipe(v.optional(v.string(), ''), v.trim(), v.check(isHexColor, 'portal.settings.colorInvalid'), v.toLowerCase());

const payLinkTemplate = v.pipe(
  v.optional(v.string(), ''),
  v.trim(),
  v.maxLength(500, tooLong(500)),
  v.check((s) => s === '' || s.includes('{amount}'), 'portal.settings.payLinkAmount'),
  v.check((s) => {
    if (s === '') return true;
    const sample = s.replaceAll('{code}', 'OP-1').replaceAll('{amount}', '1.00');
    return URL.canParse(sample) && new URL(sample).protocol === 'https:';
  }, 'portal.settings.payLinkHttps'),
  v.transform((s) => (s === '' ? null : s)),
);

const welcome = v.pipe(optionalText(1000), v.transform((s) => s ?? ''));

export const CustomerSettingsSchema = v.object({
  customerTitle: requiredText(120),
  customerWelcome: welcome,
  customerColor: color,
  bankDetails: optionalText(2000),
  payLinkTemplate,
  promisesEnabled: checkbox,
  removeLogo: checkbox,
});

export function recoverySettingsSchema(country: string) {
  return v.object({
      recoveryActive: checkbox,
      recoveryTitle: requiredText(120),
      recoveryWelcome: welcome,
      recoveryColor: color,
      notInterestedReasons: v.pipe(
        v.optional(v.string(), ''),
        v.transform((s) => withAdvisorReason(s.split(/\r?\n/))),
        v.check((list) => list.length <= 20, 'portal.settings.reasonsTooMany'),
        v.check((list) => list.every((r) => r.length <= 120), tooLong(120)),
      ),
      countdownEnabled: checkbox,
      countdownHours: v.pipe(
        v.optional(v.string(), ''),
        v.trim(),
        v.check((s) => /^\d{1,4}$/.test(s) && Number(s) >= 1 && Number(s) <= 720, 'portal.settings.hoursRange'),
        v.transform(Number),
      ),
      captchaKind: v.picklist(captchaKinds, 'portal.settings.captchaInvalid'),
      recaptchaSiteKey: optionalText(200),
      recaptchaSecret: optionalText(200),
      legalText: optionalText(4000),
      whatsappNumber: v.pipe(
        v.optional(v.string(), ''),
        v.trim(),
        v.check((s) => s === '' || normalizePhone(s, country) !== null, 'portal.settings.whatsappInvalid'),
        v.transform((s) => (s === '' ? null : normalizePhone(s, country))),
      ),
      removeLogo: checkbox,
      removeBanner: checkbox,
  });
}

export type CustomerSettings = v.InferOutput<typeof CustomerSettingsSchema>;
export type RecoverySettings = v.InferOutput<ReturnType<typeof recoverySettingsSchema>>;

type Image = { bytes: Uint8Array; kind: FileKind } | null;

async function storeImage(storage: Storage, tenantId: number, name: string, image: Image): Promise<string | null> {
  if (!image) return null;
  const key = newKey(tenantId, `${name}.${extensionOf(image.kind)}`);
  await storage.put(key, image.bytes);
  return key;
}

/** Saves the customer portal's form; a new logo replaces the old file. */
export async function saveCustomerSettings(scope: Scope & { storage: Storage }, input: CustomerSettings, logo: Image): Promise<{ ok: true }> {
  const current = await portalSettingsFor(scope.db, scope.tenantId);
  const logoKey = await storeImage(scope.storage, scope.tenantId, 'portal-logo', logo);
  const { removeLogo, ...fields } = input;
  await scope.db
    .update(portalSettings)
    .set({ ...fields, customerLogoKey: logoKey ?? (removeLogo ? null : current.customerLogoKey), updatedAt: scope.clock.now() })
    .where(eq(portalSettings.tenantId, scope.tenantId));
  if ((logoKey || removeLogo) && current.customerLogoKey) await scope.storage.remove(current.customerLogoKey);
  return { ok: true };
}

/**
 * Saves the recovery portal's form. reCAPTCHA needs its site key and secret; a blank secret
 * keeps the stored one (it is never shown back). The WhatsApp number lives on the tenant.
 */
export async function saveRecoverySettings(
  scope: Scope & { storage: Storage },
  input: RecoverySettings,
  images: { logo: Image; banner: Image },
): Promise<{ ok: true } | Failure> {
  const current = await portalSettingsFor(scope.db, scope.tenantId);
  const secret = input.recaptchaSecret ?? current.recaptchaSecret;
  if (input.captchaKind === 'recaptcha') {
    const errors: Record<string, string> = {};
    if (!input.recaptchaSiteKey) errors.recaptchaSiteKey = 'portal.settings.recaptchaRequired';
    if (!secret) errors.recaptchaSecret = 'portal.settings.recaptchaRequired';
    if (Object.keys(errors).length > 0) return { ok: false, errors };
  }
  const logoKey = await storeImage(scope.storage, scope.tenantId, 'recovery-logo', images.logo);
  const bannerKey = await storeImage(scope.storage, scope.tenantId, 'recovery-banner', images.banner);
  const { removeLogo, removeBanner, whatsappNumber, ...fields } = input;
  await scope.db.transaction(async (tx) => {
    await tx
      .update(portalSettings)
      .set({
        ...fields,
        recaptchaSecret: secret,
        recoveryLogoKey: logoKey ?? (removeLogo ? null : current.recoveryLogoKey),
        recoveryBannerKey: bannerKey ?? (removeBanner ? null : current.recoveryBannerKey),
        updatedAt: scope.clock.now(),
      })
      .where(eq(portalSettings.tenantId, scope.tenantId));
    await tx.update(tenants).set({ whatsappNumber, updatedAt: sql`now()` }).where(eq(tenants.id, scope.tenantId));
  });
  forgetTenantCache();
  if ((logoKey || removeLogo) && current.recoveryLogoKey) await scope.storage.remove(current.recoveryLogoKey);
  if ((bannerKey || removeBanner) && current.recoveryBannerKey) await scope.storage.remove(current.recoveryBannerKey);
  return { ok: true };
}
