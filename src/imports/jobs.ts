import { sql } from 'drizzle-orm';
import { documentTypesFor } from '../clients/fields.js';
import { refreshClientBalances } from '../clients/derived.js';
import { rows, type Db } from '../db/index.js';
import type { JobDefinition, JobDeps } from '../jobs/index.js';
import { languageOf, translateMessage, translator } from '../platform/i18n/index.js';
import { SheetError, openSheet } from '../platform/spreadsheets/read.js';
import { csvWriter } from '../platform/spreadsheets/write.js';
import { findProcess } from '../process-log/queries.js';
import type { ProcessCounts } from '../process-log/schema.js';
import { recordProgress, updateProcess } from '../process-log/service.js';
import { newKey, storageFor } from '../storage/index.js';
import { getTenant } from '../tenants/queries.js';
import { findUser } from '../users/queries.js';
import { clientFieldKeys, type Mapping } from './fields.js';
import { applyCampaignEntries, checkCampaignEntries } from './campaign-entries.js';
import { rowValidator, type RowError, type ValidRow } from './rows.js';
import { headersOf, mappingOf } from './service.js';

export interface ImportJobData {
  tenantId: number;
  processId: number;
}

const BATCH = 2_000;

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

function tuple(alias: string, columns: string[]) {
  return sql.raw(`(${columns.map((c) => `${alias}.${c}`).join(', ')})`);
}

export async function importContext(deps: JobDeps, data: ImportJobData) {
  const db = deps.database.db;
  const process = await findProcess(db, data.tenantId, data.processId);
  const tenant = await getTenant(db, data.tenantId);
  if (!process || !tenant) return null;
  const user = process.userId ? await findUser(db, data.tenantId, process.userId) : undefined;
  const t = translator(user?.language ?? languageOf(tenant.locale));
  return { db, process, tenant, t, user };
}

async function stage(db: Db, tenantId: number, processId: number, batch: { row: ValidRow; first: boolean }[]): Promise<void> {
  if (batch.length === 0) return;
  const payload = JSON.stringify(
    batch.map(({ row, first }) => ({
      line: row.line,
      first,
      document_type: row.client.documentType,
      document_number: row.client.documentNumber,
      name: row.client.name,
      email: row.client.email,
      phone: row.client.phone,
      segment: row.client.segment,
      status: row.client.status,
      contactability: row.client.contactability,
      portfolio: row.client.portfolio,
      contact_alerts: row.client.contactAlerts,
      payment_code: row.order.paymentCode,
      product: row.order.product,
      amount: row.order.amount,
      interest: row.order.interest,
      discounts: row.order.discounts,
      issue_date: row.order.issueDate,
      due_date: row.order.dueDate,
      annulled: row.order.annulled,
    })),
  );
  await db.execute(sql`
    insert into import_rows (tenant_id, process_id, line, first_of_client, document_type, document_number, name, email, phone, segment,
                             status, contactability, portfolio, contact_alerts, payment_code, product, amount, interest, discounts,
                             issue_date, due_date, annulled)
    select ${tenantId}, ${processId}, r.line, r.first, r.document_type, r.document_number, r.name, r.email, r.phone, r.segment,
           r.status, r.contactability, r.portfolio, r.contact_alerts, r.payment_code, r.product, r.amount, r.interest, r.discounts,
           r.issue_date, r.due_date, r.annulled
      from jsonb_to_recordset(${payload}::jsonb) as r(line int, first boolean, document_type text, document_number text, name text,
           email text, phone text, segment text, status text, contactability text, portfolio text, contact_alerts text[],
           payment_code text, product text, amount bigint, interest bigint, discounts bigint, issue_date date, due_date date, annulled boolean)`);
}

/**
 * Set-wise statements over a whole upload: the planner, misled by statistics that lag
 * behind a bulk load (or by rows this very transaction wrote), would pick nested loops that
 * revisit the clients index once per row. Hash joins keep each statement linear.
 */
async function preferHashJoins(tx: Db): Promise<void> {
  await tx.execute(sql`set local enable_nestloop = off`);
}

const sameClient = (tenantId: number) => sql`cl.tenant_id = ${tenantId} and cl.deleted_at is null
  and cl.document_type = s.document_type and cl.document_number = s.document_number`;

/** What applying the staged rows would do, row by row, against the data as it is now. */
async function classify(db: Db, tenantId: number, processId: number, mapping: Mapping): Promise<Required<Pick<ProcessCounts, 'create' | 'update' | 'unchanged'>>> {
  const clientCols = mappedColumns(mapping, CLIENT_COLUMNS);
  const orderCols = mappedColumns(mapping, ORDER_COLUMNS);
  const [counts] = await rows<{ create: number; update: number; unchanged: number }>(
    db,
    sql`
    with r as (
      select po.id is null as order_new,
             po.id is not null and ${tuple('po', orderCols)} is distinct from ${tuple('s', orderCols)} as order_changed,
             s.first_of_client and cl.id is not null and ${tuple('cl', clientCols)} is distinct from ${tuple('s', clientCols)} as client_changed
        from import_rows s
        left join clients cl on ${sameClient(tenantId)}
        left join payment_orders po on po.tenant_id = ${tenantId} and po.payment_code = s.payment_code
       where s.tenant_id = ${tenantId} and s.process_id = ${processId})
    select count(*) filter (where order_new)::int as "create",
           count(*) filter (where not order_new and (order_changed or client_changed))::int as "update",
           count(*) filter (where not order_new and not order_changed and not client_changed)::int as "unchanged"
      from r`,
  );
  return counts!;
}

/**
 * Reads every row of the upload, checks it with the clients' and orders' own rules, stages
 * the valid ones and writes the per-row error report; then counts what applying would do.
 * Safe to run again: it starts by clearing what an earlier, interrupted run staged.
 */
export async function checkImport(deps: JobDeps, data: ImportJobData): Promise<void> {
  const found = await importContext(deps, data);
  if (!found || found.process.stage !== 'validating') return;
  if (found.process.subject === 'campaign_entries') return checkCampaignEntries(deps, data, found);
  const { db, process, tenant, t } = found;
  const { tenantId, processId } = data;
  const storage = storageFor(deps.config);
  await db.execute(sql`delete from import_rows where tenant_id = ${tenantId} and process_id = ${processId}`);
  await updateProcess(db, tenantId, processId, { state: 'running', startedAt: deps.clock.now(), progressDone: 0, progressTotal: null, error: null });

  const headers = headersOf(process);
  const mapping = mappingOf(process);
  const validate = rowValidator({
    documentTypes: await documentTypesFor(db, tenantId),
    variables: [],
    country: tenant.country,
    currency: tenant.currency,
    headers,
    mapping,
  });
  const reportKey = newKey(tenantId, `errores-${processId}.csv`);
  const report = await storage.writer(reportKey);
  const errors = csvWriter(report.stream, [t('imports.report.row'), t('imports.report.column'), t('imports.report.value'), t('imports.report.message')]);
  let errorCount = 0;
  let rejected = 0;
  const writeErrors = async (list: RowError[]) => {
    errorCount += list.length;
    await errors.write(list.map((e) => [e.line, e.column, e.value, translateMessage(t, e.message)]));
  };

  const codes = new Set<string>();
  const clientsSeen = new Map<string, string>();
  let batch: { row: ValidRow; first: boolean }[] = [];
  let total = 0;
  try {
    const sheet = await openSheet(storage.path(process.originalKey!), process.originalName ?? '', { maxRows: deps.config.importMaxRows });
    for await (const { line, cells } of sheet.rows) {
      total++;
      const result = validate(line, cells);
      if (!result.ok) {
        rejected++;
        await writeErrors(result.errors);
      } else {
        const { client, order } = result.row;
        const clientKey = `${client.documentType}\u0000${client.documentNumber}`;
        const signature = JSON.stringify(clientFieldKeys.filter((k) => k in mapping).map((k) => client[k]));
        const earlier = clientsSeen.get(clientKey);
        const header = (key: string) => headers[mapping[key]!] ?? key;
        if (codes.has(order.paymentCode)) {
          rejected++;
          await writeErrors([{ line, column: header('paymentCode'), value: order.paymentCode, message: 'imports.error.codeRepeated' }]);
        } else if (earlier !== undefined && earlier !== signature) {
          rejected++;
          await writeErrors([{ line, column: header('documentNumber'), value: client.documentNumber, message: 'imports.error.clientDiffers' }]);
        } else {
          codes.add(order.paymentCode);
          clientsSeen.set(clientKey, signature);
          batch.push({ row: result.row, first: earlier === undefined });
        }
      }
      if (batch.length >= BATCH) {
        await stage(db, tenantId, processId, batch);
        batch = [];
        await recordProgress(db, tenantId, processId, total);
      }
    }
    await stage(db, tenantId, processId, batch);
  } catch (error) {
    await errors.end();
    await report.done();
    await storage.remove(reportKey);
    await db.execute(sql`delete from import_rows where tenant_id = ${tenantId} and process_id = ${processId}`);
    if (!(error instanceof SheetError)) throw error;
    await updateProcess(db, tenantId, processId, { state: 'failed', stage: 'mapping', error: error.messageKey, finishedAt: deps.clock.now() });
    return;
  }

  // An order already stored under another client is never moved by an upload.
  const moved = await rows<{ line: number; payment_code: string }>(
    db,
    sql`
    delete from import_rows s using payment_orders po
     where s.tenant_id = ${tenantId} and s.process_id = ${processId}
       and po.tenant_id = ${tenantId} and po.payment_code = s.payment_code
       and not exists (select 1 from clients cl where cl.id = po.client_id and ${sameClient(tenantId)})
    returning s.line, s.payment_code`,
  );
  rejected += moved.length;
  await writeErrors(moved.map((m) => ({ line: m.line, column: headers[mapping.paymentCode!] ?? '', value: m.payment_code, message: 'imports.error.codeOfAnotherClient' })));
  await errors.end();
  await report.done();
  if (errorCount === 0) await storage.remove(reportKey);

  const counts = await db.transaction(async (tx) => {
    await preferHashJoins(tx);
    return classify(tx, tenantId, processId, mapping);
  });
  await updateProcess(db, tenantId, processId, {
    state: 'completed',
    stage: 'validated',
    progressDone: total,
    progressTotal: total,
    counts: { rows: total, ...counts, rejected },
    errorReportKey: errorCount > 0 ? reportKey : null,
    finishedAt: deps.clock.now(),
  });
}

/**
 * Applies the staged rows in one transaction: clients by document (among non-deleted),
 * orders by payment code, then the touched clients' balances; rows that would not change
 * anything are not written. The staging rows and the Process log entry change in the same
 * transaction, so a crash at any point leaves either everything or nothing, and a retry
 * of a finished apply does nothing.
 */
export async function applyImport(deps: JobDeps, data: ImportJobData): Promise<void> {
  const found = await importContext(deps, data);
  if (!found || found.process.stage !== 'applying') return;
  if (found.process.subject === 'campaign_entries') return applyCampaignEntries(deps, data, found);
  const { db, process } = found;
  const { tenantId, processId } = data;
  const mapping = mappingOf(process);
  await updateProcess(db, tenantId, processId, { state: 'running', startedAt: deps.clock.now(), error: null });
  const clientCols = mappedColumns(mapping, CLIENT_COLUMNS);
  const orderCols = mappedColumns(mapping, ORDER_COLUMNS);
  const set = (columns: string[], from: string) => sql.raw(columns.map((c) => `${c} = ${from}.${c}`).join(', '));
  try {
    await db.transaction(async (tx) => {
      const [locked] = await rows<{ stage: string }>(tx, sql`select stage from file_processes where tenant_id = ${tenantId} and id = ${processId} for update`);
      if (locked?.stage !== 'applying') return;
      await preferHashJoins(tx);
      const counts = await classify(tx, tenantId, processId, mapping);
      const updated = await rows<{ id: number }>(
        tx,
        sql`
        update clients cl set ${set(clientCols, 's')}, updated_at = now()
          from import_rows s
         where s.tenant_id = ${tenantId} and s.process_id = ${processId} and s.first_of_client and ${sameClient(tenantId)}
           and ${tuple('cl', clientCols)} is distinct from ${tuple('s', clientCols)}
        returning cl.id`,
      );
      const inserted = await rows<{ id: number }>(
        tx,
        sql`
        insert into clients (tenant_id, document_type, document_number, name, email, phone, segment, status, contactability, portfolio, contact_alerts)
        select ${tenantId}, s.document_type, s.document_number, s.name, s.email, s.phone, s.segment,
               coalesce(s.status, 'activo'), coalesce(s.contactability, 'contactable'), coalesce(s.portfolio, 'vigente'), coalesce(s.contact_alerts, '{}')
          from import_rows s
         where s.tenant_id = ${tenantId} and s.process_id = ${processId} and s.first_of_client
           and not exists (select 1 from clients cl where ${sameClient(tenantId)})
        returning id`,
      );
      const orders = await rows<{ client_id: number }>(
        tx,
        sql`
        insert into payment_orders as po (tenant_id, client_id, payment_code, product, amount, interest, discounts, issue_date, due_date, annulled)
        select ${tenantId}, cl.id, s.payment_code, s.product, s.amount, coalesce(s.interest, 0), coalesce(s.discounts, 0), s.issue_date, s.due_date, coalesce(s.annulled, false)
          from import_rows s
          join clients cl on ${sameClient(tenantId)}
         where s.tenant_id = ${tenantId} and s.process_id = ${processId}
        on conflict (tenant_id, payment_code) do update set ${set(orderCols, 'excluded')}, updated_at = now()
         where po.client_id = excluded.client_id and ${tuple('po', orderCols)} is distinct from ${tuple('excluded', orderCols)}
        returning po.client_id`,
      );
      const touched = [...updated.map((r) => r.id), ...inserted.map((r) => r.id), ...orders.map((r) => r.client_id)].map(Number);
      await refreshClientBalances(tx, tenantId, touched);
      await tx.execute(sql`delete from import_rows where tenant_id = ${tenantId} and process_id = ${processId}`);
      const rejected = process.counts.rejected ?? 0;
      await updateProcess(tx, tenantId, processId, {
        stage: 'applied',
        state: rejected > 0 ? 'completed_with_errors' : 'completed',
        counts: { ...process.counts, ...counts },
        progressDone: process.counts.rows ?? 0,
        finishedAt: deps.clock.now(),
      });
    });
  } catch (error) {
    await updateProcess(db, tenantId, processId, { state: 'failed', error: 'imports.error.applyFailed' });
    throw error;
  }
}

export const checkImportJob: JobDefinition<ImportJobData> = { name: 'imports.check', run: checkImport, expireInMinutes: 30 };
export const applyImportJob: JobDefinition<ImportJobData> = { name: 'imports.apply', run: applyImport, expireInMinutes: 15 };
