import { batchesById, pathWithQuery, registerExport, type ExportSource } from '../exports/registry.js';
import { toUnits } from '../platform/money.js';
import { countOrders, listOrdersForExport, orderFiltersFrom } from './queries.js';
import { orderStatusOf } from './status.js';

/**
 * "Descargar" on Órdenes de pago: the orders the tray's filters select, with the tray's
 * columns (the client's name and document apart). Amounts go out as numbers in the
 * currency's units, dates as the calendar dates they are.
 */
export const ordersExport: ExportSource = {
  kind: 'orders',
  permissions: ['receivables'],
  trayPath: (query) => pathWithQuery('/app/orders', query),
  async prepare({ db, tenant, query, today, t }) {
    const filters = orderFiltersFrom(query, tenant.currency);
    const headers = ['orders.paymentCode', 'orders.client', 'clients.field.documentType', 'clients.field.documentNumber', 'orders.product', 'orders.amount', 'orders.balance', 'orders.dueDate', 'orders.status'] as const;
    return {
      headers: headers.map((key) => t(key)),
      kinds: [null, null, null, null, null, 'money', 'money', 'date', null],
      count: async () => (await countOrders(db, tenant.id, filters, today, Number.MAX_SAFE_INTEGER - 1)).count,
      batches: () =>
        batchesById(
          (afterId, limit) => listOrdersForExport(db, tenant.id, filters, today, { afterId, limit }),
          (o) => o.id,
          (o) => [o.paymentCode, o.clientName, o.documentType, o.documentNumber, o.product, toUnits(o.amount, tenant.currency), o.annulled ? null : toUnits(o.balance, tenant.currency), o.dueDate, t(`orders.status.${orderStatusOf(o, today)}`)],
        ),
    };
  },
};

registerExport(ordersExport);
