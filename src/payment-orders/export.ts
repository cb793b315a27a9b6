import { batchesAfter, pathWithQuery, registerExport, type ExportSource } from '../exports/registry.js';
import { toUnits } from '../platform/money.js';
import { countOrders, listOrdersForExport, orderFiltersFrom, type OrderExportRow } from './queries.js';
import { orderStatusOf } from './status.js';

/**
 * "Descargar" on Órdenes de pago: the orders the tray's filters select, in its order, in the upload's own
 * columns first (the client's name and document apart, interest, discounts, both dates,
 * annulled as sí/no) so that a download edited and uploaded again changes what was edited
 * and nothing else; then what the tray adds (balance, the order's state, under a heading no
 * upload field takes). Amounts go out as numbers in the currency's units, dates as the
 * calendar dates they are.
 */
export const ordersExport: ExportSource = {
  kind: 'orders',
  permissions: ['receivables'],
  trayPath: (query) => pathWithQuery('/app/orders', query),
  async prepare({ db, tenant, query, today, t }) {
    const filters = orderFiltersFrom(query, tenant.currency);
    const headers = [
      'orders.paymentCode', 'orders.client', 'clients.field.documentType', 'clients.field.documentNumber', 'orders.product', 'orders.amount', 'orders.interest',
      'orders.discounts', 'orders.issueDate', 'orders.dueDate', 'orders.annulled', 'orders.balance', 'orders.statusColumn',
    ] as const;
    const [yes, no] = [t('common.yes'), t('common.no')];
    return {
      headers: headers.map((key) => t(key)),
      kinds: [null, null, null, null, null, 'money', 'money', 'money', 'date', 'date', null, 'money', null],
      count: async () => (await countOrders(db, tenant.id, filters, today, Number.MAX_SAFE_INTEGER - 1)).count,
      batches: () =>
        batchesAfter<OrderExportRow>(
          (after, limit) => listOrdersForExport(db, tenant.id, filters, today, { after, limit }),
          (o) => [
            o.paymentCode, o.clientName, o.documentType, o.documentNumber, o.product, toUnits(o.amount, tenant.currency), toUnits(o.interest, tenant.currency),
            toUnits(o.discounts, tenant.currency), o.issueDate, o.dueDate, o.annulled ? yes : no, o.annulled ? null : toUnits(o.balance, tenant.currency),
            t(`orders.status.${orderStatusOf(o, today)}`),
          ],
        ),
    };
  },
};

registerExport(ordersExport);
