import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { encodeBase64urlNoPadding, decodeBase64urlIgnorePadding } from '@oslojs/encoding';
import type { AppContext } from './context.js';
import { isMessageKey, type MessageKey, type Params } from './i18n/index.js';
import { sign, verifySignature } from './auth/tokens.js';

export interface Flash {
  kind: 'success' | 'info' | 'error';
  text: string;
}

const COOKIE = 'saldo_flash';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A one-time message for the page after a redirect (post/redirect/get). It travels as its
 * key and parameters and is put in words by the page that shows it, in that page's language
 * (signing out, or switching language, changes the language between the two requests).
 */
export function setFlash(c: AppContext, kind: Flash['kind'], key: MessageKey, params?: Params): void {
  const payload = encodeBase64urlNoPadding(encoder.encode(JSON.stringify({ kind, key, params })));
  setCookie(c, COOKIE, `${payload}.${sign(c.var.deps.secret, `flash:${payload}`)}`, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.var.deps.config.scheme === 'https',
    maxAge: 60,
  });
}

/** A message from a service, which may carry parameters (`key?name=value`), as a flash. */
export function setFlashMessage(c: AppContext, kind: Flash['kind'], message: string): void {
  const [key, query] = message.split('?', 2) as [string, string | undefined];
  if (isMessageKey(key)) setFlash(c, kind, key, query ? Object.fromEntries(new URLSearchParams(query)) : undefined);
}

export function takeFlash(c: AppContext): Flash | undefined {
  const raw = getCookie(c, COOKIE);
  if (!raw) return undefined;
  deleteCookie(c, COOKIE, { path: '/' });
  const [payload, signature] = raw.split('.');
  if (!payload || !signature || !verifySignature(c.var.deps.secret, `flash:${payload}`, signature)) return undefined;
  try {
    const value = JSON.parse(decoder.decode(decodeBase64urlIgnorePadding(payload))) as { kind: Flash['kind']; key: unknown; params?: Params };
    if (!['success', 'info', 'error'].includes(value.kind) || typeof value.key !== 'string' || !isMessageKey(value.key)) return undefined;
    return { kind: value.kind, text: c.var.t(value.key, value.params) };
  } catch {
    return undefined;
  }
}
