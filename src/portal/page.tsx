import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorPage } from '../../views/errors/error-page.js';
import { PortalLayout } from '../../views/portal/layout.js';
import type { AppContext } from '../platform/context.js';
import { render } from '../platform/render.js';
import { portalSettingsFor } from './queries.js';
import type { PortalKind, PortalSettings } from './schema.js';

/** A portal page in the tenant's colours; the recovery portal uses the same shell with its own form. */
export function portalPage(c: AppContext, options: { settings: PortalSettings; kind: PortalKind; title: string; body: Child; status?: ContentfulStatusCode; actions?: Child; head?: Child }) {
  // Debts, names and single-use tokens: never kept by the browser or anything on the way (a phone may be shared).
  c.header('Cache-Control', 'no-store');
  return render(c, {
    title: options.title,
    status: options.status ?? 200,
    layout: 'none',
    body: (
      <PortalLayout title={options.title} kind={options.kind} settings={options.settings} actions={options.actions} head={options.head}>
        {options.body}
      </PortalLayout>
    ),
  });
}

/** The back office, its API and files: every other path of a tenant's host belongs to a debtor portal. */
const STAFF_PATHS = /^\/(app|api|files|static)(\/|$)/;

/** The portal a path of a tenant's host belongs to, if any. */
export function portalOfPath(path: string): PortalKind | null {
  if (STAFF_PATHS.test(path)) return null;
  return path === '/recovery' || path.startsWith('/recovery/') ? 'recovery' : 'customer';
}

/**
 * An error on a debtor portal's path, in that portal's light page with the tenant's colours
 * and a way back to its start, instead of the back office's. Null when it cannot be drawn
 * (no tenant, or the settings could not be read: the database may be what failed).
 */
export async function portalErrorPage(c: AppContext, kind: PortalKind, status: ContentfulStatusCode, title: string, body: string): Promise<Response | null> {
  const tenant = c.get('tenant') as AppContext['var']['tenant'] | undefined;
  if (!tenant) return null;
  let settings: PortalSettings;
  try {
    settings = await portalSettingsFor(c.var.deps.database.db, tenant.id);
  } catch {
    return null;
  }
  return portalPage(c, {
    settings,
    kind,
    title,
    status,
    body: (
      <section class="card">
        <ErrorPage title={title} body={body} backTo={kind === 'recovery' ? '/recovery' : '/'} />
      </section>
    ),
  });
}
