import { Hono } from 'hono';
import { ImportPage, ImportStatus, ImportStatusFragment, UploadPage } from '../../views/imports/imports.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import { isAppEnabled } from '../marketplace/service.js';
import { findProcess, isVisible } from '../process-log/queries.js';
import type { FileProcess } from '../process-log/schema.js';
import { processVisibility } from '../process-log/visibility.js';
import type { ImportSubject } from './fields.js';
import { applyImportJob, checkImportJob } from './jobs.js';
import { confirmMapping, discardImport, headersOf, mappingFromForm, offeredMapping, requestApply, uploadFields, uploadImport, type StepResult } from './service.js';
import { importTemplate } from './template.js';

function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

const processId = (c: AppContext) => {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
};

/** The upload of that number, if the Process log shows it to this user (without receivables, only their own). */
async function findImport(c: AppContext) {
  const id = processId(c);
  const process = id ? await findProcess(c.var.deps.database.db, c.var.tenant.id, id) : undefined;
  return process?.kind === 'import' && isVisible(processVisibility(c.var.user), process) ? process : undefined;
}

/**
 * What an upload loads, from `kind` in the query or form: clients with their orders unless
 * it names charged-off campaign entries, which exist only while the tenant has that app on.
 */
function subjectOf(c: AppContext, kind: unknown): ImportSubject | null {
  if (kind !== 'campaign_entries') return 'clients';
  return isAppEnabled(c.var.tenant, 'charged_off') ? 'campaign_entries' : null;
}

const titleOf = (subject: ImportSubject) => (subject === 'campaign_entries' ? 'campaignImports.title' : 'imports.title');

function uploadPage(c: AppContext, subject: ImportSubject, errors?: Record<string, string>) {
  const { config } = c.var.deps;
  return render(c, {
    title: c.var.t(titleOf(subject)),
    status: errors ? 422 : 200,
    body: <UploadPage subject={subject} errors={errors} limitMb={Math.round(config.uploadLimitBytes / 1024 / 1024)} maxRows={config.importMaxRows} />,
  });
}

/**
 * A step taken on an upload from its page (apply, discard): refused with the page's notice when
 * the upload is no longer where the step can be taken (another tab took one first).
 */
async function importStep(c: AppContext, step: (scope: ReturnType<typeof scopeOf>, processId: number) => Promise<StepResult>, done: (process: FileProcess) => Promise<Response>) {
  const process = await findImport(c);
  if (!process) return notFoundPage(c);
  const result = await step(scopeOf(c), process.id);
  if (result.ok) return done(process);
  if ('notFound' in result) return notFoundPage(c);
  setFlash(c, 'error', 'imports.error.notNow');
  return redirectTo(c, `/app/imports/${process.id}`);
}

/** Uploads of clients with their payment orders: upload → mapping → check → apply. */
export const importRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'imports'))
  .get('/new', (c) => {
    const subject = subjectOf(c, c.req.query('kind'));
    return subject ? uploadPage(c, subject) : notFoundPage(c);
  })
  .get('/template.xlsx', async (c) => {
    const subject = subjectOf(c, c.req.query('kind'));
    if (!subject) return notFoundPage(c);
    const body = await importTemplate(c.var.t, await uploadFields(scopeOf(c), subject));
    const name = subject === 'campaign_entries' ? 'plantilla-cartera-castigada.xlsx' : 'plantilla-clientes.xlsx';
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="${name}"`,
    });
  })
  .post('/', async (c) => {
    const body = await c.req.parseBody();
    const subject = subjectOf(c, body.kind);
    if (!subject) return notFoundPage(c);
    const file = body.file;
    // A browser sends an empty part with no name when nothing was chosen; a chosen file may be empty.
    if (!(file instanceof File) || (file.size === 0 && file.name === '')) return uploadPage(c, subject, { file: 'imports.error.noFile' });
    if (file.size === 0) return uploadPage(c, subject, { file: 'imports.error.emptyFile' });
    const result = await uploadImport(scopeOf(c), c.var.deps.config, { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, subject);
    if (!result.ok) return uploadPage(c, subject, result.errors);
    return redirectTo(c, `/app/imports/${result.process.id}`);
  })
  .get('/:id', async (c) => {
    const process = await findImport(c);
    if (!process) return notFoundPage(c);
    const fields = await uploadFields(scopeOf(c), process.subject);
    const mapping = await offeredMapping(scopeOf(c), process, fields);
    const status = <ImportStatus process={process} />;
    return render(c, { title: c.var.t('imports.title'), body: <ImportPage process={process} fields={fields} headers={headersOf(process)} mapping={mapping} />, fragment: status });
  })
  .get('/:id/status', async (c) => {
    const process = await findImport(c);
    if (!process) return notFoundPage(c);
    return render(c, { title: '', layout: 'none', body: <ImportStatusFragment process={process} was={c.req.query('was')} /> });
  })
  .post('/:id/mapping', async (c) => {
    const process = await findImport(c);
    if (!process) return notFoundPage(c);
    const mapping = mappingFromForm(await formValues(c));
    const result = await confirmMapping(scopeOf(c), process.id, mapping);
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      return render(c, {
        title: c.var.t('imports.title'),
        status: 422,
        body: <ImportPage process={process} fields={await uploadFields(scopeOf(c), process.subject)} headers={headersOf(process)} mapping={mapping} errors={result.errors} />,
      });
    }
    await c.var.deps.jobs!.send(checkImportJob, { tenantId: c.var.tenant.id, processId: process.id });
    setFlash(c, 'success', 'imports.checking');
    return redirectTo(c, `/app/imports/${process.id}`);
  })
  .post('/:id/discard', (c) =>
    importStep(c, (scope, id) => discardImport(scope, c.var.deps.config, id), async () => {
      setFlash(c, 'success', 'imports.discarded');
      return redirectTo(c, '/app/process-log');
    }),
  )
  .post('/:id/application', (c) =>
    importStep(c, requestApply, async (process) => {
      await c.var.deps.jobs!.send(applyImportJob, { tenantId: c.var.tenant.id, processId: process.id }, { singletonKey: `apply-${c.var.tenant.id}-${process.id}` });
      setFlash(c, 'success', 'imports.applying');
      return redirectTo(c, `/app/imports/${process.id}`);
    }),
  );
