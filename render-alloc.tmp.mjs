import { jsx } from 'hono/jsx/jsx-runtime';
const D = '/work/main/dist';
const q = await import(`${D}/src/clients/queries.js`);
const { openDatabase } = await import(`${D}/src/db/index.js`);
const { View } = await import(`${D}/views/context.js`);
const { AppLayout } = await import(`${D}/views/layouts/app.js`);
const { ClientsTray } = await import(`${D}/views/clients/tray.js`);
const { translator } = await import(`${D}/src/platform/i18n/index.js`);
const { can } = await import(`${D}/src/platform/permissions.js`);
const { formatMoney } = await import(`${D}/src/platform/money.js`);
const { todayIn } = await import(`${D}/src/platform/dates.js`);
const { systemClock } = await import(`${D}/src/platform/clock.js`);
const { loadAssets } = await import(`${D}/src/platform/assets.js`);
const database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/saldo_bench', poolSize: 2 });
const db = database.db;
const [tenant] = await database.query("select * from tenants where subdomain='bench'");
const { tenants } = await import(`${D}/src/tenants/schema.js`);
const { users } = await import(`${D}/src/users/schema.js`);
const { eq } = await import('drizzle-orm');
const [t0] = await db.select().from(tenants).where(eq(tenants.subdomain, 'bench'));
const [user] = await db.select().from(users).where(eq(users.email, 'admin@bench.pe'));
const today = todayIn(t0.timezone, systemClock);
const rowsN = Number(process.argv[2] ?? 25);
const query = rowsN === 1 ? { q: (await database.query('select document_number from clients where tenant_id=$1 order by id desc limit 1', [t0.id]))[0].document_number } : {};
const filters = q.parseClientFilters(query, { country: t0.country });
const order = q.parseTrayOrder(query);
const [rows, total, s] = await Promise.all([q.listClientsPage(db, t0.id, filters, today, order), q.countClients(db, t0.id, filters, today), q.traySettings(db, t0.id, user.id)]);
const available = q.columnsFor(s.variables);
const columns = q.pickColumns(s.columns, available);
const props = { rows, total, columns, available, filters, order, staff: s.staff, variables: s.variables };
const assets = loadAssets();
const t = translator('es');
const view = { t, lang: 'es', tenant: t0, user, can: (p) => can(user, p), csrfToken: 'x'.repeat(40), asset: (n) => assets.url(n), path: '/app/clients', flash: undefined, requestId: 'r', money: (m) => formatMoney(m, 'PEN', 'es-PE'), date: (v) => String(v), dateTime: (v) => String(v), number: (n) => String(n) };
const page = () => jsx(View.Provider, { value: view, children: jsx(AppLayout, { title: 'Clientes', children: jsx(ClientsTray, props) }) }).toString();
const results = () => jsx(View.Provider, { value: view, children: jsx(ClientsTray, props) }).toString();

await database.close();
const { ClientsResults } = await import(`${D}/views/clients/tray.js`);
const variants = {
  page,
  tray: () => jsx(View.Provider, { value: view, children: jsx(ClientsTray, props) }).toString(),
  results: () => jsx(View.Provider, { value: view, children: jsx(ClientsResults, props) }).toString(),
  layout: () => jsx(View.Provider, { value: view, children: jsx(AppLayout, { title: 'x', children: 'x' }) }).toString(),
  noop: () => '',
  norows: () => jsx(View.Provider, { value: view, children: jsx(ClientsResults, { ...props, rows: [] }) }).toString(),
  rowstr: () => { let s = ''; for (const r of props.rows) s += r.name; return s; },
};
const fn = variants[process.env.V];
for (let i = 0; i < 1000; i++) fn();
const { PerformanceObserver } = await import('node:perf_hooks');
let gcs = 0; const obs = new PerformanceObserver((l) => { gcs += l.getEntries().filter((e) => e.detail?.kind === 1).length; }); obs.observe({ entryTypes: ['gc'] });
const N = 10000; const t1 = performance.now();
for (let i = 0; i < N; i++) fn();
const ms = (performance.now() - t1) / N;
await new Promise((r) => setTimeout(r, 50));
console.log(process.env.V, (ms * 1000).toFixed(0), 'us', 'scavenges', gcs, '≈KB/render', (gcs * 16384 / N).toFixed(0));
await database.close();
