import { clientVariablesFor } from '../clients/fields.js';
import { chosenColumns, columnsFor, countClients, parseClientFilters, parseTrayOrder, pickColumns, streamClientsForExport, type ClientColumn, type ColumnRow } from '../clients/queries.js';
import type { Cell } from '../platform/spreadsheets/write.js';
import { toUnits } from '../platform/money.js';
import { pathWithQuery, registerExport, type ExportSource } from './registry.js';

const BATCH = 1_000;

/** Amounts go out as numbers in the currency's units (1234.5), not minor units. */
const MONEY_COLUMNS = new Set(['totalBalance']);

/**
 * The columns a download writes for the tray's: the document as the upload reads it, its
 * type and its number in columns of their own (the tray shows "DNI 01234567" in one), so that
 * a download can be edited and uploaded back as a file of clients.
 */
export function downloadColumns(columns: readonly ClientColumn[]): ClientColumn[] {
  return columns.flatMap((c): ClientColumn[] =>
    c.key === 'document'
      ? [
          { key: 'documentType', label: 'imports.field.documentType', reads: ['documentType'], value: (r) => r.documentType },
          { key: 'documentNumber', label: 'imports.field.documentNumber', reads: ['documentNumber'], value: (r) => r.documentNumber },
        ]
      : [c],
  );
}

export const clientsExport: ExportSource = {
  kind: 'clients',
  permissions: ['receivables'],
  trayPath: (query) => pathWithQuery('/app/clients', query),
  async prepare({ db, tenant, userId, query, today, columns: asked, t }) {
    const variables = await clientVariablesFor(db, tenant.id);
    const filters = parseClientFilters(query, { country: tenant.country, variableKeys: variables.map((v) => v.key) });
    const order = parseTrayOrder(query);
    const available = columnsFor(variables);
    const chosen = asked ? pickColumns(asked, available) : await chosenColumns(db, tenant.id, userId, available);
    const columns = downloadColumns(chosen);
    return {
      headers: columns.map((c) => c.heading ?? t(c.label)),
      columns: chosen.map((c) => c.key),
      kinds: columns.map((c) => (MONEY_COLUMNS.has(c.key) ? 'money' : null)),
      async count() {
        return (await countClients(db, tenant.id, filters, today, Number.MAX_SAFE_INTEGER - 1)).count;
      },
      async *batches() {
        // Coded values (status, situation…) repeat on every row: each is translated once.
        const words = new Map<string, string>();
        const word: typeof t = (key, params) => {
          if (params) return t(key, params);
          let text = words.get(key);
          if (text === undefined) words.set(key, (text = t(key)));
          return text;
        };
        const cells = columns.map((c): ((row: ColumnRow) => Cell) => {
          if (MONEY_COLUMNS.has(c.key)) {
            return (row) => {
              const value = c.value(row, word);
              return typeof value === 'number' ? toUnits(value, tenant.currency) : value;
            };
          }
          return (row) => c.value(row, word);
        });
        const fields = columns.flatMap((c) => c.reads);
        const line = (row: ColumnRow): Cell[] => {
          const out: Cell[] = new Array(cells.length);
          for (let j = 0; j < cells.length; j++) out[j] = cells[j]!(row);
          return out;
        };
        yield* streamClientsForExport(db, tenant.id, filters, today, order, BATCH, fields, line);
      },
    };
  },
};

registerExport(clientsExport);
