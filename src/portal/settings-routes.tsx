import { Hono } from 'hono';
import { PortalSettingsPage, type PortalSettingsPageProps, type SettingsTab } from '../../views/portal/settings.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage } from '../platform/errors.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import { tenantUrl } from '../platform/tenancy.js';
import { storageFor } from '../storage/index.js';
import { checkUpload } from './files.js';
import { shrinkImage, type PortalImage } from './images.js';
import { portalSettingsFor } from './queries.js';
import { CustomerSettingsSchema, recoverySettingsSchema, saveCustomerSettings, saveRecoverySettings } from './service.js';

/** A phone's photo fits; what is stored is the image made small (src/portal/images.ts). */
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

function scopeOf(c: AppContext) {
  const { database, clock, config } = c.var.deps;
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: database.db, clock, storage: storageFor(config) };
}

async function page(c: AppContext, tab: SettingsTab, invalid?: PortalSettingsPageProps['invalid']) {
  const { database, config } = c.var.deps;
  const settings = await portalSettingsFor(database.db, c.var.tenant.id);
  return render(c, {
    title: c.var.t('portal.settings.heading'),
    status: invalid ? 422 : 200,
    body: (
      <PortalSettingsPage
        tab={tab}
        settings={settings}
        whatsappNumber={c.var.tenant.whatsappNumber}
        portalUrl={tenantUrl(config, c.var.tenant, '/')}
        // Always derived from the current subdomain: it cannot be edited and follows a rename.
        recoveryUrl={tenantUrl(config, c.var.tenant, '/recovery')}
        invalid={invalid}
      />
    ),
  });
}

/** An image sent with a portal form: none, the message for one that will not do, or it made small. */
async function image(file: unknown, purpose: PortalImage) {
  const checked = await checkUpload(file, { allowed: ['png', 'jpeg', 'webp'], maxBytes: IMAGE_MAX_BYTES, required: false });
  return checked?.ok ? shrinkImage(checked.bytes, purpose) : checked;
}

/** Ajustes > Portal del cliente: the two portal forms (no forms are created or deleted). */
export const portalSettingsRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'settings'))
  .get('/', (c) => page(c, c.req.query('tab') === 'configuracion' ? 'configuracion' : 'ajustes'))
  .post('/customer', async (c) => {
    const values = await formValues(c);
    const body = await c.req.parseBody({ all: true });
    const parsed = parseWith(CustomerSettingsSchema, values);
    const logo = await image(body.logo, 'logo');
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...(logo && !logo.ok ? { logo: logo.error } : {}) };
    if (!parsed.ok || (logo && !logo.ok)) {
      return page(c, 'ajustes', { form: 'customer', values: { ...values, promisesEnabled: 'promisesEnabled' in values } as never, errors });
    }
    await saveCustomerSettings(scopeOf(c), parsed.value, logo);
    setFlash(c, 'success', 'portal.settings.saved');
    return redirectTo(c, '/app/settings/portal?tab=ajustes');
  })
  .post('/recovery', async (c) => {
    const values = await formValues(c);
    const body = await c.req.parseBody({ all: true });
    const parsed = parseWith(recoverySettingsSchema(c.var.tenant.country), values);
    const logo = await image(body.logo, 'logo');
    const banner = await image(body.banner, 'banner');
    const errors = {
      ...(parsed.ok ? {} : parsed.errors),
      ...(logo && !logo.ok ? { logo: logo.error } : {}),
      ...(banner && !banner.ok ? { banner: banner.error } : {}),
    };
    const shown = { ...values, recoveryActive: 'recoveryActive' in values, countdownEnabled: 'countdownEnabled' in values } as never;
    if (!parsed.ok || (logo && !logo.ok) || (banner && !banner.ok)) return page(c, 'ajustes', { form: 'recovery', values: shown, errors });
    const result = await saveRecoverySettings(scopeOf(c), parsed.value, { logo, banner });
    if (!result.ok) return page(c, 'ajustes', { form: 'recovery', values: shown, errors: result.errors });
    setFlash(c, 'success', 'portal.settings.saved');
    return redirectTo(c, '/app/settings/portal?tab=ajustes');
  });
