/**
 * The floor under the tray's HTTP time: a bare `node:http` server, in a process of its own
 * and started like the app's (test/bench/run.ts), that runs the tray's three statements
 * exactly as the page does and answers with a body of the page's size, with no framework,
 * session, rendering or headers of the app's. What the benchmark measures above this floor is
 * what the app adds; what the floor measures above the SQL alone is what one HTTP exchange
 * between two processes costs on the machine. Usage: GET /?<tray query>&bytes=<body size>.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countClients, listClientsPage, parseClientFilters, parseTrayOrder, traySettings, type ClientFilters, type TrayOrder } from '../../src/clients/queries.js';
import { openDatabase, type Db } from '../../src/db/index.js';
import { systemClock } from '../../src/platform/clock.js';
import { todayIn, type IsoDate } from '../../src/platform/dates.js';
import { findTenantBySubdomain } from '../../src/tenants/queries.js';

/**
 * The statements the clients tray runs, as it runs them: the page, the capped count and the
 * tray's settings at once. The benchmark times them alone, and this server runs them.
 */
export function trayStatements(db: Db, tenantId: number, userId: number, filters: ClientFilters, order: TrayOrder, today: IsoDate) {
  return Promise.all([listClientsPage(db, tenantId, filters, today, order), countClients(db, tenantId, filters, today), traySettings(db, tenantId, userId)]);
}

/** The floor's address for a tray query, answering with `bytes` of body. */
export const floorPath = (query: Record<string, string>, bytes: number) => `/?${new URLSearchParams({ ...query, bytes: String(bytes) })}`;

async function serveFloor(databaseUrl: string, email: string): Promise<void> {
  const database = await openDatabase({ databaseUrl, poolSize: 10 });
  const tenant = await findTenantBySubdomain(database.db, 'bench');
  if (!tenant) throw new Error('the benchmark database has no tenant');
  const [user] = await database.query<{ id: number }>('select id from users where tenant_id = $1 and email = $2', [tenant.id, email]);
  const userId = Number(user!.id);
  const bodies = new Map<number, string>();
  const server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://floor').searchParams;
    const bytes = Number(params.get('bytes') ?? 0);
    params.delete('bytes');
    const query = Object.fromEntries(params);
    const filters = parseClientFilters(query, { country: tenant.country });
    const today = todayIn(tenant.timezone, systemClock);
    trayStatements(database.db, tenant.id, userId, filters, parseTrayOrder(query), today).then(
      () => {
        let body = bodies.get(bytes);
        if (body === undefined) bodies.set(bytes, (body = 'x'.repeat(bytes)));
        res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': bytes });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`port ${(server.address() as AddressInfo).port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

if (process.env.BENCH_FLOOR_DATABASE_URL && process.argv[1]?.endsWith('http-floor.js')) await serveFloor(process.env.BENCH_FLOOR_DATABASE_URL, process.env.BENCH_FLOOR_EMAIL ?? '');
