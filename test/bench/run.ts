/**
 * Receivables benchmark: a large tenant on PostgreSQL, then the clients tray measured over
 * HTTP and as bare SQL, and the stored situation filter against recomputing situation from
 * the orders at query time. Usage: npm run bench -- [--clients 1000000] [--requests 30]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import { createApp } from '../../src/app.js';
import { countClients, listClientsPage, parseClientFilters, parseTrayOrder } from '../../src/clients/queries.js';
import { situations, type Situation } from '../../src/clients/situation.js';
import { loadConfig } from '../../src/config.js';
import { migrate, openDatabase } from '../../src/db/index.js';
import { generateDemo } from '../../src/demo/generate.js';
import { loadAssets } from '../../src/platform/assets.js';
import { sign } from '../../src/platform/auth/tokens.js';
import { systemClock } from '../../src/platform/clock.js';
import { addDays, todayIn } from '../../src/platform/dates.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail/index.js';
import { createTenant } from '../../src/tenants/service.js';
import { users } from '../../src/users/schema.js';
import { createUser } from '../../src/users/service.js';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '30' }, 'orders-per-client': { type: 'string', default: '3' } },
});
const CLIENTS = Number(values.clients);
const REQUESTS = Number(values.requests);
const baseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!baseUrl || !/^postgres(ql)?:/.test(baseUrl)) {
  console.error('The benchmark needs PostgreSQL: set BENCH_DATABASE_URL or DATABASE_URL.');
  process.exit(1);
}
const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));

const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
await admin.unsafe('drop database if exists saldo_bench with (force)');
await admin.unsafe('create database saldo_bench');
await admin.end();
const url = new URL(baseUrl);
url.pathname = '/saldo_bench';
const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });
await migrate(database);

const created = await createTenant(database.db, { name: 'Financiera Benchmark', subdomain: 'bench', timezone: 'America/Lima', currency: 'PEN', locale: 'es-PE', plan: 'pro' });
if (!created.ok) throw new Error(created.error);
const tenant = created.tenant;
const password = 'bench-password-2026';
const staff = await createUser({ tenantId: tenant.id, actor: null, db: database.db, clock: systemClock }, { name: 'Admin Bench', email: 'admin@bench.pe', role: 'admin', password });
if (!staff.ok) throw new Error('could not create the benchmark admin');
const advisors = await database.db
  .insert(users)
  .values(Array.from({ length: 40 }, (_, i) => ({ tenantId: tenant.id, name: `Asesor ${i + 1}`, email: `asesor${i + 1}@bench.pe`, role: 'advisor' as const, passwordHash: staff.user.passwordHash })))
  .returning({ id: users.id });
const today = todayIn(tenant.timezone, systemClock);

log(`generating ${CLIENTS} clients…`);
let started = performance.now();
const totals = await generateDemo(database, {
  tenantId: tenant.id,
  clients: CLIENTS,
  today,
  seed: 2026,
  ordersPerClient: Number(values['orders-per-client']),
  advisorIds: advisors.map((a) => a.id),
  batchSize: 20_000,
  onProgress: (done) => done % 100_000 === 0 && log(`  ${done} clients (${seconds(started)} s)`),
});
const generationSeconds = seconds(started);
started = performance.now();
await database.exec('vacuum analyze');
const analyzeSeconds = seconds(started);
log(`generated ${JSON.stringify(totals)} in ${generationSeconds} s (+ ${analyzeSeconds} s vacuum analyze)`);

const config = loadConfig({ BASE_DOMAIN: 'localhost', LOG_LEVEL: 'silent', NODE_ENV: 'production', PUBLIC_URL_SCHEME: 'http', PORT: '0' });
const logger = createLogger('silent');
const secret = 'bench-secret-bench-secret-bench-secret-01';
const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
const app = createApp({ config, database, clock: systemClock, logger, mailer, assets: loadAssets(), secret });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const port = (server.address() as AddressInfo).port;
const host = `bench.localhost:${port}`;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const csrfCookie = 'a'.repeat(32);
let cookies = `saldo_csrf=${csrfCookie}`;

function http(method: string, path: string, body?: string): Promise<{ status: number; ms: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      { host: '127.0.0.1', port, method, path, agent, headers: { Host: host, Cookie: cookies, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const login = await http('POST', '/app/login', new URLSearchParams({ _csrf: sign(secret, `csrf:${csrfCookie}`), email: 'admin@bench.pe', password }).toString());
const session = login.setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('saldo_session='));
if (login.status !== 303 || !session) throw new Error(`login failed: ${login.status}`);
cookies = `${cookies}; ${session}`;

const percentile = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2));
};
async function measure(run: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const [sample] = await database.query<{ document_number: string; advisor_id: string }>(
  'select document_number, advisor_id from clients where tenant_id = $1 and deleted_at is null order by id desc limit 1',
  [tenant.id],
);
const scenarios: [string, Record<string, string>][] = [
  ['no filter', {}],
  ...situations.map((s): [string, Record<string, string>] => [`situation ${s}`, { situation: s }]),
  ['search by document', { q: sample!.document_number }],
  ['search by name prefix', { q: 'mar' }],
  ['advisor + situation', { advisor: String(sample!.advisor_id), situation: 'mora_1_30' }],
  ['deep page (200)', { page: '200' }],
];

const db = database.db;
const tray: Record<string, unknown>[] = [];
for (const [name, query] of scenarios) {
  const qs = new URLSearchParams(query).toString();
  let status = 0;
  const overHttp = await measure(async () => {
    const r = await http('GET', `/app/clients${qs ? `?${qs}` : ''}`);
    status = r.status;
    if (status !== 200) throw new Error(`${name}: HTTP ${status}`);
  });
  const filters = parseClientFilters(query, { country: tenant.country });
  const order = parseTrayOrder(query);
  const sqlAlone = await measure(() => Promise.all([listClientsPage(db, tenant.id, filters, today, order), countClients(db, tenant.id, filters, today)]));
  tray.push({ scenario: name, http: overHttp, sql: sqlAlone, httpOverSqlP95: Number((overHttp.p95 / sqlAlone.p95).toFixed(2)) });
  log(`${name}: http p95 ${overHttp.p95} ms, sql p95 ${sqlAlone.p95} ms`);
}

/** The situation recomputed from the orders at query time, as a system without stored columns would. */
function recomputedBounds(s: Situation): string {
  const d = (n: number) => `'${addDays(today, -n)}'::date`;
  switch (s) {
    case 'finalizado':
      return 's.oldest is null';
    case 'con_reclamo':
      return 's.oldest is not null and c.open_claims > 0';
    case 'al_dia':
      return `c.open_claims = 0 and s.oldest >= ${d(0)}`;
    case 'mora_1_30':
      return `c.open_claims = 0 and s.oldest >= ${d(30)} and s.oldest < ${d(0)}`;
    case 'mora_31_60':
      return `c.open_claims = 0 and s.oldest >= ${d(60)} and s.oldest < ${d(30)}`;
    case 'mora_61_90':
      return `c.open_claims = 0 and s.oldest >= ${d(90)} and s.oldest < ${d(60)}`;
    case 'mora_90_mas':
      return `c.open_claims = 0 and s.oldest < ${d(90)}`;
  }
}
const recompute: Record<string, unknown>[] = [];
for (const s of situations.filter((x) => x !== 'con_reclamo' && x !== 'finalizado')) {
  const filters = parseClientFilters({ situation: s });
  const order = parseTrayOrder({});
  const stored = await measure(() => Promise.all([listClientsPage(db, tenant.id, filters, today, order), countClients(db, tenant.id, filters, today)]));
  const from = `from clients c
      left join (select client_id, min(due_date) filter (where not annulled and balance > 0) as oldest
                   from payment_orders where tenant_id = $1 group by client_id) s on s.client_id = c.id
     where c.tenant_id = $1 and c.deleted_at is null and ${recomputedBounds(s)}`;
  const atQueryTime = await measure(() =>
    Promise.all([
      database.query(`select c.id, c.name ${from} order by lower(c.name), c.id limit 25`, [tenant.id]),
      database.query(`select count(*) from (select 1 ${from} limit 10001) x`, [tenant.id]),
    ]),
  );
  recompute.push({ situation: s, stored, recomputed: atQueryTime, ratioP95: Number((atQueryTime.p95 / stored.p95).toFixed(1)) });
  log(`${s}: stored p95 ${stored.p95} ms, recomputed p95 ${atQueryTime.p95} ms`);
}

const worstHttp = Math.max(...tray.map((r) => (r.http as { p95: number }).p95));
const worstRatio = Math.max(...tray.map((r) => r.httpOverSqlP95 as number));
const minRecompute = Math.min(...recompute.map((r) => r.ratioP95 as number));
const results = {
  at: new Date().toISOString(),
  size: { ...totals, generationSeconds, analyzeSeconds },
  requestsPerScenario: REQUESTS,
  tray,
  situationFilter: recompute,
  summary: {
    worstHttpP95Ms: worstHttp,
    worstHttpOverSqlP95: worstRatio,
    minRecomputeOverStoredP95: minRecompute,
    targets: { httpP95Ms: 60, httpOverSql: 1.5, recomputeOverStored: 20 },
    met: { httpP95: worstHttp <= 60, httpOverSql: worstRatio <= 1.5, recomputeOverStored: minRecompute >= 20 },
  },
};
mkdirSync('bench-results', { recursive: true });
const file = `bench-results/${results.at.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
log(`written to ${file}`);

agent.destroy();
server.close();
mailer.close();
await database.close();
process.exit(0);
