import { Hono } from 'hono';
import { AlertsPage } from '../../views/alerts/list.js';
import { clientsWithActiveCampaign } from '../campaigns/service.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppEnv } from '../platform/context.js';
import { todayIn } from '../platform/dates.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import { listOpenAlerts, resolveAlert } from './service.js';

const canSee = requirePermission(forbiddenPage, 'receivables');

/** Only our own pages are places to go back to. */
const safeBack = (value: unknown) => (typeof value === 'string' && /^\/app\/(alerts|clients\/\d+)(\?[^#\\]*)?$/.test(value) ? value : '/app/alerts');

/** Alertas: open alerts for advisors (theirs by default, everyone's on request). */
export const alertRoutes = new Hono<AppEnv>()
  .use(canSee)
  .get('/', async (c) => {
    const scope = c.req.query('scope') === 'all' ? 'all' : 'mine';
    const user = c.var.user!;
    const db = c.var.deps.database.db;
    const rows = await listOpenAlerts(db, c.var.tenant.id, scope === 'mine' ? { advisorId: user.id } : {});
    // SPEC 5: clients in an active charged-off campaign carry the label here too.
    const chargedOff = await clientsWithActiveCampaign(db, c.var.tenant.id, [...new Set(rows.map((r) => r.clientId))], todayIn(c.var.tenant.timezone, c.var.deps.clock));
    const back = scope === 'all' ? '/app/alerts?scope=all' : '/app/alerts';
    return render(c, { title: c.var.t('alerts.title'), body: <AlertsPage rows={rows} chargedOff={chargedOff} scope={scope} back={back} /> });
  })
  .post('/:id/resolution', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) return notFoundPage(c);
    const values = await formValues(c);
    const { database, clock } = c.var.deps;
    const resolved = await resolveAlert({ tenantId: c.var.tenant.id, actor: c.var.user!, db: database.db, clock }, id);
    if (resolved === 'unknown') return notFoundPage(c);
    setFlash(c, 'success', 'alerts.resolved');
    return redirectTo(c, safeBack(values.back));
  });
