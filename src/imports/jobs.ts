import { sql, type SQL } from 'drizzle-orm';
import { activeCampaignCondition } from '../campaigns/service.js';
import { clientVariablesFor, documentTypesFor } from '../clients/fields.js';
import { refreshClientBalances } from '../clients/derived.js';
import { exclusively, idArray, preferHashJoins, rows, type Db } from '../db/index.js';
import type { JobAttempt, JobDefinition, JobDeps } from '../jobs/index.js';
import { todayIn } from '../platform/dates.js';
import { toDecimalString } from '../platform/money.js';
import { settingsOf } from '../settings/queries.js';
import { languageOf, translateMessage, translator } from '../platform/i18n/index.js';
import { SheetError, moduleBeside, openSheetInThread } from '../platform/spreadsheets/read.js';
import { findProcess } from '../process-log/queries.js';
import type { ProcessCounts } from '../process-log/schema.js';
import { recordProgress, updateProcess, type ProcessChange } from '../process-log/service.js';
import { storageFor } from '../storage/index.js';
import { getTenant } from '../tenants/queries.js';
import { findUser, staffRefs } from '../users/queries.js';
import { mappedVariableKeys, type Mapping } from './fields.js';
import { applyCampaignEntries, checkCampaignEntries } from './campaign-entries.js';
import { batchChecker, type CheckedBatch, type CheckerOptions } from './checker.js';
import { errorReport } from './error-report.js';
import { applyUnlessRefused, RowRefused } from './refusal.js';
import { repeatWatch } from './repeats.js';
import type { RowError } from './rows.js';
import { analyzeAfterLoad, clearStaged, stager } from './staging.js';
import { headersOf, mappingOf } from './service.js';
import { settlePromises } from '../payments/promises.js';

export interface ImportJobData {
  tenantId: number;
  processId: number;
}

/** Rows between two progress updates. */
const PROGRESS_EVERY = 5_000;

/** Field key → column of clients / payment_orders / import_rows (a fixed list: safe to splice into SQL). */
const CLIENT_COLUMNS: Record<string, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  segment: 'segment',
  status: 'status',
  contactability: 'contactability',
  portfolio: 'portfolio',
  contactAlerts: 'contact_alerts',
  supervisorId: 'supervisor_id',
  advisorId: 'advisor_id',
};
const ORDER_COLUMNS: Record<string, string> = {
  product: 'product',
  amount: 'amount',
  interest: 'interest',
  discounts: 'discounts',
  issueDate: 'issue_date',
  dueDate: 'due_date',
  annulled: 'annulled',
};

/** Only the columns the file brings are compared and written: an unmapped column keeps what is stored. */
function mappedColumns(mapping: Mapping, columns: Record<string, string>): string[] {
  return Object.entries(columns)
    .filter(([key]) => key in mapping)
    .map(([, column]) => column);
}

/** The client's columns the file brings; the additional variables it brings are one column, `additional`. */
function mappedClientColumns(mapping: Mapping): string[] {
  const columns = mappedColumns(mapping, CLIENT_COLUMNS);
  return mappedVariableKeys(mapping).length > 0 ? [...columns, 'additional'] : columns;
}

/** A staged client column as it is written over the stored one (`cl`): a blank cell (null) keeps it; variables are merged. */
function keptValue(column: string): string {
  return column === 'additional' ? `cl.additional || coalesce(s.additional, '{}'::jsonb)` : `coalesce(s.${column}, cl.${column})`;
}

/** Whether two rows differ in the given columns (none: they do not). */
function differ(a: string, b: string, columns: string[]) {
  if (columns.length === 0) return sql`false`;
  const tuple = (alias: string) => `(${columns.map((c) => `${alias}.${c}`).join(', ')})`;
  return sql.raw(`${tuple(a)} is distinct from ${tuple(b)}`);
}

/**
 * Whether a staged row changes its stored client (`cl`): some column the file fills differs
 * from what is stored. A blank cell (staged null) keeps what is stored (rows.ts,
 * KEPT_WHEN_BLANK), so it is no change.
 */
function clientChanges(columns: string[]) {
  if (columns.length === 0) return sql`false`;
  // The variables a row fills change the client when some stored value differs; the others stay.
  const changes = (c: string) => (c === 'additional' ? `(s.additional is not null and not cl.additional @> s.additional)` : `(s.${c} is not null and s.${c} is distinct from cl.${c})`);
  return sql.raw(`(${columns.map(changes).join(' or ')})`);
}

/**
 * A staged row (`s`) that would lower its stored order (`po`) below what was already paid on
 * it, which only a tenant that keeps credits allows: the order forms' rule. Unmapped money
 * columns keep the stored values; null when the file brings none of them.
 */
function lowersBelowPaid(mapping: Mapping): SQL | null {
  if (!('amount' in mapping || 'interest' in mapping || 'discounts' in mapping)) return null;
  const value = (key: string, column: string) => (key in mapping ? `coalesce(s.${column}, 0)` : `po.${column}`);
  const total = `(${value('amount', 'amount')} + ${value('interest', 'interest')} - ${value('discounts', 'discounts')})`;
  return sql.raw(`${total} < po.paid and ${total} < po.amount + po.interest - po.discounts`);
}

/** What both kinds of upload work from. */
export type Found = NonNullable<Awaited<ReturnType<typeof importContext>>>;

export async function importContext(deps: JobDeps, data: ImportJobData) {
  const db = deps.database.db;
  const process = await findProcess(db, data.tenantId, data.processId);
  const tenant = await getTenant(db, data.tenantId);
  if (!process || !tenant) return null;
  const user = process.userId ? await findUser(db, data.tenantId, process.userId) : undefined;
  const t = translator(user?.language ?? languageOf(tenant.locale));
  return { db, process, tenant, t, user };
}

const sameClient = (tenantId: number) => sql`cl.tenant_id = ${tenantId} and cl.deleted_at is null
  and cl.document_type = s.document_type and cl.document_number = s.document_number`;

/** The staged rows of one upload, under an alias of import_rows. */
const ofUpload = (alias: string, tenantId: number, processId: number) =>
  sql`${sql.raw(alias)}.tenant_id = ${tenantId} and ${sql.raw(alias)}.process_id = ${processId}`;

type Classified = Required<Pick<ProcessCounts, 'create' | 'update' | 'unchanged'>> & {
  /** The orders the file creates (`create` also counts the clients a file of clients only creates). */
  newOrders: number;
  /** Stored clients and stored orders that the file changes (the counts above are per row). */
  changedClients: number;
  changedOrders: number;
  /** Stored clients that get a new order or a changed one: their receivables state is worked out again. */
  touchedClients: number[];
  /** The first row whose payment code is stored under another client, or for a client not stored (since the check). */
  staleLine: number | null;
};

/**
 * What applying the staged rows would do, row by row, against the data as it is now; with
 * `touched`, also which stored clients the apply must work out again (only the apply asks).
 * A row with an order creates it or changes it (or its client); a row of a file of clients
 * only (no payment code) creates its client (its first row) or changes it.
 */
async function classify(db: Db, tenantId: number, processId: number, mapping: Mapping, { touched = false } = {}): Promise<Classified> {
  const clientCols = mappedClientColumns(mapping);
  const orderCols = mappedColumns(mapping, ORDER_COLUMNS);
  const [counts] = await rows<Classified>(
    db,
    sql`
    with r as (
      select cl.id as client_id, s.line,
             s.payment_code is not null and po.id is null as order_new,
             s.payment_code is null and cl.id is null and s.first_of_client as client_new,
             po.id is not null and (cl.id is null or po.client_id <> cl.id) as order_elsewhere,
             -- An order stored under another client is never moved or changed by an upload.
             po.id is not null and cl.id is not null and po.client_id = cl.id and ${differ('po', 's', orderCols)} as order_changed,
             s.first_of_client and cl.id is not null and ${clientChanges(clientCols)} as client_changed
        from import_rows s
        left join clients cl on ${sameClient(tenantId)}
        left join payment_orders po on po.tenant_id = ${tenantId} and po.payment_code = s.payment_code
       where ${ofUpload('s', tenantId, processId)})
    select count(*) filter (where order_new or client_new)::int as "create",
           count(*) filter (where not order_new and not client_new and (order_changed or client_changed))::int as "update",
           count(*) filter (where not order_new and not client_new and not order_changed and not client_changed)::int as "unchanged",
           count(*) filter (where order_new)::int as "newOrders",
           count(*) filter (where client_changed)::int as "changedClients",
           count(*) filter (where order_changed)::int as "changedOrders",
           min(line) filter (where order_elsewhere) as "staleLine",
           ${touched ? sql`coalesce(array_agg(client_id) filter (where client_id is not null and (order_new or order_changed)), '{}')` : sql`'{}'::bigint[]`} as "touchedClients"
      from r`,
  );
  // A client with several such rows comes more than once; refreshClientBalances takes each once.
  return { ...counts!, staleLine: counts!.staleLine === null ? null : Number(counts!.staleLine), touchedClients: counts!.touchedClients.map(Number) };
}

/**
 * Two common table expressions, `heads` and `marked`, for a statement that deletes staged
 * rows: for each client in `documents` (the name of a CTE with document_type and
 * document_number), its first row left once the lines in `gone` (a CTE with line) are
 * deleted is marked as its first, and its other rows are not.
 */
function markFirstRows(staged: (alias: string) => SQL, documents: string, gone: string): SQL {
  return sql`
    heads as (
      select s.document_type, s.document_number, min(s.line) as line
        from import_rows s join ${sql.raw(documents)} f on f.document_type = s.document_type and f.document_number = s.document_number
       where ${staged('s')} and s.line not in (select line from ${sql.raw(gone)})
       group by 1, 2),
    marked as (
      update import_rows s set first_of_client = (s.line = h.line)
        from heads h
       where ${staged('s')} and h.document_type = s.document_type and h.document_number = s.document_number
         and s.first_of_client <> (s.line = h.line) and s.line not in (select line from ${sql.raw(gone)})
      returning 1)`;
}

/**
 * Takes out of an upload's staged rows (alias `s`) those that `using` and `where` name, as
 * the check refuses them, and marks again the first remaining row of each client that lost
 * its first. Returns each row's line and the value of `column` at fault.
 */
async function dropStaged(tx: Db, staged: (alias: string) => SQL, refusal: { using: SQL; where: SQL; column: string }): Promise<{ line: number; value: string }[]> {
  return rows<{ line: number; value: string }>(
    tx,
    sql`
    with dropped as (
      delete from import_rows s using ${refusal.using}
       where ${staged('s')} and ${refusal.where}
      returning s.line, s.${sql.raw(refusal.column)} as value, s.first_of_client, s.document_type, s.document_number),
    orphans as (select document_type, document_number from dropped where first_of_client),
    ${markFirstRows(staged, 'orphans', 'dropped')}
    select line, value from dropped`,
  );
}

/**
 * The rules that hold between rows of one file, applied once all its valid rows are staged
 * when the check saw that some rows may repeat others (repeats.ts): a payment code is
 * loaded from its first row only, and a client is what its first row says (a later row of
 * the same document with other details is refused). Both are judged against every valid
 * row of the file, so a row may be refused for both reasons. Then each client's first
 * remaining row is marked as the one its details come from. Returns the refused rows for
 * the error report, each with the field (not yet the file's header) at fault.
 */
async function settleRepeats(tx: Db, tenantId: number, processId: number, mapping: Mapping): Promise<RowError[]> {
  const staged = (alias: string) => ofUpload(alias, tenantId, processId);
  const clientCols = mappedClientColumns(mapping);
  const differs = differ('s', 'c', clientCols);
  // One statement: every data-changing part sees the rows as staged, and the rows it
  // deletes and the rows it marks are never the same.
  const refused = await rows<{ line: number; payment_code: string; document_number: string; code: boolean; client: boolean; first_line: number | null }>(
    tx,
    sql`
    with codes as (
      select s.payment_code, min(s.line) as line from import_rows s where ${staged('s')} group by 1 having count(*) > 1),
    firsts as (
      select s.document_type, s.document_number, min(s.line) as line from import_rows s where ${staged('s')} group by 1, 2 having count(*) > 1),
    refused as (
      select s.line, true as code, false as client, null::int as first_line
        from import_rows s join codes r on r.payment_code = s.payment_code and s.line > r.line
       where ${staged('s')}
      union all
      select s.line, false, true, f.line
        from import_rows s
        join firsts f on f.document_type = s.document_type and f.document_number = s.document_number and s.line > f.line
        join import_rows c on ${staged('c')} and c.line = f.line
       where ${staged('s')} and ${differs}),
    gone as (select line, bool_or(code) as code, bool_or(client) as client, max(first_line) as first_line from refused group by line),
    deleted as (
      delete from import_rows s using gone g where ${staged('s')} and s.line = g.line
      returning s.line, s.payment_code, s.document_number, g.code, g.client, g.first_line),
    ${markFirstRows(staged, 'firsts', 'gone')}
    select line, payment_code, document_number, code, client, first_line from deleted`,
  );
  return refused.flatMap((r) => [
    ...(r.code ? [{ line: r.line, column: 'paymentCode', value: r.payment_code, message: 'imports.error.codeRepeated' }] : []),
    // The row whose details are loaded, so the two can be compared.
    ...(r.client ? [{ line: r.line, column: 'documentNumber', value: r.document_number, message: `imports.error.clientDiffers?line=${r.first_line}` }] : []),
  ]);
}

/**
 * In an upload where no row repeats another, the rows at `lines` begin a batch and go on
 * with the client of the batch before: each was marked as a client's first row and carries
 * its part of the client's totals. The totals join those of the client's first row, which
 * stays the only one marked.
 */
async function joinContinuedRuns(tx: Db, tenantId: number, processId: number, lines: readonly number[]): Promise<void> {
  const staged = ofUpload('s', tenantId, processId);
  const continued = sql`s.line = any(${`{${lines.join(',')}}`}::int[])`;
  await tx.execute(sql`
    with parts as (
      select s.document_type, s.document_number, sum(s.client_unpaid)::int as unpaid, min(s.client_oldest) as oldest, sum(s.client_balance)::bigint as balance
        from import_rows s where ${staged} and ${continued}
       group by 1, 2),
    heads as (
      update import_rows s
         set client_unpaid = s.client_unpaid + p.unpaid, client_oldest = least(s.client_oldest, p.oldest), client_balance = s.client_balance + p.balance
        from parts p
       where ${staged} and s.first_of_client and not ${continued}
         and s.document_type = p.document_type and s.document_number = p.document_number)
    update import_rows s set first_of_client = false, client_unpaid = null, client_oldest = null, client_balance = null
     where ${staged} and ${continued}`);
}

/**
 * Checks an upload (clients with their orders, or campaign entries), one check of it at a
 * time: a run retried while another still works (its job taken for dead) would clear the
 * other's staged rows under it, so the second leaves it to the first. A file that cannot be
 * read says why; anything else (the stored file gone, the database away) is tried again, and
 * after the job's last try the upload goes back to its mapping, saying so.
 */
export async function checkImport(deps: JobDeps, data: ImportJobData, attempt: JobAttempt = { retriesLeft: 0 }): Promise<void> {
  const { tenantId, processId } = data;
  await exclusively(deps.database, `imports.check:${tenantId}:${processId}`, async () => {
    const found = await importContext(deps, data);
    if (!found || found.process.stage !== 'validating') return;
    await updateProcess(found.db, tenantId, processId, { state: 'running', startedAt: deps.clock.now(), progressDone: 0, progressTotal: null, error: null });
    try {
      await (found.process.subject === 'campaign_entries' ? checkCampaignEntries : checkClientsAndOrders)(deps, data, found);
    } catch (error) {
      if (attempt.retriesLeft === 0) {
        await updateProcess(found.db, tenantId, processId, { state: 'failed', stage: 'mapping', error: 'imports.error.checkFailed', finishedAt: deps.clock.now() }, 'validating');
      }
      throw error;
    }
  });
}

/**
 * Reads every row of the upload, checks it with the clients' and orders' own rules, stages
 * the valid ones and writes the per-row error report; then counts what applying would do.
 * Safe to run again: it starts by clearing what an earlier, interrupted run staged.
 */
async function checkClientsAndOrders(deps: JobDeps, data: ImportJobData, found: Found): Promise<void> {
  const { db, process, tenant, t } = found;
  const { tenantId, processId } = data;
  const storage = storageFor(deps.config);
  await clearStaged(db, tenantId, processId);

  const headers = headersOf(process);
  const mapping = mappingOf(process);
  const options: CheckerOptions = {
    documentTypes: await documentTypesFor(db, tenantId),
    variables: mappedVariableKeys(mapping).length > 0 ? await clientVariablesFor(db, tenantId) : [],
    country: tenant.country,
    currency: tenant.currency,
    headers,
    mapping,
    staff: 'supervisorId' in mapping || 'advisorId' in mapping ? await staffRefs(db, tenantId) : [],
    tenantId,
    processId,
  };
  const report = errorReport(storage, tenantId, processId, t);
  let rejected = 0;

  const header = (key: string) => headers[mapping[key]!] ?? key;
  const check = batchChecker(options);
  const repeats = repeatWatch();
  const staging = stager(deps.database);
  let total = 0;
  let progress = Promise.resolve();
  try {
    // A csv is parsed faster than its rows are checked: its reader thread checks batches too while it waits.
    const help = { module: moduleBeside(import.meta.url, 'checker').href, data: options, formats: ['csv'] as const };
    const sheet = await openSheetInThread<CheckedBatch>(storage.path(process.originalKey!), process.originalName ?? '', { maxRows: deps.config.importMaxRows }, help);
    // A batch of rows is checked without waiting on anything; its errors and rows are then written together.
    for await (const batch of sheet.batches) {
      const checked = batch.worked ?? check(batch.rows);
      total += checked.rows;
      rejected += checked.rejected;
      repeats.add(checked);
      await report.add(checked.errors);
      staging.add(checked.copy, checked.staged);
      await staging.sendFull();
      if (Math.floor(total / PROGRESS_EVERY) > Math.floor((total - checked.rows) / PROGRESS_EVERY)) {
        // Written while reading goes on: the bar needs no round trip in the rows' way.
        const done = total;
        progress = progress.then(() => recordProgress(db, tenantId, processId, done));
        progress.catch(() => undefined);
      }
    }
    await staging.end();
    await progress;
  } catch (error) {
    await staging.abort();
    await report.discard();
    await clearStaged(db, tenantId, processId);
    if (!(error instanceof SheetError)) throw error;
    await updateProcess(db, tenantId, processId, { state: 'failed', stage: 'mapping', error: error.messageKey, finishedAt: deps.clock.now() });
    return;
  }

  const { refused, counts, clientTotals } = await db.transaction(async (tx) => {
    await preferHashJoins(tx);
    let refused: RowError[] = [];
    if (repeats.repeats) {
      refused = (await settleRepeats(tx, tenantId, processId, mapping)).map((r) => ({ ...r, column: header(r.column) }));
    } else if (repeats.continued.length > 0) {
      await joinContinuedRuns(tx, tenantId, processId, repeats.continued);
    }
    // An order already stored under another client is never moved by an upload. A client
    // whose first row goes that way is taken from its next row.
    const staged = (alias: string) => ofUpload(alias, tenantId, processId);
    // An order of a client deleted since: the file names that client, who must be restored first.
    const ofDeleted = await dropStaged(tx, staged, {
      using: sql`payment_orders po join clients gone on gone.tenant_id = po.tenant_id and gone.id = po.client_id`,
      where: sql`po.tenant_id = ${tenantId} and po.payment_code = s.payment_code and gone.deleted_at is not null
             and gone.document_type = s.document_type and gone.document_number = s.document_number`,
      column: 'payment_code',
    });
    for (const d of ofDeleted) refused.push({ line: d.line, column: header('paymentCode'), value: d.value, message: 'imports.error.clientDeleted' });
    const moved = await dropStaged(tx, staged, {
      using: sql`payment_orders po`,
      where: sql`po.tenant_id = ${tenantId} and po.payment_code = s.payment_code
             and not exists (select 1 from clients cl where cl.id = po.client_id and ${sameClient(tenantId)})`,
      column: 'payment_code',
    });
    for (const m of moved) refused.push({ line: m.line, column: header('paymentCode'), value: m.value, message: 'imports.error.codeOfAnotherClient' });
    // A client in an active charged-off campaign stays in cartera castigada while it lasts
    // (SPEC 5): a row that would move it back to vigente is refused, as the client form does.
    const charged = await dropStaged(tx, staged, {
      using: sql`clients cl`,
      where: sql`s.portfolio = 'vigente' and ${sameClient(tenantId)}
             and exists (select 1 from campaign_entries where campaign_entries.tenant_id = ${tenantId} and campaign_entries.client_id = cl.id
                           and ${activeCampaignCondition(todayIn(tenant.timezone, deps.clock))})`,
      column: 'portfolio',
    });
    for (const c of charged) refused.push({ line: c.line, column: header('portfolio'), value: c.value, message: 'imports.error.portfolioInCampaign' });
    // Discounts bring an order to zero at most, as the order form says: judged here, where
    // a column the file leaves out (or a blank cell) is known to mean what is stored, or 0 for
    // a new order.
    let discounted: { line: number; value: string }[] = [];
    if ('amount' in mapping || 'interest' in mapping || 'discounts' in mapping) {
      const column = 'discounts' in mapping ? 'discounts' : 'amount';
      const news = await dropStaged(tx, staged, {
        using: sql`(select 1) one`,
        where: sql`s.payment_code is not null and s.amount is not null
               and not exists (select 1 from payment_orders po where po.tenant_id = ${tenantId} and po.payment_code = s.payment_code)
               and coalesce(s.discounts, 0) > s.amount + coalesce(s.interest, 0)`,
        column,
      });
      const stored = await dropStaged(tx, staged, {
        using: sql`payment_orders po`,
        where: sql`po.tenant_id = ${tenantId} and po.payment_code = s.payment_code
               and coalesce(s.discounts, po.discounts) > coalesce(s.amount, po.amount) + coalesce(s.interest, po.interest)`,
        column,
      });
      discounted = [...news, ...stored];
      const message = column === 'discounts' ? 'receivables.orders.discountsAboveAmount' : 'imports.error.amountBelowDiscounts';
      for (const d of discounted) refused.push({ line: d.line, column: header(column), value: d.value === null ? '' : toDecimalString(Number(d.value), tenant.currency), message });
    }
    // What was paid on an order stays paid: a row may not lower it below that, as the form says.
    const lowers = lowersBelowPaid(mapping);
    if (lowers && !(await settingsOf(tx, tenantId)).allowOverpayment) {
      const below = await dropStaged(tx, staged, {
        using: sql`payment_orders po`,
        where: sql`po.tenant_id = ${tenantId} and po.payment_code = s.payment_code and ${lowers}`,
        column: 'amount',
      });
      for (const b of below) refused.push({ line: b.line, column: header('amount'), value: toDecimalString(Number(b.value), tenant.currency), message: 'receivables.orders.belowPaid' });
    }
    const { create, update, unchanged } = await classify(tx, tenantId, processId, mapping);
    // A client's first row carries its totals only while the check's marks stand.
    return {
      refused,
      counts: { create, update, unchanged },
      clientTotals: !repeats.repeats && ofDeleted.length === 0 && moved.length === 0 && charged.length === 0 && discounted.length === 0,
    };
  });
  rejected += new Set(refused.map((r) => r.line)).size;
  report.later(refused);
  const errorReportKey = await report.finish();

  // Nothing to create or change (every row unchanged or refused): there is nothing to apply,
  // and the upload is done rather than waiting for an "Aplicar" that would load nothing.
  const nothing = counts.create + counts.update === 0;
  if (nothing) await clearStaged(db, tenantId, processId);
  await updateProcess(db, tenantId, processId, {
    state: nothing && rejected > 0 ? 'completed_with_errors' : 'completed',
    stage: nothing ? 'applied' : 'validated',
    progressDone: total,
    progressTotal: total,
    counts: { rows: total, ...counts, rejected },
    params: { ...process.params, clientTotals },
    errorReportKey,
    finishedAt: deps.clock.now(),
  });
}

/**
 * Applies a checked upload. Each kind applies in one transaction, so a failure writes
 * nothing: while the job has tries left it runs again by itself; after its last, the upload
 * waits to be applied again, its checked rows kept. A second run of the job (one retried
 * while the first still ran) finds the upload applied and leaves it as it is.
 */
export async function applyImport(deps: JobDeps, data: ImportJobData, attempt: JobAttempt = { retriesLeft: 0 }): Promise<void> {
  const { tenantId, processId } = data;
  const found = await importContext(deps, data);
  if (!found || found.process.stage !== 'applying') return;
  await updateProcess(found.db, tenantId, processId, { state: 'running', startedAt: deps.clock.now(), error: null }, 'applying');
  try {
    await (found.process.subject === 'campaign_entries' ? applyCampaignEntries : applyClientsAndOrders)(deps, data, found);
  } catch (error) {
    const failed: ProcessChange =
      attempt.retriesLeft > 0 ? { state: 'failed', error: 'imports.error.applyFailed' } : { state: 'failed', stage: 'validated', error: 'imports.error.applyGaveUp' };
    await updateProcess(found.db, tenantId, processId, failed, 'applying');
    throw error;
  }
}

/**
 * Applies the staged rows in one transaction: clients by document (among non-deleted),
 * orders by payment code, then the touched clients' balances; rows that would not change
 * anything are not written. The staging rows and the Process log entry change in the same
 * transaction, so a crash at any point leaves either everything or nothing, and a retry
 * of a finished apply does nothing.
 *
 * The statements work from what the transaction's first count found. Another transaction
 * that stores one of the file's payment codes (or deletes one of its clients) while this
 * one runs makes a statement disagree with that count, or trips the payment codes' unique
 * index: the apply then fails whole and its job's next try starts from what is stored. A row
 * whose code is already stored under another client is refused with the whole upload, which
 * goes back to its mapping saying which row (decision 0015).
 */
async function applyClientsAndOrders(deps: JobDeps, data: ImportJobData, found: Found): Promise<void> {
  const { db, process } = found;
  const { tenantId, processId } = data;
  const mapping = mappingOf(process);
  const clientCols = mappedClientColumns(mapping);
  const orderCols = mappedColumns(mapping, ORDER_COLUMNS);
  const set = (columns: string[], from: string) => sql.raw(columns.map((c) => `${c} = ${from}.${c}`).join(', '));
  // A blank cell (staged null) keeps the stored detail, as clientChanges compares it.
  const setKept = sql.raw(clientCols.map((c) => `${c} = ${keptValue(c)}`).join(', '));
  const applied = await applyUnlessRefused(deps, db, { tenantId, processId }, () =>
    db.transaction(async (tx) => {
      const [locked] = await rows<{ stage: string }>(tx, sql`select stage from file_processes where tenant_id = ${tenantId} and id = ${processId} for update`);
      if (locked?.stage !== 'applying') return;
      await preferHashJoins(tx);
      // A variable deleted since the check is no longer loaded: its values leave the staged rows.
      const mappedKeys = mappedVariableKeys(mapping);
      if (mappedKeys.length > 0) {
        const defined = new Set((await clientVariablesFor(tx, tenantId)).map((variable) => variable.key));
        const gone = mappedKeys.filter((key) => !defined.has(key));
        if (gone.length > 0) {
          await tx.execute(sql`update import_rows s set additional = nullif(s.additional - array[${sql.join(gone.map((key) => sql`${key}`), sql`, `)}]::text[], '{}'::jsonb)
                                where ${ofUpload('s', tenantId, processId)} and s.additional is not null`);
        }
      }
      const { newOrders, changedClients, changedOrders, touchedClients, staleLine, ...counts } = await classify(tx, tenantId, processId, mapping, { touched: true });
      // A payment code stored since the check under another client (or for a client the file
      // creates) would leave its row out while the rest went in: the whole upload is refused.
      if (staleLine !== null) throw new RowRefused(staleLine, 'imports.error.codeOfAnotherClient');
      // A client the check found, deleted since: its row would create another client with its
      // document, where the check said it would update that one. The upload is refused. Only
      // a deletion makes more rows create than the check counted: the rows are looked at then.
      if (process.finishedAt && counts.create > (process.counts.create ?? 0)) {
        const [gone] = await rows<{ line: number | null }>(tx, sql`
          select min(s.line) as line from import_rows s
           where ${ofUpload('s', tenantId, processId)} and s.first_of_client
             and not exists (select 1 from clients cl where ${sameClient(tenantId)})
             and exists (select 1 from clients d where d.tenant_id = ${tenantId} and d.document_type = s.document_type
                            and d.document_number = s.document_number and d.deleted_at >= ${process.finishedAt.toISOString()}::timestamptz)`);
        if (gone?.line != null) throw new RowRefused(Number(gone.line), 'imports.error.clientDeletedSince');
      }
      // A payment verified since the check may leave a row lowering its order below what is paid.
      const lowers = lowersBelowPaid(mapping);
      if (changedOrders > 0 && lowers && !(await settingsOf(tx, tenantId)).allowOverpayment) {
        const [below] = await rows<{ line: number }>(tx, sql`
          select min(s.line) as line from import_rows s
            join payment_orders po on po.tenant_id = ${tenantId} and po.payment_code = s.payment_code
           where ${ofUpload('s', tenantId, processId)} and ${lowers}`);
        if (below?.line != null) throw new RowRefused(Number(below.line), 'receivables.orders.belowPaid');
      }
      const staged = ofUpload('s', tenantId, processId);
      const storedCode = (alias: string) =>
        sql`exists (select 1 from payment_orders po where po.tenant_id = ${tenantId} and po.payment_code = ${sql.raw(alias)}.payment_code)`;
      // Statements with nothing to change are not run (each would still read every staged row).
      if (changedClients > 0) {
        await tx.execute(sql`
          update clients cl set ${setKept}, updated_at = now()
            from import_rows s
           where ${staged} and s.first_of_client and ${sameClient(tenantId)}
             and ${clientChanges(clientCols)}`);
      }
      // New clients are written once, with the receivables state their staged orders will give
      // them: every order of a new client is new, and the next statement writes each of them.
      // The check worked out those totals on each client's first row, unless rows were refused
      // for other rows (no code of theirs can have been stored since: that is refused above).
      const totals =
        process.params.clientTotals === true
          ? { from: sql``, values: sql`coalesce(s.client_unpaid, 0), s.client_oldest, coalesce(s.client_balance, 0)` }
          : {
              // Otherwise worked out here from the staged rows whose codes are not stored.
              from: sql`left join (
                select r.document_type, r.document_number,
                       count(*) filter (where not r.annulled and r.balance > 0)::int as unpaid,
                       min(r.due_date) filter (where not r.annulled and r.balance > 0) as oldest,
                       coalesce(sum(r.balance) filter (where not r.annulled), 0)::bigint as balance
                  from (select s.document_type, s.document_number, s.due_date, coalesce(s.annulled, false) as annulled,
                               s.amount + coalesce(s.interest, 0) - coalesce(s.discounts, 0) as balance
                          from import_rows s
                         where ${staged} and s.payment_code is not null and not ${storedCode('s')}) r
                 group by r.document_type, r.document_number) o on o.document_type = s.document_type and o.document_number = s.document_number`,
              values: sql`coalesce(o.unpaid, 0), o.oldest, coalesce(o.balance, 0)`,
            };
      await tx.execute(sql`
        insert into clients (tenant_id, document_type, document_number, name, email, phone, segment, status, contactability, portfolio, contact_alerts,
                             supervisor_id, advisor_id, additional, unpaid_orders, oldest_unpaid_due_date, total_balance)
        select ${tenantId}, s.document_type, s.document_number, s.name, s.email, s.phone, s.segment,
               coalesce(s.status, 'activo'), coalesce(s.contactability, 'contactable'), coalesce(s.portfolio, 'vigente'), coalesce(s.contact_alerts, '{}'),
               s.supervisor_id, s.advisor_id, coalesce(s.additional, '{}'::jsonb),
               ${totals.values}
          from import_rows s
          ${totals.from}
         where ${staged} and s.first_of_client and not exists (select 1 from clients cl where ${sameClient(tenantId)})`);
      // Orders by payment code: the new ones (a plain insert: a code stored meanwhile by another
      // transaction stops it with the unique index, as a document does the clients' insert),
      // then the stored ones whose values change, only under the same client (an order is
      // never moved to another client).
      const [written] = newOrders === 0 ? [{ n: 0 }] : await rows<{ n: number }>(
        tx,
        sql`
        with inserted as (
          insert into payment_orders (tenant_id, client_id, payment_code, product, amount, interest, discounts, issue_date, due_date, annulled)
          select ${tenantId}, cl.id, s.payment_code, s.product, s.amount, coalesce(s.interest, 0), coalesce(s.discounts, 0), s.issue_date, s.due_date, coalesce(s.annulled, false)
            from import_rows s
            join clients cl on ${sameClient(tenantId)}
           where ${staged} and s.payment_code is not null and not ${storedCode('s')}
          returning 1)
        select count(*)::int as n from inserted`,
      );
      if (written?.n !== newOrders) throw new Error(`import ${processId}: ${written?.n} new orders written where ${newOrders} were counted; the data changed meanwhile`);
      if (changedOrders > 0) {
        await tx.execute(sql`
          update payment_orders po set ${set(orderCols, 's')}, updated_at = now()
            from import_rows s
            join clients cl on ${sameClient(tenantId)}
           where ${staged} and po.tenant_id = ${tenantId} and po.payment_code = s.payment_code and po.client_id = cl.id
             and ${differ('po', 's', orderCols)}`);
      }
      await refreshClientBalances(tx, tenantId, touchedClients);
      // As the order forms do: a client the file cleared (orders annulled, or lowered to what
      // was paid) keeps the promises still running. Only clients with promises not yet kept.
      if (touchedClients.length > 0) {
        const promising = await rows<{ client_id: number }>(
          tx,
          sql`select distinct client_id from promises where tenant_id = ${tenantId} and kept_on is null and client_id = any(${idArray(touchedClients)})`,
        );
        const scope = { tenantId, actor: found.user ? { id: found.user.id, name: found.user.name } : null, db: tx, clock: deps.clock };
        for (const { client_id } of promising) await settlePromises(scope, tx, Number(client_id));
      }
      // Each stored client the upload changed (itself or its orders) has it in its
      // Interacciones, once, naming the file: the statements above stamped them with this
      // transaction's time. Clients the upload created are not written an event each: a
      // file of new clients loads as fast as its bare copy allows (bench:files), and the
      // client's page and the Process log say when and by which file it came.
      await tx.execute(sql`
        insert into client_events (tenant_id, client_id, type, actor_id, data, occurred_at)
        select cl.tenant_id, cl.id, 'import.client_updated',
               ${process.userId}::bigint, ${JSON.stringify({ processId, file: process.originalName ?? '' })}::jsonb, ${deps.clock.now().toISOString()}::timestamptz
          from clients cl
         where cl.tenant_id = ${tenantId} and cl.deleted_at is null and cl.created_at <> now()
           and (cl.updated_at = now() or cl.id = any(${idArray(touchedClients)}))`);
      await clearStaged(tx, tenantId, processId);
      const rejected = process.counts.rejected ?? 0;
      await updateProcess(tx, tenantId, processId, {
        stage: 'applied',
        state: rejected > 0 ? 'completed_with_errors' : 'completed',
        counts: { ...process.counts, ...counts },
        progressDone: process.counts.rows ?? 0,
        finishedAt: deps.clock.now(),
      });
    }),
  );
  if (applied) await analyzeAfterLoad(db, process.counts.create ?? 0, ['clients', 'payment_orders']);
}

// A job whose process died stays "En proceso" until pg-boss expires it and tries again: the
// limits are a few times what the largest upload (IMPORT_MAX_ROWS) takes, not more. A retry
// that overlaps a slow first run waits on the upload's row lock and finds it done.
export const checkImportJob: JobDefinition<ImportJobData> = { name: 'imports.check', run: checkImport, expireInMinutes: 10 };
export const applyImportJob: JobDefinition<ImportJobData> = { name: 'imports.apply', run: applyImport, expireInMinutes: 5 };
