/**
 * The thread behind openSheetInThread (read.ts): opens the sheet with openSheet and sends
 * its rows to the thread that started it in batches, at most a few batches ahead of what
 * that thread has taken, so a fast parser never piles a whole upload up in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSheet, SheetError, type SheetLimits, type SheetRow } from './read.js';
import type { FromReader, ToReader } from './reader-protocol.js';

const { path, name, limits, batchSize, ahead } = workerData as { path: string; name: string; limits: SheetLimits; batchSize: number; ahead: number };
const port = parentPort!;
const send = (message: FromReader) => port.postMessage(message);

let credit = ahead;
let stopped = false;
let wake: (() => void) | null = null;
port.on('message', (message: ToReader) => {
  if (message === 'stop') stopped = true;
  else credit++;
  wake?.();
  wake = null;
});

/** Waits until the reading thread has taken enough to want another batch (false: it wants no more). */
async function mayPost(): Promise<boolean> {
  while (credit === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
  if (stopped) return false;
  credit--;
  return true;
}

let batch: SheetRow[] = [];
try {
  const sheet = await openSheet(path, name, limits);
  send({ type: 'opened', format: sheet.format, headers: sheet.headers });
  // Leaving the loop early returns the rows, which closes the reader and its temporary files.
  for await (const row of sheet.rows) {
    batch.push(row);
    if (batch.length < batchSize) continue;
    if (!(await mayPost())) break;
    send({ type: 'rows', rows: batch });
    batch = [];
  }
  if (!stopped) {
    if (batch.length > 0 && (await mayPost())) send({ type: 'rows', rows: batch });
    send({ type: 'end' });
  }
} catch (error) {
  // The rows before the one that failed arrive first, as they would from openSheet.
  if (batch.length > 0 && !stopped) send({ type: 'rows', rows: batch });
  send(error instanceof SheetError ? { type: 'error', messageKey: error.messageKey } : { type: 'error', message: String((error as Error)?.stack ?? error) });
} finally {
  port.close();
}
