import type { MiddlewareHandler } from 'hono';
import { findAliasTarget, findTenantBySubdomain } from '../tenants/queries.js';
import type { Tenant } from '../tenants/schema.js';
import type { AppEnv } from './context.js';

export type HostMatch = { kind: 'root' } | { kind: 'tenant'; subdomain: string } | { kind: 'foreign' };

/** `<subdomain>.<BASE_DOMAIN>` names a tenant; the port is ignored. */
export function matchHost(hostHeader: string | undefined, baseDomain: string): HostMatch {
  const host = (hostHeader ?? '').trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (host === baseDomain) return { kind: 'root' };
  if (!host.endsWith(`.${baseDomain}`)) return { kind: 'foreign' };
  const subdomain = host.slice(0, -(baseDomain.length + 1));
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(subdomain)) return { kind: 'foreign' };
  return { kind: 'tenant', subdomain };
}

// Subdomain lookups happen on every request; a few seconds of caching spares the database
// while keeping a renamed subdomain effective almost at once on every process.
const TTL_MS = 5_000;
const cache = new Map<string, { at: number; tenant?: Tenant; alias?: string }>();

export function forgetTenantCache(): void {
  cache.clear();
}

export function hostOf(c: { req: { header(name: string): string | undefined } }, trustProxy: boolean): string | undefined {
  return (trustProxy ? c.req.header('X-Forwarded-Host')?.split(',')[0] : undefined) ?? c.req.header('Host');
}

/**
 * Finds the tenant from the Host header. Unknown hosts get the 404 page; a former
 * subdomain gets a 301 to the same path and query on the tenant's current host.
 */
export function resolveTenant(notFound: (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => Response | Promise<Response>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { config, database } = c.var.deps;
    const host = hostOf(c, config.trustProxy);
    const match = matchHost(host, config.baseDomain);
    if (match.kind !== 'tenant') return notFound(c);
    const now = Date.now();
    let entry = cache.get(match.subdomain);
    if (!entry || now - entry.at > TTL_MS) {
      const tenant = await findTenantBySubdomain(database.db, match.subdomain);
      const alias = tenant ? undefined : await findAliasTarget(database.db, match.subdomain);
      entry = { at: now, ...(tenant ? { tenant } : {}), ...(alias ? { alias } : {}) };
      cache.set(match.subdomain, entry);
    }
    if (entry.alias) {
      const port = /:(\d+)$/.exec(host ?? '')?.[1];
      const url = new URL(c.req.url);
      const target = `${config.scheme}://${entry.alias}.${config.baseDomain}${port ? `:${port}` : ''}${url.pathname}${url.search}`;
      // 308 for a form sent to the old address: the browser sends it again, body and method kept.
      return c.redirect(target, c.req.method === 'GET' || c.req.method === 'HEAD' ? 301 : 308);
    }
    if (!entry.tenant) return notFound(c);
    c.set('tenant', entry.tenant);
    c.set('log', c.var.log.child({ tenantId: entry.tenant.id }));
    await next();
  };
}

/** The absolute URL of a path on a tenant's host, for emails and messages. */
export function tenantUrl(config: { scheme: string; baseDomain: string; port: number }, tenant: Pick<Tenant, 'subdomain'>, path: string): string {
  const localhost = config.baseDomain === 'localhost' || config.baseDomain.endsWith('.localhost');
  const port = localhost && config.port !== 80 && config.port !== 443 ? `:${config.port}` : '';
  return `${config.scheme}://${tenant.subdomain}.${config.baseDomain}${port}${path}`;
}
