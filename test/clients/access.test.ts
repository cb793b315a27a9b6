import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { clientsOf, seedClient, storedClient } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

const edit = { documentType: 'DNI', documentNumber: '45678912', name: 'Cambiado' };

describe('who may open and change clients', () => {
  it('another tenant’s client ids get a 404 on every route, and nothing changes', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const theirs = await seedClient(h, other, { name: 'Ajeno', documentNumber: '12345678' });
    const theirsDeleted = await seedClient(h, other, { name: 'Ajeno Borrado', deletedAt: new Date('2026-03-01T00:00:00Z') });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    for (const path of ['', '/edit', '/deletion', '/interactions']) {
      expect((await admin.get(`/app/clients/${theirs.id}${path}`)).status, path).toBe(404);
    }
    expect((await admin.post(`/app/clients/${theirs.id}`, edit)).status).toBe(404);
    expect((await admin.post(`/app/clients/${theirs.id}/deletion`)).status).toBe(404);
    expect((await admin.post(`/app/clients/${theirsDeleted.id}/restoration`)).status).toBe(404);
    expect(await storedClient(h, other, theirs.id)).toMatchObject({ name: 'Ajeno', deletedAt: null });
    expect((await storedClient(h, other, theirsDeleted.id))!.deletedAt).not.toBeNull();
  });

  it('malformed ids are simply not found', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.get('/app/clients/abc')).status).toBe(404);
    expect((await admin.get('/app/clients/99999999999999999999')).status).toBe(404);
    expect((await admin.post('/app/clients/0/deletion')).status).toBe(404);
  });

  it('a user without receivables is refused everywhere and changes nothing', async () => {
    const acme = await newTenant(h);
    const client = await seedClient(h, acme, { name: 'Intacto' });
    const gone = await seedClient(h, acme, { deletedAt: new Date('2026-03-01T00:00:00Z') });
    const claimsOnly = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor', revoke: ['receivables'] }));
    for (const path of ['/app/clients', '/app/clients/new', `/app/clients/${client.id}`, `/app/clients/${client.id}/edit`, `/app/clients/${client.id}/deletion`, `/app/clients/${client.id}/interactions`]) {
      expect((await claimsOnly.get(path)).status, path).toBe(403);
    }
    expect((await claimsOnly.post('/app/clients', { ...edit, documentNumber: '45678913' })).status).toBe(403);
    expect((await claimsOnly.post(`/app/clients/${client.id}`, edit)).status).toBe(403);
    expect((await claimsOnly.post(`/app/clients/${client.id}/deletion`)).status).toBe(403);
    expect((await claimsOnly.post(`/app/clients/${gone.id}/restoration`)).status).toBe(403);
    expect((await claimsOnly.post('/app/clients/columns', { columns: ['name'] })).status).toBe(403);
    expect(await clientsOf(h, acme)).toHaveLength(2);
    expect(await storedClient(h, acme, client.id)).toMatchObject({ name: 'Intacto', deletedAt: null });
  });

  it('an advisor, without clients.edit, sees the tray and the client but cannot create or edit', async () => {
    const acme = await newTenant(h);
    const client = await seedClient(h, acme, { name: 'Intacto' });
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    const tray = await (await advisor.get('/app/clients')).text();
    expect(tray).toContain('Intacto');
    expect(tray).not.toContain('href="/app/clients/new"');
    expect((await advisor.get(`/app/clients/${client.id}`)).status).toBe(200);
    expect((await advisor.get('/app/clients/new')).status).toBe(403);
    expect((await advisor.get(`/app/clients/${client.id}/edit`)).status).toBe(403);
    expect((await advisor.post('/app/clients', { ...edit, documentNumber: '45678913' })).status).toBe(403);
    expect((await advisor.post(`/app/clients/${client.id}`, edit)).status).toBe(403);
    expect(await clientsOf(h, acme)).toHaveLength(1);
    expect((await storedClient(h, acme, client.id))!.name).toBe('Intacto');
  });

  it('an advisor granted clients.edit may edit', async () => {
    const acme = await newTenant(h);
    const client = await seedClient(h, acme, { name: 'Antes' });
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor', grant: ['clients.edit'] }));
    expect((await advisor.post(`/app/clients/${client.id}`, edit)).status).toBe(303);
    expect((await storedClient(h, acme, client.id))!.name).toBe('Cambiado');
  });

  it('an anonymous visitor is sent to log in', async () => {
    const acme = await newTenant(h);
    const response = await h.client(acme).get('/app/clients?status=activo');
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe(`/app/login?next=${encodeURIComponent('/app/clients?status=activo')}`);
  });
});
