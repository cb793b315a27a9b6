import { text } from 'node:stream/consumers';
import { sql } from 'drizzle-orm';
import { campaignFieldsSchema, type CampaignFields } from '../campaigns/fields.js';
import { campaignAmountOf } from '../campaigns/compute.js';
import { loadCampaignEntries, updateCampaignEntry } from '../campaigns/service.js';
import { checkDocument, documentTypesFor, normalizeDocumentNumber, normalizePhone } from '../clients/fields.js';
import { rows, type Db } from '../db/index.js';
import type { JobDeps } from '../jobs/index.js';
import { dayText, isIsoDate, todayIn } from '../platform/dates.js';
import { parseWith } from '../platform/forms.js';
import { translateMessage } from '../platform/i18n/index.js';
import { isFormulaError, SheetError, openSheetInThread } from '../platform/spreadsheets/read.js';
import { recordProgress, updateProcess } from '../process-log/service.js';
import { settingsOf } from '../settings/queries.js';
import { newKey, storageFor } from '../storage/index.js';
import type { Found, ImportJobData } from './jobs.js';
import { analyzeAfterLoad } from './staging.js';
import type { RowError } from './rows.js';
import { dateCellText, readNumberCells } from './rows.js';
import { errorReport } from './error-report.js';
import { applyUnlessRefused, RowRefused } from './refusal.js';
import { headersOf, mappingOf, stagedKeyOf } from './service.js';

interface StagedEntry {
  line: number;
  fields: CampaignFields;
  /** The stored entry the row changes (same client, same campaign ID); absent for a new one. */
  entryId?: number;
}

interface Candidate extends StagedEntry {
  documentType: string;
  documentNumber: string;
  /**
   * Both discount cells blank: the row names an entry rather than setting its terms, as the
   * download writes a paid or finished entry (its discount is gone from every view).
   */
  noDiscount: boolean;
  /** The phone in E.164, or null when the cell is blank. */
  phone: string | null;
}

const DISCOUNT_TYPES: Record<string, string> = { porcentaje: 'porcentaje', percentage: 'porcentaje', percent: 'porcentaje', '%': 'porcentaje', monto: 'monto', amount: 'monto' };

const CHUNK = 2_000;

/**
 * What the database already holds for each candidate row: the client by document, another
 * active campaign of that client, its entry in the same campaign (and whether it carries the
 * same values), and whether the associated payment code is one of the client's orders.
 */
async function lookUp(db: Db, tenantId: number, today: string, batch: Candidate[]) {
  const payload = JSON.stringify(
    batch.map((c) => ({
      line: c.line,
      document_type: c.documentType,
      document_number: c.documentNumber,
      campaign_code: c.fields.campaignCode,
      payment_code: c.fields.paymentCode,
      debt_amount: c.fields.debtAmount,
      discount_type: c.fields.discountType,
      discount_value: c.fields.discountValue,
      end_date: c.fields.endDate,
      phone: c.phone,
    })),
  );
  const found = await rows<{ line: number; client: boolean; other_active: string | null; same_id: number | null; same_active: boolean; same_values: boolean; same_paid: number | null; code_ok: boolean }>(
    db,
    sql`
    select r.line,
           cl.id is not null as client,
           (select e.campaign_code from campaign_entries e
             where e.tenant_id = ${tenantId} and e.client_id = cl.id and e.campaign_code <> r.campaign_code
               and e.closed_at is null and e.total_due > 0 and (e.end_date is null or e.end_date >= ${today}::date)
             limit 1) as other_active,
           same.id as same_id,
           same.id is not null and same.closed_at is null and same.total_due > 0 and (same.end_date is null or same.end_date >= ${today}::date) as same_active,
           -- A blank end date, payment code or phone keeps the stored one (updateCampaignEntry).
           same.id is not null and (same.debt_amount, same.discount_type, same.discount_value, same.end_date, same.payment_code, same.phone)
             is not distinct from (r.debt_amount, r.discount_type, r.discount_value, coalesce(r.end_date, same.end_date),
                                   coalesce(r.payment_code, same.payment_code), coalesce(r.phone, same.phone)) as same_values,
           same.paid as same_paid,
           (r.payment_code is null or exists (select 1 from payment_orders po
             where po.tenant_id = ${tenantId} and po.client_id = cl.id and po.payment_code = r.payment_code)) as code_ok
      from jsonb_to_recordset(${payload}::jsonb) as r(line int, document_type text, document_number text, campaign_code text, payment_code text,
           debt_amount bigint, discount_type text, discount_value bigint, end_date date, phone text)
      left join clients cl on cl.tenant_id = ${tenantId} and cl.deleted_at is null
            and cl.document_type = r.document_type and cl.document_number = r.document_number
      left join campaign_entries same on same.tenant_id = ${tenantId} and same.client_id = cl.id and same.campaign_code = r.campaign_code`,
  );
  return new Map(found.map((f) => [Number(f.line), f]));
}

/**
 * Checks every row of a campaign upload with the campaign form's own rules, then against
 * the file itself (one row per client) and against what is stored, with the same refusals
 * loading one entry applies; so applying finds nothing left to refuse. Rows whose entry is
 * already stored with the same values are counted unchanged; a row for the client's active
 * entry in the same campaign with other terms changes them (an update); a paid or finished
 * entry is not changed, and its row as the download writes it (no discount) is unchanged.
 * The rows to create or change are kept beside the upload until it is applied.
 */
export async function checkCampaignEntries(deps: JobDeps, data: ImportJobData, found: Found): Promise<void> {
  const { db, process, tenant, t } = found;
  const { tenantId, processId } = data;
  const storage = storageFor(deps.config);
  const previous = stagedKeyOf(process.params);
  if (previous) await storage.remove(previous);

  const headers = headersOf(process);
  const mapping = mappingOf(process);
  const header = (key: string) => (key in mapping ? (headers[mapping[key]!] ?? key) : key);
  const schema = campaignFieldsSchema({ currency: tenant.currency });
  const types = await documentTypesFor(db, tenantId);
  const today = todayIn(tenant.timezone, deps.clock);

  const report = errorReport(storage, tenantId, processId, t);
  let rejected = 0;
  const raws = new Map<number, Record<string, string>>();
  // A date cell arrives as yyyy-mm-dd: the report shows it as the sheet does.
  const asShown = (value: string) => (isIsoDate(value) ? dayText(value) : value);
  const refusal = (line: number, key: string, message: string): RowError => ({ line, column: header(key), value: asShown(raws.get(line)?.[key] ?? ''), message });
  // While the file is read, in its rows' order.
  const rejectAll = async (list: RowError[]) => {
    rejected++;
    await report.add(list);
  };
  const reject = (line: number, key: string, message: string) => rejectAll([refusal(line, key, message)]);
  // Against what is stored, once the whole file is read.
  const rejectLater = (line: number, key: string, message: string) => {
    rejected++;
    report.later([refusal(line, key, message)]);
  };

  const candidates: Candidate[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  try {
    const sheet = await openSheetInThread(storage.path(process.originalKey!), process.originalName ?? '', { maxRows: deps.config.importMaxRows });
    for await (const batch of sheet.batches) {
      for (const { line, cells, numbers } of batch.rows) {
        total++;
        const raw: Record<string, string> = {};
        for (const [key, index] of Object.entries(mapping)) raw[key] = (cells[index] ?? '').trim();
        raws.set(line, raw);
        // A formula that failed is neither a value nor a blank.
        const failed = Object.keys(raw).filter((key) => isFormulaError(raw[key]!));
        if (failed.length > 0) {
          await rejectAll(failed.map((key) => ({ line, column: header(key), value: raw[key]!, message: 'imports.error.formulaError' })));
          continue;
        }
        const input = { ...raw };
        if (input.endDate) input.endDate = dateCellText(input.endDate, numbers?.includes(mapping.endDate!) ?? false);
        if (input.discountType) input.discountType = DISCOUNT_TYPES[input.discountType.trim().toLowerCase()] ?? input.discountType;
        const noDiscount = !input.discountType && !input.discountValue?.trim();
        // Checked with a placeholder discount: whether the row may go without one depends on the stored entry.
        if (noDiscount) Object.assign(input, { discountType: 'monto', discountValue: '0' });
        readNumberCells(input, mapping, numbers, { currency: tenant.currency, documentTypes: types });
        const parsed = parseWith(schema, input);
        if (!parsed.ok) {
          await rejectAll(Object.entries(parsed.errors).map(([path, message]) => {
            const key = path.split('.')[0]!;
            return { line, column: header(key), value: asShown(raw[key] ?? ''), message };
          }));
        } else {
          const fields = parsed.value;
          // Every problem of the row in the report, not the first one only.
          const problems: RowError[] = [];
          const documentError = checkDocument(types, fields.documentType, fields.documentNumber);
          if (documentError) problems.push({ line, column: header('documentNumber'), value: raw.documentNumber ?? '', message: documentError });
          if (fields.phone && !normalizePhone(fields.phone, tenant.country)) problems.push({ line, column: header('phone'), value: raw.phone ?? '', message: 'campaigns.error.phone' });
          if (problems.length > 0) await rejectAll(problems);
          else {
            const documentType = fields.documentType.trim().toUpperCase();
            const documentNumber = normalizeDocumentNumber(types.find((type) => type.code === documentType)!, fields.documentNumber);
            candidates.push({ line, fields, documentType, documentNumber, noDiscount, phone: fields.phone ? normalizePhone(fields.phone, tenant.country) : null });
          }
        }
        if (total % CHUNK === 0) await recordProgress(db, tenantId, processId, total);
      }
    }
  } catch (error) {
    await report.discard();
    if (!(error instanceof SheetError)) throw error;
    await updateProcess(db, tenantId, processId, { state: 'failed', stage: 'mapping', error: error.messageKey, finishedAt: deps.clock.now() });
    return;
  }

  const staged: StagedEntry[] = [];
  const { allowOverpayment } = await settingsOf(db, tenantId);
  let unchanged = 0;
  let updates = 0;
  for (let start = 0; start < candidates.length; start += CHUNK) {
    const batch = candidates.slice(start, start + CHUNK);
    const stored = await lookUp(db, tenantId, today, batch);
    for (const candidate of batch) {
      const { line, fields, noDiscount } = candidate;
      const s = stored.get(line)!;
      const code = encodeURIComponent(fields.campaignCode);
      // A client is in the file once: an earlier row that loads (or leaves the entry as it is)
      // takes them, and a later one for them is refused; an earlier row refused takes nothing.
      const clientKey = `${candidate.documentType}\u0000${candidate.documentNumber}`;
      const earlier = seen.get(clientKey);
      const takes = () => seen.set(clientKey, fields.campaignCode);
      if (earlier === fields.campaignCode) rejectLater(line, 'documentNumber', `campaignImports.error.repeatedInCampaign?campaign=${encodeURIComponent(earlier)}`);
      else if (earlier !== undefined) rejectLater(line, 'campaignCode', `campaignImports.error.twoCampaigns?campaign=${encodeURIComponent(earlier)}`);
      else if (noDiscount) {
        // A paid or finished entry as the download writes it changes nothing; any other row needs its discount.
        if (s.same_id !== null && !s.same_active) {
          unchanged++;
          takes();
        } else rejectLater(line, 'discountType', 'campaigns.error.discountType');
      } else if (s.same_id !== null && s.same_values) {
        unchanged++;
        takes();
      }
      else if (s.same_id !== null && !s.same_active) rejectLater(line, 'campaignCode', `campaigns.error.closedEntry?campaign=${code}`);
      else if (fields.endDate !== null && fields.endDate < today) rejectLater(line, 'endDate', 'campaigns.error.endDatePast');
      else if (!s.code_ok) rejectLater(line, 'paymentCode', 'campaigns.error.unknownPaymentCode');
      else if (s.same_id !== null && !allowOverpayment && campaignAmountOf(fields.debtAmount, fields.discountType, fields.discountValue) < Number(s.same_paid ?? 0)) {
        // As the entry's form refuses it: the new terms would ask less than was already paid.
        rejectLater(line, 'debtAmount', 'campaigns.error.belowPaid');
      } else if (s.same_id !== null) {
        // The client's active entry in this campaign, with other terms: the row changes them.
        updates++;
        staged.push({ line, fields, entryId: Number(s.same_id) });
        takes();
      } else if (s.other_active !== null) rejectLater(line, 'campaignCode', `campaigns.error.secondActive?campaign=${encodeURIComponent(s.other_active)}`);
      else {
        staged.push({ line, fields });
        takes();
      }
    }
  }
  const errorReportKey = await report.finish();

  // Nothing to create or change: the upload is done, with nothing left to apply.
  const nothing = staged.length === 0;
  const stagedKey = nothing ? null : newKey(tenantId, `campana-${processId}.json`);
  if (stagedKey) await storage.put(stagedKey, new TextEncoder().encode(JSON.stringify(staged)));
  await updateProcess(db, tenantId, processId, {
    state: nothing && rejected > 0 ? 'completed_with_errors' : 'completed',
    stage: nothing ? 'applied' : 'validated',
    params: { ...process.params, stagedKey },
    progressDone: total,
    progressTotal: total,
    counts: { rows: total, create: staged.length - updates, update: updates, unchanged, rejected },
    errorReportKey,
    finishedAt: deps.clock.now(),
  });
}

/**
 * Loads the checked rows in one transaction, each through the same use case as loading one
 * entry (its own savepoint inside this transaction). Should the data have changed since the
 * check so that a row is refused now, nothing is written and the Process log says which row
 * and why; checking the file again shows the current picture.
 */
export async function applyCampaignEntries(deps: JobDeps, data: ImportJobData, found: Found): Promise<void> {
  const { db, process, tenant, t, user } = found;
  const { tenantId, processId } = data;
  const storage = storageFor(deps.config);
  const stagedKey = stagedKeyOf(process.params);
  const applied = await applyUnlessRefused(deps, db, { tenantId, processId }, () =>
    db.transaction(async (tx) => {
      const [locked] = await rows<{ stage: string }>(tx, sql`select stage from file_processes where tenant_id = ${tenantId} and id = ${processId} for update`);
      if (locked?.stage !== 'applying') return;
      // Read once the upload is this run's to apply: a run that came second finds it applied, its file gone.
      const staged: StagedEntry[] = stagedKey ? JSON.parse(await text(storage.read(stagedKey))) : [];
      // The whole file in this transaction, no savepoint per row: a refused row fails it whole anyway.
      const batch = { documentTypes: await documentTypesFor(tx, tenantId) };
      const scope = { tenantId, tenant, actor: user ? { id: user.id, name: user.name } : null, db: tx, clock: deps.clock, batch };
      // Entries the file changes, each as the form would; then the new ones, all at once.
      for (const row of staged) {
        if (row.entryId === undefined) continue;
        const result = await updateCampaignEntry(scope, row.entryId, row.fields);
        if (!result.ok) throw new RowRefused(row.line, ('errors' in result ? Object.values(result.errors)[0] : undefined) ?? 'imports.error.applyFailed');
      }
      const loaded = await loadCampaignEntries(scope, staged.filter((row) => row.entryId === undefined));
      if (!loaded.ok) throw new RowRefused(loaded.line, loaded.message);
      await updateProcess(tx, tenantId, processId, {
        stage: 'applied',
        state: (process.counts.rejected ?? 0) > 0 ? 'completed_with_errors' : 'completed',
        progressDone: process.counts.rows ?? 0,
        finishedAt: deps.clock.now(),
      });
    }),
  );
  if (applied && stagedKey) await storage.remove(stagedKey);
  if (applied) await analyzeAfterLoad(db, process.counts.create ?? 0, ['campaign_entries', 'clients']);
}
