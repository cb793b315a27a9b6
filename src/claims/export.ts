import { registerExport, type ExportSource } from '../exports/registry.js';
import { claimColumns, countClaims, listClaimsForExport, parseClaimFilters } from './queries.js';

const BATCH = 5_000;

/** "Descargar" on Reclamos: the claims the tray shows with its filters, in the tray's columns. */
export const claimsExport: ExportSource = {
  kind: 'claims',
  permissions: ['claims.view'],
  async prepare({ db, tenant, query, t }) {
    const filters = parseClaimFilters(query);
    return {
      headers: claimColumns.map((c) => t(c.label)),
      count: () => countClaims(db, tenant.id, filters, tenant.timezone, Number.MAX_SAFE_INTEGER - 1),
      async *batches() {
        let afterId = 0;
        for (;;) {
          const rows = await listClaimsForExport(db, tenant.id, filters, { afterId, limit: BATCH, timeZone: tenant.timezone });
          if (rows.length === 0) return;
          yield rows.map((row) => claimColumns.map((c) => c.value(row, t)));
          afterId = rows.at(-1)!.id;
          if (rows.length < BATCH) return;
        }
      },
    };
  },
};

registerExport(claimsExport);
