import { desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { OutboxPage } from '../../views/settings/outbox.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppEnv } from '../platform/context.js';
import { forbiddenPage } from '../platform/errors.js';
import { mailMessages } from '../platform/mail/schema.js';
import { render } from '../platform/render.js';

/** The mail the tenant's users were sent; without SMTP this is where it can be read. */
export const outboxRoutes = new Hono<AppEnv>().use(requirePermission(forbiddenPage, 'settings')).get('/', async (c) => {
  const messages = await c.var.deps.database.db
    .select()
    .from(mailMessages)
    .where(eq(mailMessages.tenantId, c.var.tenant.id))
    .orderBy(desc(mailMessages.createdAt), desc(mailMessages.id))
    .limit(100);
  return render(c, { title: c.var.t('outbox.title'), body: <OutboxPage messages={messages} transport={c.var.deps.mailer.transport} viewer={c.var.user!.email} /> });
});
