import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { encodeBase64urlNoPadding, decodeBase64urlIgnorePadding } from '@oslojs/encoding';
import type { AppContext } from './context.js';
import type { MessageKey, Params } from './i18n/index.js';
import { sign, verifySignature } from './auth/tokens.js';

export interface Flash {
  kind: 'success' | 'info' | 'error';
  text: string;
}

const COOKIE = 'saldo_flash';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A one-time message for the page after a redirect (post/redirect/get). */
export function setFlash(c: AppContext, kind: Flash['kind'], key: MessageKey, params?: Params): void {
  const payload = encodeBase64urlNoPadding(encoder.encode(JSON.stringify({ kind, text: c.var.t(key, params) })));
  setCookie(c, COOKIE, `${payload}.${sign(c.var.deps.secret, `flash:${payload}`)}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.deps.config.scheme === 'https',
    maxAge: 60,
  });
}

export function takeFlash(c: AppContext): Flash | undefined {
  const raw = getCookie(c, COOKIE);
  if (!raw) return undefined;
  deleteCookie(c, COOKIE, { path: '/' });
  const [payload, signature] = raw.split('.');
  if (!payload || !signature || !verifySignature(c.var.deps.secret, `flash:${payload}`, signature)) return undefined;
  try {
    const value = JSON.parse(decoder.decode(decodeBase64urlIgnorePadding(payload))) as Flash;
    return ['success', 'info', 'error'].includes(value.kind) && typeof value.text === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
