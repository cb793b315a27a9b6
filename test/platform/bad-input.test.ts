import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('treats non-numeric ids as not found', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.get('/app/settings/users/abc/edit')).status).toBe(404);
    expect((await admin.get('/app/settings/users/99999999999999999999/edit')).status).toBe(404);
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
