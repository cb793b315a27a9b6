import { Hono } from 'hono';
import { OrderForm, OrdersFragment, OrdersTray } from '../../views/payment-orders/orders.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { todayIn } from '../platform/dates.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import { toDecimalString } from '../platform/money.js';
import { redirectTo, render } from '../platform/render.js';
import { orderFieldsSchema } from './fields.js';
import { findLiveClient, findOrder, listOrders, listProducts, orderFiltersFrom, PAGE_SIZE } from './queries.js';
import { listStaff } from '../users/queries.js';
import type { PaymentOrder } from './schema.js';
import { annulOrder, createOrder, reactivateOrder, updateOrder } from './service.js';

export function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

export function idParam(value: string | undefined): number | null {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

const canEdit = requirePermission(forbiddenPage, 'clients.edit');

function formOf(order: PaymentOrder, currency: string) {
  return {
    paymentCode: order.paymentCode,
    product: order.product ?? '',
    amount: toDecimalString(order.amount, currency),
    interest: toDecimalString(order.interest, currency),
    discounts: toDecimalString(order.discounts, currency),
    issueDate: order.issueDate,
    dueDate: order.dueDate,
  };
}

/** The order and its client, when both belong to the tenant and the client is not deleted. */
async function orderWithClient(c: AppContext) {
  const id = idParam(c.req.param('id'));
  const db = c.var.deps.database.db;
  const order = id ? await findOrder(db, c.var.tenant.id, id) : undefined;
  const client = order && (await findLiveClient(db, c.var.tenant.id, order.clientId));
  return order && client ? { order, client } : undefined;
}

/** Annuls (true) or reactivates an order, each a confirmed action of its own, and goes back to the client's statement. */
function annulledAs(annulled: boolean) {
  return async (c: AppContext) => {
    const found = await orderWithClient(c);
    if (!found) return notFoundPage(c);
    const result = await (annulled ? annulOrder : reactivateOrder)(scopeOf(c), found.order.id);
    if (!result.ok && 'notFound' in result) return notFoundPage(c);
    if (result.ok) setFlash(c, 'success', annulled ? 'orders.annulledFlash' : 'orders.reactivatedFlash', { code: found.order.paymentCode });
    else setFlash(c, 'error', annulled ? 'receivables.orders.alreadyAnnulled' : 'receivables.orders.notAnnulled');
    return redirectTo(c, `/app/clients/${found.client.id}/statement`);
  };
}

/** Cuentas por cobrar > Órdenes de pago. */
export const orderRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'receivables'))
  .get('/', async (c) => {
    const tenant = c.var.tenant;
    const query = c.req.query();
    const filters = orderFiltersFrom(query, tenant.currency);
    const today = todayIn(tenant.timezone, c.var.deps.clock);
    const db = c.var.deps.database.db;
    const [result, products, staff, client] = await Promise.all([
      listOrders(db, tenant.id, filters, today),
      listProducts(db, tenant.id),
      listStaff(db, tenant.id),
      // The client a statement's link narrowed the tray to, named on the page so that it can be taken off.
      filters.client ? findLiveClient(db, tenant.id, filters.client, { deletedToo: true }) : undefined,
    ]);
    const shown = Object.fromEntries(Object.entries(query).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
    const props = { filters, query: shown, products, staff, client, ...result, pageSize: PAGE_SIZE, today };
    return render(c, { title: c.var.t('orders.title'), body: <OrdersTray {...props} />, fragment: <OrdersFragment {...props} /> });
  })
  .get('/new', canEdit, async (c) => {
    const clientId = idParam(c.req.query('client'));
    const client = clientId && (await findLiveClient(c.var.deps.database.db, c.var.tenant.id, clientId));
    if (!client) return notFoundPage(c);
    const today = todayIn(c.var.tenant.timezone, c.var.deps.clock);
    return render(c, { title: c.var.t('orders.new'), body: <OrderForm client={client} values={{ issueDate: today, dueDate: today }} /> });
  })
  .post('/', canEdit, async (c) => {
    const values = await formValues(c);
    const clientId = idParam(typeof values.clientId === 'string' ? values.clientId : undefined);
    const client = clientId && (await findLiveClient(c.var.deps.database.db, c.var.tenant.id, clientId));
    if (!client) return notFoundPage(c);
    const parsed = parseWith(orderFieldsSchema({ currency: c.var.tenant.currency }), values);
    // An order is annulled by its own confirmed action, never as it is created.
    const result = parsed.ok ? await createOrder(scopeOf(c), client.id, { ...parsed.value, annulled: false }) : parsed;
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      return render(c, {
        title: c.var.t('orders.new'),
        status: 422,
        body: <OrderForm client={client} values={values as Record<string, string>} errors={result.errors} />,
      });
    }
    setFlash(c, 'success', 'orders.created', { code: result.order.paymentCode });
    return redirectTo(c, `/app/clients/${client.id}/statement`);
  })
  .get('/:id/edit', canEdit, async (c) => {
    const found = await orderWithClient(c);
    if (!found) return notFoundPage(c);
    return render(c, {
      title: c.var.t('orders.edit'),
      body: <OrderForm orderId={found.order.id} annulled={found.order.annulled} client={found.client} values={formOf(found.order, c.var.tenant.currency)} />,
    });
  })
  // A refused edit leaves its form's address (POST /:id) in the address bar: opened again, it
  // leads to the order's client, where the order is.
  .get('/:id{[0-9]+}', async (c) => {
    const found = await orderWithClient(c);
    return found ? c.redirect(`/app/clients/${found.client.id}/statement`, 303) : notFoundPage(c);
  })
  .post('/:id', canEdit, async (c) => {
    const found = await orderWithClient(c);
    if (!found) return notFoundPage(c);
    const values = await formValues(c);
    const parsed = parseWith(orderFieldsSchema({ currency: c.var.tenant.currency }), values);
    const result = parsed.ok ? await updateOrder(scopeOf(c), found.order.id, parsed.value) : parsed;
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      return render(c, {
        title: c.var.t('orders.edit'),
        status: 422,
        body: (
          <OrderForm
            orderId={found.order.id}
            annulled={found.order.annulled}
            client={found.client}
            values={values as Record<string, string>}
            errors={result.errors}
          />
        ),
      });
    }
    setFlash(c, 'success', 'orders.updated', { code: result.order.paymentCode });
    return redirectTo(c, `/app/clients/${found.client.id}/statement`);
  })
  .post('/:id/annulment', canEdit, annulledAs(true))
  .post('/:id/reactivation', canEdit, annulledAs(false));
