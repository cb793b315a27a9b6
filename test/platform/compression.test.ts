import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takesGzip } from '../../src/platform/compression.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness, type TestClient } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { seedClient } from '../clients/support.js';

describe('Accept-Encoding', () => {
  it('takes gzip when named with a q above zero, or through * when not named', () => {
    expect(takesGzip('gzip, deflate, br')).toBe(true);
    expect(takesGzip('br;q=1.0, GZIP;q=0.5')).toBe(true);
    expect(takesGzip('*')).toBe(true);
    expect(takesGzip('deflate, *;q=0.1')).toBe(true);
    expect(takesGzip('gzip;q=0')).toBe(false);
    expect(takesGzip('*, gzip;q=0')).toBe(false);
    expect(takesGzip('br, deflate')).toBe(false);
    expect(takesGzip('identity')).toBe(false);
    expect(takesGzip('')).toBe(false);
    expect(takesGzip(undefined)).toBe(false);
  });
});

describe('rendered pages', () => {
  let h: Harness;
  let acme: Tenant;
  let browser: TestClient;

  beforeAll(async () => {
    h = await startTestApp();
    acme = await newTenant(h);
    browser = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    for (const name of ['Ana Al Día', 'Beto Temprano', 'Carla Sesenta']) await seedClient(h, acme, { name });
  });
  afterAll(() => h.close());

  it('come gzipped to a browser that takes gzip, and read the same as without', async () => {
    const plain = await browser.get('/app/clients');
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const html = await plain.text();
    expect(html).toContain('Beto Temprano');

    const zipped = await browser.get('/app/clients', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(zipped.status).toBe(200);
    expect(zipped.headers.get('Content-Encoding')).toBe('gzip');
    expect(zipped.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    expect(zipped.headers.get('Vary')).toContain('Accept-Encoding');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')).toBe(html);

    const refused = await browser.get('/app/clients', { headers: { 'Accept-Encoding': 'gzip;q=0' } });
    expect(refused.headers.get('Content-Encoding')).toBeNull();
    expect(await refused.text()).toBe(html);
  });
});
