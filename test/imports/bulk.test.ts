import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { and, asc, eq, sql, TransactionRollbackError } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { translateMessage, translator } from '../../src/platform/i18n/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/db/index.js';
import { refreshClientBalances } from '../../src/clients/derived.js';
import { clients } from '../../src/clients/schema.js';
import { applyImport, checkImport } from '../../src/imports/jobs.js';
import { paymentOrders } from '../../src/payment-orders/schema.js';
import { fileProcesses } from '../../src/process-log/schema.js';
import { storageFor } from '../../src/storage/index.js';
import { openSheet } from '../../src/platform/spreadsheets/read.js';
import { xlsxWriter } from '../../src/platform/spreadsheets/write.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { addOrder, seedClient } from '../clients/support.js';
import { activeCampaign } from '../portal/support.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { clientsOf, importFile, ordersOf, processOf, stagedRows } from './support.js';

let h: Harness;

beforeAll(async () => {
  h = await startTestApp({ jobs: true, env: { LOG_LEVEL: 'error' } });
});
afterAll(() => h.close());

async function staffClient(tenant: Tenant) {
  return loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
}

/** The receivables state stored on the tenant's clients, by document number. */
async function storedState(tenant: Tenant) {
  return h.db
    .select({ number: clients.documentNumber, unpaid: clients.unpaidOrders, oldest: clients.oldestUnpaidDueDate, balance: clients.totalBalance })
    .from(clients)
    .where(eq(clients.tenantId, tenant.id))
    .orderBy(asc(clients.documentNumber));
}

/**
 * The same state recomputed from the orders by the rule every feature uses (and rolled
 * back): the stored one must already be it.
 */
async function recomputed(tenant: Tenant) {
  let list: Awaited<ReturnType<typeof storedState>> = [];
  await h.db
    .transaction(async (tx) => {
      const ids = await tx.select({ id: clients.id }).from(clients).where(eq(clients.tenantId, tenant.id));
      await refreshClientBalances(tx, tenant.id, ids.map((c) => c.id));
      list = await tx
        .select({ number: clients.documentNumber, unpaid: clients.unpaidOrders, oldest: clients.oldestUnpaidDueDate, balance: clients.totalBalance })
        .from(clients)
        .where(eq(clients.tenantId, tenant.id))
        .orderBy(asc(clients.documentNumber));
      tx.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
  return list;
}

const HEADER = 'Tipo de documento,Número de documento,Nombre,Segmento,Alertas de contacto,Código de pago,Producto,Monto,Interés,Descuentos,Fecha de emisión,Fecha de vencimiento,Anulada';

/**
 * A checked upload of one new client ("Nueva", document `number`) with orders OP-A and
 * OP-B, and a stored client "Otra" (document `number` + 1) that may take OP-B from it.
 */
async function newClientBesideAnother(number: number) {
  const tenant = await newTenant(h);
  const client = await staffClient(tenant);
  const csv = [HEADER, `DNI,${number},Nueva,,,OP-A,,100,0,0,01/01/2026,01/02/2026,`, `DNI,${number},Nueva,,,OP-B,,200,0,0,01/01/2026,01/03/2026,`].join('\n');
  const { id } = await importFile(h, client, 'c.csv', Buffer.from(csv), { apply: false });
  const other = await seedClient(h, tenant, { documentNumber: String(number + 1), name: 'Otra' });
  return { tenant, id, other };
}

/** Puts a checked upload where the apply job finds it. */
async function toApply(tenant: Tenant, id: number) {
  await h.db.execute(sql`update file_processes set stage = 'applying' where tenant_id = ${tenant.id} and id = ${id}`);
}

describe('staging and applying a whole upload', () => {
  it('text with backslashes, tabs, quotes, line breaks and braces arrives exactly as typed', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const csv = [
      HEADER,
      'DNI,12345678,"Ana \\ ""La Tía""\tMaría","\\N\tuno","no llamar; {urgente}, ""sin \\ whatsapp""",OP-\\1,"Crédito\nvehicular",100,0,0,01/02/2026,01/03/2026,',
      'DNI,87654321,NULL,\\\\N,,OP-2,\t,200,0,0,01/02/2026,01/03/2026,',
    ].join('\r\n');
    const { process } = await importFile(h, client, 'raros.csv', Buffer.from(csv));
    expect(process.counts).toMatchObject({ rows: 2, create: 2, rejected: 0 });
    const [ana, nulo] = await clientsOf(h, tenant.id);
    // A name is one line with single spaces (a tab is a space); other text keeps its tabs as typed.
    expect(ana).toMatchObject({ documentNumber: '12345678', name: 'Ana \\ "La Tía" María', segment: '\\N\tuno', contactAlerts: ['no llamar', '{urgente}', '"sin \\ whatsapp"'] });
    expect(nulo).toMatchObject({ documentNumber: '87654321', name: 'NULL', segment: '\\\\N', contactAlerts: [] });
    const orders = await ordersOf(h, tenant.id);
    expect(orders.map((o) => [o.paymentCode, o.product])).toEqual([
      ['OP-2', null],
      ['OP-\\1', 'Crédito\nvehicular'],
    ]);

    // The same file again finds every value equal to what is stored.
    const again = await importFile(h, client, 'raros.csv', Buffer.from(csv));
    expect(again.process.counts).toMatchObject({ rows: 2, create: 0, update: 0, unchanged: 2 });
  });

  it('refuses a row whose code is another client’s order, and takes the client from its next row', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const other = await seedClient(h, tenant, { documentNumber: '12000009', name: 'Otra' });
    await addOrder(h, tenant, other, { paymentCode: 'OP-X', amount: 5_000, issueDate: '2026-01-01', dueDate: '2026-02-01' });
    const csv = [
      HEADER,
      'DNI,12000001,Nueva,A,,OP-X,,100,0,0,01/01/2026,01/02/2026,',
      'DNI,12000001,Nueva,A,,OP-Y,,200,0,0,01/01/2026,01/03/2026,',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'ajena.csv', Buffer.from(csv));
    expect(process).toMatchObject({ stage: 'applied', counts: { rows: 2, create: 1, rejected: 1 } });
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toContain('2,Código de pago,OP-X,El código de pago ya pertenece a una orden de otro cliente.');
    const nueva = (await clientsOf(h, tenant.id)).find((c) => c.documentNumber === '12000001');
    expect(nueva).toMatchObject({ name: 'Nueva', segment: 'A' });
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.clientId])).toEqual([
      ['OP-X', other.id],
      ['OP-Y', nueva!.id],
    ]);
    expect(await storedState(tenant)).toEqual(await recomputed(tenant));
  });

  it('refuses the rows that would take a client in an active charged-off campaign back to cartera vigente', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const charged = await seedClient(h, tenant, { documentNumber: '12000021', name: 'Castigado', portfolio: 'castigada' });
    await activeCampaign(h, tenant, charged.id);
    const ended = await seedClient(h, tenant, { documentNumber: '12000022', name: 'Terminado', portfolio: 'castigada' });
    await activeCampaign(h, tenant, ended.id, { campaignCode: 'CAMP-0', endDate: '2026-01-31' });
    const csv = [
      `${HEADER},Cartera`,
      'DNI,12000021,Castigado,A,,OP-C1,,100,0,0,01/01/2026,01/02/2026,,vigente',
      'DNI,12000021,Castigado,A,,OP-C2,,100,0,0,01/01/2026,01/03/2026,,vigente',
      'DNI,12000022,Terminado,A,,OP-T1,,100,0,0,01/01/2026,01/02/2026,,vigente',
      'DNI,12000023,Nuevo,A,,OP-N1,,100,0,0,01/01/2026,01/02/2026,,vigente',
    ].join('\n');
    const { id, process } = await importFile(h, client, 'cartera.csv', Buffer.from(csv));
    expect(process).toMatchObject({ stage: 'applied', counts: { rows: 4, rejected: 2 } });
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report).toContain('2,Cartera,vigente,El cliente tiene una campaña activa de cartera castigada: sigue en cartera castigada mientras dure.');
    expect(report).toContain('3,Cartera,vigente,');
    const stored = await clientsOf(h, tenant.id);
    expect(stored.map((c) => [c.documentNumber, c.portfolio])).toEqual([
      ['12000021', 'castigada'],
      ['12000022', 'vigente'],
      ['12000023', 'vigente'],
    ]);
    expect((await ordersOf(h, tenant.id)).map((o) => o.paymentCode).sort()).toEqual(['OP-N1', 'OP-T1']);
    expect(await storedState(tenant)).toEqual(await recomputed(tenant));
  });

  it('checks and writes only the columns the file brings: the rest keep what is stored, or take their defaults for a new client', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const stored = await seedClient(h, tenant, {
      documentNumber: '11000001', name: 'Antes', email: 'antes@example.pe', phone: '+51987654321', segment: 'VIP',
      status: 'inactivo', contactability: 'no_contactable', portfolio: 'castigada', contactAlerts: ['no llamar'],
    });
    await addOrder(h, tenant, stored, { paymentCode: 'OP-1', amount: 10_000, interest: 500, discounts: 200, issueDate: '2026-01-01', dueDate: '2026-02-01', annulled: true });
    const csv = [
      'Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento',
      'DNI,11000001,Después,OP-1,300,01/01/2026,01/02/2026',
      'DNI,11000002,Nueva,OP-2,100,01/01/2026,01/02/2026',
    ].join('\n');
    const { process } = await importFile(h, client, 'pocas.csv', Buffer.from(csv));
    expect(process.counts).toMatchObject({ rows: 2, create: 1, update: 1, unchanged: 0, rejected: 0 });
    const [before, added] = await clientsOf(h, tenant.id);
    expect(before).toMatchObject({
      name: 'Después', email: 'antes@example.pe', phone: '+51987654321', segment: 'VIP',
      status: 'inactivo', contactability: 'no_contactable', portfolio: 'castigada', contactAlerts: ['no llamar'],
    });
    expect(added).toMatchObject({ name: 'Nueva', email: null, phone: null, segment: null, status: 'activo', contactability: 'contactable', portfolio: 'vigente', contactAlerts: [] });
    const orders = await ordersOf(h, tenant.id);
    expect(orders.map((o) => [o.paymentCode, o.amount, o.interest, o.discounts, o.annulled])).toEqual([
      ['OP-1', 30_000, 500, 200, true],
      ['OP-2', 10_000, 0, 0, false],
    ]);
  });

  it('leaves every client’s receivables state exactly what its orders give, for new and existing clients', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const first = [
      HEADER,
      // A new client with an unpaid order, an annulled one and one whose discounts cover it.
      'DNI,10000001,Uno,A,,OP-1,,100,10,0,01/01/2026,01/02/2026,',
      'DNI,10000001,Uno,A,,OP-2,,500,0,0,01/01/2026,15/01/2026,sí',
      'DNI,10000001,Uno,A,,OP-3,,300,0,300,01/01/2026,01/01/2026,',
      // A new client whose only order is settled by its discounts.
      'DNI,10000002,Dos,B,,OP-4,,50,0,50,01/01/2026,01/03/2026,',
      // A new client with two unpaid orders.
      'DNI,10000003,Tres,B,,OP-5,,70,0,0,01/01/2026,20/02/2026,',
      'DNI,10000003,Tres,B,,OP-6,,30,0,0,01/01/2026,10/02/2026,',
    ].join('\n');
    await importFile(h, client, 'a.csv', Buffer.from(first));
    expect(await storedState(tenant)).toEqual([
      { number: '10000001', unpaid: 1, oldest: '2026-02-01', balance: 11_000 },
      { number: '10000002', unpaid: 0, oldest: null, balance: 0 },
      { number: '10000003', unpaid: 2, oldest: '2026-02-10', balance: 10_000 },
    ]);

    // Then: an existing client gains an order, another's order changes, a client stored
    // before any upload gets its first orders, and a new client arrives.
    await seedClient(h, tenant, { documentNumber: '10000004', name: 'Cuatro' });
    const second = [
      HEADER,
      'DNI,10000001,Uno,A,,OP-1,,100,10,0,01/01/2026,01/02/2026,',
      'DNI,10000001,Uno,A,,OP-7,,40,0,0,01/01/2026,05/01/2026,',
      'DNI,10000003,Tres,B,,OP-6,,30,0,0,01/01/2026,10/02/2026,sí',
      'DNI,10000004,Cuatro,,,OP-8,,80,0,0,01/01/2026,03/03/2026,',
      'DNI,10000005,Cinco,C,,OP-9,,90,0,0,01/01/2026,04/03/2026,',
    ].join('\n');
    const { process } = await importFile(h, client, 'b.csv', Buffer.from(second));
    expect(process.counts).toMatchObject({ rows: 5, create: 3, update: 1, unchanged: 1, rejected: 0 });
    const state = await storedState(tenant);
    expect(state).toEqual([
      { number: '10000001', unpaid: 2, oldest: '2026-01-05', balance: 15_000 },
      { number: '10000002', unpaid: 0, oldest: null, balance: 0 },
      { number: '10000003', unpaid: 1, oldest: '2026-02-20', balance: 7_000 },
      { number: '10000004', unpaid: 1, oldest: '2026-03-03', balance: 8_000 },
      { number: '10000005', unpaid: 1, oldest: '2026-03-04', balance: 9_000 },
    ]);
    expect(await recomputed(tenant)).toEqual(state);
  });

  it('a client the check found, deleted before the apply, fails the apply whole instead of being created again', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const rosa = await seedClient(h, tenant, { documentNumber: '30000001', name: 'Rosa Antes' });
    const csv = ['Tipo de documento,Número de documento,Nombre', 'DNI,30000002,Nueva Persona', 'DNI,30000001,Rosa Después'].join('\n');
    const { id } = await importFile(h, client, 'c.csv', Buffer.from(csv), { apply: false });
    expect((await processOf(h, id)).counts).toMatchObject({ create: 1, update: 1 });
    h.clock.advance(60_000);
    await h.db.update(clients).set({ deletedAt: h.clock.now() }).where(eq(clients.id, rosa.id));
    await toApply(tenant, id);
    await applyImport(h.deps, { tenantId: tenant.id, processId: id });
    const failed = await processOf(h, id);
    expect(failed).toMatchObject({ stage: 'mapping', state: 'failed' });
    expect(translateMessage(translator('es'), failed.error!)).toContain('se eliminó después de revisar el archivo');
    expect(failed.error).toMatch(/line=3&/);
    // Nothing written: no second Rosa, no new person.
    const all = await h.db.select().from(clients).where(eq(clients.tenantId, tenant.id));
    expect(all.map((c) => [c.documentNumber, c.deletedAt !== null])).toEqual([['30000001', true]]);
  });

  it('a payment code taken by another client after the check fails the apply whole: nothing is left out without a word', async () => {
    const { tenant, id, other } = await newClientBesideAnother(20000001);
    expect((await processOf(h, id)).counts).toMatchObject({ create: 2 });

    // Between the check and the apply someone stores OP-B under another client.
    await addOrder(h, tenant, other, { paymentCode: 'OP-B', amount: 999, issueDate: '2026-01-01', dueDate: '2026-01-02' });

    await toApply(tenant, id);
    await applyImport(h.deps, { tenantId: tenant.id, processId: id });
    const failed = await processOf(h, id);
    expect(failed).toMatchObject({ stage: 'mapping', state: 'failed' });
    expect(failed.error).toMatch(/^campaignImports\.error\.applyRefused\?line=3&/);
    // Worded when read, in the reader's language, the reason included.
    expect(translateMessage(translator('en'), failed.error!)).toBe(translateMessage(translator('en'), 'campaignImports.error.applyRefused?line=3&reason=' + encodeURIComponent(translator('en')('imports.error.codeOfAnotherClient'))));
    expect(translateMessage(translator('es'), failed.error!)).toContain(translator('es')('imports.error.codeOfAnotherClient'));
    // Nothing of the file was written; checking it again refuses that row and lets the rest in.
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['20000002']);
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.clientId === other.id])).toEqual([['OP-B', true]]);
  });

  it.skipIf(!process.env.DATABASE_URL)('a payment code another transaction stores while the apply runs fails the apply whole; the next try says which row', async () => {
    const { tenant, id, other } = await newClientBesideAnother(21000001);
    await toApply(tenant, id);

    // Someone writes OP-B and has not committed when the apply starts: the apply counts OP-B
    // as new, and its insert waits on the unique index until the other commits.
    const elsewhere = await h.deps.database.sql!.reserve();
    let applying: Promise<void> | undefined;
    try {
      await elsewhere`begin`;
      await elsewhere`insert into payment_orders (tenant_id, client_id, payment_code, amount, issue_date, due_date) values (${tenant.id}, ${other.id}, 'OP-B', 999, '2026-01-01', '2026-01-02')`;
      applying = applyImport(h.deps, { tenantId: tenant.id, processId: id }, { retriesLeft: 1 });
      applying.catch(() => undefined);
      for (let waited = 0; ; waited += 20) {
        const [blocked] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into payment_orders%'`);
        if (blocked!.n > 0) break;
        if (waited > 10_000) throw new Error('the apply never reached the orders');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await elsewhere`commit`;
    } finally {
      elsewhere.release();
    }
    await expect(applying).rejects.toThrow();
    expect(await processOf(h, id)).toMatchObject({ stage: 'applying', state: 'failed', error: 'imports.error.applyFailed' });
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['21000002']);
    await refreshClientBalances(h.db, tenant.id, [other.id]);

    // The next try finds OP-B stored under the other client and refuses the upload whole, saying which row.
    await applyImport(h.deps, { tenantId: tenant.id, processId: id });
    expect(await processOf(h, id)).toMatchObject({ stage: 'mapping', state: 'failed' });
    expect((await ordersOf(h, tenant.id)).map((o) => [o.paymentCode, o.clientId === other.id])).toEqual([['OP-B', true]]);
    expect(await storedState(tenant)).toEqual(await recomputed(tenant));
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['21000002']);
  });

  it('a payment code stored between the apply’s statements fails the apply whole rather than leave a balance that counts it', async () => {
    const { tenant, id, other } = await newClientBesideAnother(22000001);
    await toApply(tenant, id);
    // OP-B appears right after the new client is written, before its orders are: the client's
    // state was worked out with OP-B among its orders, which the orders' insert then skips.
    const trigger = `import_race_${tenant.id}`;
    await h.db.execute(
      sql.raw(`create function ${trigger}() returns trigger language plpgsql as $$ begin
        insert into payment_orders (tenant_id, client_id, payment_code, amount, issue_date, due_date) values (${tenant.id}, ${other.id}, 'OP-B', 999, '2026-01-01', '2026-01-02');
        return null; end $$`),
    );
    await h.db.execute(sql.raw(`create trigger ${trigger} after insert on clients for each row when (new.tenant_id = ${tenant.id} and new.document_number = '22000001') execute function ${trigger}()`));
    try {
      await expect(applyImport(h.deps, { tenantId: tenant.id, processId: id }, { retriesLeft: 1 })).rejects.toThrow(/counted/);
    } finally {
      // One statement each: the embedded database takes no more in one.
      await h.db.execute(sql.raw(`drop trigger ${trigger} on clients`));
      await h.db.execute(sql.raw(`drop function ${trigger}()`));
    }
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['22000002']);
    expect(await ordersOf(h, tenant.id)).toEqual([]);
    expect(await stagedRows(h, tenant.id)).toBe(2);
  });

  it('two applies of the same upload at once (a retried job beside the first) write it once, without an error', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const csv = [HEADER, 'DNI,30000001,Uno,,,OP-1,,100,0,0,01/01/2026,01/02/2026,', 'DNI,30000002,Dos,,,OP-2,,200,0,0,01/01/2026,01/03/2026,'].join('\n');
    const { id } = await importFile(h, client, 'd.csv', Buffer.from(csv), { apply: false });
    await toApply(tenant, id);
    await Promise.all([applyImport(h.deps, { tenantId: tenant.id, processId: id }), applyImport(h.deps, { tenantId: tenant.id, processId: id })]);
    // The second waits for the first and then finds nothing to do: the summary is the first's.
    expect(await processOf(h, id)).toMatchObject({ stage: 'applied', state: 'completed', counts: { rows: 2, create: 2, update: 0, unchanged: 0 } });
    expect((await clientsOf(h, tenant.id)).map((c) => c.documentNumber)).toEqual(['30000001', '30000002']);
    expect((await ordersOf(h, tenant.id)).map((o) => o.paymentCode)).toEqual(['OP-1', 'OP-2']);
    expect(await storedState(tenant)).toEqual([
      { number: '30000001', unpaid: 1, oldest: '2026-02-01', balance: 10_000 },
      { number: '30000002', unpaid: 1, oldest: '2026-03-01', balance: 20_000 },
    ]);
  });
});

describe('a file of thousands of rows, read and checked a batch at a time', () => {
  // A client every three rows, so that clients' rows run on from one batch of a thousand
  // rows to the next; every 700th row has an amount that is not one.
  const ROWS = 5_000;
  const line = (i: number) => i + 2;
  const rowOf = (i: number, change: { number?: number; name?: string; code?: string } = {}) => {
    const client = Math.floor(i / 3);
    const number = change.number ?? 50_000_000 + client;
    return `DNI,${number},${change.name ?? `Cliente ${client}`},,,${change.code ?? `OP-${i}`},,${i % 700 === 699 ? 'abc' : 100 + (i % 50)},0,0,01/01/2026,01/02/2026,`;
  };
  const bad = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 700 === 699);

  it('stores each client once, from its first row, however its rows fall into batches, and reports the bad rows in order', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const csv = [HEADER, ...Array.from({ length: ROWS }, (_, i) => rowOf(i))].join('\n');
    const { id, process } = await importFile(h, client, 'miles.csv', Buffer.from(csv));
    expect(process).toMatchObject({ stage: 'applied', counts: { rows: ROWS, create: ROWS - bad.length, rejected: bad.length } });
    const stored = await clientsOf(h, tenant.id);
    expect(stored).toHaveLength(Math.ceil(ROWS / 3));
    expect(stored[333]).toMatchObject({ documentNumber: '50000333', name: 'Cliente 333' });
    expect(await ordersOf(h, tenant.id)).toHaveLength(ROWS - bad.length);
    expect(await storedState(tenant)).toEqual(await recomputed(tenant));
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    expect(report.trim().split('\n').slice(1).map((r) => Number(r.split(',')[0]))).toEqual(bad.map(line));
  });

  // Client 333's rows are the 1000th to 1002nd, the first in the first batch of a thousand
  // and the others in the next; client 3's are the 10th to 12th.
  const otherName = { name: 'Otro nombre' };
  // The message names the row whose details are loaded: the client's first.
  const differs = 'Número de documento,50000333,El mismo documento está en la fila 1001 con otros datos del cliente. Se cargan los de la fila 1001.';
  it.each([
    ['a client’s rows in the next batch say another name', [[1000, otherName], [1001, otherName]], [[1000, differs], [1001, differs]]],
    ['a client comes back far down the file with another name', [[3001, { number: 50_000_003, name: 'Otro' }]], [[3001, differs.replace('50000333', '50000003').replaceAll('1001', '11')]]],
    ['the last row repeats a code of the first batch', [[ROWS - 1, { code: 'OP-5' }]], [[ROWS - 1, 'Código de pago,OP-5,']]],
    ['a client comes back far down the file, the same', [[3001, { number: 50_000_003, name: 'Cliente 3' }]], []],
  ] as [string, [number, Parameters<typeof rowOf>[1]][], [number, string][]][])('when %s, judges it against the whole file', async (_, changes, refusals) => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const rows = Array.from({ length: ROWS }, (_, i) => rowOf(i));
    for (const [at, change] of changes) rows[at] = rowOf(at, change);
    const { id, process } = await importFile(h, client, 'repetidas.csv', Buffer.from([HEADER, ...rows].join('\n')));
    expect(process.counts).toMatchObject({ rows: ROWS, create: ROWS - bad.length - refusals.length, rejected: bad.length + refusals.length });
    const stored = await clientsOf(h, tenant.id);
    expect(stored).toHaveLength(Math.ceil(ROWS / 3));
    expect(stored.find((c) => c.documentNumber === '50000333')).toMatchObject({ name: 'Cliente 333' });
    const three = stored.find((c) => c.documentNumber === '50000003')!;
    expect(three).toMatchObject({ name: 'Cliente 3' });
    expect(await storedState(tenant)).toEqual(await recomputed(tenant));
    const report = await (await client.get(`/app/process-log/${id}/files/errors`)).text();
    for (const [at, refusal] of refusals) expect(report).toContain(`${line(at)},${refusal}`);
    if (refusals.length === 0) expect((await ordersOf(h, tenant.id)).find((o) => o.paymentCode === 'OP-3001')?.clientId).toBe(three.id);
  });
});

describe('when a job keeps failing', () => {
  const csv = [HEADER, 'DNI,40000001,Uno,,,OP-1,,100,0,0,01/01/2026,01/02/2026,'].join('\n');

  it('a check that cannot read the stored file is tried again, and after the last try the upload goes back to its mapping saying so', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const { id } = await importFile(h, client, 'e.csv', Buffer.from(csv), { apply: false });
    // Checked again from its mapping, after the stored original was lost.
    const stored = await processOf(h, id);
    await storageFor(h.deps.config).remove(stored.originalKey!);
    await h.db.update(fileProcesses).set({ stage: 'validating' }).where(eq(fileProcesses.id, id));

    await expect(checkImport(h.deps, { tenantId: tenant.id, processId: id }, { retriesLeft: 1 })).rejects.toThrow();
    expect(await processOf(h, id)).toMatchObject({ stage: 'validating', state: 'running' });
    await expect(checkImport(h.deps, { tenantId: tenant.id, processId: id }, { retriesLeft: 0 })).rejects.toThrow();
    expect(await processOf(h, id)).toMatchObject({ stage: 'mapping', state: 'failed', error: 'imports.error.checkFailed' });
    expect(await stagedRows(h, tenant.id)).toBe(0);
    const page = await (await client.get(`/app/imports/${id}`)).text();
    expect(page).toContain('No pudimos revisar el archivo, tampoco al reintentarlo.');
  });

  it('an apply that fails writes nothing; after the last try the upload waits to be applied again, its checked rows kept', async () => {
    const tenant = await newTenant(h);
    const client = await staffClient(tenant);
    const { id } = await importFile(h, client, 'f.csv', Buffer.from(csv), { apply: false });
    // A staged row the database refuses (a due date before the issue date) makes the apply fail.
    await h.db.execute(sql`update import_rows set due_date = issue_date - 1 where tenant_id = ${tenant.id} and process_id = ${id}`);
    await toApply(tenant, id);

    await expect(applyImport(h.deps, { tenantId: tenant.id, processId: id }, { retriesLeft: 1 })).rejects.toThrow();
    expect(await processOf(h, id)).toMatchObject({ stage: 'applying', state: 'failed', error: 'imports.error.applyFailed' });
    await expect(applyImport(h.deps, { tenantId: tenant.id, processId: id }, { retriesLeft: 0 })).rejects.toThrow();
    expect(await processOf(h, id)).toMatchObject({ stage: 'validated', state: 'failed', error: 'imports.error.applyGaveUp' });
    expect(await clientsOf(h, tenant.id)).toEqual([]);
    expect(await stagedRows(h, tenant.id)).toBe(1);
    const page = await (await client.get(`/app/imports/${id}`)).text();
    expect(page).toContain('Puedes aplicarla otra vez.');
    expect(page).toContain(`action="/app/imports/${id}/application"`);
  });
});

describe('one check of an upload at a time', () => {
  const csv = [HEADER, 'DNI,50000001,Uno,,,OP-1,,100,0,0,01/01/2026,01/02/2026,', 'DNI,50000002,Dos,,,OP-2,,100,0,0,01/01/2026,01/02/2026,'].join('\n');

  /** An upload checked once, then put back as if a check of it were under way. */
  async function checking(tenant: Tenant) {
    const { id } = await importFile(h, await staffClient(tenant), 'g.csv', Buffer.from(csv), { apply: false });
    await h.db.update(fileProcesses).set({ stage: 'validating' }).where(eq(fileProcesses.id, id));
    return id;
  }

  it('a second run while the first still works leaves the upload to the first', async () => {
    const tenant = await newTenant(h);
    const id = await checking(tenant);
    const data = { tenantId: tenant.id, processId: id };
    const first = checkImport(h.deps, data);
    await checkImport(h.deps, data);
    // The second returned at once: the first has not finished, and its rows are its own.
    expect((await processOf(h, id)).stage).toBe('validating');
    await first;
    expect(await processOf(h, id)).toMatchObject({ stage: 'validated', counts: { rows: 2, create: 2, rejected: 0 } });
    expect(await stagedRows(h, tenant.id)).toBe(2);
  });

  it.skipIf(!process.env.DATABASE_URL)('a run in another process holding the upload keeps this one from touching it, until it lets go', async () => {
    const tenant = await newTenant(h);
    const id = await checking(tenant);
    const data = { tenantId: tenant.id, processId: id };
    const elsewhere = await h.deps.database.sql!.reserve();
    try {
      await elsewhere`select pg_advisory_lock(hashtextextended(${`imports.check:${tenant.id}:${id}`}, 0))`;
      await checkImport(h.deps, data);
      expect((await processOf(h, id)).stage).toBe('validating');
      expect(await stagedRows(h, tenant.id)).toBe(2);
    } finally {
      await elsewhere`select pg_advisory_unlock_all()`;
      elsewhere.release();
    }
    await checkImport(h.deps, data);
    expect((await processOf(h, id)).stage).toBe('validated');
  });
});

describe('reading big files', () => {
  // Every letter here is two bytes of UTF-8, so the reader's chunks of a part split
  // letters many times over; each must still come out whole.
  const accented = (i: number) => `Ñandú Peña Ávila Güemes ${'ñáéíóú'.repeat(20)} ${i}`;
  const rowsIn = async (path: string, name = 'grande.xlsx') => {
    const sheet = await openSheet(path, name, { maxRows: 10_000 });
    const out: string[] = [];
    for await (const batch of sheet.batches) for (const row of batch) out.push(row.cells[0]!);
    return out;
  };
  const count = 3_000;

  it('keeps letters whole across the chunks of a UTF-8 csv, and every row in order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csv-')), 'grande.csv');
    writeFileSync(path, `\uFEFFNombre,Código\r\n${Array.from({ length: count }, (_, i) => `"${accented(i)}",OP-${i}\r\n`).join('')}`);
    const names = await rowsIn(path, 'grande.csv');
    expect(names).toHaveLength(count);
    expect(names.filter((n, i) => n !== accented(i))).toEqual([]);
  });

  it('keeps letters whole across chunks, with text written in the sheet', async () => {
    const out = new PassThrough();
    const written = buffer(out);
    const writer = xlsxWriter(out, ['Nombre']);
    await writer.write(Array.from({ length: count }, (_, i) => [accented(i)]));
    await writer.end();
    const path = join(mkdtempSync(join(tmpdir(), 'xlsx-')), 'grande.xlsx');
    writeFileSync(path, await written);
    const names = await rowsIn(path);
    expect(names).toHaveLength(count);
    expect(names.filter((n, i) => n !== accented(i))).toEqual([]);
  });

  it('keeps letters whole across chunks, with text in shared strings', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Datos');
    sheet.addRow(['Nombre']);
    for (let i = 0; i < count; i++) sheet.addRow([accented(i)]);
    const path = join(mkdtempSync(join(tmpdir(), 'xlsx-')), 'grande.xlsx');
    await workbook.xlsx.writeFile(path);
    const names = await rowsIn(path);
    expect(names).toHaveLength(count);
    expect(names.filter((n, i) => n !== accented(i))).toEqual([]);
  });
});
