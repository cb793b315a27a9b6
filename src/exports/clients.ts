import { clientVariablesFor } from '../clients/fields.js';
import { chosenColumns, columnsFor, countClients, listClientsForExport, parseClientFilters } from '../clients/queries.js';
import { toDecimalString } from '../platform/money.js';
import { registerExport, type ExportSource } from './registry.js';

const BATCH = 5_000;

/** Amounts go out as numbers in the currency's units (1234.5), not minor units. */
const MONEY_COLUMNS = new Set(['totalBalance']);

export const clientsExport: ExportSource = {
  kind: 'clients',
  permissions: ['receivables'],
  async prepare({ db, tenant, userId, query, today, t }) {
    const variables = await clientVariablesFor(db, tenant.id);
    const filters = parseClientFilters(query, { country: tenant.country, variableKeys: variables.map((v) => v.key) });
    const columns = await chosenColumns(db, tenant.id, userId, columnsFor(variables));
    return {
      headers: columns.map((c) => c.heading ?? t(c.label)),
      async count() {
        return (await countClients(db, tenant.id, filters, today, Number.MAX_SAFE_INTEGER - 1)).count;
      },
      async *batches() {
        let afterId: number | undefined;
        for (;;) {
          const page = await listClientsForExport(db, tenant.id, filters, today, { afterId, limit: BATCH });
          if (page.length === 0) return;
          yield page.map((row) =>
            columns.map((c) => {
              const value = c.value(row, t);
              return MONEY_COLUMNS.has(c.key) && typeof value === 'number' ? Number(toDecimalString(value, tenant.currency)) : value;
            }),
          );
          afterId = page.at(-1)!.id;
          if (page.length < BATCH) return;
        }
      },
    };
  },
};

registerExport(clientsExport);
