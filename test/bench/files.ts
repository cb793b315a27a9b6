/**
 * Files benchmark (SPEC section 9): imports of a 100,000-row xlsx and csv against the
 * fastest parse of the same file plus a PostgreSQL COPY of its rows into the tables the
 * import fills (and, for comparison, into a bare table without indexes); exports of 50,000
 * rows to xlsx and csv; a 1,000,000-row csv export against a bare streamed csv of the same
 * query (the export's own statement, its values written as the driver returns them). Each
 * measurement runs in a child process of its own, so that its peak RSS is its own, started
 * as the worker that does that work starts: compiled, with its Node.js options. The imports
 * and their baselines are taken in turns over a few rounds, and the fastest of each compared.
 * Usage: npm run bench:files [-- --only imports|exports] [--format csv|xlsx]  (needs BENCH_DATABASE_URL or DATABASE_URL on PostgreSQL)
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse';
import postgres from 'postgres';
import { chosenColumns, columnsFor, exportStatement, parseClientFilters, parseTrayOrder } from '../../src/clients/queries.js';
import { loadConfig } from '../../src/config.js';
import { todayIn } from '../../src/platform/dates.js';
import { migrate, openDatabase, type Database } from '../../src/db/index.js';
import { runExport } from '../../src/exports/service.js';
import { applyImport, checkImport } from '../../src/imports/jobs.js';
import { suggestMapping } from '../../src/imports/fields.js';
import type { JobDeps } from '../../src/jobs/index.js';
import { systemClock } from '../../src/platform/clock.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail/index.js';
import { csvWriter, xlsxWriter } from '../../src/platform/spreadsheets/write.js';
import { openProcess } from '../../src/process-log/service.js';
import { storageFor } from '../../src/storage/index.js';
import { createTenant } from '../../src/tenants/service.js';
import { createUser } from '../../src/users/service.js';

const HEADERS = ['Tipo de documento', 'Número de documento', 'Nombre', 'Correo electrónico', 'Teléfono', 'Segmento', 'Código de pago', 'Producto', 'Monto', 'Interés', 'Fecha de emisión', 'Fecha de vencimiento'];
const work = join(tmpdir(), 'saldo-bench-files');
const log = (message: string) => process.stderr.write(`${message}\n`);

function row(i: number): string[] {
  return ['DNI', String(i).padStart(8, '0'), `Cliente Ñandú ${i}`, `c${i}@example.pe`, `9${String(i).padStart(8, '0')}`, i % 2 ? 'A' : 'B', `OP-${i}`, 'Crédito', `${100 + (i % 5000)},50`, '0', '01/02/2026', '01/03/2026'];
}

/**
 * The same rows as the import stores them (document, E.164 phone, minor units, ISO dates),
 * in COPY's text format for a scratch tenant: what the fastest possible load of this file
 * into the product's own tables would send.
 */
function tableRows(tenantId: number, i: number): { client: string; order: string } {
  const id = i + 1;
  const client = [tenantId, id, 'DNI', String(i).padStart(8, '0'), `Cliente Ñandú ${i}`, `c${i}@example.pe`, `+519${String(i).padStart(8, '0')}`, i % 2 ? 'A' : 'B', 1, '2026-03-01', (100 + (i % 5000)) * 100 + 50];
  const order = [tenantId, id, `OP-${i}`, 'Crédito', (100 + (i % 5000)) * 100 + 50, 0, 0, '2026-02-01', '2026-03-01', 'f'];
  return { client: `${client.join('\t')}\n`, order: `${order.join('\t')}\n` };
}

async function writeTableFixtures(rows: number, tenantId: number) {
  const clients = createWriteStream(join(work, 'clients.copy'));
  const orders = createWriteStream(join(work, 'orders.copy'));
  for (let start = 0; start < rows; start += 5_000) {
    let c = '';
    let o = '';
    for (let i = start; i < Math.min(rows, start + 5_000); i++) {
      const r = tableRows(tenantId, i);
      c += r.client;
      o += r.order;
    }
    if (!clients.write(c)) await once(clients, 'drain');
    if (!orders.write(o)) await once(orders, 'drain');
  }
  clients.end();
  orders.end();
  await Promise.all([once(clients, 'finish'), once(orders, 'finish')]);
}

async function writeFixtures(rows: number) {
  mkdirSync(work, { recursive: true });
  const csv = createWriteStream(join(work, 'import.csv'));
  const c = csvWriter(csv, HEADERS);
  const x = xlsxWriter(createWriteStream(join(work, 'import.xlsx')), HEADERS);
  for (let start = 0; start < rows; start += 5_000) {
    const batch = Array.from({ length: Math.min(5_000, rows - start) }, (_, k) => row(start + k));
    await c.write(batch);
    await x.write(batch);
  }
  await c.end();
  await x.end();
}

async function openBenchDatabase(baseUrl: string): Promise<Database> {
  const url = new URL(baseUrl);
  url.pathname = '/saldo_bench_files';
  return openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
}

function depsOf(database: Database): JobDeps {
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: join(work, 'data'), IMPORT_MAX_ROWS: '200000' });
  const logger = createLogger('silent');
  return { config, database, clock: systemClock, logger, mailer: createMailer({ smtpUrl: undefined, from: config.mailFrom, logger }), secret: 'b'.repeat(32) };
}

/** One measurement, run inside a child process: prints { seconds, rssMb }; `idle` does nothing. */
async function measure(scenario: string, baseUrl: string): Promise<void> {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const started = performance.now();
  const database = await openBenchDatabase(baseUrl);
  const deps = depsOf(database);
  const [{ id: tenantId }] = (await database.query<{ id: number }>(`select id from tenants where subdomain = 'benchfiles'`)) as [{ id: number }];
  const [{ id: userId }] = (await database.query<{ id: number }>(`select id from users where tenant_id = $1 limit 1`, [tenantId])) as [{ id: number }];
  const t0 = performance.now();
  if (scenario === 'parse-csv') {
    for await (const _ of createReadStream(join(work, 'import.csv')).pipe(parseCsv({ bom: true }))) void _;
  } else if (scenario === 'parse-xlsx') {
    const { default: ExcelJS } = await import('exceljs');
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(join(work, 'import.xlsx'), { sharedStrings: 'cache', styles: 'ignore' });
    for await (const sheet of reader) for await (const _ of sheet as unknown as AsyncIterable<unknown>) void _;
  } else if (scenario === 'copy') {
    await database.sql!.unsafe('create temporary table bench_copy (a text, b text, c text, d text, e text, f text, g text, h text, i text, j text, k text, l text)');
    const stream = await database.sql!.unsafe('copy bench_copy from stdin with (format csv, header true)').writable();
    createReadStream(join(work, 'import.csv')).pipe(stream);
    await once(stream, 'finish');
  } else if (scenario === 'copy-tables') {
    // The rows into clients and payment_orders, indexes, constraints and all, in one transaction.
    await database.sql!.begin(async (tx) => {
      for (const [file, statement] of [
        ['clients.copy', 'copy clients (tenant_id, id, document_type, document_number, name, email, phone, segment, unpaid_orders, oldest_unpaid_due_date, total_balance) from stdin'],
        ['orders.copy', 'copy payment_orders (tenant_id, client_id, payment_code, product, amount, interest, discounts, issue_date, due_date, annulled) from stdin'],
      ] as const) {
        const stream = await tx.unsafe(statement).writable();
        createReadStream(join(work, file)).pipe(stream);
        await once(stream, 'finish');
      }
    });
  } else if (scenario === 'import-csv' || scenario === 'import-xlsx') {
    const format = scenario.slice(7);
    const name = `import.${format}`;
    const storage = storageFor(deps.config);
    const key = `${tenantId}/bench-${Date.now()}-${name}`;
    await storage.put(key, new Uint8Array(await import('node:fs/promises').then((f) => f.readFile(join(work, name)))));
    const process = await openProcess(database.db, tenantId, {
      kind: 'import', subject: 'clients', format, userId, stage: 'validating', originalName: name, originalKey: key,
      params: { headers: HEADERS, mapping: suggestMapping(HEADERS, {}) },
    });
    const t1 = performance.now();
    await checkImport(deps, { tenantId, processId: process.id });
    const checked = performance.now();
    await database.query(`update file_processes set stage = 'applying' where id = $1`, [process.id]);
    await applyImport(deps, { tenantId, processId: process.id });
    log(`    ${scenario}: check ${((checked - t1) / 1000).toFixed(1)} s, apply ${((performance.now() - checked) / 1000).toFixed(1)} s`);
  } else if (scenario.startsWith('export-')) {
    const [, format, limit] = scenario.split('-') as [string, 'csv' | 'xlsx', string];
    const process = await openProcess(database.db, tenantId, {
      kind: 'export', subject: 'clients', format, userId, params: { query: limit === '50k' ? { segment: 'A' } : {} },
    });
    await runExport(deps, { tenantId, processId: process.id });
  } else if (scenario === 'bare-csv') {
    // The export's own statement for the same user and filters, its values written as they come.
    const columns = await chosenColumns(database.db, tenantId, userId, columnsFor([]));
    const { query } = exportStatement(database.db, tenantId, parseClientFilters({}), todayIn('America/Lima', systemClock), parseTrayOrder({}), columns.flatMap((c) => c.reads));
    const out = createWriteStream(join(work, 'bare.csv'));
    const writer = csvWriter(out, columns.map((c) => c.key));
    const cursor = database.sql!.unsafe(query.sql, query.params as never[]).values().cursor(5_000);
    for await (const batch of cursor) await writer.write(batch as never);
    await writer.end();
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  // A last sample: a scenario shorter than the sampling interval would otherwise report nothing.
  peak = Math.max(peak, process.memoryUsage().rss);
  await database.close();
  void started;
  process.stdout.write(JSON.stringify({ seconds, rssMb: Math.round(peak / 1024 / 1024) }));
  process.exit(0);
}

/**
 * One measurement in a process of its own, running this file's compiled copy with the
 * Node.js options of the worker that does that work in production (package.json): the
 * exports worker (`npm run worker:exports`) for exports and the bare stream they are held
 * against, the general one (`npm run worker`) for the rest.
 */
async function child(scenario: string, baseUrl: string): Promise<Measured> {
  // Imported here: the compiled copy that measures has no scripts/ beside it.
  const { nodeArgumentsOf, outdir } = await import('../../scripts/build.mjs');
  const { options } = nodeArgumentsOf(scenario.startsWith('export-') || scenario === 'bare-csv' ? 'worker:exports' : 'worker');
  const out = execFileSync(process.execPath, [...options, join(outdir, 'test/bench/files.js'), '--measure', scenario], {
    env: { ...process.env, BENCH_DATABASE_URL: baseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(out.toString());
}

/** The whole files benchmark; the receivables runner may call it with the same database URL. */
type Measured = { seconds: number; rssMb: number };

export async function benchFiles(baseUrl: string, options: { importRows?: number; bigExportRows?: number; only?: 'imports' | 'exports'; format?: 'csv' | 'xlsx'; rounds?: number } = {}) {
  const importRows = options.importRows ?? 100_000;
  // The measured processes run the compiled code, as the workers do.
  await (await import('../../scripts/build.mjs')).build();
  const bigRows = options.bigExportRows ?? 1_000_000;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('drop database if exists saldo_bench_files with (force)');
  await admin.unsafe('create database saldo_bench_files');
  await admin.end();
  const database = await openBenchDatabase(baseUrl);
  await migrate(database);
  const created = await createTenant(database.db, { name: 'Bench Files', subdomain: 'benchfiles', timezone: 'America/Lima', currency: 'PEN', locale: 'es-PE', plan: 'pro' });
  if (!created.ok) throw new Error(created.error);
  await createUser({ tenantId: created.tenant.id, actor: null, db: database.db, clock: systemClock }, { name: 'Bench', email: 'bench@files.pe', role: 'admin', password: 'bench-password-2026' });
  const scratch = await createTenant(database.db, { name: 'Bench Copy', subdomain: 'benchcopy', timezone: 'America/Lima', currency: 'PEN', locale: 'es-PE', plan: 'pro' });
  if (!scratch.ok) throw new Error(scratch.error);
  log(`writing ${importRows} rows as csv and xlsx…`);
  await writeFixtures(importRows);
  await writeTableFixtures(importRows, scratch.tenant.id);

  const results: Record<string, unknown> = {};
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  // What a measuring process takes before it does anything (runtime, modules, connections):
  // every RSS figure below includes it.
  results['idle process'] = { rssMb: (await child('idle', baseUrl)).rssMb };
  log(`  idle process: ${JSON.stringify(results['idle process'])}`);
  const fastest = (list: { seconds: number }[]) => Math.min(...list.map((r) => r.seconds));
  const largest = (list: { rssMb: number }[]) => Math.max(...list.map((r) => r.rssMb));
  const rounds = options.rounds ?? 3;
  for (const format of options.only === 'exports' ? [] : options.format ? [options.format] : (['csv', 'xlsx'] as const)) {
    // Taken in turns, a few rounds: on a shared machine a single run of either side moves
    // by a third; the fastest of each side is compared, and the largest peak reported.
    const runs = { parse: [] as Measured[], copy: [] as Measured[], tables: [] as Measured[], imported: [] as Measured[] };
    for (let round = 0; round < rounds; round++) {
      // Each import starts on clean tables, not on the dead rows of the one before.
      await database.query(`delete from client_events where tenant_id = $1`, [created.tenant.id]);
      await database.query(`delete from payment_orders where tenant_id = $1`, [created.tenant.id]);
      await database.query(`delete from clients where tenant_id = $1`, [created.tenant.id]);
      // The name's words and the staged rows too: where autovacuum is off (as on the test
      // machine) their dead rows pile up run after run and slow every later import.
      await database.exec('vacuum analyze clients, payment_orders, client_events, client_name_words, import_rows');
      runs.parse.push(await child(`parse-${format}`, baseUrl));
      runs.copy.push(await child('copy', baseUrl));
      runs.tables.push(await child('copy-tables', baseUrl));
      await database.query(`delete from client_events where tenant_id = $1`, [scratch.tenant.id]);
      await database.query(`delete from payment_orders where tenant_id = $1`, [scratch.tenant.id]);
      await database.query(`delete from clients where tenant_id = $1`, [scratch.tenant.id]);
      await database.exec('vacuum analyze clients, payment_orders, client_events, client_name_words, import_rows');
      runs.imported.push(await child(`import-${format}`, baseUrl));
    }
    // The baseline (decision 0006): the file parsed, and its rows copied into the tables the
    // import fills. A copy into a bare table without indexes is shown beside it.
    const [parse, copy, tables, imported] = [fastest(runs.parse), fastest(runs.copy), fastest(runs.tables), fastest(runs.imported)];
    const baseline = parse + tables;
    results[`import ${format} ${importRows}`] = {
      seconds: imported, rssMb: largest(runs.imported), rounds,
      parseSeconds: parse, copyIntoTablesSeconds: tables, baseline, ratio: ratio(imported, baseline),
      copyIntoBareTableSeconds: copy, ratioToBareCopy: ratio(imported, parse + copy),
      everyRun: { importSeconds: runs.imported.map((r) => r.seconds), baselineSeconds: runs.parse.map((r, i) => r.seconds + runs.tables[i]!.seconds), rssMb: runs.imported.map((r) => r.rssMb) },
      target: '≤ 1.5×, RSS ≤ 300 MB',
    };
    log(`  ${JSON.stringify(results[`import ${format} ${importRows}`])}`);
  }
  if (options.only === 'imports') return finish(results);
  // The exports read what the imports wrote; without them, rows of the same shape go in directly.
  if (options.only === 'exports') {
    await database.query(`
      insert into clients (tenant_id, document_type, document_number, name, email, phone, segment)
      select $1, 'DNI', lpad(g::text, 8, '0'), 'Cliente Ñandú ' || g, 'c' || g || '@example.pe', '+519' || lpad(g::text, 8, '0'), case when g % 2 = 1 then 'A' else 'B' end
        from generate_series(0, $2::int - 1) g`, [created.tenant.id, importRows]);
  }
  // 100,000 clients imported; half are in segment A: 50,000 rows for the immediate exports.
  for (const format of ['xlsx', 'csv'] as const) {
    const exported = await child(`export-${format}-50k`, baseUrl);
    results[`export ${format} 50000`] = { ...exported, target: '≤ 5 s' };
    log(`  ${JSON.stringify(results[`export ${format} 50000`])}`);
  }
  await database.query(`
    insert into clients (tenant_id, document_type, document_number, name, email, segment)
    select $1, 'CE', lpad(g::text, 10, '0'), 'Cliente ' || g, 'c' || g || '@example.pe', 'C'
      from generate_series(1, $2::int) g`, [created.tenant.id, bigRows - importRows]);
  // Settled as a table a day old would be (hint bits set, statistics current), so that the
  // first of the two runs does not pay for what the insert left behind.
  await database.exec('vacuum analyze clients');
  // Taken in turns, twice; the faster of each, and the larger peak.
  const runs = { bare: [] as { seconds: number; rssMb: number }[], big: [] as { seconds: number; rssMb: number }[] };
  for (let round = 0; round < 2; round++) {
    runs.bare.push(await child('bare-csv', baseUrl));
    runs.big.push(await child('export-csv-all', baseUrl));
  }
  const bare = { seconds: fastest(runs.bare) };
  const big = { seconds: fastest(runs.big), rssMb: Math.max(...runs.big.map((r) => r.rssMb)) };
  results[`export csv ${bigRows}`] = { seconds: big.seconds, rssMb: big.rssMb, baseline: bare.seconds, baselineRssMb: Math.max(...runs.bare.map((r) => r.rssMb)), ratio: ratio(big.seconds, bare.seconds), target: '≤ 1.5×, RSS ≤ 150 MB' };
  log(`  ${JSON.stringify(results[`export csv ${bigRows}`])}`);
  return finish(results);

  async function finish(results: Record<string, unknown>) {
    await database.close();
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(`bench-results/files-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(results, null, 2));
    return results;
  }
}

const baseUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const measureAt = process.argv.indexOf('--measure');
if (measureAt > 0) {
  await measure(process.argv[measureAt + 1]!, baseUrl!);
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!baseUrl || !/^postgres(ql)?:/.test(baseUrl)) {
    console.error('The benchmark needs PostgreSQL: set BENCH_DATABASE_URL or DATABASE_URL.');
    process.exit(1);
  }
  const { values } = parseArgs({ options: { only: { type: 'string' }, format: { type: 'string' } } });
  if (values.only !== undefined && values.only !== 'imports' && values.only !== 'exports') {
    console.error('--only takes imports or exports.');
    process.exit(1);
  }
  if (values.format !== undefined && values.format !== 'csv' && values.format !== 'xlsx') {
    console.error('--format takes csv or xlsx (the imports measured).');
    process.exit(1);
  }
  console.log(JSON.stringify(await benchFiles(baseUrl, { only: values.only, format: values.format }), null, 2));
}
