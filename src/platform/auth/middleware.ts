import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppContext, AppEnv } from '../context.js';
import { languageOf, translator } from '../i18n/index.js';
import { can, type Permission } from '../permissions.js';
import { isHtmx } from '../render.js';
import { SESSION_LIFETIME_MS, validateSession } from './sessions.js';

export const SESSION_COOKIE = 'saldo_session';

export function setSessionCookie(c: AppContext, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.deps.config.scheme === 'https',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: AppContext): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.var.deps.config.scheme === 'https' });
}

/**
 * Loads the staff session, if any, for the tenant of the request. The lookup is by tenant
 * and token hash, so a cookie taken from another tenant's host finds nothing.
 */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE);
  const { database, clock, config } = c.var.deps;
  if (token) {
    const found = await validateSession(database.db, c.var.tenant.id, token, clock.now(), config.sessionIdleTimeoutMs);
    if (found) {
      c.set('user', found.user);
      c.set('session', found.session);
      c.set('log', c.var.log.child({ userId: found.user.id }));
      // The cookie follows the sliding expiry.
      if (found.session.expiresAt.getTime() - clock.now().getTime() > SESSION_LIFETIME_MS - 120_000) {
        setSessionCookie(c, token, found.session.expiresAt);
      }
    } else {
      clearSessionCookie(c);
    }
  }
  const lang = c.var.user?.language ?? languageOf(c.var.tenant.locale);
  c.set('lang', lang);
  c.set('t', translator(lang));
  await next();
};

/** Anonymous requests to the back office go to the login page (then back where they were). */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.user) return next();
  const url = new URL(c.req.url);
  const nextPath = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/app';
  const location = `/app/login?next=${encodeURIComponent(nextPath)}`;
  if (isHtmx(c)) {
    c.header('HX-Redirect', location);
    return c.body(null, 401);
  }
  return c.redirect(location, 303);
};

/** The single permission check for routes: deny unless the user holds the permission. */
export function requirePermission(
  forbidden: (c: AppContext) => Response | Promise<Response>,
  ...anyOf: Permission[]
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (anyOf.some((p) => can(c.var.user, p))) return next();
    return forbidden(c);
  };
}
