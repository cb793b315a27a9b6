/** A RowWorkModule for the reader thread's tests: the lines of each batch, and what it was given. */
import type { SheetRow } from '../../../src/platform/spreadsheets/read.js';

export const rowWork = (data: unknown) => (rows: SheetRow[]) => ({ lines: rows.map((row) => row.line), data });
