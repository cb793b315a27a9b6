import { Hono } from 'hono';
import { MarketplacePage } from '../../views/marketplace/apps.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import { activationHistory, appPrice, disableApp, enableApp, isAppEnabled, isAppKey } from './service.js';

function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

async function page(c: AppContext, errors?: Record<string, string>) {
  const tenant = c.var.tenant;
  return render(c, {
    title: c.var.t('marketplace.title'),
    status: errors ? 422 : 200,
    body: (
      <MarketplacePage
        enabled={isAppEnabled(tenant, 'charged_off')}
        priceUsdCents={appPrice(tenant, 'charged_off')}
        plan={tenant.plan}
        history={await activationHistory(scopeOf(c))}
        errors={errors}
      />
    ),
  });
}

/** Ajustes > Mercado de aplicaciones. */
export const marketplaceRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'settings'))
  .get('/', (c) => page(c))
  .post('/:app/activation', async (c) => {
    const app = c.req.param('app');
    if (!isAppKey(app)) return notFoundPage(c);
    const accepted = Number((await formValues(c)).acceptedPrice);
    const result = await enableApp(scopeOf(c), { tenant: c.var.tenant, app, acceptedPriceUsdCents: Number.isFinite(accepted) ? accepted : null });
    if (!result.ok) return page(c, { acceptedPrice: result.error });
    c.var.log.info('marketplace.enabled', { app });
    setFlash(c, 'success', 'marketplace.wasEnabled');
    return redirectTo(c, '/app/settings/apps');
  })
  .post('/:app/deactivation', async (c) => {
    const app = c.req.param('app');
    if (!isAppKey(app)) return notFoundPage(c);
    await disableApp(scopeOf(c), { tenant: c.var.tenant, app });
    c.var.log.info('marketplace.disabled', { app });
    setFlash(c, 'info', 'marketplace.wasDisabled');
    return redirectTo(c, '/app/settings/apps');
  });
