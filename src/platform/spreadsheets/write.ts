import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type ExcelJS from 'exceljs';

export type Cell = string | number | boolean | Date | null | undefined;
export type ExportFormat = 'xlsx' | 'csv';

export interface SheetWriter {
  /** Writes rows; resolves when the destination can take more (flat memory on big files). */
  write(rows: Cell[][]): Promise<void>;
  end(): Promise<void>;
}

/** First characters a spreadsheet program reads as a formula: = + - @ tab CR NUL. */
function startsFormula(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 || c === 0;
}

/** A signed number ("+51987654321", "-50", "-12,5"): read as a number, it runs nothing. */
const SIGNED_NUMBER = /^[+-]\d+([.,]\d+)*$/;

/**
 * A text cell a spreadsheet program would run as a formula (=, +, -, @, tab, CR, NUL at
 * the start) gets a leading apostrophe, so it is shown as the text it is. A signed number,
 * such as a phone in E.164, is left as it is: the apostrophe would only end up in its cell.
 */
export function neutralizeFormula(text: string): string {
  return startsFormula(text) && !SIGNED_NUMBER.test(text) ? `'${text}` : text;
}

const NEEDS_QUOTES = /[",\r\n;]/;

function csvText(value: string): string {
  const text = neutralizeFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvField(value: Cell): string {
  if (typeof value === 'string') return csvText(value);
  if (value === null || value === undefined) return '';
  // Numbers, booleans and ISO timestamps never hold a quote, a separator or a line end.
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function csvLine(row: Cell[]): string {
  let line = row.length > 0 ? csvField(row[0]) : '';
  for (let i = 1; i < row.length; i++) line += `,${csvField(row[i])}`;
  return `${line}\r\n`;
}

/**
 * What a destination may hold unwritten before a writer waits for it: the file is written
 * while the next rows are made (a file stream holds only 16 KB, less than one batch, so
 * waiting on each write would take turns with the disk), and memory stays bounded.
 */
const UNWRITTEN = 4 * 1024 * 1024;

async function flowControl(out: Writable): Promise<void> {
  if (out.writableNeedDrain && out.writableLength >= UNWRITTEN) await once(out, 'drain');
}

async function writeChunk(out: Writable, chunk: string): Promise<void> {
  out.write(chunk);
  await flowControl(out);
}

/** UTF-8 csv with a BOM, so Excel opens accents right; CRLF line ends as RFC 4180 says. */
export function csvWriter(out: Writable, headers: string[]): SheetWriter {
  let started = false;
  return {
    async write(rows) {
      let chunk = started ? '' : `\uFEFF${csvLine(headers)}`;
      started = true;
      for (const row of rows) chunk += csvLine(row);
      await writeChunk(out, chunk);
    },
    async end() {
      if (!started) await writeChunk(out, `\uFEFF${csvLine(headers)}`);
      out.end();
      await once(out, 'finish').catch(() => {});
    },
  };
}

/**
 * xlsx through exceljs's streaming writer: rows are committed as they come, shared strings
 * are off (they would keep every text in memory), and every value is written as a typed
 * value (string, number, date), never as a formula, whatever it starts with.
 */
export function xlsxWriter(out: Writable, headers: string[], sheetName = 'Datos'): SheetWriter {
  // exceljs is loaded with the first rows (some 20 MB a csv-only process never needs).
  let opened: Promise<{ workbook: ExcelJS.stream.xlsx.WorkbookWriter; sheet: ExcelJS.Worksheet }> | undefined;
  const open = () =>
    (opened ??= import('exceljs').then(({ default: excel }) => {
      const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
      const sheet = workbook.addWorksheet(sheetName);
      sheet.addRow(headers).commit();
      return { workbook, sheet };
    }));
  return {
    async write(rows) {
      const { sheet } = await open();
      for (const row of rows) {
        sheet.addRow(row.map((v) => (v === undefined ? null : v))).commit();
      }
      await flowControl(out);
    },
    async end() {
      const { workbook, sheet } = await open();
      sheet.commit();
      await workbook.commit();
    },
  };
}

export function sheetWriter(format: ExportFormat, out: Writable, headers: string[]): SheetWriter {
  return format === 'csv' ? csvWriter(out, headers) : xlsxWriter(out, headers);
}
