import type { Db } from '../db/index.js';
import type { JobDeps } from '../jobs/index.js';
import { updateProcess } from '../process-log/service.js';

/**
 * A checked row that the data stored since the check no longer lets in. Thrown inside an
 * apply's transaction, so that nothing of the upload is written. Its message keeps the
 * reason as a message too, worded when shown, in the reader's language.
 */
export class RowRefused extends Error {
  constructor(line: number, reason: string) {
    super(`campaignImports.error.applyRefused?line=${line}&reason=${encodeURIComponent(reason)}`);
  }
}

/**
 * Runs an upload's apply. A refused row sends the upload back to its mapping, failed, with the
 * Process log saying which row and why; checking it again shows the data as it is now.
 * Whether the apply ran to its end.
 */
export async function applyUnlessRefused(deps: JobDeps, db: Db, ids: { tenantId: number; processId: number }, apply: () => Promise<void>): Promise<boolean> {
  try {
    await apply();
    return true;
  } catch (error) {
    if (!(error instanceof RowRefused)) throw error;
    await updateProcess(db, ids.tenantId, ids.processId, { state: 'failed', stage: 'mapping', error: error.message, finishedAt: deps.clock.now() });
    return false;
  }
}
