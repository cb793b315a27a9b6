import { Hono } from 'hono';
import { ImportPage, ImportStatus, UploadPage } from '../../views/imports/imports.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import { findProcess } from '../process-log/queries.js';
import { applyImportJob, checkImportJob } from './jobs.js';
import { confirmMapping, headersOf, mappingFromForm, offeredMapping, requestApply, uploadImport } from './service.js';
import { importTemplate } from './template.js';

function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

const processId = (c: AppContext) => {
  const id = Number(c.req.param('id'));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
};

async function findImport(c: AppContext) {
  const id = processId(c);
  const process = id ? await findProcess(c.var.deps.database.db, c.var.tenant.id, id) : undefined;
  return process?.kind === 'import' ? process : undefined;
}

function uploadPage(c: AppContext, errors?: Record<string, string>) {
  const { config } = c.var.deps;
  return render(c, {
    title: c.var.t('imports.title'),
    status: errors ? 422 : 200,
    body: <UploadPage errors={errors} limitMb={Math.round(config.uploadLimitBytes / 1024 / 1024)} maxRows={config.importMaxRows} />,
  });
}

/** Uploads of clients with their payment orders: upload → mapping → check → apply. */
export const importRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'imports'))
  .get('/new', (c) => uploadPage(c))
  .get('/template.xlsx', async (c) => {
    const body = await importTemplate(c.var.t);
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': 'attachment; filename="plantilla-clientes.xlsx"',
    });
  })
  .post('/', async (c) => {
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File) || file.size === 0) return uploadPage(c, { file: 'imports.error.noFile' });
    const result = await uploadImport(scopeOf(c), c.var.deps.config, { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    if (!result.ok) return uploadPage(c, result.errors);
    return redirectTo(c, `/app/imports/${result.process.id}`);
  })
  .get('/:id', async (c) => {
    const process = await findImport(c);
    if (!process) return notFoundPage(c);
    const mapping = await offeredMapping(scopeOf(c), process);
    const status = <ImportStatus process={process} />;
    return render(c, { title: c.var.t('imports.title'), body: <ImportPage process={process} headers={headersOf(process)} mapping={mapping} />, fragment: status });
  })
  .get('/:id/status', async (c) => {
    const process = await findImport(c);
    if (!process) return notFoundPage(c);
    return render(c, { title: '', layout: 'none', body: <ImportStatus process={process} /> });
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
        body: <ImportPage process={process} headers={headersOf(process)} mapping={mapping} errors={result.errors} />,
      });
    }
    await c.var.deps.jobs!.send(checkImportJob, { tenantId: c.var.tenant.id, processId: process.id });
    setFlash(c, 'success', 'imports.checking');
    return redirectTo(c, `/app/imports/${process.id}`);
  })
  .post('/:id/application', async (c) => {
    const process = await findImport(c);
    if (!process) return notFoundPage(c);
    const result = await requestApply(scopeOf(c), process.id);
    if (!result.ok) {
      if ('notFound' in result) return notFoundPage(c);
      setFlash(c, 'error', 'imports.error.notNow');
      return redirectTo(c, `/app/imports/${process.id}`);
    }
    await c.var.deps.jobs!.send(applyImportJob, { tenantId: c.var.tenant.id, processId: process.id }, { singletonKey: `apply-${c.var.tenant.id}-${process.id}` });
    setFlash(c, 'success', 'imports.applying');
    return redirectTo(c, `/app/imports/${process.id}`);
  });
