import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { accountRoutes } from './account/routes.js';
import { claimRoutes } from './claims/routes.js';
import { clientRoutes } from './clients/routes.js';
import { campaignPaymentRoutes, campaignRoutes } from './campaigns/routes.js';
import { ping } from './db/index.js';
import { exportRoutes } from './exports/routes.js';
import { importRoutes } from './imports/routes.js';
import { processLogRoutes, signedFileRoutes } from './process-log/routes.js';
import { csrfProtection } from './platform/auth/csrf.js';
import { loadSession, requireUser } from './platform/auth/middleware.js';
import type { AppEnv, Deps } from './platform/context.js';
import { csrfPage, errorPage, notFoundPage, onError, tooLargePage, unknownTenantPage } from './platform/errors.js';
import { can } from './platform/permissions.js';
import { resolveTenant } from './platform/tenancy.js';
import { orderRoutes } from './payment-orders/routes.js';
import { captchaCspHeaders } from './portal/captcha.js';
import { RECEIPT_MAX_BYTES } from './portal/files.js';
import { portalOfPath } from './portal/page.js';
import { portalRoutes } from './portal/routes.js';
import { recoveryRoutes } from './portal/recovery-routes.js';
import { alertRoutes } from './alerts/routes.js';
import { portalSettingsRoutes } from './portal/settings-routes.js';
import { paymentsToVerifyRoutes, statementRoutes } from './payments/routes.js';
import { marketplaceRoutes } from './marketplace/routes.js';
import { outboxRoutes } from './settings/outbox-routes.js';
import { generalSettingsRoutes } from './settings/routes.js';
import { userRoutes } from './users/routes.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds the web application: middleware in order, then each capability's routes. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;

  app.use(requestId({ limitLength: 64 }));
  app.use(async (c, next) => {
    c.set('deps', deps);
    const log = deps.logger.child({ requestId: c.var.requestId });
    c.set('log', log);
    const started = performance.now();
    await next();
    log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) });
  });
  // Before secureHeaders, so it can widen the policy that secureHeaders writes, on captcha pages only.
  app.use(captchaCspHeaders);
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      strictTransportSecurity: config.scheme === 'https' ? 'max-age=31536000; includeSubDomains' : false,
      crossOriginEmbedderPolicy: false,
      xFrameOptions: 'DENY',
    }),
  );
  app.use(compress());

  app.get('/static/:file', (c) => {
    const asset = deps.assets.get(c.req.param('file'));
    if (!asset) return c.text('Not found', 404);
    return c.body(new Uint8Array(asset.body), 200, {
      'Content-Type': asset.type,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
  });
  app.get('/healthz', async (c) => {
    const ok = await ping(deps.database);
    return c.json({ status: ok ? 'ok' : 'unavailable', database: ok }, ok ? 200 : 503);
  });

  app.use(resolveTenant(unknownTenantPage));
  app.use(async (c, next) => {
    // No one types a NUL and text cannot hold one (PostgreSQL refuses it): a link that carries
    // one is followed without it, and anything else that sends one is refused whole.
    if (!c.req.url.includes('%00')) return await next();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return errorPage(c, 400, 'errors.badRequest.title', 'errors.badRequest.body');
    const url = new URL(c.req.url);
    return c.redirect(`${url.pathname}${url.search}`.replaceAll('%00', ''), 301);
  });
  // Before the body limit: a page refusing a body too large speaks the signed-in user's language.
  app.use(loadSession);
  app.use((c, next) => {
    // GET and HEAD carry no body; asking for one builds a full Request object on every page view.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const multipart = (c.req.header('Content-Type') ?? '').startsWith('multipart/form-data');
    const maxSize = multipart ? config.uploadLimitBytes : config.bodyLimitBytes;
    // A debtor's only file is a receipt: the page names its limit, not the back office's.
    const named = multipart && portalOfPath(c.req.path) ? RECEIPT_MAX_BYTES : maxSize;
    return bodyLimit({ maxSize, onError: (c) => tooLargePage(c as never, named) })(c, next);
  });
  app.use(async (c, next) => {
    if (!UNSAFE.has(c.req.method) || c.req.path.startsWith('/api/')) return next();
    const type = c.req.header('Content-Type');
    if (type && !type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
      return errorPage(c, 415, 'errors.unsupportedMedia.title', 'errors.unsupportedMedia.body');
    }
    return next();
  });
  app.use(csrfProtection(csrfPage));

  // Back-office pages hold debtors' data: none is kept in the browser's cache, so Back after
  // logging out on a shared computer asks the server again (and lands on the login).
  app.use('/app/*', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  app.route('/app', accountRoutes);
  // Links already sent by email before they moved under /app, where a session is needed.
  app.get('/files/:token', (c) => c.redirect(`/app/files/${encodeURIComponent(c.req.param('token'))}`, 301));
  app.use('/app/*', requireUser);
  app.route('/app/files', signedFileRoutes);
  app.route('/app/imports', importRoutes);
  app.route('/app/exports', exportRoutes);
  app.route('/app/process-log', processLogRoutes);
  app.route('/app/claims', claimRoutes);
  app.route('/app/clients', clientRoutes);
  app.route('/app/orders', orderRoutes);
  app.route('/app', statementRoutes);
  app.route('/app/settings/general', generalSettingsRoutes);
  app.route('/app/settings/users', userRoutes);
  app.route('/app/settings/outbox', outboxRoutes);
  app.route('/app/settings/portal', portalSettingsRoutes);
  app.route('/app/settings/apps', marketplaceRoutes);
  app.route('/app/campaigns', campaignRoutes);
  app.route('/app/campaign-payments', campaignPaymentRoutes);
  app.route('/app/alerts', alertRoutes);
  app.route('/app/payments-to-verify', paymentsToVerifyRoutes);
  app.get('/app/settings', (c) => c.redirect(can(c.var.user, 'settings') ? '/app/settings/general' : can(c.var.user, 'users') ? '/app/settings/users' : '/app', 303));
  app.route('/recovery', recoveryRoutes);
  app.route('/', portalRoutes);

  app.notFound(notFoundPage);
  app.onError(onError);
  return app;
}

export type App = ReturnType<typeof createApp>;
