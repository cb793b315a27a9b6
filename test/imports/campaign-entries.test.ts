import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { asc, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignEntries, campaignPayments } from '../../src/campaigns/schema.js';
import { rows } from '../../src/db/index.js';
import { refreshClientBalances } from '../../src/clients/derived.js';
import { clients } from '../../src/clients/schema.js';
import { applyImport } from '../../src/imports/jobs.js';
import { paymentOrders } from '../../src/payment-orders/schema.js';
import { fileProcesses } from '../../src/process-log/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { openSheet } from '../../src/platform/spreadsheets/read.js';
import { tenants, type Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness, type TestClient } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { clientsOf, processIdFrom, processOf } from './support.js';

let h: Harness;
beforeAll(async () => {
  // 15:00 UTC is 10:00 in Lima: "today" is 2026-03-10.
  h = await startTestApp({ jobs: true, now: '2026-03-10T15:00:00Z', env: { LOG_LEVEL: 'error' } });
});
afterAll(() => h.close());

async function withApp(): Promise<Tenant> {
  const tenant = await newTenant(h, { plan: 'pro' });
  const [updated] = await h.db.update(tenants).set({ enabledApps: ['charged_off'] }).where(eq(tenants.id, tenant.id)).returning();
  forgetTenantCache();
  return updated!;
}

async function vigenteClient(tenant: Tenant, documentNumber: string, orderCode?: string) {
  const [client] = await h.db.insert(clients).values({ tenantId: tenant.id, documentType: 'DNI', documentNumber, name: 'Rosa Quispe' }).returning();
  if (orderCode) {
    await h.db.insert(paymentOrders).values({ tenantId: tenant.id, clientId: client!.id, paymentCode: orderCode, amount: 50_000, issueDate: '2025-01-01', dueDate: '2025-06-01' });
  }
  await refreshClientBalances(h.db, tenant.id, [client!.id]);
  return client!;
}

const entriesOf = (tenantId: number) => h.db.select().from(campaignEntries).where(eq(campaignEntries.tenantId, tenantId)).orderBy(asc(campaignEntries.id));

async function upload(client: TestClient, name: string, bytes: Uint8Array, kind = 'campaign_entries'): Promise<Response> {
  const form = new FormData();
  form.append('kind', kind);
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const request = new Request('http://upload.test/', { method: 'POST', body: form });
  return client.request('POST', '/app/imports', {
    body: new Uint8Array(await request.arrayBuffer()),
    headers: { 'Content-Type': request.headers.get('Content-Type')!, 'X-CSRF-Token': client.csrfToken },
  });
}

/** Upload → the offered mapping, confirmed as it is → check → (apply). */
async function importCampaignFile(client: TestClient, name: string, bytes: Uint8Array, options: { apply?: boolean } = {}) {
  const id = processIdFrom(await upload(client, name, bytes));
  const page = await (await client.get(`/app/imports/${id}`)).text();
  const form: Record<string, string> = {};
  for (const select of page.matchAll(/<select id="f-map-(\w+)" name="map\.\w+">([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="(\d+)" selected/.exec(select[2]!);
    form[`map.${select[1]}`] = chosen ? chosen[1]! : '';
  }
  const mapped = await client.post(`/app/imports/${id}/mapping`, form);
  if (mapped.status !== 303) throw new Error(`mapping refused: ${mapped.status} ${await mapped.text()}`);
  await h.runJobs();
  if (options.apply !== false) {
    const applied = await client.post(`/app/imports/${id}/application`);
    if (applied.status !== 303) throw new Error(`apply refused: ${applied.status}`);
    await h.runJobs();
  }
  return { id, process: await processOf(h, id), form };
}

const HEADERS = 'Tipo de documento;Número de documento;Nombre y apellido;Correo electrónico;Celular;ID de campaña;Monto de deuda castigada;Tipo de descuento;Valor del descuento;Fecha de finalización;Código de pago asociado';
const csv = (...lines: string[]) => Buffer.from(`\uFEFF${[HEADERS, ...lines].join('\r\n')}\r\n`, 'utf8');

describe('loading charged-off campaign entries by file', () => {
  it('a csv with Spanish headers creates new clients and moves an existing vigente client without duplicating it', async () => {
    const tenant = await withApp();
    const existing = await vigenteClient(tenant, '07654321', 'OP-1');
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const file = csv(
      'DNI;12345678;José Ávila Güemes;jose@example.pe;987654321;NAVIDAD-2026;1.000,00;porcentaje;30;31/12/2026;',
      'DNI;07654321;Rosa Quispe;;;NAVIDAD-2026;500,00;monto;100,00;;OP-1',
    );
    const { process, form } = await importCampaignFile(admin, 'campana.csv', file);
    expect(form).toMatchObject({ 'map.documentType': '0', 'map.campaignCode': '5', 'map.debtAmount': '6', 'map.endDate': '9', 'map.paymentCode': '10' });
    expect(process.state).toBe('completed');
    expect(process.subject).toBe('campaign_entries');
    expect(process.counts).toMatchObject({ rows: 2, create: 2, update: 0, unchanged: 0, rejected: 0 });

    const stored = await clientsOf(h, tenant.id);
    expect(stored.map((c) => [c.documentNumber, c.name, c.portfolio])).toEqual([
      ['07654321', 'Rosa Quispe', 'castigada'],
      ['12345678', 'José Ávila Güemes', 'castigada'],
    ]);
    expect(stored[0]!.id).toBe(existing.id);
    expect(stored[1]!.phone).toBe('+51987654321');
    const entries = await entriesOf(tenant.id);
    expect(entries.map((e) => [e.clientId, e.campaignCode, e.debtAmount, e.discountType, e.discountValue, e.campaignAmount, e.endDate, e.paymentCode])).toEqual([
      [stored[1]!.id, 'NAVIDAD-2026', 100_000, 'porcentaje', 3000, 70_000, '2026-12-31', null],
      [existing.id, 'NAVIDAD-2026', 50_000, 'monto', 10_000, 40_000, null, 'OP-1'],
    ]);
  });

  it('re-uploading the same file changes nothing: its rows count as unchanged', async () => {
    const tenant = await withApp();
    await vigenteClient(tenant, '07654321', 'OP-1');
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const file = csv('DNI;12345678;José Ávila;;;NAVIDAD-2026;1.000,00;porcentaje;30;31/12/2026;', 'DNI;07654321;Rosa Quispe;;;NAVIDAD-2026;500,00;monto;100,00;;OP-1');
    await importCampaignFile(admin, 'a.csv', file);
    const clientsBefore = await clientsOf(h, tenant.id);
    const entriesBefore = await entriesOf(tenant.id);
    h.clock.advance(3_600_000);

    const again = await importCampaignFile(admin, 'b.csv', file);
    expect(again.process.state).toBe('completed');
    expect(again.process.counts).toMatchObject({ rows: 2, create: 0, update: 0, unchanged: 2, rejected: 0 });
    expect(await clientsOf(h, tenant.id)).toEqual(clientsBefore);
    expect(await entriesOf(tenant.id)).toEqual(entriesBefore);
  });

  it('a downloaded Cartera castigada file uploads again as it is, changing nothing', async () => {
    const tenant = await withApp();
    await vigenteClient(tenant, '07654321', 'OP-1');
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    await importCampaignFile(
      admin,
      'a.csv',
      csv('DNI;12345678;José Ávila;;987654321;NAVIDAD-2026;1.000,00;porcentaje;12,5;31/12/2026;', 'DNI;07654321;Rosa Quispe;;;NAVIDAD-2026;500,00;monto;100,50;;OP-1'),
    );
    const entriesBefore = await entriesOf(tenant.id);

    expect((await admin.post('/app/exports', { kind: 'campaigns', format: 'xlsx', query: '' })).status).toBe(303);
    await h.runJobs();
    const exported = (await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id))).find((p) => p.kind === 'export')!;
    expect(exported.state).toBe('completed');
    const bytes = Buffer.from(await (await admin.get(`/app/process-log/${exported.id}/files/result`)).arrayBuffer());

    // The upload's columns, under its names, with days as date cells and amounts as money.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 12)).toEqual([
      'Tipo de documento', 'Número de documento', 'Nombre y apellido', 'Correo electrónico', 'Celular', 'ID de campaña',
      'Monto de deuda castigada', 'Tipo de descuento', 'Valor del descuento', 'Fecha de finalización', 'Código de pago asociado',
    ]);
    // Newest first, as the tray lists them: the file's second row was loaded last.
    const jose = sheet.getRow(3);
    expect([jose.getCell(2).value, jose.getCell(8).value, jose.getCell(9).value]).toEqual(['12345678', 'porcentaje', 12.5]);
    expect(jose.getCell(10).value).toEqual(new Date(Date.UTC(2026, 11, 31)));
    expect(jose.getCell(10).numFmt).toBe('dd/mm/yyyy');
    expect(jose.getCell(7).numFmt).toBe('#,##0.00');
    expect([sheet.getRow(2).getCell(8).value, sheet.getRow(2).getCell(9).value, sheet.getRow(2).getCell(11).value]).toEqual(['monto', 100.5, 'OP-1']);

    h.clock.advance(3_600_000);
    const again = await importCampaignFile(admin, 'cartera-castigada.xlsx', bytes);
    expect(again.process.counts, JSON.stringify(again.process)).toMatchObject({ rows: 2, create: 0, update: 0, unchanged: 2, rejected: 0 });
    expect(await entriesOf(tenant.id)).toEqual(entriesBefore);

    // In csv a discount is written with two decimals, an amount as the upload reads it; it uploads back as it is.
    expect((await admin.post('/app/exports', { kind: 'campaigns', format: 'csv', query: '' })).status).toBe(303);
    await h.runJobs();
    const csvExport = (await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, tenant.id))).filter((p) => p.kind === 'export').sort((a, b) => a.id - b.id).at(-1)!;
    const text = await (await admin.get(`/app/process-log/${csvExport.id}/files/result`)).text();
    expect(text).toContain(',monto,100.50,');
    expect(text).toContain(',porcentaje,12.50,');
    const back = await importCampaignFile(admin, 'cartera-castigada.csv', Buffer.from(text));
    expect(back.process.counts, JSON.stringify(back.process)).toMatchObject({ rows: 2, unchanged: 2, rejected: 0 });
  });

  it('reads number cells as numbers: three decimals are not thousands, money rounds to the cent, a DNI gets its zeros back', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Campaña');
    sheet.addRow(['Tipo de documento', 'Número de documento', 'Nombre', 'Celular', 'ID de campaña', 'Monto de deuda castigada', 'Tipo de descuento', 'Valor del descuento']);
    // 100.005 shows as 100.01 in a money format; 1234567 is DNI 01234567 typed as a number.
    sheet.addRow(['DNI', 1234567, 'Ana Torres', '', 'VERANO', 100.005, 'monto', 10.125]);
    // A formula's result with binary leftovers, and a text amount with three decimals after one mark (thousands, as typed).
    sheet.addRow(['DNI', '00456790', 'Beto Ríos', '', 'VERANO', { formula: 'B1*0', result: 140.40820000000002 }, 'monto', '1.250']);
    sheet.getCell('F2').numFmt = '#,##0.00';
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const { process } = await importCampaignFile(admin, 'numeros.xlsx', bytes);
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 2, rejected: 1 });
    const entries = await entriesOf(tenant.id);
    expect(entries.map((e) => [e.debtAmount, e.discountValue, e.campaignAmount])).toEqual([[100_01, 10_13, 89_88]]);
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['01234567']);
  });

  it('an xlsx with English headers, numbers and a date cell loads as typed', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Campaign');
    sheet.addRow(['Document type', 'Document number', 'Name', 'Mobile', 'Campaign ID', 'Charged-off debt amount', 'Discount type', 'Discount value', 'End date']);
    sheet.addRow(['DNI', '00456789', 'Ana Torres', '987654321', 'VERANO', 1234.5, 'monto', 234.5, new Date(Date.UTC(2026, 5, 30))]);
    sheet.addRow(['DNI', '00456790', 'Beto Ríos', '', 'VERANO', 800, 'percentage', 12.5, '']);
    // A past end date in a date cell is refused, and the report shows it as the sheet does.
    sheet.addRow(['DNI', '00456791', 'Carla Paz', '', 'VERANO', 800, 'percentage', 12.5, new Date(Date.UTC(2026, 0, 31))]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const { id, process } = await importCampaignFile(admin, 'campaign.xlsx', bytes);
    expect(process.counts, JSON.stringify(process)).toMatchObject({ rows: 3, create: 2, rejected: 1 });
    expect(await (await admin.get(`/app/process-log/${id}/files/errors`)).text()).toMatch(/^4,End date,31\/01\/2026,/m);
    const entries = await entriesOf(tenant.id);
    expect(entries.map((e) => [e.campaignCode, e.debtAmount, e.discountType, e.discountValue, e.campaignAmount, e.endDate])).toEqual([
      ['VERANO', 123_450, 'monto', 23_450, 100_000, '2026-06-30'],
      ['VERANO', 80_000, 'porcentaje', 1250, 70_000, null],
    ]);
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['00456789', '00456790']);
  });

  it('a row for an active entry of the same campaign changes its terms, recorded in the client\'s history; a paid or finished one is not changed', async () => {
    const tenant = await withApp();
    const staff = await addStaff(h, tenant, { role: 'admin' });
    const admin = await loggedIn(h, tenant, staff);
    await importCampaignFile(admin, 'a.csv', csv('DNI;12345678;José Ávila;;;NAVIDAD-2026;1.000,00;porcentaje;30;31/12/2026;', 'DNI;22345678;Ana Ríos;;;NAVIDAD-2026;800,00;monto;100,00;15/03/2026;'));
    const [jose, ana] = await entriesOf(tenant.id);

    // José's debt was wrong and the campaign runs longer; Ana's row comes back as the download writes a finished entry.
    const changed = await importCampaignFile(admin, 'b.csv', csv('DNI;12345678;José Ávila;;;NAVIDAD-2026;900,00;porcentaje;30;15/01/2027;'));
    expect(changed.process.counts, JSON.stringify(changed.process)).toMatchObject({ rows: 1, create: 0, update: 1, unchanged: 0, rejected: 0 });
    const [updated] = await entriesOf(tenant.id);
    expect(updated).toMatchObject({ id: jose!.id, debtAmount: 90_000, campaignAmount: 63_000, totalDue: 63_000, endDate: '2027-01-15' });
    const history = await (await admin.get(`/app/clients/${jose!.clientId}/interactions`)).text();
    expect(history).toContain('Campaña de cartera castigada modificada');
    expect(history).toMatch(/Monto de deuda castigada: S\/\s1,000\.00 → S\/\s900\.00/);
    expect(history).toContain('Fecha de finalización: 31/12/2026 → 15/01/2027');

    // Blank end date, payment code and phone keep what is stored: the same terms change nothing.
    const blanks = await importCampaignFile(admin, 'b2.csv', csv('DNI;12345678;José Ávila;;;NAVIDAD-2026;900,00;porcentaje;30;;'));
    expect(blanks.process.counts).toMatchObject({ rows: 1, update: 0, unchanged: 1 });
    // A new phone alone is a change of the entry's terms.
    const phone = await importCampaignFile(admin, 'b3.csv', csv('DNI;12345678;José Ávila;;987 654 321;NAVIDAD-2026;900,00;porcentaje;30;;'));
    expect(phone.process.counts).toMatchObject({ rows: 1, update: 1 });
    expect((await entriesOf(tenant.id))[0]).toMatchObject({ endDate: '2027-01-15', phone: '+51987654321' });

    // With 500 paid, terms that would ask less are refused at the check, by row, and the rest of the file loads.
    expect((await admin.post(`/app/campaigns/${jose!.id}/payments`, { amount: '500,00', paidOn: '2026-03-10', method: 'Transferencia' })).status).toBe(303);
    const [payment] = await h.db.select().from(campaignPayments).where(eq(campaignPayments.tenantId, tenant.id));
    expect((await admin.post(`/app/campaign-payments/${payment!.id}/verification`)).status).toBe(303);
    const below = await importCampaignFile(admin, 'b4.csv', csv('DNI;12345678;José Ávila;;;NAVIDAD-2026;900,00;porcentaje;50;;', 'DNI;42345678;Eva Luna;;;NAVIDAD-2026;300,00;monto;50,00;;'));
    expect(below.process.counts, JSON.stringify(below.process)).toMatchObject({ rows: 2, create: 1, update: 0, rejected: 1 });
    expect(await (await admin.get(`/app/process-log/${below.id}/files/errors`)).text()).toMatch(/^2,Monto de deuda castigada,/m);
    expect((await entriesOf(tenant.id))[0]).toMatchObject({ id: jose!.id, campaignAmount: 63_000 });

    h.clock.set('2026-03-20T15:00:00Z');
    try {
      const later = await loggedIn(h, tenant, staff);
      const again = await importCampaignFile(later, 'c.csv', csv('DNI;22345678;Ana Ríos;;;NAVIDAD-2026;800,00;;;15/03/2026;'));
      expect(again.process.counts, JSON.stringify(again.process)).toMatchObject({ rows: 1, unchanged: 1, rejected: 0 });
      const closed = await importCampaignFile(later, 'd.csv', csv('DNI;22345678;Ana Ríos;;;NAVIDAD-2026;700,00;monto;100,00;;'));
      expect(closed.process.counts).toMatchObject({ rows: 1, update: 0, rejected: 1 });
      const report = await (await later.get(`/app/process-log/${closed.id}/files/errors`)).text();
      expect(report).toMatch(/^2,ID de campaña,NAVIDAD-2026,"?La campaña NAVIDAD-2026 de este cliente ya fue pagada o finalizó/m);
      expect((await entriesOf(tenant.id)).find((e) => e.id === ana!.id)).toMatchObject({ debtAmount: 80_000, endDate: '2026-03-15' });
      // Without a discount, a row that names no paid or finished entry is refused as before.
      const missing = await importCampaignFile(later, 'e.csv', csv('DNI;32345678;Nueva;;;VERANO-2026;500,00;;;;'));
      expect(missing.process.counts).toMatchObject({ rows: 1, create: 0, rejected: 1 });
    } finally {
      h.clock.set('2026-03-10T15:00:00Z');
    }
  });

  it('a row refused against what is stored does not keep a later row of the same client from loading', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    await importCampaignFile(admin, 'antes.csv', csv('DNI;55555555;Activa Ya;;;OTOÑO;300;monto;0;;'));
    const { id, process } = await importCampaignFile(
      admin,
      'cambio.csv',
      csv(
        // Refused: the client's active campaign is OTOÑO.
        'DNI;55555555;Activa Ya;;;NAVIDAD;500;porcentaje;10;;',
        // Loads: new terms for the active OTOÑO entry.
        'DNI;55555555;Activa Ya;;;OTOÑO;400;monto;0;;',
      ),
    );
    expect(process.counts).toMatchObject({ rows: 2, create: 0, update: 1, rejected: 1 });
    const report = await (await admin.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toMatch(/^2,ID de campaña,NAVIDAD,"?El cliente ya tiene una campaña activa \(OTOÑO\)/m);
    expect(report).not.toMatch(/^3,/m);
  });

  it('rows that break a rule are reported by row, column, value and message, and nothing of them is written', async () => {
    const tenant = await withApp();
    await vigenteClient(tenant, '07654321', 'OP-1');
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    await importCampaignFile(admin, 'antes.csv', csv('DNI;55555555;Activa Ya;;;OTOÑO;300;monto;0;;'));
    const before = await entriesOf(tenant.id);

    const { id, process } = await importCampaignFile(
      admin,
      'errores.csv',
      csv(
        'DNI;11111111;Válida;;;NAVIDAD;1000;porcentaje;10;;',
        'DNI;22222222;Porcentaje alto;;;NAVIDAD;1000;porcentaje;120;;',
        'DNI;33333333;Descuento negativo;;;NAVIDAD;1000;monto;-5;;',
        'DNI;44444444;Fecha pasada;;;NAVIDAD;1000;porcentaje;10;01/01/2026;',
        'DNI;07654321;Código raro;;;NAVIDAD;1000;porcentaje;10;;OP-999',
        'DNI;55555555;Segunda activa;;;NAVIDAD;1000;porcentaje;10;;',
        'DNI;11111111;Repetida;;;NAVIDAD;1000;porcentaje;10;;',
        'DNI;11111111;Otra campaña;;;VERANO;1000;porcentaje;10;;',
        // A formula that failed, as a spreadsheet program writes it to csv.
        'DNI;66666666;Fórmula rota;;;NAVIDAD;#DIV/0!;porcentaje;10;;',
      ),
    );
    expect(process.state).toBe('completed_with_errors');
    expect(process.counts).toMatchObject({ rows: 9, create: 1, unchanged: 0, rejected: 8 });

    const report = await (await admin.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toContain('Fila,Columna,Valor,Mensaje');
    expect(report).toMatch(/^3,Valor del descuento,120,"?El porcentaje de descuento debe estar entre 0 y 100/m);
    expect(report).toMatch(/^4,Valor del descuento,-5,"?Escribe el descuento como monto, sin signo negativo/m);
    expect(report).toMatch(/^5,Fecha de finalización,01\/01\/2026,"?La fecha de finalización no puede ser anterior a hoy/m);
    expect(report).toMatch(/^6,Código de pago asociado,OP-999,"?El código de pago no corresponde/m);
    expect(report).toMatch(/^7,ID de campaña,NAVIDAD,"?El cliente ya tiene una campaña activa \(OTOÑO\)/m);
    expect(report).toMatch(/^8,Número de documento,11111111,"?El cliente ya aparece en una fila anterior del archivo para la campaña NAVIDAD/m);
    expect(report).toMatch(/^9,ID de campaña,VERANO,"?El cliente ya aparece en una fila anterior del archivo con la campaña NAVIDAD/m);
    // In the file's order, though rows 5 to 7 are refused against what is stored, after the file is read.
    expect(report).toMatch(/^10,Monto de deuda castigada,#DIV\/0!,"?La celda tiene una fórmula con error/m);
    expect(report.trim().split('\n').slice(1).map((line) => line.split(',')[0])).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);

    const entries = await entriesOf(tenant.id);
    expect(entries).toHaveLength(before.length + 1);
    expect(entries.at(-1)).toMatchObject({ campaignCode: 'NAVIDAD', debtAmount: 100_000 });
    const documents = (await clientsOf(h, tenant.id)).map((c) => c.documentNumber);
    expect(documents).toEqual(['07654321', '11111111', '55555555']);
    expect((await clientsOf(h, tenant.id)).find((c) => c.documentNumber === '07654321')!.portfolio).toBe('vigente');
  });

  it('a checked upload discarded takes its checked rows with it, and loads nothing', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { id } = await importCampaignFile(admin, 'a.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;'), { apply: false });
    const stagedKey = (await processOf(h, id)).params.stagedKey as string;
    const { storageFor } = await import('../../src/storage/index.js');
    const storage = storageFor(h.deps.config);
    expect(await storage.size(stagedKey)).toBeGreaterThan(0);
    expect((await admin.post(`/app/imports/${id}/discard`)).status).toBe(303);
    expect(await storage.size(stagedKey)).toBeNull();
    expect(await processOf(h, id)).toMatchObject({ state: 'discarded' });
    expect(await entriesOf(tenant.id)).toHaveLength(0);
  });

  it('a row that became impossible between the check and the apply makes the whole apply fail with nothing written', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { id } = await importCampaignFile(admin, 'a.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;', 'DNI;22222222;Beto;;;NAVIDAD;1000;porcentaje;10;;'), { apply: false });
    const form = { documentType: 'DNI', documentNumber: '22222222', campaignCode: 'OTRA', debtAmount: '100', discountType: 'monto', discountValue: '0' };
    expect((await admin.post('/app/campaigns', form)).status).toBe(303);
    expect((await admin.post(`/app/imports/${id}/application`)).status).toBe(303);
    await h.runJobs();

    const process = await processOf(h, id);
    expect(process.state).toBe('failed');
    const page = await (await admin.get('/app/process-log')).text();
    expect(page).toContain('Fallido');
    const detail = await (await admin.get(`/app/imports/${id}`)).text();
    expect(detail).toContain('la fila 3 ya no se puede cargar');
    expect((await entriesOf(tenant.id)).map((e) => e.campaignCode)).toEqual(['OTRA']);
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['22222222']);
  });

  it('an associated payment code that is no longer the client’s when the file is applied fails the whole apply, naming the row', async () => {
    const tenant = await withApp();
    await vigenteClient(tenant, '07654321', 'OP-1');
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { id, process } = await importCampaignFile(admin, 'codigo.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;', 'DNI;07654321;Rosa;;;NAVIDAD;1000;porcentaje;10;;OP-1'), { apply: false });
    expect(process.counts).toMatchObject({ create: 2, rejected: 0 });
    await h.db.delete(paymentOrders).where(eq(paymentOrders.tenantId, tenant.id));
    expect((await admin.post(`/app/imports/${id}/application`)).status).toBe(303);
    await h.runJobs();
    expect(await processOf(h, id)).toMatchObject({ state: 'failed' });
    expect(await (await admin.get(`/app/imports/${id}`)).text()).toContain('la fila 3 ya no se puede cargar');
    expect(await entriesOf(tenant.id)).toEqual([]);
    expect((await clientsOf(h, tenant.id)).map((c) => [c.documentNumber, c.portfolio])).toEqual([['07654321', 'vigente']]);
  });

  it('two applies of the same upload at once write each entry once and leave the upload applied', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { id } = await importCampaignFile(admin, 'a.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;'), { apply: false });
    await h.db.update(fileProcesses).set({ stage: 'applying' }).where(eq(fileProcesses.id, id));
    await Promise.all([applyImport(h.deps, { tenantId: tenant.id, processId: id }), applyImport(h.deps, { tenantId: tenant.id, processId: id })]);
    expect(await processOf(h, id)).toMatchObject({ stage: 'applied', state: 'completed' });
    expect((await entriesOf(tenant.id)).map((e) => e.campaignCode)).toEqual(['NAVIDAD']);
  });

  it('the template downloads with the campaign headers and an example row', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const response = await admin.get('/app/imports/template.xlsx?kind=campaign_entries');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toContain('plantilla-cartera-castigada.xlsx');
    const path = `${mkdtempSync(`${tmpdir()}/tpl-`)}/plantilla.xlsx`;
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));
    const sheet = await openSheet(path, 'plantilla.xlsx', { maxRows: 10 });
    expect(sheet.headers).toEqual(HEADERS.split(';'));
    const { value: [example] = [] } = await sheet.batches.next();
    expect(example!.cells).toContain('NAVIDAD-2026');
  });

  it('the tray links to the upload and the template for users with the imports permission', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const tray = await (await admin.get('/app/campaigns')).text();
    expect(tray).toContain('href="/app/imports/new?kind=campaign_entries"');
    expect(tray).toContain('href="/app/imports/template.xlsx?kind=campaign_entries"');
    const advisor = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'advisor' }));
    expect(await (await advisor.get('/app/campaigns')).text()).not.toContain('/app/imports/new');
    const page = await (await admin.get('/app/imports/new?kind=campaign_entries')).text();
    expect(page).toContain('Cargar cartera castigada');
    expect(page).toContain('name="kind" value="campaign_entries"');
  });
});

describe('access to campaign uploads', () => {
  it('a user without the imports permission cannot upload, and nothing is written', async () => {
    const tenant = await withApp();
    const advisor = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'advisor' }));
    expect((await advisor.get('/app/imports/new?kind=campaign_entries')).status).toBe(403);
    const response = await upload(advisor, 'a.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;'));
    expect(response.status).toBe(403);
    expect(await clientsOf(h, tenant.id)).toEqual([]);
  });

  it('a tenant without the app cannot upload campaign entries', async () => {
    const tenant = await newTenant(h, { plan: 'pro' });
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    expect((await admin.get('/app/imports/new?kind=campaign_entries')).status).toBe(404);
    expect((await admin.get('/app/imports/template.xlsx?kind=campaign_entries')).status).toBe(404);
    expect((await upload(admin, 'a.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;'))).status).toBe(404);
    expect(await clientsOf(h, tenant.id)).toEqual([]);
  });

  it('another tenant cannot see, map or apply a campaign upload', async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const { id } = await importCampaignFile(admin, 'a.csv', csv('DNI;11111111;Ana;;;NAVIDAD;1000;porcentaje;10;;'), { apply: false });
    const other = await withApp();
    const stranger = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect((await stranger.get(`/app/imports/${id}`)).status).toBe(404);
    expect((await stranger.post(`/app/imports/${id}/mapping`, { 'map.documentType': '0' })).status).toBe(404);
    expect((await stranger.post(`/app/imports/${id}/application`)).status).toBe(404);
    await h.runJobs();
    expect((await processOf(h, id)).stage).toBe('validated');
    expect(await entriesOf(tenant.id)).toEqual([]);
  });
});

describe('a large campaign file', () => {
  it('of 20,000 rows, half of them clients already in cartera vigente, applies whole in one transaction', { timeout: 180_000 }, async () => {
    const tenant = await withApp();
    const admin = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
    const size = 20_000;
    await h.db.execute(sql`insert into clients (tenant_id, document_type, document_number, name)
      select ${tenant.id}, 'DNI', lpad((50000000 + g)::text, 8, '0'), 'Cliente ' || g from generate_series(1, ${size / 2}) g`);
    const lines = Array.from({ length: size }, (_, i) => `DNI;${50000001 + i};Cliente ${i + 1};;;MASIVA-2027;1001.50;porcentaje;25;31/03/2027;`);
    let started = performance.now();
    const { id } = await importCampaignFile(admin, 'masiva.csv', csv(...lines), { apply: false });
    const checked = (performance.now() - started) / 1000;
    started = performance.now();
    expect((await admin.post(`/app/imports/${id}/application`)).status).toBe(303);
    await h.runJobs();
    const applied = (performance.now() - started) / 1000;
    console.log(`campaign file of ${size} rows checked in ${checked.toFixed(1)} s and applied in ${applied.toFixed(1)} s`);
    const process = await processOf(h, id);
    expect(process, JSON.stringify(process)).toMatchObject({ state: 'completed', stage: 'applied', counts: { rows: size, create: size, rejected: 0 } });
    const [counted] = await rows<{ entries: number; clients: number }>(h.db, sql`select
      (select count(*)::int from campaign_entries where tenant_id = ${tenant.id}) as entries,
      (select count(*)::int from clients where tenant_id = ${tenant.id} and portfolio = 'castigada') as clients`);
    expect(counted).toMatchObject({ entries: size, clients: size });
    // The tables it loaded are analyzed at once: a tray's next plan knows how many rows there are.
    const [stats] = await rows<{ analyzed: boolean }>(h.db, sql`select last_analyze is not null as analyzed from pg_stat_user_tables where relname = 'campaign_entries'`);
    expect(stats?.analyzed).toBe(true);
  });
});
