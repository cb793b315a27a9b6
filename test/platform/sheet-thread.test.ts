import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { moduleBeside, openSheet, openSheetInThread, SheetError, type SheetLimits, type SheetRow } from '../../src/platform/spreadsheets/read.js';
import type { SheetFormat } from '../../src/platform/spreadsheets/read.js';

const fixture = (name: string) => join(import.meta.dirname, '..', 'fixtures', name);
const scratch = (name: string, content: string | Buffer) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sheet-thread-')), name);
  writeFileSync(path, content);
  return path;
};

/** Every row openSheet gives, and the message it stops with (if any). */
async function inProcess(path: string, name: string, limits: SheetLimits) {
  const sheet = await openSheet(path, name, limits);
  const rows: SheetRow[] = [];
  try {
    for await (const batch of sheet.batches) rows.push(...batch);
    return { headers: sheet.headers, rows, error: null };
  } catch (error) {
    return { headers: sheet.headers, rows, error: (error as SheetError).messageKey };
  }
}

async function inThread(path: string, name: string, limits: SheetLimits) {
  const sheet = await openSheetInThread(path, name, limits);
  const rows: SheetRow[] = [];
  try {
    for await (const batch of sheet.batches) rows.push(...batch.rows);
    return { headers: sheet.headers, rows, error: null };
  } catch (error) {
    return { headers: sheet.headers, rows, error: (error as SheetError).messageKey };
  }
}

/** exceljs parks a sheet stored before its shared strings in tmp-<pid>-… files; these are the ones left, or held open. */
function parkedSheets() {
  const mine = (name: string) => name.includes(`tmp-${process.pid}-`);
  const open = existsSync('/proc/self/fd')
    ? readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return mine(readlinkSync(`/proc/self/fd/${fd}`));
        } catch {
          return false;
        }
      })
    : [];
  return { files: readdirSync(tmpdir()).filter(mine), open };
}

describe('reading a sheet in a thread of its own', () => {
  const rowsOf = (count: number) => `Nombre;Código\r\n${Array.from({ length: count }, (_, i) => `"Peña ${i}";OP-${i}\r\n`).join('')}`;
  const many = rowsOf(3_500);

  it.each([
    ['clients-libreoffice.xlsx', fixture('clients-libreoffice.xlsx')],
    ['clients-libreoffice.xls', fixture('clients-libreoffice.xls')],
    ['clients-utf8-bom.csv', fixture('clients-utf8-bom.csv')],
    ['clients-windows1252.csv', fixture('clients-windows1252.csv')],
    ['muchas.csv', scratch('muchas.csv', many)],
  ])('gives the same header and rows, numbered the same, as reading %s in the process', async (name, path) => {
    const limits = { maxRows: 10_000 };
    const expected = await inProcess(path, name, limits);
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(await inThread(path, name, limits)).toEqual(expected);
  });

  it('stops with the same message after the same rows when the file has more rows than the limit', async () => {
    const path = scratch('muchas.csv', many);
    const expected = await inProcess(path, 'muchas.csv', { maxRows: 2_500 });
    expect(expected.error).toBe('sheets.error.tooManyRows?max=2500');
    expect(await inThread(path, 'muchas.csv', { maxRows: 2_500 })).toEqual(expected);
  });

  it('refuses a file it cannot read as it opens it, with the message people see', async () => {
    const path = scratch('roto.xlsx', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 7)]));
    const refused = await openSheetInThread(path, 'roto.xlsx', { maxRows: 10 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SheetError);
    expect((refused as SheetError).messageKey).toBe('sheets.error.corrupt');
  });

  it('left early, before or after its first batch, leaves no parked copy of the sheet nor a file open', async () => {
    const before = parkedSheets();
    // LibreOffice stores the sheet before its shared strings: the reader parks it.
    const original = readFileSync(fixture('clients-libreoffice.xlsx'));
    for (const take of [0, 1]) {
      const sheet = await openSheetInThread(scratch('clientes.xlsx', original), 'clientes.xlsx', { maxRows: 10 });
      if (take) expect((await sheet.batches.next()).done).toBe(false);
      await sheet.batches.return(undefined);
      expect(parkedSheets()).toEqual(before);
    }
  });

  it('left after its first batch of a long file, stops reading it and lets the file go', async () => {
    const path = scratch('muchas.csv', many);
    const holding = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    }) : []);
    const sheet = await openSheetInThread(path, 'muchas.csv', { maxRows: 10_000 });
    const first = await sheet.batches.next();
    expect(first.done).toBe(false);
    expect((first.value as { rows: SheetRow[] }).rows.length).toBeLessThan(3_500);
    await sheet.batches.return(undefined);
    expect(holding()).toEqual([]);
    expect((await sheet.batches.next()).done).toBe(true);
  });

  describe('given help with a format it parses faster than its caller works', () => {
    const help = (formats: SheetFormat[]) => ({ module: moduleBeside(import.meta.url, 'support/row-work').href, data: { tenant: 7 }, formats });
    /** Reads every batch as a slow caller would (a few milliseconds each); what the thread worked on is counted apart. */
    async function slowly(path: string, name: string, formats: SheetFormat[]) {
      const sheet = await openSheetInThread<{ lines: number[]; data: unknown }>(path, name, { maxRows: 20_000 }, help(formats));
      const lines: number[] = [];
      let worked = 0;
      for await (const batch of sheet.batches) {
        if (batch.worked) {
          expect(batch.worked.data).toEqual({ tenant: 7 });
          lines.push(...batch.worked.lines);
          worked++;
        } else {
          lines.push(...batch.rows.map((row) => row.line));
          await sleep(30);
        }
      }
      return { lines, worked };
    }

    it('does the work on batches its caller has yet to take, and every row still comes once, in order', async () => {
      const { lines, worked } = await slowly(scratch('muchas.csv', rowsOf(12_000)), 'muchas.csv', ['csv']);
      expect(lines).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 2));
      expect(worked).toBeGreaterThan(0);
    });

    it('leaves other formats alone', async () => {
      const csv = await slowly(scratch('muchas.csv', rowsOf(12_000)), 'muchas.csv', ['xlsx']);
      expect(csv.lines).toHaveLength(12_000);
      expect(csv.worked).toBe(0);
      const xlsx = await slowly(fixture('clients-libreoffice.xlsx'), 'clients-libreoffice.xlsx', ['csv']);
      expect(xlsx.lines.length).toBeGreaterThan(0);
      expect(xlsx.worked).toBe(0);
    });
  });
});
