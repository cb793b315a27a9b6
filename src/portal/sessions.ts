import { and, eq, isNull, lt } from 'drizzle-orm';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clients, type Client } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { generateToken, hashToken } from '../platform/auth/tokens.js';
import type { AppContext } from '../platform/context.js';
import { portalSessions, type PortalKind, type PortalSession } from './schema.js';

/** The debtor's cookie: its own name and table, so it is worth nothing as a staff session (and the reverse). */
export const PORTAL_COOKIE = 'saldo_portal';
export const PORTAL_SESSION_MS = 30 * 60_000;
// Writing the new expiry on every page would cost a write per view; once a minute is enough.
const SLIDE_AFTER_MS = 60_000;

function setPortalCookie(c: AppContext, token: string): void {
  // A browser-session cookie: the server's 30 minutes decide, and closing the browser ends it too.
  setCookie(c, PORTAL_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure: c.var.deps.config.scheme === 'https' });
}

/** Opens an identified visit of the client on this tenant's portal and sets the cookie. */
export async function startPortalSession(c: AppContext, clientId: number, kind: PortalKind): Promise<PortalSession> {
  const { database, clock } = c.var.deps;
  const now = clock.now();
  const token = generateToken();
  const [session] = await database.db
    .insert(portalSessions)
    .values({ tenantId: c.var.tenant.id, id: hashToken(token), clientId, kind, expiresAt: new Date(now.getTime() + PORTAL_SESSION_MS), createdAt: now })
    .returning();
  setPortalCookie(c, token);
  return session!;
}

export interface PortalVisit {
  session: PortalSession;
  client: Client;
}

async function findVisit(db: Db, tenantId: number, token: string, now: Date, slide: boolean): Promise<PortalVisit | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = hashToken(token);
  const [found] = await db
    .select({ session: portalSessions, client: clients })
    .from(portalSessions)
    .innerJoin(clients, and(eq(clients.tenantId, portalSessions.tenantId), eq(clients.id, portalSessions.clientId), isNull(clients.deletedAt)))
    .where(and(eq(portalSessions.tenantId, tenantId), eq(portalSessions.id, id)))
    .limit(1);
  if (!found) return null;
  if (found.session.expiresAt <= now) {
    await db.delete(portalSessions).where(and(eq(portalSessions.tenantId, tenantId), lt(portalSessions.expiresAt, now)));
    return null;
  }
  if (slide && found.session.expiresAt.getTime() - now.getTime() < PORTAL_SESSION_MS - SLIDE_AFTER_MS) {
    const expiresAt = new Date(now.getTime() + PORTAL_SESSION_MS);
    await db.update(portalSessions).set({ expiresAt }).where(and(eq(portalSessions.tenantId, tenantId), eq(portalSessions.id, id)));
    found.session.expiresAt = expiresAt;
  }
  return found;
}

/**
 * The identified visit of this request, looked up within the request's tenant (a cookie
 * carried to another tenant's host finds nothing). Expired visits are ended. Requests the
 * page makes by itself (a countdown's refresh) pass `slide: false`: a phone left on the page
 * is not a debtor still there, and the visit closes after 30 quiet minutes all the same.
 */
/**
 * This request's visit of one portal (`kind`), and whether the browser brought a visit that
 * has ended since (30 quiet minutes, or ended elsewhere): the pages say so then, and only
 * then. A live visit of the other portal is no visit here, and has not ended.
 */
export async function portalVisitOf(c: AppContext, kind: PortalKind, options: { slide?: boolean } = {}): Promise<{ visit: PortalVisit | null; ended: boolean }> {
  const token = getCookie(c, PORTAL_COOKIE);
  if (!token) return { visit: null, ended: false };
  const visit = await findVisit(c.var.deps.database.db, c.var.tenant.id, token, c.var.deps.clock.now(), options.slide ?? true);
  if (visit) return { visit: visit.session.kind === kind ? visit : null, ended: false };
  deleteCookie(c, PORTAL_COOKIE, { path: '/', secure: c.var.deps.config.scheme === 'https' });
  return { visit: null, ended: true };
}

export async function endPortalSession(c: AppContext): Promise<void> {
  const token = getCookie(c, PORTAL_COOKIE);
  if (token) {
    await c.var.deps.database.db
      .delete(portalSessions)
      .where(and(eq(portalSessions.tenantId, c.var.tenant.id), eq(portalSessions.id, hashToken(token))));
  }
  deleteCookie(c, PORTAL_COOKIE, { path: '/', secure: c.var.deps.config.scheme === 'https' });
}
