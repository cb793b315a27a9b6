import { createReadStream, ReadStream, rmSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createInflateRaw } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import type ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type * as XLSX from '@e965/xlsx';
import type { FromReader, ReaderHelp, ToReader } from './reader-protocol.js';
import { restoreNeutralized } from './formulas.js';

// The spreadsheet libraries are loaded on first use: together some 25 MB that a process
// reading only csv (or serving pages) never needs.
const exceljs = () =>
  import('exceljs').then((module) => {
    closeParkedSheetDescriptors();
    return module.default;
  });
const sheetjs = () => import('@e965/xlsx');

let descriptorsClosed = false;

/**
 * exceljs parks a sheet stored before the shared strings in a temporary file it makes with
 * tmp's `file`, writes and reads it by path, and leaves open the descriptor `file` hands back
 * until the whole workbook has been read: a read that stops early (every upload, which reads
 * only the headers) kept one open for good. tmp is asked to close it at once instead (this
 * reader is tmp's only user in the project: `npm ls tmp`).
 */
function closeParkedSheetDescriptors(): void {
  if (descriptorsClosed) return;
  descriptorsClosed = true;
  const tmp = createRequire(createRequire(import.meta.url).resolve('exceljs'))('tmp') as { file: (options: unknown, callback?: unknown) => void };
  const file = tmp.file.bind(tmp);
  tmp.file = (options, callback) =>
    typeof options === 'function' ? file({ discardDescriptor: true }, options) : file({ ...(options as object), discardDescriptor: true }, callback);
}

export type SheetFormat = 'xlsx' | 'xls' | 'csv';

/**
 * A file people uploaded that cannot be read as a sheet; `message` is a catalogue key
 * (with params) that says why in their words.
 */
export class SheetError extends Error {
  constructor(readonly messageKey: string) {
    super(messageKey);
  }
}

export interface SheetRow {
  /** The row's number as the spreadsheet program shows it (a csv's record number). */
  line: number;
  cells: string[];
  /**
   * Which cells (by index) held a number rather than text, in xlsx and xls: their text is
   * the number itself, with "." before any decimals and no grouping, so "100.005" is a
   * hundred and a half cent, not a hundred thousand and five as typed text would read.
   */
  numbers?: number[];
}

export interface SheetLimits {
  maxRows: number;
  /** Bytes the zip parts of an xlsx may inflate to in total (zip bombs stop here). */
  maxInflatedBytes?: number;
}

/**
 * What the parts of an xlsx may inflate to: a 200,000-row, 20-column sheet is about 200 MB
 * of XML, so twice that leaves room for honest files and stops bombs early.
 */
const MAX_INFLATED = 400 * 1024 * 1024;

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const startsWith = (head: Uint8Array, magic: number[]) => magic.every((b, i) => head[i] === b);

/**
 * An OpenDocument file (LibreOffice's own .ods) is a zip too; its first part, stored as is,
 * is named `mimetype` and says so.
 */
const isOpenDocument = (head: Uint8Array) => Buffer.from(head.subarray(30, 80)).toString('latin1').startsWith('mimetypeapplication/vnd.oasis.opendocument');

/** The format by the file's first bytes, with its name only to tell csv from junk. */
export function detectFormat(name: string, head: Uint8Array): SheetFormat | null {
  if (startsWith(head, ZIP_MAGIC)) {
    if (isOpenDocument(head)) throw new SheetError('sheets.error.openDocument');
    return 'xlsx';
  }
  if (startsWith(head, CFB_MAGIC)) return 'xls';
  if (/\.(csv|txt)$/i.test(name)) return 'csv';
  return null;
}

/** Header cells compared as people mean them: case, accents, spaces and punctuation ignored. */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whether a number format shows a date, by exceljs's own rule (the one it reads plain date cells by). */
let dateFormatRule: ((format: string | undefined) => boolean) | undefined;
function isDateFormat(format: string | undefined): boolean {
  dateFormatRule ??= (createRequire(createRequire(import.meta.url).resolve('exceljs'))('./lib/utils/utils.js') as { isDateFmt(format: string | undefined): boolean }).isDateFmt;
  return dateFormatRule(format);
}

/** The day of a date serial in a workbook's date system (1900, or 1904 as Macs once saved), or null for one out of range. */
function serialDate(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 0 || serial >= 2_958_466) return null;
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return isoDate(new Date(epoch + Math.floor(serial) * 86_400_000));
}

/** Whether a number format shows the value as a percentage ("0%", "0.00 %"), outside quoted text. */
const isPercentFormat = (format: string | undefined) => !!format && format.replace(/"[^"]*"/g, '').includes('%');

/**
 * A cell formatted as a percentage holds a fraction (30 % is 0.3): it is read as the sheet
 * shows it, "30%", so that a discount typed as 30 % is not taken for 0.3 %.
 */
const percentText = (fraction: number) => `${Number((fraction * 100).toPrecision(12))}%`;

/**
 * A number cell as text, to the 15 significant digits a spreadsheet keeps and shows: a formula
 * such as =B2*0.18 or =0.1+0.2 leaves binary leftovers (123.45000000000002) that the sheet
 * shows as 123.45, and so must an upload read it, or the amount is refused as having too many
 * decimals. Whole numbers (document numbers typed as numbers) are not touched.
 */
export function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

/** What a formula that failed, or holds no result, reads as when the file does not say which error it was. */
const FORMULA_ERROR = '#ERROR';

/** Whether a cell holds a spreadsheet's error (#DIV/0!, #N/A…) rather than a value. */
export function isFormulaError(text: string): boolean {
  // Excel's codes, and LibreOffice's "Err:502" as it writes them to a csv.
  return /^#(?:DIV\/0!|N\/A|VALUE!|REF!|NAME\?|NUM!|NULL!|ERROR|SPILL!|CALC!|GETTING_DATA)$/.test(text) || /^Err:\d{3}$/.test(text);
}

/** A cell as text, the way the sheet shows it where that matters (dates, percentages, numbers) and raw otherwise. */
function excelCellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return isoDate(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return excelCellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    // A formula without a result: the streaming reader keeps none for one that failed (#DIV/0!
    // is read as a number, NaN, and dropped), nor is there one where nothing was calculated.
    if ('formula' in value || 'sharedFormula' in value) return FORMULA_ERROR;
    if ('text' in value) return String((value as ExcelJS.CellHyperlinkValue).text);
    // A formula that failed (#N/A, #DIV/0!) is not an empty cell: its error is what the sheet shows.
    if ('error' in value) return String((value as ExcelJS.CellErrorValue).error);
    return '';
  }
  if (typeof value === 'number') return numberText(value);
  return String(value);
}

/**
 * Reads the central directory and inflates every part while counting, without keeping
 * anything: a part that declares a small size and inflates to gigabytes is caught by the
 * bytes actually produced, not by what it claims.
 */
async function checkZip(path: string, maxInflated: number): Promise<void> {
  const data = await readFile(path);
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 65_557); i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new SheetError('sheets.error.corrupt');
  const entries = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  if (entries > 10_000 || offset >= data.length) throw new SheetError('sheets.error.corrupt');
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) throw new SheetError('sheets.error.corrupt');
    const method = data.readUInt16LE(offset + 10);
    const compressed = data.readUInt32LE(offset + 20);
    const declared = data.readUInt32LE(offset + 24);
    const nameLength = data.readUInt16LE(offset + 28);
    const local = data.readUInt32LE(offset + 42);
    offset += 46 + nameLength + data.readUInt16LE(offset + 30) + data.readUInt16LE(offset + 32);
    if (declared === 0xffffffff || compressed === 0xffffffff) throw new SheetError('sheets.error.tooLarge');
    total += declared;
    if (total > maxInflated) throw new SheetError('sheets.error.tooLarge');
    if (local + 30 > data.length || data.readUInt32LE(local) !== 0x04034b50) throw new SheetError('sheets.error.corrupt');
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const body = data.subarray(start, start + compressed);
    if (method === 0) continue;
    if (method !== 8) throw new SheetError('sheets.error.corrupt');
    const inflated = await inflatedSize(body, maxInflated - (total - declared));
    if (inflated === null) throw new SheetError('sheets.error.tooLarge');
  }
}

function inflatedSize(body: Uint8Array, cap: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw();
    let size = 0;
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        inflate.destroy();
        resolve(null);
      }
    });
    inflate.on('end', () => resolve(size));
    inflate.on('error', () => reject(new SheetError('sheets.error.corrupt')));
    inflate.end(body);
  });
}

async function isEncryptedOffice(path: string): Promise<boolean> {
  const data = await readFile(path);
  // An encrypted xlsx is an OLE container holding a stream named EncryptedPackage (UTF-16LE).
  return data.includes(Buffer.from('EncryptedPackage', 'utf16le'));
}

/** Text from chunks of UTF-8, with a letter split between two chunks carried over whole. */
async function* utf8Text(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * A sheet stored in the zip before its shared strings (LibreOffice writes them so) is parked
 * by exceljs in a temporary file, which it removes only when the whole workbook has been
 * read: a read that stops early (the header row at upload, the row limit, a bad cell) would
 * leave a copy of the debtors' data behind. It is removed however the read ends.
 */
function* removingWhenDone<T>(parsed: Generator<T>, path: string | Buffer): Generator<T> {
  try {
    yield* parsed;
  } finally {
    rmSync(path, { force: true });
  }
}

interface ReaderInternals {
  _parseWorksheet(this: ReaderInternals, iterator: AsyncIterable<Buffer | string>, sheetNo: string): unknown;
  _parseSharedStrings(entry: NodeJS.ReadableStream): unknown;
  _parseWorkbook(entry: NodeJS.ReadableStream): Promise<void>;
  /** workbook.xml's sheets, in the order of their tabs, and its 1900 or 1904 date system. */
  model?: { sheets?: { rId?: string; state?: string }[] };
  properties?: { model?: { date1904?: boolean } };
  workbookRels?: { Id: string; Target: string }[];
}

/**
 * The number of the part (xl/worksheets/sheetN.xml) of the workbook's first sheet that is
 * not hidden, as its tabs are ordered; undefined when the workbook does not say.
 */
function firstVisiblePart(internals: ReaderInternals): string | undefined {
  const sheet = internals.model?.sheets?.find((s) => s.state !== 'hidden' && s.state !== 'veryHidden');
  const target = sheet && internals.workbookRels?.find((r) => r.Id === sheet.rId)?.Target;
  return target ? /sheet(\d+)\.xml$/.exec(target)?.[1] : undefined;
}

/**
 * exceljs's streaming reader decodes each inflated chunk of a part on its own, so a letter
 * whose UTF-8 bytes straddle two chunks (ñ, é…) comes out as two U+FFFD: one cell in tens of
 * thousands of a big upload. Its sheets and shared strings are handed to it as text decoded
 * across chunks instead (it passes text through untouched).
 */
async function workbookReader(path: string, options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>) {
  const reader = new (await exceljs()).stream.xlsx.WorkbookReader(path, options);
  const internals = reader as unknown as ReaderInternals;
  const { _parseWorksheet: parseWorksheet, _parseSharedStrings: parseSharedStrings, _parseWorkbook: parseWorkbook } = internals;
  if (typeof parseWorksheet !== 'function' || typeof parseSharedStrings !== 'function' || typeof parseWorkbook !== 'function') throw new Error('exceljs: unexpected WorkbookReader');
  // exceljs takes only Excel's spelling of the 1904 date system (date1904="1"); LibreOffice
  // writes "true", and every day of such a workbook would be read four years early.
  internals._parseWorkbook = async function (entry) {
    const xml = (await buffer(entry)).toString('utf8');
    await parseWorkbook.call(this, Readable.from([xml]));
    if (/<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"/.test(xml) && this.properties) {
      this.properties.model = { ...this.properties.model, date1904: true };
    }
  };
  internals._parseWorksheet = function (iterator, sheetNo) {
    // Only the first sheet a person sees is read: one hidden before it (last month's data, a
    // list the formulas look up) is passed over unread, its parked copy (if any) removed.
    const wanted = firstVisiblePart(this);
    if (wanted !== undefined && String(sheetNo) !== wanted) {
      if (iterator instanceof ReadStream) {
        // Its file is still being opened: that open now finds nothing, and is not an error.
        iterator.on('error', () => {});
        iterator.destroy();
        rmSync(iterator.path, { force: true });
      }
      return [][Symbol.iterator]();
    }
    const parsed = parseWorksheet.call(this, utf8Text(iterator), sheetNo) as Generator<unknown>;
    return iterator instanceof ReadStream ? removingWhenDone(parsed, iterator.path) : parsed;
  };
  internals._parseSharedStrings = function (entry) {
    entry.setEncoding('utf8');
    return parseSharedStrings.call(this, entry);
  };
  return reader;
}

/** Rows a source gathers before handing them on (csv: what each chunk of the file holds). */
const SOURCE_BATCH = 500;

async function* xlsxRows(path: string): AsyncGenerator<SheetRow[]> {
  // Shared strings are cached (headers and repeated values); styles are cached because
  // without them dates arrive as bare serial numbers.
  const reader = await workbookReader(path, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit' });
  const internals = reader as unknown as ReaderInternals;
  // Only the first sheet not hidden comes (see workbookReader).
  for await (const worksheet of reader) {
    const date1904 = internals.properties?.model?.date1904 === true;
    let batch: SheetRow[] = [];
    for await (const row of worksheet as unknown as AsyncIterable<ExcelJS.Row>) {
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      const numbers: number[] = [];
      for (let i = 1; i < values.length; i++) {
        const value = values[i];
        const number = typeof value === 'number' ? value : value && typeof value === 'object' && 'result' in value && typeof value.result === 'number' ? value.result : undefined;
        const format = number !== undefined ? row.getCell(i).numFmt : undefined;
        if (number !== undefined && isPercentFormat(format)) {
          cells.push(percentText(number));
          continue;
        }
        // A formula's day (=B2+30 in a date format) comes as its serial: the day the sheet
        // shows, counted in the workbook's date system (a plain date cell comes as a day).
        if (number !== undefined && typeof value === 'object' && isDateFormat(format)) {
          const day = serialDate(number, date1904);
          if (day) {
            cells.push(day);
            continue;
          }
        }
        if (number !== undefined) numbers.push(i - 1);
        cells.push(excelCellText(value));
      }
      batch.push(numbers.length > 0 ? { line: row.number, cells, numbers } : { line: row.number, cells });
      if (batch.length === SOURCE_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    // Only the first sheet is read.
    return;
  }
}

async function* xlsRows(path: string, maxRows: number): AsyncGenerator<SheetRow[]> {
  const sheets = await sheetjs();
  let workbook: XLSX.WorkBook;
  try {
    workbook = sheets.read(await readFile(path), { type: 'buffer', dense: true, cellDates: false, cellNF: true, cellFormula: false, cellHTML: false, sheetRows: maxRows + 2 });
  } catch (error) {
    throw new SheetError(/password|encrypt/i.test(String((error as Error).message)) ? 'sheets.error.encrypted' : 'sheets.error.corrupt');
  }
  // The first sheet a person sees: hidden ones (Hidden 1, or 2 for "very hidden") are passed over.
  const shown = workbook.SheetNames.findIndex((_, i) => !workbook.Workbook?.Sheets?.[i]?.Hidden);
  const name = workbook.SheetNames[shown === -1 ? 0 : shown];
  const date1904 = Boolean(workbook.Workbook?.WBProps?.date1904);
  const sheet = name ? workbook.Sheets[name] : undefined;
  const data = (sheet?.['!data'] ?? []) as (XLSX.CellObject | undefined)[][];
  let batch: SheetRow[] = [];
  for (let r = 0; r < data.length; r++) {
    const row = data[r];
    if (!row) continue;
    const numbers: number[] = [];
    const cells = Array.from(row, (cell, index) => {
      if (!cell || cell.v === undefined || cell.v === null) return '';
      if (cell.t === 'n' && cell.z && sheets.SSF.is_date(cell.z)) {
        const d = sheets.SSF.parse_date_code(cell.v as number, { date1904 });
        return `${String(d.y).padStart(4, '0')}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;
      }
      if (cell.t === 'n' && isPercentFormat(cell.z as string | undefined)) return percentText(cell.v as number);
      if (cell.t === 'b') return cell.v ? 'true' : 'false';
      if (cell.t === 'e') return cell.w ?? '#ERROR';
      if (cell.t === 'n') {
        numbers.push(index);
        return numberText(cell.v as number);
      }
      return String(cell.v);
    });
    batch.push(numbers.length > 0 ? { line: r + 1, cells, numbers } : { line: r + 1, cells });
    if (batch.length === SOURCE_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

type CsvEncoding = 'utf8' | 'win1252' | 'utf16le' | 'utf16be';

/**
 * How a csv is written, from its first 64 KB (and, for UTF-8, the whole file):
 * - the encoding: a UTF-16 byte-order mark means UTF-16 (LibreOffice's "Unicode" csv, Excel's
 *   "Unicode text"); valid UTF-8 is UTF-8; anything else is what Excel in Spanish writes,
 *   Windows-1252. Text in any 8-bit encoding has no NUL byte: a file with one is refused;
 * - the delimiter: whichever of semicolon, comma or tab (Excel's "Unicode text") separates
 *   the fields of the first lines most (a line, in the best case).
 */
async function csvShape(path: string): Promise<{ encoding: CsvEncoding; delimiter: ',' | ';' | '\t' }> {
  const handle = await open(path, 'r');
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
  await handle.close();
  const head = buffer.subarray(0, bytesRead);
  const encoding = head[0] === 0xff && head[1] === 0xfe ? 'utf16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf16be' : await eightBitEncoding(path, head);
  // The first lines, not only the first: a title above the table ("Reporte de cartera,
  // diciembre 2026") has fewer marks, if any, than the table's own lines.
  const lines = iconv
    .decode(head, encoding)
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 10)
    .map((line) => line.replace(/"[^"]*"/g, ''));
  const count = (mark: string) => Math.max(0, ...lines.map((line) => line.split(mark).length - 1));
  const tabs = count('\t');
  const delimiter = tabs > count(';') && tabs > count(',') ? '\t' : count(';') > count(',') ? ';' : ',';
  return { encoding, delimiter };
}

async function eightBitEncoding(path: string, head: Buffer): Promise<'utf8' | 'win1252'> {
  if (head.includes(0)) throw new SheetError('sheets.error.format');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return 'utf8';
  } catch {
    return 'win1252';
  }
}

/**
 * A csv's records, numbered as a spreadsheet program numbers the rows it opens them as: one
 * row per record (a quoted line break stays inside its cell) and empty lines included, so the
 * row an error report names is the row people see. UTF-8 goes to the parser as bytes (it
 * decodes across chunks itself); Windows-1252 is decoded on the way.
 */
async function* csvRows(path: string): AsyncGenerator<SheetRow[]> {
  const { encoding, delimiter } = await csvShape(path);
  const file = createReadStream(path);
  const source: AsyncIterable<Buffer | string> = encoding === 'utf8' ? file : file.pipe(iconv.decodeStream(encoding));
  // Fed a chunk at a time and drained at once: the records of a chunk come out together,
  // without a turn of the event loop for each.
  const parser = parseCsv({
    bom: true,
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    // Cells our downloads marked as text ('=…, '+…) come back as they were stored.
    on_record: (cells: string[]) => {
      for (let i = 0; i < cells.length; i++) if (cells[i]!.charCodeAt(0) === 39) cells[i] = restoreNeutralized(cells[i]!);
      return cells;
    },
  });
  let line = 0;
  const parsed = (): SheetRow[] => {
    const rows: SheetRow[] = [];
    for (let cells: string[] | null; (cells = parser.read() as string[] | null) !== null; ) rows.push({ line: ++line, cells });
    if (parser.errored) throw parser.errored;
    return rows;
  };
  try {
    for await (const chunk of source) {
      parser.write(chunk);
      const rows = parsed();
      if (rows.length > 0) yield rows;
    }
    parser.end();
    const rest = parsed();
    // The last record, and any the parser holds until it has been told the file ended.
    for await (const cells of parser as AsyncIterable<string[]>) rest.push({ line: ++line, cells });
    if (rest.length > 0) yield rest;
  } catch (error) {
    if (error instanceof SheetError) throw error;
    throw new SheetError('sheets.error.corrupt');
  } finally {
    file.destroy();
    parser.destroy();
  }
}

export interface OpenedSheet {
  format: SheetFormat;
  headers: string[];
  /** The data rows after the header, blank rows skipped, a few hundred at a time; stops with an error past `maxRows`. */
  batches: AsyncGenerator<SheetRow[]>;
}

/**
 * Opens an uploaded sheet and reads its header row, checking on the way everything that
 * makes a file unusable (unknown format, password, corruption, zip bombs, no header,
 * repeated headers). The rows are then read lazily, as they are asked for.
 */
export async function openSheet(path: string, name: string, limits: SheetLimits): Promise<OpenedSheet> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(80);
  await handle.read(head, 0, 80, 0);
  await handle.close();
  const format = detectFormat(name, head);
  if (!format) throw new SheetError('sheets.error.format');
  if (format === 'xls' && (await isEncryptedOffice(path))) throw new SheetError('sheets.error.encrypted');
  if (format === 'xlsx') await checkZip(path, limits.maxInflatedBytes ?? MAX_INFLATED);

  const source = format === 'xlsx' ? xlsxRows(path) : format === 'xls' ? xlsRows(path, limits.maxRows) : csvRows(path);
  const guarded = guard(source, format);
  try {
    const { headers, rest } = await headerRow(guarded);
    return { format, headers, batches: closingWithSource(dataRows(rest, guarded, limits.maxRows), guarded) };
  } catch (error) {
    await guarded.return(undefined);
    throw error;
  }
}

/** Non-blank rows looked at to tell a title above the table from the table's header. */
const HEADER_LOOKAHEAD = 10;

const filledCells = (row: SheetRow): number => row.cells.reduce((n, c) => (c.trim() === '' ? n : n + 1), 0);

/**
 * Which of the first non-blank rows is the header: people put a title, a date or a note in
 * the rows above their table ("Reporte de clientes – diciembre", often one merged cell). The
 * header is the first row that fills at least two cells and at least half as many as the
 * fullest of these rows; when none fills two, the first non-blank row.
 */
export function headerIndex(rows: readonly SheetRow[]): number {
  const counts = rows.map(filledCells);
  const fullest = Math.max(0, ...counts);
  if (fullest < 2) return counts.findIndex((n) => n > 0);
  const needed = Math.max(2, Math.ceil(fullest / 2));
  return counts.findIndex((n) => n >= needed);
}

/** The header row (see `headerIndex`), as headers, and the rows read after it. */
/**
 * Headings that appear more than once (accents and case aside), with the columns of each: a
 * file with two "Obs" columns is fine, one with two "Teléfono" columns cannot say which to load.
 */
export function repeatedHeaders(headers: readonly string[]): Map<string, number[]> {
  const columns = new Map<string, number[]>();
  headers.forEach((name, index) => {
    const key = normalizeHeader(name);
    if (key) columns.set(key, [...(columns.get(key) ?? []), index]);
  });
  return new Map([...columns].filter(([, indexes]) => indexes.length > 1));
}

async function headerRow(batches: AsyncGenerator<SheetRow[]>): Promise<{ headers: string[]; rest: SheetRow[] }> {
  // Taken with next(): a for-await left at the header would close the source.
  const read: SheetRow[] = [];
  const candidates: SheetRow[] = [];
  let whole = true;
  for (let next = await batches.next(); !next.done; next = await batches.next()) {
    for (const row of next.value) {
      read.push(row);
      if (candidates.length < HEADER_LOOKAHEAD && filledCells(row) > 0) candidates.push(row);
    }
    // Left with break: the loop's next() would read a batch past the ones kept here.
    if (candidates.length >= HEADER_LOOKAHEAD) {
      whole = false;
      break;
    }
  }
  const index = headerIndex(candidates);
  // No rows, or a header with nothing under it: a sheet with nothing to load.
  if (candidates.length === 0 || (whole && index === candidates.length - 1)) throw new SheetError('sheets.error.empty');
  const header = candidates[index]!;
  // A repeated heading matters only for a column that is loaded (repeatedHeaders, at the upload).
  const headers = header.cells.map((c) => c.trim());
  return { headers, rest: read.slice(read.indexOf(header) + 1) };
}

/**
 * A generator returned before its first row never runs its body, so it would leave the
 * reader under it open (streams, and the file a parked sheet is kept in): returning the rows
 * returns the reader too.
 */
function closingWithSource<T>(rows: AsyncGenerator<T>, source: AsyncGenerator<unknown>): AsyncGenerator<T> {
  const finish = rows.return.bind(rows);
  rows.return = async (value) => {
    await source.return(undefined);
    return finish(value);
  };
  return rows;
}

async function* guard(source: AsyncGenerator<SheetRow[]>, format: SheetFormat): AsyncGenerator<SheetRow[]> {
  try {
    yield* source;
  } catch (error) {
    if (error instanceof SheetError) throw error;
    throw new SheetError(format === 'xlsx' && /password|encrypt/i.test(String(error)) ? 'sheets.error.encrypted' : 'sheets.error.corrupt');
  }
}

/** The rows that are not blank, up to `maxRows`: the rows before the one past it are handed on first. */
async function* dataRows(first: SheetRow[], source: AsyncGenerator<SheetRow[]>, maxRows: number): AsyncGenerator<SheetRow[]> {
  let count = 0;
  const kept = (batch: SheetRow[]) => {
    const rows = batch.filter((row) => !row.cells.every((c) => c.trim() === ''));
    count += rows.length;
    return count > maxRows ? rows.slice(0, rows.length - (count - maxRows)) : rows;
  };
  let rows = kept(first);
  if (rows.length > 0) yield rows;
  if (count > maxRows) throw new SheetError(`sheets.error.tooManyRows?max=${maxRows}`);
  for await (const batch of source) {
    rows = kept(batch);
    if (rows.length > 0) yield rows;
    if (count > maxRows) throw new SheetError(`sheets.error.tooManyRows?max=${maxRows}`);
  }
}

/** A batch of the data rows, in the sheet's order: as read, or what the reader thread's help made of them. */
export type SheetBatch<T> = { rows: SheetRow[]; worked?: undefined } | ([T] extends [never] ? never : { rows?: undefined; worked: T });

export interface ThreadedSheet<T = never> extends Omit<OpenedSheet, 'batches'> {
  /** The data rows as OpenedSheet's, in the batches they arrive in. */
  batches: AsyncGenerator<SheetBatch<T>>;
}

/** Rows the reader thread sends at a time, and how many such batches it may read ahead. */
const THREAD_BATCH = 1_000;
const THREAD_AHEAD = 4;

/**
 * The module `name` beside the module at `from` (an import.meta.url): compiled JavaScript
 * beside compiled code, TypeScript sources beside sources (the tests).
 */
export function moduleBeside(from: string, name: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(from))}`, from);
}

/**
 * The reader thread's entry, compiled beside this file; when the code runs from its
 * TypeScript sources (the tests) the thread loads them, and the help it is given, through
 * the same loader.
 */
function startReaderThread(workerData: unknown): Worker {
  const entry = moduleBeside(import.meta.url, 'reader-thread');
  // A young generation a third of V8's default: the thread makes short-lived rows at a steady
  // pace, and the larger default only lets a 100,000-row xlsx hold 20 MB more at its peak
  // for no measurable speed (README, bench:files).
  const resourceLimits = { maxYoungGenerationSizeMb: 16 };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData, resourceLimits });
  const bootstrap = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}

/**
 * openSheet in a thread of its own: the file is parsed there while this thread checks and
 * stores the rows it has already received, so an import takes about as long as the slower
 * of the two rather than both. The same checks, errors and rows as openSheet, in batches
 * read a few ahead of the caller, never the whole file. With `help`, a thread that parses
 * faster than its caller works also does the caller's work on some batches, which then
 * arrive worked (see ReaderHelp). Returning the batches early stops the thread, and waits
 * until it has closed the file and removed what it parked.
 */
export async function openSheetInThread<T = never>(path: string, name: string, limits: SheetLimits, help?: ReaderHelp): Promise<ThreadedSheet<T>> {
  const worker = startReaderThread({ path, name, limits, batchSize: THREAD_BATCH, help });
  const inbox: FromReader[] = [];
  let notify: (() => void) | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', resolve)).then(() => {
    exited = true;
  });
  const arrived = () => {
    notify?.();
    notify = null;
  };
  worker.on('message', (message: FromReader) => {
    inbox.push(message);
    arrived();
  });
  worker.on('error', (error) => {
    inbox.push({ type: 'error', message: String(error?.stack ?? error) });
    arrived();
  });
  void exit.then(arrived);
  const next = async (): Promise<FromReader> => {
    while (inbox.length === 0) {
      if (exited) return { type: 'error', message: 'the sheet reader thread stopped without an answer' };
      await new Promise<void>((resolve) => (notify = resolve));
    }
    return inbox.shift()!;
  };
  const failure = (message: Extract<FromReader, { type: 'error' }>) =>
    'messageKey' in message ? new SheetError(message.messageKey) : new Error(`Reading the sheet failed: ${message.message}`);

  const opened = await next();
  if (opened.type !== 'opened') {
    await exit;
    throw opened.type === 'error' ? failure(opened) : new Error(`sheet reader: unexpected ${opened.type}`);
  }
  let finished = false;
  const stop = async () => {
    if (!finished) worker.postMessage('stop' satisfies ToReader);
    finished = true;
    await exit;
  };
  async function* batches(): AsyncGenerator<SheetBatch<T>> {
    try {
      // The thread reads no row before the first is asked for (an upload wants only the header).
      for (let i = 0; i < THREAD_AHEAD; i++) worker.postMessage('more' satisfies ToReader);
      for (;;) {
        const message = await next();
        if (message.type === 'rows' || message.type === 'worked') {
          worker.postMessage('more' satisfies ToReader);
          // Batches that arrived ahead would otherwise be handed over one after another
          // without a turn of the event loop: I/O the caller started (a COPY of the rows
          // before) would wait until the reader ran dry.
          await setImmediate();
          yield (message.type === 'rows' ? { rows: message.rows } : { worked: message.worked }) as SheetBatch<T>;
        } else if (message.type === 'end') {
          finished = true;
          return;
        } else if (message.type === 'error') {
          finished = true;
          throw failure(message);
        }
      }
    } finally {
      await stop();
    }
  }
  const generator = batches();
  // A generator returned before its first batch never runs its body: the thread is stopped here too.
  const finish = generator.return.bind(generator);
  const fail = generator.throw.bind(generator);
  generator.return = async (value) => {
    await stop();
    return finish(value);
  };
  generator.throw = async (error) => {
    await stop();
    return fail(error);
  };
  return { format: opened.format, headers: opened.headers, batches: generator };
}
