import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { changeSubdomain } from '../../src/tenants/service.js';
import { startTestApp, type Harness } from '../support/app.js';
import { newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

describe('tenancy by host', () => {
  it('serves a tenant on its subdomain, whatever the port', async () => {
    const acme = await newTenant(h, { name: 'Acme Cobranzas' });
    const response = await h.client(`${acme.subdomain}.localhost:3000`).get('/app/login');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Acme Cobranzas');
  });

  it('answers an unknown subdomain with the 404 page in Spanish', async () => {
    const response = await h.client('nadie.localhost').get('/app/login');
    expect(response.status).toBe(404);
    const page = await response.text();
    expect(page).toContain('Empresa no encontrada');
    // Nothing at this address to go back to.
    expect(page).not.toContain('Volver');
  });

  it('answers hosts of another domain and the bare domain with 404', async () => {
    expect((await h.client('evil.example.com').get('/app/login')).status).toBe(404);
    expect((await h.client('localhost').get('/app/login')).status).toBe(404);
  });

  it('keeps the old subdomain as a 301 alias to the same path and query on the new host', async () => {
    const tenant = await newTenant(h, { subdomain: 'andina' });
    const result = await changeSubdomain(h.db, { tenantId: tenant.id, subdomain: 'andina-pagos' });
    expect(result.ok).toBe(true);
    forgetTenantCache();
    const response = await h.client('andina.localhost:3000').get('/recovery?utm=sms&x=1');
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('http://andina-pagos.localhost:3000/recovery?utm=sms&x=1');
    expect((await h.client('andina-pagos.localhost').get('/app/login')).status).toBe(200);
  });

  it('does not let another tenant take a subdomain that is still an alias', async () => {
    const first = await newTenant(h, { subdomain: 'sur' });
    await changeSubdomain(h.db, { tenantId: first.id, subdomain: 'sur-nuevo' });
    const other = await newTenant(h, { subdomain: 'norte' });
    const result = await changeSubdomain(h.db, { tenantId: other.id, subdomain: 'sur' });
    expect(result).toEqual({ ok: false, error: 'tenants.subdomainTaken' });
  });

  it('lets a tenant return to its former subdomain, which then stops being an alias', async () => {
    const tenant = await newTenant(h, { subdomain: 'vuelta' });
    await changeSubdomain(h.db, { tenantId: tenant.id, subdomain: 'vuelta-2' });
    await changeSubdomain(h.db, { tenantId: tenant.id, subdomain: 'vuelta' });
    forgetTenantCache();
    expect((await h.client('vuelta.localhost').get('/app/login')).status).toBe(200);
    expect((await h.client('vuelta-2.localhost').get('/app/login')).headers.get('location')).toBe('http://vuelta.localhost/app/login');
  });

  it('answers /healthz without a tenant, with a database ping', async () => {
    const response = await h.client('localhost').get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: true });
  });

  it('serves static assets under hashed names, cached forever', async () => {
    const page = await (await h.client((await newTenant(h)).subdomain + '.localhost').get('/app/login')).text();
    const css = /href="(\/static\/app\.[0-9a-f]+\.css)"/.exec(page)?.[1];
    expect(css).toBeDefined();
    const response = await h.client('localhost').get(css!);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
  });
});
