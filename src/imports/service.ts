import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { rows } from '../db/index.js';
import { fileProcesses, type FileProcess } from '../process-log/schema.js';
import { findProcess } from '../process-log/queries.js';
import { openProcess } from '../process-log/service.js';
import type { Scope } from '../platform/scope.js';
import { normalizeHeader, openSheetInThread, repeatedHeaders, SheetError } from '../platform/spreadsheets/read.js';
import { newKey, storageFor } from '../storage/index.js';
import { clearStaged } from './staging.js';
import { clientVariablesFor } from '../clients/fields.js';
import { fieldsFor, mappingProblems, rememberedFrom, suggestMapping, type ImportField, type ImportSubject, type Mapping } from './fields.js';
import { importMappings } from './schema.js';

/** The fields an upload of `subject` maps for the scope's tenant, its additional client variables included. */
export async function uploadFields(scope: Pick<Scope, 'db' | 'tenantId'>, subject: string): Promise<ImportField[]> {
  return fieldsFor(subject, subject === 'clients' ? await clientVariablesFor(scope.db, scope.tenantId) : []);
}

export type UploadResult = { ok: true; process: FileProcess } | { ok: false; errors: Record<string, string> };

/**
 * Takes an uploaded file: checks it can be read as a sheet with a usable header row (the
 * limits that can be judged without reading every row), keeps it, and opens its Process
 * log entry waiting for the column mapping.
 */
export async function uploadImport(scope: Scope, config: Config, file: { name: string; bytes: Uint8Array }, subject: ImportSubject = 'clients'): Promise<UploadResult> {
  if (file.bytes.byteLength === 0) return { ok: false, errors: { file: 'sheets.error.empty' } };
  if (file.bytes.byteLength > config.uploadLimitBytes) {
    return { ok: false, errors: { file: `sheets.error.fileTooLarge?limit=${Math.round(config.uploadLimitBytes / 1024 / 1024)}` } };
  }
  const folder = await mkdtemp(join(tmpdir(), 'saldo-upload-'));
  let headers: string[];
  let format: string;
  try {
    const path = join(folder, 'upload');
    await writeFile(path, file.bytes);
    // Read in a thread of its own: opening an xls parses the whole workbook (seconds for a big
    // one), and an xlsx is inflated whole to rule out zip bombs; the web process keeps serving.
    const sheet = await openSheetInThread(path, file.name, { maxRows: config.importMaxRows });
    headers = sheet.headers;
    format = sheet.format;
    await sheet.batches.return(undefined);
  } catch (error) {
    if (error instanceof SheetError) return { ok: false, errors: { file: error.messageKey } };
    throw error;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  // A repeated heading of a column the upload would load cannot say which of the two to take.
  const suggested = suggestMapping(headers, {}, await uploadFields(scope, subject));
  const repeated = repeatedHeaders(headers);
  for (const index of Object.values(suggested)) {
    if (repeated.has(normalizeHeader(headers[index]!))) return { ok: false, errors: { file: `sheets.error.duplicateHeader?header=${encodeURIComponent(headers[index]!)}` } };
  }
  const key = newKey(scope.tenantId, file.name);
  await storageFor(config).put(key, file.bytes);
  const process = await openProcess(scope.db, scope.tenantId, {
    kind: 'import',
    subject,
    format,
    userId: scope.actor?.id ?? null,
    stage: 'mapping',
    state: 'queued',
    originalName: file.name.slice(0, 200),
    originalKey: key,
    params: { headers },
  });
  return { ok: true, process };
}

export function headersOf(process: FileProcess): string[] {
  const headers = process.params.headers;
  return Array.isArray(headers) ? headers.map(String) : [];
}

export function mappingOf(process: FileProcess): Mapping {
  return (process.params.mapping as Mapping | undefined) ?? {};
}

/** The mapping to offer: the one already chosen for this upload, else the tenant's remembered one. */
export async function offeredMapping(scope: Scope, process: FileProcess, fields: ImportField[]): Promise<Mapping> {
  if (process.params.mapping) return mappingOf(process);
  const [remembered] = await scope.db
    .select({ mapping: importMappings.mapping })
    .from(importMappings)
    .where(and(eq(importMappings.tenantId, scope.tenantId), eq(importMappings.subject, process.subject)));
  return suggestMapping(headersOf(process), remembered?.mapping ?? {}, fields);
}

/** Mapping fields arrive as `map.<field>` = column index, or empty for "not in the file". */
export function mappingFromForm(values: Record<string, string | string[]>): Mapping {
  const mapping: Mapping = {};
  for (const [name, value] of Object.entries(values)) {
    if (!name.startsWith('map.') || typeof value !== 'string' || value === '') continue;
    mapping[name.slice(4)] = /^\d{1,4}$/.test(value) ? Number(value) : -1;
  }
  return mapping;
}

export type StepResult = { ok: true } | { ok: false; notFound: true } | { ok: false; errors: Record<string, string> };

/** Confirms the mapping (remembered for the tenant) and queues the check of every row. */
export async function confirmMapping(scope: Scope, processId: number, mapping: Mapping): Promise<StepResult> {
  const process = await findProcess(scope.db, scope.tenantId, processId);
  if (!process || process.kind !== 'import') return { ok: false, notFound: true };
  if (process.stage !== 'mapping' && process.stage !== 'validated') return { ok: false, errors: { _form: 'imports.error.notNow' } };
  const headers = headersOf(process);
  const problems = mappingProblems(mapping, headers, await uploadFields(scope, process.subject));
  if (Object.keys(problems).length > 0) return { ok: false, errors: problems };
  const taken = await scope.db.transaction(async (tx) => {
    // Only from where it was read: an upload discarded (or already being checked) meanwhile,
    // from another tab, stays as it is.
    const [moved] = await tx
      .update(fileProcesses)
      .set({ params: { ...process.params, mapping }, stage: 'validating', state: 'queued', progressDone: 0, counts: {}, error: null })
      .where(and(eq(fileProcesses.tenantId, scope.tenantId), eq(fileProcesses.id, processId), eq(fileProcesses.stage, process.stage!)))
      .returning({ id: fileProcesses.id });
    if (!moved) return false;
    const remembered = rememberedFrom(headers, mapping);
    await tx
      .insert(importMappings)
      .values({ tenantId: scope.tenantId, subject: process.subject, mapping: remembered })
      .onConflictDoUpdate({
        target: [importMappings.tenantId, importMappings.subject],
        set: { mapping: sql`${importMappings.mapping} || excluded.mapping`, updatedAt: scope.clock.now() },
      });
    return true;
  });
  return taken ? { ok: true } : { ok: false, errors: { _form: 'imports.error.notNow' } };
}

/** Where a checked campaign upload keeps the rows it will apply (in storage, beside the upload). */
export function stagedKeyOf(params: Record<string, unknown>): string | null {
  return typeof params.stagedKey === 'string' ? params.stagedKey : null;
}

/** The stages an upload waits in for its user (its columns, its apply): the ones it can be discarded from. */
const DISCARDABLE_STAGES = ['mapping', 'validated'] as const;

/** Whether the upload's page offers "Descartar esta carga" (`discardImport` decides again). */
export const mayDiscard = (process: Pick<FileProcess, 'stage' | 'state'>) =>
  (DISCARDABLE_STAGES as readonly (string | null)[]).includes(process.stage) && process.state !== 'running';

/**
 * Discards an upload that waits for its columns or for its apply: nothing of it was loaded, and
 * nothing will be. It stays in the Process log as "Descartado", with its file; its checked rows
 * go at once (staged rows, or a campaign upload's file of them). Not while a check or an apply
 * runs, which end by themselves.
 */
export async function discardImport(scope: Scope, config: Config, processId: number): Promise<StepResult> {
  const discarded = await scope.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(fileProcesses)
      .set({ state: 'discarded', stage: 'discarded', finishedAt: scope.clock.now() })
      .where(
        and(
          eq(fileProcesses.tenantId, scope.tenantId),
          eq(fileProcesses.id, processId),
          eq(fileProcesses.kind, 'import'),
          inArray(fileProcesses.stage, [...DISCARDABLE_STAGES]),
          ne(fileProcesses.state, 'running'),
        ),
      )
      .returning();
    if (updated) await clearStaged(tx, scope.tenantId, processId);
    return updated;
  });
  if (!discarded) return notNowOrGone(scope, processId);
  const staged = stagedKeyOf(discarded.params);
  if (staged) await storageFor(config).remove(staged);
  return { ok: true };
}

/** Queues the apply of a checked upload; only once, and only after the check. */
export async function requestApply(scope: Scope, processId: number): Promise<StepResult> {
  const updated = await rows<{ id: number }>(scope.db, sql`
    update file_processes set stage = 'applying', state = 'queued', progress_done = 0
     where tenant_id = ${scope.tenantId} and id = ${processId} and kind = 'import' and stage = 'validated'
     returning id`);
  if (updated.length === 1) return { ok: true };
  return notNowOrGone(scope, processId);
}

/** Why a step was not taken on an upload: it is not one, or it is no longer where the step can be taken. */
async function notNowOrGone(scope: Scope, processId: number): Promise<StepResult> {
  const process = await findProcess(scope.db, scope.tenantId, processId);
  if (!process || process.kind !== 'import') return { ok: false, notFound: true };
  return { ok: false, errors: { _form: 'imports.error.notNow' } };
}

