import { allExportSources, mayDownload } from '../exports/registry.js';
// The downloads register themselves when imported (processVisibility lists them).
import '../exports/service.js';
import { can, type Grantee } from '../platform/permissions.js';
import type { ProcessVisibility } from './queries.js';

/**
 * What a user may see of the Process log, entries and files alike: uploads with `imports`;
 * downloads with `reports.download` and what asking for that download needs (a clients
 * download needs `receivables`). The files hold clients' data, and a download holds what its
 * requester's permissions let it match: without `receivables`, a user sees only their own.
 */
export function processVisibility(user: (Grantee & { id: number }) | undefined): ProcessVisibility {
  return {
    imports: can(user, 'imports'),
    exportSubjects: allExportSources().filter((source) => mayDownload(user, source)).map((source) => source.kind),
    onlyUserId: can(user, 'receivables') ? null : (user?.id ?? 0),
  };
}

