import { Hono } from 'hono';
import { StatementPage, type StatementProps } from '../../views/payments/statement.js';
import { moneyField } from '../payment-orders/fields.js';
import { findLiveClient } from '../payment-orders/queries.js';
import { idParam, scopeOf } from '../payment-orders/routes.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { todayIn } from '../platform/dates.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { registerOnce } from '../portal/once.js';
import { formValues, parseWith, type FormValues } from '../platform/forms.js';
import type { MessageKey } from '../platform/i18n/index.js';
import { redirectTo, render } from '../platform/render.js';
import { contentTypeOfKey } from '../portal/files.js';
import { sendStatementLink } from '../portal/links.js';
import { sendStoredFile } from '../storage/send.js';
import { findPayment, statementOf } from './queries.js';
import { countPaymentsToVerify, listPaymentsToVerify } from './to-verify.js';
import { isAppEnabled } from '../marketplace/service.js';
import { can } from '../platform/permissions.js';
import { PaymentsToVerifyPage } from '../../views/payments/to-verify.js';
import { annulPayment, makePromise, paymentFieldsSchema, promiseFieldsSchema, registerPayment, rejectPayment, verifyPayment } from './service.js';

const canView = requirePermission(forbiddenPage, 'receivables');
const canChange = requirePermission(forbiddenPage, 'clients.edit');

async function liveClient(c: AppContext) {
  const id = idParam(c.req.param('id'));
  return id ? await findLiveClient(c.var.deps.database.db, c.var.tenant.id, id) : undefined;
}

async function statementPage(c: AppContext, client: StatementProps['client'], extra: Partial<StatementProps> = {}, status: 200 | 422 = 200) {
  const today = todayIn(c.var.tenant.timezone, c.var.deps.clock);
  const statement = await statementOf(c.var.deps.database.db, c.var.tenant.id, client.id, today);
  return render(c, {
    title: c.var.t('statement.titleOf', { name: client.name }),
    status,
    body: <StatementPage client={client} statement={statement} today={today} {...extra} />,
  });
}

/** Per-order amounts typed in the payment form (`alloc_<orderId>`); empty ones are left to the automatic split. */
function explicitAllocations(values: FormValues, currency: string) {
  const field = moneyField(currency, { required: false, positive: true });
  const allocations: Record<number, number> = {};
  const errors: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    const id = /^alloc_(\d+)$/.exec(key)?.[1];
    if (!id || typeof raw !== 'string' || raw.trim() === '') continue;
    const parsed = parseWith(field, raw);
    if (parsed.ok) allocations[Number(id)] = parsed.value;
    else errors[key] = parsed.errors._form ?? Object.values(parsed.errors)[0]!;
  }
  return { allocations: Object.keys(allocations).length > 0 ? allocations : undefined, errors };
}

const paymentChange = (change: typeof verifyPayment, done: MessageKey) => async (c: AppContext) => {
  const id = idParam(c.req.param('id'));
  const payment = id ? await findPayment(c.var.deps.database.db, c.var.tenant.id, id) : undefined;
  if (!payment) return notFoundPage(c);
  const result = await change(scopeOf(c), payment.id);
  if (!result.ok && 'notFound' in result) return notFoundPage(c);
  if (result.ok) setFlash(c, 'success', done);
  else setFlash(c, 'error', Object.values(result.errors)[0] as MessageKey);
  return redirectTo(c, `/app/clients/${payment.clientId}/statement#payments`);
};

/** The client's statement ("Estado de cuenta"), its payments and promises; mounted under /app. */
export const statementRoutes = new Hono<AppEnv>()
  .get('/clients/:id/statement', canView, async (c) => {
    // A deleted client's statement stays readable (nothing is lost); changes wait for a restore.
    const id = idParam(c.req.param('id'));
    const client = id ? await findLiveClient(c.var.deps.database.db, c.var.tenant.id, id, { deletedToo: true }) : undefined;
    if (!client) return notFoundPage(c);
    return statementPage(c, client);
  })
  // A refused payment or promise leaves its form's address in the address bar: opened again
  // (a reload, a bookmark), it leads back to the statement, where the form is.
  .get('/clients/:id{[0-9]+}/statement/:part{payments|promises|link}', canView, (c) => c.redirect(`/app/clients/${c.req.param('id')}/statement`, 303))
  .post('/clients/:id/statement/payments', canView, canChange, async (c) => {
    const client = await liveClient(c);
    if (!client) return notFoundPage(c);
    const values = await formValues(c);
    const currency = c.var.tenant.currency;
    const parsed = parseWith(paymentFieldsSchema({ currency }), values);
    const explicit = explicitAllocations(values, currency);
    let errors: Record<string, string> = { ...(parsed.ok ? {} : parsed.errors), ...explicit.errors };
    if (parsed.ok && Object.keys(errors).length === 0) {
      // A double click, or a send repeated on a slow network, registers the payment once.
      const result = await registerOnce(c, values, () => registerPayment(scopeOf(c), client.id, { ...parsed.value, allocations: explicit.allocations }));
      if (result === null || result.ok) {
        setFlash(c, 'success', 'payments.registered');
        return redirectTo(c, `/app/clients/${client.id}/statement#payments`);
      }
      if ('notFound' in result) return notFoundPage(c);
      errors = result.errors;
    }
    return statementPage(c, client, { paymentValues: values, paymentErrors: errors }, 422);
  })
  // A promise is what the debtor said: anyone who works Cuentas por cobrar records it (advisors
  // on their calls); registering and verifying money needs clients.edit.
  .post('/clients/:id/statement/promises', canView, async (c) => {
    const client = await liveClient(c);
    if (!client) return notFoundPage(c);
    const values = await formValues(c);
    const parsed = parseWith(promiseFieldsSchema({ currency: c.var.tenant.currency }), values);
    let errors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok) {
      const result = await registerOnce(c, values, () => makePromise(scopeOf(c), client.id, { amount: parsed.value.promiseAmount, promisedDate: parsed.value.promisedDate }));
      if (result === null || result.ok) {
        setFlash(c, 'success', 'promises.made');
        return redirectTo(c, `/app/clients/${client.id}/statement#promises`);
      }
      if ('notFound' in result) return notFoundPage(c);
      errors = Object.fromEntries(Object.entries(result.errors).map(([k, m]) => [k === 'amount' ? 'promiseAmount' : k, m]));
    }
    return statementPage(c, client, { promiseValues: values, promiseErrors: errors }, 422);
  })
  // Anyone who works Cuentas por cobrar sends it: it shows the debtor what the statement shows.
  .post('/clients/:id/statement/link', canView, async (c) => {
    const client = await liveClient(c);
    if (!client) return notFoundPage(c);
    const { mailer, config, secret } = c.var.deps;
    const result = await registerOnce(c, await formValues(c), () => sendStatementLink(scopeOf(c), { mailer, config, secret, tenant: c.var.tenant }, client));
    if (result && !result.ok) setFlash(c, 'error', result.error);
    // A second tap sends nothing more, and says what the first did.
    else setFlash(c, 'success', 'statement.link.sent', { email: client.email ?? '' });
    return redirectTo(c, `/app/clients/${client.id}/statement`);
  })
  .get('/payments/:id/receipt', canView, async (c) => {
    // The file a debtor sent from the portal with a payment to verify: what staff look at before verifying it.
    const id = idParam(c.req.param('id'));
    const payment = id ? await findPayment(c.var.deps.database.db, c.var.tenant.id, id) : undefined;
    if (!payment?.receiptKey) return notFoundPage(c);
    const name = `comprobante-${payment.id}${payment.receiptKey.slice(payment.receiptKey.lastIndexOf('.'))}`;
    return sendStoredFile(c, payment.receiptKey, { type: contentTypeOfKey(payment.receiptKey), name, disposition: 'inline' });
  })
  .post('/payments/:id/verification', canView, canChange, paymentChange(verifyPayment, 'payments.verified'))
  .post('/payments/:id/rejection', canView, canChange, paymentChange(rejectPayment, 'payments.rejected'))
  .post('/payments/:id/annulment', canView, canChange, paymentChange(annulPayment, 'payments.annulled'));

/** Pagos por verificar (Cuentas por cobrar): what waits for staff to verify, in one place. */
export const paymentsToVerifyRoutes = new Hono<AppEnv>().use(canView).get('/', async (c) => {
  // Those who verify (clients.edit) see every payment waiting; others their own clients' first.
  const asked = c.req.query('scope');
  const scope = asked === 'all' || asked === 'mine' ? asked : can(c.var.user, 'clients.edit') ? 'all' : 'mine';
  const options = { ...(scope === 'mine' ? { mineOf: c.var.user!.id } : {}), campaigns: isAppEnabled(c.var.tenant, 'charged_off') };
  const asPage = Number(c.req.query('page'));
  const page = Number.isSafeInteger(asPage) && asPage > 0 && asPage <= 100_000 ? asPage : 1;
  const db = c.var.deps.database.db;
  const [rows, total] = await Promise.all([listPaymentsToVerify(db, c.var.tenant.id, { ...options, page }), countPaymentsToVerify(db, c.var.tenant.id, options)]);
  return render(c, { title: c.var.t('toVerify.title'), body: <PaymentsToVerifyPage rows={rows} total={total} page={page} scope={scope} /> });
});
