import { batchesAfter, pathWithQuery, registerExport, type ExportSource } from '../exports/registry.js';
import { claimColumns, countClaims, type ClaimExportRow, listClaimsForExport, parseClaimFilters } from './queries.js';

/** "Descargar" on Reclamos: the claims the tray shows with its filters, in the tray's columns, newest first as the tray lists them. */
export const claimsExport: ExportSource = {
  kind: 'claims',
  // Whoever works the tray (claims.edit opens it without claims.view) takes it away too: its columns hold no client's sensitive data.
  permissions: ['claims.view', 'claims.edit'],
  trayPath: (query) => pathWithQuery('/app/claims', query),
  async prepare({ db, tenant, query, t, may }) {
    // The same rows as the tray showed this user: a document number matches only for those who may see it.
    const filters = { ...parseClaimFilters(query), byDocument: may('receivables') };
    return {
      headers: claimColumns.map((c) => t(c.label)),
      kinds: claimColumns.map((c) => (c.key === 'createdAt' || c.key === 'closedAt' ? 'datetime' : null)),
      count: () => countClaims(db, tenant.id, filters, tenant.timezone, Number.MAX_SAFE_INTEGER - 1),
      batches: () =>
        batchesAfter<ClaimExportRow>(
          (last, limit) => listClaimsForExport(db, tenant.id, filters, { beforeId: last?.id, limit, timeZone: tenant.timezone }),
          (row) => claimColumns.map((c) => c.value(row, t, tenant.timezone)),
        ),
    };
  },
};

registerExport(claimsExport);
