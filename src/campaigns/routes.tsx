import { Hono, type MiddlewareHandler } from 'hono';
import { isMessageKey } from '../platform/i18n/index.js';
import { transitionPaths } from '../payments/service.js';
import * as v from 'valibot';
import { CampaignEntryDetail, CampaignEntryForm } from '../../views/campaigns/entry.js';
import { CampaignFragment, CampaignTray } from '../../views/campaigns/tray.js';
import { documentTypesFor } from '../clients/fields.js';
import { isAppEnabled } from '../marketplace/service.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { todayIn } from '../platform/dates.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { contentTypeOfKey } from '../portal/files.js';
import { registerOnce } from '../portal/once.js';
import { portalSettingsFor } from '../portal/queries.js';
import { countdownOf, reportedInTime } from '../portal/recovery.js';
import { recoveryAvailable } from '../portal/service.js';
import { sendStoredFile } from '../storage/send.js';
import { formValues, parseWith, requiredText } from '../platform/forms.js';
import { can } from '../platform/permissions.js';
import { redirectTo, render } from '../platform/render.js';
import { listStaff } from '../users/queries.js';
import { moneyField, isoDateField } from '../payment-orders/fields.js';
import { campaignFieldsSchema } from './fields.js';
import { COUNT_CAP, entryEvents, entryPayments, findCampaignEntry, findCampaignPayment, listCampaignEntries, PAGE_SIZE, parseCampaignFilters } from './queries.js';
import { campaignPromisesOf, changeCampaignPaymentState, createCampaignEntry, makeCampaignPromise, registerCampaignPayment } from './service.js';

/** The whole section exists only while the tenant has the app switched on. */
const appEnabled: MiddlewareHandler<AppEnv> = async (c, next) => (isAppEnabled(c.var.tenant, 'charged_off') ? next() : notFoundPage(c));

function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, tenant: c.var.tenant, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

const today = (c: AppContext) => todayIn(c.var.tenant.timezone, c.var.deps.clock);

function idParam(c: AppContext): number | null {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

const canEdit = (c: AppContext) => can(c.var.user, 'clients.edit');

async function detailPage(c: AppContext, entryId: number, extra: { errors?: Record<string, string>; values?: Record<string, string | undefined> } = {}) {
  const db = c.var.deps.database.db;
  const row = await findCampaignEntry(db, c.var.tenant.id, entryId);
  if (!row) return notFoundPage(c);
  const [payments, promises, events, settings] = await Promise.all([
    entryPayments(db, c.var.tenant.id, entryId),
    campaignPromisesOf(db, c.var.tenant.id, entryId, today(c)),
    entryEvents(db, c.var.tenant.id, row.entry.clientId, entryId),
    portalSettingsFor(db, c.var.tenant.id),
  ]);
  // The debtor's own countdown, when /recovery runs one: staff quote what the debtor sees.
  const countdown = recoveryAvailable(c.var.tenant, settings)
    ? await countdownOf(db, { tenant: c.var.tenant, settings, entry: row.entry, now: c.var.deps.clock.now(), start: false, visit: null })
    : null;
  // A receipt sent before the countdown ran out keeps the offer on /recovery until it is verified.
  const toVerify = payments.filter((p) => p.state === 'por_verificar').map((p) => ({ reportedAt: p.createdAt }));
  const held = countdown?.expired === true && reportedInTime(toVerify, countdown);
  return render(c, {
    title: c.var.t('campaigns.detail', { campaign: row.entry.campaignCode }),
    status: extra.errors ? 422 : 200,
    body: (
      <CampaignEntryDetail
        row={row}
        payments={payments}
        promises={promises}
        events={events}
        today={today(c)}
        countdown={countdown}
        heldForReceipt={held}
        canEdit={canEdit(c)}
        errors={extra.errors}
        values={extra.values}
      />
    ),
  });
}

const PaymentForm = (currency: string) =>
  v.object({
    amount: moneyField(currency, { required: true, positive: true }),
    paidOn: isoDateField(),
    method: requiredText(60, 'campaigns.error.method'),
    reference: v.pipe(v.optional(v.string(), ''), v.trim(), v.transform((s) => (s === '' ? null : s.slice(0, 120)))),
  });

const PromiseForm = (currency: string) =>
  v.object({
    promiseAmount: moneyField(currency, { required: true, positive: true }),
    promisedDate: isoDateField(),
  });

/** Cuentas por cobrar > Cartera castigada: the tray, loading one client, and each entry with its payments. */
export const campaignRoutes = new Hono<AppEnv>()
  .use(appEnabled, requirePermission(forbiddenPage, 'receivables'))
  .get('/', async (c) => {
    const query = c.req.query();
    const filters = parseCampaignFilters(query, c.var.tenant.currency);
    const db = c.var.deps.database.db;
    const { rows, total, capped } = await listCampaignEntries(db, c.var.tenant.id, filters, today(c));
    const props = { rows, total, capped, filters, query, advisors: await listStaff(db, c.var.tenant.id), today: today(c), pageSize: PAGE_SIZE };
    return render(c, {
      title: c.var.t('campaigns.title'),
      body: <CampaignTray {...props} canEdit={canEdit(c)} />,
      fragment: <CampaignFragment {...props} />,
    });
  })
  .get('/new', requirePermission(forbiddenPage, 'clients.edit'), async (c) =>
    render(c, { title: c.var.t('campaigns.new'), body: <CampaignEntryForm values={{}} documentTypes={await documentTypesFor(c.var.deps.database.db, c.var.tenant.id)} /> }),
  )
  .post('/', requirePermission(forbiddenPage, 'clients.edit'), async (c) => {
    const values = (await formValues(c)) as Record<string, string>;
    const parsed = parseWith(campaignFieldsSchema({ currency: c.var.tenant.currency }), values);
    const result = parsed.ok ? await createCampaignEntry(scopeOf(c), parsed.value) : parsed;
    if (!result.ok) {
      const documentTypes = await documentTypesFor(c.var.deps.database.db, c.var.tenant.id);
      return render(c, { title: c.var.t('campaigns.new'), status: 422, body: <CampaignEntryForm values={values} errors={result.errors} documentTypes={documentTypes} /> });
    }
    setFlash(c, 'success', result.clientCreated ? 'campaigns.createdNewClient' : result.clientMoved ? 'campaigns.movedClient' : 'campaigns.created', { campaign: result.entry.campaignCode });
    return redirectTo(c, `/app/campaigns/${result.entry.id}`);
  })
  .get('/:id', async (c) => {
    const id = idParam(c);
    return id ? detailPage(c, id) : notFoundPage(c);
  })
  .post('/:id/payments', requirePermission(forbiddenPage, 'clients.edit'), async (c) => {
    const id = idParam(c);
    if (!id) return notFoundPage(c);
    const values = (await formValues(c)) as Record<string, string>;
    const parsed = parseWith(PaymentForm(c.var.tenant.currency), values);
    // A repeated send (a double click, a slow network) registers the payment once.
    const result = parsed.ok ? ((await registerOnce(c, values, () => registerCampaignPayment(scopeOf(c), id, parsed.value))) ?? { ok: true }) : parsed;
    if (!result.ok) return 'notFound' in result ? notFoundPage(c) : detailPage(c, id, { errors: result.errors, values });
    setFlash(c, 'success', 'campaigns.paymentRegistered');
    return redirectTo(c, `/app/campaigns/${id}`);
  })
  // The file a debtor sent from /recovery with a payment to verify: what staff look at before verifying it.
  .get('/payments/:id/receipt', async (c) => {
    const id = idParam(c);
    const payment = id ? await findCampaignPayment(c.var.deps.database.db, c.var.tenant.id, id) : undefined;
    if (!payment?.receiptKey) return notFoundPage(c);
    const name = `comprobante-${payment.id}${payment.receiptKey.slice(payment.receiptKey.lastIndexOf('.'))}`;
    return sendStoredFile(c, payment.receiptKey, { type: contentTypeOfKey(payment.receiptKey), name, disposition: 'inline' });
  })
  // A promise is what the debtor said: anyone who works Cuentas por cobrar records it.
  .post('/:id/promises', async (c) => {
    const id = idParam(c);
    if (!id) return notFoundPage(c);
    const values = (await formValues(c)) as Record<string, string>;
    const parsed = parseWith(PromiseForm(c.var.tenant.currency), values);
    const result = parsed.ok
      ? ((await registerOnce(c, values, () => makeCampaignPromise(scopeOf(c), id, { amount: parsed.value.promiseAmount, promisedDate: parsed.value.promisedDate }))) ?? { ok: true })
      : parsed;
    if (!result.ok) return 'notFound' in result ? notFoundPage(c) : detailPage(c, id, { errors: result.errors, values });
    setFlash(c, 'success', 'campaigns.promiseMade');
    return redirectTo(c, `/app/campaigns/${id}`);
  });

const stateFlash = { verificado: 'campaigns.paymentVerified', no_verificado: 'campaigns.paymentRejected', anulado: 'campaigns.paymentAnnulled' } as const;

/** Verifying, rejecting and annulling a campaign payment are resources of the payment. */
export const campaignPaymentRoutes = new Hono<AppEnv>().use(appEnabled, requirePermission(forbiddenPage, 'clients.edit'));
for (const [to, resource] of Object.entries(transitionPaths) as [keyof typeof transitionPaths, string][]) {
  campaignPaymentRoutes.post(`/:id/${resource}`, async (c) => {
    const id = idParam(c);
    if (!id) return notFoundPage(c);
    const result = await changeCampaignPaymentState(scopeOf(c), id, to);
    if (!result.ok && 'notFound' in result) return notFoundPage(c);
    if (!result.ok) {
      const message = result.errors.state;
      setFlash(c, 'error', message && isMessageKey(message) ? message : 'campaigns.error.transition');
      return redirectTo(c, `/app/campaigns/${result.entryId}`);
    }
    setFlash(c, 'success', stateFlash[to]);
    return redirectTo(c, `/app/campaigns/${result.entryId}`);
  });
}
