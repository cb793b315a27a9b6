import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import type { JobAttempt, JobDefinition, JobDeps, Jobs } from '../jobs/index.js';
import { signExpiring } from '../platform/auth/tokens.js';
import { addDays, startOfDayIn, todayIn } from '../platform/dates.js';
import { currencyDigits } from '../platform/money.js';
import { languageOf, translator, type MessageKey } from '../platform/i18n/index.js';
import { can } from '../platform/permissions.js';
import type { Scope } from '../platform/scope.js';
import { sheetWriter, type ExportFormat } from '../platform/spreadsheets/write.js';
import { tenantUrl } from '../platform/tenancy.js';
import { aboutOf, findProcess } from '../process-log/queries.js';
import { fileProcesses, type FileProcess } from '../process-log/schema.js';
import { openProcess, recordProgress, updateProcess } from '../process-log/service.js';
import { newKey, storageFor } from '../storage/index.js';
import { getTenant } from '../tenants/queries.js';
import type { Tenant } from '../tenants/schema.js';
import { findUser } from '../users/queries.js';
import type { User } from '../users/schema.js';
// Every download kind registers itself when imported; the web process and a lone worker both need all of them.
import '../claims/export.js';
import '../campaigns/export.js';
import '../events/export.js';
import '../payment-orders/export.js';
import './clients.js';
import { exportSource, mayDownload } from './registry.js';

/** Up to this many rows a download is produced at once; above, overnight after the user confirms. */
export const IMMEDIATE_LIMIT = 50_000;
export const NIGHTLY_HOUR = 2;
/** How long an emailed link works. */
export const LINK_DAYS = 7;

/** The next 02:00 in the tenant's timezone after now. */
export function nextNightly(timeZone: string, now: Date, hour = NIGHTLY_HOUR): Date {
  const today = todayIn(timeZone, { now: () => now });
  for (const day of [today, addDays(today, 1), addDays(today, 2)]) {
    const at = new Date(startOfDayIn(timeZone, day).getTime() + hour * 3_600_000);
    if (at > now) return at;
  }
  return new Date(now.getTime() + 86_400_000);
}

export interface ExportRequest {
  kind: string;
  format: ExportFormat;
  /** The tray's query string: its filters, exactly as the user sees them. */
  query: Record<string, string>;
  confirmed: boolean;
}

export type ExportResult =
  | { ok: true; process: FileProcess; scheduled: boolean }
  | { ok: false; notFound: true }
  | { ok: false; forbidden: true }
  | { ok: false; confirm: { count: number; at: Date } };

/**
 * Asks for a download of a tray as the user sees it. Small ones are produced now as a job;
 * above IMMEDIATE_LIMIT rows the user must confirm, and it is scheduled for the night.
 */
export async function requestExport(scope: Scope & { actor: User; tenant: Tenant }, jobs: Jobs, request: ExportRequest): Promise<ExportResult> {
  const source = exportSource(request.kind, scope.tenant);
  if (!source) return { ok: false, notFound: true };
  if (!mayDownload(scope.actor, source)) return { ok: false, forbidden: true };
  const t = translator(scope.actor.language ?? languageOf(scope.tenant.locale));
  const prepared = await source.prepare({
    db: scope.db,
    tenant: scope.tenant,
    userId: scope.actor.id,
    may: (permission) => can(scope.actor, permission),
    query: request.query,
    today: todayIn(scope.tenant.timezone, scope.clock),
    t,
  });
  const count = await prepared.count();
  const large = count > IMMEDIATE_LIMIT;
  const at = large ? nextNightly(scope.tenant.timezone, scope.clock.now()) : undefined;
  if (large && !request.confirmed) return { ok: false, confirm: { count, at: at! } };
  const process = await openProcess(scope.db, scope.tenantId, {
    kind: 'export',
    subject: source.kind,
    format: request.format,
    userId: scope.actor.id,
    state: 'queued',
    // What the user saw when asking: a night run writes the same columns for the same day.
    params: {
      query: request.query,
      today: todayIn(scope.tenant.timezone, scope.clock),
      ...(prepared.columns ? { columns: prepared.columns } : {}),
      ...(prepared.about ? { about: prepared.about } : {}),
    },
    progressTotal: count,
    scheduledFor: at ?? null,
  });
  await jobs.send(exportJob, { tenantId: scope.tenantId, processId: process.id }, { ...(at ? { startAfter: at } : {}), singletonKey: `export-${scope.tenantId}-${process.id}` });
  return { ok: true, process, scheduled: large };
}

export interface ExportJobData {
  tenantId: number;
  processId: number;
}

/** The link an email carries: signed, for one file of one process, expiring. */
export function signedFileLink(secret: string, process: Pick<FileProcess, 'tenantId' | 'id'>, userId: number, file: string, expiresAt: Date): string {
  return signExpiring(secret, 'file', `${process.tenantId}-${process.id}-${userId}-${file}`, expiresAt);
}

/**
 * Writes the file in batches (flat memory), then marks the process done and emails the
 * user a signed link. Idempotent: a finished process is left alone; an interrupted one
 * starts over into a new file, and the Process log only ever points at a complete one.
 * A run that fails (the storage full or away, the database gone) leaves no part of a file
 * and waits for the job's next try; after the last, the Process log says it failed.
 */
export async function runExport(deps: JobDeps, data: ExportJobData, attempt: JobAttempt = { retriesLeft: 0 }): Promise<void> {
  const db = deps.database.db;
  const process = await findProcess(db, data.tenantId, data.processId);
  if (!process || process.kind !== 'export' || process.state === 'completed') return;
  const tenant = await getTenant(db, data.tenantId);
  const user = process.userId ? await findUser(db, data.tenantId, process.userId) : undefined;
  const source = tenant && exportSource(process.subject, tenant);
  if (!tenant || !user || !source) {
    await updateProcess(db, data.tenantId, data.processId, { state: 'failed', error: 'exports.error.gone', finishedAt: deps.clock.now() });
    return;
  }
  const t = translator(user.language ?? languageOf(tenant.locale));
  await updateProcess(db, data.tenantId, data.processId, { state: 'running', startedAt: deps.clock.now(), progressDone: 0, error: null });
  const storage = storageFor(deps.config);
  const key = newKey(data.tenantId, `${source.kind}-${process.id}.${process.format}`);
  let done = 0;
  let file: Awaited<ReturnType<typeof storage.writer>> | undefined;
  let written = false;
  let finished: { id: number }[];
  try {
    const { query, today, columns } = process.params as { query?: Record<string, string>; today?: string; columns?: string[] };
    const prepared = await source.prepare({
      db,
      tenant,
      userId: user.id,
      may: (permission) => can(user, permission),
      query: query ?? {},
      today: today ?? todayIn(tenant.timezone, deps.clock),
      columns,
      t,
    });
    file = await storage.writer(key);
    const writer = sheetWriter(process.format === 'csv' ? 'csv' : 'xlsx', file.stream, prepared.headers, {
      ...(prepared.kinds ? { kinds: prepared.kinds } : {}),
      moneyDecimals: currencyDigits(tenant.currency),
    });
    // The Process log refreshes its bar every two seconds: progress is written about once a second.
    let progressAt = performance.now();
    for await (const batch of prepared.batches()) {
      // A storage that failed while the rows were read (a full disk) says so here.
      if (file.stream.errored) throw file.stream.errored;
      await writer.write(batch);
      done += batch.length;
      if (performance.now() - progressAt >= 1_000) {
        progressAt = performance.now();
        await recordProgress(db, data.tenantId, data.processId, done);
      }
    }
    if (file.stream.errored) throw file.stream.errored;
    await writer.end();
    await file.done();
    written = true;
    finished = await db
      .update(fileProcesses)
      .set({ state: 'completed', resultKey: key, progressDone: done, progressTotal: done, counts: { rows: done }, finishedAt: deps.clock.now() })
      .where(and(eq(fileProcesses.tenantId, data.tenantId), eq(fileProcesses.id, data.processId), sql`${fileProcesses.state} <> 'completed'`))
      .returning({ id: fileProcesses.id });
  } catch (error) {
    // Nothing of this run stays: no part of a file, nor a whole one no entry points at.
    await (written ? storage.remove(key) : file?.abort())?.catch(() => undefined);
    const last = attempt.retriesLeft === 0;
    // A try given up for dead that fails after another finished leaves the finished one be.
    await db
      .update(fileProcesses)
      .set(last ? { state: 'failed', error: 'exports.error.failed', progressDone: 0, finishedAt: deps.clock.now() } : { state: 'queued', progressDone: 0 })
      .where(and(eq(fileProcesses.tenantId, data.tenantId), eq(fileProcesses.id, data.processId), sql`${fileProcesses.state} <> 'completed'`))
      .catch(
        // The database itself away: the hourly sweep (failStuckExports) says it failed.
        () => undefined,
      );
    throw error;
  }
  if (finished.length === 0) {
    await storage.remove(key);
    return;
  }
  const expires = new Date(deps.clock.now().getTime() + LINK_DAYS * 86_400_000);
  const link = tenantUrl(deps.config, tenant, `/app/files/${signedFileLink(deps.secret, process, user.id, 'result', expires)}`);
  await deps.mailer.send(db, data.tenantId, {
    to: user.email,
    subject: t('exports.mail.subject'),
    text: t('exports.mail.body', {
      name: user.name,
      what: [t(`processLog.subject.${process.subject}` as MessageKey), aboutOf(process)].filter(Boolean).join(' · '),
      rows: done === 1 ? t('exports.mail.oneRow') : t('exports.mail.rows', { count: new Intl.NumberFormat(tenant.locale).format(done) }),
      link,
      days: LINK_DAYS,
    }),
  });
}

export const exportJob: JobDefinition<ExportJobData> = { name: 'exports.run', run: runExport, expireInMinutes: 60 };

/**
 * A download still "running" long after every try of its job would have ended (a process
 * killed on its last try, the database away when it failed) is marked failed by the hourly
 * maintenance, so no entry says "En proceso" for ever. Scheduled ones wait "queued".
 */
export async function failStuckExports(db: Db, now: Date): Promise<void> {
  const tries = (exportJob.retryLimit ?? 2) + 1;
  const before = new Date(now.getTime() - (tries * (exportJob.expireInMinutes ?? 60) + 60) * 60_000);
  await db
    .update(fileProcesses)
    .set({ state: 'failed', error: 'exports.error.failed', finishedAt: now })
    .where(and(eq(fileProcesses.kind, 'export'), eq(fileProcesses.state, 'running'), sql`${fileProcesses.startedAt} < ${before.toISOString()}`));
}
