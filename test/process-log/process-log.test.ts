import { afterAll, beforeAll, expect, it } from 'vitest';
import { openProcess, updateProcess } from '../../src/process-log/service.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant, type Staff } from '../support/factories.js';

let h: Harness;
let acme: Tenant;
let admin: Staff;
let other: Staff;

beforeAll(async () => {
  h = await startTestApp({ jobs: true });
  acme = await newTenant(h);
  admin = await addStaff(h, acme, { role: 'admin', name: 'Ana Torres' });
  other = await addStaff(h, acme, { role: 'supervisor', name: 'Beto Ríos' });
  const upload = await openProcess(h.db, acme.id, { kind: 'import', subject: 'clients', format: 'csv', userId: admin.id, originalName: 'cartera.csv', originalKey: 'x', state: 'completed', stage: 'applied' });
  await updateProcess(h.db, acme.id, upload.id, { counts: { rows: 10, create: 7, update: 1, unchanged: 1, rejected: 1 }, errorReportKey: 'y', state: 'completed_with_errors' });
  const running = await openProcess(h.db, acme.id, { kind: 'export', subject: 'clients', format: 'xlsx', userId: other.id, state: 'running', progressTotal: 40_000 });
  await updateProcess(h.db, acme.id, running.id, { progressDone: 10_000 });
});
afterAll(() => h.close());

it('lists every upload and download with who, state, counts and files', async () => {
  const page = await (await (await loggedIn(h, acme, admin)).get('/app/process-log')).text();
  expect(page).toContain('Carga de clientes');
  expect(page).toContain('Descarga de clientes');
  expect(page).toContain('Completado con errores');
  expect(page).toContain('nuevas 7, actualizadas 1, sin cambios 1, rechazadas 1');
  expect(page).toContain('cartera.csv');
  expect(page).toContain('Reporte de errores');
  expect(page).toContain('Beto Ríos');
});

it('a running process shows a progress bar that refreshes itself every two seconds', async () => {
  const page = await (await (await loggedIn(h, acme, admin)).get('/app/process-log')).text();
  expect(page).toMatch(/<tr id="process-\d+" hx-get="\/app\/process-log\/\d+\/row" hx-trigger="every 2s" hx-swap="outerHTML">/);
  expect(page).toContain('<progress max="40000" value="10000"');
  expect(page.match(/hx-trigger="every 2s"/g)).toHaveLength(1);
  // Without JavaScript the page says a job runs and offers to look again, while something
  // runs and only then; it never reloads by itself.
  expect(page).toContain('<noscript><p class="hint">Hay procesos en curso. <a href="">Actualizar</a></p></noscript>');
  expect(page).not.toContain('http-equiv="refresh"');
  const done = await (await (await loggedIn(h, acme, admin)).get('/app/process-log?kind=import')).text();
  expect(done).not.toContain('<noscript>');
});

it('filters by type, state, user and date', async () => {
  const client = await loggedIn(h, acme, admin);
  const uploads = await (await client.get('/app/process-log?kind=import')).text();
  expect(uploads).toContain('Carga de clientes');
  expect(uploads).not.toContain('Descarga de clientes');
  const running = await (await client.get('/app/process-log?state=running')).text();
  expect(running).not.toContain('Carga de clientes');
  expect(running).toContain('Descarga de clientes');
  const byBeto = await (await client.get(`/app/process-log?user=${other.id}`)).text();
  expect(byBeto).not.toContain('cartera.csv');
  const future = await (await client.get('/app/process-log?from=2199-01-01')).text();
  expect(future).not.toContain('Descarga de clientes');
  const ignored = await (await client.get('/app/process-log?state=nonsense&from=ayer')).text();
  expect(ignored).toContain('Carga de clientes');
  // Past the last page, the log says so and leads back to the first.
  const past = await (await client.get('/app/process-log?kind=import&page=50')).text();
  expect(past).toContain('Esta página no existe: no hay más resultados.');
  expect(past).toContain('href="/app/process-log?kind=import&amp;page=1"');
});

it('a user with only reports.download sees downloads, not uploads', async () => {
  const supervisor = await addStaff(h, acme, { role: 'supervisor', revoke: ['imports'] });
  const page = await (await (await loggedIn(h, acme, supervisor)).get('/app/process-log')).text();
  expect(page).toContain('Descarga de clientes');
  expect(page).not.toContain('Carga de clientes');
});

it('an advisor without imports or reports.download cannot open the Process log', async () => {
  const advisor = await addStaff(h, acme, { role: 'advisor' });
  expect((await (await loggedIn(h, acme, advisor)).get('/app/process-log')).status).toBe(403);
});
