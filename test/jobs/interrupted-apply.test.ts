import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rows } from '../../src/db/index.js';
import { applyImport } from '../../src/imports/jobs.js';
import { startTestApp, type Harness } from '../support/app.js';
import { databaseUrlOf } from '../support/db.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { importFile, processOf, stagedRows } from '../imports/support.js';

const postgres = Boolean(process.env.DATABASE_URL);
let h: Harness;

beforeAll(async () => {
  if (postgres) h = await startTestApp({ jobs: true });
});
afterAll(() => h?.close());

const count = async (table: 'clients' | 'payment_orders', tenantId: number) =>
  (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.raw(table)} where tenant_id = ${tenantId}`))[0]!.n;

/** Whether another connection holds a write lock on the table: the apply is writing it. */
const writing = async (table: string) =>
  (
    await rows<{ n: number }>(
      h.db,
      sql`select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
           where c.relname = ${table} and l.mode = 'RowExclusiveLock' and l.pid <> pg_backend_pid()`,
    )
  )[0]!.n > 0;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

it.runIf(postgres)('a worker killed in the middle of an apply leaves nothing behind, and the retry reaches the same end', { timeout: 120_000 }, async () => {
  const tenant = await newTenant(h);
  const client = await loggedIn(h, tenant, await addStaff(h, tenant, { role: 'admin' }));
  const lines = ['Tipo de documento,Número de documento,Nombre,Código de pago,Monto,Fecha de emisión,Fecha de vencimiento'];
  const total = 20_000;
  for (let i = 0; i < total; i++) lines.push(`DNI,${String(i).padStart(8, '0')},Cliente ${i},OP-${i},${100 + (i % 900)},01/02/2026,01/03/2026`);
  const { id } = await importFile(h, client, 'grande.csv', Buffer.from(lines.join('\n')), { apply: false });
  expect((await processOf(h, id)).stage).toBe('validated');
  expect((await client.post(`/app/imports/${id}/application`)).status).toBe(303);

  let worker: ChildProcess | undefined;
  try {
    const root = resolve(import.meta.dirname, '../..');
    worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrlOf(h.database), DATA_DIR: h.config.dataDir, LOG_LEVEL: 'silent', NODE_ENV: 'test', DATABASE_POOL_SIZE: '3' },
      stdio: 'ignore',
    });
    // Clients are written and the orders are being written: the transaction is half way.
    await until(() => writing('payment_orders'), 60_000, 'the apply to write orders');
    worker.kill('SIGKILL');
    await new Promise((r) => worker!.once('exit', r));
  } finally {
    if (worker && worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  }
  // PostgreSQL notices the dropped connection and rolls its transaction back.
  await until(async () => !(await writing('payment_orders')) && !(await writing('clients')), 30_000, 'the rollback');

  expect(await count('clients', tenant.id)).toBe(0);
  expect(await count('payment_orders', tenant.id)).toBe(0);
  expect(await stagedRows(h, tenant.id)).toBe(total);
  expect((await processOf(h, id)).stage).toBe('applying');

  await applyImport(h.deps, { tenantId: tenant.id, processId: id });
  expect(await count('clients', tenant.id)).toBe(total);
  expect(await count('payment_orders', tenant.id)).toBe(total);
  expect(await stagedRows(h, tenant.id)).toBe(0);
  const done = await processOf(h, id);
  expect(done.state).toBe('completed');
  expect(done.counts).toMatchObject({ create: total, rejected: 0 });

  // Running it once more (a duplicate delivery) changes nothing.
  await applyImport(h.deps, { tenantId: tenant.id, processId: id });
  expect(await count('clients', tenant.id)).toBe(total);
});
