import type { SheetFormat, SheetRow } from './read.js';

/**
 * What the reader thread sends: the header once, then batches of rows (as read, or already
 * worked on by the thread, see ReaderHelp), then the end or an error.
 */
export type FromReader =
  | { type: 'opened'; format: SheetFormat; headers: string[] }
  | { type: 'rows'; rows: SheetRow[] }
  | { type: 'worked'; worked: unknown }
  | { type: 'end' }
  /** A SheetError's catalogue key, or any other failure's text. */
  | { type: 'error'; messageKey: string }
  | { type: 'error'; message: string };

/** What the reading thread answers: one more batch wanted, or none at all. */
export type ToReader = 'more' | 'stop';

/**
 * Work the reader thread may do on batches of rows while it waits for the thread that reads
 * them to ask for more (a parser faster than the caller's checks): the module's `rowWork`,
 * given `data` once, turns a batch into what is sent instead of its rows. Only for sheets
 * in `formats`; loaded only when the thread first has time to spare.
 */
export interface ReaderHelp {
  /** A module URL exporting RowWorkModule's `rowWork`. */
  module: string;
  data: unknown;
  formats: readonly SheetFormat[];
}

export interface RowWorkModule {
  rowWork(data: unknown): (rows: SheetRow[]) => unknown;
}
