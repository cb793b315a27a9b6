import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../src/clients/schema.js';
import { users } from '../../src/users/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ env: { BODY_LIMIT_KB: '16' } });
});
afterAll(() => h.close());

describe('bad input', () => {
  it('refuses an oversized form with a clear page and changes nothing', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.post('/app/settings/users', { name: 'x'.repeat(40_000), email: 'big@acme.pe', role: 'advisor', password: 'big-password-1' });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('supera el límite de 16 KB');
    expect(await h.db.select().from(users).where(and(eq(users.tenantId, acme.id), eq(users.email, 'big@acme.pe')))).toHaveLength(0);
  });

  it('refuses a JSON body where a form is expected', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.request('POST', '/app/settings/users', {
      body: JSON.stringify({ name: 'J', email: 'j@acme.pe' }),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': admin.csrfToken },
    });
    expect(response.status).toBe(415);
    expect(await response.text()).toContain('Formato no admitido');
  });

  it('shows a friendly 404 page for unknown paths, never a stack trace', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.get('/app/nothing-here');
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('Página no encontrada');
    expect(html).not.toMatch(/at .*\.ts:\d+/);
  });

  it('keeps a debtor who opens a wrong address in the portal they were in: its light page, the tenant\'s name, a way back to its start', async () => {
    const acme = await newTenant(h, { name: 'Financiera Andina' });
    const debtor = h.client(acme);
    for (const [path, back] of [['/no-existe', '/'], ['/recovery/no-existe', '/recovery'], ['/estado-de-cuenta/9', '/']] as const) {
      const response = await debtor.get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('Cache-Control'), path).toBe('no-store');
      const html = await response.text();
      expect(html, path).toContain('Página no encontrada');
      expect(html, path).toContain('Financiera Andina');
      expect(html, path).toMatch(/<link rel="stylesheet" href="\/static\/portal\.[0-9a-f]{12}\.css"/);
      expect(html, path).not.toMatch(/app\.[0-9a-f]{12}\.css|htmx/);
      expect(html, path).toContain(`<a href="${back}">Volver</a>`);
    }
    // Staff paths keep the back office's page.
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect(await (await admin.get('/app/no-existe')).text()).toMatch(/app\.[0-9a-f]{12}\.css/);
  });

  it('treats non-numeric ids as not found', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.get('/app/settings/users/abc/edit')).status).toBe(404);
    expect((await admin.get('/app/settings/users/99999999999999999999/edit')).status).toBe(404);
  });

  it('drops characters no one types from forms, and follows a link with a NUL without it', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const created = await admin.post('/app/clients', { documentType: 'DNI', documentNumber: '44556677', name: 'Nul\u0000Na\u0001me', status: 'activo', contactability: 'contactable', portfolio: 'vigente' });
    expect(created.status).toBe(303);
    const [row] = await h.db.select({ name: clients.name }).from(clients).where(eq(clients.tenantId, acme.id));
    expect(row!.name).toBe('NulName');
    const search = await admin.get('/app/clients?q=%00ana&situation=al_dia');
    expect(search.status).toBe(301);
    expect(search.headers.get('Location')).toBe('/app/clients?q=ana&situation=al_dia');
    expect((await admin.get('/app/clients?q=ana&situation=al_dia')).status).toBe(200);
    expect((await admin.post('/app/clients?x=%00', { name: 'x' })).status).toBe(400);
  });

  it('answers a field sent twice by hand in Spanish, never with the validator’s English', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.post('/app/clients', { documentType: ['DNI', 'RUC'], documentNumber: '44556677', name: ['a', 'b'] });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Este valor no es válido.');
    expect(html).not.toMatch(/Invalid type|Expected/);
    expect(await h.db.select().from(clients).where(eq(clients.tenantId, acme.id))).toHaveLength(0);
  });

  it('answers a login with a field sent twice as wrong credentials, and a body too large in the user\'s language', async () => {
    const acme = await newTenant(h);
    const staff = await addStaff(h, acme, { role: 'admin', language: 'en' });
    const twice = await h.client(acme).post('/app/login', { email: [staff.email, 'x@y.pe'], password: 'whatever-password' });
    expect(twice.status).toBe(422);
    const english = await loggedIn(h, acme, staff);
    const large = await english.post('/app/settings/users', { name: 'x'.repeat(40_000), email: 'big@acme.pe', role: 'advisor', password: 'big-password-1' });
    expect(large.status).toBe(413);
    const html = await large.text();
    expect(html).toContain('<html lang="en">');
    expect(html).not.toContain('supera el límite');
  });

  it('ignores filter days no one means (year 9999) instead of failing, and answers an unknown alert with 404', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    for (const path of ['/app/claims?to=9999-12-31&from=0001-01-01', '/app/process-log?to=9999-12-31&from=0001-01-01']) expect((await admin.get(path)).status, path).toBe(200);
    expect((await admin.post('/app/alerts/99999/resolution', { back: '/app/alerts' })).status).toBe(404);
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect((await advisor.get('/app/settings')).headers.get('location')).toBe('/app');
  });

  it('sends the security headers with a CSP that allows no inline script', async () => {
    const acme = await newTenant(h);
    const response = await h.client(acme).get('/app/login');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    expect(await response.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
