import { listClientClaims } from '../claims/queries.js';
import { Hono } from 'hono';
import * as v from 'valibot';
import { ClientPage, DeletionPage, InteractionsPage } from '../../views/clients/client.js';
import { listOpenAlerts } from '../alerts/service.js';
import { ClientForm, type ClientFormValues } from '../../views/clients/form.js';
import { ClientsFragment, ClientsTray } from '../../views/clients/tray.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { todayIn } from '../platform/dates.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash, setFlashMessage } from '../platform/flash.js';
import { checkedValues, formValues, parseWith, type FormValues } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import type { Scope } from '../platform/scope.js';
import { listStaff, listUsers } from '../users/queries.js';
import { clientFieldsSchema, clientVariablesFor, documentTypesFor, variableField } from './fields.js';
import {
  columnsFor,
  COLUMNS_PREFERENCE,
  countClients,
  EVENTS_PAGE_SIZE,
  findClientRow,
  listClientEvents,
  listClientsPage,
  parseClientFilters,
  parseTrayOrder,
  pickColumns,
  traySettings,
  type ClientRow,
} from './queries.js';
import { createClient, deleteClient, restoreClient, saveColumnChoice, updateClient } from './service.js';

function scopeOf(c: AppContext): Scope {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

const dbOf = (c: AppContext) => c.var.deps.database.db;
const todayOf = (c: AppContext) => todayIn(c.var.tenant.timezone, c.var.deps.clock);

function idParam(c: AppContext): number | null {
  const raw = c.req.param('id') ?? '';
  const id = Number(raw);
  return /^\d{1,15}$/.test(raw) && id > 0 ? id : null;
}

async function clientOf(c: AppContext): Promise<ClientRow | undefined> {
  const id = idParam(c);
  return id ? findClientRow(dbOf(c), c.var.tenant.id, id, todayOf(c)) : undefined;
}

/** The form's choices; a client's current assignees stay selectable even if since deactivated. */
async function formContext(c: AppContext, client?: ClientRow) {
  const db = dbOf(c);
  const tenantId = c.var.tenant.id;
  const [documentTypes, variables, staff] = await Promise.all([documentTypesFor(db, tenantId), clientVariablesFor(db, tenantId), listStaff(db, tenantId)]);
  const listed = new Set(staff.map((s) => s.id));
  if (client?.supervisorId && !listed.has(client.supervisorId)) staff.push({ id: client.supervisorId, name: client.supervisorName ?? '', role: 'supervisor' });
  if (client?.advisorId && !listed.has(client.advisorId)) staff.push({ id: client.advisorId, name: client.advisorName ?? '', role: 'advisor' });
  return { documentTypes, variables, staff };
}

/** What was typed, as the form shows it again next to the errors. */
function shownValues(values: FormValues): ClientFormValues {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
}

function storedValues(client: ClientRow): ClientFormValues {
  const values: ClientFormValues = {
    documentType: client.documentType,
    documentNumber: client.documentNumber,
    name: client.name,
    email: client.email ?? '',
    phone: client.phone ?? '',
    segment: client.segment ?? '',
    status: client.status,
    supervisorId: client.supervisorId ? String(client.supervisorId) : '',
    advisorId: client.advisorId ? String(client.advisorId) : '',
    contactability: client.contactability,
    contactAlerts: client.contactAlerts.join(', '),
    portfolio: client.portfolio,
  };
  for (const [key, value] of Object.entries(client.additional)) values[variableField(key)] = value;
  return values;
}

/** Back to the tray the person came from (with its filters), never to another site. */
function backToTray(c: AppContext): string {
  const referer = c.req.header('Referer');
  if (referer) {
    try {
      const url = new URL(referer);
      if (url.host === new URL(c.req.url).host && url.pathname === '/app/clients') return `${url.pathname}${url.search}`;
    } catch {
      // A malformed Referer is ignored.
    }
  }
  return '/app/clients';
}

const ColumnsSchema = v.object({ columns: checkedValues });

// Checked per route rather than with a router-wide `use`, which would also run for paths
// under /app/clients that other capabilities serve (the statement).
const canSee = requirePermission(forbiddenPage, 'receivables');
const canEdit = requirePermission(forbiddenPage, 'clients.edit');
const canDelete = requirePermission(forbiddenPage, 'clients.delete');

/** Cuentas por cobrar > Clientes. The statement (/:id/statement) belongs to payment orders. */
export const clientRoutes = new Hono<AppEnv>()
  .get('/', canSee, async (c) => {
    const db = dbOf(c);
    const tenant = c.var.tenant;
    const today = todayOf(c);
    const query = c.req.query();
    const order = parseTrayOrder(query);
    const loadingSettings = traySettings(db, tenant.id, c.var.user!.id);
    // The tenant's variables only prune filters on variables; without any in the query the
    // page and the count need not wait for them, and every statement goes out at once.
    const variableFilters = Object.keys(query).some((name) => name.startsWith('var.'));
    const filters = parseClientFilters(query, {
      country: tenant.country,
      ...(variableFilters ? { variableKeys: (await loadingSettings).variables.map((x) => x.key) } : {}),
    });
    const [rows, total, { variables, staff, columns: stored }] = await Promise.all([
      listClientsPage(db, tenant.id, filters, today, order),
      countClients(db, tenant.id, filters, today),
      loadingSettings,
    ]);
    const available = columnsFor(variables);
    const columns = pickColumns(stored, available);
    const props = { rows, total, columns, available, filters, order, staff, variables };
    return render(c, {
      title: c.var.t('clients.title'),
      body: <ClientsTray {...props} />,
      fragment: <ClientsFragment {...props} />,
    });
  })
  .post('/columns', canSee, async (c) => {
    const variables = await clientVariablesFor(dbOf(c), c.var.tenant.id);
    const known = new Set(columnsFor(variables).map((column) => column.key));
    const parsed = parseWith(ColumnsSchema, await formValues(c));
    const chosen = parsed.ok ? parsed.value.columns.filter((key) => known.has(key)) : [];
    await saveColumnChoice(scopeOf(c), COLUMNS_PREFERENCE, chosen);
    // No column at all is no table: the tray goes back to its usual columns, and says so.
    if (chosen.length === 0) setFlash(c, 'info', 'clients.columns.reset');
    else setFlash(c, 'success', 'clients.columns.saved');
    return redirectTo(c, backToTray(c));
  })
  .get('/new', canSee, canEdit, async (c) => {
    const context = await formContext(c);
    return render(c, { title: c.var.t('clients.new'), body: <ClientForm values={{}} {...context} /> });
  })
  .post('/', canSee, canEdit, async (c) => {
    const context = await formContext(c);
    const values = await formValues(c);
    const parsed = parseWith(clientFieldsSchema({ ...context, country: c.var.tenant.country }), values);
    const result = parsed.ok ? await createClient(scopeOf(c), parsed.value) : parsed;
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      return render(c, { title: c.var.t('clients.new'), status: 422, body: <ClientForm values={shownValues(values)} errors={result.errors} {...context} /> });
    }
    setFlash(c, 'success', 'clients.created', { name: result.client.name });
    return redirectTo(c, `/app/clients/${result.client.id}`);
  })
  .get('/:id', canSee, async (c) => {
    const client = await clientOf(c);
    if (!client) return notFoundPage(c);
    const [variables, claims, alerts] = await Promise.all([
      clientVariablesFor(dbOf(c), c.var.tenant.id),
      listClientClaims(dbOf(c), c.var.tenant.id, client.id),
      listOpenAlerts(dbOf(c), c.var.tenant.id, { clientId: client.id }),
    ]);
    return render(c, { title: client.name, body: <ClientPage client={client} variables={variables} claims={claims} alerts={alerts} /> });
  })
  .get('/:id/edit', canSee, canEdit, async (c) => {
    const client = await clientOf(c);
    if (!client || client.deletedAt) return notFoundPage(c);
    const context = await formContext(c, client);
    return render(c, { title: c.var.t('clients.edit'), body: <ClientForm clientId={client.id} values={storedValues(client)} {...context} /> });
  })
  .post('/:id', canSee, canEdit, async (c) => {
    const client = await clientOf(c);
    if (!client || client.deletedAt) return notFoundPage(c);
    const context = await formContext(c, client);
    const values = await formValues(c);
    const stored = { documentType: client.documentType, documentNumber: client.documentNumber };
    const parsed = parseWith(clientFieldsSchema({ ...context, country: c.var.tenant.country, stored }), values);
    const result = parsed.ok ? await updateClient(scopeOf(c), client.id, parsed.value, todayOf(c)) : parsed;
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      return render(c, {
        title: c.var.t('clients.edit'),
        status: 422,
        body: <ClientForm clientId={client.id} values={shownValues(values)} errors={result.errors} {...context} />,
      });
    }
    setFlash(c, 'success', 'clients.updated');
    return redirectTo(c, `/app/clients/${client.id}`);
  })
  .get('/:id/deletion', canSee, canDelete, async (c) => {
    const client = await clientOf(c);
    if (!client || client.deletedAt) return notFoundPage(c);
    return render(c, { title: c.var.t('clients.deletion.title', { name: client.name }), body: <DeletionPage client={client} /> });
  })
  .post('/:id/deletion', canSee, canDelete, async (c) => {
    const id = idParam(c);
    const result = id ? await deleteClient(scopeOf(c), id) : { ok: false as const, notFound: true as const };
    if (!result.ok) return notFoundPage(c);
    setFlash(c, 'success', 'clients.deleted', { name: result.client.name });
    return redirectTo(c, '/app/clients');
  })
  .post('/:id/restoration', canSee, canDelete, async (c) => {
    const id = idParam(c);
    const result = id ? await restoreClient(scopeOf(c), id) : { ok: false as const, notFound: true as const };
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      setFlashMessage(c, 'error', result.error);
      return redirectTo(c, `/app/clients/${id}`);
    }
    setFlash(c, 'success', 'clients.restored', { name: result.client.name });
    return redirectTo(c, `/app/clients/${result.client.id}`);
  })
  .get('/:id/interactions', canSee, async (c) => {
    const client = await clientOf(c);
    if (!client) return notFoundPage(c);
    const pageParam = Number(c.req.query('page'));
    const page = Number.isSafeInteger(pageParam) && pageParam > 0 && pageParam <= 100_000 ? pageParam : 1;
    const db = dbOf(c);
    const [found, people, variables] = await Promise.all([listClientEvents(db, c.var.tenant.id, client.id, page), listUsers(db, c.var.tenant.id), clientVariablesFor(db, c.var.tenant.id)]);
    return render(c, {
      title: `${c.var.t('clients.interactions.title')} · ${client.name}`,
      body: (
        <InteractionsPage
          client={client}
          events={found.slice(0, EVENTS_PAGE_SIZE)}
          hasMore={found.length > EVENTS_PAGE_SIZE}
          page={page}
          names={{ people: new Map(people.map((p) => [p.id, p.name])), variables: new Map(variables.map((v) => [v.key, v.label])) }}
        />
      ),
    });
  });
