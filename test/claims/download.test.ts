import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClaim, openClaim } from '../../src/claims/service.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { downloadCsv } from '../exports/support.js';
import { debtor, scopeFor } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ jobs: true });
});
afterAll(() => h.close());

describe('downloading the claims tray', () => {
  it('the file holds the claims of the tray’s filters with its columns, and nothing of another tenant', async () => {
    const acme = await newTenant(h);
    const admin = await addStaff(h, acme, { role: 'admin' });
    const scope = scopeFor(h, acme, admin);
    const rosa = await debtor(h, acme, { name: 'Rosa Huamán' });
    const pedro = await debtor(h, acme, { name: 'Pedro Salas' });
    await openClaim(scope, { clientId: rosa.client.id, orderIds: [rosa.orders[0].id], category: 'errores_facturacion', description: 'Cobro duplicado', comments: null });
    const closed = await openClaim(scope, { clientId: pedro.client.id, orderIds: [pedro.orders[0].id], category: 'problemas_pago', description: 'Pago no aplicado', comments: null });
    if (!closed.ok) throw new Error('setup failed');
    await closeClaim(scope, closed.claim.id);
    const other = await newTenant(h);
    const stranger = await debtor(h, other, { name: 'Cliente Ajeno' });
    await openClaim(scopeFor(h, other, null), { clientId: stranger.client.id, orderIds: [stranger.orders[0].id], category: 'errores_facturacion', description: 'Ajeno', comments: null });

    const client = await loggedIn(h, acme, admin);
    const tray = await (await client.get('/app/claims')).text();
    expect(tray).toContain('name="kind" value="claims"');
    // A filter applied with htmx swaps the results, and "Descargar" with them: it carries the new filters.
    const part = await (await client.get('/app/claims?state=todos', { htmx: true })).text();
    expect(part).not.toContain('<html');
    expect(part).toMatch(/name="query" value="[^"]*state=todos/);
    const { lines, text } = await downloadCsv(h, client, acme.id, 'claims', '?state=todos&category=errores_facturacion');
    expect(lines[0]).toContain('N.º,Cliente,Alertas,Categoría,Estado del reclamo,Órdenes de pago,Descripción');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('Rosa Huamán');
    expect(lines[1]).toContain('Errores de facturación');
    expect(text).not.toContain('Pedro Salas');
    expect(text).not.toContain('Cliente Ajeno');
    expect(await (await client.get('/app/process-log')).text()).toContain('Descarga de reclamos');
  });

  it('a user who may edit claims but not download reports is refused', async () => {
    const acme = await newTenant(h);
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect(await (await advisor.get('/app/claims')).text()).not.toContain('name="kind" value="claims"');
    expect((await advisor.post('/app/exports', { kind: 'claims', format: 'csv', query: '' })).status).toBe(403);
  });
});
