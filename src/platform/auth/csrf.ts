import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../context.js';
import { generateToken, safeEqual, sign } from './tokens.js';

const COOKIE = 'saldo_csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request must carry a token derived from a per-browser secret cookie:
 * in the `_csrf` form field, or in the `X-CSRF-Token` header that htmx sends. A cross-site
 * Origin is refused as well. Refusals change nothing.
 */
export function csrfProtection(refuse: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => Response | Promise<Response>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { secret, config } = c.var.deps;
    let cookie = getCookie(c, COOKIE);
    if (!cookie || !/^[a-z2-7]{32}$/.test(cookie)) {
      cookie = generateToken();
      setCookie(c, COOKIE, cookie, { path: '/', httpOnly: true, sameSite: 'Lax', secure: config.scheme === 'https' });
      if (!SAFE.has(c.req.method)) {
        c.set('csrfToken', sign(secret, `csrf:${cookie}`));
        return refuse(c);
      }
    }
    const expected = sign(secret, `csrf:${cookie}`);
    c.set('csrfToken', expected);
    if (SAFE.has(c.req.method)) return next();

    const origin = c.req.header('Origin');
    if (origin && origin !== 'null') {
      const originHost = URL.canParse(origin) ? new URL(origin).host : '';
      const host = c.req.header('Host') ?? '';
      if (originHost !== host && originHost !== c.req.header('X-Forwarded-Host')) return refuse(c);
    }
    let provided = c.req.header('X-CSRF-Token');
    if (!provided) {
      const type = c.req.header('Content-Type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody({ all: true });
        const field = body['_csrf'];
        provided = typeof field === 'string' ? field : undefined;
      }
    }
    if (!provided || !safeEqual(provided, expected)) return refuse(c);
    return next();
  };
}
