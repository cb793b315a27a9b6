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
 */
export async function registerOnce<R extends { ok: boolean }>(c: AppContext, values: Record<string, unknown>, register: () => Promise<R>): Promise<R | null> {
  if (!(await firstSend(c, values))) return null;
  const result = await register();
  const id = onceId(values);
  if (!result.ok && id) await unspend(c, id);
  return result;
}
