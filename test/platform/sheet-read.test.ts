import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSheet } from '../../src/platform/spreadsheets/read.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

describe('reading spreadsheets', () => {
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
});
