import ExcelJS from 'exceljs';
import { createDeflateRaw } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { clientEvents } from '../../src/events/schema.js';
import { promises } from '../../src/payments/schema.js';
import { makePromise, registerPayment, verifyPayment } from '../../src/payments/service.js';
import { tenantSettings } from '../../src/settings/schema.js';
import { addDays, todayIn } from '../../src/platform/dates.js';
import { scopeFor } from '../payments/support.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { users } from '../../src/users/schema.js';
import { clientVariables } from '../../src/settings/schema.js';
import { clients } from '../../src/clients/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant, type Staff } from '../support/factories.js';
import { clientsOf, fixture, importFile, ordersOf, processIdFrom, processOf, stagedRows, upload } from './support.js';

let h: Harness;
let acme: Tenant;
let admin: Staff;

beforeAll(async () => {
  h = await startTestApp({ jobs: true, env: { LOG_LEVEL: 'error' } });
  acme = await newTenant(h);
  admin = await addStaff(h, acme, { role: 'admin' });
});
afterAll(() => h.close());

// Made by LibreOffice or written as Excel in Spanish saves them; the UTF-16 one is LibreOffice's "Unicode" csv, tab-separated like Excel's "Unicode text".
const FIXTURES = ['clients-libreoffice.xlsx', 'clients-libreoffice.xls', 'clients-utf8-bom.csv', 'clients-windows1252.csv', 'clients-utf16-libreoffice.csv'];

describe('importing clients with their payment orders', () => {
  it.each(FIXTURES)('%s imports with accents, leading zeros, amounts and dates as people typed them', async (name) => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    const { process } = await importFile(h, client, name, fixture(name));
    expect(process.state).toBe('completed');
    expect(process.counts).toMatchObject({ rows: 3, create: 3, update: 0, unchanged: 0, rejected: 0 });

    const stored = await clientsOf(h, tenant.id);
    expect(stored.map((c) => [c.documentType, c.documentNumber, c.name])).toEqual([
      ['DNI', '00456789', 'José Ávila Güemes'],
      ['DNI', '01234567', 'María Peña Ñahui'],
    ]);
    expect(stored[1]!.phone).toBe('+51987654321');
    const orders = await ordersOf(h, tenant.id);
    expect(orders.map((o) => [o.paymentCode, o.product, o.amount, o.issueDate, o.dueDate])).toEqual([
      ['OP-0001', 'Crédito vehicular', 123450, '2026-01-15', '2026-02-15'],
      ['OP-0002', 'Tarjeta', 123450, '2026-01-20', '2026-03-20'],
      ['OP-0003', 'Préstamo', 50000, '2026-01-15', '2026-04-15'],
    ]);
    // The balances the tray shows are kept in the same transaction.
    expect(stored[1]!.totalBalance).toBe(246900);
    expect(stored[1]!.unpaidOrders).toBe(2);
    expect(await stagedRows(h, tenant.id)).toBe(0);
  });

  it.each(['clients-excel-formula.xlsx', 'clients-excel-formula.xls'])('%s loads an amount in a money format and an interest a formula computed, to the cent', async (name) => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { process } = await importFile(h, client, name, fixture(name));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 1, create: 1, rejected: 0 });
    const orders = await ordersOf(h, tenant.id);
    expect(orders.map((o) => [o.paymentCode, o.amount, o.interest, o.issueDate, o.dueDate])).toEqual([['OP-0001', 1234_50, 123_45, '2026-01-01', '2026-02-01']]);
    expect((await clientsOf(h, tenant.id)).map((c) => [c.documentNumber, c.name])).toEqual([['01234567', 'Rosa Quispe Huamán']]);
  });

  it('reads an amount cell with three decimals as a number, not thousands, and a DNI stored as a number with its zeros', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Hoja1');
    sheet.addRow(['Tipo de documento', 'Número de documento', 'Nombre', 'Código de pago', 'Monto', 'Fecha de emisión', 'Fecha de vencimiento']);
    sheet.addRow(['DNI', 1234567, 'Ana Torres', 'NUM-1', 12.345, new Date(Date.UTC(2026, 0, 15)), new Date(Date.UTC(2026, 1, 15))]);
    sheet.addRow(['DNI', '00456790', 'Beto Ríos', 'NUM-2', '12,345', new Date(Date.UTC(2026, 0, 15)), new Date(Date.UTC(2026, 1, 15))]);
    sheet.addRow(['DNI', '00456791', 'Carla Paz', 'NUM-3', '12.345', new Date(Date.UTC(2026, 0, 15)), new Date(Date.UTC(2026, 1, 15))]);
    const { id, process } = await importFile(h, client, 'numeros.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 3, create: 2, rejected: 1 });
    // The number 12.345 is twelve soles and 35 cents (rounded as a money format shows it); the
    // typed text "12,345" is twelve thousand, as soles are written; typed "12.345" reads two ways and is refused.
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount])).toEqual([
      ['NUM-1', 12_35],
      ['NUM-2', 12_345_00],
    ]);
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['00456790', '01234567']);
    expect(await (await client.get(`/app/process-log/${id}/files/errors`)).text()).toMatch(/^4,Monto,12\.345,"?No sabemos si el punto separa miles o decimales/m);
  });

  it('reads a day as typed or as a date serial in a number cell, and refuses digits without marks with a message that shows the form', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const csv = [
      'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento',
      'DNI,12345678,Ana,D-1,100,5/1/2026,2026-02-15',
      'DNI,22345678,Beto,D-2,100,150126,15/02/2026',
      'DNI,32345678,Carla,D-3,100,46037,15.02.2026',
      'DNI,42345678,Dora,D-4,100,31/02/2026,15/03/2026',
      // As LibreOffice writes a dd/mm/yy cell to csv: the year of its century nearest today.
      'DNI,72345678,Gina,D-7,100,06/01/26,06/02/26',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'fechas.csv', Buffer.from(csv));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 5, create: 2, rejected: 3 });
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.issueDate, o.dueDate])).toEqual([
      ['D-1', '2026-01-05', '2026-02-15'],
      ['D-7', '2026-01-06', '2026-02-06'],
    ]);
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    // A csv holds text: six or five digits are no day anyone can be sure of (year 2311, or 2026-01-15).
    expect(report).toMatch(/^3,Fecha de emisión,150126,"Escribe una fecha válida, como 31\/12\/2026/m);
    expect(report).toMatch(/^4,Fecha de emisión,46037,/m);
    expect(report).toMatch(/^5,Fecha de emisión,31\/02\/2026,/m);

    // In a spreadsheet, a number cell in a date column is Excel's day count, within reason.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Hoja1');
    sheet.addRow(['Tipo de documento', 'Número de documento', 'Nombre', 'Código de pago', 'Monto', 'Fecha de emisión', 'Fecha de vencimiento']);
    sheet.addRow(['DNI', '52345678', 'Eva', 'D-5', 100, 46037, '15/02/2026']);
    sheet.addRow(['DNI', '62345678', 'Flor', 'D-6', 100, 150126, '15/02/2026']);
    const second = await importFile(h, client, 'fechas.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(second.process.counts, JSON.stringify(second.process)).toMatchObject({ rows: 2, create: 1, rejected: 1 });
    expect((await ordersOf(h, tenant.id)).find((o) => o.paymentCode === 'D-5')).toMatchObject({ issueDate: '2026-01-15', dueDate: '2026-02-15' });
  });

  // A workbook that counts days from 1904 (Excel for Mac; LibreOffice writes date1904="true",
  // Excel "1"), with a due date a formula works out (=F3+31); the first one also hides last
  // month's sheet before the one to load.
  it.each(['clients-1904-hidden-excel.xlsx', 'clients-1904-libreoffice.xlsx', 'clients-1904-libreoffice.xls'])('%s loads the days the sheet shows, from its first sheet not hidden', async (name) => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { process } = await importFile(h, client, name, fixture(name));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 2, create: 2, rejected: 0 });
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount, o.issueDate, o.dueDate])).toEqual([
      ['QA-H-001', 150_00, '2026-11-01', '2026-11-30'],
      ['QA-H-002', 80_50, '2026-01-15', '2026-02-15'],
    ]);
  });

  it('an xls whose first sheet is hidden is read from the first sheet shown', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { process } = await importFile(h, client, 'clients-hidden-first.xls', fixture('clients-hidden-first.xls'));
    expect(process.counts).toMatchObject({ rows: 1, create: 1, rejected: 0 });
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount, o.issueDate, o.dueDate])).toEqual([['QA-H-001', 150_00, '2026-11-01', '2026-11-30']]);
  });

  it('maps the headers people write for a name, the campaign template\'s among them', async () => {
    const { suggestMapping } = await import('../../src/imports/fields.js');
    for (const heading of ['Nombre y apellido', 'Nombres y apellidos', 'APELLIDOS Y NOMBRES', 'Razón social']) {
      expect(suggestMapping(['Tipo de documento', 'Número de documento', heading], {}).name, heading).toBe(2);
    }
  });

  it('an upload waiting for its columns or its apply can be discarded: nothing of it loads, and the Process log says so', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento\n';
    const file = Buffer.from(`${header}DNI,70000101,Uno,DS-01,100,01/02/2026,01/03/2026\n`);

    // Waiting for its columns.
    const waiting = processIdFrom(await upload(client, 'espera.csv', file));
    expect(await (await client.get(`/app/imports/${waiting}`)).text()).toContain('Descartar esta carga');
    const discarded = await client.post(`/app/imports/${waiting}/discard`);
    expect(discarded.headers.get('location')).toBe('/app/process-log');
    expect(await processOf(h, waiting)).toMatchObject({ state: 'discarded', stage: 'discarded' });
    const log = await (await client.get('/app/process-log')).text();
    expect(log).toContain('Descartado');
    expect(log).toContain('Descartamos la carga: no se cargó nada de ella.');
    const page = await (await client.get(`/app/imports/${waiting}`)).text();
    expect(page).toContain('Esta carga se descartó');
    expect(page).not.toContain('Descartar esta carga');
    expect((await client.post(`/app/imports/${waiting}/mapping`, { 'map.name': '2' })).status).toBe(422);

    // Checked and waiting for its apply: its staged rows go at once, and it can no longer be applied.
    const { id: checked } = await importFile(h, client, 'revisada.csv', file, { apply: false });
    expect(await stagedRows(h, tenant.id)).toBeGreaterThan(0);
    expect((await client.post(`/app/imports/${checked}/discard`)).status).toBe(303);
    expect(await stagedRows(h, tenant.id)).toBe(0);
    await client.post(`/app/imports/${checked}/application`);
    await h.runJobs();
    expect(await processOf(h, checked)).toMatchObject({ state: 'discarded' });
    expect(await clientsOf(h, tenant.id)).toHaveLength(0);
    // Once applied, an upload stays: discarding it is refused and changes nothing.
    const { id: applied } = await importFile(h, client, 'aplicada.csv', file);
    await client.post(`/app/imports/${applied}/discard`);
    expect(await processOf(h, applied)).toMatchObject({ state: 'completed', stage: 'applied' });
    expect(await clientsOf(h, tenant.id)).toHaveLength(1);
  });

  it('re-uploading the same file changes nothing', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    await importFile(h, client, 'clients-utf8-bom.csv', fixture('clients-utf8-bom.csv'));
    const clientsBefore = await clientsOf(h, tenant.id);
    const ordersBefore = await ordersOf(h, tenant.id);
    h.clock.advance(3_600_000);

    // With nothing to load the check finishes the upload: no "Aplicar" that would load nothing.
    const again = await importFile(h, client, 'clients-windows1252.csv', fixture('clients-windows1252.csv'), { apply: false });
    expect(again.process).toMatchObject({ state: 'completed', stage: 'applied' });
    expect(again.process.counts).toMatchObject({ rows: 3, create: 0, update: 0, unchanged: 3, rejected: 0 });
    const page = await (await client.get(`/app/imports/${again.id}`)).text();
    expect(page).toContain('No hay nada que cargar');
    expect(page).not.toContain(`action="/app/imports/${again.id}/application"`);
    expect(await stagedRows(h, tenant.id)).toBe(0);
    expect(await clientsOf(h, tenant.id)).toEqual(clientsBefore);
    expect(await ordersOf(h, tenant.id)).toEqual(ordersBefore);
  });

  it('an upload is opened and worked only by those the Process log shows it to: without receivables, one\'s own', async () => {
    const tenant = await newTenant(h);
    const boss = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const id = processIdFrom(await upload(boss, 'clients-utf8-bom.csv', fixture('clients-utf8-bom.csv')));
    const before = await processOf(h, id);
    const loader = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'advisor', grant: ['imports'], revoke: ['receivables'] }));
    for (const path of [`/app/imports/${id}`, `/app/imports/${id}/status`]) expect((await loader.get(path)).status, path).toBe(404);
    expect((await loader.post(`/app/imports/${id}/mapping`, {})).status).toBe(404);
    expect((await loader.post(`/app/imports/${id}/application`, {})).status).toBe(404);
    expect(await processOf(h, id)).toEqual(before);
    // Their own upload is theirs to work; one with receivables works everyone's.
    const own = processIdFrom(await upload(loader, 'clients-utf8-bom.csv', fixture('clients-utf8-bom.csv')));
    expect((await loader.get(`/app/imports/${own}`)).status).toBe(200);
    const supervisor = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'supervisor', grant: ['imports'] }));
    expect((await supervisor.get(`/app/imports/${id}`)).status).toBe(200);
  });

  it('a changed amount updates that order only, and the other rows are counted unchanged', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    await importFile(h, client, 'a.csv', fixture('clients-utf8-bom.csv'));
    const changed = fixture('clients-utf8-bom.csv').toString('utf8').replace('OP-0003,Préstamo,500', 'OP-0003,Préstamo,750');
    const { process } = await importFile(h, client, 'b.csv', Buffer.from(changed));
    expect(process.counts).toMatchObject({ create: 0, update: 1, unchanged: 2 });
    const orders = await ordersOf(h, tenant.id);
    expect(orders.find((o) => o.paymentCode === 'OP-0003')!.amount).toBe(75000);

    // The client whose order the second file changed has it in its Interacciones, naming the
    // file; the clients the first file created and the unchanged ones get nothing.
    const events = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, tenant.id), sql`${clientEvents.type} like 'import.%'`)).orderBy(clientEvents.id);
    const owner = orders.find((o) => o.paymentCode === 'OP-0003')!.clientId;
    expect(events.map((e) => [e.type, e.clientId, (e.data as { file?: string }).file, e.actorId])).toEqual([['import.client_updated', owner, 'b.csv', staff.id]]);
    const history = await (await client.get(`/app/clients/${owner}/interactions`)).text();
    expect(history).toContain('Actualizado por carga de archivo (el cliente o sus órdenes)');
    expect(history).toContain('Archivo: b.csv');
    // A changed detail of a stored client counts too: María's new email, once for her two rows.
    const newEmail = changed.toString().replaceAll('maria@example.pe', 'maria.pena@example.pe');
    await importFile(h, client, 'c.csv', Buffer.from(newEmail));
    const maria = (await clientsOf(h, tenant.id)).find((c) => c.documentNumber === '01234567')!;
    const again = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, tenant.id), sql`${clientEvents.type} like 'import.%'`)).orderBy(clientEvents.id);
    expect(again.map((e) => [e.clientId, (e.data as { file?: string }).file])).toEqual([[owner, 'b.csv'], [maria.id, 'c.csv']]);
  });

  it('a stored client whose row brings a new order and a new name gets both, though the row counts as a creation', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento';
    await importFile(h, client, 'a.csv', Buffer.from(`${header}\nDNI,01234567,Rosa Quispe,OP-1,100,01/01/2026,01/02/2026\n`));
    const { process } = await importFile(h, client, 'b.csv', Buffer.from(`${header}\nDNI,01234567,Rosa Quispe Mamani,OP-2,50,01/01/2026,01/03/2026\n`));
    expect(process.counts).toMatchObject({ create: 1, update: 0, unchanged: 0 });
    const [stored] = await clientsOf(h, tenant.id);
    expect(stored).toMatchObject({ name: 'Rosa Quispe Mamani', unpaidOrders: 2, totalBalance: 15_000 });
  });

  it('a blank cell keeps what is stored, and a new client with blank cells takes the defaults', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const header = 'Tipo de documento,Número de documento,Nombre,Correo,Teléfono,Segmento,Estado,Contactabilidad,Alertas de contacto,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento';
    await importFile(h, client, 'a.csv', Buffer.from(`${header}\nDNI,01234567,Rosa Quispe,rosa@example.pe,987654321,Premium,inactivo,no_contactable,Número errado,OP-1,100,01/01/2026,01/02/2026\n`));
    const blanks = `${header}\nDNI,01234567,Rosa Quispe,,,,,,,OP-1,100,01/01/2026,01/02/2026\nDNI,07654321,Ana Ríos,,,,,,,OP-2,100,01/01/2026,01/02/2026\n`;
    const { process } = await importFile(h, client, 'b.csv', Buffer.from(blanks));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ create: 1, update: 0, unchanged: 1, rejected: 0 });
    const [rosa, ana] = await clientsOf(h, tenant.id);
    expect(rosa).toMatchObject({ email: 'rosa@example.pe', phone: '+51987654321', segment: 'Premium', status: 'inactivo', contactability: 'no_contactable', contactAlerts: ['Número errado'] });
    expect(ana).toMatchObject({ email: null, phone: null, segment: null, status: 'activo', contactability: 'contactable', contactAlerts: [] });

    // A value in the cell still replaces the stored one.
    const changed = `${header}\nDNI,01234567,Rosa Quispe,rosa.q@example.pe,,,activo,,,OP-1,100,01/01/2026,01/02/2026\n`;
    expect((await importFile(h, client, 'c.csv', Buffer.from(changed))).process.counts).toMatchObject({ update: 1 });
    expect((await clientsOf(h, tenant.id))[0]).toMatchObject({ email: 'rosa.q@example.pe', phone: '+51987654321', status: 'activo', contactability: 'no_contactable' });
  });

  it('assigns the supervisor and advisor a file names by email or by name, refuses anyone else, and a blank cell keeps the assignee', async () => {
    const tenant = await newTenant(h);
    const admin = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, admin);
    const lucia = await addStaff(h, tenant, { role: 'advisor', name: 'Lucía Ramos', email: 'lucia@example.pe' });
    const jorge = await addStaff(h, tenant, { role: 'supervisor', name: 'Jorge Díaz', email: 'jorge@example.pe' });
    await addStaff(h, tenant, { role: 'advisor', name: 'Ana Pérez', email: 'ana1@example.pe' });
    await addStaff(h, tenant, { role: 'advisor', name: 'Ana Perez', email: 'ana2@example.pe' });
    const gone = await addStaff(h, tenant, { role: 'advisor', name: 'Pedro Salas', email: 'pedro@example.pe' });
    await h.db.update(users).set({ active: false }).where(eq(users.id, gone.id));
    // Staff of another tenant are no one here.
    const other = await newTenant(h);
    await addStaff(h, other, { role: 'advisor', name: 'Rita Vega', email: 'rita@example.pe' });

    const header = 'Tipo de documento,Número de documento,Nombre,Supervisor,Asesor,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento';
    const csv = [
      header,
      'DNI,10000001,Uno,jorge@example.pe,LUCIA@example.pe,OP-1,100,01/01/2026,01/02/2026',
      'DNI,10000002,Dos,,lucía  ramos,OP-2,100,01/01/2026,01/02/2026',
      'DNI,10000003,Tres,,Ana Pérez,OP-3,100,01/01/2026,01/02/2026',
      'DNI,10000004,Cuatro,pedro@example.pe,,OP-4,100,01/01/2026,01/02/2026',
      'DNI,10000005,Cinco,,rita@example.pe,OP-5,100,01/01/2026,01/02/2026',
      'DNI,10000006,Seis,,ana2@example.pe,OP-6,100,01/01/2026,01/02/2026',
      'DNI,10000007,Siete,lucia@example.pe,,OP-7,100,01/01/2026,01/02/2026',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'asignaciones.csv', Buffer.from(csv));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 7, create: 3, rejected: 4 });
    const assigned = (await clientsOf(h, tenant.id)).map((c) => [c.documentNumber, c.supervisorId, c.advisorId]);
    expect(assigned).toEqual([
      ['10000001', jorge.id, lucia.id],
      ['10000002', null, lucia.id],
      ['10000006', null, expect.any(Number)],
    ]);
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toMatch(/^4,Asesor,Ana Pérez,Hay más de un usuario con ese nombre: escribe su correo\.$/m);
    expect(report).toMatch(/^5,Supervisor,pedro@example\.pe,El usuario está desactivado/m);
    expect(report).toMatch(/^6,Asesor,rita@example\.pe,No hay un usuario con ese correo o nombre/m);
    expect(report).toMatch(/^8,Supervisor,lucia@example\.pe,Un asesor no puede ser supervisor/m);

    // The same file again changes nothing; a blank cell keeps the assignee, a named one replaces it.
    expect((await importFile(h, client, 'asignaciones.csv', Buffer.from(csv))).process.counts).toMatchObject({ create: 0, update: 0, unchanged: 3 });
    const again = [header, 'DNI,10000001,Uno,,,OP-1,100,01/01/2026,01/02/2026', 'DNI,10000002,Dos,Jorge Díaz,,OP-2,100,01/01/2026,01/02/2026'].join('\n');
    expect((await importFile(h, client, 'otra.csv', Buffer.from(again))).process.counts).toMatchObject({ update: 1, unchanged: 1 });
    expect((await clientsOf(h, tenant.id)).slice(0, 2).map((c) => [c.supervisorId, c.advisorId])).toEqual([
      [jorge.id, lucia.id],
      [jorge.id, lucia.id],
    ]);
    // The tray filters by them at once.
    expect(await (await client.get(`/app/clients?advisor=${lucia.id}`)).text()).toContain('Dos');
  });

  it('a file without the payment order’s columns loads clients only: creates and updates them, leaves their orders alone, and changes nothing the second time', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const orders = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento';
    await importFile(h, client, 'ordenes.csv', Buffer.from(`${orders}\nDNI,01234567,Rosa Quispe,OP-1,100,01/01/2026,01/02/2026\n`));

    const header = 'Tipo de documento,Número de documento,Nombre,Teléfono,Segmento';
    const csv = [
      header,
      'DNI,01234567,Rosa Quispe,987654321,Premium', // stored: her phone and segment change
      'DNI,07654321,Ana Ríos,,Base', // new
      'DNI,07654321,Ana Ríos,,Base', // the same client again, as said: nothing more
      'DNI,11111111,Luis Paz,,', // new
      'DNI,11111111,Luis Pazos,,', // the same client, said otherwise: refused
      'DNI,123,Beto,,', // refused
    ].join('\n');
    const page = await (await client.get(`/app/imports/${processIdFrom(await upload(client, 'vistazo.csv', Buffer.from(csv)))}`)).text();
    expect(page).toContain('sin ninguno de ellos, el archivo carga solo clientes');
    const { id, process } = await importFile(h, client, 'clientes.csv', Buffer.from(csv));
    expect(process.state).toBe('completed_with_errors');
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 6, create: 2, update: 1, unchanged: 1, rejected: 2 });
    expect(await (await client.get(`/app/imports/${id}`)).text()).toContain('se cargan solo los clientes');
    const stored = await clientsOf(h, tenant.id);
    expect(stored.map((c) => [c.documentNumber, c.name, c.phone, c.segment, c.unpaidOrders, c.totalBalance])).toEqual([
      ['01234567', 'Rosa Quispe', '+51987654321', 'Premium', 1, 10_000],
      ['07654321', 'Ana Ríos', null, 'Base', 0, 0],
      ['11111111', 'Luis Paz', null, null, 0, 0],
    ]);
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount])).toEqual([['OP-1', 10_000]]);
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report.trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual(['6,Número de documento', '7,Número de documento']);
    // A client with no orders is finalizado, as one created in the form.
    expect(await (await client.get('/app/clients?situation=finalizado')).text()).toContain('Ana Ríos');

    expect((await importFile(h, client, 'clientes.csv', Buffer.from(csv))).process.counts).toMatchObject({ create: 0, update: 0, unchanged: 4, rejected: 2 });
    expect(await stagedRows(h, tenant.id)).toBe(0);
  });

  it('loads the tenant’s additional variables by their key or name: a blank cell keeps the stored value, other stored values stay, and a second upload changes nothing', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    await h.db.insert(clientVariables).values([
      { tenantId: tenant.id, key: 'region', label: 'Región', position: 0 },
      { tenantId: tenant.id, key: 'sucursal', label: 'Sucursal de origen', position: 1 },
    ]);
    // The template heads them by their names, and the mapping offers them.
    const template = new ExcelJS.Workbook();
    await template.xlsx.load(Buffer.from(await (await client.get('/app/imports/template.xlsx')).arrayBuffer()) as unknown as ExcelJS.Buffer);
    expect(template.worksheets[0]!.getRow(1).values).toEqual(expect.arrayContaining(['Región', 'Sucursal de origen']));

    const header = 'Tipo de documento,Número de documento,Nombre,Región,sucursal,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento';
    const first = [header, 'DNI,01234567,Rosa Quispe,Lima,Centro,OP-1,100,01/01/2026,01/02/2026', 'DNI,07654321,Ana Ríos,,Norte,OP-2,100,01/01/2026,01/02/2026'].join('\n');
    const page = await (await client.get(`/app/imports/${processIdFrom(await upload(client, 'vistazo.csv', Buffer.from(first)))}`)).text();
    expect(page).toMatch(/Región<\/label>[\s\S]*?name="map\.additional\.region">[\s\S]*?<option value="3" selected/);
    expect(page).toMatch(/name="map\.additional\.sucursal">[\s\S]*?<option value="4" selected/);
    expect((await importFile(h, client, 'a.csv', Buffer.from(first))).process.counts).toMatchObject({ create: 2, rejected: 0 });
    const additional = async () => (await clientsOf(h, tenant.id)).map((c) => c.additional);
    expect(await additional()).toEqual([{ region: 'Lima', sucursal: 'Centro' }, { sucursal: 'Norte' }]);

    // A value of a variable deleted since stays, as the client form keeps it.
    await h.db.execute(sql`update clients set additional = additional || '{"antiguo":"x"}' where tenant_id = ${tenant.id} and document_number = '01234567'`);
    const second = [header, 'DNI,01234567,Rosa Quispe,Cusco,,OP-1,100,01/01/2026,01/02/2026', 'DNI,07654321,Ana Ríos,,Norte,OP-2,100,01/01/2026,01/02/2026'].join('\n');
    const { process } = await importFile(h, client, 'b.csv', Buffer.from(second));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ create: 0, update: 1, unchanged: 1, rejected: 0 });
    expect(await additional()).toEqual([{ region: 'Cusco', sucursal: 'Centro', antiguo: 'x' }, { sucursal: 'Norte' }]);
    const [rosa] = await clientsOf(h, tenant.id);
    const events = await h.db.select().from(clientEvents).where(and(eq(clientEvents.tenantId, tenant.id), eq(clientEvents.clientId, rosa!.id)));
    expect(events.map((e) => e.type)).toContain('import.client_updated');
    expect((await importFile(h, client, 'b.csv', Buffer.from(second))).process.counts).toMatchObject({ create: 0, update: 0, unchanged: 2 });
    // A variable deleted between the check and the apply is not loaded.
    const pending = await importFile(h, client, 'e.csv', Buffer.from([header, 'DNI,01234567,Rosa Quispe,Arequipa,Sur,OP-1,100,01/01/2026,01/02/2026'].join('\n')), { apply: false });
    expect(pending.process.counts).toMatchObject({ update: 1 });
    await h.db.delete(clientVariables).where(and(eq(clientVariables.tenantId, tenant.id), eq(clientVariables.key, 'sucursal')));
    expect((await client.post(`/app/imports/${pending.id}/application`)).status).toBe(303);
    await h.runJobs();
    expect((await additional())[0]).toEqual({ region: 'Arequipa', sucursal: 'Centro', antiguo: 'x' });
    await h.db.update(clients).set({ additional: { region: 'Cusco', sucursal: 'Centro', antiguo: 'x' } }).where(and(eq(clients.tenantId, tenant.id), eq(clients.documentNumber, '01234567')));
    await h.db.insert(clientVariables).values({ tenantId: tenant.id, key: 'sucursal', label: 'Sucursal de origen', position: 1 });
    // The tray filters on what the file loaded.
    const tray = await (await client.get('/app/clients?var.region=Cusco')).text();
    expect(tray).toContain('Rosa Quispe');
    expect(tray).not.toContain('Ana Ríos');

    // A value too long is the variable's column's error; one client said two ways is refused.
    const bad = [header, `DNI,01234567,Rosa Quispe,${'x'.repeat(501)},,OP-1,100,01/01/2026,01/02/2026`, 'DNI,07654321,Ana Ríos,,Sur,OP-3,100,01/01/2026,01/02/2026', 'DNI,07654321,Ana Ríos,,Este,OP-4,100,01/01/2026,01/02/2026'].join('\n');
    const refused = await importFile(h, client, 'c.csv', Buffer.from(bad));
    expect(refused.process.counts).toMatchObject({ rejected: 2 });
    const report = await (await client.get(`/app/process-log/${refused.id}/files/errors`)).text();
    const lines = report.trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 2).join(','));
    expect(lines).toEqual(['2,Región', '4,Número de documento']);
    expect(await additional()).toEqual([{ region: 'Cusco', sucursal: 'Centro', antiguo: 'x' }, { sucursal: 'Sur' }]);
  });

  it('a row may not lower an order below what was paid on it, unless the tenant keeps credits, as the order form says', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento';
    const file = (amount: string) => Buffer.from(`${header}\nDNI,01234567,Rosa Quispe,OP-1,${amount},01/01/2026,01/02/2026\n`);
    await importFile(h, client, 'a.csv', file('500'));
    const [order] = await ordersOf(h, tenant.id);
    const scope = scopeFor(h, tenant);
    const paid = await registerPayment(scope, order!.clientId, { amount: 200_00, paidOn: '2026-02-01', method: 'efectivo', reference: null, orders: [order!.id] });
    await verifyPayment(scope, paid.ok ? paid.payment.id : 0);

    const lower = await importFile(h, client, 'b.csv', file('150'));
    expect(lower.process.counts).toMatchObject({ update: 0, rejected: 1 });
    const report = await (await client.get(`/app/process-log/${lower.id}/files/errors`)).text();
    expect(report).toContain('2,Monto,150.00,El total de la orden no puede quedar por debajo de lo ya pagado en ella.');
    expect((await ordersOf(h, tenant.id))[0]!.amount).toBe(500_00);
    // A payment verified between the check and the apply: the apply is refused whole, naming the row.
    const checked = await importFile(h, client, 'b2.csv', file('250'), { apply: false });
    expect(checked.process.counts).toMatchObject({ update: 1, rejected: 0 });
    const more = await registerPayment(scope, order!.clientId, { amount: 100_00, paidOn: '2026-02-01', method: 'efectivo', reference: null, orders: [order!.id] });
    await verifyPayment(scope, more.ok ? more.payment.id : 0);
    expect((await client.post(`/app/imports/${checked.id}/application`)).status).toBe(303);
    await h.runJobs();
    expect(await processOf(h, checked.id)).toMatchObject({ state: 'failed', stage: 'mapping' });
    expect(await (await client.get(`/app/imports/${checked.id}`)).text()).toContain('por debajo de lo ya pagado');
    expect((await ordersOf(h, tenant.id))[0]!.amount).toBe(500_00);
    // To what was paid, it goes; with credits kept, below it too.
    expect((await importFile(h, client, 'c.csv', file('300'))).process.counts).toMatchObject({ update: 1, rejected: 0 });
    await h.db.insert(tenantSettings).values({ tenantId: tenant.id, allowOverpayment: true }).onConflictDoUpdate({ target: tenantSettings.tenantId, set: { allowOverpayment: true } });
    expect((await importFile(h, client, 'd.csv', file('150'))).process.counts).toMatchObject({ update: 1, rejected: 0 });
    expect((await ordersOf(h, tenant.id))[0]!.amount).toBe(150_00);
  });

  it('discounts bring an order to zero at most, whichever of amount, interest and discounts the file leaves out', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    // No interest column: a new order's interest is 0.
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Descuentos,Fecha de emisión,Fecha de vencimiento';
    const first = await importFile(h, client, 'a.csv', Buffer.from(`${header}\nDNI,01234567,Rosa Quispe,OP-1,500.00,600.00,01/01/2026,01/02/2026\nDNI,01234567,Rosa Quispe,OP-2,1000.00,,01/01/2026,01/02/2026\n`));
    expect(first.process.counts).toMatchObject({ create: 1, rejected: 1 });
    const report = await (await client.get(`/app/process-log/${first.id}/files/errors`)).text();
    expect(report).toContain('2,Descuentos,600.00,Los descuentos no pueden ser mayores que el monto más los intereses.');
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount, o.discounts])).toEqual([['OP-2', 1000_00, 0]]);
    // The client's totals are those of the order loaded, not of the refused one.
    expect((await clientsOf(h, tenant.id)).map((c) => c.totalBalance)).toEqual([1000_00]);
    // A stored order's discounts stay what they are: an amount below them is refused too.
    expect((await importFile(h, client, 'b.csv', Buffer.from(`${header}\nDNI,01234567,Rosa Quispe,OP-2,1000.00,300.00,01/01/2026,01/02/2026\n`))).process.counts).toMatchObject({ update: 1, rejected: 0 });
    const lower = await importFile(h, client, 'c.csv', Buffer.from('Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento\nDNI,01234567,Rosa Quispe,OP-2,200.00,01/01/2026,01/02/2026\n'));
    expect(lower.process.counts).toMatchObject({ update: 0, rejected: 1 });
    expect(await (await client.get(`/app/process-log/${lower.id}/files/errors`)).text()).toContain('2,Monto,200.00,El monto más los intereses no puede quedar por debajo de los descuentos de la orden.');
    expect((await ordersOf(h, tenant.id)).map((o) => [o.amount, o.discounts])).toEqual([[1000_00, 300_00]]);
  });

  it('a cell whose formula failed (#DIV/0!, #N/A) refuses its row: it is neither a value nor a blank that would clear what is stored', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    // Made by LibreOffice: an interest of =1/0 and a name of =NA().
    const { id, process } = await importFile(h, client, 'errores.xlsx', fixture('clients-formula-errors.xlsx'));
    expect(process.counts).toMatchObject({ rows: 3, create: 1, rejected: 2 });
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    const lines = report.trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 3).join(','));
    expect(lines).toEqual(['2,Intereses,#ERROR', '3,Nombre,#ERROR']);
    expect(report).toContain('fórmula con error o sin resultado');
    expect((await ordersOf(h, tenant.id)).map((o) => o.paymentCode)).toEqual(['OP-3']);
  });

  it('a failed formula in an order column says so, not "required"; LibreOffice’s csv codes, a day with a time and a long fraction are read as the sheet meant', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Intereses,Fecha de emisión,Fecha de vencimiento';
    const csv = [
      header,
      'DNI,01234567,Rosa Quispe,OP-1,#DIV/0!,0,01/01/2026,01/02/2026',
      'DNI,07654321,Ana Torres,OP-2,Err:502,0,01/01/2026,01/02/2026',
      // A date-and-time cell as LibreOffice writes it to a csv: its day.
      'DNI,45678912,Luis Ramos,OP-3,100,0,01/03/2026 23:30,31/12/2026 00:00',
      // =1/3 written to a csv: too many decimals, not "too large".
      'DNI,12345678,Eva Soto,OP-4,100,0.333333333333333,01/01/2026,01/02/2026',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'libre.csv', Buffer.from(`${csv}\n`));
    expect(process.counts).toMatchObject({ rows: 4, create: 1, rejected: 3 });
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toMatch(/^2,Monto,#DIV\/0!,"?La celda tiene una fórmula con error/m);
    expect(report, report).toMatch(/^3,Monto,Err:502,"?La celda tiene una fórmula con error/m);
    expect(report).not.toContain('Este campo es obligatorio');
    expect(report).toMatch(/^5,Intereses,0\.333333333333333,.*decimales/m);
    expect(report).not.toContain('demasiado grande');
    const [order] = await ordersOf(h, tenant.id);
    expect(order).toMatchObject({ paymentCode: 'OP-3', issueDate: '2026-03-01', dueDate: '2026-12-31' });
  });

  it('a column of choices that gets another word is told the words it takes', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const csv = 'Tipo de documento,Número de documento,Nombre,Estado,Contactabilidad\nDNI,01234567,Rosa,dormido,rarito\nDNI,07654321,Ana,Inactive,No contactable\n';
    const { id, process } = await importFile(h, client, 'listas.csv', Buffer.from(csv));
    expect(process.counts).toMatchObject({ create: 1, rejected: 1 });
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toContain('2,Estado,dormido,"Escribe uno de estos valores: activo, inactivo."');
    expect(report).toContain('2,Contactabilidad,rarito,"Escribe uno de estos valores: contactable, no_contactable, problemas_contactabilidad."');
    expect((await clientsOf(h, tenant.id)).map((c) => [c.name, c.status, c.contactability])).toEqual([['Ana', 'inactivo', 'no_contactable']]);
  });

  it('a row whose order belongs to a deleted client with its document says to restore the client first', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const csv = Buffer.from('Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento\nDNI,01234567,Dora Cuatro,OP-4,100,01/01/2026,01/02/2026\n');
    await importFile(h, client, 'a.csv', csv);
    const [dora] = await clientsOf(h, tenant.id);
    expect((await client.post(`/app/clients/${dora!.id}/deletion`)).status).toBe(303);
    const { id, process } = await importFile(h, client, 'a.csv', csv);
    expect(process.counts).toMatchObject({ create: 0, rejected: 1 });
    expect(await (await client.get(`/app/process-log/${id}/files/errors`)).text()).toContain('fue eliminado: restáuralo');
    expect(await clientsOf(h, tenant.id)).toHaveLength(1);
  });

  it('an Anulada column takes a yes or a no, and refuses any other word', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const csv = [
      'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento,Anulada',
      'DNI,10000001,Uno,AN-1,100,01/01/2026,01/02/2026,Sí',
      'DNI,10000002,Dos,AN-2,100,01/01/2026,01/02/2026,x',
      'DNI,10000003,Tres,AN-3,100,01/01/2026,01/02/2026,no',
      'DNI,10000004,Cuatro,AN-4,100,01/01/2026,01/02/2026,',
      'DNI,10000005,Cinco,AN-5,100,01/01/2026,01/02/2026,quizás',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'anuladas.csv', Buffer.from(csv));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 5, create: 4, rejected: 1 });
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.annulled])).toEqual([
      ['AN-1', true],
      ['AN-2', true],
      ['AN-3', false],
      ['AN-4', false],
    ]);
    expect(await (await client.get(`/app/process-log/${id}/files/errors`)).text()).toMatch(/^6,Anulada,quizás,"?Escribe sí o no/m);
  });

  it('a client the file clears (its order annulled) keeps the promises still running, as the order forms do', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento,Anulada';
    await importFile(h, client, 'a.csv', Buffer.from([header, 'DNI,10000001,Uno,PR-1,100,01/01/2026,01/02/2026,no'].join('\n')));
    const [stored] = await clientsOf(h, tenant.id);
    const today = todayIn(tenant.timezone, h.clock);
    expect((await makePromise(scopeFor(h, tenant), stored!.id, { amount: 50_00, promisedDate: addDays(today, 5) })).ok).toBe(true);
    const { process } = await importFile(h, client, 'b.csv', Buffer.from([header, 'DNI,10000001,Uno,PR-1,100,01/01/2026,01/02/2026,sí'].join('\n')));
    expect(process.counts).toMatchObject({ update: 1 });
    const [promise] = await h.db.select().from(promises).where(eq(promises.tenantId, tenant.id));
    expect(promise).toMatchObject({ keptOn: today, keptBySettlement: true });
  });

  it('a file with some of the payment order’s columns needs the rest of the order’s required ones', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const id = processIdFrom(await upload(client, 'montos.csv', Buffer.from('Tipo de documento,Número de documento,Nombre,Monto\nDNI,01234567,Rosa,100\n')));
    const mapped = await client.post(`/app/imports/${id}/mapping`, { 'map.documentType': '0', 'map.documentNumber': '1', 'map.name': '2', 'map.amount': '3' });
    expect(mapped.status).toBe(422);
    const text = await mapped.text();
    for (const field of ['paymentCode', 'issueDate', 'dueDate']) expect(text).toMatch(new RegExp(`field-error">\\s*<td>\\s*<label for="f-map-${field}"`));
    expect(await clientsOf(h, tenant.id)).toEqual([]);
  });

  it('rows that fail validation are rejected, reported by row, column, value and message, and the rest is applied', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    const csv = [
      'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento',
      'DNI,12345678,Ana,OP-1,100,01/02/2026,01/03/2026',
      'DNI,123,Beto,OP-2,100,01/02/2026,01/03/2026',
      'DNI,87654321,Carla,OP-3,cien,01/02/2026,01/03/2026',
      'DNI,11111111,Dora,OP-1,100,01/02/2026,01/03/2026',
      'DNI,22222222,Eva,OP-5,=HYPERLINK("x"),01/02/2026,01/03/2026',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'errores.csv', Buffer.from(csv));
    expect(process.state).toBe('completed_with_errors');
    expect(process.counts).toMatchObject({ rows: 5, create: 1, rejected: 4 });
    expect((await clientsOf(h, tenant.id)).map((c) => c.name)).toEqual(['Ana']);

    const report = await client.get(`/app/process-log/${id}/files/errors`);
    expect(report.status).toBe(200);
    const text = await report.text();
    expect(text).toContain('Fila,Columna,Valor,Mensaje');
    expect(text).toMatch(/^3,Número de documento,123,Un número de DNI tiene 8 dígitos y este tiene 3\.$/m);
    expect(text).toMatch(/^4,Monto,cien,/m);
    expect(text).toMatch(/^5,Código de pago,OP-1,"El código de pago se repite/m);
    // What people typed is written back safely: a formula comes out as text.
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    // In the file's order, though the repeated code of row 5 is found after every row is read.
    expect(text.trim().split('\n').slice(1).map((line) => line.split(',')[0])).toEqual(['3', '4', '5', '6']);
  });

  it('a csv from another system, with a title line of no separators (or a comma) above a semicolon table, is read by the table\'s separator', async () => {
    for (const title of ['Reporte de cartera diciembre 2026', 'Reporte de cartera, diciembre 2026']) {
      const tenant = await newTenant(h);
      const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
      const csv = [
        title,
        'Tipo de documento;Número de documento;Nombre;Código de pago;Monto;Fecha de emisión;Fecha de vencimiento',
        'DNI;12345678;Ana Torres;TIT-1;100,50;01/02/2026;01/03/2026',
      ].join('\r\n');
      const { process } = await importFile(h, client, 'reporte.csv', Buffer.from(csv));
      expect(process.counts, title).toMatchObject({ rows: 1, create: 1, rejected: 0 });
      expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount])).toEqual([['TIT-1', 100_50]]);
    }
  });

  it('takes the header below a report\'s title and reports rows by the numbers the sheet shows', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Cartera');
    sheet.addRow(['Cartera de diciembre – Financiera Andina']);
    sheet.mergeCells('A1:G1');
    sheet.addRow(['Generado el', new Date(Date.UTC(2026, 11, 3))]);
    sheet.addRow([]);
    sheet.addRow(['Tipo de documento', 'Número de documento', 'Nombre', 'Código de pago', 'Monto', 'Fecha de emisión', 'Fecha de vencimiento']);
    sheet.addRow(['DNI', '12345678', 'Ana Torres', 'TIT-1', 100, '01/02/2026', '01/03/2026']);
    sheet.addRow(['DNI', '123', 'Beto Ríos', 'TIT-2', 100, '01/02/2026', '01/03/2026']);
    const { id, process } = await importFile(h, client, 'cartera.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 2, create: 1, rejected: 1 });
    expect((await clientsOf(h, tenant.id)).map((c) => c.name)).toEqual(['Ana Torres']);
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toMatch(/^6,Número de documento,123,/m);
  });

  it('a payment code loads from its first row, and a client is what its first row says, wherever its other rows are', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const csv = [
      'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento',
      'DNI,10000001,Ana,OP-1,100,01/02/2026,01/03/2026',
      'DNI,10000002,Beto,OP-2,200,01/02/2026,01/03/2026',
      'DNI,10000001,Ana,OP-3,300,01/02/2026,01/04/2026', // Ana again, further down: her second order
      'DNI,10000001,Anita,OP-4,400,01/02/2026,01/03/2026', // Ana with another name: refused
      'DNI,10000003,Carla,OP-2,500,01/02/2026,01/03/2026', // OP-2 again: refused, so Carla has no row
      'DNI,10000004,Dora,OP-1,600,01/02/2026,01/03/2026', // OP-1 again: refused; Dora comes from her next row
      'DNI,10000004,Dora,OP-8,700,01/02/2026,01/03/2026',
      'DNI,10000002,Bruno,OP-2,800,01/02/2026,01/03/2026', // both at once: two messages
    ].join('\n');
    const { id, process } = await importFile(h, client, 'repetidos.csv', Buffer.from(csv));
    expect(process.state).toBe('completed_with_errors');
    expect(process.counts).toMatchObject({ rows: 8, create: 4, update: 0, unchanged: 0, rejected: 4 });
    expect((await clientsOf(h, tenant.id)).map((c) => [c.documentNumber, c.name, c.unpaidOrders, c.totalBalance])).toEqual([
      ['10000001', 'Ana', 2, 40_000],
      ['10000002', 'Beto', 1, 20_000],
      ['10000004', 'Dora', 1, 70_000],
    ]);
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.amount])).toEqual([
      ['OP-1', 10_000],
      ['OP-2', 20_000],
      ['OP-3', 30_000],
      ['OP-8', 70_000],
    ]);
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report.trim().split('\n').slice(1).map((line) => line.split(',').slice(0, 3).join(','))).toEqual([
      '5,Número de documento,10000001',
      '6,Código de pago,OP-2',
      '7,Código de pago,OP-1',
      '9,Código de pago,OP-2',
      '9,Número de documento,10000002',
    ]);
    // Anita's row names the row Ana's details come from.
    expect(report).toContain('5,Número de documento,10000001,El mismo documento está en la fila 2 con otros datos del cliente. Se cargan los de la fila 2.');
  });

  it('a csv’s rows are numbered as a spreadsheet opens them: a quoted line break stays in its row, an empty line is a row', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    // LibreOffice opens this as: 1 header, 2 Ana (two-line name), 3 empty, 4 Beto.
    const csv = [
      'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento',
      'DNI,12345678,"Ana\nMaría",OP-1,100,01/02/2026,01/03/2026',
      '',
      'DNI,123,Beto,OP-2,100,01/02/2026,01/03/2026',
    ].join('\r\n');
    const { id, process } = await importFile(h, client, 'filas.csv', Buffer.from(csv));
    expect(process.counts).toMatchObject({ rows: 2, create: 1, rejected: 1 });
    // The line break stays in its row; a name keeps it as a space.
    expect((await clientsOf(h, tenant.id)).map((c) => c.name)).toEqual(['Ana María']);
    const text = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(text).toMatch(/^4,Número de documento,123,/m);
  });

  it('a payment code stored under another client between the check and the apply fails the whole apply, with nothing written', async () => {
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const header = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento\n';
    const first = await importFile(h, client, 'p.csv', Buffer.from(`${header}DNI,70000001,Uno,PX-01,100,01/02/2026,01/03/2026\nDNI,70000002,Dos,PX-02,100,01/02/2026,01/03/2026\n`), { apply: false });
    expect(first.process.counts).toMatchObject({ create: 2, rejected: 0 });
    // Meanwhile another upload stores PX-02 for another client.
    await importFile(h, client, 'q.csv', Buffer.from(`${header}DNI,70000009,Nueve,PX-02,100,01/02/2026,01/03/2026\n`));
    expect((await client.post(`/app/imports/${first.id}/application`)).status).toBe(303);
    await h.runJobs();
    expect(await processOf(h, first.id)).toMatchObject({ state: 'failed', stage: 'mapping' });
    expect(await (await client.get(`/app/imports/${first.id}`)).text()).toContain('la fila 3 ya no se puede cargar. El código de pago ya pertenece a una orden de otro cliente. Revisa el archivo otra vez.');
    // The Process log says what the check found, not rows created: nothing was.
    const log = await (await client.get('/app/process-log')).text();
    expect(log).toContain('2 filas revisadas: por crear 2');
    expect(log).not.toContain('nuevas 2');
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['70000009']);
    expect((await ordersOf(h, tenant.id)).map((o) => o.paymentCode)).toEqual(['PX-02']);
  });

  it('the summary shows what would happen before anything is applied', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    const { id, process } = await importFile(h, client, 'a.csv', fixture('clients-utf8-bom.csv'), { apply: false });
    expect(process.stage).toBe('validated');
    expect(await clientsOf(h, tenant.id)).toEqual([]);
    const page = await (await client.get(`/app/imports/${id}`)).text();
    expect(page).toContain('Por crear');
    expect(page).toContain(`action="/app/imports/${id}/application"`);
    // Checked and not applied, it is not called completed in the Process log.
    const log = await (await client.get('/app/process-log')).text();
    const row = new RegExp(`<tr id="process-${id}"[\\s\\S]*?</tr>`).exec(log)?.[0] ?? '';
    expect(row).toContain('Revisado');
    expect(row).toContain('falta aplicarlo');
    expect(row).not.toContain('Completado');
    // Its counts are what applying would do, not what was done.
    expect(row).toMatch(/filas? revisadas: por crear \d/);
    expect(row).not.toContain('nuevas');
    // The state filter agrees with the badge.
    expect(await (await client.get('/app/process-log?state=checked')).text()).toContain(`id="process-${id}"`);
    expect(await (await client.get('/app/process-log?state=completed')).text()).not.toContain(`id="process-${id}"`);

    // While it is applied, both pages say what is being written and that it is written whole,
    // not a bar stuck at the check's row count.
    expect((await client.post(`/app/imports/${id}/application`)).status).toBe(303);
    const toWrite = (process.counts.create ?? 0) + (process.counts.update ?? 0);
    for (const path of [`/app/imports/${id}/status`, '/app/process-log']) {
      const html = await (await client.get(path)).text();
      expect(html).toContain(`Aplicando ${toWrite} filas: se guardan todas juntas al terminar.`);
      expect(html).not.toMatch(/0 de \d/);
    }
    const applying = await (await client.get(`/app/imports/${id}/status`)).text();
    const was = /hx-get="\/app\/imports\/\d+\/status\?was=([^"]+)"/.exec(applying)![1]!;
    // A poll that finds the state unchanged says nothing to screen readers.
    expect(await (await client.get(`/app/imports/${id}/status?was=${was}`)).text()).not.toContain('id="import-state"');
    await h.runJobs();
    const applied = await (await client.get(`/app/imports/${id}/status?was=${was}`)).text();
    // The poll after the change says the new state, once, to the live region that stays on the page.
    expect(applied).toContain('<p id="import-state" class="visually-hidden" role="status" hx-swap-oob="innerHTML">Completado</p>');
    expect(applied).not.toContain('Aplicando');
    // Applied, the counts say what was done.
    expect(applied).toContain('<dt>Creadas</dt>');
    expect(applied).not.toContain('Por crear');
  });

  it('the column mapping chosen by the user is remembered for the tenant', async () => {
    const tenant = await newTenant(h);
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const client = await loggedIn(h, tenant, staff);
    const csv = 'TD,Doc,Cliente X,Ref,Deuda,Emitida,Vence\nDNI,12345678,Ana,OP-1,100,01/02/2026,01/03/2026\n';
    const first = processIdFrom(await upload(client, 'raro.csv', Buffer.from(csv)));
    const refused = await client.post(`/app/imports/${first}/mapping`, { 'map.name': '2' });
    expect(refused.status).toBe(422);
    const refusedPage = await refused.text();
    expect(refusedPage).toContain('Este campo es obligatorio: elige la columna');
    // Said in a focused summary whose lines lead to each column choice, tied to its select.
    expect(refusedPage).toMatch(/<div class="error-summary" role="alert" tabindex="-1" id="f-map-error-summary" autofocus="">[\s\S]*href="#f-map-documentType">Tipo de documento: Este campo es obligatorio/);
    expect(refusedPage).toMatch(/<select id="f-map-documentType" name="map.documentType" aria-invalid="true" aria-describedby="f-map-documentType-error">/);
    const mapping = { 'map.documentType': '0', 'map.documentNumber': '1', 'map.name': '2', 'map.paymentCode': '3', 'map.amount': '4', 'map.issueDate': '5', 'map.dueDate': '6' };
    expect((await client.post(`/app/imports/${first}/mapping`, mapping)).status).toBe(303);

    const second = processIdFrom(await upload(client, 'raro2.csv', Buffer.from(csv)));
    const page = await (await client.get(`/app/imports/${second}`)).text();
    expect(page).toMatch(/name="map\.amount">[\s\S]*?<option value="4" selected/);
    expect(page).toMatch(/name="map\.dueDate">[\s\S]*?<option value="6" selected/);
    // Until its columns are chosen, the Process log says what the upload waits for, with no
    // progress bar: it waits for a person, not for a job.
    const log = await (await client.get('/app/process-log')).text();
    const row = new RegExp(`<tr id="process-${second}"[\\s\\S]*?</tr>`).exec(log)?.[0] ?? '';
    expect(row).toContain('(falta elegir las columnas)');
    expect(row).not.toContain('<progress');
  });

  it('a column assigned to two fields is refused', async () => {
    const client = await loggedIn(h, acme, admin);
    const id = processIdFrom(await upload(client, 'a.csv', fixture('clients-utf8-bom.csv')));
    const response = await client.post(`/app/imports/${id}/mapping`, {
      'map.documentType': '0', 'map.documentNumber': '1', 'map.name': '2', 'map.paymentCode': '5', 'map.amount': '7', 'map.issueDate': '8', 'map.dueDate': '8',
    });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('ya está asignada a otro campo');
  });
});

describe('limits', () => {
  const refusal = async (name: string, bytes: Uint8Array) => {
    const client = await loggedIn(h, acme, admin);
    const before = (await processCount()).valueOf();
    const response = await upload(client, name, bytes);
    expect(response.status).toBe(422);
    expect(await processCount()).toBe(before);
    return response.text();
  };
  const processCount = async () => (await h.db.$count((await import('../../src/process-log/schema.js')).fileProcesses));

  it('an empty sheet is refused with its message', async () => {
    expect(await refusal('vacio.csv', Buffer.from('\n\n'))).toContain('La hoja está vacía');
    // A header with nothing under it, even below a title, is as empty.
    expect(await refusal('solo-encabezados.csv', Buffer.from('Tipo de documento,Número de documento,Nombre\n\n'))).toContain('La hoja está vacía');
    expect(await refusal('titulo.csv', Buffer.from('Reporte de clientes\nTipo de documento,Número de documento,Nombre\n'))).toContain('La hoja está vacía');
    expect(await refusal('cero.csv', Buffer.alloc(0))).toContain('El archivo está vacío (0 bytes)');
  });

  it('a repeated header of a column to load is refused, accents and case ignored; one that is not loaded is passed over', async () => {
    expect(await refusal('dup.csv', Buffer.from('Nombre,Teléfono,TELEFONO\nAna,1,2\n'))).toContain('aparece más de una vez');
    const tenant = await newTenant(h);
    const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const csv = 'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento,Obs,Obs\nDNI,12345678,Ana,OBS-1,100,01/01/2026,01/02/2026,a,b\n';
    const { process } = await importFile(h, client, 'obs.csv', Buffer.from(csv));
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 1, create: 1, rejected: 0 });
  });

  it('a file that is not a spreadsheet is refused', async () => {
    expect(await refusal('foto.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]))).toContain('no es una hoja de cálculo');
  });

  it('a LibreOffice .ods, even renamed .xlsx, is refused with a message that says how to save it', async () => {
    const ods = fixture('clients-libreoffice.ods');
    expect(await refusal('clientes.ods', ods)).toContain('Los archivos de LibreOffice (.ods) no se admiten');
    expect(await refusal('clientes.xlsx', ods)).toContain('Guárdalo como Excel (.xlsx)');
  });

  it('a binary file named .csv is refused as not a spreadsheet', async () => {
    const utf16WithoutMark = Buffer.from('Tipo de documento,Nombre\nDNI,Rosa\n', 'utf16le');
    expect(await refusal('sin-marca.csv', utf16WithoutMark)).toContain('no es una hoja de cálculo que podamos leer');
  });

  it('a corrupt xlsx is refused', async () => {
    const xlsx = fixture('clients-libreoffice.xlsx');
    expect(await refusal('roto.xlsx', xlsx.subarray(0, xlsx.length - 200))).toContain('dañado o incompleto');
  });

  it('a password-protected file is refused', async () => {
    // What Excel saves with a password: an OLE container whose stream is EncryptedPackage.
    const ole = Buffer.alloc(4096);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    Buffer.from('EncryptedPackage', 'utf16le').copy(ole, 1024);
    expect(await refusal('clave.xlsx', ole)).toContain('protegido con contraseña');
  });

  it('a zip bomb is refused before it is unpacked', async () => {
    expect(await refusal('bomba.xlsx', await zipBomb('xl/worksheets/sheet1.xml', 450))).toContain('tamaño excesivo');
  });

  it('a file over the upload limit is refused', async () => {
    const small = await startTestApp({ jobs: true, env: { UPLOAD_LIMIT_MB: '1' } });
    try {
      const tenant = await newTenant(small);
      const staff = await addStaff(small, tenant, { role: 'admin' });
      const client = await loggedIn(small, tenant, staff);
      const response = await upload(client, 'grande.csv', Buffer.alloc(1024 * 1024 + 10, 0x41));
      expect(response.status).toBe(413);
      expect(await response.text()).toContain('supera el límite');
    } finally {
      await small.close();
    }
  });

  it('a file with more rows than the limit fails with its message and leaves nothing staged', async () => {
    const few = await startTestApp({ jobs: true, env: { IMPORT_MAX_ROWS: '2' } });
    try {
      const tenant = await newTenant(few);
      const staff = await addStaff(few, tenant, { role: 'admin' });
      const client = await loggedIn(few, tenant, staff);
      const { id, process } = await importFile(few, client, 'a.csv', fixture('clients-utf8-bom.csv'), { apply: false });
      expect(process.state).toBe('failed');
      expect(await (await client.get(`/app/imports/${id}`)).text()).toContain('más de 2 filas');
      expect(await stagedRows(few, tenant.id)).toBe(0);
    } finally {
      await few.close();
    }
  });
});

describe('access', () => {
  it('another tenant cannot see, map or apply an upload', async () => {
    const client = await loggedIn(h, acme, admin);
    const id = processIdFrom(await upload(client, 'a.csv', fixture('clients-utf8-bom.csv')));
    const other = await newTenant(h);
    const stranger = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect((await stranger.get(`/app/imports/${id}`)).status).toBe(404);
    expect((await stranger.post(`/app/imports/${id}/mapping`, { 'map.name': '2' })).status).toBe(404);
    expect((await stranger.post(`/app/imports/${id}/application`)).status).toBe(404);
    expect((await stranger.get(`/app/process-log/${id}/files/original`)).status).toBe(404);
    expect((await processOf(h, id)).stage).toBe('mapping');
  });

  it('an upload read only for its headers leaves no copy of the sheet in the temporary folder, nor a file open', async () => {
    // LibreOffice stores the sheet before its shared strings; the reader parks it in a file.
    const { existsSync, readdirSync, readlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const parked = () => readdirSync(tmpdir()).filter((name) => name.startsWith(`tmp-${process.pid}-`));
    // Descriptors this process holds on such files, removed or not (Linux lists them in /proc).
    const open = () =>
      existsSync('/proc/self/fd')
        ? readdirSync('/proc/self/fd').filter((fd) => {
            try {
              return readlinkSync(`/proc/self/fd/${fd}`).includes(`/tmp-${process.pid}-`);
            } catch {
              return false;
            }
          })
        : [];
    const before = { parked: parked(), open: open() };
    const client = await loggedIn(h, acme, admin);
    for (let i = 0; i < 3; i++) expect((await upload(client, 'clientes.xlsx', fixture('clients-libreoffice.xlsx'))).status).toBe(303);
    expect(parked()).toEqual(before.parked);
    expect(open()).toEqual(before.open);
  });

  it('a user without the imports permission cannot upload', async () => {
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    const response = await upload(advisor, 'a.csv', fixture('clients-utf8-bom.csv'));
    expect(response.status).toBe(403);
    expect(await clientsOf(h, acme.id)).toEqual([]);
  });

  it('the template downloads as an xlsx with the headers and an example row', async () => {
    const client = await loggedIn(h, acme, admin);
    const response = await client.get('/app/imports/template.xlsx');
    expect(response.status).toBe(200);
    const { openSheet } = await import('../../src/platform/spreadsheets/read.js');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = `${mkdtempSync(`${tmpdir()}/tpl-`)}/plantilla.xlsx`;
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));
    const sheet = await openSheet(path, 'plantilla.xlsx', { maxRows: 10 });
    expect(sheet.headers).toContain('Número de documento');
    const { value: [example] = [] } = await sheet.batches.next();
    expect(example!.cells).toContain('01234567');
  });
});

/** A one-entry zip whose data claims 1,000 bytes and inflates to `megabytes` of spaces. */
async function zipBomb(name: string, megabytes: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 1 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const block = Buffer.alloc(1024 * 1024, 0x20);
  for (let i = 0; i < megabytes; i++) if (!deflate.write(block)) await new Promise((r) => deflate.once('drain', r));
  await new Promise((r) => deflate.end(r));
  const data = Buffer.concat(chunks);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(1000, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(1000, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}
