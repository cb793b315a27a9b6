import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { columnsFor, type ColumnRow } from '../../src/clients/queries.js';
import { translator } from '../../src/platform/i18n/index.js';
import ExcelJS from 'exceljs';
import { csvWriter, neutralizeFormula, xlsxWriter, type Cell } from '../../src/platform/spreadsheets/write.js';

/** What a csv writer produces for these batches, as one string. */
async function csv(headers: string[], batches: Cell[][][], options: Parameters<typeof csvWriter>[2] = {}): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    // A slow destination: the writer must wait for it, not pile up.
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
  const writer = csvWriter(out, headers, options);
  for (const batch of batches) await writer.write(batch);
  await writer.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('the csv writer', () => {
  it('writes a BOM, the headers and CRLF-ended rows, quoting what needs it', async () => {
    const text = await csv(['Nombre', 'Nota'], [
      [['Ana', 'simple'], ['Beto', 'con, coma'], ['Carla', 'con; punto y coma']],
      [['Dario', 'con "comillas"'], ['Elena', 'dos\r\nlíneas'], ['Fabio', '']],
    ]);
    expect(text).toBe(
      '\uFEFFNombre,Nota\r\nAna,simple\r\nBeto,"con, coma"\r\nCarla,"con; punto y coma"\r\nDario,"con ""comillas"""\r\nElena,"dos\r\nlíneas"\r\nFabio,\r\n',
    );
  });

  it('writes the amounts of money columns with the currency\'s decimals, and other numbers as they are', async () => {
    const rows: Cell[][] = [['A', 56955, 3], ['B', 52642.28, 4.5], ['C', -30.5, null], ['D', null, 0]];
    expect(await csv(['n', 'saldo', 'días'], [rows], { kinds: [null, 'money', null], moneyDecimals: 2 })).toBe(
      '\uFEFFn,saldo,días\r\nA,56955.00,3\r\nB,52642.28,4.5\r\nC,-30.50,\r\nD,,0\r\n',
    );
    // Chilean pesos have no decimals.
    expect(await csv(['saldo'], [[[120500], [99.6]]], { kinds: ['money'], moneyDecimals: 0 })).toBe('\uFEFFsaldo\r\n120500\r\n100\r\n');
  });

  it('neutralises text that a spreadsheet would run as a formula, and only text', async () => {
    const starts = ['=1+1', '+51 987', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd', '\0cmd'];
    const text = await csv(['v'], [starts.map((s) => [s]), [[-5], [0], [true], [null], [undefined], [new Date('2026-03-10T15:00:00Z')], ['a=b'], ['ok-']]]);
    const lines = text.slice(1).split('\r\n');
    expect(lines.slice(1, 8)).toEqual(["'=1+1", "'+51 987", "'-2+3", "'@SUM(A1)", "'\tcmd", `"'\rcmd"`, "'\0cmd"]);
    expect(lines.slice(8, 16)).toEqual(['-5', '0', 'true', '', '', '2026-03-10T15:00:00.000Z', 'a=b', 'ok-']);
    expect(starts.map(neutralizeFormula)).toEqual(starts.map((s) => `'${s}`));
  });

  it('leaves signed numbers such as E.164 phones as they are: read as numbers, they run nothing', () => {
    expect(['+51987654321', '-50', '-1.234,50', '+56 9 1234'].map(neutralizeFormula)).toEqual(['+51987654321', '-50', '-1.234,50', "'+56 9 1234"]);
  });

  it('lets a slow destination fall a few megabytes behind at most, then waits for it', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // Nothing is written until released: everything handed over piles up in the stream.
    const out = new Writable({
      write(_chunk, _encoding, done) {
        void released.then(() => done());
      },
    });
    const writer = csvWriter(out, ['texto']);
    const batch = Array.from({ length: 1_000 }, () => ['x'.repeat(1_000)]);
    const settled = (promise: Promise<void>) => Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 50))]);
    let batches = 0;
    for (;;) {
      const written = writer.write(batch);
      batches++;
      if (!(await settled(written))) {
        // About a megabyte a batch: it waits once some four are unwritten, not before and not much later.
        expect(batches).toBeGreaterThanOrEqual(4);
        expect(out.writableLength).toBeGreaterThanOrEqual(4 * 1024 * 1024);
        expect(out.writableLength).toBeLessThan(6 * 1024 * 1024);
        release();
        await written;
        break;
      }
      expect(batches).toBeLessThan(10);
    }
    await writer.end();
  });

  it('stops with the destination’s error once it fails (a full disk), instead of waiting for it for ever', async () => {
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, done) {
        setImmediate(() => done(new Error('ENOSPC: no space left on device')));
      },
    });
    out.on('error', () => undefined);
    const writer = csvWriter(out, ['Nombre']);
    const big: Cell[][] = Array.from({ length: 50_000 }, (_, i) => [`Cliente ${i} ${'x'.repeat(100)}`]);
    await writer.write(big).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(writer.write(big)).rejects.toThrow('ENOSPC');
  });

  it('ends with the destination’s error when it failed after the last rows, for csv and xlsx alike', async () => {
    for (const writerOf of [csvWriter, xlsxWriter]) {
      const out = new Writable({
        write(_chunk, _encoding, done) {
          setTimeout(() => done(new Error('ENOSPC: no space left on device')), 5);
        },
      });
      out.on('error', () => undefined);
      const writer = writerOf(out, ['Nombre']);
      await writer.write([['Ana']]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await expect(writer.end()).rejects.toThrow('ENOSPC');
    }
  });

  it('writes the headers alone when there are no rows', async () => {
    expect(await csv(['A', 'B'], [])).toBe('\uFEFFA,B\r\n');
  });
});

describe('the xlsx writer', () => {
  it('writes days and local times as date cells showing the same day and clock time, other text as it is', async () => {
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const writer = xlsxWriter(out, ['Día', 'Fecha y hora', 'Texto'], { kinds: ['date', 'datetime', null] });
    await writer.write([['2026-12-06', '2026-12-06 17:53', '2026-12-06 17:53'], [null, null, 'x']]);
    await writer.end();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const row = sheet.getRow(2);
    expect(row.getCell(1).value).toEqual(new Date(Date.UTC(2026, 11, 6)));
    expect(row.getCell(2).value).toEqual(new Date(Date.UTC(2026, 11, 6, 17, 53)));
    expect(row.getCell(2).numFmt).toBe('dd/mm/yyyy hh:mm');
    expect(row.getCell(3).value).toBe('2026-12-06 17:53');
    expect(sheet.getRow(3).getCell(2).value).toBeNull();
  });
});

describe('the clients columns', () => {
  const t = translator('es');
  const columns = columnsFor([{ key: 'region', label: 'Región' }]);
  const base: ColumnRow = {
    documentType: 'DNI',
    documentNumber: '01234567',
    name: 'María Peña',
    email: 'maria@correo.pe',
    phone: '+51987654321',
    segment: 'Premium',
    status: 'inactivo',
    deletedAt: null,
    situation: 'mora_31_60',
    supervisorName: 'Sara Supervisora',
    advisorName: 'Luis Asesor',
    contactability: 'no_contactable',
    contactAlerts: ['No llamar', 'Sin WhatsApp'],
    portfolio: 'castigada',
    totalBalance: 123456,
    daysPastDue: 45,
    additional: { region: 'Norte' },
  };
  const samples: ColumnRow[] = [base, { ...base, deletedAt: new Date('2026-03-01T00:00:00Z'), email: null, phone: null, segment: null, additional: {} }];

  // Downloads fetch only what the chosen columns declare they read: a column that reads
  // anything else would come out wrong in the file.
  it.each(columns.map((c) => [c.key, c] as const))('%s reads only the fields it declares', (_key, column) => {
    for (const row of samples) {
      const declared = Object.fromEntries(column.reads.map((field) => [field, row[field]]));
      const only = new Proxy(declared, {
        get(target, field) {
          if (typeof field === 'string' && !(field in target)) throw new Error(`${column.key} reads ${field}, which it does not declare`);
          return target[field as string];
        },
      }) as unknown as ColumnRow;
      expect(column.value(only, t)).toEqual(column.value(row, t));
      expect(column.value(only)).toEqual(column.value(row));
    }
  });
});
