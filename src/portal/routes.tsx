import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Readable } from 'node:stream';
import { DocumentStep, ContactStep } from '../../views/portal/identify.js';
import { DebtorClaimForm } from '../../views/portal/claim.js';
import type { FieldErrors } from '../../views/components/forms.js';
import { DebtorClaimSchema, type ClaimFailure } from '../claims/service.js';
import { claimFromPortal, debtorClaimableOrders, debtorClaimsOf } from './claims.js';
import { LogoutButton, StatementPage, type StatementPageProps } from '../../views/portal/statement.js';
import { documentTypesFor, normalizeDocumentNumber } from '../clients/fields.js';
import { findClient } from '../clients/queries.js';
import { owedLater, statementOf } from '../payments/queries.js';
import { settingsOf } from '../settings/queries.js';
import { waitFor } from '../platform/auth/rate-limit.js';
import { signExpiring, verifyExpiring } from '../platform/auth/tokens.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { addDays, todayIn } from '../platform/dates.js';
import type { MessageKey } from '../platform/i18n/index.js';
import { notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import { clientIp } from '../platform/ip.js';
import { redirectTo, render } from '../platform/render.js';
import { storageFor } from '../storage/index.js';
import { whiteTextIsReadable } from './colors.js';
import { receiptIdentity, registerOnce } from './once.js';
import { portalPage } from './page.js';
import { checkUpload, contentTypeOfKey, RECEIPT_MAX_BYTES } from './files.js';
import { PAY_LINK_MS, providerFor, totalCode } from './payment-provider.js';
import { documentProblem, eventSince, recordPortalEvent } from './identification.js';
import { clientOfStatementToken } from './links.js';
import { portalSettingsFor } from './queries.js';
import { whatsappUrl } from './recovery.js';
import type { PortalKind, PortalSettings } from './schema.js';
import {
  chargedOffDebtFor,
  refusedPaymentsOf,
  identifyDebtor,
  portalKindFor,
  promiseFieldsSchema,
  promiseFromPortal,
  receiptFieldsSchema,
  uploadReceipt,
} from './service.js';
import { endPortalSession, portalVisitOf, startPortalSession, type PortalVisit } from './sessions.js';

const DOCUMENT_COOKIE = 'saldo_portal_doc';
const DOCUMENT_STEP_MS = 10 * 60_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Between the two steps the document travels in a signed cookie that lasts a few minutes,
 * so the second page is the same whether or not the document exists.
 */
function rememberDocument(c: AppContext, documentType: string, documentNumber: string): void {
  const { secret, clock, config } = c.var.deps;
  const payload = encodeBase64urlNoPadding(encoder.encode(JSON.stringify([c.var.tenant.id, documentType, documentNumber])));
  const value = signExpiring(secret, 'portal-document', payload, new Date(clock.now().getTime() + DOCUMENT_STEP_MS));
  setCookie(c, DOCUMENT_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'Lax', secure: config.scheme === 'https', maxAge: DOCUMENT_STEP_MS / 1000 });
}

function rememberedDocument(c: AppContext): { documentType: string; documentNumber: string } | null {
  const raw = getCookie(c, DOCUMENT_COOKIE);
  const payload = raw ? verifyExpiring(c.var.deps.secret, 'portal-document', raw, c.var.deps.clock.now()) : null;
  if (!payload) return null;
  try {
    const [tenantId, documentType, documentNumber] = JSON.parse(decoder.decode(decodeBase64urlIgnorePadding(payload))) as [number, string, string];
    return tenantId === c.var.tenant.id ? { documentType, documentNumber } : null;
  } catch {
    return null;
  }
}

const forget = (c: AppContext) => deleteCookie(c, DOCUMENT_COOKIE, { path: '/', secure: c.var.deps.config.scheme === 'https' });

async function documentStep(c: AppContext, options: { values?: Record<string, string>; errors?: Record<string, string>; notice?: string; status?: ContentfulStatusCode } = {}) {
  const { db } = c.var.deps.database;
  const settings = await portalSettingsFor(db, c.var.tenant.id);
  const types = await documentTypesFor(db, c.var.tenant.id);
  return portalPage(c, {
    settings,
    kind: 'customer',
    title: c.var.t('portal.identify.title'),
    status: options.status,
    body: <DocumentStep welcome={settings.customerWelcome} types={types} values={options.values ?? {}} errors={options.errors} notice={options.notice} />,
  });
}

async function contactStep(c: AppContext, options: { notice?: string; errors?: Record<string, string>; status?: ContentfulStatusCode } = {}) {
  const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
  return portalPage(c, {
    settings,
    kind: 'customer',
    title: c.var.t('portal.identify.contactTitle'),
    status: options.status,
    body: <ContactStep values={{}} notice={options.notice} errors={options.errors} />,
  });
}

/** Opens the visit and sends the debtor where they belong (the recovery portal for an active campaign). */
async function enter(c: AppContext, clientId: number, via: 'contact' | 'link') {
  const { database, clock } = c.var.deps;
  const settings = await portalSettingsFor(database.db, c.var.tenant.id);
  const kind = await portalKindFor(database.db, c.var.tenant, clientId, settings, clock.now());
  await startPortalSession(c, clientId, kind);
  await recordPortalEvent(database.db, c.var.tenant.id, clientId, 'portal.identified', { portal: kind, via }, clock.now());
  return redirectTo(c, kind === 'recovery' ? '/recovery' : '/estado-de-cuenta');
}

async function customerVisit(c: AppContext): Promise<PortalVisit | null> {
  return (await portalVisitOf(c, 'customer')).visit;
}

async function statementPage(c: AppContext, visit: PortalVisit, extra: Pick<StatementPageProps, 'receipt' | 'promise'> = {}, status: ContentfulStatusCode = 200) {
  const { database, clock, secret } = c.var.deps;
  const tenant = c.var.tenant;
  const today = todayIn(tenant.timezone, clock);
  const settings = await portalSettingsFor(database.db, tenant.id);
  const [statement, limits, chargedOff, claims] = await Promise.all([
    statementOf(database.db, tenant.id, visit.client.id, today),
    settingsOf(database.db, tenant.id),
    chargedOffDebtFor(database.db, tenant, visit.client.id, settings, today),
    debtorClaimsOf(database.db, tenant.id, visit.client.id, clock.now()),
  ]);
  // What a claim may be about (debtorClaimableOrders): orders not annulled, which the statement already holds.
  const canRaiseClaim = statement.groups.some((group) => group.orders.some((order) => !order.annulled));
  return portalPage(c, {
    settings,
    kind: 'customer',
    title: c.var.t('portal.statement.title'),
    status,
    actions: <LogoutButton />,
    body: (
      <StatementPage
        clientName={visit.client.name}
        statement={statement}
        settings={settings}
        payOnline={providerFor(settings, secret) !== null}
        today={today}
        promiseMax={addDays(today, limits.promiseMaxDays)}
        chargedOff={chargedOff}
        advisorWhatsapp={whatsappUrl(tenant.whatsappNumber ?? null, c.var.t('recovery.advisor.whatsappText'))}
        claims={claims}
        canRaiseClaim={canRaiseClaim}
        {...extra}
      />
    ),
  });
}

/** What the claim rules say, in the debtor's words: "tus deudas", not "las órdenes del cliente". */
const DEBTOR_WORDS: Record<string, MessageKey> = {
  'claims.categoryRequired': 'portal.claim.categoryRequired',
  'claims.ordersRequired': 'portal.claim.ordersRequired',
  'claims.ordersOfClient': 'portal.claim.ordersRequired',
  'claims.descriptionRequired': 'portal.claim.descriptionRequired',
};

/** The fields in the order the form asks for them, so the summary reads as the page does. */
const CLAIM_FORM_ORDER = ['orderIds', 'category', 'description'];

function debtorClaimErrors(c: AppContext, failure: ClaimFailure): FieldErrors {
  const open = (failure.openClaims ?? []).map((claim) => `#${claim.id}`).join(', ');
  const rank = (field: string) => (CLAIM_FORM_ORDER.includes(field) ? CLAIM_FORM_ORDER.indexOf(field) : CLAIM_FORM_ORDER.length);
  return Object.fromEntries(
    Object.entries(failure.errors)
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([field, message]) => {
        if (message === 'claims.sameCategory') return [field, c.var.t('portal.claim.sameCategory', { claims: open })];
        if (message === 'claims.limitReached') return [field, c.var.t('portal.claim.limitReached', { claims: open })];
        return [field, DEBTOR_WORDS[message] ?? message];
      }),
  );
}

async function claimPage(c: AppContext, visit: PortalVisit, form: { values: Record<string, unknown>; errors: FieldErrors } | null = null, status: ContentfulStatusCode = 200) {
  const { database } = c.var.deps;
  const settings = await portalSettingsFor(database.db, c.var.tenant.id);
  const orders = await debtorClaimableOrders(database.db, c.var.tenant.id, visit.client.id);
  const values = form?.values ?? {};
  const orderIds = ([] as unknown[]).concat(values.orderIds ?? []).map(String);
  return portalPage(c, {
    settings,
    kind: 'customer',
    title: c.var.t('portal.claim.title'),
    status,
    actions: <LogoutButton />,
    body: (
      <DebtorClaimForm
        orders={orders}
        today={todayIn(c.var.tenant.timezone, c.var.deps.clock)}
        values={{ category: typeof values.category === 'string' ? values.category : undefined, description: typeof values.description === 'string' ? values.description : undefined, orderIds }}
        errors={form?.errors}
      />
    ),
  });
}

async function readAll(stream: Readable): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const joined = Buffer.concat(chunks);
  const out = new Uint8Array(new ArrayBuffer(joined.length));
  out.set(joined);
  return out;
}

async function serveStoredImage(c: AppContext, key: string | null) {
  if (!key) return notFoundPage(c);
  const storage = storageFor(c.var.deps.config);
  if ((await storage.size(key)) === null) return notFoundPage(c);
  return c.body(await readAll(storage.read(key)), 200, {
    'Content-Type': contentTypeOfKey(key),
    'Cache-Control': 'public, max-age=31536000, immutable',
  });
}

/**
 * "Envía tu comprobante" as posted: the fields checked and the file checked by its content.
 * Both portals take it the same way; what the payment applies to is theirs to decide.
 */
export async function readReceiptForm(c: AppContext) {
  const values = (await formValues(c)) as Record<string, string>;
  const body = await c.req.parseBody({ all: true });
  const parsed = parseWith(receiptFieldsSchema(c.var.tenant.currency), values);
  const file = await checkUpload(body.receipt, { allowed: ['jpeg', 'png', 'webp', 'pdf'], maxBytes: RECEIPT_MAX_BYTES, required: true });
  if (!parsed.ok || !file || !file.ok) {
    return { ok: false as const, values, errors: { ...(parsed.ok ? {} : parsed.errors), ...(file && !file.ok ? { receipt: file.error } : {}) } };
  }
  return { ok: true as const, values, fields: parsed.value, file };
}

/**
 * After a form went through: its message, on the page at its top ("#main", past the header).
 * A refused form needs no section in its address to be seen: its error summary takes the
 * focus, and the browser scrolls to it (an address with a section would stop that focus).
 */
export function sent(c: AppContext, message: MessageKey, page: string) {
  setFlash(c, 'success', message);
  return redirectTo(c, `${page}#main`);
}

/** A form sent after the visit ended (30 quiet minutes): say so, rather than drop it without a word. */
function visitEnded(c: AppContext) {
  setFlash(c, 'error', 'portal.visit.ended');
  return redirectTo(c, '/#main');
}

const isKind = (value: string): value is PortalKind => value === 'customer' || value === 'recovery';

/** The customer portal (cartera vigente) at the tenant's root, plus the portals' shared files. */
export const portalRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    if (await customerVisit(c)) return c.redirect('/estado-de-cuenta', 303);
    return documentStep(c);
  })
  .post('/identificacion', async (c) => {
    const values = (await formValues(c)) as Record<string, string>;
    const types = await documentTypesFor(c.var.deps.database.db, c.var.tenant.id);
    const documentType = String(values.documentType ?? '').trim().toUpperCase();
    const errors = documentProblem(types, documentType, String(values.documentNumber ?? ''));
    if (errors) return documentStep(c, { values, errors, status: 422 });
    const type = types.find((d) => d.code === documentType)!;
    rememberDocument(c, documentType, normalizeDocumentNumber(type, String(values.documentNumber)));
    return redirectTo(c, '/verificacion');
  })
  .get('/verificacion', async (c) => {
    if (!rememberedDocument(c)) {
      setFlash(c, 'info', 'portal.identify.startAgain');
      return c.redirect('/', 303);
    }
    return contactStep(c);
  })
  .post('/verificacion', async (c) => {
    const document = rememberedDocument(c);
    if (!document) {
      setFlash(c, 'info', 'portal.identify.startAgain');
      return redirectTo(c, '/');
    }
    const values = await formValues(c);
    const contact = typeof values.contact === 'string' ? values.contact.trim() : '';
    // Nothing typed is a slip, not a guess: it is not counted against the document.
    if (contact === '') return contactStep(c, { errors: { contact: 'portal.identify.contactRequired' }, status: 422 });
    const { database, clock } = c.var.deps;
    const result = await identifyDebtor(database.db, { tenant: c.var.tenant, ip: clientIp(c), ...document, contact, now: clock.now() });
    if (!result.ok) {
      if (result.reason === 'limited') {
        return contactStep(c, { notice: c.var.t('portal.identify.limited', waitFor(c, result.retryAfterMs)), status: 429 });
      }
      return contactStep(c, { notice: c.var.t('portal.identify.mismatch'), status: 422 });
    }
    forget(c);
    return enter(c, result.client.id, 'contact');
  })
  .get('/s/:token', async (c) => {
    const { database, clock, secret } = c.var.deps;
    const clientId = clientOfStatementToken(secret, c.var.tenant.id, c.req.param('token'), clock.now());
    const client = clientId ? await findClient(database.db, c.var.tenant.id, clientId) : undefined;
    if (!client || client.deletedAt) return documentStep(c, { notice: c.var.t('portal.link.invalid') });
    return enter(c, client.id, 'link');
  })
  .get('/estado-de-cuenta', async (c) => {
    const { visit, ended } = await portalVisitOf(c, 'customer');
    if (!visit) {
      // A visit that ended by itself (30 quiet minutes) says so, as /recovery does.
      if (ended) setFlash(c, 'info', 'portal.visit.endedStatement');
      return c.redirect('/', 303);
    }
    const { database, clock } = c.var.deps;
    // Once a visit: every reload of the statement would bury the client's real events.
    if (!(await eventSince(database.db, c.var.tenant.id, visit.client.id, 'portal.statement_viewed', visit.session.createdAt))) {
      await recordPortalEvent(database.db, c.var.tenant.id, visit.client.id, 'portal.statement_viewed', {}, clock.now());
    }
    return statementPage(c, visit);
  })
  .get('/pago-en-linea/:target', async (c) => {
    const visit = await customerVisit(c);
    if (!visit) return c.redirect('/', 303);
    const { database, clock, secret } = c.var.deps;
    const tenant = c.var.tenant;
    const provider = providerFor(await portalSettingsFor(database.db, tenant.id), secret);
    if (!provider) return notFoundPage(c);
    const today = todayIn(tenant.timezone, clock);
    const statement = await statementOf(database.db, tenant.id, visit.client.id, today);
    const target = c.req.param('target');
    // Only what can be paid today: an order issued later is not offered, nor counted in the total.
    const order = statement.payable.find((o) => String(o.id) === target && o.balance > 0 && o.issueDate <= today);
    const owedToday = statement.totalBalance - owedLater(statement, today);
    const base = { tenantId: tenant.id, currency: tenant.currency, expiresAt: new Date(clock.now().getTime() + PAY_LINK_MS) };
    const request =
      target === 'total' && owedToday > 0
        ? { ...base, code: totalCode(visit.client.id), amount: owedToday }
        : order
          ? { ...base, code: order.paymentCode, amount: order.balance }
          : null;
    if (!request) return notFoundPage(c);
    await recordPortalEvent(database.db, tenant.id, visit.client.id, 'portal.pay_link_opened', { code: request.code, amount: request.amount }, clock.now());
    return c.redirect(provider.payUrl(request), 303);
  })
  .post('/comprobante', async (c) => {
    const visit = await customerVisit(c);
    if (!visit) return visitEnded(c);
    const { database, clock, config } = c.var.deps;
    const form = await readReceiptForm(c);
    if (!form.ok) return statementPage(c, visit, { receipt: form }, 422);
    const { values } = form;
    const result = await registerOnce(
      c,
      values,
      () => uploadReceipt({ db: database.db, tenant: c.var.tenant, clock, storage: storageFor(config), clientId: visit.client.id }, { ...form.fields, file: form.file }),
      { sameAs: receiptIdentity(`client:${visit.client.id}`, form.fields.amount, form.file.bytes, await refusedPaymentsOf(database.db, c.var.tenant.id, { clientId: visit.client.id })) },
    );
    // The same form sent again (a double tap): the first send is the one that counts.
    if (!result) return sent(c, 'portal.receipt.sent', '/estado-de-cuenta');
    if (!result.ok) return statementPage(c, visit, { receipt: { values, errors: result.errors } }, 422);
    return sent(c, 'portal.receipt.sent', '/estado-de-cuenta');
  })
  .post('/compromiso', async (c) => {
    const visit = await customerVisit(c);
    if (!visit) return visitEnded(c);
    const { database, clock } = c.var.deps;
    const values = (await formValues(c)) as Record<string, string>;
    const parsed = parseWith(promiseFieldsSchema(c.var.tenant.currency), values);
    const result = parsed.ok
      ? await registerOnce(c, values, () =>
          promiseFromPortal({ db: database.db, tenant: c.var.tenant, clock, clientId: visit.client.id }, { amount: parsed.value.promiseAmount, promisedDate: parsed.value.promisedDate }),
        )
      : parsed;
    if (!result) return sent(c, 'portal.promise.sent', '/estado-de-cuenta');
    if (!result.ok) return statementPage(c, visit, { promise: { values, errors: result.errors } }, 422);
    return sent(c, 'portal.promise.sent', '/estado-de-cuenta');
  })
  .get('/reclamo', async (c) => {
    const visit = await customerVisit(c);
    if (!visit) return c.redirect('/', 303);
    return claimPage(c, visit);
  })
  .post('/reclamo', async (c) => {
    const visit = await customerVisit(c);
    if (!visit) return visitEnded(c);
    const { database, clock, jobs } = c.var.deps;
    const values = await formValues(c);
    const parsed = parseWith(DebtorClaimSchema, values);
    const result = parsed.ok
      ? await registerOnce(c, values, () => claimFromPortal({ db: database.db, tenant: c.var.tenant, clock, jobs, clientId: visit.client.id }, parsed.value))
      : parsed;
    // The same form sent again (a double tap): the first send is the one that counts.
    if (!result) return sent(c, 'portal.claim.sent', '/estado-de-cuenta');
    if (!result.ok) return claimPage(c, visit, { values, errors: 'notFound' in result ? {} : debtorClaimErrors(c, result) }, 422);
    return sent(c, 'portal.claim.sent', '/estado-de-cuenta');
  })
  .post('/salida', async (c) => {
    await endPortalSession(c);
    setFlash(c, 'info', 'portal.loggedOut');
    return redirectTo(c, '/');
  })
  .get('/portal/theme/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!isKind(kind)) return notFoundPage(c);
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    const color = kind === 'customer' ? settings.customerColor : settings.recoveryColor;
    // White text stays on the colour when it is readable; otherwise the text turns dark.
    const ink = whiteTextIsReadable(color) ? '#ffffff' : '#111111';
    return c.body(`:root{--brand:${color};--brand-ink:${ink}}`, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  })
  .get('/portal/logo/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!isKind(kind)) return notFoundPage(c);
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    return serveStoredImage(c, kind === 'customer' ? settings.customerLogoKey : settings.recoveryLogoKey);
  })
  .get('/portal/banner/recovery', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    return serveStoredImage(c, settings.recoveryBannerKey);
  });
