import { createHash } from 'node:crypto';
import { ONCE_FIELD } from '../../views/components/forms.js';
import type { AppContext } from '../platform/context.js';
import { isSpent, spend, spentUntilOf, unspend, useId } from './captcha.js';

/** How long a rendered form's name is remembered: longer than any page stays open. */
const ONCE_TTL_MS = 24 * 3_600_000;

/** The rendered form's name, if it carries one (a form sent by hand may not). */
function onceId(values: Record<string, unknown>): string | null {
  const once = String(values[ONCE_FIELD] ?? '');
  return /^[0-9a-f-]{36}$/.test(once) ? useId('form', once) : null;
}

const expiry = (c: AppContext) => new Date(c.var.deps.clock.now().getTime() + ONCE_TTL_MS);

/** The name of a send's answer: spent beside the form's name once what it asked for counted. */
const doneId = (id: string) => useId('done', id);

/**
 * Whether this is the first send of a rendered `<PostForm once>`: a double tap on a slow
 * phone sends it twice, and the second must not register a second answer or alert. The name
 * is spent with the single-use records the captcha keeps (pruned by the hourly maintenance
 * job). A form without one (sent by hand) is taken as it comes. For a form that cannot be
 * refused once it is read, the first send counts at once.
 */
export async function firstSend(c: AppContext, values: Record<string, unknown>): Promise<boolean> {
  const id = onceId(values);
  if (!id) return true;
  if (!(await spend(c, id, expiry(c)))) return false;
  await spend(c, doneId(id), expiry(c));
  return true;
}

/** How long a repeat waits for the first send's answer: longer than any form takes to register. */
const FIRST_ANSWER_WAIT_MS = 15_000;
/** A first send spent longer ago than this, with no answer on record, ended long ago. */
const FIRST_SEND_GONE_MS = 20_000;

/**
 * A repeat arrived while (or after) the first send was judged: whether the first was refused.
 * A refused first gives its name back; one that counted leaves its answer's name beside it.
 * Until either is seen the first is still being judged, and the repeat waits, asking less
 * often as it waits. A name spent long ago with no answer beside it (a form of an earlier
 * release) is taken as counted.
 */
async function firstWasRefused(c: AppContext, id: string): Promise<boolean> {
  const until = Date.now() + FIRST_ANSWER_WAIT_MS;
  for (let pause = 50; Date.now() < until; pause = Math.min(pause * 2, 1_000)) {
    if (await isSpent(c, doneId(id))) return false;
    const spentUntil = await spentUntilOf(c, id);
    if (!spentUntil) return true;
    if (expiry(c).getTime() - spentUntil.getTime() > FIRST_SEND_GONE_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return false;
}

/**
 * Registers what the form asks for on its first send only (null for a repeat whose first send
 * counted: the caller answers as it did). A refused register, or one that fails, gives the
 * names back (an amount above the debt, a date past the offer, the storage away), and a
 * repeat that waited for it is judged as it comes, so it is refused alike and never told it
 * counted.
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
  if (id && !(await spend(c, id, expiry(c)))) return (await firstWasRefused(c, id)) ? again() : null;
  const sameId = options.sameAs ? useId('sent', options.sameAs) : null;
  if (sameId && !(await spend(c, sameId, expiry(c)))) {
    if (id) await unspend(c, id);
    return (await firstWasRefused(c, sameId)) ? again() : null;
  }
  // The answer's name is given back first: a repeat that sees the form's name free finds the
  // other free too.
  const giveBack = async () => {
    if (sameId) await unspend(c, sameId);
    if (id) await unspend(c, id);
  };
  let result: R;
  try {
    result = await register();
  } catch (error) {
    await giveBack();
    throw error;
  }
  if (!result.ok) await giveBack();
  else for (const spent of [id, sameId]) if (spent) await spend(c, doneId(spent), expiry(c));
  return result;
}

/**
 * What identifies a receipt sent for a debt: who, how much, the file itself, and how many of
 * the debt's payments staff had refused by then (after a refusal, the same file is a new report).
 */
export function receiptIdentity(debt: string, amount: number, bytes: Uint8Array, refused: number): string {
  return `receipt:${debt}:${amount}:${refused}:${createHash('sha256').update(bytes).digest('hex')}`;
}
