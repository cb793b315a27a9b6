import { Hono } from 'hono';
import { ClaimPage } from '../../views/claims/claim.js';
import { ClientPickerFragment, EditClaimPage, NewClaimPage } from '../../views/claims/form.js';
import { failureMessages, formClaimValues } from '../../views/claims/parts.js';
import { ClaimRowEditor, ClaimsFragment, ClaimsTray, ClaimTrayRow } from '../../views/claims/tray.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { translateMessage } from '../platform/i18n/index.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith, type FormValues } from '../platform/forms.js';
import { can } from '../platform/permissions.js';
import { isHtmx, redirectTo, render } from '../platform/render.js';
import type { Scope } from '../platform/scope.js';
import { listStaff } from '../users/queries.js';
import {
  findClaim,
  findClaimClient,
  findClaimRow,
  listClaimableOrders,
  listClaimEvents,
  listClaims,
  parseClaimFilters,
  searchClaimClients,
  type ClaimRow,
} from './queries.js';
import { ClaimChangesSchema, closeClaim, NewClaimSchema, openClaim, reopenClaim, updateClaim, } from './service.js';

const canSee = requirePermission(forbiddenPage, 'claims.view', 'claims.edit');
const canEdit = requirePermission(forbiddenPage, 'claims.edit');

function scopeOf(c: AppContext): Scope {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

const dbOf = (c: AppContext) => c.var.deps.database.db;

function idParam(c: AppContext): number | null {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

async function claimRowOf(c: AppContext): Promise<ClaimRow | undefined> {
  const id = idParam(c);
  return id ? findClaimRow(dbOf(c), c.var.tenant.id, id) : undefined;
}

const isTrayPath = (value: string) => /^\/app\/claims(\/\d+)?(\?[^#\\]*)?$/.test(value);

/**
 * Where to go after a change: the tray (with its filters) or the claim's page it came from,
 * from the form, the query string, or the page htmx says it is on; never another site.
 */
function backOf(c: AppContext, values?: FormValues): string {
  const candidates = [values?.back, c.req.query('back')];
  const current = c.req.header('HX-Current-URL');
  if (current) {
    try {
      const url = new URL(current);
      candidates.push(`${url.pathname}${url.search}`);
    } catch {
      // An unreadable header only means there is no page to return to.
    }
  }
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && isTrayPath(candidate)) return candidate;
  }
  return '/app/claims';
}

/** Reclamos: the tray, the claim forms and the closing and reopening of claims. */
export const claimRoutes = new Hono<AppEnv>()
  .get('/', canSee, async (c) => {
    const filters = { ...parseClaimFilters(c.req.query()), byDocument: can(c.var.user, 'receivables') };
    const [result, advisors] = await Promise.all([
      listClaims(dbOf(c), c.var.tenant.id, filters, c.var.tenant.timezone),
      listStaff(dbOf(c), c.var.tenant.id),
    ]);
    return render(c, {
      title: c.var.t('claims.title'),
      body: <ClaimsTray filters={filters} result={result} advisors={advisors} />,
      fragment: <ClaimsFragment filters={filters} result={result} />,
    });
  })
  .get('/new', canEdit, async (c) => {
    const db = dbOf(c);
    const tenantId = c.var.tenant.id;
    const clientId = Number(c.req.query('clientId'));
    const client = Number.isSafeInteger(clientId) && clientId > 0 ? await findClaimClient(db, tenantId, clientId) : undefined;
    const query = (c.req.query('clientQ') ?? '').trim();
    const found = !client && query ? await searchClaimClients(db, tenantId, query, { byDocument: can(c.var.user, 'receivables') }) : null;
    const orders = client ? await listClaimableOrders(db, tenantId, client.id) : [];
    return render(c, {
      title: c.var.t('claims.new'),
      body: <NewClaimPage query={query} found={found} client={client} orders={orders} values={{ orderIds: [] }} />,
      ...(client ? {} : { fragment: <ClientPickerFragment query={query} found={found} /> }),
    });
  })
  .post('/', canEdit, async (c) => {
    const values = await formValues(c);
    const parsed = parseWith(NewClaimSchema, values);
    const result = parsed.ok ? await openClaim(scopeOf(c), parsed.value) : parsed;
    if (result.ok) {
      setFlash(c, 'success', 'claims.created', { id: result.claim.id });
      return redirectTo(c, '/app/claims');
    }
    const db = dbOf(c);
    const clientId = Number(values.clientId);
    const client = Number.isSafeInteger(clientId) && clientId > 0 ? await findClaimClient(db, c.var.tenant.id, clientId) : undefined;
    const orders = client ? await listClaimableOrders(db, c.var.tenant.id, client.id) : [];
    const errors = 'notFound' in result ? {} : failureMessages(c.var.t, result);
    return render(c, {
      title: c.var.t('claims.new'),
      status: 422,
      body: <NewClaimPage query="" found={null} client={client} orders={orders} values={formClaimValues(values)} errors={errors} />,
    });
  })
  .get('/:id', canSee, async (c) => {
    const row = await claimRowOf(c);
    if (!row) return notFoundPage(c);
    const history = await listClaimEvents(dbOf(c), c.var.tenant.id, row.id);
    return render(c, { title: c.var.t('claims.numbered', { id: row.id }), body: <ClaimPage row={row} history={history} now={c.var.deps.clock.now()} /> });
  })
  .get('/:id/row', canSee, async (c) => {
    const row = await claimRowOf(c);
    if (!row) return notFoundPage(c);
    // The row alone only makes sense inside the tray; a browser that asks for it gets the claim.
    if (!isHtmx(c)) return c.redirect(`/app/claims/${row.id}`, 303);
    return render(c, { title: c.var.t('claims.numbered', { id: row.id }), body: null, fragment: <ClaimTrayRow row={row} back={backOf(c)} focus="edit" /> });
  })
  .get('/:id/edit', canEdit, async (c) => {
    const row = await claimRowOf(c);
    if (!row) return notFoundPage(c);
    const db = dbOf(c);
    const [orders, client, claim] = await Promise.all([
      listClaimableOrders(db, c.var.tenant.id, row.clientId),
      findClaimClient(db, c.var.tenant.id, row.clientId),
      findClaim(db, c.var.tenant.id, row.id),
    ]);
    const values = { category: row.category, description: row.description, comments: row.comments, orderIds: claim!.orderIds.map(String) };
    const back = backOf(c);
    return render(c, {
      title: c.var.t('claims.edit'),
      body: <EditClaimPage row={row} client={client} orders={orders} values={values} back={back} />,
      fragment: <ClaimRowEditor row={row} orders={orders} values={values} back={back} />,
    });
  })
  .post('/:id', canEdit, async (c) => {
    const row = await claimRowOf(c);
    if (!row) return notFoundPage(c);
    const values = await formValues(c);
    const back = backOf(c, values);
    const parsed = parseWith(ClaimChangesSchema, values);
    const result = parsed.ok ? await updateClaim(scopeOf(c), row.id, parsed.value) : parsed;
    if (!result.ok && 'notFound' in result) return notFoundPage(c);
    if (result.ok) {
      if (isHtmx(c)) {
        const saved = (await findClaimRow(dbOf(c), c.var.tenant.id, row.id))!;
        return render(c, { title: c.var.t('claims.title'), body: null, fragment: <ClaimTrayRow row={saved} back={back} focus="edit" /> });
      }
      setFlash(c, 'success', 'claims.updated', { id: row.id });
      return redirectTo(c, back);
    }
    const errors = failureMessages(c.var.t, result);
    const db = dbOf(c);
    const [orders, client] = await Promise.all([listClaimableOrders(db, c.var.tenant.id, row.clientId), findClaimClient(db, c.var.tenant.id, row.clientId)]);
    const shown = formClaimValues(values);
    return render(c, {
      title: c.var.t('claims.edit'),
      status: 422,
      body: <EditClaimPage row={row} client={client} orders={orders} values={shown} errors={errors} back={back} />,
      fragment: <ClaimRowEditor row={row} orders={orders} values={shown} errors={errors} back={back} />,
    });
  })
  .post('/:id/closure', canEdit, async (c) => {
    const row = await claimRowOf(c);
    if (!row) return notFoundPage(c);
    const back = backOf(c, await formValues(c));
    const result = await closeClaim(scopeOf(c), row.id);
    if (!result.ok) return notFoundPage(c);
    return changedState(c, row.id, back, 'claims.closed');
  })
  .post('/:id/reopening', canEdit, async (c) => {
    const row = await claimRowOf(c);
    if (!row) return notFoundPage(c);
    const back = backOf(c, await formValues(c));
    const result = await reopenClaim(scopeOf(c), row.id);
    if (result.ok) return changedState(c, row.id, back, 'claims.reopened');
    if ('notFound' in result) return notFoundPage(c);
    const errors = failureMessages(c.var.t, result);
    const history = await listClaimEvents(dbOf(c), c.var.tenant.id, row.id);
    return render(c, {
      title: c.var.t('claims.numbered', { id: row.id }),
      status: 422,
      body: <ClaimPage row={row} history={history} now={c.var.deps.clock.now()} errors={errors} />,
      fragment: <ClaimTrayRow row={row} back={back} error={translateMessage(c.var.t, Object.values(errors)[0]!)} focus="state" />,
    });
  });

async function changedState(c: AppContext, claimId: number, back: string, message: 'claims.closed' | 'claims.reopened') {
  if (isHtmx(c)) {
    const row = (await findClaimRow(dbOf(c), c.var.tenant.id, claimId))!;
    return render(c, { title: c.var.t('claims.title'), body: null, fragment: <ClaimTrayRow row={row} back={back} focus="state" /> });
  }
  setFlash(c, 'success', message, { id: claimId });
  return redirectTo(c, back);
}
