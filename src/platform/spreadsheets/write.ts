import type { Writable } from 'node:stream';
import { once } from 'node:events';
import ExcelJS from 'exceljs';

export type Cell = string | number | boolean | Date | null | undefined;
export type ExportFormat = 'xlsx' | 'csv';

export interface SheetWriter {
  /** Writes rows; resolves when the destination can take more (flat memory on big files). */
  write(rows: Cell[][]): Promise<void>;
  end(): Promise<void>;
}

const FORMULA_START = /^[=+\-@\t\r\0]/;

/**
 * A text cell a spreadsheet program would run as a formula (=, +, -, @, tab, CR, NUL at
 * the start) gets a leading apostrophe, so it is shown as the text it is.
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else text = neutralizeFormula(value);
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function writeChunk(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** UTF-8 csv with a BOM, so Excel opens accents right; CRLF line ends as RFC 4180 says. */
export function csvWriter(out: Writable, headers: string[]): SheetWriter {
  let started = false;
  return {
    async write(rows) {
      let chunk = started ? '' : `\uFEFF${headers.map(csvField).join(',')}\r\n`;
      started = true;
      for (const row of rows) chunk += `${row.map(csvField).join(',')}\r\n`;
      await writeChunk(out, chunk);
    },
    async end() {
      if (!started) await writeChunk(out, `\uFEFF${headers.map(csvField).join(',')}\r\n`);
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
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(headers).commit();
  return {
    async write(rows) {
      for (const row of rows) {
        sheet.addRow(row.map((v) => (v === undefined ? null : v))).commit();
      }
      if (out.writableNeedDrain) await once(out, 'drain');
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}

export function sheetWriter(format: ExportFormat, out: Writable, headers: string[]): SheetWriter {
  return format === 'csv' ? csvWriter(out, headers) : xlsxWriter(out, headers);
}
