import { ONCE_FIELD } from '../../views/components/forms.js';
import type { AppContext } from '../platform/context.js';
import { sql } from 'drizzle-orm';
import { spend, useId } from './captcha.js';

/** How long a rendered form's name is remembered: longer than any page stays open. */
const ONCE_TTL_MS = 24 * 3_600_000;

/**
 * Whether this is the first send of a rendered `<PostForm once>`: a double tap on a slow
 * phone sends it twice, and the second must not register a second receipt, promise or alert.
 * The name is spent with the single-use records the captcha keeps (pruned by the hourly
 * maintenance job). A form without one (sent by hand) is taken as it comes.
 */
export async function firstSend(c: AppContext, values: Record<string, unknown>): Promise<boolean> {
  const once = String(values[ONCE_FIELD] ?? '');
  if (!/^[0-9a-f-]{36}$/.test(once)) return true;
  return spend(c, useId('form', once), new Date(c.var.deps.clock.now().getTime() + ONCE_TTL_MS));
}

/**
 * Gives a form's name back when its send was refused (an amount above the debt, a date past
 * the offer): the name must not make a later send of the same form pass for one that counted.
 */
export async function refusedSend(c: AppContext, values: Record<string, unknown>): Promise<void> {
  const once = String(values[ONCE_FIELD] ?? '');
  if (!/^[0-9a-f-]{36}$/.test(once)) return;
  await c.var.deps.database.db.execute(sql`delete from captcha_uses where tenant_id = ${c.var.tenant.id} and id = ${useId('form', once)}`);
}
