/**
 * Receivables benchmark: a large tenant on PostgreSQL, then the clients tray measured over
 * HTTP and as bare SQL, and the stored situation filter against recomputing situation from
 * the orders at query time. Usage:
 *   npm run bench -- [--clients 1000000] [--requests 30] [--recompute-requests 10] [--reuse] [--accept-encoding gzip]
 * With --reuse, a scratch database left complete by an earlier run of the same size is
 * measured again instead of generated anew (pending migrations are applied to it first).
 * The web server (./tray-server.ts) runs in a process of its own, compiled and started as
 * `npm start` starts the app, so that the measuring client's work does not run on the
 * server's event loop. Beside it, a bare node:http server (./http-floor.ts) runs the same
 * statements and answers with a body of the page's size: the floor that any web server
 * doing this work over HTTP stands on, here, so that what the app itself adds shows apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath } from '../../vitest.config.js';
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { countClients, listClientsPage, parseClientFilters, parseTrayOrder } from '../../src/clients/queries.js';
import { situations, type Situation } from '../../src/clients/situation.js';
import { migrate, openDatabase } from '../../src/db/index.js';
import { generateDemo } from '../../src/demo/generate.js';
import { sign } from '../../src/platform/auth/tokens.js';
import { systemClock } from '../../src/platform/clock.js';
import { addDays, todayIn } from '../../src/platform/dates.js';
import { findTenantBySubdomain } from '../../src/tenants/queries.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { createTenant } from '../../src/tenants/service.js';
import { users } from '../../src/users/schema.js';
import { createUser } from '../../src/users/service.js';
import { benchSecret } from './tray-server.js';
import { floorPath, trayStatements } from './http-floor.js';
import { build, nodeArgumentsOf, outdir } from '../../scripts/build.mjs';


const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '30' },
    // Recomputing situation from the orders takes seconds a query on a big tenant; a few
    // samples settle a ratio that is tens of times over its target.
    'recompute-requests': { type: 'string', default: '10' },
    'orders-per-client': { type: 'string', default: '3' },
    reuse: { type: 'boolean', default: false },
    'skip-portal': { type: 'boolean', default: false },
    // Browsers ask for compressed pages; without it the tray is measured as sent uncompressed.
    'accept-encoding': { type: 'string' },
  },
});
const CLIENTS = Number(values.clients);
const REQUESTS = Number(values.requests);
const RECOMPUTE_REQUESTS = Number(values['recompute-requests']);
const ORDERS_PER_CLIENT = Number(values['orders-per-client']);
const baseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!baseUrl || !/^postgres(ql)?:/.test(baseUrl)) {
  console.error('The benchmark needs PostgreSQL: set BENCH_DATABASE_URL or DATABASE_URL.');
  process.exit(1);
}
const log = (message: string) => process.stderr.write(`${message}\n`);
const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));

// Written on the scratch database once generation and analysis have finished, so --reuse
// never measures a half-generated set or one of another size.
const marker = `saldo bench: clients=${CLIENTS} orders-per-client=${ORDERS_PER_CLIENT}`;
const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
const [previous] = await admin<{ note: string | null }[]>`select shobj_description(oid, 'pg_database') as note from pg_database where datname = 'saldo_bench'`;
const reusing = values.reuse && previous?.note === marker;
if (values.reuse && !reusing) log('no complete benchmark database of this size to reuse: generating one');
if (!reusing) {
  await admin.unsafe('drop database if exists saldo_bench with (force)');
  await admin.unsafe('create database saldo_bench');
}
await admin.end();
const url = new URL(baseUrl);
url.pathname = '/saldo_bench';
const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });
await migrate(database);

const password = 'bench-password-2026';
let tenant: Tenant;
let totals: { clients: number; orders: number; payments: number; promises: number };
let generationSeconds: number | null = null;
let started = performance.now();
if (reusing) {
  const found = await findTenantBySubdomain(database.db, 'bench');
  if (!found) throw new Error('the reused benchmark database has no tenant');
  tenant = found;
  const [counted] = await database.query<typeof totals>(
    `select (select count(*)::int from clients where tenant_id = $1) as clients, (select count(*)::int from payment_orders where tenant_id = $1) as orders,
            (select count(*)::int from payments where tenant_id = $1) as payments, (select count(*)::int from promises where tenant_id = $1) as promises`,
    [tenant.id],
  );
  totals = counted!;
  log(`reusing ${JSON.stringify(totals)}`);
  // Statistics for whatever the pending migrations added (new indexes).
  await database.exec('analyze');
} else {
  const created = await createTenant(database.db, { name: 'Financiera Benchmark', subdomain: 'bench', timezone: 'America/Lima', currency: 'PEN', locale: 'es-PE', plan: 'pro' });
  if (!created.ok) throw new Error(created.error);
  tenant = created.tenant;
  const staff = await createUser({ tenantId: tenant.id, actor: null, db: database.db, clock: systemClock }, { name: 'Admin Bench', email: 'admin@bench.pe', role: 'admin', password });
  if (!staff.ok) throw new Error('could not create the benchmark admin');
  const advisors = await database.db
    .insert(users)
    .values(Array.from({ length: 40 }, (_, i) => ({ tenantId: tenant.id, name: `Asesor ${i + 1}`, email: `asesor${i + 1}@bench.pe`, role: 'advisor' as const, passwordHash: staff.user.passwordHash })))
    .returning({ id: users.id });
  log(`generating ${CLIENTS} clients…`);
  totals = await generateDemo(database, {
    tenantId: tenant.id,
    clients: CLIENTS,
    today: todayIn(tenant.timezone, systemClock),
    seed: 2026,
    ordersPerClient: ORDERS_PER_CLIENT,
    advisorIds: advisors.map((a) => a.id),
    batchSize: 20_000,
    // The tray reads no history: a million clients' events would only make generation longer.
    history: false,
    onProgress: (done) => done % 100_000 === 0 && log(`  ${done} clients (${seconds(started)} s)`),
  });
  generationSeconds = seconds(started);
}
const today = todayIn(tenant.timezone, systemClock);
let analyzeSeconds: number | null = null;
if (!reusing) {
  started = performance.now();
  await database.exec('vacuum analyze');
  analyzeSeconds = seconds(started);
  await database.exec(`comment on database saldo_bench is '${marker}'`);
  log(`generated ${JSON.stringify(totals)} in ${generationSeconds} s (+ ${analyzeSeconds} s vacuum analyze)`);
}

// The servers run compiled, with the start script's Node.js options, as `npm start` runs the app.
await build();
interface Server {
  process: ChildProcess;
  port: number;
  agent: Agent;
}
async function startServer(file: string, env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [...nodeArgumentsOf('start').options, join(outdir, file)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /port (\d+)/.exec(out);
      if (found) resolve(Number(found[1]));
    });
    child.once('exit', (code) => reject(new Error(`${file} stopped (${code})`)));
  });
  return { process: child, port, agent: new Agent({ keepAlive: true, maxSockets: 1 }) };
}
const app = await startServer('test/bench/tray-server.js', { BENCH_TRAY_DATABASE_URL: url.toString() });
const floor = await startServer('test/bench/http-floor.js', { BENCH_FLOOR_DATABASE_URL: url.toString(), BENCH_FLOOR_EMAIL: 'admin@bench.pe' });
const csrfCookie = 'a'.repeat(32);
let cookies = `saldo_csrf=${csrfCookie}`;

const acceptEncoding = values['accept-encoding'] ? { 'Accept-Encoding': values['accept-encoding'] } : {};

function http(method: string, path: string, body?: string, server: Server = app): Promise<{ status: number; ms: number; bytes: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        agent: server.agent,
        headers: { Host: `bench.localhost:${server.port}`, Cookie: cookies, ...acceptEncoding, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const login = await http('POST', '/app/login', new URLSearchParams({ _csrf: sign(benchSecret, `csrf:${csrfCookie}`), email: 'admin@bench.pe', password }).toString());
const session = login.setCookie.map((c) => c.split(';')[0]!).find((c) => c.startsWith('saldo_session='));
if (login.status !== 303 || !session) throw new Error(`login failed: ${login.status}`);
cookies = `${cookies}; ${session}`;

const percentile = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2));
};
/**
 * Times several things taken in turns (A B C, B C A, C A B, …) rather than one series after
 * the other, so that all see the same moments of a machine shared with other work, and none
 * always runs on caches another just warmed.
 */
async function measureInTurns(runs: (() => Promise<unknown>)[], samples = REQUESTS) {
  for (let i = 0; i < 3; i++) for (const run of runs) await run();
  const times = runs.map((): number[] => []);
  for (let i = 0; i < samples; i++) {
    for (let k = 0; k < runs.length; k++) {
      const which = (i + k) % runs.length;
      const t0 = performance.now();
      await runs[which]!();
      times[which]!.push(performance.now() - t0);
    }
  }
  return times.map((list) => ({ p50: percentile(list, 50), p95: percentile(list, 95) }));
}

const [benchAdmin] = await database.query<{ id: number }>('select id from users where tenant_id = $1 and email = $2', [tenant.id, 'admin@bench.pe']);
const adminId = Number(benchAdmin!.id);
const [sample] = await database.query<{ document_number: string; advisor_id: string }>(
  'select document_number, advisor_id from clients where tenant_id = $1 and deleted_at is null order by id desc limit 1',
  [tenant.id],
);
const scenarios: [string, Record<string, string>][] = [
  ['no filter', {}],
  ...situations.map((s): [string, Record<string, string>] => [`situation ${s}`, { situation: s }]),
  ['search by document', { q: sample!.document_number }],
  // "mar" starts a first name and a surname (María, Martínez): tens of thousands of matches.
  ['search by a word of the name', { q: 'mar' }],
  ['search by two words', { q: 'quispe ro' }],
  ['search by one letter', { q: 'q' }],
  ['advisor + situation', { advisor: String(sample!.advisor_id), situation: 'mora_1_30' }],
  ['deep page (200)', { page: '200' }],
];

const db = database.db;
const trayPath = (query: Record<string, string>) => {
  const qs = new URLSearchParams(query).toString();
  return `/app/clients${qs ? `?${qs}` : ''}`;
};
// Every scenario once on each server and as SQL before any is timed: otherwise the first one
// measures the servers' code before the JIT has compiled it, and the bare SQL does not. The
// page's size, which the floor answers with, is taken here.
const pageBytes = new Map<string, number>();
for (const [name, query] of scenarios) {
  const { bytes } = await http('GET', trayPath(query));
  pageBytes.set(name, bytes);
  await http('GET', floorPath(query, bytes), undefined, floor);
  await trayStatements(db, tenant.id, adminId, parseClientFilters(query, { country: tenant.country }), parseTrayOrder(query), today);
}
const tray: Record<string, unknown>[] = [];
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
for (const [name, query] of scenarios) {
  const filters = parseClientFilters(query, { country: tenant.country });
  const order = parseTrayOrder(query);
  const page = trayPath(query);
  const bytes = pageBytes.get(name)!;
  const [overHttp, onFloor, sqlAlone] = await measureInTurns([
    async () => {
      const r = await http('GET', page);
      if (r.status !== 200) throw new Error(`${name}: HTTP ${r.status}`);
    },
    async () => {
      const r = await http('GET', floorPath(query, bytes), undefined, floor);
      if (r.status !== 200 || r.bytes !== bytes) throw new Error(`${name}: the floor answered ${r.status}, ${r.bytes} bytes`);
    },
    // The statements alone (the page's session is one the server checked moments before).
    () => trayStatements(db, tenant.id, adminId, filters, order, today),
  ]);
  tray.push({
    scenario: name,
    http: { ...overHttp!, bytes },
    httpFloor: onFloor,
    sql: sqlAlone,
    httpOverSqlP95: ratio(overHttp!.p95, sqlAlone!.p95),
    floorOverSqlP95: ratio(onFloor!.p95, sqlAlone!.p95),
  });
  log(`${name}: http p95 ${overHttp!.p95} ms, bare http p95 ${onFloor!.p95} ms, sql p95 ${sqlAlone!.p95} ms`);
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
  const from = `from clients c
      left join (select client_id, min(due_date) filter (where not annulled and balance > 0) as oldest
                   from payment_orders where tenant_id = $1 group by client_id) s on s.client_id = c.id
     where c.tenant_id = $1 and c.deleted_at is null and ${recomputedBounds(s)}`;
  const [stored, atQueryTime] = await measureInTurns(
    [
      () => Promise.all([listClientsPage(db, tenant.id, filters, today, order), countClients(db, tenant.id, filters, today)]),
      () =>
        Promise.all([
          database.query(`select c.id, c.name ${from} order by lower(c.name), c.id limit 25`, [tenant.id]),
          database.query(`select count(*) from (select 1 ${from} limit 10001) x`, [tenant.id]),
        ]),
    ],
    RECOMPUTE_REQUESTS,
  );
  recompute.push({ situation: s, stored, recomputed: atQueryTime, ratioP95: Number((atQueryTime!.p95 / stored!.p95).toFixed(1)) });
  log(`${s}: stored p95 ${stored!.p95} ms, recomputed p95 ${atQueryTime!.p95} ms`);
}

// The debtor portals on a slow 3G phone, in Chromium (test/bench/portal.ts); skipped without it.
const portals = values['skip-portal'] || !existsSync(chromiumPath) ? null : await (await import('./portal.js')).runPortalBench();
if (portals) log(`portals: ${JSON.stringify((portals as { slow3g: unknown }).slow3g)}`);

const worstHttp = Math.max(...tray.map((r) => (r.http as { p95: number }).p95));
const worstRatio = Math.max(...tray.map((r) => r.httpOverSqlP95 as number));
const worstFloorRatio = Math.max(...tray.map((r) => r.floorOverSqlP95 as number));
const minRecompute = Math.min(...recompute.map((r) => r.ratioP95 as number));
const results = {
  at: new Date().toISOString(),
  size: { ...totals, generationSeconds, analyzeSeconds, reused: reusing },
  requestsPerScenario: REQUESTS,
  recomputeRequests: RECOMPUTE_REQUESTS,
  acceptEncoding: values['accept-encoding'] ?? null,
  tray,
  situationFilter: recompute,
  portals,
  summary: {
    worstHttpP95Ms: worstHttp,
    worstHttpOverSqlP95: worstRatio,
    /** The same ratio for the bare server: how much of the target one HTTP exchange takes here. */
    worstBareHttpOverSqlP95: worstFloorRatio,
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

for (const server of [app, floor]) {
  server.agent.destroy();
  server.process.stdin!.end();
}
await database.close();
process.exit(0);
