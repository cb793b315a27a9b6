import { Hono } from 'hono';
import { ProcessLogPage, ProcessRowView } from '../../views/process-log/process-log.js';
import { requirePermission } from '../platform/auth/middleware.js';
import { verifyExpiring } from '../platform/auth/tokens.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import type { MessageKey } from '../platform/i18n/index.js';
import { can, type Permission } from '../platform/permissions.js';
import { fold } from '../platform/search.js';
import { render } from '../platform/render.js';
import { sendStoredFile } from '../storage/send.js';
import { findUser } from '../users/queries.js';
import { findProcess, findProcessRow, listProcesses, PAGE_SIZE, parseProcessFilters, processUsers, type ProcessKind } from './queries.js';
import type { FileProcess } from './schema.js';

const FILES = { original: 'originalKey', errors: 'errorReportKey', result: 'resultKey' } as const;
type FileName = keyof typeof FILES;

/** Who may fetch which file: uploads' files with `imports`, downloads with `reports.download`. */
function filePermission(process: FileProcess): Permission {
  return process.kind === 'import' ? 'imports' : 'reports.download';
}

function visibleKinds(c: AppContext): ProcessKind[] {
  const kinds: ProcessKind[] = [];
  if (can(c.var.user, 'imports')) kinds.push('import');
  if (can(c.var.user, 'reports.download')) kinds.push('export');
  return kinds;
}

/** A download's name in the person's words: "ordenes-de-pago-20.csv", "errores-12.csv". */
function fileName(c: AppContext, process: FileProcess, file: FileName): string {
  const slug = (text: string) => fold(text).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  if (file === 'original') return process.originalName ?? `${slug(c.var.t('processLog.file.original'))}-${process.id}`;
  if (file === 'errors') return `${slug(c.var.t('processLog.file.errors'))}-${process.id}.csv`;
  return `${slug(c.var.t(`processLog.subject.${process.subject}` as MessageKey))}-${process.id}.${process.format}`;
}

const TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
};

async function sendFile(c: AppContext, process: FileProcess, file: FileName) {
  const key = process[FILES[file]];
  if (!key) return notFoundPage(c);
  const name = fileName(c, process, file);
  const extension = name.split('.').pop()?.toLowerCase() ?? '';
  return sendStoredFile(c, key, { type: TYPES[extension] ?? 'application/octet-stream', name, disposition: 'attachment' });
}

const processId = (c: AppContext) => {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
};

/** Log de procesos: every upload and download of the tenant, with its files. */
export const processLogRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'imports', 'reports.download'))
  .get('/', async (c) => {
    const { db } = c.var.deps.database;
    const filters = parseProcessFilters(c.req.query());
    const found = await listProcesses(db, c.var.tenant.id, c.var.tenant.timezone, visibleKinds(c), filters);
    const users = await processUsers(db, c.var.tenant.id);
    const query = new URL(c.req.url).search.slice(1);
    const page = (
      <ProcessLogPage rows={found.slice(0, PAGE_SIZE)} more={found.length > PAGE_SIZE} filters={filters} users={users} now={c.var.deps.clock.now()} query={query} />
    );
    return render(c, { title: c.var.t('processLog.title'), body: page, fragment: page });
  })
  .get('/:id/row', async (c) => {
    const id = processId(c);
    const row = id && (await findProcessRow(c.var.deps.database.db, c.var.tenant.id, id));
    if (!row || !visibleKinds(c).includes(row.kind)) return notFoundPage(c);
    return render(c, { title: '', layout: 'none', body: <ProcessRowView row={row} now={c.var.deps.clock.now()} /> });
  })
  .get('/:id/files/:file', async (c) => {
    const id = processId(c);
    const file = c.req.param('file');
    const process = id && (await findProcess(c.var.deps.database.db, c.var.tenant.id, id));
    if (!process || !(file in FILES)) return notFoundPage(c);
    if (!can(c.var.user, filePermission(process))) return forbiddenPage(c);
    return sendFile(c, process, file as FileName);
  });

/**
 * Links sent by email: signed, expiring, for one file of this tenant. They work without a
 * session, but only while the user they were sent to still exists, is active and may download.
 */
export const signedFileRoutes = new Hono<AppEnv>().get('/:token', async (c) => {
  const { deps, tenant } = c.var;
  const payload = verifyExpiring(deps.secret, 'file', c.req.param('token'), deps.clock.now());
  const match = payload && /^(\d+)-(\d+)-(\d+)-(original|errors|result)$/.exec(payload);
  if (!match || Number(match[1]) !== tenant.id) return notFoundPage(c);
  const process = await findProcess(deps.database.db, tenant.id, Number(match[2]));
  const user = await findUser(deps.database.db, tenant.id, Number(match[3]));
  if (!process || !user) return notFoundPage(c);
  if (!can(user, filePermission(process))) return forbiddenPage(c);
  return sendFile(c, process, match[4] as FileName);
});
