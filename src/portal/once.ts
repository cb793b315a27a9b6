import { createHash } from 'node:crypto';
import { ONCE_FIELD } from '../../views/components/forms.js';
import type { AppContext } from '../platform/context.js';
import { isSpent, spend, unspend, useId } from './captcha.js';

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

/** How long a repeat waits for the first send's answer: longer than any form takes to register. */
const FIRST_ANSWER_WAIT_MS = 15_000;

/**
 * A repeat arrived while (or after) the first send was judged: whether the first was refused.
 * A refused first gives its name back; one that counted leaves a second name beside it
 * ("done"). Until either is seen, the first is still being judged, and the repeat waits.
 */
async function firstWasRefused(c: AppContext, id: string): Promise<boolean> {
  const until = Date.now() + FIRST_ANSWER_WAIT_MS;
  while (Date.now() < until) {
    if (await isSpent(c, useId('done', id))) return false;
    if (!(await isSpent(c, id))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Registers what the form asks for on its first send only (null for a repeat whose first send
 * counted: the caller answers as it did). A refused register gives the name back (an amount
 * above the debt, a date past the offer), and a repeat that waited for it is judged as it
 * comes, so it is refused alike and never told it counted.
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
  judgedAgain = false,
): Promise<R | null> {
  const id = onceId(values);
  const again = () => (judgedAgain ? Promise.resolve(null) : registerOnce(c, values, register, options, true));
  if (!(await firstSend(c, values))) return id && (await firstWasRefused(c, id)) ? again() : null;
  const sameId = options.sameAs ? useId('sent', options.sameAs) : null;
  const expires = new Date(c.var.deps.clock.now().getTime() + ONCE_TTL_MS);
  if (sameId && !(await spend(c, sameId, expires))) {
    if (id) await unspend(c, id);
    return (await firstWasRefused(c, sameId)) ? again() : null;
  }
  const result = await register();
  if (!result.ok) {
    if (id) await unspend(c, id);
    if (sameId) await unspend(c, sameId);
  } else {
    for (const spent of [id, sameId]) if (spent) await spend(c, useId('done', spent), expires);
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
