import { ONCE_FIELD } from '../../views/components/forms.js';
import type { AppContext } from '../platform/context.js';
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
