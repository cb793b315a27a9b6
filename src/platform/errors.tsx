import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage, RequestError } from '../../views/errors/error-page.js';
import type { AppContext, AppEnv } from './context.js';
import { languageOf, translator, type MessageKey, type Params } from './i18n/index.js';
import { isHtmx, render } from './render.js';
import { portalErrorPage, portalOfPath } from '../portal/page.js';

/** Makes sure a context that failed before the language was chosen can still speak. */
function ensureLanguage(c: AppContext): void {
  if (!c.var.t) {
    const lang = c.var.user?.language ?? languageOf((c.get('tenant') as AppContext['var']['tenant'] | undefined)?.locale);
    c.set('lang', lang);
    c.set('t', translator(lang));
  }
}

/**
 * The address of the page an htmx request came from, as a path on this host (htmx sends it
 * whole in HX-Current-URL), so that it can be loaded afresh.
 */
function currentPageOf(c: AppContext): string | undefined {
  const current = c.req.header('HX-Current-URL');
  if (!current) return undefined;
  try {
    const url = new URL(current);
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}

export async function errorPage(c: AppContext, status: ContentfulStatusCode, title: MessageKey, body: MessageKey, params?: Params, options: { back?: false } = {}) {
  ensureLanguage(c);
  const titleText = c.var.t(title);
  const bodyText = c.var.t(body, params);
  if (isHtmx(c)) {
    // A part htmx asked for is refused: the page says so in its notice (the layout's
    // #request-error, where htmx's settings send every 4xx and 5xx) and keeps its address.
    c.header('HX-Retarget', '#request-error');
    c.header('HX-Reswap', 'innerHTML');
    c.header('HX-Reselect', 'unset');
    c.header('HX-Push-Url', 'false');
    return render(c, { title: titleText, status, layout: 'none', body: null, fragment: <RequestError title={titleText} body={bodyText} reload={currentPageOf(c)} /> });
  }
  // A debtor's error stays in the debtor's portal (the tenant's page, light), not the back office's.
  const portal = portalOfPath(c.req.path);
  if (portal) {
    const page = await portalErrorPage(c, portal, status, titleText, bodyText);
    if (page) return page;
  }
  const layout = c.var.user ? 'app' : 'plain';
  return render(c, { title: titleText, status, layout, body: <ErrorPage title={titleText} body={bodyText} {...options} /> });
}

export const notFoundPage = (c: AppContext) => errorPage(c, 404, 'errors.notFound.title', 'errors.notFound.body');
// No company answers at this address: there is nowhere on it to go back to.
export const unknownTenantPage = (c: AppContext) => errorPage(c, 404, 'errors.unknownTenant.title', 'errors.unknownTenant.body', undefined, { back: false });
export const forbiddenPage = (c: AppContext) => errorPage(c, 403, 'errors.forbidden.title', 'errors.forbidden.body');
export const csrfPage = (c: AppContext) => errorPage(c, 403, 'errors.csrf.title', 'errors.csrf.body');

export function tooLargePage(c: AppContext, limitBytes: number) {
  const limit = limitBytes >= 1024 * 1024 ? `${Math.round(limitBytes / 1024 / 1024)} MB` : `${Math.round(limitBytes / 1024)} KB`;
  return errorPage(c, 413, 'errors.tooLarge.title', 'errors.tooLarge.body', { limit });
}

/**
 * Whether a request failed because its sender went away (a phone that lost its signal, an
 * upload cancelled by a second tap): reading its body then fails with "aborted".
 */
export function senderWentAway(error: Error, request?: Request): boolean {
  // Only the request's own signs: a reset of the database's connection has the same code
  // (ECONNRESET) and is a server fault to raise.
  return request?.signal?.aborted === true || error.message === 'aborted';
}

/** The one handler for unexpected failures: logged with the request id, a friendly page for the person. */
export function onError(error: Error, c: Context<AppEnv>) {
  if (error instanceof HTTPException && error.status < 500) {
    if (error.status === 404) return notFoundPage(c);
    return errorPage(c, error.status as ContentfulStatusCode, 'errors.badRequest.title', 'errors.badRequest.body');
  }
  // No server fault, and no one left to answer: noted, not raised as an error.
  if (senderWentAway(error, c.req.raw)) {
    (c.var.log ?? console).info('request.aborted', { method: c.req.method, path: c.req.path });
    return errorPage(c, 400, 'errors.badRequest.title', 'errors.badRequest.body');
  }
  (c.var.log ?? console).error('request.failed', { error, method: c.req.method, path: c.req.path });
  if (c.req.path.startsWith('/api/')) {
    return c.json({ error: { code: 'internal_error', message: 'Internal error', requestId: c.var.requestId } }, 500);
  }
  return errorPage(c, 500, 'errors.server.title', 'errors.server.body', { requestId: c.var.requestId ?? '' });
}
