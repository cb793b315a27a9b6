import type { SheetFormat, SheetRow } from './read.js';

/** What the reader thread sends: the header once, then batches of rows, then the end or an error. */
export type FromReader =
  | { type: 'opened'; format: SheetFormat; headers: string[] }
  | { type: 'rows'; rows: SheetRow[] }
  | { type: 'end' }
  /** A SheetError's catalogue key, or any other failure's text. */
  | { type: 'error'; messageKey: string }
  | { type: 'error'; message: string };

/** What the reading thread answers: one more batch wanted, or none at all. */
export type ToReader = 'more' | 'stop';
