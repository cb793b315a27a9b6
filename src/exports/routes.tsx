import { Hono } from 'hono';
import { ConfirmNightly } from '../../views/exports/confirm.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import { exportSource } from './registry.js';
import { requestExport } from './service.js';

/** "Descargar" on a tray: POST kind, format and the tray's query string. */
export const exportRoutes = new Hono<AppEnv>().use(requirePermission(forbiddenPage, 'reports.download')).post('/', async (c) => {
  const values = await formValues(c);
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  const kind = text('kind');
  const format = text('format') === 'csv' ? 'csv' : 'xlsx';
  const rawQuery = text('query').replace(/^\?/, '').slice(0, 4000);
  const query = Object.fromEntries(new URLSearchParams(rawQuery));
  const scope = { tenantId: c.var.tenant.id, tenant: c.var.tenant, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
  const result = await requestExport(scope, c.var.deps.jobs!, { kind, format, query, confirmed: text('confirm') === '1' });
  const back = exportSource(kind, c.var.tenant)?.trayPath(query) ?? '/app';
  if (!result.ok) {
    if ('notFound' in result) return notFoundPage(c);
    if ('forbidden' in result) return forbiddenPage(c);
    return render(c, {
      title: c.var.t('exports.confirm.title'),
      body: <ConfirmNightly kind={kind} format={format} query={rawQuery} count={result.confirm.count} at={result.confirm.at} back={back} />,
    });
  }
  setFlash(c, 'success', result.scheduled ? 'exports.scheduled' : 'exports.started');
  return redirectTo(c, '/app/process-log');
});
