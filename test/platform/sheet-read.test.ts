import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headerIndex, numberText, openSheet } from '../../src/platform/spreadsheets/read.js';
import { neutralizeFormula } from '../../src/platform/spreadsheets/write.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

describe('reading spreadsheets', () => {
  it('reads back as stored the text a csv download marked against formulas', async () => {
    const values = ['=HYPERLINK("http://x.example","clic")', '+Vida Seguros', '@SUM(1+1)', '-guion', '+51987654321', "'ya con apóstrofo", "'-5"];
    const path = join(await mkdtemp(join(tmpdir(), 'saldo-csv-')), 'formulas.csv');
    const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;
    await writeFile(path, ['Nombre,Otro', ...values.map((v) => `${quoted(neutralizeFormula(v))},x`)].join('\n'));
    const sheet = await openSheet(path, 'formulas.csv', { maxRows: 20 });
    const read: string[] = [];
    for await (const batch of sheet.batches) for (const row of batch) read.push(row.cells[0]!);
    expect(read).toEqual(values);
  });

  // Made by LibreOffice from "30%", "12,5%" and "0,25" typed in a Spanish csv: percentages are
  // stored as fractions (0.3) with a percent format.
  it.each(['percent-libreoffice.xlsx', 'percent-libreoffice.xls'])('%s reads a cell formatted as a percentage as the sheet shows it', async (name) => {
    const sheet = await openSheet(join(fixtures, name), name, { maxRows: 10 });
    const rows: string[][] = [];
    for await (const batch of sheet.batches) for (const row of batch) rows.push(row.cells);
    expect(sheet.headers).toEqual(['Descuento', 'Texto']);
    expect(rows).toEqual([
      ['30%', 'a'],
      ['12.5%', 'b'],
      ['0.25', 'c'],
    ]);
  });

  // Written in Excel's shape (shared strings, the built-in date format 14, a text-formatted
  // DNI, a currency format, an interest formula =E2*0.1 whose cached result carries binary
  // leftovers), and LibreOffice's .xls of it.
  it.each(['clients-excel-formula.xlsx', 'clients-excel-formula.xls'])('%s reads numbers as the sheet shows them and dates as dates', async (name) => {
    const sheet = await openSheet(join(fixtures, name), name, { maxRows: 10 });
    const rows: string[][] = [];
    for await (const batch of sheet.batches) for (const row of batch) rows.push(row.cells);
    expect(sheet.headers).toEqual(['Tipo de documento', 'Número de documento', 'Nombre', 'Código de pago', 'Monto', 'Interés', 'Fecha de emisión', 'Fecha de vencimiento']);
    expect(rows).toEqual([['DNI', '01234567', 'Rosa Quispe Huamán', 'OP-0001', '1234.5', '123.45', '2026-01-01', '2026-02-01']]);
  });

  // Made by LibreOffice: a title merged across the table, a "Generado el" line and a blank row
  // above the header, as people export a report and then upload it.
  it.each(['clients-title-rows.xlsx', 'clients-title-rows.xls', 'clients-title-rows.csv'])('%s takes the table\'s header below a title, and keeps the rows\' numbers', async (name) => {
    const sheet = await openSheet(join(fixtures, name), name, { maxRows: 10 });
    const rows: { line: number; cells: string[] }[] = [];
    for await (const batch of sheet.batches) for (const row of batch) rows.push({ line: row.line, cells: Array.from({ length: 5 }, (_, i) => row.cells[i] ?? '') });
    expect(sheet.headers.slice(0, 5)).toEqual(['Tipo de documento', 'Número de documento', 'Nombre', 'Correo', 'Teléfono']);
    expect(rows).toEqual([
      { line: 5, cells: ['DNI', '01234567', 'Rosa Quispe Huamán', '', '987654321'] },
      { line: 6, cells: ['DNI', '07654321', 'Luis Mamani', 'luis@correo.pe', ''] },
    ]);
  });

  it('tells a title from a header: the first row filling two cells and half the fullest row', () => {
    const rows = (...filled: number[]) => filled.map((n, i) => ({ line: i + 1, cells: Array.from({ length: 6 }, (_, c) => (c < n ? 'x' : '')) }));
    expect(headerIndex(rows(1, 2, 6, 6))).toBe(2);
    expect(headerIndex(rows(6, 6, 6))).toBe(0);
    // A header with blanks among data rows that fill every cell.
    expect(headerIndex(rows(4, 6, 6))).toBe(0);
    expect(headerIndex(rows(2, 2))).toBe(0);
    // A one-column sheet: its first row.
    expect(headerIndex(rows(1, 1, 1))).toBe(0);
  });

  it('keeps the 15 significant digits a spreadsheet shows, and whole numbers whole', () => {
    expect(numberText(123.45000000000002)).toBe('123.45');
    expect(numberText(0.1 + 0.2)).toBe('0.3');
    expect(numberText(99.99999999999999)).toBe('100');
    expect(numberText(1180 * 1.18)).toBe('1392.4');
    expect(numberText(20100002699)).toBe('20100002699');
    expect(numberText(-5.5)).toBe('-5.5');
    expect(numberText(1234.56)).toBe('1234.56');
  });
});
