/**
 * The thread behind openSheetInThread (read.ts): opens the sheet with openSheet, sends its
 * header, and then its rows in batches as the thread that started it asks for them, so a
 * fast parser never piles a whole upload up in memory, and a caller that wants only the
 * header has no row read for nothing. Given help (reader-protocol.ts) for a sheet read
 * faster than the caller works through it, the thread reads a couple of batches ahead and,
 * while it waits to be asked, does the caller's work on them itself: the two threads share
 * the work in whatever proportion their speeds give.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSheet, SheetError, type SheetLimits, type SheetRow } from './read.js';
import type { FromReader, ReaderHelp, RowWorkModule, ToReader } from './reader-protocol.js';

const { path, name, limits, batchSize, help } = workerData as { path: string; name: string; limits: SheetLimits; batchSize: number; help?: ReaderHelp };
const port = parentPort!;
const send = (message: FromReader) => port.postMessage(message);

/** Batches read beyond those asked for, when the thread helps. */
const READ_AHEAD = 2;

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

const message = () => new Promise<void>((resolve) => (wake = resolve));

/** A batch read and not yet sent: its rows, or what the help made of them. */
type Ready = { rows: SheetRow[]; worked?: unknown };
const ready: Ready[] = [];
/** Rows read and not yet in a batch (sent before the error, should reading fail). */
let carried: SheetRow[] = [];

function post(item: Ready): void {
  credit--;
  send(item.worked === undefined ? { type: 'rows', rows: item.rows } : { type: 'worked', worked: item.worked });
}

try {
  const sheet = await openSheet(path, name, limits);
  send({ type: 'opened', format: sheet.format, headers: sheet.headers });
  const helping = help !== undefined && help.formats.includes(sheet.format);
  const readAhead = helping ? READ_AHEAD : 0;
  let work: ((rows: SheetRow[]) => unknown) | undefined;
  try {
    // No row is read before the first is asked for.
    while (credit === 0 && !stopped) await message();
    let exhausted = false;
    while (!stopped) {
      if (credit > 0 && ready.length > 0) {
        post(ready.shift()!);
      } else if (exhausted && ready.length === 0 && carried.length === 0) {
        send({ type: 'end' });
        break;
      } else if ((!exhausted || carried.length > 0) && ready.length < Math.max(readAhead, credit > 0 ? 1 : 0)) {
        // The reader's batches (a csv's come a chunk of the file at a time), cut to batchSize rows.
        while (carried.length < batchSize && !exhausted) {
          const next = await sheet.batches.next();
          if (next.done) exhausted = true;
          else carried = carried.length === 0 ? next.value : carried.concat(next.value);
        }
        if (carried.length > 0) ready.push({ rows: carried.slice(0, batchSize) });
        carried = carried.slice(batchSize);
      } else {
        // Nothing to send or to read until asked: meanwhile, the caller's work on a batch it has yet to get.
        const pending = helping ? ready.find((item) => item.worked === undefined) : undefined;
        if (pending) {
          work ??= ((await import(help!.module)) as RowWorkModule).rowWork(help!.data);
          pending.worked = work(pending.rows);
          pending.rows = [];
        } else {
          await message();
        }
      }
    }
  } finally {
    // Closes the reader and removes what it parked, however the rows ended (or never started).
    await sheet.batches.return(undefined);
  }
} catch (error) {
  // The rows before the one that failed arrive first, as they would from openSheet.
  if (!stopped) {
    for (const item of ready.splice(0)) post(item);
    if (carried.length > 0) send({ type: 'rows', rows: carried });
  }
  send(error instanceof SheetError ? { type: 'error', messageKey: error.messageKey } : { type: 'error', message: String((error as Error)?.stack ?? error) });
} finally {
  port.close();
}
