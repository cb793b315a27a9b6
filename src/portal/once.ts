import { createHash } from 'node:crypto';
import { ONCE_FIELD } from '../../views/components/forms.js';
import type { AppContext } from '../platform/context.js';
import { spend, unspend, useId } from './captcha.js';

/** How long a rendered form's name is remembered: longer than any page stays open. */
const ONCE_TTL_MS = 24 * 3_600_000;

/** The rendered form's name, if it carries one (a form sent by hand may not). */
function onceId(values: Record<string, unknown>): string | null {
  const once = String(values[ONCE_FIELD] ?? '');
  return /^[0-9a-f-]{36}$/.test(once) ? useId('form', once) : null;
}

/**
 * Whether this is the first send of a rendered `<PostForm once>`: a double tap on a slow
 * phone sends it twice, and the second must not register a second receipt, promise or alert.
 * The name is spent with the single-use records the captcha keeps (pruned by the hourly
 * maintenance job). A form without one (sent by hand) is taken as it comes.
 */
export async function firstSend(c: AppContext, values: Record<string, unknown>): Promise<boolean> {
  const id = onceId(values);
  return id ? spend(c, id, new Date(c.var.deps.clock.now().getTime() + ONCE_TTL_MS)) : true;
}

/**
 * Registers what the form asks for on its first send only (null for a repeat, which the
 * caller answers as the first). A refused register gives the name back (an amount above the
 * debt, a date past the offer): sent again, the form is judged again, and is not taken for
 * one that counted.
 *
 * `sameAs` names what is sent (the client, the amount and the receipt's bytes): the Back
 * button brings a fresh form, which the browser refills with the same file, and the same
 * thing sent again within the day counts once too.
 */
export async function registerOnce<R extends { ok: boolean }>(
  c: AppContext,
  values: Record<string, unknown>,
  register: () => Promise<R>,
  options: { sameAs?: string } = {},
): Promise<R | null> {
  if (!(await firstSend(c, values))) return null;
  const id = onceId(values);
  const sameId = options.sameAs ? useId('sent', options.sameAs) : null;
  if (sameId && !(await spend(c, sameId, new Date(c.var.deps.clock.now().getTime() + ONCE_TTL_MS)))) return null;
  const result = await register();
  if (!result.ok) {
    if (id) await unspend(c, id);
    if (sameId) await unspend(c, sameId);
  }
  return result;
}

/**
 * What identifies a receipt sent for a debt: who, how much, the file itself, and how many of
 * the debt's payments staff had refused by then (after a refusal, the same file is a new report).
 */
export function receiptIdentity(debt: string, amount: number, bytes: Uint8Array, refused: number): string {
  return `receipt:${debt}:${amount}:${refused}:${createHash('sha256').update(bytes).digest('hex')}`;
}
