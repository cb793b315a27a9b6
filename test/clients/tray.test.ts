import { campaignEntries } from '../../src/campaigns/schema.js';
import { and, eq, sql } from 'drizzle-orm';
import { rows } from '../../src/db/index.js';
import { FOLD_FROM, fold } from '../../src/platform/search.js';
import { clients } from '../../src/clients/schema.js';
import { clientEvents } from '../../src/events/schema.js';
import { wordsOf } from '../../src/clients/search.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countClients, parseClientFilters, trayLimits } from '../../src/clients/queries.js';
import { clientVariables } from '../../src/settings/schema.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness, type TestClient } from '../support/app.js';
import { addStaff, loggedIn, newTenant, type Staff } from '../support/factories.js';
import { addOrder, namesIn, seedClient } from './support.js';

let h: Harness;
let acme: Tenant;
let sara: Staff;
let luis: Staff;
let browser: TestClient;

// Today in Lima is 2026-03-10 on the harness clock.
beforeAll(async () => {
  h = await startTestApp();
  acme = await newTenant(h);
  sara = await addStaff(h, acme, { role: 'supervisor', name: 'Sara Supervisora' });
  luis = await addStaff(h, acme, { role: 'advisor', name: 'Luis Asesor' });
  browser = await loggedIn(h, acme, sara);
  await h.db.insert(clientVariables).values({ tenantId: acme.id, key: 'region', label: 'Región' });

  const ana = await seedClient(h, acme, { name: 'Ana Al Día', email: 'ana@correo.pe', segment: 'Premium', advisorId: luis.id, additional: { region: 'Norte' } });
  await addOrder(h, acme, ana, { dueDate: '2026-03-15', amount: 10_000 });
  const beto = await seedClient(h, acme, { name: 'Beto Temprano', phone: '+51987654321', supervisorId: sara.id, contactAlerts: ['No llamar'] });
  await addOrder(h, acme, beto, { dueDate: '2026-03-01', amount: 20_000 });
  const carla = await seedClient(h, acme, { name: 'Carla Sesenta', documentNumber: '08765432', contactability: 'no_contactable' });
  await addOrder(h, acme, carla, { dueDate: '2026-01-20', amount: 30_000 });
  const dario = await seedClient(h, acme, { name: 'Dario Noventa', portfolio: 'castigada', segment: 'Premium' });
  await addOrder(h, acme, dario, { dueDate: '2025-12-20', amount: 40_000 });
  const elena = await seedClient(h, acme, { name: 'Elena Antigua', additional: { region: 'Sur' } });
  await addOrder(h, acme, elena, { dueDate: '2025-10-01', amount: 50_000 });
  const fabio = await seedClient(h, acme, { name: 'Fabio Reclamo', openClaims: 1, openClaimCategories: ['errores_facturacion'], advisorId: luis.id });
  await addOrder(h, acme, fabio, { dueDate: '2026-03-01', amount: 60_000 });
  const gina = await seedClient(h, acme, { name: 'Gina Finalizada' });
  await addOrder(h, acme, gina, { dueDate: '2026-01-01', paid: true });
  await seedClient(h, acme, { name: 'Hugo Inactivo', status: 'inactivo' });
  await seedClient(h, acme, { name: 'Iris Eliminada', deletedAt: new Date('2026-03-01T00:00:00Z') });
  const other = await newTenant(h);
  await seedClient(h, other, { name: 'Ana De Otra Empresa' });
});
afterAll(() => h.close());

const names = async (query: string) => {
  const response = await browser.get(`/app/clients${query}`);
  expect(response.status).toBe(200);
  return namesIn(await response.text());
};

describe('the clients tray', () => {
  it('lists the tenant’s live clients by name, and nobody else’s', async () => {
    expect(await names('')).toEqual(['Ana Al Día', 'Beto Temprano', 'Carla Sesenta', 'Dario Noventa', 'Elena Antigua', 'Fabio Reclamo', 'Gina Finalizada', 'Hugo Inactivo']);
  });

  it('each filter returns exactly the clients that match it', async () => {
    const cases: [string, string[]][] = [
      ['?status=activo', ['Ana Al Día', 'Beto Temprano', 'Carla Sesenta', 'Dario Noventa', 'Elena Antigua', 'Fabio Reclamo', 'Gina Finalizada']],
      ['?status=inactivo', ['Hugo Inactivo']],
      ['?status=eliminado', ['Iris Eliminada']],
      ['?portfolio=castigada', ['Dario Noventa']],
      [`?supervisor=${sara.id}`, ['Beto Temprano']],
      [`?advisor=${luis.id}`, ['Ana Al Día', 'Fabio Reclamo']],
      ['?situation=al_dia', ['Ana Al Día']],
      ['?situation=mora_1_30', ['Beto Temprano']],
      ['?situation=mora_31_60', ['Carla Sesenta']],
      ['?situation=mora_61_90', ['Dario Noventa']],
      ['?situation=mora_90_mas', ['Elena Antigua']],
      ['?situation=con_reclamo', ['Fabio Reclamo']],
      ['?situation=finalizado', ['Gina Finalizada', 'Hugo Inactivo']],
      ['?alert=No+llamar', ['Beto Temprano']],
      ['?contactability=no_contactable', ['Carla Sesenta']],
      ['?segment=Premium', ['Ana Al Día', 'Dario Noventa']],
      ['?claim=errores_facturacion', ['Fabio Reclamo']],
      ['?claim=problemas_pago', []],
      ['?var.region=Sur', ['Elena Antigua']],
      ['?segment=Premium&situation=mora_61_90', ['Dario Noventa']],
      // Typed as staff type it: any case, with or without accents.
      ['?segment=premium', ['Ana Al Día', 'Dario Noventa']],
      ['?segment=PR%C3%89MIUM', ['Ana Al Día', 'Dario Noventa']],
      ['?segment=Prem', []],
      ['?alert=no+LLAMAR', ['Beto Temprano']],
      ['?alert=No', []],
      ['?var.region=sur', ['Elena Antigua']],
      ['?var.region=S%C3%9AR', ['Elena Antigua']],
      ['?var.region=Su', []],
    ];
    for (const [query, expected] of cases) expect(await names(query), query).toEqual(expected);
  });

  it('searches one box by name, document number, email or phone', async () => {
    expect(await names('?q=be')).toEqual(['Beto Temprano']);
    expect(await names('?q=08765432')).toEqual(['Carla Sesenta']);
    expect(await names('?q=ANA%40correo.pe')).toEqual(['Ana Al Día']);
    expect(await names('?q=987+654+321')).toEqual(['Beto Temprano']);
    expect(await names('?q=%2B51987654321')).toEqual(['Beto Temprano']);
    expect(await names('?q=emprano')).toEqual([]);
  });

  it('pages a search in name order, with name and exact matches together and each client once', async () => {
    const saved = trayLimits.pageSize;
    trayLimits.pageSize = 2;
    try {
      // Ana matches by her name and by email; Elena by a word of her name ("Antigua"); Carla,
      // whose name has no word starting with "an", by document.
      await h.db.update(clients).set({ email: 'an' }).where(and(eq(clients.tenantId, acme.id), eq(clients.name, 'Ana Al Día')));
      await h.db.update(clients).set({ documentNumber: 'AN' }).where(and(eq(clients.tenantId, acme.id), eq(clients.name, 'Carla Sesenta')));
      expect(await names('?q=an')).toEqual(['Ana Al Día', 'Carla Sesenta']);
      expect(await names('?q=an&page=2')).toEqual(['Elena Antigua']);
      expect(await names('?q=An&dir=desc')).toEqual(['Elena Antigua', 'Carla Sesenta']);
      expect(await names('?q=An&dir=desc&page=2')).toEqual(['Ana Al Día']);
      const page = await (await browser.get('/app/clients?q=an')).text();
      expect(page).toMatch(/\b3 clientes\b/);
      expect(await names('?q=an&page=3')).toEqual([]);
      // Sorted by another column, the same three.
      expect(await names('?q=an&sort=balance&dir=desc')).toEqual(['Elena Antigua', 'Carla Sesenta']);
      // Letters past ASCII, and LIKE's wildcards, which are no part of a word.
      expect(await names('?q=ana%20al%20d%C3%AD')).toEqual(['Ana Al Día']);
      expect(await names('?q=an%25')).toEqual(['Ana Al Día', 'Elena Antigua']);
      expect(await names('?q=_na')).toEqual([]);
    } finally {
      trayLimits.pageSize = saved;
      await h.db.update(clients).set({ documentNumber: '08765432' }).where(and(eq(clients.tenantId, acme.id), eq(clients.name, 'Carla Sesenta')));
      await h.db.update(clients).set({ email: 'ana@correo.pe' }).where(and(eq(clients.tenantId, acme.id), eq(clients.name, 'Ana Al Día')));
    }
  });

  it('finds a client by the start of any word of the name, the words typed in any order', async () => {
    expect(await names('?q=temprano')).toEqual(['Beto Temprano']);
    expect(await names('?q=TEMP')).toEqual(['Beto Temprano']);
    expect(await names('?q=temprano%20be')).toEqual(['Beto Temprano']);
    expect(await names('?q=sesenta%20beto')).toEqual([]);
    // Inside a word is not the start of one.
    expect(await names('?q=emprano')).toEqual([]);
    // One letter alone finds the names that start with it ("Elena Antigua" does not).
    expect(await names('?q=a')).toEqual(['Ana Al Día']);
    expect(await names('?q=al%20an')).toEqual(['Ana Al Día']);
    // Deleted clients only under Eliminado; other tenants never.
    expect(await names('?q=eliminada')).toEqual([]);
    expect(await names('?q=eliminada&status=eliminado')).toEqual(['Iris Eliminada']);
    expect(await names('?q=otra')).toEqual([]);
    const count = await countClients(h.db, acme.id, parseClientFilters({ q: 'antigua' }), '2026-03-10');
    expect(count).toEqual({ count: 1, capped: false });
  });

  it('counts and pages each client once when many words of a name start with what was typed', async () => {
    // Every word of Mar's name starts with "mar", and they all sort before Zulema's "marzano".
    const many = await seedClient(h, acme, { name: 'Mar Marco Mari Marta' });
    const zulema = await seedClient(h, acme, { name: 'Zulema Marzano' });
    const saved = trayLimits.pageSize;
    trayLimits.pageSize = 2;
    try {
      expect(await names('?q=mar')).toEqual(['Mar Marco Mari Marta', 'Zulema Marzano']);
      expect(await names('?q=mar&dir=desc')).toEqual(['Zulema Marzano', 'Mar Marco Mari Marta']);
      const count = (cap: number) => countClients(h.db, acme.id, parseClientFilters({ q: 'mar' }), '2026-03-10', cap);
      expect(await count(1)).toEqual({ count: 1, capped: true });
      expect(await count(2)).toEqual({ count: 2, capped: false });
    } finally {
      trayLimits.pageSize = saved;
      await h.db.delete(clients).where(and(eq(clients.tenantId, acme.id), sql`${clients.id} in (${many.id}, ${zulema.id})`));
    }
  });

  it('keeps every client’s words those of the current name, whoever inserts, renames or removes it', async () => {
    const stale = async () =>
      rows<{ n: number }>(
        h.db,
        sql`select count(*)::int as n from (
              (select tenant_id, deleted, word, sort_name, client_id from client_name_words
                except select c.tenant_id, c.deleted_at is not null, w, saldo_fold(c.name), c.id from clients c cross join lateral saldo_name_words(c.name) w)
              union all
              (select c.tenant_id, c.deleted_at is not null, w, saldo_fold(c.name), c.id from clients c cross join lateral saldo_name_words(c.name) w
                except select tenant_id, deleted, word, sort_name, client_id from client_name_words)) d`,
      );
    const added = await seedClient(h, acme, { name: 'Zoe Ávila-Núñez' });
    try {
      expect(await names('?q=avila')).toEqual(['Zoe Ávila-Núñez']);
      expect(await names('?q=nunez%20zo')).toEqual(['Zoe Ávila-Núñez']);
      await h.db.update(clients).set({ name: 'Zoe Quispe' }).where(and(eq(clients.tenantId, acme.id), eq(clients.id, added.id)));
      expect(await names('?q=avila')).toEqual([]);
      expect(await names('?q=quispe')).toEqual(['Zoe Quispe']);
      // An update that leaves the name alone leaves its words alone.
      await h.db.update(clients).set({ segment: 'Pyme' }).where(and(eq(clients.tenantId, acme.id), eq(clients.id, added.id)));
      expect(await names('?q=quispe')).toEqual(['Zoe Quispe']);
      // Deleted, the client is found under Eliminado only; restored, back among the live.
      expect((await browser.post(`/app/clients/${added.id}/deletion`)).status).toBe(303);
      expect(await names('?q=quispe')).toEqual([]);
      expect(await names('?q=quispe&status=eliminado')).toEqual(['Zoe Quispe']);
      expect(await names('?q=quispe%20zo&status=eliminado&sort=created')).toEqual(['Zoe Quispe']);
      expect((await stale())[0]!.n).toBe(0);
      expect((await browser.post(`/app/clients/${added.id}/restoration`)).status).toBe(303);
      expect(await names('?q=quispe')).toEqual(['Zoe Quispe']);
      expect(await names('?q=quispe&status=eliminado')).toEqual([]);
      expect((await stale())[0]!.n).toBe(0);
    } finally {
      await h.db.delete(clientEvents).where(and(eq(clientEvents.tenantId, acme.id), eq(clientEvents.clientId, added.id)));
      await h.db.delete(clients).where(and(eq(clients.tenantId, acme.id), eq(clients.id, added.id)));
    }
    const [left] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from client_name_words where tenant_id = ${acme.id} and client_id = ${added.id}`);
    expect(left!.n).toBe(0);
    expect((await stale())[0]!.n).toBe(0);
  });

  it('splits a name into words in the database exactly as the search box splits what staff type', async () => {
    const samples = ["D'Ávila & Cía. S.A.C.", 'Ana María NÚÑEZ-Güemes', '  José   Pérez  ', 'Inversiones 2000 E.I.R.L.', 'Øster Ñandú', '100% _x_'];
    for (const text of samples) {
      const found = await rows<{ w: string }>(h.db, sql`select w from saldo_name_words(${text}) w order by w collate "C"`);
      expect(found.map((r) => r.w), text).toEqual([...new Set(wordsOf(text))].sort());
    }
  });

  it('searches and sorts names as staff type and read them, regardless of case and accents', async () => {
    const added = [
      await seedClient(h, acme, { name: 'Álvaro Ñique' }),
      await seedClient(h, acme, { name: 'ÚRSULA PÉREZ' }),
      await seedClient(h, acme, { name: 'Óscar Peña' }),
    ];
    try {
      expect(await names('?q=alvaro')).toEqual(['Álvaro Ñique']);
      expect(await names('?q=%C3%81LVARO%20%C3%B1')).toEqual(['Álvaro Ñique']);
      expect(await names('?q=ursula%20perez')).toEqual(['ÚRSULA PÉREZ']);
      expect(await names('?q=oscar%20pena')).toEqual(['Óscar Peña']);
      expect(await names('?q=ana%20al%20dia')).toEqual(['Ana Al Día']);
      // An accented capital sorts among its plain letter, not after z.
      const all = await names('');
      expect(all.slice(0, 3)).toEqual(['Álvaro Ñique', 'Ana Al Día', 'Beto Temprano']);
      expect(all.indexOf('Óscar Peña')).toBeLessThan(all.indexOf('ÚRSULA PÉREZ'));
      expect(all.at(-1)).toBe('ÚRSULA PÉREZ');
    } finally {
      for (const client of added) await h.db.delete(clients).where(and(eq(clients.tenantId, acme.id), eq(clients.id, client.id)));
    }
  });

  it('folds a name in the database exactly as the search box folds what staff type', async () => {
    const samples = [FOLD_FROM, FOLD_FROM.toUpperCase(), 'Ana María NÚÑEZ-Güemes', "D'Ávila & Cía. S.A.C.", 'ÇÃO ÿ Ý', '100% _x_'];
    for (const text of samples) {
      const [row] = await rows<{ f: string }>(h.db, sql`select saldo_fold(${text}) as f`);
      expect(row!.f, text).toBe(fold(text));
    }
    expect(fold('ÁÉÍÓÚÑÜ áéíóúñü')).toBe('aeiounu aeiounu');
  });

  it('ignores filter values it does not know instead of failing', async () => {
    const all = await names('');
    expect(await names('?status=borrado&situation=mora_eterna&portfolio=x&supervisor=abc&claim=otro&sort=color&dir=up&page=-3&var.nope=1')).toEqual(all);
  });

  it('sorts by each column both ways with a stable order for ties', async () => {
    expect(await names('?sort=balance&dir=desc&situation=mora_1_30')).toEqual(['Beto Temprano']);
    expect((await names('?sort=balance&dir=desc')).slice(0, 3)).toEqual(['Fabio Reclamo', 'Elena Antigua', 'Dario Noventa']);
    expect((await names('?sort=situation')).slice(0, 3)).toEqual(['Elena Antigua', 'Dario Noventa', 'Carla Sesenta']);
    // Beto and Fabio share their oldest due date; the tie always breaks the same way.
    const first = await names('?sort=situation');
    for (let i = 0; i < 3; i++) expect(await names('?sort=situation')).toEqual(first);
    expect(await names('?sort=name&dir=desc')).toEqual((await names('')).reverse());
  });

  it('pages the results, keeping filters in the links', async () => {
    const saved = trayLimits.pageSize;
    trayLimits.pageSize = 3;
    try {
      const first = await (await browser.get('/app/clients?segment=Premium&sort=balance')).text();
      expect(namesIn(first)).toEqual(['Ana Al Día', 'Dario Noventa']);
      const page1 = await (await browser.get('/app/clients')).text();
      expect(namesIn(page1)).toHaveLength(3);
      expect(page1).toContain('href="/app/clients?page=2"');
      const page3 = await (await browser.get('/app/clients?page=3')).text();
      expect(namesIn(page3)).toEqual(['Gina Finalizada', 'Hugo Inactivo']);
      expect(page3).not.toContain('rel="next"');
      // A page past the last says so, and leads back to the first with the same filters.
      const past = await (await browser.get('/app/clients?segment=Premium&page=40')).text();
      expect(namesIn(past)).toEqual([]);
      expect(past).toContain('Esta página no existe: los resultados llegan hasta la página 1.');
      expect(past).toContain('href="/app/clients?segment=Premium"');
      expect(past).toMatch(/<a id="page-previous" href="\/app\/clients\?segment=Premium" rel="prev"/);
      expect(past).not.toContain('No hay resultados con estos filtros.');
    } finally {
      trayLimits.pageSize = saved;
    }
  });

  it('stops counting at the cap and says “Más de” instead of a number', async () => {
    expect(await countClients(h.db, acme.id, parseClientFilters({}), '2026-03-10', 3)).toEqual({ count: 3, capped: true });
    expect(await countClients(h.db, acme.id, parseClientFilters({}), '2026-03-10', 8)).toEqual({ count: 8, capped: false });
    const saved = trayLimits.countCap;
    trayLimits.countCap = 3;
    try {
      expect(await (await browser.get('/app/clients')).text()).toContain('Más de 3 clientes');
      // Past the capped count the last page is not known: a short page is the last, and a page
      // beyond says only that there is nothing more.
      const savedSize = trayLimits.pageSize;
      trayLimits.pageSize = 3;
      try {
        const page2 = await (await browser.get('/app/clients?page=2')).text();
        expect(page2).toContain('Más de 3 clientes');
        expect(page2).toContain('rel="next"');
        expect(page2).toContain('id="page-next"');
        const page3 = await (await browser.get('/app/clients?page=3')).text();
        expect(page3).not.toContain('rel="next"');
        const past = await (await browser.get('/app/clients?page=9')).text();
        expect(past).toContain('Esta página no existe: no hay más resultados.');
        expect(past).not.toContain('rel="next"');
      } finally {
        trayLimits.pageSize = savedSize;
      }
    } finally {
      trayLimits.countCap = saved;
    }
    expect(await (await browser.get('/app/clients')).text()).toContain('8 clientes');
  });

  it('answers an htmx request with only the results, and the same URL without htmx with the whole page', async () => {
    const fragment = await (await browser.get('/app/clients?situation=al_dia', { htmx: true })).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).not.toContain('<form method="get"');
    expect(namesIn(fragment)).toEqual(['Ana Al Día']);
    const page = await (await browser.get('/app/clients?situation=al_dia')).text();
    expect(page).toContain('<html');
    expect(page).toContain('hx-get="/app/clients"');
    expect(page).toContain('hx-push-url="true"');
    expect(page).toContain('<option value="al_dia" selected="">');
    const sorted = await (await browser.get('/app/clients?sort=balance&dir=desc', { htmx: true })).text();
    expect(sorted).toContain('<input type="hidden" name="sort" value="balance" form="clients-filters"/>');
    expect(sorted).toContain('<input type="hidden" name="dir" value="desc" form="clients-filters"/>');
    const restore = await (await browser.get('/app/clients?situation=al_dia', { htmx: true, headers: { 'HX-History-Restore-Request': 'true' } })).text();
    expect(restore).toContain('<html');
  });

  it('writes the tray with no character above U+00FF, of its own or from a client’s name, so V8 keeps the page one byte a character', async () => {
    // One such character (the sort arrow was one) made every flattened page two-byte text:
    // twice the memory, and slower to encode as UTF-8 on the way out.
    const ascending = await (await browser.get('/app/clients?sort=name&dir=asc')).text();
    const descending = await (await browser.get('/app/clients?sort=name&dir=desc', { htmx: true })).text();
    expect(ascending).toContain('<span aria-hidden="true"> &#9650;</span>');
    expect(descending).toContain('<span aria-hidden="true"> &#9660;</span>');
    for (const html of [ascending, descending]) expect(html.match(/[^\u0000-\u00ff]/u)).toBeNull();

    // Nor from a client's name: the rows write such characters as references.
    const other = await newTenant(h);
    const admin = await addStaff(h, other, { role: 'admin', name: 'Admin' });
    await seedClient(h, other, { name: 'D’Angelo — Ñuñoa 🙂' });
    const withData = await (await loggedIn(h, other, admin).then((viewer) => viewer.get('/app/clients'))).text();
    expect(withData).toMatch(/<a href="\/app\/clients\/\d+">D&#8217;Angelo &#8212; Ñuñoa &#128578;<\/a>/);
    expect(withData).toContain('title="Editar a D&#8217;Angelo &#8212; Ñuñoa &#128578;"');
    expect(withData.match(/[^\u0000-\u00ff]/u)).toBeNull();
  });

  it('offers "Descargar" with the filters in force, inside the part that filters swap', async () => {
    const fragment = await (await browser.get('/app/clients?situation=al_dia&bogus=1', { htmx: true })).text();
    expect(fragment).toContain('action="/app/exports"');
    expect(fragment).toContain('<input type="hidden" name="kind" value="clients"/>');
    expect(fragment).toContain('<input type="hidden" name="query" value="situation=al_dia"/>');
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect(await (await advisor.get('/app/clients')).text()).not.toContain('action="/app/exports"');
  });

  it('remembers the columns each user chooses, without changing anyone else’s', async () => {
    const other = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    const chosen = await browser.post('/app/clients/columns', { columns: ['name', 'advisor', 'daysPastDue', 'var.region', 'secret'] }, { headers: { Referer: `http://${browser.host}/app/clients?segment=Premium` } });
    expect(chosen.status).toBe(303);
    expect(chosen.headers.get('Location')).toBe('/app/clients?segment=Premium');
    const mine = await (await browser.get('/app/clients?segment=Premium')).text();
    const headings = (html: string) => [...(html.split('<thead>')[1]!.split('</thead>')[0]!.matchAll(/<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]+)/g))].map((m) => m[1]!.trim());
    expect(headings(mine)).toEqual(['Nombre', 'Asesor', 'Días de mora', 'Región', 'Acciones']);
    expect(mine).toContain('Luis Asesor');
    expect(mine).toContain('Norte');
    const theirs = await (await other.get('/app/clients')).text();
    expect(headings(theirs)).toEqual(['Documento', 'Nombre', 'Correo electrónico', 'Teléfono', 'Segmento', 'Estado', 'Situación', 'Saldo total', 'Acciones']);
    // Every column taken away is no table: the usual columns come back, and the page says so.
    expect((await other.post('/app/clients/columns', {})).status).toBe(303);
    const reset = await (await other.get('/app/clients')).text();
    expect(reset).toContain('No elegiste ninguna columna: volvimos a las columnas de siempre.');
    expect(headings(reset)).toEqual(headings(theirs));
  });

  it('shows icon actions with words for screen readers and the charged-off badge', async () => {
    const [dario] = await h.db.select().from(clients).where(and(eq(clients.tenantId, acme.id), eq(clients.name, 'Dario Noventa')));
    await h.db.insert(campaignEntries).values({ tenantId: acme.id, clientId: dario!.id, campaignCode: 'C1', debtAmount: 1000, discountType: 'monto', discountValue: 0, campaignAmount: 1000 });
    const html = await (await browser.get('/app/clients?portfolio=castigada')).text();
    expect(html).toContain('<span class="badge badge-charged-off">Cartera castigada</span>');
    expect(html).toContain('title="Editar a Dario Noventa"><svg');
    expect(html).toContain('title="Ver órdenes de pago de Dario Noventa"><svg');
    expect(html).toContain('title="Ver interacciones de Dario Noventa"><svg');
    expect(html).toContain('title="Eliminar a Dario Noventa"><svg');
    // Without the name's column, the badge goes in the row's first cell.
    const staff = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    expect((await staff.post('/app/clients/columns', { columns: ['document', 'situation'] })).status).toBe(303);
    const row = /<tr>(<td>[^<]*)<span class="badge badge-charged-off">Cartera castigada<\/span><\/td>/.exec(await (await staff.get('/app/clients?portfolio=castigada')).text());
    expect(row).not.toBeNull();
  });
  it('escapes a client’s name wherever a row shows it, in its cell and in every action’s words', async () => {
    const other = await newTenant(h);
    const admin = await addStaff(h, other, { role: 'admin', name: 'Admin' });
    const tricky = `O'Brien <b>"Hermanos" & Cía</b>`;
    await seedClient(h, other, { name: tricky });
    await seedClient(h, other, { name: `${tricky} (baja)`, deletedAt: new Date('2026-03-01T00:00:00Z') });
    const viewer = await loggedIn(h, other, admin);
    const live = await (await viewer.get('/app/clients')).text();
    const escaped = 'O&#39;Brien &lt;b&gt;&quot;Hermanos&quot; &amp; Cía&lt;/b&gt;';
    expect(live).not.toContain('<b>"Hermanos"');
    expect(live).toMatch(new RegExp(`<a href="/app/clients/\\d+">${escaped}</a>`));
    for (const words of ['Editar a', 'Ver órdenes de pago de', 'Ver interacciones de', 'Eliminar a']) expect(live).toContain(`title="${words} ${escaped}"`);
    const deleted = await (await viewer.get('/app/clients?status=eliminado')).text();
    expect(deleted).not.toContain('<b>"Hermanos"');
    expect(deleted).toContain(`title="Recuperar a ${escaped} (baja)"`);
  });
});
