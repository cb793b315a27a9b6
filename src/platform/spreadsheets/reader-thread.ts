/**
 * The thread behind openSheetInThread (read.ts): opens the sheet with openSheet, sends its
 * header, and then its rows in batches as the thread that started it asks for them (a few
 * batches ahead of what it has taken), so a fast parser never piles a whole upload up in
 * memory, and a caller that wants only the header has no row read for nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSheet, SheetError, type SheetLimits, type SheetRow } from './read.js';
import type { FromReader, ToReader } from './reader-protocol.js';

const { path, name, limits, batchSize } = workerData as { path: string; name: string; limits: SheetLimits; batchSize: number };
const port = parentPort!;
const send = (message: FromReader) => port.postMessage(message);

/** Batches the reading thread has asked for and not yet been sent. */
let credit = 0;
let stopped = false;
let wake: (() => void) | null = null;
port.on('message', (message: ToReader) => {
  if (message === 'stop') stopped = true;
  else credit++;
  wake?.();
  wake = null;
});

/** Waits until the reading thread wants another batch (false: it wants no more). */
async function wanted(): Promise<boolean> {
  while (credit === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
  return !stopped;
}

function post(rows: SheetRow[]): void {
  credit--;
  send({ type: 'rows', rows });
}

let batch: SheetRow[] = [];
try {
  const sheet = await openSheet(path, name, limits);
  send({ type: 'opened', format: sheet.format, headers: sheet.headers });
  try {
    if (await wanted()) {
      for await (const row of sheet.rows) {
        batch.push(row);
        if (batch.length < batchSize) continue;
        if (!(await wanted())) break;
        post(batch);
        batch = [];
      }
      if (!stopped && batch.length > 0 && (await wanted())) post(batch);
      batch = [];
      if (!stopped) send({ type: 'end' });
    }
  } finally {
    // Closes the reader and removes what it parked, however the rows ended (or never started).
    await sheet.rows.return(undefined);
  }
} catch (error) {
  // The rows before the one that failed arrive first, as they would from openSheet.
  if (batch.length > 0 && !stopped) send({ type: 'rows', rows: batch });
  send(error instanceof SheetError ? { type: 'error', messageKey: error.messageKey } : { type: 'error', message: String((error as Error)?.stack ?? error) });
} finally {
  port.close();
}
