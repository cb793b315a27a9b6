/**
 * Checking an upload's rows a batch at a time, on the job's thread or, for a file read
 * faster than it is checked, on the reader thread while it waits (read.ts, ReaderHelp).
 * Kept free of the database and the rest of the job, so that the reader thread loads
 * only what checking needs.
 */
import type { SheetRow } from '../platform/spreadsheets/read.js';
import { fingerprint, type BatchRepeats } from './repeats.js';
import { rowValidator, type RowError, type RowValidatorOptions, type ValidRow } from './rows.js';
import { addOrder, clientText, copyLine, totals, type ClientTotals } from './staged-row.js';

export type CheckerOptions = RowValidatorOptions & { tenantId: number; processId: number };

/** A batch of rows, checked: its valid rows as COPY text for import_rows, its failing rows' errors, and what it tells of repeats. */
export interface CheckedBatch extends BatchRepeats {
  rows: number;
  staged: number;
  copy: string;
  rejected: number;
  errors: RowError[];
}

/**
 * Checks batches of rows with the forms' own rules. Each batch stands alone: the first row
 * of each run of one client's rows in it is marked as the client's first row, and carries
 * what the run's orders add up to. Runs that go on from one batch to the next, and the
 * file's repeats, are followed by repeatWatch as the batches are taken in order (a batch
 * may be checked on another thread before the one before it).
 */
export function batchChecker(options: CheckerOptions): (batch: readonly SheetRow[]) => CheckedBatch {
  const validate = rowValidator(options);
  return (batch) => {
    const lines: string[] = [];
    const errors: RowError[] = [];
    const codes = new Float64Array(batch.length);
    const runs: number[] = [];
    let rejected = 0;
    let differs = false;
    let first: CheckedBatch['first'] = null;
    let previous: { client: ValidRow['client']; document: string; text: string } | null = null;
    // The run of one client's rows under way: where its first line is, and its totals so far.
    let run: { at: number; totals: ClientTotals } | null = null;
    const endRun = () => {
      if (run) lines[run.at] += totals(run.totals);
    };
    for (const { line, cells, numbers } of batch) {
      const result = validate(line, cells, numbers);
      if (!result.ok) {
        rejected++;
        errors.push(...result.errors);
        continue;
      }
      const { client, order } = result.row;
      // The validator hands back the same client for a row that repeats the one before.
      const same: boolean = previous !== null && previous.client === client;
      const text: string = same ? previous!.text : clientText(client);
      const document: string = same ? previous!.document : `${client.documentType}\u0000${client.documentNumber}`;
      const starts = previous === null || document !== previous.document;
      if (!starts && text !== previous!.text) differs = true;
      if (previous === null) first = { line, document, client: text };
      else if (starts) runs.push(fingerprint(document));
      // 0: no code (a file of clients only).
      codes[lines.length] = order ? fingerprint(order.paymentCode) : 0;
      const staged = copyLine(options.tenantId, options.processId, result.row, starts, text);
      if (starts) {
        endRun();
        run = { at: lines.length, totals: { unpaid: 0, oldest: null, balance: 0 } };
        lines.push(staged);
      } else {
        lines.push(staged + totals(null));
      }
      addOrder(run!.totals, order);
      previous = { client, document, text };
    }
    endRun();
    return {
      rows: batch.length,
      staged: lines.length,
      copy: lines.join(''),
      rejected,
      errors,
      codes: codes.subarray(0, lines.length),
      runs: Float64Array.from(runs),
      first,
      last: previous && { document: previous.document, client: previous.text },
      differs,
    };
  };
}

/** The reader thread's entry to the same work (RowWorkModule). */
export const rowWork = (options: unknown) => batchChecker(options as CheckerOptions);
