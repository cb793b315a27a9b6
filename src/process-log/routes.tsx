import { Hono } from 'hono';
import { ProcessLogPage, ProcessRowView } from '../../views/process-log/process-log.js';
import { requirePermission } from '../platform/auth/middleware.js';
import { verifyExpiring } from '../platform/auth/tokens.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import type { MessageKey } from '../platform/i18n/index.js';
import type { Tenant } from '../tenants/schema.js';
import { fold } from '../platform/search.js';
import { render } from '../platform/render.js';
import { sendStoredFile } from '../storage/send.js';
import { aboutOf, findProcess, findProcessRow, isVisible, listProcesses, PAGE_SIZE, parseProcessFilters, processUsers } from './queries.js';
import { processVisibility } from './visibility.js';
import type { FileProcess } from './schema.js';

const FILES = { original: 'originalKey', errors: 'errorReportKey', result: 'resultKey' } as const;
type FileName = keyof typeof FILES;

/** A download's name in the person's words: "ordenes-de-pago-20.csv", "errores-12.csv". */
function fileName(c: AppContext, process: FileProcess, file: FileName): string {
  const slug = (text: string) => fold(text).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  if (file === 'original') return process.originalName ?? `${slug(c.var.t('processLog.file.original'))}-${process.id}`;
  if (file === 'errors') return `${slug(c.var.t('processLog.file.errors'))}-${process.id}.csv`;
  const about = aboutOf(process);
  return `${slug(c.var.t(`processLog.subject.${process.subject}` as MessageKey))}${about ? `-${slug(about)}` : ''}-${process.id}.${process.format}`;
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
    const visibility = processVisibility(c.var.user);
    const found = await listProcesses(db, c.var.tenant.id, c.var.tenant.timezone, visibility, filters);
    const users = await processUsers(db, c.var.tenant.id, visibility.onlyUserId);
    const query = new URL(c.req.url).search.slice(1);
    const page = (
      <ProcessLogPage rows={found.slice(0, PAGE_SIZE)} more={found.length > PAGE_SIZE} filters={filters} users={users} now={c.var.deps.clock.now()} query={query} />
    );
    return render(c, { title: c.var.t('processLog.title'), body: page, fragment: page });
  })
  .get('/:id/row', async (c) => {
    const id = processId(c);
    const row = id && (await findProcessRow(c.var.deps.database.db, c.var.tenant.id, id));
    if (!row || !isVisible(processVisibility(c.var.user), row)) return notFoundPage(c);
    return render(c, { title: '', layout: 'none', body: <ProcessRowView row={row} now={c.var.deps.clock.now()} /> });
  })
  .get('/:id/files/:file', async (c) => {
    const id = processId(c);
    const file = c.req.param('file');
    const process = id && (await findProcess(c.var.deps.database.db, c.var.tenant.id, id));
    if (!process || !(file in FILES)) return notFoundPage(c);
    // An entry one may not see is not there, as its row is not (/:id/row).
    if (!isVisible(processVisibility(c.var.user), process)) return notFoundPage(c);
    return sendFile(c, process, file as FileName);
  });

/**
 * Links sent by email: signed and expiring, for one file of this tenant. They open for a
 * signed-in user who may see that entry of the Process log (a link forwarded outside the
 * company opens nothing); someone not signed in is asked to sign in first.
 */
export const signedFileRoutes = new Hono<AppEnv>().get('/:token', async (c) => {
  const { deps, tenant } = c.var;
  const payload = verifyExpiring(deps.secret, 'file', c.req.param('token'), deps.clock.now());
  const match = payload && /^(\d+)-(\d+)-(\d+)-(original|errors|result)$/.exec(payload);
  if (!match || Number(match[1]) !== tenant.id) return notFoundPage(c);
  const process = await findProcess(deps.database.db, tenant.id, Number(match[2]));
  if (!process) return notFoundPage(c);
  if (!isVisible(processVisibility(c.var.user), process)) return forbiddenPage(c);
  return sendFile(c, process, match[4] as FileName);
});
