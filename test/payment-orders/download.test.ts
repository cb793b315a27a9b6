import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { downloadCsv } from '../exports/support.js';
import { newClient, newOrder } from '../payments/support.js';
import { importFile } from '../imports/support.js';
import { listOrders, listOrdersForExport, orderFiltersFrom } from '../../src/payment-orders/queries.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ jobs: true });
});
afterAll(() => h.close());

describe('downloading the orders tray', () => {
  it('the file holds the orders of the tray’s filters with its columns, amounts in soles, and nothing of another tenant', async () => {
    const acme = await newTenant(h);
    const admin = await addStaff(h, acme, { role: 'admin' });
    const rosa = await newClient(h, acme, { name: 'Rosa Huamán', documentNumber: '01234567' });
    const pedro = await newClient(h, acme, { name: 'Pedro Salas' });
    await newOrder(h, acme, rosa.id, { paymentCode: 'VEH-1', product: 'Crédito vehicular', amount: 1_234_50, dueDate: '2026-02-10' });
    await newOrder(h, acme, rosa.id, { paymentCode: 'TAR-1', product: 'Tarjeta', amount: 50_00 });
    await newOrder(h, acme, pedro.id, { paymentCode: 'VEH-2', product: 'Crédito vehicular', amount: 999_00, annulled: true });
    const other = await newTenant(h);
    const stranger = await newClient(h, other, { name: 'Cliente Ajeno' });
    await newOrder(h, other, stranger.id, { paymentCode: 'VEH-9', product: 'Crédito vehicular' });

    const client = await loggedIn(h, acme, admin);
    const tray = await (await client.get('/app/orders?product=Cr%C3%A9dito+vehicular&page=2')).text();
    expect(tray).toContain('name="kind" value="orders"');
    // The page is not a filter: the download holds every page.
    expect(tray).toContain('name="query" value="product=Cr%C3%A9dito+vehicular"');
    const { lines, text } = await downloadCsv(h, client, acme.id, 'orders', 'product=Crédito vehicular');
    expect(lines).toEqual([
      'Código de pago,Cliente,Tipo de documento,Número de documento,Producto,Monto,Intereses,Descuentos,Fecha de emisión,Fecha de vencimiento,Anulada,Saldo,Estado de la orden',
      expect.stringMatching(/^VEH-1,Rosa Huamán,DNI,01234567,Crédito vehicular,1234.50,0.00,0.00,2026-01-01,2026-02-10,No,1234.50,(Pendiente|Vencida)$/),
      // An annulled order owes nothing: its balance is left blank, as the tray shows none.
      expect.stringMatching(/^VEH-2,Pedro Salas,DNI,\d+,Crédito vehicular,999.00,0.00,0.00,2026-01-01,2026-03-31,Sí,,Anulada$/),
    ]);
    expect(text).not.toContain('TAR-1');
    expect(text).not.toContain('Cliente Ajeno');
    expect(await (await client.get('/app/process-log')).text()).toContain('Descarga de órdenes de pago');
    // The download uploads back as it is and changes nothing (the order's state is no upload field).
    const again = await importFile(h, client, 'ordenes.csv', Buffer.from(text));
    expect(again.process.counts, JSON.stringify(again.process)).toMatchObject({ rows: 2, create: 0, update: 0, unchanged: 2, rejected: 0 });
  });

  it('lists the orders in the tray’s order, also when a walk in small batches meets equal values', async () => {
    const acme = await newTenant(h);
    const admin = await addStaff(h, acme, { role: 'admin' });
    const rosa = await newClient(h, acme, { name: 'Rosa Huamán' });
    const amounts = [300_00, 100_00, 300_00, 200_00, 100_00, 300_00];
    for (const [i, amount] of amounts.entries()) await newOrder(h, acme, rosa.id, { paymentCode: `OP-${'CAEBFD'[i]}`, amount });
    const client = await loggedIn(h, acme, admin);
    const today = '2026-03-10';
    for (const sort of ['-amount', 'amount', 'code', '-code', 'due', '-balance']) {
      const filters = orderFiltersFrom({ sort }, 'PEN');
      const tray = (await listOrders(h.db, acme.id, filters, today)).items.map((o) => o.paymentCode);
      // Two rows a batch: every batch but the last ends between equal amounts somewhere.
      const walked: string[] = [];
      let after: Awaited<ReturnType<typeof listOrdersForExport>>[number] | undefined;
      for (;;) {
        const batch = await listOrdersForExport(h.db, acme.id, filters, today, { after, limit: 2 });
        walked.push(...batch.map((o) => o.paymentCode));
        if (batch.length < 2) break;
        after = batch.at(-1);
      }
      expect(walked, sort).toEqual(tray);
      expect(new Set(walked).size).toBe(amounts.length);
    }
    expect((await listOrders(h.db, acme.id, orderFiltersFrom({ sort: '-amount' }, 'PEN'), today)).items.map((o) => o.paymentCode)).toEqual(['OP-D', 'OP-E', 'OP-C', 'OP-B', 'OP-F', 'OP-A']);
    // The tray's sort travels with "Descargar", and the file follows it.
    const page = await (await client.get('/app/orders?sort=-amount')).text();
    expect(page).toContain('name="query" value="sort=-amount"');
    const { lines } = await downloadCsv(h, client, acme.id, 'orders', 'sort=-amount');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['OP-D', 'OP-E', 'OP-C', 'OP-B', 'OP-F', 'OP-A']);
  });

  it('a user without reports.download sees no Descargar and is refused', async () => {
    const acme = await newTenant(h);
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect(await (await advisor.get('/app/orders')).text()).not.toContain('name="kind" value="orders"');
    expect((await advisor.post('/app/exports', { kind: 'orders', format: 'csv', query: '' })).status).toBe(403);
  });
});
