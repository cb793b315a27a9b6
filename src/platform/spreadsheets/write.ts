import type { Writable } from 'node:stream';
import { once } from 'node:events';
import type ExcelJS from 'exceljs';
import { neutralizeFormula } from './formulas.js';

export { neutralizeFormula };

export type Cell = string | number | boolean | Date | null | undefined;
export type ExportFormat = 'xlsx' | 'csv';

export interface SheetWriter {
  /** Writes rows; resolves when the destination can take more (flat memory on big files). */
  write(rows: Cell[][]): Promise<void>;
  end(): Promise<void>;
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

function csvLine(row: Cell[], fixed?: ReadonlyMap<number, number>): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    // Amounts with the currency's decimals always ("56955.00", not "56955" beside "52642.28").
    const decimals = fixed?.get(i);
    const field = decimals !== undefined && typeof value === 'number' ? value.toFixed(decimals) : csvField(value);
    line += i === 0 ? field : `,${field}`;
  }
  return `${line}\r\n`;
}

/**
 * What a destination may hold unwritten before a writer waits for it: the file is written
 * while the next rows are made (a file stream holds only 16 KB, less than one batch, so
 * waiting on each write would take turns with the disk), and memory stays bounded.
 */
const UNWRITTEN = 4 * 1024 * 1024;

async function flowControl(out: Writable): Promise<void> {
  // A destination that failed (a full disk) will never drain: its error is the writer's.
  if (out.errored) throw out.errored;
  if (out.writableNeedDrain && out.writableLength >= UNWRITTEN) await once(out, 'drain');
}

/**
 * `work` unless the destination fails first (a full disk): its error is then the writer's,
 * whether it came before or while the work ran, so an end never waits on a dead stream.
 */
async function untilFailed<T>(out: Writable, work: Promise<T>): Promise<T> {
  if (out.errored) throw out.errored;
  let onError: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
    out.once('error', onError);
  });
  failed.catch(() => undefined);
  try {
    return await Promise.race([work, failed]);
  } finally {
    out.off('error', onError);
  }
}

async function writeChunk(out: Writable, chunk: string): Promise<void> {
  out.write(chunk);
  await flowControl(out);
}

/**
 * UTF-8 csv with a BOM, so Excel opens accents right; CRLF line ends as RFC 4180 says. Money
 * columns (`kinds`) are written with the currency's decimals, with a point, as the uploads read them.
 */
export function csvWriter(out: Writable, headers: string[], options: Pick<XlsxOptions, 'kinds' | 'moneyDecimals'> = {}): SheetWriter {
  let started = false;
  const decimals = options.moneyDecimals ?? 0;
  // Per column, the decimals its numbers are written with.
  const fixed = new Map(
    (options.kinds ?? []).flatMap((kind, i): [number, number][] => (kind === 'money' ? [[i, decimals]] : kind === 'decimal' ? [[i, Math.max(2, decimals)]] : [])),
  );
  return {
    async write(rows) {
      let chunk = started ? '' : `\uFEFF${csvLine(headers)}`;
      started = true;
      for (const row of rows) chunk += csvLine(row, fixed.size > 0 ? fixed : undefined);
      await writeChunk(out, chunk);
    },
    async end() {
      if (!started) await writeChunk(out, `\uFEFF${csvLine(headers)}`);
      out.end();
      await untilFailed(out, once(out, 'finish'));
    },
  };
}

/**
 * What a column holds, for the spreadsheet to show it as people read it: a date column's
 * days ("2026-12-31") become date cells shown dd/mm/yyyy (`datetime`: a local time,
 * "2026-12-06 17:53", dd/mm/yyyy hh:mm), and a money column's amounts get thousands
 * separators and the currency's decimals. A `decimal` column holds amounts or percentages
 * (a campaign's discount): two decimals at least. A csv writes days and times as they are,
 * and the numbers of money and decimal columns with their decimals.
 */
export type ColumnKind = 'date' | 'datetime' | 'money' | 'decimal' | null;

export interface XlsxOptions {
  sheetName?: string;
  /** Per column, by position; columns past its end hold text or plain numbers. */
  kinds?: readonly ColumnKind[];
  /** Decimals of the amounts in money columns (2 for soles, 0 for Chilean pesos). */
  moneyDecimals?: number;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A local time as the downloads write it ("2026-12-06 17:53", the tenant's clock). */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;

/** A day as a date cell: midnight UTC, which a spreadsheet shows as that day whatever its zone. */
function dayCell(value: Exclude<Cell, undefined>): Exclude<Cell, undefined> {
  if (typeof value !== 'string') return value;
  const day = ISO_DAY.exec(value);
  return day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : value;
}

/** A local time as a date-and-time cell showing that same clock time (a cell has no zone). */
function timeCell(value: Exclude<Cell, undefined>): Exclude<Cell, undefined> {
  if (typeof value !== 'string') return value;
  const at = LOCAL_TIME.exec(value);
  return at ? new Date(Date.UTC(Number(at[1]), Number(at[2]) - 1, Number(at[3]), Number(at[4]), Number(at[5]))) : value;
}

/**
 * xlsx through exceljs's streaming writer: rows are committed as they come, shared strings
 * are off (they would keep every text in memory), and every value is written as a typed
 * value (string, number, date), never as a formula, whatever it starts with.
 */
export function xlsxWriter(out: Writable, headers: string[], options: XlsxOptions = {}): SheetWriter {
  const kinds = options.kinds ?? [];
  const dateColumns = kinds.flatMap((kind, i) => (kind === 'date' ? [i] : []));
  const timeColumns = kinds.flatMap((kind, i) => (kind === 'datetime' ? [i] : []));
  const moneyFormat = options.moneyDecimals ? `#,##0.${'0'.repeat(options.moneyDecimals)}` : '#,##0';
  // exceljs is loaded with the first rows (some 20 MB a csv-only process never needs).
  let opened: Promise<{ workbook: ExcelJS.stream.xlsx.WorkbookWriter; sheet: ExcelJS.Worksheet }> | undefined;
  const open = () =>
    (opened ??= import('exceljs').then(({ default: excel }) => {
      const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
      const sheet = workbook.addWorksheet(options.sheetName ?? 'Datos');
      // A column's format is taken by every cell made in it afterwards.
      kinds.forEach((kind, i) => {
        if (!kind) return;
        const column = sheet.getColumn(i + 1);
        column.numFmt = kind === 'date' ? 'dd/mm/yyyy' : kind === 'datetime' ? 'dd/mm/yyyy hh:mm' : kind === 'decimal' ? '#,##0.00' : moneyFormat;
        // Formatted, the column gets a width of its own: wide enough for 31/12/2026 and for
        // 12,345,678.90 and its heading, where the default showed ### in LibreOffice.
        column.width = Math.max(kind === 'date' ? 12 : 17, (headers[i]?.length ?? 0) + 2);
      });
      sheet.addRow(headers).commit();
      return { workbook, sheet };
    }));
  return {
    async write(rows) {
      const { sheet } = await open();
      for (const row of rows) {
        const values = row.map((v) => (v === undefined ? null : v));
        for (const i of dateColumns) if (i < values.length) values[i] = dayCell(values[i]!);
        for (const i of timeColumns) if (i < values.length) values[i] = timeCell(values[i]!);
        sheet.addRow(values).commit();
      }
      await flowControl(out);
    },
    async end() {
      const { workbook, sheet } = await open();
      sheet.commit();
      await untilFailed(out, workbook.commit());
    },
  };
}

export function sheetWriter(format: ExportFormat, out: Writable, headers: string[], options: XlsxOptions = {}): SheetWriter {
  return format === 'csv' ? csvWriter(out, headers, options) : xlsxWriter(out, headers, options);
}
